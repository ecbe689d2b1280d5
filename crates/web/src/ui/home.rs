//! The home page: what each role needs first, from data its scope allows.

use super::{Chrome, render, role_label};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::account::AccountRepository;
use domain::jobs::{JobRepository, JobStatus};
use domain::org::{DepartmentHeadcount, Employee, OrgRepository};
use domain::{DataScope, Permission};
use service::access::apply_contact_mask;

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
    let profile = match p.employee_id {
        Some(id) => {
            let own = DataScope {
                own_employee_id: Some(id),
                ..DataScope::default()
            };
            let mut e = state
                .store
                .get_employee(&own, id)
                .await
                .map_err(|e| caller.err(e))?;
            apply_contact_mask(p, &mut e);
            Some(e)
        }
        None => None,
    };
    let headcount = if p.can(Permission::ViewHeadcount) {
        state
            .store
            .headcount_by_department(&p.scope_for(Permission::ViewHeadcount))
            .await
            .map_err(|e| caller.err(e))?
    } else {
        Vec::new()
    };
    let max_headcount = headcount
        .iter()
        .map(|h| h.headcount)
        .max()
        .unwrap_or(1)
        .max(1);
    let (accounts, failed_jobs) = if p.can(Permission::ManageAccounts) {
        let users = state.store.count_users().await.map_err(|e| caller.err(e))?;
        let failed = state
            .store
            .list_jobs(Some(JobStatus::Failed), 200)
            .await
            .map_err(|e| caller.err(e))?
            .len();
        (Some(users), Some(failed))
    } else {
        (None, None)
    };
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
