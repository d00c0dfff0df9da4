//! The `kmock` binary as a user runs it: exit codes, reports, snapshots, serve.

mod support;

mod apps;
mod reports;
mod run_command;
mod serve;
