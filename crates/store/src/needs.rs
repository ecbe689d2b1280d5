//! Training needs raised from competency gaps, with the decoding chain behind them.

use crate::audit::append_in;
use crate::competency::{KPI_PRESSURE, TIER_WEIGHT};
use crate::org::{Own, push_scope};
use crate::query::{fetch_page, fetch_rows, paged, push_any_contains, push_in_list, row_by_code};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::need_approvals::NeedViewer;
use domain::needs::{
    Audience, ChainLink, GapNeedRequest, NeedDetail, NeedFilter, NeedPerson, NeedSummary,
};
use domain::org::OrgRepository;
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use time::OffsetDateTime;

#[derive(sqlx::FromRow)]
struct ChainRow {
    strategy: String,
    objective: String,
    department: String,
    kpi: String,
    comparator: String,
    target_value: f64,
    period: String,
    actual_value: Option<f64>,
    shortfall: Option<f64>,
    position: String,
    task: String,
    skill_code: String,
}

impl From<ChainRow> for ChainLink {
    fn from(r: ChainRow) -> Self {
        ChainLink {
            strategy: r.strategy,
            objective: r.objective,
            department: r.department,
            kpi: r.kpi,
            comparator: r.comparator,
            target_value: r.target_value,
            period: r.period,
            actual_value: r.actual_value,
            shortfall: r.shortfall,
            position: r.position,
            task: r.task,
            skill_code: r.skill_code,
        }
    }
}

const CHAIN_SELECT: &str = "SELECT st.name AS strategy, o.name AS objective, d.name AS department, k.name AS kpi, \
    kt.comparator, kt.target_value, kt.period, kt.actual_value, kt.shortfall, p.name AS position, pt.name AS task, sk.code AS skill_code \
    FROM task_skills ts JOIN skills sk ON sk.id = ts.skill_id JOIN position_tasks pt ON pt.id = ts.task_id \
    JOIN positions p ON p.id = pt.position_id JOIN kpi_targets kt ON kt.id = pt.kpi_target_id \
    JOIN objectives o ON o.id = kt.objective_id JOIN strategies st ON st.id = o.strategy_id \
    JOIN departments d ON d.id = kt.department_id JOIN kpis k ON k.id = kt.kpi_id WHERE ";

/// (employee id, number, name, department, gap, weighted gap).
type PersonRow = (i64, String, String, String, Option<i32>, Option<f64>);

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    position_id: i64,
    gap: i32,
    weighted_gap: f64,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    title: String,
    skill_code: Option<String>,
    skill_name: Option<String>,
    origin: String,
    audience: String,
    urgency: String,
    status: String,
    reason: String,
    people: i64,
    mean_gap: Option<f64>,
    raised_by: Option<String>,
    created_at: DbTime,
    estimated_cost: Option<f64>,
    program_id: Option<i64>,
}

impl From<SummaryRow> for NeedSummary {
    fn from(r: SummaryRow) -> Self {
        NeedSummary {
            id: r.id,
            title: r.title,
            skill_code: r.skill_code,
            skill_name: r.skill_name,
            origin: r.origin,
            audience: r.audience,
            urgency: r.urgency,
            status: r.status,
            reason: r.reason,
            people: r.people,
            mean_gap: r.mean_gap,
            raised_by: r.raised_by,
            created_at: r.created_at.0,
            estimated_cost: r.estimated_cost,
            program_id: r.program_id,
        }
    }
}

/// The needs-list columns.
const SUMMARY_SELECT: &str = "SELECT n.id, n.title, s.code AS skill_code, s.name AS skill_name, n.origin, n.audience, n.urgency, n.status, n.reason, \
     COALESCE(c.people, t.people, 0) AS people, COALESCE(c.mean_gap, t.mean_gap) AS mean_gap, u.username AS raised_by, n.created_at, \
     n.estimated_cost, n.program_id";

/// Appends `(the viewer raised the need or is asked to approve it)`.
fn push_personal<'a, DB>(qb: &mut QueryBuilder<'a, DB>, viewer: &NeedViewer)
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match viewer.user_id {
        Some(user) => {
            qb.push("(n.raised_by = ").push_bind(user);
            qb.push(" OR EXISTS (SELECT 1 FROM need_approval_steps st WHERE st.need_id = n.id AND st.approver_user_id = ")
                .push_bind(user)
                .push("))");
        }
        None => {
            qb.push("(1=0)");
        }
    }
}

/// Appends the needs-list query (from `FROM`) for `viewer`: a need is visible when it
/// covers at least one person in the viewer's scope (`people`/`mean_gap` then count
/// only those), or when the viewer raised it or is asked to approve it (all its people).
fn push_needs_from<'a, DB>(qb: &mut QueryBuilder<'a, DB>, viewer: &NeedViewer)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(
        " FROM training_needs n LEFT JOIN skills s ON s.id = n.skill_id LEFT JOIN users u ON u.id = n.raised_by \
          LEFT JOIN (SELECT np.need_id, COUNT(*) AS people, AVG(CAST(np.gap AS DOUBLE PRECISION)) AS mean_gap \
                FROM training_need_people np JOIN employees e ON e.id = np.employee_id \
                JOIN departments d ON d.id = e.department_id WHERE ",
    );
    push_scope(qb, &viewer.scope, "d.path", Own::EmployeeIn("e.id"));
    qb.push(" GROUP BY np.need_id) c ON c.need_id = n.id ");
    qb.push(
        "LEFT JOIN (SELECT need_id, COUNT(*) AS people, AVG(CAST(gap AS DOUBLE PRECISION)) AS mean_gap \
         FROM training_need_people GROUP BY need_id) t ON t.need_id = n.id AND c.need_id IS NULL WHERE (c.need_id IS NOT NULL OR ",
    );
    push_personal(qb, viewer);
    qb.push(")");
}

#[derive(sqlx::FromRow)]
struct PersonalSummaryRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    personal: i32,
}

/// The needs port: every query and change of this context.
pub trait NeedRepository {
    /// The decoding chains through which `skill_code` serves the tasks of `positions`.
    fn skill_chains(
        &self,
        positions: &[i64],
        skill_code: Option<&str>,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ChainLink>>> + Send;

    /// Turns the open gaps in one skill of the people in `request.audience` (and in
    /// `scope`) into one training need carrying the decoding chain behind the skill.
    /// People already covered by an open need for the skill are left out. Returns the
    /// need's id and the number of people it covers.
    fn raise_need_from_gaps(
        &self,
        request: &GapNeedRequest,
        scope: &DataScope,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(i64, usize)>> + Send;

    /// Training needs covering people in `scope`, newest first.
    fn list_needs(
        &self,
        scope: &DataScope,
        filter: &NeedFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<NeedSummary>>> + Send;

    /// Training needs the viewer may see (see `push_needs_from`), newest first.
    fn list_needs_for(
        &self,
        viewer: &NeedViewer,
        filter: &NeedFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<NeedSummary>>> + Send;

    /// One need with the people in `scope` it covers; not found outside scope.
    fn need_detail(
        &self,
        id: i64,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<NeedDetail>> + Send;

    /// One need the viewer may see, with its people: those in the viewer's scope, or
    /// all of them for its requester and approvers. Not found when invisible.
    fn need_detail_for(
        &self,
        id: i64,
        viewer: &NeedViewer,
    ) -> impl std::future::Future<Output = DomainResult<NeedDetail>> + Send;
}

impl NeedRepository for crate::Store {
    /// The decoding chains through which `skill_code` serves the tasks of `positions`.
    async fn skill_chains(
        &self,
        positions: &[i64],
        skill_code: Option<&str>,
    ) -> DomainResult<Vec<ChainLink>> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(CHAIN_SELECT);
            qb.push("pt.position_id IN (");
            push_in_list(&mut qb, positions.iter().copied());
            if let Some(code) = skill_code {
                qb.push(" AND sk.code = ").push_bind(code.to_string());
            }
            qb.push(" ORDER BY sk.code, p.name, pt.process_step, pt.code");
            let rows: Vec<ChainRow> = fetch_rows(pool, &mut qb).await?;
            Ok(rows.into_iter().map(ChainLink::from).collect())
        })
    }

    /// Turns the open gaps in one skill of the people in `request.audience` (and in
    /// `scope`) into one training need carrying the decoding chain behind the skill.
    /// People already covered by an open need for the skill are left out. Returns the
    /// need's id and the number of people it covers.
    async fn raise_need_from_gaps(
        &self,
        request: &GapNeedRequest,
        scope: &DataScope,
        actor: &Actor,
    ) -> DomainResult<(i64, usize)> {
        let now = DbTime(OffsetDateTime::now_utc());
        let (skill_id, skill_name): (i64, String) = on_pool!(self, |pool| {
            row_by_code(
                pool,
                "SELECT id, name FROM skills WHERE code = $1",
                request.skill_code.trim(),
                "skill",
                "skill",
            )
            .await?
        });
        // An audience outside the caller's scope is "not found", never named in an error.
        let (audience_name, department_id, position_id): (String, Option<i64>, Option<i64>) =
            match request.audience {
                Audience::Person(id) => {
                    let person = self.get_employee(scope, id).await?;
                    (person.name, Some(person.department_id), person.position_id)
                }
                Audience::Team(id) => {
                    let not_found = || DomainError::NotFound {
                        entity: "department",
                    };
                    let team = self.get_department(id).await.map_err(|_| not_found())?;
                    let visible = scope.covers(&team.path, None)
                        || scope
                            .department_paths
                            .iter()
                            .any(|p| p.starts_with(&team.path));
                    if !visible {
                        return Err(not_found());
                    }
                    (team.name, Some(id), None)
                }
                Audience::Position(id) => {
                    let name: Option<String> = on_pool!(self, |pool| {
                        sqlx::query_scalar("SELECT name FROM positions WHERE id = $1")
                            .bind(id)
                            .fetch_optional(pool)
                            .await
                            .map_err(db_error)?
                    });
                    (
                        name.ok_or(DomainError::NotFound { entity: "position" })?,
                        None,
                        Some(id),
                    )
                }
            };
        let candidates: Vec<Candidate> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "WITH latest AS (SELECT employee_id, level, ROW_NUMBER() OVER (PARTITION BY employee_id ORDER BY assessed_on DESC, id DESC) AS rn \
                 FROM assessments WHERE skill_id = ",
            );
            qb.push_bind(skill_id);
            // The same weighting as the heat map and the person's gaps.
            qb.push(format!(
                "), {KPI_PRESSURE} \
                 SELECT e.id, e.position_id, ps.required_level - l.level AS gap, \
                        CAST(ps.required_level - l.level AS DOUBLE PRECISION) * {TIER_WEIGHT} \
                          * (1.0 + COALESCE(kp.shortfall, 0.0)) AS weighted_gap \
                 FROM employees e JOIN departments d ON d.id = e.department_id \
                 JOIN position_skills ps ON ps.position_id = e.position_id AND ps.skill_id = ",
            ));
            qb.push_bind(skill_id);
            qb.push(
                " JOIN latest l ON l.employee_id = e.id AND l.rn = 1 \
                 LEFT JOIN kpi_pressure kp ON kp.position_id = ps.position_id AND kp.skill_id = ps.skill_id \
                 WHERE e.status <> 'left' AND l.level < ps.required_level AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            match request.audience {
                Audience::Person(id) => {
                    qb.push(" AND e.id = ").push_bind(id);
                }
                Audience::Team(id) => {
                    qb.push(" AND d.path LIKE (SELECT path FROM departments WHERE id = ")
                        .push_bind(id)
                        .push(") || '%'");
                }
                Audience::Position(id) => {
                    qb.push(" AND e.position_id = ").push_bind(id);
                }
            }
            qb.push(
                " AND NOT EXISTS (SELECT 1 FROM training_need_people np JOIN training_needs n ON n.id = np.need_id \
                   WHERE np.employee_id = e.id AND n.status NOT IN ('rejected', 'closed') AND n.skill_id = ",
            );
            qb.push_bind(skill_id);
            qb.push(") ORDER BY e.id");
            fetch_rows(pool, &mut qb).await?
        });
        if candidates.is_empty() {
            return Err(DomainError::invalid(
                "skill",
                format!(
                    "nobody in {audience_name} within your scope has an open, unplanned gap in {skill_name}"
                ),
            ));
        }
        let mut positions: Vec<i64> = candidates.iter().map(|c| c.position_id).collect();
        positions.sort_unstable();
        positions.dedup();
        let chain = self
            .skill_chains(&positions, Some(request.skill_code.trim()))
            .await?;
        let chain_json = serde_json::to_string(&chain)
            .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
        // The reason is the requester's own words; the gap figures and the chain are
        // stored alongside and shown in the reader's language.
        let reason = request
            .note
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        let title = format!("{skill_name} · {audience_name}");
        // The need is submitted at once: its approval chain starts now.
        let people: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        let steps = self.plan_gap_chain(department_id, &people, actor).await?;
        let status = crate::need_approvals::status_after_submit(&steps);
        let steps_json = crate::need_approvals::step_json(&steps);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_needs (title, skill_id, origin, audience, department_id, position_id, urgency, reason, chain, status, raised_by, created_at, round, submitted_at) \
                 VALUES ($1, $2, 'gap', $3, $4, $5, $6, $7, $8, $11, $9, $10, 1, $10) RETURNING id",
            )
            .bind(&title).bind(skill_id).bind(request.audience.code()).bind(department_id).bind(position_id)
            .bind(request.urgency.code()).bind(&reason).bind(&chain_json).bind(actor.user_id).bind(now).bind(status.code())
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            for chunk in candidates.chunks(500) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO training_need_people (need_id, employee_id, gap, weighted_gap) ",
                );
                qb.push_values(chunk, |mut row, c| {
                    row.push_bind(id)
                        .push_bind(c.id)
                        .push_bind(c.gap)
                        .push_bind(c.weighted_gap);
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            crate::need_approvals::insert_steps!(tx, id, 1i32, steps, now.0);
            let after = serde_json::json!({ "title": title, "skill": request.skill_code.trim(), "audience": request.audience, "urgency": request.urgency.code(), "people": candidates.len(), "status": status.code(), "steps": steps_json }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("need.raise_from_gaps", "training_need")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok((id, candidates.len()))
        })
    }

    /// Training needs covering people in `scope`, newest first.
    async fn list_needs(
        &self,
        scope: &DataScope,
        filter: &NeedFilter,
        page: Page,
    ) -> DomainResult<Paged<NeedSummary>> {
        let viewer = NeedViewer {
            scope: scope.clone(),
            user_id: None,
        };
        self.list_needs_for(&viewer, filter, page).await
    }

    /// Training needs the viewer may see (see `push_needs_from`), newest first.
    async fn list_needs_for(
        &self,
        viewer: &NeedViewer,
        filter: &NeedFilter,
        page: Page,
    ) -> DomainResult<Paged<NeedSummary>> {
        on_pool!(self, |pool| {
            let push_filters = |qb: &mut QueryBuilder<'_, _>| {
                let text = |v: &Option<String>| {
                    v.as_deref()
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                if let Some(status) = text(&filter.status) {
                    qb.push(" AND n.status = ").push_bind(status);
                }
                if let Some(skill) = text(&filter.skill) {
                    qb.push(" AND s.code = ").push_bind(skill);
                }
                if let Some(origin) = text(&filter.origin) {
                    qb.push(" AND n.origin = ").push_bind(origin);
                }
                if let Some(urgency) = text(&filter.urgency) {
                    qb.push(" AND n.urgency = ").push_bind(urgency);
                }
                if let Some(program) = filter.program_id {
                    qb.push(" AND n.program_id = ").push_bind(program);
                }
                if let Some(user) = filter.raised_by {
                    qb.push(" AND n.raised_by = ").push_bind(user);
                }
                if let Some(pattern) = search_pattern(filter.q.as_deref()) {
                    let columns = ["n.title", "n.reason", "n.problem"];
                    push_any_contains(qb, &columns, &pattern);
                }
            };
            let mut qb = QueryBuilder::new(SUMMARY_SELECT);
            push_needs_from(&mut qb, viewer);
            push_filters(&mut qb);
            qb.push(" ORDER BY n.created_at DESC, n.id DESC");
            let mut count = QueryBuilder::new("SELECT COUNT(*)");
            push_needs_from(&mut count, viewer);
            push_filters(&mut count);
            let (rows, total): (Vec<SummaryRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows.into_iter().map(NeedSummary::from).collect();
            Ok(paged(page, total, items))
        })
    }

    /// One need with the people in `scope` it covers; not found outside scope.
    async fn need_detail(&self, id: i64, scope: &DataScope) -> DomainResult<NeedDetail> {
        let viewer = NeedViewer {
            scope: scope.clone(),
            user_id: None,
        };
        self.need_detail_for(id, &viewer).await
    }

    /// One need the viewer may see, with its people: those in the viewer's scope, or
    /// all of them for its requester and approvers. Not found when invisible.
    async fn need_detail_for(&self, id: i64, viewer: &NeedViewer) -> DomainResult<NeedDetail> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(SUMMARY_SELECT);
            qb.push(", CASE WHEN ");
            push_personal(&mut qb, viewer);
            qb.push(" THEN 1 ELSE 0 END AS personal");
            push_needs_from(&mut qb, viewer);
            qb.push(" AND n.id = ").push_bind(id);
            let row: Option<PersonalSummaryRow> = qb
                .build_query_as()
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            let row = row.ok_or(DomainError::NotFound {
                entity: "training need",
            })?;
            let personal = row.personal != 0;
            let summary = NeedSummary::from(row.summary);
            let chain: String =
                sqlx::query_scalar("SELECT chain FROM training_needs WHERE id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?;
            let mut qb = QueryBuilder::new(
                "SELECT e.id AS employee_id, e.employee_no, e.name, d.name AS department, np.gap, np.weighted_gap \
                 FROM training_need_people np JOIN employees e ON e.id = np.employee_id JOIN departments d ON d.id = e.department_id \
                 WHERE np.need_id = ",
            );
            qb.push_bind(id);
            if !personal {
                qb.push(" AND ");
                push_scope(&mut qb, &viewer.scope, "d.path", Own::EmployeeIn("e.id"));
            }
            qb.push(" ORDER BY np.weighted_gap DESC, e.employee_no");
            let people: Vec<PersonRow> = fetch_rows(pool, &mut qb).await?;
            Ok(NeedDetail {
                summary,
                chain: serde_json::from_str(&chain).unwrap_or_default(),
                people: people
                    .into_iter()
                    .map(|p| NeedPerson {
                        employee_id: p.0,
                        employee_no: p.1,
                        name: p.2,
                        department: p.3,
                        gap: p.4,
                        weighted_gap: p.5,
                    })
                    .collect(),
            })
        })
    }
}
