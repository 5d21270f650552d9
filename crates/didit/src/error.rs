//! The one error type of the SDK.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

use crate::RateLimit;
use crate::types::{ApiError, ErrorMessages, StatusUpdateError};
use didit_api::JsonDocument;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to the Didit API.
///
/// The variants keep apart the mistakes a caller can fix before sending
/// anything ([`Error::InvalidInput`], [`Error::InvalidConfig`]), answers of
/// the server ([`Error::Authentication`], [`Error::Forbidden`],
/// [`Error::RateLimited`], [`Error::NotFound`], [`Error::Api`]), failures on
/// the way ([`Error::Timeout`], [`Error::Transport`]), answers the SDK could
/// not read ([`Error::Decode`], [`Error::ResponseTooLarge`]), links or
/// redirects it refused to follow, and its own bugs ([`Error::Internal`]).
///
/// # What an error shows
///
/// Answers of the API hold personal data (names, document numbers, e-mail
/// addresses), and error messages end up in logs. So the `Display` and
/// `Debug` output of an error never holds the data of an answer: no row,
/// decision or report, no value that failed to decode, no query of a link,
/// no key or token. It names the status, the JSON path of a value that did
/// not decode and what was expected there, and, for an error answer in one
/// of the API's documented error shapes, the messages the API wrote about
/// the request with the fields they are about (see
/// [`ResponseBody::api_messages`]), bounded in length. The answer itself
/// stays reachable through [`Error::body`], whose documentation says what
/// it may hold.
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

    /// The server did not accept the request's credentials (401). Didit
    /// answers a missing or wrong key with 403 ([`Error::Forbidden`]); a
    /// 401 comes from something between, such as a proxy.
    #[error(
        "the API did not accept the credentials (401 Unauthorized){}",
        messages_suffix(body, StatusCode::UNAUTHORIZED)
    )]
    #[non_exhaustive]
    Authentication {
        /// The answer.
        body: ResponseBody,
    },

    /// The API refused the request (403): the key is missing, wrong or
    /// revoked, or lacks the permission. Its message says which; `Display`
    /// shows it.
    #[error(
        "the API refused the request (403 Forbidden){}",
        messages_suffix(body, StatusCode::FORBIDDEN)
    )]
    #[non_exhaustive]
    Forbidden {
        /// The answer; its `detail` says why.
        body: ResponseBody,
    },

    /// The server still answered 429 Too Many Requests after every retry, or
    /// asked to wait longer than the SDK may (see
    /// [`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
    #[error(
        "rate limited by the server (429){}{}",
        retry_after_suffix(rate_limit.retry_after),
        messages_suffix(body, StatusCode::TOO_MANY_REQUESTS)
    )]
    #[non_exhaustive]
    RateLimited {
        /// `Retry-After` and `X-RateLimit-*` headers of the last answer.
        rate_limit: RateLimit,
        /// The answer.
        body: ResponseBody,
    },

    /// The API knows no such resource (404): an unknown session, or one
    /// deleted already.
    #[error("not found (404){}", messages_suffix(body, StatusCode::NOT_FOUND))]
    #[non_exhaustive]
    NotFound {
        /// The answer.
        body: ResponseBody,
    },

    /// The session's PDF report cannot be made yet: the session is not
    /// finished (KYC: Approved, Declined, In Review or Kyc Expired; KYB:
    /// Approved, Declined or In Review). The API answers 403.
    #[error(
        "the session's report is not ready: the session is not finished ({status}){}",
        messages_suffix(body, *status)
    )]
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

    /// A file to import was refused before anything was sent: it could not
    /// be read, is too large, or is not in the import format. The message
    /// names the problem, never what the file holds.
    #[error("refused to import {}: {problem}", path.display())]
    #[non_exhaustive]
    ImportFile {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        #[source]
        problem: crate::ImportFileProblem,
    },

    /// Any other error status.
    #[error("the API answered {status}{}", messages_suffix(body, *status))]
    #[non_exhaustive]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The answer: for the API's errors, `detail` or messages per
        /// field.
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

    /// A page's `next` link points away from the list it continues (the
    /// session list, a review log) at the base URL's scheme, host and port,
    /// or is not a URL. It was not requested: the API key would have gone
    /// with it.
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
/// numbers and e-mail addresses. Its `Debug` output shows only its length
/// and, for an error answer, the messages the API wrote about the request
/// (as `Display` of the [`Error`] does: bounded, control characters
/// escaped, and only in the API's documented error shapes). Read the whole
/// body with [`text`](Self::text), [`bytes`](Self::bytes) or
/// [`decode`](Self::decode), and keep it out of logs that are not cleared
/// for personal data.
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
/// assert_eq!(
///     error.to_string(),
///     "the API answered 400 Bad Request: date_from: Enter a valid date."
/// );
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
    /// For an error answer, the body read in the widest of the API's error
    /// shapes: an object of messages, or a bare list of them.
    error: Option<StatusUpdateError>,
    /// Why the messages are not shown, when they repeat a secret of the
    /// request (the API key, a token).
    withheld: Option<&'static str>,
    /// The server's identifier of the request, when it sent one.
    request_id: Option<String>,
}

/// One message the API wrote about a request, in an error answer.
///
/// The API's messages are addressed to the integrator (`Enter a valid
/// date.`), which is why [`Error`] shows them; they may still repeat a value
/// that was sent.
///
/// ```
/// # fn show(error: &didit::Error) {
/// for message in error.body().into_iter().flat_map(|body| body.api_messages()) {
///     match message.field() {
///         Some(field) => eprintln!("{field}: {}", message.text()),
///         None => eprintln!("{}", message.text()),
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiMessage<'a> {
    field: Option<String>,
    text: &'a str,
}

impl<'a> ApiMessage<'a> {
    /// The JSON path of the field the message is about, such as
    /// `date_from`, `contact_details.email_lang` or
    /// `nodes_to_resubmit[0].feature`; `None` for a message about the whole
    /// request (`detail`, `non_field_errors`, or a bare list of messages).
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// let blamed: Vec<String> = error
    ///     .body()
    ///     .into_iter()
    ///     .flat_map(|body| body.api_messages())
    ///     .filter_map(|message| message.field().map(str::to_owned))
    ///     .collect();
    /// # let _ = blamed;
    /// # }
    /// ```
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The message, as the API wrote it.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(first) = error.body().and_then(|body| body.api_messages().next()) {
    ///     eprintln!("{}", first.text());
    /// }
    /// # }
    /// ```
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// The messages of an error body: those under keys that read as field
/// names, and how many others there are.
struct Messages<'a> {
    readable: Vec<ApiMessage<'a>>,
    unreadable: usize,
}

impl<'a> Messages<'a> {
    fn of(body: &'a StatusUpdateError) -> Self {
        let mut messages = Messages {
            readable: Vec::new(),
            unreadable: 0,
        };
        match body {
            StatusUpdateError::ApiError(object) => messages.object(None, object),
            StatusUpdateError::Array(texts) => messages.texts(None, texts),
            // A shape a newer spec describes and this version cannot read.
            _ => messages.unreadable += 1,
        }
        messages
    }

    /// The messages of an object keyed by field, at `path` (`None` at the
    /// top of the body).
    fn object(&mut self, path: Option<&str>, object: &'a ApiError) {
        // Messages about the whole object first, then the fields'.
        let about_all = |key: &str| matches!(key, "detail" | "non_field_errors");
        let in_order = (object.iter().filter(|(key, _)| about_all(key)))
            .chain(object.iter().filter(|(key, _)| !about_all(key)));
        for (key, value) in in_order {
            if !is_field_name(key) {
                self.unreadable += count_messages(value);
                continue;
            }
            let field = match (path, key.as_str()) {
                // About the whole request, or the whole object.
                (None, "detail" | "non_field_errors") => None,
                (Some(path), "non_field_errors") => Some(path.to_owned()),
                (Some(path), key) => Some(format!("{path}.{key}")),
                (None, key) => Some(key.to_owned()),
            };
            self.messages(field, value);
        }
    }

    fn messages(&mut self, field: Option<String>, value: &'a ErrorMessages) {
        match value {
            ErrorMessages::String(text) => self.readable.push(ApiMessage { field, text }),
            ErrorMessages::Array(texts) => self.texts(field, texts),
            ErrorMessages::ApiError(object) => self.object(field.as_deref(), object),
            ErrorMessages::Entries(entries) => {
                let path = field.unwrap_or_default();
                // One object per entry of a list field, empty for an entry
                // without fault.
                for (index, entry) in entries.iter().enumerate() {
                    self.object(Some(&format!("{path}[{index}]")), entry);
                }
            }
            _ => self.unreadable += 1,
        }
    }

    fn texts(&mut self, field: Option<String>, texts: &'a [String]) {
        self.readable.extend(texts.iter().map(|text| ApiMessage {
            field: field.clone(),
            text,
        }));
    }
}

/// How many messages `value` holds.
fn count_messages(value: &ErrorMessages) -> usize {
    match value {
        ErrorMessages::String(_) => 1,
        ErrorMessages::Array(texts) => texts.len(),
        ErrorMessages::ApiError(object) => object.values().map(count_messages).sum(),
        ErrorMessages::Entries(entries) => entries
            .iter()
            .flat_map(|entry| entry.values())
            .map(count_messages)
            .sum(),
        _ => 1,
    }
}

impl ResponseBody {
    /// Keeps the body of an answer that is not an error answer (or has no
    /// body): its content is never shown.
    pub(crate) fn new(bytes: Bytes) -> Self {
        Self {
            inner: Box::new(BodyInner {
                bytes,
                error: None,
                withheld: None,
                request_id: None,
            }),
        }
    }

    /// Keeps the body of an error answer, read in the API's error shapes
    /// when it is in one. Messages that repeat `api_key` are not shown.
    pub(crate) fn of_error_answer(bytes: Bytes, api_key: &str) -> Self {
        let error = StatusUpdateError::from_json(&bytes).ok();
        let mut body = Self {
            inner: Box::new(BodyInner {
                bytes,
                error,
                withheld: None,
                request_id: None,
            }),
        };
        body.withhold_echoes(api_key, "they repeat the API key");
        body
    }

    /// The same body, with the request's identifier from the answer's
    /// `headers`.
    pub(crate) fn with_request_id(mut self, headers: &HeaderMap) -> Self {
        self.inner.request_id = crate::reply::request_id(headers);
        self
    }

    /// The same body, with the request's identifier from the `value` of
    /// its header.
    pub(crate) fn with_request_id_header(mut self, value: Option<&HeaderValue>) -> Self {
        self.inner.request_id = value.and_then(crate::reply::checked_request_id);
        self
    }

    /// The identifier the server gave the request, when its answer had one
    /// (see [`ReplyMetadata::request_id`](crate::ReplyMetadata::request_id)):
    /// quote it when asking about a failed request.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(id) = error.body().and_then(|body| body.request_id()) {
    ///     eprintln!("request id: {id}");
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// Withholds the messages, for `reason`, when they repeat `secret`.
    pub(crate) fn withhold_echoes(&mut self, secret: &str, reason: &'static str) {
        let echoes = self.api_messages().any(|message| {
            message.text.contains(secret)
                || message
                    .field
                    .as_ref()
                    .is_some_and(|field| field.contains(secret))
        });
        if echoes && self.inner.withheld.is_none() {
            self.inner.withheld = Some(reason);
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

    /// The body decoded as `T`, one of the generated types: the error shape
    /// an operation documents (such as
    /// [`StatusUpdateError`](crate::types::StatusUpdateError), which may be
    /// a bare list of messages), or the answer a [`Error::Decode`] could not
    /// read as it expected. `None` when the body is not a `T`. **May hold
    /// personal data.**
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use didit::types::{NewSessionStatus, StatusUpdateError};
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::any())
    ///     .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!([
    ///         "The new status is the same as the current status.",
    ///     ])))
    ///     .mount(&server)
    ///     .await;
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build().unwrap();
    /// let error = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), NewSessionStatus::Approved)
    ///     .send()
    ///     .await
    ///     .unwrap_err();
    /// let body = error.body().expect("an answer");
    /// assert!(matches!(
    ///     body.decode::<StatusUpdateError>(),
    ///     Some(StatusUpdateError::Array(messages)) if messages.len() == 1
    /// ));
    /// // Not an object of messages per field.
    /// assert!(body.decode::<didit::ApiError>().is_none());
    /// # }
    /// ```
    pub fn decode<T: JsonDocument>(&self) -> Option<T> {
        T::from_json(&self.inner.bytes).ok()
    }

    /// An error answer's body read as an object of messages (`detail`, or
    /// messages per field, nested for fields that are objects); `None` for
    /// any other body, a bare list of messages included (see
    /// [`decode`](Self::decode)). **May hold personal data.**
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
        match self.inner.error.as_ref()? {
            StatusUpdateError::ApiError(object) => Some(object),
            _ => None,
        }
    }

    /// The messages the API wrote about the request in an error answer,
    /// with the fields they are about, in the order of their fields' names.
    /// Messages under keys that do not read as field names (a lower-case
    /// name of letters, digits and `_`) are left out. Empty for an answer
    /// that is not in one of the API's error shapes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::any())
    ///     .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
    ///         "contact_details": {"email_lang": ["\"xx\" is not a valid choice."]},
    ///     })))
    ///     .mount(&server)
    ///     .await;
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build().unwrap();
    /// let error = client.sessions().create(didit::Uuid::nil()).send().await.unwrap_err();
    /// let messages: Vec<_> = error.body().unwrap().api_messages().collect();
    /// assert_eq!(messages[0].field(), Some("contact_details.email_lang"));
    /// assert_eq!(messages[0].text(), "\"xx\" is not a valid choice.");
    /// # }
    /// ```
    pub fn api_messages(&self) -> impl Iterator<Item = ApiMessage<'_>> {
        self.inner
            .error
            .as_ref()
            .map(|error| Messages::of(error).readable)
            .unwrap_or_default()
            .into_iter()
    }

    /// The server's `detail` message, when it sent one.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(detail) = error.body().and_then(|body| body.detail()) {
    ///     eprintln!("{detail}");
    /// }
    /// # }
    /// ```
    pub fn detail(&self) -> Option<String> {
        self.api_error()?
            .get("detail")
            .map(join_messages)
            .filter(|detail| !detail.is_empty())
    }

    /// The messages the API gave for the field at `path` (as
    /// [`ApiMessage::field`] names it: `date_from`,
    /// `contact_details.email_lang`); `None` when it gave none.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(messages) = error.body().and_then(|body| body.messages("date_from")) {
    ///     eprintln!("date_from: {}", messages.join(" "));
    /// }
    /// # }
    /// ```
    pub fn messages(&self, path: &str) -> Option<Vec<String>> {
        let messages: Vec<String> = self
            .api_messages()
            .filter(|message| message.field() == Some(path))
            .map(|message| message.text().to_owned())
            .collect();
        (!messages.is_empty()).then_some(messages)
    }

    /// The fields an error answer blamed, as JSON paths, each once (at most
    /// eight). Safe to log.
    ///
    /// ```
    /// # fn show(error: &didit::Error) {
    /// if let Some(body) = error.body() {
    ///     eprintln!("fields at fault: {:?}", body.fields().collect::<Vec<_>>());
    /// }
    /// # }
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = String> {
        let mut fields: Vec<String> = Vec::new();
        for field in self.api_messages().filter_map(|message| message.field) {
            if fields.len() == MAX_FIELDS_SHOWN {
                break;
            }
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        fields.into_iter()
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

    /// The API's messages as an error shows them: bounded, escaped, and
    /// without one that only repeats the reason of `status`.
    fn shown_messages(&self, status: Option<StatusCode>) -> ShownMessages {
        let Some(error) = self.inner.error.as_ref() else {
            return ShownMessages::default();
        };
        let messages = Messages::of(error);
        if let Some(reason) = self.inner.withheld {
            return ShownMessages {
                withheld: Some(reason),
                ..ShownMessages::default()
            };
        }
        let repeats_status = |message: &ApiMessage| {
            message.field.is_none()
                && status
                    .and_then(|status| status.canonical_reason())
                    .is_some_and(|reason| {
                        message
                            .text
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(reason)
                    })
        };
        let mut shown = ShownMessages {
            not_shown: messages.unreadable,
            ..ShownMessages::default()
        };
        let mut room = MAX_MESSAGES_SHOWN;
        for message in messages.readable.iter().filter(|m| !repeats_status(m)) {
            let mut item = String::new();
            if let Some(field) = &message.field {
                item.push_str(field);
                item.push_str(": ");
            }
            push_escaped(&mut item, message.text);
            let separator = if shown.text.is_empty() { "" } else { "; " };
            let length = separator.len() + item.chars().count();
            if length <= room {
                shown.text.push_str(separator);
                shown.text.push_str(&item);
                room -= length;
            } else if shown.text.is_empty() {
                // One long message: its beginning.
                shown.text.extend(item.chars().take(room.saturating_sub(1)));
                shown.text.push('…');
                room = 0;
            } else {
                // The messages keep their order: none after one left out.
                shown.not_shown += 1;
                room = 0;
            }
        }
        shown
    }
}

/// Most characters of the API's messages an error shows.
const MAX_MESSAGES_SHOWN: usize = 300;

/// The API's messages as an error shows them.
#[derive(Default)]
struct ShownMessages {
    /// The messages shown, `; `-separated.
    text: String,
    /// How many were not (too long, or under keys that are not field names).
    not_shown: usize,
    /// Why none is shown, if so.
    withheld: Option<&'static str>,
}

impl ShownMessages {
    fn is_empty(&self) -> bool {
        self.text.is_empty() && self.not_shown == 0 && self.withheld.is_none()
    }
}

impl fmt::Display for ShownMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(reason) = self.withheld {
            return write!(f, "(messages not shown: {reason})");
        }
        let plural = if self.not_shown == 1 { "" } else { "s" };
        match (self.text.is_empty(), self.not_shown) {
            (_, 0) => f.write_str(&self.text),
            (true, n) => write!(f, "({n} message{plural} not shown)"),
            (false, n) => write!(f, "{}; … ({n} more message{plural})", self.text),
        }
    }
}

/// What an error's message adds for the API's messages in `body`: `: ` and
/// the messages, or a note of those not shown.
fn messages_suffix(body: &ResponseBody, status: StatusCode) -> String {
    let shown = body.shown_messages(Some(status));
    if shown.is_empty() {
        String::new()
    } else if shown.text.is_empty() {
        format!(" {shown}")
    } else {
        format!(": {shown}")
    }
}

/// Appends `text` with its control characters (and the Unicode controls of
/// text direction, which can make a line read otherwise than it is)
/// escaped, so that a message stays one line that reads as it is.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        let direction = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || direction {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ResponseBody");
        debug.field("len", &self.inner.bytes.len());
        let shown = self.shown_messages(None);
        if !shown.is_empty() {
            debug.field("messages", &shown.to_string());
        }
        if let Some(id) = &self.inner.request_id {
            debug.field("request_id", id);
        }
        debug.finish_non_exhaustive()
    }
}

/// Most field names [`ResponseBody::fields`] lists.
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
            Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::ReportNotReady { status, .. }
            | Error::RedirectRefused { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::Authentication { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
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
            Error::Authentication { body }
            | Error::Forbidden { body }
            | Error::RateLimited { body, .. }
            | Error::NotFound { body }
            | Error::ReportNotReady { body, .. }
            | Error::Api { body, .. }
            | Error::Decode { body, .. } => Some(body),
            Error::Interrupted { source, .. } => source.body(),
            _ => None,
        }
    }

    /// The identifier the server gave the failed request, when its answer
    /// had one: what the API's operators ask for.
    ///
    /// ```
    /// # fn report(error: &didit::Error) {
    /// match error.request_id() {
    ///     Some(id) => eprintln!("{error} (request id {id})"),
    ///     None => eprintln!("{error}"),
    /// }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.body()?.request_id()
    }

    /// This error, its messages withheld for `reason` when they repeat
    /// `secret`: a secret the request carried besides its credential.
    pub(crate) fn withhold_echoes(mut self, secret: &str, reason: &'static str) -> Self {
        if let Error::Authentication { body }
        | Error::Forbidden { body }
        | Error::RateLimited { body, .. }
        | Error::NotFound { body }
        | Error::ReportNotReady { body, .. }
        | Error::Api { body, .. }
        | Error::Decode { body, .. } = &mut self
        {
            body.withhold_echoes(secret, reason);
        }
        self
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
        // Messages about fields, not a `detail`.
        _ => String::new(),
    }
}

fn retry_after_suffix(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|wait| format!("; the server asks to wait {}", format_duration(wait)))
        .unwrap_or_default()
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

    const KEY: &str = "sk_live_0123456789";

    fn api_error(status: u16, body: &str) -> Error {
        Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            body: ResponseBody::of_error_answer(Bytes::from(body.to_owned()), KEY),
            retry_after: None,
        }
    }

    fn bad_request(body: serde_json::Value) -> String {
        api_error(400, &body.to_string()).to_string()
    }

    #[test]
    fn a_detail_is_shown_without_a_field() {
        let error = api_error(400, r#"{"detail": "You don't have enough credits."}"#);
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: You don't have enough credits."
        );
        assert_eq!(
            error.body().unwrap().detail().as_deref(),
            Some("You don't have enough credits.")
        );
    }

    #[test]
    fn messages_of_a_field_are_shown_with_its_name_as_a_list_or_a_string() {
        assert_eq!(
            bad_request(
                serde_json::json!({"date_from": ["Enter a valid date.", "Or not at all."]})
            ),
            "the API answered 400 Bad Request: date_from: Enter a valid date.; \
             date_from: Or not at all."
        );
        assert_eq!(
            bad_request(serde_json::json!({"workflow_id": "Invalid workflow_id."})),
            "the API answered 400 Bad Request: workflow_id: Invalid workflow_id."
        );
    }

    #[test]
    fn messages_about_the_whole_request_come_before_the_fields() {
        assert_eq!(
            bad_request(serde_json::json!({
                "a_field": ["A."], "non_field_errors": ["General."], "detail": "Detail.",
            })),
            "the API answered 400 Bad Request: Detail.; General.; a_field: A."
        );
    }

    #[test]
    fn nested_messages_are_named_by_their_json_path() {
        let error = api_error(
            400,
            r#"{"contact_details": {"email_lang": ["Not a language."], "non_field_errors": ["Whole."]},
                "nodes_to_resubmit": [{}, {"feature": ["Not a feature."]}]}"#,
        );
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: contact_details: Whole.; \
             contact_details.email_lang: Not a language.; \
             nodes_to_resubmit[1].feature: Not a feature."
        );
        let body = error.body().unwrap();
        assert_eq!(
            body.messages("contact_details.email_lang"),
            Some(vec!["Not a language.".to_owned()])
        );
        assert_eq!(
            body.fields().collect::<Vec<_>>(),
            [
                "contact_details",
                "contact_details.email_lang",
                "nodes_to_resubmit[1].feature"
            ]
        );
        assert!(body.api_error().unwrap().contains_key("contact_details"));
    }

    #[test]
    fn a_bare_list_of_messages_is_shown() {
        let error = api_error(
            400,
            r#"["The new status is the same as the current status."]"#,
        );
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: The new status is the same as the current status."
        );
        let body = error.body().unwrap();
        assert!(body.api_error().is_none());
        assert!(matches!(
            body.decode::<StatusUpdateError>(),
            Some(StatusUpdateError::Array(messages)) if messages.len() == 1
        ));
    }

    #[test]
    fn bodies_in_no_error_shape_are_not_shown() {
        for body in [
            "<html>upstream down for Jane</html>",
            r#"{"detail": "Jane", "count": 3}"#,
            r#"{"results": [{"full_name": "Jane", "age": 40}]}"#,
            r#"["Jane", 1]"#,
            r#""Jane""#,
            "",
        ] {
            let error = api_error(502, body);
            assert_eq!(
                error.to_string(),
                "the API answered 502 Bad Gateway",
                "{body}"
            );
            assert!(!format!("{error:?}").contains("Jane"), "{error:?}");
            assert!(error.body().unwrap().api_messages().next().is_none());
            assert!(error.is_retryable());
        }
    }

    #[test]
    fn the_body_of_an_answer_that_is_not_an_error_is_not_shown() {
        let error = Error::Decode {
            status: StatusCode::OK,
            path: ".".to_owned(),
            expected: "a page".to_owned(),
            body: ResponseBody::new(Bytes::from_static(br#"{"detail": "Jane"}"#)),
        };
        assert!(!format!("{error} {error:?}").contains("Jane"));
        assert!(error.body().unwrap().api_messages().next().is_none());
        assert_eq!(
            error.body().unwrap().decode::<ApiError>().unwrap().len(),
            1,
            "still decodable on request"
        );
    }

    #[test]
    fn keys_that_are_not_field_names_are_not_shown_but_counted() {
        assert_eq!(
            bad_request(serde_json::json!({
                "Jane Doe": "x", "jane@example.com": ["y", "z"], "ok_name": "Fine.",
            })),
            "the API answered 400 Bad Request: ok_name: Fine.; … (3 more messages)"
        );
        assert_eq!(
            bad_request(serde_json::json!({"contact_details": {"Jane Doe": ["x"]}})),
            "the API answered 400 Bad Request (1 message not shown)"
        );
        let error = api_error(400, r#"{"Jane": "x"}"#);
        assert!(!format!("{error:?}").contains("Jane"), "{error:?}");
    }

    #[test]
    fn long_messages_are_bounded_and_the_rest_counted() {
        let many: serde_json::Map<String, serde_json::Value> = (0..40)
            .map(|i| {
                (
                    format!("field_{i:02}"),
                    serde_json::json!(["This value is wrong."]),
                )
            })
            .collect();
        let text = bad_request(serde_json::Value::Object(many));
        let prefix = "the API answered 400 Bad Request: ";
        assert!(
            text.starts_with(&format!("{prefix}field_00: This value is wrong.; ")),
            "{text}"
        );
        let shown = text.matches("This value is wrong.").count();
        assert!((5..40).contains(&shown), "{text}");
        assert!(
            text.ends_with(&format!("; … ({} more messages)", 40 - shown)),
            "{text}"
        );
        assert!(
            text.chars().count() <= prefix.len() + MAX_MESSAGES_SHOWN + 30,
            "{text}"
        );

        let long = "é".repeat(5000);
        let text = bad_request(serde_json::json!({"detail": long, "other": "x"}));
        assert!(text.ends_with("é…; … (1 more message)"), "{text}");
        assert!(
            text.chars().count() <= prefix.len() + MAX_MESSAGES_SHOWN + 30,
            "{text}"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let text = bad_request(serde_json::json!({
            "detail": "line one\nline two\u{1b}[31m\u{202e}txt.exe",
        }));
        assert_eq!(
            text,
            "the API answered 400 Bad Request: line one\\nline two\\u{1b}[31m\\u{202e}txt.exe"
        );
    }

    #[test]
    fn messages_that_repeat_the_key_are_not_shown() {
        let error = api_error(400, &format!(r#"{{"detail": "unknown key {KEY}"}}"#));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("unknown key"), "{shown}");
        assert!(
            error
                .to_string()
                .ends_with("(messages not shown: they repeat the API key)"),
            "{error}"
        );
    }

    #[test]
    fn a_message_that_only_repeats_the_status_is_left_out() {
        let not_found = |body: &str| Error::NotFound {
            body: ResponseBody::of_error_answer(Bytes::from(body.to_owned()), KEY),
        };
        assert_eq!(
            not_found(r#"{"detail": "Not found."}"#).to_string(),
            "not found (404)"
        );
        assert_eq!(
            not_found(r#"{"detail": "Session not found."}"#).to_string(),
            "not found (404): Session not found."
        );
    }

    #[test]
    fn refusals_say_what_the_server_said() {
        let body = r#"{"detail": "You do not have permission to perform this action."}"#;
        let error = Error::Forbidden {
            body: ResponseBody::of_error_answer(Bytes::from_static(body.as_bytes()), KEY),
        };
        assert_eq!(
            error.to_string(),
            "the API refused the request (403 Forbidden): \
             You do not have permission to perform this action."
        );
        assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
        assert!(!error.to_string().contains("API key"));
    }

    #[test]
    fn debug_shows_the_length_and_the_messages() {
        let error = api_error(400, r#"{"date_from": ["Enter a valid date."]}"#);
        assert_eq!(
            format!("{:?}", error.body().unwrap()),
            r#"ResponseBody { len: 38, messages: "date_from: Enter a valid date.", .. }"#
        );
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
