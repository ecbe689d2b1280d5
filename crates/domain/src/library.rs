//! The resource library (资源库): resources with business tags, tier, origin, skills and
//! positions; a review workflow with versions; ratings, comments and usage; scenario
//! packs; micro-courses authored by internal trainers; lifecycle and supply reports.

use crate::competency::Tier;
use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

coded_enum!(
    /// What a resource is (资源类型).
    ResourceKind, "kind", {
        Course => "course" | "课程",
        MicroCourse => "micro_course" | "微课",
        Document => "document" | "文档",
        Video => "video" | "视频",
        Tool => "tool" | "工具",
        Case => "case" | "案例",
        Exam => "exam" | "考试" | "试卷",
    }
);

coded_enum!(
    /// Where a resource comes from (内部开发 / 外部引进).
    Origin, "origin", {
        Internal => "internal" | "内部" | "内部开发",
        External => "external" | "外部" | "外部引进",
    }
);

coded_enum!(
    /// Where a resource stands in its review workflow; see [`ResourceStatus::can_move_to`].
    ResourceStatus, "status", {
        Draft => "draft" | "草稿",
        InReview => "in_review" | "审核中" | "待审核",
        Published => "published" | "已发布",
        Retired => "retired" | "已下架" | "已退役",
    }
);

coded_enum!(
    /// The kinds of business tag (业务标签), each with its own controlled vocabulary.
    TagKind, "tag_kind", {
        BusinessLine => "business_line" | "业务线",
        TaskType => "task_type" | "任务类型",
        Scenario => "scenario" | "场景" | "业务场景",
    }
);

coded_enum!(
    /// Moderation state of a learner's comment.
    CommentStatus, "status", {
        Visible => "visible" | "显示" | "可见",
        Hidden => "hidden" | "隐藏",
        Pending => "pending" | "待审",
    }
);

coded_enum!(
    /// A usage event: the resource was opened, or finished.
    EventKind, "kind", {
        View => "view" | "浏览",
        Complete => "complete" | "完成",
    }
);

coded_enum!(
    /// What the lifecycle report suggests for a little-used resource.
    LifecycleAction, "action", {
        Optimise => "optimise" | "optimize" | "优化",
        Merge => "merge" | "合并",
        Retire => "retire" | "下架" | "淘汰",
    }
);

/// Longest micro-course (微课), in minutes.
pub const MICRO_COURSE_MAX_MINUTES: i32 = 15;
/// Longest resource, in minutes (a ten-hour course is a programme, not a resource).
pub const MAX_MINUTES: i32 = 600;
pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 1_000;
pub const MAX_BODY: usize = 100_000;
pub const MAX_PART: usize = 20_000;
pub const MAX_COMMENT: usize = 2_000;
pub const MAX_TAG_VALUE: usize = 50;

impl ResourceStatus {
    /// The review workflow:
    ///
    /// | from | to | when |
    /// |---|---|---|
    /// | draft | in_review | the author submits |
    /// | in_review | published | a reviewer approves; a new version is recorded |
    /// | in_review | draft | a reviewer sends it back, with a comment |
    /// | published | in_review | the author submits a new version; the published versions stay |
    /// | published | retired | taken out of use, with a comment (the reason) |
    /// | retired | draft | reopened; it must pass review again before it is published |
    ///
    /// A retired resource does not go straight back to published: what was retired as
    /// outdated has to be looked at again. Nothing is ever deleted, so ratings, usage
    /// and versions stay attached to it.
    pub fn can_move_to(self, next: ResourceStatus) -> bool {
        use ResourceStatus::*;
        matches!(
            (self, next),
            (Draft, InReview)
                | (InReview, Published)
                | (InReview, Draft)
                | (Published, InReview)
                | (Published, Retired)
                | (Retired, Draft)
        )
    }

    /// Where a resource in this status may go.
    pub fn next_statuses(self) -> Vec<ResourceStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| self.can_move_to(*s))
            .collect()
    }

    /// Sending back and retiring must say why: the author and later readers need it.
    pub fn needs_comment(self, next: ResourceStatus) -> bool {
        matches!(
            (self, next),
            (ResourceStatus::InReview, ResourceStatus::Draft)
                | (ResourceStatus::Published, ResourceStatus::Retired)
        )
    }

    /// Checks a move, naming `status` or `comment` when it is refused.
    pub fn check_move(self, next: ResourceStatus, comment: Option<&str>) -> DomainResult<()> {
        if !self.can_move_to(next) {
            let allowed: Vec<&str> = self.next_statuses().iter().map(|s| s.code()).collect();
            return Err(DomainError::invalid(
                "status",
                format!(
                    "a {} resource cannot move to {}; it can move to {}",
                    self.code(),
                    next.code(),
                    allowed.join(" or ")
                ),
            ));
        }
        if self.needs_comment(next) && comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(DomainError::invalid(
                "comment",
                format!(
                    "say why when moving a resource from {} to {}",
                    self.code(),
                    next.code()
                ),
            ));
        }
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
            return Err(DomainError::invalid(
                "comment",
                format!("is longer than {MAX_COMMENT} characters"),
            ));
        }
        Ok(())
    }

    /// Content (texts, tags, skills, files) can change only before publication: in a
    /// draft, or under review (the reviewer may correct it; the version recorded at
    /// publication is exactly what was approved).
    pub fn is_editable(self) -> bool {
        matches!(self, ResourceStatus::Draft | ResourceStatus::InReview)
    }

    /// Whether the move starts work on the next version (its files are carried over).
    pub fn opens_next_version(self, next: ResourceStatus) -> bool {
        matches!(self, ResourceStatus::Published | ResourceStatus::Retired) && next.is_editable()
    }
}

/// A business tag by vocabulary id, or by kind and value (`business_line:总装`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TagRef {
    Id(i64),
    Value { kind: TagKind, value: String },
}

impl TagRef {
    /// Parses `123` or `kind:value` (the kind may be its Chinese name).
    pub fn parse(text: &str) -> DomainResult<Self> {
        let text = text.trim();
        if let Ok(id) = text.parse::<i64>() {
            return Ok(TagRef::Id(id));
        }
        let (kind, value) = text
            .split_once(':')
            .or_else(|| text.split_once('：'))
            .ok_or_else(|| {
                DomainError::invalid(
                    "tags",
                    format!("'{text}' is neither a tag id nor kind:value"),
                )
            })?;
        let value = value.trim();
        if value.is_empty() {
            return Err(DomainError::invalid(
                "tags",
                format!("'{text}' has no value"),
            ));
        }
        Ok(TagRef::Value {
            kind: TagKind::parse(kind)?,
            value: value.to_string(),
        })
    }
}

/// A skill a resource develops, up to `level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillLevel {
    pub code: String,
    pub level: i32,
}

fn text_field(field: &str, value: &str, min: usize, max: usize) -> DomainResult<()> {
    let count = value.trim().chars().count();
    if count < min {
        return Err(DomainError::invalid(field, "is required"));
    }
    if count > max {
        return Err(DomainError::invalid(
            field,
            format!("is longer than {max} characters ({count})"),
        ));
    }
    Ok(())
}

/// A resource as entered (create and update).
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceInput {
    /// Unique, e.g. `C-SAFE-101`.
    pub code: String,
    pub kind: ResourceKind,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// The content or its description, Markdown.
    #[serde(default)]
    pub body: String,
    pub tier: Tier,
    pub origin: Origin,
    /// Required for external resources; ignored (not stored) for internal ones.
    pub vendor: Option<String>,
    /// The responsible person; the creator when absent.
    pub owner_user_id: Option<i64>,
    pub estimated_minutes: i32,
    #[serde(default)]
    pub tags: Vec<TagRef>,
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// Position codes the resource is meant for.
    #[serde(default)]
    pub positions: Vec<String>,
}

impl ResourceInput {
    pub fn validate(&self) -> DomainResult<()> {
        let code = self.code.trim();
        text_field("code", code, 1, 40)?;
        if code.chars().any(char::is_whitespace) {
            return Err(DomainError::invalid("code", "must not contain spaces"));
        }
        text_field("title", &self.title, 1, MAX_TITLE)?;
        text_field("summary", &self.summary, 0, MAX_SUMMARY)?;
        text_field("body", &self.body, 0, MAX_BODY)?;
        if !(1..=MAX_MINUTES).contains(&self.estimated_minutes) {
            return Err(DomainError::invalid(
                "estimated_minutes",
                format!("must be between 1 and {MAX_MINUTES}"),
            ));
        }
        if self.kind == ResourceKind::MicroCourse
            && self.estimated_minutes > MICRO_COURSE_MAX_MINUTES
        {
            return Err(DomainError::invalid(
                "estimated_minutes",
                format!(
                    "a micro-course lasts at most {MICRO_COURSE_MAX_MINUTES} minutes ({} given)",
                    self.estimated_minutes
                ),
            ));
        }
        if self.origin == Origin::External {
            match self.vendor.as_deref().map(str::trim) {
                None | Some("") => {
                    return Err(DomainError::invalid(
                        "vendor",
                        "an external resource needs its vendor",
                    ));
                }
                Some(v) => text_field("vendor", v, 1, 200)?,
            }
        }
        let mut skills: Vec<&str> = Vec::new();
        for s in &self.skills {
            let code = s.code.trim();
            if code.is_empty() {
                return Err(DomainError::invalid("skills", "a skill code is empty"));
            }
            if s.level < 1 {
                return Err(DomainError::invalid(
                    "skills",
                    format!("the level of {code} must be 1 or more"),
                ));
            }
            if skills.contains(&code) {
                return Err(DomainError::invalid(
                    "skills",
                    format!("{code} is listed twice"),
                ));
            }
            skills.push(code);
        }
        let mut positions: Vec<&str> = Vec::new();
        for p in &self.positions {
            let code = p.trim();
            if code.is_empty() || positions.contains(&code) {
                return Err(DomainError::invalid(
                    "positions",
                    format!("'{code}' is empty or listed twice"),
                ));
            }
            positions.push(code);
        }
        for (i, t) in self.tags.iter().enumerate() {
            if let TagRef::Value { value, .. } = t {
                text_field("tags", value, 1, MAX_TAG_VALUE)?;
            }
            if self.tags[..i].contains(t) {
                return Err(DomainError::invalid("tags", "a tag is listed twice"));
            }
        }
        Ok(())
    }

    /// The vendor to store: trimmed, and only for external resources.
    pub fn vendor(&self) -> Option<String> {
        (self.origin == Origin::External)
            .then(|| self.vendor.as_deref().map(str::trim).map(str::to_string))
            .flatten()
            .filter(|v| !v.is_empty())
    }
}

/// A micro-course (微课) as entered: a resource of kind `micro_course` and the three
/// parts of the template (问题—案例—方法). The parts are Markdown; the web layer
/// renders them with raw HTML disabled, so nothing stored can inject markup.
#[derive(Debug, Clone, Deserialize)]
pub struct MicroCourseInput {
    #[serde(flatten)]
    pub resource: ResourceInput,
    /// The work problem it solves.
    pub problem: String,
    /// A real case showing the problem.
    pub case: String,
    /// The method that solves it.
    pub solution: String,
    /// The training need it answers, if any.
    pub need_id: Option<i64>,
    /// The main skill it develops; must be one of `resource.skills`.
    pub skill_code: Option<String>,
}

impl MicroCourseInput {
    pub fn validate(&self) -> DomainResult<()> {
        if self.resource.kind != ResourceKind::MicroCourse {
            return Err(DomainError::invalid(
                "kind",
                format!(
                    "a micro-course has kind micro_course, not {}",
                    self.resource.kind.code()
                ),
            ));
        }
        self.resource.validate()?;
        text_field("problem", &self.problem, 1, MAX_PART)?;
        text_field("case", &self.case, 1, MAX_PART)?;
        text_field("solution", &self.solution, 1, MAX_PART)?;
        if let Some(skill) = self.skill_code()
            && !self.resource.skills.iter().any(|s| s.code.trim() == skill)
        {
            return Err(DomainError::invalid(
                "skill_code",
                format!("{skill} must also be among the skills the micro-course develops"),
            ));
        }
        Ok(())
    }

    /// The main skill, blank treated as none.
    pub fn skill_code(&self) -> Option<&str> {
        self.skill_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// Filters of the resource list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub kind: Option<ResourceKind>,
    pub tier: Option<Tier>,
    pub status: Option<ResourceStatus>,
    pub origin: Option<Origin>,
    pub tag: Option<TagRef>,
    /// Skill code.
    pub skill: Option<String>,
    pub owner_user_id: Option<i64>,
    /// Substring of the code, title or summary.
    pub q: Option<String>,
}

/// A resource as listed.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceSummary {
    pub id: i64,
    pub code: String,
    pub kind: ResourceKind,
    pub title: String,
    pub summary: String,
    pub tier: Tier,
    pub origin: Origin,
    pub vendor: Option<String>,
    pub owner_user_id: Option<i64>,
    pub owner: Option<String>,
    pub estimated_minutes: i32,
    pub status: ResourceStatus,
    /// The latest published version; 0 before the first publication.
    pub current_version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
    /// Mean stars (1–5); `None` before the first rating.
    pub avg_stars: Option<f64>,
    pub ratings: i64,
}

impl ResourceSummary {
    /// The version being prepared while a resource is a draft or under review.
    pub fn working_version(&self) -> i32 {
        if self.status.is_editable() {
            self.current_version + 1
        } else {
            self.current_version
        }
    }
}

/// An entry of a tag vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub id: i64,
    pub kind: TagKind,
    pub value: String,
    pub active: bool,
}

impl Tag {
    /// `kind:value`, the form the search index and filters use.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.code(), self.value)
    }
}

/// A vocabulary entry with how many resources carry it.
#[derive(Debug, Clone, Serialize)]
pub struct TagEntry {
    #[serde(flatten)]
    pub tag: Tag,
    pub uses: i64,
}

/// What removing a vocabulary entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum TagRemoval {
    Deleted,
    /// The entry is in use: it was deactivated instead, so existing resources keep it
    /// and new ones cannot pick it.
    Deactivated {
        uses: i64,
    },
}

/// A tag value as entered.
pub fn validate_tag_value(value: &str) -> DomainResult<()> {
    text_field("value", value, 1, MAX_TAG_VALUE)?;
    if value.contains(':') || value.contains('：') {
        return Err(DomainError::invalid(
            "value",
            "must not contain ':' (it separates kind and value)",
        ));
    }
    Ok(())
}

/// A skill a resource develops.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceSkill {
    pub code: String,
    pub name: String,
    pub level: i32,
}

/// A position a resource is meant for.
#[derive(Debug, Clone, Serialize)]
pub struct ResourcePosition {
    pub code: String,
    pub name: String,
}

/// The three parts of a micro-course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicroCourseParts {
    pub problem: String,
    pub case: String,
    pub solution: String,
    pub need_id: Option<i64>,
    pub skill_code: Option<String>,
}

/// A published version (without its body; see the store's `resource_version`).
#[derive(Debug, Clone, Serialize)]
pub struct VersionEntry {
    pub version: i32,
    pub title: String,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    pub published_by: String,
}

/// One published version in full.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceVersion {
    pub resource_id: i64,
    #[serde(flatten)]
    pub entry: VersionEntry,
    pub body: String,
    /// JSON: kind, tier, origin, vendor, minutes, tags, skills, positions, files and
    /// the micro-course parts as they were published.
    pub snapshot: String,
}

/// The metadata a published version kept: [`ResourceVersion::snapshot`] read back.
/// Fields a snapshot lacks stay empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionSnapshot {
    pub code: String,
    pub kind: Option<ResourceKind>,
    pub tier: Option<Tier>,
    pub origin: Option<Origin>,
    pub vendor: Option<String>,
    pub estimated_minutes: Option<i32>,
    /// `kind:value`.
    pub tags: Vec<String>,
    pub skills: Vec<SkillLevel>,
    /// Position codes.
    pub positions: Vec<String>,
    pub micro_course: Option<MicroCourseParts>,
    pub files: Vec<SnapshotFile>,
}

/// A file as a published version recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnapshotFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A status change with its comment.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewEntry {
    pub version: i32,
    pub from_status: ResourceStatus,
    pub to_status: ResourceStatus,
    pub comment: String,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A learner's comment.
#[derive(Debug, Clone, Serialize)]
pub struct CommentEntry {
    pub id: i64,
    pub resource_id: i64,
    pub user_id: i64,
    pub username: String,
    pub body: String,
    pub status: CommentStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub moderated_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub moderated_at: Option<OffsetDateTime>,
}

/// A file of one version of a resource (the bytes are in the file store).
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub id: i64,
    pub resource_id: i64,
    pub version: i32,
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

/// A resource with everything shown on its page.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceDetail {
    #[serde(flatten)]
    pub summary: ResourceSummary,
    pub body: String,
    pub tags: Vec<Tag>,
    pub skills: Vec<ResourceSkill>,
    pub positions: Vec<ResourcePosition>,
    pub micro_course: Option<MicroCourseParts>,
    /// Newest first.
    pub versions: Vec<VersionEntry>,
    /// Newest first.
    pub reviews: Vec<ReviewEntry>,
    /// Visible comments, newest first.
    pub comments: Vec<CommentEntry>,
    /// Files of every version, newest version first.
    pub files: Vec<FileEntry>,
    pub views: i64,
    pub completions: i64,
}

/// The outcome of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub from: ResourceStatus,
    pub to: ResourceStatus,
    /// The published version after the change (the new one when publishing).
    pub current_version: i32,
}

/// A scenario pack (场景化资源包) as entered: resources, in order, for one step of a
/// business process.
#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioPackInput {
    pub code: String,
    pub name: String,
    /// The business-process step the pack serves, e.g. `设备点检 → 异常上报`.
    pub scenario_step: String,
    #[serde(default)]
    pub description: String,
    /// Resource codes in the order learners should take them.
    #[serde(default)]
    pub resources: Vec<String>,
}

impl ScenarioPackInput {
    pub fn validate(&self) -> DomainResult<()> {
        text_field("code", &self.code, 1, 40)?;
        text_field("name", &self.name, 1, MAX_TITLE)?;
        text_field("scenario_step", &self.scenario_step, 1, MAX_TITLE)?;
        text_field("description", &self.description, 0, MAX_SUMMARY)?;
        for (i, code) in self.resources.iter().enumerate() {
            let code = code.trim();
            if code.is_empty() || self.resources[..i].iter().any(|c| c.trim() == code) {
                return Err(DomainError::invalid(
                    "resources",
                    format!("'{code}' is empty or listed twice"),
                ));
            }
        }
        Ok(())
    }
}

/// A resource in a pack, at its position (1-based).
#[derive(Debug, Clone, Serialize)]
pub struct PackItem {
    pub position: i32,
    pub resource_id: i64,
    pub code: String,
    pub title: String,
    pub kind: ResourceKind,
    pub status: ResourceStatus,
    pub estimated_minutes: i32,
}

/// A scenario pack with its items in order.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioPack {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub scenario_step: String,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub items: Vec<PackItem>,
}

/// A scenario pack a resource belongs to, and where in it.
#[derive(Debug, Clone, Serialize)]
pub struct PackRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub position: i32,
}

impl ScenarioPack {
    /// Minutes to take every published item.
    pub fn published_minutes(&self) -> i32 {
        self.items
            .iter()
            .filter(|i| i.status == ResourceStatus::Published)
            .map(|i| i.estimated_minutes)
            .sum()
    }
}

/// One micro-course of an author with its feedback (点击率 / 评分 / 跳过率).
#[derive(Debug, Clone, Serialize)]
pub struct AuthorCourseStats {
    pub resource: ResourceSummary,
    pub views: i64,
    pub completions: i64,
    /// Comments of reviewers (send-backs, approvals), newest first.
    pub reviews: Vec<ReviewEntry>,
}

impl AuthorCourseStats {
    /// Share of views not followed by a completion (跳过率); `None` without views.
    pub fn skip_rate(&self) -> Option<f64> {
        (self.views > 0).then(|| {
            let skipped = (self.views - self.completions).max(0);
            skipped as f64 / self.views as f64
        })
    }
}

/// The parameters of a lifecycle report.
#[derive(Debug, Clone, Copy)]
pub struct LifecycleQuery {
    /// How many months back to look (1–36).
    pub months: u32,
    /// Views plus completions a resource must reach in at least one month to count as used.
    pub threshold: i64,
    /// The end of the window (exclusive); usually now.
    pub as_of: OffsetDateTime,
}

impl LifecycleQuery {
    pub fn validate(&self) -> DomainResult<()> {
        if !(1..=36).contains(&self.months) {
            return Err(DomainError::invalid("months", "must be between 1 and 36"));
        }
        if self.threshold < 1 {
            return Err(DomainError::invalid("threshold", "must be 1 or more"));
        }
        Ok(())
    }

    /// The monthly windows, oldest first: `[as_of − k months, as_of − (k−1) months)`.
    /// Calendar months: the day of the month is kept, or clamped to the month's end.
    pub fn windows(&self) -> Vec<(OffsetDateTime, OffsetDateTime)> {
        let bounds: Vec<OffsetDateTime> = (0..=self.months)
            .rev()
            .map(|k| months_before(self.as_of, k))
            .collect();
        bounds.windows(2).map(|w| (w[0], w[1])).collect()
    }

    /// Start of the window: a resource must have been published by then to be judged.
    pub fn window_start(&self) -> OffsetDateTime {
        months_before(self.as_of, self.months)
    }
}

fn months_before(at: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = at.year() * 12 + i32::from(u8::from(at.month())) - 1 - months as i32;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let Ok(month) = Month::try_from(month) else {
        return at;
    };
    let day = at.day().min(time::util::days_in_month(month, year));
    match Date::from_calendar_date(year, month, day) {
        Ok(date) => at.replace_date(date),
        Err(_) => at,
    }
}

/// A view or completion to record in bulk (see the store's `record_events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageEvent {
    pub resource_id: i64,
    pub user_id: Option<i64>,
    pub kind: EventKind,
    pub at: OffsetDateTime,
}

/// A published resource whose use stayed below the threshold in every month of the window.
#[derive(Debug, Clone, Serialize)]
pub struct LifecycleRow {
    pub resource_id: i64,
    pub code: String,
    pub title: String,
    pub kind: ResourceKind,
    pub tier: Tier,
    pub owner: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Views in the whole window.
    pub views: i64,
    /// Completions in the whole window.
    pub completions: i64,
    /// The best month's views plus completions (below the threshold by definition).
    pub peak_month: i64,
    /// A well-used published resource of the same kind sharing a skill, if any.
    pub merge_into: Option<String>,
    pub action: LifecycleAction,
}

impl LifecycleAction {
    /// The rule behind the suggestion, in order:
    /// 1. `merge` when a well-used published resource of the same kind covers one of
    ///    its skills (`merge_into`): the demand exists and learners go there, so fold
    ///    what is good here into it;
    /// 2. `retire` when nobody opened or finished it in the whole window: no demand;
    /// 3. `optimise` otherwise: some demand and no alternative, so improve the content
    ///    (title, summary, tags, length) rather than remove it.
    pub fn suggest(views: i64, completions: i64, merge_into: Option<&str>) -> Self {
        if merge_into.is_some() {
            LifecycleAction::Merge
        } else if views + completions == 0 {
            LifecycleAction::Retire
        } else {
            LifecycleAction::Optimise
        }
    }
}

/// A skill no published resource develops to the level positions require.
#[derive(Debug, Clone, Serialize)]
pub struct SkillSupplyGap {
    pub skill_code: String,
    pub skill_name: String,
    /// The highest level a position or task requires; `None` when nothing requires it.
    pub required_level: Option<i32>,
    /// The highest level a published resource develops; `None` when none does.
    pub covered_level: Option<i32>,
    /// Positions requiring the skill.
    pub positions: i64,
    /// Current employees in those positions.
    pub people: i64,
}

/// A required skill of a task that no published resource develops to the level.
#[derive(Debug, Clone, Serialize)]
pub struct MissingSkill {
    pub skill_code: String,
    pub required_level: i32,
    pub covered_level: Option<i32>,
}

/// A position task whose required skills are not all covered by published resources.
#[derive(Debug, Clone, Serialize)]
pub struct TaskSupplyGap {
    pub task_id: i64,
    pub task_code: String,
    pub task_name: String,
    pub position_code: String,
    pub position_name: String,
    pub missing: Vec<MissingSkill>,
}

/// Where the library has nothing (published) to offer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SupplyGaps {
    /// Most people affected first.
    pub skills: Vec<SkillSupplyGap>,
    pub tasks: Vec<TaskSupplyGap>,
}

/// Everything the search index needs about one resource.
#[derive(Debug, Clone, Serialize)]
pub struct IndexDocument {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub summary: String,
    /// The body, followed by a micro-course's problem, case and solution.
    pub body: String,
    pub kind: ResourceKind,
    pub tier: Tier,
    pub status: ResourceStatus,
    pub origin: Origin,
    /// `kind:value`, active and inactive.
    pub tags: Vec<String>,
    pub skills: Vec<String>,
    pub positions: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn input() -> ResourceInput {
        ResourceInput {
            code: "C-1".into(),
            kind: ResourceKind::Course,
            title: "安全生产".into(),
            summary: String::new(),
            body: String::new(),
            tier: Tier::Core,
            origin: Origin::Internal,
            vendor: Some("ignored".into()),
            owner_user_id: None,
            estimated_minutes: 60,
            tags: vec![],
            skills: vec![],
            positions: vec![],
        }
    }

    fn field(result: DomainResult<()>) -> String {
        match result {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn codes_and_chinese_names_parse() {
        assert_eq!(
            ResourceKind::parse("微课").unwrap(),
            ResourceKind::MicroCourse
        );
        assert_eq!(
            ResourceKind::parse(" Micro_Course ").unwrap(),
            ResourceKind::MicroCourse
        );
        assert_eq!(Origin::parse("外部引进").unwrap(), Origin::External);
        assert_eq!(
            ResourceStatus::parse("审核中").unwrap(),
            ResourceStatus::InReview
        );
        assert_eq!(TagKind::parse("业务线").unwrap(), TagKind::BusinessLine);
        let err = ResourceKind::parse("podcast").unwrap_err().to_string();
        assert!(
            err.starts_with("kind:") && err.contains("micro_course/微课"),
            "{err}"
        );
        for kind in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(kind.code()).unwrap(), *kind);
        }
        assert_eq!(
            TagRef::parse("场景：设备点检").unwrap(),
            TagRef::Value {
                kind: TagKind::Scenario,
                value: "设备点检".into()
            }
        );
        assert_eq!(TagRef::parse("12").unwrap(), TagRef::Id(12));
        assert!(TagRef::parse("总装").is_err());
    }

    #[test]
    fn workflow_moves() {
        use ResourceStatus::*;
        let allowed = [
            (Draft, InReview),
            (InReview, Published),
            (InReview, Draft),
            (Published, InReview),
            (Published, Retired),
            (Retired, Draft),
        ];
        for from in ResourceStatus::ALL {
            for to in ResourceStatus::ALL {
                assert_eq!(
                    from.can_move_to(*to),
                    allowed.contains(&(*from, *to)),
                    "{from:?} → {to:?}"
                );
            }
        }
        assert_eq!(field(Draft.check_move(Published, None)), "status");
        assert_eq!(field(Retired.check_move(Published, Some("x"))), "status");
        assert_eq!(field(InReview.check_move(Draft, None)), "comment");
        assert_eq!(field(InReview.check_move(Draft, Some("  "))), "comment");
        assert!(InReview.check_move(Draft, Some("补充案例")).is_ok());
        assert_eq!(field(Published.check_move(Retired, None)), "comment");
        assert!(InReview.check_move(Published, None).is_ok());
        assert!(Published.opens_next_version(InReview));
        assert!(Retired.opens_next_version(Draft));
        assert!(!InReview.opens_next_version(Draft));
        assert!(Draft.is_editable() && InReview.is_editable());
        assert!(!Published.is_editable() && !Retired.is_editable());
    }

    #[test]
    fn resource_input_rules_name_the_field() {
        assert!(input().validate().is_ok());
        assert_eq!(input().vendor(), None, "internal resources keep no vendor");
        let mut i = input();
        i.title = "  ".into();
        assert_eq!(field(i.validate()), "title");
        i.title = "题".repeat(201);
        assert_eq!(field(i.validate()), "title");
        i.title = "题".repeat(200);
        assert!(i.validate().is_ok());
        i.summary = "x".repeat(1001);
        assert_eq!(field(i.validate()), "summary");
        let mut i = input();
        i.estimated_minutes = 0;
        assert_eq!(field(i.validate()), "estimated_minutes");
        i.estimated_minutes = 601;
        assert_eq!(field(i.validate()), "estimated_minutes");
        let mut i = input();
        i.kind = ResourceKind::MicroCourse;
        i.estimated_minutes = 16;
        assert_eq!(field(i.validate()), "estimated_minutes");
        i.estimated_minutes = 15;
        assert!(i.validate().is_ok());
        let mut i = input();
        i.origin = Origin::External;
        i.vendor = Some(" ".into());
        assert_eq!(field(i.validate()), "vendor");
        i.vendor = Some(" 华信咨询 ".into());
        assert_eq!(i.vendor().as_deref(), Some("华信咨询"));
        let mut i = input();
        i.skills = vec![
            SkillLevel {
                code: "S1".into(),
                level: 2,
            },
            SkillLevel {
                code: "S1".into(),
                level: 1,
            },
        ];
        assert_eq!(field(i.validate()), "skills");
        let mut i = input();
        i.tags = vec![TagRef::Id(1), TagRef::Id(1)];
        assert_eq!(field(i.validate()), "tags");
        let mut i = input();
        i.code = "C 1".into();
        assert_eq!(field(i.validate()), "code");
    }

    #[test]
    fn micro_course_needs_three_parts() {
        let mut resource = input();
        resource.kind = ResourceKind::MicroCourse;
        resource.estimated_minutes = 10;
        resource.skills = vec![SkillLevel {
            code: "S1".into(),
            level: 1,
        }];
        let mut m = MicroCourseInput {
            resource,
            problem: "换模时间长".into(),
            case: "三号线换模 90 分钟".into(),
            solution: "SMED 快速换模".into(),
            need_id: None,
            skill_code: Some("S1".into()),
        };
        assert!(m.validate().is_ok());
        m.case = String::new();
        assert_eq!(field(m.validate()), "case");
        m.case = "x".into();
        m.skill_code = Some("S2".into());
        assert_eq!(field(m.validate()), "skill_code");
        m.skill_code = None;
        m.resource.kind = ResourceKind::Video;
        assert_eq!(field(m.validate()), "kind");
    }

    #[test]
    fn lifecycle_rule_and_windows() {
        assert_eq!(
            LifecycleAction::suggest(0, 0, Some("C-2")),
            LifecycleAction::Merge
        );
        assert_eq!(
            LifecycleAction::suggest(0, 0, None),
            LifecycleAction::Retire
        );
        assert_eq!(
            LifecycleAction::suggest(3, 0, None),
            LifecycleAction::Optimise
        );
        let q = LifecycleQuery {
            months: 3,
            threshold: 5,
            as_of: datetime!(2025-05-31 12:00 UTC),
        };
        let w = q.windows();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, datetime!(2025-02-28 12:00 UTC));
        assert_eq!(w[1].0, datetime!(2025-03-31 12:00 UTC));
        assert_eq!(w[2], (datetime!(2025-04-30 12:00 UTC), q.as_of));
        assert_eq!(q.window_start(), w[0].0);
        let jan = LifecycleQuery {
            months: 2,
            threshold: 1,
            as_of: datetime!(2025-01-15 00:00 UTC),
        };
        assert_eq!(jan.window_start(), datetime!(2024-11-15 00:00 UTC));
        assert!(LifecycleQuery { months: 0, ..jan }.validate().is_err());
        let stats = |views, completions| AuthorCourseStats {
            resource: ResourceSummary {
                id: 1,
                code: "M".into(),
                kind: ResourceKind::MicroCourse,
                title: "t".into(),
                summary: String::new(),
                tier: Tier::Core,
                origin: Origin::Internal,
                vendor: None,
                owner_user_id: None,
                owner: None,
                estimated_minutes: 5,
                status: ResourceStatus::Published,
                current_version: 1,
                created_at: q.as_of,
                updated_at: q.as_of,
                published_at: None,
                retired_at: None,
                avg_stars: None,
                ratings: 0,
            },
            views,
            completions,
            reviews: vec![],
        };
        assert_eq!(stats(0, 0).skip_rate(), None);
        assert_eq!(stats(4, 1).skip_rate(), Some(0.75));
    }
}
