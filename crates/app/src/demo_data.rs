//! Loads the generated demo company into a store.

use anyhow::Context;
use demo::{DEMO_PASSWORD, DemoCompany, DemoScope};
use domain::ScopeKind;
use domain::account::{AccountRepository, NewUser};
use domain::audit::Actor;
use domain::org::OrgRepository;
use domain::performance::{Aggregation, Direction, KpiInput, KpiSource, Period};
use import::kpis::{Subject, ValueBatches, ValueRecord};
use store::Store;
use store::prelude::*;

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
    load_demo_with(store, seed, employees, true).await
}

/// [`load_demo`], with or without the resource library (tests of the library's own
/// rules start from an empty one).
pub async fn load_demo_with(
    store: &Store,
    seed: u64,
    employees: usize,
    library: bool,
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
    let hash =
        tokio::task::spawn_blocking(|| service::secrets::hash_password(DEMO_PASSWORD)).await??;
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
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0)?)
        .date();
    let mut operations = demo::operations::generate(seed, &company.employees, today);
    // The demo's instructor login teaches the equipment programs.
    if let Some(no) = company
        .accounts
        .iter()
        .find(|a| a.username == "instructor")
        .and_then(|a| a.employee_no.clone())
        && let Some(eq) = operations
            .instructors
            .iter_mut()
            .find(|i| i.code == "IN-EQ")
    {
        eq.employee_no = Some(no);
    }
    load_performance_history(store, seed, &company, &operations).await?;
    load_kpi_unit_values(store).await?;
    load_competency(store, seed, &company).await?;
    let decoding = store::DecodingSpec {
        strategy: demo::decoding::STRATEGY,
        objectives: demo::decoding::OBJECTIVES,
        targets: demo::decoding::TARGETS,
        tasks: demo::decoding::TASKS,
    };
    store.load_decoding(&decoding, &Actor::system()).await?;
    store.refresh_target_progress(None).await?;
    if library {
        let started = std::time::Instant::now();
        load_library(store, seed).await?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo resource library loaded"
        );
    }
    let started = std::time::Instant::now();
    load_operations(store, seed, &operations, library).await?;
    load_practice(store, seed, &operations, library).await?;
    crate::demo_needs::load_needs(store, seed, &company)
        .await
        .context("demo training needs")?;
    load_certification(store, seed, &company, &operations).await?;
    crate::demo_exams::load_exams(store, seed, &operations).await?;
    load_scheduling(store, &company, today)
        .await
        .context("demo scheduling plan")?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo training operations loaded"
    );
    load_notifications(
        store,
        &demo::notifications::generate(seed, &company.accounts),
    )
    .await?;
    Ok((
        DemoOutcome::Created {
            employees: company.employees.len(),
        },
        company,
    ))
}

/// What one unit of the business KPIs is worth per person and month, for ROI: a point
/// of complaint rate costs compensation and lost renewals, a point of defect rate
/// scrap and rework, an hour of downtime lost output, ¥10,000 of revenue its margin.
async fn load_kpi_unit_values(store: &Store) -> anyhow::Result<()> {
    let kpis = store.list_kpis().await?;
    for (code, value) in [
        ("COMPLAINT_RATE", 1500.0),
        ("DEFECT_RATE", 2000.0),
        ("DOWNTIME", 600.0),
        ("REVENUE", 1800.0),
        ("OUTPUT", 3.0),
    ] {
        if let Some(kpi) = kpis.iter().find(|k| k.code == code) {
            store
                .set_kpi_unit_value(kpi.id, Some(value), &Actor::system())
                .await?;
        }
    }
    Ok(())
}

/// Value batches prepared in memory (the demo history), handed to the store as a file's would be.
struct PreparedValues(std::vec::IntoIter<Vec<ValueRecord>>);

impl ValueBatches for PreparedValues {
    fn next_batch(&mut self) -> Option<Vec<ValueRecord>> {
        self.0.next()
    }

    fn writable(&self) -> bool {
        true
    }
}

/// The demo's KPI definitions and two years of monthly history.
async fn load_performance_history(
    store: &Store,
    seed: u64,
    company: &DemoCompany,
    operations: &demo::operations::DemoOperations,
) -> anyhow::Result<()> {
    let actor = Actor::system();
    let definitions: Vec<KpiInput> = demo::performance::KPIS
        .iter()
        .map(|k| -> anyhow::Result<KpiInput> {
            Ok(KpiInput {
                code: k.code.into(),
                name: k.name.into(),
                unit: Some(k.unit.into()),
                direction: Direction::parse(k.direction)?,
                aggregation: Aggregation::parse(k.aggregation)?,
                source_system: Some(k.source_system.into()),
                tolerance: if k.aggregation == "rate" {
                    Some(0.05)
                } else {
                    Some(0.0)
                },
                responsible_role: Some(domain::Role::TrainingAdmin),
                responsible_department_id: None,
                entry_deadline_day: Some(domain::performance::DEFAULT_DEADLINE_DAY),
                quarterly: k.source_system == "HR",
            })
        })
        .collect::<anyhow::Result<_>>()?;
    store.upsert_kpis(&definitions, "demo", &actor).await?;
    let refs = store.kpi_value_refs().await?;
    let mut records = Vec::new();
    let effects = demo::operations::kpi_effects(operations);
    for v in demo::performance::history_with(seed, &company.employees, &effects) {
        let (Some(employee), Some(kpi)) =
            (refs.employees.get(&v.employee_no), refs.kpis.get(v.kpi))
        else {
            anyhow::bail!("demo value for unknown {} / {}", v.employee_no, v.kpi);
        };
        records.push(ValueRecord {
            kpi_id: *kpi,
            subject: Subject::Employee(*employee),
            period: Period::parse(&v.period)?,
            value: v.value,
            source: KpiSource::parse(v.source)?,
            entered_at: Some(entered_on(&v.period, v.late)?),
        });
    }
    let batches: Vec<Vec<ValueRecord>> = records
        .chunks(import::kpis::BATCH)
        .map(<[ValueRecord]>::to_vec)
        .collect();
    store
        .import_kpi_values(&mut PreparedValues(batches.into_iter()), "demo", &actor)
        .await?;
    Ok(())
}

/// When a demo value was entered: the 3rd of the following month at 10:00 (UTC+8), or the
/// 12th when the generator made it late.
fn entered_on(period: &str, late: bool) -> anyhow::Result<time::OffsetDateTime> {
    let next = Period::parse(period)?.next();
    let day = if late { 12 } else { 3 };
    let date = time::Date::from_calendar_date(next.year, time::Month::try_from(next.month)?, day)?;
    Ok(date
        .with_hms(10, 0, 0)?
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0)?))
}

/// The demo's skill catalogue, competency models and assessments.
async fn load_competency(store: &Store, seed: u64, company: &DemoCompany) -> anyhow::Result<()> {
    use demo::competency::{AREAS, DESCRIPTORS, REQUIREMENTS, SKILLS};
    let actor = Actor::system();
    // Requirements that the decoded tasks already imply are derived from the tasks; the
    // rest stand as directly set models.
    let direct: Vec<_> = REQUIREMENTS
        .iter()
        .filter(|(position, skill, _, _)| {
            !demo::decoding::TASKS
                .iter()
                .any(|t| t.0 == *position && t.5.iter().any(|s| s.0 == *skill))
        })
        .copied()
        .collect();
    let catalog = store::SkillCatalog {
        areas: AREAS,
        skills: SKILLS,
        descriptors: serde_json::to_string(&DESCRIPTORS)?,
        requirements: &direct,
    };
    store.load_skill_catalog(&catalog, &actor).await?;
    let assessments = demo::competency::assessments(seed, &company.employees);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let inputs = assessments
        .iter()
        .map(|a| -> anyhow::Result<store::AssessmentInput<'_>> {
            Ok(store::AssessmentInput {
                employee_no: &a.employee_no,
                skill: a.skill,
                level: a.level,
                method: a.method,
                assessed_on: time::Date::parse(&a.date, format)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.record_assessments(&inputs, &actor).await?;
    Ok(())
}

/// The demo's resource library: vocabularies, resources taken through review by the
/// `reviewer` login, ratings, comments, a year of usage and scenario packs.
async fn load_library(store: &Store, seed: u64) -> anyhow::Result<()> {
    use demo::library::{CURATOR, LEARNERS, REVIEWER};
    use domain::library::{
        MicroCourseInput, ResourceInput, ResourceStatus, ScenarioPackInput, SkillLevel, TagRef,
        UsageEvent,
    };
    use std::collections::HashMap;
    let library = demo::library::generate(seed);
    let mut actors: HashMap<&str, Actor> = HashMap::new();
    for name in LEARNERS.iter().chain([&REVIEWER, &CURATOR]) {
        let user = store
            .find_credentials(name)
            .await?
            .with_context(|| format!("demo login {name}"))?;
        actors.insert(
            name,
            Actor {
                user_id: Some(user.user_id),
                name: (*name).to_string(),
                ip: None,
            },
        );
    }
    let actor = |name: &str| -> anyhow::Result<&Actor> {
        actors
            .get(name)
            .with_context(|| format!("demo login {name}"))
    };
    let curator = actor(CURATOR)?;
    let reviewer = actor(REVIEWER)?;
    for (kind, value) in demo::library::vocabulary() {
        store.create_tag(kind, value, curator).await?;
    }
    let mut ids = Vec::with_capacity(library.resources.len());
    for r in &library.resources {
        let author = actor(r.author)?;
        let input = ResourceInput {
            code: r.code.clone(),
            kind: r.kind,
            title: r.title.clone(),
            summary: r.summary.clone(),
            body: r.body.clone(),
            tier: r.tier,
            origin: r.origin,
            vendor: r.vendor.map(str::to_string),
            owner_user_id: None,
            estimated_minutes: r.minutes,
            tags: r
                .tags
                .iter()
                .map(|(kind, value)| TagRef::Value {
                    kind: *kind,
                    value: (*value).to_string(),
                })
                .collect(),
            skills: r
                .skills
                .iter()
                .map(|(code, level)| SkillLevel {
                    code: (*code).to_string(),
                    level: *level,
                })
                .collect(),
            positions: r.positions.iter().map(|p| (*p).to_string()).collect(),
        };
        let id = match &r.micro {
            Some(m) => {
                let micro = MicroCourseInput {
                    resource: input,
                    problem: m.problem.clone(),
                    case: m.case.clone(),
                    solution: m.solution.clone(),
                    need_id: None,
                    skill_code: Some(m.skill.to_string()),
                };
                store.create_micro_course(&micro, author).await?
            }
            None => store.create_resource(&input, author).await?,
        };
        ids.push(id);
        if r.status == ResourceStatus::Draft {
            continue;
        }
        store
            .change_status(id, ResourceStatus::InReview, None, author)
            .await?;
        if r.status == ResourceStatus::InReview {
            continue;
        }
        store
            .change_status(
                id,
                ResourceStatus::Published,
                Some("内容准确，同意发布"),
                reviewer,
            )
            .await?;
        if let Some(published) = r.published_at {
            store
                .backdate_resource(
                    id,
                    published - time::Duration::days(14),
                    Some(published),
                    curator,
                )
                .await?;
        }
    }
    let user_id = |name: &str| actor(name).map(|a| a.user_id);
    let events = library
        .events
        .iter()
        .map(|e| -> anyhow::Result<UsageEvent> {
            Ok(UsageEvent {
                resource_id: ids[e.resource],
                user_id: match e.user {
                    Some(name) => user_id(name)?,
                    None => None,
                },
                kind: e.kind,
                at: e.at,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.record_events(&events).await?;
    for rating in &library.ratings {
        let user = user_id(rating.user)?.context("demo learners have ids")?;
        store.rate(ids[rating.resource], user, rating.stars).await?;
    }
    for comment in &library.comments {
        let user = user_id(comment.user)?.context("demo learners have ids")?;
        store
            .add_comment(ids[comment.resource], user, comment.body, comment.pending)
            .await?;
    }
    for pack in &library.packs {
        let input = ScenarioPackInput {
            code: pack.code.to_string(),
            name: pack.name.to_string(),
            scenario_step: pack.scenario_step.clone(),
            description: pack.description.to_string(),
            resources: pack.resources.clone(),
        };
        store.create_pack(&input, curator).await?;
    }
    // Retired last: they were used (and rated) before they were taken out of use.
    for (r, id) in library.resources.iter().zip(&ids) {
        if r.status == ResourceStatus::Retired {
            store
                .change_status(
                    *id,
                    ResourceStatus::Retired,
                    Some("内容已过时，由新版资源替代"),
                    reviewer,
                )
                .await?;
        }
    }
    Ok(())
}

/// Plans, venues, instructors and programs with their sessions, learners, attendance
/// and completion (see `demo::operations`).
/// Credit requirements of positions, and reaction surveys with attendees' answers on
/// the sessions of the closed programs (their certificates came with completion).
async fn load_certification(
    store: &Store,
    seed: u64,
    company: &DemoCompany,
    ops: &demo::operations::DemoOperations,
) -> anyhow::Result<()> {
    use demo::operations::DemoStage;
    use domain::operations::AttendanceStatus;
    use domain::surveys::{Answer, AttachInput};
    let actor = Actor::system();
    for position in &company.positions {
        let credits = demo::certification::credit_requirement(&position.job_family);
        store
            .set_credit_requirement(&position.code, Some(credits), &actor)
            .await?;
    }
    let mut rng = demo::SplitMix64::new(seed ^ 0x5355_5256);
    for (index, p) in ops
        .programs
        .iter()
        .filter(|p| p.stage == DemoStage::Closed)
        .enumerate()
    {
        let program = store.program_id(&p.code).await?;
        let input = AttachInput {
            template_code: "REACTION-STD".into(),
            anonymous: demo::certification::anonymous(index),
            opens_at: None,
            closes_at: None,
        };
        store
            .attach_program_surveys(program, &input, &actor)
            .await?;
        for survey in store.program_surveys(program).await? {
            let session = store.session(survey.session_id).await?;
            let answered_at = session.ends_at + time::Duration::hours(2);
            for line in store.attendance_sheet(survey.session_id).await? {
                let attended = matches!(
                    line.status,
                    Some(AttendanceStatus::Present) | Some(AttendanceStatus::Late)
                );
                if !attended {
                    continue;
                }
                let Some((ratings, recommend, comment)) =
                    demo::certification::answers(&mut rng, p.real_effect != 0.0)
                else {
                    continue;
                };
                let mut answers: Vec<Answer> = ratings
                    .iter()
                    .enumerate()
                    .map(|(question, r)| Answer {
                        question,
                        rating: Some(*r),
                        choice: None,
                        text: None,
                    })
                    .collect();
                answers.push(Answer {
                    question: 4,
                    rating: None,
                    choice: Some(recommend.into()),
                    text: None,
                });
                answers.push(Answer {
                    question: 5,
                    rating: None,
                    choice: None,
                    text: comment.map(str::to_string),
                });
                store
                    .submit_survey(survey.id, line.employee_id, &answers, answered_at, &actor)
                    .await?;
            }
        }
    }
    Ok(())
}

async fn load_operations(
    store: &Store,
    seed: u64,
    ops: &demo::operations::DemoOperations,
    library: bool,
) -> anyhow::Result<()> {
    use demo::operations::DemoStage;
    use domain::operations::*;
    let actor = Actor::system();
    let china = time::UtcOffset::from_hms(8, 0, 0)?;
    for plan in &ops.plans {
        let input = PlanInput {
            code: plan.code.into(),
            name: plan.name.into(),
            period: plan.period.into(),
        };
        store.create_plan(&input, &actor).await?;
    }
    for v in &ops.venues {
        let input = VenueInput {
            code: v.code.into(),
            name: v.name.into(),
            site: v.site.into(),
            capacity: v.capacity,
            kind: VenueKind::parse(v.kind)?,
            equipment: v.equipment.into(),
        };
        store.create_venue(&input, &actor).await?;
    }
    for i in &ops.instructors {
        let input = InstructorInput {
            code: i.code.clone(),
            name: i.name.clone(),
            employee_number: i.employee_no.clone(),
            vendor: i.vendor.map(str::to_string),
            hourly_cost: i.hourly_cost,
            skills: i.skills.iter().map(|s| s.to_string()).collect(),
        };
        store.create_instructor(&input, &actor).await?;
    }
    let mut rng = demo::SplitMix64::new(seed ^ 0x4154_5444);
    for p in &ops.programs {
        let input = ProgramInput {
            code: p.code.clone(),
            title: p.title.clone(),
            plan_code: Some(p.plan.into()),
            objectives: p.objectives.into(),
            audience: AudienceRule {
                positions: p.positions.iter().map(|c| c.to_string()).collect(),
                ..AudienceRule::default()
            },
            capacity: p.capacity,
            hours: p.hours,
            credits: (p.hours / 3.0).round(),
            skills: p
                .skills
                .iter()
                .map(|(code, level)| ProgramSkill {
                    code: code.to_string(),
                    level: *level,
                })
                .collect(),
            resources: if library && p.code.starts_with("EQ-2026") {
                vec![demo::library::TROUBLESHOOTING_CODE.to_string()]
            } else {
                Vec::new()
            },
            instructors: p
                .sessions
                .iter()
                .map(|s| s.instructor.clone())
                .take(1)
                .collect(),
            costs: p
                .costs
                .iter()
                .map(|(kind, amount, note)| -> anyhow::Result<CostLine> {
                    Ok(CostLine {
                        kind: CostKind::parse(kind)?,
                        amount: *amount,
                        note: note.to_string(),
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            transfer: p.transfer.map(|(kpi, change_pct, months)| TransferGoal {
                kpi_code: kpi.into(),
                change_pct,
                months,
            }),
            min_attendance_pct: 80,
            cancel_deadline_hours: 24,
            survey_required: false,
            certificate_months: demo::certification::certificate_months(
                p,
                time::OffsetDateTime::now_utc().to_offset(china).date(),
            ),
            exam_required: false,
        };
        let id = store.create_program(&input, &actor).await?;
        let mut session_ids = Vec::new();
        for s in &p.sessions {
            let starts =
                time::PrimitiveDateTime::new(s.day, time::Time::from_hms(s.start_hour, 0, 0)?)
                    .assume_offset(china);
            let session = SessionInput {
                title: s.title.clone(),
                starts_at: starts,
                ends_at: starts + time::Duration::hours(i64::from(s.hours)),
                mode: SessionMode::Classroom,
                venue_code: s.venue.map(str::to_string),
                capacity: None,
                join_url: None,
                instructors: vec![s.instructor.clone()],
                // History is what it was, clashes and all.
                allow_conflicts: true,
            };
            session_ids.push(store.save_session(id, None, &session, &actor).await?.0);
        }
        let stage = match p.stage {
            DemoStage::Open => ProgramStatus::Open,
            DemoStage::Running | DemoStage::Closed => ProgramStatus::Running,
        };
        store.set_program_status(id, stage, &actor).await?;
        let numbers: Vec<String> = p.learners.clone();
        let learners = store
            .employees_in_scope(&numbers, &domain::DataScope::company())
            .await?;
        store
            .enroll(id, &learners, EnrollmentSource::Assigned, &actor)
            .await?;
        if p.stage == DemoStage::Closed {
            for session in &session_ids {
                let marks: Vec<(i64, AttendanceStatus)> = learners
                    .iter()
                    .map(|l| -> anyhow::Result<_> {
                        Ok((
                            *l,
                            AttendanceStatus::parse(demo::operations::attendance(&mut rng))?,
                        ))
                    })
                    .collect::<anyhow::Result<_>>()?;
                store
                    .roll_call(*session, &marks, AttendanceMethod::Generated, &actor)
                    .await?;
            }
            store
                .set_program_status(id, ProgramStatus::Closed, &actor)
                .await?;
        }
    }
    Ok(())
}

/// Practice after each closed program: a task per completed learner with their
/// manager as mentor, reports and scores, and the behavior ratings that have
/// fallen due; the best customer-service report becomes a library case.
async fn load_practice(
    store: &Store,
    seed: u64,
    ops: &demo::operations::DemoOperations,
    library: bool,
) -> anyhow::Result<()> {
    use demo::operations::DemoStage;
    use domain::practice::{
        MentorChoice, PracticeAssignment, PracticeFilter, RatingInput, ReportDecision, ReportReview,
    };
    let actor = Actor::system();
    let today = time::OffsetDateTime::now_utc().date();
    let mut rng = demo::SplitMix64::new(seed ^ 0x5052_4143);
    for p in ops.programs.iter().filter(|p| p.stage == DemoStage::Closed) {
        let (Some((title, description)), Some(last)) = (
            demo::practice::task_for(&p.code),
            p.sessions.iter().map(|s| s.day).max(),
        ) else {
            continue;
        };
        let worked = p.real_effect != 0.0;
        let id = store.program_id(&p.code).await?;
        let assignment = PracticeAssignment {
            title: title.into(),
            description: description.into(),
            due_on: last + time::Duration::days(30),
            mentor: MentorChoice::Manager,
            employee_numbers: Vec::new(),
        };
        store
            .assign_practice(id, &assignment, &domain::DataScope::company(), last, &actor)
            .await?;
        let filter = PracticeFilter {
            program_id: Some(id),
            ..PracticeFilter::default()
        };
        let tasks = store
            .list_practice_tasks(
                &filter,
                &domain::DataScope::company(),
                domain::Page::new(Some(1), Some(domain::Page::MAX_PER_PAGE)),
            )
            .await?
            .items;
        let mut best: Option<(i32, i64)> = None;
        for task in tasks {
            // One in ten never reports (overdue); the rest report.
            if rng.below(10) == 0 {
                continue;
            }
            let body = demo::practice::report(&mut rng, &p.code, worked);
            store.submit_practice_report(task.id, &body, &actor).await?;
            let review = match rng.below(20) {
                0 => continue, // still waiting for the mentor
                1 | 2 => ReportReview {
                    decision: ReportDecision::Returned,
                    score: None,
                    comment: "请补充执行前后的数据对比。".into(),
                },
                _ => ReportReview {
                    decision: ReportDecision::Accepted,
                    score: Some(demo::practice::score(&mut rng, worked)),
                    comment: "按要求完成。".into(),
                },
            };
            store
                .review_practice_report(task.id, &review, &actor)
                .await?;
            if let Some(score) = review.score
                && best.is_none_or(|(s, _)| score > s)
            {
                best = Some((score, task.id));
            }
        }
        for rating in store.program_behavior_ratings(id).await? {
            // Most raters answer once the rating falls due; some never do.
            if rating.due_on > today || rng.below(100) >= 85 {
                continue;
            }
            let input = RatingInput {
                rating: demo::practice::behavior(&mut rng, worked, rating.checkpoint_days),
                observation: String::new(),
            };
            store
                .rate_behavior(rating.id, &input, today, &actor)
                .await?;
        }
        // The division head of production (the demo's manager login) also mentors the
        // quality improvement of the second quality program's learners.
        if p.code == "QA-2025-02"
            && let Some(head) = store
                .find_department_by_code("PROD1")
                .await?
                .and_then(|d| d.head_employee_id)
        {
            let number = store
                .get_employee(&domain::DataScope::company(), head)
                .await?
                .employee_no;
            let follow_up = PracticeAssignment {
                title: "质量改进措施跟踪".into(),
                description: "把自检中发现的易错点整理成防错措施，请导师确认效果。".into(),
                due_on: today + time::Duration::days(21),
                mentor: MentorChoice::Colleague(number),
                employee_numbers: Vec::new(),
            };
            store
                .assign_practice(id, &follow_up, &domain::DataScope::company(), today, &actor)
                .await?;
            let mentored = PracticeFilter {
                program_id: Some(id),
                mentor_id: Some(head),
                ..PracticeFilter::default()
            };
            let waiting = store
                .list_practice_tasks(
                    &mentored,
                    &domain::DataScope::company(),
                    domain::Page::new(Some(1), Some(domain::Page::MAX_PER_PAGE)),
                )
                .await?
                .items;
            // Half have reported and wait for the manager's review.
            for task in waiting
                .iter()
                .filter(|t| t.title == follow_up.title)
                .step_by(2)
            {
                let body = demo::practice::report(&mut rng, &p.code, worked);
                store.submit_practice_report(task.id, &body, &actor).await?;
            }
        }
        if library
            && p.code.starts_with("CS")
            && let Some((score, task)) = best
            && score >= domain::practice::PROMOTION_MIN_SCORE
        {
            store.promote_practice_report(task, &actor).await?;
        }
    }
    Ok(())
}

/// The demo's webhook (inactive), people's opt-outs, and the reminders of sessions of
/// the next two days as the hourly job would have sent them.
async fn load_notifications(
    store: &Store,
    demo: &demo::notifications::DemoNotifications,
) -> anyhow::Result<()> {
    use domain::notifications::{Channel, NotificationKind, Preference, WebhookInput};
    let actor = Actor::system();
    for hook in &demo.webhooks {
        let input = WebhookInput {
            name: hook.name.into(),
            url: hook.url.into(),
            platform: hook.platform.into(),
            style: hook.style.into(),
            secret: hook.secret.clone(),
            kinds: hook.kinds.iter().map(|k| k.to_string()).collect(),
            active: hook.active,
        };
        store
            .create_webhook(&input.validated()?, &hook.secret, &actor)
            .await?;
    }
    for off in &demo.opt_outs {
        let Some(user) = store.find_credentials(&off.username).await? else {
            continue;
        };
        let change = Preference {
            kind: NotificationKind::parse(off.kind)?,
            channel: Channel::parse(off.channel)?,
            enabled: false,
        };
        store
            .set_notification_preferences(user.user_id, &[change], &actor)
            .await?;
    }
    let now = time::OffsetDateTime::now_utc();
    let due = store
        .due_session_reminders(now, time::Duration::hours(48))
        .await?;
    store.send_reminders(&due).await?;
    Ok(())
}

/// The scheduler's demo: venue rates and an owner, a company holiday next month, and
/// a plan for next month whose four draft programs all sit in the same morning (clashing
/// instructors, venues and learners, sessions out of order), so generating a timetable
/// shows a real improvement. Learners are people without a demo login, so no login's
/// inbox or calendar changes.
pub const SCHEDULING_PLAN: &str = "PLAN-SCHED";

async fn load_scheduling(
    store: &Store,
    company: &DemoCompany,
    today: time::Date,
) -> anyhow::Result<()> {
    use domain::operations::*;
    use domain::timetables::{CalendarBlockInput, CalendarBlockKind};
    let actor = Actor::system();
    let china = time::UtcOffset::from_hms(8, 0, 0)?;
    let venues = store.list_venues().await?;
    let trainer = company
        .accounts
        .iter()
        .find(|a| a.username == "training")
        .and_then(|a| a.employee_no.clone());
    for (code, rate) in [
        ("HQ-301", 200.0),
        ("HQ-HALL", 800.0),
        ("P1-LAB", 300.0),
        ("P2-ROOM", 100.0),
        ("EQ-LAB", 400.0),
    ] {
        if let Some(v) = venues.iter().find(|v| v.code == code) {
            let owner = (code == "HQ-301").then_some(trainer.as_deref()).flatten();
            store
                .set_venue_scheduling(v.id, rate, owner, &actor)
                .await?;
        }
    }
    // Next month: its first weekday opens the window.
    let (year, month) = match today.month() {
        time::Month::December => (today.year() + 1, time::Month::January),
        m => (today.year(), m.next()),
    };
    let mut first = time::Date::from_calendar_date(year, month, 1)?;
    while matches!(
        first.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    ) {
        first = first.next_day().context("date")?;
    }
    let mut holiday = first + time::Duration::days(2);
    while matches!(
        holiday.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    ) {
        holiday = holiday.next_day().context("date")?;
    }
    store
        .create_calendar_block(
            &CalendarBlockInput {
                starts_on: holiday,
                ends_on: holiday,
                department_code: None,
                kind: CalendarBlockKind::Holiday,
                note: "厂庆日".into(),
                daily_from: None,
                daily_to: None,
            },
            &actor,
        )
        .await?;
    store
        .create_plan(
            &PlanInput {
                code: SCHEDULING_PLAN.into(),
                name: "下月排期演示计划".into(),
                period: year.to_string(),
            },
            &actor,
        )
        .await?;
    let instructors: Vec<String> = store
        .list_instructors()
        .await?
        .into_iter()
        .map(|i| i.code)
        .collect();
    let teacher = |wanted: &str| -> String {
        if instructors.iter().any(|c| c == wanted) {
            wanted.to_string()
        } else {
            "EX-HYD".to_string()
        }
    };
    let with_login: std::collections::HashSet<&str> = company
        .accounts
        .iter()
        .filter_map(|a| a.employee_no.as_deref())
        .collect();
    let pool = |positions: &[&str]| -> Vec<String> {
        company
            .employees
            .iter()
            .filter(|e| e.status == "active" && positions.contains(&e.position_code.as_str()))
            .filter(|e| !with_login.contains(e.employee_no.as_str()))
            .map(|e| e.employee_no.clone())
            .collect()
    };
    let operators = pool(&["P-OP"]);
    let technicians = pool(&["E-TECH", "E-ENG"]);
    let quality = pool(&["Q-ENG", "Q-INSP", "P-TL"]);
    // (code, title, venue, instructors, sessions, learners): two programs share operators.
    type DemoProgram<'a> = (&'a str, &'a str, &'a str, Vec<String>, usize, Vec<String>);
    let programs: Vec<DemoProgram> = vec![
        (
            "SCH-LEAN",
            "精益生产基础",
            "HQ-301",
            vec![teacher("IN-TL")],
            3,
            operators.iter().take(20).cloned().collect(),
        ),
        (
            "SCH-5S",
            "5S 现场管理",
            "HQ-301",
            vec![teacher("IN-TL")],
            2,
            operators.iter().skip(10).take(20).cloned().collect(),
        ),
        (
            "SCH-PLC",
            "PLC 编程入门",
            "EQ-LAB",
            vec![teacher("IN-EQ"), teacher("EX-HYD")],
            3,
            technicians.iter().take(12).cloned().collect(),
        ),
        (
            "SCH-QC",
            "QC 七大手法",
            "P2-ROOM",
            vec![teacher("IN-QA")],
            2,
            quality.iter().take(15).cloned().collect(),
        ),
    ];
    let start =
        time::PrimitiveDateTime::new(first, time::Time::from_hms(9, 0, 0)?).assume_offset(china);
    for (code, title, venue, teachers, sessions, learners) in programs {
        let input = ProgramInput {
            code: code.into(),
            title: title.into(),
            plan_code: Some(SCHEDULING_PLAN.into()),
            objectives: String::new(),
            audience: AudienceRule::default(),
            capacity: Some(30),
            hours: 3.0 * sessions as f64,
            credits: 1.0,
            skills: Vec::new(),
            resources: Vec::new(),
            instructors: teachers.clone(),
            costs: Vec::new(),
            transfer: None,
            min_attendance_pct: 80,
            cancel_deadline_hours: 24,
            survey_required: false,
            certificate_months: None,
            exam_required: false,
        };
        let id = store.create_program(&input, &actor).await?;
        for n in 0..sessions {
            // Every session in the same morning: the unplaced state the scheduler fixes.
            let session = SessionInput {
                title: format!("{title} 第{}讲", n + 1),
                starts_at: start,
                ends_at: start + time::Duration::hours(3),
                mode: SessionMode::Classroom,
                venue_code: Some(venue.into()),
                capacity: None,
                join_url: None,
                instructors: vec![teachers[0].clone()],
                allow_conflicts: true,
            };
            store.save_session(id, None, &session, &actor).await?;
        }
        let ids = store
            .employees_in_scope(&learners, &domain::DataScope::company())
            .await?;
        store
            .enroll(id, &ids, EnrollmentSource::Assigned, &actor)
            .await?;
    }
    Ok(())
}
