//! The demo company's resource library: enough resources, the headline micro-course,
//! supply gaps and lifecycle flags for the reports to show, ratings.

use crate::db_test;
use domain::Page;
use domain::library::{ResourceFilter, ResourceKind, ResourceStatus};
use store::prelude::*;

db_test!(library_demo, with_library, |app| {
    let all = app
        .store
        .list_resources(&ResourceFilter::default(), Page::default())
        .await
        .unwrap();
    assert!(all.total >= 250, "{} resources", all.total);

    let found = app
        .store
        .list_resources(
            &ResourceFilter {
                q: Some(demo::library::TROUBLESHOOTING_TITLE.into()),
                kind: Some(ResourceKind::MicroCourse),
                ..ResourceFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    let detail = app.store.resource_detail(found.items[0].id).await.unwrap();
    assert_eq!(detail.summary.title, demo::library::TROUBLESHOOTING_TITLE);
    assert_eq!(detail.summary.status, ResourceStatus::Published);
    let parts = detail.micro_course.expect("micro-course parts");
    assert!(parts.problem.contains("液压"), "{}", parts.problem);
    assert!(parts.case.contains("折弯机"), "{}", parts.case);
    assert!(parts.solution.contains("第一步"), "{}", parts.solution);
    assert_eq!(parts.skill_code.as_deref(), Some("EQ-TROUBLE"));
    assert!(detail.summary.ratings > 0 || detail.views > 0);
    assert!(detail.views > 0 && !detail.comments.is_empty());

    let gaps = app.store.supply_gaps().await.unwrap();
    let gap_skills: Vec<&str> = gaps.skills.iter().map(|g| g.skill_code.as_str()).collect();
    for skill in ["SA-NEGO", "EQ-PLC", "QA-SPC"] {
        assert!(gap_skills.contains(&skill), "{skill} in {gap_skills:?}");
    }
    assert!(!gap_skills.contains(&"EQ-TROUBLE"), "{gap_skills:?}");

    let report = app
        .store
        .lifecycle_report(6, 3, demo::library::usage_end())
        .await
        .unwrap();
    assert!(!report.is_empty(), "some resources are rarely used");
    assert!(
        report.len() < all.total as usize / 4,
        "{} flagged",
        report.len()
    );

    let rated = app
        .store
        .list_resources(
            &ResourceFilter {
                status: Some(ResourceStatus::Published),
                ..ResourceFilter::default()
            },
            Page {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .unwrap();
    assert!(rated.items.iter().any(|r| r.ratings > 0));
    let packs = app.store.list_packs().await.unwrap();
    assert!((3..=5).contains(&packs.len()));
    assert!(packs.iter().all(|p| p.items.len() >= 3));
    let pending = app.store.pending_comments(Page::default()).await.unwrap();
    assert!(pending.total > 0);
});
