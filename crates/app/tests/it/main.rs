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
mod http;
mod import;
mod import_flow;
mod jobs;
mod kpis;
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
mod practice;
mod scope;
mod store;
mod surfaces_agree;
mod surveys;
mod timetables;
mod training_records;
