//! The one error type of the SDK.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::RateLimit;
use crate::types::{ApiError, ErrorMessages};

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the Didit API.
///
/// The variants keep apart the mistakes a caller can fix before sending
/// anything ([`Error::InvalidInput`], [`Error::InvalidConfig`]), answers of
/// the server ([`Error::Authentication`], [`Error::RateLimited`],
/// [`Error::Api`]), failures on the way ([`Error::Timeout`],
/// [`Error::Transport`]), answers the SDK could not read
/// ([`Error::Decode`]), and links or redirects it refused to follow.
///
/// ```
/// let error = didit::Client::builder()
///     .api_key("my-key")
///     .base_url("http://api.example.com")
///     .build()
///     .unwrap_err();
/// assert!(matches!(error, didit::Error::InvalidConfig { setting: "base_url", .. }));
/// assert!(!error.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request parameter was rejected before anything was sent.
    #[error("invalid value for `{parameter}`: {reason}")]
    InvalidInput {
        /// The query parameter at fault, as the API spells it.
        parameter: &'static str,
        /// What is wrong with the value.
        reason: String,
    },

    /// The client configuration was rejected by [`ClientBuilder::build`](crate::ClientBuilder::build).
    #[error("invalid client setting `{setting}`: {reason}")]
    InvalidConfig {
        /// The setting at fault.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The server refused the API key (it answers 403; 401 is treated alike).
    #[error(
        "the API key was refused ({status}){}; check the key in the Didit console",
        detail_suffix(.detail)
    )]
    Authentication {
        /// The HTTP status, 403 for Didit.
        status: StatusCode,
        /// The server's `detail` message, when it sent one.
        detail: Option<String>,
    },

    /// The server still answered 429 Too Many Requests after every retry.
    #[error(
        "rate limited by the server (429){}{}",
        retry_after_suffix(rate_limit.retry_after),
        detail_suffix(.detail)
    )]
    RateLimited {
        /// `Retry-After` and `X-RateLimit-*` headers of the last answer.
        rate_limit: RateLimit,
        /// The server's `detail` message, when it sent one.
        detail: Option<String>,
    },

    /// Any other error status.
    #[error("the API answered {status}{}", api_error_suffix(.body.as_ref(), .raw_body))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The body read as a Django REST Framework error: `detail`, or
        /// messages per parameter. `None` when it had another shape.
        body: Option<ApiError>,
        /// The body as received (invalid UTF-8 replaced).
        raw_body: String,
    },

    /// A time limit ran out.
    #[error("{scope} timed out after {}", format_duration(*.limit))]
    Timeout {
        /// Which limit ran out.
        scope: TimeoutScope,
        /// The limit.
        limit: Duration,
    },

    /// The request could not be sent or its answer not received: DNS,
    /// connection, TLS or protocol failures.
    #[error("could not reach the API: {source}")]
    Transport {
        /// The underlying error (its URL removed, as the query may hold
        /// personal data).
        #[source]
        source: reqwest::Error,
    },

    /// A successful answer whose body is not what the API documents.
    #[error(
        "could not read the answer ({status}) at `{path}`: {message}; body starts with: {snippet}"
    )]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// Where in the JSON document decoding failed, such as
        /// `results[3].session_number` (`.` for the whole document).
        path: String,
        /// What was wrong there.
        message: String,
        /// The first bytes of the body (at most [`Error::SNIPPET_LEN`]).
        snippet: String,
    },

    /// The server answered with a redirect the SDK does not follow: to
    /// another origin than the base URL's (the API key must not go there),
    /// or one hop too many.
    #[error(
        "refused to follow a redirect ({status}) to {}: {reason}",
        location.as_deref().unwrap_or("nowhere")
    )]
    RedirectRefused {
        /// The redirect status.
        status: StatusCode,
        /// The `Location` header, or the URL the response finally came from.
        location: Option<String>,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A page's `next` link points away from the base URL's scheme, host and
    /// port, or is not a URL. It was not requested: the API key would have
    /// gone with it.
    #[error("refused to follow the next-page link `{next}`: {reason}")]
    NextLinkRefused {
        /// The link as the server sent it.
        next: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The server's paging went round in circles: a `next` link seen before,
    /// or an empty page that still had a `next` link.
    #[error("paging stopped at `{next}`: {reason}")]
    PaginationStalled {
        /// The offending `next` link.
        next: String,
        /// What was wrong.
        reason: &'static str,
    },

    /// Paging failed after some pages had been received. Restart the listing
    /// with `.offset(resume_offset)` to pick up where it stopped.
    #[error("listing interrupted; resume with offset {resume_offset}: {source}")]
    Interrupted {
        /// The offset of the page that could not be fetched.
        resume_offset: u64,
        /// How many rows were received before the failure.
        rows_received: u64,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

/// Which time limit an [`Error::Timeout`] refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// One attempt (connecting, sending and reading the answer).
    Attempt,
    /// The whole operation, all attempts and the waits between them.
    Operation,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutScope::Attempt => "the request attempt",
            TimeoutScope::Operation => "the operation",
        })
    }
}

impl Error {
    /// Longest body snippet kept by [`Error::Decode`], in bytes.
    pub const SNIPPET_LEN: usize = 512;

    /// Whether trying the same request again later may succeed: transport
    /// failures, timeouts, 429 and 500/502/503/504 answers.
    ///
    /// ```
    /// use didit::{Error, TimeoutScope};
    /// use std::time::Duration;
    ///
    /// let timeout = Error::Timeout { scope: TimeoutScope::Attempt, limit: Duration::from_secs(1) };
    /// assert!(timeout.is_retryable());
    /// let input = Error::InvalidInput { parameter: "limit", reason: "must be at least 1".into() };
    /// assert!(!input.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Api { status, .. } => is_retryable_status(*status),
            Error::Interrupted { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The HTTP status of the answer behind this error, if there was one.
    ///
    /// ```
    /// let error = didit::Error::Authentication { status: reqwest::StatusCode::FORBIDDEN, detail: None };
    /// assert_eq!(error.status(), Some(reqwest::StatusCode::FORBIDDEN));
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Authentication { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::RedirectRefused { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Transport { source } => source.status(),
            Error::Interrupted { source, .. } => source.status(),
            _ => None,
        }
    }

    /// For an error that ended a listing part-way, the offset to restart
    /// from; see [`Error::Interrupted`].
    ///
    /// ```
    /// let cause = didit::Error::Timeout {
    ///     scope: didit::TimeoutScope::Operation,
    ///     limit: std::time::Duration::from_secs(60),
    /// };
    /// let error = didit::Error::Interrupted { resume_offset: 40, rows_received: 40, source: Box::new(cause) };
    /// assert_eq!(error.resume_offset(), Some(40));
    /// ```
    pub fn resume_offset(&self) -> Option<u64> {
        match self {
            Error::Interrupted { resume_offset, .. } => Some(*resume_offset),
            _ => None,
        }
    }
}

/// The statuses worth retrying: overload and passing server trouble.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// The `detail` message of a DRF error body.
pub(crate) fn detail_of(body: &ApiError) -> Option<String> {
    body.get("detail").map(join_messages)
}

fn join_messages(messages: &ErrorMessages) -> String {
    match messages {
        ErrorMessages::String(message) => message.clone(),
        ErrorMessages::Array(messages) => messages.join(" "),
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|detail| format!(": {detail}"))
        .unwrap_or_default()
}

fn retry_after_suffix(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|wait| format!("; the server asks to wait {}", format_duration(wait)))
        .unwrap_or_default()
}

fn api_error_suffix(body: Option<&ApiError>, raw_body: &str) -> String {
    match body {
        Some(body) if !body.is_empty() => {
            let messages: Vec<String> = body
                .iter()
                .map(|(key, messages)| match key.as_str() {
                    "detail" | "non_field_errors" => join_messages(messages),
                    _ => format!("{key}: {}", join_messages(messages)),
                })
                .collect();
            format!(": {}", messages.join("; "))
        }
        _ if raw_body.trim().is_empty() => String::new(),
        _ => format!(": {}", snippet(raw_body.as_bytes(), 200)),
    }
}

fn format_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// The start of a body, at most `max` bytes, cut at a character boundary.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_and_std_error() {
        assert_send_sync::<Error>();
        fn is_std_error<E: std::error::Error>() {}
        is_std_error::<Error>();
    }

    #[test]
    fn api_errors_show_drf_messages() {
        let body: ApiError = serde_json::from_str(
            r#"{"date_from": ["Enter a valid date."], "session_kind": "Must be x."}"#,
        )
        .unwrap();
        let error = Error::Api {
            status: StatusCode::BAD_REQUEST,
            body: Some(body),
            raw_body: String::new(),
        };
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: date_from: Enter a valid date.; session_kind: Must be x."
        );
    }

    #[test]
    fn api_errors_without_json_show_the_start_of_the_body() {
        let error = Error::Api {
            status: StatusCode::BAD_GATEWAY,
            body: None,
            raw_body: "<html>upstream down</html>".into(),
        };
        assert!(error.to_string().ends_with("<html>upstream down</html>"));
        assert!(error.is_retryable());
    }

    #[test]
    fn snippets_cut_at_character_boundaries() {
        assert_eq!(snippet("ééé".as_bytes(), 3), "é…");
        assert_eq!(snippet(b"short", 10), "short");
    }

    #[test]
    fn retryable_statuses() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
        for code in [400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
    }
}
