//! The demo company's HR history: after loading, an HR export moves a few people (three
//! transfers, two position changes) through the real employee import, so the demo shows
//! job history, domain events and their audit entries, and every employee gets the
//! login the import provisions.

use domain::audit::Actor;
use domain::org::EmployeeStatus;
use service::imports::{EmployeeImportRequest, Employees, import_employees};
use std::fmt::Write as _;
use store::prelude::*;

/// Applies the demo's HR export; returns what it did, in words.
pub async fn apply_demo_hr_changes(store: &store::Store) -> anyhow::Result<String> {
    let ctx = service::Context::new(store.clone(), service::Settings::default());
    let snapshot = store.sync_snapshot().await?;
    let departments = store
        .list_departments(&domain::DataScope::company())
        .await?;
    let known = store.import_known().await?;
    let mut positions: Vec<(String, i64)> = store
        .sync_snapshot()
        .await?
        .positions
        .into_keys()
        .filter_map(|id| {
            known
                .positions
                .iter()
                .find(|(_, v)| **v == id)
                .map(|(k, _)| (k.clone(), id))
        })
        .collect();
    positions.sort();
    let active: Vec<_> = snapshot
        .employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active && e.position_id.is_some())
        .collect();
    anyhow::ensure!(
        active.len() >= 40 && departments.len() >= 2 && positions.len() >= 2,
        "the demo company is too small for its HR history"
    );
    let code_of = |id: i64| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.code.clone())
            .unwrap_or_default()
    };
    let mut file = String::from("工号,姓名,部门,岗位\n");
    // Three transfers to the next department in code order.
    for e in active.iter().step_by(13).take(3) {
        let i = departments
            .iter()
            .position(|d| d.id == e.department_id)
            .unwrap_or(0);
        let to = &departments[(i + 1) % departments.len()];
        let _ = writeln!(file, "{},{},{},", e.employee_no, e.name, to.code);
    }
    // Two promotions: another position in the same department.
    for e in active.iter().skip(7).step_by(17).take(2) {
        let Some((key, _)) = positions.iter().find(|(_, id)| Some(*id) != e.position_id) else {
            continue;
        };
        let _ = writeln!(
            file,
            "{},{},{},{key}",
            e.employee_no,
            e.name,
            code_of(e.department_id)
        );
    }
    let request = EmployeeImportRequest::new(
        file.into_bytes(),
        "demo-hr-export.csv",
        false,
        Employees::default(),
    );
    let actor = Actor {
        user_id: None,
        name: "demo".into(),
        ip: None,
    };
    let report = import_employees(&ctx, None, request, &actor).await?;
    let outcome = report
        .outcome
        .ok_or_else(|| anyhow::anyhow!("the demo HR export was not written"))?;
    Ok(format!(
        "HR history: {} transfers and {} position changes; {} logins provisioned from employee records (no local password: reset one on Users to sign in locally)",
        outcome.diff.transfers.len(),
        outcome.diff.position_changes.len(),
        outcome.provisioned.created.len()
    ))
}
