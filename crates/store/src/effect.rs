//! Level 4 of value proof: KPI windows around each trained person's completion month,
//! aggregated in SQL into per-person sums, and the program's costs for ROI.

use crate::audit::write_audited;
use crate::{DbTime, db_error, on_pool};
use analytics::effect::{Segment, Unit, Window};
use domain::audit::Actor;
use domain::effect::{EffectRun, ProgramCost, StratifyBy, month_index};
use domain::{DomainError, DomainResult};
use std::collections::{BTreeSet, HashMap};
use time::{Date, OffsetDateTime};

/// One row per person and month: the business system's figure where there is one, else
/// an imported one, else HR's. Each source is read on its own so that the common case,
/// business figures only, is a plain range read (the priority is checked only for the
/// few other figures, through `kpi_values_secondary`). Yields `employee_id`, `period`
/// (any label between `$2` and `$3`; callers keep the monthly ones) and `y`. `people`
/// is an SQL condition on `kv.employee_id` that limits the scan.
fn cells(people: &str) -> String {
    let branch = |source: &str, better: &str| {
        let not_overridden = if better.is_empty() {
            String::new()
        } else {
            format!(
                " AND kv.source <> 'business' AND NOT EXISTS (SELECT 1 FROM kpi_values b \
                   WHERE b.kpi_id = kv.kpi_id AND b.employee_id = kv.employee_id \
                   AND b.period = kv.period AND b.source IN ({better}))"
            )
        };
        format!(
            "SELECT kv.employee_id, kv.period, kv.value AS y FROM kpi_values kv \
             WHERE kv.kpi_id = $1 AND kv.source = '{source}' AND kv.employee_id IS NOT NULL \
               AND kv.period >= $2 AND kv.period <= $3 AND {people}{not_overridden}"
        )
    };
    format!(
        "{} UNION ALL {} UNION ALL {}",
        branch("business", ""),
        branch("import", "'business'"),
        branch("hr", "'business', 'import'")
    )
}

/// `(period, anchor, seg, tf)` rows for an SQL `VALUES` list: every month of every
/// anchor's window but the anchor itself, with its segment (0 early pre-period, 1 late
/// pre-period, 2 post-period) and its month relative to the anchor.
fn window_months(anchors: &BTreeSet<i32>, pre: i32, post: i32, placebo: i32) -> String {
    let mut rows = Vec::new();
    for &anchor in anchors {
        for t in (-pre..=post).filter(|&t| t != 0) {
            let segment = if t < -placebo {
                0
            } else if t < 0 {
                1
            } else {
                2
            };
            // Labels and integers computed here, written inline so both engines type
            // the columns alike.
            rows.push(format!(
                "('{}', {anchor}, {segment}, CAST({t} AS DOUBLE PRECISION))",
                domain::effect::month_label(anchor + t)
            ));
        }
    }
    rows.join(", ")
}

/// Ids from the database as an SQL list (`3, 5, 8`), written inline.
fn id_list<'a>(ids: impl Iterator<Item = &'a i64>) -> String {
    ids.map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// One enrollment in the program: (employee, status, completed on, started on,
/// department, position or 0).
type Taker = (i64, String, Option<Date>, Option<Date>, i64, i64);

/// The people a program's effect is estimated over.
#[derive(Debug, Clone, Default)]
pub struct EffectPanel {
    /// Each person who completed, at their completion month; a person without KPI
    /// values in the window has an empty window (the estimator counts them missing).
    pub trained: Vec<Unit>,
    /// Everyone else with KPI values, once per distinct anchor month, unless they had
    /// started this program, or another aimed at the same KPI, by the end of that
    /// anchor's post-period.
    pub candidates: Vec<Unit>,
}

#[derive(sqlx::FromRow)]
struct WindowRow {
    employee_id: i64,
    anchor_month: i64,
    department_id: i64,
    position_id: i64,
    e_n: i64,
    e_y: f64,
    e_t: f64,
    e_tt: f64,
    e_ty: f64,
    l_n: i64,
    l_y: f64,
    l_t: f64,
    l_tt: f64,
    l_ty: f64,
    p_n: i64,
    p_y: f64,
    p_t: f64,
    p_tt: f64,
    p_ty: f64,
}

fn segment(n: i64, y: f64, t: f64, tt: f64, ty: f64) -> Segment {
    Segment {
        n: n.max(0) as u32,
        sum_y: y,
        sum_t: t,
        sum_tt: tt,
        sum_ty: ty,
    }
}

/// The sums of one segment of the window (see [`window_months`]).
fn sums(prefix: &str, segment: u8) -> String {
    let cond = format!("w.seg = {segment}");
    format!(
        "SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {prefix}_n, \
         SUM(CASE WHEN {cond} THEN w.y ELSE 0.0 END) AS {prefix}_y, \
         SUM(CASE WHEN {cond} THEN w.tf ELSE 0.0 END) AS {prefix}_t, \
         SUM(CASE WHEN {cond} THEN w.tf * w.tf ELSE 0.0 END) AS {prefix}_tt, \
         SUM(CASE WHEN {cond} THEN w.tf * w.y ELSE 0.0 END) AS {prefix}_ty"
    )
}

/// The kpi effect port: every query and change of this context.
pub trait EffectRepository {
    /// The KPI windows of a program's trained people and of everyone comparable.
    /// The heavy part, one pass over the KPI's values in the windows, runs in SQL.
    fn effect_panel(
        &self,
        program_id: i64,
        kpi_id: i64,
        pre_months: u32,
        post_months: u32,
        placebo_months: u32,
        stratify: StratifyBy,
    ) -> impl std::future::Future<Output = DomainResult<EffectPanel>> + Send;

    /// Monthly values (month index, value) of a KPI for some people between two
    /// months, one per person and month as in [`Store::effect_panel`].
    fn kpi_months(
        &self,
        kpi_id: i64,
        people: &[i64],
        first: i32,
        last: i32,
    ) -> impl std::future::Future<Output = DomainResult<Vec<(i64, i32, f64)>>> + Send;

    /// The program's cost lines, per-head costs and its completers' time at their
    /// positions' hourly cost (`default_hourly_cost` where a position has none).
    fn program_cost(
        &self,
        program_id: i64,
        default_hourly_cost: f64,
    ) -> impl std::future::Future<Output = DomainResult<ProgramCost>> + Send;

    /// What one unit of a KPI is worth per person and month, when configured.
    fn kpi_unit_value(
        &self,
        kpi_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Option<f64>>> + Send;

    /// Sets what one unit of a KPI is worth (audited).
    fn set_kpi_unit_value(
        &self,
        kpi_id: i64,
        value: Option<f64>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Records an estimate so alerts and history can use it.
    #[allow(clippy::too_many_arguments)]
    fn record_effect_run(
        &self,
        program_id: i64,
        kpi_id: i64,
        pre_months: u32,
        post_months: u32,
        figures: (f64, f64, f64, usize, usize),
        result_json: &str,
        created_by: &str,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Closed (or historical) programs with a transfer goal KPI and people who completed:
    /// (program id, KPI id).
    fn programs_to_evaluate(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<(i64, i64)>>> + Send;

    /// The latest recorded estimate of each (program, KPI).
    fn latest_effect_runs(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<EffectRun>>> + Send;
}

impl EffectRepository for crate::Store {
    /// The KPI windows of a program's trained people and of everyone comparable.
    /// The heavy part, one pass over the KPI's values in the windows, runs in SQL.
    async fn effect_panel(
        &self,
        program_id: i64,
        kpi_id: i64,
        pre_months: u32,
        post_months: u32,
        placebo_months: u32,
        stratify: StratifyBy,
    ) -> DomainResult<EffectPanel> {
        let (pre, post, placebo) = (
            i32::try_from(pre_months).unwrap_or(36),
            i32::try_from(post_months).unwrap_or(36),
            i32::try_from(placebo_months).unwrap_or(1),
        );
        // Everyone who took the program, with the month they started (or completed).
        let takers: Vec<Taker> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, en.status, en.completed_on, en.started_on, e.department_id, COALESCE(e.position_id, 0) \
                 FROM enrollments en JOIN employees e ON e.id = en.employee_id \
                 WHERE en.program_id = $1 AND en.status <> 'cancelled'",
            )
            .bind(program_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        let stratum = |department: i64, position: i64| match stratify {
            StratifyBy::Position => position,
            StratifyBy::Department => department,
        };
        let mut trained_at: HashMap<i64, (i32, i64, i64)> = HashMap::new();
        // The month from which a person counts as treated (they started, or finished).
        let mut treated_from: HashMap<i64, i32> = HashMap::new();
        for (person, status, completed, started, department, position) in &takers {
            let from = started.or(*completed).map(month_index);
            treated_from.insert(*person, from.unwrap_or(i32::MIN));
            if status == "completed"
                && let Some(done) = completed
            {
                trained_at.insert(*person, (month_index(*done), *department, *position));
            }
        }
        if trained_at.is_empty() {
            return Ok(EffectPanel::default());
        }
        // People trained on the same KPI by another program (e.g. another cohort run
        // as its own program) are not untrained either, from when they started.
        let others: Vec<(i64, Option<Date>, Option<Date>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT en.employee_id, en.started_on, en.completed_on FROM enrollments en \
                 JOIN programs p ON p.id = en.program_id \
                 WHERE p.transfer_kpi_id = $1 AND p.id <> $2 AND en.status <> 'cancelled'",
            )
            .bind(kpi_id)
            .bind(program_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        for (person, started, completed) in others {
            if let Some(from) = started.or(completed).map(month_index) {
                let entry = treated_from.entry(person).or_insert(from);
                *entry = (*entry).min(from);
            }
        }
        let anchors: BTreeSet<i32> = trained_at.values().map(|(a, _, _)| *a).collect();
        let first = anchors.first().copied().unwrap_or(0) - pre;
        let last = anchors.last().copied().unwrap_or(0) + post;
        let from = domain::effect::month_label(first);
        let to = domain::effect::month_label(last);
        // Comparison people must share a trained person's stratum, so only the strata
        // of the trained are read (ids from the database, written inline).
        let strata: BTreeSet<i64> = trained_at
            .values()
            .map(|(_, department, position)| stratum(*department, *position))
            .collect();
        let stratum_condition = match stratify {
            StratifyBy::Position => {
                // 0 stands for "no position".
                let mut terms = Vec::new();
                let listed = id_list(strata.iter().filter(|&&id| id != 0));
                if !listed.is_empty() {
                    terms.push(format!("position_id IN ({listed})"));
                }
                if strata.contains(&0) {
                    terms.push("position_id IS NULL".to_string());
                }
                terms.join(" OR ")
            }
            StratifyBy::Department => format!("department_id IN ({})", id_list(strata.iter())),
        };
        let in_strata =
            format!("kv.employee_id IN (SELECT id FROM employees WHERE {stratum_condition})");
        // Each value joins the windows it falls in through the month list (a month is in
        // up to one window per anchor), and the sums per person and anchor come before
        // the employees join, which then touches one row per person and anchor.
        let sql = format!(
            "WITH months (period, anchor, seg, tf) AS (VALUES {}), cells AS ({}), \
             w AS (SELECT c.employee_id, mo.anchor, mo.seg, mo.tf, c.y FROM cells c \
                   JOIN months mo ON mo.period = c.period), \
             s AS (SELECT w.employee_id, w.anchor, {}, {}, {} FROM w GROUP BY w.employee_id, w.anchor) \
             SELECT s.*, CAST(s.anchor AS BIGINT) AS anchor_month, e.department_id, \
               COALESCE(e.position_id, 0) AS position_id \
             FROM s JOIN employees e ON e.id = s.employee_id",
            window_months(&anchors, pre, post, placebo),
            cells(&in_strata),
            sums("e", 0),
            sums("l", 1),
            sums("p", 2),
        );
        let rows: Vec<WindowRow> = match &self.pool {
            crate::Pool::Sqlite(pool) => sqlx::query_as::<_, WindowRow>(&sql)
                .bind(kpi_id)
                .bind(&from)
                .bind(&to)
                .fetch_all(pool)
                .await
                .map_err(db_error)?,
            crate::Pool::Postgres(pool) => {
                // The per-person-and-anchor sums are one hash table of a few hundred
                // bytes per row; at the default 4 MB PostgreSQL sorts millions of rows
                // on disk instead. Only this transaction gets the larger allowance.
                let mut tx = pool.begin().await.map_err(db_error)?;
                sqlx::query("SET LOCAL work_mem = '256MB'")
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                let rows = sqlx::query_as::<_, WindowRow>(&sql)
                    .bind(kpi_id)
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
                rows
            }
        };
        let mut panel = EffectPanel::default();
        let mut seen_trained: BTreeSet<i64> = BTreeSet::new();
        for row in rows {
            let anchor = i32::try_from(row.anchor_month)
                .map_err(|_| DomainError::internal("anchor month out of range"))?;
            let unit = Unit {
                person: row.employee_id,
                cluster: row.department_id,
                stratum: stratum(row.department_id, row.position_id),
                anchor,
                window: Window {
                    pre_early: segment(row.e_n, row.e_y, row.e_t, row.e_tt, row.e_ty),
                    pre_late: segment(row.l_n, row.l_y, row.l_t, row.l_tt, row.l_ty),
                    post: segment(row.p_n, row.p_y, row.p_t, row.p_tt, row.p_ty),
                },
            };
            if let Some((own, _, _)) = trained_at.get(&row.employee_id) {
                if *own == anchor {
                    seen_trained.insert(row.employee_id);
                    panel.trained.push(unit);
                }
                continue;
            }
            // Someone who took the program before this anchor's post-period ended is
            // not an untrained comparison for it.
            if treated_from
                .get(&row.employee_id)
                .is_some_and(|&from| from <= anchor + post)
            {
                continue;
            }
            panel.candidates.push(unit);
        }
        for (person, (anchor, department, position)) in &trained_at {
            if !seen_trained.contains(person) {
                panel.trained.push(Unit {
                    person: *person,
                    cluster: *department,
                    stratum: stratum(*department, *position),
                    anchor: *anchor,
                    window: Window::default(),
                });
            }
        }
        panel.trained.sort_by_key(|u| (u.anchor, u.person));
        panel.candidates.sort_by_key(|u| (u.anchor, u.person));
        Ok(panel)
    }

    /// Monthly values (month index, value) of a KPI for some people between two
    /// months, one per person and month as in [`Store::effect_panel`].
    async fn kpi_months(
        &self,
        kpi_id: i64,
        people: &[i64],
        first: i32,
        last: i32,
    ) -> DomainResult<Vec<(i64, i32, f64)>> {
        let from = domain::effect::month_label(first);
        let to = domain::effect::month_label(last);
        let mut out = Vec::new();
        for chunk in people.chunks(500) {
            let rows: Vec<(i64, String, f64)> = on_pool!(self, |pool| {
                // Ids are integers from the database, inlined to keep $1..$3 for the cells.
                let ids = id_list(chunk.iter());
                sqlx::query_as::<_, (i64, String, f64)>(&cells(&format!(
                    "kv.employee_id IN ({ids})"
                )))
                .bind(kpi_id)
                .bind(&from)
                .bind(&to)
                .fetch_all(pool)
                .await
                .map_err(db_error)?
            });
            out.extend(rows.into_iter().filter_map(|(person, period, y)| {
                Some((person, domain::effect::label_month(&period)?, y))
            }));
        }
        Ok(out)
    }

    /// The program's cost lines, per-head costs and its completers' time at their
    /// positions' hourly cost (`default_hourly_cost` where a position has none).
    async fn program_cost(
        &self,
        program_id: i64,
        default_hourly_cost: f64,
    ) -> DomainResult<ProgramCost> {
        on_pool!(self, |pool| {
            let cost_lines: f64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(amount), 0.0) FROM program_costs WHERE program_id = $1",
            )
            .bind(program_id)
            .fetch_one(pool)
            .await
            .map_err(db_error)?;
            let (participants, per_head, hours, time_cost, defaulted): (i64, f64, f64, f64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(COALESCE(en.cost_per_head, 0.0)), 0.0), \
                   COALESCE(SUM(COALESCE(en.hours, p.hours)), 0.0), \
                   COALESCE(SUM(COALESCE(en.hours, p.hours) * COALESCE(pos.hourly_cost, $2)), 0.0), \
                   COALESCE(SUM(CASE WHEN pos.hourly_cost IS NULL THEN 1 ELSE 0 END), 0) \
                 FROM enrollments en JOIN programs p ON p.id = en.program_id \
                 JOIN employees e ON e.id = en.employee_id \
                 LEFT JOIN positions pos ON pos.id = e.position_id \
                 WHERE en.program_id = $1 AND en.status = 'completed'",
            )
            .bind(program_id)
            .bind(default_hourly_cost)
            .fetch_one(pool)
            .await
            .map_err(db_error)?;
            Ok(ProgramCost {
                cost_lines,
                per_head,
                participants,
                participant_hours: hours,
                participant_time_cost: time_cost,
                default_cost_used_for: defaulted,
            })
        })
    }

    /// What one unit of a KPI is worth per person and month, when configured.
    async fn kpi_unit_value(&self, kpi_id: i64) -> DomainResult<Option<f64>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<f64>>("SELECT unit_value FROM kpis WHERE id = $1")
                .bind(kpi_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
                .ok_or(DomainError::NotFound { entity: "KPI" })
        })
    }

    /// Sets what one unit of a KPI is worth (audited).
    async fn set_kpi_unit_value(
        &self,
        kpi_id: i64,
        value: Option<f64>,
        actor: &Actor,
    ) -> DomainResult<()> {
        if let Some(v) = value
            && (!v.is_finite() || v < 0.0)
        {
            return Err(DomainError::invalid(
                "unit_value",
                "must be a number of yuan, 0 or more",
            ));
        }
        let before = self.kpi_unit_value(kpi_id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(
                tx,
                sqlx::query("UPDATE kpis SET unit_value = $1, updated_at = $2 WHERE id = $3")
                    .bind(value)
                    .bind(DbTime(OffsetDateTime::now_utc()))
                    .bind(kpi_id),
                &actor.entry("kpi.unit_value", "kpi").entity(kpi_id).change(
                    Some(serde_json::json!({ "unit_value": before }).to_string()),
                    Some(serde_json::json!({ "unit_value": value }).to_string()),
                )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Records an estimate so alerts and history can use it.
    #[allow(clippy::too_many_arguments)]
    async fn record_effect_run(
        &self,
        program_id: i64,
        kpi_id: i64,
        pre_months: u32,
        post_months: u32,
        figures: (f64, f64, f64, usize, usize),
        result_json: &str,
        created_by: &str,
    ) -> DomainResult<i64> {
        let (effect, ci_low, ci_high, n_trained, n_comparison) = figures;
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO effect_runs (program_id, kpi_id, pre_months, post_months, effect, ci_low, ci_high, \
                   n_trained, n_comparison, result, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(program_id)
            .bind(kpi_id)
            .bind(pre_months as i32)
            .bind(post_months as i32)
            .bind(effect)
            .bind(ci_low)
            .bind(ci_high)
            .bind(n_trained as i32)
            .bind(n_comparison as i32)
            .bind(result_json)
            .bind(created_by)
            .bind(DbTime(OffsetDateTime::now_utc()))
            .fetch_one(pool)
            .await
            .map_err(db_error)
        })
    }

    /// Closed (or historical) programs with a transfer goal KPI and people who completed:
    /// (program id, KPI id).
    async fn programs_to_evaluate(&self) -> DomainResult<Vec<(i64, i64)>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.transfer_kpi_id FROM programs p \
                 WHERE p.status IN ('closed', 'historical') AND p.transfer_kpi_id IS NOT NULL \
                   AND EXISTS (SELECT 1 FROM enrollments en WHERE en.program_id = p.id AND en.status = 'completed') \
                 ORDER BY p.id",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)
        })
    }

    /// The latest recorded estimate of each (program, KPI).
    async fn latest_effect_runs(&self) -> DomainResult<Vec<EffectRun>> {
        type Row = (i64, i64, i64, f64, f64, f64, i32, i32, String, DbTime);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.program_id, r.kpi_id, r.effect, r.ci_low, r.ci_high, r.n_trained, r.n_comparison, \
                   r.result, r.created_at FROM effect_runs r \
                 WHERE r.id = (SELECT MAX(x.id) FROM effect_runs x WHERE x.program_id = r.program_id AND x.kpi_id = r.kpi_id) \
                 ORDER BY r.program_id, r.kpi_id",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(|r| EffectRun {
                id: r.0,
                program_id: r.1,
                kpi_id: r.2,
                effect: r.3,
                ci_low: r.4,
                ci_high: r.5,
                n_trained: i64::from(r.6),
                n_comparison: i64::from(r.7),
                result_json: r.8,
                created_at: r.9.0,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_months_leave_out_the_anchor_and_name_their_segment() {
        let anchors = BTreeSet::from([2025 * 12 + 5]);
        let months = window_months(&anchors, 3, 2, 1);
        assert_eq!(
            months,
            "('2025-03', 24305, 0, CAST(-3 AS DOUBLE PRECISION)), \
             ('2025-04', 24305, 0, CAST(-2 AS DOUBLE PRECISION)), \
             ('2025-05', 24305, 1, CAST(-1 AS DOUBLE PRECISION)), \
             ('2025-07', 24305, 2, CAST(1 AS DOUBLE PRECISION)), \
             ('2025-08', 24305, 2, CAST(2 AS DOUBLE PRECISION))"
        );
    }
}
