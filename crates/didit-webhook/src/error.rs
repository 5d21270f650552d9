//! Why a delivery was refused.

use thiserror::Error;

/// Why a delivery was refused. Messages name headers, fields and byte
/// offsets, never the content of the body.
///
/// ```
/// use didit_webhook::{Error, Verifier};
///
/// let verifier = Verifier::builder().secret("whsec_example").build()?;
/// let error = verifier
///     .verify_at(br#"{"timestamp":1}"#, &http::HeaderMap::new(), 1)
///     .unwrap_err();
/// assert!(matches!(error, Error::MissingSignature { .. }));
/// assert_eq!(error.http_status(), http::StatusCode::UNAUTHORIZED);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The body is larger than the verifier accepts.
    #[error("the body is larger than the {max} bytes accepted")]
    BodyTooLarge {
        /// The verifier's limit, in bytes.
        max: usize,
    },
    /// No signature header the verifier accepts.
    #[error("no signature header: expected X-Signature or X-Signature-V2{}",
        if *.only_simple { " (X-Signature-Simple alone is not accepted unless allowed)" } else { "" })]
    MissingSignature {
        /// Whether `X-Signature-Simple` was there but not allowed.
        only_simple: bool,
    },
    /// A signature header is not 64 hexadecimal digits, or appears twice.
    #[error("the {header} header is malformed: {problem}")]
    MalformedSignature {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// No signature matches under any of the verifier's secrets.
    #[error("the signature does not match ({checked})")]
    SignatureMismatch {
        /// The headers that were checked.
        checked: String,
    },
    /// The body is not valid UTF-8 JSON.
    #[error("the body is not JSON: {problem} at byte {offset}")]
    NotJson {
        /// What was expected.
        problem: &'static str,
        /// Where, counted in bytes from the start of the body.
        offset: usize,
    },
    /// The body is JSON but not an object.
    #[error("the body is not a JSON object")]
    NotAnObject,
    /// A field of the (authentic) body is missing or has the wrong type.
    #[error("the body's `{field}` is missing or not {expected}")]
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// The event's `timestamp` is older than the verifier's window.
    #[error("the event is stale: sent {age_secs} s ago, more than the {max_age_secs} s accepted")]
    Stale {
        /// Seconds between the event's timestamp and now.
        age_secs: u64,
        /// The verifier's window.
        max_age_secs: u64,
    },
    /// The event's `timestamp` is further in the future than the window.
    #[error(
        "the event is from the future: {ahead_secs} s ahead, more than the {max_age_secs} s accepted"
    )]
    FromTheFuture {
        /// Seconds between now and the event's timestamp.
        ahead_secs: u64,
        /// The verifier's window.
        max_age_secs: u64,
    },
    /// `X-Timestamp` is not an integer, or appears twice.
    #[error("the X-Timestamp header is malformed")]
    MalformedTimestampHeader,
    /// `X-Timestamp` differs from the signed `timestamp` of the body.
    #[error("the X-Timestamp header differs from the body's timestamp")]
    TimestampMismatch,
    /// The deduplicator could not record the event.
    #[error("the deduplicator failed")]
    Deduplicator(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The HTTP status to answer with: 413 for a body too large, 503 when
    /// the deduplicator failed (Didit retries 5xx answers), 401 otherwise.
    ///
    /// ```
    /// let error = didit_webhook::Error::BodyTooLarge { max: 5 };
    /// assert_eq!(error.http_status(), http::StatusCode::PAYLOAD_TOO_LARGE);
    /// ```
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            Error::BodyTooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            Error::Deduplicator(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }
}

/// Why a [`Verifier`](crate::Verifier) or [`Signer`](crate::Signer) could
/// not be built or used.
///
/// ```
/// let error = didit_webhook::Verifier::builder().build().unwrap_err();
/// assert_eq!(error.to_string(), "no webhook secret was given");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret, or only empty ones.
    #[error("no webhook secret was given")]
    NoSecret,
    /// The event to sign is not an object with an integer `timestamp`.
    #[error("the event to sign must be a JSON object with an integer `timestamp`")]
    NotAnEvent,
}
