//! The request path: every operation is sent, retried and timed here, and
//! nowhere else.
//!
//! The generated client (`didit-api`) builds each request and decodes each
//! answer; its hooks hand the request to the [`Transport`] implementation
//! below, which adds the API key (only for the base URL's origin), takes
//! slots of the rate limiter, retries, times out (with the client's
//! settings or a call's overrides of them), refuses redirects and traces. [`Client::api`] makes a generated client for
//! one request, and [`Client::settle`] turns what the generated code returns
//! into the SDK's [`Error`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use didit_api::hooks::{Answer, RequestContext, RequestOptions, Transport, TransportFuture};
use didit_api::{ClientInfo, DecodeFailure, JsonDocument, ResponseValue, SessionToken};
use futures::StreamExt;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, LOCATION, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::client::USER_AGENT as USER_AGENT_VALUE;
use crate::error::{Link, ResponseBody};
use crate::limiter::ServerBudget;
use crate::{Client, Error, RateLimit, Result, TimeoutScope};

/// The header the API key travels in.
const API_KEY_HEADER: &str = "x-api-key";
/// The header of a session's own token, for calls made on behalf of that
/// session's user.
const SESSION_TOKEN_HEADER: &str = "session-token";

/// Most redirects followed for one request.
const MAX_REDIRECTS: usize = 3;

/// The redirect policy the SDK's own HTTP client uses: follow at most three
/// redirects, and only to the scheme, host and port of the original request.
/// Any other redirect is handed back unfollowed, and the SDK reports it as
/// [`Error::RedirectRefused`].
///
/// reqwest removes `Authorization` and cookies on a redirect to another
/// host, but not `x-api-key`; give this policy to a `reqwest::Client` that
/// you pass to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
///
/// ```
/// let http = reqwest::Client::builder()
///     .redirect(didit::redirect_policy())
///     .build()
///     .expect("a reqwest client");
/// # let _ = http;
/// ```
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let origin = attempt.previous().first();
        let same_origin = origin.is_some_and(|origin| same_origin(origin, attempt.url()));
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Whether two URLs share scheme, host and port: the only place the API key
/// may be sent is the base URL's origin.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A complete answer.
pub(crate) struct Received {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// What one attempt brought back.
enum Outcome {
    /// An answer read whole.
    Read(Received),
    /// A successful answer whose body is left to stream.
    Streaming(reqwest::Response),
}

impl Outcome {
    fn status(&self) -> StatusCode {
        match self {
            Outcome::Read(received) => received.status,
            Outcome::Streaming(response) => response.status(),
        }
    }

    fn headers(&self) -> &HeaderMap {
        match self {
            Outcome::Read(received) => &received.headers,
            Outcome::Streaming(response) => response.headers(),
        }
    }
}

/// The transport of one call: the client's pipeline, with the call's time
/// limits and retries.
struct Pipeline(Client);

impl Transport for Pipeline {
    fn send<'a>(
        &'a self,
        request: reqwest::Request,
        operation: &'static str,
        options: &'a RequestOptions,
    ) -> TransportFuture<'a> {
        Box::pin(async move {
            self.0
                .execute(request, operation, options)
                .await
                .map_err(|error| Box::new(error) as didit_api::hooks::TransportError)
        })
    }
}

impl Client {
    /// A generated client for one request, sending through this client's
    /// pipeline with its settings; to `url` instead of the operation's own
    /// URL when given (a `next` link, already checked).
    pub(crate) fn api(&self, url: Option<Url>) -> didit_api::Client {
        self.api_with_options(url, RequestOptions::default())
    }

    /// [`api`](Self::api), sending with these options.
    pub(crate) fn api_with_options(
        &self,
        url: Option<Url>,
        options: RequestOptions,
    ) -> didit_api::Client {
        // The generated paths start with `/`; the base URL ends with one.
        let base = self.inner.base_url.as_str().trim_end_matches('/');
        let transport: Arc<dyn Transport> = Arc::new(Pipeline(self.clone()));
        didit_api::Client::new_with_client(
            base,
            self.inner.http.clone(),
            RequestContext::new(transport, url).with_options(options),
        )
    }

    /// What a generated operation returned, as the SDK's result: a failure
    /// of the pipeline comes back as it was, a body that does not decode as
    /// [`Error::Decode`] naming where.
    pub(crate) async fn settle<T: JsonDocument, E>(
        api: &didit_api::Client,
        result: std::result::Result<ResponseValue<T>, didit_api::Error<E>>,
    ) -> Result<ResponseValue<T>> {
        Self::settle_with(api, result, DecodeFailure::locate::<T>).await
    }

    /// [`settle`](Self::settle) for answers that are not decoded from JSON
    /// (a stream): `locate` finds where a body failed to decode, if ever.
    pub(crate) async fn settle_with<T, E>(
        api: &didit_api::Client,
        result: std::result::Result<ResponseValue<T>, didit_api::Error<E>>,
        locate: fn(&[u8]) -> Option<DecodeFailure>,
    ) -> Result<ResponseValue<T>> {
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if let Some(failure) = api.inner().take_failure() {
            // The transport is always this crate's, whose errors are ours.
            return Err(match failure.downcast::<Error>() {
                Ok(error) => *error,
                Err(_) => Error::Internal {
                    what: "the request pipeline failed with an error of another kind",
                },
            });
        }
        let status = api.inner().status().unwrap_or(StatusCode::OK);
        let request_id = api.inner().request_id_header();
        Err(match error {
            didit_api::Error::InvalidResponsePayload(body, error) => {
                let failure = locate(&body);
                let (path, expected) = match failure {
                    Some(failure) => (failure.path, failure.expected),
                    None => (".".to_owned(), didit_api::describe_decode_error(&error)),
                };
                Error::Decode {
                    status,
                    path,
                    expected,
                    body: ResponseBody::new(body).with_request_id_header(request_id.as_ref()),
                }
            }
            didit_api::Error::UnexpectedResponse(response) => {
                let status = response.status();
                let retry_after = RateLimit::from_headers(response.headers()).retry_after;
                let headers = response.headers().clone();
                // A success answer left to stream is bounded as it is read.
                match response.bytes().await {
                    Ok(body) => Error::Api {
                        status,
                        body: ResponseBody::new(body).with_request_id(&headers),
                        retry_after,
                    },
                    Err(error) => body_error(error, status),
                }
            }
            didit_api::Error::ErrorResponse(value) => Error::Api {
                status: value.status(),
                body: ResponseBody::new(Bytes::new()).with_request_id(value.headers()),
                retry_after: RateLimit::from_headers(value.headers()).retry_after,
            },
            didit_api::Error::InvalidRequest(reason) | didit_api::Error::Custom(reason) => {
                Error::InvalidInput {
                    parameter: "request",
                    reason,
                }
            }
            didit_api::Error::CommunicationError(source)
            | didit_api::Error::InvalidUpgrade(source)
            | didit_api::Error::ResponseBodyError(source) => Error::Transport {
                source: source.without_url(),
            },
        })
    }
}

impl Client {
    /// Sends a request built by hand, for a body the generated client
    /// cannot make (a multipart upload), through the same pipeline as the
    /// generated operations, and reads its JSON answer as they do. A body
    /// that cannot be copied (a stream) is sent once.
    pub(crate) async fn send_built<T: JsonDocument>(
        &self,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Result<ResponseValue<T>> {
        let answer = self
            .execute(request, operation, &RequestOptions::default())
            .await?;
        let Answer::Read {
            status,
            headers,
            body,
        } = answer
        else {
            return Err(Error::Internal {
                what: "an answer read whole was handed back as a stream",
            });
        };
        match T::from_json(&body) {
            Ok(value) => Ok(ResponseValue::new(value, status, headers)),
            Err(failure) => Err(Error::Decode {
                status,
                path: failure.path,
                expected: failure.expected,
                body: ResponseBody::new(body).with_request_id(&headers),
            }),
        }
    }
}

impl Client {
    /// Sends one operation: every attempt, the waits between them and the
    /// timeouts, as the client's settings say. Answers with an error
    /// status come back as the matching [`Error`]; so does a failure that
    /// outlasts the retry policy.
    ///
    /// Everything that talks to the API goes through here, so every attempt
    /// first takes a slot of the client-wide rate limiter, and hands it
    /// back with what the answer said about the key's budget.
    pub(crate) async fn execute(
        &self,
        request: reqwest::Request,
        operation: &'static str,
        options: &RequestOptions,
    ) -> Result<Answer> {
        let inner = &*self.inner;
        let settings = &self.settings;
        let attempt_timeout = settings.attempt_timeout.min(settings.operation_timeout);
        // Timeouts are capped when the client is built and when a call
        // overrides them, so this cannot overflow.
        let deadline = Instant::now() + settings.operation_timeout;
        // Requests that may be repeated safely are retried after any
        // passing failure; others only when they never left.
        let idempotent = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::DELETE | Method::PUT | Method::OPTIONS
        );
        let span = tracing::debug_span!(
            "didit.operation",
            didit.operation = operation,
            http.method = %request.method(),
            url.path = %request.url().path(),
        );
        // Reads and writes have budgets of their own.
        let limiter = if matches!(*request.method(), Method::GET | Method::HEAD) {
            &inner.limiter
        } else {
            &inner.write_limiter
        };
        let mut pending = Some(request);
        async {
            let mut attempt = 0;
            loop {
                attempt += 1;
                // The wait for a slot counts against the operation timeout.
                let permit = match limiter {
                    Some(limiter) => Some(
                        tokio::time::timeout_at(deadline, limiter.acquire())
                            .await
                            .map_err(|_| Error::Timeout {
                                scope: TimeoutScope::Operation,
                                limit: settings.operation_timeout,
                            })?,
                    ),
                    None => None,
                };
                let remaining = deadline.saturating_duration_since(Instant::now());
                let (timeout, scope) = if remaining < attempt_timeout {
                    (remaining, TimeoutScope::Operation)
                } else {
                    (attempt_timeout, TimeoutScope::Attempt)
                };
                if timeout.is_zero() {
                    return Err(Error::Timeout {
                        scope: TimeoutScope::Operation,
                        limit: settings.operation_timeout,
                    });
                }
                // A body that cannot be copied is sent once, as it is.
                let this = match pending.as_ref().and_then(reqwest::Request::try_clone) {
                    Some(copy) => copy,
                    // Such a request is never retried (see below).
                    None => pending.take().ok_or(Error::Internal {
                        what: "a request whose body cannot be copied was about to be sent again",
                    })?,
                };
                let outcome = self.attempt(this, attempt, timeout, scope, options).await;
                if let Some(permit) = permit {
                    let server = outcome.as_ref().ok().and_then(|outcome| {
                        ServerBudget::from_answer(
                            &RateLimit::from_headers(outcome.headers()),
                            outcome.status() == StatusCode::TOO_MANY_REQUESTS,
                            Instant::now(),
                            SystemTime::now(),
                        )
                    });
                    permit.finish(server);
                }
                let (error, retry_after) = match outcome {
                    Ok(Outcome::Streaming(response)) => return Ok(Answer::Streaming(response)),
                    Ok(Outcome::Read(received)) if received.status.is_success() => {
                        return Ok(Answer::new(
                            received.status,
                            received.headers,
                            received.body,
                        ));
                    }
                    Ok(Outcome::Read(received)) => {
                        let retry_after = RateLimit::from_headers(&received.headers).retry_after;
                        let session_token = options.session_token.as_ref();
                        (inner.status_error(received, session_token), retry_after)
                    }
                    Err(error) => (error, None),
                };
                let may_repeat = idempotent || error.never_left();
                if !may_repeat
                    || pending.is_none()
                    || !error.is_retryable()
                    || attempt >= settings.retry.attempts()
                {
                    return Err(error);
                }
                // A wait longer than the policy allows, or than the time
                // left, is not started: the error is the answer.
                let Some(delay) = settings.retry.delay(attempt, retry_after) else {
                    return Err(error);
                };
                if Instant::now()
                    .checked_add(delay)
                    .is_none_or(|resume_at| resume_at >= deadline)
                {
                    return Err(error);
                }
                tracing::debug!(
                    attempt,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    %error,
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
        .instrument(span)
        .await
    }

    /// One attempt, in its own tracing span. Any complete answer is `Ok`,
    /// whatever its status; redirects that were not followed are errors.
    async fn attempt(
        &self,
        mut request: reqwest::Request,
        attempt: u32,
        timeout: Duration,
        scope: TimeoutScope,
        options: &RequestOptions,
    ) -> Result<Outcome> {
        let span = tracing::info_span!(
            "didit.attempt",
            http.method = %request.method(),
            url.path = %request.url().path(),
            attempt,
            http.status = tracing::field::Empty,
        );
        async {
            let inner = &*self.inner;
            let url = request.url().clone();
            let (credential_header, credential) = credential(inner, options)?;
            let timed_out = |error: reqwest::Error| {
                if error.is_timeout() {
                    let limit = match scope {
                        TimeoutScope::Operation => self.settings.operation_timeout,
                        _ => timeout,
                    };
                    Error::Timeout { scope, limit }
                } else {
                    Error::Transport {
                        source: error.without_url(),
                    }
                }
            };
            let headers = request.headers_mut();
            // The credential goes only where the base URL points.
            if same_origin(&url, &inner.base_url) {
                headers.insert(credential_header, credential);
            }
            headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
            headers
                .entry(ACCEPT)
                .or_insert(HeaderValue::from_static("application/json"));
            *request.timeout_mut() = Some(timeout);
            let response = inner.http.execute(request).await.map_err(timed_out)?;
            let status = response.status();
            tracing::Span::current().record("http.status", status.as_u16());
            tracing::debug!(status = status.as_u16(), "answer received");
            if !same_origin(response.url(), &url) {
                // Only a caller-supplied HTTP client gets here: ours never
                // follows a redirect off the origin.
                return Err(Error::RedirectRefused {
                    status,
                    location: Some(Link::new(response.url().as_str())),
                    reason: "the HTTP client followed a redirect to another origin; \
                             build it with didit::redirect_policy()",
                });
            }
            if status.is_redirection() {
                return Err(refused_redirect(status, response.url(), response.headers()));
            }
            if options.stream && status.is_success() {
                return bounded_stream(response, inner.max_response_bytes)
                    .map(Outcome::Streaming)
                    .ok_or(Error::ResponseTooLarge {
                        status,
                        limit: inner.max_response_bytes,
                    });
            }
            let headers = response.headers().clone();
            let body = read_body(response, inner.max_response_bytes)
                .await
                .map_err(|error| match error {
                    BodyError::TooLarge => Error::ResponseTooLarge {
                        status,
                        limit: inner.max_response_bytes,
                    },
                    BodyError::Read(error) => timed_out(error),
                })?;
            Ok(Outcome::Read(Received {
                status,
                headers,
                body,
            }))
        }
        .instrument(span)
        .await
    }
}

/// The text of the credential a request is sent with: the session's token
/// when it is made on behalf of that session's user, the API key otherwise.
fn credential_text<'a>(
    inner: &'a crate::client::ClientInner,
    options: &'a RequestOptions,
) -> &'a str {
    match &options.session_token {
        Some(token) => token.expose_secret(),
        None => inner.api_key.expose_secret(),
    }
}

/// The header that authenticates a request and its value, marked
/// sensitive: the session token or the API key (see [`credential_text`]),
/// never both.
fn credential(
    inner: &crate::client::ClientInner,
    options: &RequestOptions,
) -> Result<(&'static str, HeaderValue)> {
    let (header, invalid) = match options.session_token {
        Some(_) => (
            SESSION_TOKEN_HEADER,
            Error::InvalidInput {
                parameter: "session_token",
                reason: "holds characters an HTTP header cannot carry".to_owned(),
            },
        ),
        // `ClientBuilder::build` refuses a key that is not a header value.
        None => (
            API_KEY_HEADER,
            Error::Internal {
                what: "the API key, checked when the client was built, is not a header value",
            },
        ),
    };
    let mut value = HeaderValue::from_str(credential_text(inner, options)).map_err(|_| invalid)?;
    value.set_sensitive(true);
    Ok((header, value))
}

/// Why a body was not read whole.
enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Whether `response` announces a body longer than `limit` bytes.
fn announced_too_large(response: &reqwest::Response, limit: u64) -> bool {
    response
        .content_length()
        .is_some_and(|announced| announced > limit)
}

/// Reads a body of at most `limit` bytes. Neither a `Content-Length` nor
/// the bytes that arrive are trusted to stay within it.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    if announced_too_large(&response, limit) {
        return Err(BodyError::TooLarge);
    }
    let announced = response.content_length().unwrap_or(0);
    let capacity = usize::try_from(announced.min(INITIAL_BODY_CAPACITY)).unwrap_or(0);
    let mut body = BytesMut::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        let length = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if length > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The most a body's buffer reserves before its bytes arrive.
const INITIAL_BODY_CAPACITY: u64 = 1 << 20;

/// The error a streamed body ends with once it has passed the client's
/// limit; see [`bounded_stream`].
#[derive(Debug, thiserror::Error)]
#[error("the answer is longer than {limit} bytes")]
struct BodyTooLarge {
    limit: u64,
}

/// `response`, its body left to stream but ending with [`BodyTooLarge`]
/// once it passes `limit` bytes; `None` when its `Content-Length` announces
/// more already. Whoever reads the body later (the PDF report, or the error
/// for an answer the operation did not expect) reads at most `limit` bytes,
/// as [`read_body`] does for the answers read whole.
fn bounded_stream(response: reqwest::Response, limit: u64) -> Option<reqwest::Response> {
    if announced_too_large(&response, limit) {
        return None;
    }
    let mut head = http::Response::new(());
    *head.status_mut() = response.status();
    *head.version_mut() = response.version();
    *head.headers_mut() = response.headers().clone();
    let mut length: u64 = 0;
    let chunks = response.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(|error| Box::new(error.without_url()) as BoxError)?;
        let chunk_length = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        length = length.saturating_add(chunk_length);
        if length > limit {
            return Err(Box::new(BodyTooLarge { limit }) as BoxError);
        }
        Ok(chunk)
    });
    Some(reqwest::Response::from(
        head.map(|()| reqwest::Body::wrap_stream(chunks)),
    ))
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error for a body that could not be read to its end: longer than
/// the client reads (see [`bounded_stream`]), or broken off.
pub(crate) fn body_error(error: reqwest::Error, status: StatusCode) -> Error {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = cause {
        if let Some(too_large) = current.downcast_ref::<BodyTooLarge>() {
            return Error::ResponseTooLarge {
                status,
                limit: too_large.limit,
            };
        }
        cause = current.source();
    }
    Error::Transport {
        source: error.without_url(),
    }
}

/// Explains a redirect answer the redirect policy handed back.
fn refused_redirect(status: StatusCode, from: &Url, headers: &HeaderMap) -> Error {
    let location = headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let target = location
        .as_deref()
        .and_then(|location| from.join(location).ok());
    let reason = match target {
        Some(target) if same_origin(&target, from) => "too many redirects",
        Some(_) => "it leads away from the base URL's origin, where the API key must not go",
        None => "it has no usable Location",
    };
    Error::RedirectRefused {
        status,
        location: location.map(Link::new),
        reason,
    }
}

impl crate::client::ClientInner {
    /// The error for an answer with an error status. Its messages are shown
    /// unless they repeat the API key, or the session's token the request
    /// was sent with.
    fn status_error(&self, received: Received, session_token: Option<&SessionToken>) -> Error {
        let Received {
            status,
            headers,
            body,
        } = received;
        let rate_limit = RateLimit::from_headers(&headers);
        let mut body = ResponseBody::of_error_answer(body, self.api_key.expose_secret())
            .with_request_id(&headers);
        if let Some(token) = session_token {
            body.withhold_echoes(token.expose_secret(), "they repeat the session token");
        }
        match status {
            StatusCode::UNAUTHORIZED => Error::Authentication { body },
            StatusCode::FORBIDDEN => Error::Forbidden { body },
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { rate_limit, body },
            StatusCode::NOT_FOUND => Error::NotFound { body },
            _ => Error::Api {
                status,
                body,
                retry_after: rate_limit.retry_after,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            &url("https://a.example/x"),
            &url("https://a.example:443/y?z")
        ));
        assert!(same_origin(
            &url("https://A.example/"),
            &url("https://a.example/")
        ));
        assert!(!same_origin(
            &url("https://a.example/"),
            &url("http://a.example/")
        ));
        assert!(!same_origin(
            &url("https://a.example/"),
            &url("https://b.example/")
        ));
        assert!(!same_origin(
            &url("http://127.0.0.1:1/"),
            &url("http://127.0.0.1:2/")
        ));
    }

    #[test]
    fn error_statuses_map_to_their_variants() {
        let client = crate::Client::builder()
            .api_key("a-key-of-the-test")
            .build()
            .unwrap();
        let error = |status: u16, body: &str| {
            client.inner.status_error(
                Received {
                    status: StatusCode::from_u16(status).unwrap(),
                    headers: HeaderMap::new(),
                    body: Bytes::from(body.to_owned()),
                },
                None,
            )
        };
        assert!(matches!(
            error(403, r#"{"detail": "no"}"#),
            Error::Forbidden { ref body } if body.detail().as_deref() == Some("no")
        ));
        assert!(matches!(
            error(401, "<h1>Unauthorized</h1>"),
            Error::Authentication { ref body } if body.detail().is_none()
        ));
        assert!(matches!(error(429, "slow down"), Error::RateLimited { .. }));
        assert!(matches!(error(404, "{}"), Error::NotFound { .. }));
        let bare = error(400, r#"["bare", "list"]"#);
        assert!(
            matches!(bare, Error::Api { ref body, .. } if body.api_error().is_none() && body.api_messages().count() == 2),
            "{bare:?}"
        );
        let echo = error(400, r#"{"detail": "unknown key a-key-of-the-test"}"#);
        assert!(
            !format!("{echo} {echo:?}").contains("a-key-of-the-test"),
            "{echo:?}"
        );
    }
}
