//! Scenario packs (场景化资源包): resources in learning order for one step of a business
//! process. Everyone signed in browses them (seeing only the resources they may see);
//! library managers create, change and delete them.

use super::{Chrome, input_error, local_time, render};
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
use domain::library::{ScenarioPack, ScenarioPackInput};
use serde::Deserialize;
use service::library as rules;

/// Field codes of the pack form and their labels, for error messages.
const FIELDS: &[(&str, &str)] = &[
    ("code", "library.code"),
    ("name", "packs.name"),
    ("scenario_step", "packs.step"),
    ("description", "packs.description"),
    ("resources", "packs.resources"),
];

fn pack_id(caller: &PageCaller, id: &str) -> Result<i64, PageError> {
    id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "scenario pack",
        })
    })
}

/// A pack as a list row: the pack, its item count and minutes, when it changed.
pub struct PackRow {
    pub p: ScenarioPack,
    pub minutes: i32,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "library_packs.html")]
struct ListPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<PackRow>,
    can_manage: bool,
    notice: &'static str,
}

/// A note after a redirect.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// `GET /library/packs`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let packs = rules::list_packs(&state, &caller.principal).await?;
    Ok(render(&ListPage {
        t,
        chrome: Chrome::for_caller(&caller),
        rows: packs
            .into_iter()
            .map(|p| PackRow {
                minutes: p.published_minutes(),
                updated: local_time(&state, p.updated_at),
                p,
            })
            .collect(),
        can_manage: rules::may_manage(&caller.principal),
        notice: match done.done.as_str() {
            "deleted" => t.get("packs.done.deleted"),
            _ => "",
        },
    }))
}

/// A pack item as shown.
pub struct ItemView {
    pub position: i32,
    pub resource_id: i64,
    pub code: String,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub published: bool,
    pub minutes: i32,
}

#[derive(Template)]
#[template(path = "library_pack.html")]
struct DetailPage {
    t: Tr,
    chrome: Chrome,
    p: ScenarioPack,
    items: Vec<ItemView>,
    minutes: i32,
    updated: String,
    show_status: bool,
    can_manage: bool,
    notice: &'static str,
}

/// `GET /library/packs/{id}`: the pack's resources in order, those the caller may see.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let id = pack_id(&caller, &id)?;
    let t = Tr(caller.locale);
    let p = rules::scenario_pack(&state, &caller.principal, id).await?;
    let principal = &caller.principal;
    Ok(render(&DetailPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: p
            .items
            .iter()
            .map(|i| ItemView {
                position: i.position,
                resource_id: i.resource_id,
                code: i.code.clone(),
                title: i.title.clone(),
                kind: t.get(&format!("library.kind.{}", i.kind.code())),
                status: t.get(&format!("library.status.{}", i.status.code())),
                published: i.status == domain::library::ResourceStatus::Published,
                minutes: i.estimated_minutes,
            })
            .collect(),
        minutes: p.published_minutes(),
        updated: local_time(&state, p.updated_at),
        show_status: rules::may_see_statuses(principal),
        can_manage: rules::may_manage(principal),
        notice: match done.done.as_str() {
            "saved" => t.get("packs.done.saved"),
            _ => "",
        },
        p,
    }))
}

/// The pack form, as posted.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PackForm {
    pub code: String,
    pub name: String,
    pub scenario_step: String,
    pub description: String,
    /// Resource codes in learning order, one per line (commas also separate).
    pub resources: String,
}

impl PackForm {
    fn input(&self) -> ScenarioPackInput {
        ScenarioPackInput {
            code: self.code.clone(),
            name: self.name.clone(),
            scenario_step: self.scenario_step.clone(),
            description: self.description.clone(),
            resources: self
                .resources
                .split(|c: char| c.is_whitespace() || ",，;；".contains(c))
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    fn from_pack(p: &ScenarioPack) -> Self {
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            scenario_step: p.scenario_step.clone(),
            description: p.description.clone(),
            resources: p
                .items
                .iter()
                .map(|i| i.code.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

#[derive(Template)]
#[template(path = "library_pack_form.html")]
struct FormPage {
    t: Tr,
    chrome: Chrome,
    f: PackForm,
    action: String,
    /// The pack being changed (else a new one).
    editing: Option<i64>,
    error: Option<String>,
}

fn form_page(
    caller: &PageCaller,
    f: PackForm,
    editing: Option<i64>,
    error: Option<String>,
) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let action = match editing {
        Some(id) => format!("/library/packs/{id}/edit"),
        None => "/library/packs".into(),
    };
    let page = render(&FormPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        f,
        action,
        editing,
        error,
    });
    (status, page).into_response()
}

/// The form again with what was typed and what was wrong, or the error page.
fn refill(
    caller: &PageCaller,
    f: PackForm,
    editing: Option<i64>,
    error: DomainError,
) -> Result<Response, PageError> {
    match input_error(Tr(caller.locale), &error, FIELDS) {
        Some(message) => Ok(form_page(caller, f, editing, Some(message))),
        None => Err(caller.err(error)),
    }
}

/// `GET /library/packs/new`.
pub async fn new_form(caller: PageCaller) -> Result<Response, PageError> {
    rules::check_library_manager(&caller.principal)?;
    Ok(form_page(&caller, PackForm::default(), None, None))
}

/// `POST /library/packs`.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<PackForm>,
) -> Result<Response, PageError> {
    match rules::create_pack(&state, &caller.principal, &caller.actor(), &form.input()).await {
        Ok(id) => Ok(Redirect::to(&format!("/library/packs/{id}")).into_response()),
        Err(e) => refill(&caller, form, None, e),
    }
}

/// `GET /library/packs/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = pack_id(&caller, &id)?;
    let p = rules::pack_to_edit(&state, &caller.principal, id).await?;
    Ok(form_page(&caller, PackForm::from_pack(&p), Some(id), None))
}

/// `POST /library/packs/{id}/edit`: the items are replaced by the form's, in its order.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<PackForm>,
) -> Result<Response, PageError> {
    let id = pack_id(&caller, &id)?;
    match rules::update_pack(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        &form.input(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/library/packs/{id}?done=saved")).into_response()),
        Err(e) => refill(&caller, form, Some(id), e),
    }
}

/// `POST /library/packs/{id}/delete`: the pack goes; its resources stay in the library.
pub async fn delete(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = pack_id(&caller, &id)?;
    rules::delete_pack(&state, &caller.principal, &caller.actor(), id).await?;
    Ok(Redirect::to("/library/packs?done=deleted").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/library/packs", Page, list)
        .post("/library/packs", Page, create)
        .get("/library/packs/new", Page, new_form)
        .get("/library/packs/{id}", Page, detail)
        .get("/library/packs/{id}/edit", Page, edit_form)
        .post("/library/packs/{id}/edit", Page, update)
        .post("/library/packs/{id}/delete", Page, delete)
}
