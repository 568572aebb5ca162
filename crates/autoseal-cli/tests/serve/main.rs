//! `autoseal serve` and `autoseal replay` as processes: crash safety under
//! SIGKILL, SIGTERM and SIGHUP, refusing to start (exit 2), and the
//! decision log replayed by `autoseal replay`. The service's other tests
//! run it in process (`crates/autoseal-serve/tests/service`); this crate
//! has the binary, so the tests of the process live here, with the same
//! helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Shared with the service's own tests; not every helper is used here.
#[allow(dead_code)]
#[path = "../../../autoseal-serve/tests/service/common.rs"]
mod common;
mod declog;
mod process;
