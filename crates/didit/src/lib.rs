//! Rust SDK for the Didit identity-verification API.
#![deny(missing_docs)]

pub use didit_api::types;
