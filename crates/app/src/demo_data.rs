//! Loads the generated demo company into a store.

use anyhow::Context;
use demo::{DEMO_PASSWORD, DemoCompany, DemoScope};
use domain::ScopeKind;
use domain::account::{AccountRepository, NewUser};
use domain::audit::Actor;
use domain::org::OrgRepository;
use store::Store;

/// What `load_demo` did.
#[derive(Debug)]
pub enum DemoOutcome {
    /// The company was generated and written.
    Created { employees: usize },
    /// The database already had accounts; nothing was written.
    Reused,
}

/// Generates the company for `seed`/`employees` and writes it with one login per role,
/// unless the database already holds accounts.
pub async fn load_demo(
    store: &Store,
    seed: u64,
    employees: usize,
) -> anyhow::Result<(DemoOutcome, DemoCompany)> {
    let company = demo::generate(seed, employees);
    if store.count_users().await? > 0 {
        return Ok((DemoOutcome::Reused, company));
    }
    let actor = Actor::system();
    store
        .load_demo_company(&company, &actor)
        .await
        .context("writing the demo company")?;
    let hash = tokio::task::spawn_blocking(|| web::auth::hash_password(DEMO_PASSWORD)).await??;
    for account in &company.accounts {
        let employee_id = match &account.employee_no {
            Some(no) => store.find_employee_id(no).await?,
            None => None,
        };
        let mut grants = Vec::new();
        for (role, scope) in &account.grants {
            let scope = match scope {
                DemoScope::SelfOnly => ScopeKind::SelfOnly,
                DemoScope::Company => ScopeKind::Company,
                DemoScope::Department(code) => {
                    let dept = store
                        .find_department_by_code(code)
                        .await?
                        .with_context(|| format!("demo department {code}"))?;
                    ScopeKind::Department(dept.id)
                }
            };
            grants.push((*role, scope));
        }
        let user = NewUser {
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            password_hash: hash.clone(),
            employee_id,
            grants,
        };
        store.create_user(&user, &actor).await?;
    }
    Ok((
        DemoOutcome::Created {
            employees: company.employees.len(),
        },
        company,
    ))
}
