//! The home page's overview: what each person sees first after signing in.

use crate::Context;
use crate::access::apply_contact_mask;
use domain::account::AccountRepository;
use domain::jobs::{JobRepository, JobStatus};
use domain::org::{DepartmentHeadcount, Employee, OrgRepository};
use domain::{DataScope, DomainResult, Permission, Principal};

/// The caller's overview: their own employee record, headcount by department within
/// their headcount scope, and for account managers the number of accounts and of
/// failed background jobs (among the last 200).
pub struct Overview {
    pub profile: Option<Employee>,
    pub headcount: Vec<DepartmentHeadcount>,
    pub accounts: Option<i64>,
    pub failed_jobs: Option<usize>,
}

/// The caller's overview; each part only where their permissions reach.
pub async fn overview(ctx: &Context, caller: &Principal) -> DomainResult<Overview> {
    let profile = match caller.employee_id {
        Some(id) => {
            let own = DataScope {
                own_employee_id: Some(id),
                ..DataScope::default()
            };
            let mut e = ctx.store.get_employee(&own, id).await?;
            apply_contact_mask(caller, &mut e);
            Some(e)
        }
        None => None,
    };
    let headcount = if caller.can(Permission::ViewHeadcount) {
        ctx.store
            .headcount_by_department(&caller.scope_for(Permission::ViewHeadcount))
            .await?
    } else {
        Vec::new()
    };
    let (accounts, failed_jobs) = if caller.can(Permission::ManageAccounts) {
        let users = ctx.store.count_users().await?;
        let failed = ctx
            .store
            .list_jobs(Some(JobStatus::Failed), 200)
            .await?
            .len();
        (Some(users), Some(failed))
    } else {
        (None, None)
    };
    Ok(Overview {
        profile,
        headcount,
        accounts,
        failed_jobs,
    })
}
