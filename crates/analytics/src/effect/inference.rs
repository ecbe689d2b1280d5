//! The difference-in-differences of a matched sample and its cluster bootstrap.
//!
//! The estimate is split exactly into one total per department (see [`fit_matched`]), so a
//! bootstrap replication is a weighted sum over departments: 1,000 replications cost
//! microseconds whatever the number of people.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::matching::{DIMS, Matched, Obs};
use crate::stats::{Rng, mean_var, t_quantile};

/// A matched sample's difference-in-differences and its per-department parts.
#[derive(Debug, Clone, Default)]
pub(super) struct Fit {
    pub n: usize,
    /// Regression-adjusted difference-in-differences (the reported effect).
    pub effect: f64,
    /// Plain difference-in-differences of the matched means.
    pub did: f64,
    pub trained_before: f64,
    pub trained_after: f64,
    pub comparison_before: f64,
    pub comparison_after: f64,
    /// Total weight of each candidate (index into the candidate slice) over the
    /// matched trained units, divided by their number.
    pub weight: HashMap<usize, f64>,
    /// Per department (sorted by id): (Σ contributions, trained count). The effect
    /// is Σ contributions / Σ trained counts.
    pub parts: Vec<(i64, f64, f64)>,
    /// Departments of the matched trained units.
    pub trained_clusters: usize,
}

/// Difference-in-differences of the matched sample, adjusted for what matching left.
///
/// `μ(x)` predicts an untrained unit's change from its cell (anchor, stratum) and
/// covariates: the cell's mean change plus linear slopes fitted on the candidates
/// within cells, pooled per anchor. Matches are never exact (a caliper, a coarse
/// bin), and trained people tend to sit at the edge of the candidates' range, so
/// their comparison people are on average slightly less extreme; the adjustment
/// `−1/N Σ_i (μ(x_i) − Σ_j w_ij μ(x_j))` removes the change that this leftover
/// difference predicts (Abadie and Imbens' bias-corrected matching). Cell means
/// cancel in it, so it only depends on the slopes and the leftover differences.
///
/// The adjusted estimate splits exactly into one total per department:
///
/// ```text
/// effect = 1/N [ Σ_i (Δ_i − μ(x_i))  −  Σ_j N·W_j (Δ_j − μ(x_j)) ],  W_j = Σ_i w_ij / N
/// ```
///
/// The first sum is split by the trained unit's department, the second by the
/// control's own department, so a department shock shared by a trained person and
/// their same-department controls cancels, while controls from other departments
/// carry their department's shock into that department's total. Centring on `μ`
/// keeps regression to the mean (predictable change) out of the variance.
pub(super) fn fit_matched(
    trained: &[Obs],
    candidates: &[Obs],
    matched: &[Matched],
    dims: usize,
) -> Fit {
    let n = matched.len();
    if n == 0 {
        return Fit::default();
    }
    let nf = n as f64;
    let model = ChangeModel::fit(trained, candidates, matched, dims);

    let mut fit = Fit {
        n,
        ..Fit::default()
    };
    // Contributions: (department, person, amount, trained count).
    let mut contributions: Vec<(i64, i64, f64, f64)> = Vec::new();
    let mut trained_clusters = BTreeSet::new();
    let mut did_sum = 0.0;
    for m in matched {
        let t = &trained[m.trained];
        let mut control_change = 0.0;
        for &(j, w) in &m.controls {
            let c = &candidates[j];
            fit.comparison_before += w * c.before;
            fit.comparison_after += w * c.after;
            control_change += w * c.change();
            *fit.weight.entry(j).or_default() += w / nf;
        }
        fit.trained_before += t.before;
        fit.trained_after += t.after;
        did_sum += t.change() - control_change;
        contributions.push((t.cluster, t.person, t.change() - model.predict(t), 1.0));
        trained_clusters.insert(t.cluster);
    }
    // Sorted so that floating-point sums do not depend on hash order.
    let mut weights: Vec<(usize, f64)> = fit.weight.iter().map(|(&j, &w)| (j, w)).collect();
    weights.sort_by_key(|&(j, _)| j);
    for (j, w) in weights {
        let c = &candidates[j];
        contributions.push((
            c.cluster,
            c.person,
            -nf * w * (c.change() - model.predict(c)),
            0.0,
        ));
    }
    // With a single department there is nothing to resample; fall back to people as
    // clusters (ignoring department shocks, which TooFewClusters warns about).
    let departments: BTreeSet<i64> = contributions.iter().map(|c| c.0).collect();
    let by_person = departments.len() < 2;
    let mut parts: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for (department, person, amount, count) in contributions {
        let part = parts
            .entry(if by_person { person } else { department })
            .or_default();
        part.0 += amount;
        part.1 += count;
    }
    fit.trained_before /= nf;
    fit.trained_after /= nf;
    fit.comparison_before /= nf;
    fit.comparison_after /= nf;
    fit.did = did_sum / nf;
    fit.effect = parts.values().map(|p| p.0).sum::<f64>() / nf;
    fit.parts = parts.into_iter().map(|(d, (a, c))| (d, a, c)).collect();
    fit.trained_clusters = trained_clusters.len();
    fit
}

/// `μ(x)`, see [`fit_matched`]. Fitted on the candidates of the cells that hold a
/// matched trained unit.
struct ChangeModel {
    dims: usize,
    /// Per cell: mean change and mean covariates of the candidates.
    cells: HashMap<(i32, i64), (f64, [f64; DIMS])>,
    /// Per anchor: slopes on the covariates.
    slopes: HashMap<i32, [f64; DIMS]>,
}

impl ChangeModel {
    fn fit(trained: &[Obs], candidates: &[Obs], matched: &[Matched], dims: usize) -> Self {
        let used: HashSet<(i32, i64)> = matched.iter().map(|m| trained[m.trained].cell()).collect();
        let mut sums: HashMap<(i32, i64), (f64, f64, [f64; DIMS])> = HashMap::new();
        for c in candidates.iter().filter(|c| used.contains(&c.cell())) {
            let s = sums.entry(c.cell()).or_insert((0.0, 0.0, [0.0; DIMS]));
            s.0 += 1.0;
            s.1 += c.change();
            for k in 0..dims {
                s.2[k] += c.x[k];
            }
        }
        let cells: HashMap<(i32, i64), (f64, [f64; DIMS])> = sums
            .into_iter()
            .map(|(key, (n, y, x))| (key, (y / n, x.map(|v| v / n))))
            .collect();
        // Per anchor, within-cell cross products: X'X (row-major) and X'y.
        let mut cross: HashMap<i32, ([f64; DIMS * DIMS], [f64; DIMS])> = HashMap::new();
        for c in candidates {
            let Some((my, mx)) = cells.get(&c.cell()) else {
                continue;
            };
            let y = c.change() - my;
            let d: [f64; DIMS] =
                std::array::from_fn(|k| if k < dims { c.x[k] - mx[k] } else { 0.0 });
            let (xx, xy) = cross
                .entry(c.anchor)
                .or_insert(([0.0; DIMS * DIMS], [0.0; DIMS]));
            for a in 0..dims {
                xy[a] += d[a] * y;
                for b in 0..dims {
                    xx[a * DIMS + b] += d[a] * d[b];
                }
            }
        }
        let slopes = cross
            .into_iter()
            .map(|(anchor, (xx, xy))| (anchor, solve(xx, xy, dims)))
            .collect();
        ChangeModel {
            dims,
            cells,
            slopes,
        }
    }

    fn predict(&self, o: &Obs) -> f64 {
        match (self.cells.get(&o.cell()), self.slopes.get(&o.anchor)) {
            (Some((my, mx)), Some(b)) => {
                my + (0..self.dims).map(|k| b[k] * (o.x[k] - mx[k])).sum::<f64>()
            }
            // Not reached for matched units; a unit's own change makes it neutral.
            _ => o.change(),
        }
    }
}

/// Solves the `dims`×`dims` normal equations by Gaussian elimination with partial
/// pivoting; a covariate without spread of its own (a near-zero pivot) gets slope 0.
fn solve(mut a: [f64; DIMS * DIMS], mut b: [f64; DIMS], dims: usize) -> [f64; DIMS] {
    let scale = (0..dims).map(|k| a[k * DIMS + k].abs()).fold(0.0, f64::max);
    let mut x = [0.0; DIMS];
    if !(scale.is_finite() && scale > 0.0) {
        return x;
    }
    let mut usable = [false; DIMS];
    for col in 0..dims {
        let pivot = (col..dims)
            .max_by(|&i, &j| a[i * DIMS + col].abs().total_cmp(&a[j * DIMS + col].abs()))
            .unwrap_or(col);
        if a[pivot * DIMS + col].abs() <= 1e-10 * scale {
            continue;
        }
        for k in 0..DIMS {
            a.swap(col * DIMS + k, pivot * DIMS + k);
        }
        b.swap(col, pivot);
        usable[col] = true;
        for row in 0..dims {
            if row != col {
                let f = a[row * DIMS + col] / a[col * DIMS + col];
                for k in 0..dims {
                    a[row * DIMS + k] -= f * a[col * DIMS + k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for k in 0..dims {
        if usable[k] {
            x[k] = b[k] / a[k * DIMS + k];
        }
    }
    if x.iter().all(|v| v.is_finite()) {
        x
    } else {
        [0.0; DIMS]
    }
}

/// The bootstrap's verdict on one estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Interval {
    pub std_error: f64,
    pub low: f64,
    pub high: f64,
    /// Degrees of freedom of the t reference distribution.
    pub df: f64,
}

/// Cluster bootstrap: departments (those of the matched trained units and of their
/// controls; people when there is only one department) are drawn with replacement; a drawn department brings its trained
/// units with their matched controls' contributions and its own controls'
/// contributions. The matching itself is kept fixed.
///
/// The interval is `effect ± t(df) × SE`, where SE is the spread of the
/// replications times `√(G/(G−1))` (G departments drawn from, the usual
/// small-sample correction) and `df` is the effective number of trained
/// departments minus one, `(Σ n_d)² / Σ n_d² − 1` (n_d trained people in department
/// d): with trained people concentrated in a few departments, those few carry the
/// estimate and the interval must widen. In simulation (see the crate's tests) this
/// covered the true effect in 94–97% of runs where percentiles of the replications
/// covered 85–93% and a normal interval 89–94%.
pub(super) fn bootstrap(fit: &Fit, replications: usize, seed: u64, confidence: f64) -> Interval {
    let g = fit.parts.len();
    let point = Interval {
        std_error: 0.0,
        low: fit.effect,
        high: fit.effect,
        df: 1.0,
    };
    if fit.n == 0 || g < 2 || replications < 2 {
        return point;
    }
    let mut rng = Rng::new(seed);
    let mut draws = Vec::with_capacity(replications);
    let mut counts = vec![0u32; g];
    for _ in 0..replications {
        // A draw without any trained unit has no estimate; draw again (rare unless
        // almost all departments hold only controls).
        for _attempt in 0..100 {
            counts.iter_mut().for_each(|c| *c = 0);
            for _ in 0..g {
                counts[rng.below(g)] += 1;
            }
            let (mut num, mut den) = (0.0, 0.0);
            for (&m, &(_, a, n)) in counts.iter().zip(&fit.parts) {
                let m = f64::from(m);
                num += m * a;
                den += m * n;
            }
            if den > 0.0 {
                draws.push(num / den);
                break;
            }
        }
    }
    if draws.len() < 2 {
        return point;
    }
    let (_, var) = mean_var(&draws);
    let se = (var * g as f64 / (g as f64 - 1.0)).sqrt();
    let (sum, sum_sq) = fit
        .parts
        .iter()
        .fold((0.0, 0.0), |(s, s2), p| (s + p.2, s2 + p.2 * p.2));
    let df = (sum * sum / sum_sq - 1.0).max(1.0);
    let q = t_quantile(0.5 + confidence / 2.0, df);
    Interval {
        std_error: se,
        low: fit.effect - q * se,
        high: fit.effect + q * se,
        df,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_handles_regular_and_degenerate_systems() {
        // x'x = [[2,1],[1,3]], x'y = [3,5] → (0.8, 1.4); third covariate unused.
        let a = [2.0, 1.0, 0.0, 1.0, 3.0, 0.0, 0.0, 0.0, 0.0];
        let x = solve(a, [3.0, 5.0, 0.0], 2);
        assert!(
            (x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12,
            "{x:?}"
        );
        // A covariate without spread gets slope 0, the others are still fitted.
        let a = [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0];
        assert_eq!(solve(a, [2.0, 0.0, 8.0], 3), [1.0, 0.0, 2.0]);
        assert_eq!(solve([0.0; 9], [1.0, 1.0, 1.0], 3), [0.0; 3]);
    }
}
