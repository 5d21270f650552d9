//! How every generated operation reaches the network.
//!
//! The generated [`Client`] builds each request (path, query, headers,
//! body) and decodes each answer; sending is left to a [`Transport`] that the
//! `didit` crate supplies, so that authentication, rate limiting, retries,
//! timeouts, redirects and tracing live in one place for every operation.
//!
//! The generated code calls the hooks below around each request. A
//! [`RequestContext`] (the generated client's inner value, one per request)
//! carries the transport, an optional URL to send to instead of the one the
//! builder made (a server's `next` link, checked by the caller), and, once
//! the request is done, what happened: the URL sent, the status and headers
//! received, or the transport's own error, which the caller takes back with
//! [`RequestContext::take_failure`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::Client;

/// Reads a JSON answer into its type: what the generated operations call
/// in place of progenitor's `ResponseValue::from_response`.
///
/// The decoding is [`JsonDocument::from_json`](crate::JsonDocument), which
/// is not generic: the decoder of every answer is compiled once, in this
/// crate. progenitor's own reader is generic, so every application that
/// awaits an operation would compile the decoders of its answers again.
/// A failure keeps the body and describes where it is, never what it holds.
pub async fn json_answer<T: crate::JsonDocument, E>(
    response: reqwest::Response,
) -> Result<progenitor_client::ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    match T::from_json(&body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(failure) => Err(Error::InvalidResponsePayload(
            body,
            serde::de::Error::custom(failure),
        )),
    }
}

/// The header progenitor adds to every request; the API documents no such
/// header, so it is not sent.
const API_VERSION_HEADER: &str = "api-version";

/// The header a request's identifier is read from. The API documents none;
/// this is the name servers and proxies conventionally give it.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// An answer of a [`Transport`]: read whole, or, for a request whose
/// [`RequestOptions::stream`] is set, still arriving.
///
/// Its `Debug` output shows the status and the body's length, never the
/// body, the headers or the URL (with its query).
///
/// ```
/// let answer = didit_api::hooks::Answer::new(
///     reqwest::StatusCode::OK,
///     reqwest::header::HeaderMap::new(),
///     bytes::Bytes::from_static(br#"{"vendor_data": "Jane"}"#),
/// );
/// assert_eq!(format!("{answer:?}"), "Read { status: 200, body_length: 23, .. }");
/// ```
#[non_exhaustive]
pub enum Answer {
    /// Status, headers and the whole body.
    Read {
        /// The status.
        status: StatusCode,
        /// The headers.
        headers: HeaderMap,
        /// The body.
        body: Bytes,
    },
    /// A response whose body has not been read.
    Streaming(reqwest::Response),
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Read { status, body, .. } => f
                .debug_struct("Read")
                .field("status", &status.as_u16())
                .field("body_length", &body.len())
                .finish_non_exhaustive(),
            Answer::Streaming(response) => f
                .debug_struct("Streaming")
                .field("status", &response.status().as_u16())
                .finish_non_exhaustive(),
        }
    }
}

impl Answer {
    /// An answer read whole.
    ///
    /// ```
    /// let answer = didit_api::hooks::Answer::new(
    ///     reqwest::StatusCode::NO_CONTENT,
    ///     reqwest::header::HeaderMap::new(),
    ///     bytes::Bytes::new(),
    /// );
    /// assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
    /// ```
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Answer::Read {
            status,
            headers,
            body,
        }
    }

    /// The answer's status.
    ///
    /// ```
    /// # let answer = didit_api::hooks::Answer::new(reqwest::StatusCode::OK, Default::default(), Default::default());
    /// assert!(answer.status().is_success());
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            Answer::Read { status, .. } => *status,
            Answer::Streaming(response) => response.status(),
        }
    }

    /// The answer's headers.
    ///
    /// ```
    /// # let answer = didit_api::hooks::Answer::new(reqwest::StatusCode::OK, Default::default(), Default::default());
    /// assert!(answer.headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        match self {
            Answer::Read { headers, .. } => headers,
            Answer::Streaming(response) => response.headers(),
        }
    }

    fn into_response(self) -> reqwest::Response {
        match self {
            Answer::Read {
                status,
                headers,
                body,
            } => {
                let mut response = http::Response::new(body);
                *response.status_mut() = status;
                *response.headers_mut() = headers;
                reqwest::Response::from(response)
            }
            Answer::Streaming(response) => response,
        }
    }
}

/// How one request is to be sent, beyond what the request itself says.
/// Time limits and retries are not among them: they are the transport's
/// own, and a transport given to one request's [`RequestContext`] may
/// carry settings of its own.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Hand a successful answer back before reading its body, for bodies
    /// read as a stream (and never held whole in memory).
    pub stream: bool,
    /// Authenticate with this session's token, in the `Session-Token`
    /// header, instead of the application's API key, which is then not
    /// sent: the calls made on behalf of one session's user. `Debug` does
    /// not show the token.
    pub session_token: Option<crate::SessionToken>,
}

/// The error a [`Transport`] reports; the caller gets it back unchanged
/// from [`RequestContext::take_failure`] and may downcast it.
pub type TransportError = Box<dyn std::error::Error + Send + Sync>;

/// A future a [`Transport`] returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Answer, TransportError>> + Send + 'a>>;

/// Sends the requests of the generated client.
///
/// ```
/// use didit_api::hooks::{Answer, RequestOptions, Transport, TransportFuture};
///
/// /// Answers every request with an empty page, without any network.
/// struct Canned;
///
/// impl Transport for Canned {
///     fn send<'a>(&'a self, _: reqwest::Request, _: &'static str, _: &'a RequestOptions) -> TransportFuture<'a> {
///         Box::pin(async {
///             let body = br#"{"count": 0, "next": null, "previous": null, "results": []}"#;
///             Ok(Answer::new(reqwest::StatusCode::OK, Default::default(), body[..].into()))
///         })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let context = didit_api::hooks::RequestContext::new(std::sync::Arc::new(Canned), None);
/// let client = didit_api::Client::new_with_client("https://example.com", reqwest::Client::new(), context);
/// let page = client.list_sessions().send().await.unwrap();
/// assert_eq!(page.count, 0);
/// # }
/// ```
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` for the operation with this `operationId` and reads
    /// the answer as `options` say. Errors are the transport's own; answers
    /// with an error status may be reported either way.
    fn send<'a>(
        &'a self,
        request: reqwest::Request,
        operation: &'static str,
        options: &'a RequestOptions,
    ) -> TransportFuture<'a>;
}

/// The generated client's inner value: one per request. Clones share what
/// they record.
#[derive(Clone)]
pub struct RequestContext {
    transport: Arc<dyn Transport>,
    url: Option<Url>,
    options: RequestOptions,
    record: Arc<Mutex<Record>>,
}

/// What became of the request.
#[derive(Default)]
struct Record {
    sent_to: Option<Url>,
    status: Option<StatusCode>,
    /// The answer's [`REQUEST_ID_HEADER`], as received (unchecked).
    request_id: Option<HeaderValue>,
    failure: Option<TransportError>,
}

impl RequestContext {
    /// A context sending through `transport`, to `url` instead of the URL
    /// the operation's builder makes when one is given.
    ///
    /// ```
    /// # use didit_api::hooks::{RequestOptions, Transport, TransportFuture};
    /// # struct Canned;
    /// # impl Transport for Canned {
    /// #     fn send<'a>(&'a self, _: reqwest::Request, _: &'static str, _: &'a RequestOptions) -> TransportFuture<'a> {
    /// #         Box::pin(async { Err("offline".into()) })
    /// #     }
    /// # }
    /// let next = reqwest::Url::parse("https://example.com/v3/sessions/?offset=50").unwrap();
    /// let context = didit_api::hooks::RequestContext::new(std::sync::Arc::new(Canned), Some(next));
    /// # let _ = context;
    /// ```
    pub fn new(transport: Arc<dyn Transport>, url: Option<Url>) -> Self {
        Self {
            transport,
            url,
            options: RequestOptions::default(),
            record: Arc::default(),
        }
    }

    /// The same context, sending with these options.
    ///
    /// ```
    /// # use didit_api::hooks::{RequestOptions, Transport, TransportFuture};
    /// # struct Canned;
    /// # impl Transport for Canned {
    /// #     fn send<'a>(&'a self, _: reqwest::Request, _: &'static str, _: &'a RequestOptions) -> TransportFuture<'a> {
    /// #         Box::pin(async { Err("offline".into()) })
    /// #     }
    /// # }
    /// let mut options = RequestOptions::default();
    /// options.stream = true;
    /// let context = didit_api::hooks::RequestContext::new(std::sync::Arc::new(Canned), None)
    ///     .with_options(options);
    /// # let _ = context;
    /// ```
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The URL the request went to, once it was sent.
    ///
    /// ```
    /// # fn after(client: &didit_api::Client) {
    /// use didit_api::ClientInfo;
    /// if let Some(url) = client.inner().sent_to() {
    ///     println!("asked {}", url.path());
    /// }
    /// # }
    /// ```
    pub fn sent_to(&self) -> Option<Url> {
        self.record().sent_to.clone()
    }

    /// The status of the answer, once one arrived.
    ///
    /// ```
    /// # fn after(client: &didit_api::Client) {
    /// use didit_api::ClientInfo;
    /// let status = client.inner().status();
    /// # let _ = status;
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.record().status
    }

    /// The answer's [`REQUEST_ID_HEADER`], once an answer with one
    /// arrived, as received: check it before showing it.
    ///
    /// ```
    /// # fn after(client: &didit_api::Client) {
    /// use didit_api::ClientInfo;
    /// if let Some(id) = client.inner().request_id_header() {
    ///     println!("{} bytes", id.len());
    /// }
    /// # }
    /// ```
    pub fn request_id_header(&self) -> Option<HeaderValue> {
        self.record().request_id.clone()
    }

    /// The transport's error, if sending failed; taken, so a second call
    /// returns `None`.
    ///
    /// ```
    /// # fn after(client: &didit_api::Client) {
    /// use didit_api::ClientInfo;
    /// if let Some(error) = client.inner().take_failure() {
    ///     eprintln!("not sent: {error}");
    /// }
    /// # }
    /// ```
    pub fn take_failure(&self) -> Option<TransportError> {
        self.record().failure.take()
    }

    fn record(&self) -> MutexGuard<'_, Record> {
        // A panic elsewhere cannot leave a record half-written: each field
        // is set in one assignment.
        self.record
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("url", &self.url.as_ref().map(Url::path))
            .finish_non_exhaustive()
    }
}

/// The message of the progenitor error that stands for a transport failure
/// kept in the [`RequestContext`].
pub const TRANSPORT_FAILED: &str = "the transport failed; its error is in the request context";

impl ClientHooks<RequestContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Some(url) = &self.inner().url {
            *request.url_mut() = url.clone();
        }
        request.headers_mut().remove(API_VERSION_HEADER);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let context = self.inner();
        context.record().sent_to = Some(request.url().clone());
        let sent = context
            .transport
            .send(request, info.operation_id, &context.options)
            .await;
        let answer = match sent {
            Ok(answer) => {
                // Only the one header an error may need: every answer
                // passes here.
                let request_id = answer.headers().get(REQUEST_ID_HEADER).cloned();
                let mut record = context.record();
                record.status = Some(answer.status());
                record.request_id = request_id;
                drop(record);
                answer
            }
            Err(error) => {
                context.record().failure = Some(error);
                // Never read: `post` reports the failure first.
                Answer::new(StatusCode::NO_CONTENT, HeaderMap::new(), Bytes::new())
            }
        };
        Ok(answer.into_response())
    }

    async fn post<E>(
        &self,
        _result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if self.inner().record().failure.is_some() {
            return Err(Error::Custom(TRANSPORT_FAILED.to_owned()));
        }
        Ok(())
    }
}
