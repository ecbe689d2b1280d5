//! Training operations (培训运营): venues and instructors, plans holding programs,
//! programs with their dated sessions, enrollment with waitlists, and attendance.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

coded_enum!(
    /// Where a program stands. Only an open program takes self-service enrollment.
    ProgramStatus, "status", {
        Draft => "draft" | "草稿",
        Open => "open" | "开放报名",
        Running => "running" | "进行中",
        Closed => "closed" | "已结束",
        Historical => "historical" | "历史",
    }
);

impl ProgramStatus {
    /// The moves a program may make: prepared, opened for sign-up or run by
    /// assignment (either way round), then closed. Closing settles completion, so a
    /// closed program stays closed; historical ones come only from an import.
    pub fn can_move_to(self, next: ProgramStatus) -> bool {
        use ProgramStatus::*;
        matches!(
            (self, next),
            (Draft, Open | Running) | (Open, Draft | Running | Closed) | (Running, Open | Closed)
        )
    }

    /// Whether sessions and enrollments may still change.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ProgramStatus::Draft | ProgramStatus::Open | ProgramStatus::Running
        )
    }
}

coded_enum!(
    /// How a session is delivered.
    SessionMode, "mode", {
        Classroom => "classroom" | "面授",
        Online => "online" | "线上",
        Blended => "blended" | "混合",
    }
);

coded_enum!(
    /// What a venue is.
    VenueKind, "kind", {
        Classroom => "classroom" | "教室",
        Workshop => "workshop" | "实训车间" | "车间",
        Lab => "lab" | "实验室",
        Hall => "hall" | "报告厅" | "礼堂",
        Online => "online" | "线上",
    }
);

coded_enum!(
    /// A program's cost line.
    CostKind, "kind", {
        InstructorFee => "instructor_fee" | "讲师费",
        Venue => "venue" | "场地费",
        Materials => "materials" | "教材费" | "资料费",
        Travel => "travel" | "差旅费",
        Other => "other" | "其他",
    }
);

coded_enum!(
    /// How a person came into a program (报名 / 指派 / 推送).
    EnrollmentSource, "source", {
        SelfService => "self" | "自主报名",
        Assigned => "assigned" | "指派",
        Pushed => "pushed" | "推送",
        Imported => "imported" | "导入",
    }
);

coded_enum!(
    /// A person's standing in a program.
    EnrollmentStatus, "status", {
        Enrolled => "enrolled" | "已报名",
        Waitlisted => "waitlisted" | "候补",
        Cancelled => "cancelled" | "已取消",
        Completed => "completed" | "已完成",
        Incomplete => "incomplete" | "未完成",
    }
);

coded_enum!(
    /// Presence at a session (签到).
    AttendanceStatus, "status", {
        Present => "present" | "出勤" | "已签到",
        Late => "late" | "迟到",
        Absent => "absent" | "缺勤",
    }
);

coded_enum!(
    /// How attendance was recorded.
    AttendanceMethod, "method", {
        Code => "code" | "签到码",
        RollCall => "roll_call" | "点名",
        Generated => "generated" | "生成",
        Imported => "imported" | "导入",
    }
);

/// Minutes after a session's start from which a check-in counts as late.
pub const LATE_AFTER_MINUTES: i64 = 10;
/// Longest a check-in code may stay valid.
pub const CHECKIN_CODE_MAX_MINUTES: i64 = 240;

fn required(field: &str, value: &str, max_chars: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    if value.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    Ok(value.to_string())
}

/// A record code: letters, digits, `-`, `_`, `.`; at most 40 characters.
pub fn valid_code(field: &str, code: &str) -> DomainResult<String> {
    let code = required(field, code, 40)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(DomainError::invalid(
            field,
            format!("'{code}' may hold only letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(code)
}

/// A venue (场地).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VenueInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub site: String,
    pub capacity: i32,
    pub kind: VenueKind,
    #[serde(default)]
    pub equipment: String,
}

impl VenueInput {
    pub fn validated(&self) -> DomainResult<Self> {
        if !(1..=5000).contains(&self.capacity) {
            return Err(DomainError::invalid(
                "capacity",
                "must be between 1 and 5000",
            ));
        }
        Ok(Self {
            code: valid_code("code", &self.code)?,
            name: required("name", &self.name, 100)?,
            site: self.site.trim().to_string(),
            capacity: self.capacity,
            kind: self.kind,
            equipment: self.equipment.trim().to_string(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Venue {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub site: String,
    pub capacity: i32,
    pub kind: VenueKind,
    pub equipment: String,
    pub active: bool,
}

/// An instructor (讲师): an employee, or an external trainer from a vendor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstructorInput {
    pub code: String,
    pub name: String,
    /// The employee number of an internal instructor; none for an external one.
    #[serde(default)]
    pub employee_number: Option<String>,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub hourly_cost: f64,
    /// Skills the instructor can teach, by code.
    #[serde(default)]
    pub skills: Vec<String>,
}

impl InstructorInput {
    pub fn validated(&self) -> DomainResult<Self> {
        let trimmed = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let employee_number = trimmed(&self.employee_number);
        let vendor = trimmed(&self.vendor);
        if employee_number.is_none() && vendor.is_none() {
            return Err(DomainError::invalid(
                "employee_number",
                "an internal instructor needs an employee number, an external one a vendor",
            ));
        }
        if !self.hourly_cost.is_finite() || !(0.0..=100_000.0).contains(&self.hourly_cost) {
            return Err(DomainError::invalid(
                "hourly_cost",
                "must be between 0 and 100000",
            ));
        }
        let mut skills: Vec<String> = self
            .skills
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        skills.sort();
        skills.dedup();
        Ok(Self {
            code: valid_code("code", &self.code)?,
            name: required("name", &self.name, 100)?,
            employee_number,
            vendor,
            hourly_cost: self.hourly_cost,
            skills,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Instructor {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// `internal` or `external`.
    pub origin: String,
    pub employee_id: Option<i64>,
    pub employee_number: Option<String>,
    pub vendor: Option<String>,
    pub hourly_cost: f64,
    pub skills: Vec<String>,
    pub active: bool,
}

/// A period an instructor cannot teach.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unavailability {
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    #[serde(default)]
    pub reason: String,
}

/// A training plan (培训计划) for a year or a quarter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanInput {
    pub code: String,
    pub name: String,
    /// `2026` or `2026Q3`.
    pub period: String,
}

impl PlanInput {
    pub fn validated(&self) -> DomainResult<Self> {
        let period = self.period.trim().to_uppercase();
        let valid = match period.split_once('Q') {
            None => period.len() == 4 && period.parse::<u16>().is_ok(),
            Some((year, q)) => {
                year.len() == 4 && year.parse::<u16>().is_ok() && matches!(q, "1" | "2" | "3" | "4")
            }
        };
        if !valid {
            return Err(DomainError::invalid(
                "period",
                format!(
                    "'{}' is not a year (2026) or a quarter (2026Q3)",
                    self.period.trim()
                ),
            ));
        }
        Ok(Self {
            code: valid_code("code", &self.code)?,
            name: required("name", &self.name, 100)?,
            period,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub period: String,
    pub status: String,
    pub programs: i64,
}

/// Who a program is for: everyone matching any listed department (with its
/// subtree), position or person tag, plus the people named. Empty: nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceRule {
    /// Department codes.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Position codes.
    #[serde(default)]
    pub positions: Vec<String>,
    /// Person tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Employee numbers.
    #[serde(default)]
    pub employees: Vec<String>,
}

impl AudienceRule {
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty()
            && self.positions.is_empty()
            && self.tags.is_empty()
            && self.employees.is_empty()
    }

    /// Parses the comma- or whitespace-separated lists of a form.
    pub fn from_lists(departments: &str, positions: &str, tags: &str, employees: &str) -> Self {
        let split = |text: &str| -> Vec<String> {
            let mut items: Vec<String> = text
                .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            items.sort();
            items.dedup();
            items
        };
        Self {
            departments: split(departments),
            positions: split(positions),
            tags: split(tags),
            employees: split(employees),
        }
    }
}

/// A cost line of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostLine {
    pub kind: CostKind,
    pub amount: f64,
    #[serde(default)]
    pub note: String,
}

/// The change in a KPI a program should bring (e.g. 投诉率 −20% within 3 months).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferGoal {
    pub kpi_code: String,
    /// Signed relative change, in percent: −20 means "down by a fifth".
    pub change_pct: f64,
    /// Months after completion by which the change should show.
    pub months: i32,
}

/// A skill a program develops, to a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramSkill {
    pub code: String,
    pub level: i32,
}

/// A program (培训项目) as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProgramInput {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub plan_code: Option<String>,
    #[serde(default)]
    pub objectives: String,
    #[serde(default)]
    pub audience: AudienceRule,
    /// Seats; more enrollments wait. None: no limit.
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(default)]
    pub hours: f64,
    #[serde(default)]
    pub credits: f64,
    #[serde(default)]
    pub skills: Vec<ProgramSkill>,
    /// Library resources by code.
    #[serde(default)]
    pub resources: Vec<String>,
    /// Instructors by code.
    #[serde(default)]
    pub instructors: Vec<String>,
    #[serde(default)]
    pub costs: Vec<CostLine>,
    #[serde(default)]
    pub transfer: Option<TransferGoal>,
    /// Share of the sessions a learner must attend to complete, in percent.
    #[serde(default = "default_min_attendance")]
    pub min_attendance_pct: i32,
    /// Hours before the first session after which a learner can no longer cancel.
    #[serde(default = "default_cancel_hours")]
    pub cancel_deadline_hours: i32,
    /// Learners must answer the program's reaction survey(s) to complete.
    #[serde(default)]
    pub survey_required: bool,
    /// Months the completion certificate stays valid; none: it never expires.
    #[serde(default)]
    pub certificate_months: Option<i32>,
    /// Completion also needs a passed attempt at the program's final exam.
    #[serde(default)]
    pub exam_required: bool,
}

fn default_min_attendance() -> i32 {
    80
}

fn default_cancel_hours() -> i32 {
    24
}

impl ProgramInput {
    pub fn validated(&self) -> DomainResult<Self> {
        if let Some(c) = self.capacity
            && !(1..=100_000).contains(&c)
        {
            return Err(DomainError::invalid(
                "capacity",
                "must be between 1 and 100000",
            ));
        }
        let number = |field: &str, v: f64, max: f64| {
            if v.is_finite() && (0.0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(DomainError::invalid(
                    field,
                    format!("must be between 0 and {max}"),
                ))
            }
        };
        number("hours", self.hours, 2000.0)?;
        number("credits", self.credits, 1000.0)?;
        for (i, cost) in self.costs.iter().enumerate() {
            number(&format!("costs[{i}].amount"), cost.amount, 100_000_000.0)?;
        }
        for (i, skill) in self.skills.iter().enumerate() {
            if !(1..=10).contains(&skill.level) {
                return Err(DomainError::invalid(
                    format!("skills[{i}].level"),
                    "must be between 1 and 10",
                ));
            }
        }
        if let Some(goal) = &self.transfer {
            if goal.kpi_code.trim().is_empty() {
                return Err(DomainError::invalid("transfer.kpi_code", "is required"));
            }
            if !goal.change_pct.is_finite()
                || goal.change_pct == 0.0
                || goal.change_pct.abs() > 1000.0
            {
                return Err(DomainError::invalid(
                    "transfer.change_pct",
                    "must be a non-zero change between -1000 and 1000 percent",
                ));
            }
            if !(1..=36).contains(&goal.months) {
                return Err(DomainError::invalid(
                    "transfer.months",
                    "must be between 1 and 36",
                ));
            }
        }
        if !(0..=100).contains(&self.min_attendance_pct) {
            return Err(DomainError::invalid(
                "min_attendance_pct",
                "must be between 0 and 100",
            ));
        }
        if let Some(m) = self.certificate_months
            && !(1..=240).contains(&m)
        {
            return Err(DomainError::invalid(
                "certificate_months",
                "must be between 1 and 240",
            ));
        }
        if !(0..=720).contains(&self.cancel_deadline_hours) {
            return Err(DomainError::invalid(
                "cancel_deadline_hours",
                "must be between 0 and 720",
            ));
        }
        let mut out = self.clone();
        out.code = valid_code("code", &self.code)?;
        out.title = required("title", &self.title, 200)?;
        out.plan_code = self
            .plan_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        out.objectives = self.objectives.trim().to_string();
        Ok(out)
    }
}

/// A program as listed.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: ProgramStatus,
    pub plan_code: Option<String>,
    pub capacity: Option<i32>,
    pub hours: f64,
    /// Seats taken: enrolled, completed or not completed.
    pub enrolled: i64,
    pub waitlisted: i64,
    pub completed: i64,
    pub sessions: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_session: Option<OffsetDateTime>,
}

/// A program with everything on its page.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramDetail {
    pub summary: ProgramSummary,
    pub objectives: String,
    pub audience: AudienceRule,
    pub credits: f64,
    pub skills: Vec<ProgramSkill>,
    pub resources: Vec<String>,
    pub instructors: Vec<String>,
    pub costs: Vec<CostLine>,
    pub transfer: Option<TransferGoal>,
    pub min_attendance_pct: i32,
    pub cancel_deadline_hours: i32,
    pub survey_required: bool,
    pub certificate_months: Option<i32>,
    pub exam_required: bool,
    pub sessions: Vec<Session>,
}

impl ProgramDetail {
    pub fn total_cost(&self) -> f64 {
        self.costs.iter().map(|c| c.amount).sum()
    }
}

/// Filters of the program list.
#[derive(Debug, Clone, Default)]
pub struct ProgramFilter {
    pub q: Option<String>,
    pub status: Option<ProgramStatus>,
    pub plan_code: Option<String>,
    /// Only programs a learner may sign up for now.
    pub open_only: bool,
    /// Leave out drafts: only the people who prepare programs see them.
    pub hide_drafts: bool,
}

/// A dated delivery of a program (班次), as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionInput {
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub mode: SessionMode,
    #[serde(default)]
    pub venue_code: Option<String>,
    #[serde(default)]
    pub capacity: Option<i32>,
    #[serde(default)]
    pub join_url: Option<String>,
    /// Instructors by code.
    #[serde(default)]
    pub instructors: Vec<String>,
    /// Save even though the conflict check found problems.
    #[serde(default)]
    pub allow_conflicts: bool,
}

impl SessionInput {
    pub fn validated(&self) -> DomainResult<Self> {
        if self.ends_at <= self.starts_at {
            return Err(DomainError::invalid("ends_at", "must be after the start"));
        }
        if self.ends_at - self.starts_at > time::Duration::days(14) {
            return Err(DomainError::invalid(
                "ends_at",
                "a session lasts at most 14 days",
            ));
        }
        let venue_code = self
            .venue_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if self.mode != SessionMode::Online && venue_code.is_none() {
            return Err(DomainError::invalid(
                "venue_code",
                "a classroom or blended session needs a venue",
            ));
        }
        let join_url = self
            .join_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(url) = &join_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(DomainError::invalid(
                "join_url",
                "must start with https:// or http://",
            ));
        }
        if self.mode != SessionMode::Classroom && join_url.is_none() {
            return Err(DomainError::invalid(
                "join_url",
                "an online or blended session needs a joining link",
            ));
        }
        if let Some(c) = self.capacity
            && !(1..=5000).contains(&c)
        {
            return Err(DomainError::invalid(
                "capacity",
                "must be between 1 and 5000",
            ));
        }
        let mut out = self.clone();
        out.title = required("title", &self.title, 200)?;
        out.venue_code = venue_code;
        out.join_url = join_url;
        Ok(out)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub mode: SessionMode,
    pub venue_code: Option<String>,
    pub venue_name: Option<String>,
    pub capacity: Option<i32>,
    pub join_url: Option<String>,
    pub cancelled: bool,
    pub instructors: Vec<String>,
}

coded_enum!(
    /// What a conflict check found.
    ConflictKind, "conflict", {
        VenueBooked => "venue_booked",
        InstructorBooked => "instructor_booked",
        InstructorUnavailable => "instructor_unavailable",
        LearnerBooked => "learner_booked",
        VenueTooSmall => "venue_too_small",
        VenueInactive => "venue_inactive",
    }
);

/// One problem with a session's time, venue or people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The record concerned: venue, instructor or employee number.
    pub subject: String,
    /// The other session involved, if any.
    pub other_session_id: Option<i64>,
    pub detail: String,
}

/// What enrolling a list of people did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EnrollOutcome {
    pub enrolled: usize,
    pub waitlisted: usize,
    /// Already in the program (enrolled, waiting or done).
    pub already: usize,
}

/// A person in a program.
#[derive(Debug, Clone, Serialize)]
pub struct Enrollment {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    pub source: EnrollmentSource,
    pub status: EnrollmentStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "crate::iso_date::option")]
    pub completed_on: Option<Date>,
    pub hours: Option<f64>,
    pub score: Option<f64>,
    /// Sessions attended (present or late) of those held so far.
    pub attended: i64,
}

/// A learner's line on a session's attendance sheet.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceLine {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub status: Option<AttendanceStatus>,
    pub method: Option<AttendanceMethod>,
}

/// What closing a program's completion did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CompletionOutcome {
    pub completed: usize,
    pub incomplete: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn session() -> SessionInput {
        SessionInput {
            title: "第一天".into(),
            starts_at: datetime!(2026-03-02 09:00 +8),
            ends_at: datetime!(2026-03-02 12:00 +8),
            mode: SessionMode::Classroom,
            venue_code: Some("R101".into()),
            capacity: None,
            join_url: None,
            instructors: vec![],
            allow_conflicts: false,
        }
    }

    #[test]
    fn sessions_need_an_order_a_venue_and_a_link() {
        assert!(session().validated().is_ok());
        let mut s = session();
        s.ends_at = s.starts_at;
        assert!(
            matches!(s.validated(), Err(DomainError::Validation { field, .. }) if field == "ends_at")
        );
        let mut s = session();
        s.venue_code = Some("  ".into());
        assert!(
            matches!(s.validated(), Err(DomainError::Validation { field, .. }) if field == "venue_code")
        );
        let mut s = session();
        s.mode = SessionMode::Online;
        s.venue_code = None;
        assert!(
            matches!(s.validated(), Err(DomainError::Validation { field, .. }) if field == "join_url")
        );
        s.join_url = Some("ftp://x".into());
        assert!(
            matches!(s.validated(), Err(DomainError::Validation { field, .. }) if field == "join_url")
        );
        s.join_url = Some("https://meet.example.com/abc".into());
        assert!(s.validated().is_ok());
    }

    #[test]
    fn closed_and_historical_programs_stay_put() {
        use ProgramStatus::*;
        assert!(
            Draft.can_move_to(Open) && Open.can_move_to(Running) && Running.can_move_to(Closed)
        );
        assert!(Open.can_move_to(Draft) && !Running.can_move_to(Draft));
        for next in ProgramStatus::ALL {
            assert!(!Closed.can_move_to(*next) && !Historical.can_move_to(*next));
            assert!(!next.can_move_to(Historical));
        }
        assert!(
            !Draft.can_move_to(Closed),
            "a program never run is not closed"
        );
    }

    #[test]
    fn plan_periods_are_years_or_quarters() {
        let plan = |period: &str| PlanInput {
            code: "P26".into(),
            name: "2026 年度计划".into(),
            period: period.into(),
        };
        assert_eq!(plan("2026q3").validated().unwrap().period, "2026Q3");
        assert!(plan("2026").validated().is_ok());
        for bad in ["2026Q5", "26", "2026-07", ""] {
            assert!(plan(bad).validated().is_err(), "{bad}");
        }
    }

    #[test]
    fn audience_lists_split_on_chinese_and_ascii_separators() {
        let rule = AudienceRule::from_lists("CS，PROD1", "", "骨干 新员工", "E0001、E0002,E0001");
        assert_eq!(rule.departments, vec!["CS", "PROD1"]);
        assert_eq!(rule.tags, vec!["新员工", "骨干"]);
        assert_eq!(rule.employees, vec!["E0001", "E0002"]);
        assert!(!rule.is_empty());
        assert!(AudienceRule::default().is_empty());
    }

    #[test]
    fn program_numbers_are_checked() {
        let program = ProgramInput {
            code: "CS-101".into(),
            title: "投诉处理".into(),
            plan_code: None,
            objectives: String::new(),
            audience: AudienceRule::default(),
            capacity: Some(30),
            hours: 8.0,
            credits: 1.0,
            skills: vec![],
            resources: vec![],
            instructors: vec![],
            costs: vec![],
            transfer: None,
            min_attendance_pct: 80,
            cancel_deadline_hours: 24,
            survey_required: false,
            certificate_months: None,
            exam_required: false,
        };
        assert!(program.validated().is_ok());
        let mut p = program.clone();
        p.capacity = Some(0);
        assert!(p.validated().is_err());
        let mut p = program.clone();
        p.transfer = Some(TransferGoal {
            kpi_code: "COMPLAINT_RATE".into(),
            change_pct: 0.0,
            months: 3,
        });
        assert!(
            matches!(p.validated(), Err(DomainError::Validation { field, .. }) if field == "transfer.change_pct")
        );
        let mut p = program;
        p.code = "CS 101".into();
        assert!(
            matches!(p.validated(), Err(DomainError::Validation { field, .. }) if field == "code")
        );
    }
}
