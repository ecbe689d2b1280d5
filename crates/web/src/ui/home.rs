//! The home page: what each role needs first, from data its scope allows.

use super::{Chrome, render, role_label};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::org::{DepartmentHeadcount, Employee};

/// A role line on the home page.
pub struct RoleLine {
    pub role: &'static str,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    chrome: Chrome,
    profile: Option<Employee>,
    roles: Vec<RoleLine>,
    headcount: Vec<DepartmentHeadcount>,
    max_headcount: i64,
    accounts: Option<i64>,
    failed_jobs: Option<usize>,
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let p = &caller.principal;
    let service::home::Overview {
        profile,
        headcount,
        accounts,
        failed_jobs,
    } = service::home::overview(&state, p).await?;
    let max_headcount = headcount
        .iter()
        .map(|h| h.headcount)
        .max()
        .unwrap_or(1)
        .max(1);
    let roles = p
        .grants
        .iter()
        .map(|g| RoleLine {
            role: role_label(t, g.role),
            scope: match &g.department_name {
                Some(name) => format!("{} · {name}", t.get("scope.department")),
                None => t.get(&format!("scope.{}", g.scope.code())).to_string(),
            },
        })
        .collect();
    Ok(render(&HomePage {
        t,
        chrome: Chrome::for_caller(&caller),
        profile,
        roles,
        headcount,
        max_headcount,
        accounts,
        failed_jobs,
    }))
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry.get("/", Page, page)
}
