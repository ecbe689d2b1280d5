//! Training needs raised by hand, their approval chains and merging approved needs
//! into programs.
//!
//! A need is submitted into `pending`; its approval steps are a snapshot of the
//! configured rules taken at submission. Each step is approved, rejected (need
//! `rejected`) or sent back (need `sent_back`; the requester edits and resubmits,
//! which starts a new round of steps). When every step approved, the need is
//! `approved`; a training admin then puts it into a program (`planned`).

use crate::needs::Urgency;
use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// The largest estimated cost accepted (yuan).
pub const MAX_COST: f64 = 100_000_000.0;
/// Longest step deadline (30 days).
pub const MAX_DEADLINE_HOURS: i32 = 720;

coded_enum!(
    /// Where a need's status stands.
    NeedStatus, "status", {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        SentBack => "sent_back",
        Planned => "planned",
        Closed => "closed",
    }
);

coded_enum!(
    /// Who decides an approval step.
    StepKind, "kind", {
        /// The head of the need's department (for a team, the team's head; when the
        /// requester is that head, the next head up).
        Manager => "manager",
        /// Any user holding the training admin role.
        TrainingAdmin => "training_admin",
        /// The head of the top-level department above the need's department.
        DepartmentHead => "department_head",
    }
);

coded_enum!(
    /// A decision on the current step.
    Decision, "decision", {
        Approve => "approve",
        Reject => "reject",
        SendBack => "send_back",
    }
);

coded_enum!(
    /// Where a need came from, as approval rules name it.
    NeedOrigin, "origin", {
        Gap => "gap",
        Employee => "employee",
        Manager => "manager",
    }
);

/// One step a rule adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleStep {
    pub kind: StepKind,
    /// Hours the approver has from the moment the step becomes current.
    pub deadline_hours: i32,
}

/// An approval rule: when its condition holds, its steps join the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRule {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// Only needs of this origin; None: any.
    #[serde(default)]
    pub origin: Option<NeedOrigin>,
    /// Only needs whose estimated cost is at least this; None: any.
    #[serde(default)]
    pub min_cost: Option<f64>,
    pub steps: Vec<RuleStep>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl ApprovalRule {
    /// Checks one rule; `row` names it in messages (`rules[2].name`).
    pub fn validate(&self, prefix: &str) -> DomainResult<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::invalid(
                format!("{prefix}name"),
                "required, at most 100 characters",
            ));
        }
        if let Some(cost) = self.min_cost
            && (!cost.is_finite() || !(0.0..=MAX_COST).contains(&cost))
        {
            return Err(DomainError::invalid(
                format!("{prefix}min_cost"),
                "must be between 0 and 100,000,000",
            ));
        }
        if self.steps.is_empty() {
            return Err(DomainError::invalid(
                format!("{prefix}steps"),
                "a rule adds at least one step",
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            if !(1..=MAX_DEADLINE_HOURS).contains(&step.deadline_hours) {
                return Err(DomainError::invalid(
                    format!("{prefix}steps[{i}].deadline_hours"),
                    "must be between 1 and 720 hours",
                ));
            }
            if self.steps[..i].iter().any(|s| s.kind == step.kind) {
                return Err(DomainError::invalid(
                    format!("{prefix}steps[{i}].kind"),
                    format!("{} is already a step of this rule", step.kind.code()),
                ));
            }
        }
        Ok(())
    }

    /// Whether the rule applies to a need of `origin` with `cost` (unknown cost: 0).
    pub fn matches(&self, origin: NeedOrigin, cost: Option<f64>) -> bool {
        self.active
            && self.origin.is_none_or(|o| o == origin)
            && self.min_cost.is_none_or(|m| cost.unwrap_or(0.0) >= m)
    }
}

/// Checks a whole rule list.
pub fn validate_rules(rules: &[ApprovalRule]) -> DomainResult<()> {
    if rules.len() > 50 {
        return Err(DomainError::invalid("rules", "at most 50 rules"));
    }
    for (i, rule) in rules.iter().enumerate() {
        rule.validate(&format!("rules[{i}]."))?;
    }
    Ok(())
}

/// The steps the rules give a need, in rule order, each kind once (the first rule
/// naming it sets its deadline). `skip_manager` drops the manager step (gap needs
/// raised by training staff). Each step carries the name of its rule.
pub fn chain_for(
    rules: &[ApprovalRule],
    origin: NeedOrigin,
    cost: Option<f64>,
    skip_manager: bool,
) -> Vec<(String, RuleStep)> {
    let mut chain: Vec<(String, RuleStep)> = Vec::new();
    for rule in rules.iter().filter(|r| r.matches(origin, cost)) {
        for step in &rule.steps {
            if skip_manager && step.kind == StepKind::Manager {
                continue;
            }
            if chain.iter().all(|(_, s)| s.kind != step.kind) {
                chain.push((rule.name.trim().to_string(), step.clone()));
            }
        }
    }
    chain
}

/// Whom a hand-raised need covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeopleChoice {
    /// The requester.
    #[serde(rename = "self")]
    Myself,
    /// Named employees by number.
    Employees { numbers: Vec<String> },
    /// A department (and everything below it) by code.
    Team { department_code: String },
}

/// A need raised (or edited before resubmission) by hand.
#[derive(Debug, Clone)]
pub struct NeedInput {
    pub title: String,
    /// Skill code, when the need is about a known skill.
    pub skill_code: Option<String>,
    /// The problem in words (required when no skill is named).
    pub problem: String,
    pub people: PeopleChoice,
    pub urgency: Urgency,
    /// Why the business needs it.
    pub reason: String,
    /// Yuan.
    pub estimated_cost: Option<f64>,
    pub wanted_by: Option<Date>,
}

impl NeedInput {
    /// Checks the fields that need no database; `today` bounds the wanted-by date.
    pub fn validate(&self, today: Date) -> DomainResult<()> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "title",
                "required, at most 200 characters",
            ));
        }
        let skill = self.skill_code.as_deref().map(str::trim).unwrap_or("");
        if skill.is_empty() && self.problem.trim().is_empty() {
            return Err(DomainError::invalid(
                "problem",
                "name a skill or describe the problem in words",
            ));
        }
        if self.problem.chars().count() > 4000 {
            return Err(DomainError::invalid("problem", "at most 4000 characters"));
        }
        let reason = self.reason.trim();
        if reason.is_empty() || reason.chars().count() > 4000 {
            return Err(DomainError::invalid(
                "reason",
                "the business reason is required (at most 4000 characters)",
            ));
        }
        if let Some(cost) = self.estimated_cost
            && (!cost.is_finite() || !(0.0..=MAX_COST).contains(&cost))
        {
            return Err(DomainError::invalid(
                "estimated_cost",
                "must be an amount between 0 and 100,000,000 yuan",
            ));
        }
        if let Some(day) = self.wanted_by
            && day < today
        {
            return Err(DomainError::invalid("wanted_by", "must not be in the past"));
        }
        match &self.people {
            PeopleChoice::Employees { numbers } => {
                if numbers.iter().all(|n| n.trim().is_empty()) {
                    return Err(DomainError::invalid(
                        "employees",
                        "name at least one employee number",
                    ));
                }
                if numbers.len() > 500 {
                    return Err(DomainError::invalid("employees", "at most 500 people"));
                }
            }
            PeopleChoice::Team { department_code } if department_code.trim().is_empty() => {
                return Err(DomainError::invalid("team", "choose a department"));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a wanted-by date typed as YYYY-MM-DD; blank is None.
pub fn parse_day(text: &str) -> DomainResult<Option<Date>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, format)
        .map(Some)
        .map_err(|_| DomainError::invalid("wanted_by", "must be a date as YYYY-MM-DD"))
}

/// Parses a money amount typed in a form: blank is None; `50,000` and `50000.5` are fine.
pub fn parse_cost(text: &str) -> DomainResult<Option<f64>> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && *c != '¥' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| DomainError::invalid("estimated_cost", "must be an amount in yuan"))
}

/// Splits employee numbers typed one per line or separated by commas/spaces.
pub fn split_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One approval step as shown in a need's history.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalStep {
    pub id: i64,
    pub round: i32,
    pub seq: i32,
    pub kind: String,
    pub rule_name: String,
    pub deadline_hours: i32,
    /// Who is asked (name and department), or empty for any training admin.
    pub approver: String,
    pub approver_user_id: Option<i64>,
    /// waiting, pending, approved, rejected, sent_back or cancelled.
    pub status: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub activated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// Username of whoever decided.
    pub decided_by: Option<String>,
    /// approver or delegate.
    pub decided_as: Option<String>,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

/// The approval side of a need: what the list and page add to the gap-based detail.
#[derive(Debug, Clone, Serialize)]
pub struct NeedApproval {
    pub need_id: i64,
    pub status: String,
    pub problem: String,
    pub estimated_cost: Option<f64>,
    /// YYYY-MM-DD.
    pub wanted_by: Option<String>,
    pub round: i32,
    pub raised_by_user_id: Option<i64>,
    pub program_id: Option<i64>,
    pub program_code: Option<String>,
    pub program_title: Option<String>,
    /// Every round's steps, oldest first.
    pub steps: Vec<ApprovalStep>,
}

impl NeedApproval {
    /// The step waiting for a decision now.
    pub fn current_step(&self) -> Option<&ApprovalStep> {
        self.steps
            .iter()
            .find(|s| s.round == self.round && s.status == "pending")
    }
}

/// A step waiting for the caller (the "my approvals" list).
#[derive(Debug, Clone, Serialize)]
pub struct WaitingApproval {
    pub step_id: i64,
    pub need_id: i64,
    pub title: String,
    pub kind: String,
    pub urgency: String,
    pub estimated_cost: Option<f64>,
    pub raised_by: Option<String>,
    pub approver: String,
    /// True when the caller decides in someone else's stead.
    pub as_delegate: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub activated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    pub overdue: bool,
}

/// A pending step, for reminders: who should hear about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueStep {
    pub step_id: i64,
    pub need_id: i64,
    pub need_title: String,
    pub kind: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub activated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// The step's own approver login, when it has one.
    pub approver_user_id: Option<i64>,
    /// Everybody to remind: the approver, or for a training-admin step (and a step whose
    /// approver has no login) every active training admin.
    pub recipient_user_ids: Vec<i64>,
}

/// A step newly waiting for someone (same shape as an overdue one).
pub type WaitingStep = OverdueStep;

/// Who looks at needs: their ManageTrainingNeeds scope plus their own needs and the
/// needs they are asked to approve.
#[derive(Debug, Clone, Default)]
pub struct NeedViewer {
    pub scope: crate::DataScope,
    pub user_id: Option<i64>,
}

/// Who raises or resubmits a need.
#[derive(Debug, Clone)]
pub struct Requester {
    pub user_id: Option<i64>,
    pub employee_id: Option<i64>,
    /// ManageTrainingNeeds scope: whom they may raise needs for besides themself.
    pub scope: crate::DataScope,
}

/// Who decides a step.
#[derive(Debug, Clone, Copy)]
pub struct Decider {
    pub user_id: i64,
    /// Holds the training admin role: decides training-admin steps as the approver.
    pub training_admin: bool,
    /// Training admin or system administrator: may decide any step in the approver's stead.
    pub delegate: bool,
}

/// Approved needs to put into a program: a new draft one, or an existing one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeRequest {
    pub need_ids: Vec<i64>,
    /// An existing program to attach the needs to.
    #[serde(default)]
    pub program_id: Option<i64>,
    /// Code of a new draft program (when `program_id` is not given).
    #[serde(default)]
    pub code: Option<String>,
    /// Title of the new program; defaults to the first need's title.
    #[serde(default)]
    pub title: Option<String>,
}

impl MergeRequest {
    pub fn validate(&self) -> DomainResult<()> {
        if self.need_ids.is_empty() {
            return Err(DomainError::invalid("need_ids", "select at least one need"));
        }
        if self.need_ids.len() > 200 {
            return Err(DomainError::invalid(
                "need_ids",
                "at most 200 needs at once",
            ));
        }
        if self.program_id.is_none() && self.code.as_deref().map(str::trim).unwrap_or("").is_empty()
        {
            return Err(DomainError::invalid(
                "code",
                "give the new program a code, or choose an existing program",
            ));
        }
        Ok(())
    }
}

/// Whether two need titles look alike: they share a word of two or more characters
/// (or, for Chinese text without spaces, a two-character run).
pub fn similar_titles(a: &str, b: &str) -> bool {
    let grams = |s: &str| -> Vec<String> {
        let chars: Vec<char> = s
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    let left = grams(a);
    let right = grams(b);
    left.iter().any(|g| right.contains(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, min_cost: Option<f64>, steps: &[(StepKind, i32)]) -> ApprovalRule {
        ApprovalRule {
            id: 0,
            name: name.into(),
            origin: None,
            min_cost,
            steps: steps
                .iter()
                .map(|(kind, h)| RuleStep {
                    kind: *kind,
                    deadline_hours: *h,
                })
                .collect(),
            active: true,
        }
    }

    #[test]
    fn chain_follows_rules_in_order_each_kind_once() {
        let rules = vec![
            rule(
                "base",
                None,
                &[(StepKind::Manager, 72), (StepKind::TrainingAdmin, 48)],
            ),
            rule(
                "costly",
                Some(50_000.0),
                &[(StepKind::DepartmentHead, 120), (StepKind::Manager, 1)],
            ),
        ];
        let cheap = chain_for(&rules, NeedOrigin::Employee, Some(100.0), false);
        assert_eq!(cheap.len(), 2);
        let costly = chain_for(&rules, NeedOrigin::Employee, Some(50_000.0), false);
        let kinds: Vec<_> = costly.iter().map(|(_, s)| s.kind).collect();
        assert_eq!(
            kinds,
            vec![
                StepKind::Manager,
                StepKind::TrainingAdmin,
                StepKind::DepartmentHead
            ]
        );
        assert_eq!(costly[0].1.deadline_hours, 72);
        let skipped = chain_for(&rules, NeedOrigin::Gap, None, true);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].1.kind, StepKind::TrainingAdmin);
    }

    #[test]
    fn validation_names_the_field() {
        let bad = rule("x", None, &[(StepKind::Manager, 0)]);
        let err = validate_rules(&[bad]).unwrap_err().to_string();
        assert!(err.starts_with("rules[0].steps[0].deadline_hours"), "{err}");
        let input = NeedInput {
            title: "焊接".into(),
            skill_code: None,
            problem: String::new(),
            people: PeopleChoice::Myself,
            urgency: Urgency::Normal,
            reason: "质量".into(),
            estimated_cost: None,
            wanted_by: None,
        };
        let today = Date::from_calendar_date(2026, time::Month::May, 1).unwrap();
        let err = input.validate(today).unwrap_err().to_string();
        assert!(err.starts_with("problem:"), "{err}");
        assert!(parse_cost("50,000").unwrap() == Some(50_000.0));
        assert!(parse_cost("abc").is_err());
        assert_eq!(split_numbers("A1, A2\nA3"), vec!["A1", "A2", "A3"]);
        assert!(similar_titles("焊接质量提升", "提升焊接技能"));
        assert!(!similar_titles("Excel", "焊接"));
    }
}
