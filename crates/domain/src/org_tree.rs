//! The organisation as a maintained tree: departments created, renamed, moved with
//! their subtree, merged and closed (kept, with a successor), each with a head and
//! deputies, a cost center and a site, and every change dated; and positions with
//! their job family, grade band and hourly cost.

use crate::{DomainError, DomainResult};
use serde::Serialize;
use time::Date;

/// Longest code of a department or position.
pub const MAX_CODE: usize = 50;
/// Longest name, cost center, site, family or grade band.
pub const MAX_TEXT: usize = 200;
/// Most deputies a department may have.
pub const MAX_DEPUTIES: usize = 5;

coded_enum! {
    /// Whether a department is in use; closed departments are kept with their successor.
    DepartmentStatus, "status", {
        Active => "active" | "在用",
        Closed => "closed" | "已撤销",
    }
}

coded_enum! {
    /// What a recorded department change did.
    ChangeKind, "kind", {
        Created => "created",
        Updated => "updated",
        Moved => "moved",
        Leadership => "leadership",
        Merged => "merged",
        Closed => "closed",
    }
}

/// A person as the tree names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
}

/// A department with what the tree shows of it.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Materialised chain of ids from the root (`/1/4/9/`).
    pub path: String,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    pub status: DepartmentStatus,
    #[serde(with = "crate::iso_date::option")]
    pub closed_on: Option<Date>,
    pub successor_id: Option<i64>,
    pub head: Option<PersonRef>,
    /// In order of precedence.
    pub deputies: Vec<PersonRef>,
    /// People (not left) placed directly in the department.
    pub people: i64,
    /// People (not left) in the whole subtree.
    pub subtree_people: i64,
}

impl DepartmentNode {
    /// Depth below the root (the root is 0).
    pub fn depth(&self) -> usize {
        depth_of(&self.path)
    }
}

/// Depth of a materialised path below the root (`/1/` is 0, `/1/4/` is 1).
pub fn depth_of(path: &str) -> usize {
    path.matches('/').count().saturating_sub(2)
}

/// Whether the department at `path` lies in the subtree whose root has `root_path`
/// (a department is in its own subtree).
pub fn within(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

/// A new department.
#[derive(Debug, Clone, Default)]
pub struct NewDepartment {
    pub code: String,
    pub name: String,
    /// `None` only for a top department.
    pub parent_id: Option<i64>,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    /// Employee number of the head.
    pub head: Option<String>,
    pub effective_on: Option<Date>,
}

/// Changes to a department's name, cost center, site, head and deputies; `None`
/// leaves a field as it is, an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    /// Employee number of the head; empty: no head.
    pub head: Option<String>,
    /// Employee numbers of the deputies, in order; empty: none.
    pub deputies: Option<Vec<String>>,
    pub effective_on: Option<Date>,
}

/// Where a closing department's people and children go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retirement {
    /// Merged into the target, which becomes its successor.
    Merge { target_id: i64 },
    /// Closed; people and children (if any) go to the successor.
    Close { successor_id: Option<i64> },
}

impl Retirement {
    /// The department that takes over, if any.
    pub fn successor(self) -> Option<i64> {
        match self {
            Retirement::Merge { target_id } => Some(target_id),
            Retirement::Close { successor_id } => successor_id,
        }
    }

    /// The change kind recorded.
    pub fn kind(self) -> ChangeKind {
        match self {
            Retirement::Merge { .. } => ChangeKind::Merged,
            Retirement::Close { .. } => ChangeKind::Closed,
        }
    }

    /// The form or API field naming the successor.
    pub fn field(self) -> &'static str {
        match self {
            Retirement::Merge { .. } => "target_id",
            Retirement::Close { .. } => "successor_id",
        }
    }
}

/// One recorded change of a department.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentChange {
    pub id: i64,
    pub department_id: i64,
    pub kind: ChangeKind,
    #[serde(with = "crate::iso_date")]
    pub effective_on: Date,
    /// JSON of what changed.
    pub detail: String,
    pub actor: String,
}

coded_enum! {
    /// Whether a position is still used; retired positions are kept for history.
    PositionStatus, "status", {
        Active => "active" | "在用",
        Retired => "retired" | "已停用",
    }
}

/// A position with everything that is maintained about it.
#[derive(Debug, Clone, Serialize)]
pub struct PositionRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Job family (sequence), e.g. 生产, 管理.
    pub job_family: Option<String>,
    /// Grade band, e.g. P3, M2.
    pub grade: Option<String>,
    pub hourly_cost: Option<f64>,
    pub status: PositionStatus,
    #[serde(with = "crate::iso_date::option")]
    pub retired_on: Option<Date>,
    /// People (not left) holding the position.
    pub people: i64,
}

/// A position as created or changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PositionInput {
    pub code: String,
    pub name: String,
    pub job_family: Option<String>,
    pub grade: Option<String>,
    pub hourly_cost: Option<f64>,
}

/// Filters of the position list.
#[derive(Debug, Clone, Default)]
pub struct PositionFilter {
    /// Substring of code, name, family or grade band.
    pub q: Option<String>,
    /// Also retired positions.
    pub include_retired: bool,
}

/// A trimmed text, `None` when blank.
pub fn optional_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// A required, trimmed text of at most `max` characters.
pub fn required_text(field: &str, text: &str, max: usize) -> DomainResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    limit(field, text, max)?;
    Ok(text.to_string())
}

/// Fails when `text` is longer than `max` characters.
pub fn limit(field: &str, text: &str, max: usize) -> DomainResult<()> {
    if text.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

/// A code: required, at most [`MAX_CODE`] characters, no spaces or slashes.
pub fn valid_code(field: &str, code: &str) -> DomainResult<String> {
    let code = required_text(field, code, MAX_CODE)?;
    if code.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(DomainError::invalid(
            field,
            format!("'{code}' may not contain spaces or slashes"),
        ));
    }
    Ok(code)
}

/// An optional text field checked against [`MAX_TEXT`].
fn optional_limited(field: &str, text: Option<&str>) -> DomainResult<Option<String>> {
    let text = optional_text(text);
    if let Some(t) = &text {
        limit(field, t, MAX_TEXT)?;
    }
    Ok(text)
}

impl NewDepartment {
    /// Trimmed and checked.
    pub fn validated(self) -> DomainResult<Self> {
        Ok(Self {
            code: valid_code("code", &self.code)?,
            name: required_text("name", &self.name, MAX_TEXT)?,
            parent_id: self.parent_id,
            cost_center: optional_limited("cost_center", self.cost_center.as_deref())?,
            site: optional_limited("site", self.site.as_deref())?,
            head: optional_text(self.head.as_deref()),
            effective_on: self.effective_on,
        })
    }
}

impl DepartmentPatch {
    /// Trimmed and checked: a name, if given, is not blank; deputies are distinct, at
    /// most [`MAX_DEPUTIES`], and not the head.
    pub fn validated(self) -> DomainResult<Self> {
        let name = match self.name.as_deref() {
            Some(n) => Some(required_text("name", n, MAX_TEXT)?),
            None => None,
        };
        let keep = |field: &str, t: Option<String>| -> DomainResult<Option<String>> {
            match t {
                None => Ok(None),
                Some(t) => {
                    let t = t.trim().to_string();
                    limit(field, &t, MAX_TEXT)?;
                    Ok(Some(t))
                }
            }
        };
        let head = self.head.map(|h| h.trim().to_string());
        let deputies = match self.deputies {
            None => None,
            Some(list) => {
                let mut out: Vec<String> = Vec::new();
                for d in list.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
                    if out.iter().any(|o| o == d) {
                        return Err(DomainError::invalid(
                            "deputies",
                            format!("{d} is listed twice"),
                        ));
                    }
                    if head.as_deref() == Some(d) {
                        return Err(DomainError::invalid(
                            "deputies",
                            format!("{d} is the head and cannot also be a deputy"),
                        ));
                    }
                    out.push(d.to_string());
                }
                if out.len() > MAX_DEPUTIES {
                    return Err(DomainError::invalid(
                        "deputies",
                        format!("at most {MAX_DEPUTIES} deputies"),
                    ));
                }
                Some(out)
            }
        };
        Ok(Self {
            name,
            cost_center: keep("cost_center", self.cost_center)?,
            site: keep("site", self.site)?,
            head,
            deputies,
            effective_on: self.effective_on,
        })
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.cost_center.is_none()
            && self.site.is_none()
            && self.head.is_none()
            && self.deputies.is_none()
    }
}

impl PositionInput {
    /// Trimmed and checked: code and name required, hourly cost not negative.
    pub fn validated(self) -> DomainResult<Self> {
        if let Some(c) = self.hourly_cost
            && (!c.is_finite() || c < 0.0)
        {
            return Err(DomainError::invalid(
                "hourly_cost",
                format!("{c} is not an hourly cost (a number ≥ 0)"),
            ));
        }
        Ok(Self {
            code: valid_code("code", &self.code)?,
            name: required_text("name", &self.name, MAX_TEXT)?,
            job_family: optional_limited("job_family", self.job_family.as_deref())?,
            grade: optional_limited("grade", self.grade.as_deref())?,
            hourly_cost: self.hourly_cost,
        })
    }
}

/// An effective date as forms and the API give it (`2026-12-31`); blank means today.
pub fn parse_effective_on(text: Option<&str>) -> DomainResult<Option<Date>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(t, format).map(Some).map_err(|_| {
                DomainError::invalid("effective_on", "must be a date such as 2026-12-31")
            })
        }
    }
}

/// The refusal of a move that would put a department under itself or its descendant.
pub fn cycle_error(field: &str, code: &str, parent_code: &str) -> DomainError {
    if code == parent_code {
        DomainError::invalid(field, format!("{code} cannot be its own parent"))
    } else {
        DomainError::invalid(
            field,
            format!("{code} cannot move under {parent_code}, which lies in its own subtree"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_and_depth_follow_the_path() {
        assert!(within("/1/4/9/", "/1/4/"));
        assert!(within("/1/4/", "/1/4/"));
        assert!(!within("/1/41/", "/1/4/"));
        assert_eq!(depth_of("/1/"), 0);
        assert_eq!(depth_of("/1/4/9/"), 2);
    }

    #[test]
    fn patches_refuse_duplicate_deputies_and_the_head_as_deputy() {
        let twice = DepartmentPatch {
            deputies: Some(vec!["E1".into(), " E1 ".into()]),
            ..Default::default()
        };
        assert!(twice.validated().is_err());
        let head = DepartmentPatch {
            head: Some("E2".into()),
            deputies: Some(vec!["E2".into()]),
            ..Default::default()
        };
        assert!(head.validated().is_err());
        let blank_name = DepartmentPatch {
            name: Some("  ".into()),
            ..Default::default()
        };
        assert!(blank_name.validated().is_err());
        let ok = DepartmentPatch {
            deputies: Some(vec!["E1".into(), "".into(), "E3".into()]),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(ok.deputies.unwrap(), vec!["E1", "E3"]);
    }

    #[test]
    fn positions_need_a_code_a_name_and_a_sane_cost() {
        let good = PositionInput {
            code: " P-1 ".into(),
            name: "焊工".into(),
            hourly_cost: Some(120.0),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(good.code, "P-1");
        for bad in [
            PositionInput {
                code: "a b".into(),
                name: "x".into(),
                ..Default::default()
            },
            PositionInput {
                code: "P".into(),
                name: "".into(),
                ..Default::default()
            },
            PositionInput {
                code: "P".into(),
                name: "x".into(),
                hourly_cost: Some(-1.0),
                ..Default::default()
            },
        ] {
            assert!(bad.validated().is_err());
        }
    }

    #[test]
    fn cycle_errors_name_both_departments() {
        let e = cycle_error("parent_id", "A", "B").to_string();
        assert!(e.contains("A") && e.contains("B"), "{e}");
    }
}
