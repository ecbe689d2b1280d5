//! Tag vocabularies (业务标签词表): library managers add, rename, deactivate and remove
//! the values authors may pick, per kind (business line, task type, scenario).

use super::{Chrome, input_error, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use domain::library::{TagEntry, TagKind, TagRemoval};
use serde::Deserialize;
use service::library as rules;

/// Field codes of the tag forms and their labels, for error messages.
const FIELDS: &[(&str, &str)] = &[("value", "tags.value"), ("tag_kind", "tags.kind")];

/// One kind's vocabulary as shown.
pub struct Group {
    pub code: &'static str,
    pub label: &'static str,
    pub entries: Vec<TagEntry>,
}

#[derive(Template)]
#[template(path = "library_tags.html")]
struct TagsPage {
    t: Tr,
    chrome: Chrome,
    groups: Vec<Group>,
    /// (code, label) of the kinds.
    kinds: Vec<(&'static str, &'static str)>,
    /// The add form as typed (kind, value).
    add_kind: String,
    add_value: String,
    /// A rename that failed: (tag id, value typed), shown in that row.
    retry: Option<(i64, String)>,
    message: Option<String>,
    error: Option<String>,
}

/// Outcome note after a redirect.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
    uses: Option<i64>,
}

struct Refill {
    add_kind: String,
    add_value: String,
    retry: Option<(i64, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    refill: Refill,
    message: Option<String>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let entries = rules::tag_vocabularies(state, &caller.principal).await?;
    let groups = TagKind::ALL
        .iter()
        .map(|k| Group {
            code: k.code(),
            label: t.get(&format!("library.tag_kind.{}", k.code())),
            entries: entries
                .iter()
                .filter(|e| e.tag.kind == *k)
                .cloned()
                .collect(),
        })
        .collect();
    let status = if refill.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&TagsPage {
        t,
        chrome: Chrome::for_caller(caller),
        groups,
        kinds: TagKind::ALL
            .iter()
            .map(|k| (k.code(), t.get(&format!("library.tag_kind.{}", k.code()))))
            .collect(),
        add_kind: refill.add_kind,
        add_value: refill.add_value,
        retry: refill.retry,
        message,
        error: refill.error,
    });
    Ok((status, html).into_response())
}

/// The page again with the user's input and what was wrong, or the error page.
async fn refill(
    state: &AppState,
    caller: &PageCaller,
    refill: Refill,
    error: DomainError,
) -> Result<Response, PageError> {
    match input_error(Tr(caller.locale), &error, FIELDS) {
        Some(message) => {
            let refill = Refill {
                error: Some(message),
                ..refill
            };
            page(state, caller, refill, None).await
        }
        None => Err(caller.err(error)),
    }
}

/// `GET /library/tags`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let message = match done.done.as_str() {
        "created" => Some(t.get("tags.done.created").to_string()),
        "saved" => Some(t.get("tags.done.saved").to_string()),
        "deleted" => Some(t.get("tags.done.deleted").to_string()),
        "deactivated" => Some(
            t.get("tags.done.deactivated")
                .replace("{n}", &done.uses.unwrap_or_default().to_string()),
        ),
        _ => None,
    };
    let blank = Refill {
        add_kind: TagKind::BusinessLine.code().into(),
        add_value: String::new(),
        retry: None,
        error: None,
    };
    page(&state, &caller, blank, message).await
}

/// The add form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewTagForm {
    kind: String,
    value: String,
}

/// `POST /library/tags`.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<NewTagForm>,
) -> Result<Response, PageError> {
    let created = rules::create_tag(
        &state,
        &caller.principal,
        &caller.actor(),
        &form.kind,
        &form.value,
    )
    .await;
    match created {
        Ok(_) => Ok(Redirect::to("/library/tags?done=created").into_response()),
        Err(e) => {
            let typed = Refill {
                add_kind: form.kind,
                add_value: form.value,
                retry: None,
                error: None,
            };
            refill(&state, &caller, typed, e).await
        }
    }
}

/// The rename / (de)activate form of one entry; an unchecked box is absent.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TagForm {
    value: String,
    active: Option<String>,
}

fn tag_id(caller: &PageCaller, id: &str) -> Result<i64, PageError> {
    id.trim()
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "tag" }))
}

/// `POST /library/tags/{id}`: renames and/or (de)activates; the resources carrying a
/// renamed value are re-indexed so search finds them under the new one.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<TagForm>,
) -> Result<Response, PageError> {
    let id = tag_id(&caller, &id)?;
    let active = form.active.is_some();
    if let Err(e) = rules::update_tag(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        &form.value,
        active,
    )
    .await
    {
        let typed = Refill {
            add_kind: TagKind::BusinessLine.code().into(),
            add_value: String::new(),
            retry: Some((id, form.value)),
            error: None,
        };
        return refill(&state, &caller, typed, e).await;
    }
    Ok(Redirect::to("/library/tags?done=saved").into_response())
}

/// `POST /library/tags/{id}/delete`: deletes an unused entry; one in use is
/// deactivated instead (the page says so and how many resources keep it).
pub async fn remove(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = tag_id(&caller, &id)?;
    let outcome = rules::remove_tag(&state, &caller.principal, &caller.actor(), id).await?;
    let to = match outcome {
        TagRemoval::Deleted => "/library/tags?done=deleted".to_string(),
        TagRemoval::Deactivated { uses } => {
            format!("/library/tags?done=deactivated&uses={uses}")
        }
    };
    Ok(Redirect::to(&to).into_response())
}

impl TagsPage {
    /// What a row's value field shows: the user's failed rename, or the stored value.
    fn value_for<'a>(&'a self, entry: &'a TagEntry) -> &'a str {
        match &self.retry {
            Some((id, typed)) if *id == entry.tag.id => typed,
            _ => &entry.tag.value,
        }
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/library/tags", Page, list)
        .post("/library/tags", Page, create)
        .post("/library/tags/{id}", Page, update)
        .post("/library/tags/{id}/delete", Page, remove)
}
