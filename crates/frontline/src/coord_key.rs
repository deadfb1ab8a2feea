//! Keys made of coordinates' bit patterns (a point, an edge), and the hash
//! maps and sets they index. Snapshots share most of their vertices bit for
//! bit, so comparing two layers' edges, caching an edge's geodesic terms or
//! numbering a ring's points all come down to these keys.
//!
//! The hasher is foldhash's fast variant with a fixed seed: the keys come
//! from map files, not from an adversary, so SipHash's protection would
//! only cost time (it was a tenth of the settlement sweep's), and a fixed
//! seed keeps iteration order, and so the last bits of sums taken over a
//! map, the same from one run to the next.

use geo::Coord;
use std::collections::{HashMap, HashSet};

/// The one hasher for coordinate keys.
pub(crate) type CoordHashState = foldhash::fast::FixedState;

/// A HashMap keyed by coordinate bit patterns.
pub(crate) type CoordMap<K, V> = HashMap<K, V, CoordHashState>;

/// A HashSet of coordinate bit patterns.
pub(crate) type CoordSet<K> = HashSet<K, CoordHashState>;

/// A directed edge as the bits of its two ends: equal exactly when both
/// ends are the same floating-point values.
pub(crate) type EdgeKey = [u64; 4];

/// The key of the edge from `a` to `b`.
pub(crate) fn edge_key(a: Coord<f64>, b: Coord<f64>) -> EdgeKey {
    [a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits()]
}

/// The edge a key was made from.
pub(crate) fn edge_of(k: &EdgeKey) -> (Coord<f64>, Coord<f64>) {
    (
        Coord { x: f64::from_bits(k[0]), y: f64::from_bits(k[1]) },
        Coord { x: f64::from_bits(k[2]), y: f64::from_bits(k[3]) },
    )
}

/// The key of a point.
pub(crate) fn point_key(c: Coord<f64>) -> [u64; 2] {
    [c.x.to_bits(), c.y.to_bits()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn an_edge_key_round_trips_and_tells_direction_and_signed_zero_apart() {
        let (a, b) = (Coord { x: 37.5, y: 48.25 }, Coord { x: -0.0, y: 47.0 });
        assert_eq!(edge_of(&edge_key(a, b)), (a, b));
        assert_ne!(edge_key(a, b), edge_key(b, a));
        // -0.0 == 0.0 as numbers, but the keys are bit patterns.
        assert_ne!(point_key(Coord { x: 0.0, y: 1.0 }), point_key(Coord { x: -0.0, y: 1.0 }));
    }

    #[test]
    fn the_hash_is_the_same_in_every_map() {
        // A fixed seed: two maps (and two runs) hash a key alike, which is
        // what keeps iteration order, and sums over it, reproducible.
        let k = edge_key(Coord { x: 30.1, y: 50.2 }, Coord { x: 30.2, y: 50.3 });
        assert_eq!(CoordHashState::default().hash_one(k), CoordHashState::default().hash_one(k));
    }
}
