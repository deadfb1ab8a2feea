//! The widest (maximin, bottleneck) path over a raster: from any seed cell to
//! any rear cell through passable cells, maximising the smallest value met.
//!
//! A Dijkstra-like search that always expands the cell with the largest
//! bottleneck so far; values are small integers (squared clearance in cells²,
//! capped at the rear threshold), so the priority queue is an array of
//! buckets and the search is linear in the cells it touches. The first rear
//! cell taken off the queue ends it: its bottleneck is the best possible,
//! because every cell still queued has a bottleneck no larger.

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
/// `value[k]` is the cell's value (0 for impassable cells, which are never
/// entered), `rear[k]` whether the cell ends a path. Values above `cap` are
/// treated as `cap`.
pub(crate) fn widest_path(
    n: usize,
    value: &[u32],
    rear: &[bool],
    seeds: &[usize],
    cap: u32,
) -> Option<WidestPath> {
    let mut best = vec![0u32; n * n];
    let mut parent = vec![u32::MAX; n * n];
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); cap as usize + 1];
    let mut top = 0usize;
    for &s in seeds {
        let v = value[s].min(cap);
        if v > best[s] {
            best[s] = v;
            buckets[v as usize].push(s as u32);
            top = top.max(v as usize);
        }
    }
    while top > 0 {
        let Some(k) = buckets[top].pop() else {
            top -= 1;
            continue;
        };
        let k = k as usize;
        let key = top as u32;
        if best[k] != key {
            continue; // a stale entry: the cell was reached later with a better key
        }
        if rear[k] {
            let mut cells = vec![k];
            let mut c = k;
            while parent[c] != u32::MAX {
                c = parent[c] as usize;
                cells.push(c);
            }
            cells.reverse();
            return Some(WidestPath {
                bottleneck: key,
                cells,
            });
        }
        let (i, j) = (k % n, k / n);
        let mut visit = |nb: usize| {
            let nk = value[nb].min(key);
            if nk > best[nb] {
                best[nb] = nk;
                parent[nb] = k as u32;
                buckets[nk as usize].push(nb as u32);
            }
        };
        if i > 0 {
            visit(k - 1);
        }
        if i + 1 < n {
            visit(k + 1);
        }
        if j > 0 {
            visit(k - n);
        }
        if j + 1 < n {
            visit(k + n);
        }
    }
    None
}

#[cfg(test)]
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
        let mut rear = vec![false; 25];
        rear[14] = true;
        let p = widest_path(5, &value, &rear, &[10], 9).unwrap();
        assert_eq!(p.bottleneck, 3);
        assert_eq!(p.cells.first(), Some(&10));
        assert_eq!(p.cells.last(), Some(&14));
        assert!(p.cells.contains(&2));
        // Cut the top row: only the middle route is left.
        let mut v2 = value.clone();
        v2[2] = 0;
        assert_eq!(widest_path(5, &v2, &rear, &[10], 9).unwrap().bottleneck, 2);
        // Cut the middle too: no route (the bottom row is walled off).
        v2[12] = 0;
        assert_eq!(widest_path(5, &v2, &rear, &[10], 9), None);
    }
}
