//! Loads the demo's hand-raised training needs (see `demo::needs`) and replays the
//! decisions that bring each to its state, as the logins involved.

use anyhow::Context;
use demo::DemoCompany;
use demo::needs::{DemoFate, DemoPeople};
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::need_approvals::{Decider, Decision, MergeRequest, NeedInput, PeopleChoice, Requester};
use domain::needs::Urgency;
use domain::operations::ProgramFilter;
use domain::{Page, Permission, Principal, Role};
use store::Store;
use store::prelude::*;

async fn principal(store: &Store, username: &str) -> anyhow::Result<Principal> {
    let user = store
        .find_credentials(username)
        .await?
        .with_context(|| format!("demo login {username}"))?
        .user_id;
    Ok(store.load_principal(user).await?)
}

fn actor(p: &Principal) -> Actor {
    Actor {
        user_id: Some(p.user_id),
        name: p.username.clone(),
        ip: None,
    }
}

fn decider(p: &Principal) -> Decider {
    let training_admin = p.has_role(Role::TrainingAdmin);
    Decider {
        user_id: p.user_id,
        training_admin,
        delegate: training_admin || p.has_role(Role::SystemAdmin),
    }
}

/// Decides the current step of `need` as its approver (a step whose approver cannot
/// sign in, or a training-admin step, is decided by the training login).
async fn decide(
    store: &Store,
    training: &Principal,
    need: i64,
    decision: Decision,
    reason: &str,
) -> anyhow::Result<()> {
    let approval = store.need_approval(need).await?;
    let step = approval
        .current_step()
        .with_context(|| format!("demo need {need} has no current step"))?;
    let who = match step.approver_user_id {
        Some(user) => store.load_principal(user).await?,
        None => training.clone(),
    };
    store
        .decide_step(step.id, decision, reason, &decider(&who), &actor(&who))
        .await?;
    Ok(())
}

/// Raises the demo needs and brings each to its demo state.
pub async fn load_needs(store: &Store, seed: u64, company: &DemoCompany) -> anyhow::Result<()> {
    let employee_no = company
        .accounts
        .iter()
        .find(|a| a.username == "employee")
        .and_then(|a| a.employee_no.clone())
        .context("the demo employee login")?;
    let training = principal(store, "training").await?;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0)?)
        .date();
    let mut merges: Vec<(&'static str, i64)> = Vec::new();
    for need in demo::needs::generate(seed, &company.employees, &employee_no) {
        let who = principal(store, need.raised_by).await?;
        let requester = Requester {
            user_id: Some(who.user_id),
            employee_id: who.employee_id,
            scope: who.scope_for(Permission::ManageTrainingNeeds),
        };
        let input = NeedInput {
            title: need.title.clone(),
            skill_code: need.skill.map(str::to_string),
            problem: need.problem.into(),
            people: match &need.people {
                DemoPeople::Myself => PeopleChoice::Myself,
                DemoPeople::Employees(numbers) => PeopleChoice::Employees {
                    numbers: numbers.clone(),
                },
            },
            urgency: Urgency::parse(need.urgency)?,
            reason: need.reason.into(),
            estimated_cost: need.estimated_cost,
            wanted_by: need.wanted_in_days.map(|d| today + time::Duration::days(d)),
        };
        let id = store
            .raise_need(&input, &requester, &actor(&who))
            .await
            .with_context(|| format!("demo need {}", need.title))?;
        let approvals = match need.fate {
            DemoFate::AtManager => 0,
            DemoFate::AtTrainingAdmin => 1,
            DemoFate::AtDepartmentHead => 2,
            DemoFate::Rejected(reason) => {
                decide(store, &training, id, Decision::Reject, reason).await?;
                0
            }
            DemoFate::SentBack(reason) => {
                decide(store, &training, id, Decision::SendBack, reason).await?;
                0
            }
            DemoFate::MergedInto(program) => {
                merges.push((program, id));
                usize::MAX
            }
        };
        let mut done = 0;
        while done < approvals && store.need_approval(id).await?.current_step().is_some() {
            decide(store, &training, id, Decision::Approve, "").await?;
            done += 1;
        }
    }
    let mut programs: Vec<&'static str> = merges.iter().map(|m| m.0).collect();
    programs.dedup();
    for code in programs {
        let filter = ProgramFilter {
            q: Some(code.into()),
            ..ProgramFilter::default()
        };
        let program = store
            .list_programs(&filter, Page::default())
            .await?
            .items
            .into_iter()
            .find(|p| p.code == code)
            .with_context(|| format!("demo program {code}"))?;
        let request = MergeRequest {
            need_ids: merges.iter().filter(|m| m.0 == code).map(|m| m.1).collect(),
            program_id: Some(program.id),
            code: None,
            title: None,
        };
        store.merge_needs(&request, &actor(&training)).await?;
    }
    Ok(())
}
