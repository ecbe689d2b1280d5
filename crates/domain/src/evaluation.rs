//! Value proof, Kirkpatrick levels 1–3 (`reaction`, `learning`, `behavior`): the
//! funnel from enrollment to changed behavior, trends by quarter, the resource
//! efficiency index (资源效能指数) and the evaluation alerts.
//!
//! The store aggregates in SQL and hands over sums; the means, shares and the index
//! are computed here, so every page, export and API answer uses one definition.

use crate::operations::ProgramStatus;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use time::{Date, UtcOffset};

/// A learner who completed but scored below this (percent) on the post-test gets a
/// coaching task for their manager.
pub const COACHING_BELOW_PCT: f64 = 60.0;
/// A learner's mean behavior rating at +90 days from which their behavior counts as
/// changed (4 = applies it regularly).
pub const BEHAVIOR_CHANGED_FROM: f64 = 4.0;
/// A fall of required-skill coverage by at least this many percentage points over
/// [`COVERAGE_LOOKBACK_MONTHS`] raises an alert.
pub const COVERAGE_FALL_POINTS: f64 = 5.0;
pub const COVERAGE_LOOKBACK_MONTHS: u8 = 3;
/// Title prefix of the coaching tasks the low post-test alert creates; one task per
/// learner and program carries it.
pub const COACHING_TITLE_PREFIX: &str = "辅导 / Coaching: ";

/// A calendar quarter, `2025Q4` (the form plans use for their period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub quarter: u8,
}

impl Quarter {
    /// The quarter a day falls in.
    pub fn containing(day: Date) -> Self {
        Self {
            year: day.year(),
            quarter: (u8::from(day.month()) - 1) / 3 + 1,
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Self {
        if self.quarter == 4 {
            Self {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Self {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which programs an evaluation covers (the caller's data scope applies on top).
#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    /// Substring of the program code or title.
    pub q: Option<String>,
    /// Plan code.
    pub plan: Option<String>,
    pub status: Option<ProgramStatus>,
    /// Programs with a session in this calendar year (company time).
    pub year: Option<i32>,
    /// The company's UTC offset: session days, years and quarters are local.
    pub utc_offset: Option<UtcOffset>,
}

impl EvaluationFilter {
    pub fn offset(&self) -> UtcOffset {
        self.utc_offset.unwrap_or(UtcOffset::UTC)
    }
}

coded_enum!(
    /// A stage of the evaluation funnel, each counted over the enrolled learners.
    FunnelStage, "stage", {
        Enrolled => "enrolled",
        Attended => "attended",
        Completed => "completed",
        PassedPostTest => "passed_post_test",
        PracticeAccepted => "practice_accepted",
        BehaviorChanged => "behavior_changed",
    }
);

/// Learners (enrollments that are not cancelled or waitlisted) reaching each stage:
/// attended at least one session, completed, passed a post-test, had a practice
/// report accepted, rated [`BEHAVIOR_CHANGED_FROM`] or better at +90 days. Each stage
/// is counted on its own (an imported completion has no attendance, a rating needs
/// no practice task), and shown as a share of the enrolled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub enrolled: i64,
    pub attended: i64,
    pub completed: i64,
    pub passed_post_test: i64,
    pub practice_accepted: i64,
    pub behavior_changed: i64,
}

impl Funnel {
    pub fn stages(&self) -> [(FunnelStage, i64); 6] {
        [
            (FunnelStage::Enrolled, self.enrolled),
            (FunnelStage::Attended, self.attended),
            (FunnelStage::Completed, self.completed),
            (FunnelStage::PassedPostTest, self.passed_post_test),
            (FunnelStage::PracticeAccepted, self.practice_accepted),
            (FunnelStage::BehaviorChanged, self.behavior_changed),
        ]
    }

    /// `n` as a share (0–1) of the enrolled.
    pub fn share(&self, n: i64) -> Option<f64> {
        ratio(n, self.enrolled)
    }

    /// Completed learners as a share of the enrolled.
    pub fn completion_rate(&self) -> Option<f64> {
        self.share(self.completed)
    }

    pub fn add(&mut self, o: &Funnel) {
        self.enrolled += o.enrolled;
        self.attended += o.attended;
        self.completed += o.completed;
        self.passed_post_test += o.passed_post_test;
        self.practice_accepted += o.practice_accepted;
        self.behavior_changed += o.behavior_changed;
    }
}

fn ratio(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

/// Level 1: the reaction surveys of a program's sessions, over all respondents (an
/// anonymous answer cannot be placed in a department, and the figure is about the
/// program and its instructors, not about people).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Reaction {
    pub responses: i64,
    /// Attendances at surveyed sessions: who was asked.
    pub invited: i64,
    /// Rating answers (1–5) and their sum.
    pub ratings: i64,
    pub rating_sum: f64,
}

impl Reaction {
    /// Mean of every rating answer, 1–5.
    pub fn mean(&self) -> Option<f64> {
        mean(self.rating_sum, self.ratings)
    }

    pub fn response_rate(&self) -> Option<f64> {
        ratio(self.responses, self.invited)
    }

    pub fn add(&mut self, o: &Reaction) {
        self.responses += o.responses;
        self.invited += o.invited;
        self.ratings += o.ratings;
        self.rating_sum += o.rating_sum;
    }
}

/// Level 2: learner × skill pairs of a first graded pre-test and the best graded
/// post-test (as `learning_gain` pairs them), and the post-test pass rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Learning {
    pub n_paired: i64,
    pub pre_sum: f64,
    pub post_sum: f64,
    /// Learners with a graded post-test attempt, and those with a passed one.
    pub post_takers: i64,
    pub post_passed: i64,
}

impl Learning {
    pub fn mean_pre(&self) -> Option<f64> {
        mean(self.pre_sum, self.n_paired)
    }

    pub fn mean_post(&self) -> Option<f64> {
        mean(self.post_sum, self.n_paired)
    }

    /// The class-average normalised gain (mean post − mean pre) / (100 − mean pre).
    pub fn normalised_gain(&self) -> Option<f64> {
        normalised_gain(self.mean_pre()?, self.mean_post()?)
    }

    pub fn post_pass_rate(&self) -> Option<f64> {
        ratio(self.post_passed, self.post_takers)
    }

    pub fn add(&mut self, o: &Learning) {
        self.n_paired += o.n_paired;
        self.pre_sum += o.pre_sum;
        self.post_sum += o.post_sum;
        self.post_takers += o.post_takers;
        self.post_passed += o.post_passed;
    }
}

/// (post − pre) / (100 − pre) for percentages; none when nothing was left to gain.
pub fn normalised_gain(pre: f64, post: f64) -> Option<f64> {
    (pre < 100.0 - 1e-9).then(|| (post - pre) / (100.0 - pre))
}

/// Level 3: practice tasks and the behavior ratings at +30 and +90 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Behavior {
    pub tasks: i64,
    /// Tasks whose report the mentor accepted.
    pub tasks_accepted: i64,
    pub rated_30: i64,
    pub sum_30: f64,
    pub rated_90: i64,
    pub sum_90: f64,
    /// Learners with a +90 rating, and those whose mean +90 rating is at least
    /// [`BEHAVIOR_CHANGED_FROM`].
    pub learners_rated_90: i64,
    pub learners_changed: i64,
}

impl Behavior {
    pub fn rating_30(&self) -> Option<f64> {
        mean(self.sum_30, self.rated_30)
    }

    pub fn rating_90(&self) -> Option<f64> {
        mean(self.sum_90, self.rated_90)
    }

    /// Share of the learners rated at +90 days whose behavior changed.
    pub fn changed_share(&self) -> Option<f64> {
        ratio(self.learners_changed, self.learners_rated_90)
    }

    pub fn add(&mut self, o: &Behavior) {
        self.tasks += o.tasks;
        self.tasks_accepted += o.tasks_accepted;
        self.rated_30 += o.rated_30;
        self.sum_30 += o.sum_30;
        self.rated_90 += o.rated_90;
        self.sum_90 += o.sum_90;
        self.learners_rated_90 += o.learners_rated_90;
        self.learners_changed += o.learners_changed;
    }
}

/// Levels 1–3 and the funnel of one program, over the learners in the caller's scope.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramEvaluation {
    pub program_id: i64,
    pub code: String,
    pub title: String,
    pub status: ProgramStatus,
    pub plan_code: Option<String>,
    /// Days (company time) of the first and last held session.
    #[serde(with = "crate::iso_date::option")]
    pub first_session: Option<Date>,
    #[serde(with = "crate::iso_date::option")]
    pub last_session: Option<Date>,
    pub funnel: Funnel,
    pub reaction: Reaction,
    pub learning: Learning,
    pub behavior: Behavior,
}

impl ProgramEvaluation {
    /// The program family: the code up to its first dash (`CS-2025-01` → `CS`).
    pub fn family(&self) -> &str {
        program_family(&self.code)
    }

    /// The quarter the program counts in for trends: that of its last session, when
    /// its learners complete.
    pub fn quarter(&self) -> Option<Quarter> {
        self.last_session.map(Quarter::containing)
    }
}

/// The family of a program code: the part before the first dash.
pub fn program_family(code: &str) -> &str {
    code.split('-').next().unwrap_or(code)
}

/// Levels 1–3 summed over several programs (an instructor's, a vendor's, a
/// resource's, a quarter's or the whole scope's).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LevelsRollup {
    /// Instructor or resource code, vendor name, quarter, family.
    pub key: String,
    pub label: String,
    pub programs: i64,
    pub funnel: Funnel,
    pub reaction: Reaction,
    pub learning: Learning,
    pub behavior: Behavior,
}

impl LevelsRollup {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            ..Self::default()
        }
    }

    pub fn add(&mut self, p: &ProgramEvaluation) {
        self.programs += 1;
        self.funnel.add(&p.funnel);
        self.reaction.add(&p.reaction);
        self.learning.add(&p.learning);
        self.behavior.add(&p.behavior);
    }
}

/// One point of a trend: a quarter, for the whole scope or one program family.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub quarter: Quarter,
    /// None: every program in scope.
    pub family: Option<String>,
    pub levels: LevelsRollup,
}

/// Trends by quarter (of each program's last session) for the whole scope and per
/// program family, oldest first. Only finished programs (closed or historical) count:
/// one still running has not settled who completed.
pub fn trends(programs: &[ProgramEvaluation]) -> Vec<TrendPoint> {
    let mut by: BTreeMap<(Quarter, Option<String>), LevelsRollup> = BTreeMap::new();
    for p in programs {
        if !matches!(p.status, ProgramStatus::Closed | ProgramStatus::Historical) {
            continue;
        }
        let Some(q) = p.quarter() else { continue };
        for family in [None, Some(p.family().to_string())] {
            let label = family.clone().unwrap_or_default();
            by.entry((q, family))
                .or_insert_with(|| LevelsRollup::new(q.to_string(), label))
                .add(p);
        }
    }
    by.into_iter()
        .map(|((quarter, family), levels)| TrendPoint {
            quarter,
            family,
            levels,
        })
        .collect()
}

// ----- the resource efficiency index --------------------------------------------------

coded_enum!(
    /// What the efficiency index is computed for.
    EfficiencyBy, "by", {
        Instructor => "instructor",
        Vendor => "vendor",
        Resource => "resource",
    }
);

/// A held session with the measured learning of the learners who attended it (each
/// learner's pre- and post-test percentages, averaged over the program's skills).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionGain {
    pub session_id: i64,
    pub program_id: i64,
    /// Company-time day of the session.
    pub day: Date,
    pub hours: f64,
    /// Attending learners with a pre/post pair, and the sums of their percentages.
    pub learners: i64,
    pub pre_sum: f64,
    pub post_sum: f64,
}

/// Hours and hour-weighted learning of a set of sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GainTotals {
    /// Session hours delivered (taught, for an instructor).
    pub hours: f64,
    /// Hours × learners with a measured gain: the weight of the index.
    pub learner_hours: f64,
    pub pre_weighted: f64,
    pub post_weighted: f64,
}

impl GainTotals {
    pub fn add(&mut self, s: &SessionGain) {
        self.hours += s.hours;
        self.learner_hours += s.hours * s.learners as f64;
        self.pre_weighted += s.hours * s.pre_sum;
        self.post_weighted += s.hours * s.post_sum;
    }

    /// Mean pre-test percentage of the learners taught, weighted by hours.
    pub fn mean_pre(&self) -> Option<f64> {
        (self.learner_hours > 0.0).then(|| self.pre_weighted / self.learner_hours)
    }

    pub fn mean_post(&self) -> Option<f64> {
        (self.learner_hours > 0.0).then(|| self.post_weighted / self.learner_hours)
    }

    /// The normalised gain of the learners taught, each weighted by the hours they
    /// were taught: instructor hours weighted by the learners' measured gain.
    pub fn gain(&self) -> Option<f64> {
        normalised_gain(self.mean_pre()?, self.mean_post()?)
    }
}

/// The efficiency index: the subject's hour-weighted gain relative to the baseline's,
/// the baseline being 100. None without measured learning on either side or when the
/// baseline gained nothing (no meaningful scale).
pub fn efficiency_index(subject: &GainTotals, baseline: &GainTotals) -> Option<f64> {
    let (s, b) = (subject.gain()?, baseline.gain()?);
    (b > 1e-9).then(|| 100.0 * s / b)
}

/// Whether the index was below 100 in two quarters that follow each other.
pub fn below_in_consecutive_quarters(indices: &[(Quarter, Option<f64>)]) -> bool {
    let below: std::collections::BTreeSet<Quarter> = indices
        .iter()
        .filter(|(_, i)| i.is_some_and(|i| i < 100.0))
        .map(|(q, _)| *q)
        .collect();
    below.iter().any(|q| below.contains(&q.next()))
}

/// A subject of the index and the sessions that count for it.
#[derive(Debug, Clone, PartialEq)]
pub struct EfficiencySubject {
    pub key: String,
    pub label: String,
    /// Origin of an instructor, vendor of a resource, and so on.
    pub detail: String,
    pub sessions: Vec<i64>,
}

/// The index of one subject in one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuarterIndex {
    pub quarter: Quarter,
    pub hours: f64,
    pub gain: Option<f64>,
    pub index: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EfficiencyRow {
    pub key: String,
    pub label: String,
    pub detail: String,
    pub programs: i64,
    pub totals: GainTotals,
    pub gain: Option<f64>,
    pub index: Option<f64>,
    pub quarters: Vec<QuarterIndex>,
    /// Below the baseline in two consecutive quarters (vendors are flagged for it).
    pub below_twice: bool,
    /// Levels 1–3 over the subject's programs (the store fills them in).
    pub levels: LevelsRollup,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EfficiencyReport {
    pub by: EfficiencyBy,
    /// Every held session in scope: the 100 of the index.
    pub baseline: GainTotals,
    pub baseline_gain: Option<f64>,
    /// Highest index first; subjects without measured learning last.
    pub rows: Vec<EfficiencyRow>,
}

/// Builds the efficiency index of `subjects` over `sessions`. The baseline is every
/// session (each counted once, however many subjects share it); each quarter of a
/// subject is compared with the same overall baseline, so "below the baseline in two
/// consecutive quarters" means below the company's usual gain, not below whoever
/// else happened to teach that quarter.
pub fn efficiency_report(
    by: EfficiencyBy,
    sessions: &[SessionGain],
    subjects: Vec<EfficiencySubject>,
) -> EfficiencyReport {
    let by_id: HashMap<i64, &SessionGain> = sessions.iter().map(|s| (s.session_id, s)).collect();
    let mut baseline = GainTotals::default();
    for s in sessions {
        baseline.add(s);
    }
    let mut rows: Vec<EfficiencyRow> = subjects
        .into_iter()
        .map(|subject| {
            let mut ids = subject.sessions;
            ids.sort_unstable();
            ids.dedup();
            let mut totals = GainTotals::default();
            let mut quarters: BTreeMap<Quarter, GainTotals> = BTreeMap::new();
            let mut programs: Vec<i64> = Vec::new();
            for s in ids.iter().filter_map(|id| by_id.get(id)) {
                totals.add(s);
                quarters
                    .entry(Quarter::containing(s.day))
                    .or_default()
                    .add(s);
                programs.push(s.program_id);
            }
            programs.sort_unstable();
            programs.dedup();
            let quarters: Vec<QuarterIndex> = quarters
                .into_iter()
                .map(|(quarter, t)| QuarterIndex {
                    quarter,
                    hours: t.hours,
                    gain: t.gain(),
                    index: efficiency_index(&t, &baseline),
                })
                .collect();
            let pairs: Vec<(Quarter, Option<f64>)> =
                quarters.iter().map(|q| (q.quarter, q.index)).collect();
            EfficiencyRow {
                levels: LevelsRollup::new(subject.key.clone(), subject.label.clone()),
                key: subject.key,
                label: subject.label,
                detail: subject.detail,
                programs: programs.len() as i64,
                gain: totals.gain(),
                index: efficiency_index(&totals, &baseline),
                totals,
                below_twice: below_in_consecutive_quarters(&pairs),
                quarters,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        match (a.index, b.index) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.totals.hours.total_cmp(&a.totals.hours),
        }
        .then_with(|| a.key.cmp(&b.key))
    });
    EfficiencyReport {
        by,
        baseline_gain: baseline.gain(),
        baseline,
        rows,
    }
}

// ----- alerts ---------------------------------------------------------------------------

coded_enum!(
    /// What an evaluation alert is about.
    AlertKind, "kind", {
        /// Completed, but below [`COACHING_BELOW_PCT`] on the post-test.
        LowPostTest => "low_post_test",
        /// A position's required-skill coverage fell.
        CoverageFalling => "coverage_falling",
        /// High completion but no measurable KPI effect: raised by level 4 (results),
        /// never by levels 1–3.
        NoKpiEffect => "no_kpi_effect",
    }
);

/// A learner who completed a program with a post-test below [`COACHING_BELOW_PCT`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoachingAlert {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub department_name: String,
    /// The learner's best post-test percentage (the lowest over the program's skills).
    pub post_test_pct: f64,
    #[serde(with = "crate::iso_date::option")]
    pub completed_on: Option<Date>,
    /// The manager who coaches (the head of the learner's department, or of the one
    /// above when the learner heads it).
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    /// The coaching practice task, once created.
    pub coaching_task_id: Option<i64>,
}

/// One required skill of a position: how many holders meet its level now and three
/// months ago (holders then: today's holders hired by that day).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageChange {
    pub position_id: i64,
    pub position_code: String,
    pub position_name: String,
    pub skill_code: String,
    pub skill_name: String,
    pub required_level: i32,
    pub people_now: i64,
    pub meeting_now: i64,
    pub people_then: i64,
    pub meeting_then: i64,
}

impl CoverageChange {
    /// Percent of the holders meeting the level.
    pub fn share_now(&self) -> Option<f64> {
        ratio(self.meeting_now, self.people_now).map(|r| r * 100.0)
    }

    pub fn share_then(&self) -> Option<f64> {
        ratio(self.meeting_then, self.people_then).map(|r| r * 100.0)
    }

    /// Percentage points lost (positive when coverage fell).
    pub fn fall_points(&self) -> Option<f64> {
        Some(self.share_then()? - self.share_now()?)
    }

    pub fn is_alert(&self) -> bool {
        self.fall_points()
            .is_some_and(|f| f >= COVERAGE_FALL_POINTS - 1e-9)
    }
}

/// A program with high completion whose KPI did not measurably move (level 4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoKpiEffectAlert {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub kpi_code: String,
    /// completed / (enrolled, completed or not completed), 0..1.
    pub completion_rate: f64,
    /// The latest recorded estimate and its 95% interval, in KPI units.
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// inconclusive (the interval includes zero) or worsened.
    pub verdict: String,
    pub estimated_on: String,
}

/// The alerts in the caller's scope, by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvaluationAlerts {
    pub low_post_test: Vec<CoachingAlert>,
    pub coverage_falling: Vec<CoverageChange>,
    /// Filled by level 4 (results); levels 1–3 leave it empty.
    pub no_kpi_effect: Vec<NoKpiEffectAlert>,
}

impl EvaluationAlerts {
    pub fn count(&self, kind: AlertKind) -> usize {
        match kind {
            AlertKind::LowPostTest => self.low_post_test.len(),
            AlertKind::CoverageFalling => self.coverage_falling.len(),
            AlertKind::NoKpiEffect => self.no_kpi_effect.len(),
        }
    }

    pub fn total(&self) -> usize {
        AlertKind::ALL.iter().map(|k| self.count(*k)).sum()
    }
}

/// What creating coaching tasks did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoachingOutcome {
    pub created: i64,
    /// Learners who already had their coaching task.
    pub existing: i64,
    /// Employee numbers of learners without a manager to coach them.
    pub without_manager: Vec<String>,
}

/// Who learned this year and how well positions' required skills are covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Coverage {
    pub year: i32,
    /// Active employees in scope, and those who completed a program this year.
    pub employees: i64,
    pub trained: i64,
    /// (holder, required skill) pairs, and those meeting the required level.
    pub required: i64,
    pub required_met: i64,
}

impl Coverage {
    pub fn trained_share(&self) -> Option<f64> {
        ratio(self.trained, self.employees)
    }

    pub fn required_share(&self) -> Option<f64> {
        ratio(self.required_met, self.required)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn session(id: i64, day: Date, hours: f64, learners: i64, pre: f64, post: f64) -> SessionGain {
        SessionGain {
            session_id: id,
            program_id: id / 10,
            day,
            hours,
            learners,
            pre_sum: pre * learners as f64,
            post_sum: post * learners as f64,
        }
    }

    #[test]
    fn quarters_follow_each_other() {
        let q = Quarter::containing(date!(2025 - 12 - 31));
        assert_eq!(q.to_string(), "2025Q4");
        assert_eq!(q.next().to_string(), "2026Q1");
        assert_eq!(Quarter::containing(date!(2026 - 04 - 01)).quarter, 2);
    }

    #[test]
    fn index_weights_gain_by_hours_and_learners() {
        // A: 3 h × 10 learners, 40 → 70 (gain 0.5). B: 1 h × 10 learners, 50 → 55 (gain 0.1).
        let a = session(11, date!(2025 - 07 - 07), 3.0, 10, 40.0, 70.0);
        let b = session(21, date!(2025 - 07 - 08), 1.0, 10, 50.0, 55.0);
        let report = efficiency_report(
            EfficiencyBy::Instructor,
            &[a, b],
            vec![
                EfficiencySubject {
                    key: "A".into(),
                    label: "A".into(),
                    detail: String::new(),
                    sessions: vec![11],
                },
                EfficiencySubject {
                    key: "B".into(),
                    label: "B".into(),
                    detail: String::new(),
                    sessions: vec![21, 21],
                },
            ],
        );
        // Baseline: pre (3·400 + 1·500)/40 = 42.5, post (3·700 + 550)/40 = 66.25.
        let base = (66.25 - 42.5) / (100.0 - 42.5);
        assert!((report.baseline_gain.unwrap() - base).abs() < 1e-12);
        let a_row = &report.rows[0];
        assert_eq!(a_row.key, "A");
        assert!((a_row.index.unwrap() - 100.0 * 0.5 / base).abs() < 1e-9);
        let b_row = &report.rows[1];
        assert!((b_row.index.unwrap() - 100.0 * 0.1 / base).abs() < 1e-9);
        assert_eq!(
            b_row.totals.hours, 1.0,
            "a session listed twice counts once"
        );
        assert!(!b_row.below_twice, "one quarter only");
    }

    #[test]
    fn flags_two_consecutive_quarters_below() {
        let q = |y, n| Quarter {
            year: y,
            quarter: n,
        };
        assert!(below_in_consecutive_quarters(&[
            (q(2025, 4), Some(80.0)),
            (q(2026, 1), Some(99.0))
        ]));
        assert!(!below_in_consecutive_quarters(&[
            (q(2025, 3), Some(80.0)),
            (q(2026, 1), Some(80.0))
        ]));
        assert!(!below_in_consecutive_quarters(&[
            (q(2025, 4), Some(80.0)),
            (q(2026, 1), None)
        ]));
        assert!(!below_in_consecutive_quarters(&[
            (q(2025, 4), Some(80.0)),
            (q(2026, 1), Some(100.0))
        ]));
    }

    #[test]
    fn index_needs_a_positive_baseline() {
        let flat = GainTotals {
            hours: 1.0,
            learner_hours: 1.0,
            pre_weighted: 50.0,
            post_weighted: 50.0,
        };
        assert_eq!(efficiency_index(&flat, &flat), None);
        assert_eq!(efficiency_index(&GainTotals::default(), &flat), None);
    }

    fn program(code: &str, status: ProgramStatus, last: Date, enrolled: i64) -> ProgramEvaluation {
        ProgramEvaluation {
            program_id: 1,
            code: code.into(),
            title: code.into(),
            status,
            plan_code: None,
            first_session: Some(last),
            last_session: Some(last),
            funnel: Funnel {
                enrolled,
                completed: enrolled / 2,
                ..Funnel::default()
            },
            reaction: Reaction::default(),
            learning: Learning::default(),
            behavior: Behavior::default(),
        }
    }

    #[test]
    fn trends_count_finished_programs_by_quarter_and_family() {
        let points = trends(&[
            program("CS-1", ProgramStatus::Closed, date!(2025 - 07 - 20), 10),
            program("CS-2", ProgramStatus::Closed, date!(2025 - 09 - 20), 20),
            program("QA-1", ProgramStatus::Historical, date!(2025 - 08 - 01), 4),
            program("EQ-1", ProgramStatus::Running, date!(2025 - 08 - 01), 8),
        ]);
        let all: Vec<&TrendPoint> = points.iter().filter(|p| p.family.is_none()).collect();
        assert_eq!(all.len(), 1, "one quarter; the running program is left out");
        assert_eq!(all[0].quarter.to_string(), "2025Q3");
        assert_eq!(all[0].levels.programs, 3);
        assert_eq!(all[0].levels.funnel.enrolled, 34);
        let cs = points
            .iter()
            .find(|p| p.family.as_deref() == Some("CS"))
            .unwrap();
        assert_eq!(cs.levels.funnel.completed, 15);
        assert!(points.iter().all(|p| p.family.as_deref() != Some("EQ")));
    }

    #[test]
    fn funnel_shares_and_coverage_fall() {
        let f = Funnel {
            enrolled: 4,
            attended: 3,
            completed: 2,
            ..Funnel::default()
        };
        assert_eq!(f.completion_rate(), Some(0.5));
        assert_eq!(Funnel::default().share(0), None);
        let c = CoverageChange {
            position_id: 1,
            position_code: "P".into(),
            position_name: "P".into(),
            skill_code: "S".into(),
            skill_name: "S".into(),
            required_level: 2,
            people_now: 20,
            meeting_now: 9,
            people_then: 20,
            meeting_then: 10,
        };
        assert_eq!(c.fall_points(), Some(5.0));
        assert!(c.is_alert());
    }
}
