//! Webhook deliveries from the fake, signed exactly as Didit signs them.
//!
//! A [`WebhookSender`] POSTs events to one destination: the body encoded the
//! way Didit encodes it, the three signature headers and `X-Timestamp`
//! (from `didit-webhook`'s [`Signer`]), `Content-Type: application/json` and
//! a `DiditWebhook/2.0` user agent. Like Didit, it retries a delivery
//! answered with a 5xx status or 404, with exponential backoff; it also
//! retries when the destination cannot be reached. Each delivery runs on its
//! own task, so sending never waits for the destination.
//!
//! Deliveries arrive in no promised order, not even two events of one
//! session: they are sent at the same time, and a retried one comes after
//! those sent later, as Didit's retries can make them come. A receiver must
//! cope (the event's `timestamp` tells which change came first, and the
//! session's decision holds its current status); what the fake does promise
//! is one delivery of each event, more only when an attempt fails.
//!
//! Entry points for the code that reacts to a session's changes:
//!
//! - [`session_status_event`] builds the `status.updated` event of a
//!   session from its id, status, `vendor_data`, workflow and decision;
//! - [`WebhookSender::send`] signs an event and starts delivering it;
//! - [`WebhookSender::flush`] waits for the deliveries started so far and
//!   reports how each went (for tests).
//!
//! ```
//! use didit_mock::webhooks::{RetryPolicy, WebhookSender, session_status_event};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Nothing listens on port 9 of the loopback: every attempt fails.
//! let sender = WebhookSender::new("http://127.0.0.1:9/webhooks".parse()?, "whsec_example")?
//!     .retry(RetryPolicy::new(2, std::time::Duration::from_millis(1)));
//! let event = session_status_event(
//!     "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
//!     &didit_api::SessionStatus::Approved,
//!     Some("user-7"),
//!     None,
//!     None,
//! );
//! sender.send(&event)?;
//! let reports = sender.flush().await;
//! assert_eq!(reports.len(), 1);
//! assert_eq!(reports[0].attempts, 2);
//! assert!(!reports[0].is_delivered());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use didit_api::{SessionStatus, WebhookType};
use didit_webhook::{SignedDelivery, Signer};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use secrecy::SecretString;
use tokio::task::JoinHandle;
use url::Url;

/// The `User-Agent` of every delivery; Didit's starts with `DiditWebhook/2.0`.
pub const WEBHOOK_USER_AGENT: &str = "DiditWebhook/2.0 (didit-mock)";

/// How long one attempt may take before it counts as failed.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Finished deliveries kept for [`WebhookSender::flush`]; past this many,
/// the reports of the oldest finished ones are dropped so that a
/// long-running fake that never flushes does not grow without bound.
pub const KEPT_DELIVERIES: usize = 1024;

/// How often and how soon a failed delivery is tried again.
///
/// The delay doubles after each attempt, from `first_delay` up to
/// `max_delay`. Didit spreads its retries over about a day; the defaults
/// here are short, for tests.
///
/// ```
/// use std::time::Duration;
/// use didit_mock::webhooks::RetryPolicy;
///
/// let policy = RetryPolicy::new(4, Duration::from_millis(50));
/// assert_eq!(policy.delay_before(2), Duration::from_millis(50));
/// assert_eq!(policy.delay_before(4), Duration::from_millis(200));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included; at least 1.
    pub attempts: u32,
    /// The wait before the second attempt.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, 50 ms then 100 ms then 200 ms apart.
    ///
    /// ```
    /// let policy = didit_mock::webhooks::RetryPolicy::default();
    /// assert_eq!(policy.attempts, 4);
    /// ```
    fn default() -> Self {
        Self::new(4, Duration::from_millis(50))
    }
}

impl RetryPolicy {
    /// `attempts` in all (0 counts as 1), waiting `first_delay` before the
    /// second and doubling from there, up to 30 s.
    ///
    /// ```
    /// let policy = didit_mock::webhooks::RetryPolicy::new(0, std::time::Duration::ZERO);
    /// assert_eq!(policy.attempts, 1);
    /// ```
    pub fn new(attempts: u32, first_delay: Duration) -> Self {
        Self {
            attempts: attempts.max(1),
            first_delay,
            max_delay: Duration::from_secs(30),
        }
    }

    /// The same policy with another longest wait.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = didit_mock::webhooks::RetryPolicy::new(9, Duration::from_secs(1))
    ///     .max_delay(Duration::from_secs(3));
    /// assert_eq!(policy.delay_before(9), Duration::from_secs(3));
    /// ```
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// The wait before attempt number `attempt` (the first is 1, and has
    /// none).
    ///
    /// ```
    /// let policy = didit_mock::webhooks::RetryPolicy::default();
    /// assert_eq!(policy.delay_before(1), std::time::Duration::ZERO);
    /// ```
    pub fn delay_before(&self, attempt: u32) -> Duration {
        let Some(retry) = attempt.checked_sub(2) else {
            return Duration::ZERO;
        };
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Why a [`WebhookSender`] could not be made or an event not sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// The event is not a JSON object with an integer `timestamp`.
    NotAnEvent,
    /// [`WebhookSender::send`] was called outside a tokio runtime, where no
    /// delivery task can run.
    NoRuntime,
    /// The HTTP client could not be built.
    Client(reqwest::Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotAnEvent => {
                f.write_str("the event is not a JSON object with an integer `timestamp`")
            }
            SendError::NoRuntime => f.write_str("webhooks can only be sent inside a tokio runtime"),
            SendError::Client(error) => write!(f, "the HTTP client could not be built: {error}"),
        }
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendError::Client(error) => Some(error),
            _ => None,
        }
    }
}

/// How one delivery went, from [`WebhookSender::flush`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryReport {
    /// Attempts made.
    pub attempts: u32,
    /// The status of the last answer; `None` when the last attempt got no
    /// answer (connection refused, timeout).
    pub last_status: Option<StatusCode>,
}

impl DeliveryReport {
    /// Whether the destination answered 2xx (see the module's example).
    pub fn is_delivered(&self) -> bool {
        self.last_status.is_some_and(|status| status.is_success())
    }
}

/// Whether Didit tries a delivery again after this answer: a 5xx status or
/// 404, or no answer at all.
///
/// ```
/// use didit_mock::webhooks::is_retried;
/// use reqwest::StatusCode;
///
/// assert!(is_retried(Some(StatusCode::SERVICE_UNAVAILABLE)));
/// assert!(is_retried(Some(StatusCode::NOT_FOUND)));
/// assert!(is_retried(None));
/// assert!(!is_retried(Some(StatusCode::UNAUTHORIZED)));
/// assert!(!is_retried(Some(StatusCode::OK)));
/// ```
pub fn is_retried(status: Option<StatusCode>) -> bool {
    match status {
        None => true,
        Some(status) => status.is_server_error() || status == StatusCode::NOT_FOUND,
    }
}

/// Sends signed webhook deliveries to one destination. Cheap to clone;
/// clones share the deliveries in progress. `Debug` never shows the
/// secret.
#[derive(Clone)]
pub struct WebhookSender {
    inner: Arc<Inner>,
}

struct Inner {
    url: Url,
    signer: Arc<Signer>,
    http: reqwest::Client,
    retry: RetryPolicy,
    deliveries: Mutex<Vec<JoinHandle<DeliveryReport>>>,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender")
            .field("url", &self.inner.url.as_str())
            .field("signer", &self.inner.signer)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender to `url`, signing with the destination's `secret`, with
    /// the default [`RetryPolicy`].
    ///
    /// ```
    /// let sender = didit_mock::webhooks::WebhookSender::new(
    ///     "http://127.0.0.1:3000/webhooks/didit".parse()?,
    ///     "whsec_example",
    /// )?;
    /// assert!(!format!("{sender:?}").contains("whsec_example"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(url: Url, secret: impl Into<SecretString>) -> Result<Self, SendError> {
        let http = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            // A webhook is answered where it is sent.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(SendError::Client)?;
        Ok(Self {
            inner: Arc::new(Inner {
                url,
                signer: Arc::new(Signer::new(secret)),
                http,
                retry: RetryPolicy::default(),
                deliveries: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The same destination and secret with another retry policy; the
    /// deliveries of `self` stay with `self`.
    ///
    /// ```
    /// use didit_mock::webhooks::{RetryPolicy, WebhookSender};
    /// let sender = WebhookSender::new("http://127.0.0.1:3000/".parse()?, "s")?
    ///     .retry(RetryPolicy::new(1, std::time::Duration::ZERO));
    /// assert_eq!(sender.retry_policy().attempts, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retry(self, retry: RetryPolicy) -> Self {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => Inner { retry, ..inner },
            Err(shared) => Inner {
                url: shared.url.clone(),
                signer: Arc::clone(&shared.signer),
                http: shared.http.clone(),
                retry,
                deliveries: Mutex::new(Vec::new()),
            },
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The retry policy.
    ///
    /// ```
    /// # let sender = didit_mock::webhooks::WebhookSender::new("http://127.0.0.1:1/".parse()?, "s")?;
    /// assert_eq!(sender.retry_policy(), didit_mock::webhooks::RetryPolicy::default());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The destination.
    ///
    /// ```
    /// # let sender = didit_mock::webhooks::WebhookSender::new("http://127.0.0.1:1/hook".parse()?, "s")?;
    /// assert_eq!(sender.url().path(), "/hook");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn url(&self) -> &Url {
        &self.inner.url
    }

    /// Signs `event` and starts delivering it on a task of the current
    /// tokio runtime; returns at once. Every attempt sends the same signed
    /// bytes, so a receiver's deduplicator recognises a retried delivery.
    ///
    /// Fails, sending nothing, when `event` is not an object with an
    /// integer `timestamp` or when called outside a tokio runtime.
    ///
    /// ```
    /// # use didit_mock::webhooks::{SendError, WebhookSender};
    /// # let sender = WebhookSender::new("http://127.0.0.1:1/".parse()?, "s")?;
    /// // Outside a runtime nothing is sent.
    /// let event = serde_json::json!({"webhook_type": "status.updated", "timestamp": 1});
    /// assert!(matches!(sender.send(&event), Err(SendError::NoRuntime)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, event: &serde_json::Value) -> Result<(), SendError> {
        let delivery = self
            .inner
            .signer
            .sign(event)
            .map_err(|_| SendError::NotAnEvent)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SendError::NoRuntime)?;
        let inner = Arc::clone(&self.inner);
        let task = runtime.spawn(async move { inner.deliver(delivery).await });
        let mut deliveries = self
            .inner
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if deliveries.len() >= KEPT_DELIVERIES {
            deliveries.retain(|delivery| !delivery.is_finished());
        }
        deliveries.push(task);
        Ok(())
    }

    /// Waits for every delivery started since the last flush and reports
    /// how each went, in the order they were sent (less those dropped past
    /// [`KEPT_DELIVERIES`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sender = didit_mock::webhooks::WebhookSender::new("http://127.0.0.1:1/".parse()?, "s")?;
    /// assert!(sender.flush().await.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn flush(&self) -> Vec<DeliveryReport> {
        let deliveries = std::mem::take(
            &mut *self
                .inner
                .deliveries
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut reports = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            // A delivery task only ends by returning its report; a join
            // error means the runtime is shutting down, with nothing to tell.
            if let Ok(report) = delivery.await {
                reports.push(report);
            }
        }
        reports
    }
}

impl Inner {
    /// Posts `delivery` until it is accepted, refused for good, or out of
    /// attempts.
    async fn deliver(&self, delivery: SignedDelivery) -> DeliveryReport {
        let mut report = DeliveryReport {
            attempts: 0,
            last_status: None,
        };
        for attempt in 1..=self.retry.attempts {
            tokio::time::sleep(self.retry.delay_before(attempt)).await;
            report.attempts = attempt;
            report.last_status = self
                .http
                .post(self.url.clone())
                .headers(delivery.headers.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .header(USER_AGENT, HeaderValue::from_static(WEBHOOK_USER_AGENT))
                .body(delivery.body.clone())
                .send()
                .await
                .ok()
                .map(|response| response.status());
            if !is_retried(report.last_status) {
                break;
            }
        }
        report
    }
}

/// The `status.updated` event Didit sends when a session's status changes,
/// stamped with the current time: `webhook_type`, `timestamp`, `created_at`,
/// `session_id`, `status`, and `vendor_data`, `workflow_id` and `decision`
/// when given.
///
/// ```
/// use didit_mock::webhooks::session_status_event;
///
/// let event = session_status_event(
///     "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
///     &didit_api::SessionStatus::Declined,
///     Some("user-7"),
///     Some("0d6f9a1e-2b3c-4d5e-8f90-a1b2c3d4e5f6"),
///     Some(serde_json::json!({
///         "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
///         "status": "Declined",
///     })),
/// );
/// assert_eq!(event["webhook_type"], "status.updated");
/// assert_eq!(event["status"], "Declined");
/// assert_eq!(event["decision"]["status"], "Declined");
/// assert_eq!(event["timestamp"], event["created_at"]);
/// ```
pub fn session_status_event(
    session_id: &str,
    status: &SessionStatus,
    vendor_data: Option<&str>,
    workflow_id: Option<&str>,
    decision: Option<serde_json::Value>,
) -> serde_json::Value {
    session_event(
        &WebhookType::StatusUpdated,
        session_id,
        status,
        vendor_data,
        workflow_id,
        decision,
    )
}

/// A session event of the kind `webhook_type` (`status.updated` when the
/// session's status changed, `data.updated` when a correction wrote its
/// data), built like [`session_status_event`].
///
/// ```
/// use didit_api::{SessionStatus, WebhookType};
/// use didit_mock::webhooks::session_event;
///
/// let event = session_event(
///     &WebhookType::DataUpdated,
///     "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
///     &SessionStatus::Approved,
///     None,
///     None,
///     None,
/// );
/// assert_eq!(event["webhook_type"], "data.updated");
/// assert_eq!(event["status"], "Approved");
/// ```
pub fn session_event(
    webhook_type: &WebhookType,
    session_id: &str,
    status: &SessionStatus,
    vendor_data: Option<&str>,
    workflow_id: Option<&str>,
    decision: Option<serde_json::Value>,
) -> serde_json::Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut event = serde_json::json!({
        "webhook_type": webhook_type.as_str(),
        "timestamp": now,
        "created_at": now,
        "session_id": session_id,
        "status": status.as_str(),
    });
    if let Some(object) = event.as_object_mut() {
        let optional = [
            ("vendor_data", vendor_data.map(serde_json::Value::from)),
            ("workflow_id", workflow_id.map(serde_json::Value::from)),
            ("decision", decision),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                object.insert(name.to_owned(), value);
            }
        }
    }
    event
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use didit_webhook::axum::VerifiedWebhook;
    use didit_webhook::{MemoryDeduplicator, Verifier};

    use super::*;

    const SECRET: &str = "whsec_fake";
    const SESSION: &str = "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f";

    /// Serves `app` on a free port of 127.0.0.1; its URL.
    async fn serve(app: Router) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}/webhooks/didit").parse().unwrap()
    }

    fn approved_event() -> serde_json::Value {
        session_status_event(
            SESSION,
            &SessionStatus::Approved,
            Some("user-7"),
            Some("0d6f9a1e-2b3c-4d5e-8f90-a1b2c3d4e5f6"),
            Some(serde_json::json!({
                "session_id": SESSION,
                "status": "Approved",
                "id_verifications": [{"first_name": "Inés"}]
            })),
        )
    }

    fn fast_retries(attempts: u32) -> RetryPolicy {
        RetryPolicy::new(attempts, Duration::from_millis(5))
    }

    /// What the receiver saw of each delivery.
    #[derive(Clone, Default)]
    struct Seen {
        answers: Arc<Mutex<Vec<String>>>,
    }

    async fn receive(
        State(seen): State<Seen>,
        headers: HeaderMap,
        VerifiedWebhook(delivery): VerifiedWebhook,
    ) -> StatusCode {
        let event = delivery.event().expect("the whole body is signed");
        let session = event.session_event().unwrap().unwrap();
        let decision = event.decision().unwrap().unwrap();
        let answer = format!(
            "{} {} {} {} duplicate={}",
            headers["user-agent"].to_str().unwrap(),
            headers["content-type"].to_str().unwrap(),
            session.status.unwrap(),
            decision.status(),
            delivery.is_duplicate()
        );
        seen.answers.lock().unwrap().push(answer);
        StatusCode::OK
    }

    /// A receiver using the extractor, with a deduplicator.
    async fn verifying_receiver() -> (Url, Seen) {
        #[derive(Clone)]
        struct AppState {
            verifier: Verifier,
            seen: Seen,
        }
        impl axum::extract::FromRef<AppState> for Verifier {
            fn from_ref(state: &AppState) -> Verifier {
                state.verifier.clone()
            }
        }
        impl axum::extract::FromRef<AppState> for Seen {
            fn from_ref(state: &AppState) -> Seen {
                state.seen.clone()
            }
        }
        let seen = Seen::default();
        let state = AppState {
            verifier: Verifier::builder()
                .secret(SECRET)
                .deduplicator(MemoryDeduplicator::new())
                .build()
                .unwrap(),
            seen: seen.clone(),
        };
        let app = Router::new()
            .route("/webhooks/didit", post(receive))
            .with_state(state);
        (serve(app).await, seen)
    }

    #[tokio::test]
    async fn the_extractor_accepts_a_delivery_and_flags_its_replay() {
        let (url, seen) = verifying_receiver().await;
        let sender = WebhookSender::new(url, SECRET).unwrap();
        let event = approved_event();
        sender.send(&event).unwrap();
        let reports = sender.flush().await;
        assert_eq!(
            reports,
            [DeliveryReport {
                attempts: 1,
                last_status: Some(StatusCode::OK)
            }]
        );
        // The same event again: the same signed bytes, seen before.
        sender.send(&event).unwrap();
        assert!(sender.flush().await[0].is_delivered());
        let answers = seen.answers.lock().unwrap().clone();
        assert_eq!(
            answers,
            [
                format!("{WEBHOOK_USER_AGENT} application/json Approved Approved duplicate=false"),
                format!("{WEBHOOK_USER_AGENT} application/json Approved Approved duplicate=true"),
            ]
        );
    }

    #[tokio::test]
    async fn a_refused_signature_is_not_retried() {
        let (url, seen) = verifying_receiver().await;
        let sender = WebhookSender::new(url, "whsec_another_secret")
            .unwrap()
            .retry(fast_retries(3));
        sender.send(&approved_event()).unwrap();
        let reports = sender.flush().await;
        assert_eq!(reports[0].attempts, 1);
        assert_eq!(reports[0].last_status, Some(StatusCode::UNAUTHORIZED));
        assert!(seen.answers.lock().unwrap().is_empty());
    }

    /// A receiver answering each status of `answers` in turn (then 200),
    /// keeping the bodies it got.
    async fn scripted_receiver(answers: &[StatusCode]) -> (Url, Arc<Mutex<Vec<Vec<u8>>>>) {
        let answers: Arc<Vec<StatusCode>> = Arc::new(answers.to_vec());
        let calls = Arc::new(AtomicUsize::new(0));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&bodies);
        let app = Router::new().route(
            "/webhooks/didit",
            post(move |body: axum::body::Bytes| {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                kept.lock().unwrap().push(body.to_vec());
                let status = answers.get(call).copied().unwrap_or(StatusCode::OK);
                async move { status }
            }),
        );
        (serve(app).await, bodies)
    }

    #[tokio::test]
    async fn a_5xx_or_404_is_retried_with_the_same_bytes() {
        let (url, bodies) =
            scripted_receiver(&[StatusCode::SERVICE_UNAVAILABLE, StatusCode::NOT_FOUND]).await;
        let sender = WebhookSender::new(url, SECRET)
            .unwrap()
            .retry(fast_retries(4));
        sender.send(&approved_event()).unwrap();
        let reports = sender.flush().await;
        assert_eq!(
            reports,
            [DeliveryReport {
                attempts: 3,
                last_status: Some(StatusCode::OK)
            }]
        );
        let bodies = bodies.lock().unwrap();
        assert_eq!(bodies.len(), 3);
        assert!(bodies.iter().all(|body| body == &bodies[0]));
        // Encoded as Didit encodes it: sorted keys, escaped non-ASCII.
        let text = std::str::from_utf8(&bodies[0]).unwrap();
        assert!(text.starts_with(r#"{"created_at":"#), "{text}");
        assert!(text.contains(r#""first_name":"In\u00e9s""#), "{text}");
    }

    #[tokio::test]
    async fn retries_stop_after_the_last_attempt() {
        let (url, bodies) = scripted_receiver(&[StatusCode::BAD_GATEWAY; 5]).await;
        let sender = WebhookSender::new(url, SECRET)
            .unwrap()
            .retry(fast_retries(2));
        sender.send(&approved_event()).unwrap();
        let reports = sender.flush().await;
        assert_eq!(reports[0].attempts, 2);
        assert_eq!(reports[0].last_status, Some(StatusCode::BAD_GATEWAY));
        assert!(!reports[0].is_delivered());
        assert_eq!(bodies.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn sending_does_not_wait_for_the_destination() {
        let (url, bodies) = scripted_receiver(&[]).await;
        let sender = WebhookSender::new(url, SECRET).unwrap();
        // On a current-thread runtime the delivery task cannot run before
        // this task yields: `send` returned without delivering.
        sender.send(&approved_event()).unwrap();
        assert!(bodies.lock().unwrap().is_empty());
        assert_eq!(sender.flush().await.len(), 1);
        assert_eq!(bodies.lock().unwrap().len(), 1);
    }

    #[test]
    fn an_event_without_a_timestamp_is_refused() {
        let sender = WebhookSender::new("http://127.0.0.1:1/".parse().unwrap(), SECRET).unwrap();
        let event = serde_json::json!({"webhook_type": "status.updated"});
        assert!(matches!(sender.send(&event), Err(SendError::NotAnEvent)));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy =
            RetryPolicy::new(10, Duration::from_millis(100)).max_delay(Duration::from_millis(500));
        let delays: Vec<u128> = (1..=6)
            .map(|attempt| policy.delay_before(attempt).as_millis())
            .collect();
        assert_eq!(delays, [0, 100, 200, 400, 500, 500]);
        assert_eq!(policy.delay_before(u32::MAX), Duration::from_millis(500));
    }

    #[test]
    fn the_status_event_matches_the_specs_session_event() {
        let event = approved_event();
        let typed: didit_api::types::SessionWebhookEvent =
            serde_json::from_value(event.clone()).unwrap();
        assert!(typed.extra.is_empty(), "undeclared: {:?}", typed.extra);
        assert_eq!(
            typed.session_id.map(|id| id.to_string()),
            Some(SESSION.to_owned())
        );
        let without = session_status_event(SESSION, &SessionStatus::InReview, None, None, None);
        let mut names: Vec<&str> = without
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "created_at",
                "session_id",
                "status",
                "timestamp",
                "webhook_type"
            ]
        );
    }
}
