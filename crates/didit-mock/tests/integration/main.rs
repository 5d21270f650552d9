//! The fake server's integration tests, as one test binary: one link step for
//! all of them instead of one per file. Filter by module, e.g.
//! `cargo test -p didit-mock --test integration filters::`.

mod common;

mod access;
mod binary;
mod control;
mod corrections;
mod create;
mod decision;
mod delete;
mod errors;
mod faults;
mod filters;
mod imports;
mod paging;
mod parameters;
mod pdf;
mod rate_limit;
mod reviews;
mod schema;
mod sharing;
mod update_status;
mod webhooks;
