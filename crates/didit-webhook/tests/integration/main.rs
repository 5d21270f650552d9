//! The verifier against deliveries signed with Didit's algorithm, a
//! reference encoder, Python's own encoder, and an axum app on 127.0.0.1.

mod axum_app;
mod properties;
mod python;
mod reference;
mod vectors;
