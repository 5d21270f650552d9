//! Verify the webhook deliveries of [Didit](https://didit.me) and read
//! their events.
//!
//! Didit POSTs a JSON event to your endpoint whenever a verification
//! session changes, signed with the destination's secret. A [`Verifier`]
//! checks a delivery from its raw body and its headers, and returns the
//! event or an [`Error`] that says exactly why not:
//!
//! ```
//! use didit_webhook::{MemoryDeduplicator, Signer, Verifier};
//!
//! // Once, at start-up.
//! let verifier = Verifier::builder()
//!     .secret("whsec_example")
//!     .deduplicator(MemoryDeduplicator::new())
//!     .build()?;
//!
//! // What Didit would send (here from the crate's own signer).
//! let sent = Signer::new("whsec_example").sign(&serde_json::json!({
//!     "webhook_type": "status.updated",
//!     "timestamp": 1_764_590_000,
//!     "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
//!     "status": "Approved",
//!     "vendor_data": "user-7",
//! }))?;
//!
//! // For each request: the body's bytes as received, and the headers.
//! let delivery = verifier.verify_at(&sent.body, &sent.headers, 1_764_590_010)?;
//! let event = delivery.event().expect("the whole body is signed");
//! assert_eq!(event.session_id(), Some("5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f"));
//! assert!(!delivery.is_duplicate());
//!
//! // The same delivery again is flagged.
//! assert!(verifier.verify_at(&sent.body, &sent.headers, 1_764_590_020)?.is_duplicate());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is checked
//!
//! - **Signatures.** `X-Signature` is the HMAC-SHA256 of the body's bytes;
//!   `X-Signature-V2` of the body re-encoded the way Didit's encoder writes
//!   it (keys sorted by code point, no spaces, non-ASCII characters as
//!   UTF-8, whole floats as integers, other floats as Python's `repr`), so
//!   it still matches after a framework parsed and re-serialised the body.
//!   Either is enough. `X-Signature-Simple` covers four fields only and is
//!   refused unless [allowed](VerifierBuilder::allow_simple_signature); a
//!   delivery it alone vouches for exposes just a [`Summary`]. Signatures
//!   must be exactly 64 hex digits and are compared in constant time,
//!   under every configured secret (rotation).
//! - **Freshness.** The body's `timestamp` must be within five minutes (by
//!   default) of the clock, either way, and equal to `X-Timestamp` when that
//!   header is sent.
//! - **Replay.** With a [`Deduplicator`], a delivery seen before is
//!   flagged ([`Delivery::is_duplicate`]) so that you acknowledge it
//!   without processing it twice: Didit retries deliveries that were not
//!   answered with 2xx.
//! - **Shape.** The body must be a JSON object of at most 2 MiB (by
//!   default), without duplicate keys or unpaired surrogate escapes.
//!
//! Event types and statuses this version does not know are kept as
//! strings, never refused. The decision and metadata stay JSON text as
//! received ([`Event::decision_json`]); `Debug` output never shows them nor
//! `vendor_data`, and no error message quotes the body.
//!
//! A session event reads into the types generated from the SDK's spec,
//! [`SessionWebhookEvent`] ([`Event::session_event`]) and its
//! [`SessionDecision`] ([`Event::decision`]); a field of an unexpected form
//! is a [`DecodeFailure`] that names its JSON path, never its value.
//!
//! This crate has no HTTP client and no async runtime: it uses `didit-api`
//! without its `client` feature, so a service that only receives webhooks
//! needs nothing more. It is also available as
//! `didit::webhook`.
//!
//! # Cargo features
//!
//! - `axum`: the [`axum::VerifiedWebhook`] extractor.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(feature = "axum")]
pub mod axum;
mod dedup;
mod error;
mod event;
mod json;
mod sign;
mod verify;

pub use dedup::{
    DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL, Deduplicator, MemoryDeduplicator, Seen,
};
/// The spec's types of a session event and of its decision.
pub use didit_api::types::{SessionDecision, SessionWebhookEvent};
/// The enumerations of an event, shared with the rest of the SDK.
pub use didit_api::{DecodeFailure, SessionKind, SessionStatus, WebhookType};
pub use error::{ConfigError, Error};
pub use event::{Event, Summary};
/// The `http` version of the headers [`Verifier::verify`] takes.
pub use http;
/// The JSON text type of [`Event::decision_json`] and [`Event::raw`].
pub use serde_json::value::RawValue;
pub use sign::{SignedDelivery, Signer};
pub use verify::{
    DEFAULT_MAX_AGE, DEFAULT_MAX_BODY_SIZE, Delivery, Payload, SIGNATURE_HEADER,
    SIGNATURE_SIMPLE_HEADER, SIGNATURE_V2_HEADER, SignatureHeader, TIMESTAMP_HEADER, Verifier,
    VerifierBuilder,
};

/// The README's example, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
