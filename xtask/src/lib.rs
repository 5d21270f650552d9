//! Maintenance tasks for the didit-rs workspace, run as `cargo xtask <task>`.

pub mod codegen;
pub mod drift;
pub mod json_schema;
pub mod lint;
pub mod shape;
pub mod spec;
pub mod success_statuses;
pub mod unknown_properties;
