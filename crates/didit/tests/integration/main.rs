//! The facade's integration tests, as one test binary: one link step for all
//! of them instead of one per file. Filter by module, e.g.
//! `cargo test -p didit --test integration paging::`.
//!
//! `tracing_output.rs` stays a binary of its own: it installs the
//! process-wide tracing subscriber.

#[path = "../common/mod.rs"]
mod common;

mod call_options;
mod concurrent_paging;
mod corrections;
mod debug_output;
mod errors;
mod hostile;
mod imports;
mod lifecycle;
mod live;
mod metadata;
mod paging;
mod redirects;
mod retries;
mod reviews;
mod sharing;
mod wire;
