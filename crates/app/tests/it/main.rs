//! One integration-test binary (fast to link); every database test runs on
//! SQLite and, with SKILLBRIDGE_TEST_DATABASE_URL set, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod accounts;
mod authz_matrix;
mod certificates;
mod chat_webhooks;
mod cli;
mod competency;
mod competency_import;
mod decoding;
mod effects;
mod evaluation;
mod exams;
mod hardening;
mod hr_sync;
mod http;
mod import;
mod import_flow;
mod jobs;
mod kpis;
mod ldap_server;
mod library;
mod library_demo;
mod library_manage;
mod library_web;
mod need_approvals;
mod needs;
mod notifications;
mod openapi;
mod operations_api;
mod operations_parity;
mod operations_web;
mod org_tree;
mod practice;
mod scope;
mod sso_ldap;
mod sso_oidc;
mod sso_scim;
mod store;
mod surfaces_agree;
mod surveys;
mod timetables;
mod training_records;
