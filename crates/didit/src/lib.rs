//! Rust SDK for the [Didit](https://didit.me) identity-verification API.
//!
//! Build a [`Client`] once (with [`Client::builder`] or [`Client::from_env`])
//! and list verification sessions through [`Client::sessions`]: one page with
//! [`send`](ListSessions::send), or every match as a stream of pages
//! ([`pages`](ListSessions::pages)) or of sessions
//! ([`items`](ListSessions::items)).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), didit::Error> {
//! use futures::TryStreamExt;
//! use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
//!
//! // A stand-in for the API on 127.0.0.1.
//! let server = MockServer::start().await;
//! Mock::given(matchers::path("/v3/sessions/"))
//!     .and(matchers::header("x-api-key", "my-key"))
//!     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
//!         "count": 2, "next": null, "previous": null,
//!         "results": [
//!             {"session_kind": "user", "status": "Approved", "full_name": "Jane Doe"},
//!             {"session_kind": "business", "status": "In Review", "company_name": "Acme"},
//!         ],
//!     })))
//!     .mount(&server)
//!     .await;
//!
//! let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
//! let sessions: Vec<didit::Session> = client
//!     .sessions()
//!     .list()
//!     .session_kind(didit::SessionKindFilter::All)
//!     .limit(100)
//!     .items()
//!     .try_collect()
//!     .await?;
//! for session in &sessions {
//!     match session {
//!         didit::Session::Kyc(person) => println!("person: {:?}", person.full_name()),
//!         didit::Session::Kyb(company) => println!("company: {:?}", company.company_name()),
//!         other => println!("a {} session", other.kind()),
//!     }
//! }
//! assert_eq!(sessions.len(), 2);
//! # Ok(()) }
//! ```
//!
//! # Reading and building the types
//!
//! The payload types in [`types`] are generated from the API's description.
//! Each property has an accessor named like it: a required one returns the
//! value (`session_id() -> Uuid`, `status() -> &SessionStatus`), an optional
//! one an `Option` (`Option<&str>` for text), and a list a slice, empty when
//! the server left it out or sent `null`. The public fields keep the
//! difference between absent (`None`) and `null` (`Some(None)`) for code that
//! needs it.
//!
//! Every type is built with `new`, which takes its required properties, and
//! one `with_*` setter per property. The types are `#[non_exhaustive]`, so a
//! property the API adds later is not a breaking change; the same way lets
//! your tests make the answers your code reads:
//!
//! ```
//! use didit::types::{ContactDetails, IdVerification, SessionDecision};
//! use didit::{FeatureStatus, SessionStatus, Uuid};
//!
//! // A request's parts.
//! let contact = ContactDetails::new().with_email("user@example.com");
//! assert_eq!(contact.email(), Some("user@example.com"));
//!
//! // A decision, as a unit test of your own code would fake it.
//! let decision = SessionDecision::new(Uuid::nil(), SessionStatus::Approved)
//!     .with_vendor_data("user-42")
//!     .with_id_verifications(vec![
//!         IdVerification::new()
//!             .with_first_name("Jane")
//!             .with_status(FeatureStatus::Approved),
//!     ]);
//!
//! // What reading it looks like.
//! assert_eq!(decision.status(), &SessionStatus::Approved);
//! assert_eq!(decision.vendor_data(), Some("user-42"));
//! for check in decision.id_verifications() {
//!     assert_eq!(check.first_name(), Some("Jane"));
//! }
//! assert!(decision.liveness_checks().is_empty());
//! ```
//!
//! # What the SDK takes care of
//!
//! - **Secrets.** The API key is held in a [`secrecy::SecretString`], sent
//!   only in the `x-api-key` header (marked sensitive) and only to the base
//!   URL's scheme, host and port: redirects and `next` links elsewhere are
//!   refused. `Debug` output shows it as `[redacted]`.
//! - **Retries.** Idempotent requests are retried on transport errors,
//!   timeouts, 429 and 500/502/503/504, with capped exponential backoff and
//!   full jitter, honouring `Retry-After`; see [`RetryPolicy`].
//! - **Rate limit.** The requests of a client and all its clones stay within
//!   the API's per-key window (600 `GET` per 60 s by default), following
//!   the server's `X-RateLimit-*` headers, so exports do not meet 429; see
//!   [`ClientBuilder::rate_limit`].
//! - **Fast exports.** Listings with an exact `count` fetch several pages
//!   at once and still yield rows in the server's order; others fetch the
//!   next page while the current one is being read; see
//!   [`ListSessions::concurrency`].
//! - **Timeouts.** Connect, per attempt and per operation; see
//!   [`ClientBuilder`]. One call can set its own, and its own retry
//!   policy; see [`CallOptions`].
//! - **Metadata.** Every answer says its HTTP status, its rate-limit
//!   headers and the server's request identifier; see [`Reply`] and
//!   [`ReplyMetadata`].
//! - **Errors.** One [`Error`] type keeping apart invalid input, refused
//!   keys, rate limiting, other API errors, timeouts, transport failures and
//!   unreadable answers. Its messages and `Debug` output never repeat what
//!   the server sent (sessions hold personal data): they name statuses,
//!   JSON paths and fields; the answer itself is behind [`Error::body`].
//! - **Hostile servers.** Every header, link, number and body size a server
//!   sends is checked; nothing it sends can panic the SDK or keep a call
//!   past its time limits; see [`ClientBuilder::max_response_bytes`] and
//!   [`RetryPolicy::max_retry_after`].
//! - **Forward compatibility.** Statuses, feature names and session kinds
//!   unknown to this version are kept, not rejected; so are properties it
//!   does not declare, in each type's `extra` map, and written back.
//! - **Tracing.** Each attempt is a `tracing` span `didit.attempt` with the
//!   method, path (never the query, which may hold personal data), attempt
//!   number and status.
//!
//! # Cargo features
//!
//! - `rustls` (default): TLS through rustls.
//! - `native-tls`: TLS through the platform's library.
//! - `webhook-axum`: the axum extractor of [`webhook`]
//!   (`webhook::axum::VerifiedWebhook`).
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

mod call;
mod client;
mod corrections;
mod error;
mod imports;
mod lifecycle;
mod limiter;
mod link_pages;
mod page;
mod paging;
mod poll;
mod rate_limit;
mod reply;
mod retry;
mod reviews;
mod save;
mod sessions;
mod sharing;
mod transport;

pub use call::CallOptions;
pub use client::{
    API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_PAGE_CONCURRENCY, DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW, DEFAULT_WRITE_RATE_LIMIT,
    MAX_PAGE_CONCURRENCY,
};
pub use corrections::{
    CorrectCompany, CorrectDocument, CorrectProofOfAddress, ReviewAmlHit, ReviewAmlHits,
    UpdateStepStatus,
};
/// The token that shares a session with another application: a secret.
pub use didit_api::ShareToken;
pub use error::{ApiMessage, Error, Link, ResponseBody, Result, TimeoutScope};
pub use imports::{
    GetImport, GetImportTemplate, ImportFileProblem, ImportFromUrl, ImportTemplate, Imports,
    ListImportErrors, MAX_IMPORT_FILE_BYTES, UploadImport, WaitForImport,
};
pub use lifecycle::{
    CreateSession, DeleteSession, DeleteSessions, GetDecision, GetPdfReport, PdfReport,
    UpdateStatus, WaitForDecision,
};
pub use page::Page;
pub use rate_limit::RateLimit;
pub use reply::{Reply, ReplyMetadata};
pub use retry::RetryPolicy;
pub use reviews::{AddReview, ListReviews, ReviewOrdering};
pub use sessions::{ListSessions, Sessions};
pub use sharing::{ArmSandboxScenario, ImportShared, ShareSession};
pub use transport::redirect_policy;

/// One row of the session list: a KYC session, a KYB session, or a row of a
/// kind this version does not know (kept with its JSON).
pub use didit_api::SessionRow as Session;
/// The payload types of the API, generated from its OpenAPI description.
pub use didit_api::types;
pub use didit_api::types::{
    ApiError, ApiService, ErrorMessages, KybSession, KycSession, SessionKindFilter,
};
pub use didit_api::{
    AmlCaseType, AmlCategoryResult, AmlDataset, AmlReviewStatus, BrightnessIssue,
    DatabaseMatchType, DatabaseValidationType, DecodeFailure, DocumentAiFieldType, DocumentCode,
    DocumentNumberMatch, DocumentType, Environment, Extra, FeatureName, FeatureStatus, Gender,
    IpMatchMode, IpMatchSource, IpMatchType, JsonDocument, JsonNumber, JsonObject, KeyPersonRole,
    KybDocumentGroup, Language, MatchSource, PartyEntityType, PartyKycStatus, PartySource,
    ResubmittableFeature, RiskLevel, SessionKind, SessionStatus, SessionToken, Timestamp,
    UnknownSessionRow, VatValidationStatus, WarningCode, WarningFeature, WarningLogType,
    WebhookType,
};

/// Decodes a JSON document into any payload type, request bodies included;
/// a failure names the JSON path, never the value found there.
pub use didit_api::decode_any;
/// What an import holds, its file's format, and where its job stands.
pub use didit_api::{ImportSourceFormat, ImportStatus, ImportType};

/// The date type of the date filters.
pub use chrono::NaiveDate;

// The README's examples, compiled (and run) as doctests. Its axum receiver
// is `didit-webhook`'s example, which that crate compiles and compares.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
/// Verifying the webhook deliveries Didit sends and reading their events
/// (the `didit-webhook` crate, which a service that only receives webhooks
/// can depend on alone).
///
/// ```
/// use didit::webhook::{MemoryDeduplicator, Verifier};
///
/// let verifier = Verifier::builder()
///     .secret("whsec_example")
///     .deduplicator(MemoryDeduplicator::new())
///     .build()?;
/// # Ok::<(), didit::webhook::ConfigError>(())
/// ```
pub use didit_webhook as webhook;
/// The `reqwest` version the SDK is built on, for
/// [`ClientBuilder::http_client`].
pub use reqwest;
/// The secret-holding types the API key is kept in.
pub use secrecy;
/// The UUID type of identifiers and identifier filters.
pub use uuid::Uuid;
