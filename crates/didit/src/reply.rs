//! What an answer says besides its body: its status, its rate-limit
//! headers and the server's identifier of the request.

use std::ops::Deref;

use didit_api::ResponseValue;
use didit_api::hooks::REQUEST_ID_HEADER;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::RateLimit;

/// The longest request identifier kept: enough for any UUID, trace or
/// proxy identifier, short enough to log.
const MAX_REQUEST_ID_BYTES: usize = 128;

/// What an answer said besides its body: its HTTP status, its rate-limit
/// headers and, when the server sent one, the identifier it gave the
/// request (to quote when asking its operators about it).
///
/// Every answer carries it: [`Reply::metadata`], [`Page::metadata`](crate::Page::metadata),
/// [`PdfReport::metadata`](crate::PdfReport::metadata); a delete's answer
/// is its metadata alone. Nothing in it is personal data, so its `Debug`
/// output may be logged.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), didit::Error> {
/// use wiremock::{Mock, MockServer, ResponseTemplate};
///
/// let server = MockServer::start().await;
/// Mock::given(wiremock::matchers::method("DELETE"))
///     .respond_with(
///         ResponseTemplate::new(204)
///             .insert_header("x-ratelimit-remaining", "299")
///             .insert_header("x-request-id", "req-7f3a"),
///     )
///     .mount(&server)
///     .await;
/// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
///
/// let deleted = client.sessions().delete(didit::Uuid::nil()).send().await?;
/// assert_eq!(deleted.status().as_u16(), 204);
/// assert_eq!(deleted.rate_limit().remaining, Some(299));
/// assert_eq!(deleted.request_id(), Some("req-7f3a"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyMetadata {
    status: StatusCode,
    rate_limit: RateLimit,
    request_id: Option<String>,
}

impl ReplyMetadata {
    /// What the status and headers of a generated operation's answer say.
    pub(crate) fn of<T>(answer: &ResponseValue<T>) -> Self {
        let headers = answer.headers();
        Self {
            status: answer.status(),
            rate_limit: RateLimit::from_headers(headers),
            request_id: request_id(headers),
        }
    }

    /// The HTTP status of the answer.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(id).send().await?;
    /// assert!(decision.metadata().status().is_success());
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's rate-limit headers: how much of the API key's budget
    /// is left.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(id).send().await?;
    /// if decision.metadata().rate_limit().remaining == Some(0) {
    ///     println!("the next request may be refused");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// The identifier the server gave the request (its `X-Request-Id`
    /// header), when it sent one. Kept only when it is at most 128
    /// characters of printable ASCII: anything else a server sends there
    /// reads as `None`.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let created = client.sessions().create(id).send().await?;
    /// if let Some(request) = created.metadata().request_id() {
    ///     println!("created in request {request}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// The request identifier among `headers`, when it is one: printable
/// ASCII, not blank, and short. A server's header is hostile until checked;
/// this keeps control characters and floods out of logs.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    checked_request_id(headers.get(REQUEST_ID_HEADER)?)
}

/// The request identifier `value`, when it is one (see [`request_id`]).
pub(crate) fn checked_request_id(value: &HeaderValue) -> Option<String> {
    let value = value.as_bytes().trim_ascii();
    let printable = value
        .iter()
        .all(|&byte| byte.is_ascii_graphic() || byte == b' ');
    if value.is_empty() || value.len() > MAX_REQUEST_ID_BYTES || !printable {
        return None;
    }
    String::from_utf8(value.to_vec()).ok()
}

/// An answer of the API: the value read from its body, and its
/// [`metadata`](Self::metadata).
///
/// It dereferences to the value, so it reads like it
/// (`decision.status()`, `decision.id_verifications()`), and it serialises
/// as the value alone. [`into_inner`](Self::into_inner) hands the value
/// over.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), didit::Error> {
/// use wiremock::{Mock, MockServer, ResponseTemplate};
///
/// let server = MockServer::start().await;
/// Mock::given(wiremock::matchers::path_regex("/decision/$"))
///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
///         "session_id": "11111111-2222-3333-4444-555555555555",
///         "status": "Approved",
///     })))
///     .mount(&server)
///     .await;
/// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
///
/// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
/// let decision = client.sessions().decision(id).send().await?;
/// assert_eq!(decision.status(), &didit::SessionStatus::Approved);
/// assert_eq!(decision.metadata().status().as_u16(), 200);
/// assert_eq!(decision.metadata().request_id(), None);
/// let decision: didit::types::SessionDecision = decision.into_inner();
/// # let _ = decision;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    value: T,
    metadata: ReplyMetadata,
}

impl<T> Reply<T> {
    /// The value and metadata of a generated operation's answer.
    pub(crate) fn from_answer(answer: ResponseValue<T>) -> Self {
        let metadata = ReplyMetadata::of(&answer);
        Self {
            value: answer.into_inner(),
            metadata,
        }
    }

    /// What the answer said besides its body.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(id).send().await?;
    /// println!("{:?}", decision.metadata());
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> &ReplyMetadata {
        &self.metadata
    }

    /// The value read from the answer's body.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision: didit::types::SessionDecision =
    ///     client.sessions().decision(id).send().await?.into_inner();
    /// # let _ = decision;
    /// # Ok(()) }
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The value and the metadata, apart.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let (decision, metadata) = client.sessions().decision(id).send().await?.into_parts();
    /// println!("{} ({})", decision.status(), metadata.status());
    /// # Ok(()) }
    /// ```
    pub fn into_parts(self) -> (T, ReplyMetadata) {
        (self.value, self.metadata)
    }
}

impl<T> Deref for Reply<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> AsRef<T> for Reply<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

/// The value alone: the metadata is not part of the document.
impl<T: serde::Serialize> serde::Serialize for Reply<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn read(value: &[u8]) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_bytes(value).unwrap());
        request_id(&headers)
    }

    #[test]
    fn a_request_id_is_kept_when_short_and_printable() {
        assert_eq!(read(b" req-7f3a:01 ").as_deref(), Some("req-7f3a:01"));
        let longest = "a".repeat(MAX_REQUEST_ID_BYTES);
        assert_eq!(read(longest.as_bytes()), Some(longest));
        assert_eq!(request_id(&HeaderMap::new()), None);
    }

    #[test]
    fn a_hostile_request_id_is_refused() {
        let too_long = "a".repeat(MAX_REQUEST_ID_BYTES + 1);
        for hostile in [
            too_long.as_bytes(),
            b"",
            b"   ",
            b"tab\there",
            "Jos\u{e9}".as_bytes(),
            b"\xff\xfe",
        ] {
            assert_eq!(read(hostile), None, "{hostile:?}");
        }
    }
}
