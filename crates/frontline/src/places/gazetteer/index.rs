//! The name index: every place's name keys (exact and transliteration
//! skeleton) in flat sorted tables, built once and kept in the store.

use super::*;

/// One key's places: (place, which of its names: see [`Place::numbered_names`]).
pub(super) type Postings = Vec<(PlaceId, usize)>;

/// The name keys of every place ([`names::exact_key`], [`names::skeleton`]),
/// sorted for binary search. Deriving them is most of the cost of opening
/// a gazetteer (0.8 s for 26,000 places), so the store keeps the index
/// beside the places and a query reads it ready.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NameIndex {
    pub(super) exact: KeyTable,
    pub(super) skeleton: KeyTable,
    /// The skeleton keys as chars (same order as `skeleton`), for the
    /// typo scan: made on the first typo, as most queries never need it.
    #[serde(skip)]
    pub(super) skeleton_chars: OnceLock<Vec<Vec<char>>>,
}

/// Sorted keys and their postings in a few flat vectors, not a string and
/// a vector per key: reading 200,000 keys back is then a handful of
/// allocations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct KeyTable {
    /// Every key, ascending, one after the other.
    pub(super) keys: String,
    /// Where each key ends in `keys`.
    pub(super) key_ends: Vec<usize>,
    /// Where each key's postings end in `postings`.
    pub(super) posting_ends: Vec<usize>,
    /// (place, name number) for every key, in key order.
    pub(super) postings: Vec<(PlaceId, usize)>,
}

impl KeyTable {
    pub(super) fn from_map(m: HashMap<String, Postings>) -> KeyTable {
        let mut v: Vec<(String, Postings)> = m.into_iter().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut t = KeyTable::default();
        for (k, ps) in v {
            t.keys.push_str(&k);
            t.key_ends.push(t.keys.len());
            t.postings.extend(ps);
            t.posting_ends.push(t.postings.len());
        }
        t
    }

    pub(super) fn len(&self) -> usize {
        self.key_ends.len()
    }

    /// Key `i` ("" when out of range: [`KeyTable::fits`] rules that out for a stored table).
    pub(super) fn key(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.key_ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.key_ends.get(i).copied().unwrap_or(start);
        self.keys.get(start..end).unwrap_or("")
    }

    pub(super) fn postings(&self, i: usize) -> &[(PlaceId, usize)] {
        let start = if i == 0 { 0 } else { self.posting_ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.posting_ends.get(i).copied().unwrap_or(start);
        self.postings.get(start..end).unwrap_or(&[])
    }

    pub(super) fn get(&self, key: &str) -> Option<&[(PlaceId, usize)]> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.postings(mid)),
            }
        }
        None
    }

    /// Whether the table is whole: offsets ascending within their vectors,
    /// on character boundaries, keys strictly ascending, every posting a
    /// place and one of its names.
    pub(super) fn fits(&self, places: &[Place]) -> bool {
        let ascending =
            |ends: &[usize], len: usize| ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|&e| e == len);
        self.key_ends.len() == self.posting_ends.len()
            && ascending(&self.key_ends, self.keys.len())
            && ascending(&self.posting_ends, self.postings.len())
            && self.key_ends.iter().all(|&e| self.keys.is_char_boundary(e))
            && (1..self.len()).all(|i| self.key(i - 1) < self.key(i))
            && self.postings.iter().all(|&(id, k)| places.get(id).is_some_and(|p| p.name_at(k).is_some()))
    }
}

impl NameIndex {
    pub(super) fn build(places: &[Place]) -> NameIndex {
        // The keys are most of the cost: in parallel.
        let keyed: Vec<Vec<(String, String, usize)>> = places
            .par_iter()
            .map(|p| {
                p.numbered_names()
                    .filter_map(|(k, n)| {
                        let e = names::exact_key(n);
                        (!e.is_empty()).then(|| (names::skeleton_of_key(&e), e, k))
                    })
                    .collect()
            })
            .collect();
        let mut exact: HashMap<String, Postings> = HashMap::new();
        let mut skeleton: HashMap<String, Postings> = HashMap::new();
        for (id, keys) in keyed.into_iter().enumerate() {
            for (s, e, k) in keys {
                push_unique(exact.entry(e).or_default(), id, k);
                push_unique(skeleton.entry(s).or_default(), id, k);
            }
        }
        NameIndex {
            exact: KeyTable::from_map(exact),
            skeleton: KeyTable::from_map(skeleton),
            skeleton_chars: OnceLock::new(),
        }
    }

    pub(super) fn skeleton_chars(&self) -> &[Vec<char>] {
        self.skeleton_chars
            .get_or_init(|| (0..self.skeleton.len()).map(|i| self.skeleton.key(i).chars().collect()).collect())
    }

    /// Whether the index fits these places (a stored index that does not is rebuilt).
    pub(super) fn fits(&self, places: &[Place]) -> bool {
        self.exact.fits(places) && self.skeleton.fits(places)
    }
}

pub(super) fn push_unique(v: &mut Postings, id: PlaceId, k: usize) {
    if !v.iter().any(|(i, _)| *i == id) {
        v.push((id, k));
    }
}
