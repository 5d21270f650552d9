//! The HTTP side: a wiremock responder over the store.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wiremock::{Request, Respond, ResponseTemplate};

use didit_api::{SessionStatus, WebhookType};
use uuid::Uuid;

use crate::imports::{ImportJobs, ImportOperation};
use crate::lifecycle::{Answer, State};
use crate::page;
use crate::query::ListQuery;
use crate::sharing::{Application, IMPORT_SHARED_PATH, PARTNER_API_KEY, Sharing};
use crate::store::{Hits, Store};
use crate::webhooks::{WebhookSender, session_event};
use crate::{CONTROL_SESSIONS_PATH, DELETE_SESSIONS_PATH, SESSION_PATH, SESSIONS_PATH, STATS_PATH};
use wiremock::http::Method;

/// The body of every `403`.
pub const FORBIDDEN_DETAIL: &str = "You do not have permission to perform this action.";

/// The body of the `401` of the one operation that answers one.
const UNAUTHORIZED_DETAIL: &str = "Authentication credentials were not provided or are invalid.";

/// One request the mock received, and how it answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, such as `/v3/sessions/`.
    pub path: String,
    /// The raw query string, if the URL had one.
    pub query: Option<String>,
    /// Every header, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The status the mock answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A planned misbehaviour for one upcoming request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this status and a `{"detail": ...}` body.
    Status(u16),
    /// Answer normally, but send only the first half of the body.
    Truncate,
    /// Answer normally, but hold the response back this long first.
    Slow(Duration),
}

/// The server's settings.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) api_key: String,
    pub(crate) latency: Duration,
    /// Reads (GET, HEAD) allowed per window.
    pub(crate) rate_limit: u32,
    /// Writes (POST, PATCH, DELETE, ...) allowed per window.
    pub(crate) write_rate_limit: u32,
    pub(crate) rate_window: Duration,
    pub(crate) default_limit: u64,
    pub(crate) max_limit: Option<u64>,
    pub(crate) record_requests: bool,
    /// Where the server listens; names the host in links when a request has
    /// no `Host` header.
    pub(crate) address: std::net::SocketAddr,
}

/// A sliding-window counter of one class of requests of the API key.
#[derive(Debug, Default)]
struct Window {
    hits: VecDeque<Instant>,
}

/// How the rate limiter judged one request.
struct Verdict {
    allowed: bool,
    remaining: u32,
    /// How long until a slot frees up.
    free_in: Duration,
    /// The same in whole seconds, rounded up, at least one.
    wait: u64,
}

impl Window {
    fn judge(&mut self, limit: u32, window: Duration, now: Instant) -> Verdict {
        while self
            .hits
            .front()
            .is_some_and(|&at| now.duration_since(at) >= window)
        {
            self.hits.pop_front();
        }
        let allowed = self.hits.len() < limit as usize;
        if allowed {
            self.hits.push_back(now);
        }
        let oldest = *self.hits.front().expect("at least one hit in the window");
        let free_at = oldest + window;
        let free_in = free_at.saturating_duration_since(now);
        Verdict {
            allowed,
            remaining: limit.saturating_sub(self.hits.len() as u32),
            free_in,
            wait: (free_in.as_millis().div_ceil(1000) as u64).max(1),
        }
    }
}

/// The set of matching rows of a few recent queries: paging through a query
/// filters the store once, not once per page. Each entry belongs to the
/// store it was computed on.
#[derive(Debug, Default)]
struct Recent {
    entries: VecDeque<(ListQuery, Arc<Store>, Arc<Hits>)>,
}

const RECENT_QUERIES: usize = 16;

/// Everything the responder shares with the server handle.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The store the server started with.
    pub(crate) initial_store: Arc<Store>,
    state: Mutex<State>,
    imports: Mutex<ImportJobs>,
    pub(crate) settings: Settings,
    reads: Mutex<Window>,
    writes: Mutex<Window>,
    faults: Mutex<VecDeque<Fault>>,
    retry_after: Mutex<Option<u64>>,
    log: Mutex<Vec<RecordedRequest>>,
    /// How many requests were answered with each status.
    statuses: Mutex<BTreeMap<u16, u64>>,
    recent: Mutex<Recent>,
    /// Where the fake announces status changes, signed as Didit signs them.
    pub(crate) webhooks: Option<WebhookSender>,
    /// The second application, share tokens and the clock they expire by.
    pub(crate) sharing: Sharing,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// Tells the webhook destination, when there is one, that the session
    /// `id` changed: a `status.updated` or `data.updated` event, with the
    /// decision when the status is one Didit sends it with.
    pub(crate) fn announce(&self, id: Uuid, change: WebhookType) {
        let Some(sender) = &self.webhooks else {
            return;
        };
        let Some(decision) = self.state().decision(id, false) else {
            return;
        };
        let status = SessionStatus::from(decision["status"].as_str().unwrap_or_default());
        let with_decision = matches!(
            status,
            SessionStatus::Approved
                | SessionStatus::Declined
                | SessionStatus::InReview
                | SessionStatus::Abandoned
        );
        let event = session_event(
            &change,
            &id.to_string(),
            &status,
            decision["vendor_data"].as_str(),
            decision["workflow_id"].as_str(),
            with_decision.then(|| decision.clone()),
        );
        // Sending fails only outside a runtime, where the fake cannot run.
        let _ = sender.send(&event);
    }

    pub(crate) fn new(
        store: Arc<Store>,
        settings: Settings,
        faults: VecDeque<Fault>,
        retry_after: Option<u64>,
        webhooks: Option<WebhookSender>,
    ) -> Self {
        Self {
            webhooks,
            state: Mutex::new(State::new(store.clone())),
            imports: Mutex::default(),
            initial_store: store,
            settings,
            reads: Mutex::default(),
            writes: Mutex::default(),
            faults: Mutex::new(faults),
            retry_after: Mutex::new(retry_after),
            log: Mutex::default(),
            statuses: Mutex::default(),
            recent: Mutex::default(),
            sharing: Sharing::default(),
        }
    }

    pub(crate) fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.faults).extend(faults);
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(crate) fn set_retry_after(&self, seconds: Option<u64>) {
        *lock(&self.retry_after) = seconds;
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub(crate) fn statuses(&self) -> BTreeMap<u16, u64> {
        lock(&self.statuses).clone()
    }

    pub(crate) fn reset_rate_limit(&self) {
        lock(&self.reads).hits.clear();
        lock(&self.writes).hits.clear();
    }

    /// The sessions served now.
    pub(crate) fn store(&self) -> Arc<Store> {
        lock(&self.state).store.clone()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The sessions of `application`.
    pub(crate) fn state_of(&self, application: Application) -> MutexGuard<'_, State> {
        match application {
            Application::Main => self.state(),
            Application::Partner => self.sharing.partner(),
        }
    }

    /// Whether either application holds the session `id` (one lock at a
    /// time).
    fn holds(&self, id: Uuid) -> bool {
        let main = self.state().store.session(id).is_some();
        main || self.sharing.partner().store.session(id).is_some()
    }

    /// The session of either application that `id` names.
    fn owner_of(&self, id: Uuid) -> Application {
        if self.sharing.partner().store.session(id).is_some() {
            Application::Partner
        } else {
            Application::Main
        }
    }

    fn hits(&self, store: &Arc<Store>, query: &ListQuery) -> Arc<Hits> {
        let key = query.filter_key();
        if let Some((_, _, hits)) = lock(&self.recent)
            .entries
            .iter()
            .find(|(k, of, _)| *k == key && Arc::ptr_eq(of, store))
        {
            return hits.clone();
        }
        let hits = Arc::new(store.matching_indices(query));
        let mut recent = lock(&self.recent);
        if recent.entries.len() >= RECENT_QUERIES {
            recent.entries.pop_front();
        }
        recent.entries.push_back((key, store.clone(), hits.clone()));
        hits
    }
}

/// The wiremock responder that plays the Didit API.
pub(crate) struct Responder(pub(crate) Arc<Shared>);

pub(crate) fn json(status: u16, body: &impl serde::Serialize) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        serde_json::to_vec(body).expect("error bodies serialize"),
        "application/json",
    )
}

fn detail(status: u16, message: impl Into<String>) -> ResponseTemplate {
    json(status, &serde_json::json!({ "detail": message.into() }))
}

/// The first whole second since the Unix epoch at or after `from_now`:
/// a client that waits until then finds the slot free.
fn epoch_seconds_after(from_now: Duration) -> u64 {
    (SystemTime::now() + from_now)
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis().div_ceil(1000) as u64)
        .unwrap_or(0)
}

/// The reason phrase of an injected status, for its `detail`.
fn injected_detail(status: u16) -> String {
    match status {
        429 => "Request was throttled.".to_owned(),
        500 => "A server error occurred.".to_owned(),
        502 => "Bad gateway.".to_owned(),
        503 => "Service temporarily unavailable, try again later.".to_owned(),
        504 => "Gateway timeout.".to_owned(),
        _ => format!("Injected failure with status {status}."),
    }
}

impl Responder {
    fn answer(&self, request: &Request) -> (ResponseTemplate, u16) {
        let shared = &*self.0;
        let settings = &shared.settings;
        let mut delay = settings.latency;
        let fault = lock(&shared.faults).pop_front();
        if let Some(Fault::Slow(extra)) = fault {
            delay += extra;
        }
        let (template, status) = self.route(request, fault.as_ref());
        (template.set_delay(delay), status)
    }

    fn route(&self, request: &Request, fault: Option<&Fault>) -> (ResponseTemplate, u16) {
        let shared = &*self.0;
        let settings = &shared.settings;
        let path = request.url.path();

        if let Some(Fault::Status(status)) = fault {
            let status = *status;
            let mut template = detail(status, injected_detail(status));
            let retry_after = *lock(&shared.retry_after);
            match (retry_after, status) {
                (Some(seconds), _) => {
                    template = template.insert_header("Retry-After", seconds.to_string());
                }
                (None, 429) => template = template.insert_header("Retry-After", "1"),
                _ => {}
            }
            return (template, status);
        }

        let Some(operation) = Operation::at(path) else {
            // Like Django's slash appending: the same path with a slash.
            if !path.ends_with('/') && Operation::at(&format!("{path}/")).is_some() {
                let location = match request.url.query() {
                    Some(query) => format!("{path}/?{query}"),
                    None => format!("{path}/"),
                };
                return (
                    ResponseTemplate::new(301).insert_header("Location", location),
                    301,
                );
            }
            return (detail(404, "Not found."), 404);
        };

        let key = request
            .headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok());
        let application = match (operation, key) {
            // Made on behalf of a session's user: its token is checked instead.
            (Operation::ArmSandbox(id), _) => shared.owner_of(id),
            (_, Some(key)) if key == settings.api_key => Application::Main,
            (_, Some(PARTNER_API_KEY)) => Application::Partner,
            (Operation::Share(_), _) => return (detail(401, UNAUTHORIZED_DETAIL), 401),
            // The data corrections look the session up before the key: an
            // unknown one is not found, whatever the key.
            (
                Operation::Correction(
                    id,
                    Correction::Document | Correction::ProofOfAddress | Correction::Company(_),
                ),
                _,
            ) if !shared.holds(id) => {
                return (detail(404, "Not found."), 404);
            }
            _ => return (detail(403, FORBIDDEN_DETAIL), 403),
        };
        let method = &request.method;
        // The review log's path serves two operations.
        let operation = match operation {
            Operation::Reviews(id) if *method == Method::POST => Operation::AddReview(id),
            other => other,
        };
        let reading = operation.method() == Method::GET;
        let allowed = method == operation.method() || (reading && method == Method::HEAD);
        if !allowed {
            let allow = if matches!(operation, Operation::Reviews(_)) {
                "GET, HEAD, POST".to_owned()
            } else if reading {
                "GET, HEAD".to_owned()
            } else {
                operation.method().to_string()
            };
            return (
                detail(405, format!("Method \"{}\" not allowed.", request.method))
                    .insert_header("Allow", allow),
                405,
            );
        }

        let (window, limit) = if reading {
            (&shared.reads, settings.rate_limit)
        } else {
            (&shared.writes, settings.write_rate_limit)
        };
        let mut rate_headers = Vec::new();
        if limit > 0 {
            let verdict = lock(window).judge(limit, settings.rate_window, Instant::now());
            let reset = epoch_seconds_after(verdict.free_in);
            rate_headers.push(("X-RateLimit-Limit", limit.to_string()));
            rate_headers.push(("X-RateLimit-Remaining", verdict.remaining.to_string()));
            rate_headers.push(("X-RateLimit-Reset", reset.to_string()));
            if !verdict.allowed {
                let mut template = detail(
                    429,
                    format!(
                        "Request was throttled. Expected available in {} seconds.",
                        verdict.wait
                    ),
                )
                .insert_header("Retry-After", verdict.wait.to_string());
                for (name, value) in rate_headers {
                    template = template.insert_header(name, value);
                }
                return (template, 429);
            }
        }

        let host = request
            .headers
            .get("host")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| settings.address.to_string());
        let origin = format!("http://{host}");
        let truncated = matches!(fault, Some(Fault::Truncate));
        let (mut template, status) = match operation {
            Operation::Import(operation) => {
                // The jobs, then the sessions: always in this order.
                let mut imports = lock(&shared.imports);
                imports.answer(operation, request, &mut shared.state(), &origin)
            }
            Operation::List => {
                let raw_query = request.url.query().unwrap_or("");
                match ListQuery::parse(raw_query) {
                    Err(error) => (json(400, &error), 400),
                    Ok(query) => {
                        let base = format!("{origin}{SESSIONS_PATH}");
                        let store = shared.state_of(application).store.clone();
                        let body = self.page(&store, &query, &base, raw_query);
                        let body = if truncated { truncate(body) } else { body };
                        (
                            ResponseTemplate::new(200).set_body_raw(body, "application/json"),
                            200,
                        )
                    }
                }
            }
            other => {
                // Sessions whose data a correction wrote, announced once the
                // state is let go.
                let mut data_updated = Vec::new();
                let answer = if let Operation::ImportShared = other {
                    shared
                        .sharing
                        .import(application, &request.body, |of| shared.state_of(of))
                } else {
                    let mut state = shared.state_of(application);
                    match other {
                        Operation::Share(id) => {
                            shared.sharing.share(&state, application, id, &request.body)
                        }
                        Operation::ArmSandbox(id) => {
                            let token = request
                                .headers
                                .get("session-token")
                                .and_then(|value| value.to_str().ok());
                            state.arm(id, token, &request.body)
                        }
                        Operation::Create => state.create(&request.body, &origin),
                        Operation::Decision(id) => {
                            let with_events = request
                                .url
                                .query_pairs()
                                .any(|(name, value)| name == "include" && value == "events");
                            match state.decision(id, with_events) {
                                Some(decision) => Answer::Json(200, decision),
                                None => {
                                    Answer::Json(404, serde_json::json!({"detail": "Not found."}))
                                }
                            }
                        }
                        Operation::UpdateStatus(id) => state.update_status(id, &request.body),
                        Operation::Delete(id) => state.delete(id),
                        Operation::DeleteMany => state.delete_many(&request.body),
                        Operation::Pdf(id) => state.pdf(id),
                        Operation::Reviews(id) => {
                            let base = format!("{origin}{}", request.url.path());
                            state.reviews(id, request.url.query().unwrap_or(""), &base, settings)
                        }
                        Operation::AddReview(id) => state.add_review(id, &request.body),
                        Operation::Correction(id, correction) => {
                            let node = query_value(request, "node_id");
                            let node = node.as_deref();
                            let body = &request.body;
                            let answer = match correction {
                                Correction::Document => state.correct_document(id, node, body),
                                Correction::ProofOfAddress => state.correct_poa(id, node, body),
                                Correction::Company(company) => {
                                    state.correct_company(id, company, body)
                                }
                                Correction::StepStatus => {
                                    let node = step_node(path).unwrap_or_default();
                                    state.update_step_status(id, node, body)
                                }
                                Correction::AmlHit => state.review_aml_hit(id, node, body),
                                Correction::AmlHits => state.review_aml_hits(id, node, body),
                            };
                            data_updated = state.take_data_updates();
                            answer
                        }
                        Operation::List | Operation::ImportShared | Operation::Import(_) => {
                            unreachable!("answered above")
                        }
                    }
                };
                // A session created or moved on is announced, as Didit does.
                match (&other, &answer) {
                    (Operation::Create, Answer::Json(201, body)) => {
                        if let Some(id) = body["session_id"].as_str().and_then(|id| id.parse().ok())
                        {
                            shared.announce(id, WebhookType::StatusUpdated);
                        }
                    }
                    (Operation::UpdateStatus(id), Answer::Json(200, _)) => {
                        shared.announce(*id, WebhookType::StatusUpdated);
                    }
                    _ => {}
                }
                for id in data_updated {
                    shared.announce(id, WebhookType::DataUpdated);
                }
                template_of(answer, truncated)
            }
        };
        for (name, value) in rate_headers {
            template = template.insert_header(name, value);
        }
        (template, status)
    }

    fn page(&self, store: &Arc<Store>, query: &ListQuery, base: &str, raw_query: &str) -> Vec<u8> {
        let shared = &*self.0;
        let limit = resolve_limit(query, &shared.settings);
        let hits = shared.hits(store, query);
        let plan = page::plan(&hits, query, limit);
        let (next, previous) = page::links(&plan, base, raw_query);
        page::write_page(store, &hits, &plan, next.as_deref(), previous.as_deref())
    }
}

/// The API operations the mock serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    List,
    Create,
    Decision(Uuid),
    UpdateStatus(Uuid),
    Delete(Uuid),
    DeleteMany,
    Pdf(Uuid),
    Import(ImportOperation),
    /// `GET` of a session's review log; `POST` to the same path is
    /// [`AddReview`](Operation::AddReview).
    Reviews(Uuid),
    AddReview(Uuid),
    Share(Uuid),
    ImportShared,
    ArmSandbox(Uuid),
    /// A correction after a review (`PATCH`).
    Correction(Uuid, Correction),
}

/// What a correction writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Correction {
    Document,
    ProofOfAddress,
    Company(Uuid),
    /// The step is the node in the path ([`step_node`]).
    StepStatus,
    AmlHit,
    AmlHits,
}

/// The node of `/v3/session/{id}/features/{node}/update-status/`.
fn step_node(path: &str) -> Option<&str> {
    let (_, action) = path.strip_prefix(SESSION_PATH)?.split_once('/')?;
    let node = action
        .strip_prefix("features/")?
        .strip_suffix("/update-status/")?;
    (!node.is_empty() && !node.contains('/')).then_some(node)
}

/// The first value of the query parameter `name`.
fn query_value(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

impl Operation {
    /// The operation served at `path`; only paths ending in a slash serve
    /// one, and only a UUID names a session.
    fn at(path: &str) -> Option<Self> {
        match path {
            SESSIONS_PATH => return Some(Operation::List),
            DELETE_SESSIONS_PATH => return Some(Operation::DeleteMany),
            SESSION_PATH => return Some(Operation::Create),
            IMPORT_SHARED_PATH => return Some(Operation::ImportShared),
            _ => {}
        }
        if let Some(import) = ImportOperation::at(path) {
            return Some(Operation::Import(import));
        }
        if let Some((id, "reviews/")) = path
            .strip_prefix(SESSIONS_PATH)
            .and_then(|rest| rest.split_once('/'))
        {
            return Uuid::parse_str(id).ok().map(Operation::Reviews);
        }
        let (id, action) = path.strip_prefix(SESSION_PATH)?.split_once('/')?;
        let id = Uuid::parse_str(id).ok()?;
        Some(match action {
            "decision/" => Operation::Decision(id),
            "update-status/" => Operation::UpdateStatus(id),
            "delete/" => Operation::Delete(id),
            "generate-pdf/" => Operation::Pdf(id),
            "share/" => Operation::Share(id),
            "sandbox/arm/" => Operation::ArmSandbox(id),
            "update-data/" => Operation::Correction(id, Correction::Document),
            "update-poa-data/" => Operation::Correction(id, Correction::ProofOfAddress),
            "update-aml-hit-status/" => Operation::Correction(id, Correction::AmlHit),
            "bulk-update-aml-hit-status/" => Operation::Correction(id, Correction::AmlHits),
            _ if step_node(path).is_some() => Operation::Correction(id, Correction::StepStatus),
            _ => {
                let company = action.strip_prefix("kyb/")?.strip_suffix("/update-data/")?;
                let company = Uuid::parse_str(company).ok()?;
                Operation::Correction(id, Correction::Company(company))
            }
        })
    }

    fn method(self) -> Method {
        match self {
            Operation::List
            | Operation::Decision(_)
            | Operation::Pdf(_)
            | Operation::Reviews(_) => Method::GET,
            Operation::Create
            | Operation::DeleteMany
            | Operation::AddReview(_)
            | Operation::Share(_)
            | Operation::ImportShared
            | Operation::ArmSandbox(_) => Method::POST,
            Operation::UpdateStatus(_) | Operation::Correction(..) => Method::PATCH,
            Operation::Delete(_) => Method::DELETE,
            Operation::Import(import) => import.method(),
        }
    }
}

/// The template of an answer; `truncated` cuts its body in half.
fn template_of(answer: Answer, truncated: bool) -> (ResponseTemplate, u16) {
    let cut = |body: Vec<u8>| if truncated { truncate(body) } else { body };
    match answer {
        Answer::Json(status, body) => (
            ResponseTemplate::new(status).set_body_raw(
                cut(serde_json::to_vec(&body).expect("JSON values serialize")),
                "application/json",
            ),
            status,
        ),
        Answer::Empty(status) => (ResponseTemplate::new(status), status),
        Answer::Pdf(body, file_name) => (
            ResponseTemplate::new(200)
                .set_body_raw(cut(body), "application/pdf")
                .insert_header(
                    "Content-Disposition",
                    format!("attachment; filename=\"{file_name}\""),
                ),
            200,
        ),
    }
}

/// `POST {CONTROL_SESSIONS_PATH}{id}/finish` with `{"status": "Approved"}`:
/// moves a session on as [`DiditMock::finish_session`] does.
///
/// [`DiditMock::finish_session`]: crate::DiditMock::finish_session
fn control(shared: &Shared, request: &Request) -> ResponseTemplate {
    let path = request.url.path();
    let rest = path.strip_prefix(CONTROL_SESSIONS_PATH).unwrap_or_default();
    let (id, completes) = match (rest.strip_suffix("/finish"), rest.strip_suffix("/complete")) {
        (Some(id), _) => (id, false),
        (None, Some(id)) => (id, true),
        (None, None) => return detail(404, "Not found."),
    };
    let Ok(id) = Uuid::parse_str(id) else {
        return detail(404, "Not found.");
    };
    if request.method != Method::POST {
        return detail(405, format!("Method \"{}\" not allowed.", request.method))
            .insert_header("Allow", "POST");
    }
    if completes {
        let outcome = shared.state().flow_outcome(id);
        return finish_and_answer(shared, id, outcome);
    }
    let status = serde_json::from_slice::<serde_json::Value>(&request.body)
        .ok()
        .and_then(|body| {
            body.get("status")
                .and_then(|s| s.as_str())
                .map(str::to_owned)
        });
    let Some(status) = status.filter(|status| {
        SessionStatus::KNOWN
            .iter()
            .any(|known| known.as_str() == status)
    }) else {
        let known: Vec<&str> = SessionStatus::KNOWN
            .iter()
            .map(SessionStatus::as_str)
            .collect();
        return json(
            400,
            &serde_json::json!({
                "status": [format!("Send one of: {}.", known.join(", "))]
            }),
        );
    };
    finish_and_answer(shared, id, SessionStatus::from(status.as_str()))
}

fn finish_and_answer(shared: &Shared, id: Uuid, status: SessionStatus) -> ResponseTemplate {
    let finished = shared.state().finish(id, &status);
    match finished {
        Ok(()) => {
            shared.announce(id, WebhookType::StatusUpdated);
            json(
                200,
                &serde_json::json!({ "session_id": id, "status": status.as_str() }),
            )
        }
        Err(_) => detail(404, "Not found."),
    }
}

/// The page size: the asked `limit` or the default, capped by the maximum.
pub(crate) fn resolve_limit(query: &ListQuery, settings: &Settings) -> u64 {
    let limit = query.limit.unwrap_or(settings.default_limit).max(1);
    match settings.max_limit {
        Some(max) => limit.min(max.max(1)),
        None => limit,
    }
}

/// Cuts a body in half, the way a connection dropped mid-body leaves it.
fn truncate(mut body: Vec<u8>) -> Vec<u8> {
    body.truncate(body.len() / 2);
    body
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        // The statistics and controls are not the API, so asking for them is
        // not counted, delayed or failed.
        if request.url.path().starts_with(CONTROL_SESSIONS_PATH) {
            return control(&self.0, request);
        }
        if request.url.path() == STATS_PATH {
            let requests: u64 = self.0.statuses().values().sum();
            let statuses: BTreeMap<String, u64> = self
                .0
                .statuses()
                .into_iter()
                .map(|(status, n)| (status.to_string(), n))
                .collect();
            return json(
                200,
                &serde_json::json!({ "requests": requests, "statuses": statuses }),
            );
        }
        let (template, status) = self.answer(request);
        *lock(&self.0.statuses).entry(status).or_default() += 1;
        if self.0.settings.record_requests {
            let headers = request
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            lock(&self.0.log).push(RecordedRequest {
                method: request.method.to_string(),
                path: request.url.path().to_owned(),
                query: request.url.query().map(str::to_owned),
                headers,
                status,
            });
        }
        template
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_slides() {
        let window = Duration::from_secs(10);
        let start = Instant::now();
        let at = |seconds: u64| start + Duration::from_secs(seconds);
        let mut hits = Window::default();
        assert!(hits.judge(2, window, at(0)).allowed);
        assert!(hits.judge(2, window, at(4)).allowed);
        let refused = hits.judge(2, window, at(9));
        assert!(!refused.allowed);
        assert_eq!((refused.free_in, refused.wait), (Duration::from_secs(1), 1));
        // A window after the first request, its slot is free again; the
        // second request's is not, and a refused one takes none.
        let freed = hits.judge(2, window, at(10));
        assert!(freed.allowed);
        assert_eq!(freed.remaining, 0);
        assert!(!hits.judge(2, window, at(13)).allowed);
        assert!(hits.judge(2, window, at(14)).allowed);
    }
}
