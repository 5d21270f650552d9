//! The contract suite, as one test binary: one link step for all of it
//! instead of one per file. `cargo contract` runs it all; filter by module,
//! e.g. `cargo contract wire::`.

mod against_fake;
mod bites;
mod corrections_wire;
mod debug_output;
mod drift;
mod examples;
mod imports_wire;
mod lifecycle_wire;
mod reference;
mod reviews_wire;
mod schema_properties;
mod sharing_wire;
mod typed_properties;
mod wire;
