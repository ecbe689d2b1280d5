//! Certificates issued on completion: PDF, public verification, revocation, expiry;
//! learning hours and credits against the position's requirement, within scope.

use crate::db_test;
use crate::surveys::run_program;
use domain::audit::Actor;
use domain::certificates::{CertificateStanding, masked_name};
use domain::operations::ProgramStatus;
use domain::org::OrgRepository;
use domain::{DataScope, Page};
use store::prelude::*;
use time::OffsetDateTime;

fn today() -> time::Date {
    OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date()
}

db_test!(
    certificates_come_with_completion_and_can_be_verified,
    |app| {
        let run = run_program(&app, "CT-1", 6.0, 2.0, false, Some(12)).await;
        let system = Actor::system();
        let outcome = app
            .store
            .set_program_status(run.program, ProgramStatus::Closed, &system)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((outcome.completed, outcome.incomplete), (2, 1));
        let mine = app
            .store
            .employee_certificates(run.learners[0])
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.program_id == run.program)
            .expect("completion issues a certificate");
        let year = mine.issued_on.year();
        assert_eq!(mine.number, format!("SB-{year}-{:06}", mine.id));
        assert_eq!(
            mine.expires_on,
            Some(domain::certificates::expiry_after(mine.issued_on, 12))
        );
        assert_eq!(mine.token.len(), 32);
        assert!(
            app.store
                .employee_certificates(run.learners[2])
                .await
                .unwrap()
                .iter()
                .all(|c| c.program_id != run.program),
            "the absent learner gets none"
        );

        // The holder downloads the PDF; program staff may too; others do not see it.
        let (holder, _) = app.login("employee").await;
        let res = holder
            .get(app.url(&format!("/certificates/{}/pdf", mine.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let pdf = res.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(
            String::from_utf8_lossy(&pdf).contains(&format!("/certificates/verify/{}", mine.token))
                || pdf.windows(8).any(|w| w == b"STSong-L"),
            "the PDF uses the predefined CJK font"
        );
        let (staff, staff_csrf) = app.login("training").await;
        assert_eq!(
            app.page_status(&staff, &format!("/certificates/{}/pdf", mine.id))
                .await,
            200
        );
        let (other, _) = app.login("manager").await;
        assert_eq!(
            app.page_status(&other, &format!("/certificates/{}/pdf", mine.id))
                .await,
            404
        );
        // The holder lists it on their page and through the API.
        let page = app.page_text(&holder, "/my/learning").await;
        assert!(page.contains(&mine.number));

        // The public page: valid, with the name masked; no sign-in needed.
        let public = app.client();
        let verify = |token: String| {
            let public = public.clone();
            let url = app.url(&format!("/certificates/verify/{token}"));
            async move {
                let res = public.get(url).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        let (status, text) = verify(mine.token.clone()).await;
        assert_eq!(status, 200);
        assert!(text.contains("证书有效") && text.contains(&mine.number));
        assert!(text.contains(&masked_name(&mine.employee_name)));
        assert!(!text.contains(&mine.employee_name));
        assert_eq!(verify("0".repeat(32)).await.0, 404);

        // Revoked through the page: the public page says so, a second revoke is refused.
        let res = app
            .post_form(
                &staff,
                &format!("/certificates/{}/revoke", mine.id),
                &[("reason", "资料不实"), ("_csrf", staff_csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, text) = verify(mine.token.clone()).await;
        assert!(text.contains("证书已撤销"));
        let training = app.token("training").await;
        let api = app.client();
        let res = api
            .post(app.url(&format!("/api/v1/certificates/{}/revoke", mine.id)))
            .bearer_auth(&training)
            .header("content-type", "application/json")
            .body(r#"{"reason":"again"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        // A new one may be issued for the enrollment, once.
        let issue = || {
            api.post(app.url(&format!(
                "/api/v1/enrollments/{}/certificate",
                mine.enrollment_id
            )))
            .bearer_auth(&training)
            .send()
        };
        assert_eq!(issue().await.unwrap().status(), 201);
        assert_eq!(issue().await.unwrap().status(), 409);
        // Not for an incomplete enrollment.
        let incomplete = app
            .store
            .employee_enrollments(run.learners[2])
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.program_id == run.program)
            .unwrap();
        let res = api
            .post(app.url(&format!(
                "/api/v1/enrollments/{}/certificate",
                incomplete.id
            )))
            .bearer_auth(&training)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let audit = app.audit("certificate.").await;
        assert!(audit.items.iter().any(|e| e.action == "certificate.revoke"));
        assert!(audit.items.iter().any(|e| e.action == "certificate.issue"));
        // The holder's API list has both, with their standing.
        let list: serde_json::Value = api
            .get(app.url("/api/v1/me/certificates"))
            .bearer_auth(app.token("employee").await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let standings: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["program_id"] == run.program)
            .map(|c| c["standing"].as_str().unwrap())
            .collect();
        assert_eq!(standings.len(), 2);
        assert!(standings.contains(&"revoked") && standings.contains(&"valid"));
    }
);

db_test!(expiry_is_computed_and_listed, |app| {
    let today = today();
    // The demo's first customer-service program expires within the coming month, the
    // first quality program's certificates have expired.
    let expiring = app.store.certificates_expiring(31, today).await.unwrap();
    assert!(!expiring.is_empty());
    for c in &expiring {
        let expiry = c.expires_on.unwrap();
        assert!(expiry > today && expiry <= today + time::Duration::days(31));
        assert_eq!(c.standing(today), CertificateStanding::Valid);
    }
    assert!(expiring.iter().any(|c| c.program_code == "CS-2025-01"));
    let qa = app.store.program_id("QA-2025-01").await.unwrap();
    let expired = app
        .store
        .list_certificates(
            &DataScope::company(),
            &domain::certificates::CertificateFilter {
                program_id: Some(qa),
                ..Default::default()
            },
            today,
            Page::default(),
        )
        .await
        .unwrap();
    assert!(expired.total > 0);
    assert!(
        expired
            .items
            .iter()
            .all(|c| c.standing(today) == CertificateStanding::Expired)
    );
    // The same list through the API and the page, and its export.
    let res: serde_json::Value = app
        .client()
        .get(app.url("/api/v1/certificates?expiring_within_days=31&per_page=200"))
        .bearer_auth(app.token("training").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["total"], expiring.len() as i64);
    assert!(
        res["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["standing"] == "valid")
    );
    let (staff, _) = app.login("training").await;
    let page = app.page_text(&staff, "/certificates?within=31").await;
    assert!(page.contains(&expiring[0].number));
    let xlsx = staff
        .get(app.url("/certificates/export.xlsx?within=31"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
});

db_test!(credits_count_completed_programs_within_scope, |app| {
    let year = today().year();
    let me = crate::surveys::three_learners(&app).await[0];
    let before = app.store.person_credits(me, year).await.unwrap();
    // 6 hours with 2 credits, and 5 hours of a program without credits (counted as 5).
    for (code, hours, credits) in [("CR-1", 6.0, 2.0), ("CR-2", 5.0, 0.0)] {
        let run = run_program(&app, code, hours, credits, false, None).await;
        app.store
            .set_program_status(run.program, ProgramStatus::Closed, &Actor::system())
            .await
            .unwrap();
    }
    let employee = app.token("employee").await;
    let api = app.client();
    let mine = app
        .get_json(&employee, &format!("/api/v1/me/credits?year={year}"))
        .await;
    assert_eq!(mine["hours"].as_f64().unwrap(), before.hours + 11.0);
    assert_eq!(mine["credits"].as_f64().unwrap(), before.credits + 7.0);
    assert_eq!(mine["programs"].as_i64().unwrap(), before.programs + 2);

    // The requirement of the position, set through the API, drives the shortfall filter.
    let person = app
        .store
        .get_employee(&DataScope::company(), me)
        .await
        .unwrap();
    let position = app
        .store
        .position_requirements()
        .await
        .unwrap()
        .into_iter()
        .find(|p| Some(p.id) == person.position_id)
        .unwrap();
    let training = app.token("training").await;
    let set = |credits: f64| {
        api.put(app.url(&format!(
            "/api/v1/positions/{}/credit-requirement",
            position.code
        )))
        .bearer_auth(&training)
        .header("content-type", "application/json")
        .body(format!(r#"{{"annual_credits":{credits}}}"#))
        .send()
    };
    let earned = before.credits + 7.0;
    assert_eq!(set(earned + 10.0).await.unwrap().status(), 204);
    let below = |who: String| {
        let url = app.url(&format!(
            "/api/v1/credits?year={year}&below_requirement=true&q={}",
            person.employee_no
        ));
        let api = api.clone();
        async move {
            let res = api.get(url).bearer_auth(who).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let listed = below(training.clone()).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(
        listed["items"][0]["required"].as_f64().unwrap(),
        earned + 10.0
    );
    assert_eq!(listed["items"][0]["credits"].as_f64().unwrap(), earned);
    assert_eq!(set(earned).await.unwrap().status(), 204);
    assert_eq!(below(training.clone()).await["total"], 0, "met exactly");
    assert_eq!(set(-1.0).await.unwrap().status(), 422);

    // A manager sees their subtree only; an employee sees no report.
    let manager = app.token("manager").await;
    let all = app
        .get_json(
            &training,
            &format!("/api/v1/credits?year={year}&per_page=1"),
        )
        .await;
    let theirs = app
        .get_json(
            &manager,
            &format!("/api/v1/credits?year={year}&per_page=200"),
        )
        .await;
    assert!(theirs["total"].as_i64().unwrap() < all["total"].as_i64().unwrap());
    let prod1 = app.department("PROD1").await;
    let departments = app
        .store
        .list_departments(&DataScope::company())
        .await
        .unwrap();
    let inside: Vec<&str> = departments
        .iter()
        .filter(|d| d.path.starts_with(&prod1.path))
        .map(|d| d.name.as_str())
        .collect();
    for line in theirs["items"].as_array().unwrap() {
        assert!(inside.contains(&line["department"].as_str().unwrap()));
    }
    let east = app.department("MKT-EAST").await;
    let outside = format!("/api/v1/credits?year={year}&department_id={}", east.id);
    let res = app.get_json(&manager, &outside).await;
    assert_eq!(res["total"], 0);
    assert_eq!(
        api.get(app.url("/api/v1/credits"))
            .bearer_auth(&employee)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // The page and its export, for the manager.
    let (browser, _) = app.login("manager").await;
    let page = browser
        .get(app.url(&format!("/credits?year={year}&below=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let xlsx = browser
        .get(app.url(&format!("/credits/export.xlsx?year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    // The learner's own page shows this year's figures.
    let (mine_page, _) = app.login("employee").await;
    let text = app.page_text(&mine_page, "/my/learning").await;
    assert!(text.contains("<progress"));
});
