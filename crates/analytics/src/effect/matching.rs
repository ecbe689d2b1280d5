//! Choosing comparison units for each trained unit, within its anchor and stratum.

use std::collections::HashMap;

use super::Matching;
use crate::stats::quantile_sorted;

pub(super) const DIMS: usize = 3;

/// A candidate in a cell's sorted index: standardised level, all standardised
/// covariates, candidate index.
type Key = (f64, [f64; DIMS], usize);

/// One unit reduced to what matching and difference-in-differences need.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obs {
    pub person: i64,
    pub cluster: i64,
    pub stratum: i64,
    pub anchor: i32,
    /// Matching covariates; only the first `dims` given to [`match_units`] count.
    pub x: [f64; DIMS],
    /// Mean over the "before" and "after" periods of this comparison.
    pub before: f64,
    pub after: f64,
}

impl Obs {
    pub fn change(&self) -> f64 {
        self.after - self.before
    }

    pub fn cell(&self) -> (i32, i64) {
        (self.anchor, self.stratum)
    }
}

/// A trained unit (index into the trained slice) with its comparison units (indices
/// into the candidate slice) and weights summing to 1.
#[derive(Debug, Clone)]
pub(super) struct Matched {
    pub trained: usize,
    pub controls: Vec<(usize, f64)>,
}

/// Matches every trained unit it can; unmatched ones are left out of the result.
pub(super) fn match_units(
    trained: &[Obs],
    candidates: &[Obs],
    matching: Matching,
    dims: usize,
) -> Vec<Matched> {
    let mut cells: HashMap<(i32, i64), Vec<usize>> = HashMap::new();
    for (j, c) in candidates.iter().enumerate() {
        cells.entry(c.cell()).or_default().push(j);
    }
    match matching {
        Matching::NearestNeighbour {
            neighbours,
            caliper,
        } => nearest_neighbour(
            trained,
            candidates,
            &cells,
            neighbours.max(1),
            caliper,
            dims,
        ),
        Matching::CoarsenedExact { bins } => {
            coarsened_exact(trained, candidates, &cells, bins.max(1), dims)
        }
    }
}

/// Pooled within-cell standard deviation of each covariate among the candidates:
/// matching happens within cells, so differences between positions or anchors
/// should not widen the yardstick. Falls back to 1 when there is no spread.
fn pooled_sd(candidates: &[Obs], cells: &HashMap<(i32, i64), Vec<usize>>) -> [f64; DIMS] {
    let mut ss = [0.0; DIMS];
    let mut df = 0usize;
    for members in cells.values() {
        if members.len() < 2 {
            continue;
        }
        let n = members.len() as f64;
        for (k, s) in ss.iter_mut().enumerate() {
            let mean = members.iter().map(|&j| candidates[j].x[k]).sum::<f64>() / n;
            *s += members
                .iter()
                .map(|&j| (candidates[j].x[k] - mean).powi(2))
                .sum::<f64>();
        }
        df += members.len() - 1;
    }
    ss.map(|s| {
        let sd = if df > 0 { (s / df as f64).sqrt() } else { 0.0 };
        if sd.is_finite() && sd > 1e-12 {
            sd
        } else {
            1.0
        }
    })
}

/// Up to `k` nearest candidates by Euclidean distance in SD units, within the
/// caliper (none when it is not a positive number), with replacement. Each cell's
/// candidates are sorted by standardised level; a query scans outwards from its
/// level in both directions and stops once the level gap alone exceeds the current
/// k-th best distance, so a query touches only a thin slice of the cell.
fn nearest_neighbour(
    trained: &[Obs],
    candidates: &[Obs],
    cells: &HashMap<(i32, i64), Vec<usize>>,
    k: usize,
    caliper: f64,
    dims: usize,
) -> Vec<Matched> {
    let sd = pooled_sd(candidates, cells);
    // Unused covariates are zeroed so they add nothing to distances.
    let z = |o: &Obs| -> [f64; DIMS] {
        std::array::from_fn(|k| if k < dims { o.x[k] / sd[k] } else { 0.0 })
    };
    let limit = if caliper.is_finite() && caliper > 0.0 {
        caliper * caliper
    } else {
        f64::INFINITY
    };
    let sorted: HashMap<(i32, i64), Vec<Key>> = cells
        .iter()
        .map(|(key, members)| {
            let mut keys: Vec<Key> = members
                .iter()
                .map(|&j| {
                    let zj = z(&candidates[j]);
                    (zj[0], zj, j)
                })
                .collect();
            keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
            (*key, keys)
        })
        .collect();

    let mut out = Vec::new();
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
    for (i, t) in trained.iter().enumerate() {
        let Some(keys) = sorted.get(&t.cell()) else {
            continue;
        };
        let zi = z(t);
        let zl = zi[0];
        let rest = |zj: &[f64; DIMS]| (1..DIMS).map(|k| (zi[k] - zj[k]).powi(2)).sum::<f64>();
        best.clear();
        let bound = |best: &Vec<(f64, usize)>| {
            if best.len() == k {
                best[k - 1].0.min(limit)
            } else {
                limit
            }
        };
        let consider = |best: &mut Vec<(f64, usize)>, d2: f64, j: usize| {
            if d2 > limit {
                return;
            }
            // Ordered by (distance, candidate index): ties resolve the same way
            // whichever direction found them first.
            let pos = best.partition_point(|&(bd, bj)| bd < d2 || (bd == d2 && bj < j));
            if pos < k {
                best.insert(pos, (d2, j));
                best.truncate(k);
            }
        };
        let start = keys.partition_point(|key| key.0 < zl);
        for key in keys[..start].iter().rev() {
            let dl = zl - key.0;
            if dl * dl > bound(&best) {
                break;
            }
            consider(&mut best, dl * dl + rest(&key.1), key.2);
        }
        for key in &keys[start..] {
            let dl = key.0 - zl;
            if dl * dl > bound(&best) {
                break;
            }
            consider(&mut best, dl * dl + rest(&key.1), key.2);
        }
        if !best.is_empty() {
            let w = 1.0 / best.len() as f64;
            let mut controls: Vec<(usize, f64)> = best.iter().map(|&(_, j)| (j, w)).collect();
            controls.sort_by_key(|&(j, _)| j);
            out.push(Matched {
                trained: i,
                controls,
            });
        }
    }
    out
}

/// Exact on cell and on the quantile bin of each covariate; bins are cut at the
/// candidates' quantiles within the cell. A trained unit is compared with every
/// candidate of its bin, equally weighted.
fn coarsened_exact(
    trained: &[Obs],
    candidates: &[Obs],
    cells: &HashMap<(i32, i64), Vec<usize>>,
    bins: usize,
    dims: usize,
) -> Vec<Matched> {
    type Binned = (Vec<Vec<f64>>, HashMap<[usize; DIMS], Vec<usize>>);
    let bins_of = |cuts: &[Vec<f64>], o: &Obs| -> [usize; DIMS] {
        std::array::from_fn(|k| {
            cuts.get(k)
                .map_or(0, |c| c.partition_point(|&c| c <= o.x[k]))
        })
    };
    let binned: HashMap<(i32, i64), Binned> = cells
        .iter()
        .map(|(key, members)| {
            let cuts: Vec<Vec<f64>> = (0..dims)
                .map(|k| {
                    let mut v: Vec<f64> = members.iter().map(|&j| candidates[j].x[k]).collect();
                    v.sort_by(f64::total_cmp);
                    let mut cuts: Vec<f64> = (1..bins)
                        .map(|b| quantile_sorted(&v, b as f64 / bins as f64))
                        .collect();
                    cuts.dedup();
                    cuts
                })
                .collect();
            let mut groups: HashMap<[usize; DIMS], Vec<usize>> = HashMap::new();
            for &j in members {
                groups
                    .entry(bins_of(&cuts, &candidates[j]))
                    .or_default()
                    .push(j);
            }
            (*key, (cuts, groups))
        })
        .collect();

    let mut out = Vec::new();
    for (i, t) in trained.iter().enumerate() {
        let Some((cuts, groups)) = binned.get(&t.cell()) else {
            continue;
        };
        if let Some(members) = groups.get(&bins_of(cuts, t)) {
            let w = 1.0 / members.len() as f64;
            let mut controls: Vec<(usize, f64)> = members.iter().map(|&j| (j, w)).collect();
            controls.sort_by_key(|&(j, _)| j);
            out.push(Matched {
                trained: i,
                controls,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(person: i64, anchor: i32, stratum: i64, level: f64, trend: f64) -> Obs {
        Obs {
            person,
            cluster: 1,
            stratum,
            anchor,
            x: [level, trend, 0.0],
            before: 0.0,
            after: 0.0,
        }
    }

    /// The scan must agree with brute force, including at the caliper and on ties.
    #[test]
    fn nearest_neighbour_agrees_with_brute_force() {
        let mut rng = crate::stats::Rng::new(3);
        let mut u = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let candidates: Vec<Obs> = (0..400)
            .map(|p| obs(p, (p % 2) as i32, 0, (u() * 20.0).round() / 4.0, u() * 3.0))
            .collect();
        let trained: Vec<Obs> = (0..60)
            .map(|p| obs(1000 + p, (p % 2) as i32, 0, u() * 5.0, u() * 3.0))
            .collect();
        for caliper in [0.05, 0.3, f64::INFINITY] {
            let got = match_units(
                &trained,
                &candidates,
                Matching::NearestNeighbour {
                    neighbours: 3,
                    caliper,
                },
                2,
            );
            let cells: HashMap<(i32, i64), Vec<usize>> =
                candidates
                    .iter()
                    .enumerate()
                    .fold(HashMap::new(), |mut m, (j, c)| {
                        m.entry(c.cell()).or_default().push(j);
                        m
                    });
            let sd = pooled_sd(&candidates, &cells);
            let mut matched = 0;
            for (i, t) in trained.iter().enumerate() {
                let mut all: Vec<(f64, usize)> = candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.anchor == t.anchor)
                    .map(|(j, c)| {
                        let d2 = ((t.x[0] - c.x[0]) / sd[0]).powi(2)
                            + ((t.x[1] - c.x[1]) / sd[1]).powi(2);
                        (d2, j)
                    })
                    .filter(|&(d2, _)| d2 <= caliper * caliper)
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut want: Vec<usize> = all.iter().take(3).map(|&(_, j)| j).collect();
                want.sort();
                let found = got.iter().find(|m| m.trained == i);
                match found {
                    Some(m) => {
                        matched += 1;
                        assert_eq!(m.controls.iter().map(|&(j, _)| j).collect::<Vec<_>>(), want);
                        let total: f64 = m.controls.iter().map(|&(_, w)| w).sum();
                        assert!((total - 1.0).abs() < 1e-12);
                    }
                    None => assert!(want.is_empty(), "trained {i} should have matched {want:?}"),
                }
            }
            if caliper.is_infinite() {
                assert_eq!(matched, trained.len());
            }
        }
    }

    #[test]
    fn matching_stays_within_anchor_and_stratum() {
        let candidates = vec![
            obs(1, 10, 1, 5.0, 0.0),
            obs(2, 11, 1, 5.0, 0.0),
            obs(3, 10, 2, 5.0, 0.0),
            obs(4, 10, 1, 9.0, 1.0),
        ];
        let trained = vec![obs(100, 10, 1, 5.0, 0.0), obs(101, 12, 1, 5.0, 0.0)];
        let m = match_units(
            &trained,
            &candidates,
            Matching::NearestNeighbour {
                neighbours: 5,
                caliper: f64::INFINITY,
            },
            2,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].trained, 0);
        assert_eq!(
            m[0].controls.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![0, 3]
        );
        let m = match_units(
            &trained,
            &candidates,
            Matching::CoarsenedExact { bins: 2 },
            2,
        );
        assert_eq!(m.len(), 1);
        // Cuts at the median of {5, 9}: 7; the trained level 5 shares a bin with candidate 0 only.
        assert_eq!(m[0].controls, vec![(0, 1.0)]);
    }
}
