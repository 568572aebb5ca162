//! The service, tested as its clients use it: a real server on an
//! ephemeral port, a temporary policy directory, a real HTTP client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod endpoints;
mod events;
mod lang;
mod messages;
mod reload;
