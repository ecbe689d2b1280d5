//! The `skillbridge` binary's library: settings, subcommands, server and worker,
//! kept in a library so the integration tests run exactly what the binary runs.

pub mod chat;
pub mod cli;
pub mod demo_data;
pub mod demo_exams;
pub mod demo_needs;
pub mod demo_sync;
pub mod evaluate_cmd;
pub mod notify;
pub mod schedule_cmd;
pub mod server;
pub mod settings;
pub mod worker;
