//! The life of a session beyond the list: creating it, moving it on,
//! reviewing, deleting, and what its decision and report look like.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use didit_api::types::{Feature, KybSession, KycSession};
use didit_api::{FeatureName, FeatureStatus, Language, ResubmittableFeature, SessionKind};
use didit_api::{SessionStatus, Timestamp};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::store::{KybFacts, KybRecord, KycFacts, KycRecord, MockSession, Store};
use crate::synthetic::{SYNTHETIC_KYB_WORKFLOWS, SYNTHETIC_KYC_WORKFLOWS, feature_statuses};

mod corrections;
mod reviews;

/// No session with the given id is (still) in the mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionNotFound {
    /// The id that was looked up.
    pub session_id: Uuid,
}

impl std::fmt::Display for SessionNotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the mock holds no session {}", self.session_id)
    }
}

impl std::error::Error for SessionNotFound {}

/// What a session was created with that neither its row nor the filters
/// show, and what happened to it since; the decision serves it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    metadata: Value,
    callback: Option<String>,
    contact_details: Option<Value>,
    expected_details: Option<Value>,
    reviews: Vec<Value>,
    /// The review log, oldest entry first.
    log: Vec<Value>,
    /// The token of the session's user, for the calls made on their behalf.
    pub(crate) session_token: Option<String>,
    /// The sandbox scenario whose outcome the session reproduces.
    pub(crate) scenario: Option<String>,
    corrections: corrections::Corrections,
}

/// An answer before it becomes a wiremock template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Answer {
    /// A JSON body.
    Json(u16, Value),
    /// No body.
    Empty(u16),
    /// A PDF document and the file name offered for it.
    Pdf(Vec<u8>, String),
}

pub(crate) fn detail(status: u16, message: impl Into<String>) -> Answer {
    Answer::Json(status, json!({ "detail": message.into() }))
}

pub(crate) fn field_error(field: &str, message: impl Into<Value>) -> Answer {
    let mut body = Map::new();
    body.insert(field.to_owned(), message.into());
    Answer::Json(400, Value::Object(body))
}

fn not_found() -> Answer {
    detail(404, "Not found.")
}

/// The mutable side of a server: its current sessions and what goes with
/// them. Every change swaps in a new [`Store`], so pages being written keep
/// the snapshot they started with.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) store: Arc<Store>,
    pub(crate) extras: HashMap<Uuid, Extras>,
    /// The number the next created session gets; numbers are never reused.
    pub(crate) next_number: i64,
    /// Sessions whose data a correction wrote, oldest first, until the
    /// server takes them to announce (`data.updated`).
    data_updated: Vec<Uuid>,
}

/// KYC statuses that have a PDF report.
const KYC_REPORTABLE: &[&str] = &["Approved", "Declined", "In Review", "Kyc Expired"];
/// KYB statuses that have a PDF report.
const KYB_REPORTABLE: &[&str] = &["Approved", "Declined", "In Review"];
/// Statuses a reviewer may change.
const UPDATABLE: &[&str] = &[
    "Approved",
    "Declined",
    "In Review",
    "Kyc Expired",
    "Abandoned",
    "Resubmitted",
];
/// The statuses a reviewer may set.
const NEW_STATUSES: &[&str] = &["Approved", "Declined", "Resubmitted"];
/// The steps of a KYB session, in the order its decision lists them.
const KYB_FEATURES: &[&str] = &["KYB_REGISTRY", "KYB_KEY_PEOPLE", "KYB_DOCUMENTS", "AML"];

/// Which array of a decision holds the checks of each feature. Features not
/// listed produce no array of checks.
pub(crate) const DECISION_CHECKS: &[(&str, &str)] = &[
    ("ID_VERIFICATION", "id_verifications"),
    ("NFC", "nfc_verifications"),
    ("LIVENESS", "liveness_checks"),
    ("AGE_ESTIMATION", "liveness_checks"),
    ("FACE_MATCH", "face_matches"),
    ("PHONE", "phone_verifications"),
    ("EMAIL_VERIFICATION", "email_verifications"),
    ("POA", "poa_verifications"),
    ("QUESTIONNAIRE", "questionnaire_responses"),
    ("AML", "aml_screenings"),
    ("IP_ANALYSIS", "ip_analyses"),
    ("DATABASE_VALIDATION", "database_validations"),
    ("KYB_REGISTRY", "registry_checks"),
    ("KYB_KEY_PEOPLE", "key_people_checks"),
    ("KYB_DOCUMENTS", "document_verifications"),
];

/// Every array of checks a decision has, written `null` when the session's
/// workflow does not run it.
pub(crate) const DECISION_CHECK_ARRAYS: &[&str] = &[
    "id_verifications",
    "nfc_verifications",
    "liveness_checks",
    "face_matches",
    "phone_verifications",
    "email_verifications",
    "poa_verifications",
    "document_ai_documents",
    "questionnaire_responses",
    "aml_screenings",
    "ip_analyses",
    "database_validations",
    "registry_checks",
    "key_people_checks",
    "document_verifications",
];

/// How each field of the create body must look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Uuid,
    Text,
    /// An absolute URL; custom schemes (for mobile apps) count.
    Url,
    Any,
    CallbackMethod,
    Language,
    Object,
}

/// The fields of the create body, and how each must look.
pub(crate) const CREATE_FIELDS: &[(&str, Shape)] = &[
    ("workflow_id", Shape::Uuid),
    ("vendor_data", Shape::Text),
    ("callback", Shape::Url),
    ("callback_method", Shape::CallbackMethod),
    ("metadata", Shape::Any),
    ("language", Shape::Language),
    ("contact_details", Shape::Object),
    ("expected_details", Shape::Object),
    ("portrait_image", Shape::Text),
    ("sandbox_scenario", Shape::Text),
];

/// What is wrong with `value` as a field of `shape`, in Django REST
/// Framework's words.
fn shape_problem(shape: Shape, value: &Value) -> Option<String> {
    let text = value.as_str();
    match shape {
        Shape::Any => None,
        Shape::Uuid => match text {
            Some(text) if Uuid::parse_str(text).is_ok() => None,
            _ => Some("Must be a valid UUID.".to_owned()),
        },
        Shape::Text => text.is_none().then(|| "Not a valid string.".to_owned()),
        Shape::Url => match text {
            Some(text) if is_uri(text) => None,
            Some(_) => Some("Enter a valid URL.".to_owned()),
            None => Some("Not a valid string.".to_owned()),
        },
        Shape::Object => (!value.is_object()).then(|| {
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_type(value)
            )
        }),
        Shape::CallbackMethod => {
            let known = ["initiator", "completer", "both"];
            match text {
                Some(text) if known.contains(&text) => None,
                _ => Some(format!("\"{}\" is not a valid choice.", plain(value))),
            }
        }
        Shape::Language => match text {
            Some(text) if Language::KNOWN.iter().any(|known| known.as_str() == text) => None,
            _ => Some(format!("\"{}\" is not a valid choice.", plain(value))),
        },
    }
}

/// Whether `text` is an absolute URI as RFC 3986 writes one: a scheme,
/// only the characters a URI may hold, and complete percent escapes.
fn is_uri(text: &str) -> bool {
    const ALLOWED: &str = "-._~:/?#[]@!$&'()*+,;=%";
    let bytes = text.as_bytes();
    let escapes_complete = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || ALLOWED.contains(c))
        && escapes_complete
        && url::Url::parse(text).is_ok()
}

/// Django's name for the type of a JSON value.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A value as a message quotes it: strings without their quotes.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The body as a JSON object, or the answer refusing it.
pub(crate) fn object_body(body: &[u8]) -> Result<Map<String, Value>, Answer> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(detail(
            400,
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_type(&other)
            ),
        )),
        Err(error) => Err(detail(
            400,
            format!(
                "JSON parse error - line {} column {}",
                error.line(),
                error.column()
            ),
        )),
    }
}

/// A short random token of letters and digits, as the hosted flow uses.
fn session_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..12)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect()
}

/// The workflow node that runs `feature`.
fn node_id(feature: &str) -> String {
    format!("feature_{}", feature.to_lowercase())
}

/// The feature names and statuses of a session: the row's for KYC, derived
/// from the status for KYB (whose rows do not list features).
fn features_of(session: &MockSession) -> Vec<(String, String)> {
    match session {
        MockSession::Kyc(record) => record
            .row
            .features
            .iter()
            .flatten()
            .filter_map(|feature| {
                let name = feature.feature.as_ref()?.as_str().to_owned();
                let status = feature
                    .status
                    .as_ref()
                    .map_or("Not Finished", FeatureStatus::as_str);
                Some((name, status.to_owned()))
            })
            .collect(),
        MockSession::Kyb(record) => {
            let status = record.row.status.as_ref().map_or("", SessionStatus::as_str);
            KYB_FEATURES
                .iter()
                .zip(feature_statuses(status, KYB_FEATURES.len(), 0))
                .map(|(name, status)| ((*name).to_owned(), status.to_owned()))
                .collect()
        }
    }
}

impl State {
    pub(crate) fn new(store: Arc<Store>) -> Self {
        let next_number = store.highest_number().unwrap_or(0) + 1;
        Self {
            store,
            extras: HashMap::new(),
            next_number,
            data_updated: Vec::new(),
        }
    }

    /// The sessions whose data corrections wrote since the last call, to
    /// announce.
    pub(crate) fn take_data_updates(&mut self) -> Vec<Uuid> {
        std::mem::take(&mut self.data_updated)
    }

    pub(crate) fn edit(&mut self, edit: impl FnOnce(&mut Vec<MockSession>)) {
        self.store = Arc::new(self.store.edited(edit));
    }

    /// The number of a session being added; numbers are never reused.
    pub(crate) fn take_session_number(&mut self) -> i64 {
        let number = self.next_number;
        self.next_number += 1;
        number
    }

    /// Replaces the session with the same id by `session`.
    pub(crate) fn replace(&mut self, session: MockSession) {
        let id = session.session_id();
        self.edit(|sessions| {
            if let Some(slot) = sessions.iter_mut().find(|s| s.session_id() == id) {
                *slot = session;
            }
        });
    }

    /// `POST /v3/session/`: a new session on `origin`'s hosted flow.
    pub(crate) fn create(&mut self, body: &[u8], origin: &str) -> Answer {
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let mut problems = Map::new();
        if !body.contains_key("workflow_id") {
            problems.insert("workflow_id".into(), json!(["This field is required."]));
        }
        for (field, shape) in CREATE_FIELDS {
            let Some(value) = body.get(*field) else {
                continue;
            };
            // Only `metadata` may be null.
            let problem = match (*shape, value) {
                (Shape::Any, _) => None,
                (_, Value::Null) => Some("This field may not be null.".to_owned()),
                _ => shape_problem(*shape, value),
            };
            if let Some(problem) = problem {
                problems.insert((*field).to_owned(), json!([problem]));
            }
        }
        if let Some(Value::Object(contact)) = body.get("contact_details")
            && let Some(language) = contact.get("email_lang")
            && let Some(problem) = shape_problem(Shape::Language, language)
        {
            problems.insert("contact_details".into(), json!({ "email_lang": [problem] }));
        }
        if !problems.is_empty() {
            return Answer::Json(400, Value::Object(problems));
        }

        let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
        let workflow_id: Uuid = text("workflow_id")
            .and_then(|id| id.parse().ok())
            .expect("checked above");
        let session_id =
            uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
        let number = self.next_number;
        self.next_number += 1;
        let token = session_token();
        let url = format!("{origin}/session/{token}");
        let vendor_data = text("vendor_data");
        let created_at = Timestamp::from(Utc::now());
        let kyb_workflow = SYNTHETIC_KYB_WORKFLOWS
            .iter()
            .find(|(id, _)| id.parse::<Uuid>().ok() == Some(workflow_id));
        let session = match kyb_workflow {
            Some((_, label)) => {
                let expected = body.get("expected_details");
                let expected_text = |field: &str| {
                    expected
                        .and_then(|details| details.get(field))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                MockSession::from(KybRecord {
                    row: {
                        let mut row = KybSession::new(SessionKind::Business)
                            .with_session_id(session_id)
                            .with_session_number(number)
                            .with_status(SessionStatus::NotStarted)
                            .with_created_at(created_at)
                            .with_workflow_id(workflow_id)
                            .with_workflow_type("kyb")
                            .with_workflow_label(*label);
                        row.vendor_data = Some(vendor_data.clone());
                        row.company_name = Some(expected_text("company_name"));
                        row.registration_number = Some(expected_text("registration_number"));
                        row.country = Some(expected_text("registry_country"));
                        row
                    },
                    facts: KybFacts::default(),
                })
            }
            None => {
                // An unknown workflow runs the first synthetic one's steps.
                let (_, _, features) = SYNTHETIC_KYC_WORKFLOWS
                    .iter()
                    .find(|(id, _, _)| id.parse::<Uuid>().ok() == Some(workflow_id))
                    .unwrap_or(&SYNTHETIC_KYC_WORKFLOWS[0]);
                MockSession::from(KycRecord {
                    row: {
                        let mut row = KycSession::new()
                            .with_session_id(session_id)
                            .with_session_kind(SessionKind::User)
                            .with_session_number(number)
                            .with_session_url(url.clone())
                            .with_status(SessionStatus::NotStarted)
                            .with_created_at(created_at)
                            .with_features(
                                features
                                    .iter()
                                    .map(|feature| {
                                        Feature::new()
                                            .with_feature(FeatureName::from(*feature))
                                            .with_status(FeatureStatus::NotFinished)
                                    })
                                    .collect::<Vec<_>>(),
                            );
                        row.vendor_data = Some(vendor_data.clone());
                        row
                    },
                    facts: KycFacts {
                        workflow_id: Some(workflow_id),
                        session_type: Some("API".to_owned()),
                        ..KycFacts::default()
                    },
                })
            }
        };
        let metadata = body.get("metadata").cloned().unwrap_or(Value::Null);
        let callback = text("callback");
        self.extras.insert(
            session_id,
            Extras {
                metadata: metadata.clone(),
                callback: callback.clone(),
                contact_details: body.get("contact_details").cloned(),
                expected_details: body.get("expected_details").cloned(),
                reviews: Vec::new(),
                log: Vec::new(),
                session_token: Some(token.clone()),
                scenario: text("sandbox_scenario"),
                ..Extras::default()
            },
        );
        self.edit(|sessions| sessions.push(session));
        Answer::Json(
            201,
            json!({
                "session_id": session_id,
                "session_number": number,
                "session_token": token,
                "url": url,
                "vendor_data": vendor_data,
                "metadata": metadata,
                "status": "Not Started",
                "workflow_id": workflow_id,
                "workflow_version": 1,
                "callback": callback,
            }),
        )
    }

    /// Moves a session to `status` as if its user had got that far: the
    /// row's status and its features' statuses agree with it.
    pub(crate) fn finish(
        &mut self,
        id: Uuid,
        status: &SessionStatus,
    ) -> Result<(), SessionNotFound> {
        let mut session = self
            .store
            .session(id)
            .ok_or(SessionNotFound { session_id: id })?;
        match &mut session {
            MockSession::Kyc(record) => {
                let features = record.row.features.get_or_insert_with(Vec::new);
                let outcomes = feature_statuses(status.as_str(), features.len(), 0);
                for (feature, outcome) in features.iter_mut().zip(outcomes) {
                    feature.status = Some(FeatureStatus::from(outcome));
                }
                record.row.status = Some(status.clone());
            }
            MockSession::Kyb(record) => record.row.status = Some(status.clone()),
        }
        self.replace(session);
        Ok(())
    }

    /// `GET /v3/session/{id}/decision/`.
    pub(crate) fn decision(&self, id: Uuid, with_events: bool) -> Option<Value> {
        let session = self.store.session(id)?;
        let extras = self.extras.get(&id).cloned().unwrap_or_default();
        let features = features_of(&session);
        let mut decision = Map::new();
        decision.insert("session_id".into(), json!(id));
        let kind = match &session {
            MockSession::Kyc(_) => "user",
            MockSession::Kyb(_) => "business",
        };
        // The console's form leaves the kind out of KYC decisions.
        if !(with_events && kind == "user") {
            decision.insert("session_kind".into(), json!(kind));
        }
        decision.insert("session_number".into(), json!(session.session_number()));
        let (url, workflow_id, vendor_data, created_at) = match &session {
            MockSession::Kyc(record) => (
                record.row.session_url.clone().flatten(),
                record.facts.workflow_id,
                record.row.vendor_data.clone().flatten(),
                record.row.created_at.clone(),
            ),
            MockSession::Kyb(record) => (
                None,
                record.row.workflow_id.flatten(),
                record.row.vendor_data.clone().flatten(),
                record.row.created_at.clone(),
            ),
        };
        decision.insert("session_url".into(), json!(url));
        decision.insert(
            "status".into(),
            json!(session.status().map(SessionStatus::as_str)),
        );
        decision.insert("workflow_id".into(), json!(workflow_id));
        let feature_list: Vec<Value> = features
            .iter()
            .map(|(name, _)| {
                if with_events {
                    // The node keeps the id its check has.
                    let shown = if name == "EMAIL_VERIFICATION" {
                        "EMAIL"
                    } else {
                        name
                    };
                    json!({ "feature": shown, "node_id": node_id(name) })
                } else {
                    json!(name)
                }
            })
            .collect();
        decision.insert("features".into(), Value::Array(feature_list));
        decision.insert("vendor_data".into(), json!(vendor_data));
        decision.insert("metadata".into(), extras.metadata.clone());
        decision.insert("expected_details".into(), json!(extras.expected_details));
        decision.insert("contact_details".into(), json!(extras.contact_details));
        decision.insert("callback".into(), json!(extras.callback));
        for array in DECISION_CHECK_ARRAYS {
            decision.insert((*array).into(), Value::Null);
        }
        for (feature, status) in &features {
            let Some((_, array)) = DECISION_CHECKS.iter().find(|(name, _)| name == feature) else {
                continue;
            };
            let check = check_of(&session, feature, status);
            match decision.get_mut(*array) {
                Some(Value::Array(checks)) => checks.push(check),
                _ => {
                    decision.insert((*array).into(), json!([check]));
                }
            }
        }
        corrections::overlay(&session, &extras.corrections, &mut decision);
        decision.insert("reviews".into(), Value::Array(extras.reviews));
        decision.insert("created_at".into(), json!(created_at));
        decision.insert("expires_at".into(), Value::Null);
        decision.insert("environment".into(), json!("sandbox"));
        Some(Value::Object(decision))
    }

    /// `PATCH /v3/session/{id}/update-status/`.
    pub(crate) fn update_status(&mut self, id: Uuid, body: &[u8]) -> Answer {
        let Some(mut session) = self.store.session(id) else {
            return not_found();
        };
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let new_status = match body.get("new_status") {
            None | Some(Value::Null) => {
                return field_error("new_status", json!(["This field is required."]));
            }
            Some(Value::String(status)) if NEW_STATUSES.contains(&status.as_str()) => {
                status.clone()
            }
            Some(Value::String(status))
                if SessionStatus::KNOWN
                    .iter()
                    .any(|known| known.as_str() == status) =>
            {
                return field_error(
                    "new_status",
                    json!([
                        "You can only update the status to 'Approved', 'Declined', or 'Resubmitted'."
                    ]),
                );
            }
            Some(other) => {
                return field_error(
                    "new_status",
                    json!([format!("\"{}\" is not a valid choice.", plain(other))]),
                );
            }
        };
        if body.get("send_email") == Some(&Value::Bool(true))
            && !body.get("email_address").is_some_and(Value::is_string)
        {
            return field_error(
                "email_address",
                json!(["Email address is required when send_email is true."]),
            );
        }
        let nodes = match body.get("nodes_to_resubmit") {
            None | Some(Value::Null) => None,
            Some(Value::Array(nodes)) => match resubmit_nodes(nodes) {
                Ok(nodes) => Some(nodes),
                Err(answer) => return answer,
            },
            Some(other) => {
                return field_error(
                    "nodes_to_resubmit",
                    json!([format!(
                        "Expected a list of items but got type \"{}\".",
                        json_type(other)
                    )]),
                );
            }
        };
        let current = session
            .status()
            .map(|status| status.as_str().to_owned())
            .unwrap_or_default();
        if !UPDATABLE.contains(&current.as_str()) {
            return detail(
                400,
                format!(
                    "Only sessions with status {} can be updated. Current status: {current}",
                    UPDATABLE.join(", ")
                ),
            );
        }
        if current == new_status {
            return Answer::Json(
                400,
                json!(["The new status is the same as the current status."]),
            );
        }

        let status = SessionStatus::from(new_status.as_str());
        match &mut session {
            MockSession::Kyc(record) => {
                if new_status == "Resubmitted" {
                    let features = record.row.features.get_or_insert_with(Vec::new);
                    let chosen: Vec<usize> = match &nodes {
                        Some(nodes) => features
                            .iter()
                            .enumerate()
                            .filter(|(_, f)| {
                                let name = f.feature.as_ref().map_or("", FeatureName::as_str);
                                nodes.iter().any(|node| resubmits(node, name))
                            })
                            .map(|(i, _)| i)
                            .collect(),
                        None => features
                            .iter()
                            .enumerate()
                            .filter(|(_, f)| f.status != Some(FeatureStatus::Approved))
                            .map(|(i, _)| i)
                            .collect(),
                    };
                    if chosen.is_empty() {
                        return field_error(
                            "nodes_to_resubmit",
                            "No features found that need resubmission. All features are already approved.",
                        );
                    }
                    for i in chosen {
                        features[i].status = Some(FeatureStatus::ResubmissionRequested);
                    }
                }
                record.row.status = Some(status.clone());
            }
            MockSession::Kyb(record) => record.row.status = Some(status.clone()),
        }
        let review = json!({
            "user": "API",
            "new_status": new_status,
            "comment": body.get("comment").and_then(Value::as_str).unwrap_or(""),
            "created_at": Timestamp::from(Utc::now()),
        });
        self.extras.entry(id).or_default().reviews.push(review);
        let comment = body.get("comment").and_then(Value::as_str);
        self.log_status_change(id, &current, &new_status, comment);
        self.replace(session);
        Answer::Json(200, json!({ "session_id": id }))
    }

    /// `DELETE /v3/session/{id}/delete/`.
    pub(crate) fn delete(&mut self, id: Uuid) -> Answer {
        if self.store.session(id).is_none() {
            return not_found();
        }
        self.extras.remove(&id);
        self.edit(|sessions| sessions.retain(|s| s.session_id() != Some(id)));
        Answer::Empty(204)
    }

    /// `POST /v3/sessions/delete/`.
    pub(crate) fn delete_many(&mut self, body: &[u8]) -> Answer {
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        if body.get("delete_all") == Some(&Value::Bool(true)) {
            self.extras.clear();
            self.edit(Vec::clear);
            return Answer::Empty(204);
        }
        let numbers = match body.get("session_numbers") {
            None | Some(Value::Null) => {
                return field_error(
                    "session_numbers",
                    json!(["This field is required unless delete_all is true."]),
                );
            }
            Some(Value::Array(numbers)) if numbers.is_empty() => {
                return field_error("session_numbers", json!(["This list may not be empty."]));
            }
            Some(Value::Array(numbers)) => numbers,
            Some(other) => {
                return field_error(
                    "session_numbers",
                    json!([format!(
                        "Expected a list of items but got type \"{}\".",
                        json_type(other)
                    )]),
                );
            }
        };
        let parsed: Option<Vec<i64>> = numbers
            .iter()
            .map(|number| {
                let text = number.as_str()?;
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                text.parse().ok()
            })
            .collect();
        let Some(numbers) = parsed else {
            return field_error(
                "session_numbers",
                json!(["All session_numbers must be numeric."]),
            );
        };
        let gone: Vec<Uuid> = self
            .store
            .rows()
            .iter()
            .filter(|row| row.session_number().is_some_and(|n| numbers.contains(&n)))
            .filter_map(|row| row.session_id())
            .collect();
        for id in &gone {
            self.extras.remove(id);
        }
        self.edit(|sessions| {
            sessions.retain(|s| s.session_number().is_none_or(|n| !numbers.contains(&n)))
        });
        Answer::Empty(204)
    }

    /// `GET /v3/session/{id}/generate-pdf/`.
    pub(crate) fn pdf(&self, id: Uuid) -> Answer {
        let Some(session) = self.store.session(id) else {
            return not_found();
        };
        let status = session.status().map_or("", SessionStatus::as_str);
        let (reportable, refusal) = match session {
            MockSession::Kyc(_) => (
                KYC_REPORTABLE,
                "You can only generate a PDF for sessions in review, declined, approved or kyc expired",
            ),
            MockSession::Kyb(_) => (
                KYB_REPORTABLE,
                "You can only generate a PDF for sessions in review, declined or approved",
            ),
        };
        if !reportable.contains(&status) {
            return detail(403, refusal);
        }
        let number = session
            .session_number()
            .map_or_else(String::new, |n| n.to_string());
        let lines = [
            "Verification report (mock)".to_owned(),
            format!("Session {id}"),
            format!("Session number {number}"),
            format!("Status {status}"),
        ];
        Answer::Pdf(crate::pdf::document(&lines), format!("session-{id}.pdf"))
    }
}

/// One step of `nodes_to_resubmit`, checked.
struct Node {
    node_id: String,
    feature: String,
}

/// Whether `node` sends the row feature `name` back to the user: named by
/// its node or its feature (the document steps also answer to `OCR`).
fn resubmits(node: &Node, name: &str) -> bool {
    node.node_id == node_id(name)
        || node.feature == name
        || (name == "ID_VERIFICATION" && node.feature.starts_with("OCR"))
        || (name == "EMAIL_VERIFICATION" && node.feature == "EMAIL")
        || (name == "PHONE" && node.feature == "PHONE_VERIFICATION")
        || (name == "POA" && node.feature == "PROOF_OF_ADDRESS")
        || (name == "LIVENESS" && node.feature == "FACE")
}

/// The steps of `nodes_to_resubmit`, or the answer listing each entry's
/// problems in place (an empty object for a good entry).
fn resubmit_nodes(nodes: &[Value]) -> Result<Vec<Node>, Answer> {
    let choices: Vec<&str> = ResubmittableFeature::KNOWN
        .iter()
        .map(ResubmittableFeature::as_str)
        .collect();
    let mut problems = Vec::new();
    let mut good = Vec::new();
    for node in nodes {
        let mut problem = Map::new();
        let node_id = node.get("node_id").and_then(Value::as_str);
        if node_id.is_none() {
            problem.insert("node_id".into(), json!(["This field is required."]));
        }
        let feature = node.get("feature");
        match feature.and_then(Value::as_str) {
            Some(name) if choices.contains(&name) => {}
            None if feature.is_none() => {
                problem.insert("feature".into(), json!(["This field is required."]));
            }
            _ => {
                problem.insert(
                    "feature".into(),
                    json!([format!(
                        "\"{}\" is not a valid choice. Valid choices are: {}",
                        feature.map(plain).unwrap_or_default(),
                        choices.join(", ")
                    )]),
                );
            }
        }
        if problem.is_empty() {
            good.push(Node {
                node_id: node_id.unwrap_or_default().to_owned(),
                feature: feature
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        problems.push(Value::Object(problem));
    }
    if problems
        .iter()
        .any(|p| p.as_object().is_some_and(|p| !p.is_empty()))
    {
        return Err(field_error("nodes_to_resubmit", Value::Array(problems)));
    }
    Ok(good)
}

/// One synthetic check of `feature`, consistent with the session's row.
fn check_of(session: &MockSession, feature: &str, status: &str) -> Value {
    let mut check = json!({
        "node_id": node_id(feature),
        "status": status,
        "warnings": [],
    });
    let fields = check.as_object_mut().expect("a check is an object");
    match (session, feature) {
        (MockSession::Kyc(record), "ID_VERIFICATION") => {
            let row = &record.row;
            if let Some(kind) = row.document_type.clone().flatten() {
                fields.insert("document_type".into(), json!(kind));
            }
            if let Some(name) = row.full_name.clone().flatten() {
                fields.insert("full_name".into(), json!(name));
            }
            if let Some(country) = row.country.clone().flatten() {
                fields.insert("issuing_state".into(), json!(country));
            }
        }
        (MockSession::Kyb(record), "KYB_REGISTRY") => {
            fields.insert("data_resolved".into(), json!(status == "Approved"));
            let row = &record.row;
            let mut company = Map::new();
            if let Some(name) = row.company_name.clone().flatten() {
                company.insert("company_name".into(), json!(name));
            }
            if let Some(number) = row.registration_number.clone().flatten() {
                company.insert("registration_number".into(), json!(number));
            }
            if !company.is_empty() {
                fields.insert("company".into(), Value::Object(company));
            }
        }
        (_, "AML") => {
            fields.insert("total_hits".into(), json!(0));
        }
        _ => {}
    }
    check
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn schema(name: &str) -> Value {
        let spec = didit_contract::Spec::load().expect("the spec loads");
        spec.json
            .pointer(&format!("/components/schemas/{name}"))
            .cloned()
            .unwrap_or_else(|| panic!("the spec has no schema {name}"))
    }

    fn properties(name: &str) -> BTreeSet<String> {
        schema(name)["properties"]
            .as_object()
            .expect("an object schema")
            .keys()
            .cloned()
            .collect()
    }

    fn enumeration(name: &str) -> BTreeSet<String> {
        schema(name)["enum"]
            .as_array()
            .expect("an enum schema")
            .iter()
            .map(|value| value.as_str().expect("string values").to_owned())
            .collect()
    }

    #[test]
    fn the_create_fields_are_the_request_schemas() {
        let ours: BTreeSet<String> = CREATE_FIELDS.iter().map(|(f, _)| (*f).to_owned()).collect();
        let spec = properties("CreateSessionRequest");
        assert_eq!(
            spec.difference(&ours).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "create fields the mock does not check"
        );
        assert_eq!(
            ours.difference(&spec).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "create fields the spec does not have"
        );
        let methods: BTreeSet<String> =
            ["initiator", "completer", "both"].map(str::to_owned).into();
        assert_eq!(methods, enumeration("CallbackMethod"));
    }

    #[test]
    fn the_decision_arrays_are_the_decisions_check_arrays() {
        let decision = schema("SessionDecision");
        let spec: BTreeSet<String> = decision["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(name, property)| {
                property["type"] == "array" && *name != "features" && *name != "reviews"
            })
            .map(|(name, _)| name.clone())
            .collect();
        let ours: BTreeSet<String> = DECISION_CHECK_ARRAYS
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        assert_eq!(spec, ours, "arrays of checks");
        let features = enumeration("FeatureName");
        for (feature, array) in DECISION_CHECKS {
            assert!(
                features.contains(*feature),
                "{feature} is not a FeatureName"
            );
            assert!(ours.contains(*array), "{array} is not an array of checks");
        }
        for feature in KYB_FEATURES {
            assert!(
                features.contains(*feature),
                "{feature} is not a FeatureName"
            );
        }
    }

    #[test]
    fn callbacks_must_be_uris() {
        for good in ["https://example.com/done?x=1%20", "myapp://verified", "a:b"] {
            assert!(is_uri(good), "{good}");
        }
        for bad in [
            "",
            "not a url",
            "a:¡",
            "https://example.com/%zz",
            "/relative",
            "https://x/{y}",
        ] {
            assert!(!is_uri(bad), "{bad}");
        }
    }

    #[test]
    fn the_status_lists_are_statuses() {
        let statuses = enumeration("SessionStatus");
        for status in KYC_REPORTABLE.iter().chain(KYB_REPORTABLE).chain(UPDATABLE) {
            assert!(
                statuses.contains(*status),
                "{status} is not a SessionStatus"
            );
        }
        let new: BTreeSet<String> = NEW_STATUSES.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(new, enumeration("NewSessionStatus"));
    }
}
