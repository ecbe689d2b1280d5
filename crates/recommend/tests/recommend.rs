//! Behavior of the hybrid model on hand-built cases and on a small simulated company.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use recommend::sim::{SimConfig, generate};
use recommend::{
    BusinessReason, Catalog, Comparator, DuplicateResource, Event, EventKind, Gap, GapChain,
    GapReason, Improvement, Interactions, KpiTarget, Label, Lang, Model, PeerReason, PeopleMeta,
    PersonMeta, PersonProfile, Reason, Resource, ResourceId, ResourceKind, Scope, SkillLevel,
    TagMatch, Weights, level_fit, path_for_gap, refresh_all, render,
};

const AS_OF: i32 = 1_000;

fn resource(id: ResourceId, skill: u32, level: u8) -> Resource {
    Resource {
        id,
        title: format!("资源{id}").into(),
        kind: ResourceKind::Course,
        skills: vec![SkillLevel { skill, level }],
        business_tags: Vec::new(),
        positions: Vec::new(),
        published: 0,
        retired: false,
    }
}

fn chain(skill_name: &str) -> Arc<GapChain> {
    Arc::new(GapChain {
        kpi: None,
        task: None,
        skill_name: skill_name.to_owned(),
    })
}

fn gap(skill: u32, required: u8, current: u8, weight: f32) -> Gap {
    Gap {
        skill,
        required,
        current,
        weight,
        chain: chain(&format!("技能{skill}")),
    }
}

fn profile(person: u32, position: u32, gaps: Vec<Gap>) -> PersonProfile {
    PersonProfile {
        person,
        position: Label::new(position, format!("岗位{position}")),
        duty_tags: Vec::new(),
        project_tags: Vec::new(),
        gaps,
        scope: Scope::All,
    }
}

fn event(person: u32, resource: ResourceId, kind: EventKind, day: i32) -> Event {
    Event {
        person,
        resource,
        kind,
        day,
    }
}

fn ids(recs: &[recommend::Recommendation]) -> Vec<ResourceId> {
    recs.iter().map(|r| r.resource).collect()
}

/// The customer-service case of the issue: a complaint-rate KPI, the task
/// "problem solving", objection handling required at 3 and assessed at 1, a
/// micro-course at level 2 after which 12 colleagues in the position improved.
fn complaint_case(lang: Lang) -> (Catalog, Interactions, PeopleMeta, PersonProfile) {
    let (dept, kpi, task, skill) = match lang {
        Lang::Zh => ("客服部", "客户投诉率", "问题解决", "异议处理"),
        Lang::En => (
            "Customer Service",
            "complaint rate",
            "problem solving",
            "objection handling",
        ),
    };
    let mut course = resource(1, 7, 2);
    course.kind = ResourceKind::MicroCourse;
    let catalog = Catalog::new(vec![course, resource(2, 7, 1), resource(3, 8, 1)]).unwrap();
    let mut events = Vec::new();
    let mut people = Vec::new();
    for p in 100..112 {
        events.push(event(p, 1, EventKind::Completed, 500));
        people.push(PersonMeta {
            person: p,
            position: 3,
            improvements: vec![Improvement { skill: 7, day: 560 }],
        });
    }
    // Someone in another position also improved: not a peer.
    events.push(event(200, 1, EventKind::Completed, 500));
    people.push(PersonMeta {
        person: 200,
        position: 4,
        improvements: vec![Improvement { skill: 7, day: 520 }],
    });
    // Improved before completing: does not count.
    events.push(event(201, 1, EventKind::Completed, 500));
    people.push(PersonMeta {
        person: 201,
        position: 3,
        improvements: vec![Improvement { skill: 7, day: 400 }],
    });
    let gap = Gap {
        skill: 7,
        required: 3,
        current: 1,
        weight: 0.8,
        chain: Arc::new(GapChain {
            kpi: Some(KpiTarget {
                department: dept.to_owned(),
                kpi: kpi.to_owned(),
                comparator: Comparator::AtMost,
                target: 2.0,
                current: 3.1,
                unit: "%".to_owned(),
            }),
            task: Some(task.to_owned()),
            skill_name: skill.to_owned(),
        }),
    };
    (
        catalog,
        Interactions::new(events),
        PeopleMeta::new(people),
        profile(1, 3, vec![gap]),
    )
}

const ZH_CHAIN: &str = "客服部 客户投诉率目标 ≤ 2%(当前 3.1%)→ 岗位任务 问题解决 → 技能 异议处理(要求 3 级,你 1 级)→ 本微课覆盖 异议处理 2 级;同岗位 12 人学后该技能提升";
const EN_CHAIN: &str = "Customer Service: complaint rate target ≤ 2% (now 3.1%) → position task problem solving → skill objection handling (level 3 required, yours 1) → this micro-course covers objection handling at level 2; 12 people in the same position improved this skill after it";

#[test]
fn reason_chain_renders_exactly_in_both_languages() {
    for (lang, expected) in [(Lang::Zh, ZH_CHAIN), (Lang::En, EN_CHAIN)] {
        let (catalog, interactions, people, person) = complaint_case(lang);
        // Hand-built reason.
        let chain = person.gaps[0].chain.clone();
        let reason = Reason {
            gap: Some(GapReason {
                chain: chain.clone(),
                required: 3,
                current: 1,
                covered_level: 2,
                kind: ResourceKind::MicroCourse,
            }),
            peers: Some(PeerReason { people: 12, chain }),
            ..Reason::default()
        };
        assert_eq!(render(&reason, lang), expected);

        // The model finds the same chain, with the 12 same-position people who
        // improved after it; they also make it popular in the position.
        let model = Model::fit(&catalog, &interactions, &people, AS_OF, &Weights::default());
        let recs = model.recommend(&person, 5);
        assert_eq!(recs[0].resource, 1);
        assert_eq!(recs[0].reason.gap.as_ref(), reason.gap.as_ref());
        assert_eq!(recs[0].reason.peers.as_ref().map(|p| p.people), Some(12));
        let popular = match lang {
            Lang::Zh => ";同岗位热门",
            Lang::En => "; popular in your position",
        };
        assert_eq!(
            render(&recs[0].reason, lang),
            format!("{expected}{popular}")
        );
    }
}

#[test]
fn other_reason_parts_render() {
    let reason = Reason {
        business: Some(BusinessReason {
            position: Some("客服专员".into()),
            tag: Some(TagMatch::Project("新渠道上线".into())),
        }),
        also_taken_with: Some("投诉处理入门".into()),
        new: true,
        ..Reason::default()
    };
    assert_eq!(
        render(&reason, Lang::Zh),
        "适合岗位 客服专员;与你的项目 新渠道上线 相关;学过《投诉处理入门》的人也学了它;新上架"
    );
    assert_eq!(
        render(&reason, Lang::En),
        "suited to the position 客服专员; relevant to your project 新渠道上线; people who took “投诉处理入门” also took this; newly published"
    );
    assert_eq!(render(&Reason::default(), Lang::En), "");
}

#[test]
fn next_level_rule() {
    assert_eq!(level_fit(2, 1, 3), 1.0);
    assert_eq!(level_fit(3, 1, 3), 0.25);
    assert_eq!(level_fit(1, 1, 3), 0.0);
    assert_eq!(level_fit(0, 1, 3), 0.0);
    assert_eq!(level_fit(4, 1, 3), 0.0);

    let catalog = Catalog::new(vec![
        resource(1, 5, 1),
        resource(2, 5, 2),
        resource(3, 5, 3),
        resource(4, 5, 4),
    ])
    .unwrap();
    let model = Model::fit(
        &catalog,
        &Interactions::default(),
        &PeopleMeta::default(),
        AS_OF,
        &Weights::default(),
    );
    let recs = model.recommend(&profile(9, 1, vec![gap(5, 3, 1, 1.0)]), 10);
    assert_eq!(
        ids(&recs),
        vec![2, 3],
        "next level first, two up second, current level and far above never"
    );
    assert_eq!(recs[0].parts.gap, 1.0);
    assert_eq!(recs[1].parts.gap, 0.25);
    assert_eq!(
        recs[0].reason.gap.as_ref().map(|g| g.covered_level),
        Some(2)
    );
}

#[test]
fn never_completed_retired_not_interested_or_out_of_scope() {
    let mut catalog = Vec::new();
    for id in 1..=10 {
        catalog.push(resource(id, 5, 2));
    }
    catalog[2].retired = true; // id 3
    catalog[3].published = AS_OF + 5; // id 4: not yet published
    let catalog = Catalog::new(catalog).unwrap();
    let events = vec![
        event(9, 1, EventKind::Completed, 900),
        event(9, 2, EventKind::NotInterested, 950),
        // Someone else's history never excludes for this person.
        event(8, 5, EventKind::Completed, 900),
        // Completed after `as_of`: not yet known.
        event(9, 6, EventKind::Completed, AS_OF + 1),
    ];
    let model = Model::fit(
        &catalog,
        &Interactions::new(events),
        &PeopleMeta::default(),
        AS_OF,
        &Weights {
            max_per_skill: 100,
            ..Weights::default()
        },
    );
    let mut person = profile(9, 1, vec![gap(5, 3, 1, 1.0)]);
    person.scope = Scope::Allowed(Arc::new([1, 2, 3, 4, 5, 6, 7, 8].into_iter().collect()));
    let mut got = ids(&model.recommend(&person, 10));
    got.sort_unstable();
    assert_eq!(got, vec![5, 6, 7, 8]);
    person.scope = Scope::Predicate(Arc::new(|id| id % 2 == 0));
    let mut got = ids(&model.recommend(&person, 10));
    got.sort_unstable();
    assert_eq!(got, vec![6, 8, 10]);

    // The same on a simulated company, for everyone.
    let company = generate(&SimConfig {
        people: 600,
        resources: 500,
        seed: 21,
        ..SimConfig::default()
    });
    // Past the last completion day, so every completion is known to the model.
    let as_of = company.config.days + 5;
    let model = Model::fit(
        &company.catalog,
        &company.interactions,
        &company.people,
        as_of,
        &Weights::default(),
    );
    let mut seen: HashMap<u32, HashSet<ResourceId>> = HashMap::new();
    for e in &company.interactions.events {
        if matches!(e.kind, EventKind::Completed | EventKind::NotInterested) {
            seen.entry(e.person).or_default().insert(e.resource);
        }
    }
    let mut profiles = company.profiles_at_end.clone();
    for p in &mut profiles {
        p.scope = Scope::Predicate(Arc::new(|id| id % 3 != 0));
    }
    let all = refresh_all(&model, &profiles, 10, 2);
    let mut total = 0;
    for (p, recs) in profiles.iter().zip(&all) {
        for r in recs {
            let res = company.catalog.get(r.resource).unwrap();
            assert!(!res.retired && res.published <= as_of);
            assert!(r.resource % 3 != 0, "out of scope");
            assert!(
                !seen.get(&p.person).is_some_and(|s| s.contains(&r.resource)),
                "completed or rejected"
            );
            total += 1;
        }
    }
    assert!(total > 5 * profiles.len(), "people do get recommendations");
}

#[test]
fn per_skill_cap_holds() {
    let mut catalog = Vec::new();
    for id in 1..=20 {
        catalog.push(resource(id, 1, 2));
    }
    for id in 21..=25 {
        catalog.push(resource(id, 2, 2));
    }
    for id in 26..=30 {
        catalog.push(resource(id, 3, 2));
    }
    let catalog = Catalog::new(catalog).unwrap();
    let model = Model::fit(
        &catalog,
        &Interactions::default(),
        &PeopleMeta::default(),
        AS_OF,
        &Weights::default(),
    );
    // Skill 1's gap is by far the heaviest, yet it gets at most three places.
    let person = profile(
        9,
        1,
        vec![gap(1, 3, 1, 1.0), gap(2, 3, 1, 0.2), gap(3, 3, 1, 0.1)],
    );
    let recs = model.recommend(&person, 10);
    assert_eq!(recs.len(), 9, "three skills × at most three");
    for skill in 1..=3 {
        let n = recs
            .iter()
            .filter(|r| catalog.get(r.resource).unwrap().skills[0].skill == skill)
            .count();
        assert_eq!(n, 3, "skill {skill}");
    }
    // Diversity penalty: the second item of a skill pays it once, the third twice.
    let penalties: Vec<f32> = recs
        .iter()
        .filter(|r| catalog.get(r.resource).unwrap().skills[0].skill == 1)
        .map(|r| r.parts.diversity_penalty)
        .collect();
    assert_eq!(penalties, vec![0.0, 0.15, 0.3]);

    // On a simulated company, nobody gets more than three items of one main skill
    // among items covering a gap skill.
    let company = generate(&SimConfig {
        people: 400,
        resources: 400,
        seed: 22,
        ..SimConfig::default()
    });
    let model = Model::fit(
        &company.catalog,
        &company.interactions,
        &company.people,
        730,
        &Weights::default(),
    );
    for (p, recs) in
        company
            .profiles_at_end
            .iter()
            .zip(refresh_all(&model, &company.profiles_at_end, 10, 1))
    {
        for g in &p.gaps {
            let n = recs
                .iter()
                .filter(|r| {
                    r.parts.gap > 0.0
                        && r.reason
                            .gap
                            .as_ref()
                            .is_some_and(|x| Arc::ptr_eq(&x.chain, &g.chain))
                })
                .count();
            assert!(n <= 3, "person {} skill {}: {n}", p.person, g.skill);
        }
    }
}

#[test]
fn time_decay_makes_old_interactions_count_less() {
    let catalog = Catalog::new((1..=4).map(|id| resource(id, 1, 1)).collect()).unwrap();
    let events = vec![
        event(1, 1, EventKind::Completed, AS_OF - 10),
        event(2, 2, EventKind::Completed, AS_OF - 400),
        // Pairs: 3 with 1 recently (twice), 3 with 2 long ago (twice).
        event(3, 3, EventKind::Completed, AS_OF - 12),
        event(3, 1, EventKind::Completed, AS_OF - 11),
        event(4, 4, EventKind::Completed, AS_OF - 402),
        event(4, 2, EventKind::Completed, AS_OF - 401),
    ];
    let model = Model::fit(
        &catalog,
        &Interactions::new(events),
        &PeopleMeta::default(),
        AS_OF,
        &Weights::default(),
    );
    // 1 and 2 were each completed twice, 1 recently and 2 long ago.
    let (recent, old) = (model.popularity(1).unwrap(), model.popularity(2).unwrap());
    assert!(
        recent > 0.0 && old > 0.0 && recent > 2.0 * old,
        "{recent} vs {old}"
    );
    let sim = |a: ResourceId, b: ResourceId| {
        model
            .similar(a)
            .into_iter()
            .find(|e| e.0 == b)
            .map(|e| e.1)
            .unwrap()
    };
    assert!(
        sim(3, 1) > sim(4, 2),
        "a recent pair is more similar than an old one"
    );

    // With no decay, the two are equal.
    let flat = Weights {
        half_life_days: 0.0,
        ..Weights::default()
    };
    let events = vec![
        event(1, 1, EventKind::Completed, AS_OF - 10),
        event(2, 2, EventKind::Completed, AS_OF - 400),
    ];
    let model = Model::fit(
        &catalog,
        &Interactions::new(events),
        &PeopleMeta::default(),
        AS_OF,
        &flat,
    );
    assert_eq!(model.popularity(1), model.popularity(2));
}

#[test]
fn peers_count_same_position_improvements_within_the_window() {
    let (catalog, interactions, people, _) = complaint_case(Lang::Zh);
    let model = Model::fit(&catalog, &interactions, &people, AS_OF, &Weights::default());
    assert_eq!(model.peer_uses(3, 7), vec![(1, 12)]);
    assert_eq!(model.peer_uses(4, 7), vec![(1, 1)]);
    let narrow = Weights {
        peer_window_days: 30,
        ..Weights::default()
    };
    let model = Model::fit(&catalog, &interactions, &people, AS_OF, &narrow);
    assert!(
        model.peer_uses(3, 7).is_empty(),
        "improved 60 days after: outside a 30-day window"
    );
    assert_eq!(model.peer_uses(4, 7), vec![(1, 1)]);
}

#[test]
fn learning_path_goes_level_by_level() {
    let mut retired = resource(5, 4, 2);
    retired.retired = true;
    let mut broad = resource(6, 4, 1);
    broad.skills.push(SkillLevel { skill: 9, level: 1 });
    let catalog = Catalog::new(vec![
        resource(1, 4, 3),
        resource(2, 4, 1),
        retired,
        resource(3, 4, 2),
        broad,
        resource(7, 8, 1),
    ])
    .unwrap();
    let g = gap(4, 3, 0, 1.0);
    assert_eq!(path_for_gap(&g, &catalog), vec![2, 3, 1]);
    assert_eq!(path_for_gap(&gap(4, 3, 1, 1.0), &catalog), vec![3, 1]);
    let model = Model::fit(
        &catalog,
        &Interactions::default(),
        &PeopleMeta::default(),
        AS_OF,
        &Weights::default(),
    );
    assert_eq!(model.path_for_gap(&g, 2), vec![2, 6, 3, 1]);
}

#[test]
fn refresh_all_matches_one_by_one() {
    let company = generate(&SimConfig {
        people: 300,
        resources: 300,
        seed: 23,
        ..SimConfig::default()
    });
    let model = Model::fit(
        &company.catalog,
        &company.interactions,
        &company.people,
        730,
        &Weights::default(),
    );
    let profiles = &company.profiles_at_end;
    let parallel = refresh_all(&model, profiles, 10, 2);
    let single = refresh_all(&model, profiles, 10, 1);
    assert_eq!(parallel, single);
    for (p, recs) in profiles.iter().zip(&parallel).step_by(37) {
        assert_eq!(&model.recommend(p, 10), recs);
        // Scores come out in non-increasing order.
        assert!(recs.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

#[test]
fn a_newcomer_gets_gap_resources_and_catalogue_rejects_duplicates() {
    let catalog = Catalog::new(vec![resource(1, 2, 1), resource(2, 2, 2)]).unwrap();
    let model = Model::fit(
        &catalog,
        &Interactions::default(),
        &PeopleMeta::default(),
        AS_OF,
        &Weights::default(),
    );
    assert_eq!(
        ids(&model.recommend(&profile(77, 1, vec![gap(2, 2, 0, 0.3)]), 3)),
        vec![1, 2]
    );
    assert!(model.recommend(&profile(77, 1, Vec::new()), 3).is_empty());
    assert_eq!(
        Catalog::new(vec![resource(1, 2, 1), resource(1, 2, 2)]).unwrap_err(),
        DuplicateResource(1)
    );
}
