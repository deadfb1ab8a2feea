//! Finding places by name: exact, transliterated or within a typo budget
//! ([`Gazetteer::lookup`]), suggestions, and the one resolver every
//! command uses ([`Gazetteer::resolve`]: NAME, NAME@OBLAST, LON,LAT).

use super::*;

/// How a lookup matched a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MatchKind {
    /// The name as typed, folding case, apostrophes, soft signs and separators.
    Exact,
    /// A transliteration variant (Kupyansk for Kupiansk).
    Transliteration,
    /// Within the typo budget.
    Typo {
        /// Edits between the query and the name (on the transliteration skeleton).
        edits: usize,
    },
    /// The query is the start of the name: search as you type
    /// ([`crate::usecase::places::search`]); never from [`Gazetteer::lookup`].
    Prefix,
}

/// One candidate for a name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The place.
    pub place: PlaceId,
    /// Its English name.
    pub name: String,
    /// Its oblast.
    pub oblast: String,
    /// Its population.
    pub population: u64,
    /// Its point, longitude.
    pub lon: f64,
    /// Its point, latitude.
    pub lat: f64,
    /// The spelling of the place that matched the query.
    pub matched_name: String,
    /// How it matched.
    pub how: MatchKind,
}

impl Match {
    /// `place` as found by the spelling `matched_name`, `how`.
    pub fn of(place: &Place, matched_name: String, how: MatchKind) -> Match {
        Match {
            place: place.id,
            name: place.name.clone(),
            oblast: place.oblast.clone(),
            population: place.population,
            lon: place.lon,
            lat: place.lat,
            matched_name,
            how,
        }
    }
}

impl Gazetteer {
    /// Every place a person may mean by `name`, biggest first.
    ///
    /// Tries, in order, the name as typed (folding case, apostrophes, soft
    /// signs, separators), then transliteration variants, then typos
    /// ([`names::typo_budget`]), and returns every place of the first tier
    /// that finds any: an ambiguous name gives all its places, never one
    /// silently picked. Former names (Krasnoarmiisk) are names like any other.
    pub fn lookup(&self, name: &str) -> Vec<Match> {
        let exact = names::exact_key(name);
        if exact.is_empty() {
            return vec![];
        }
        if let Some(hits) = self.index.exact.get(&exact) {
            return self.matches(hits.iter().map(|&(id, k)| (id, k, MatchKind::Exact)));
        }
        let skel = names::skeleton(name);
        if let Some(hits) = self.index.skeleton.get(&skel) {
            return self.matches(hits.iter().map(|&(id, k)| (id, k, MatchKind::Transliteration)));
        }
        let query: Vec<char> = skel.chars().collect();
        let budget = names::typo_budget(query.len());
        if budget == 0 {
            return vec![];
        }
        self.matches(self.within_edits(&query, budget).into_iter())
    }

    /// Names within `budget` edits of a skeleton, with their edit counts.
    pub(super) fn within_edits(&self, query: &[char], budget: usize) -> Vec<(PlaceId, usize, MatchKind)> {
        let mut found = vec![];
        for (i, chars) in self.index.skeleton_chars().iter().enumerate() {
            let edits = names::edit_distance_within(query, chars, budget);
            if edits <= budget {
                found.extend(self.index.skeleton.postings(i).iter().map(|&(id, k)| (id, k, MatchKind::Typo { edits })));
            }
        }
        found
    }

    /// Up to `n` places whose names are close to a name nothing matched
    /// ("did you mean Pokrovsk?"): names within a third of the query's
    /// letters (at least 2 edits) on the transliteration skeleton, the
    /// biggest place first; one entry per distinct name.
    pub fn suggest(&self, name: &str, n: usize) -> Vec<Match> {
        let query: Vec<char> = names::skeleton(name).chars().collect();
        if query.len() < 3 {
            return vec![];
        }
        let budget = (query.len() / 3).max(2);
        let mut found = self.matches(self.within_edits(&query, budget).into_iter());
        // Someone misspelling a name most likely means a place in the news:
        // the biggest first, whatever the edit count within the budget.
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.how.cmp(&b.how)).then(a.place.cmp(&b.place)));
        let mut seen = BTreeSet::new();
        found.retain(|m| seen.insert(m.name.clone()));
        found.truncate(n);
        found
    }

    /// Resolves what a person typed to one place: a name, `NAME@OBLAST`, or
    /// coordinates `LON,LAT` (see [`Resolution`]).
    pub fn resolve(&self, query: &str) -> Resolution {
        let query = query.trim();
        if let Some(c) = parse_coordinates(query) {
            return self.resolve_point(c);
        }
        let (name, oblast) = match query.rsplit_once('@') {
            Some((n, o)) => (n.trim(), Some(o.trim())),
            None => (query, None),
        };
        let mut found = self.lookup(name);
        if let Some(o) = oblast {
            found.retain(|m| oblast_matches(&m.oblast, self.places[m.place].oblast_iso.as_deref(), o));
        }
        // A typo is never taken for an answer (Pokrovks is one letter from
        // the village Pokrovka and two from the city Pokrovsk): it becomes a
        // suggestion.
        if found.iter().all(|m| matches!(m.how, MatchKind::Typo { .. })) {
            found.clear();
        }
        if found.is_empty() {
            let mut suggestions = self.suggest(name, 5);
            if let Some(o) = oblast {
                // The name exists, only not in that oblast: say where it is.
                let elsewhere = self.lookup(name);
                if !elsewhere.is_empty() {
                    suggestions = elsewhere;
                    suggestions.truncate(5);
                } else {
                    suggestions.retain(|m| oblast_matches(&m.oblast, self.places[m.place].oblast_iso.as_deref(), o));
                }
            }
            return Resolution::NotFound { suggestions };
        }
        if found.len() == 1 {
            let m = found.remove(0);
            return Resolution::Found { place: m, note: None };
        }
        // Biggest first: lookup sorts by tier, then population.
        let rank = |m: &Match| class_rank(self.places[m.place].class.as_deref());
        let wins = |a: &Match, b: &Match| -> bool {
            (b.population > 0 && a.population >= DOMINANCE * b.population)
                || (rank(a) > rank(b) && (a.population >= b.population || b.population == 0))
        };
        let winner = (0..found.len()).find(|&i| (0..found.len()).all(|j| i == j || wins(&found[i], &found[j])));
        let Some(wi) = winner else {
            return Resolution::Ambiguous(found);
        };
        let top = found.remove(wi);
        let others: Vec<String> =
            found.iter().take(3).map(|m| format!("{}@{}", m.name, short_oblast(&m.oblast))).collect();
        let next_pop = found.iter().map(|m| m.population).max().unwrap_or(0);
        let why = if next_pop > 0 && top.population >= DOMINANCE * next_pop {
            format!("it has {} people, {} times the next", top.population, top.population / next_pop)
        } else {
            format!(
                "it is the only {} among them{}",
                self.places[top.place].class_word(),
                if top.population > 0 { format!(" ({} people)", top.population) } else { String::new() }
            )
        };
        let note = format!(
            "'{name}' also names {} other place(s) ({}{}); taking {}, {}, because {why}. For another, {}",
            found.len(),
            others.join(", "),
            if found.len() > 3 { ", ..." } else { "" },
            top.name,
            top.oblast,
            disambiguation_hint(&found[0]),
        );
        Resolution::Found { place: top, note: Some(note) }
    }

    /// The place at a point: the smallest footprint holding it, else the
    /// nearest place within [`NEAREST_PLACE_M`].
    pub(super) fn resolve_point(&self, c: Coord<f64>) -> Resolution {
        let pt = Point::from(c);
        let holding = self
            .places
            .iter()
            .filter(|p| {
                p.footprint
                    .geometry
                    .bounding_rect()
                    .is_some_and(|b| b.min().x <= c.x && c.x <= b.max().x && b.min().y <= c.y && c.y <= b.max().y)
                    && p.footprint.geometry.contains(&pt)
            })
            .min_by(|a, b| a.footprint.area_m2.total_cmp(&b.footprint.area_m2));
        let (p, note) = match holding {
            Some(p) => {
                let d = geodesy::distance_m(c, p.point());
                (
                    p,
                    format!(
                        "{:.4},{:.4} lies in the footprint of {}, {:.1} km from its centre",
                        c.x,
                        c.y,
                        p.name,
                        d / 1000.0
                    ),
                )
            }
            None => {
                let nearest = self
                    .places
                    .iter()
                    .map(|p| (geodesy::distance_m(c, p.point()), p))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                match nearest {
                    Some((d, p)) if d <= NEAREST_PLACE_M => (
                        p,
                        format!(
                            "{:.4},{:.4} is in no footprint; the nearest settlement is {}, {:.1} km away",
                            c.x,
                            c.y,
                            p.name,
                            d / 1000.0
                        ),
                    ),
                    _ => return Resolution::NotFound { suggestions: vec![] },
                }
            }
        };
        Resolution::Found { place: Match::of(p, format!("{},{}", c.x, c.y), MatchKind::Exact), note: Some(note) }
    }

    /// Candidates from index hits (place, name number, how), best match per place.
    pub(super) fn matches(&self, hits: impl Iterator<Item = (PlaceId, usize, MatchKind)>) -> Vec<Match> {
        let mut best: HashMap<PlaceId, (MatchKind, usize)> = HashMap::new();
        for (id, k, how) in hits {
            let e = best.entry(id).or_insert((how, k));
            if how < e.0 {
                *e = (how, k);
            }
        }
        let mut out: Vec<Match> = best
            .into_iter()
            .filter_map(|(id, (how, k))| {
                let p = self.places.get(id)?;
                let n = p.name_at(k)?;
                Some(Match::of(p, n.clone(), how))
            })
            .collect();
        out.sort_by(|a, b| {
            a.how
                .cmp(&b.how)
                .then(b.population.cmp(&a.population))
                .then(a.name.cmp(&b.name))
                .then(a.place.cmp(&b.place))
        });
        out
    }
}

/// A candidate this many times bigger than every other of the same name is
/// the one meant (a city of 710,000 against a village of 940).
pub const DOMINANCE: u64 = 10;

/// City above town above village; GeoNames-only places (no class) rank
/// with villages.
pub(super) fn class_rank(class: Option<&str>) -> u8 {
    match class {
        Some("city") => 3,
        Some("town") => 2,
        _ => 1,
    }
}

/// Coordinates more than this far from every settlement resolve to none.
pub const NEAREST_PLACE_M: f64 = 10_000.0;

/// The one hint every command and the API give for an ambiguous name.
pub const DISAMBIGUATION_HINT: &str = "pick one with NAME@OBLAST (e.g. Mykolaivka@Donetsk) or give LON,LAT";

/// [`DISAMBIGUATION_HINT`] with one of the candidates as the example.
pub fn disambiguation_hint(example: &Match) -> String {
    format!("pick one with NAME@OBLAST (e.g. {}@{}) or give LON,LAT", example.name, short_oblast(&example.oblast))
}

/// What a query resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "resolution")]
pub enum Resolution {
    /// One place; `note` says why when it was not the only candidate (it
    /// dwarfs the others) or when coordinates were given.
    Found {
        /// The place.
        place: Match,
        /// Why this one, for the reader.
        note: Option<String>,
    },
    /// Several places of comparable size: the caller lists them and stops.
    Ambiguous(Vec<Match>),
    /// Nothing by that name: the nearest spellings, if any.
    NotFound {
        /// Close names, fewest edits first.
        suggestions: Vec<Match>,
    },
}

/// `LON,LAT` in decimal degrees (also with a space after the comma), within
/// the ranges of longitude and latitude.
pub fn parse_coordinates(s: &str) -> Option<Coord<f64>> {
    let (a, b) = s.split_once(',')?;
    let x: f64 = a.trim().parse().ok()?;
    let y: f64 = b.trim().parse().ok()?;
    ((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)).then_some(Coord { x, y })
}

/// Whether an oblast (English name, ISO code) is the one a person typed
/// after `@`: its ISO code, or a prefix of its name folded like names are
/// ("Donetsk", "donetska", "Zaporizhia").
pub fn oblast_matches(oblast: &str, iso: Option<&str>, typed: &str) -> bool {
    if iso.is_some_and(|i| i.eq_ignore_ascii_case(typed.trim())) {
        return true;
    }
    let t = names::skeleton(typed.trim_end_matches(|c: char| !c.is_alphanumeric()));
    let t = t.strip_suffix("oblast").unwrap_or(&t).trim_end_matches('a').to_string();
    let o = names::skeleton(oblast);
    !t.is_empty() && (o.starts_with(&t) || names::skeleton(&oblast.replace("zhzh", "zh")).starts_with(&t))
}

/// "Donetsk Oblast" -> "Donetsk", for the NAME@OBLAST examples.
pub fn short_oblast(oblast: &str) -> &str {
    oblast.strip_suffix(" Oblast").unwrap_or(oblast)
}
