//! The resource library: resources and their links, the review workflow with versions,
//! files, ratings, comments, usage, tag vocabularies, scenario packs, micro-courses,
//! and the lifecycle, supply-gap and search-index reads.
//!
//! The `resources` row is the working copy; each publication copies it into
//! `resource_versions` (never overwritten). Content changes only while a resource is
//! a draft or under review, so what a version records is exactly what was approved.

use crate::audit::append_in;
use crate::competency::skill_levels;
use crate::query::{
    ensure_code_free, fetch_in, fetch_page, fetch_rows, id_by_code, one_or_not_found, paged,
    push_any_contains, push_in_list, row_by_code,
};
use crate::{DbTime, db_error, on_pool, search_pattern};
use bytes::Bytes;
use domain::audit::Actor;
use domain::competency::Tier;
use domain::library::{
    AuthorCourseStats, CommentEntry, CommentStatus, EventKind, FileEntry, IndexDocument,
    LifecycleAction, LifecycleQuery, LifecycleRow, MAX_COMMENT, MicroCourseInput, MicroCourseParts,
    MissingSkill, Origin, PackItem, PackRef, ResourceDetail, ResourceFilter, ResourceInput,
    ResourceKind, ResourcePosition, ResourceSkill, ResourceStatus, ResourceSummary,
    ResourceVersion, ReviewEntry, ScenarioPack, ScenarioPackInput, SkillSupplyGap, StatusChange,
    SupplyGaps, Tag, TagEntry, TagKind, TagRef, TagRemoval, TaskSupplyGap, UsageEvent,
    VersionEntry, validate_tag_value,
};
use domain::{DomainError, DomainResult, Page, Paged};
use files::{FileKey, FileStore, StoredFile};
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::collections::HashMap;
use time::OffsetDateTime;

/// The columns of [`SummaryRow`], from `resources r` and its owner `u`.
const SUMMARY_COLUMNS: &str = "r.id, r.code, r.kind, r.title, r.summary, r.tier, r.origin, r.vendor, r.owner_user_id, \
    u.username AS owner, r.estimated_minutes, r.status, r.current_version, r.created_at, r.updated_at, r.published_at, r.retired_at, \
    (SELECT AVG(CAST(rr.stars AS DOUBLE PRECISION)) FROM resource_ratings rr WHERE rr.resource_id = r.id) AS avg_stars, \
    (SELECT COUNT(*) FROM resource_ratings rr WHERE rr.resource_id = r.id) AS ratings";

/// A micro-course's (problem, case, solution, need id, skill code).
type MicroRow = (String, String, String, Option<i64>, Option<String>);
/// (resource id, views, completions).
type UsageRow = (i64, i64, i64);
/// (resource id, tag kind, tag value).
type TagLink = (i64, String, String);
/// (resource id, skill or position code).
type CodeLink = (i64, String);

const SUMMARY_FROM: &str = " FROM resources r LEFT JOIN users u ON u.id = r.owner_user_id";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    code: String,
    kind: String,
    title: String,
    summary: String,
    tier: String,
    origin: String,
    vendor: Option<String>,
    owner_user_id: Option<i64>,
    owner: Option<String>,
    estimated_minutes: i32,
    status: String,
    current_version: i32,
    created_at: DbTime,
    updated_at: DbTime,
    published_at: Option<DbTime>,
    retired_at: Option<DbTime>,
    avg_stars: Option<f64>,
    ratings: i64,
}

impl TryFrom<SummaryRow> for ResourceSummary {
    type Error = DomainError;

    fn try_from(r: SummaryRow) -> DomainResult<Self> {
        Ok(ResourceSummary {
            id: r.id,
            code: r.code,
            kind: ResourceKind::parse(&r.kind)?,
            title: r.title,
            summary: r.summary,
            tier: Tier::parse(&r.tier)?,
            origin: Origin::parse(&r.origin)?,
            vendor: r.vendor,
            owner_user_id: r.owner_user_id,
            owner: r.owner,
            estimated_minutes: r.estimated_minutes,
            status: ResourceStatus::parse(&r.status)?,
            current_version: r.current_version,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            published_at: r.published_at.map(|t| t.0),
            retired_at: r.retired_at.map(|t| t.0),
            avg_stars: r.avg_stars,
            ratings: r.ratings,
        })
    }
}

fn summaries(rows: Vec<SummaryRow>) -> DomainResult<Vec<ResourceSummary>> {
    rows.into_iter().map(ResourceSummary::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    resource_id: i64,
    version: i32,
    from_status: String,
    to_status: String,
    comment: String,
    actor: String,
    at: DbTime,
}

impl TryFrom<ReviewRow> for ReviewEntry {
    type Error = DomainError;

    fn try_from(r: ReviewRow) -> DomainResult<Self> {
        Ok(ReviewEntry {
            version: r.version,
            from_status: ResourceStatus::parse(&r.from_status)?,
            to_status: ResourceStatus::parse(&r.to_status)?,
            comment: r.comment,
            actor: r.actor,
            at: r.at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    resource_id: i64,
    user_id: i64,
    username: String,
    body: String,
    status: String,
    created_at: DbTime,
    moderator: Option<String>,
    moderated_at: Option<DbTime>,
}

impl TryFrom<CommentRow> for CommentEntry {
    type Error = DomainError;

    fn try_from(r: CommentRow) -> DomainResult<Self> {
        Ok(CommentEntry {
            id: r.id,
            resource_id: r.resource_id,
            user_id: r.user_id,
            username: r.username,
            body: r.body,
            status: CommentStatus::parse(&r.status)?,
            created_at: r.created_at.0,
            moderated_by: r.moderator,
            moderated_at: r.moderated_at.map(|t| t.0),
        })
    }
}

const COMMENT_SELECT: &str = "SELECT c.id, c.resource_id, c.user_id, u.username, c.body, c.status, c.created_at, \
    m.username AS moderator, c.moderated_at FROM resource_comments c JOIN users u ON u.id = c.user_id \
    LEFT JOIN users m ON m.id = c.moderated_by";

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    resource_id: i64,
    version: i32,
    storage_key: String,
    original_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_at: DbTime,
}

impl From<FileRow> for FileEntry {
    fn from(r: FileRow) -> Self {
        FileEntry {
            id: r.id,
            resource_id: r.resource_id,
            version: r.version,
            storage_key: r.storage_key,
            original_name: r.original_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_at: r.uploaded_at.0,
        }
    }
}

const FILE_COLUMNS: &str = "id, resource_id, version, storage_key, original_name, content_type, size_bytes, sha256, uploaded_at";

/// Appends the list filters (after a `WHERE 1=1`).
fn push_resource_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, filter: &ResourceFilter)
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    if let Some(kind) = filter.kind {
        qb.push(" AND r.kind = ").push_bind(kind.code().to_string());
    }
    if let Some(tier) = filter.tier {
        qb.push(" AND r.tier = ").push_bind(tier.code().to_string());
    }
    if let Some(status) = filter.status {
        qb.push(" AND r.status = ")
            .push_bind(status.code().to_string());
    }
    if let Some(origin) = filter.origin {
        qb.push(" AND r.origin = ")
            .push_bind(origin.code().to_string());
    }
    if let Some(owner) = filter.owner_user_id {
        qb.push(" AND r.owner_user_id = ").push_bind(owner);
    }
    match &filter.tag {
        Some(TagRef::Id(id)) => {
            qb.push(" AND EXISTS (SELECT 1 FROM resource_tags rt WHERE rt.resource_id = r.id AND rt.vocabulary_id = ")
                .push_bind(*id)
                .push(")");
        }
        Some(TagRef::Value { kind, value }) => {
            qb.push(
                " AND EXISTS (SELECT 1 FROM resource_tags rt JOIN tag_vocabularies tv ON tv.id = rt.vocabulary_id \
                 WHERE rt.resource_id = r.id AND tv.kind = ",
            )
            .push_bind(kind.code().to_string())
            .push(" AND tv.value = ")
            .push_bind(value.trim().to_string())
            .push(")");
        }
        None => {}
    }
    if let Some(skill) = filter
        .skill
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        qb.push(
            " AND EXISTS (SELECT 1 FROM resource_skills rs JOIN skills s ON s.id = rs.skill_id \
             WHERE rs.resource_id = r.id AND s.code = ",
        )
        .push_bind(skill.to_string())
        .push(")");
    }
    if let Some(pattern) = search_pattern(filter.q.as_deref()) {
        push_any_contains(qb, &["r.title", "r.summary", "r.code"], &pattern);
    }
}

/// A file name as metadata: the last path component, without control characters,
/// at most 255 characters. It never becomes part of a storage key.
/// `(kind, value, active)` of a tag by id.
const TAG_STATE: &str = "SELECT kind, value, active FROM tag_vocabularies WHERE id = $1";

/// Files go to a draft or a resource under review only.
fn ensure_files_editable(status: ResourceStatus) -> DomainResult<()> {
    if status.is_editable() {
        return Ok(());
    }
    Err(DomainError::invalid(
        "status",
        format!(
            "files are added to a draft or a resource under review; this one is {}",
            status.code()
        ),
    ))
}

/// Fails when a tag other than `except` has `value` in vocabulary `kind`.
async fn ensure_tag_free<'e, DB, E>(
    executor: E,
    kind: &'e str,
    value: &'e str,
    except: Option<i64>,
) -> DomainResult<()>
where
    DB: Database,
    E: sqlx::Executor<'e, Database = DB>,
    &'e str: Encode<'e, DB> + Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
{
    let taken: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM tag_vocabularies WHERE kind = $1 AND value = $2")
            .bind(kind)
            .bind(value)
            .fetch_optional(executor)
            .await
            .map_err(db_error)?;
    match taken {
        Some((id,)) if Some(id) != except => Err(DomainError::invalid(
            "value",
            format!("'{value}' is already a {kind} tag"),
        )),
        _ => Ok(()),
    }
}

/// Finds a scenario pack's id by code (`$1`).
const PACK_BY_CODE: &str = "SELECT id FROM scenario_packs WHERE code = $1";

fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".into()
    } else {
        cleaned.to_string()
    }
}

/// Loads `(status, current_version, kind)` of resource `$id` inside `$tx`.
macro_rules! resource_state {
    ($tx:ident, $id:expr) => {{
        let row: Option<(String, i32, String)> =
            sqlx::query_as("SELECT status, current_version, kind FROM resources WHERE id = $1")
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(db_error)?;
        let (status, version, kind) = row.ok_or(DomainError::NotFound { entity: "resource" })?;
        (
            ResourceStatus::parse(&status)?,
            version,
            ResourceKind::parse(&kind)?,
        )
    }};
}

/// JSON of the working copy of resource `$id` (metadata, links, micro-course parts
/// and the files of version `$files_version`): the audit log's before/after and the
/// snapshot a published version keeps. The body is in its own column; only its length
/// is here.
macro_rules! snapshot_in {
    ($tx:ident, $id:expr, $files_version:expr) => {{
        let id: i64 = $id;
        type Head = (String, String, String, String, String, String, Option<String>, Option<i64>, i32, i64);
        let head: Head = sqlx::query_as(
            "SELECT code, kind, title, summary, tier, origin, vendor, owner_user_id, estimated_minutes, \
             CAST(LENGTH(body) AS BIGINT) FROM resources WHERE id = $1",
        )
        .bind(id).fetch_one(&mut *$tx).await.map_err(db_error)?;
        let tags: Vec<(String, String)> = sqlx::query_as(
            "SELECT tv.kind, tv.value FROM resource_tags rt JOIN tag_vocabularies tv ON tv.id = rt.vocabulary_id \
             WHERE rt.resource_id = $1 ORDER BY tv.kind, tv.value",
        )
        .bind(id).fetch_all(&mut *$tx).await.map_err(db_error)?;
        let skills: Vec<(String, i32)> = sqlx::query_as(
            "SELECT s.code, rs.level FROM resource_skills rs JOIN skills s ON s.id = rs.skill_id WHERE rs.resource_id = $1 ORDER BY s.code",
        )
        .bind(id).fetch_all(&mut *$tx).await.map_err(db_error)?;
        let positions: Vec<String> = sqlx::query_scalar(
            "SELECT p.code FROM resource_positions rp JOIN positions p ON p.id = rp.position_id WHERE rp.resource_id = $1 ORDER BY p.code",
        )
        .bind(id).fetch_all(&mut *$tx).await.map_err(db_error)?;
        let micro: Option<MicroRow> = sqlx::query_as(
            "SELECT m.problem, m.case_text, m.solution, m.need_id, s.code FROM micro_courses m \
             LEFT JOIN skills s ON s.id = m.skill_id WHERE m.resource_id = $1",
        )
        .bind(id).fetch_optional(&mut *$tx).await.map_err(db_error)?;
        let files: Vec<(String, String, String, i64, String)> = sqlx::query_as(
            "SELECT original_name, storage_key, content_type, size_bytes, sha256 FROM resource_files \
             WHERE resource_id = $1 AND version = $2 ORDER BY id",
        )
        .bind(id).bind($files_version).fetch_all(&mut *$tx).await.map_err(db_error)?;
        serde_json::json!({
            "code": head.0, "kind": head.1, "title": head.2, "summary": head.3, "tier": head.4,
            "origin": head.5, "vendor": head.6, "owner_user_id": head.7, "estimated_minutes": head.8,
            "body_chars": head.9,
            "tags": tags.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>(),
            "skills": skills.iter().map(|(c, l)| serde_json::json!({ "code": c, "level": l })).collect::<Vec<_>>(),
            "positions": positions,
            "micro_course": micro.map(|m| serde_json::json!({ "problem": m.0, "case": m.1, "solution": m.2, "need_id": m.3, "skill_code": m.4 })),
            "files": files.iter().map(|f| serde_json::json!({ "name": f.0, "key": f.1, "content_type": f.2, "size": f.3, "sha256": f.4 })).collect::<Vec<_>>(),
        })
    }};
}

/// Resolves the tags, skills and positions of `$input` to ids inside `$tx`, refusing
/// unknown codes, levels beyond a skill's scale, and inactive tags the resource does
/// not already carry. Evaluates to `(tag ids, (skill id, code, level), position ids)`.
macro_rules! resolve_links_in {
    ($tx:ident, $input:expr, $resource:expr) => {{
        let input: &ResourceInput = $input;
        let resource: Option<i64> = $resource;
        let current: Vec<i64> = match resource {
            Some(id) => sqlx::query_scalar("SELECT vocabulary_id FROM resource_tags WHERE resource_id = $1")
                .bind(id).fetch_all(&mut *$tx).await.map_err(db_error)?,
            None => Vec::new(),
        };
        let mut tags: Vec<i64> = Vec::new();
        for t in &input.tags {
            let row: Option<(i64, String, String, bool)> = match t {
                TagRef::Id(id) => sqlx::query_as("SELECT id, kind, value, active FROM tag_vocabularies WHERE id = $1")
                    .bind(*id).fetch_optional(&mut *$tx).await.map_err(db_error)?,
                TagRef::Value { kind, value } => sqlx::query_as("SELECT id, kind, value, active FROM tag_vocabularies WHERE kind = $1 AND value = $2")
                    .bind(kind.code()).bind(value.trim()).fetch_optional(&mut *$tx).await.map_err(db_error)?,
            };
            let (id, kind, value, active) = row.ok_or_else(|| {
                DomainError::invalid("tags", match t {
                    TagRef::Id(id) => format!("no tag has the id {id}"),
                    TagRef::Value { kind, value } => format!("'{}' is not in the {} vocabulary", value.trim(), kind.code()),
                })
            })?;
            if !active && !current.contains(&id) {
                return Err(DomainError::invalid("tags", format!("the tag {kind}:{value} is no longer in use")));
            }
            if !tags.contains(&id) {
                tags.push(id);
            }
        }
        let mut skills: Vec<(i64, String, i32)> = Vec::new();
        for s in &input.skills {
            let code = s.code.trim();
            let (id, levels) = skill_levels(&mut *$tx, code, "skills").await?;
            if s.level > levels {
                return Err(DomainError::invalid("skills", format!("{code} has levels 1 to {levels}; {} was given", s.level)));
            }
            skills.push((id, code.to_string(), s.level));
        }
        let mut positions: Vec<i64> = Vec::new();
        for code in &input.positions {
            let code = code.trim();
            positions.push(id_by_code(&mut *$tx, "SELECT id FROM positions WHERE code = $1", code, "positions", "position").await?);
        }
        (tags, skills, positions)
    }};
}

/// Where a resource's main skill must come from, checked before anything is written.
fn micro_skill_id(skills: &[(i64, String, i32)], micro: &MicroCourseInput) -> Option<i64> {
    let code = micro.skill_code()?;
    skills.iter().find(|s| s.1 == code).map(|s| s.0)
}

impl crate::Store {
    async fn save_resource(
        &self,
        id: Option<i64>,
        input: &ResourceInput,
        micro: Option<&MicroCourseInput>,
        actor: &Actor,
    ) -> DomainResult<i64> {
        match micro {
            Some(m) => m.validate()?,
            None => {
                input.validate()?;
                if input.kind == ResourceKind::MicroCourse {
                    return Err(DomainError::invalid(
                        "kind",
                        "a micro-course is saved with its problem, case and solution (the micro-course form)",
                    ));
                }
            }
        }
        let now = DbTime(OffsetDateTime::now_utc());
        let code = input.code.trim();
        let vendor = input.vendor();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before = match id {
                Some(id) => {
                    let (status, version, kind) = resource_state!(tx, id);
                    if !status.is_editable() {
                        return Err(DomainError::invalid(
                            "status",
                            format!(
                                "a {} resource cannot be edited; move it to in_review to prepare version {}",
                                status.code(),
                                version + 1
                            ),
                        ));
                    }
                    if (kind == ResourceKind::MicroCourse) != micro.is_some() {
                        return Err(DomainError::invalid(
                            "kind",
                            format!(
                                "a {} cannot become a {}; create a new resource instead",
                                kind.code(),
                                input.kind.code()
                            ),
                        ));
                    }
                    let old_code: String =
                        sqlx::query_scalar("SELECT code FROM resources WHERE id = $1")
                            .bind(id)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    if version > 0 && old_code != code {
                        return Err(DomainError::invalid(
                            "code",
                            "cannot change once the resource has been published",
                        ));
                    }
                    Some(snapshot_in!(tx, id, version + 1))
                }
                None => None,
            };
            let sql = "SELECT id FROM resources WHERE code = $1";
            ensure_code_free(&mut *tx, sql, code, id, " by another resource").await?;
            if let Some(owner) = input.owner_user_id {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                    .bind(owner)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                found.ok_or_else(|| {
                    DomainError::invalid("owner_user_id", format!("no user has the id {owner}"))
                })?;
            }
            if let Some(need) = micro.and_then(|m| m.need_id) {
                let found: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM training_needs WHERE id = $1")
                        .bind(need)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                found.ok_or_else(|| {
                    DomainError::invalid("need_id", format!("no training need has the id {need}"))
                })?;
            }
            let (tags, skills, positions) = resolve_links_in!(tx, input, id);
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO resources (code, kind, title, summary, body, tier, origin, vendor, owner_user_id, estimated_minutes, \
                     status, current_version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', 0, $11, $11) RETURNING id",
                )
                .bind(code).bind(input.kind.code()).bind(input.title.trim()).bind(input.summary.trim()).bind(input.body.trim())
                .bind(input.tier.code()).bind(input.origin.code()).bind(&vendor).bind(input.owner_user_id.or(actor.user_id))
                .bind(input.estimated_minutes).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?,
                Some(id) => {
                    sqlx::query(
                        "UPDATE resources SET code = $1, kind = $2, title = $3, summary = $4, body = $5, tier = $6, origin = $7, vendor = $8, \
                         owner_user_id = COALESCE($9, owner_user_id), estimated_minutes = $10, updated_at = $11 WHERE id = $12",
                    )
                    .bind(code).bind(input.kind.code()).bind(input.title.trim()).bind(input.summary.trim()).bind(input.body.trim())
                    .bind(input.tier.code()).bind(input.origin.code()).bind(&vendor).bind(input.owner_user_id)
                    .bind(input.estimated_minutes).bind(now).bind(id)
                    .execute(&mut *tx).await.map_err(db_error)?;
                    for table in ["resource_tags", "resource_skills", "resource_positions"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE resource_id = $1"))
                            .bind(id).execute(&mut *tx).await.map_err(db_error)?;
                    }
                    id
                }
            };
            for tag in &tags {
                sqlx::query(
                    "INSERT INTO resource_tags (resource_id, vocabulary_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            for (skill, _, level) in &skills {
                sqlx::query("INSERT INTO resource_skills (resource_id, skill_id, level) VALUES ($1, $2, $3)")
                    .bind(id).bind(skill).bind(level).execute(&mut *tx).await.map_err(db_error)?;
            }
            for position in &positions {
                sqlx::query(
                    "INSERT INTO resource_positions (resource_id, position_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(position)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            if let Some(m) = micro {
                sqlx::query(
                    "INSERT INTO micro_courses (resource_id, problem, case_text, solution, need_id, skill_id) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (resource_id) DO UPDATE SET problem = excluded.problem, case_text = excluded.case_text, \
                     solution = excluded.solution, need_id = excluded.need_id, skill_id = excluded.skill_id",
                )
                .bind(id).bind(m.problem.trim()).bind(m.case.trim()).bind(m.solution.trim()).bind(m.need_id).bind(micro_skill_id(&skills, m))
                .execute(&mut *tx).await.map_err(db_error)?;
            }
            let version: i32 =
                sqlx::query_scalar("SELECT current_version FROM resources WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let after = snapshot_in!(tx, id, version + 1);
            let action = if before.is_some() {
                "library.resource_change"
            } else {
                "library.resource_create"
            };
            append_in!(
                tx,
                &actor
                    .entry(action, "resource")
                    .entity(id)
                    .change(before.map(|b| b.to_string()), Some(after.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }
}

// Files.

// Tag vocabularies.

/// Resolves pack item codes to ids in order inside `$tx`, refusing unknown and retired ones.
macro_rules! pack_items_in {
    ($tx:ident, $input:expr) => {{
        let input: &ScenarioPackInput = $input;
        let mut items: Vec<i64> = Vec::new();
        for code in &input.resources {
            let code = code.trim();
            let (id, status): (i64, String) = row_by_code(
                &mut *$tx,
                "SELECT id, status FROM resources WHERE code = $1",
                code,
                "resources",
                "resource",
            )
            .await?;
            if status == ResourceStatus::Retired.code() {
                return Err(DomainError::invalid(
                    "resources",
                    format!("{code} is retired"),
                ));
            }
            items.push(id);
        }
        items
    }};
}

/// Scenario packs.
impl crate::Store {
    /// Every pack (or one, with `only`), with its items in order.
    async fn packs(&self, only: Option<i64>) -> DomainResult<Vec<ScenarioPack>> {
        type PackRow = (i64, String, String, String, String, DbTime);
        type ItemRow = (i64, i32, i64, String, String, String, String, i32);
        let (packs, items): (Vec<PackRow>, Vec<ItemRow>) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT id, code, name, scenario_step, description, updated_at FROM scenario_packs",
            );
            if let Some(id) = only {
                qb.push(" WHERE id = ").push_bind(id);
            }
            qb.push(" ORDER BY code");
            let packs: Vec<PackRow> = fetch_rows(pool, &mut qb).await?;
            let mut qb = QueryBuilder::new(
                "SELECT i.pack_id, i.position, r.id, r.code, r.title, r.kind, r.status, r.estimated_minutes \
                 FROM scenario_pack_items i JOIN resources r ON r.id = i.resource_id",
            );
            if let Some(id) = only {
                qb.push(" WHERE i.pack_id = ").push_bind(id);
            }
            qb.push(" ORDER BY i.pack_id, i.position");
            (packs, fetch_rows(pool, &mut qb).await?)
        });
        let mut by_pack: HashMap<i64, Vec<PackItem>> = HashMap::new();
        for (pack, position, resource_id, code, title, kind, status, minutes) in items {
            by_pack.entry(pack).or_default().push(PackItem {
                position,
                resource_id,
                code,
                title,
                kind: ResourceKind::parse(&kind)?,
                status: ResourceStatus::parse(&status)?,
                estimated_minutes: minutes,
            });
        }
        Ok(packs
            .into_iter()
            .map(
                |(id, code, name, scenario_step, description, updated_at)| ScenarioPack {
                    id,
                    code,
                    name,
                    scenario_step,
                    description,
                    updated_at: updated_at.0,
                    items: by_pack.remove(&id).unwrap_or_default(),
                },
            )
            .collect())
    }
}

// Reports.

/// The library port: every query and change of this context.
pub trait LibraryRepository {
    /// Adds a resource (a draft) with its tags, skills and positions. Micro-courses go
    /// through [`Self::create_micro_course`], which also takes their three parts.
    fn create_resource(
        &self,
        input: &ResourceInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a draft or a resource under review; its links are replaced by the input's.
    /// An absent `owner_user_id` keeps the owner.
    fn update_resource(
        &self,
        id: i64,
        input: &ResourceInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Adds a micro-course: a resource of kind `micro_course` with problem, case and solution.
    fn create_micro_course(
        &self,
        input: &MicroCourseInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a micro-course (draft or under review), its parts included.
    fn update_micro_course(
        &self,
        id: i64,
        input: &MicroCourseInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Moves a resource through the review workflow (see
    /// [`ResourceStatus::can_move_to`]). Publishing records the next version with a
    /// snapshot and keeps every older one; leaving published or retired for a new
    /// round carries the files over to the next version. Every move is kept in
    /// `resource_reviews` and the audit log.
    fn change_status(
        &self,
        id: i64,
        next: ResourceStatus,
        comment: Option<&str>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<StatusChange>> + Send;

    /// Resources matching `filter`, most recently changed first.
    fn list_resources(
        &self,
        filter: &ResourceFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<ResourceSummary>>> + Send;

    /// Resources by id, in the order given (ids that do not exist are left out): the
    /// rows behind full-text search hits.
    fn resource_summaries(
        &self,
        ids: &[i64],
    ) -> impl std::future::Future<Output = DomainResult<Vec<ResourceSummary>>> + Send;

    /// One resource with its links, versions, reviews, visible comments, files and usage.
    fn resource_detail(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<ResourceDetail>> + Send;

    /// One published version in full (body and snapshot).
    fn resource_version(
        &self,
        id: i64,
        version: i32,
    ) -> impl std::future::Future<Output = DomainResult<ResourceVersion>> + Send;

    /// Records `user`'s stars (1–5) for a published resource, replacing an earlier
    /// rating; returns the new mean and count.
    fn rate(
        &self,
        resource_id: i64,
        user_id: i64,
        stars: i32,
    ) -> impl std::future::Future<Output = DomainResult<(f64, i64)>> + Send;

    /// Adds a learner's comment to a published resource: `pending` until a moderator
    /// looks at it when `moderate_first` (the site's setting), otherwise `visible`.
    fn add_comment(
        &self,
        resource_id: i64,
        user_id: i64,
        body: &str,
        moderate_first: bool,
    ) -> impl std::future::Future<Output = DomainResult<CommentEntry>> + Send;

    /// Shows or hides a comment; recorded in the audit log.
    fn moderate_comment(
        &self,
        comment_id: i64,
        decision: CommentStatus,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// The moderation queue, oldest first.
    fn pending_comments(
        &self,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<CommentEntry>>> + Send;

    /// Records that a published resource was opened or finished at `at` (the learning
    /// record's time, which may lie in the past when records are imported).
    fn record_event(
        &self,
        resource_id: i64,
        user_id: Option<i64>,
        kind: EventKind,
        at: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Records many usage events at once (imported learning records, the demo), each
    /// against the resource's current version, in one transaction with multi-row
    /// inserts. Every resource must be published; nothing is written otherwise.
    fn record_events(
        &self,
        events: &[UsageEvent],
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Dates a resource's history back, for records migrated from an older system and
    /// for the demo: it was created at `created_at` and, when published, its current
    /// version (and the review moves leading to it) at `published_at`. Recorded in the
    /// audit log.
    fn backdate_resource(
        &self,
        id: i64,
        created_at: OffsetDateTime,
        published_at: Option<OffsetDateTime>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Records a file stored in the file store as part of the version being prepared
    /// (the resource must be a draft or under review).
    fn attach_file(
        &self,
        resource_id: i64,
        stored: &StoredFile,
        original_name: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<FileEntry>> + Send;

    /// Checks, stores and records an upload held in memory (`max_bytes` is the site's
    /// limit). When recording fails the stored bytes are removed again.
    fn upload_resource_file(
        &self,
        files: &FileStore,
        resource_id: i64,
        original_name: &str,
        bytes: Bytes,
        max_bytes: u64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<FileEntry>> + Send;

    /// The folder new files of a resource go to: `resources/{id}/{version being prepared}`.
    /// Refused unless the resource is a draft or under review.
    fn file_folder(
        &self,
        resource_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<FileKey>> + Send;

    /// One file's record (to serve it).
    fn resource_file(
        &self,
        file_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<FileEntry>> + Send;

    /// Removes a file from the version being prepared; files of published versions
    /// stay. Returns the storage key when no version refers to it any more (the caller
    /// then deletes the bytes; see [`Self::delete_resource_file`]).
    fn remove_file(
        &self,
        file_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Option<FileKey>>> + Send;

    /// [`Self::remove_file`], then deletes the bytes when nothing refers to them.
    fn delete_resource_file(
        &self,
        files: &FileStore,
        file_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Vocabulary entries (of one kind, or all), with how many resources carry each.
    fn list_tags(
        &self,
        kind: Option<TagKind>,
        include_inactive: bool,
    ) -> impl std::future::Future<Output = DomainResult<Vec<TagEntry>>> + Send;

    /// Adds a vocabulary entry.
    fn create_tag(
        &self,
        kind: TagKind,
        value: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Renames and/or (de)activates an entry. The resources carrying it count as changed
    /// (their `updated_at` moves) so the search index picks up the new value.
    fn update_tag(
        &self,
        id: i64,
        value: &str,
        active: bool,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Deletes an unused entry; one in use is deactivated instead (resources keep it,
    /// new ones cannot pick it).
    fn remove_tag(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<TagRemoval>> + Send;

    /// Adds a scenario pack with its resources in order.
    fn create_pack(
        &self,
        input: &ScenarioPackInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a pack; its items are replaced by the input's, in the input's order.
    fn update_pack(
        &self,
        id: i64,
        input: &ScenarioPackInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Deletes a pack (its resources stay in the library).
    fn delete_pack(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Every scenario pack with its items, by code.
    fn list_packs(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ScenarioPack>>> + Send;

    /// The packs resource `resource_id` is in, by code.
    fn packs_with_resource(
        &self,
        resource_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<PackRef>>> + Send;

    /// One scenario pack with its items in order.
    fn pack(&self, id: i64)
    -> impl std::future::Future<Output = DomainResult<ScenarioPack>> + Send;

    /// An author's micro-courses with views, completions, ratings and reviewers' comments.
    fn author_stats(
        &self,
        user_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<AuthorCourseStats>>> + Send;

    /// Published resources whose views plus completions stayed below `threshold` in
    /// every one of the last `months` calendar months before `as_of`, with a suggested
    /// action ([`LifecycleAction::suggest`]). Only resources whose current version was
    /// published before the window began are judged: a new version gets a fresh
    /// window. Computed in SQL over the events of the window.
    fn lifecycle_report(
        &self,
        months: u32,
        threshold: i64,
        as_of: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<Vec<LifecycleRow>>> + Send;

    /// Skills no published resource develops to the level positions and tasks require
    /// (all skills nobody covers, most people affected first), and position tasks with
    /// such a skill; a task requiring no recorded skill is a gap when no published
    /// resource is meant for its position.
    fn supply_gaps(&self) -> impl std::future::Future<Output = DomainResult<SupplyGaps>> + Send;

    /// Documents for the search index, in id order after `after_id` (keyset paging:
    /// pass the last id of one batch to get the next), at most `limit` (1–1000) per
    /// call; with `changed_since`, only resources changed at or after that time.
    fn resources_for_index(
        &self,
        after_id: i64,
        limit: i64,
        changed_since: Option<OffsetDateTime>,
    ) -> impl std::future::Future<Output = DomainResult<Vec<IndexDocument>>> + Send;
}

impl LibraryRepository for crate::Store {
    /// Adds a resource (a draft) with its tags, skills and positions. Micro-courses go
    /// through [`Self::create_micro_course`], which also takes their three parts.
    async fn create_resource(&self, input: &ResourceInput, actor: &Actor) -> DomainResult<i64> {
        self.save_resource(None, input, None, actor).await
    }

    /// Changes a draft or a resource under review; its links are replaced by the input's.
    /// An absent `owner_user_id` keeps the owner.
    async fn update_resource(
        &self,
        id: i64,
        input: &ResourceInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        self.save_resource(Some(id), input, None, actor)
            .await
            .map(|_| ())
    }

    /// Adds a micro-course: a resource of kind `micro_course` with problem, case and solution.
    async fn create_micro_course(
        &self,
        input: &MicroCourseInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        self.save_resource(None, &input.resource, Some(input), actor)
            .await
    }

    /// Changes a micro-course (draft or under review), its parts included.
    async fn update_micro_course(
        &self,
        id: i64,
        input: &MicroCourseInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        self.save_resource(Some(id), &input.resource, Some(input), actor)
            .await
            .map(|_| ())
    }

    /// Moves a resource through the review workflow (see
    /// [`ResourceStatus::can_move_to`]). Publishing records the next version with a
    /// snapshot and keeps every older one; leaving published or retired for a new
    /// round carries the files over to the next version. Every move is kept in
    /// `resource_reviews` and the audit log.
    async fn change_status(
        &self,
        id: i64,
        next: ResourceStatus,
        comment: Option<&str>,
        actor: &Actor,
    ) -> DomainResult<StatusChange> {
        let now = DbTime(OffsetDateTime::now_utc());
        let comment = comment.map(str::trim).unwrap_or_default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (from, version, _) = resource_state!(tx, id);
            from.check_move(next, Some(comment))?;
            let mut current = version;
            let changed = match next {
                ResourceStatus::Published => {
                    current = version + 1;
                    let snapshot = snapshot_in!(tx, id, current);
                    let (title, summary, body): (String, String, String) = sqlx::query_as("SELECT title, summary, body FROM resources WHERE id = $1")
                        .bind(id).fetch_one(&mut *tx).await.map_err(db_error)?;
                    sqlx::query(
                        "INSERT INTO resource_versions (resource_id, version, title, summary, body, snapshot, published_at, published_by, publisher) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(id).bind(current).bind(&title).bind(&summary).bind(&body).bind(snapshot.to_string()).bind(now)
                    .bind(actor.user_id).bind(&actor.name)
                    .execute(&mut *tx).await.map_err(db_error)?;
                    sqlx::query(
                        "UPDATE resources SET status = 'published', current_version = $1, published_at = $2, retired_at = NULL, updated_at = $2 \
                         WHERE id = $3 AND status = $4",
                    )
                    .bind(current).bind(now).bind(id).bind(from.code())
                    .execute(&mut *tx).await.map_err(db_error)?.rows_affected()
                }
                ResourceStatus::Retired => sqlx::query(
                    "UPDATE resources SET status = 'retired', retired_at = $1, updated_at = $1 WHERE id = $2 AND status = $3",
                )
                .bind(now).bind(id).bind(from.code())
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected(),
                _ => sqlx::query("UPDATE resources SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(next.code()).bind(now).bind(id).bind(from.code())
                    .execute(&mut *tx).await.map_err(db_error)?.rows_affected(),
            };
            if changed != 1 {
                return Err(DomainError::Conflict(
                    "the resource changed meanwhile; reload it and try again".into(),
                ));
            }
            if from.opens_next_version(next) {
                // Same storage keys: the bytes are shared, never copied.
                sqlx::query(
                    "INSERT INTO resource_files (resource_id, version, storage_key, original_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at) \
                     SELECT f.resource_id, $1, f.storage_key, f.original_name, f.content_type, f.size_bytes, f.sha256, f.uploaded_by, f.uploaded_at \
                     FROM resource_files f WHERE f.resource_id = $2 AND f.version = $3 \
                     AND NOT EXISTS (SELECT 1 FROM resource_files n WHERE n.resource_id = $2 AND n.version = $1 AND n.storage_key = f.storage_key)",
                )
                .bind(version + 1).bind(id).bind(version)
                .execute(&mut *tx).await.map_err(db_error)?;
            }
            // The version a move concerns: the one being prepared or published, or the
            // one being retired.
            let concerns = if next == ResourceStatus::Retired {
                version
            } else {
                version + 1
            };
            sqlx::query(
                "INSERT INTO resource_reviews (resource_id, version, from_status, to_status, comment, actor_user_id, actor, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id).bind(concerns).bind(from.code()).bind(next.code()).bind(comment).bind(actor.user_id).bind(&actor.name).bind(now)
            .execute(&mut *tx).await.map_err(db_error)?;
            let before = serde_json::json!({ "status": from.code(), "current_version": version })
                .to_string();
            let after = serde_json::json!({ "status": next.code(), "current_version": current, "comment": comment }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.status_change", "resource")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(StatusChange {
                from,
                to: next,
                current_version: current,
            })
        })
    }

    /// Resources matching `filter`, most recently changed first.
    async fn list_resources(
        &self,
        filter: &ResourceFilter,
        page: Page,
    ) -> DomainResult<Paged<ResourceSummary>> {
        on_pool!(self, |pool| {
            let mut qb =
                QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS}{SUMMARY_FROM} WHERE 1=1"));
            push_resource_filter(&mut qb, filter);
            qb.push(" ORDER BY r.updated_at DESC, r.id DESC");
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM resources r WHERE 1=1");
            push_resource_filter(&mut count, filter);
            let (rows, total) = fetch_page(pool, &mut qb, &mut count, page).await?;
            Ok(paged(page, total, summaries(rows)?))
        })
    }

    /// Resources by id, in the order given (ids that do not exist are left out): the
    /// rows behind full-text search hits.
    async fn resource_summaries(&self, ids: &[i64]) -> DomainResult<Vec<ResourceSummary>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = format!("SELECT {SUMMARY_COLUMNS}{SUMMARY_FROM} WHERE r.id IN (");
        let rows: Vec<SummaryRow> = on_pool!(self, |pool| {
            fetch_in(pool, &select, ids.iter().copied(), "").await?
        });
        let mut found = summaries(rows)?;
        found.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        Ok(found)
    }

    /// One resource with its links, versions, reviews, visible comments, files and usage.
    async fn resource_detail(&self, id: i64) -> DomainResult<ResourceDetail> {
        on_pool!(self, |pool| {
            let row: Option<SummaryRow> = sqlx::query_as(&format!(
                "SELECT {SUMMARY_COLUMNS}{SUMMARY_FROM} WHERE r.id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            let summary = ResourceSummary::try_from(
                row.ok_or(DomainError::NotFound { entity: "resource" })?,
            )?;
            let body: String = sqlx::query_scalar("SELECT body FROM resources WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .map_err(db_error)?;
            let tags: Vec<(i64, String, String, bool)> = sqlx::query_as(
                "SELECT tv.id, tv.kind, tv.value, tv.active FROM resource_tags rt JOIN tag_vocabularies tv ON tv.id = rt.vocabulary_id \
                 WHERE rt.resource_id = $1 ORDER BY tv.kind, tv.value",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let skills: Vec<(String, String, i32)> = sqlx::query_as(
                "SELECT s.code, s.name, rs.level FROM resource_skills rs JOIN skills s ON s.id = rs.skill_id WHERE rs.resource_id = $1 ORDER BY s.code",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let positions: Vec<(String, String)> = sqlx::query_as(
                "SELECT p.code, p.name FROM resource_positions rp JOIN positions p ON p.id = rp.position_id WHERE rp.resource_id = $1 ORDER BY p.code",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let micro: Option<MicroRow> = sqlx::query_as(
                "SELECT m.problem, m.case_text, m.solution, m.need_id, s.code FROM micro_courses m LEFT JOIN skills s ON s.id = m.skill_id WHERE m.resource_id = $1",
            ).bind(id).fetch_optional(pool).await.map_err(db_error)?;
            let versions: Vec<(i32, String, String, DbTime, String)> = sqlx::query_as(
                "SELECT version, title, summary, published_at, publisher FROM resource_versions WHERE resource_id = $1 ORDER BY version DESC",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let reviews: Vec<ReviewRow> = sqlx::query_as(
                "SELECT resource_id, version, from_status, to_status, comment, actor, at FROM resource_reviews WHERE resource_id = $1 ORDER BY at DESC, id DESC",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let comments: Vec<CommentRow> = sqlx::query_as(&format!(
                "{COMMENT_SELECT} WHERE c.resource_id = $1 AND c.status = 'visible' ORDER BY c.created_at DESC, c.id DESC"
            )).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let files: Vec<FileRow> = sqlx::query_as(&format!(
                "SELECT {FILE_COLUMNS} FROM resource_files WHERE resource_id = $1 ORDER BY version DESC, id"
            )).bind(id).fetch_all(pool).await.map_err(db_error)?;
            let (views, completions): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN kind = 'view' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN kind = 'complete' THEN 1 ELSE 0 END), 0) \
                 FROM resource_events WHERE resource_id = $1",
            ).bind(id).fetch_one(pool).await.map_err(db_error)?;
            Ok(ResourceDetail {
                summary,
                body,
                tags: tags
                    .into_iter()
                    .map(|(id, kind, value, active)| {
                        Ok(Tag {
                            id,
                            kind: TagKind::parse(&kind)?,
                            value,
                            active,
                        })
                    })
                    .collect::<DomainResult<_>>()?,
                skills: skills
                    .into_iter()
                    .map(|(code, name, level)| ResourceSkill { code, name, level })
                    .collect(),
                positions: positions
                    .into_iter()
                    .map(|(code, name)| ResourcePosition { code, name })
                    .collect(),
                micro_course: micro.map(|m| MicroCourseParts {
                    problem: m.0,
                    case: m.1,
                    solution: m.2,
                    need_id: m.3,
                    skill_code: m.4,
                }),
                versions: versions
                    .into_iter()
                    .map(|v| VersionEntry {
                        version: v.0,
                        title: v.1,
                        summary: v.2,
                        published_at: v.3.0,
                        published_by: v.4,
                    })
                    .collect(),
                reviews: reviews
                    .into_iter()
                    .map(ReviewEntry::try_from)
                    .collect::<DomainResult<_>>()?,
                comments: comments
                    .into_iter()
                    .map(CommentEntry::try_from)
                    .collect::<DomainResult<_>>()?,
                files: files.into_iter().map(FileEntry::from).collect(),
                views,
                completions,
            })
        })
    }

    /// One published version in full (body and snapshot).
    async fn resource_version(&self, id: i64, version: i32) -> DomainResult<ResourceVersion> {
        on_pool!(self, |pool| {
            let row: Option<(i32, String, String, DbTime, String, String, String)> = sqlx::query_as(
                "SELECT version, title, summary, published_at, publisher, body, snapshot FROM resource_versions WHERE resource_id = $1 AND version = $2",
            ).bind(id).bind(version).fetch_optional(pool).await.map_err(db_error)?;
            let v = row.ok_or(DomainError::NotFound {
                entity: "resource version",
            })?;
            Ok(ResourceVersion {
                resource_id: id,
                entry: VersionEntry {
                    version: v.0,
                    title: v.1,
                    summary: v.2,
                    published_at: v.3.0,
                    published_by: v.4,
                },
                body: v.5,
                snapshot: v.6,
            })
        })
    }

    /// Records `user`'s stars (1–5) for a published resource, replacing an earlier
    /// rating; returns the new mean and count.
    async fn rate(&self, resource_id: i64, user_id: i64, stars: i32) -> DomainResult<(f64, i64)> {
        if !(1..=5).contains(&stars) {
            return Err(DomainError::invalid("stars", "must be 1 to 5"));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (status, _, _) = resource_state!(tx, resource_id);
            if status != ResourceStatus::Published {
                return Err(DomainError::invalid(
                    "resource",
                    "only a published resource can be rated",
                ));
            }
            sqlx::query(
                "INSERT INTO resource_ratings (resource_id, user_id, stars, rated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (resource_id, user_id) DO UPDATE SET stars = excluded.stars, rated_at = excluded.rated_at",
            )
            .bind(resource_id).bind(user_id).bind(stars).bind(now)
            .execute(&mut *tx).await.map_err(db_error)?;
            let (avg, count): (Option<f64>, i64) = sqlx::query_as(
                "SELECT AVG(CAST(stars AS DOUBLE PRECISION)), COUNT(*) FROM resource_ratings WHERE resource_id = $1",
            ).bind(resource_id).fetch_one(&mut *tx).await.map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok((avg.unwrap_or_default(), count))
        })
    }

    /// Adds a learner's comment to a published resource: `pending` until a moderator
    /// looks at it when `moderate_first` (the site's setting), otherwise `visible`.
    async fn add_comment(
        &self,
        resource_id: i64,
        user_id: i64,
        body: &str,
        moderate_first: bool,
    ) -> DomainResult<CommentEntry> {
        let body = body.trim();
        if body.is_empty() {
            return Err(DomainError::invalid("body", "is required"));
        }
        if body.chars().count() > MAX_COMMENT {
            return Err(DomainError::invalid(
                "body",
                format!("is longer than {MAX_COMMENT} characters"),
            ));
        }
        let status = if moderate_first {
            CommentStatus::Pending
        } else {
            CommentStatus::Visible
        };
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (state, _, _) = resource_state!(tx, resource_id);
            if state != ResourceStatus::Published {
                return Err(DomainError::invalid(
                    "resource",
                    "only a published resource takes comments",
                ));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO resource_comments (resource_id, user_id, body, status, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(resource_id).bind(user_id).bind(body).bind(status.code()).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let row: CommentRow = sqlx::query_as(&format!("{COMMENT_SELECT} WHERE c.id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            CommentEntry::try_from(row)
        })
    }

    /// Shows or hides a comment; recorded in the audit log.
    async fn moderate_comment(
        &self,
        comment_id: i64,
        decision: CommentStatus,
        actor: &Actor,
    ) -> DomainResult<()> {
        if decision == CommentStatus::Pending {
            return Err(DomainError::invalid(
                "status",
                "a moderator makes a comment visible or hidden",
            ));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (before, resource_id): (String, i64) = one_or_not_found(
                &mut *tx,
                "SELECT status, resource_id FROM resource_comments WHERE id = $1",
                comment_id,
                "comment",
            )
            .await?;
            sqlx::query("UPDATE resource_comments SET status = $1, moderated_by = $2, moderated_at = $3 WHERE id = $4")
                .bind(decision.code()).bind(actor.user_id).bind(now).bind(comment_id)
                .execute(&mut *tx).await.map_err(db_error)?;
            let before =
                serde_json::json!({ "status": before, "resource_id": resource_id }).to_string();
            let after =
                serde_json::json!({ "status": decision.code(), "resource_id": resource_id })
                    .to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.comment_moderate", "resource_comment")
                    .entity(comment_id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// The moderation queue, oldest first.
    async fn pending_comments(&self, page: Page) -> DomainResult<Paged<CommentEntry>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!(
                "{COMMENT_SELECT} WHERE c.status = 'pending' ORDER BY c.created_at, c.id"
            ));
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM resource_comments WHERE status = 'pending'",
            );
            let (rows, total): (Vec<CommentRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows.into_iter().map(CommentEntry::try_from);
            Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
        })
    }

    /// Records that a published resource was opened or finished at `at` (the learning
    /// record's time, which may lie in the past when records are imported).
    async fn record_event(
        &self,
        resource_id: i64,
        user_id: Option<i64>,
        kind: EventKind,
        at: OffsetDateTime,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (status, version, _) = resource_state!(tx, resource_id);
            if status != ResourceStatus::Published {
                return Err(DomainError::invalid(
                    "resource",
                    "usage is recorded for published resources only",
                ));
            }
            sqlx::query("INSERT INTO resource_events (resource_id, version, user_id, kind, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(resource_id).bind(version).bind(user_id).bind(kind.code()).bind(DbTime(at))
                .execute(&mut *tx).await.map_err(db_error)?;
            tx.commit().await.map_err(db_error)
        })
    }

    /// Records many usage events at once (imported learning records, the demo), each
    /// against the resource's current version, in one transaction with multi-row
    /// inserts. Every resource must be published; nothing is written otherwise.
    async fn record_events(&self, events: &[UsageEvent]) -> DomainResult<usize> {
        if events.is_empty() {
            return Ok(0);
        }
        let mut ids: Vec<i64> = events.iter().map(|e| e.resource_id).collect();
        ids.sort_unstable();
        ids.dedup();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut versions: HashMap<i64, i32> = HashMap::new();
            for chunk in ids.chunks(500) {
                let mut qb = QueryBuilder::new(
                    "SELECT id, status, current_version FROM resources WHERE id IN (",
                );
                push_in_list(&mut qb, chunk.iter().copied());
                let rows: Vec<(i64, String, i32)> = fetch_rows(&mut *tx, &mut qb).await?;
                for (id, status, version) in rows {
                    if ResourceStatus::parse(&status)? != ResourceStatus::Published {
                        return Err(DomainError::invalid(
                            "resource",
                            format!(
                                "usage is recorded for published resources only (resource {id} is {status})"
                            ),
                        ));
                    }
                    versions.insert(id, version);
                }
            }
            if let Some(missing) = ids.iter().find(|id| !versions.contains_key(id)) {
                return Err(DomainError::invalid(
                    "resource",
                    format!("no resource has the id {missing}"),
                ));
            }
            // Five binds a row; well under the smallest bind limit (SQLite's 32,766).
            for chunk in events.chunks(1_000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO resource_events (resource_id, version, user_id, kind, at) ",
                );
                qb.push_values(chunk, |mut row, e| {
                    row.push_bind(e.resource_id)
                        .push_bind(versions[&e.resource_id])
                        .push_bind(e.user_id)
                        .push_bind(e.kind.code())
                        .push_bind(DbTime(e.at));
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            tx.commit().await.map_err(db_error)?;
            Ok(events.len())
        })
    }

    /// Dates a resource's history back, for records migrated from an older system and
    /// for the demo: it was created at `created_at` and, when published, its current
    /// version (and the review moves leading to it) at `published_at`. Recorded in the
    /// audit log.
    async fn backdate_resource(
        &self,
        id: i64,
        created_at: OffsetDateTime,
        published_at: Option<OffsetDateTime>,
        actor: &Actor,
    ) -> DomainResult<()> {
        if published_at.is_some_and(|p| p < created_at) {
            return Err(DomainError::invalid(
                "published_at",
                "cannot lie before the resource was created",
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (status, version, _) = resource_state!(tx, id);
            if published_at.is_some() && version == 0 {
                return Err(DomainError::invalid(
                    "published_at",
                    format!("a {} resource has never been published", status.code()),
                ));
            }
            sqlx::query("UPDATE resources SET created_at = $1 WHERE id = $2")
                .bind(DbTime(created_at))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if let Some(published) = published_at {
                sqlx::query("UPDATE resources SET published_at = $1 WHERE id = $2 AND published_at IS NOT NULL")
                    .bind(DbTime(published)).bind(id).execute(&mut *tx).await.map_err(db_error)?;
                sqlx::query("UPDATE resource_versions SET published_at = $1 WHERE resource_id = $2 AND version = $3")
                    .bind(DbTime(published)).bind(id).bind(version).execute(&mut *tx).await.map_err(db_error)?;
                sqlx::query("UPDATE resource_reviews SET at = $1 WHERE resource_id = $2 AND version = $3 AND to_status IN ('in_review', 'published')")
                    .bind(DbTime(published)).bind(id).bind(version).execute(&mut *tx).await.map_err(db_error)?;
            }
            let after = serde_json::json!({ "created_at": DbTime(created_at).0.to_string(), "published_at": published_at.map(|p| p.to_string()) }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.resource_backdate", "resource")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }
    /// Records a file stored in the file store as part of the version being prepared
    /// (the resource must be a draft or under review).
    async fn attach_file(
        &self,
        resource_id: i64,
        stored: &StoredFile,
        original_name: &str,
        actor: &Actor,
    ) -> DomainResult<FileEntry> {
        let now = DbTime(OffsetDateTime::now_utc());
        let name = clean_file_name(original_name);
        let size =
            i64::try_from(stored.size).map_err(|_| DomainError::invalid("file", "is too large"))?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (status, version, _) = resource_state!(tx, resource_id);
            ensure_files_editable(status)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO resource_files (resource_id, version, storage_key, original_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(resource_id).bind(version + 1).bind(stored.key.as_str()).bind(&name).bind(stored.content_type)
            .bind(size).bind(&stored.sha256).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            sqlx::query("UPDATE resources SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(resource_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let after = serde_json::json!({ "resource_id": resource_id, "version": version + 1, "name": name, "key": stored.key.as_str(),
                "content_type": stored.content_type, "size": size, "sha256": stored.sha256 }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.file_attach", "resource_file")
                    .entity(id)
                    .change(None, Some(after))
            );
            let row: FileRow = sqlx::query_as(&format!(
                "SELECT {FILE_COLUMNS} FROM resource_files WHERE id = $1"
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok(FileEntry::from(row))
        })
    }

    /// Checks, stores and records an upload held in memory (`max_bytes` is the site's
    /// limit). When recording fails the stored bytes are removed again.
    async fn upload_resource_file(
        &self,
        files: &FileStore,
        resource_id: i64,
        original_name: &str,
        bytes: Bytes,
        max_bytes: u64,
        actor: &Actor,
    ) -> DomainResult<FileEntry> {
        let folder = self.file_folder(resource_id).await?;
        let stored = files.upload_bytes(&folder, bytes, max_bytes).await?;
        match self
            .attach_file(resource_id, &stored, original_name, actor)
            .await
        {
            Ok(entry) => Ok(entry),
            Err(error) => {
                if let Err(cleanup) = files.delete(&stored.key).await {
                    tracing::warn!(error = %cleanup, key = %stored.key, "an orphaned upload could not be removed");
                }
                Err(error)
            }
        }
    }

    /// The folder new files of a resource go to: `resources/{id}/{version being prepared}`.
    /// Refused unless the resource is a draft or under review.
    async fn file_folder(&self, resource_id: i64) -> DomainResult<FileKey> {
        let (status, version): (String, i32) = on_pool!(self, |pool| {
            let sql = "SELECT status, current_version FROM resources WHERE id = $1";
            one_or_not_found(pool, sql, resource_id, "resource").await?
        });
        ensure_files_editable(ResourceStatus::parse(&status)?)?;
        Ok(FileKey::resource_version(resource_id, version + 1))
    }

    /// One file's record (to serve it).
    async fn resource_file(&self, file_id: i64) -> DomainResult<FileEntry> {
        on_pool!(self, |pool| {
            let row: Option<FileRow> = sqlx::query_as(&format!(
                "SELECT {FILE_COLUMNS} FROM resource_files WHERE id = $1"
            ))
            .bind(file_id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(FileEntry::from(
                row.ok_or(DomainError::NotFound { entity: "file" })?,
            ))
        })
    }

    /// Removes a file from the version being prepared; files of published versions
    /// stay. Returns the storage key when no version refers to it any more (the caller
    /// then deletes the bytes; see [`Self::delete_resource_file`]).
    async fn remove_file(&self, file_id: i64, actor: &Actor) -> DomainResult<Option<FileKey>> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let file: FileRow = one_or_not_found(
                &mut *tx,
                &format!("SELECT {FILE_COLUMNS} FROM resource_files WHERE id = $1"),
                file_id,
                "file",
            )
            .await?;
            let (status, version, _) = resource_state!(tx, file.resource_id);
            if !status.is_editable() || file.version != version + 1 {
                return Err(DomainError::invalid(
                    "file",
                    format!(
                        "belongs to published version {}; the files of a published version are kept",
                        file.version
                    ),
                ));
            }
            sqlx::query("DELETE FROM resource_files WHERE id = $1")
                .bind(file_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            sqlx::query("UPDATE resources SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(file.resource_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let still_used: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM resource_files WHERE storage_key = $1")
                    .bind(&file.storage_key)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let before = serde_json::json!({ "resource_id": file.resource_id, "version": file.version, "name": file.original_name, "key": file.storage_key }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.file_remove", "resource_file")
                    .entity(file_id)
                    .change(Some(before), None)
            );
            tx.commit().await.map_err(db_error)?;
            if still_used > 0 {
                Ok(None)
            } else {
                Ok(Some(FileKey::parse(&file.storage_key)?))
            }
        })
    }

    /// [`Self::remove_file`], then deletes the bytes when nothing refers to them.
    async fn delete_resource_file(
        &self,
        files: &FileStore,
        file_id: i64,
        actor: &Actor,
    ) -> DomainResult<()> {
        if let Some(key) = self.remove_file(file_id, actor).await? {
            files.delete(&key).await?;
        }
        Ok(())
    }
    /// Vocabulary entries (of one kind, or all), with how many resources carry each.
    async fn list_tags(
        &self,
        kind: Option<TagKind>,
        include_inactive: bool,
    ) -> DomainResult<Vec<TagEntry>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT tv.id, tv.kind, tv.value, tv.active, (SELECT COUNT(*) FROM resource_tags rt WHERE rt.vocabulary_id = tv.id) AS uses \
                 FROM tag_vocabularies tv WHERE 1=1",
            );
            if let Some(kind) = kind {
                qb.push(" AND tv.kind = ")
                    .push_bind(kind.code().to_string());
            }
            if !include_inactive {
                qb.push(" AND tv.active = ").push_bind(true);
            }
            qb.push(" ORDER BY tv.kind, tv.value");
            let rows: Vec<(i64, String, String, bool, i64)> = fetch_rows(pool, &mut qb).await?;
            rows.into_iter()
                .map(|(id, kind, value, active, uses)| {
                    Ok(TagEntry {
                        tag: Tag {
                            id,
                            kind: TagKind::parse(&kind)?,
                            value,
                            active,
                        },
                        uses,
                    })
                })
                .collect()
        })
    }

    /// Adds a vocabulary entry.
    async fn create_tag(&self, kind: TagKind, value: &str, actor: &Actor) -> DomainResult<i64> {
        let value = value.trim();
        validate_tag_value(value)?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_tag_free(&mut *tx, kind.code(), value, None).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO tag_vocabularies (kind, value, active, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(kind.code()).bind(value).bind(true).bind(now).fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "kind": kind.code(), "value": value, "active": true })
                .to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.tag_create", "tag")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Renames and/or (de)activates an entry. The resources carrying it count as changed
    /// (their `updated_at` moves) so the search index picks up the new value.
    async fn update_tag(
        &self,
        id: i64,
        value: &str,
        active: bool,
        actor: &Actor,
    ) -> DomainResult<()> {
        let value = value.trim();
        validate_tag_value(value)?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (kind, old_value, old_active): (String, String, bool) =
                one_or_not_found(&mut *tx, TAG_STATE, id, "tag").await?;
            ensure_tag_free(&mut *tx, &kind, value, Some(id)).await?;
            sqlx::query("UPDATE tag_vocabularies SET value = $1, active = $2 WHERE id = $3")
                .bind(value)
                .bind(active)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if old_value != value {
                sqlx::query("UPDATE resources SET updated_at = $1 WHERE id IN (SELECT resource_id FROM resource_tags WHERE vocabulary_id = $2)")
                    .bind(now).bind(id).execute(&mut *tx).await.map_err(db_error)?;
            }
            let before =
                serde_json::json!({ "kind": kind, "value": old_value, "active": old_active })
                    .to_string();
            let after =
                serde_json::json!({ "kind": kind, "value": value, "active": active }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.tag_change", "tag")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Deletes an unused entry; one in use is deactivated instead (resources keep it,
    /// new ones cannot pick it).
    async fn remove_tag(&self, id: i64, actor: &Actor) -> DomainResult<TagRemoval> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (kind, value, active): (String, String, bool) =
                one_or_not_found(&mut *tx, TAG_STATE, id, "tag").await?;
            let uses: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM resource_tags WHERE vocabulary_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let outcome = if uses > 0 {
                sqlx::query("UPDATE tag_vocabularies SET active = $1 WHERE id = $2")
                    .bind(false)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                TagRemoval::Deactivated { uses }
            } else {
                sqlx::query("DELETE FROM tag_vocabularies WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                TagRemoval::Deleted
            };
            let before =
                serde_json::json!({ "kind": kind, "value": value, "active": active }).to_string();
            let after = match outcome {
                TagRemoval::Deleted => None,
                TagRemoval::Deactivated { uses } => Some(serde_json::json!({ "kind": kind, "value": value, "active": false, "uses": uses }).to_string()),
            };
            append_in!(
                tx,
                &actor
                    .entry("library.tag_remove", "tag")
                    .entity(id)
                    .change(Some(before), after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(outcome)
        })
    }
    /// Adds a scenario pack with its resources in order.
    async fn create_pack(&self, input: &ScenarioPackInput, actor: &Actor) -> DomainResult<i64> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let code = input.code.trim();
            ensure_code_free(&mut *tx, PACK_BY_CODE, code, None, " by another pack").await?;
            let items = pack_items_in!(tx, input);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO scenario_packs (code, name, scenario_step, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(input.code.trim()).bind(input.name.trim()).bind(input.scenario_step.trim()).bind(input.description.trim()).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            for (i, resource) in items.iter().enumerate() {
                sqlx::query("INSERT INTO scenario_pack_items (pack_id, resource_id, position) VALUES ($1, $2, $3)")
                    .bind(id).bind(resource).bind(i as i32 + 1).execute(&mut *tx).await.map_err(db_error)?;
            }
            let after = serde_json::json!({ "code": input.code.trim(), "name": input.name.trim(), "scenario_step": input.scenario_step.trim(), "resources": input.resources }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.pack_create", "scenario_pack")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Changes a pack; its items are replaced by the input's, in the input's order.
    async fn update_pack(
        &self,
        id: i64,
        input: &ScenarioPackInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: (String, String, String) = one_or_not_found(
                &mut *tx,
                "SELECT code, name, scenario_step FROM scenario_packs WHERE id = $1",
                id,
                "scenario pack",
            )
            .await?;
            let code = input.code.trim();
            ensure_code_free(&mut *tx, PACK_BY_CODE, code, Some(id), " by another pack").await?;
            let items = pack_items_in!(tx, input);
            let old_items: Vec<String> = sqlx::query_scalar(
                "SELECT r.code FROM scenario_pack_items i JOIN resources r ON r.id = i.resource_id WHERE i.pack_id = $1 ORDER BY i.position",
            ).bind(id).fetch_all(&mut *tx).await.map_err(db_error)?;
            sqlx::query("UPDATE scenario_packs SET code = $1, name = $2, scenario_step = $3, description = $4, updated_at = $5 WHERE id = $6")
                .bind(input.code.trim()).bind(input.name.trim()).bind(input.scenario_step.trim()).bind(input.description.trim()).bind(now).bind(id)
                .execute(&mut *tx).await.map_err(db_error)?;
            sqlx::query("DELETE FROM scenario_pack_items WHERE pack_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            for (i, resource) in items.iter().enumerate() {
                sqlx::query("INSERT INTO scenario_pack_items (pack_id, resource_id, position) VALUES ($1, $2, $3)")
                    .bind(id).bind(resource).bind(i as i32 + 1).execute(&mut *tx).await.map_err(db_error)?;
            }
            let before = serde_json::json!({ "code": before.0, "name": before.1, "scenario_step": before.2, "resources": old_items }).to_string();
            let after = serde_json::json!({ "code": input.code.trim(), "name": input.name.trim(), "scenario_step": input.scenario_step.trim(), "resources": input.resources }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.pack_change", "scenario_pack")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Deletes a pack (its resources stay in the library).
    async fn delete_pack(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: (String, String) = one_or_not_found(
                &mut *tx,
                "SELECT code, name FROM scenario_packs WHERE id = $1",
                id,
                "scenario pack",
            )
            .await?;
            sqlx::query("DELETE FROM scenario_pack_items WHERE pack_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            sqlx::query("DELETE FROM scenario_packs WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let before = serde_json::json!({ "code": before.0, "name": before.1 }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("library.pack_delete", "scenario_pack")
                    .entity(id)
                    .change(Some(before), None)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Every scenario pack with its items, by code.
    async fn list_packs(&self) -> DomainResult<Vec<ScenarioPack>> {
        self.packs(None).await
    }

    /// The packs resource `resource_id` is in, by code.
    async fn packs_with_resource(&self, resource_id: i64) -> DomainResult<Vec<PackRef>> {
        let rows: Vec<(i64, String, String, i32)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.code, p.name, i.position FROM scenario_pack_items i JOIN scenario_packs p ON p.id = i.pack_id \
                 WHERE i.resource_id = $1 ORDER BY p.code",
            ).bind(resource_id).fetch_all(pool).await.map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(|(id, code, name, position)| PackRef {
                id,
                code,
                name,
                position,
            })
            .collect())
    }

    /// One scenario pack with its items in order.
    async fn pack(&self, id: i64) -> DomainResult<ScenarioPack> {
        self.packs(Some(id))
            .await?
            .pop()
            .ok_or(DomainError::NotFound {
                entity: "scenario pack",
            })
    }
    /// An author's micro-courses with views, completions, ratings and reviewers' comments.
    async fn author_stats(&self, user_id: i64) -> DomainResult<Vec<AuthorCourseStats>> {
        let (rows, usage, reviews): (Vec<SummaryRow>, Vec<UsageRow>, Vec<ReviewRow>) = on_pool!(
            self,
            |pool| {
                let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
                "SELECT {SUMMARY_COLUMNS}{SUMMARY_FROM} WHERE r.kind = 'micro_course' AND r.owner_user_id = $1 ORDER BY r.updated_at DESC, r.id DESC"
            )).bind(user_id).fetch_all(pool).await.map_err(db_error)?;
                let usage: Vec<UsageRow> = sqlx::query_as(
                "SELECT e.resource_id, SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END), SUM(CASE WHEN e.kind = 'complete' THEN 1 ELSE 0 END) \
                 FROM resource_events e JOIN resources r ON r.id = e.resource_id \
                 WHERE r.kind = 'micro_course' AND r.owner_user_id = $1 GROUP BY e.resource_id",
            ).bind(user_id).fetch_all(pool).await.map_err(db_error)?;
                let reviews: Vec<ReviewRow> = sqlx::query_as(
                "SELECT v.resource_id, v.version, v.from_status, v.to_status, v.comment, v.actor, v.at \
                 FROM resource_reviews v JOIN resources r ON r.id = v.resource_id \
                 WHERE r.kind = 'micro_course' AND r.owner_user_id = $1 AND v.comment <> '' ORDER BY v.at DESC, v.id DESC",
            ).bind(user_id).fetch_all(pool).await.map_err(db_error)?;
                (rows, usage, reviews)
            }
        );
        let usage: HashMap<i64, (i64, i64)> =
            usage.into_iter().map(|(id, v, c)| (id, (v, c))).collect();
        let mut by_resource: HashMap<i64, Vec<ReviewEntry>> = HashMap::new();
        for r in reviews {
            by_resource
                .entry(r.resource_id)
                .or_default()
                .push(ReviewEntry::try_from(r)?);
        }
        summaries(rows)?
            .into_iter()
            .map(|resource| {
                let (views, completions) = usage.get(&resource.id).copied().unwrap_or_default();
                Ok(AuthorCourseStats {
                    reviews: by_resource.remove(&resource.id).unwrap_or_default(),
                    resource,
                    views,
                    completions,
                })
            })
            .collect()
    }

    /// Published resources whose views plus completions stayed below `threshold` in
    /// every one of the last `months` calendar months before `as_of`, with a suggested
    /// action ([`LifecycleAction::suggest`]). Only resources whose current version was
    /// published before the window began are judged: a new version gets a fresh
    /// window. Computed in SQL over the events of the window.
    async fn lifecycle_report(
        &self,
        months: u32,
        threshold: i64,
        as_of: OffsetDateTime,
    ) -> DomainResult<Vec<LifecycleRow>> {
        let query = LifecycleQuery {
            months,
            threshold,
            as_of,
        };
        query.validate()?;
        let windows = query.windows();
        let start = DbTime(query.window_start());
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<DbTime>,
            i64,
            i64,
            i64,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new("WITH months (idx, start_at, end_at) AS (VALUES ");
            for (i, (from, to)) in windows.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                qb.push("(")
                    .push_bind(i as i32 + 1)
                    .push(", ")
                    .push_bind(DbTime(*from))
                    .push(", ")
                    .push_bind(DbTime(*to))
                    .push(")");
            }
            qb.push(
                "), usage AS ( \
                   SELECT e.resource_id, m.idx, \
                          SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END) AS views, \
                          SUM(CASE WHEN e.kind = 'complete' THEN 1 ELSE 0 END) AS completions \
                   FROM resource_events e JOIN months m ON e.at >= m.start_at AND e.at < m.end_at \
                   WHERE e.at >= ",
            );
            qb.push_bind(start)
                .push(" AND e.at < ")
                .push_bind(DbTime(as_of));
            qb.push(
                " GROUP BY e.resource_id, m.idx), \
                 per AS ( \
                   SELECT resource_id, CAST(SUM(views) AS BIGINT) AS views, CAST(SUM(completions) AS BIGINT) AS completions, \
                          CAST(MAX(views + completions) AS BIGINT) AS peak \
                   FROM usage GROUP BY resource_id) \
                 SELECT r.id, r.code, r.title, r.kind, r.tier, u.username, r.published_at, \
                        COALESCE(p.views, 0), COALESCE(p.completions, 0), COALESCE(p.peak, 0), \
                        (SELECT o.code FROM resource_skills rs \
                           JOIN resource_skills os ON os.skill_id = rs.skill_id AND os.resource_id <> rs.resource_id \
                           JOIN resources o ON o.id = os.resource_id JOIN per op ON op.resource_id = o.id \
                         WHERE rs.resource_id = r.id AND o.status = 'published' AND o.kind = r.kind AND op.peak >= ",
            );
            qb.push_bind(threshold);
            qb.push(
                " ORDER BY op.views + op.completions DESC, o.code LIMIT 1) \
                 FROM resources r LEFT JOIN users u ON u.id = r.owner_user_id LEFT JOIN per p ON p.resource_id = r.id \
                 WHERE r.status = 'published' AND r.published_at <= ",
            );
            qb.push_bind(start)
                .push(" AND COALESCE(p.peak, 0) < ")
                .push_bind(threshold);
            qb.push(" ORDER BY COALESCE(p.views, 0) + COALESCE(p.completions, 0), r.code");
            fetch_rows(pool, &mut qb).await?
        });
        rows.into_iter()
            .map(
                |(
                    id,
                    code,
                    title,
                    kind,
                    tier,
                    owner,
                    published_at,
                    views,
                    completions,
                    peak,
                    merge_into,
                )| {
                    Ok(LifecycleRow {
                        resource_id: id,
                        code,
                        title,
                        kind: ResourceKind::parse(&kind)?,
                        tier: Tier::parse(&tier)?,
                        owner,
                        published_at: published_at.map(|t| t.0),
                        views,
                        completions,
                        peak_month: peak,
                        action: LifecycleAction::suggest(views, completions, merge_into.as_deref()),
                        merge_into,
                    })
                },
            )
            .collect()
    }

    /// Skills no published resource develops to the level positions and tasks require
    /// (all skills nobody covers, most people affected first), and position tasks with
    /// such a skill; a task requiring no recorded skill is a gap when no published
    /// resource is meant for its position.
    async fn supply_gaps(&self) -> DomainResult<SupplyGaps> {
        const SUPPLY: &str = "supply AS (SELECT rs.skill_id, MAX(rs.level) AS covered_level FROM resource_skills rs \
            JOIN resources r ON r.id = rs.resource_id WHERE r.status = 'published' GROUP BY rs.skill_id)";
        type SkillRow = (String, String, Option<i32>, Option<i32>, i64, i64);
        type TaskRow = (
            i64,
            String,
            String,
            String,
            String,
            String,
            i32,
            Option<i32>,
        );
        type BareTask = (i64, String, String, String, String);
        let (skills, tasks, bare): (Vec<SkillRow>, Vec<TaskRow>, Vec<BareTask>) = on_pool!(
            self,
            |pool| {
                let skills: Vec<SkillRow> = sqlx::query_as(&format!(
                "WITH demand AS (SELECT skill_id, MAX(required_level) AS required_level FROM \
                   (SELECT skill_id, required_level FROM position_skills UNION ALL SELECT skill_id, required_level FROM task_skills) d \
                   GROUP BY skill_id), {SUPPLY}, \
                 holders AS (SELECT ps.skill_id, COUNT(DISTINCT ps.position_id) AS positions, COUNT(e.id) AS people \
                   FROM position_skills ps LEFT JOIN employees e ON e.position_id = ps.position_id AND e.status <> 'left' GROUP BY ps.skill_id) \
                 SELECT s.code, s.name, d.required_level, sp.covered_level, COALESCE(h.positions, 0), COALESCE(h.people, 0) \
                 FROM skills s LEFT JOIN demand d ON d.skill_id = s.id LEFT JOIN supply sp ON sp.skill_id = s.id LEFT JOIN holders h ON h.skill_id = s.id \
                 WHERE sp.covered_level IS NULL OR sp.covered_level < d.required_level \
                 ORDER BY COALESCE(h.people, 0) DESC, COALESCE(h.positions, 0) DESC, s.code"
            )).fetch_all(pool).await.map_err(db_error)?;
                let tasks: Vec<TaskRow> = sqlx::query_as(&format!(
                "WITH {SUPPLY} \
                 SELECT pt.id, pt.code, pt.name, p.code, p.name, s.code, ts.required_level, sp.covered_level \
                 FROM task_skills ts JOIN position_tasks pt ON pt.id = ts.task_id JOIN positions p ON p.id = pt.position_id \
                 JOIN skills s ON s.id = ts.skill_id LEFT JOIN supply sp ON sp.skill_id = ts.skill_id \
                 WHERE sp.covered_level IS NULL OR sp.covered_level < ts.required_level \
                 ORDER BY p.code, pt.process_step, pt.code, s.code"
            )).fetch_all(pool).await.map_err(db_error)?;
                let bare: Vec<BareTask> = sqlx::query_as(
                "SELECT pt.id, pt.code, pt.name, p.code, p.name FROM position_tasks pt JOIN positions p ON p.id = pt.position_id \
                 WHERE NOT EXISTS (SELECT 1 FROM task_skills ts WHERE ts.task_id = pt.id) \
                 AND NOT EXISTS (SELECT 1 FROM resource_positions rp JOIN resources r ON r.id = rp.resource_id \
                                 WHERE rp.position_id = pt.position_id AND r.status = 'published') \
                 ORDER BY p.code, pt.process_step, pt.code",
            ).fetch_all(pool).await.map_err(db_error)?;
                (skills, tasks, bare)
            }
        );
        let mut gaps = SupplyGaps {
            skills: skills
                .into_iter()
                .map(
                    |(skill_code, skill_name, required_level, covered_level, positions, people)| {
                        SkillSupplyGap {
                            skill_code,
                            skill_name,
                            required_level,
                            covered_level,
                            positions,
                            people,
                        }
                    },
                )
                .collect(),
            tasks: Vec::new(),
        };
        for (
            task_id,
            task_code,
            task_name,
            position_code,
            position_name,
            skill_code,
            required_level,
            covered_level,
        ) in tasks
        {
            let missing = MissingSkill {
                skill_code,
                required_level,
                covered_level,
            };
            match gaps.tasks.last_mut() {
                Some(last) if last.task_id == task_id => last.missing.push(missing),
                _ => gaps.tasks.push(TaskSupplyGap {
                    task_id,
                    task_code,
                    task_name,
                    position_code,
                    position_name,
                    missing: vec![missing],
                }),
            }
        }
        gaps.tasks.extend(bare.into_iter().map(
            |(task_id, task_code, task_name, position_code, position_name)| TaskSupplyGap {
                task_id,
                task_code,
                task_name,
                position_code,
                position_name,
                missing: Vec::new(),
            },
        ));
        Ok(gaps)
    }

    /// Documents for the search index, in id order after `after_id` (keyset paging:
    /// pass the last id of one batch to get the next), at most `limit` (1–1000) per
    /// call; with `changed_since`, only resources changed at or after that time.
    async fn resources_for_index(
        &self,
        after_id: i64,
        limit: i64,
        changed_since: Option<OffsetDateTime>,
    ) -> DomainResult<Vec<IndexDocument>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            code: String,
            title: String,
            summary: String,
            body: String,
            kind: String,
            tier: String,
            status: String,
            origin: String,
            updated_at: DbTime,
            problem: Option<String>,
            case_text: Option<String>,
            solution: Option<String>,
        }
        let limit = limit.clamp(1, 1000);
        let (rows, tags, skills, positions): (
            Vec<Row>,
            Vec<TagLink>,
            Vec<CodeLink>,
            Vec<CodeLink>,
        ) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT r.id, r.code, r.title, r.summary, r.body, r.kind, r.tier, r.status, r.origin, r.updated_at, \
                 m.problem, m.case_text, m.solution FROM resources r LEFT JOIN micro_courses m ON m.resource_id = r.id WHERE r.id > ",
            );
            qb.push_bind(after_id);
            if let Some(since) = changed_since {
                qb.push(" AND r.updated_at >= ").push_bind(DbTime(since));
            }
            qb.push(" ORDER BY r.id LIMIT ").push_bind(limit);
            let rows: Vec<Row> = fetch_rows(pool, &mut qb).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let tags = fetch_in(
                pool,
                "SELECT rt.resource_id, tv.kind, tv.value FROM resource_tags rt JOIN tag_vocabularies tv ON tv.id = rt.vocabulary_id WHERE rt.resource_id IN (",
                ids.iter().copied(),
                " ORDER BY tv.kind, tv.value",
            )
            .await?;
            let skills = fetch_in(
                pool,
                "SELECT rs.resource_id, s.code FROM resource_skills rs JOIN skills s ON s.id = rs.skill_id WHERE rs.resource_id IN (",
                ids.iter().copied(),
                " ORDER BY s.code",
            )
            .await?;
            let positions = fetch_in(
                pool,
                "SELECT rp.resource_id, p.code FROM resource_positions rp JOIN positions p ON p.id = rp.position_id WHERE rp.resource_id IN (",
                ids.iter().copied(),
                " ORDER BY p.code",
            )
            .await?;
            (rows, tags, skills, positions)
        });
        let mut tag_map: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, kind, value) in tags {
            tag_map
                .entry(id)
                .or_default()
                .push(format!("{kind}:{value}"));
        }
        let mut skill_map: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in skills {
            skill_map.entry(id).or_default().push(code);
        }
        let mut position_map: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in positions {
            position_map.entry(id).or_default().push(code);
        }
        rows.into_iter()
            .map(|row| {
                let body = [Some(row.body), row.problem, row.case_text, row.solution]
                    .into_iter()
                    .flatten()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                Ok(IndexDocument {
                    id: row.id,
                    code: row.code,
                    title: row.title,
                    summary: row.summary,
                    body,
                    kind: ResourceKind::parse(&row.kind)?,
                    tier: Tier::parse(&row.tier)?,
                    status: ResourceStatus::parse(&row.status)?,
                    origin: Origin::parse(&row.origin)?,
                    tags: tag_map.remove(&row.id).unwrap_or_default(),
                    skills: skill_map.remove(&row.id).unwrap_or_default(),
                    positions: position_map.remove(&row.id).unwrap_or_default(),
                    updated_at: row.updated_at.0,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_metadata_only() {
        use super::clean_file_name;
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\Users\\张三\\安全规程.pdf"),
            "安全规程.pdf"
        );
        assert_eq!(clean_file_name("a\u{0}b\n.pdf"), "ab.pdf");
        assert_eq!(clean_file_name("dir/"), "file");
        assert_eq!(clean_file_name(".."), "file");
    }
}
