//! The resource library (学习资源): list and detail, authoring forms for resources and
//! micro-courses, review moves, files (upload, download with ranges), ratings,
//! comments and their moderation, and the library reports.

use super::PageId;
use super::path_id;
use super::{Chrome, Pager, local_time, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::competency::Tier;
use domain::library::{
    AuthorCourseStats, CommentEntry, LifecycleRow, MicroCourseInput, Origin, ResourceDetail,
    ResourceFilter, ResourceInput, ResourceKind, ResourceStatus, ResourceSummary, SkillLevel,
    SupplyGaps, TagEntry, TagKind, TagRef,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::library::{self as rules, ResourceChange};

/// Largest body the upload route lets through; the site's limit (settings) is
/// enforced while the file streams, so this only has to be above it.
pub const UPLOAD_ROUTE_LIMIT: usize = usize::MAX;

fn kind_label(t: Tr, kind: ResourceKind) -> &'static str {
    t.get(&format!("library.kind.{}", kind.code()))
}

fn status_label(t: Tr, status: ResourceStatus) -> &'static str {
    t.get(&format!("library.status.{}", status.code()))
}

fn tier_label(t: Tr, tier: Tier) -> &'static str {
    t.get(&format!("gaps.tier.{}", tier.code()))
}

fn stars(avg: Option<f64>) -> String {
    avg.map(|a| format!("{a:.1}")).unwrap_or_default()
}

/// Renders Markdown as HTML with raw HTML shown as text and script links dropped:
/// what authors write can format text but never inject markup.
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};
    fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
        let lower = url.trim().to_ascii_lowercase();
        if ["javascript:", "vbscript:", "data:"]
            .iter()
            .any(|s| lower.starts_with(s))
        {
            CowStr::Borrowed("#")
        } else {
            url
        }
    }
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            }),
            other => other,
        },
    );
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// A resource as a list row.
pub struct Row {
    pub r: ResourceSummary,
    pub kind: &'static str,
    pub tier: &'static str,
    pub status: &'static str,
    pub stars: String,
}

fn row(t: Tr, r: ResourceSummary) -> Row {
    Row {
        kind: kind_label(t, r.kind),
        tier: tier_label(t, r.tier),
        status: status_label(t, r.status),
        stars: stars(r.avg_stars),
        r,
    }
}

/// (code, label) options of a select.
type Options = Vec<(&'static str, &'static str)>;

fn kind_options(t: Tr) -> Options {
    ResourceKind::ALL
        .iter()
        .map(|k| (k.code(), kind_label(t, *k)))
        .collect()
}

fn status_options(t: Tr) -> Options {
    ResourceStatus::ALL
        .iter()
        .map(|s| (s.code(), status_label(t, *s)))
        .collect()
}

fn tier_options(t: Tr) -> Options {
    [Tier::Core, Tier::Support, Tier::Reserve]
        .iter()
        .map(|x| (x.code(), tier_label(t, *x)))
        .collect()
}

fn origin_options(t: Tr) -> Options {
    Origin::ALL
        .iter()
        .map(|o| (o.code(), t.get(&format!("library.origin.{}", o.code()))))
        .collect()
}

#[derive(Template)]
#[template(path = "library.html")]
struct ListPage {
    t: Tr,
    chrome: Chrome,
    /// Each row with its search highlights when the list answers a text query.
    rows: Vec<(Row, Option<rules::Highlight>)>,
    query: ListQuery,
    kinds: Options,
    tiers: Options,
    statuses: Options,
    origins: Options,
    show_status: bool,
    can_author: bool,
    can_manage: bool,
    pager: Pager,
}

/// Filters and page of the list.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub kind: String,
    pub tier: String,
    pub status: String,
    pub origin: String,
    pub tag: String,
    pub skill: String,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn blank(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

impl ListQuery {
    /// The store filter; a bad value is an error naming its parameter.
    pub fn filter(&self) -> DomainResult<ResourceFilter> {
        Ok(ResourceFilter {
            kind: blank(&self.kind).map(ResourceKind::parse).transpose()?,
            tier: blank(&self.tier).map(Tier::parse).transpose()?,
            status: blank(&self.status).map(ResourceStatus::parse).transpose()?,
            origin: blank(&self.origin).map(Origin::parse).transpose()?,
            tag: blank(&self.tag).map(TagRef::parse).transpose()?,
            skill: blank(&self.skill).map(str::to_string),
            owner_user_id: None,
            q: blank(&self.q).map(str::to_string),
        })
    }
}

/// `GET /library`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter()?;
    let page = Page::new(query.page, query.per_page);
    let (paged, mut highlights) =
        rules::search_or_list(&state, &caller.principal, filter, page).await?;
    let qs = query_string(&[
        ("q", query.q.clone()),
        ("kind", query.kind.clone()),
        ("tier", query.tier.clone()),
        ("status", query.status.clone()),
        ("origin", query.origin.clone()),
        ("tag", query.tag.clone()),
        ("skill", query.skill.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/library", &qs);
    let p = &caller.principal;
    Ok(render(&ListPage {
        t,
        chrome: Chrome::for_caller(&caller),
        rows: paged
            .items
            .into_iter()
            .map(|r| {
                let found = highlights.remove(&r.id);
                (row(t, r), found)
            })
            .collect(),
        query,
        kinds: kind_options(t),
        tiers: tier_options(t),
        statuses: status_options(t),
        origins: origin_options(t),
        show_status: rules::may_see_statuses(p),
        can_author: rules::may_author(p),
        can_manage: rules::may_manage(p),
        pager,
    }))
}

/// A file as shown.
pub struct FileView {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub content_type: String,
    pub size: String,
    /// Part of the version being prepared and the viewer may edit: it can go.
    pub deletable: bool,
}

fn file_view(f: &domain::library::FileEntry, deletable: bool) -> FileView {
    FileView {
        id: f.id,
        version: f.version,
        name: f.original_name.clone(),
        content_type: f.content_type.clone(),
        size: files::human_size(f.size_bytes.max(0) as u64),
        deletable,
    }
}

/// A status move offered on the detail page.
pub struct MoveView {
    pub code: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
}

#[derive(Template)]
#[template(path = "library_detail.html")]
struct DetailPage {
    t: Tr,
    chrome: Chrome,
    d: ResourceDetail,
    kind: &'static str,
    tier: &'static str,
    status: &'static str,
    origin: &'static str,
    stars: String,
    updated_at: String,
    body_html: String,
    /// (problem, case, solution) as HTML.
    parts: Option<(String, String, String)>,
    files: Vec<FileView>,
    moves: Vec<MoveView>,
    /// (version, title, published at, by).
    versions: Vec<(i32, String, String, String)>,
    /// (from, to, comment, actor, at).
    reviews: Vec<(&'static str, &'static str, String, String, String)>,
    comments: Vec<(CommentEntry, String)>,
    can_edit: bool,
    published: bool,
    notice: &'static str,
    /// The scenario packs it is in: (pack id, name, position).
    packs: Vec<(i64, String, i32)>,
}

/// A note after a redirect (`?done=...`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// `GET /library/{id}`: also records a view of a published resource.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let view = rules::open_resource(&state, &caller.principal, id).await?;
    let d = view.detail;
    let published = d.summary.status == ResourceStatus::Published;
    let t = Tr(caller.locale);
    let s = &d.summary;
    let moves = view
        .moves
        .into_iter()
        .map(|next| MoveView {
            code: next.code(),
            label: t.get(&format!("library.move.{}.{}", s.status.code(), next.code())),
            needs_comment: s.status.needs_comment(next),
        })
        .collect();
    let notice = match done.done.as_str() {
        "rated" => t.get("library.done.rated"),
        "commented" if state.settings.moderate_comments => t.get("library.done.comment_pending"),
        "commented" => t.get("library.done.commented"),
        "completed" => t.get("library.done.completed"),
        "uploaded" => t.get("library.done.uploaded"),
        "file_deleted" => t.get("library.done.file_deleted"),
        _ => "",
    };
    let editing = view.editable;
    let working = s.working_version();
    let packs = view
        .packs
        .into_iter()
        .map(|r| (r.id, r.name, r.position))
        .collect();
    let page = DetailPage {
        t,
        chrome: Chrome::for_caller(&caller),
        kind: kind_label(t, s.kind),
        tier: tier_label(t, s.tier),
        status: status_label(t, s.status),
        origin: t.get(&format!("library.origin.{}", s.origin.code())),
        stars: stars(s.avg_stars),
        updated_at: local_time(&state, s.updated_at),
        body_html: markdown(&d.body),
        parts: d.micro_course.as_ref().map(|m| {
            (
                markdown(&m.problem),
                markdown(&m.case),
                markdown(&m.solution),
            )
        }),
        files: d
            .files
            .iter()
            .map(|f| file_view(f, editing && f.version == working))
            .collect(),
        moves,
        versions: d
            .versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    v.title.clone(),
                    local_time(&state, v.published_at),
                    v.published_by.clone(),
                )
            })
            .collect(),
        reviews: d
            .reviews
            .iter()
            .map(|r| {
                (
                    status_label(t, r.from_status),
                    status_label(t, r.to_status),
                    r.comment.clone(),
                    r.actor.clone(),
                    local_time(&state, r.at),
                )
            })
            .collect(),
        comments: d
            .comments
            .iter()
            .map(|c| (c.clone(), local_time(&state, c.created_at)))
            .collect(),
        can_edit: editing,
        published,
        notice,
        packs,
        d,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "library_version.html")]
struct VersionPage {
    t: Tr,
    chrome: Chrome,
    v: rules::VersionView,
    kind: &'static str,
    tier: &'static str,
    origin: &'static str,
    published_at: String,
    body_html: String,
    /// (problem, case, solution) as HTML.
    parts: Option<(String, String, String)>,
    files: Vec<FileView>,
    /// (kind:value, value) of the tags it carried.
    tags: Vec<(String, String)>,
    /// (from, to, comment, actor, at).
    reviews: Vec<(&'static str, &'static str, String, String, String)>,
    /// The newest published version is this one.
    is_current: bool,
}

/// `GET /library/{id}/versions/{version}`: a published version as it was, read-only.
pub async fn version(
    State(state): State<AppState>,
    caller: PageCaller,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "resource")?;
    let version: i32 = version.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "resource version",
        })
    })?;
    let v = rules::visible_version(&state, &caller.principal, id, version).await?;
    let t = Tr(caller.locale);
    let snap = &v.snapshot;
    let page = VersionPage {
        t,
        chrome: Chrome::for_caller(&caller),
        kind: snap.kind.map(|k| kind_label(t, k)).unwrap_or_default(),
        tier: snap.tier.map(|x| tier_label(t, x)).unwrap_or_default(),
        origin: snap
            .origin
            .map(|o| t.get(&format!("library.origin.{}", o.code())))
            .unwrap_or_default(),
        published_at: local_time(&state, v.version.entry.published_at),
        body_html: markdown(&v.version.body),
        parts: snap.micro_course.as_ref().map(|m| {
            (
                markdown(&m.problem),
                markdown(&m.case),
                markdown(&m.solution),
            )
        }),
        files: v.files.iter().map(|f| file_view(f, false)).collect(),
        tags: snap
            .tags
            .iter()
            .map(|label| {
                let value = label.split_once(':').map_or(label.as_str(), |(_, v)| v);
                (label.clone(), value.to_string())
            })
            .collect(),
        reviews: v
            .reviews
            .iter()
            .map(|r| {
                (
                    status_label(t, r.from_status),
                    status_label(t, r.to_status),
                    r.comment.clone(),
                    r.actor.clone(),
                    local_time(&state, r.at),
                )
            })
            .collect(),
        is_current: v.resource.current_version == version,
        v,
    };
    Ok(render(&page))
}

/// `POST /library/files/{id}/delete`: removes a file of the version being prepared
/// (its row, then its bytes); files of published versions are kept.
pub async fn delete_file(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(file_id): Path<String>,
) -> Result<Response, PageError> {
    let file_id = path_id(&file_id, "file")?;
    let resource =
        rules::delete_file(&state, &caller.principal, &caller.actor(), file_id, None).await?;
    Ok(Redirect::to(&format!("/library/{resource}?done=file_deleted")).into_response())
}

/// The resource and micro-course form, as posted.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ResourceForm {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tier: String,
    pub origin: String,
    pub vendor: String,
    pub estimated_minutes: String,
    /// `kind:value` per line.
    pub tags: String,
    /// `CODE:level` per line.
    pub skills: String,
    /// Position codes, by line, comma or space.
    pub positions: String,
    pub problem: String,
    pub case: String,
    pub solution: String,
    /// The micro-course's main skill.
    pub skill: String,
    pub need_id: String,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

impl ResourceForm {
    /// The resource as entered; a bad value is an error naming its field.
    pub fn resource(&self, micro: bool) -> DomainResult<ResourceInput> {
        let kind = if micro {
            ResourceKind::MicroCourse
        } else {
            ResourceKind::parse(&self.kind)?
        };
        let estimated_minutes = self.estimated_minutes.trim().parse().map_err(|_| {
            DomainError::invalid("estimated_minutes", "must be a whole number of minutes")
        })?;
        let tags = lines(&self.tags)
            .map(TagRef::parse)
            .collect::<DomainResult<_>>()?;
        let skills = lines(&self.skills)
            .map(|l| {
                let (code, level) = l.split_once([':', '：', ' ']).ok_or_else(|| {
                    DomainError::invalid("skills", format!("'{l}' is not CODE:level"))
                })?;
                let level = level.trim().parse().map_err(|_| {
                    DomainError::invalid("skills", format!("the level in '{l}' must be a number"))
                })?;
                Ok(SkillLevel {
                    code: code.trim().to_string(),
                    level,
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(ResourceInput {
            code: self.code.clone(),
            kind,
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            tier: Tier::parse(&self.tier)?,
            origin: Origin::parse(if self.origin.trim().is_empty() {
                "internal"
            } else {
                &self.origin
            })?,
            vendor: Some(self.vendor.clone()),
            owner_user_id: None,
            estimated_minutes,
            tags,
            skills,
            positions: self
                .positions
                .split(|c: char| c.is_whitespace() || ",，;；".contains(c))
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// The micro-course as entered.
    pub fn micro(&self) -> DomainResult<MicroCourseInput> {
        let need_id = blank(&self.need_id)
            .map(|n| {
                n.parse()
                    .map_err(|_| DomainError::invalid("need_id", "must be a training need id"))
            })
            .transpose()?;
        Ok(MicroCourseInput {
            resource: self.resource(true)?,
            problem: self.problem.clone(),
            case: self.case.clone(),
            solution: self.solution.clone(),
            need_id,
            skill_code: blank(&self.skill).map(str::to_string),
        })
    }

    /// The form filled from a resource (to edit it).
    fn from_detail(d: &ResourceDetail) -> Self {
        let s = &d.summary;
        let m = d.micro_course.clone();
        Self {
            code: s.code.clone(),
            kind: s.kind.code().into(),
            title: s.title.clone(),
            summary: s.summary.clone(),
            body: d.body.clone(),
            tier: s.tier.code().into(),
            origin: s.origin.code().into(),
            vendor: s.vendor.clone().unwrap_or_default(),
            estimated_minutes: s.estimated_minutes.to_string(),
            tags: d
                .tags
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join("\n"),
            skills: d
                .skills
                .iter()
                .map(|k| format!("{}:{}", k.code, k.level))
                .collect::<Vec<_>>()
                .join("\n"),
            positions: d
                .positions
                .iter()
                .map(|p| p.code.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            problem: m.as_ref().map(|m| m.problem.clone()).unwrap_or_default(),
            case: m.as_ref().map(|m| m.case.clone()).unwrap_or_default(),
            solution: m.as_ref().map(|m| m.solution.clone()).unwrap_or_default(),
            skill: m
                .as_ref()
                .and_then(|m| m.skill_code.clone())
                .unwrap_or_default(),
            need_id: m
                .and_then(|m| m.need_id)
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "library_form.html")]
struct FormPage {
    t: Tr,
    chrome: Chrome,
    f: ResourceForm,
    micro: bool,
    /// Where the form posts.
    action: String,
    /// Editing an existing resource (else creating).
    editing: bool,
    kinds: Options,
    tiers: Options,
    origins: Options,
    /// Active vocabulary entries, `kind:value`, grouped by kind label.
    vocabularies: Vec<(&'static str, Vec<String>)>,
    max_minutes: i32,
    /// What was wrong with the posted form (the form keeps what was typed).
    error: Option<String>,
}

/// Field codes of the resource form and their labels, for error messages.
const RESOURCE_FIELDS: &[(&str, &str)] = &[
    ("code", "library.code"),
    ("kind", "library.kind"),
    ("title", "library.resource_title"),
    ("summary", "library.summary"),
    ("body", "library.body"),
    ("tier", "gaps.tier"),
    ("origin", "library.origin"),
    ("vendor", "library.vendor"),
    ("estimated_minutes", "library.minutes"),
    ("tags", "library.tags"),
    ("skills", "library.skills"),
    ("positions", "library.positions"),
    ("problem", "library.problem"),
    ("case", "library.case"),
    ("solution", "library.solution"),
    ("skill_code", "library.main_skill"),
    ("need_id", "library.need_id"),
];

/// The form again with what the user typed and what was wrong (422), or the error
/// page when the error is not the input's fault.
async fn refill(
    state: &AppState,
    caller: &PageCaller,
    f: ResourceForm,
    micro: bool,
    action: String,
    editing: bool,
    error: DomainError,
) -> Result<Response, PageError> {
    match super::input_error(Tr(caller.locale), &error, RESOURCE_FIELDS) {
        Some(message) => {
            let tags = rules::authoring_vocabulary(state).await?;
            Ok(form_page(
                caller,
                &tags,
                f,
                micro,
                action,
                editing,
                Some(message),
            ))
        }
        None => Err(caller.err(error)),
    }
}

fn form_page(
    caller: &PageCaller,
    tags: &[TagEntry],
    f: ResourceForm,
    micro: bool,
    action: String,
    editing: bool,
    error: Option<String>,
) -> Response {
    let t = Tr(caller.locale);
    let vocabularies = TagKind::ALL
        .iter()
        .map(|k| {
            (
                t.get(&format!("library.tag_kind.{}", k.code())),
                tags.iter()
                    .filter(|e| e.tag.kind == *k)
                    .map(|e| e.tag.label())
                    .collect(),
            )
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = render(&FormPage {
        t,
        chrome: Chrome::for_caller(caller),
        f,
        micro,
        action,
        editing,
        kinds: kind_options(t)
            .into_iter()
            .filter(|(c, _)| *c != ResourceKind::MicroCourse.code())
            .collect(),
        tiers: tier_options(t),
        origins: origin_options(t),
        vocabularies,
        max_minutes: domain::library::MICRO_COURSE_MAX_MINUTES,
        error,
    });
    (status, page).into_response()
}

fn blank_form(micro: bool) -> ResourceForm {
    ResourceForm {
        kind: "course".into(),
        tier: "core".into(),
        origin: "internal".into(),
        estimated_minutes: if micro { "10" } else { "60" }.into(),
        ..Default::default()
    }
}

/// `GET /library/new`.
pub async fn new_form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let tags = rules::new_resource_form(&state, &caller.principal).await?;
    Ok(form_page(
        &caller,
        &tags,
        blank_form(false),
        false,
        "/library".into(),
        false,
        None,
    ))
}

/// `GET /library/micro/new`.
pub async fn micro_form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let tags = rules::new_resource_form(&state, &caller.principal).await?;
    Ok(form_page(
        &caller,
        &tags,
        blank_form(true),
        true,
        "/library/micro".into(),
        false,
        None,
    ))
}

/// `POST /library`: a new resource (a draft owned by the caller). A mistake shows
/// the form again with what was typed.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ResourceForm>,
) -> Result<Response, PageError> {
    let created = rules::create_resource(
        &state,
        &caller.principal,
        &caller.actor(),
        form.resource(false),
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(e) => return refill(&state, &caller, form, false, "/library".into(), false, e).await,
    };
    Ok(Redirect::to(&format!("/library/{id}")).into_response())
}

/// `POST /library/micro`: a new micro-course (问题 → 案例 → 方法).
pub async fn create_micro(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ResourceForm>,
) -> Result<Response, PageError> {
    let created =
        rules::create_micro_course(&state, &caller.principal, &caller.actor(), form.micro()).await;
    let id = match created {
        Ok(id) => id,
        Err(e) => {
            return refill(
                &state,
                &caller,
                form,
                true,
                "/library/micro".into(),
                false,
                e,
            )
            .await;
        }
    };
    Ok(Redirect::to(&format!("/library/{id}")).into_response())
}

/// `GET /library/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let (d, tags) = rules::resource_to_edit(&state, &caller.principal, id).await?;
    let micro = d.summary.kind == ResourceKind::MicroCourse;
    let action = format!("/library/{}/edit", d.summary.id);
    Ok(form_page(
        &caller,
        &tags,
        ResourceForm::from_detail(&d),
        micro,
        action,
        true,
        None,
    ))
}

/// `POST /library/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ResourceForm>,
) -> Result<Response, PageError> {
    let mut micro = false;
    let saved = rules::update_resource(&state, &caller.principal, &caller.actor(), id, |m| {
        micro = m;
        Ok(if m {
            ResourceChange::MicroCourse(form.micro()?)
        } else {
            ResourceChange::Resource(form.resource(false)?)
        })
    })
    .await;
    if let Err(e) = saved {
        let action = format!("/library/{id}/edit");
        return refill(&state, &caller, form, micro, action, true, e).await;
    }
    Ok(Redirect::to(&format!("/library/{id}")).into_response())
}

/// A review move.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    comment: String,
}

/// `POST /library/{id}/status`: submit, publish, send back, retire, reopen.
pub async fn set_status(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let next = ResourceStatus::parse(&form.status)?;
    rules::change_status(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        next,
        Some(&form.comment),
    )
    .await?;
    Ok(Redirect::to(&format!("/library/{id}")).into_response())
}

/// `POST /library/{id}/files` (multipart `file`, CSRF token in the query): streams the
/// upload into the file store (type and size checked as it arrives), then records it.
pub async fn upload(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let target = rules::begin_upload(&state, &caller.principal, id).await?;
    let multipart =
        multipart.map_err(|e| caller.err(DomainError::invalid("file", e.body_text())))?;
    let stored =
        crate::multipart::receive_file(&state, &caller.actor(), &target, multipart).await?;
    if stored.is_none() {
        let message = Tr(caller.locale).get("library.no_file");
        return Err(caller.err(DomainError::invalid("file", message)));
    }
    Ok(Redirect::to(&format!("/library/{id}?done=uploaded")).into_response())
}

/// What a `Range` header asks of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// No header, or a form we do not serve (such as several ranges): the whole file.
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// Starts past the end (416).
    Unsatisfiable,
}

/// Parses `Range: bytes=a-b` (also `a-` and `-n`) against a file of `size` bytes.
pub fn parse_range(header: Option<&str>, size: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ranged::Whole;
    };
    let Some((start, end)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return Ranged::Whole;
    };
    let (start, end) = (start.trim(), end.trim());
    let last = size.saturating_sub(1);
    let (from, to) = match (start.parse::<u64>(), end.parse::<u64>()) {
        (Ok(s), Ok(e)) if s <= e => (s, e.min(last)),
        (Ok(s), Err(_)) if end.is_empty() => (s, last),
        (Err(_), Ok(n)) if start.is_empty() && n > 0 => (size.saturating_sub(n), last),
        (Err(_), Ok(0)) if start.is_empty() => return Ranged::Unsatisfiable,
        _ => return Ranged::Whole,
    };
    if size == 0 || from >= size {
        return Ranged::Unsatisfiable;
    }
    Ranged::Part(from, to)
}

/// `filename*=UTF-8''…`: RFC 5987 percent-encoding of the original name.
fn disposition(name: &str) -> String {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("inline; filename*=UTF-8''{encoded}")
}

/// `GET /library/files/{file_id}`: the file inline, streamed, with range support
/// (video seeks).
pub async fn download(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(file_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let file_id = path_id(&file_id, "file")?;
    let open = rules::open_file(&state, &caller.principal, file_id).await?;
    let (file, size) = (&open.file, open.size);
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // Both answers stream from the file store, so memory stays flat for any size.
    let (status, wanted) = match parse_range(range, size) {
        Ranged::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
        Ranged::Part(start, end) => (StatusCode::PARTIAL_CONTENT, Some(start..end + 1)),
        Ranged::Whole => (StatusCode::OK, None),
    };
    let stream = open.stream(&state, wanted).await?;
    let served = stream.range.clone();
    let mut response = (status, Body::from_stream(stream.chunks)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(served.end - served.start),
    );
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!(
            "bytes {}-{}/{}",
            served.start,
            served.end - 1,
            stream.size
        ))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Served from our origin: nothing in it may run script or be framed elsewhere.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition(&file.original_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A learner's stars.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RateForm {
    stars: String,
}

/// `POST /library/{id}/rate`.
pub async fn rate(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RateForm>,
) -> Result<Response, PageError> {
    let stars = form
        .stars
        .trim()
        .parse::<i32>()
        .map_err(|_| DomainError::invalid("stars", "must be 1 to 5"));
    rules::rate_resource(&state, &caller.principal, id, stars).await?;
    Ok(Redirect::to(&format!("/library/{id}?done=rated")).into_response())
}

/// A learner's comment.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
}

/// `POST /library/{id}/comments`: pending until moderated when the site moderates first.
pub async fn comment(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<CommentForm>,
) -> Result<Response, PageError> {
    rules::comment_on_resource(&state, &caller.principal, id, &form.body).await?;
    Ok(Redirect::to(&format!("/library/{id}?done=commented")).into_response())
}

/// `POST /library/{id}/complete`: the learner finished it.
pub async fn complete(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    rules::complete_resource(&state, &caller.principal, id).await?;
    Ok(Redirect::to(&format!("/library/{id}?done=completed")).into_response())
}

#[derive(Template)]
#[template(path = "library_moderation.html")]
struct ModerationPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(CommentEntry, String)>,
    pager: Pager,
}

/// Page of a list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /library/moderation`: comments waiting for a moderator, oldest first.
pub async fn moderation(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let paged = rules::pending_comments(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let pager = Pager::new(t, &paged, "/library/moderation", "");
    Ok(render(&ModerationPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged
            .items
            .into_iter()
            .map(|c| {
                let at = local_time(&state, c.created_at);
                (c, at)
            })
            .collect(),
        pager,
    }))
}

/// A moderator's decision.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ModerateForm {
    status: String,
}

/// `POST /library/comments/{id}/moderate`: show or hide a comment.
pub async fn moderate(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ModerateForm>,
) -> Result<Response, PageError> {
    rules::moderate_comment(&state, &caller.principal, &caller.actor(), id, &form.status).await?;
    Ok(Redirect::to("/library/moderation").into_response())
}

#[derive(Template)]
#[template(path = "library_reports.html")]
struct ReportsPage {
    t: Tr,
    chrome: Chrome,
    months: u32,
    threshold: i64,
    /// (row, action label, published at).
    lifecycle: Vec<(LifecycleRow, &'static str, String)>,
    gaps: SupplyGaps,
}

/// Window and threshold of the lifecycle report.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    months: String,
    threshold: String,
}

/// `GET /library/reports`: little-used resources and where the library lacks supply.
pub async fn reports(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let months = blank(&query.months)
        .map(|m| m.parse::<u32>())
        .transpose()
        .map_err(|_| DomainError::invalid("months", "must be between 1 and 36"));
    let threshold = blank(&query.threshold)
        .map(|m| m.parse::<i64>())
        .transpose()
        .map_err(|_| DomainError::invalid("threshold", "must be 1 or more"));
    let reports = rules::library_reports(&state, &caller.principal, months, threshold).await?;
    Ok(render(&ReportsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        months: reports.months,
        threshold: reports.threshold,
        lifecycle: reports
            .lifecycle
            .into_iter()
            .map(|r| {
                let action = t.get(&format!("library.action.{}", r.action.code()));
                let at = r
                    .published_at
                    .map(|p| local_time(&state, p))
                    .unwrap_or_default();
                (r, action, at)
            })
            .collect(),
        gaps: reports.gaps,
    }))
}

#[derive(Template)]
#[template(path = "library_mine.html")]
struct MinePage {
    t: Tr,
    chrome: Chrome,
    /// (stats, status label, stars, skip rate).
    items: Vec<(AuthorCourseStats, &'static str, String, String)>,
}

/// `GET /library/mine`: the caller's micro-courses with their feedback.
pub async fn mine(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let stats = rules::my_course_stats(&state, &caller.principal).await?;
    Ok(render(&MinePage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: stats
            .into_iter()
            .map(|s| {
                let status = status_label(t, s.resource.status);
                let stars = stars(s.resource.avg_stars);
                let skip = s
                    .skip_rate()
                    .map(|r| format!("{:.0}%", r * 100.0))
                    .unwrap_or_default();
                (s, status, stars, skip)
            })
            .collect(),
    }))
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/library", Page, list)
        .post("/library", Page, create)
        .get("/library/new", Page, new_form)
        .get("/library/micro/new", Page, micro_form)
        .post("/library/micro", Page, create_micro)
        .get("/library/moderation", Page, moderation)
        .post("/library/comments/{id}/moderate", Page, moderate)
        .get("/library/reports", Page, reports)
        .get("/library/mine", Page, mine)
        .get("/library/files/{id}", Page, download)
        .post("/library/files/{id}/delete", Page, delete_file)
        .get("/library/{id}", Page, detail)
        .get("/library/{id}/versions/{version}", Page, version)
        .get("/library/{id}/edit", Page, edit_form)
        .post("/library/{id}/edit", Page, update)
        .post("/library/{id}/status", Page, set_status)
        .post_upload("/library/{id}/files", Page, upload, UPLOAD_ROUTE_LIMIT)
        .post("/library/{id}/rate", Page, rate)
        .post("/library/{id}/comments", Page, comment)
        .post("/library/{id}/complete", Page, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_html_and_script_links() {
        let html = markdown("**粗体** <script>alert(1)</script>\n\n[x](javascript:alert(1))");
        assert!(html.contains("<strong>粗体</strong>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn ranges() {
        use Ranged::*;
        assert_eq!(parse_range(None, 10), Whole);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Part(0, 3));
        assert_eq!(parse_range(Some("bytes=5-"), 10), Part(5, 9));
        assert_eq!(parse_range(Some("bytes=-4"), 10), Part(6, 9));
        assert_eq!(parse_range(Some("bytes=-40"), 10), Part(0, 9));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), Part(8, 9));
        assert_eq!(parse_range(Some("bytes=10-12"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Whole);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Whole);
        assert_eq!(parse_range(Some("items=0-1"), 10), Whole);
    }

    #[test]
    fn content_disposition_is_encoded() {
        assert_eq!(
            disposition("安全 手册.pdf"),
            "inline; filename*=UTF-8''%E5%AE%89%E5%85%A8%20%E6%89%8B%E5%86%8C.pdf"
        );
    }

    #[test]
    fn form_fields_are_named() {
        let mut f = blank_form(true);
        f.estimated_minutes = "ten".into();
        let field = |r: DomainResult<MicroCourseInput>| match r {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(f.micro()), "estimated_minutes");
        f.estimated_minutes = "10".into();
        f.skills = "OP-EQUIP two".into();
        assert_eq!(field(f.micro()), "skills");
        f.skills = "OP-EQUIP:2".into();
        f.skill = "OP-SAFE".into();
        let m = f.micro().unwrap();
        // The main skill is not added behind the author's back: the use case refuses a
        // main skill the skills do not list, on the page as through the API.
        assert_eq!(m.resource.skills.len(), 1);
        assert_eq!(m.skill_code.as_deref(), Some("OP-SAFE"));
        f.need_id = "x".into();
        assert_eq!(field(f.micro()), "need_id");
    }
}
