//! The one error type of the SDK.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use url::Url;

use crate::RateLimit;
use crate::types::{ApiError, ErrorMessages};
use didit_api::JsonDocument as _;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the Didit API.
///
/// The variants keep apart the mistakes a caller can fix before sending
/// anything ([`Error::InvalidInput`], [`Error::InvalidConfig`]), answers of
/// the server ([`Error::Authentication`], [`Error::RateLimited`],
/// [`Error::Api`]), failures on the way ([`Error::Timeout`],
/// [`Error::Transport`]), answers the SDK could not read
/// ([`Error::Decode`], [`Error::ResponseTooLarge`]), links or redirects it
/// refused to follow, and its own bugs ([`Error::Internal`]).
///
/// # What an error shows
///
/// Answers of the API hold personal data (names, document numbers, e-mail
/// addresses), and error messages end up in logs. So the `Display` and
/// `Debug` output of an error never holds anything the server sent: no
/// body, no message of the server, no value that failed to decode, no
/// query of a link. It names the status, the JSON path of a value that did
/// not decode and what was expected there, and the fields an error answer
/// blamed. The answer itself stays reachable through [`Error::body`], whose
/// documentation says what it may hold.
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
    #[non_exhaustive]
    InvalidInput {
        /// The query parameter at fault, as the API spells it.
        parameter: &'static str,
        /// What is wrong with the value.
        reason: String,
    },

    /// The client configuration was rejected by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) (or
    /// [`Client::from_env`](crate::Client::from_env)). Never the outcome
    /// of a request.
    #[error("invalid client setting `{setting}`: {reason}")]
    #[non_exhaustive]
    InvalidConfig {
        /// The setting at fault.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The server refused the API key (it answers 403; 401 is treated alike).
    #[error("the API key was refused ({status}); check the key in the Didit console")]
    #[non_exhaustive]
    Authentication {
        /// The HTTP status, 403 for Didit.
        status: StatusCode,
        /// The answer; its `detail` says why.
        body: ResponseBody,
    },

    /// The server still answered 429 Too Many Requests after every retry, or
    /// asked to wait longer than the SDK may (see
    /// [`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
    #[error("rate limited by the server (429){}", retry_after_suffix(rate_limit.retry_after))]
    #[non_exhaustive]
    RateLimited {
        /// `Retry-After` and `X-RateLimit-*` headers of the last answer.
        rate_limit: RateLimit,
        /// The answer.
        body: ResponseBody,
    },

    /// The API knows no such resource (404): an unknown session, or one
    /// deleted already.
    #[error("not found (404)")]
    #[non_exhaustive]
    NotFound {
        /// The answer.
        body: ResponseBody,
    },

    /// The session's PDF report cannot be made yet: the session is not
    /// finished (KYC: Approved, Declined, In Review or Kyc Expired; KYB:
    /// Approved, Declined or In Review). The API answers 403.
    #[error("the session's report is not ready: the session is not finished ({status})")]
    #[non_exhaustive]
    ReportNotReady {
        /// The HTTP status, 403.
        status: StatusCode,
        /// The answer.
        body: ResponseBody,
    },

    /// A file could not be written (a PDF report being saved).
    #[error("could not write {}: {source}", path.display())]
    #[non_exhaustive]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },

    /// Any other error status.
    #[error("the API answered {status}{}", fields_suffix(body))]
    #[non_exhaustive]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The answer: for Django REST Framework errors, `detail` or
        /// messages per field.
        body: ResponseBody,
        /// The `Retry-After` header of the answer, when it had a usable one.
        retry_after: Option<Duration>,
    },

    /// A time limit ran out.
    #[error("{scope} timed out after {}", format_duration(*.limit))]
    #[non_exhaustive]
    Timeout {
        /// Which limit ran out.
        scope: TimeoutScope,
        /// The limit.
        limit: Duration,
    },

    /// The request could not be sent or its answer not received: DNS,
    /// connection, TLS or protocol failures.
    #[error("could not reach the API: {source}")]
    #[non_exhaustive]
    Transport {
        /// The underlying error (its URL removed, as the query may hold
        /// personal data).
        #[source]
        source: reqwest::Error,
    },

    /// A successful answer whose body is not what the API documents.
    #[error("could not read the answer ({status}) at `{path}`: {expected}")]
    #[non_exhaustive]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// Where in the JSON document decoding failed, such as
        /// `results[3].session_number` (`.` for the whole document).
        path: String,
        /// What was expected there (never the value found).
        expected: String,
        /// The answer.
        body: ResponseBody,
    },

    /// An answer longer than the client reads; see
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
    #[error("the answer ({status}) is longer than the {limit} bytes the client reads")]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The most bytes the client reads of one answer.
        limit: u64,
    },

    /// The server answered with a redirect the SDK does not follow: to
    /// another origin than the base URL's (the API key must not go there),
    /// or one hop too many.
    #[error(
        "refused to follow a redirect ({status}) to {}: {reason}",
        location.as_ref().map_or_else(|| "nowhere".to_owned(), Link::to_string)
    )]
    #[non_exhaustive]
    RedirectRefused {
        /// The redirect status.
        status: StatusCode,
        /// The `Location` header, or the URL the response finally came from.
        location: Option<Link>,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A page's `next` link points away from the session list at the base
    /// URL's scheme, host and port, or is not a URL. It was not requested:
    /// the API key would have gone with it.
    #[error("refused to follow the next-page link {next}: {reason}")]
    #[non_exhaustive]
    NextLinkRefused {
        /// The link as the server sent it.
        next: Link,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The server's paging went round in circles: a `next` link seen before,
    /// or an empty page that still had a `next` link.
    #[error("paging stopped at {next}: {reason}")]
    #[non_exhaustive]
    PaginationStalled {
        /// The offending `next` link.
        next: Link,
        /// What was wrong.
        reason: &'static str,
    },

    /// The SDK broke a rule of its own: a bug, never the server's doing
    /// nor the caller's. Please report it with its message.
    #[error("an internal error of the SDK (please report it): {what}")]
    #[non_exhaustive]
    Internal {
        /// What went wrong.
        what: &'static str,
    },

    /// Paging failed after some pages had been received. Restart the listing
    /// with `.offset(resume_offset)` to pick up where it stopped.
    #[error("listing interrupted; resume with offset {resume_offset}: {source}")]
    #[non_exhaustive]
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

/// The body of an answer behind an [`Error`].
///
/// **It may hold personal data**: the API's answers carry names, document
/// numbers and e-mail addresses, and its error messages may repeat what was
/// asked. Its `Debug` output shows only its length and the names of the
/// fields an error answer blamed; read the content with
/// [`text`](Self::text), [`bytes`](Self::bytes),
/// [`detail`](Self::detail) or [`api_error`](Self::api_error), and keep it
/// out of logs that are not cleared for personal data.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
///
/// let server = MockServer::start().await;
/// Mock::given(matchers::any())
///     .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
///         "date_from": ["Enter a valid date."],
///     })))
///     .mount(&server)
///     .await;
/// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build().unwrap();
/// let error = client.sessions().list().send().await.unwrap_err();
/// assert_eq!(error.to_string(), "the API answered 400 Bad Request (fields at fault: date_from)");
/// let body = error.body().expect("an answer");
/// assert_eq!(body.messages("date_from"), Some(vec!["Enter a valid date.".to_owned()]));
/// # }
/// ```
#[derive(Clone, PartialEq)]
pub struct ResponseBody {
    /// Boxed: errors travel in every `Result`, and should stay small.
    inner: Box<BodyInner>,
}

#[derive(Clone, PartialEq)]
struct BodyInner {
    bytes: Bytes,
    api_error: Option<ApiError>,
}

impl ResponseBody {
    /// Keeps an answer's body, read as a Django REST Framework error when it
    /// is one.
    pub(crate) fn new(bytes: Bytes) -> Self {
        let api_error = ApiError::from_json(&bytes).ok();
        Self {
            inner: Box::new(BodyInner { bytes, api_error }),
        }
    }

    /// The body as received. **May hold personal data.**
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(body) = error.body() {
    ///     let raw: &[u8] = body.bytes();
    ///     # let _ = raw;
    /// }
    /// # }
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.inner.bytes
    }

    /// The body as text, invalid UTF-8 replaced. **May hold personal data.**
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(body) = error.body() {
    ///     eprintln!("the server said: {}", body.text());
    /// }
    /// # }
    /// ```
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.inner.bytes)
    }

    /// The body read as a Django REST Framework error (`detail`, or
    /// messages per field); `None` when it has another shape. **May hold
    /// personal data.**
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(messages) = error.body().and_then(|body| body.api_error()) {
    ///     for (field, _) in messages.iter() {
    ///         eprintln!("the server blamed {field}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api_error.as_ref()
    }

    /// The server's `detail` message, when it sent one. **May hold personal
    /// data.**
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(detail) = error.body().and_then(|body| body.detail()) {
    ///     eprintln!("{detail}");
    /// }
    /// # }
    /// ```
    pub fn detail(&self) -> Option<String> {
        self.inner
            .api_error
            .as_ref()?
            .get("detail")
            .map(join_messages)
    }

    /// The messages the server gave for `field`. **May hold personal data.**
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(messages) = error.body().and_then(|body| body.messages("date_from")) {
    ///     eprintln!("date_from: {}", messages.join(" "));
    /// }
    /// # }
    /// ```
    pub fn messages(&self, field: &str) -> Option<Vec<String>> {
        Some(match self.inner.api_error.as_ref()?.get(field)? {
            ErrorMessages::String(message) => vec![message.clone()],
            ErrorMessages::Array(messages) => messages.clone(),
            // A shape a newer spec describes and this version cannot read.
            _ => return None,
        })
    }

    /// The fields an error answer blamed (its keys other than `detail` and
    /// `non_field_errors`), when they look like field names. Safe to log.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(body) = error.body() {
    ///     eprintln!("fields at fault: {:?}", body.fields().collect::<Vec<_>>());
    /// }
    /// # }
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.inner
            .api_error
            .iter()
            .flat_map(|body| body.keys())
            .map(String::as_str)
            .filter(|key| !matches!(*key, "detail" | "non_field_errors") && is_field_name(key))
            .take(MAX_FIELDS_SHOWN)
    }

    /// The length of the body in bytes.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// let length = error.body().map_or(0, |body| body.len());
    /// # let _ = length;
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.inner.bytes.len()
    }

    /// Whether the body is empty.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// let empty = error.body().is_none_or(|body| body.is_empty());
    /// # let _ = empty;
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inner.bytes.is_empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody")
            .field("len", &self.inner.bytes.len())
            .field("fields", &self.fields().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Most field names an error message lists.
const MAX_FIELDS_SHOWN: usize = 8;

/// Whether a key of an error answer reads as a field name (and so not as
/// data a server put there).
fn is_field_name(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// A link a server sent: a `next` link or a `Location`.
///
/// Its query repeats the listing's filters, which may be personal data (a
/// searched name, your `vendor_data`), so `Display` and `Debug` show only
/// its scheme, host, port and path. [`as_str`](Self::as_str) gives it whole.
///
/// ```
/// # fn show(error: &didit::Error) {
/// if let didit::Error::NextLinkRefused { next, .. } = error {
///     eprintln!("refused {next}"); // e.g. `https://elsewhere.example/v3/sessions/?…`
/// }
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Link(String);

impl Link {
    pub(crate) fn new(link: impl Into<String>) -> Self {
        Self(link.into())
    }

    /// The link as the server sent it. **May hold personal data** in its
    /// query.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let didit::Error::PaginationStalled { next, .. } = error {
    ///     let whole: &str = next.as_str();
    ///     # let _ = whole;
    /// }
    /// # }
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Longest path a [`Link`] shows.
const MAX_PATH_SHOWN: usize = 100;

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(url) = Url::parse(&self.0) else {
            return write!(
                f,
                "(a link of {} bytes that is not an absolute URL)",
                self.0.len()
            );
        };
        let mut path = url.path().to_owned();
        if path.len() > MAX_PATH_SHOWN {
            let mut end = MAX_PATH_SHOWN;
            while !path.is_char_boundary(end) {
                end -= 1;
            }
            path.truncate(end);
            path.push('…');
        }
        let host = url.host_str().unwrap_or("");
        let port = url
            .port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default();
        let query = if url.query().is_some() { "?…" } else { "" };
        write!(f, "`{}://{host}{port}{path}{query}`", url.scheme())
    }
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Link({self})")
    }
}

/// Which time limit an [`Error::Timeout`] refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// One attempt (connecting, sending and reading the answer).
    Attempt,
    /// The whole operation, all attempts and the waits between them.
    Operation,
    /// Waiting for a session's decision; see
    /// [`Sessions::wait_for_decision`](crate::Sessions::wait_for_decision).
    Wait,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutScope::Attempt => "the request attempt",
            TimeoutScope::Operation => "the operation",
            TimeoutScope::Wait => "waiting for the decision",
        })
    }
}

impl Error {
    /// Whether trying the same request again later may succeed: transport
    /// failures, timeouts, 429 and 500/502/503/504 answers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = didit::Client::builder().api_key("my-key").build().unwrap();
    /// // Rejected before anything is sent: trying again cannot help.
    /// let error = client.sessions().list().limit(0).send().await.unwrap_err();
    /// assert!(!error.is_retryable());
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Api { status, .. } => is_retryable_status(*status),
            Error::Interrupted { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// Whether the request surely never reached the server (the
    /// connection could not be made), so that even a request that is not
    /// idempotent may be sent again.
    pub(crate) fn never_left(&self) -> bool {
        matches!(self, Error::Transport { source } if source.is_connect())
    }

    /// The HTTP status of the answer behind this error, if there was one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::any()).respond_with(ResponseTemplate::new(403)).mount(&server).await;
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build().unwrap();
    /// let error = client.sessions().list().send().await.unwrap_err();
    /// assert_eq!(error.status(), Some(reqwest::StatusCode::FORBIDDEN));
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Authentication { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::ReportNotReady { status, .. }
            | Error::RedirectRefused { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::Transport { source } => source.status(),
            Error::Interrupted { source, .. } => source.status(),
            _ => None,
        }
    }

    /// For an error that ended a listing part-way, the offset to restart
    /// from; see [`Error::Interrupted`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) {
    /// use futures::TryStreamExt;
    ///
    /// let listed: Result<Vec<didit::Session>, didit::Error> =
    ///     client.sessions().list().items().try_collect().await;
    /// if let Err(error) = listed {
    ///     if let Some(offset) = error.resume_offset() {
    ///         eprintln!("stopped; run again with .offset({offset})");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn resume_offset(&self) -> Option<u64> {
        match self {
            Error::Interrupted { resume_offset, .. } => Some(*resume_offset),
            _ => None,
        }
    }

    /// The answer behind this error, when the server sent one.
    /// **It may hold personal data**; see [`ResponseBody`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = didit::Client::builder().api_key("my-key").build().unwrap();
    /// // Rejected before anything is sent: there is no answer.
    /// let error = client.sessions().list().limit(0).send().await.unwrap_err();
    /// assert!(error.body().is_none());
    /// # }
    /// ```
    pub fn body(&self) -> Option<&ResponseBody> {
        match self {
            Error::Authentication { body, .. }
            | Error::RateLimited { body, .. }
            | Error::NotFound { body }
            | Error::ReportNotReady { body, .. }
            | Error::Api { body, .. }
            | Error::Decode { body, .. } => Some(body),
            Error::Interrupted { source, .. } => source.body(),
            _ => None,
        }
    }
}

/// The statuses worth retrying: overload and passing server trouble.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

fn join_messages(messages: &ErrorMessages) -> String {
    match messages {
        ErrorMessages::String(message) => message.clone(),
        ErrorMessages::Array(messages) => messages.join(" "),
        // A shape a newer spec describes and this version cannot read.
        _ => String::new(),
    }
}

fn retry_after_suffix(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|wait| format!("; the server asks to wait {}", format_duration(wait)))
        .unwrap_or_default()
}

fn fields_suffix(body: &ResponseBody) -> String {
    let fields: Vec<&str> = body.fields().collect();
    if fields.is_empty() {
        String::new()
    } else {
        format!(" (fields at fault: {})", fields.join(", "))
    }
}

fn format_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
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

    fn api_error(status: u16, body: &str) -> Error {
        Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            body: ResponseBody::new(Bytes::from(body.to_owned())),
            retry_after: None,
        }
    }

    #[test]
    fn api_errors_name_the_fields_at_fault_but_not_the_messages() {
        let error = api_error(
            400,
            r#"{"date_from": ["'Jane' is not a date."], "session_kind": "Must be x.", "detail": "Jane"}"#,
        );
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request (fields at fault: date_from, session_kind)"
        );
        assert!(!format!("{error:?}").contains("Jane"), "{error:?}");
        let body = error.body().unwrap();
        assert_eq!(body.detail().as_deref(), Some("Jane"));
        assert_eq!(
            body.messages("date_from"),
            Some(vec!["'Jane' is not a date.".to_owned()])
        );
    }

    #[test]
    fn keys_that_are_not_field_names_are_not_shown() {
        let error = api_error(
            400,
            r#"{"Jane Doe": "x", "jane@example.com": "y", "ok_name": "z"}"#,
        );
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request (fields at fault: ok_name)"
        );
    }

    #[test]
    fn api_errors_without_json_show_only_the_status() {
        let error = api_error(502, "<html>upstream down for Jane</html>");
        assert_eq!(error.to_string(), "the API answered 502 Bad Gateway");
        assert!(!format!("{error:?}").contains("Jane"));
        assert!(error.body().unwrap().text().contains("Jane"));
        assert!(error.is_retryable());
    }

    #[test]
    fn links_show_no_query() {
        let link = Link::new("https://api.example/v3/sessions/?search=Jane%20Doe&offset=5");
        assert_eq!(link.to_string(), "`https://api.example/v3/sessions/?…`");
        assert!(!format!("{link:?}").contains("Jane"));
        assert!(link.as_str().contains("Jane"));
        let relative = Link::new("?search=Jane");
        assert!(!relative.to_string().contains("Jane"), "{relative}");
        let long = Link::new(format!("http://h:8/{}", "é".repeat(200)));
        assert!(long.to_string().len() < 400);
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
