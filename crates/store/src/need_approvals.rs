//! Training needs raised by hand, approval rules and the chains instantiated from them
//! at submission, decisions on steps, reminders' queries, and merging approved needs
//! into programs.

use crate::audit::append_in;
use crate::org::{Own, push_scope};
use crate::prelude::*;
use crate::query::{fetch_in, fetch_page, fetch_rows, id_by_code, paged, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::need_approvals::{
    ApprovalRule, ApprovalStep, Decider, Decision, MergeRequest, NeedApproval, NeedInput,
    NeedOrigin, NeedStatus, NeedViewer, OverdueStep, PeopleChoice, Requester, RuleStep, StepKind,
    WaitingApproval, WaitingStep, chain_for, similar_titles, validate_rules,
};
use domain::needs::{NeedFilter, NeedSummary};
use domain::operations::AudienceRule;
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// A step planned for a submission, approver resolved.
#[derive(Debug, Clone)]
pub(crate) struct PlannedStep {
    pub(crate) kind: StepKind,
    pub(crate) rule_name: String,
    pub(crate) deadline_hours: i32,
    pub(crate) approver_employee_id: Option<i64>,
    pub(crate) approver_user_id: Option<i64>,
    pub(crate) approver_label: String,
}

#[derive(sqlx::FromRow)]
struct DeptRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    head_employee_id: Option<i64>,
}

/// Departments, (employee, login) pairs, head and deputy names, and (department,
/// deputy) pairs in order of precedence, for resolving approvers.
type OrgSnapshot = (
    Vec<DeptRow>,
    Vec<(i64, i64)>,
    Vec<(i64, String)>,
    Vec<(i64, i64)>,
);

/// (status, origin, raised_by, round, department_id) of a need being resubmitted.
type ResubmitRow = (String, String, Option<i64>, i32, Option<i64>);

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    origin: Option<String>,
    min_cost: Option<f64>,
    steps: String,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    round: i32,
    seq: i32,
    kind: String,
    rule_name: String,
    deadline_hours: i32,
    approver_label: String,
    approver_user_id: Option<i64>,
    status: String,
    activated_at: Option<DbTime>,
    due_at: Option<DbTime>,
    decided_by: Option<String>,
    decided_as: Option<String>,
    reason: String,
    decided_at: Option<DbTime>,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    step_id: i64,
    need_id: i64,
    title: String,
    kind: String,
    activated_at: Option<DbTime>,
    due_at: Option<DbTime>,
    approver_user_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct WaitingRow {
    step_id: i64,
    need_id: i64,
    title: String,
    kind: String,
    urgency: String,
    estimated_cost: Option<f64>,
    raised_by: Option<String>,
    approver_label: String,
    approver_user_id: Option<i64>,
    activated_at: Option<DbTime>,
    due_at: Option<DbTime>,
}

/// The people a hand-raised need covers and where it sits.
struct Resolved {
    origin: NeedOrigin,
    audience: &'static str,
    department_id: Option<i64>,
    people: Vec<i64>,
    skill_id: Option<i64>,
}

/// Inserts the planned steps of `round` for need `$need` inside `$tx`; the first step
/// becomes current now. Expands once per database inside `on_pool!`.
macro_rules! insert_steps {
    ($tx:ident, $need:expr, $round:expr, $steps:expr, $now:expr) => {{
        for (seq, step) in $steps.iter().enumerate() {
            let current = seq == 0;
            let due = $now + time::Duration::hours(i64::from(step.deadline_hours));
            sqlx::query(
                "INSERT INTO need_approval_steps (need_id, round, seq, kind, rule_name, deadline_hours, approver_employee_id, \
                 approver_user_id, approver_label, status, activated_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind($need).bind($round).bind(seq as i32 + 1).bind(step.kind.code()).bind(&step.rule_name).bind(step.deadline_hours)
            .bind(step.approver_employee_id).bind(step.approver_user_id).bind(&step.approver_label)
            .bind(if current { "pending" } else { "waiting" })
            .bind(current.then_some($crate::DbTime($now))).bind(current.then_some($crate::DbTime(due)))
            .execute(&mut *$tx).await.map_err($crate::db_error)?;
        }
    }};
}

/// Today in the company's zone (China, UTC+8), for the wanted-by date check.
fn company_today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
        .date()
}

/// Status of a need once its chain is planned: no step at all means nothing to approve.
pub(crate) fn status_after_submit(steps: &[PlannedStep]) -> NeedStatus {
    if steps.is_empty() {
        NeedStatus::Approved
    } else {
        NeedStatus::Pending
    }
}

pub(crate) fn step_json(steps: &[PlannedStep]) -> serde_json::Value {
    serde_json::Value::Array(
        steps
            .iter()
            .map(|s| {
                serde_json::json!({
                    "kind": s.kind.code(), "rule": s.rule_name, "deadline_hours": s.deadline_hours,
                    "approver": s.approver_label, "approver_user_id": s.approver_user_id,
                })
            })
            .collect(),
    )
}

impl crate::Store {
    // ----- approver resolution -------------------------------------------------------

    /// The chain for a need in `department_id`, from the rules now in force.
    async fn plan_chain(
        &self,
        origin: NeedOrigin,
        cost: Option<f64>,
        skip_manager: bool,
        department_id: Option<i64>,
        requester_employee: Option<i64>,
    ) -> DomainResult<Vec<PlannedStep>> {
        let rules = self.approval_rules().await?;
        let chain = chain_for(&rules, origin, cost, skip_manager);
        if chain.is_empty() {
            return Ok(Vec::new());
        }
        let (depts, logins, names, deputies): OrgSnapshot = on_pool!(self, |pool| {
            let depts =
                sqlx::query_as("SELECT id, parent_id, name, head_employee_id FROM departments")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let logins = sqlx::query_as("SELECT employee_id, MIN(id) FROM users WHERE employee_id IS NOT NULL AND active GROUP BY employee_id")
                .fetch_all(pool).await.map_err(db_error)?;
            let names = sqlx::query_as("SELECT e.id, e.name FROM employees e WHERE e.id IN (SELECT head_employee_id FROM departments) \
                 OR e.id IN (SELECT employee_id FROM department_deputies)")
                .fetch_all(pool).await.map_err(db_error)?;
            let deputies = sqlx::query_as(
                "SELECT department_id, employee_id FROM department_deputies ORDER BY department_id, seq",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            (depts, logins, names, deputies)
        });
        let mut deputies_of: HashMap<i64, Vec<i64>> = HashMap::new();
        for (dept, employee) in deputies {
            deputies_of.entry(dept).or_default().push(employee);
        }
        // Who leads a department, the head first, then the deputies (who stand in when
        // the head is missing or is the requester).
        let leaders = |d: &DeptRow| -> Vec<i64> {
            d.head_employee_id
                .into_iter()
                .chain(deputies_of.get(&d.id).into_iter().flatten().copied())
                .filter(|l| Some(*l) != requester_employee)
                .collect()
        };
        let by_id: HashMap<i64, &DeptRow> = depts.iter().map(|d| (d.id, d)).collect();
        let logins: HashMap<i64, i64> = logins.into_iter().collect();
        let names: HashMap<i64, String> = names.into_iter().collect();
        let root = depts.iter().find(|d| d.parent_id.is_none()).map(|d| d.id);
        let start = department_id.or(root);
        // The chain of departments from the need's up to the root.
        let mut ancestry: Vec<&DeptRow> = Vec::new();
        let mut cursor = start.and_then(|id| by_id.get(&id).copied());
        while let Some(d) = cursor {
            if ancestry.iter().any(|a| a.id == d.id) {
                break;
            }
            ancestry.push(d);
            cursor = d.parent_id.and_then(|p| by_id.get(&p).copied());
        }
        let is_top = |d: &DeptRow| d.parent_id.is_none() || d.parent_id == root;
        let label = |head: i64, dept: &DeptRow| {
            format!(
                "{} · {}",
                names.get(&head).cloned().unwrap_or_default(),
                dept.name
            )
        };
        // Manager: the nearest head (or deputy) above the need who is not the requester,
        // preferring one who can sign in, without leaving the top-level department.
        let manager = || -> Option<(i64, Option<i64>, String)> {
            let mut first: Option<(i64, String)> = None;
            for d in &ancestry {
                for head in leaders(d) {
                    if let Some(user) = logins.get(&head) {
                        return Some((head, Some(*user), label(head, d)));
                    }
                    if first.is_none() {
                        first = Some((head, label(head, d)));
                    }
                }
                if is_top(d) {
                    break;
                }
            }
            first.map(|(h, l)| (h, None, l))
        };
        // Department head: the head of the top-level department, or its deputy when the
        // head is missing or is the requester; else the company head.
        let department_head = || -> Option<(i64, Option<i64>, String)> {
            let top = ancestry.iter().find(|d| is_top(d))?;
            let mut candidates = vec![*top];
            if let Some(r) = root.and_then(|r| by_id.get(&r).copied()) {
                candidates.push(r);
            }
            candidates.into_iter().find_map(|d| {
                let head = leaders(d).into_iter().next()?;
                Some((head, logins.get(&head).copied(), label(head, d)))
            })
        };
        let mut planned: Vec<PlannedStep> = Vec::new();
        for (rule_name, step) in chain {
            let who = match step.kind {
                StepKind::TrainingAdmin => None,
                StepKind::Manager => manager(),
                StepKind::DepartmentHead => department_head(),
            };
            // The same person never approves twice in one round.
            if let Some((employee, _, _)) = &who
                && planned
                    .iter()
                    .any(|p| p.approver_employee_id == Some(*employee))
            {
                continue;
            }
            let (approver_employee_id, approver_user_id, approver_label) = match who {
                Some((e, u, l)) => (Some(e), u, l),
                None => (None, None, String::new()),
            };
            planned.push(PlannedStep {
                kind: step.kind,
                rule_name,
                deadline_hours: step.deadline_hours,
                approver_employee_id,
                approver_user_id,
                approver_label,
            });
        }
        Ok(planned)
    }

    /// Whether a gap need raised by `actor` skips the manager step: training staff (a
    /// training admin or system administrator login) and unattended raises do.
    pub(crate) async fn raised_by_training_staff(&self, actor: &Actor) -> DomainResult<bool> {
        let Some(user) = actor.user_id else {
            return Ok(true);
        };
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE user_id = $1 AND role IN ('training_admin', 'system_admin')")
                .bind(user).fetch_one(pool).await.map_err(db_error)?
        });
        Ok(n > 0)
    }

    /// Plans the chain of a gap need just raised and starts it, inside the raise's
    /// transaction (see `raise_need_from_gaps`).
    pub(crate) async fn plan_gap_chain(
        &self,
        department_id: Option<i64>,
        people: &[i64],
        actor: &Actor,
    ) -> DomainResult<Vec<PlannedStep>> {
        let skip = self.raised_by_training_staff(actor).await?;
        let department = match department_id {
            Some(d) => Some(d),
            None => self.common_department(people).await?,
        };
        let requester = self.employee_of_user(actor.user_id).await?;
        self.plan_chain(NeedOrigin::Gap, None, skip, department, requester)
            .await
    }

    async fn employee_of_user(&self, user: Option<i64>) -> DomainResult<Option<i64>> {
        let Some(user) = user else { return Ok(None) };
        on_pool!(self, |pool| {
            let row: Option<Option<i64>> =
                sqlx::query_scalar("SELECT employee_id FROM users WHERE id = $1")
                    .bind(user)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            Ok(row.flatten())
        })
    }

    /// The deepest department containing every one of `people`.
    async fn common_department(&self, people: &[i64]) -> DomainResult<Option<i64>> {
        if people.is_empty() {
            return Ok(None);
        }
        let rows: Vec<(String,)> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT DISTINCT d.path FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.id IN (",
            );
            push_in_list(&mut qb, people.iter().copied());
            fetch_rows(pool, &mut qb).await?
        });
        // Paths look like /1/4/9/: the common prefix of whole segments.
        let mut common: Option<Vec<String>> = None;
        for (path,) in rows {
            let parts: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            common = Some(match common {
                None => parts,
                Some(c) => c
                    .iter()
                    .zip(parts.iter())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a.clone())
                    .collect(),
            });
        }
        Ok(common.and_then(|c| c.last().and_then(|id| id.parse().ok())))
    }

    // ----- raising by hand ---------------------------------------------------------

    /// Checks and resolves the people and skill of a hand-raised need.
    async fn resolve_need(
        &self,
        input: &NeedInput,
        requester: &Requester,
    ) -> DomainResult<Resolved> {
        input.validate(company_today())?;
        let skill_code = input
            .skill_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let skill_id = match skill_code {
            Some(code) => Some(on_pool!(self, |pool| {
                id_by_code(
                    pool,
                    "SELECT id FROM skills WHERE code = $1",
                    code,
                    "skill",
                    "skill",
                )
                .await?
            })),
            None => None,
        };
        let for_others = |scope: &DataScope| -> DomainResult<()> {
            if scope.is_empty() {
                Err(DomainError::Forbidden)
            } else {
                Ok(())
            }
        };
        let resolved = match &input.people {
            PeopleChoice::Myself => {
                let me = requester.employee_id.ok_or_else(|| {
                    DomainError::invalid(
                        "people",
                        "your account is not linked to an employee record; name the employees instead",
                    )
                })?;
                Resolved {
                    origin: NeedOrigin::Employee,
                    audience: "person",
                    department_id: None,
                    people: vec![me],
                    skill_id,
                }
            }
            PeopleChoice::Employees { numbers } => {
                for_others(&requester.scope)?;
                let mut numbers: Vec<String> = numbers
                    .iter()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect();
                numbers.sort();
                numbers.dedup();
                let found: Vec<(String, i64)> = on_pool!(self, |pool| {
                    let mut qb = QueryBuilder::new(
                        "SELECT e.employee_no, e.id FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status <> 'left' AND ",
                    );
                    push_scope(&mut qb, &requester.scope, "d.path", Own::EmployeeIn("e.id"));
                    qb.push(" AND e.employee_no IN (");
                    push_in_list(&mut qb, numbers.iter().cloned());
                    fetch_rows(pool, &mut qb).await?
                });
                let found: HashMap<String, i64> = found.into_iter().collect();
                let mut people = Vec::with_capacity(numbers.len());
                for n in &numbers {
                    match found.get(n) {
                        Some(id) => people.push(*id),
                        None => {
                            return Err(DomainError::invalid(
                                "employees",
                                format!("'{n}' is not a current employee within your scope"),
                            ));
                        }
                    }
                }
                let origin = if people.len() == 1 && Some(people[0]) == requester.employee_id {
                    NeedOrigin::Employee
                } else {
                    NeedOrigin::Manager
                };
                Resolved {
                    origin,
                    audience: "person",
                    department_id: None,
                    people,
                    skill_id,
                }
            }
            PeopleChoice::Team { department_code } => {
                for_others(&requester.scope)?;
                let code = department_code.trim();
                let dept: Option<(i64, String)> = on_pool!(self, |pool| {
                    sqlx::query_as("SELECT id, path FROM departments WHERE code = $1")
                        .bind(code)
                        .fetch_optional(pool)
                        .await
                        .map_err(db_error)?
                });
                let (dept_id, path) = dept
                    .filter(|(_, path)| requester.scope.covers(path, None))
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "team",
                            format!("'{code}' is not a department within your scope"),
                        )
                    })?;
                let people: Vec<i64> = on_pool!(self, |pool| {
                    sqlx::query_scalar("SELECT e.id FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status = 'active' AND d.path LIKE $1 ORDER BY e.id")
                        .bind(format!("{path}%")).fetch_all(pool).await.map_err(db_error)?
                });
                if people.is_empty() {
                    return Err(DomainError::invalid(
                        "team",
                        format!("nobody active works in '{code}'"),
                    ));
                }
                Resolved {
                    origin: NeedOrigin::Manager,
                    audience: "team",
                    department_id: Some(dept_id),
                    people,
                    skill_id,
                }
            }
        };
        Ok(resolved)
    }

    async fn pending_steps(&self, condition: &str, at: DbTime) -> DomainResult<Vec<OverdueStep>> {
        let sql = format!(
            "SELECT s.id AS step_id, n.id AS need_id, n.title, s.kind, s.activated_at, s.due_at, s.approver_user_id \
             FROM need_approval_steps s JOIN training_needs n ON n.id = s.need_id \
             WHERE s.status = 'pending' AND n.status = 'pending'{condition} ORDER BY s.due_at, s.id"
        );
        let (rows, admins): (Vec<PendingRow>, Vec<i64>) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(&sql)
                .bind(at)
                .fetch_all(pool)
                .await
                .map_err(db_error)?;
            let admins = sqlx::query_scalar(
                "SELECT DISTINCT u.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE g.role = 'training_admin' AND u.active ORDER BY u.id",
            )
            .fetch_all(pool).await.map_err(db_error)?;
            (rows, admins)
        });
        Ok(rows
            .into_iter()
            .map(|r| OverdueStep {
                step_id: r.step_id,
                need_id: r.need_id,
                need_title: r.title,
                activated_at: r.activated_at.map(|t| t.0),
                due_at: r.due_at.map(|t| t.0),
                approver_user_id: r.approver_user_id,
                recipient_user_ids: match r.approver_user_id {
                    Some(user) => vec![user],
                    None => admins.clone(),
                },
                kind: r.kind,
            })
            .collect())
    }
}

pub(crate) use insert_steps;

/// The need approvals port: every query and change of this context.
pub trait NeedApprovalRepository {
    // ----- rules ------------------------------------------------------------------

    /// The approval rules in order.
    fn approval_rules(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ApprovalRule>>> + Send;

    /// Replaces the whole ordered rule list (running approvals keep their snapshot).
    fn replace_approval_rules(
        &self,
        rules: &[ApprovalRule],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Adds a rule (`id` None) or changes one, placed at `position` (1-based) in the list.
    fn save_approval_rule(
        &self,
        id: Option<i64>,
        position: usize,
        rule: &ApprovalRule,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Removes a rule.
    fn delete_approval_rule(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Raises a need by hand and submits it: the approval chain is planned from the
    /// rules in force now and its first step starts. Returns the need's id.
    fn raise_need(
        &self,
        input: &NeedInput,
        requester: &Requester,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// The requester edits a need that was sent back and submits it again: a new round
    /// of steps from the rules in force now. People and skill of a need raised from
    /// gaps stay as they were.
    fn resubmit_need(
        &self,
        id: i64,
        input: &NeedInput,
        requester: &Requester,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    // ----- reading -------------------------------------------------------------------

    /// The approval side of need `id` (no scope check: call after `need_detail_for`).
    fn need_approval(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<NeedApproval>> + Send;

    /// The audit entries of need `id`, newest first.
    fn need_audit(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<domain::audit::AuditEntry>>> + Send;

    // ----- deciding ------------------------------------------------------------------

    /// The need an approval step belongs to.
    fn need_of_step(
        &self,
        step_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Records a decision on step `step_id`. Only the step's approver (for a
    /// training-admin step, any training admin) decides it, or a training admin or
    /// system administrator as delegate (recorded as such). A step that is not the
    /// need's current one is refused with a conflict. Returns the need's new status.
    fn decide_step(
        &self,
        step_id: i64,
        decision: Decision,
        reason: &str,
        decider: &Decider,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(i64, NeedStatus)>> + Send;

    /// Steps waiting for `decider` now: their own, training-admin steps for training
    /// admins, and (for delegates) steps whose approver cannot sign in. Oldest first.
    fn waiting_approvals(
        &self,
        decider: &Decider,
        now: OffsetDateTime,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<WaitingApproval>>> + Send;

    /// Pending steps past their deadline at `now`, with whom to remind.
    fn overdue_approval_steps(
        &self,
        now: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<Vec<OverdueStep>>> + Send;

    /// Steps that became current at or after `since` and still wait, with whom to
    /// tell (the notifications part announces them).
    fn approval_steps_waiting_since(
        &self,
        since: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<Vec<WaitingStep>>> + Send;

    // ----- merging into programs -------------------------------------------------------

    /// Approved needs like `id`: the same skill, or a title sharing words.
    fn similar_needs(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<NeedSummary>>> + Send;

    /// Puts approved needs into a program: a new draft program prefilled from them
    /// (title, skills, the union of their people as a named audience), or an existing
    /// draft, open or running one (their people join its named audience). The needs
    /// become `planned` and point at the program; a new program's `need_id` is the
    /// first need's. Returns the program's id.
    fn merge_needs(
        &self,
        request: &MergeRequest,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// The needs a program was planned from.
    fn program_needs(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<NeedSummary>>> + Send;
}

impl NeedApprovalRepository for crate::Store {
    // ----- rules ------------------------------------------------------------------

    /// The approval rules in order.
    async fn approval_rules(&self) -> DomainResult<Vec<ApprovalRule>> {
        let rows: Vec<RuleRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, origin, min_cost, steps, active FROM approval_rules ORDER BY position, id")
                .fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ApprovalRule {
                    id: r.id,
                    name: r.name,
                    origin: r.origin.as_deref().map(NeedOrigin::parse).transpose()?,
                    min_cost: r.min_cost,
                    steps: serde_json::from_str::<Vec<RuleStep>>(&r.steps)
                        .map_err(|e| DomainError::internal_from("approval rule steps", e))?,
                    active: r.active,
                })
            })
            .collect()
    }

    /// Replaces the whole ordered rule list (running approvals keep their snapshot).
    async fn replace_approval_rules(
        &self,
        rules: &[ApprovalRule],
        actor: &Actor,
    ) -> DomainResult<()> {
        validate_rules(rules)?;
        let before = serde_json::to_string(&self.approval_rules().await?).ok();
        let after = serde_json::to_string(rules).ok();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("DELETE FROM approval_rules")
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            for (i, rule) in rules.iter().enumerate() {
                let steps = serde_json::to_string(&rule.steps)
                    .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
                sqlx::query("INSERT INTO approval_rules (position, name, origin, min_cost, steps, active) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(i as i32 + 1).bind(rule.name.trim()).bind(rule.origin.map(|o| o.code())).bind(rule.min_cost)
                    .bind(steps).bind(rule.active)
                    .execute(&mut *tx).await.map_err(db_error)?;
            }
            append_in!(
                tx,
                &actor
                    .entry("need.rules_replace", "approval_rule")
                    .change(before, after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Adds a rule (`id` None) or changes one, placed at `position` (1-based) in the list.
    async fn save_approval_rule(
        &self,
        id: Option<i64>,
        position: usize,
        rule: &ApprovalRule,
        actor: &Actor,
    ) -> DomainResult<()> {
        let mut rules = self.approval_rules().await?;
        let at = match id {
            Some(id) => {
                let i = rules
                    .iter()
                    .position(|r| r.id == id)
                    .ok_or(DomainError::NotFound {
                        entity: "approval rule",
                    })?;
                rules.remove(i);
                i
            }
            None => rules.len(),
        };
        let index = if position == 0 {
            at
        } else {
            (position - 1).min(rules.len())
        };
        rules.insert(index, rule.clone());
        rule.validate("")?;
        self.replace_approval_rules(&rules, actor).await
    }

    /// Removes a rule.
    async fn delete_approval_rule(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        let mut rules = self.approval_rules().await?;
        let before = rules.len();
        rules.retain(|r| r.id != id);
        if rules.len() == before {
            return Err(DomainError::NotFound {
                entity: "approval rule",
            });
        }
        self.replace_approval_rules(&rules, actor).await
    }

    /// Raises a need by hand and submits it: the approval chain is planned from the
    /// rules in force now and its first step starts. Returns the need's id.
    async fn raise_need(
        &self,
        input: &NeedInput,
        requester: &Requester,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let r = self.resolve_need(input, requester).await?;
        let department = match r.department_id {
            Some(d) => Some(d),
            None => self.common_department(&r.people).await?,
        };
        let steps = self
            .plan_chain(
                r.origin,
                input.estimated_cost,
                false,
                department,
                requester.employee_id,
            )
            .await?;
        let status = status_after_submit(&steps);
        let now = OffsetDateTime::now_utc();
        let problem = input.problem.trim().to_string();
        let after = serde_json::json!({
            "title": input.title.trim(), "origin": r.origin.code(), "skill": input.skill_code, "people": r.people.len(),
            "urgency": input.urgency.code(), "estimated_cost": input.estimated_cost, "wanted_by": input.wanted_by.map(|d| d.to_string()),
            "status": status.code(), "steps": step_json(&steps),
        })
        .to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_needs (title, skill_id, origin, audience, department_id, urgency, reason, chain, status, raised_by, created_at, \
                 problem, estimated_cost, wanted_by, round, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, '[]', $8, $9, $10, $11, $12, $13, 1, $10) RETURNING id",
            )
            .bind(input.title.trim()).bind(r.skill_id).bind(r.origin.code()).bind(r.audience).bind(department)
            .bind(input.urgency.code()).bind(input.reason.trim()).bind(status.code()).bind(actor.user_id).bind(DbTime(now))
            .bind(&problem).bind(input.estimated_cost).bind(input.wanted_by)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            for chunk in r.people.chunks(500) {
                let mut qb =
                    QueryBuilder::new("INSERT INTO training_need_people (need_id, employee_id) ");
                qb.push_values(chunk, |mut row, p| {
                    row.push_bind(id).push_bind(*p);
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            insert_steps!(tx, id, 1i32, steps, now);
            append_in!(
                tx,
                &actor
                    .entry("need.raise", "training_need")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// The requester edits a need that was sent back and submits it again: a new round
    /// of steps from the rules in force now. People and skill of a need raised from
    /// gaps stay as they were.
    async fn resubmit_need(
        &self,
        id: i64,
        input: &NeedInput,
        requester: &Requester,
        actor: &Actor,
    ) -> DomainResult<()> {
        let row: Option<ResubmitRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT status, origin, raised_by, round, department_id FROM training_needs WHERE id = $1")
                .bind(id).fetch_optional(pool).await.map_err(db_error)?
        });
        let (status, origin, raised_by, round, old_department) =
            row.ok_or(DomainError::NotFound {
                entity: "training need",
            })?;
        if raised_by.is_none() || raised_by != requester.user_id {
            return Err(DomainError::Forbidden);
        }
        if status != NeedStatus::SentBack.code() {
            return Err(DomainError::Conflict(format!(
                "only a need that was sent back can be resubmitted; this one is {status}"
            )));
        }
        let origin = NeedOrigin::parse(&origin)?;
        let (resolved, department) = if origin == NeedOrigin::Gap {
            let today = company_today();
            let mut gap_input = input.clone();
            gap_input.people = PeopleChoice::Myself;
            gap_input.skill_code = Some("-".into());
            gap_input.validate(today)?;
            (None, old_department)
        } else {
            let r = self.resolve_need(input, requester).await?;
            let department = match r.department_id {
                Some(d) => Some(d),
                None => self.common_department(&r.people).await?,
            };
            (Some(r), department)
        };
        let origin = resolved.as_ref().map(|r| r.origin).unwrap_or(origin);
        let skip = origin == NeedOrigin::Gap && self.raised_by_training_staff(actor).await?;
        let steps = self
            .plan_chain(
                origin,
                input.estimated_cost,
                skip,
                department,
                requester.employee_id,
            )
            .await?;
        let next_status = status_after_submit(&steps);
        let round = round + 1;
        let now = OffsetDateTime::now_utc();
        let after = serde_json::json!({
            "title": input.title.trim(), "round": round, "urgency": input.urgency.code(),
            "estimated_cost": input.estimated_cost, "status": next_status.code(), "steps": step_json(&steps),
        })
        .to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(
                "UPDATE training_needs SET title = $1, urgency = $2, reason = $3, problem = $4, estimated_cost = $5, wanted_by = $6, \
                 round = $7, status = $8, submitted_at = $9, department_id = $10 WHERE id = $11 AND status = 'sent_back'",
            )
            .bind(input.title.trim()).bind(input.urgency.code()).bind(input.reason.trim()).bind(input.problem.trim())
            .bind(input.estimated_cost).bind(input.wanted_by).bind(round).bind(next_status.code()).bind(DbTime(now))
            .bind(department).bind(id)
            .execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if changed != 1 {
                return Err(DomainError::Conflict(
                    "the need changed meanwhile; reload it".into(),
                ));
            }
            if let Some(r) = &resolved {
                sqlx::query("UPDATE training_needs SET skill_id = $1, origin = $2, audience = $3 WHERE id = $4")
                    .bind(r.skill_id).bind(r.origin.code()).bind(r.audience).bind(id)
                    .execute(&mut *tx).await.map_err(db_error)?;
                sqlx::query("DELETE FROM training_need_people WHERE need_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                for chunk in r.people.chunks(500) {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO training_need_people (need_id, employee_id) ",
                    );
                    qb.push_values(chunk, |mut row, p| {
                        row.push_bind(id).push_bind(*p);
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_error)?;
                }
            }
            insert_steps!(tx, id, round, steps, now);
            append_in!(
                tx,
                &actor
                    .entry("need.resubmit", "training_need")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    // ----- reading -------------------------------------------------------------------

    /// The approval side of need `id` (no scope check: call after `need_detail_for`).
    async fn need_approval(&self, id: i64) -> DomainResult<NeedApproval> {
        type Head = (
            String,
            String,
            Option<f64>,
            Option<time::Date>,
            i32,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        let head: Option<Head> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT n.status, n.problem, n.estimated_cost, n.wanted_by, n.round, n.raised_by, n.program_id, p.code, p.title \
                 FROM training_needs n LEFT JOIN programs p ON p.id = n.program_id WHERE n.id = $1",
            )
            .bind(id).fetch_optional(pool).await.map_err(db_error)?
        });
        let head = head.ok_or(DomainError::NotFound {
            entity: "training need",
        })?;
        let steps: Vec<StepRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.round, s.seq, s.kind, s.rule_name, s.deadline_hours, s.approver_label, s.approver_user_id, s.status, \
                 s.activated_at, s.due_at, u.username AS decided_by, s.decided_as, s.reason, s.decided_at \
                 FROM need_approval_steps s LEFT JOIN users u ON u.id = s.decided_by WHERE s.need_id = $1 ORDER BY s.round, s.seq",
            )
            .bind(id).fetch_all(pool).await.map_err(db_error)?
        });
        Ok(NeedApproval {
            need_id: id,
            status: head.0,
            problem: head.1,
            estimated_cost: head.2,
            wanted_by: head.3.map(|d| d.to_string()),
            round: head.4,
            raised_by_user_id: head.5,
            program_id: head.6,
            program_code: head.7,
            program_title: head.8,
            steps: steps
                .into_iter()
                .map(|s| ApprovalStep {
                    id: s.id,
                    round: s.round,
                    seq: s.seq,
                    kind: s.kind,
                    rule_name: s.rule_name,
                    deadline_hours: s.deadline_hours,
                    approver: s.approver_label,
                    approver_user_id: s.approver_user_id,
                    status: s.status,
                    activated_at: s.activated_at.map(|t| t.0),
                    due_at: s.due_at.map(|t| t.0),
                    decided_by: s.decided_by,
                    decided_as: s.decided_as,
                    reason: s.reason,
                    decided_at: s.decided_at.map(|t| t.0),
                })
                .collect(),
        })
    }

    /// The audit entries of need `id`, newest first.
    async fn need_audit(&self, id: i64) -> DomainResult<Vec<domain::audit::AuditEntry>> {
        type Row = (
            i64,
            DbTime,
            Option<i64>,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at, actor_user_id, actor, ip, action, entity_kind, entity_id, before_json, after_json FROM audit_log \
                 WHERE entity_kind = 'training_need' AND entity_id = $1 ORDER BY id DESC LIMIT 200",
            )
            .bind(id.to_string()).fetch_all(pool).await.map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(|r| domain::audit::AuditEntry {
                id: r.0,
                at: r.1.0,
                actor_user_id: r.2,
                actor: r.3,
                ip: r.4,
                action: r.5,
                entity_kind: r.6,
                entity_id: r.7,
                before: r.8,
                after: r.9,
            })
            .collect())
    }

    // ----- deciding ------------------------------------------------------------------

    /// The need an approval step belongs to.
    async fn need_of_step(&self, step_id: i64) -> DomainResult<i64> {
        let need: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT need_id FROM need_approval_steps WHERE id = $1")
                .bind(step_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        need.ok_or(DomainError::NotFound {
            entity: "approval step",
        })
    }

    /// Records a decision on step `step_id`. Only the step's approver (for a
    /// training-admin step, any training admin) decides it, or a training admin or
    /// system administrator as delegate (recorded as such). A step that is not the
    /// need's current one is refused with a conflict. Returns the need's new status.
    async fn decide_step(
        &self,
        step_id: i64,
        decision: Decision,
        reason: &str,
        decider: &Decider,
        actor: &Actor,
    ) -> DomainResult<(i64, NeedStatus)> {
        type Row = (i64, i32, i32, String, String, Option<i64>, String, i32);
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.need_id, s.round, s.seq, s.kind, s.status, s.approver_user_id, n.status, n.round \
                 FROM need_approval_steps s JOIN training_needs n ON n.id = s.need_id WHERE s.id = $1",
            )
            .bind(step_id).fetch_optional(pool).await.map_err(db_error)?
        });
        let (need_id, round, seq, kind, step_status, approver, need_status, need_round) = row
            .ok_or(DomainError::NotFound {
                entity: "approval step",
            })?;
        let as_approver = approver == Some(decider.user_id)
            || (kind == StepKind::TrainingAdmin.code() && decider.training_admin);
        let decided_as = if as_approver {
            "approver"
        } else if decider.delegate {
            "delegate"
        } else {
            return Err(DomainError::Forbidden);
        };
        if step_status != "pending" || round != need_round || need_status != "pending" {
            return Err(DomainError::Conflict(format!(
                "this step is not waiting for a decision (step {step_status}, need {need_status})"
            )));
        }
        let reason = reason.trim();
        if decision != Decision::Approve && reason.is_empty() {
            return Err(DomainError::invalid(
                "reason",
                "say why the need is rejected or sent back",
            ));
        }
        if reason.chars().count() > 2000 {
            return Err(DomainError::invalid("reason", "at most 2000 characters"));
        }
        let now = OffsetDateTime::now_utc();
        let step_status = match decision {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
            Decision::SendBack => "sent_back",
        };
        let after = serde_json::json!({ "step": step_id, "kind": kind, "decision": decision.code(), "decided_as": decided_as, "reason": reason }).to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(
                "UPDATE need_approval_steps SET status = $1, decided_by = $2, decided_as = $3, reason = $4, decided_at = $5 \
                 WHERE id = $6 AND status = 'pending'",
            )
            .bind(step_status).bind(decider.user_id).bind(decided_as).bind(reason).bind(DbTime(now)).bind(step_id)
            .execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if changed != 1 {
                return Err(DomainError::Conflict(
                    "this step was decided meanwhile".into(),
                ));
            }
            let new_status = match decision {
                Decision::Approve => {
                    let next: Option<(i64, i32)> = sqlx::query_as(
                        "SELECT id, deadline_hours FROM need_approval_steps WHERE need_id = $1 AND round = $2 AND seq > $3 AND status = 'waiting' ORDER BY seq LIMIT 1",
                    )
                    .bind(need_id).bind(round).bind(seq).fetch_optional(&mut *tx).await.map_err(db_error)?;
                    match next {
                        Some((next_id, hours)) => {
                            sqlx::query("UPDATE need_approval_steps SET status = 'pending', activated_at = $1, due_at = $2 WHERE id = $3")
                                .bind(DbTime(now)).bind(DbTime(now + Duration::hours(i64::from(hours)))).bind(next_id)
                                .execute(&mut *tx).await.map_err(db_error)?;
                            NeedStatus::Pending
                        }
                        None => NeedStatus::Approved,
                    }
                }
                Decision::Reject => NeedStatus::Rejected,
                Decision::SendBack => NeedStatus::SentBack,
            };
            if new_status != NeedStatus::Pending {
                sqlx::query("UPDATE need_approval_steps SET status = 'cancelled' WHERE need_id = $1 AND round = $2 AND status = 'waiting'")
                    .bind(need_id).bind(round).execute(&mut *tx).await.map_err(db_error)?;
                sqlx::query("UPDATE training_needs SET status = $1 WHERE id = $2")
                    .bind(new_status.code())
                    .bind(need_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            append_in!(
                tx,
                &actor
                    .entry(&format!("need.step_{}", decision.code()), "training_need")
                    .entity(need_id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok((need_id, new_status))
        })
    }

    /// Steps waiting for `decider` now: their own, training-admin steps for training
    /// admins, and (for delegates) steps whose approver cannot sign in. Oldest first.
    async fn waiting_approvals(
        &self,
        decider: &Decider,
        now: OffsetDateTime,
        page: Page,
    ) -> DomainResult<Paged<WaitingApproval>> {
        on_pool!(self, |pool| {
            let push_where = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" FROM need_approval_steps s JOIN training_needs n ON n.id = s.need_id LEFT JOIN users u ON u.id = n.raised_by \
                          WHERE s.status = 'pending' AND n.status = 'pending' AND (s.approver_user_id = ");
                qb.push_bind(decider.user_id);
                if decider.training_admin {
                    qb.push(" OR s.kind = 'training_admin'");
                }
                if decider.delegate {
                    qb.push(" OR (s.approver_user_id IS NULL AND s.kind <> 'training_admin')");
                }
                qb.push(")");
            };
            let mut qb = QueryBuilder::new(
                "SELECT s.id AS step_id, n.id AS need_id, n.title, s.kind, n.urgency, n.estimated_cost, u.username AS raised_by, \
                 s.approver_label, s.approver_user_id, s.activated_at, s.due_at",
            );
            push_where(&mut qb);
            qb.push(" ORDER BY s.due_at, s.id");
            let mut count = QueryBuilder::new("SELECT COUNT(*)");
            push_where(&mut count);
            let (rows, total): (Vec<WaitingRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows
                .into_iter()
                .map(|r| {
                    let own = r.approver_user_id == Some(decider.user_id)
                        || (r.kind == "training_admin" && decider.training_admin);
                    WaitingApproval {
                        step_id: r.step_id,
                        need_id: r.need_id,
                        title: r.title,
                        overdue: r.due_at.is_some_and(|d| d.0 < now),
                        kind: r.kind,
                        urgency: r.urgency,
                        estimated_cost: r.estimated_cost,
                        raised_by: r.raised_by,
                        approver: r.approver_label,
                        as_delegate: !own,
                        activated_at: r.activated_at.map(|t| t.0),
                        due_at: r.due_at.map(|t| t.0),
                    }
                })
                .collect();
            Ok(paged(page, total, items))
        })
    }

    /// Pending steps past their deadline at `now`, with whom to remind.
    async fn overdue_approval_steps(&self, now: OffsetDateTime) -> DomainResult<Vec<OverdueStep>> {
        self.pending_steps(" AND s.due_at < $1", DbTime(now)).await
    }

    /// Steps that became current at or after `since` and still wait, with whom to
    /// tell (the notifications part announces them).
    async fn approval_steps_waiting_since(
        &self,
        since: OffsetDateTime,
    ) -> DomainResult<Vec<WaitingStep>> {
        self.pending_steps(" AND s.activated_at >= $1", DbTime(since))
            .await
    }

    // ----- merging into programs -------------------------------------------------------

    /// Approved needs like `id`: the same skill, or a title sharing words.
    async fn similar_needs(&self, id: i64) -> DomainResult<Vec<NeedSummary>> {
        let viewer = NeedViewer {
            scope: DataScope::company(),
            user_id: None,
        };
        let this = self.need_detail_for(id, &viewer).await?.summary;
        let filter = NeedFilter {
            status: Some(NeedStatus::Approved.code().into()),
            ..NeedFilter::default()
        };
        let approved = self
            .list_needs_for(&viewer, &filter, Page::new(Some(1), Some(200)))
            .await?;
        Ok(approved
            .items
            .into_iter()
            .filter(|n| n.id != id)
            .filter(|n| {
                (this.skill_code.is_some() && n.skill_code == this.skill_code)
                    || similar_titles(&n.title, &this.title)
            })
            .collect())
    }

    /// Puts approved needs into a program: a new draft program prefilled from them
    /// (title, skills, the union of their people as a named audience), or an existing
    /// draft, open or running one (their people join its named audience). The needs
    /// become `planned` and point at the program; a new program's `need_id` is the
    /// first need's. Returns the program's id.
    async fn merge_needs(&self, request: &MergeRequest, actor: &Actor) -> DomainResult<i64> {
        request.validate()?;
        let mut ids = request.need_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        type NeedRow = (i64, String, String, Option<String>);
        let needs: Vec<NeedRow> = on_pool!(self, |pool| {
            fetch_in(
                pool,
                "SELECT n.id, n.title, n.status, s.code FROM training_needs n LEFT JOIN skills s ON s.id = n.skill_id WHERE n.id IN (",
                ids.iter().copied(),
                " ORDER BY n.id",
            )
            .await?
        });
        for id in &ids {
            match needs.iter().find(|n| n.0 == *id) {
                None => {
                    return Err(DomainError::invalid(
                        "need_ids",
                        format!("no training need has the id {id}"),
                    ));
                }
                Some(n) if n.2 != NeedStatus::Approved.code() => {
                    return Err(DomainError::invalid(
                        "need_ids",
                        format!("need {} ({}) is {}, not approved", n.0, n.1, n.2),
                    ));
                }
                _ => {}
            }
        }
        let numbers: Vec<String> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT DISTINCT e.employee_no FROM training_need_people np JOIN employees e ON e.id = np.employee_id WHERE np.need_id IN (",
            );
            push_in_list(&mut qb, ids.iter().copied());
            qb.push(" ORDER BY e.employee_no");
            qb.build_query_scalar()
                .fetch_all(pool)
                .await
                .map_err(db_error)?
        });
        let first_title = needs.first().map(|n| n.1.clone()).unwrap_or_default();
        let (program_id, created) = match request.program_id {
            Some(program) => {
                let status: Option<String> = on_pool!(self, |pool| {
                    sqlx::query_scalar("SELECT status FROM programs WHERE id = $1")
                        .bind(program)
                        .fetch_optional(pool)
                        .await
                        .map_err(db_error)?
                });
                match status.as_deref() {
                    None => {
                        return Err(DomainError::invalid(
                            "program_id",
                            format!("no program has the id {program}"),
                        ));
                    }
                    Some("draft" | "open" | "running") => (program, false),
                    Some(other) => {
                        return Err(DomainError::invalid(
                            "program_id",
                            format!("the program is {other}; choose a draft, open or running one"),
                        ));
                    }
                }
            }
            None => {
                let mut skills: Vec<String> = needs.iter().filter_map(|n| n.3.clone()).collect();
                skills.sort();
                skills.dedup();
                let mut program_skills = Vec::new();
                for code in skills {
                    let level: Option<i32> = on_pool!(self, |pool| {
                        sqlx::query_scalar(
                            "SELECT MAX(ps.required_level) FROM position_skills ps JOIN skills s ON s.id = ps.skill_id WHERE s.code = $1",
                        )
                        .bind(&code).fetch_one(pool).await.map_err(db_error)?
                    });
                    program_skills.push(domain::operations::ProgramSkill {
                        code,
                        level: level.unwrap_or(2).clamp(1, 10),
                    });
                }
                let title = request
                    .title
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .unwrap_or(&first_title)
                    .to_string();
                let input = domain::operations::ProgramInput {
                    code: request.code.clone().unwrap_or_default().trim().to_string(),
                    title,
                    plan_code: None,
                    objectives: String::new(),
                    audience: AudienceRule {
                        employees: numbers.clone(),
                        ..AudienceRule::default()
                    },
                    capacity: None,
                    hours: 0.0,
                    credits: 0.0,
                    skills: program_skills,
                    resources: Vec::new(),
                    instructors: Vec::new(),
                    costs: Vec::new(),
                    transfer: None,
                    min_attendance_pct: 80,
                    cancel_deadline_hours: 24,
                    survey_required: false,
                    certificate_months: None,
                    exam_required: false,
                };
                (self.create_program(&input, actor).await?, true)
            }
        };
        let after = serde_json::json!({ "program": program_id, "needs": ids, "created": created, "people": numbers.len() }).to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            if !created {
                // The needs' people join the program's named audience.
                let audience: String =
                    sqlx::query_scalar("SELECT audience FROM programs WHERE id = $1")
                        .bind(program_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_error)?;
                let mut rule: AudienceRule = serde_json::from_str(&audience).unwrap_or_default();
                for n in &numbers {
                    if !rule.employees.contains(n) {
                        rule.employees.push(n.clone());
                    }
                }
                let json = serde_json::to_string(&rule)
                    .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
                sqlx::query("UPDATE programs SET audience = $1, updated_at = $2 WHERE id = $3")
                    .bind(json)
                    .bind(DbTime(OffsetDateTime::now_utc()))
                    .bind(program_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            } else {
                sqlx::query("UPDATE programs SET need_id = $1 WHERE id = $2")
                    .bind(ids[0])
                    .bind(program_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            for id in &ids {
                let changed = sqlx::query("UPDATE training_needs SET status = 'planned', program_id = $1 WHERE id = $2 AND status = 'approved'")
                    .bind(program_id).bind(*id).execute(&mut *tx).await.map_err(db_error)?.rows_affected();
                if changed != 1 {
                    return Err(DomainError::Conflict(format!(
                        "need {id} changed meanwhile; reload and try again"
                    )));
                }
                let plan =
                    serde_json::json!({ "status": "planned", "program": program_id }).to_string();
                append_in!(
                    tx,
                    &actor
                        .entry("need.plan", "training_need")
                        .entity(*id)
                        .change(None, Some(plan))
                );
            }
            append_in!(
                tx,
                &actor
                    .entry("need.merge", "program")
                    .entity(program_id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(program_id)
        })
    }

    /// The needs a program was planned from.
    async fn program_needs(&self, program_id: i64) -> DomainResult<Vec<NeedSummary>> {
        let viewer = NeedViewer {
            scope: DataScope::company(),
            user_id: None,
        };
        let filter = NeedFilter {
            program_id: Some(program_id),
            ..NeedFilter::default()
        };
        Ok(self
            .list_needs_for(&viewer, &filter, Page::new(Some(1), Some(200)))
            .await?
            .items)
    }
}
