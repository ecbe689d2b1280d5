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
use store::prelude::*;
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
    // Evaluation: system and training admins, managers (their subtree) and executives.
    const EVAL_PAGE: [u16; 8] = [303, 200, 200, 200, 403, 403, 403, 200];
    const EVAL_API: [u16; 8] = [401, 200, 200, 200, 403, 403, 403, 200];
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
        // OpenID sign-in: no provider is configured here.
        p("GET", "/login/oidc", "/login/oidc", NoBody, all(404, 404)),
        p(
            "GET",
            "/login/oidc/callback",
            "/login/oidc/callback?code=x&state=y",
            NoBody,
            all(404, 404),
        ),
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
        // SCIM: an administrator's token.
        p(
            "GET",
            "/scim/v2/ServiceProviderConfig",
            "/scim/v2/ServiceProviderConfig",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/scim/v2/Users",
            "/scim/v2/Users",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "POST",
            "/scim/v2/Users",
            "/scim/v2/Users",
            Json(r#"{"userName":"matrix.scim"}"#),
            admin_only(401, 201),
        ),
        p(
            "GET",
            "/scim/v2/Users/{id}",
            "/scim/v2/Users/{target}",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "PUT",
            "/scim/v2/Users/{id}",
            "/scim/v2/Users/999999",
            Json(r#"{"userName":"matrix.nobody"}"#),
            admin_only(401, 404),
        ),
        p(
            "PATCH",
            "/scim/v2/Users/{id}",
            "/scim/v2/Users/999999",
            Json(r#"{"Operations":[{"op":"replace","path":"active","value":false}]}"#),
            admin_only(401, 404),
        ),
        p(
            "DELETE",
            "/scim/v2/Users/{id}",
            "/scim/v2/Users/999999",
            NoBody,
            admin_only(401, 404),
        ),
        p(
            "GET",
            "/scim/v2/Groups",
            "/scim/v2/Groups",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "GET",
            "/scim/v2/Groups/{id}",
            "/scim/v2/Groups/reviewer",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "PATCH",
            "/scim/v2/Groups/{id}",
            "/scim/v2/Groups/no_such_role",
            Json(r#"{"Operations":[{"op":"add","path":"members","value":[]}]}"#),
            admin_only(401, 404),
        ),
        p(
            "GET",
            "/password-reset",
            "/password-reset?token=x",
            NoBody,
            all(200, 200),
        ),
        p(
            "POST",
            "/password-reset",
            "/password-reset",
            Form(&[
                ("token", "x"),
                ("password", "long enough password"),
                ("repeat", "long enough password"),
            ]),
            all(403, 422),
        ),
        // JSON API.
        p("GET", "/api/v1/me", "/api/v1/me", NoBody, all(401, 200)),
        p(
            "GET",
            "/api/v1/employees/{id}/job-history",
            "/api/v1/employees/{in}/job-history",
            NoBody,
            with_anon(IN_SCOPE, 401),
        ),
        p(
            "GET",
            "/api/v1/employees/{id}/job-history",
            "/api/v1/employees/{out}/job-history",
            NoBody,
            with_anon(OUT_SCOPE, 401),
        ),
        p(
            "POST",
            "/api/v1/users/{id}/password-reset",
            "/api/v1/users/{target}/password-reset",
            NoBody,
            admin_only(401, 200),
        ),
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
        // Needs raised by hand and their approval (see need_approvals.rs). Every
        // signed-in caller may raise a need (for themself); `need_in` was raised from
        // gaps by the system, so only its training-admin step waits.
        p("GET", "/needs/new", "/needs/new", NoBody, all(303, 200)),
        p(
            "POST",
            "/needs",
            "/needs",
            Form(&[("people", "self")]),
            all(403, 422),
        ),
        p(
            "GET",
            "/needs/rules",
            "/needs/rules",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/needs/rules",
            "/needs/rules",
            Form(&[("name", "")]),
            admin_or_training(403, 422),
        ),
        p(
            "POST",
            "/needs/rules/{id}",
            "/needs/rules/999999",
            Form(&[
                ("name", "x"),
                ("step1_kind", "manager"),
                ("step1_hours", "1"),
            ]),
            admin_or_training(403, 404),
        ),
        p(
            "POST",
            "/needs/rules/{id}/delete",
            "/needs/rules/999999/delete",
            NoBody,
            admin_or_training(403, 404),
        ),
        p(
            "POST",
            "/needs/merge",
            "/needs/merge",
            NoBody,
            admin_or_training(403, 422),
        ),
        p(
            "GET",
            "/needs/{id}/edit",
            "/needs/{need_in}/edit",
            NoBody,
            all(303, 403),
        ),
        p(
            "POST",
            "/needs/{id}/resubmit",
            "/needs/{need_in}/resubmit",
            Form(&[("title", "x"), ("reason", "x")]),
            all(403, 403),
        ),
        p(
            "POST",
            "/approvals/{id}/decide",
            "/approvals/{need_step}/decide",
            Form(&[("decision", "reject")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/my/approvals",
            "/my/approvals",
            NoBody,
            all(303, 200),
        ),
        p("GET", "/my/needs", "/my/needs", NoBody, all(303, 200)),
        p(
            "POST",
            "/api/v1/training-needs",
            "/api/v1/training-needs",
            Json(r#"{"title":"","people":{"kind":"self"},"reason":""}"#),
            all(401, 422),
        ),
        p(
            "GET",
            "/api/v1/me/training-needs",
            "/api/v1/me/training-needs",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/training-needs/{id}/approval",
            "/api/v1/training-needs/{need_in}/approval",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/training-needs/{id}/approval",
            "/api/v1/training-needs/{need_out}/approval",
            NoBody,
            [401, 200, 200, 404, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/training-needs/{id}/resubmit",
            "/api/v1/training-needs/{need_in}/resubmit",
            Json(r#"{"title":"x","people":{"kind":"self"},"reason":"x"}"#),
            all(401, 403),
        ),
        p(
            "POST",
            "/api/v1/approval-steps/{id}/decision",
            "/api/v1/approval-steps/{need_step}/decision",
            Json(r#"{"decision":"reject"}"#),
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/me/approvals",
            "/api/v1/me/approvals",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/approval-rules",
            "/api/v1/approval-rules",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/approval-rules",
            "/api/v1/approval-rules",
            Json(r#"{"rules":[{"name":"","steps":[]}]}"#),
            admin_or_training(401, 422),
        ),
        p(
            "GET",
            "/api/v1/training-needs/{id}/similar",
            "/api/v1/training-needs/{need_in}/similar",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/training-needs/merge",
            "/api/v1/training-needs/merge",
            Json(r#"{"need_ids":[]}"#),
            admin_or_training(401, 422),
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
        // Training operations: programs for everyone, setup for program staff.
        p("GET", "/programs", "/programs", NoBody, all(303, 200)),
        p(
            "POST",
            "/programs",
            "/programs",
            Form(&[("code", "MX-NEW"), ("title", "矩阵项目"), ("hours", "4")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/programs/new",
            "/programs/new",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/programs/setup",
            "/programs/setup",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/programs/setup/plans",
            "/programs/setup/plans",
            Form(&[
                ("code", "MX-PLAN2"),
                ("name", "矩阵计划"),
                ("period", "2031"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/setup/venues",
            "/programs/setup/venues",
            Form(&[
                ("code", "MX-V2"),
                ("name", "矩阵教室"),
                ("capacity", "30"),
                ("kind", "classroom"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/setup/instructors",
            "/programs/setup/instructors",
            Form(&[
                ("code", "MX-I2"),
                ("name", "外聘讲师"),
                ("vendor", "某培训机构"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/programs/{id}",
            "/programs/{p_program}",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/programs/{id}/edit",
            "/programs/{p_program}/edit",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/programs/{id}/edit",
            "/programs/{p_program}/edit",
            Form(&[
                ("code", "MXW-P"),
                ("title", "矩阵项目（改）"),
                ("hours", "6"),
                ("capacity", "50"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/{id}/status",
            "/programs/{p_program}/status",
            Form(&[("status", "open")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        // The admin books the venue; training's identical booking then clashes.
        p(
            "POST",
            "/programs/{id}/sessions",
            "/programs/{p_program}/sessions",
            Form(&[
                ("title", "矩阵班次"),
                ("starts_at", "2031-05-06T09:00"),
                ("ends_at", "2031-05-06T12:00"),
                ("mode", "classroom"),
                ("venue_code", "MX-V"),
            ]),
            [403, 303, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/{id}/enroll",
            "/programs/{p_program}/enroll",
            Form(&[("how", "people"), ("employees", "{mx_number}")]),
            [403, 303, 303, 303, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/{id}/enroll",
            "/programs/{p_program}/enroll",
            Form(&[("how", "self")]),
            [403, 422, 303, 303, 303, 303, 303, 303],
        ),
        // The admin cancels the learner's seat; after that there is nothing to cancel.
        p(
            "POST",
            "/enrollments/{id}/cancel",
            "/enrollments/{p_enrollment}/cancel",
            NoBody,
            [403, 303, 422, 422, 422, 404, 404, 404],
        ),
        // Sessions are run by program staff and the instructor who teaches them.
        p(
            "GET",
            "/sessions/{id}",
            "/sessions/{p_session}",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "POST",
            "/sessions/{id}/code",
            "/sessions/{p_session}/code",
            Form(&[("minutes", "15")]),
            [403, 303, 303, 403, 403, 303, 403, 403],
        ),
        // An empty roll call is refused (422) on the page as on the API, once the
        // caller is allowed to run the session.
        p(
            "POST",
            "/sessions/{id}/roll-call",
            "/sessions/{p_session}/roll-call",
            NoBody,
            [403, 422, 422, 403, 403, 422, 403, 403],
        ),
        p(
            "POST",
            "/sessions/{id}/cancel",
            "/sessions/{p_session2}/cancel",
            NoBody,
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p("GET", "/my/learning", "/my/learning", NoBody, all(303, 200)),
        // Practice: the employee login's task, mentored by the manager login.
        p("GET", "/practice", "/practice", NoBody, all(303, 200)),
        p(
            "GET",
            "/practice/export.xlsx",
            "/practice/export.xlsx",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/practice/{id}",
            "/practice/{pr_task}",
            NoBody,
            [303, 200, 200, 200, 200, 404, 404, 404],
        ),
        p(
            "POST",
            "/practice/{id}/report",
            "/practice/{pr_task}/report",
            Form(&[("body", "")]),
            [403, 403, 403, 403, 422, 404, 404, 404],
        ),
        p(
            "POST",
            "/practice/{id}/review",
            "/practice/{pr_task}/review",
            Form(&[("decision", "accepted"), ("score", "")]),
            [403, 422, 422, 422, 403, 404, 404, 404],
        ),
        p(
            "POST",
            "/practice/{id}/promote",
            "/practice/{pr_task}/promote",
            NoBody,
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/ratings/{id}",
            "/ratings/{pr_rating}",
            Form(&[("rating", "")]),
            [403, 404, 404, 422, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/programs/{id}/practice",
            "/programs/{pr_program}/practice",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/{id}/practice",
            "/programs/{pr_program}/practice",
            Form(&[("title", ""), ("due_on", "2030-01-01")]),
            [403, 422, 422, 422, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/practice-tasks",
            "/api/v1/practice-tasks",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/practice-tasks",
            "/api/v1/programs/{pr_program}/practice-tasks",
            Json(r#"{"title":"","due_on":"2030-01-01","mentor":{"kind":"manager"}}"#),
            [401, 422, 422, 422, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/practice-tasks/{id}",
            "/api/v1/practice-tasks/{pr_task}",
            NoBody,
            [401, 200, 200, 200, 200, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/practice-tasks/{id}/report",
            "/api/v1/practice-tasks/{pr_task}/report",
            Json(r#"{"body":""}"#),
            [401, 403, 403, 403, 422, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/practice-tasks/{id}/review",
            "/api/v1/practice-tasks/{pr_task}/review",
            Json(r#"{"decision":"accepted"}"#),
            [401, 422, 422, 422, 403, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/practice-tasks/{id}/promote",
            "/api/v1/practice-tasks/{pr_task}/promote",
            NoBody,
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}/transfer",
            "/api/v1/programs/{pr_program}/transfer",
            NoBody,
            admin_or_training(401, 200),
        ),
        // Effects aggregate the whole company: company-wide evaluation rights only.
        p(
            "GET",
            "/api/v1/evaluation/programs/{id}/effect",
            "/api/v1/evaluation/programs/{pr_program}/effect?kpi=COMPLAINT_RATE&replications=50",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 200],
        ),
        p(
            "PUT",
            "/api/v1/kpis/{code}/unit-value",
            "/api/v1/kpis/COMPLAINT_RATE/unit-value",
            Json(r#"{"unit_value":1500}"#),
            admin_or_training(401, 204),
        ),
        p(
            "GET",
            "/evaluation/programs/{id}/effect",
            "/evaluation/programs/{pr_program}/effect?kpi=COMPLAINT_RATE",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/evaluation/programs/{id}/effect.xlsx",
            "/evaluation/programs/{pr_program}/effect.xlsx?kpi=COMPLAINT_RATE",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/evaluation/programs/{id}/report",
            "/evaluation/programs/{pr_program}/report?kpi=COMPLAINT_RATE",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 200],
        ),
        p(
            "GET",
            "/api/v1/me/behavior-ratings",
            "/api/v1/me/behavior-ratings",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/behavior-ratings/{id}",
            "/api/v1/behavior-ratings/{pr_rating}",
            Json(r#"{"rating":0}"#),
            [401, 404, 404, 422, 404, 404, 404, 404],
        ),
        p(
            "POST",
            "/checkin",
            "/checkin",
            Form(&[("code", "000000")]),
            all(403, 422),
        ),
        p(
            "GET",
            "/calendar/me.ics",
            "/calendar/me.ics",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/calendar/instructors/{file}",
            "/calendar/instructors/{p_instructor}.ics",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/calendar/venues/{file}",
            "/calendar/venues/{p_venue}.ics",
            NoBody,
            all(303, 200),
        ),
        // Exams: programme staff keep bank and exams; learners take exams; graders grade.
        p(
            "GET",
            "/exams",
            "/exams",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/exams",
            "/exams",
            Form(&[
                ("code", "MXX-NEW"),
                ("title", "矩阵考试"),
                ("purpose", "final"),
                ("skill_code", "MG-TEAM"),
                ("draw_medium", "1"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/exams/new",
            "/exams/new",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/exams/questions",
            "/exams/questions",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/exams/questions",
            "/exams/questions",
            Form(&[
                ("skill_code", "MG-TEAM"),
                ("kind", "true_false"),
                ("difficulty", "2"),
                ("stem", "矩阵判断题"),
                ("answers", "对"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/exams/questions/new",
            "/exams/questions/new",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/exams/questions/{id}/edit",
            "/exams/questions/{x_question}/edit",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/exams/questions/{id}/edit",
            "/exams/questions/{x_question}/edit",
            Form(&[
                ("skill_code", "MG-TEAM"),
                ("kind", "true_false"),
                ("difficulty", "2"),
                ("stem", "矩阵判断题（改）"),
                ("answers", "错"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/exams/questions/{id}/active",
            "/exams/questions/{x_question}/active",
            Form(&[("active", "1")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/exams/grading",
            "/exams/grading",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/exams/{id}",
            "/exams/{x_exam}",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/exams/{id}/edit",
            "/exams/{x_exam}/edit",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/exams/{id}/edit",
            "/exams/{x_exam}/edit",
            Form(&[
                ("code", "MXX-EXAM"),
                ("title", "矩阵考试"),
                ("purpose", "final"),
                ("skill_code", "MG-TEAM"),
                ("draw_medium", "1"),
                ("max_attempts", "3"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/exams/{id}/status",
            "/exams/{x_exam}/status",
            Form(&[("status", "published")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/exams/{id}/results.xlsx",
            "/exams/{x_exam}/results.xlsx",
            NoBody,
            admin_or_training(303, 200),
        ),
        // Anyone with an employee record takes a standalone exam; the admin has none.
        p(
            "POST",
            "/exams/{id}/start",
            "/exams/{x_exam}/start",
            NoBody,
            [403, 403, 303, 303, 303, 303, 303, 303],
        ),
        p("GET", "/my/exams", "/my/exams", NoBody, all(303, 200)),
        // The employee's running attempt: theirs and programme staff's to see, nobody else's.
        p(
            "GET",
            "/attempts/{id}",
            "/attempts/{x_attempt}",
            NoBody,
            [303, 200, 200, 404, 200, 404, 404, 404],
        ),
        p(
            "POST",
            "/attempts/{id}/save",
            "/attempts/{x_attempt}/save",
            Form(&[("q1", "true")]),
            [403, 404, 404, 404, 303, 404, 404, 404],
        ),
        // Not submitted yet: staff are told so, the instructor does not teach it.
        p(
            "POST",
            "/attempts/{id}/grade",
            "/attempts/{x_attempt}/grade",
            Form(&[("position", "1"), ("points", "0")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/attempts/{id}/submit",
            "/attempts/{x_attempt}/submit",
            Form(&[("q1", "true")]),
            [403, 404, 404, 404, 303, 404, 404, 404],
        ),
        // Training history: programs are kept company-wide, so only a company-wide program manager.
        p(
            "GET",
            "/programs/import",
            "/programs/import",
            NoBody,
            admin_or_training(303, 200),
        ),
        // Not a multipart body: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/programs/import",
            "/programs/import",
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
        // A published version is as visible as its resource.
        p(
            "GET",
            "/library/{id}/versions/{version}",
            "/library/{res_pub}/versions/1",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/library/{id}/versions/{version}",
            "/library/{res_draft}/versions/1",
            NoBody,
            [303, 404, 404, 404, 404, 404, 404, 404],
        ),
        // A published version's file stays: editors learn why, the others may not edit.
        p(
            "POST",
            "/library/files/{id}/delete",
            "/library/files/{file}/delete",
            NoBody,
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        // The draft's file: the admin deletes it, then it is gone for everyone.
        p(
            "POST",
            "/library/files/{id}/delete",
            "/library/files/{draft_file}/delete",
            NoBody,
            [403, 303, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/library/tags",
            "/library/tags",
            NoBody,
            admin_or_training(303, 200),
        ),
        // Values are unique per kind: the admin adds, training then hits the taken value.
        p(
            "POST",
            "/library/tags",
            "/library/tags",
            Form(&[("kind", "scenario"), ("value", "矩阵页面标签")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/library/tags/{id}",
            "/library/tags/{tag}",
            Form(&[("value", "矩阵场景"), ("active", "on")]),
            admin_or_training(403, 303),
        ),
        // The tag is in use: removing it deactivates it, as often as asked.
        p(
            "POST",
            "/library/tags/{id}/delete",
            "/library/tags/{tag}/delete",
            NoBody,
            admin_or_training(403, 303),
        ),
        p(
            "GET",
            "/library/packs",
            "/library/packs",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/library/packs/new",
            "/library/packs/new",
            NoBody,
            admin_or_training(303, 200),
        ),
        // Codes are unique: the admin creates, training then hits the taken code.
        p(
            "POST",
            "/library/packs",
            "/library/packs",
            Form(&[
                ("code", "PK-PAGE"),
                ("name", "页面资源包"),
                ("scenario_step", "设备点检"),
                ("resources", "LIB-PUB"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/library/packs/{id}",
            "/library/packs/{pack}",
            NoBody,
            all(303, 200),
        ),
        p(
            "GET",
            "/library/packs/{id}/edit",
            "/library/packs/{pack}/edit",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/library/packs/{id}/edit",
            "/library/packs/{pack}/edit",
            Form(&[
                ("code", "PK-MATRIX"),
                ("name", "矩阵资源包"),
                ("scenario_step", "设备点检"),
                ("resources", "LIB-PUB\nLIB-DRAFT"),
            ]),
            admin_or_training(403, 303),
        ),
        p(
            "POST",
            "/library/packs/{id}/delete",
            "/library/packs/{pack_ui_gone}/delete",
            NoBody,
            [403, 303, 404, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/resources",
            "/api/v1/resources",
            NoBody,
            all(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/resources/{id}",
            "/api/v1/resources/{res_draft}",
            Json(
                r#"{"code":"LIB-DRAFT","kind":"document","title":"草稿资源","tier":"support","origin":"internal","estimated_minutes":20}"#,
            ),
            [401, 200, 200, 404, 404, 200, 403, 404],
        ),
        // Codes are unique: the admin creates, the other authors then hit the taken code.
        p(
            "POST",
            "/api/v1/micro-courses",
            "/api/v1/micro-courses",
            Json(
                r#"{"code":"LIB-API-MC","title":"接口微课","tier":"core","origin":"internal","estimated_minutes":10,"problem":"问题","case":"案例","solution":"方法"}"#,
            ),
            [401, 201, 422, 403, 403, 422, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/micro-courses/{id}",
            "/api/v1/micro-courses/{res_micro}",
            Json(
                r#"{"code":"LIB-MICRO","title":"矩阵微课","tier":"core","origin":"internal","estimated_minutes":12,"problem":"问题","case":"案例","solution":"方法"}"#,
            ),
            [401, 200, 200, 404, 404, 200, 403, 404],
        ),
        p(
            "GET",
            "/api/v1/resources/{id}/versions/{version}",
            "/api/v1/resources/{res_pub}/versions/1",
            NoBody,
            all(401, 200),
        ),
        // Not a multipart body: who may change the draft is checked first.
        p(
            "POST",
            "/api/v1/resources/{id}/files",
            "/api/v1/resources/{res_draft}/files",
            Json(r#"{"file":"x"}"#),
            [401, 422, 422, 404, 404, 422, 403, 404],
        ),
        p(
            "DELETE",
            "/api/v1/resources/{id}/files/{file_id}",
            "/api/v1/resources/{res_pub}/files/{file}",
            NoBody,
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        // A file is addressed under its own resource only.
        p(
            "DELETE",
            "/api/v1/resources/{id}/files/{file_id}",
            "/api/v1/resources/{res_draft}/files/{file}",
            NoBody,
            all(401, 404),
        ),
        p(
            "POST",
            "/api/v1/resources/{id}/ratings",
            "/api/v1/resources/{res_pub}/ratings",
            Json(r#"{"stars":4}"#),
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/resources/{id}/comments",
            "/api/v1/resources/{res_pub}/comments",
            Json(r#"{"body":"很实用"}"#),
            all(401, 201),
        ),
        p("GET", "/api/v1/tags", "/api/v1/tags", NoBody, all(401, 200)),
        p(
            "POST",
            "/api/v1/tags",
            "/api/v1/tags",
            Json(r#"{"kind":"task_type","value":"矩阵接口标签"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/tags/{id}",
            "/api/v1/tags/{tag}",
            Json(r#"{"value":"矩阵场景","active":true}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "DELETE",
            "/api/v1/tags/{id}",
            "/api/v1/tags/{tag}",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/scenario-packs",
            "/api/v1/scenario-packs",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/scenario-packs",
            "/api/v1/scenario-packs",
            Json(
                r#"{"code":"PK-API","name":"接口资源包","scenario_step":"设备点检","resources":["LIB-PUB"]}"#,
            ),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/scenario-packs/{id}",
            "/api/v1/scenario-packs/{pack}",
            NoBody,
            all(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/scenario-packs/{id}",
            "/api/v1/scenario-packs/{pack}",
            Json(
                r#"{"code":"PK-MATRIX","name":"矩阵资源包","scenario_step":"设备点检","resources":["LIB-PUB","LIB-DRAFT"]}"#,
            ),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "DELETE",
            "/api/v1/scenario-packs/{id}",
            "/api/v1/scenario-packs/{pack_api_gone}",
            NoBody,
            [401, 204, 404, 403, 403, 403, 403, 403],
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
        // Training operations. Staff keep venues, instructors, plans and programs.
        p(
            "GET",
            "/api/v1/venues",
            "/api/v1/venues",
            NoBody,
            admin_or_training(401, 200),
        ),
        // Codes are unique: the admin creates, training then hits the taken code.
        p(
            "POST",
            "/api/v1/venues",
            "/api/v1/venues",
            Json(r#"{"code":"MX-API-R","name":"接口教室","capacity":20,"kind":"classroom"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/instructors",
            "/api/v1/instructors",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/instructors",
            "/api/v1/instructors",
            Json(r#"{"code":"MX-API-T","name":"外聘讲师","vendor":"某咨询"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        // The instructor may record their own absences.
        p(
            "POST",
            "/api/v1/instructors/{id}/unavailability",
            "/api/v1/instructors/{instructor}/unavailability",
            Json(
                r#"{"starts_at":"2030-01-01T00:00:00Z","ends_at":"2030-01-02T00:00:00Z","reason":"休假"}"#,
            ),
            [401, 201, 201, 403, 403, 201, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/plans",
            "/api/v1/plans",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/plans",
            "/api/v1/plans",
            Json(r#"{"code":"MX-API-PLAN","name":"接口计划","period":"2030"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs",
            "/api/v1/programs",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/programs",
            "/api/v1/programs",
            Json(r#"{"code":"MX-API-P","title":"接口项目"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}",
            "/api/v1/programs/{program}",
            NoBody,
            all(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/programs/{id}",
            "/api/v1/programs/{program}",
            Json(r#"{"code":"MX-P","title":"矩阵项目"}"#),
            admin_or_training(401, 204),
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/status",
            "/api/v1/programs/{program}/status",
            Json(r#"{"status":"open"}"#),
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/sessions",
            "/api/v1/programs/{program}/sessions",
            Json(
                r#"{"title":"追加","starts_at":"2031-03-01T01:00:00Z","ends_at":"2031-03-01T02:00:00Z","mode":"online","join_url":"https://meet.example.com/mx"}"#,
            ),
            admin_or_training(401, 201),
        ),
        p(
            "PUT",
            "/api/v1/sessions/{id}",
            "/api/v1/sessions/{session}",
            Json(
                r#"{"title":"第一讲","starts_at":"2030-06-01T01:00:00Z","ends_at":"2030-06-01T04:00:00Z","mode":"online","join_url":"https://meet.example.com/mx","instructors":["IN-EQ"]}"#,
            ),
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/sessions/{id}/cancel",
            "/api/v1/sessions/{session_spare}/cancel",
            NoBody,
            admin_or_training(401, 204),
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/conflicts",
            "/api/v1/programs/{program}/conflicts",
            Json(
                r#"{"title":"试排","starts_at":"2030-06-01T01:00:00Z","ends_at":"2030-06-01T02:00:00Z","mode":"online","join_url":"https://meet.example.com/mx"}"#,
            ),
            admin_or_training(401, 200),
        ),
        // Everyone linked to an employee may sign up; the admin account is not.
        p(
            "POST",
            "/api/v1/programs/{id}/enrollments",
            "/api/v1/programs/{program}/enrollments",
            Json(r#"{"self":true}"#),
            [401, 422, 200, 200, 200, 200, 200, 200],
        ),
        // The employee is inside the manager's department, the other person outside it.
        p(
            "POST",
            "/api/v1/programs/{id}/enrollments",
            "/api/v1/programs/{program}/enrollments",
            Json(r#"{"employees":["{learner_no}"]}"#),
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/enrollments",
            "/api/v1/programs/{program}/enrollments",
            Json(r#"{"employees":["{out_no}"]}"#),
            [401, 200, 200, 422, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}/enrollments",
            "/api/v1/programs/{program}/enrollments",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        // The admin cancels; the others then meet a cancelled enrollment (422) or,
        // outside their sight, none at all (404).
        p(
            "POST",
            "/api/v1/enrollments/{id}/cancel",
            "/api/v1/enrollments/{enr_out}/cancel",
            NoBody,
            [401, 200, 422, 404, 404, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/enrollments/{id}/cancel",
            "/api/v1/enrollments/{enr_own}/cancel",
            NoBody,
            [401, 200, 422, 422, 422, 404, 404, 404],
        ),
        p(
            "GET",
            "/api/v1/me/enrollments",
            "/api/v1/me/enrollments",
            NoBody,
            all(401, 200),
        ),
        // Exams over the API.
        p(
            "GET",
            "/api/v1/exam-questions",
            "/api/v1/exam-questions",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/exam-questions",
            "/api/v1/exam-questions",
            Json(
                r#"{"skill_code":"MG-TEAM","kind":"fill_in","difficulty":1,"stem":"矩阵填空","answers":["x"]}"#,
            ),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/exam-questions/{id}",
            "/api/v1/exam-questions/{x_question}",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/exam-questions/{id}",
            "/api/v1/exam-questions/{x_question}",
            Json(
                r#"{"skill_code":"MG-TEAM","kind":"true_false","difficulty":2,"stem":"矩阵判断题","answers":["true"]}"#,
            ),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/exam-questions/{id}/active",
            "/api/v1/exam-questions/{x_question}/active",
            Json(r#"{"active":true}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/exams",
            "/api/v1/exams",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/exams",
            "/api/v1/exams",
            Json(
                r#"{"code":"MXA-NEW","title":"矩阵","purpose":"final","skill_code":"MG-TEAM","draw_medium":1,"time_limit_minutes":10,"pass_mark_pct":60}"#,
            ),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/exams/{id}",
            "/api/v1/exams/{x_exam2}",
            NoBody,
            all(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/exams/{id}",
            "/api/v1/exams/{x_exam2}",
            Json(
                r#"{"code":"MXA-EXAM","title":"矩阵考试二","purpose":"final","skill_code":"MG-TEAM","draw_medium":1,"time_limit_minutes":10,"pass_mark_pct":60,"max_attempts":3}"#,
            ),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/exams/{id}/status",
            "/api/v1/exams/{x_exam2}/status",
            Json(r#"{"status":"published"}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/exams/{id}/attempts",
            "/api/v1/exams/{x_exam2}/attempts",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/exams/{id}/attempts",
            "/api/v1/exams/{x_exam2}/attempts",
            NoBody,
            [401, 403, 201, 201, 201, 201, 201, 201],
        ),
        p(
            "GET",
            "/api/v1/attempts/{id}",
            "/api/v1/attempts/{x_api_attempt}",
            NoBody,
            [401, 200, 200, 404, 200, 404, 404, 404],
        ),
        p(
            "PUT",
            "/api/v1/attempts/{id}/answers",
            "/api/v1/attempts/{x_api_attempt}/answers",
            Json(r#"{"answers":[]}"#),
            [401, 404, 404, 404, 200, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/attempts/{id}/grades",
            "/api/v1/attempts/{x_api_attempt}/grades",
            Json(r#"{"position":1,"points":0}"#),
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/attempts/{id}/submit",
            "/api/v1/attempts/{x_api_attempt}/submit",
            Json(r#"{}"#),
            [401, 404, 404, 404, 200, 404, 404, 404],
        ),
        p(
            "GET",
            "/api/v1/me/exams",
            "/api/v1/me/exams",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/grading",
            "/api/v1/grading",
            NoBody,
            [401, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}/learning-gain",
            "/api/v1/programs/{program}/learning-gain",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        // The instructor runs only the sessions they teach.
        p(
            "POST",
            "/api/v1/sessions/{id}/checkin-code",
            "/api/v1/sessions/{session}/checkin-code",
            Json(r#"{"minutes":15}"#),
            [401, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/sessions/{id}/checkin-code",
            "/api/v1/sessions/{session_free}/checkin-code",
            Json(r#"{"minutes":15}"#),
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/checkin",
            "/api/v1/checkin",
            Json(r#"{"code":"not-a-code"}"#),
            all(401, 422),
        ),
        p(
            "GET",
            "/api/v1/sessions/{id}/attendance",
            "/api/v1/sessions/{session}/attendance",
            NoBody,
            [401, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/sessions/{id}/attendance",
            "/api/v1/sessions/{session_free}/attendance",
            NoBody,
            admin_or_training(401, 200),
        ),
        p(
            "POST",
            "/api/v1/sessions/{id}/roll-call",
            "/api/v1/sessions/{session}/roll-call",
            Json(r#"{"marks":[{"employee_number":"{learner_no}","status":"present"}]}"#),
            [401, 200, 200, 403, 403, 200, 403, 403],
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
            "/admin/users/{id}/password-reset",
            "/admin/users/{target}/password-reset",
            NoBody,
            admin_only(403, 200),
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
        // Notifications: everyone has an inbox and preferences and sees only their own
        // (the probe's notification is the admin's); webhooks are the system admin's.
        p("GET", "/inbox", "/inbox", NoBody, all(303, 200)),
        p(
            "POST",
            "/inbox/read-all",
            "/inbox/read-all",
            NoBody,
            all(403, 303),
        ),
        p(
            "GET",
            "/inbox/settings",
            "/inbox/settings",
            NoBody,
            all(303, 200),
        ),
        p(
            "POST",
            "/inbox/settings",
            "/inbox/settings",
            Form(&[("enrolled:in_app", "on")]),
            all(403, 303),
        ),
        p(
            "GET",
            "/inbox/{id}",
            "/inbox/{notification}",
            NoBody,
            [303, 303, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "POST",
            "/inbox/{id}/read",
            "/inbox/{notification}/read",
            NoBody,
            [403, 303, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/admin/webhooks",
            "/admin/webhooks",
            NoBody,
            admin_only(303, 200),
        ),
        p(
            "POST",
            "/admin/webhooks",
            "/admin/webhooks",
            Form(&[
                ("name", "matrix"),
                ("url", "http://127.0.0.1:9/matrix"),
                ("kinds", "enrolled"),
            ]),
            admin_only(403, 200),
        ),
        p(
            "GET",
            "/admin/webhooks/{id}",
            "/admin/webhooks/{webhook}",
            NoBody,
            admin_only(303, 200),
        ),
        p(
            "POST",
            "/admin/webhooks/{id}",
            "/admin/webhooks/{webhook}",
            Form(&[
                ("name", "matrix"),
                ("url", "http://127.0.0.1:9/matrix"),
                ("kinds", "exam_graded"),
            ]),
            admin_only(403, 303),
        ),
        p(
            "POST",
            "/admin/webhooks/{id}/test",
            "/admin/webhooks/{webhook}/test",
            NoBody,
            admin_only(403, 303),
        ),
        p(
            "POST",
            "/admin/webhooks/{id}/test-message",
            "/admin/webhooks/{webhook}/test-message",
            NoBody,
            admin_only(403, 200),
        ),
        p(
            "POST",
            "/admin/webhooks/{id}/delete",
            "/admin/webhooks/{webhook_ui_gone}/delete",
            NoBody,
            admin_only(403, 303),
        ),
        p(
            "GET",
            "/api/v1/notifications",
            "/api/v1/notifications",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/notifications/unread-count",
            "/api/v1/notifications/unread-count",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/notifications/{id}/read",
            "/api/v1/notifications/{notification}/read",
            NoBody,
            [401, 200, 404, 404, 404, 404, 404, 404],
        ),
        p(
            "POST",
            "/api/v1/notifications/read-all",
            "/api/v1/notifications/read-all",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/notifications/preferences",
            "/api/v1/notifications/preferences",
            NoBody,
            all(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/notifications/preferences",
            "/api/v1/notifications/preferences",
            Json(r#"[{"kind":"exam_graded","channel":"email","enabled":false}]"#),
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/webhooks",
            "/api/v1/webhooks",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "POST",
            "/api/v1/webhooks",
            "/api/v1/webhooks",
            Json(r#"{"name":"matrix","url":"http://127.0.0.1:9/m","kinds":["enrolled"]}"#),
            admin_only(401, 201),
        ),
        p(
            "GET",
            "/api/v1/webhooks/{id}",
            "/api/v1/webhooks/{webhook}",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "PUT",
            "/api/v1/webhooks/{id}",
            "/api/v1/webhooks/{webhook}",
            Json(
                r#"{"name":"matrix","url":"http://127.0.0.1:9/m","kinds":["enrolled"],"active":false}"#,
            ),
            admin_only(401, 204),
        ),
        p(
            "DELETE",
            "/api/v1/webhooks/{id}",
            "/api/v1/webhooks/{webhook_api_gone}",
            NoBody,
            admin_only(401, 204),
        ),
        p(
            "GET",
            "/api/v1/webhooks/{id}/deliveries",
            "/api/v1/webhooks/{webhook}/deliveries",
            NoBody,
            admin_only(401, 200),
        ),
        p(
            "POST",
            "/api/v1/webhooks/{id}/test",
            "/api/v1/webhooks/{webhook}/test",
            NoBody,
            admin_only(401, 202),
        ),
        // A test message goes out at once; the matrix's endpoint is unreachable, so the
        // admin gets its answer (not delivered) with 200.
        p(
            "POST",
            "/api/v1/webhooks/{id}/test-message",
            "/api/v1/webhooks/{webhook}/test-message",
            NoBody,
            admin_only(401, 200),
        ),
        // Reaction surveys, certificates and credits (pages, then the API).
        p(
            "GET",
            "/surveys/templates",
            "/surveys/templates",
            NoBody,
            admin_or_training(303, 200),
        ),
        // The admin adds the template; training's identical code is then taken.
        p(
            "POST",
            "/surveys/templates",
            "/surveys/templates",
            Form(&[
                ("code", "MX-T"),
                ("title", "矩阵问卷"),
                ("questions", "rating | 课程内容 | content"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/surveys/templates/{id}",
            "/surveys/templates/{c_template}",
            Form(&[
                ("code", "MX-T2"),
                ("title", "矩阵问卷二"),
                ("questions", "rating | 讲师 | instructor"),
                ("active", "1"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/programs/{id}/surveys",
            "/programs/{p_program}/surveys",
            Form(&[("template_code", "REACTION-STD")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/programs/{id}/reaction",
            "/programs/{c_program}/reaction",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/programs/{id}/reaction.xlsx",
            "/programs/{c_program}/reaction.xlsx",
            NoBody,
            admin_or_training(303, 200),
        ),
        // The instructor login teaches the surveyed session.
        p(
            "GET",
            "/sessions/{id}/reaction",
            "/sessions/{c_session}/reaction",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/instructors/{id}/reaction",
            "/instructors/{p_instructor}/reaction",
            NoBody,
            [303, 200, 200, 403, 403, 200, 403, 403],
        ),
        // Only the employee login attended the surveyed session; it answers once.
        p(
            "GET",
            "/surveys/{id}",
            "/surveys/{m_survey}",
            NoBody,
            [303, 404, 404, 404, 200, 404, 404, 404],
        ),
        p(
            "POST",
            "/surveys/{id}",
            "/surveys/{m_survey}",
            Form(&[
                ("q0", "5"),
                ("q1", "4"),
                ("q2", "4"),
                ("q3", "5"),
                ("q4", "会"),
            ]),
            [403, 404, 404, 404, 303, 404, 404, 404],
        ),
        p(
            "GET",
            "/certificates",
            "/certificates",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/certificates/export.xlsx",
            "/certificates/export.xlsx?within=3650",
            NoBody,
            admin_or_training(303, 200),
        ),
        // A completed enrollment whose certificate was revoked: the admin issues a new one.
        p(
            "POST",
            "/enrollments/{id}/certificate",
            "/enrollments/{c_enrollment}/certificate",
            NoBody,
            [403, 303, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/certificates/{id}/revoke",
            "/certificates/{c_cert}/revoke",
            Form(&[("reason", "矩阵撤销")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        // Someone else's certificate: program staff only; the holder is tested elsewhere.
        p(
            "GET",
            "/certificates/{id}/pdf",
            "/certificates/{c_cert_pdf}/pdf",
            NoBody,
            [303, 200, 200, 404, 404, 404, 404, 404],
        ),
        p(
            "GET",
            "/certificates/verify/{token}",
            "/certificates/verify/{c_token}",
            NoBody,
            all(200, 200),
        ),
        p(
            "GET",
            "/credits",
            "/credits",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/credits/export.xlsx",
            "/credits/export.xlsx",
            NoBody,
            [303, 200, 200, 200, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/credits/requirements",
            "/credits/requirements",
            Form(&[("position_code", "P-OP"), ("annual_credits", "30")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/survey-templates",
            "/api/v1/survey-templates",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/survey-templates",
            "/api/v1/survey-templates",
            Json(
                r#"{"code":"MX-API-T","title":"矩阵","questions":[{"text":"好","kind":"rating","dimension":"content"}]}"#,
            ),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "PUT",
            "/api/v1/survey-templates/{id}",
            "/api/v1/survey-templates/{c_template}",
            Json(r#"{"code":"MX-T3","title":"矩阵三","questions":[{"text":"好","kind":"text"}]}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}/surveys",
            "/api/v1/programs/{c_program}/surveys",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/programs/{id}/surveys",
            "/api/v1/programs/{p_program}/surveys",
            Json(r#"{"template_code":"REACTION-STD"}"#),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        // The session has its survey already.
        p(
            "POST",
            "/api/v1/sessions/{id}/survey",
            "/api/v1/sessions/{p_session}/survey",
            Json(r#"{"template_code":"REACTION-STD"}"#),
            [401, 409, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/me/surveys",
            "/api/v1/me/surveys",
            NoBody,
            all(401, 200),
        ),
        // The employee login answered through the page; nobody else attended.
        p(
            "POST",
            "/api/v1/surveys/{id}/responses",
            "/api/v1/surveys/{m_survey}/responses",
            Json(
                r#"{"answers":[{"question":0,"rating":4},{"question":1,"rating":4},{"question":2,"rating":4},{"question":3,"rating":4},{"question":4,"choice":"会"}]}"#,
            ),
            [401, 404, 404, 404, 409, 404, 404, 404],
        ),
        p(
            "GET",
            "/api/v1/programs/{id}/reaction",
            "/api/v1/programs/{c_program}/reaction",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/sessions/{id}/reaction",
            "/api/v1/sessions/{c_session}/reaction",
            NoBody,
            [401, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/instructors/{id}/reaction",
            "/api/v1/instructors/{p_instructor}/reaction",
            NoBody,
            [401, 200, 200, 403, 403, 200, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/certificates",
            "/api/v1/certificates?expiring_within_days=30",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/me/certificates",
            "/api/v1/me/certificates",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/enrollments/{id}/certificate",
            "/api/v1/enrollments/{c_enrollment2}/certificate",
            NoBody,
            [401, 201, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/certificates/{id}/revoke",
            "/api/v1/certificates/{c_cert2}/revoke",
            Json(r#"{"reason":"矩阵撤销"}"#),
            [401, 204, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/credits",
            "/api/v1/credits",
            NoBody,
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        // The admin login is no employee.
        p(
            "GET",
            "/api/v1/me/credits",
            "/api/v1/me/credits",
            NoBody,
            [401, 404, 200, 200, 200, 200, 200, 200],
        ),
        p(
            "PUT",
            "/api/v1/positions/{code}/credit-requirement",
            "/api/v1/positions/P-OP/credit-requirement",
            Json(r#"{"annual_credits":32}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        // The scheduler: ManagePrograms only.
        p(
            "GET",
            "/timetables",
            "/timetables",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/timetables",
            "/timetables",
            Form(&[
                ("plan_code", "PLAN-SCHED"),
                ("from", "2031-01-10"),
                ("to", "2031-01-01"),
            ]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/timetables/new",
            "/timetables/new?plan=PLAN-SCHED",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "GET",
            "/timetables/{id}",
            "/timetables/{tt_draft}",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/timetables/{id}/entries/{session_id}",
            "/timetables/{tt_draft}/entries/{tt_session}",
            Form(&[("action", "pin")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/timetables/{id}/resolve",
            "/timetables/{tt_draft}/resolve",
            NoBody,
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        // A draft with a hard conflict: publishing without "anyway" is refused.
        p(
            "POST",
            "/timetables/{id}/publish",
            "/timetables/{tt_conflicted}/publish",
            NoBody,
            [403, 409, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/timetables/{id}/discard",
            "/timetables/{tt_gone_ui}/discard",
            NoBody,
            [403, 303, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/calendar-blocks",
            "/calendar-blocks",
            NoBody,
            admin_or_training(303, 200),
        ),
        p(
            "POST",
            "/calendar-blocks",
            "/calendar-blocks",
            Form(&[
                ("starts_on", "2031-05-01"),
                ("kind", "holiday"),
                ("note", "矩阵"),
            ]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/calendar-blocks/{id}/delete",
            "/calendar-blocks/{tt_block_ui}/delete",
            NoBody,
            [403, 303, 404, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/timetables",
            "/api/v1/timetables?status=draft",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/timetables",
            "/api/v1/timetables",
            Json(r#"{"plan_code":"PLAN-SCHED","from":"2031-01-10","to":"2031-01-01"}"#),
            [401, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/timetables/{id}",
            "/api/v1/timetables/{tt_draft}",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/timetables/{id}/entries/{session_id}",
            "/api/v1/timetables/{tt_draft}/entries/{tt_session}",
            Json(r#"{"pinned":false}"#),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/timetables/{id}/resolve",
            "/api/v1/timetables/{tt_draft}/resolve",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/timetables/{id}/publish",
            "/api/v1/timetables/{tt_conflicted}/publish",
            Json("{}"),
            [401, 409, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/timetables/{id}/discard",
            "/api/v1/timetables/{tt_gone_api}/discard",
            NoBody,
            [401, 204, 409, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/calendar-blocks",
            "/api/v1/calendar-blocks",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/calendar-blocks",
            "/api/v1/calendar-blocks",
            Json(r#"{"starts_on":"2031-06-01","ends_on":"2031-06-01","kind":"other"}"#),
            [401, 201, 201, 403, 403, 403, 403, 403],
        ),
        p(
            "DELETE",
            "/api/v1/calendar-blocks/{id}",
            "/api/v1/calendar-blocks/{tt_block_api}",
            NoBody,
            [401, 204, 404, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/venues/{id}/scheduling",
            "/api/v1/venues/{p_venue}/scheduling",
            Json(r#"{"hourly_rate":150}"#),
            [401, 204, 204, 403, 403, 403, 403, 403],
        ),
        // Evaluation (levels 1–3): managers (their subtree), training and system
        // admins and executives read it; coaching tasks are program staff's to create.
        p("GET", "/evaluation", "/evaluation", NoBody, EVAL_PAGE),
        p(
            "GET",
            "/evaluation/programs",
            "/evaluation/programs",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/programs/export.xlsx",
            "/evaluation/programs/export.xlsx",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/programs/{id}",
            "/evaluation/programs/{pr_program}",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/instructors",
            "/evaluation/instructors",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/instructors/export.xlsx",
            "/evaluation/instructors/export.xlsx",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/vendors",
            "/evaluation/vendors",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/vendors/export.xlsx",
            "/evaluation/vendors/export.xlsx",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/resources",
            "/evaluation/resources",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/resources/export.xlsx",
            "/evaluation/resources/export.xlsx",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "GET",
            "/evaluation/alerts",
            "/evaluation/alerts",
            NoBody,
            EVAL_PAGE,
        ),
        p(
            "POST",
            "/evaluation/alerts/coaching",
            "/evaluation/alerts/coaching",
            NoBody,
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/evaluation/programs",
            "/api/v1/evaluation/programs",
            NoBody,
            EVAL_API,
        ),
        p(
            "GET",
            "/api/v1/evaluation/programs/{id}",
            "/api/v1/evaluation/programs/{pr_program}",
            NoBody,
            EVAL_API,
        ),
        p(
            "GET",
            "/api/v1/evaluation/funnel",
            "/api/v1/evaluation/funnel",
            NoBody,
            EVAL_API,
        ),
        p(
            "GET",
            "/api/v1/evaluation/efficiency",
            "/api/v1/evaluation/efficiency?by=vendor",
            NoBody,
            EVAL_API,
        ),
        p(
            "GET",
            "/api/v1/evaluation/alerts",
            "/api/v1/evaluation/alerts",
            NoBody,
            EVAL_API,
        ),
        p(
            "POST",
            "/api/v1/evaluation/alerts/coaching",
            "/api/v1/evaluation/alerts/coaching",
            NoBody,
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        // The organisation as a maintained tree: HR (system and training admins) writes.
        p(
            "GET",
            "/api/v1/departments/tree",
            "/api/v1/departments/tree?include_closed=true",
            NoBody,
            all(401, 200),
        ),
        p(
            "GET",
            "/api/v1/departments/{id}",
            "/api/v1/departments/{org_dept}",
            NoBody,
            with_anon(OUT_SCOPE, 401),
        ),
        p(
            "POST",
            "/api/v1/departments",
            "/api/v1/departments",
            Json(r#"{"code":"MX-ORG-NEW","name":"矩阵新部门","parent_id":{org_root}}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "PATCH",
            "/api/v1/departments/{id}",
            "/api/v1/departments/{org_dept}",
            Json(r#"{"site":"上海"}"#),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/departments/{id}/move",
            "/api/v1/departments/{org_dept}/move",
            Json(r#"{"parent_id":{org_mkt}}"#),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/departments/{id}/merge",
            "/api/v1/departments/{org_merge}/merge",
            Json(r#"{"target_id":{org_root}}"#),
            [401, 200, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/departments/{id}/close",
            "/api/v1/departments/{org_close}/close",
            Json(r#"{}"#),
            [401, 200, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/api/v1/positions",
            "/api/v1/positions?q=MX",
            NoBody,
            all(401, 200),
        ),
        p(
            "POST",
            "/api/v1/positions",
            "/api/v1/positions",
            Json(r#"{"code":"MX-POS-NEW","name":"矩阵新岗位"}"#),
            [401, 201, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "PATCH",
            "/api/v1/positions/{id}",
            "/api/v1/positions/{org_pos}",
            Json(r#"{"name":"矩阵岗位"}"#),
            [401, 200, 200, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/api/v1/positions/{id}/retire",
            "/api/v1/positions/{org_pos_retire}/retire",
            Json(r#"{}"#),
            [401, 200, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/departments",
            "/org/departments",
            Form(&[
                ("code", "MX-ORG-PG"),
                ("name", "矩阵页面部门"),
                ("parent_id", "{org_root}"),
            ]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/org/departments/{id}",
            "/org/departments/{org_dept}",
            NoBody,
            with_anon(OUT_SCOPE, 303),
        ),
        p(
            "POST",
            "/org/departments/{id}",
            "/org/departments/{org_page}",
            Form(&[("name", "矩阵MX-ORG-C")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/departments/{id}/move",
            "/org/departments/{org_page}/move",
            Form(&[("parent_id", "{org_root}")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/departments/{id}/merge",
            "/org/departments/{org_page_merge}/merge",
            Form(&[("target_id", "{org_root}"), ("confirm", "on")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/departments/{id}/close",
            "/org/departments/{org_page_close}/close",
            Form(&[("confirm", "on")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/org/positions",
            "/org/positions?q=MX",
            NoBody,
            all(303, 200),
        ),
        p(
            "POST",
            "/org/positions",
            "/org/positions",
            Form(&[("code", "MX-POS-PG"), ("name", "矩阵页面岗位")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/org/positions/{id}",
            "/org/positions/{org_pos}",
            NoBody,
            all(303, 200),
        ),
        p(
            "POST",
            "/org/positions/{id}",
            "/org/positions/{org_pos}",
            Form(&[("code", "MX-POS"), ("name", "矩阵岗位")]),
            [403, 303, 303, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/positions/{id}/retire",
            "/org/positions/{org_pos_retire_page}/retire",
            Form(&[("confirm", "on")]),
            [403, 303, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "GET",
            "/org/import",
            "/org/import",
            NoBody,
            [303, 200, 200, 403, 403, 403, 403, 403],
        ),
        // Not multipart bodies: the permission is checked first, then the form says what is wrong.
        p(
            "POST",
            "/org/import/departments",
            "/org/import/departments",
            Form(&[("dry_run", "on")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
        ),
        p(
            "POST",
            "/org/import/positions",
            "/org/import/positions",
            Form(&[("dry_run", "on")]),
            [403, 422, 422, 403, 403, 403, 403, 403],
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
    /// The pending (training-admin) approval step of `need_in`.
    need_step: i64,
    /// The library's probe targets.
    lib: LibraryTargets,
    ops: OpsTargets,
    /// For the pages: an open program with two sessions (the instructor login
    /// teaches the first), the employee login's enrollment, its venue and instructor.
    pages: PageOpsTargets,
    practice: PracticeTargets,
    notify: NotifyTargets,
    certs: CertTargets,
    exams: ExamTargets,
    timetables: TimetableTargets,
}

/// The admin's notification and webhooks (one kept, one deleted by page, one by API).
struct NotifyTargets {
    notification: i64,
    webhook: i64,
    webhook_ui_gone: i64,
    webhook_api_gone: i64,
}

async fn notify_targets(app: &TestApp) -> NotifyTargets {
    use domain::notifications::{NotificationEvent, NotificationKind, WebhookInput};
    let admin = app.user_id("admin").await;
    let event = NotificationEvent::new(NotificationKind::Enrolled, vec![admin])
        .param("program", "矩阵")
        .link("/programs");
    app.store.notify(&event).await.unwrap();
    let notification = app
        .store
        .inbox(admin, true, Page::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let mut hooks = Vec::new();
    for name in ["matrix-keep", "matrix-ui-gone", "matrix-api-gone"] {
        let input = WebhookInput {
            name: name.into(),
            // Inactive and unreachable: probes never send anything.
            url: "http://127.0.0.1:9/matrix".into(),
            platform: String::new(),
            style: String::new(),
            secret: String::new(),
            kinds: vec!["enrolled".into()],
            active: false,
        };
        let valid = input.validated().unwrap();
        hooks.push(
            app.store
                .create_webhook(&valid, "matrix-secret-0123456789", &Actor::system())
                .await
                .unwrap(),
        );
    }
    NotifyTargets {
        notification,
        webhook: hooks[0],
        webhook_ui_gone: hooks[1],
        webhook_api_gone: hooks[2],
    }
}

struct PageOpsTargets {
    program: i64,
    session: i64,
    session2: i64,
    enrollment: i64,
    instructor: i64,
    venue: i64,
    /// A PROD1 employee's number.
    number: String,
}

async fn targets(app: &TestApp) -> Targets {
    let prod1 = app.department("PROD1-WELD").await;
    let east = app.department("MKT-EAST").await;
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
        password_hash: service::secrets::hash_password("target password").unwrap(),
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
    let manager_root = app.department("PROD1").await.path;
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
    let need_step = app
        .store
        .need_approval(need_in)
        .await
        .unwrap()
        .current_step()
        .expect("a gap need waits for approval")
        .id;
    let lib = library_targets(app).await;
    let ops = ops_targets(app, first(east.id).await).await;
    let pages = page_ops_targets(app).await;
    let practice = practice_targets(app).await;
    let notify = notify_targets(app).await;
    let certs = cert_targets(app, &pages).await;
    let exams = exam_targets(app).await;
    let timetables = timetable_targets(app).await;
    Targets {
        timetables,
        certs,
        exams,
        lib,
        ops,
        pages,
        practice,
        notify,
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
        need_step,
    }
}

async fn page_ops_targets(app: &TestApp) -> PageOpsTargets {
    use domain::account::AccountRepository;
    use domain::operations::*;
    let system = Actor::system();
    let employee_of = |name: &'static str| async move {
        let user = app.store.get_user(app.user_id(name).await).await.unwrap();
        let id = user.employee_id.unwrap();
        app.store
            .get_employee(&DataScope::company(), id)
            .await
            .unwrap()
    };
    let teacher = employee_of("instructor").await;
    let learner = employee_of("employee").await;
    app.store
        .create_plan(
            &PlanInput {
                code: "MXW-PLAN".into(),
                name: "矩阵计划".into(),
                period: "2031".into(),
            },
            &system,
        )
        .await
        .unwrap();
    let venue = app
        .store
        .create_venue(
            &VenueInput {
                code: "MX-V".into(),
                name: "矩阵教室".into(),
                site: "总部".into(),
                capacity: 60,
                kind: VenueKind::Classroom,
                equipment: String::new(),
            },
            &system,
        )
        .await
        .unwrap();
    // The demo links the instructor login to an instructor record (IN-EQ).
    let instructor = app
        .store
        .instructor_of_employee(teacher.id)
        .await
        .unwrap()
        .expect("the demo instructor teaches");
    let teacher_code = app
        .store
        .list_instructors()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id == instructor)
        .unwrap()
        .code;
    let program = app
        .store
        .create_program(
            &ProgramInput {
                code: "MXW-P".into(),
                title: "矩阵项目".into(),
                plan_code: Some("MXW-PLAN".into()),
                objectives: String::new(),
                audience: AudienceRule::default(),
                capacity: Some(50),
                hours: 6.0,
                credits: 1.0,
                skills: vec![],
                resources: vec![],
                instructors: vec![teacher_code.clone()],
                costs: vec![],
                transfer: None,
                min_attendance_pct: 80,
                cancel_deadline_hours: 24,
                survey_required: false,
                certificate_months: None,
                exam_required: false,
            },
            &system,
        )
        .await
        .unwrap();
    app.store
        .set_program_status(program, ProgramStatus::Open, &system)
        .await
        .unwrap();
    let start = OffsetDateTime::now_utc() + time::Duration::days(30);
    let session = |hours: i64, teachers: Vec<String>| SessionInput {
        title: format!("第{hours}场"),
        starts_at: start + time::Duration::hours(hours),
        ends_at: start + time::Duration::hours(hours + 2),
        mode: SessionMode::Classroom,
        venue_code: Some("MX-V".into()),
        capacity: None,
        join_url: None,
        instructors: teachers,
        allow_conflicts: false,
    };
    let (session1, _) = app
        .store
        .save_session(
            program,
            None,
            &session(0, vec![teacher_code.clone()]),
            &system,
        )
        .await
        .unwrap();
    let (session2, _) = app
        .store
        .save_session(program, None, &session(4, vec![]), &system)
        .await
        .unwrap();
    app.store
        .enroll(program, &[learner.id], EnrollmentSource::Assigned, &system)
        .await
        .unwrap();
    let enrollment = app
        .store
        .employee_enrollments(learner.id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.program_id == program)
        .unwrap()
        .id;
    PageOpsTargets {
        program,
        session: session1,
        session2,
        enrollment,
        instructor,
        venue,
        number: learner.employee_no,
    }
}

/// Survey and certificate records the probes refer to.
struct CertTargets {
    /// A template of its own (the probes rename it).
    template: i64,
    /// The pages' program and its first session (the instructor login teaches it),
    /// surveyed.
    program: i64,
    session: i64,
    /// An open survey on the first session of the pages' program, which only the
    /// employee login attended.
    survey: i64,
    /// Completed enrollments whose certificates were revoked (a new one may be issued).
    enrollment: i64,
    enrollment2: i64,
    /// Valid certificates of people who are no logins: one to revoke per surface,
    /// one to download.
    cert: i64,
    cert2: i64,
    cert_pdf: i64,
    token: String,
}

async fn cert_targets(app: &TestApp, pages: &PageOpsTargets) -> CertTargets {
    use domain::operations::{AttendanceMethod, AttendanceStatus};
    use domain::surveys::*;
    let system = Actor::system();
    let template = app
        .store
        .save_survey_template(
            None,
            &TemplateInput {
                code: "MX-T0".into(),
                title: "矩阵模板".into(),
                questions: vec![Question {
                    text: "课程内容".into(),
                    kind: QuestionKind::Rating,
                    dimension: Some(Dimension::Content),
                    options: vec![],
                }],
                active: true,
            },
            &system,
        )
        .await
        .unwrap();
    // The employee login attends the pages' first session, which gets an open survey.
    let learner = app
        .store
        .get_user(app.user_id("employee").await)
        .await
        .unwrap()
        .employee_id
        .unwrap();
    app.store
        .roll_call(
            pages.session,
            &[(learner, AttendanceStatus::Present)],
            AttendanceMethod::RollCall,
            &system,
        )
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let survey = app
        .store
        .attach_survey(
            pages.session,
            &AttachInput {
                template_code: "REACTION-STD".into(),
                anonymous: true,
                opens_at: Some(now - time::Duration::hours(1)),
                closes_at: Some(now + time::Duration::days(60)),
            },
            &system,
        )
        .await
        .unwrap();
    // Certificates of people without a login.
    let logins: Vec<i64> = {
        let mut ids = Vec::new();
        for name in [
            "training",
            "manager",
            "employee",
            "instructor",
            "reviewer",
            "executive",
        ] {
            if let Some(e) = app
                .store
                .get_user(app.user_id(name).await)
                .await
                .unwrap()
                .employee_id
            {
                ids.push(e);
            }
        }
        ids
    };
    let certificates: Vec<_> = app
        .store
        .list_certificates(
            &DataScope::company(),
            &domain::certificates::CertificateFilter::default(),
            now.date(),
            Page::new(Some(1), Some(50)),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|c| !logins.contains(&c.employee_id))
        .collect();
    assert!(certificates.len() >= 5, "the demo issues certificates");
    for c in &certificates[3..5] {
        app.store
            .revoke_certificate(c.id, "矩阵准备", &system)
            .await
            .unwrap();
    }
    CertTargets {
        template,
        program: pages.program,
        session: pages.session,
        survey,
        enrollment: certificates[3].enrollment_id,
        enrollment2: certificates[4].enrollment_id,
        cert: certificates[0].id,
        cert2: certificates[1].id,
        cert_pdf: certificates[2].id,
        token: certificates[2].token.clone(),
    }
}

/// Library records the probes refer to.
struct LibraryTargets {
    /// Published by training, with a PDF, a pending comment and the tag `tag`.
    res_pub: i64,
    /// An instructor's draft with a file (`draft_file`).
    res_draft: i64,
    /// An instructor's micro-course draft.
    res_micro: i64,
    /// The PDF of the published version of `res_pub`.
    file: i64,
    draft_file: i64,
    comment: i64,
    /// A scenario tag in use (removing it deactivates it, every time).
    tag: i64,
    /// A pack of `res_pub` and `res_draft`, and two packs the delete probes consume.
    pack: i64,
    pack_ui_gone: i64,
    pack_api_gone: i64,
}

/// The library's probe targets (see [`LibraryTargets`]).
async fn library_targets(app: &TestApp) -> LibraryTargets {
    use domain::library::{
        MicroCourseInput, Origin, ResourceInput, ResourceKind, ResourceStatus, ScenarioPackInput,
        TagKind, TagRef,
    };
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
        estimated_minutes: 10,
        tags: vec![],
        skills: vec![],
        positions: vec![],
    };
    let pdf = || bytes::Bytes::from_static(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n");
    let training = as_user("training").await;
    let instructor = as_user("instructor").await;
    let tag = app
        .store
        .create_tag(TagKind::Scenario, "矩阵场景", &training)
        .await
        .unwrap();
    let mut published = input("LIB-PUB", ResourceKind::Course);
    published.tags = vec![TagRef::Id(tag)];
    let res_pub = app
        .store
        .create_resource(&published, &training)
        .await
        .unwrap();
    let file = app
        .store
        .upload_resource_file(
            &app.state().files,
            res_pub,
            "手册.pdf",
            pdf(),
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
        .create_resource(&input("LIB-DRAFT", ResourceKind::Document), &instructor)
        .await
        .unwrap();
    let draft_file = app
        .store
        .upload_resource_file(
            &app.state().files,
            res_draft,
            "草稿.pdf",
            pdf(),
            1024 * 1024,
            &instructor,
        )
        .await
        .unwrap()
        .id;
    let micro = MicroCourseInput {
        resource: input("LIB-MICRO", ResourceKind::MicroCourse),
        problem: "问题".into(),
        case: "案例".into(),
        solution: "方法".into(),
        need_id: None,
        skill_code: None,
    };
    let res_micro = app
        .store
        .create_micro_course(&micro, &instructor)
        .await
        .unwrap();
    let pack = |code: &str| ScenarioPackInput {
        code: code.into(),
        name: format!("{code} 资源包"),
        scenario_step: "设备点检".into(),
        description: String::new(),
        resources: vec!["LIB-PUB".into(), "LIB-DRAFT".into()],
    };
    let mut packs = Vec::new();
    for code in ["PK-MATRIX", "PK-UI-GONE", "PK-API-GONE"] {
        packs.push(app.store.create_pack(&pack(code), &training).await.unwrap());
    }
    LibraryTargets {
        res_pub,
        res_draft,
        res_micro,
        file,
        draft_file,
        comment,
        tag,
        pack: packs[0],
        pack_ui_gone: packs[1],
        pack_api_gone: packs[2],
    }
}

/// Training-operations records the probes refer to.
struct OpsTargets {
    /// An open program taught by the instructor login, the employee login enrolled.
    program: i64,
    /// Its session taught by the instructor, one nobody teaches, one to cancel.
    session: i64,
    session_free: i64,
    session_spare: i64,
    /// The instructor login's instructor record.
    instructor: i64,
    /// Enrollments of someone outside PROD1 and of the employee login, in a program of their own.
    enr_out: i64,
    enr_own: i64,
    learner_no: String,
    out_no: String,
}

async fn ops_targets(app: &TestApp, outsider: i64) -> OpsTargets {
    use domain::operations::{
        EnrollmentSource, ProgramInput, ProgramStatus, SessionInput, SessionMode,
    };
    let actor = Actor::system();
    let employee_of = |name: &'static str| async move {
        let user = app.user_id(name).await;
        app.store
            .load_principal(user)
            .await
            .unwrap()
            .employee_id
            .unwrap()
    };
    let number_of = |id: i64| async move {
        app.store
            .get_employee(&DataScope::company(), id)
            .await
            .unwrap()
            .employee_no
    };
    let teacher = employee_of("instructor").await;
    let learner = employee_of("employee").await;
    // The demo links the instructor login to the record IN-EQ.
    let instructor = app
        .store
        .instructor_of_employee(teacher)
        .await
        .unwrap()
        .expect("the demo instructor teaches");
    let program_input = |code: &str| {
        serde_json::from_value::<ProgramInput>(serde_json::json!({ "code": code, "title": code }))
            .unwrap()
    };
    let program = app
        .store
        .create_program(&program_input("MX-P"), &actor)
        .await
        .unwrap();
    let own = app
        .store
        .create_program(&program_input("MX-C"), &actor)
        .await
        .unwrap();
    let session_at = |day: u8, instructors: Vec<String>| SessionInput {
        title: "第一讲".into(),
        starts_at: time::Date::from_calendar_date(2030, time::Month::June, day)
            .unwrap()
            .with_hms(1, 0, 0)
            .unwrap()
            .assume_utc(),
        ends_at: time::Date::from_calendar_date(2030, time::Month::June, day)
            .unwrap()
            .with_hms(4, 0, 0)
            .unwrap()
            .assume_utc(),
        mode: SessionMode::Online,
        venue_code: None,
        capacity: None,
        join_url: Some("https://meet.example.com/mx".into()),
        instructors,
        allow_conflicts: false,
    };
    let mut sessions = Vec::new();
    for (day, instructors) in [(1, vec!["IN-EQ".to_string()]), (2, vec![]), (3, vec![])] {
        let (id, _) = app
            .store
            .save_session(program, None, &session_at(day, instructors), &actor)
            .await
            .unwrap();
        sessions.push(id);
    }
    let [session, session_free, session_spare] = sessions[..] else {
        unreachable!("three sessions were saved")
    };
    app.store
        .set_program_status(program, ProgramStatus::Open, &actor)
        .await
        .unwrap();
    app.store
        .enroll(program, &[learner], EnrollmentSource::SelfService, &actor)
        .await
        .unwrap();
    app.store
        .enroll(
            own,
            &[learner, outsider],
            EnrollmentSource::Assigned,
            &actor,
        )
        .await
        .unwrap();
    let page = app
        .store
        .program_enrollments(own, &DataScope::company(), Page::default())
        .await
        .unwrap();
    let enrollment_of = |employee: i64| {
        page.items
            .iter()
            .find(|e| e.employee_id == employee)
            .unwrap()
            .id
    };
    OpsTargets {
        program,
        session,
        session_free,
        session_spare,
        instructor,
        enr_out: enrollment_of(outsider),
        enr_own: enrollment_of(learner),
        learner_no: number_of(learner).await,
        out_no: number_of(outsider).await,
    }
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
        service::accounts::issue_token(app.state(), admin, "matrix-victim", &Actor::system())
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
    service::imports::import_kpi_values(
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
    let org = crate::org_tree::matrix_targets(&app).await;
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
            let text = crate::org_tree::fill(&org, text);
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
                .replace("{need_step}", &t.need_step.to_string())
                .replace("{program}", &t.ops.program.to_string())
                .replace("{session}", &t.ops.session.to_string())
                .replace("{session_free}", &t.ops.session_free.to_string())
                .replace("{session_spare}", &t.ops.session_spare.to_string())
                .replace("{instructor}", &t.ops.instructor.to_string())
                .replace("{enr_out}", &t.ops.enr_out.to_string())
                .replace("{enr_own}", &t.ops.enr_own.to_string())
                .replace("{learner_no}", &t.ops.learner_no)
                .replace("{out_no}", &t.ops.out_no)
                .replace("{x_question}", &t.exams.question.to_string())
                .replace("{x_exam2}", &t.exams.exam2.to_string())
                .replace("{x_exam}", &t.exams.exam.to_string())
                .replace("{x_api_attempt}", &t.exams.api_attempt.to_string())
                .replace("{x_attempt}", &t.exams.attempt.to_string())
                .replace("{p_program}", &t.pages.program.to_string())
                .replace("{p_session2}", &t.pages.session2.to_string())
                .replace("{p_session}", &t.pages.session.to_string())
                .replace("{p_enrollment}", &t.pages.enrollment.to_string())
                .replace("{p_instructor}", &t.pages.instructor.to_string())
                .replace("{p_venue}", &t.pages.venue.to_string())
                .replace("{mx_number}", &t.pages.number)
                .replace("{pr_task}", &t.practice.task.to_string())
                .replace("{pr_program}", &t.practice.program.to_string())
                .replace("{pr_rating}", &t.practice.rating.to_string())
                .replace("{res_pub}", &t.lib.res_pub.to_string())
                .replace("{res_draft}", &t.lib.res_draft.to_string())
                .replace("{res_micro}", &t.lib.res_micro.to_string())
                .replace("{file}", &t.lib.file.to_string())
                .replace("{draft_file}", &t.lib.draft_file.to_string())
                .replace("{comment}", &t.lib.comment.to_string())
                .replace("{tag}", &t.lib.tag.to_string())
                .replace("{pack}", &t.lib.pack.to_string())
                .replace("{pack_ui_gone}", &t.lib.pack_ui_gone.to_string())
                .replace("{pack_api_gone}", &t.lib.pack_api_gone.to_string())
                .replace("{notification}", &t.notify.notification.to_string())
                .replace("{webhook_ui_gone}", &t.notify.webhook_ui_gone.to_string())
                .replace("{webhook_api_gone}", &t.notify.webhook_api_gone.to_string())
                .replace("{webhook}", &t.notify.webhook.to_string())
                .replace("{c_template}", &t.certs.template.to_string())
                .replace("{c_program}", &t.certs.program.to_string())
                .replace("{c_session}", &t.certs.session.to_string())
                .replace("{m_survey}", &t.certs.survey.to_string())
                .replace("{c_enrollment2}", &t.certs.enrollment2.to_string())
                .replace("{c_enrollment}", &t.certs.enrollment.to_string())
                .replace("{c_cert_pdf}", &t.certs.cert_pdf.to_string())
                .replace("{c_cert2}", &t.certs.cert2.to_string())
                .replace("{c_cert}", &t.certs.cert.to_string())
                .replace("{c_token}", &t.certs.token)
                .replace("{tt_draft}", &t.timetables.draft.to_string())
                .replace("{tt_session}", &t.timetables.session.to_string())
                .replace("{tt_conflicted}", &t.timetables.conflicted.to_string())
                .replace("{tt_gone_ui}", &t.timetables.gone_ui.to_string())
                .replace("{tt_gone_api}", &t.timetables.gone_api.to_string())
                .replace("{tt_block_ui}", &t.timetables.block_ui.to_string())
                .replace("{tt_block_api}", &t.timetables.block_api.to_string())
        };
        let path = fill(probe.path);
        let is_api = probe.route.starts_with("/api/v1") || probe.route.starts_with("/scim/");
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

/// A closed program the employee login completed, with a practice task mentored by
/// the manager login and a behavior rating the manager owes, due today.
struct PracticeTargets {
    program: i64,
    task: i64,
    rating: i64,
}

async fn practice_targets(app: &TestApp) -> PracticeTargets {
    use domain::operations::{
        AttendanceMethod, AttendanceStatus, EnrollmentSource, ProgramInput, ProgramStatus,
        SessionInput, SessionMode,
    };
    use domain::practice::{MentorChoice, PracticeAssignment, PracticeFilter};
    let actor = Actor::system();
    let employee_of = |name: &'static str| async move {
        let user = app.user_id(name).await;
        app.store
            .load_principal(user)
            .await
            .unwrap()
            .employee_id
            .unwrap()
    };
    let learner = employee_of("employee").await;
    let mentor = employee_of("manager").await;
    let mentor_no = app
        .store
        .get_employee(&DataScope::company(), mentor)
        .await
        .unwrap()
        .employee_no;
    let input = serde_json::from_value::<ProgramInput>(
        serde_json::json!({ "code": "MX-PR", "title": "MX-PR" }),
    )
    .unwrap();
    let program = app.store.create_program(&input, &actor).await.unwrap();
    let yesterday = OffsetDateTime::now_utc() - time::Duration::days(1);
    let (session, _) = app
        .store
        .save_session(
            program,
            None,
            &SessionInput {
                title: "第一讲".into(),
                starts_at: yesterday,
                ends_at: yesterday + time::Duration::hours(2),
                mode: SessionMode::Online,
                venue_code: None,
                capacity: None,
                join_url: Some("https://meet.example.com/pr".into()),
                instructors: vec![],
                allow_conflicts: true,
            },
            &actor,
        )
        .await
        .unwrap();
    app.store
        .set_program_status(program, ProgramStatus::Running, &actor)
        .await
        .unwrap();
    app.store
        .enroll(program, &[learner], EnrollmentSource::Assigned, &actor)
        .await
        .unwrap();
    app.store
        .roll_call(
            session,
            &[(learner, AttendanceStatus::Present)],
            AttendanceMethod::RollCall,
            &actor,
        )
        .await
        .unwrap();
    app.store
        .set_program_status(program, ProgramStatus::Closed, &actor)
        .await
        .unwrap();
    let assignment = PracticeAssignment {
        title: "点检实操".into(),
        description: String::new(),
        due_on: OffsetDateTime::now_utc().date() + time::Duration::days(30),
        mentor: MentorChoice::Colleague(mentor_no),
        employee_numbers: vec![],
    };
    app.store
        .assign_practice(
            program,
            &assignment,
            &DataScope::company(),
            OffsetDateTime::now_utc().date(),
            &actor,
        )
        .await
        .unwrap();
    let task = app
        .store
        .list_practice_tasks(
            &PracticeFilter {
                program_id: Some(program),
                ..PracticeFilter::default()
            },
            &DataScope::company(),
            Page::default(),
        )
        .await
        .unwrap()
        .items[0]
        .id;
    let rating = app
        .store
        .ratings_of_rater(mentor, true)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.program_id == program)
        .unwrap()
        .id;
    app.exec(&format!(
        "UPDATE behavior_ratings SET due_on = '{}' WHERE id = {rating}",
        OffsetDateTime::now_utc().date()
    ))
    .await;
    PracticeTargets {
        program,
        task,
        rating,
    }
}

/// Exam probe targets: a question, two published standalone exams (pages, API) and
/// the employee login's running attempt at each.
struct ExamTargets {
    question: i64,
    exam: i64,
    exam2: i64,
    attempt: i64,
    api_attempt: i64,
}

async fn exam_targets(app: &TestApp) -> ExamTargets {
    use domain::account::AccountRepository;
    use domain::exams::*;
    let system = Actor::system();
    let mut question = 0;
    for i in 0..2 {
        question = app
            .store
            .create_question(
                &QuestionInput {
                    skill_code: "MG-TEAM".into(),
                    kind: QuestionKind::TrueFalse,
                    difficulty: 2,
                    stem: format!("矩阵题 {i}"),
                    options: vec![],
                    answers: vec!["true".into()],
                    points: 1.0,
                    explanation: String::new(),
                },
                &system,
            )
            .await
            .unwrap();
    }
    let learner = app
        .store
        .get_user(app.user_id("employee").await)
        .await
        .unwrap()
        .employee_id
        .unwrap();
    let mut ids = Vec::new();
    for code in ["MXX-EXAM", "MXA-EXAM"] {
        let exam = app
            .store
            .create_exam(
                &ExamInput {
                    code: code.into(),
                    title: "矩阵考试".into(),
                    program_code: None,
                    purpose: ExamPurpose::Final,
                    skill_code: "MG-TEAM".into(),
                    draw_easy: 0,
                    draw_medium: 1,
                    draw_hard: 0,
                    time_limit_minutes: 60,
                    pass_mark_pct: 60,
                    max_attempts: 3,
                    retake_wait_hours: 0,
                },
                &system,
            )
            .await
            .unwrap();
        app.store
            .set_exam_status(exam, ExamStatus::Published, &system)
            .await
            .unwrap();
        let attempt = app
            .store
            .start_attempt(exam, learner, &system)
            .await
            .unwrap();
        ids.push((exam, attempt));
    }
    ExamTargets {
        question,
        exam: ids[0].0,
        attempt: ids[0].1,
        exam2: ids[1].0,
        api_attempt: ids[1].1,
    }
}

/// Drafts of the demo's scheduling plan: one to view, pin and re-solve, one with a hard
/// conflict (publishing refused), two to discard (page, API); two calendar blocks to
/// delete (page, API).
struct TimetableTargets {
    draft: i64,
    session: i64,
    conflicted: i64,
    gone_ui: i64,
    gone_api: i64,
    block_ui: i64,
    block_api: i64,
}

async fn timetable_targets(app: &TestApp) -> TimetableTargets {
    use domain::timetables::{
        CalendarBlockInput, CalendarBlockKind, TimetableMode, TimetableRequest,
    };
    use service::timetables as service;
    let today = OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date();
    let request = TimetableRequest {
        plan_code: Some(app::demo_data::SCHEDULING_PLAN.into()),
        program_code: None,
        from: today + time::Duration::days(1),
        to: today + time::Duration::days(70),
        mode: TimetableMode::Fresh,
        time_limit_secs: Some(1),
        seed: Some(1),
    };
    let system = Actor::system();
    let mut drafts = Vec::new();
    for _ in 0..4 {
        drafts.push(
            service::generate(app.state(), &request, &system)
                .await
                .unwrap(),
        );
    }
    let view = service::draft_view(app.state(), drafts[1]).await.unwrap();
    // Put the second entry on top of the first: a hard conflict.
    let (a, b) = (&view.entries[0], &view.entries[1]);
    let change = service::EntryChange {
        starts_at: Some(a.starts_at),
        venue_code: a.venue_code.clone(),
        instructor_code: a.instructor_code.clone(),
        pinned: Some(true),
    };
    let conflicted = service::change_entry(app.state(), drafts[1], b.session_id, &change, &system)
        .await
        .unwrap();
    assert!(conflicted.hard > 0);
    let mut blocks = Vec::new();
    for day in ["2031-03-02", "2031-03-03"] {
        let day = time::Date::parse(
            day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();
        blocks.push(
            app.store
                .create_calendar_block(
                    &CalendarBlockInput {
                        starts_on: day,
                        ends_on: day,
                        department_code: None,
                        kind: CalendarBlockKind::Other,
                        note: String::new(),
                        daily_from: None,
                        daily_to: None,
                    },
                    &system,
                )
                .await
                .unwrap(),
        );
    }
    TimetableTargets {
        draft: drafts[0],
        session: view.entries[2].session_id,
        conflicted: drafts[1],
        gone_ui: drafts[2],
        gone_api: drafts[3],
        block_ui: blocks[0],
        block_api: blocks[1],
    }
}
