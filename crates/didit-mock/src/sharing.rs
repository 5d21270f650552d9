//! Reusable KYC between two applications, and sandbox scenarios.
//!
//! The fake serves two applications: the main one, whose key is the
//! server's (see [`DiditMockBuilder::api_key`](crate::DiditMockBuilder::api_key)),
//! with the id [`DEFAULT_APPLICATION_ID`], and a partner,
//! [`PARTNER_APPLICATION_ID`] with the key [`PARTNER_API_KEY`], whose
//! sessions start empty. Either can share a finished session with the other
//! (`POST /v3/session/{id}/share/`), which redeems the token
//! (`POST /v3/session/import-shared/`) into a new session of its own.
//!
//! Share tokens expire by the fake's clock, which tests move on with
//! [`DiditMock::advance_clock`](crate::DiditMock::advance_clock) instead of
//! waiting.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use didit_api::{SessionStatus, Timestamp};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::lifecycle::{self, Answer, State, detail, object_body as object};
use crate::store::{MockSession, Store};

/// The path where share tokens are redeemed.
pub(crate) const IMPORT_SHARED_PATH: &str = "/v3/session/import-shared/";

/// The id of the fake's main application, the one its API key belongs to.
pub const DEFAULT_APPLICATION_ID: &str = "dbd20e34-42e9-4f2c-ba91-cf0762016f64";
/// The id of the fake's second application, which sessions can be shared
/// with (the receiving application of Didit's published examples).
pub const PARTNER_APPLICATION_ID: &str = "a5f3bca2-46e2-411e-90ef-a580900a57ee";
/// The API key of the fake's second application.
pub const PARTNER_API_KEY: &str = "mock-partner-key";

/// The sandbox scenarios the fake knows, and the status a session armed
/// with one ends in when its user goes through the flow.
pub const SANDBOX_SCENARIOS: &[(&str, &str)] = &[
    ("approve", "Approved"),
    ("decline_aml_hit", "Declined"),
    ("decline_document_expired", "Declined"),
    ("review_manually", "In Review"),
];

/// How long a share token lives when the request does not say.
const DEFAULT_SHARE_TTL: u64 = 3_600;
/// The lifetimes a share token may ask for, in seconds.
const SHARE_TTL_BOUNDS: (u64, u64) = (60, 86_400);
/// The statuses a session must have to be shared.
const SHAREABLE: &[&str] = &["Approved", "Declined", "In Review"];

/// One of the fake's two applications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Application {
    Main,
    Partner,
}

impl Application {
    fn id(self) -> Uuid {
        let id = match self {
            Application::Main => DEFAULT_APPLICATION_ID,
            Application::Partner => PARTNER_APPLICATION_ID,
        };
        Uuid::parse_str(id).expect("the application ids are UUIDs")
    }

    fn with_id(id: Uuid) -> Option<Self> {
        [Application::Main, Application::Partner]
            .into_iter()
            .find(|application| application.id() == id)
    }
}

/// A share token minted and not expired yet, or expired but still known.
#[derive(Clone, Debug)]
struct Grant {
    session_id: Uuid,
    from: Application,
    to: Application,
    expires_at: SystemTime,
}

/// What sharing needs beyond one application's sessions: the partner's
/// sessions, the tokens, the imports made, and the clock tokens expire by.
#[derive(Debug)]
pub(crate) struct Sharing {
    partner: Mutex<State>,
    grants: Mutex<HashMap<String, Grant>>,
    /// Which application imported which session: one import each.
    imported: Mutex<HashSet<(Uuid, Application)>>,
    clock_offset: Mutex<Duration>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Default for Sharing {
    fn default() -> Self {
        Self {
            partner: Mutex::new(State::new(std::sync::Arc::new(Store::new(Vec::<
                MockSession,
            >::new(
            ))))),
            grants: Mutex::default(),
            imported: Mutex::default(),
            clock_offset: Mutex::default(),
        }
    }
}

impl Sharing {
    /// The partner application's sessions.
    pub(crate) fn partner(&self) -> MutexGuard<'_, State> {
        lock(&self.partner)
    }

    /// Moves the fake's clock on by `by`.
    pub(crate) fn advance_clock(&self, by: Duration) {
        let mut offset = lock(&self.clock_offset);
        *offset = offset.saturating_add(by);
    }

    fn now(&self) -> SystemTime {
        SystemTime::now() + *lock(&self.clock_offset)
    }

    /// `POST /v3/session/{id}/share/` by `from`, whose sessions `state` holds.
    pub(crate) fn share(&self, state: &State, from: Application, id: Uuid, body: &[u8]) -> Answer {
        let Some(session) = state.store.session(id) else {
            return detail(404, "Not found.");
        };
        let body = match object(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let target = match body.get("for_application_id") {
            None | Some(Value::Null) => {
                return field_error("for_application_id", "This field is required.");
            }
            Some(value) => match value.as_str().and_then(|id| Uuid::parse_str(id).ok()) {
                Some(id) => id,
                None => return field_error("for_application_id", "Must be a valid UUID."),
            },
        };
        let ttl = match body.get("ttl_in_seconds") {
            None | Some(Value::Null) => DEFAULT_SHARE_TTL,
            Some(value) => match value.as_u64() {
                Some(ttl) if ttl < SHARE_TTL_BOUNDS.0 => {
                    return field_error(
                        "ttl_in_seconds",
                        format!(
                            "Ensure this value is greater than or equal to {}.",
                            SHARE_TTL_BOUNDS.0
                        ),
                    );
                }
                Some(ttl) if ttl > SHARE_TTL_BOUNDS.1 => {
                    return field_error(
                        "ttl_in_seconds",
                        format!(
                            "Ensure this value is less than or equal to {}.",
                            SHARE_TTL_BOUNDS.1
                        ),
                    );
                }
                Some(ttl) => ttl,
                None if value.as_i64().is_some() => {
                    return field_error(
                        "ttl_in_seconds",
                        format!(
                            "Ensure this value is greater than or equal to {}.",
                            SHARE_TTL_BOUNDS.0
                        ),
                    );
                }
                None => return field_error("ttl_in_seconds", "A valid integer is required."),
            },
        };
        let status = session.status().map_or("", SessionStatus::as_str);
        if !SHAREABLE.contains(&status) {
            return Answer::Json(
                400,
                json!({ "detail": [
                    "Only finished sessions (\"Approved\", \"Declined\", \"In Review\") can be shared."
                ] }),
            );
        }
        let Some(to) = Application::with_id(target) else {
            return field_error("for_application_id", "Target application does not exist.");
        };
        if to == from {
            return field_error(
                "for_application_id",
                "Cannot share a session with the same application.",
            );
        }
        let token = share_token();
        lock(&self.grants).insert(
            token.clone(),
            Grant {
                session_id: id,
                from,
                to,
                expires_at: self.now() + Duration::from_secs(ttl),
            },
        );
        let kind = match session {
            MockSession::Kyc(_) => "user",
            MockSession::Kyb(_) => "business",
        };
        Answer::Json(
            200,
            json!({
                "share_token": token,
                "for_application_id": target,
                "session_kind": kind,
            }),
        )
    }

    /// `POST /v3/session/import-shared/` by `to`; `state_of` gives the
    /// sessions of an application, locked.
    pub(crate) fn import<'a>(
        &'a self,
        to: Application,
        body: &[u8],
        state_of: impl Fn(Application) -> MutexGuard<'a, State>,
    ) -> Answer {
        let body = match object(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let mut problems = Map::new();
        let token = body.get("share_token").and_then(Value::as_str);
        match body.get("share_token") {
            None | Some(Value::Null) => required(&mut problems, "share_token"),
            Some(Value::String(_)) => {}
            Some(_) => problem(&mut problems, "share_token", "Not a valid string."),
        }
        let trust_review = body.get("trust_review").and_then(Value::as_bool);
        match body.get("trust_review") {
            None | Some(Value::Null) => required(&mut problems, "trust_review"),
            Some(Value::Bool(_)) => {}
            Some(_) => problem(&mut problems, "trust_review", "Must be a valid boolean."),
        }
        let workflow_id = body
            .get("workflow_id")
            .and_then(Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok());
        match body.get("workflow_id") {
            None | Some(Value::Null) => required(&mut problems, "workflow_id"),
            Some(_) if workflow_id.is_none() => {
                problem(&mut problems, "workflow_id", "Must be a valid UUID.");
            }
            Some(_) => {}
        }
        let vendor_data = match body.get("vendor_data") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                problem(&mut problems, "vendor_data", "Not a valid string.");
                None
            }
        };
        let (Some(token), Some(trust_review), Some(workflow_id)) =
            (token, trust_review, workflow_id)
        else {
            return Answer::Json(400, Value::Object(problems));
        };
        if !problems.is_empty() {
            return Answer::Json(400, Value::Object(problems));
        }
        let Some(grant) = lock(&self.grants).get(token).cloned() else {
            return field_error("share_token", "Invalid share token.");
        };
        if grant.to != to {
            return field_error(
                "share_token",
                "This token is not valid for this application.",
            );
        }
        if self.now() >= grant.expires_at {
            return field_error("share_token", "Share token has expired.");
        }
        let original = {
            let source = state_of(grant.from);
            source
                .store
                .session(grant.session_id)
                .map(|session| (session, source.extras.get(&grant.session_id).cloned()))
        };
        let Some((mut copy, extras)) = original else {
            return field_error("share_token", "Original session does not exist.");
        };
        if !lock(&self.imported).insert((grant.session_id, to)) {
            return detail(
                403,
                "This session has already been shared with your application.",
            );
        }
        let mut receiver = state_of(to);
        let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
        let number = receiver.next_number;
        receiver.next_number += 1;
        let created_at = Timestamp::from(chrono::Utc::now());
        let status = (!trust_review).then_some(SessionStatus::InReview);
        match &mut copy {
            MockSession::Kyc(record) => {
                let row = &mut record.row;
                row.session_id = Some(id);
                row.session_number = Some(number);
                row.session_url = Some(None);
                row.created_at = Some(created_at);
                if let Some(vendor_data) = &vendor_data {
                    row.vendor_data = Some(Some(vendor_data.clone()));
                }
                if let Some(status) = status {
                    row.status = Some(status);
                }
                record.facts.workflow_id = Some(workflow_id);
            }
            MockSession::Kyb(record) => {
                let row = &mut record.row;
                row.session_id = Some(id);
                row.session_number = Some(number);
                row.created_at = Some(created_at);
                row.workflow_id = Some(Some(workflow_id));
                if let Some(vendor_data) = &vendor_data {
                    row.vendor_data = Some(Some(vendor_data.clone()));
                }
                if let Some(status) = status {
                    row.status = Some(status);
                }
            }
        }
        let mut extras = extras.unwrap_or_default();
        // The copy is no one's flow: it has no user to act for it.
        extras.session_token = None;
        receiver.extras.insert(id, extras);
        receiver.edit(|sessions| sessions.push(copy));
        match receiver.decision(id, false) {
            Some(decision) => Answer::Json(201, decision),
            None => detail(500, "A server error occurred."),
        }
    }
}

impl State {
    /// `POST /v3/session/{id}/sandbox/arm/` with the `Session-Token`
    /// header's value, `token`.
    pub(crate) fn arm(&mut self, id: Uuid, token: Option<&str>, body: &[u8]) -> Answer {
        let owns = self
            .extras
            .get(&id)
            .and_then(|extras| extras.session_token.as_deref())
            .is_some_and(|expected| Some(expected) == token);
        let Some(session) = self.store.session(id).filter(|_| owns) else {
            return detail(404, "Not found.");
        };
        let body = match object(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let scenario = match body.get("scenario") {
            None | Some(Value::Null) => return field_error("scenario", "This field is required."),
            Some(Value::String(scenario)) => scenario.clone(),
            Some(_) => return field_error("scenario", "Not a valid string."),
        };
        if scenario_outcome(&scenario).is_none() {
            return field_error(
                "scenario",
                format!("Unknown sandbox scenario: '{scenario}'."),
            );
        }
        if session.status() != Some(&SessionStatus::NotStarted) {
            return Answer::Json(
                400,
                json!(["Scenario can only be armed before the verification starts."]),
            );
        }
        self.extras.entry(id).or_default().scenario = Some(scenario.clone());
        Answer::Json(
            200,
            json!({ "session_id": id, "scenario": scenario, "status": "Not Started" }),
        )
    }

    /// The status session `id` ends in when its user goes through the
    /// flow: its sandbox scenario's outcome, Approved without one.
    pub(crate) fn flow_outcome(&self, id: Uuid) -> SessionStatus {
        self.extras
            .get(&id)
            .and_then(|extras| extras.scenario.as_deref())
            .and_then(scenario_outcome)
            .map_or(SessionStatus::Approved, SessionStatus::from)
    }
}

/// The outcome of a scenario the fake knows.
fn scenario_outcome(scenario: &str) -> Option<&'static str> {
    SANDBOX_SCENARIOS
        .iter()
        .find(|(name, _)| *name == scenario)
        .map(|(_, outcome)| *outcome)
}

/// A JWT-shaped token of random characters: only the fake can redeem it.
fn share_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let part = |length: usize| -> String {
        (0..length)
            .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
            .collect()
    };
    format!("eyJ{}.eyJ{}.{}", part(33), part(120), part(43))
}

fn field_error(field: &str, message: impl Into<String>) -> Answer {
    lifecycle::field_error(field, json!([message.into()]))
}

fn problem(problems: &mut Map<String, Value>, field: &str, message: impl Into<String>) {
    problems.insert(field.to_owned(), json!([message.into()]));
}

fn required(problems: &mut Map<String, Value>, field: &str) {
    problem(problems, field, "This field is required.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_outcomes_are_final_statuses() {
        for (scenario, outcome) in SANDBOX_SCENARIOS {
            assert!(
                SHAREABLE.contains(outcome),
                "{scenario} ends in {outcome}, not a finished status"
            );
        }
    }

    #[test]
    fn the_applications_are_told_apart_by_id() {
        assert_eq!(
            Application::with_id(Application::Partner.id()),
            Some(Application::Partner)
        );
        assert_eq!(Application::with_id(Uuid::nil()), None);
        assert_ne!(Application::Main.id(), Application::Partner.id());
    }
}
