//! The decoding chain: tree, tracing back from a skill, target changes marking tasks.

use crate::db_test;
use store::prelude::*;

db_test!(
    targets_changes_are_audited_and_mark_tasks_for_review,
    |app| {
        let tree = app.store.decoding_tree().await.unwrap();
        assert_eq!(tree.len(), 1);
        let customer = tree[0]
            .objectives
            .iter()
            .find(|o| o.perspective.as_deref() == Some("customer"))
            .unwrap();
        let complaints = &customer.targets[0];
        assert_eq!(
            (
                complaints.kpi_code.as_str(),
                complaints.comparator.as_str(),
                complaints.target_value,
                complaints.period.as_str()
            ),
            ("COMPLAINT_RATE", "<=", 2.0, "2025Q3")
        );
        let steps: Vec<&str> = complaints.tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(steps, vec!["需求对接", "问题解决", "售后跟进"]);
        // The training admin tightens the target through the page.
        let (browser, csrf) = app.login("training").await;
        let res = app
            .post_form(
                &browser,
                &format!("/decoding/targets/{}", complaints.id),
                &[
                    ("comparator", "<="),
                    ("target_value", "1.5"),
                    ("_csrf", csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let tree = app.store.decoding_tree().await.unwrap();
        let target = tree[0]
            .objectives
            .iter()
            .flat_map(|o| &o.targets)
            .find(|t| t.id == complaints.id)
            .unwrap();
        assert_eq!(target.target_value, 1.5);
        assert!(
            target.tasks.iter().all(|t| t.needs_review),
            "downstream tasks need review"
        );
        let audit = app.audit("decoding.target_change").await;
        assert_eq!(audit.items[0].actor, "training");
        assert!(
            audit.items[0].before.as_deref().unwrap().contains("2.0")
                && audit.items[0].after.as_deref().unwrap().contains("1.5")
        );
        // Tracing back up from one skill shows only its chains.
        let html = app.page_text(&browser, "/decoding?skill=EQ-PLC").await;
        assert!(html.contains("预防性维护") && !html.contains("需求对接"));
        assert!(html.contains("待复核") || !html.contains("COMPLAINT"));
        let bad = app
            .post_form(
                &browser,
                &format!("/decoding/targets/{}", complaints.id),
                &[
                    ("comparator", "<>"),
                    ("target_value", "1"),
                    ("_csrf", csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(bad.status(), 422);
    }
);
