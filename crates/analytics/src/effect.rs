//! The effect of a program on a KPI: matched difference-in-differences.
//!
//! Months are counted as `year * 12 + (month - 1)`. A person's window is relative to
//! an anchor month (their completion month, `t = 0`, left out as partly treated): the
//! pre-period is `t = -pre_months ..= -1`, of which the last `placebo_months` form
//! `pre_late` and the rest `pre_early`; the post-period is `t = 1 ..= post_months`.
//!
//! # The method, in plain words
//!
//! 1. **Who counts.** A trained person needs at least two pre-period months and one
//!    post-period month with a KPI value; otherwise they are left out
//!    ([`Warning::MissingData`] when more than 20% are). Same rule for candidates.
//! 2. **Comparison group.** Each trained person is compared with untrained people
//!    seen at the same anchor month (so seasonality and company-wide events hit both
//!    alike) in the same stratum (position or department) whose KPI looked the same
//!    before training: the *level* (mean) and *trend* (least-squares slope) of
//!    `pre_early`, and the level of `pre_late`. Why not simply the whole pre-period's
//!    level and trend: people are picked by what their manager saw at nomination,
//!    which for a program that runs for a few months is `pre_early`, and for a short
//!    course the whole pre-period. Matching on the whole pre-period only left a bias
//!    of more than one standard error in simulation when people were picked on
//!    `pre_early`; these three cover both cases (the whole pre-period's level and
//!    trend are, nearly, functions of them). Without a split (`placebo_months` 0 or
//!    ≥ `pre_months`) matching uses the whole pre-period's level and trend.
//!    Distances are in standard deviations of the candidates, pooled within anchor
//!    and stratum. Nearest neighbour takes the `neighbours` closest within `caliper`
//!    SDs, with replacement; coarsened exact matching takes everyone in the same
//!    quantile bin (cut at the candidates' quantiles within anchor and stratum) of
//!    every covariate. A trained person without a comparison is left out
//!    ([`Warning::Unmatched`] above 10%). Matching on the pre-period is what removes
//!    regression to the mean: people picked for a bad spell rebound whether trained
//!    or not, and so do their look-alikes.
//! 3. **Estimate.** For every trained person, change = post-period mean − pre-period
//!    mean; the same for each comparison person. The difference-in-differences is the
//!    mean over trained people of (own change − weighted mean change of their
//!    comparison people). Matches are never exact, and trained people (often the
//!    weakest) sit at the edge of the candidates, so their look-alikes are on average
//!    a little less extreme; the estimate adds a regression adjustment for that
//!    leftover difference ([`Estimate::adjustment`]: the change a linear fit on the
//!    candidates predicts from it; Abadie and Imbens' bias-corrected matching). It is
//!    small when matches are close and makes the estimate insensitive to the caliper
//!    and bin choice. The effect is in KPI units per person-month and signed as the
//!    KPI moves (a defect rate going down is a negative effect).
//! 4. **Uncertainty.** People in one department share shocks (a new line manager, a
//!    machine breakdown), so they are not independent. The estimate is split exactly
//!    into one total per department: trained people count in their department, and
//!    each comparison person's deviation from what is expected of someone like them
//!    counts in *their own* department. Comparison people share their department's
//!    shocks too, so their departments are resampled as well; when a trained person
//!    and their comparison people sit in the same department the shock cancels, in
//!    the estimate and in the resampling. Departments are drawn with replacement
//!    `replications` times (seeded: the same seed gives the same interval); the
//!    matches are kept. The standard error is the spread of the replications (with
//!    the usual G/(G−1) correction), and the interval is estimate ± t × SE with the
//!    effective number of trained departments minus one degrees of freedom, so that
//!    trained people concentrated in a few departments widen it. In simulation this
//!    covered the planted effect in 94–97% of runs; percentiles of the replications
//!    only covered 85–93% (too narrow with 8–24 departments). With a single
//!    department, people are resampled instead ([`Warning::TooFewClusters`]).
//! 5. **Naive comparisons**, shown to explain why they mislead: the trained group's
//!    own before/after change (fooled by regression to the mean and seasonality) and
//!    trained vs all untrained after training (fooled by who gets picked). Both use
//!    everyone with data, unmatched.
//! 6. **Placebo (pre-trend) test.** The same procedure one step earlier, as if the
//!    program had ended at the start of `pre_late`: match on `pre_early` level and
//!    trend only and estimate the "effect" on `pre_late`. Training cannot have caused
//!    it, so a clear non-zero value (p < 0.05, t test with the bootstrap SE) means
//!    trained and comparison people were already drifting apart: an early effect,
//!    other changes that came with the program, or people picked on a dip in
//!    `pre_late` itself (then the main estimate, which matches on `pre_late` too,
//!    can still be sound, but the data cannot show it).
//! 7. **Balance.** Standardised mean differences (difference of means over the root
//!    mean of the two groups' variances before matching) of each covariate, trained
//!    vs all candidates and trained vs the weighted comparison group.
//! 8. **Warnings** (see [`Warning`] and [`thresholds`]): fewer than 30 trained people,
//!    fewer than 5 departments, a pre- or post-period under 3 months, missing data,
//!    unmatched people, |SMD| above 0.25 after matching, placebo p < 0.05, and a
//!    naive estimate further from the estimate than the interval is wide.
//!
//! **Which untrained people to pass.** Candidates should be everyone not trained by
//! the end of the post-period at that anchor, including people trained later.
//! Passing only people never trained removes from the pool exactly those whose KPI
//! later dipped (they were picked for a later cohort), which biased the estimate by
//! about half a standard error (−0.11 on a planted 2.0) in simulation.

mod inference;
mod matching;

use std::collections::{BTreeMap, BTreeSet};

use inference::{bootstrap, fit_matched};
use matching::{Obs, match_units};

use crate::stats::{mean_var, t_two_sided_p};

/// Sums over the monthly values of one part of a window; `t` is the month relative
/// to the anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Segment {
    /// Months with a value.
    pub n: u32,
    pub sum_y: f64,
    pub sum_t: f64,
    pub sum_tt: f64,
    pub sum_ty: f64,
}

impl Segment {
    /// Both segments' months together.
    pub fn combined(&self, other: &Segment) -> Segment {
        Segment {
            n: self.n + other.n,
            sum_y: self.sum_y + other.sum_y,
            sum_t: self.sum_t + other.sum_t,
            sum_tt: self.sum_tt + other.sum_tt,
            sum_ty: self.sum_ty + other.sum_ty,
        }
    }

    /// Mean value; `None` without months.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum_y / f64::from(self.n))
    }

    /// Least-squares slope of value on month; `None` with fewer than two distinct
    /// months.
    pub fn slope(&self) -> Option<f64> {
        let n = f64::from(self.n);
        let denom = n * self.sum_tt - self.sum_t * self.sum_t;
        (self.n >= 2 && denom > 1e-9 * (n * self.sum_tt).max(1.0))
            .then(|| (n * self.sum_ty - self.sum_t * self.sum_y) / denom)
    }

    fn is_finite(&self) -> bool {
        [self.sum_y, self.sum_t, self.sum_tt, self.sum_ty]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// One person's KPI window around an anchor month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    pub pre_early: Segment,
    pub pre_late: Segment,
    pub post: Segment,
}

/// A person seen at an anchor month.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Employee id.
    pub person: i64,
    /// Department id: people of one department move together (shocks), so the
    /// bootstrap resamples departments.
    pub cluster: i64,
    /// What matching must hold equal: the position id (or department id, see
    /// [`Options::stratify_by`], which the store applies when it fills this).
    pub stratum: i64,
    /// Anchor month (`year * 12 + month - 1`).
    pub anchor: i32,
    pub window: Window,
}

/// What the store put in [`Unit::stratum`]; reported back to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stratum {
    #[default]
    Position,
    Department,
}

/// How comparison people are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Matching {
    /// Up to `neighbours` (at least 1) nearest untrained people in the same stratum
    /// and anchor, by standardised distance on the pre-period covariates (see the
    /// module documentation), within `caliper` standard deviations (no caliper when
    /// it is not a positive number); with replacement.
    NearestNeighbour { neighbours: usize, caliper: f64 },
    /// Same stratum and anchor, and the same bin of each pre-period covariate
    /// (`bins` quantile bins each, at least 1); each trained person is compared with
    /// everyone in their cell, equally weighted (so controls are weighted to the
    /// trained count per cell).
    CoarsenedExact { bins: usize },
}

/// Estimation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub pre_months: u32,
    pub post_months: u32,
    pub placebo_months: u32,
    pub stratify_by: Stratum,
    pub matching: Matching,
    /// Cluster-bootstrap replications.
    pub replications: usize,
    pub seed: u64,
    /// e.g. 0.95.
    pub confidence: f64,
}

impl Default for Options {
    /// 12 months before (the last 3 for the placebo), 6 after, by position, 5 nearest
    /// neighbours within 1 SD, 1,000 replications, 95%. The wide caliper keeps the
    /// weakest performers (whom programs target) in the estimate; the regression
    /// adjustment takes care of the looser matches.
    fn default() -> Self {
        Options {
            pre_months: 12,
            post_months: 6,
            placebo_months: 3,
            stratify_by: Stratum::Position,
            matching: Matching::NearestNeighbour {
                neighbours: 5,
                caliper: 1.0,
            },
            replications: 1000,
            seed: 0,
            confidence: 0.95,
        }
    }
}

/// Standardised mean difference of one matching covariate, trained vs comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    /// `pre_level` or `pre_trend` (whole pre-period), and, when the pre-period is
    /// split, the matched `pre_early_level`, `pre_early_trend` and `pre_late_level`.
    pub covariate: &'static str,
    /// Against all untrained candidates.
    pub smd_before: f64,
    /// Against the matched comparison group (weighted).
    pub smd_after: f64,
}

/// A plain-language caution about an estimate; the product words each kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// Fewer trained people with enough data than `minimum`.
    TooFewTrained { n: usize, minimum: usize },
    /// Fewer departments than `minimum`, so the interval is unreliable.
    TooFewClusters { n: usize, minimum: usize },
    /// The pre- or post-period is shorter than `minimum` months.
    ShortWindow { months: u32, minimum: u32 },
    /// This share of trained people lacked KPI values and were left out.
    MissingData { share: f64 },
    /// This share of trained people found no comparable untrained person.
    Unmatched { share: f64 },
    /// A covariate is still imbalanced after matching (|SMD| above 0.25).
    Imbalance { covariate: &'static str, smd: f64 },
    /// The placebo test on the pre-period rejects parallel trends.
    PreTrend { p_value: f64 },
    /// A naive comparison (before/after or trained vs untrained) differs from the
    /// estimate by more than the interval's width (selection or regression to the
    /// mean at work).
    NaiveMisleading,
}

/// Which trained person was compared with whom.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub trained: i64,
    pub anchor: i32,
    /// Comparison people with their weights (summing to 1 per trained person).
    pub controls: Vec<(i64, f64)>,
}

/// The result of [`estimate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Difference-in-differences: the trained group's change minus the matched
    /// comparison group's change, in KPI units.
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub std_error: f64,
    /// Trained people in the estimate (with data and a match).
    pub n_trained: usize,
    /// Trained people given to the estimator.
    pub n_trained_total: usize,
    /// Distinct comparison people used.
    pub n_comparison: usize,
    /// Departments among the trained people in the estimate.
    pub n_clusters: usize,
    /// The trained group's post mean minus its pre mean.
    pub naive_before_after: f64,
    /// The trained group's post mean minus all untrained candidates' post mean.
    pub naive_trained_vs_untrained: f64,
    /// Placebo difference-in-differences: `pre_late` against `pre_early`, with the
    /// matching redone on `pre_early` only.
    pub pretrend_effect: Option<f64>,
    pub pretrend_p_value: Option<f64>,
    /// Means of the trained and the (weighted) comparison group, pre and post.
    pub trained_pre: f64,
    pub trained_post: f64,
    pub comparison_pre: f64,
    pub comparison_post: f64,
    /// Regression adjustment for the covariate differences matching left (see the
    /// module documentation): `effect = (trained_post − trained_pre) −
    /// (comparison_post − comparison_pre) + adjustment`. Small when matches are close.
    pub adjustment: f64,
    pub balance: Vec<Balance>,
    pub warnings: Vec<Warning>,
    pub matches: Vec<Match>,
    pub options: Options,
}

/// Thresholds behind the warnings.
pub mod thresholds {
    /// Fewer trained people in the estimate than this: [`super::Warning::TooFewTrained`].
    pub const MIN_TRAINED: usize = 30;
    /// Fewer departments than this: [`super::Warning::TooFewClusters`].
    pub const MIN_CLUSTERS: usize = 5;
    /// Pre- or post-period shorter than this: [`super::Warning::ShortWindow`].
    pub const MIN_WINDOW_MONTHS: u32 = 3;
    /// Share of trained people without enough data above this: [`super::Warning::MissingData`].
    pub const MAX_MISSING_SHARE: f64 = 0.2;
    /// Share of trained people (with data) without a match above this: [`super::Warning::Unmatched`].
    pub const MAX_UNMATCHED_SHARE: f64 = 0.1;
    /// |SMD| after matching above this: [`super::Warning::Imbalance`].
    pub const MAX_SMD: f64 = 0.25;
    /// Placebo p-value below this: [`super::Warning::PreTrend`].
    pub const PRETREND_ALPHA: f64 = 0.05;
}

/// Seed offset of the placebo's bootstrap, so it does not replay the main draws.
const PLACEBO_STREAM: u64 = 0x9E6C_63D0_676A_9A99;

/// Names of the balance covariates, in [`Estimate::balance`] order.
const PRE_LEVEL: &str = "pre_level";
const PRE_TREND: &str = "pre_trend";
const PRE_EARLY_LEVEL: &str = "pre_early_level";
const PRE_EARLY_TREND: &str = "pre_early_trend";
const PRE_LATE_LEVEL: &str = "pre_late_level";

/// A unit for the main comparison, with its pre-period level and trend for the
/// balance table.
struct MainObs {
    obs: Obs,
    level: f64,
    trend: f64,
}

/// Main comparison: change from the pre-period mean to the post-period mean.
///
/// With a `pre_early`/`pre_late` split, matching uses the `pre_early` level and
/// trend (what a manager saw when nominating people for a program that runs through
/// `pre_late`) and the `pre_late` level (what they saw if they nominated at the
/// end); the whole pre-period level and trend are functions of these, up to the
/// shape within `pre_late`. A missing part falls back to the whole pre-period's
/// level or trend. Without a split, the whole pre-period's level and trend.
fn main_obs(u: &Unit, split: bool) -> Option<MainObs> {
    let w = &u.window;
    let pre = w.pre_early.combined(&w.pre_late);
    if pre.n < 2 || w.post.n < 1 || !pre.is_finite() || !w.post.is_finite() {
        return None;
    }
    let (level, trend) = (pre.mean()?, pre.slope()?);
    let x = if split {
        [
            w.pre_early.mean().unwrap_or(level),
            w.pre_early.slope().unwrap_or(trend),
            w.pre_late.mean().unwrap_or(level),
        ]
    } else {
        [level, trend, 0.0]
    };
    Some(MainObs {
        obs: obs(u, x, level, w.post.mean()?)?,
        level,
        trend,
    })
}

/// Placebo comparison: matched on `pre_early` level and trend, change from
/// `pre_early` to `pre_late`. A single `pre_early` month has no trend; it is matched
/// on level with trend 0.
fn placebo_obs(u: &Unit) -> Option<Obs> {
    let w = &u.window;
    if w.pre_early.n < 1 || w.pre_late.n < 1 || !w.pre_early.is_finite() || !w.pre_late.is_finite()
    {
        return None;
    }
    let early = w.pre_early.mean()?;
    obs(
        u,
        [early, w.pre_early.slope().unwrap_or(0.0), 0.0],
        early,
        w.pre_late.mean()?,
    )
}

fn obs(u: &Unit, x: [f64; 3], before: f64, after: f64) -> Option<Obs> {
    [x[0], x[1], x[2], before, after]
        .iter()
        .all(|v| v.is_finite())
        .then_some(Obs {
            person: u.person,
            cluster: u.cluster,
            stratum: u.stratum,
            anchor: u.anchor,
            x,
            before,
            after,
        })
}

/// Standardised mean difference with a given denominator variance pair; 0 when
/// there is no spread at all.
fn smd(diff: f64, var_a: f64, var_b: f64) -> f64 {
    let sd = ((var_a + var_b) / 2.0).sqrt();
    if sd > 1e-12 && diff.is_finite() {
        diff / sd
    } else {
        0.0
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Estimates the effect of training with matched difference-in-differences (see the
/// module documentation). Pure and deterministic for a given `options.seed`; never
/// panics, and returns finite numbers (zeros with [`Warning::TooFewTrained`] when
/// nothing can be estimated).
pub fn estimate(trained: &[Unit], candidates: &[Unit], options: &Options) -> Estimate {
    let confidence = if options.confidence > 0.0 && options.confidence < 1.0 {
        options.confidence
    } else {
        0.95
    };
    let split = options.placebo_months > 0 && options.placebo_months < options.pre_months;
    let dims = if split { 3 } else { 2 };

    let t_main: Vec<MainObs> = trained.iter().filter_map(|u| main_obs(u, split)).collect();
    let c_main: Vec<MainObs> = candidates
        .iter()
        .filter_map(|u| main_obs(u, split))
        .collect();
    let t_obs: Vec<Obs> = t_main.iter().map(|m| m.obs).collect();
    let c_obs: Vec<Obs> = c_main.iter().map(|m| m.obs).collect();
    let matched = match_units(&t_obs, &c_obs, options.matching, dims);
    let fit = fit_matched(&t_obs, &c_obs, &matched, dims);
    let interval = bootstrap(&fit, options.replications, options.seed, confidence);

    // Placebo on the pre-period.
    let tp_obs: Vec<Obs> = trained.iter().filter_map(placebo_obs).collect();
    let cp_obs: Vec<Obs> = candidates.iter().filter_map(placebo_obs).collect();
    let p_matched = match_units(&tp_obs, &cp_obs, options.matching, 2);
    let (pretrend_effect, pretrend_p_value) = if p_matched.is_empty() {
        (None, None)
    } else {
        let p_fit = fit_matched(&tp_obs, &cp_obs, &p_matched, 2);
        let p_int = bootstrap(
            &p_fit,
            options.replications,
            options.seed ^ PLACEBO_STREAM,
            confidence,
        );
        let p = (p_int.std_error > 0.0)
            .then(|| t_two_sided_p(p_fit.effect / p_int.std_error, p_int.df));
        (Some(p_fit.effect), p)
    };

    // Naive comparisons: everyone with data, no matching.
    let trained_post = mean(t_obs.iter().map(|o| o.after));
    let naive_before_after = trained_post - mean(t_obs.iter().map(|o| o.before));
    let mut per_person: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
    for c in candidates {
        if let Some(post) = c.window.post.mean().filter(|v| v.is_finite()) {
            let e = per_person.entry(c.person).or_default();
            e.0 += post;
            e.1 += 1;
        }
    }
    let naive_trained_vs_untrained = if t_obs.is_empty() || per_person.is_empty() {
        0.0
    } else {
        trained_post - mean(per_person.values().map(|&(s, n)| s / f64::from(n)))
    };

    // Balance: trained with data vs all candidates, then vs the weighted matches;
    // both standardised by the unmatched samples' spread.
    let mut weights: Vec<(usize, f64)> = fit.weight.iter().map(|(&j, &w)| (j, w)).collect();
    weights.sort_by_key(|&(j, _)| j);
    type Covariate = (&'static str, fn(&MainObs) -> f64);
    let covariates: Vec<Covariate> = if split {
        vec![
            (PRE_LEVEL, |m| m.level),
            (PRE_TREND, |m| m.trend),
            (PRE_EARLY_LEVEL, |m| m.obs.x[0]),
            (PRE_EARLY_TREND, |m| m.obs.x[1]),
            (PRE_LATE_LEVEL, |m| m.obs.x[2]),
        ]
    } else {
        vec![(PRE_LEVEL, |m| m.level), (PRE_TREND, |m| m.trend)]
    };
    let balance: Vec<Balance> = covariates
        .into_iter()
        .map(|(covariate, value)| {
            let tx: Vec<f64> = t_main.iter().map(value).collect();
            let cx: Vec<f64> = c_main.iter().map(value).collect();
            let (tm, tv) = mean_var(&tx);
            let (cm, cv) = mean_var(&cx);
            let smd_before = if tx.is_empty() || cx.is_empty() {
                0.0
            } else {
                smd(tm - cm, tv, cv)
            };
            let smd_after = if matched.is_empty() {
                0.0
            } else {
                let mt = mean(matched.iter().map(|m| value(&t_main[m.trained])));
                let mc: f64 = weights.iter().map(|&(j, w)| w * value(&c_main[j])).sum();
                smd(mt - mc, tv, cv)
            };
            Balance {
                covariate,
                smd_before,
                smd_after,
            }
        })
        .collect();

    let matches: Vec<Match> = matched
        .iter()
        .map(|m| {
            let t = &t_obs[m.trained];
            Match {
                trained: t.person,
                anchor: t.anchor,
                controls: m
                    .controls
                    .iter()
                    .map(|&(j, w)| (c_obs[j].person, w))
                    .collect(),
            }
        })
        .collect();
    let n_comparison = weights
        .iter()
        .map(|&(j, _)| c_obs[j].person)
        .collect::<BTreeSet<_>>()
        .len();

    let n_trained = fit.n;
    let mut warnings = Vec::new();
    if n_trained < thresholds::MIN_TRAINED {
        warnings.push(Warning::TooFewTrained {
            n: n_trained,
            minimum: thresholds::MIN_TRAINED,
        });
    }
    if fit.trained_clusters < thresholds::MIN_CLUSTERS {
        warnings.push(Warning::TooFewClusters {
            n: fit.trained_clusters,
            minimum: thresholds::MIN_CLUSTERS,
        });
    }
    for months in [options.pre_months, options.post_months] {
        if months < thresholds::MIN_WINDOW_MONTHS {
            warnings.push(Warning::ShortWindow {
                months,
                minimum: thresholds::MIN_WINDOW_MONTHS,
            });
        }
    }
    if !trained.is_empty() {
        let share = (trained.len() - t_obs.len()) as f64 / trained.len() as f64;
        if share > thresholds::MAX_MISSING_SHARE {
            warnings.push(Warning::MissingData { share });
        }
    }
    if !t_obs.is_empty() {
        let share = (t_obs.len() - n_trained) as f64 / t_obs.len() as f64;
        if share > thresholds::MAX_UNMATCHED_SHARE {
            warnings.push(Warning::Unmatched { share });
        }
    }
    if n_trained > 0 {
        for b in &balance {
            if b.smd_after.abs() > thresholds::MAX_SMD {
                warnings.push(Warning::Imbalance {
                    covariate: b.covariate,
                    smd: b.smd_after,
                });
            }
        }
    }
    if let Some(p) = pretrend_p_value
        && p < thresholds::PRETREND_ALPHA
    {
        warnings.push(Warning::PreTrend { p_value: p });
    }
    let width = interval.high - interval.low;
    if n_trained > 0
        && [naive_before_after, naive_trained_vs_untrained]
            .iter()
            .any(|naive| (naive - fit.effect).abs() > width)
    {
        warnings.push(Warning::NaiveMisleading);
    }

    Estimate {
        effect: fit.effect,
        ci_low: interval.low,
        ci_high: interval.high,
        std_error: interval.std_error,
        n_trained,
        n_trained_total: trained.len(),
        n_comparison,
        n_clusters: fit.trained_clusters,
        naive_before_after,
        naive_trained_vs_untrained,
        pretrend_effect,
        pretrend_p_value,
        trained_pre: fit.trained_before,
        trained_post: fit.trained_after,
        comparison_pre: fit.comparison_before,
        comparison_post: fit.comparison_after,
        adjustment: fit.effect - fit.did,
        balance,
        warnings,
        matches,
        options: options.clone(),
    }
}
