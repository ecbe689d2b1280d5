//! The authorization matrix: every route × every role × in-scope / out-of-scope
//! record, with the expected status. A route without an entry fails the test.

use crate::db_test;
use crate::support::TestApp;
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::jobs::JobRepository;
use domain::org::OrgRepository;
use domain::{DataScope, Page, Role, ScopeKind};
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;

/// Callers, in the order of every `expect` array.
const CALLERS: [&str; 8] = [
    "anonymous",
    "admin",
    "training",
    "manager",
    "employee",
    "instructor",
    "reviewer",
    "executive",
];

#[derive(Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    Form(&'static [(&'static str, &'static str)]),
}

struct Probe {
    method: &'static str,
    /// The route as registered.
    route: &'static str,
    /// The request path; `{in}`, `{out}`, `{target}`, `{job}`, `{token}` are filled per probe.
    path: &'static str,
    body: Body,
    /// Expected status per caller, in `CALLERS` order.
    expect: [u16; 8],
}

const fn p(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    expect: [u16; 8],
) -> Probe {
    Probe {
        method,
        route,
        path,
        body,
        expect,
    }
}

// Shorthands: A = all signed-in callers get the status; anonymous gets `anon`.
const fn all(anon: u16, status: u16) -> [u16; 8] {
    [anon, status, status, status, status, status, status, status]
}
const fn admin_only(anon: u16, ok: u16) -> [u16; 8] {
    [anon, ok, 403, 403, 403, 403, 403, 403]
}

const fn admin_or_training(anon: u16, ok: u16) -> [u16; 8] {
    [anon, ok, ok, 403, 403, 403, 403, 403]
}

fn probes() -> Vec<Probe> {
    use Body::{Form, Json, None as NoBody};
    // Visibility of one PROD1 employee (in the manager's subtree) and one sales employee (outside it).
    const IN_SCOPE: [u16; 8] = [0, 200, 200, 200, 404, 404, 404, 200];
    const OUT_SCOPE: [u16; 8] = [0, 200, 200, 404, 404, 404, 404, 200];
    let with_anon = |mut e: [u16; 8], anon: u16| {
        e[0] = anon;
        e
    };
    vec![
        // Public.
        p("GET", "/healthz", "/healthz", NoBody, all(200, 200)),
        p("GET", "/readyz", "/readyz", NoBody, all(200, 200)),
        p("GET", "/metrics", "/metrics", NoBody, all(200, 200)),
        p(
            "GET",
            "/assets/{name}",
            "/assets/app.css",
            NoBody,
            all(200, 200),
        ),
        p(
            "GET",
            "/api/openapi.json",
            "/api/openapi.json",
            NoBody,
            all(200, 200),
        ),
        p("GET", "/api/docs", "/api/docs", NoBody, all(200, 200)),
        p("GET", "/login", "/login", NoBody, all(200, 303)),
        // Wrong password from one address: the sixth failure onwards is rate limited.
        p(
            "POST",
            "/login",
            "/login",
            Form(&[
                ("username", "matrix-nobody"),
                ("password", "wrong password"),
            ]),
            [403, 401, 401, 401, 401, 401, 429, 429],
        ),
        p(
            "POST",
            "/lang",
            "/lang",
            Form(&[("lang", "zh-CN"), ("back", "/")]),
            all(403, 303),
        ),
        // JSON API.
        p("GET", "/api/v1/me", "/api/v1/me", NoBody, all(401, 200)),
        p(
            "POST",
            "/api/v1/me/password",
            "/api/v1/me/password",
            Json(r#"{"current_password":"not it at all","new_password":"another password"}"#),
            all(401, 422),
        ),
        p(
            "GET",
            "/api/v1/me/tokens",
            "/api/v1/me/tokens",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/me/tokens",
            "/api/v1/me/tokens",
            Json(r#"{"name":"matrix"}"#),
            all(401, 201),
        ),
        p(
            "DELETE",
            "/api/v1/me/tokens/{id}",
            "/api/v1/me/tokens/{token}",
            NoBody,
            [401, 204, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/api/v1/employees",
            "/api/v1/employees",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}",
            "/api/v1/employees/{in}",
            NoBody,
            with_anon(IN_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}",
            "/api/v1/employees/{out}",
            NoBody,
            with_anon(OUT_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}/gaps",
            "/api/v1/employees/{in}/gaps",
            NoBody,
            with_anon(IN_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}/gaps",
            "/api/v1/employees/{out}/gaps",
            NoBody,
            with_anon(OUT_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}/kpi-values",
            "/api/v1/employees/{in}/kpi-values",
            NoBody,
            with_anon(IN_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}/kpi-values",
            "/api/v1/employees/{out}/kpi-values",
            NoBody,
            with_anon(OUT_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/kpis/entry-status",
            "/api/v1/kpis/entry-status?period=2026-06",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/api/v1/departments",
            "/api/v1/departments",
            NoBody,
            all(401, 200),
        ),
        p("GET", "/api/v1/kpis", "/api/v1/kpis", NoBody, all(401, 200)),
        p(
            "GET",
            "/api/v1/reconciliation",
            "/api/v1/reconciliation",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/reconciliation/{id}/decision",
            "/api/v1/reconciliation/{item}/decision",
            Json(r#"{"decision":"accepted_hr"}"#),
            admin_or_training(401, 204),
        ),
        p(
            "GET",
            "/api/v1/departments/headcount",
            "/api/v1/departments/headcount",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/api/v1/users",
            "/api/v1/users",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "POST",
            "/api/v1/users",
            "/api/v1/users",
            Json(
                r#"{"username":"matrix.api","display_name":"矩阵","password":"long enough password"}"#,
            ),
            admin_only(401, 201),
        ),
        p(
            "POST",
            "/api/v1/users/{id}/disable",
            "/api/v1/users/{target}/disable",
            NoBody,
            admin_only(401, 204),
        ),
        p(
            "POST",
            "/api/v1/users/{id}/enable",
            "/api/v1/users/{target}/enable",
            NoBody,
            admin_only(401, 204),
        ),
        p(
            "POST",
            "/api/v1/users/{id}/grants",
            "/api/v1/users/{target}/grants",
            Json(r#"{"role":"reviewer","scope":"company"}"#),
            admin_only(401, 200),
        ),
        p(
            "DELETE",
            "/api/v1/users/{id}/grants",
            "/api/v1/users/{target}/grants?role=instructor&scope=company",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "GET",
            "/api/v1/jobs",
            "/api/v1/jobs",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "POST",
            "/api/v1/jobs/{id}/retry",
            "/api/v1/jobs/{job}/retry",
            NoBody,
            admin_only(401, 204),
        ),
        // Pages: anonymous GETs go to the login page; anonymous POSTs lack a CSRF token.
        p("GET", "/", "/", NoBody, all(303, 200)),
        p("GET", "/people", "/people", NoBody, all(303, 200)),
        p(
            "GET",
            "/people/export.xlsx",
            "/people/export.xlsx",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/people/import",
            "/people/import",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 403],
        ),
        // Not a multipart body: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/people/import",
            "/people/import",
            Form(&[("dry_run", "on")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/people/{id}",
            "/people/{in}",
            NoBody,
            with_anon(IN_SCOPE, 303),
        ),
        p(
            "GET",
            "/people/{id}",
            "/people/{out}",
            NoBody,
            with_anon(OUT_SCOPE, 303),
        ),
        p("GET", "/org", "/org", NoBody, all(303, 200)),
        p("GET", "/performance", "/performance", NoBody, all(303, 200)),
        p(
            "GET",
            "/competency",
            "/competency",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/competency/import",
            "/competency/import",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 403],
        ),
        // Not multipart bodies: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/competency/import/assessments",
            "/competency/import/assessments",
            Form(&[("dry_run", "on")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/competency/import/models",
            "/competency/import/models",
            Form(&[("dry_run", "on")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/competency/models/export.xlsx",
            "/competency/models/export.xlsx",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/decoding",
            "/decoding",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "POST",
            "/decoding/targets/{id}",
            "/decoding/targets/{goal}",
            Form(&[("comparator", "<="), ("target_value", "2")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        // Each probe marks the task again; the admin clears it, so training finds nothing to clear.
        p(
            "POST",
            "/decoding/review",
            "/decoding/review",
            Form(&[("kind", "task"), ("id", "{task}")]),
            [403, 303, 404, 403, 403, 403, 403, 403],
        ),
        // Codes are unique: the admin creates, training then hits the taken code.
        p(
            "POST",
            "/decoding/strategies",
            "/decoding/strategies",
            Form(&[("code", "S-PAGE"), ("name", "页面战略")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/strategies/{id}",
            "/decoding/strategies/{strategy}",
            Form(&[
                ("code", "S2025"),
                ("name", "2025—2027 高质量发展战略"),
                ("horizon", "2025-2027"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/objectives",
            "/decoding/objectives",
            Form(&[
                ("strategy_id", "{strategy}"),
                ("code", "O-PAGE"),
                ("name", "页面目标"),
                ("perspective", "customer"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/objectives/{id}",
            "/decoding/objectives/{objective}",
            Form(&[
                ("code", "{objective_code}"),
                ("name", "目标"),
                ("perspective", "customer"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/targets",
            "/decoding/targets",
            Form(&[
                ("objective_id", "{objective}"),
                ("department_code", "CS"),
                ("kpi_code", "COMPLAINT_RATE"),
                ("period", "2026Q2"),
                ("comparator", "<="),
                ("target_value", "2"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/tasks",
            "/decoding/tasks",
            Form(&[
                ("position_code", "C-AGENT"),
                ("kpi_target_id", "{goal}"),
                ("code", "PAGE-1"),
                ("name", "页面任务"),
                ("process_step", "4"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/tasks/{id}",
            "/decoding/tasks/{task}",
            Form(&[
                ("kpi_target_id", "{goal}"),
                ("name", "需求对接"),
                ("process_step", "1"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/decoding/tasks/{id}/skills",
            "/decoding/tasks/{task}/skills",
            Form(&[
                ("skill", "{free_skill}"),
                ("required_level", "1"),
                ("tier", "reserve"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/competency/skills",
            "/competency/skills",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "POST",
            "/competency/skills/{code}",
            "/competency/skills/SV-COMPLAINT",
            Form(&[
                ("name", "客诉处理"),
                (
                    "descriptors",
                    "能按流程受理投诉\n能独立处理常见投诉\n能处理重大投诉并改进流程",
                ),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/competency/models",
            "/competency/models",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "POST",
            "/competency/models/{id}",
            "/competency/models/{position}",
            Form(&[
                ("skill", "{free_skill}"),
                ("required_level", "2"),
                ("tier", "core"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/needs",
            "/needs",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/needs/{id}",
            "/needs/{need_in}",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/needs/{id}",
            "/needs/{need_out}",
            NoBody,
            [303, 200, 200, 404, 403, 403, 403, 403],
        ),
        // The admin raises the need; for training and the manager everybody is covered already.
        p(
            "POST",
            "/needs/from-gaps",
            "/needs/from-gaps",
            Form(&[
                ("skill", "{gap_skill_1}"),
                ("audience", "team"),
                ("audience_id", "{gap_dept_1}"),
            ]),
            [403, 303, 422, 422, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/decoding",
            "/api/v1/decoding",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "POST",
            "/api/v1/strategies",
            "/api/v1/strategies",
            Json(r#"{"code":"S-API","name":"接口战略"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/objectives",
            "/api/v1/objectives",
            Json(
                r#"{"strategy_id":{strategy},"code":"O-API","name":"接口目标","key_results":["KR1"]}"#,
            ),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/kpi-targets",
            "/api/v1/kpi-targets",
            Json(
                r#"{"objective_id":{objective},"department_code":"CS","kpi_code":"COMPLAINT_RATE","period":"2026Q3","comparator":"<=","target_value":2}"#,
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/kpi-targets/{id}",
            "/api/v1/kpi-targets/{goal}",
            Json(r#"{"comparator":"<=","target_value":2}"#),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/position-tasks",
            "/api/v1/position-tasks",
            Json(
                r#"{"position_code":"C-AGENT","code":"API-1","name":"接口任务","process_step":5}"#,
            ),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/position-tasks/{id}/skills/{skill}",
            "/api/v1/position-tasks/{task}/skills/{free_skill}",
            Json(r#"{"required_level":1,"tier":"support"}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        // The admin removes the skill; training then finds nothing to remove.
        p(
            "DELETE",
            "/api/v1/position-tasks/{id}/skills/{skill}",
            "/api/v1/position-tasks/{task}/skills/{free_skill}",
            NoBody,
            [401, 204, 404, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/decoding/review",
            "/api/v1/decoding/review",
            Json(r#"{"kind":"task","id":{task}}"#),
            [401, 204, 404, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/positions/{id}/competency-model",
            "/api/v1/positions/{position}/competency-model",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "PUT",
            "/api/v1/positions/{id}/competency-model/{skill}",
            "/api/v1/positions/{position}/competency-model/{free_skill}",
            Json(r#"{"required_level":2,"tier":"support"}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        // The admin drops the direct setting; for training it is no longer set directly.
        p(
            "DELETE",
            "/api/v1/positions/{id}/competency-model/{skill}",
            "/api/v1/positions/{position}/competency-model/{free_skill}",
            NoBody,
            [401, 204, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/training-needs",
            "/api/v1/training-needs",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/training-needs/{id}",
            "/api/v1/training-needs/{need_in}",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/training-needs/{id}",
            "/api/v1/training-needs/{need_out}",
            NoBody,
            [401, 200, 200, 404, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/training-needs/from-gaps",
            "/api/v1/training-needs/from-gaps",
            Json(r#"{"skill":"{gap_skill_2}","audience":"team","audience_id":{gap_dept_2}}"#),
            [401, 201, 422, 422, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/performance/entry",
            "/performance/entry",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/performance/reconciliation",
            "/performance/reconciliation",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/performance/reconciliation/run",
            "/performance/reconciliation/run",
            Form(&[("period", "2026-10")]),
            [403, 200, 200, 403, 403, 403, 403, 403],
        ),
        // A fresh open item per probe; the admin decides it, then it is no longer open but still visible.
        p(
            "POST",
            "/performance/reconciliation/{id}/decision",
            "/performance/reconciliation/{item}/decision",
            Form(&[("decision", "accepted_business")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        // Not a multipart body: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/performance/import",
            "/performance/import",
            Form(&[("kind", "values")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        // Training history: programs are kept company-wide, so only a company-wide program manager.
        p(
            "GET",
            "/operations/import",
            "/operations/import",
            NoBody,
            admin_or_training(303, 200),
        ),
        // Not a multipart body: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/operations/import",
            "/operations/import",
            Form(&[("dry_run", "on")]),
            admin_or_training(403, 422),
        ),
        // The library: published resources for everyone, drafts for their author and staff.
        p("GET", "/library", "/library", NoBody, all(303, 200)),
        // Codes are unique: the admin creates, the other authors then hit the taken code.
        p(
            "POST",
            "/library",
            "/library",
            Form(&[
                ("code", "LIB-PAGE"),
                ("kind", "course"),
                ("title", "页面资源"),
                ("tier", "core"),
                ("origin", "internal"),
                ("estimated_minutes", "30"),
            ]),
            [403, 303, 422, 403, 403, 422, 403, 403],
        ),
        p(
            "GET",
            "/library/new",
            "/library/new",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/library/micro/new",
            "/library/micro/new",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "POST",
            "/library/micro",
            "/library/micro",
            Form(&[
                ("code", "LIB-MICRO-PAGE"),
                ("title", "页面微课"),
                ("tier", "core"),
                ("estimated_minutes", "10"),
                ("problem", "问题"),
                ("case", "案例"),
                ("solution", "方法"),
            ]),
            [403, 303, 422, 403, 403, 422, 403, 403],
        ),
        p(
            "GET",
            "/library/moderation",
            "/library/moderation",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/library/comments/{id}/moderate",
            "/library/comments/{comment}/moderate",
            Form(&[("status", "hidden")]),
            admin_or_training(403, 303),
        ),
        p(
            "GET",
            "/library/reports",
            "/library/reports",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/library/mine",
            "/library/mine",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/library/files/{id}",
            "/library/files/{file}",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/library/{id}",
            "/library/{res_pub}",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/library/{id}",
            "/library/{res_draft}",
            NoBody,
            [303, 200, 200, 404, 404, 200, 200, 404],
        ),
        p(
            "GET",
            "/library/{id}/edit",
            "/library/{res_draft}/edit",
            NoBody,
            [303, 200, 200, 404, 404, 200, 403, 404],
        ),
        p(
            "POST",
            "/library/{id}/edit",
            "/library/{res_draft}/edit",
            Form(&[
                ("code", "LIB-DRAFT"),
                ("kind", "document"),
                ("title", "草稿资源"),
                ("tier", "support"),
                ("origin", "internal"),
                ("estimated_minutes", "20"),
            ]),
            [403, 303, 303, 404, 404, 303, 403, 404],
        ),
        // Retiring without a reason: those who may retire learn the comment is missing.
        p(
            "POST",
            "/library/{id}/status",
            "/library/{res_pub}/status",
            Form(&[("status", "retired")]),
            [403, 422, 422, 403, 403, 403, 422, 403],
        ),
        // Not a multipart body: who may change the draft is checked first.
        p(
            "POST",
            "/library/{id}/files",
            "/library/{res_draft}/files",
            Form(&[("x", "y")]),
            [403, 422, 422, 404, 404, 422, 403, 404],
        ),
        p(
            "POST",
            "/library/{id}/rate",
            "/library/{res_pub}/rate",
            Form(&[("stars", "4")]),
            all(403, 303),
        ),
        p(
            "POST",
            "/library/{id}/comments",
            "/library/{res_pub}/comments",
            Form(&[("body", "很实用")]),
            all(403, 303),
        ),
        p(
            "POST",
            "/library/{id}/complete",
            "/library/{res_pub}/complete",
            NoBody,
            all(403, 303),
        ),
        p(
            "GET",
            "/api/v1/resources",
            "/api/v1/resources",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/resources",
            "/api/v1/resources",
            Json(
                r#"{"code":"LIB-API","kind":"document","title":"接口资源","tier":"core","origin":"internal","estimated_minutes":15}"#,
            ),
            [401, 201, 422, 403, 403, 422, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/resources/{id}",
            "/api/v1/resources/{res_pub}",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/resources/{id}",
            "/api/v1/resources/{res_draft}",
            NoBody,
            [401, 200, 200, 404, 404, 200, 200, 404],
        ),
        p(
            "POST",
            "/api/v1/resources/{id}/status",
            "/api/v1/resources/{res_pub}/status",
            Json(r#"{"status":"retired"}"#),
            [401, 422, 422, 403, 403, 403, 422, 403],
        ),
        p("GET", "/account", "/account", NoBody, all(303, 200)),
        p(
            "POST",
            "/account/password",
            "/account/password",
            Form(&[
                ("current_password", "not it at all"),
                ("new_password", "another password"),
                ("confirm_password", "another password"),
            ]),
            all(403, 422),
        ),
        p(
            "POST",
            "/account/tokens",
            "/account/tokens",
            Form(&[("name", "matrix")]),
            all(403, 200),
        ),
        p(
            "POST",
            "/account/tokens/{id}/revoke",
            "/account/tokens/{token}/revoke",
            NoBody,
            [403, 303, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/admin/users",
            "/admin/users",
            NoBody,
            admin_only(303, 200),
        ),
        p(
            "POST",
            "/admin/users",
            "/admin/users",
            Form(&[
                ("username", "matrix.ui"),
                ("display_name", "矩阵"),
                ("password", "long enough password"),
                ("role", "employee"),
                ("scope", "self"),
            ]),
            admin_only(403, 200),
        ),
        p(
            "POST",
            "/admin/users/{id}/active",
            "/admin/users/{target}/active",
            Form(&[("active", "true")]),
            admin_only(403, 303),
        ),
        p(
            "POST",
            "/admin/users/{id}/grants",
            "/admin/users/{target}/grants",
            Form(&[("role", "reviewer"), ("scope", "company")]),
            admin_only(403, 303),
        ),
        p(
            "POST",
            "/admin/users/{id}/grants/revoke",
            "/admin/users/{target}/grants/revoke",
            Form(&[("role", "instructor"), ("scope", "company")]),
            admin_only(403, 303),
        ),
        p(
            "GET",
            "/admin/audit",
            "/admin/audit",
            NoBody,
            admin_only(303, 200),
        ),
        p(
            "GET",
            "/admin/jobs",
            "/admin/jobs",
            NoBody,
            admin_only(303, 200),
        ),
        p(
            "POST",
            "/admin/jobs/{id}/retry",
            "/admin/jobs/{job}/retry",
            NoBody,
            admin_only(403, 303),
        ),
        // Last, because it ends the sessions the other probes use.
        p("POST", "/logout", "/logout", NoBody, all(403, 303)),
    ]
}

/// Ids the probes refer to.
struct Targets {
    inside: i64,
    outside: i64,
    target_user: i64,
    kpi_target: i64,
    task: i64,
    strategy: i64,
    objective: i64,
    objective_code: String,
    /// The task's position.
    position: i64,
    /// A skill the task does not require yet.
    free_skill: String,
    /// (department, skill) cells with open gaps inside the manager's subtree, distinct skills.
    gap_cells: Vec<(i64, String)>,
    /// Needs raised from gaps inside and outside the manager's subtree.
    need_in: i64,
    need_out: i64,
    /// A published resource with a file and a pending comment, and an instructor's draft.
    res_pub: i64,
    res_draft: i64,
    file: i64,
    comment: i64,
}

async fn targets(app: &TestApp) -> Targets {
    let prod1 = app
        .store
        .find_department_by_code("PROD1-WELD")
        .await
        .unwrap()
        .unwrap();
    let east = app
        .store
        .find_department_by_code("MKT-EAST")
        .await
        .unwrap()
        .unwrap();
    let first = |dept: i64| async move {
        let filter = domain::org::EmployeeFilter {
            department_id: Some(dept),
            ..Default::default()
        };
        app.store
            .list_employees(&DataScope::company(), &filter, Page::new(Some(1), Some(1)))
            .await
            .unwrap()
            .items[0]
            .id
    };
    let target = domain::account::NewUser {
        username: "matrix.target".into(),
        display_name: "目标".into(),
        password_hash: web::auth::hash_password("target password").unwrap(),
        employee_id: None,
        grants: vec![],
    };
    let target_user = app
        .store
        .create_user(&target, &Actor::system())
        .await
        .unwrap()
        .id;
    let tree = app.store.decoding_tree().await.unwrap();
    let target = &tree[0].objectives[1].targets[0];
    let task = &target.tasks[0];
    let position = app
        .store
        .position_options()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.2 == task.position)
        .unwrap()
        .0;
    let free_skill = app
        .store
        .skill_options()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.0)
        .find(|code| task.skills.iter().all(|s| &s.skill_code != code))
        .unwrap();
    // Department × skill cells with weighted gaps: inside the manager's subtree (PROD1)
    // with distinct skills, and one outside it.
    let manager_root = app
        .store
        .find_department_by_code("PROD1")
        .await
        .unwrap()
        .unwrap()
        .path;
    let departments = app
        .store
        .list_departments(&DataScope::company())
        .await
        .unwrap();
    let path_of = |id: i64| {
        departments
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .path
            .clone()
    };
    let mut gap_cells: Vec<(i64, String)> = Vec::new();
    let mut outside_cell = None;
    for cell in app.store.gap_heatmap(&DataScope::company()).await.unwrap() {
        if cell.weighted.unwrap_or(0.0) <= 0.0 {
            continue;
        }
        if path_of(cell.department_id).starts_with(&manager_root) {
            if gap_cells.iter().all(|c| c.1 != cell.skill_code) {
                gap_cells.push((cell.department_id, cell.skill_code));
            }
        } else if outside_cell.is_none() {
            outside_cell = Some((cell.department_id, cell.skill_code));
        }
    }
    assert!(
        gap_cells.len() >= 3,
        "demo has too few gap cells in PROD1: {gap_cells:?}"
    );
    let raise = |(dept, skill): (i64, String)| async move {
        let request = domain::needs::GapNeedRequest {
            skill_code: skill,
            audience: domain::needs::Audience::Team(dept),
            urgency: domain::needs::Urgency::Normal,
            note: None,
        };
        app.store
            .raise_need_from_gaps(&request, &DataScope::company(), &Actor::system())
            .await
            .unwrap()
            .0
    };
    let need_in = raise(gap_cells.pop().unwrap()).await;
    let need_out = raise(outside_cell.unwrap()).await;
    let (res_pub, res_draft, file, comment) = library_targets(app).await;
    Targets {
        res_pub,
        res_draft,
        file,
        comment,
        inside: first(prod1.id).await,
        outside: first(east.id).await,
        target_user,
        kpi_target: target.id,
        task: task.id,
        strategy: tree[0].id,
        objective: tree[0].objectives[1].id,
        objective_code: tree[0].objectives[1].code.clone(),
        position,
        free_skill,
        gap_cells,
        need_in,
        need_out,
    }
}

/// A published resource (by training, with a PDF and a pending comment) and an
/// instructor's draft.
async fn library_targets(app: &TestApp) -> (i64, i64, i64, i64) {
    use domain::library::{Origin, ResourceInput, ResourceKind, ResourceStatus};
    let as_user = |name: &'static str| async move {
        Actor {
            user_id: Some(app.user_id(name).await),
            name: name.into(),
            ip: None,
        }
    };
    let input = |code: &str, kind| ResourceInput {
        code: code.into(),
        kind,
        title: format!("{code} 资源"),
        summary: String::new(),
        body: String::new(),
        tier: domain::competency::Tier::Core,
        origin: Origin::Internal,
        vendor: None,
        owner_user_id: None,
        estimated_minutes: 20,
        tags: vec![],
        skills: vec![],
        positions: vec![],
    };
    let training = as_user("training").await;
    let res_pub = app
        .store
        .create_resource(&input("LIB-PUB", ResourceKind::Course), &training)
        .await
        .unwrap();
    let file = app
        .store
        .upload_resource_file(
            &app.state().files,
            res_pub,
            "手册.pdf",
            bytes::Bytes::from_static(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n"),
            1024 * 1024,
            &training,
        )
        .await
        .unwrap()
        .id;
    app.store
        .change_status(res_pub, ResourceStatus::InReview, None, &training)
        .await
        .unwrap();
    app.store
        .change_status(
            res_pub,
            ResourceStatus::Published,
            None,
            &as_user("reviewer").await,
        )
        .await
        .unwrap();
    let employee = app.user_id("employee").await;
    let comment = app
        .store
        .add_comment(res_pub, employee, "待审评论", true)
        .await
        .unwrap()
        .id;
    let res_draft = app
        .store
        .create_resource(
            &input("LIB-DRAFT", ResourceKind::Document),
            &as_user("instructor").await,
        )
        .await
        .unwrap();
    (res_pub, res_draft, file, comment)
}

/// Fresh ids for probes whose admin call consumes them.
async fn per_probe_ids(app: &TestApp, t: &Targets, probe: usize) -> (i64, i64, i64) {
    let now = OffsetDateTime::now_utc();
    app.store.enqueue_job("matrix", "{}", now, 1).await.unwrap();
    let job = app
        .store
        .lease_job("matrix", now, now + time::Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    app.store
        .fail_job(job.id, "planned failure", now, now)
        .await
        .unwrap();
    app.store
        .add_grant(
            t.target_user,
            Role::Instructor,
            ScopeKind::Company,
            &Actor::system(),
        )
        .await
        .unwrap();
    let admin = app.user_id("admin").await;
    let token =
        web::api::accounts::issue_token(app.state(), admin, "matrix-victim", &Actor::system())
            .await
            .unwrap()
            .1
            .id;
    // An open reconciliation item of a month of its own.
    app.store
        .update_kpi_target(t.kpi_target, "<=", 2.0, &Actor::system())
        .await
        .unwrap();
    let period = domain::performance::Period {
        year: 2030 + (probe / 12) as i32,
        month: (probe % 12) as u8 + 1,
    };
    let csv = format!(
        "工号,指标编码,期间,数值,来源\nHC000013,OUTPUT,{period},100,hr\nHC000013,OUTPUT,{period},120,business\n"
    );
    web::service::import_kpi_values(
        app.state(),
        None,
        csv.as_bytes(),
        "matrix.csv",
        false,
        false,
        &Actor::system(),
    )
    .await
    .unwrap();
    app.store.reconcile(period, &Actor::system()).await.unwrap();
    let item = app
        .store
        .list_reconciliation(&DataScope::company(), Some(period), None, Page::default())
        .await
        .unwrap()
        .items[0]
        .id;
    (job.id, token, item)
}

db_test!(every_route_for_every_role, |app| {
    // Every served route must have at least one probe, and every probe a served route.
    let served: BTreeSet<(String, String)> = web::routes::route_table()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let probes = probes();
    let covered: BTreeSet<(String, String)> = probes
        .iter()
        .map(|p| (p.method.to_string(), p.route.to_string()))
        .collect();
    let missing: Vec<_> = served.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization-matrix entry: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for routes that do not exist: {stale:?}"
    );

    let t = targets(&app).await;
    let mut tokens = HashMap::new();
    let mut browsers = HashMap::new();
    for caller in &CALLERS[1..] {
        tokens.insert(*caller, app.token(caller).await);
        browsers.insert(*caller, app.login(caller).await);
    }
    let anonymous = app.client();
    let mut failures = Vec::new();
    for (n, probe) in probes.iter().enumerate() {
        let (job, token, item) = per_probe_ids(&app, &t, n).await;
        let fill = |text: &str| {
            text.replace("{in}", &t.inside.to_string())
                .replace("{out}", &t.outside.to_string())
                .replace("{target}", &t.target_user.to_string())
                .replace("{job}", &job.to_string())
                .replace("{token}", &token.to_string())
                .replace("{item}", &item.to_string())
                .replace("{goal}", &t.kpi_target.to_string())
                .replace("{task}", &t.task.to_string())
                .replace("{strategy}", &t.strategy.to_string())
                .replace("{objective_code}", &t.objective_code)
                .replace("{objective}", &t.objective.to_string())
                .replace("{position}", &t.position.to_string())
                .replace("{free_skill}", &t.free_skill)
                .replace("{gap_dept_1}", &t.gap_cells[0].0.to_string())
                .replace("{gap_skill_1}", &t.gap_cells[0].1)
                .replace("{gap_dept_2}", &t.gap_cells[1].0.to_string())
                .replace("{gap_skill_2}", &t.gap_cells[1].1)
                .replace("{need_in}", &t.need_in.to_string())
                .replace("{need_out}", &t.need_out.to_string())
                .replace("{res_pub}", &t.res_pub.to_string())
                .replace("{res_draft}", &t.res_draft.to_string())
                .replace("{file}", &t.file.to_string())
                .replace("{comment}", &t.comment.to_string())
        };
        let path = fill(probe.path);
        let is_api = probe.route.starts_with("/api/v1");
        for (i, caller) in CALLERS.iter().enumerate() {
            let (client, csrf) = match (is_api, *caller) {
                (_, "anonymous") | (true, _) => (anonymous.clone(), None),
                (false, c) => {
                    let (b, csrf) = &browsers[c];
                    (b.clone(), Some(csrf.clone()))
                }
            };
            let method = reqwest::Method::from_bytes(probe.method.as_bytes()).unwrap();
            let mut req = client.request(method, app.url(&path));
            if is_api && *caller != "anonymous" {
                req = req.bearer_auth(&tokens[caller]);
            }
            req = match probe.body {
                Body::None if probe.method == "POST" && !is_api => {
                    let mut fields: Vec<(&str, String)> = Vec::new();
                    if let Some(c) = &csrf {
                        fields.push(("_csrf", c.clone()));
                    }
                    req.form(&fields)
                }
                Body::None => req,
                Body::Json(json) => req
                    .header("content-type", "application/json")
                    .body(fill(json)),
                Body::Form(pairs) => {
                    let mut fields: Vec<(&str, String)> =
                        pairs.iter().map(|(k, v)| (*k, fill(v))).collect();
                    if let Some(c) = &csrf {
                        fields.push(("_csrf", c.clone()));
                    }
                    req.form(&fields)
                }
            };
            let status = req.send().await.unwrap().status().as_u16();
            if status != probe.expect[i] {
                failures.push(format!(
                    "{} {} as {caller}: expected {}, got {status}",
                    probe.method, path, probe.expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
});
