//! A fake Didit server for tests, demos and benchmarks.
//!
//! [`DiditMock`] serves `GET /v3/sessions/` from an in-memory [`Store`] with
//! the semantics of the real API: every filter, `session_kind`, newest-first
//! order, `limit`/`offset` paging with absolute `next`/`previous` links,
//! `count` (capped at 100 for KYB rows), and the real API's errors (`403`
//! without the key, `400` keyed by parameter, `301` for the path without its
//! slash, `429` past the per-minute rate limit). Faults can be injected to
//! test retry and timeout handling. It is built on [`wiremock`].
//!
//! The rest of a session's life is stateful too: `POST /v3/session/` creates
//! a `Not Started` session listed first; [`DiditMock::finish_session`] (or
//! `POST /_mock/sessions/{id}/finish`, see [`CONTROL_SESSIONS_PATH`]) moves
//! it on; its decision (`GET /v3/session/{id}/decision/`), the manual status
//! change (`PATCH …/update-status/`), deletion (`DELETE …/delete/`, `POST
//! /v3/sessions/delete/`), its PDF report (`GET …/generate-pdf/`) and its
//! review log (`GET` and `POST /v3/sessions/{id}/reviews/`) follow the real
//! API's rules. Reads and writes have separate rate limits.
//!
//! Sharing needs a second application: the fake has one, with the key
//! [`PARTNER_API_KEY`] and the id [`PARTNER_APPLICATION_ID`], that sessions
//! of the main one ([`DEFAULT_APPLICATION_ID`]) can be shared with
//! (`POST /v3/session/{id}/share/`) and that redeems the tokens
//! (`POST /v3/session/import-shared/`) into sessions of its own, listed and
//! decided under its key; tokens expire by the fake's clock
//! ([`DiditMock::advance_clock`]). A session's user arms a sandbox scenario
//! with the session's token (`POST /v3/session/{id}/sandbox/arm/`, header
//! `Session-Token`); [`DiditMock::complete_session`] then ends the session
//! as the scenario says ([`SANDBOX_SCENARIOS`]).
//!
//! Corrections after a review are kept and shown by the decision: the data
//! of the identity and proof-of-address documents (`PATCH …/update-data/`,
//! `…/update-poa-data/`), a KYB company's data (`…/kyb/{company}/update-data/`,
//! the company named by `uuid` in the registry check), a step's status
//! (`…/features/{node}/update-status/`) and verdicts on AML hits
//! (`…/update-aml-hit-status/`, `…/bulk-update-aml-hit-status/`).
//!
//! ```
//! use didit_mock::{DiditMock, DEFAULT_API_KEY};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = DiditMock::builder().synthetic(120, 7).start().await;
//!
//! let page: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/v3/sessions/?limit=10&status=Approved", mock.uri()))
//!     .header("x-api-key", DEFAULT_API_KEY)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let approved = mock.store().filter(&didit_mock::ListQuery::parse("status=Approved").unwrap());
//! assert_eq!(page["count"], approved.kyc.len() as u64);
//! assert_eq!(mock.requests().len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! The `didit-mock` binary serves the same over HTTP for other languages and
//! black-box tests; see its `--help`.
#![deny(missing_docs)]

mod filter;
mod fold;
#[cfg(feature = "hostile")]
pub mod hostile;
mod imports;
mod lifecycle;
mod page;
mod pdf;
mod query;
mod server;
mod sharing;
mod store;
mod synthetic;
pub mod webhooks;

use std::collections::VecDeque;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use didit_api::WebhookType;
use didit_api::types::{ApiError, SessionPage};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use lifecycle::SessionNotFound;
pub use page::KYB_COUNT_CAP;
pub use query::ListQuery;
pub use server::{FORBIDDEN_DETAIL, RecordedRequest};
pub use sharing::{
    DEFAULT_APPLICATION_ID, PARTNER_API_KEY, PARTNER_APPLICATION_ID, SANDBOX_SCENARIOS,
};
pub use store::{
    DEFAULT_ORGANIZATION_NAME, KybFacts, KybRecord, KycFacts, KycRecord, Matches, MockSession,
    Store, UnsupportedRow,
};
pub use synthetic::{SYNTHETIC_KYB_WORKFLOWS, SYNTHETIC_KYC_WORKFLOWS, synthetic_sessions};

use server::{Fault, Responder, Settings, Shared};

/// The API key the mock accepts unless told otherwise (the binary's default
/// for `--api-key`).
pub const DEFAULT_API_KEY: &str = "mock-key";

/// Reads (GET requests) allowed per API key in one window by default:
/// Didit's documented limit.
pub const DEFAULT_RATE_LIMIT: u32 = 600;

/// Writes (POST, PATCH and DELETE requests) allowed per API key in one
/// window by default: Didit's documented limit, counted apart from reads.
pub const DEFAULT_WRITE_RATE_LIMIT: u32 = 300;

/// Length of the sliding rate-limit window by default.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);

/// Page size when a request has no `limit` (the API's documented default).
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// The list endpoint's path.
pub const SESSIONS_PATH: &str = "/v3/sessions/";

/// The path that creates sessions (`POST`); a session's own operations live
/// below it, at `{SESSION_PATH}{session_id}/decision/` and so on.
pub const SESSION_PATH: &str = "/v3/session/";

/// The bulk delete endpoint's path (`POST`).
pub const DELETE_SESSIONS_PATH: &str = "/v3/sessions/delete/";

/// Where the mock is told, without a key, to move a session on:
/// `POST {CONTROL_SESSIONS_PATH}{session_id}/finish` with `{"status":
/// "Approved"}` (any session status) answers `200` with the id and status,
/// `404` for an unknown session and `400` for a status the API does not
/// have. `POST {CONTROL_SESSIONS_PATH}{session_id}/complete`, without a
/// body, moves it on as [`DiditMock::complete_session`] does: to its sandbox
/// scenario's outcome. Requests to it are not counted, delayed or failed.
pub const CONTROL_SESSIONS_PATH: &str = "/_mock/sessions/";

/// The path answering, without a key, how many requests the mock has
/// answered with each status: `{"requests": 120, "statuses": {"200": 118,
/// "429": 2}}`. Requests to it are not counted, delayed or failed.
pub const STATS_PATH: &str = "/_mock/stats";

/// The list endpoint's path without its slash, which answers `301`.
pub const UNSLASHED_SESSIONS_PATH: &str = "/v3/sessions";

impl Store {
    /// The page the server answers for `url` (`http(s)://host/v3/sessions/?...`)
    /// with the default page size and no maximum: the same rows, `count` and
    /// links, as a typed [`SessionPage`]. A malformed query gives the `400`
    /// body.
    ///
    /// ```
    /// use didit_mock::Store;
    ///
    /// let store = Store::synthetic(30, 1);
    /// let url = "http://mock.test/v3/sessions/?limit=5".parse().unwrap();
    /// let page = store.page(&url).unwrap();
    /// assert_eq!(page.results.len(), 5);
    /// assert_eq!(
    ///     page.next.as_deref(),
    ///     Some("http://mock.test/v3/sessions/?limit=5&offset=5")
    /// );
    /// ```
    pub fn page(&self, url: &url::Url) -> Result<SessionPage, ApiError> {
        let raw_query = url.query().unwrap_or("");
        let query = ListQuery::parse(raw_query)?;
        let hits = self.matching_indices(&query);
        let plan = page::plan(&hits, &query, query.limit.unwrap_or(DEFAULT_PAGE_SIZE));
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or("localhost")),
            None => url.host_str().unwrap_or("localhost").to_owned(),
        };
        let base = format!("{}://{authority}{}", url.scheme(), url.path());
        let (next, previous) = page::links(&plan, &base, raw_query);
        let body = page::write_page(self, &hits, &plan, next.as_deref(), previous.as_deref());
        Ok(serde_json::from_slice(&body).expect("the mock's pages decode"))
    }
}

/// A running fake Didit server. Dropping it stops the server.
///
/// Start one with [`DiditMock::builder`].
pub struct DiditMock {
    server: MockServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for DiditMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiditMock")
            .field("uri", &self.uri())
            .field("sessions", &self.shared.store().len())
            .finish_non_exhaustive()
    }
}

impl DiditMock {
    /// A builder with the defaults: key [`DEFAULT_API_KEY`], no sessions, no
    /// latency, [`DEFAULT_RATE_LIMIT`] requests per [`DEFAULT_RATE_WINDOW`],
    /// [`DEFAULT_PAGE_SIZE`] rows per page without a maximum, listening on a
    /// free port of 127.0.0.1.
    pub fn builder() -> DiditMockBuilder {
        DiditMockBuilder::default()
    }

    /// The base URL, such as `http://127.0.0.1:41234` (no trailing slash).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The full URL of the list endpoint (`{uri}/v3/sessions/`).
    pub fn sessions_url(&self) -> String {
        format!("{}{SESSIONS_PATH}", self.uri())
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }

    /// The API key the server accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.settings.api_key
    }

    /// The sessions the server started with, unchanged by the requests and
    /// calls that create, move on or delete sessions; for the sessions served
    /// now, see [`current_store`](Self::current_store).
    pub fn store(&self) -> &Arc<Store> {
        &self.shared.initial_store
    }

    /// The sessions the server serves now: the starting ones, plus those
    /// created since, with their current statuses, minus those deleted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().synthetic(5, 1).start().await;
    /// let id = mock.store().kyc()[0].row.session_id.unwrap();
    /// reqwest::Client::new()
    ///     .delete(format!("{}/v3/session/{id}/delete/", mock.uri()))
    ///     .header("x-api-key", mock.api_key())
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(mock.current_store().len(), 4);
    /// assert_eq!(mock.store().len(), 5);
    /// # }
    /// ```
    pub fn current_store(&self) -> Arc<Store> {
        self.shared.store()
    }

    /// Moves session `session_id` to `status` as if its user had got that
    /// far: `Approved`, `Declined` or `In Review` finish it, `In Progress`
    /// starts it. Its row's features take statuses that agree, and its
    /// decision and PDF report follow. The same is served over HTTP at
    /// [`CONTROL_SESSIONS_PATH`].
    ///
    /// ```
    /// use didit_api::SessionStatus;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().start().await;
    /// let created: serde_json::Value = reqwest::Client::new()
    ///     .post(format!("{}/v3/session/", mock.uri()))
    ///     .header("x-api-key", mock.api_key())
    ///     .json(&serde_json::json!({ "workflow_id": "11111111-2222-3333-4444-555555555555" }))
    ///     .send()
    ///     .await
    ///     .unwrap()
    ///     .json()
    ///     .await
    ///     .unwrap();
    /// let id = created["session_id"].as_str().unwrap().parse().unwrap();
    /// mock.finish_session(id, SessionStatus::Approved).unwrap();
    /// let store = mock.current_store();
    /// assert_eq!(store.kyc()[0].row.status, Some(SessionStatus::Approved));
    /// assert!(mock.finish_session(uuid::Uuid::nil(), SessionStatus::Approved).is_err());
    /// # }
    /// ```
    pub fn finish_session(
        &self,
        session_id: uuid::Uuid,
        status: didit_api::SessionStatus,
    ) -> Result<(), SessionNotFound> {
        self.shared.state().finish(session_id, &status)?;
        self.shared.announce(session_id, WebhookType::StatusUpdated);
        Ok(())
    }

    /// Moves session `session_id` on as if its user had gone through the
    /// flow: to the outcome of its sandbox scenario (armed, or given at
    /// creation; see [`SANDBOX_SCENARIOS`]), `Approved` without one. The same
    /// is served over HTTP at [`CONTROL_SESSIONS_PATH`].
    ///
    /// ```
    /// use didit_api::SessionStatus;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().start().await;
    /// let created: serde_json::Value = reqwest::Client::new()
    ///     .post(format!("{}/v3/session/", mock.uri()))
    ///     .header("x-api-key", mock.api_key())
    ///     .json(&serde_json::json!({
    ///         "workflow_id": "11111111-2222-3333-4444-555555555555",
    ///         "sandbox_scenario": "decline_aml_hit",
    ///     }))
    ///     .send()
    ///     .await
    ///     .unwrap()
    ///     .json()
    ///     .await
    ///     .unwrap();
    /// let id = created["session_id"].as_str().unwrap().parse().unwrap();
    /// mock.complete_session(id).unwrap();
    /// assert_eq!(mock.current_store().kyc()[0].row.status, Some(SessionStatus::Declined));
    /// # }
    /// ```
    pub fn complete_session(&self, session_id: uuid::Uuid) -> Result<(), SessionNotFound> {
        let outcome = self.shared.state().flow_outcome(session_id);
        self.finish_session(session_id, outcome)
    }

    /// The sessions the second application
    /// ([`PARTNER_APPLICATION_ID`], key [`PARTNER_API_KEY`]) serves now: those
    /// it imported from shares.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().synthetic(3, 1).start().await;
    /// assert_eq!(mock.partner_store().len(), 0);
    /// # }
    /// ```
    pub fn partner_store(&self) -> Arc<Store> {
        self.shared.sharing.partner().store.clone()
    }

    /// Moves the fake's clock on by `by`, for the share tokens' lifetimes:
    /// a token minted for an hour is refused as expired once the clock has
    /// moved on an hour, without waiting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().start().await;
    /// mock.advance_clock(std::time::Duration::from_secs(3_600));
    /// # }
    /// ```
    pub fn advance_clock(&self, by: Duration) {
        self.shared.sharing.advance_clock(by);
    }

    /// The webhook destination status changes and data corrections are
    /// announced to, when the fake was given one (see [`DiditMockBuilder::webhooks`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().start().await;
    /// assert!(mock.webhooks().is_none());
    /// # }
    /// ```
    pub fn webhooks(&self) -> Option<&webhooks::WebhookSender> {
        self.shared.webhooks.as_ref()
    }

    /// The requests received so far, oldest first, with the status each was
    /// answered with (empty when recording is off).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// How many requests the mock has answered with each status, whether or
    /// not requests are recorded; also served at [`STATS_PATH`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = didit_mock::DiditMock::builder().start().await;
    /// assert!(mock.statuses().is_empty());
    /// # }
    /// ```
    pub fn statuses(&self) -> std::collections::BTreeMap<u16, u64> {
        self.shared.statuses()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Answers the next `n` requests with `status` and a `{"detail": ...}`
    /// body, after any faults already planned. Injected failures come before
    /// every check, carry the [`retry_after`](Self::set_retry_after) value
    /// when one is set (an injected `429` always carries one, `1` by default)
    /// and do not count against the rate limit.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared
            .push_faults(std::iter::repeat_n(Fault::Status(status), n));
    }

    /// Cuts the body of each of the next `n` successful responses in half,
    /// after any faults already planned: a well-formed HTTP response (its
    /// `Content-Length` is the cut length) whose JSON stops midway, as from a
    /// proxy that gave up. Requests that fail anyway use up the fault too.
    pub fn truncate_next(&self, n: usize) {
        self.shared
            .push_faults(std::iter::repeat_n(Fault::Truncate, n));
    }

    /// Holds each of the next `n` responses back for `delay` (on top of the
    /// latency), after any faults already planned. The response then arrives
    /// whole: wiremock sends bodies in one piece.
    pub fn slow_next(&self, n: usize, delay: Duration) {
        self.shared
            .push_faults(std::iter::repeat_n(Fault::Slow(delay), n));
    }

    /// Drops every planned fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The `Retry-After` value (seconds) of injected failures; `None` to send
    /// none (except on an injected `429`, which says `1`).
    pub fn set_retry_after(&self, seconds: Option<u64>) {
        self.shared.set_retry_after(seconds);
    }

    /// Empties the rate-limit window, as if a minute had passed.
    pub fn reset_rate_limit(&self) {
        self.shared.reset_rate_limit();
    }
}

/// Configures and starts a [`DiditMock`].
///
/// ```
/// use std::time::Duration;
/// use didit_mock::DiditMock;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mock = DiditMock::builder()
///     .api_key("test-key")
///     .synthetic(1_000, 42)
///     .rate_limit(100)
///     .max_limit(500)
///     .latency(Duration::from_millis(5))
///     .fail_next(2, 503)
///     .retry_after(3)
///     .start()
///     .await;
/// assert_eq!(mock.store().len(), 1_000);
/// # }
/// ```
#[derive(Debug)]
pub struct DiditMockBuilder {
    api_key: String,
    sessions: Vec<MockSession>,
    store: Option<Arc<Store>>,
    organization_name: Option<String>,
    latency: Duration,
    rate_limit: u32,
    write_rate_limit: u32,
    rate_window: Duration,
    default_limit: u64,
    max_limit: Option<u64>,
    faults: VecDeque<Fault>,
    retry_after: Option<u64>,
    record_requests: bool,
    listener: Option<TcpListener>,
    webhooks: Option<webhooks::WebhookSender>,
}

impl Default for DiditMockBuilder {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            sessions: Vec::new(),
            store: None,
            organization_name: None,
            latency: Duration::ZERO,
            rate_limit: DEFAULT_RATE_LIMIT,
            write_rate_limit: DEFAULT_WRITE_RATE_LIMIT,
            rate_window: DEFAULT_RATE_WINDOW,
            default_limit: DEFAULT_PAGE_SIZE,
            max_limit: None,
            faults: VecDeque::new(),
            retry_after: None,
            webhooks: None,
            record_requests: true,
            listener: None,
        }
    }
}

impl DiditMockBuilder {
    /// The API key requests must send in `x-api-key`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Adds explicit sessions: KYC or KYB rows ([`KycSession`] and
    /// [`KybSession`] convert), or [`KycRecord`]s with the facts that the
    /// KYC-only filters look at.
    ///
    /// [`KycSession`]: didit_api::types::KycSession
    /// [`KybSession`]: didit_api::types::KybSession
    pub fn sessions<S: Into<MockSession>>(mut self, sessions: impl IntoIterator<Item = S>) -> Self {
        self.sessions.extend(sessions.into_iter().map(Into::into));
        self
    }

    /// Adds `n` realistic sessions, the same for the same `seed`; see
    /// [`synthetic_sessions`].
    pub fn synthetic(mut self, n: usize, seed: u64) -> Self {
        self.sessions.extend(synthetic_sessions(n, seed));
        self
    }

    /// Serves a ready store, shared with other servers; it replaces any
    /// sessions given with [`sessions`](Self::sessions) or
    /// [`synthetic`](Self::synthetic).
    pub fn store(mut self, store: Arc<Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The organisation name the `organization_name` filter matches (default
    /// [`DEFAULT_ORGANIZATION_NAME`]); ignored with [`store`](Self::store).
    pub fn organization_name(mut self, name: impl Into<String>) -> Self {
        self.organization_name = Some(name.into());
        self
    }

    /// Delays every response by `latency`.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Reads (GET and HEAD requests) allowed per sliding window (default
    /// [`DEFAULT_RATE_LIMIT`]); `0` turns their rate limiting and its headers
    /// off.
    pub fn rate_limit(mut self, per_window: u32) -> Self {
        self.rate_limit = per_window;
        self
    }

    /// Writes (POST, PATCH and DELETE requests) allowed per sliding window,
    /// counted apart from reads (default [`DEFAULT_WRITE_RATE_LIMIT`]); `0`
    /// turns their rate limiting and its headers off.
    pub fn write_rate_limit(mut self, per_window: u32) -> Self {
        self.write_rate_limit = per_window;
        self
    }

    /// Length of the rate-limit window (default [`DEFAULT_RATE_WINDOW`]).
    pub fn rate_window(mut self, window: Duration) -> Self {
        self.rate_window = window;
        self
    }

    /// Page size for requests without `limit` (default
    /// [`DEFAULT_PAGE_SIZE`]).
    pub fn default_limit(mut self, limit: u64) -> Self {
        self.default_limit = limit.max(1);
        self
    }

    /// Largest page served: a bigger `limit` is lowered to this, silently, as
    /// Django REST Framework does. No maximum by default.
    pub fn max_limit(mut self, max: u64) -> Self {
        self.max_limit = Some(max.max(1));
        self
    }

    /// Answers the first `n` requests with `status`; see
    /// [`DiditMock::fail_next`].
    pub fn fail_next(mut self, n: usize, status: u16) -> Self {
        self.faults
            .extend(std::iter::repeat_n(Fault::Status(status), n));
        self
    }

    /// Truncates the bodies of the next `n` responses after the faults
    /// already planned; see [`DiditMock::truncate_next`].
    pub fn truncate_next(mut self, n: usize) -> Self {
        self.faults.extend(std::iter::repeat_n(Fault::Truncate, n));
        self
    }

    /// Holds back the next `n` responses for `delay`, after the faults
    /// already planned; see [`DiditMock::slow_next`].
    pub fn slow_next(mut self, n: usize, delay: Duration) -> Self {
        self.faults
            .extend(std::iter::repeat_n(Fault::Slow(delay), n));
        self
    }

    /// The `Retry-After` value, in seconds, of injected failures.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Announces every status change (a session created, finished through
    /// [`DiditMock::finish_session`] or the control endpoint, or updated
    /// through the API) to a webhook destination, and every correction of a
    /// session's data (`data.updated`), with a delivery signed as Didit
    /// signs it and retried as Didit retries. Deliveries may arrive in
    /// any order, as Didit's may (see [`webhooks`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use didit_mock::webhooks::WebhookSender;
    ///
    /// let sender = WebhookSender::new("http://127.0.0.1:9/hooks".parse().unwrap(), "secret").unwrap();
    /// let mock = didit_mock::DiditMock::builder().webhooks(sender).start().await;
    /// assert!(mock.webhooks().is_some());
    /// # }
    /// ```
    pub fn webhooks(mut self, sender: webhooks::WebhookSender) -> Self {
        self.webhooks = Some(sender);
        self
    }

    /// Whether to keep a log of received requests (on by default; turn it off
    /// for long benchmarks).
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// Serves on this listener instead of a free port of 127.0.0.1.
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Starts the server.
    ///
    /// # Panics
    ///
    /// When no port of 127.0.0.1 can be bound (and no listener was given).
    pub async fn start(self) -> DiditMock {
        let listener = match self.listener {
            Some(listener) => listener,
            None => TcpListener::bind("127.0.0.1:0").expect("bind a free port of 127.0.0.1"),
        };
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let store = match self.store {
            Some(store) => store,
            None => {
                let store = Store::new(self.sessions);
                Arc::new(match self.organization_name {
                    Some(name) => store.with_organization_name(name),
                    None => store,
                })
            }
        };
        let settings = Settings {
            api_key: self.api_key,
            latency: self.latency,
            rate_limit: self.rate_limit,
            write_rate_limit: self.write_rate_limit,
            rate_window: self.rate_window,
            default_limit: self.default_limit,
            max_limit: self.max_limit,
            record_requests: self.record_requests,
            address,
        };
        let shared = Arc::new(Shared::new(
            store,
            settings,
            self.faults,
            self.retry_after,
            self.webhooks,
        ));
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        Mock::given(any())
            .respond_with(Responder(shared.clone()))
            .mount(&server)
            .await;
        DiditMock { server, shared }
    }
}
