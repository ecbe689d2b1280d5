//! The effect of a program on a KPI: matched difference-in-differences.
//!
//! Months are counted as `year * 12 + (month - 1)`. A person's window is relative to
//! an anchor month (their completion month, `t = 0`, left out as partly treated): the
//! pre-period is `t = -pre_months ..= -1`, of which the last `placebo_months` form
//! `pre_late` and the rest `pre_early`; the post-period is `t = 1 ..= post_months`.

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
    /// Up to `neighbours` nearest untrained people in the same stratum and anchor,
    /// by standardised distance on pre-period level and trend, within `caliper`
    /// standard deviations; with replacement.
    NearestNeighbour { neighbours: usize, caliper: f64 },
    /// Same stratum and anchor, and the same bin of pre-period level and trend
    /// (`bins` quantile bins each); controls weighted to the trained count per cell.
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

/// Standardised mean difference of one matching covariate, trained vs comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    /// `pre_level` or `pre_trend`.
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
    /// A covariate is still imbalanced after matching (|SMD| above 0.1 / 0.25).
    Imbalance { covariate: &'static str, smd: f64 },
    /// The placebo test on the pre-period rejects parallel trends.
    PreTrend { p_value: f64 },
    /// The naive comparisons differ from the estimate by more than its interval width
    /// (selection or regression to the mean at work).
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
    pub balance: Vec<Balance>,
    pub warnings: Vec<Warning>,
    pub matches: Vec<Match>,
    pub options: Options,
}
