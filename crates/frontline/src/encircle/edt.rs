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

/// Squared distances (cells²) for the middle `n x n` cells of the
/// `big_n x big_n` row-major `mask`, with `margin = (big_n - n) / 2`, capped
/// at `cap`. Row-major over the window.
pub(crate) fn squared_distance_capped(mask: &[bool], big_n: usize, n: usize, cap: u32) -> Vec<u32> {
    let margin = (big_n - n) / 2;
    let cap_f = f64::from(cap);
    // Pass 1: vertical distance to the nearest set cell in the same column,
    // for the window's rows only, squared (INFINITY when >= cap).
    let mut g2 = vec![f64::INFINITY; n * big_n];
    let mut last = vec![i64::MIN; big_n];
    for j in 0..big_n {
        let row = &mask[j * big_n..(j + 1) * big_n];
        for (i, &m) in row.iter().enumerate() {
            if m {
                last[i] = j as i64;
            }
        }
        if j >= margin && j < margin + n {
            let out = &mut g2[(j - margin) * big_n..(j - margin + 1) * big_n];
            for i in 0..big_n {
                if last[i] != i64::MIN {
                    let d = (j as i64 - last[i]) as f64;
                    let d2 = d * d;
                    if d2 < cap_f {
                        out[i] = d2;
                    }
                }
            }
        }
    }
    let mut next = vec![i64::MAX; big_n];
    for j in (0..big_n).rev() {
        let row = &mask[j * big_n..(j + 1) * big_n];
        for (i, &m) in row.iter().enumerate() {
            if m {
                next[i] = j as i64;
            }
        }
        if j >= margin && j < margin + n {
            let out = &mut g2[(j - margin) * big_n..(j - margin + 1) * big_n];
            for i in 0..big_n {
                if next[i] != i64::MAX {
                    let d = (next[i] - j as i64) as f64;
                    let d2 = d * d;
                    if d2 < out[i] {
                        out[i] = d2;
                    }
                }
            }
        }
    }
    // Pass 2: along each window row, the lower envelope of the parabolas
    // (x - q)² + g2[q] over the columns q with a finite g2.
    let mut out = vec![cap; n * n];
    let mut v: Vec<usize> = Vec::with_capacity(big_n);
    let mut z: Vec<f64> = Vec::with_capacity(big_n + 1);
    for r in 0..n {
        let f = &g2[r * big_n..(r + 1) * big_n];
        v.clear();
        z.clear();
        for (q, &fq) in f.iter().enumerate() {
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
        let set: Vec<(i64, i64)> = (0..big_n * big_n)
            .filter(|&k| mask[k])
            .map(|k| ((k % big_n) as i64, (k / big_n) as i64))
            .collect();
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
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
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
            assert_eq!(
                squared_distance_capped(&mask, big_n, n, cap),
                brute(&mask, big_n, n, cap),
                "N={big_n} n={n} density={density}"
            );
        }
    }
}
