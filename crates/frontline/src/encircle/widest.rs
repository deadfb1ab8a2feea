//! The widest (maximin, bottleneck) path over a raster: from any seed cell to
//! any rear cell through passable cells, maximising the smallest value met.
//!
//! A Dijkstra-like search that always expands the cell with the largest
//! bottleneck so far, and among equal bottlenecks the cell with the largest
//! value of its own, so that past the neck it climbs straight toward the
//! rear instead of flooding everything at the neck's level. The search ends
//! when a rear cell is first reached: every cell still queued has a
//! bottleneck no larger than the cell being expanded, so no later path can be
//! wider.

use std::collections::BinaryHeap;

/// The result of a successful search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WidestPath {
    /// The path's smallest value (cells²).
    pub bottleneck: u32,
    /// Cell indices from a seed to the rear cell reached.
    pub cells: Vec<usize>,
}

/// Searches 4-connected paths on an `n x n` row-major raster.
///
/// `value(k)` is the cell's value (0 for impassable cells, which are never
/// entered; asked for lazily, so a caller can compute values on demand), and
/// `rear(k, v)` whether the cell with that value ends a path. Values above
/// `cap` are treated as `cap`.
pub(crate) fn widest_path(
    n: usize,
    mut value: impl FnMut(usize) -> u32,
    rear: impl Fn(usize, u32) -> bool,
    seeds: &[usize],
    cap: u32,
) -> Option<WidestPath> {
    let mut best = vec![0u32; n * n];
    let mut parent = vec![u32::MAX; n * n];
    let mut heap: BinaryHeap<(u32, u32, u32)> = BinaryHeap::new();
    let path_to = |parent: &[u32], k: usize, bottleneck: u32| {
        let mut cells = vec![k];
        let mut c = k;
        while parent[c] != u32::MAX {
            c = parent[c] as usize;
            cells.push(c);
        }
        cells.reverse();
        WidestPath { bottleneck, cells }
    };
    let mut top_seed: Option<(u32, usize)> = None;
    for &s in seeds {
        let v = value(s).min(cap);
        if v > best[s] {
            best[s] = v;
            heap.push((v, v, s as u32));
            if rear(s, v) && top_seed.is_none_or(|t| v > t.0) {
                top_seed = Some((v, s));
            }
        }
    }
    // A seed in the rear is its own path, and no path does better than it.
    if let Some((v, s)) = top_seed {
        if v >= heap.peek().map_or(0, |t| t.0) {
            return Some(path_to(&parent, s, v));
        }
    }
    while let Some((key, _, k)) = heap.pop() {
        let k = k as usize;
        if best[k] != key || key == 0 {
            continue; // a stale entry: the cell was reached later with a better key
        }
        if rear(k, value(k)) {
            return Some(path_to(&parent, k, key));
        }
        let (i, j) = (k % n, k / n);
        let mut neighbours = [usize::MAX; 4];
        if i > 0 {
            neighbours[0] = k - 1;
        }
        if i + 1 < n {
            neighbours[1] = k + 1;
        }
        if j > 0 {
            neighbours[2] = k - n;
        }
        if j + 1 < n {
            neighbours[3] = k + n;
        }
        for nb in neighbours {
            if nb == usize::MAX {
                continue;
            }
            let own = value(nb).min(cap);
            let nk = own.min(key);
            if nk > best[nb] {
                best[nb] = nk;
                parent[nb] = k as u32;
                if nk == key && rear(nb, own) {
                    // Its bottleneck equals the key being expanded, the
                    // largest left: this path is a widest one.
                    return Some(path_to(&parent, nb, nk));
                }
                heap.push((nk, own, nb as u32));
            }
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn takes_the_wider_of_two_routes() {
        // 5 x 5; seed at the left middle, rear at the right middle. A direct
        // route along the middle row has a value-2 cell; the detour over the
        // top row is all 5 except a 3: the answer is 3 by the top.
        #[rustfmt::skip]
        let value: Vec<u32> = vec![
            5, 5, 3, 5, 5,
            5, 0, 0, 0, 5,
            9, 9, 2, 9, 9,
            0, 0, 0, 0, 0,
            9, 9, 9, 9, 9,
        ];
        let mut rear = [false; 25];
        rear[14] = true;
        // A seed that is itself in the rear is the whole path.
        let p = widest_path(5, |k| value[k], |k, _| rear[k], &[14, 10], 9).unwrap();
        assert_eq!((p.bottleneck, p.cells), (9, vec![14]));
        let p = widest_path(5, |k| value[k], |k, _| rear[k], &[10], 9).unwrap();
        assert_eq!(p.bottleneck, 3);
        assert_eq!(p.cells.first(), Some(&10));
        assert_eq!(p.cells.last(), Some(&14));
        assert!(p.cells.contains(&2));
        // Cut the top row: only the middle route is left.
        let mut v2 = value.clone();
        v2[2] = 0;
        assert_eq!(widest_path(5, |k| v2[k], |k, _| rear[k], &[10], 9).unwrap().bottleneck, 2);
        // Cut the middle too: no route (the bottom row is walled off).
        v2[12] = 0;
        assert_eq!(widest_path(5, |k| v2[k], |k, _| rear[k], &[10], 9), None);
    }
}
