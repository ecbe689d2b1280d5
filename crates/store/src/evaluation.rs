//! Value proof, levels 1–3, in SQL: per-program reaction, learning, behavior and the
//! funnel, each a grouped query over all selected programs at once; the sessions and
//! their measured learning behind the resource efficiency index; required-skill
//! coverage; and the alerts with the coaching tasks they create.

use crate::audit::append_in;
use crate::org::{Own, push_scope};
use crate::query::{fetch_rows, push_any_contains};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::evaluation::{
    Behavior, COACHING_BELOW_PCT, COACHING_TITLE_PREFIX, COVERAGE_LOOKBACK_MONTHS, CoachingAlert,
    CoachingOutcome, Coverage, CoverageChange, EfficiencyBy, EfficiencyReport, EfficiencySubject,
    EvaluationFilter, Funnel, Learning, LevelsRollup, ProgramEvaluation, Reaction, SessionGain,
    efficiency_report,
};
use domain::operations::ProgramStatus;
use domain::{DataScope, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// Enrollments that make a learner: neither cancelled nor waiting for a seat.
const LEARNER_STATUSES: &str = "('enrolled', 'completed', 'incomplete')";

/// A learner's manager (as practice tasks pick the mentor): the head of their
/// department, or of the department above when they head their own.
const MANAGER_OF_E: &str = "CASE WHEN d.head_employee_id IS NOT NULL AND d.head_employee_id <> e.id \
    THEN d.head_employee_id ELSE pd.head_employee_id END";

/// Pre-test/post-test pairs per program, skill and learner, as `learning_gain` pairs
/// them: the first graded pre-test attempt with the best graded post-test attempt.
/// `{sel}` is replaced by the program selection of each CTE.
const PAIRS_CTE: [&str; 3] = [
    "WITH pre AS (SELECT x.program_id, x.skill_id, a.employee_id, a.score_pct, \
       ROW_NUMBER() OVER (PARTITION BY x.program_id, x.skill_id, a.employee_id ORDER BY a.attempt_no, a.id) AS rn \
       FROM exam_attempts a JOIN exams x ON x.id = a.exam_id \
       WHERE x.purpose = 'pre_test' AND a.status = 'graded' AND a.score_pct IS NOT NULL",
    "), post AS (SELECT x.program_id, x.skill_id, a.employee_id, MAX(a.score_pct) AS best \
       FROM exam_attempts a JOIN exams x ON x.id = a.exam_id \
       WHERE x.purpose = 'post_test' AND a.status = 'graded' AND a.score_pct IS NOT NULL",
    " GROUP BY x.program_id, x.skill_id, a.employee_id), \
     pairs AS (SELECT pre.program_id, pre.skill_id, pre.employee_id, pre.score_pct AS pre_pct, post.best AS post_pct \
       FROM pre JOIN post ON post.program_id = pre.program_id AND post.skill_id = pre.skill_id AND post.employee_id = pre.employee_id \
       WHERE pre.rn = 1) ",
];

/// Which programs a query covers.
#[derive(Clone, Copy)]
enum Selection<'a> {
    /// These programs (a page of them, or one); never empty.
    Ids(&'a [i64]),
    /// Every program matching the filter in the scope.
    Filter(&'a EvaluationFilter),
}

/// Appends ` AND <column> IN (<selection>)`.
fn push_selection<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    column: &str,
    selection: Selection<'_>,
    scope: &DataScope,
) where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DbTime: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(" AND ").push(column).push(" IN (");
    match selection {
        Selection::Ids(ids) => {
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
        }
        Selection::Filter(filter) => {
            qb.push(
                "SELECT p.id FROM programs p LEFT JOIN plans pl ON pl.id = p.plan_id WHERE 1=1",
            );
            push_filter(qb, filter, scope);
        }
    }
    qb.push(")");
}

/// Appends the filter and the program scope to `... FROM programs p LEFT JOIN plans pl
/// ... WHERE <cond>`. A program is in a partial scope when one of its learners is.
fn push_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, filter: &EvaluationFilter, scope: &DataScope)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DbTime: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(pattern) = search_pattern(filter.q.as_deref()) {
        push_any_contains(qb, &["p.code", "p.title"], &pattern);
    }
    if let Some(plan) = filter
        .plan
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        qb.push(" AND pl.code = ").push_bind(plan.to_string());
    }
    if let Some(status) = filter.status {
        qb.push(" AND p.status = ")
            .push_bind(status.code().to_string());
    }
    if let Some((from, until)) = filter.year.and_then(|y| year_window(y, filter.offset())) {
        qb.push(" AND EXISTS (SELECT 1 FROM training_sessions ys WHERE ys.program_id = p.id AND ys.status = 'scheduled' AND ys.starts_at >= ")
            .push_bind(DbTime(from))
            .push(" AND ys.starts_at < ")
            .push_bind(DbTime(until))
            .push(")");
    }
    push_program_scope(qb, scope);
}

/// ` AND` the program `p` has a learner in `scope` (nothing for the whole company).
fn push_program_scope<'a, DB>(qb: &mut QueryBuilder<'a, DB>, scope: &DataScope)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if scope.company {
        return;
    }
    qb.push(format!(
        " AND EXISTS (SELECT 1 FROM enrollments sen JOIN employees se ON se.id = sen.employee_id \
         JOIN departments sd ON sd.id = se.department_id WHERE sen.program_id = p.id AND sen.status IN {LEARNER_STATUSES} AND "
    ));
    push_scope(qb, scope, "sd.path", Own::EmployeeIn("se.id"));
    qb.push(")");
}

/// Pushes the pairs CTE with the selection inside each part.
fn push_pairs<'a, DB>(qb: &mut QueryBuilder<'a, DB>, selection: Selection<'_>, scope: &DataScope)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DbTime: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(PAIRS_CTE[0]);
    push_selection(qb, "x.program_id", selection, scope);
    qb.push(PAIRS_CTE[1]);
    push_selection(qb, "x.program_id", selection, scope);
    qb.push(PAIRS_CTE[2]);
}

/// The first instant of `year` and of the next, in the company's zone.
fn year_window(year: i32, offset: UtcOffset) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let start = |y: i32| {
        Date::from_calendar_date(y, Month::January, 1)
            .ok()
            .map(|d| d.midnight().assume_offset(offset))
    };
    Some((start(year)?, start(year + 1)?))
}

fn local_day(t: DbTime, offset: UtcOffset) -> Date {
    t.0.to_offset(offset).date()
}

/// (id, code, title, status, plan code, first session, last session).
type ProgramRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<DbTime>,
    Option<DbTime>,
);

const PROGRAM_SELECT: &str = "SELECT p.id, p.code, p.title, p.status, pl.code AS plan_code, \
    (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.program_id = p.id AND s.status = 'scheduled') AS first_session, \
    (SELECT MAX(s.starts_at) FROM training_sessions s WHERE s.program_id = p.id AND s.status = 'scheduled') AS last_session \
    FROM programs p LEFT JOIN plans pl ON pl.id = p.plan_id WHERE 1=1";

/// (program, enrolled, attended, completed, passed post-test, practice accepted, behavior changed).
type FunnelRow = (i64, i64, i64, i64, i64, i64, i64);
/// (program, responses, invited, ratings, rating sum).
type ReactionRow = (i64, i64, i64, i64, f64);
/// (program, pairs, pre sum, post sum).
type PairRow = (i64, i64, f64, f64);
/// (program, post-test takers, passers).
type PassRow = (i64, i64, i64);
/// (program, checkpoint, ratings, sum, learners rated, learners changed).
type RatingRow = (i64, i32, i64, f64, i64, i64);
/// (program, tasks, accepted).
type TaskRow = (i64, i64, i64);
/// (program or session, key, label, origin, vendor).
type SubjectRow = (i64, String, String, String, Option<String>);

/// What the grouped queries of levels 1–3 return.
type LevelRows = (
    Vec<FunnelRow>,
    Vec<ReactionRow>,
    Vec<PairRow>,
    Vec<PassRow>,
    Vec<RatingRow>,
    Vec<TaskRow>,
);

/// Levels 1–3 of the selected programs, by program.
#[derive(Default)]
struct Levels {
    funnel: HashMap<i64, Funnel>,
    reaction: HashMap<i64, Reaction>,
    learning: HashMap<i64, Learning>,
    behavior: HashMap<i64, Behavior>,
}

impl crate::Store {
    /// The grouped queries behind levels 1–3: each covers every selected program.
    async fn levels(&self, selection: Selection<'_>, scope: &DataScope) -> DomainResult<Levels> {
        let (funnel, reaction, pairs, passes, ratings, tasks): LevelRows = on_pool!(self, |pool| {
            let learner_from = " FROM enrollments en JOIN employees e ON e.id = en.employee_id \
                JOIN departments d ON d.id = e.department_id WHERE ";
            let mut qb = QueryBuilder::new(format!(
                "SELECT en.program_id, COUNT(*), \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM attendance a JOIN training_sessions s ON s.id = a.session_id \
                   WHERE s.program_id = en.program_id AND a.employee_id = en.employee_id AND a.status IN ('present', 'late')) THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN en.status = 'completed' THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM exam_attempts xa JOIN exams x ON x.id = xa.exam_id \
                   WHERE x.program_id = en.program_id AND x.purpose = 'post_test' AND xa.employee_id = en.employee_id AND xa.passed = TRUE) THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM practice_tasks t WHERE t.program_id = en.program_id \
                   AND t.employee_id = en.employee_id AND t.status = 'reviewed') THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN (SELECT AVG(CAST(r.rating AS DOUBLE PRECISION)) FROM behavior_ratings r WHERE r.program_id = en.program_id \
                   AND r.employee_id = en.employee_id AND r.checkpoint_days = 90 AND r.rating IS NOT NULL) >= {} THEN 1 ELSE 0 END)\
                 {learner_from}en.status IN {LEARNER_STATUSES} AND ",
                domain::evaluation::BEHAVIOR_CHANGED_FROM
            ));
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            push_selection(&mut qb, "en.program_id", selection, scope);
            qb.push(" GROUP BY en.program_id");
            let funnel: Vec<FunnelRow> = fetch_rows(pool, &mut qb).await?;

            // Reaction is the program's, over every respondent (see `Reaction`).
            let mut qb = QueryBuilder::new(
                "SELECT p.id, \
                 (SELECT COUNT(*) FROM survey_responses r JOIN surveys sv ON sv.id = r.survey_id \
                   JOIN training_sessions s ON s.id = sv.session_id WHERE s.program_id = p.id), \
                 (SELECT COUNT(*) FROM surveys sv JOIN training_sessions s ON s.id = sv.session_id \
                   JOIN attendance a ON a.session_id = sv.session_id AND a.status IN ('present', 'late') WHERE s.program_id = p.id), \
                 (SELECT COUNT(sa.rating) FROM survey_answers sa JOIN survey_responses r ON r.id = sa.response_id \
                   JOIN surveys sv ON sv.id = r.survey_id JOIN training_sessions s ON s.id = sv.session_id WHERE s.program_id = p.id), \
                 CAST(COALESCE((SELECT SUM(sa.rating) FROM survey_answers sa JOIN survey_responses r ON r.id = sa.response_id \
                   JOIN surveys sv ON sv.id = r.survey_id JOIN training_sessions s ON s.id = sv.session_id WHERE s.program_id = p.id), 0) AS DOUBLE PRECISION) \
                 FROM programs p WHERE 1=1",
            );
            push_selection(&mut qb, "p.id", selection, scope);
            let reaction: Vec<ReactionRow> = fetch_rows(pool, &mut qb).await?;

            let mut qb = QueryBuilder::new("");
            push_pairs(&mut qb, selection, scope);
            qb.push(
                "SELECT pairs.program_id, COUNT(*), CAST(SUM(pairs.pre_pct) AS DOUBLE PRECISION), CAST(SUM(pairs.post_pct) AS DOUBLE PRECISION) \
                 FROM pairs JOIN employees e ON e.id = pairs.employee_id JOIN departments d ON d.id = e.department_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" GROUP BY pairs.program_id");
            let pairs: Vec<PairRow> = fetch_rows(pool, &mut qb).await?;

            let mut qb = QueryBuilder::new(
                "SELECT x.program_id, COUNT(DISTINCT xa.employee_id), \
                 COUNT(DISTINCT CASE WHEN xa.passed = TRUE THEN xa.employee_id END) \
                 FROM exam_attempts xa JOIN exams x ON x.id = xa.exam_id JOIN employees e ON e.id = xa.employee_id \
                 JOIN departments d ON d.id = e.department_id WHERE x.purpose = 'post_test' AND xa.status = 'graded' AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            push_selection(&mut qb, "x.program_id", selection, scope);
            qb.push(" GROUP BY x.program_id");
            let passes: Vec<PassRow> = fetch_rows(pool, &mut qb).await?;

            // Per learner first (their raters' mean), then per program and checkpoint.
            let mut qb = QueryBuilder::new(
                "SELECT lr.program_id, lr.checkpoint_days, CAST(SUM(lr.n) AS BIGINT), CAST(SUM(lr.total) AS DOUBLE PRECISION), COUNT(*), \
                 SUM(CASE WHEN lr.total >= lr.n * ",
            );
            qb.push(domain::evaluation::BEHAVIOR_CHANGED_FROM.to_string()).push(
                " THEN 1 ELSE 0 END) FROM (SELECT r.program_id, r.checkpoint_days, r.employee_id, COUNT(r.rating) AS n, \
                 CAST(SUM(r.rating) AS DOUBLE PRECISION) AS total FROM behavior_ratings r JOIN employees e ON e.id = r.employee_id \
                 JOIN departments d ON d.id = e.department_id WHERE r.rating IS NOT NULL AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            push_selection(&mut qb, "r.program_id", selection, scope);
            qb.push(" GROUP BY r.program_id, r.checkpoint_days, r.employee_id) lr GROUP BY lr.program_id, lr.checkpoint_days");
            let ratings: Vec<RatingRow> = fetch_rows(pool, &mut qb).await?;

            let mut qb = QueryBuilder::new(
                "SELECT t.program_id, COUNT(*), SUM(CASE WHEN t.status = 'reviewed' THEN 1 ELSE 0 END) \
                 FROM practice_tasks t JOIN employees e ON e.id = t.employee_id JOIN departments d ON d.id = e.department_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            push_selection(&mut qb, "t.program_id", selection, scope);
            qb.push(" GROUP BY t.program_id");
            let tasks: Vec<TaskRow> = fetch_rows(pool, &mut qb).await?;
            (funnel, reaction, pairs, passes, ratings, tasks)
        });
        let mut levels = Levels::default();
        for (id, enrolled, attended, completed, passed, accepted, changed) in funnel {
            levels.funnel.insert(
                id,
                Funnel {
                    enrolled,
                    attended,
                    completed,
                    passed_post_test: passed,
                    practice_accepted: accepted,
                    behavior_changed: changed,
                },
            );
        }
        for (id, responses, invited, ratings, rating_sum) in reaction {
            levels.reaction.insert(
                id,
                Reaction {
                    responses,
                    invited,
                    ratings,
                    rating_sum,
                },
            );
        }
        for (id, n, pre, post) in pairs {
            let l = levels.learning.entry(id).or_default();
            l.n_paired = n;
            l.pre_sum = pre;
            l.post_sum = post;
        }
        for (id, takers, passed) in passes {
            let l = levels.learning.entry(id).or_default();
            l.post_takers = takers;
            l.post_passed = passed;
        }
        for (id, days, n, sum, learners, changed) in ratings {
            let b = levels.behavior.entry(id).or_default();
            if days == 30 {
                b.rated_30 = n;
                b.sum_30 = sum;
            } else {
                b.rated_90 = n;
                b.sum_90 = sum;
                b.learners_rated_90 = learners;
                b.learners_changed = changed;
            }
        }
        for (id, n, accepted) in tasks {
            let b = levels.behavior.entry(id).or_default();
            b.tasks = n;
            b.tasks_accepted = accepted;
        }
        Ok(levels)
    }
}

/// The level of the latest assessment of `e` in `ps`'s skill on or before `day`.
fn push_latest_level<'a, DB>(qb: &mut QueryBuilder<'a, DB>, day: Date)
where
    DB: sqlx::Database,
    Date: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push("(SELECT a.level FROM assessments a WHERE a.employee_id = e.id AND a.skill_id = ps.skill_id AND a.assessed_on <= ")
        .push_bind(day)
        .push(" ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1)");
}

/// The same day `months` months earlier (the month's last day when it is shorter).
fn months_before(day: Date, months: u8) -> Date {
    let mut year = day.year();
    let mut month = u8::from(day.month()) as i32 - months as i32;
    while month < 1 {
        month += 12;
        year -= 1;
    }
    let month = Month::try_from(month as u8).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, day.day().min(last)).unwrap_or(day)
}

/// The evaluation port: every query and change of this context.
pub trait EvaluationRepository {
    /// Levels 1–3 and the funnel of the programs matching `filter` in `scope`, the
    /// latest first; one page of them, or all when `page` is `None`.
    fn evaluate_programs(
        &self,
        filter: &EvaluationFilter,
        scope: &DataScope,
        page: Option<Page>,
    ) -> impl std::future::Future<Output = DomainResult<Paged<ProgramEvaluation>>> + Send;

    /// One program's levels 1–3; `None` when it does not exist or has no learner in
    /// a partial scope.
    fn evaluate_program(
        &self,
        program_id: i64,
        scope: &DataScope,
        utc_offset: UtcOffset,
    ) -> impl std::future::Future<Output = DomainResult<Option<ProgramEvaluation>>> + Send;

    /// Levels 1–3 rolled up per instructor, vendor or resource over the programs
    /// matching `filter`: an instructor's programs are those they teach a session of
    /// or are named on; a vendor's, those of its external instructors and resources;
    /// a resource's, the programs using it.
    fn levels_by(
        &self,
        by: EfficiencyBy,
        programs: &[ProgramEvaluation],
    ) -> impl std::future::Future<Output = DomainResult<Vec<LevelsRollup>>> + Send;

    /// The resource efficiency index per instructor, vendor or resource over the held
    /// sessions (up to `now`) of the programs matching `filter`, with levels 1–3 of
    /// each subject's programs.
    fn efficiency(
        &self,
        by: EfficiencyBy,
        filter: &EvaluationFilter,
        scope: &DataScope,
        now: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<EfficiencyReport>> + Send;

    // ----- coverage -----------------------------------------------------------------

    /// Each position's required skills in `scope`: holders meeting the level by their
    /// latest assessment, today and [`COVERAGE_LOOKBACK_MONTHS`] months ago (holders
    /// then: today's active holders hired by that day or of unknown hire date).
    fn coverage_changes(
        &self,
        scope: &DataScope,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<Vec<CoverageChange>>> + Send;

    /// Who in `scope` completed a program this year (by `today`, company time), and
    /// the required-skill coverage of the positions' holders today.
    fn coverage(
        &self,
        scope: &DataScope,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<Coverage>> + Send;

    /// Learners in `scope` who completed a program and whose best post-test score
    /// (the lowest over the program's skills) is below [`COACHING_BELOW_PCT`], the
    /// latest completion first, with their coaching task once it exists.
    fn coaching_alerts(
        &self,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<Vec<CoachingAlert>>> + Send;

    /// Creates one coaching practice task per low post-test alert in `scope` that has
    /// none yet: the learner's manager mentors, the learner reports, due in 30 days.
    /// Running it again creates nothing new. Each task is audited.
    fn create_coaching_tasks(
        &self,
        scope: &DataScope,
        today: Date,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<CoachingOutcome>> + Send;
}

impl EvaluationRepository for crate::Store {
    /// Levels 1–3 and the funnel of the programs matching `filter` in `scope`, the
    /// latest first; one page of them, or all when `page` is `None`.
    async fn evaluate_programs(
        &self,
        filter: &EvaluationFilter,
        scope: &DataScope,
        page: Option<Page>,
    ) -> DomainResult<Paged<ProgramEvaluation>> {
        let (rows, total): (Vec<ProgramRow>, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("SELECT * FROM ({PROGRAM_SELECT}"));
            push_filter(&mut qb, filter, scope);
            // Latest delivery first; programs without sessions last.
            qb.push(") x ORDER BY CASE WHEN x.last_session IS NULL THEN 1 ELSE 0 END, x.last_session DESC, x.code");
            if let Some(page) = page {
                qb.push(" LIMIT ")
                    .push_bind(i64::from(page.per_page))
                    .push(" OFFSET ")
                    .push_bind(page.offset());
            }
            let rows: Vec<ProgramRow> = fetch_rows(pool, &mut qb).await?;
            let total = if page.is_some() {
                let mut count = QueryBuilder::new(
                    "SELECT COUNT(*) FROM programs p LEFT JOIN plans pl ON pl.id = p.plan_id WHERE 1=1",
                );
                push_filter(&mut count, filter, scope);
                count
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?
            } else {
                rows.len() as i64
            };
            (rows, total)
        });
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let levels = if ids.is_empty() {
            Levels::default()
        } else if page.is_some() {
            self.levels(Selection::Ids(&ids), scope).await?
        } else {
            self.levels(Selection::Filter(filter), scope).await?
        };
        let offset = filter.offset();
        let items = rows
            .into_iter()
            .map(|(id, code, title, status, plan_code, first, last)| {
                Ok(ProgramEvaluation {
                    program_id: id,
                    code,
                    title,
                    status: ProgramStatus::parse(&status)?,
                    plan_code,
                    first_session: first.map(|t| local_day(t, offset)),
                    last_session: last.map(|t| local_day(t, offset)),
                    funnel: levels.funnel.get(&id).copied().unwrap_or_default(),
                    reaction: levels.reaction.get(&id).copied().unwrap_or_default(),
                    learning: levels.learning.get(&id).copied().unwrap_or_default(),
                    behavior: levels.behavior.get(&id).copied().unwrap_or_default(),
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        let (page_no, per_page) = match page {
            Some(p) => (p.page, p.per_page),
            None => (1, total.max(1) as u32),
        };
        Ok(Paged {
            items,
            total,
            page: page_no,
            per_page,
        })
    }

    /// One program's levels 1–3; `None` when it does not exist or has no learner in
    /// a partial scope.
    async fn evaluate_program(
        &self,
        program_id: i64,
        scope: &DataScope,
        utc_offset: UtcOffset,
    ) -> DomainResult<Option<ProgramEvaluation>> {
        let row: Option<ProgramRow> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(PROGRAM_SELECT);
            qb.push(" AND p.id = ").push_bind(program_id);
            push_program_scope(&mut qb, scope);
            qb.build_query_as()
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        let Some((id, code, title, status, plan_code, first, last)) = row else {
            return Ok(None);
        };
        let levels = self.levels(Selection::Ids(&[id]), scope).await?;
        Ok(Some(ProgramEvaluation {
            program_id: id,
            code,
            title,
            status: ProgramStatus::parse(&status)?,
            plan_code,
            first_session: first.map(|t| local_day(t, utc_offset)),
            last_session: last.map(|t| local_day(t, utc_offset)),
            funnel: levels.funnel.get(&id).copied().unwrap_or_default(),
            reaction: levels.reaction.get(&id).copied().unwrap_or_default(),
            learning: levels.learning.get(&id).copied().unwrap_or_default(),
            behavior: levels.behavior.get(&id).copied().unwrap_or_default(),
        }))
    }

    /// Levels 1–3 rolled up per instructor, vendor or resource over the programs
    /// matching `filter`: an instructor's programs are those they teach a session of
    /// or are named on; a vendor's, those of its external instructors and resources;
    /// a resource's, the programs using it.
    async fn levels_by(
        &self,
        by: EfficiencyBy,
        programs: &[ProgramEvaluation],
    ) -> DomainResult<Vec<LevelsRollup>> {
        let rows: Vec<SubjectRow> = on_pool!(self, |pool| {
            let mut out: Vec<SubjectRow> = Vec::new();
            if matches!(by, EfficiencyBy::Instructor | EfficiencyBy::Vendor) {
                out.extend(sqlx::query_as::<_, SubjectRow>(
                    "SELECT DISTINCT x.program_id, i.code, i.name, i.origin, i.vendor FROM \
                     (SELECT s.program_id, si.instructor_id FROM training_session_instructors si JOIN training_sessions s ON s.id = si.session_id \
                      UNION SELECT pi.program_id, pi.instructor_id FROM program_instructors pi) x JOIN instructors i ON i.id = x.instructor_id",
                ).fetch_all(pool).await.map_err(db_error)?);
            }
            if matches!(by, EfficiencyBy::Resource | EfficiencyBy::Vendor) {
                out.extend(sqlx::query_as::<_, SubjectRow>(
                    "SELECT pr.program_id, r.code, r.title, r.origin, r.vendor FROM program_resources pr JOIN resources r ON r.id = pr.resource_id",
                ).fetch_all(pool).await.map_err(db_error)?);
            }
            out
        });
        let by_id: HashMap<i64, &ProgramEvaluation> =
            programs.iter().map(|p| (p.program_id, p)).collect();
        let mut rollups: HashMap<String, (LevelsRollup, Vec<i64>)> = HashMap::new();
        for (program, key, label, _origin, vendor) in rows {
            let Some(p) = by_id.get(&program) else {
                continue;
            };
            let (key, label) = match by {
                EfficiencyBy::Vendor => match vendor.filter(|v| !v.trim().is_empty()) {
                    Some(v) => (v.clone(), v),
                    None => continue,
                },
                _ => (key, label),
            };
            let entry = rollups
                .entry(key.clone())
                .or_insert_with(|| (LevelsRollup::new(key, label), Vec::new()));
            if !entry.1.contains(&program) {
                entry.1.push(program);
                entry.0.add(p);
            }
        }
        let mut out: Vec<LevelsRollup> = rollups.into_values().map(|(r, _)| r).collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// The resource efficiency index per instructor, vendor or resource over the held
    /// sessions (up to `now`) of the programs matching `filter`, with levels 1–3 of
    /// each subject's programs.
    async fn efficiency(
        &self,
        by: EfficiencyBy,
        filter: &EvaluationFilter,
        scope: &DataScope,
        now: OffsetDateTime,
    ) -> DomainResult<EfficiencyReport> {
        let offset = filter.offset();
        type SessionRow = (i64, i64, DbTime, DbTime, i64, f64, f64);
        let (sessions, links): (Vec<SessionRow>, Vec<SubjectRow>) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new("");
            push_pairs(&mut qb, Selection::Filter(filter), scope);
            qb.push(
                ", learner AS (SELECT program_id, employee_id, AVG(pre_pct) AS pre_pct, AVG(post_pct) AS post_pct \
                   FROM pairs GROUP BY program_id, employee_id), \
                 measured AS (SELECT a.session_id, COUNT(*) AS n, SUM(l.pre_pct) AS pre_sum, SUM(l.post_pct) AS post_sum \
                   FROM attendance a JOIN training_sessions ms ON ms.id = a.session_id \
                   JOIN learner l ON l.program_id = ms.program_id AND l.employee_id = a.employee_id \
                   JOIN employees e ON e.id = a.employee_id JOIN departments d ON d.id = e.department_id \
                   WHERE a.status IN ('present', 'late') AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(
                " GROUP BY a.session_id) \
                 SELECT s.id, s.program_id, s.starts_at, s.ends_at, COALESCE(m.n, 0), \
                   CAST(COALESCE(m.pre_sum, 0) AS DOUBLE PRECISION), CAST(COALESCE(m.post_sum, 0) AS DOUBLE PRECISION) \
                 FROM training_sessions s LEFT JOIN measured m ON m.session_id = s.id \
                 WHERE s.status = 'scheduled' AND s.starts_at <= ",
            );
            qb.push_bind(DbTime(now));
            push_selection(&mut qb, "s.program_id", Selection::Filter(filter), scope);
            let sessions: Vec<SessionRow> = fetch_rows(pool, &mut qb).await?;
            let mut links: Vec<SubjectRow> = Vec::new();
            if matches!(by, EfficiencyBy::Instructor | EfficiencyBy::Vendor) {
                links.extend(sqlx::query_as::<_, SubjectRow>(
                    "SELECT si.session_id, i.code, i.name, i.origin, i.vendor FROM training_session_instructors si \
                     JOIN instructors i ON i.id = si.instructor_id",
                ).fetch_all(pool).await.map_err(db_error)?);
            }
            if matches!(by, EfficiencyBy::Resource | EfficiencyBy::Vendor) {
                links.extend(sqlx::query_as::<_, SubjectRow>(
                    "SELECT s.id, r.code, r.title, r.origin, r.vendor FROM program_resources pr \
                     JOIN resources r ON r.id = pr.resource_id JOIN training_sessions s ON s.program_id = pr.program_id",
                ).fetch_all(pool).await.map_err(db_error)?);
            }
            (sessions, links)
        });
        let sessions: Vec<SessionGain> = sessions
            .into_iter()
            .map(|(id, program, starts, ends, n, pre, post)| SessionGain {
                session_id: id,
                program_id: program,
                day: local_day(starts, offset),
                hours: (ends.0 - starts.0).as_seconds_f64().max(0.0) / 3600.0,
                learners: n,
                pre_sum: pre,
                post_sum: post,
            })
            .collect();
        let held: std::collections::HashSet<i64> = sessions.iter().map(|s| s.session_id).collect();
        let mut subjects: Vec<EfficiencySubject> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for (session, key, label, origin, vendor) in links {
            if !held.contains(&session) {
                continue;
            }
            let (key, label, detail) = match by {
                EfficiencyBy::Vendor => match vendor.filter(|v| !v.trim().is_empty()) {
                    Some(v) => (v.clone(), v, String::new()),
                    None => continue,
                },
                _ => {
                    let detail = match vendor.filter(|v| !v.trim().is_empty()) {
                        Some(v) => format!("{origin} · {v}"),
                        None => origin,
                    };
                    (key, label, detail)
                }
            };
            let i = *at.entry(key.clone()).or_insert_with(|| {
                subjects.push(EfficiencySubject {
                    key,
                    label,
                    detail,
                    sessions: Vec::new(),
                });
                subjects.len() - 1
            });
            subjects[i].sessions.push(session);
        }
        let mut report = efficiency_report(by, &sessions, subjects);
        let programs = self.evaluate_programs(filter, scope, None).await?.items;
        let levels: HashMap<String, LevelsRollup> = self
            .levels_by(by, &programs)
            .await?
            .into_iter()
            .map(|l| (l.key.clone(), l))
            .collect();
        for row in &mut report.rows {
            if let Some(l) = levels.get(&row.key) {
                row.levels = l.clone();
            }
        }
        Ok(report)
    }

    // ----- coverage -----------------------------------------------------------------

    /// Each position's required skills in `scope`: holders meeting the level by their
    /// latest assessment, today and [`COVERAGE_LOOKBACK_MONTHS`] months ago (holders
    /// then: today's active holders hired by that day or of unknown hire date).
    async fn coverage_changes(
        &self,
        scope: &DataScope,
        today: Date,
    ) -> DomainResult<Vec<CoverageChange>> {
        let then = months_before(today, COVERAGE_LOOKBACK_MONTHS);
        type Row = (i64, String, String, String, String, i32, i64, i64, i64, i64);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT ps.position_id, pos.code, pos.name, sk.code, sk.name, ps.required_level, COUNT(*), SUM(CASE WHEN ",
            );
            push_latest_level(&mut qb, today);
            qb.push(" >= ps.required_level THEN 1 ELSE 0 END), SUM(CASE WHEN e.hire_date IS NULL OR e.hire_date <= ")
                .push_bind(then)
                .push(" THEN 1 ELSE 0 END), SUM(CASE WHEN (e.hire_date IS NULL OR e.hire_date <= ")
                .push_bind(then)
                .push(") AND ");
            push_latest_level(&mut qb, then);
            qb.push(
                " >= ps.required_level THEN 1 ELSE 0 END) \
                 FROM position_skills ps JOIN positions pos ON pos.id = ps.position_id JOIN skills sk ON sk.id = ps.skill_id \
                 JOIN employees e ON e.position_id = ps.position_id AND e.status = 'active' \
                 JOIN departments d ON d.id = e.department_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" GROUP BY ps.position_id, pos.code, pos.name, sk.code, sk.name, ps.required_level ORDER BY pos.code, sk.code");
            fetch_rows(pool, &mut qb).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| CoverageChange {
                position_id: r.0,
                position_code: r.1,
                position_name: r.2,
                skill_code: r.3,
                skill_name: r.4,
                required_level: r.5,
                people_now: r.6,
                meeting_now: r.7,
                people_then: r.8,
                meeting_then: r.9,
            })
            .collect())
    }
    /// Who in `scope` completed a program this year (by `today`, company time), and
    /// the required-skill coverage of the positions' holders today.
    async fn coverage(&self, scope: &DataScope, today: Date) -> DomainResult<Coverage> {
        let jan1 = Date::from_calendar_date(today.year(), Month::January, 1).unwrap_or(today);
        let (employees, trained): (i64, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM enrollments en WHERE en.employee_id = e.id \
                 AND en.status = 'completed' AND en.completed_on >= ",
            );
            qb.push_bind(jan1).push(" AND en.completed_on <= ").push_bind(today).push(
                ") THEN 1 ELSE 0 END), 0) FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status = 'active' AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.build_query_as()
                .fetch_one(pool)
                .await
                .map_err(db_error)?
        });
        let changes = self.coverage_changes(scope, today).await?;
        Ok(Coverage {
            year: today.year(),
            employees,
            trained,
            required: changes.iter().map(|c| c.people_now).sum(),
            required_met: changes.iter().map(|c| c.meeting_now).sum(),
        })
    }

    /// Learners in `scope` who completed a program and whose best post-test score
    /// (the lowest over the program's skills) is below [`COACHING_BELOW_PCT`], the
    /// latest completion first, with their coaching task once it exists.
    async fn coaching_alerts(&self, scope: &DataScope) -> DomainResult<Vec<CoachingAlert>> {
        type Row = (
            i64,
            String,
            String,
            i64,
            String,
            String,
            String,
            f64,
            Option<Date>,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!(
                "WITH best AS (SELECT x.program_id, xa.employee_id, x.skill_id, MAX(xa.score_pct) AS pct \
                   FROM exam_attempts xa JOIN exams x ON x.id = xa.exam_id \
                   WHERE x.purpose = 'post_test' AND xa.status = 'graded' AND xa.score_pct IS NOT NULL AND x.program_id IS NOT NULL \
                   GROUP BY x.program_id, xa.employee_id, x.skill_id), \
                 low AS (SELECT program_id, employee_id, MIN(pct) AS pct FROM best GROUP BY program_id, employee_id) \
                 SELECT p.id, p.code, p.title, e.id, e.employee_no, e.name, d.name, CAST(low.pct AS DOUBLE PRECISION), en.completed_on, \
                   {MANAGER_OF_E}, (SELECT m.name FROM employees m WHERE m.id = {MANAGER_OF_E}), \
                   (SELECT MIN(t.id) FROM practice_tasks t WHERE t.program_id = p.id AND t.employee_id = e.id AND t.title LIKE "
            ));
            qb.push_bind(format!("{COACHING_TITLE_PREFIX}%"))
                .push(
                    ") FROM low JOIN enrollments en ON en.program_id = low.program_id AND en.employee_id = low.employee_id \
                     AND en.status = 'completed' JOIN programs p ON p.id = low.program_id JOIN employees e ON e.id = low.employee_id \
                     JOIN departments d ON d.id = e.department_id LEFT JOIN departments pd ON pd.id = d.parent_id WHERE low.pct < ",
                )
                .push_bind(COACHING_BELOW_PCT)
                .push(" AND ");
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" ORDER BY en.completed_on DESC, p.code, e.employee_no");
            fetch_rows(pool, &mut qb).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| CoachingAlert {
                program_id: r.0,
                program_code: r.1,
                program_title: r.2,
                employee_id: r.3,
                employee_number: r.4,
                employee_name: r.5,
                department_name: r.6,
                post_test_pct: r.7,
                completed_on: r.8,
                manager_id: r.9,
                manager_name: r.10,
                coaching_task_id: r.11,
            })
            .collect())
    }

    /// Creates one coaching practice task per low post-test alert in `scope` that has
    /// none yet: the learner's manager mentors, the learner reports, due in 30 days.
    /// Running it again creates nothing new. Each task is audited.
    async fn create_coaching_tasks(
        &self,
        scope: &DataScope,
        today: Date,
        actor: &Actor,
    ) -> DomainResult<CoachingOutcome> {
        let alerts = self.coaching_alerts(scope).await?;
        let mut outcome = CoachingOutcome::default();
        let now = DbTime(OffsetDateTime::now_utc());
        let due = today + Duration::days(30);
        let pattern = format!("{COACHING_TITLE_PREFIX}%");
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            for alert in &alerts {
                if alert.coaching_task_id.is_some() {
                    outcome.existing += 1;
                    continue;
                }
                let Some(mentor) = alert.manager_id.filter(|m| *m != alert.employee_id) else {
                    outcome.without_manager.push(alert.employee_number.clone());
                    continue;
                };
                let title = format!("{COACHING_TITLE_PREFIX}{}", alert.program_title);
                let pct = alert.post_test_pct;
                let description = format!(
                    "训后测试成绩 {pct:.0}%，低于 {COACHING_BELOW_PCT:.0}%。请与学员一起回顾薄弱知识点，商定改进计划并跟踪落实。\n\
                     Post-test score {pct:.0}%, below {COACHING_BELOW_PCT:.0}%: review the weak points with the learner, agree an improvement plan and follow it up."
                );
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO practice_tasks (program_id, employee_id, mentor_id, title, description, due_on, status, assigned_by, created_at, updated_at) \
                     SELECT $1, $2, $3, $4, $5, $6, 'assigned', $7, $8, $8 WHERE NOT EXISTS (SELECT 1 FROM practice_tasks t \
                       WHERE t.program_id = $1 AND t.employee_id = $2 AND t.title LIKE $9) RETURNING id",
                )
                .bind(alert.program_id).bind(alert.employee_id).bind(mentor).bind(&title).bind(&description)
                .bind(due).bind(actor.user_id).bind(now).bind(&pattern)
                .fetch_optional(&mut *tx).await.map_err(db_error)?;
                let Some(id) = id else {
                    outcome.existing += 1;
                    continue;
                };
                outcome.created += 1;
                let after = serde_json::json!({
                    "program_id": alert.program_id,
                    "employee_id": alert.employee_id,
                    "mentor_id": mentor,
                    "post_test_pct": pct,
                    "due_on": due.to_string(),
                })
                .to_string();
                append_in!(
                    tx,
                    &actor
                        .entry("evaluation.coaching_task", "practice_task")
                        .entity(id)
                        .change(None, Some(after))
                );
            }
            tx.commit().await.map_err(db_error)?;
        });
        Ok(outcome)
    }
}
