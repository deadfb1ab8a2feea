//! A long place-major column of values kept as runs: how a status table
//! stays small in memory and in the store.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A long place-major column of f32 kept as runs of bit-identical values.
/// The sweep copies a settlement's value from the previous snapshot unless
/// a changed edge comes near it, so a village far from the front keeps one
/// value for months: the 26,000 settlements × 769 daily snapshots (20 M
/// cells per column, 80 MB) are a few hundred thousand runs, which the
/// store decodes in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Runs {
    /// Number of cells.
    cells: usize,
    /// Index of the first cell of each run, ascending, starting at 0.
    starts: Vec<u32>,
    /// The value of each run.
    values: Vec<f32>,
}

impl Runs {
    /// From per-snapshot rows (`rows[snapshot][place]`), place-major.
    pub(super) fn from_rows(rows: &[Vec<f32>], places: usize) -> Result<Runs> {
        let snapshots = rows.len();
        if places.saturating_mul(snapshots) >= u32::MAX as usize {
            return Err(Error::Request(format!(
                "{places} settlements × {snapshots} snapshots is too many for one status table; narrow the period"
            )));
        }
        let mut runs = Runs { cells: places * snapshots, starts: vec![], values: vec![] };
        let mut last: Option<u32> = None;
        for p in 0..places {
            for (s, row) in rows.iter().enumerate() {
                let v = row.get(p).copied().unwrap_or(0.0);
                if last != Some(v.to_bits()) {
                    runs.starts.push((p * snapshots + s) as u32);
                    runs.values.push(v);
                    last = Some(v.to_bits());
                }
            }
        }
        Ok(runs)
    }

    /// The value at a cell; NaN past the end.
    pub(super) fn get(&self, i: usize) -> f32 {
        if i >= self.cells {
            return f32::NAN;
        }
        let k = self.starts.partition_point(|&s| s as usize <= i);
        k.checked_sub(1).and_then(|k| self.values.get(k)).copied().unwrap_or(f32::NAN)
    }

    /// The values of cells `start..start + len`, as [`Runs::get`] gives
    /// them one by one, in one binary search and a walk: a whole place's
    /// history costs its snapshots plus its runs, not a search per cell
    /// (`captured` reads every place's history).
    pub(super) fn row(&self, start: usize, len: usize) -> Vec<f32> {
        let mut k = self.starts.partition_point(|&s| s as usize <= start);
        (start..start.saturating_add(len))
            .map(|i| {
                if i >= self.cells {
                    return f32::NAN;
                }
                while self.starts.get(k).is_some_and(|&s| s as usize <= i) {
                    k += 1;
                }
                k.checked_sub(1).and_then(|k| self.values.get(k)).copied().unwrap_or(f32::NAN)
            })
            .collect()
    }

    /// Number of runs.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }
}
