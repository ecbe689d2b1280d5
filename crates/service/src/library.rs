//! The resource library's rules shared by the pages and the JSON API: who sees what,
//! who may move a resource through review, and the list (where search plugs in).

use crate::Context;
use crate::access::require;
use domain::audit::Actor;
use domain::library::{
    AuthorCourseStats, CommentEntry, CommentStatus, EventKind, FileEntry, LifecycleRow,
    MicroCourseInput, PackRef, ResourceDetail, ResourceFilter, ResourceInput, ResourceKind,
    ResourceStatus, ResourceSummary, ResourceVersion, ReviewEntry, ScenarioPack, ScenarioPackInput,
    StatusChange, SupplyGaps, TagEntry, TagKind, TagRemoval, VersionSnapshot,
};
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
use std::collections::HashMap;
use std::sync::Arc;
use store::prelude::*;
use time::OffsetDateTime;

/// Sees every resource whatever its status: reviewers and library managers.
pub fn is_staff(p: &Principal) -> bool {
    p.can(Permission::ReviewResources) || p.can(Permission::ManageLibrary)
}

/// Whether `p` owns (authored) the resource.
pub fn is_owner(p: &Principal, r: &ResourceSummary) -> bool {
    r.owner_user_id == Some(p.user_id)
}

/// Published resources are for everyone signed in; the others for their author,
/// reviewers and library managers only.
pub fn can_see(p: &Principal, r: &ResourceSummary) -> bool {
    r.status == ResourceStatus::Published || is_staff(p) || is_owner(p, r)
}

/// Content changes (texts, links, files): the author and library managers, and a
/// reviewer correcting what is under review. The store refuses published ones.
pub fn can_edit(p: &Principal, r: &ResourceSummary) -> bool {
    (is_owner(p, r) && p.can(Permission::AuthorResources))
        || p.can(Permission::ManageLibrary)
        || (p.can(Permission::ReviewResources) && r.status == ResourceStatus::InReview)
}

/// Whether `p` may make the move `r.status → next`; the workflow itself is checked
/// by the store. Approving needs a reviewer other than the author (four eyes).
pub fn can_move(p: &Principal, r: &ResourceSummary, next: ResourceStatus) -> bool {
    use ResourceStatus::*;
    let owner = is_owner(p, r);
    let reviewer = p.can(Permission::ReviewResources);
    let manager = p.can(Permission::ManageLibrary);
    match (r.status, next) {
        // Submitting (a first or a next version) and reopening: the author or a manager.
        (Draft, InReview) | (Published, InReview) | (Retired, Draft) => owner || manager,
        // Sending back: a reviewer, or the author withdrawing it.
        (InReview, Draft) => reviewer || owner,
        (InReview, Published) => reviewer && !owner,
        (Published, Retired) => reviewer || manager,
        _ => false,
    }
}

/// The moves `p` may make on `r` now.
pub fn allowed_moves(p: &Principal, r: &ResourceSummary) -> Vec<ResourceStatus> {
    r.status
        .next_statuses()
        .into_iter()
        .filter(|next| can_move(p, r, *next))
        .collect()
}

/// Narrows a filter to what `p` may list: learners see published resources; an
/// author asking for another status sees their own; staff see everything.
pub fn visible_filter(p: &Principal, mut filter: ResourceFilter) -> ResourceFilter {
    if is_staff(p) {
        return filter;
    }
    match filter.status {
        Some(ResourceStatus::Published) => {}
        Some(_) if p.can(Permission::AuthorResources) => filter.owner_user_id = Some(p.user_id),
        _ => filter.status = Some(ResourceStatus::Published),
    }
    filter
}

/// A search hit's highlighted title and snippet (HTML: escaped, with `<mark>`).
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    pub title_html: String,
    pub snippet_html: String,
}

/// The library list for `caller`: with free text, the full-text index ranks the
/// resources (Chinese and English) and the rows are loaded in that order with their
/// highlights; without, the store lists them newest first.
pub async fn search_or_list(
    ctx: &Context,
    caller: &Principal,
    filter: ResourceFilter,
    page: Page,
) -> DomainResult<(Paged<ResourceSummary>, HashMap<i64, Highlight>)> {
    let filter = visible_filter(caller, filter);
    // A tag given by id cannot be matched in the index, which stores `kind:value`.
    let by_tag_id = matches!(filter.tag, Some(domain::library::TagRef::Id(_)));
    let Some(text) = filter
        .q
        .clone()
        .filter(|q| !q.trim().is_empty() && !by_tag_id)
    else {
        return Ok((
            ctx.store.list_resources(&filter, page).await?,
            HashMap::new(),
        ));
    };
    let query = search::Query {
        text,
        kind: filter.kind.map(|k| k.code().to_string()),
        tier: filter.tier.map(|t| t.code().to_string()),
        status: filter.status.map(|s| s.code().to_string()),
        origin: filter.origin.map(|o| o.code().to_string()),
        tags: filter.tag.iter().filter_map(tag_text).collect(),
        skill: filter.skill.clone(),
        include_retired: is_staff(caller),
        offset: page.offset() as usize,
        limit: page.limit() as usize,
        ..Default::default()
    };
    let index = ctx.search.clone();
    let found = tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))?
        .map_err(|e| DomainError::internal_from("search index", e))?;
    let ids: Vec<i64> = found.hits.iter().map(|h| h.id).collect();
    let mut items = ctx.store.resource_summaries(&ids).await?;
    // The index may lag a moment behind another node's change: keep to what the caller may see.
    items.retain(|r| {
        can_see(caller, r)
            && filter
                .owner_user_id
                .is_none_or(|o| r.owner_user_id == Some(o))
    });
    let highlights = found
        .hits
        .into_iter()
        .map(|h| {
            (
                h.id,
                Highlight {
                    title_html: h.title_html,
                    snippet_html: h.snippet_html,
                },
            )
        })
        .collect();
    Ok((
        Paged {
            items,
            total: found.total as i64,
            page: page.page,
            per_page: page.per_page,
        },
        highlights,
    ))
}

/// A tag filter as the index stores tags (`kind:value`).
fn tag_text(tag: &domain::library::TagRef) -> Option<String> {
    match tag {
        domain::library::TagRef::Value { kind, value } => Some(format!("{}:{value}", kind.code())),
        domain::library::TagRef::Id(_) => None,
    }
}

/// The index document of a stored resource.
fn index_doc(d: domain::library::IndexDocument) -> search::ResourceDoc {
    search::ResourceDoc {
        id: d.id,
        title: d.title,
        summary: d.summary,
        body: d.body,
        kind: d.kind.code().to_string(),
        tier: d.tier.code().to_string(),
        status: d.status.code().to_string(),
        origin: d.origin.code().to_string(),
        tags: d.tags,
        skills: d.skills,
        positions: d.positions,
        updated_at: d.updated_at.unix_timestamp(),
    }
}

/// Brings resource `id` up to date in the search index after a change.
pub async fn reindex_resource(ctx: &Context, id: i64) -> DomainResult<()> {
    let docs = ctx.store.resources_for_index(id - 1, 1, None).await?;
    let index = ctx.search.clone();
    let doc = docs.into_iter().find(|d| d.id == id).map(index_doc);
    tokio::task::spawn_blocking(move || match doc {
        Some(doc) => index.upsert(&doc),
        None => index.delete(id),
    })
    .await
    .map_err(|e| DomainError::internal_from("search index", e))?
    .map_err(|e| DomainError::internal_from("search index", e))
}

/// Rebuilds the whole index from the database, a page at a time; returns the count.
pub async fn rebuild_index(
    store: &store::Store,
    index: Arc<search::ResourceIndex>,
) -> DomainResult<usize> {
    let mut docs = Vec::new();
    let mut after = 0;
    loop {
        let page = store.resources_for_index(after, 1000, None).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        docs.extend(page.into_iter().map(index_doc));
    }
    tokio::task::spawn_blocking(move || index.rebuild(docs))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))?
        .map_err(|e| DomainError::internal_from("search index", e))
}

/// Re-indexes the resources changed since `since` (changes made through another node);
/// returns the newest change seen, to pass next time.
pub async fn catch_up_index(
    store: &store::Store,
    index: Arc<search::ResourceIndex>,
    since: time::OffsetDateTime,
) -> DomainResult<time::OffsetDateTime> {
    let mut newest = since;
    let mut docs = Vec::new();
    let mut after = 0;
    loop {
        let page = store.resources_for_index(after, 1000, Some(since)).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for d in page {
            newest = newest.max(d.updated_at);
            docs.push(index_doc(d));
        }
    }
    if !docs.is_empty() {
        tokio::task::spawn_blocking(move || index.upsert_many(docs))
            .await
            .map_err(|e| DomainError::internal_from("a blocking task failed", e))?
            .map_err(|e| DomainError::internal_from("search index", e))?;
    }
    Ok(newest)
}

/// A resource `caller` may see, or not found (its existence is not revealed).
pub async fn visible_detail(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<ResourceDetail> {
    let mut detail = ctx.store.resource_detail(id).await?;
    if !can_see(caller, &detail.summary) {
        return Err(DomainError::NotFound { entity: "resource" });
    }
    if !is_staff(caller) && !is_owner(caller, &detail.summary) {
        // Learners get the files of the published version only.
        let current = detail.summary.current_version;
        detail.files.retain(|f| f.version == current);
    }
    Ok(detail)
}

/// A file `caller` may download: learners only files of published versions of a
/// published resource; its author and staff every file.
pub async fn visible_file(
    ctx: &Context,
    caller: &Principal,
    file_id: i64,
) -> DomainResult<FileEntry> {
    let file = ctx.store.resource_file(file_id).await?;
    let resource = ctx.store.resource_detail(file.resource_id).await?.summary;
    let privileged = is_staff(caller) || is_owner(caller, &resource);
    let published =
        resource.status == ResourceStatus::Published && file.version <= resource.current_version;
    if privileged || published {
        Ok(file)
    } else {
        Err(DomainError::NotFound { entity: "file" })
    }
}

/// Moves a resource through review after checking `caller` may make the move; a
/// blank comment counts as none.
pub async fn change_status(
    ctx: &Context,
    caller: &Principal,
    actor: &domain::audit::Actor,
    id: i64,
    next: ResourceStatus,
    comment: Option<&str>,
) -> DomainResult<StatusChange> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let resource = visible_detail(ctx, caller, id).await?.summary;
    if !can_move(caller, &resource, next) {
        // A move the workflow does not know is the input's fault, not a permission matter.
        if !resource.status.can_move_to(next) {
            resource.status.check_move(next, comment)?;
        }
        return Err(DomainError::Forbidden);
    }
    let change = ctx.store.change_status(id, next, comment, actor).await?;
    reindex_resource(ctx, id).await?;
    Ok(change)
}

/// Re-indexes what changed from `since` on (a renamed tag touches every resource
/// carrying it). A second early keeps clock rounding of the stored times harmless.
pub async fn reindex_changed_since(ctx: &Context, since: time::OffsetDateTime) -> DomainResult<()> {
    let since = since - time::Duration::seconds(1);
    catch_up_index(&ctx.store, ctx.search.clone(), since)
        .await
        .map(|_| ())
}

/// Scenario packs (or pack `only`) with the items `caller` may not see left out:
/// a learner meets published resources only, an author also their own drafts.
pub async fn visible_packs(
    ctx: &Context,
    caller: &Principal,
    only: Option<i64>,
) -> DomainResult<Vec<ScenarioPack>> {
    let mut packs = match only {
        Some(id) => vec![ctx.store.pack(id).await?],
        None => ctx.store.list_packs().await?,
    };
    if is_staff(caller) {
        return Ok(packs);
    }
    // Only unpublished items need their owner looked up.
    let mut hidden: Vec<i64> = packs
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| i.status != ResourceStatus::Published)
        .map(|i| i.resource_id)
        .collect();
    hidden.sort_unstable();
    hidden.dedup();
    let own: Vec<i64> = ctx
        .store
        .resource_summaries(&hidden)
        .await?
        .into_iter()
        .filter(|r| can_see(caller, r))
        .map(|r| r.id)
        .collect();
    for pack in &mut packs {
        pack.items
            .retain(|i| i.status == ResourceStatus::Published || own.contains(&i.resource_id));
    }
    Ok(packs)
}

/// One published version of a resource `caller` may see, with what it recorded.
pub struct VersionView {
    /// The resource as it is now.
    pub resource: ResourceSummary,
    pub version: ResourceVersion,
    pub snapshot: VersionSnapshot,
    /// The files of that version (downloadable by whoever sees the resource).
    pub files: Vec<FileEntry>,
    /// Review moves concerning that version, newest first.
    pub reviews: Vec<ReviewEntry>,
}

/// Version `version` of resource `id`, when `caller` may see the resource.
pub async fn visible_version(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    version: i32,
) -> DomainResult<VersionView> {
    let detail = ctx.store.resource_detail(id).await?;
    if !can_see(caller, &detail.summary) {
        return Err(DomainError::NotFound { entity: "resource" });
    }
    let recorded = ctx.store.resource_version(id, version).await?;
    Ok(VersionView {
        resource: detail.summary,
        // Older snapshots may lack fields; what is there is shown.
        snapshot: serde_json::from_str(&recorded.snapshot).unwrap_or_default(),
        version: recorded,
        files: detail
            .files
            .into_iter()
            .filter(|f| f.version == version)
            .collect(),
        reviews: detail
            .reviews
            .into_iter()
            .filter(|r| r.version == version)
            .collect(),
    })
}

/// The resource `caller` may change: not found when they cannot see it, forbidden
/// when they see it but may not edit it.
pub async fn editable_detail(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<ResourceDetail> {
    let detail = visible_detail(ctx, caller, id).await?;
    if !can_edit(caller, &detail.summary) {
        return Err(DomainError::Forbidden);
    }
    Ok(detail)
}

/// Stores an uploaded file for the resource of `target` (checked by [`begin_upload`]): the type and
/// the site's size limit are checked as the bytes stream in, then the file is recorded.
/// When recording fails the stored bytes are removed again, so nothing is half-written.
pub async fn store_upload<S, E>(
    ctx: &Context,
    actor: &Actor,
    target: &UploadTarget,
    file_name: &str,
    chunks: S,
) -> DomainResult<FileEntry>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let id = target.resource_id;
    let folder = ctx.store.file_folder(id).await?;
    let stored = ctx
        .files
        .upload(&folder, chunks, ctx.settings.upload_limit_bytes)
        .await?;
    match ctx.store.attach_file(id, &stored, file_name, actor).await {
        Ok(entry) => Ok(entry),
        Err(e) => {
            if let Err(cleanup) = ctx.files.delete(&stored.key).await {
                tracing::warn!(error = %cleanup, key = %stored.key, "an orphaned upload could not be removed");
            }
            Err(e)
        }
    }
}

/// Deletes a file of the version being prepared (the row, then the bytes when no
/// version shares them), after checking `caller` may edit its resource; with
/// `resource`, the file must belong to it. Returns the resource's id.
pub async fn delete_file(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    file_id: i64,
    resource: Option<i64>,
) -> DomainResult<i64> {
    let file = ctx.store.resource_file(file_id).await?;
    if resource.is_some_and(|r| r != file.resource_id) {
        return Err(DomainError::NotFound { entity: "file" });
    }
    editable_detail(ctx, caller, file.resource_id).await?;
    ctx.store
        .delete_resource_file(&ctx.files, file_id, actor)
        .await?;
    Ok(file.resource_id)
}

// ----- what the pages show (predicates for buttons and columns) ----------------------

/// Whether `p` writes resources and micro-courses (the "new" buttons).
pub fn may_author(p: &Principal) -> bool {
    p.can(Permission::AuthorResources)
}

/// Whether `p` keeps the library: vocabularies, scenario packs, moderation, reports.
pub fn may_manage(p: &Principal) -> bool {
    p.can(Permission::ManageLibrary)
}

/// Whether lists show a resource's review status to `p` (staff and authors).
pub fn may_see_statuses(p: &Principal) -> bool {
    is_staff(p) || may_author(p)
}

/// Fails with `Forbidden` unless `p` keeps the library (the scenario-pack form).
pub fn check_library_manager(p: &Principal) -> DomainResult<()> {
    require(p, Permission::ManageLibrary)
}

// ----- resources ---------------------------------------------------------------------

/// A resource as its page shows it to `caller`, with what they may do on it.
pub struct ResourceView {
    pub detail: ResourceDetail,
    /// The review moves `caller` may make now.
    pub moves: Vec<ResourceStatus>,
    /// `caller` may change its content (and its working version's files) now.
    pub editable: bool,
    /// The scenario packs it is in.
    pub packs: Vec<PackRef>,
}

/// Opens a resource for `caller`: a published one counts a view.
pub async fn open_resource(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<ResourceView> {
    let detail = visible_detail(ctx, caller, id).await?;
    let s = &detail.summary;
    if s.status == ResourceStatus::Published {
        ctx.store
            .record_event(
                id,
                Some(caller.user_id),
                EventKind::View,
                OffsetDateTime::now_utc(),
            )
            .await?;
    }
    let moves = allowed_moves(caller, s);
    let editable = can_edit(caller, s) && s.status.is_editable();
    let packs = ctx.store.packs_with_resource(id).await?;
    Ok(ResourceView {
        detail,
        moves,
        editable,
        packs,
    })
}

/// The active vocabulary entries authors pick tags from.
pub async fn authoring_vocabulary(ctx: &Context) -> DomainResult<Vec<TagEntry>> {
    ctx.store.list_tags(None, false).await
}

/// What the form for a new resource needs, for an author: the active vocabularies.
pub async fn new_resource_form(ctx: &Context, caller: &Principal) -> DomainResult<Vec<TagEntry>> {
    require(caller, Permission::AuthorResources)?;
    authoring_vocabulary(ctx).await
}

/// The resource `caller` may change, with the active vocabularies (its edit form).
pub async fn resource_to_edit(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<(ResourceDetail, Vec<TagEntry>)> {
    let detail = editable_detail(ctx, caller, id).await?;
    Ok((detail, authoring_vocabulary(ctx).await?))
}

/// An owner other than the caller is chosen by a library manager only.
fn keep_owner_choice(caller: &Principal, input: &mut ResourceInput) {
    if !caller.can(Permission::ManageLibrary) {
        input.owner_user_id = None;
    }
}

/// Adds a resource as a draft owned by the caller (or, for a library manager, by the
/// owner chosen) and indexes it. `input` is the request as parsed: a parse error is
/// reported after the permission check.
pub async fn create_resource(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    input: DomainResult<ResourceInput>,
) -> DomainResult<i64> {
    require(caller, Permission::AuthorResources)?;
    let mut input = input?;
    keep_owner_choice(caller, &mut input);
    let id = ctx.store.create_resource(&input, actor).await?;
    reindex_resource(ctx, id).await?;
    Ok(id)
}

/// Adds a micro-course (问题—案例—方法) as a draft, like [`create_resource`].
pub async fn create_micro_course(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    input: DomainResult<MicroCourseInput>,
) -> DomainResult<i64> {
    require(caller, Permission::AuthorResources)?;
    let mut input = input?;
    keep_owner_choice(caller, &mut input.resource);
    let id = ctx.store.create_micro_course(&input, actor).await?;
    reindex_resource(ctx, id).await?;
    Ok(id)
}

/// A resource's new content: a micro-course carries its three parts.
pub enum ResourceChange {
    Resource(ResourceInput),
    MicroCourse(MicroCourseInput),
}

/// Changes a draft or a resource under review that `caller` may edit (404 when they
/// cannot see it, 403 when they may not change it), then re-indexes it. `input`
/// parses the request once the resource is known; it is told whether the resource is
/// a micro-course. Returns the resource as `caller` now sees it.
pub async fn update_resource(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    input: impl FnOnce(bool) -> DomainResult<ResourceChange>,
) -> DomainResult<ResourceDetail> {
    let current = editable_detail(ctx, caller, id).await?;
    match input(current.summary.kind == ResourceKind::MicroCourse)? {
        ResourceChange::Resource(mut input) => {
            keep_owner_choice(caller, &mut input);
            ctx.store.update_resource(id, &input, actor).await?;
        }
        ResourceChange::MicroCourse(mut input) => {
            keep_owner_choice(caller, &mut input.resource);
            ctx.store.update_micro_course(id, &input, actor).await?;
        }
    }
    reindex_resource(ctx, id).await?;
    visible_detail(ctx, caller, id).await
}

/// Permission to upload into a resource's working version, granted by
/// [`begin_upload`]; [`store_upload`] takes it, so no upload skips the check.
pub struct UploadTarget {
    resource_id: i64,
}

impl UploadTarget {
    pub fn resource_id(&self) -> i64 {
        self.resource_id
    }
}

/// Checks that `caller` may add files to resource `id` (before any byte is read).
pub async fn begin_upload(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<UploadTarget> {
    editable_detail(ctx, caller, id).await?;
    Ok(UploadTarget { resource_id: id })
}

/// A file `caller` may download, opened: its record, where its bytes are and their size.
pub struct OpenFile {
    pub file: FileEntry,
    pub key: files::FileKey,
    pub size: u64,
}

impl OpenFile {
    /// The file's bytes (all, or `range`), streamed from the file store.
    pub async fn stream(
        &self,
        ctx: &Context,
        range: Option<std::ops::Range<u64>>,
    ) -> DomainResult<files::FileStream> {
        Ok(ctx.files.stream(&self.key, range).await?)
    }
}

/// Opens a file `caller` may download ([`visible_file`]).
pub async fn open_file(ctx: &Context, caller: &Principal, file_id: i64) -> DomainResult<OpenFile> {
    let file = visible_file(ctx, caller, file_id).await?;
    let key = files::FileKey::parse(&file.storage_key)?;
    let size = ctx.files.size(&key).await?;
    Ok(OpenFile { file, key, size })
}

/// Rates a resource `caller` may see (1–5 stars; a second rating replaces the first);
/// returns the new average and count. `stars` is the request as parsed.
pub async fn rate_resource(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    stars: DomainResult<i32>,
) -> DomainResult<(f64, i64)> {
    visible_detail(ctx, caller, id).await?;
    ctx.store.rate(id, caller.user_id, stars?).await
}

/// Comments on a resource `caller` may see; pending until moderated when the site
/// moderates first.
pub async fn comment_on_resource(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    body: &str,
) -> DomainResult<CommentEntry> {
    visible_detail(ctx, caller, id).await?;
    ctx.store
        .add_comment(id, caller.user_id, body, ctx.settings.moderate_comments)
        .await
}

/// Records that `caller` finished a resource they may see.
pub async fn complete_resource(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<()> {
    visible_detail(ctx, caller, id).await?;
    ctx.store
        .record_event(
            id,
            Some(caller.user_id),
            EventKind::Complete,
            OffsetDateTime::now_utc(),
        )
        .await
}

/// Comments waiting for a moderator, oldest first (library managers).
pub async fn pending_comments(
    ctx: &Context,
    caller: &Principal,
    page: Page,
) -> DomainResult<Paged<CommentEntry>> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.pending_comments(page).await
}

/// Shows or hides a comment (library managers); `decision` is `visible` or `hidden`.
pub async fn moderate_comment(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    comment_id: i64,
    decision: &str,
) -> DomainResult<()> {
    require(caller, Permission::ManageLibrary)?;
    let decision = CommentStatus::parse(decision)?;
    ctx.store
        .moderate_comment(comment_id, decision, actor)
        .await
}

/// The library reports: little-used resources over a window, and supply gaps.
pub struct LibraryReports {
    pub months: u32,
    pub threshold: i64,
    pub lifecycle: Vec<LifecycleRow>,
    pub gaps: SupplyGaps,
}

/// The library reports (library managers): the lifecycle window defaults to 6 months
/// and the usage threshold to 5. Both are the request as parsed.
pub async fn library_reports(
    ctx: &Context,
    caller: &Principal,
    months: DomainResult<Option<u32>>,
    threshold: DomainResult<Option<i64>>,
) -> DomainResult<LibraryReports> {
    require(caller, Permission::ManageLibrary)?;
    let months = months?.unwrap_or(6);
    let threshold = threshold?.unwrap_or(5);
    let lifecycle = ctx
        .store
        .lifecycle_report(months, threshold, OffsetDateTime::now_utc())
        .await?;
    let gaps = ctx.store.supply_gaps().await?;
    Ok(LibraryReports {
        months,
        threshold,
        lifecycle,
        gaps,
    })
}

/// The caller's micro-courses with their feedback (authors).
pub async fn my_course_stats(
    ctx: &Context,
    caller: &Principal,
) -> DomainResult<Vec<AuthorCourseStats>> {
    require(caller, Permission::AuthorResources)?;
    ctx.store.author_stats(caller.user_id).await
}

// ----- tag vocabularies ---------------------------------------------------------------

/// Vocabulary entries (of `kind`, or all), for everyone signed in.
pub async fn list_tags(
    ctx: &Context,
    kind: Option<TagKind>,
    include_inactive: bool,
) -> DomainResult<Vec<TagEntry>> {
    ctx.store.list_tags(kind, include_inactive).await
}

/// Every vocabulary entry, deactivated ones too (library managers' page).
pub async fn tag_vocabularies(ctx: &Context, caller: &Principal) -> DomainResult<Vec<TagEntry>> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.list_tags(None, true).await
}

/// Adds a vocabulary entry (library managers); `kind` as typed (code or Chinese name).
pub async fn create_tag(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    kind: &str,
    value: &str,
) -> DomainResult<i64> {
    require(caller, Permission::ManageLibrary)?;
    let kind = TagKind::parse(kind)?;
    ctx.store.create_tag(kind, value, actor).await
}

/// Renames and/or (de)activates an entry (library managers); the resources carrying
/// it are re-indexed under the new value.
pub async fn update_tag(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    value: &str,
    active: bool,
) -> DomainResult<()> {
    require(caller, Permission::ManageLibrary)?;
    let since = OffsetDateTime::now_utc();
    ctx.store.update_tag(id, value, active, actor).await?;
    reindex_changed_since(ctx, since).await
}

/// Removes an entry (library managers): deleted when unused, else deactivated.
pub async fn remove_tag(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
) -> DomainResult<TagRemoval> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.remove_tag(id, actor).await
}

// ----- scenario packs ------------------------------------------------------------------

/// Every scenario pack with the items `caller` may see.
pub async fn list_packs(ctx: &Context, caller: &Principal) -> DomainResult<Vec<ScenarioPack>> {
    visible_packs(ctx, caller, None).await
}

/// One scenario pack with the items `caller` may see.
pub async fn scenario_pack(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<ScenarioPack> {
    visible_packs(ctx, caller, Some(id))
        .await?
        .pop()
        .ok_or(DomainError::NotFound {
            entity: "scenario pack",
        })
}

/// A pack with all its items, to change it (library managers).
pub async fn pack_to_edit(
    ctx: &Context,
    caller: &Principal,
    id: i64,
) -> DomainResult<ScenarioPack> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.pack(id).await
}

/// Adds a scenario pack (library managers).
pub async fn create_pack(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    input: &ScenarioPackInput,
) -> DomainResult<i64> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.create_pack(input, actor).await
}

/// Changes a scenario pack (library managers), its items replaced by the input's in
/// order; returns the pack as saved.
pub async fn update_pack(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    input: &ScenarioPackInput,
) -> DomainResult<ScenarioPack> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.update_pack(id, input, actor).await?;
    ctx.store.pack(id).await
}

/// Deletes a scenario pack (library managers); its resources stay in the library.
pub async fn delete_pack(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
) -> DomainResult<()> {
    require(caller, Permission::ManageLibrary)?;
    ctx.store.delete_pack(id, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::competency::Tier;
    use domain::library::{Origin, ResourceKind};
    use domain::{Grant, Role, ScopeKind};
    use time::OffsetDateTime;

    fn principal(id: i64, roles: &[Role]) -> Principal {
        Principal {
            user_id: id,
            username: "u".into(),
            display_name: "U".into(),
            employee_id: None,
            grants: roles
                .iter()
                .map(|r| Grant {
                    role: *r,
                    scope: ScopeKind::Company,
                    department_path: None,
                    department_name: None,
                })
                .collect(),
            locale: None,
        }
    }

    fn resource(owner: i64, status: ResourceStatus) -> ResourceSummary {
        let now = OffsetDateTime::now_utc();
        ResourceSummary {
            id: 1,
            code: "C".into(),
            kind: ResourceKind::Course,
            title: "t".into(),
            summary: String::new(),
            tier: Tier::Core,
            origin: Origin::Internal,
            vendor: None,
            owner_user_id: Some(owner),
            owner: None,
            estimated_minutes: 5,
            status,
            current_version: 0,
            created_at: now,
            updated_at: now,
            published_at: None,
            retired_at: None,
            avg_stars: None,
            ratings: 0,
        }
    }

    #[test]
    fn review_rules() {
        use ResourceStatus::*;
        let author = principal(1, &[Role::Instructor, Role::Reviewer]);
        let reviewer = principal(2, &[Role::Reviewer]);
        let learner = principal(3, &[Role::Employee]);
        let draft = resource(1, Draft);
        assert!(can_see(&author, &draft) && can_see(&reviewer, &draft));
        assert!(!can_see(&learner, &draft));
        assert!(can_move(&author, &draft, InReview));
        assert!(!can_move(&reviewer, &draft, InReview));
        let review = resource(1, InReview);
        assert!(
            !can_move(&author, &review, Published),
            "no self-approval, even for a reviewer"
        );
        assert!(can_move(&reviewer, &review, Published));
        assert!(!can_move(&learner, &review, Published));
        assert_eq!(allowed_moves(&reviewer, &review), vec![Draft, Published]);
        let f = visible_filter(&learner, ResourceFilter::default());
        assert_eq!(f.status, Some(Published));
        let f = visible_filter(
            &author,
            ResourceFilter {
                status: Some(Draft),
                ..Default::default()
            },
        );
        assert_eq!(f.owner_user_id, None, "a reviewer sees every draft");
        let instructor = principal(4, &[Role::Instructor]);
        let f = visible_filter(
            &instructor,
            ResourceFilter {
                status: Some(Draft),
                ..Default::default()
            },
        );
        assert_eq!((f.status, f.owner_user_id), (Some(Draft), Some(4)));
    }
}
