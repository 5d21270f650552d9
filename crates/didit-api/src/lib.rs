//! The Didit identity-verification API client, generated from
//! `openapi/didit-sessions.yaml` by `cargo xtask generate`.
//!
//! Most users want the `didit` crate, which wraps this one with configuration,
//! typed filters, paging, retries and errors. This crate is the generated
//! layer: [`Client`] with one builder per operation, and the payload types in
//! [`types`]. Each type has an accessor per property, `new` taking its
//! required properties and a `with_*` setter per property; each is
//! `#[non_exhaustive]`, so the API can grow without breaking its users. Their
//! `Debug` output names the properties that are set, never a value: requests
//! and answers hold personal data, and `Debug` output ends up in logs.
//!
//! The generated code lives in `generated.rs` and is never edited by hand. The
//! hand-written pieces here are the ones it needs and cannot generate:
//! open enumerations that accept values added to the API later, a timestamp,
//! numbers and free-form objects that re-encode exactly as received,
//! [`SessionRow`], which tells KYC rows from KYB rows, and [`Extra`], where
//! every generated struct keeps the properties it does not declare.
//!
//! # Cargo features
//!
//! - `client` (default): [`Client`], its request builders and the hooks that
//!   send them, with reqwest and progenitor-client. Without it the crate is
//!   the payload types alone, for code that only reads Didit's JSON (a
//!   webhook receiver, for one).
//! - `schemars`: `schemars::JsonSchema` for every type, for tools that
//!   compare the types with the spec.
//!
//! ```
//! use didit_api::{SessionRow, types::SessionPage};
//!
//! let page: SessionPage = serde_json::from_str(
//!     r#"{"count": 1, "next": null, "previous": null,
//!         "results": [{"session_number": 7, "status": "Some Future Status"}]}"#,
//! )?;
//! let SessionRow::Kyc(row) = &page.results()[0] else { unreachable!() };
//! assert_eq!(row.status().map(|s| s.as_str()), Some("Some Future Status"));
//! # Ok::<(), serde_json::Error>(())
//! ```

#![deny(missing_docs)]
// Nothing a server sends may panic the SDK: hand-written code handles every
// failure as a value. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

// Generated code follows the generator's conventions, not this crate's lints.
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::restriction)]
#[rustfmt::skip]
mod generated;
mod decode_error;
mod extra;
#[cfg(feature = "client")]
pub mod hooks;
mod json;
mod open_enum;
mod path;
mod redact;
mod row;
mod session_token;
mod share_token;
mod timestamp;

pub use decode_error::{DecodeFailure, JsonDocument, decode, decode_any, describe_decode_error};
pub use extra::Extra;
pub use generated::*;
pub use json::{JsonNumber, JsonObject, NotFinite};
pub use open_enum::{
    AmlCaseType, AmlCategoryResult, AmlDataset, AmlReviewStatus, BrightnessIssue,
    DatabaseMatchType, DatabaseValidationType, DocumentAiFieldType, DocumentCode,
    DocumentNumberMatch, DocumentType, Environment, FeatureName, FeatureStatus, Gender,
    ImportSourceFormat, ImportStatus, ImportType, IpMatchMode, IpMatchSource, IpMatchType,
    KeyPersonRole, KybDocumentGroup, Language, MaritalStatus, MatchSource, PartyEntityType,
    PartyKycStatus, PartySource, PoaDocumentType, ResubmittableFeature, ReviewActivityType,
    ReviewActorType, RiskLevel, SessionKind, SessionStatus, VatValidationStatus, WarningCode,
    WarningFeature, WarningLogType, WebhookType,
};
pub use row::{SessionRow, UnknownSessionRow};
pub use session_token::SessionToken;
pub use share_token::ShareToken;
pub use timestamp::{InvalidTimestamp, Timestamp};

/// JSON-schema extension under which the open enumerations list the values
/// they know (their schema itself accepts any string).
pub const KNOWN_VALUES_EXTENSION: &str = "x-known-values";

/// How the generated decoders read the three-state fields.
///
/// An optional, nullable property is an `Option<Option<T>>`: the outer `None`
/// means the server left the property out, `Some(None)` that it sent `null`.
/// serde's own `Option<Option<T>>` would read `null` as the outer `None`; the
/// generated decoders read a present property through [`Present`] instead.
/// Encoding needs no help: `Some(None)` is written as `null`.
mod presence {
    use std::marker::PhantomData;

    use serde::de::{Deserialize, DeserializeSeed, Deserializer};

    /// A present property: its value, `null` included, as `Some`.
    ///
    /// The three-state fields name it in `deserialize_with`, which says what
    /// they mean to a reader; the generated decoders (which replace serde's
    /// derive) follow the same rule through [`Present`], with the path of a
    /// failure noted.
    #[allow(dead_code)]
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Present(PhantomData::<T>).deserialize(deserializer)
    }

    /// [`deserialize`] for a value read by the seed `S`.
    pub struct Present<S>(pub S);

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Present<S> {
        type Value = Option<S::Value>;

        #[inline]
        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Option<S::Value>, D::Error> {
            self.0.deserialize(deserializer).map(Some)
        }
    }
}
