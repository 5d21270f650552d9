//! Corrections after a review: the data read from a session's identity and
//! proof-of-address documents, its KYB company's registry data, the status
//! of one step, and verdicts on AML hits. What is corrected is kept beside
//! the session and laid over its decision, where the real API shows it.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use didit_api::types::AdditionalDetails;
use didit_api::{AmlReviewStatus, FeatureName, FeatureStatus, SessionStatus, Timestamp};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{
    Answer, KYC_REPORTABLE, State, check_of, detail, features_of, field_error, json_type, node_id,
    not_found, object_body, plain,
};
use crate::store::MockSession;

/// What was corrected in one session since it was created.
#[derive(Clone, Debug, Default)]
pub(super) struct Corrections {
    /// The identity document's record, by node: the properties written.
    documents: BTreeMap<String, Map<String, Value>>,
    /// The proof-of-address record, by node: the properties written.
    addresses: BTreeMap<String, Map<String, Value>>,
    /// The KYB company's record: the properties written, under the names
    /// the company record answers with.
    company: Map<String, Value>,
    /// The properties written into the company's registry snapshot.
    registry_data: Map<String, Value>,
    /// When the company was last corrected.
    company_edited_at: Option<Timestamp>,
    /// Statuses given by hand to the steps of a KYB session, by node (a KYC
    /// session keeps them on its row's features).
    step_statuses: BTreeMap<String, String>,
    /// Verdicts on AML hits, by hit id.
    hit_reviews: BTreeMap<String, String>,
}

/// How a corrected property must look.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// A string of at most this many characters, or `null` when nullable.
    Text(usize, bool),
    /// A `YYYY-MM-DD` date, or `null` when nullable.
    Date(bool),
    /// One of these values, or `null`.
    Choice(&'static [&'static str]),
    /// An ISO 3166-1 alpha-3 country code, or `null`.
    Alpha3,
    /// A JSON object whose keys are merged one by one, or `null`.
    Merged,
    /// A number, or `null`.
    Number,
}

const GENDERS: &[&str] = &["M", "F", "U"];
const MARITAL_STATUSES: &[&str] = &["SINGLE", "MARRIED", "DIVORCED", "WIDOWED", "UNKNOWN"];
const DOCUMENT_TYPES: &[&str] = &[
    "P",
    "ID",
    "DL",
    "RP",
    "Passport",
    "Identity Card",
    "Driver's License",
    "Residence Permit",
];
const POA_DOCUMENT_TYPES: &[&str] = &[
    "UTILITY_BILL",
    "BANK_STATEMENT",
    "GOVERNMENT_ISSUED_DOCUMENT",
    "OTHER_POA_DOCUMENT",
    "UNKNOWN",
];
const REGISTRY_STATUSES: &[&str] = &[
    "active",
    "dissolved",
    "deregistered",
    "see full details",
    "authorised",
    "appointed representative",
    "unauthorised",
    "inactive",
    "no longer authorised",
    "closed",
    "struck off",
];
const COMPANY_VERIFICATION_STATUSES: &[&str] = &["verified", "failed", "unknown"];
/// The statuses a step may be given by hand.
const STEP_STATUSES: &[&str] = &["Approved", "Declined", "In Review"];

/// The properties of a document correction.
const DOCUMENT_RULES: &[(&str, Rule)] = &[
    ("document_type", Rule::Choice(DOCUMENT_TYPES)),
    ("document_subtype", Rule::Text(128, true)),
    ("document_number", Rule::Text(255, true)),
    ("personal_number", Rule::Text(255, true)),
    ("date_of_birth", Rule::Date(true)),
    ("date_of_issue", Rule::Date(true)),
    ("expiration_date", Rule::Date(true)),
    ("issuing_state", Rule::Alpha3),
    ("first_name", Rule::Text(255, true)),
    ("last_name", Rule::Text(255, true)),
    ("gender", Rule::Choice(GENDERS)),
    ("address", Rule::Text(255, true)),
    ("place_of_birth", Rule::Text(255, true)),
    ("nationality", Rule::Text(32, true)),
    ("marital_status", Rule::Choice(MARITAL_STATUSES)),
    ("extra_fields", Rule::Merged),
    ("parsed_address", Rule::Merged),
];

/// The properties of a proof-of-address correction.
const POA_RULES: &[(&str, Rule)] = &[
    ("issuing_state", Rule::Alpha3),
    ("document_type", Rule::Choice(POA_DOCUMENT_TYPES)),
    ("document_language", Rule::Text(50, true)),
    ("issuer", Rule::Text(255, true)),
    ("issue_date", Rule::Date(true)),
    ("poa_address", Rule::Text(usize::MAX, true)),
    ("name_on_document", Rule::Text(255, true)),
    ("extra_fields", Rule::Merged),
    ("poa_parsed_address", Rule::Merged),
];

/// The properties of a company correction.
const COMPANY_RULES: &[(&str, Rule)] = &[
    ("company_name", Rule::Text(255, false)),
    ("registration_number", Rule::Text(100, false)),
    ("country_code", Rule::Text(2, false)),
    ("region", Rule::Text(10, true)),
    ("incorporation_date", Rule::Date(false)),
    ("registration_date", Rule::Date(true)),
    ("dissolution_date", Rule::Date(true)),
    ("tax_number", Rule::Text(100, false)),
    ("legal_address", Rule::Text(usize::MAX, false)),
    ("company_type", Rule::Text(100, false)),
    ("registry_status", Rule::Choice(REGISTRY_STATUSES)),
    (
        "verification_status",
        Rule::Choice(COMPANY_VERIFICATION_STATUSES),
    ),
    ("alternative_names", Rule::Text(usize::MAX, false)),
    ("nature_of_business", Rule::Text(usize::MAX, false)),
    ("registered_capital", Rule::Text(100, false)),
    ("registered_capital_amount", Rule::Number),
    ("registered_capital_currency", Rule::Text(3, true)),
    ("website", Rule::Text(500, false)),
    ("email", Rule::Text(usize::MAX, false)),
    ("phone", Rule::Text(50, false)),
    ("legal_entity_identifier", Rule::Text(50, false)),
    ("location_of_registration", Rule::Text(255, false)),
    ("vat_number", Rule::Text(64, false)),
    ("control_scheme", Rule::Text(usize::MAX, false)),
];

/// Company properties written to the registry snapshot only.
const SNAPSHOT_ONLY: &[&str] = &[
    "region",
    "registration_date",
    "dissolution_date",
    "control_scheme",
    "vat_number",
];

/// What is wrong with `value` under `rule`, in Django REST Framework's
/// words.
fn rule_problem(rule: Rule, value: &Value) -> Option<String> {
    let nullable = match rule {
        Rule::Text(_, nullable) | Rule::Date(nullable) => nullable,
        _ => true,
    };
    if value.is_null() {
        return (!nullable).then(|| "This field may not be null.".to_owned());
    }
    match rule {
        Rule::Text(max, _) => match value.as_str() {
            None => Some("Not a valid string.".to_owned()),
            Some(text) if text.chars().count() > max => Some(format!(
                "Ensure this field has no more than {max} characters."
            )),
            Some(_) => None,
        },
        Rule::Date(_) => match value.as_str() {
            Some(text) if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() => None,
            _ => Some(
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.".to_owned(),
            ),
        },
        Rule::Choice(choices) => match value.as_str() {
            Some(text) if choices.contains(&text) => None,
            _ => Some(format!("\"{}\" is not a valid choice.", plain(value))),
        },
        Rule::Alpha3 => match value.as_str() {
            Some(text) if text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()) => None,
            _ => Some("Invalid ISO 3166-1 alpha-3 country code for issuing_state.".to_owned()),
        },
        Rule::Merged => {
            (!value.is_object()).then(|| "This field must be a JSON object.".to_owned())
        }
        Rule::Number => (!value.is_number()).then(|| "A valid number is required.".to_owned()),
    }
}

/// The properties of `body` that `rules` know, checked; unknown properties
/// are ignored, as the API ignores them.
fn checked(body: &[u8], rules: &[(&str, Rule)]) -> Result<Map<String, Value>, Answer> {
    let body = object_body(body)?;
    let mut problems = Map::new();
    let mut written = Map::new();
    for (name, value) in body {
        let Some((_, rule)) = rules.iter().find(|(known, _)| *known == name) else {
            continue;
        };
        match rule_problem(*rule, &value) {
            Some(problem) => {
                problems.insert(name, json!([problem]));
            }
            None => {
                written.insert(name, value);
            }
        }
    }
    if problems.is_empty() {
        Ok(written)
    } else {
        Err(Answer::Json(400, Value::Object(problems)))
    }
}

/// Writes `corrected` over `record`: objects merge key by key, and a key
/// set to `null` or an empty string is removed.
fn merge(record: &mut Map<String, Value>, corrected: &Map<String, Value>) {
    for (name, value) in corrected {
        match (record.get_mut(name), value) {
            (Some(Value::Object(stored)), Value::Object(keys)) => {
                for (key, value) in keys {
                    if value.is_null() || value == "" {
                        stored.remove(key);
                    } else {
                        stored.insert(key.clone(), value.clone());
                    }
                }
            }
            _ => {
                let value = match value {
                    Value::Object(keys) => Value::Object(
                        keys.iter()
                            .filter(|(_, v)| !(v.is_null() || *v == ""))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    other => other.clone(),
                };
                record.insert(name.clone(), value);
            }
        }
    }
}

/// The single-line form of a structured address.
fn formatted(address: &Map<String, Value>) -> Value {
    let parts: Vec<&str> = ["street_1", "street_2", "city", "postal_code", "country"]
        .iter()
        .filter_map(|key| address.get(*key).and_then(Value::as_str))
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() {
        Value::Null
    } else {
        json!(parts.join(", "))
    }
}

/// The id of the KYB company of the session `session_id`: one company per
/// session, named by an id the session's own id gives back.
pub(super) fn company_id(session_id: Uuid) -> Uuid {
    Uuid::from_u128(session_id.as_u128() ^ COMPANY_MASK)
}

/// Turns a session id into its company's id and back.
const COMPANY_MASK: u128 = 0x00c0_ffee_0000_4000_8000_0000_00c0_ffee;

/// The ids of the hits of the session's AML check: as many as its row
/// says the screening found, or, without a row's count, two once the
/// screening has run.
fn hit_ids(session: &MockSession, aml_status: &str) -> Vec<String> {
    let counted = match session {
        MockSession::Kyc(record) => record
            .row
            .additional_details
            .clone()
            .flatten()
            .and_then(|details: AdditionalDetails| details.aml)
            .and_then(|aml| aml.total_hits),
        MockSession::Kyb(_) => None,
    };
    let screened = aml_status != "Not Finished";
    let found = counted.unwrap_or(if screened { 2 } else { 0 });
    let number = session.session_number().unwrap_or(0);
    (1..=found.max(0))
        .map(|hit| format!("hit-{number}-{hit}"))
        .collect()
}

/// Didit's name for the kind of record a step keeps.
fn feature_type(feature: &str) -> &str {
    match feature {
        "ID_VERIFICATION" => "KYC",
        "LIVENESS" | "AGE_ESTIMATION" => "Face",
        "FACE_MATCH" => "FaceMatch",
        "KYB_REGISTRY" => "KYBRegistry",
        "KYB_KEY_PEOPLE" => "KYBKeyPeople",
        "KYB_DOCUMENTS" => "KYBDocuments",
        other => other,
    }
}

/// Lays the corrections of a session over its decision.
pub(super) fn overlay(
    session: &MockSession,
    corrections: &Corrections,
    decision: &mut Map<String, Value>,
) {
    let checks = |decision: &mut Map<String, Value>, array: &str| -> Vec<Value> {
        match decision.get_mut(array) {
            Some(Value::Array(checks)) => std::mem::take(checks),
            _ => Vec::new(),
        }
    };
    let put_back = |decision: &mut Map<String, Value>, array: &str, checks: Vec<Value>| {
        if let Some(Value::Array(slot)) = decision.get_mut(array) {
            *slot = checks;
        }
    };
    for array in super::DECISION_CHECK_ARRAYS {
        let mut list = checks(decision, array);
        for check in &mut list {
            let Some(check) = check.as_object_mut() else {
                continue;
            };
            let node = check
                .get("node_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if let Some(status) = corrections.step_statuses.get(&node) {
                check.insert("status".into(), json!(status));
            }
            match *array {
                "id_verifications" => {
                    if let Some(corrected) = corrections.documents.get(&node) {
                        merge(check, corrected);
                        full_name(check);
                    }
                }
                "poa_verifications" => {
                    if let Some(corrected) = corrections.addresses.get(&node) {
                        merge(check, corrected);
                        poa_formatted(check);
                    }
                }
                "registry_checks" => {
                    if let Some(id) = session.session_id() {
                        let company = company_record(session, id, corrections, check);
                        check.insert("company".into(), Value::Object(company));
                    }
                }
                "aml_screenings" => {
                    let status = check
                        .get("status")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    let hits: Vec<Value> = hit_ids(session, &status)
                        .into_iter()
                        .map(|id| {
                            let verdict = corrections
                                .hit_reviews
                                .get(&id)
                                .map_or("Unreviewed", String::as_str);
                            json!({
                                "id": id,
                                "caption": "Synthetic screening hit",
                                "match": false,
                                "review_status": verdict,
                            })
                        })
                        .collect();
                    check.insert("total_hits".into(), json!(hits.len()));
                    check.insert("hits".into(), Value::Array(hits));
                }
                _ => {}
            }
        }
        put_back(decision, array, list);
    }
}

/// The full name the server recomputes from the first and last names.
fn full_name(record: &mut Map<String, Value>) {
    let names: Vec<&str> = ["first_name", "last_name"]
        .iter()
        .filter_map(|key| record.get(*key).and_then(Value::as_str))
        .collect();
    if !names.is_empty() {
        let name = names.join(" ");
        record.insert("full_name".into(), json!(name));
    }
}

/// The formatted address the server recomputes from the structured one.
fn poa_formatted(record: &mut Map<String, Value>) {
    if let Some(Value::Object(address)) = record.get("poa_parsed_address") {
        let line = formatted(address);
        record.insert("poa_formatted_address".into(), line);
    }
}

/// The company record of a KYB session with its corrections, from the
/// registry check `check` (which holds what the registry found).
fn company_record(
    session: &MockSession,
    id: Uuid,
    corrections: &Corrections,
    check: &Map<String, Value>,
) -> Map<String, Value> {
    let mut company = match check.get("company") {
        Some(Value::Object(found)) => found.clone(),
        _ => Map::new(),
    };
    company.insert("uuid".into(), json!(company_id(id)));
    company.insert(
        "node_id".into(),
        check.get("node_id").cloned().unwrap_or(Value::Null),
    );
    if let MockSession::Kyb(record) = session
        && let Some(country) = record.row.country.clone().flatten()
    {
        company.entry("country_code").or_insert(json!(country));
    }
    for (name, value) in &corrections.company {
        company.insert(name.clone(), value.clone());
    }
    let mut snapshot = Map::new();
    merge(&mut snapshot, &corrections.registry_data);
    company.insert("registry_data".into(), Value::Object(snapshot));
    company.insert(
        "last_console_edit_at".into(),
        json!(corrections.company_edited_at),
    );
    company
}

/// The properties of a stored record whose names the answer's schema has.
fn record_of(check: &Map<String, Value>, rules: &[(&str, Rule)], extra: &[&str]) -> Value {
    Value::Object(
        check
            .iter()
            .filter(|(name, _)| {
                rules.iter().any(|(known, _)| known == name) || extra.contains(&name.as_str())
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    )
}

/// Which finished KYC record a correction of `feature` writes to.
struct Target {
    node: String,
    check: Map<String, Value>,
}

impl State {
    /// The record of `feature` of the finished KYC session `id` at `node`
    /// (its only one when `node` is left out), or the 404 that tells why
    /// there is none; `label` names the record in the message.
    fn correctable(
        &self,
        id: Uuid,
        feature: &str,
        node: Option<&str>,
        label: &str,
    ) -> Result<Target, Answer> {
        let Some(session) = self.store.session(id) else {
            return Err(not_found());
        };
        if !matches!(session, MockSession::Kyc(_)) {
            return Err(not_found());
        }
        let status = session.status().map_or("", SessionStatus::as_str);
        if !KYC_REPORTABLE.contains(&status) {
            return Err(detail(404, "No Session matches the given query."));
        }
        let Some((name, step_status)) = features_of(&session)
            .into_iter()
            .find(|(name, _)| name == feature)
        else {
            return Err(detail(404, format!("The session does not have a {label}.")));
        };
        let own = node_id(&name);
        if let Some(node) = node
            && node != own
        {
            return Err(detail(
                404,
                format!("The session does not have a {label} for node '{node}'."),
            ));
        }
        let mut check = match check_of(&session, feature, &step_status) {
            Value::Object(check) => check,
            _ => Map::new(),
        };
        let mut decision = Map::new();
        decision.insert(
            if feature == "POA" {
                "poa_verifications".into()
            } else {
                "id_verifications".into()
            },
            json!([Value::Object(std::mem::take(&mut check))]),
        );
        let corrections = self.corrections(id);
        overlay(&session, &corrections, &mut decision);
        let check = decision
            .into_iter()
            .next()
            .and_then(|(_, list)| list.as_array()?.first()?.as_object().cloned())
            .unwrap_or_default();
        Ok(Target { node: own, check })
    }

    fn corrections(&self, id: Uuid) -> Corrections {
        self.extras
            .get(&id)
            .map(|extras| extras.corrections.clone())
            .unwrap_or_default()
    }

    fn corrections_mut(&mut self, id: Uuid) -> &mut Corrections {
        &mut self.extras.entry(id).or_default().corrections
    }

    /// `PATCH /v3/session/{id}/update-data/`.
    pub(crate) fn correct_document(&mut self, id: Uuid, node: Option<&str>, body: &[u8]) -> Answer {
        self.correct_record(id, node, body, "ID_VERIFICATION")
    }

    /// `PATCH /v3/session/{id}/update-poa-data/`.
    pub(crate) fn correct_poa(&mut self, id: Uuid, node: Option<&str>, body: &[u8]) -> Answer {
        self.correct_record(id, node, body, "POA")
    }

    /// A correction of the identity document's (`ID_VERIFICATION`) or the
    /// proof of address's (`POA`) record; the answer is the record after.
    fn correct_record(
        &mut self,
        id: Uuid,
        node: Option<&str>,
        body: &[u8],
        feature: &str,
    ) -> Answer {
        let (label, rules, derived): (_, _, &[&str]) = if feature == "POA" {
            ("POA", POA_RULES, &["poa_formatted_address"])
        } else {
            ("KYC", DOCUMENT_RULES, &[])
        };
        let target = match self.correctable(id, feature, node, label) {
            Ok(target) => target,
            Err(answer) => return answer,
        };
        let written = match checked(body, rules) {
            Ok(written) => written,
            Err(answer) => return answer,
        };
        let mut record = target.check;
        if !written.is_empty() {
            let corrections = self.corrections_mut(id);
            let stored = if feature == "POA" {
                &mut corrections.addresses
            } else {
                &mut corrections.documents
            };
            merge(stored.entry(target.node).or_default(), &written);
            merge(&mut record, &written);
            if feature == "POA" {
                poa_formatted(&mut record);
            }
        }
        Answer::Json(200, record_of(&record, rules, derived))
    }

    /// `PATCH /v3/session/{id}/kyb/{company}/update-data/`.
    pub(crate) fn correct_company(&mut self, id: Uuid, company: Uuid, body: &[u8]) -> Answer {
        let Some(session) = self.store.session(id) else {
            return not_found();
        };
        if !matches!(session, MockSession::Kyb(_)) {
            return not_found();
        }
        if company != company_id(id) {
            let owner = company_id(company);
            return match self.store.session(owner) {
                Some(MockSession::Kyb(_)) => {
                    detail(404, "KYB company does not belong to the given session.")
                }
                _ => detail(404, "No KYBCompany matches the given query."),
            };
        }
        let mut written = match checked(body, COMPANY_RULES) {
            Ok(written) => written,
            Err(answer) => return answer,
        };
        // Sent as a number, kept and answered as a decimal string with two
        // places, as the API does.
        if let Some(amount) = written.get_mut("registered_capital_amount")
            && let Some(number) = amount.as_f64()
        {
            *amount = Value::String(format!("{number:.2}"));
        }
        if let Some(Value::String(code)) = written.get("country_code")
            && !code.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return field_error(
                "country_code",
                json!(["country_code must be a 2-letter ISO 3166-1 alpha-2 code."]),
            );
        }
        if let Some(Value::String(email)) = written.get("email")
            && !email.contains('@')
        {
            return field_error("email", json!(["Enter a valid email address."]));
        }
        if !written.is_empty() {
            let corrections = self.corrections_mut(id);
            merge(&mut corrections.registry_data, &written);
            if let Some(address) = written.remove("legal_address") {
                written.insert("registered_address".into(), address);
            }
            for (name, value) in written {
                if !SNAPSHOT_ONLY.contains(&name.as_str()) {
                    corrections.company.insert(name, value);
                }
            }
            corrections.company_edited_at = Some(Timestamp::from(Utc::now()));
        }
        let corrections = self.corrections(id);
        let status = session.status().map_or("", SessionStatus::as_str);
        let check = match check_of(&session, "KYB_REGISTRY", status) {
            Value::Object(check) => check,
            _ => Map::new(),
        };
        Answer::Json(
            200,
            Value::Object(company_record(&session, id, &corrections, &check)),
        )
    }

    /// `PATCH /v3/session/{id}/features/{node}/update-status/`.
    pub(crate) fn update_step_status(&mut self, id: Uuid, node: &str, body: &[u8]) -> Answer {
        let Some(mut session) = self.store.session(id) else {
            return detail(404, "Session not found.");
        };
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let new_status = match body.get("new_status") {
            None => return field_error("new_status", json!(["This field is required."])),
            Some(Value::String(status)) if STEP_STATUSES.contains(&status.as_str()) => {
                status.clone()
            }
            Some(other) => {
                return field_error(
                    "new_status",
                    json!([format!("\"{}\" is not a valid choice.", plain(other))]),
                );
            }
        };
        if let Some(comment) = body.get("comment")
            && !comment.is_string()
        {
            return field_error(
                "comment",
                json!([format!("Not a valid string, got {}.", json_type(comment))]),
            );
        }
        if let MockSession::Kyc(record) = &session
            && record.facts.api_service.is_some()
        {
            return detail(400, "Cannot change feature status for API sessions.");
        }
        let corrections = self.corrections(id);
        let Some((feature, current)) = features_of(&session)
            .into_iter()
            .find(|(name, _)| node_id(name) == node)
        else {
            return detail(
                404,
                format!("No feature found with node_id '{node}' in this session."),
            );
        };
        let current = corrections
            .step_statuses
            .get(node)
            .cloned()
            .unwrap_or(current);
        if current == new_status {
            return field_error(
                "new_status",
                "The new status is the same as the current status.",
            );
        }
        match &mut session {
            MockSession::Kyc(record) => {
                for step in record.row.features.iter_mut().flatten() {
                    if step.feature.as_ref().map(FeatureName::as_str) == Some(feature.as_str()) {
                        step.status = Some(FeatureStatus::from(new_status.as_str()));
                    }
                }
                self.replace(session);
            }
            MockSession::Kyb(_) => {
                self.corrections_mut(id)
                    .step_statuses
                    .insert(node.to_owned(), new_status.clone());
            }
        }
        Answer::Json(
            200,
            json!({
                "session_id": id,
                "node_id": node,
                "feature_type": feature_type(&feature),
                "new_status": new_status,
            }),
        )
    }

    /// The hit ids of the AML check of session `id` (at `node`, when
    /// given), or the 404 that tells why there is none.
    fn aml_hits(&self, id: Uuid, node: Option<&str>) -> Result<Vec<String>, Answer> {
        let Some(session) = self.store.session(id) else {
            return Err(not_found());
        };
        let no_check = || detail(404, "The session does not have an AML check.");
        let corrections = self.corrections(id);
        let Some((_, status)) = features_of(&session)
            .into_iter()
            .find(|(name, _)| name == "AML")
        else {
            return Err(no_check());
        };
        if node.is_some_and(|node| node != node_id("AML")) {
            return Err(no_check());
        }
        let status = corrections
            .step_statuses
            .get(&node_id("AML"))
            .cloned()
            .unwrap_or(status);
        Ok(hit_ids(&session, &status))
    }

    /// `PATCH /v3/session/{id}/update-aml-hit-status/`.
    pub(crate) fn review_aml_hit(&mut self, id: Uuid, node: Option<&str>, body: &[u8]) -> Answer {
        // An unknown session is not found, whatever the body says.
        if self.store.session(id).is_none() {
            return not_found();
        }
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let verdict = match verdict_problems(&body) {
            Ok(verdict) => verdict,
            Err(problems) => return Answer::Json(400, Value::Object(problems)),
        };
        let node = node.or_else(|| body.get("node_id").and_then(Value::as_str));
        let hits = match self.aml_hits(id, node) {
            Ok(hits) => hits,
            Err(answer) => return answer,
        };
        if !hits.contains(&verdict.0) {
            return detail(
                404,
                format!("Hit with ID '{}' not found in the AML check.", verdict.0),
            );
        }
        self.corrections_mut(id)
            .hit_reviews
            .insert(verdict.0.clone(), verdict.1.clone());
        Answer::Json(
            200,
            json!({
                "message": "Hit status updated successfully",
                "hit_id": verdict.0,
                "review_status": verdict.1,
            }),
        )
    }

    /// `PATCH /v3/session/{id}/bulk-update-aml-hit-status/`.
    pub(crate) fn review_aml_hits(&mut self, id: Uuid, node: Option<&str>, body: &[u8]) -> Answer {
        // An unknown session is not found, whatever the body says.
        if self.store.session(id).is_none() {
            return not_found();
        }
        let body = match object_body(body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let entries = match body.get("hit_updates") {
            None => return field_error("hit_updates", json!(["This field is required."])),
            Some(Value::Array(entries)) if entries.is_empty() => {
                return field_error("hit_updates", json!(["hit_updates cannot be empty"]));
            }
            Some(Value::Array(entries)) => entries,
            Some(other) => {
                return field_error(
                    "hit_updates",
                    json!([format!(
                        "Expected a list of items but got type \"{}\".",
                        json_type(other)
                    )]),
                );
            }
        };
        let mut verdicts = Vec::new();
        let mut problems = Vec::new();
        for entry in entries {
            match entry.as_object().map(verdict_problems) {
                Some(Ok(verdict)) => {
                    verdicts.push(verdict);
                    problems.push(json!({}));
                }
                Some(Err(found)) => problems.push(Value::Object(found)),
                None => problems.push(json!({
                    "non_field_errors": [format!(
                        "Invalid data. Expected a dictionary, but got {}.",
                        json_type(entry)
                    )]
                })),
            }
        }
        if verdicts.len() != entries.len() {
            return field_error("hit_updates", Value::Array(problems));
        }
        let node = node.or_else(|| body.get("node_id").and_then(Value::as_str));
        let hits = match self.aml_hits(id, node) {
            Ok(hits) => hits,
            Err(answer) => return answer,
        };
        let missing: Vec<&str> = verdicts
            .iter()
            .map(|(hit, _)| hit.as_str())
            .filter(|hit| !hits.iter().any(|known| known == hit))
            .collect();
        if !missing.is_empty() {
            return detail(404, format!("Hits not found: {}", missing.join(", ")));
        }
        let reviews = &mut self.corrections_mut(id).hit_reviews;
        for (hit, verdict) in &verdicts {
            reviews.insert(hit.clone(), verdict.clone());
        }
        let updated: Vec<&String> = verdicts.iter().map(|(hit, _)| hit).collect();
        Answer::Json(
            200,
            json!({
                "message": format!("Updated {} hit(s) successfully", updated.len()),
                "updated_hits": updated,
            }),
        )
    }
}

/// The hit id and verdict of one entry, or its problems by property.
fn verdict_problems(entry: &Map<String, Value>) -> Result<(String, String), Map<String, Value>> {
    let mut problems = Map::new();
    let hit = match entry.get("hit_id") {
        None => {
            problems.insert("hit_id".into(), json!(["This field is required."]));
            None
        }
        Some(Value::String(hit)) if hit.is_empty() => {
            problems.insert("hit_id".into(), json!(["This field may not be blank."]));
            None
        }
        Some(Value::String(hit)) => Some(hit.clone()),
        Some(_) => {
            problems.insert("hit_id".into(), json!(["Not a valid string."]));
            None
        }
    };
    let verdict = match entry.get("review_status") {
        None => {
            problems.insert("review_status".into(), json!(["This field is required."]));
            None
        }
        Some(Value::String(verdict))
            if AmlReviewStatus::KNOWN
                .iter()
                .any(|known| known.as_str() == verdict) =>
        {
            Some(verdict.clone())
        }
        Some(other) => {
            problems.insert(
                "review_status".into(),
                json!([format!("\"{}\" is not a valid choice.", plain(other))]),
            );
            None
        }
    };
    match (hit, verdict) {
        (Some(hit), Some(verdict)) => Ok((hit, verdict)),
        _ => Err(problems),
    }
}
