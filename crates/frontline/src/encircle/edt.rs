//! Exact Euclidean distance transform (Felzenszwalb & Huttenlocher, "Distance
//! Transforms of Sampled Functions", 2012): squared distance, in cells², from
//! each cell to the nearest set cell of a mask, separably: a 1-D pass down the
//! columns, then the lower envelope of parabolas along each row.
//!
//! Only the middle `n x n` window of an `N x N` mask is wanted (the mask has a
//! margin so that hostile ground just outside the window still counts), and
//! only up to a cap (the rear clearance): a column whose vertical distance
//! alone reaches the cap cannot bring any value under it, so it is left out of
//! the envelope, and everything at or above the cap is reported as the cap.

/// Vertical distance (cells) from each window-row cell of every column of
/// the `big_n x big_n` mask to the nearest set cell in its column,
/// saturating at the returned limit (a column that far away cannot bring a
/// value under the cap). Row-major, `n` rows of `big_n`.
fn column_distances(mask: &[bool], big_n: usize, n: usize, cap: u32) -> (Vec<u16>, u16) {
    let margin = (big_n - n) / 2;
    let lim = f64::from(cap).sqrt().ceil().min(f64::from(u16::MAX - 1)) as u16;
    let mut g = vec![lim; n * big_n];
    let mut cur = vec![lim; big_n];
    for j in 0..big_n {
        let row = &mask[j * big_n..(j + 1) * big_n];
        for (c, &m) in cur.iter_mut().zip(row) {
            *c = if m { 0 } else { (*c + 1).min(lim) };
        }
        if j >= margin && j < margin + n {
            g[(j - margin) * big_n..(j - margin + 1) * big_n].copy_from_slice(&cur);
        }
    }
    cur.fill(lim);
    for j in (0..big_n).rev() {
        let row = &mask[j * big_n..(j + 1) * big_n];
        for (c, &m) in cur.iter_mut().zip(row) {
            *c = if m { 0 } else { (*c + 1).min(lim) };
        }
        if j >= margin && j < margin + n {
            let out = &mut g[(j - margin) * big_n..(j - margin + 1) * big_n];
            for (o, &c) in out.iter_mut().zip(&cur) {
                *o = (*o).min(c);
            }
        }
    }
    (g, lim)
}

/// The same squared distances as [`squared_distance_capped`], computed only
/// for the cells asked for (and remembered): the widest-path search usually
/// touches a few thousand of the window's quarter-million cells. Each value
/// is the exact minimum over the columns within reach of
/// `(x - q)² + g[q]²`, scanned outward from the cell's own column.
pub(crate) struct LazySquaredDistance {
    g: Vec<u16>,
    lim: u16,
    big_n: usize,
    n: usize,
    cap: u32,
    memo: Vec<u32>,
}

impl LazySquaredDistance {
    /// Prepares the column distances (one pass over the mask).
    pub(crate) fn new(mask: &[bool], big_n: usize, n: usize, cap: u32) -> Self {
        let (g, lim) = column_distances(mask, big_n, n, cap);
        LazySquaredDistance { g, lim, big_n, n, cap, memo: vec![u32::MAX; n * n] }
    }

    /// Squared distance (cells²) of window cell `k`, capped.
    pub(crate) fn get(&mut self, k: usize) -> u32 {
        if self.memo[k] != u32::MAX {
            return self.memo[k];
        }
        let margin = (self.big_n - self.n) / 2;
        let x = k % self.n + margin;
        let row = &self.g[(k / self.n) * self.big_n..(k / self.n + 1) * self.big_n];
        let cap = u64::from(self.cap);
        let mut best = cap;
        for dx in 0..=usize::from(self.lim) {
            let dx2 = (dx * dx) as u64;
            if dx2 >= best {
                break;
            }
            for q in [x.checked_sub(dx), Some(x + dx)].into_iter().flatten() {
                if let Some(&gq) = row.get(q) {
                    if gq < self.lim {
                        best = best.min(dx2 + u64::from(gq) * u64::from(gq));
                    }
                }
            }
        }
        let v = best.min(cap) as u32;
        self.memo[k] = v;
        v
    }
}

/// Squared distances (cells²) for the middle `n x n` cells of the
/// `big_n x big_n` row-major `mask`, with `margin = (big_n - n) / 2`, capped
/// at `cap`. Row-major over the window.
pub(crate) fn squared_distance_capped(mask: &[bool], big_n: usize, n: usize, cap: u32) -> Vec<u32> {
    let margin = (big_n - n) / 2;
    let cap_f = f64::from(cap);
    let (g, lim) = column_distances(mask, big_n, n, cap);
    // Pass 2: along each window row, the lower envelope of the parabolas
    // (x - q)² + g[q]² over the columns q with g[q] under the limit.
    let mut out = vec![cap; n * n];
    let mut v: Vec<usize> = Vec::with_capacity(big_n);
    let mut z: Vec<f64> = Vec::with_capacity(big_n + 1);
    let mut f: Vec<f64> = vec![f64::INFINITY; big_n];
    for r in 0..n {
        let gr = &g[r * big_n..(r + 1) * big_n];
        for (fq, &gq) in f.iter_mut().zip(gr) {
            let d = f64::from(gq);
            *fq = if gq < lim && d * d < cap_f { d * d } else { f64::INFINITY };
        }
        v.clear();
        z.clear();
        for q in 0..big_n {
            let fq = f[q];
            if !fq.is_finite() {
                continue;
            }
            // Inside a run of set cells a parabola is never the nearest for
            // a cell off the run (a neighbour in the run is nearer), and
            // cells on the run are 0 anyway: keep only the run's ends.
            if fq == 0.0 && q > 0 && q + 1 < big_n && f[q - 1] == 0.0 && f[q + 1] == 0.0 {
                continue;
            }
            let qf = q as f64;
            loop {
                let Some(&vk) = v.last() else {
                    v.push(q);
                    z.push(f64::NEG_INFINITY);
                    break;
                };
                let vf = vk as f64;
                let s = ((fq + qf * qf) - (f[vk] + vf * vf)) / (2.0 * (qf - vf));
                // z holds the left boundary of each kept parabola's interval.
                if s <= z[z.len() - 1] {
                    v.pop();
                    z.pop();
                } else {
                    v.push(q);
                    z.push(s);
                    break;
                }
            }
        }
        if v.is_empty() {
            continue;
        }
        let row_out = &mut out[r * n..(r + 1) * n];
        let mut k = 0;
        for (x, o) in row_out.iter_mut().enumerate() {
            if f[x + margin] == 0.0 {
                *o = 0;
                continue;
            }
            let xf = (x + margin) as f64;
            while k + 1 < v.len() && z[k + 1] < xf {
                k += 1;
            }
            let dx = xf - v[k] as f64;
            let d2 = dx * dx + f[v[k]];
            if d2 < cap_f {
                *o = d2 as u32;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the minimum over every set cell, capped.
    fn brute(mask: &[bool], big_n: usize, n: usize, cap: u32) -> Vec<u32> {
        let m = (big_n - n) / 2;
        let set: Vec<(i64, i64)> =
            (0..big_n * big_n).filter(|&k| mask[k]).map(|k| ((k % big_n) as i64, (k / big_n) as i64)).collect();
        let mut out = vec![cap; n * n];
        for j in 0..n {
            for i in 0..n {
                let (x, y) = ((i + m) as i64, (j + m) as i64);
                for &(a, b) in &set {
                    let d2 = ((x - a).pow(2) + (y - b).pow(2)) as u32;
                    out[j * n + i] = out[j * n + i].min(d2);
                }
            }
        }
        out
    }

    #[test]
    fn matches_brute_force_on_pseudo_random_masks() {
        // A fixed linear congruential sequence: different densities, margins, caps.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u32
        };
        for (big_n, n, density, cap) in [
            (31, 31, 50, 2000),
            (41, 21, 20, 100),
            (41, 21, 2, 400),
            (25, 5, 1, 50),
            (30, 10, 0, 50),
            (41, 21, 700, 500),
            (41, 31, 950, 300),
        ] {
            let mask: Vec<bool> = (0..big_n * big_n).map(|_| rnd() % 1000 < density).collect();
            let expected = brute(&mask, big_n, n, cap);
            assert_eq!(squared_distance_capped(&mask, big_n, n, cap), expected, "N={big_n} n={n} density={density}");
            let mut lazy = LazySquaredDistance::new(&mask, big_n, n, cap);
            let got: Vec<u32> = (0..n * n).rev().map(|k| lazy.get(k)).rev().collect();
            assert_eq!(got, expected, "lazy N={big_n} n={n} density={density}");
        }
    }
}
