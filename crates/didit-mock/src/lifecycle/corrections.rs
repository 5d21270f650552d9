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
    /// One of these values, or `null` when nullable.
    Choice(&'static [&'static str], bool),
    /// An ISO 3166-1 alpha-3 country code in any letter case (stored in
    /// capitals), or `null`.
    Alpha3,
    /// A JSON object whose keys are merged one by one into the corrections
    /// made before, or `null`, which drops them.
    Merged(Keys),
    /// A number, or `null`.
    Number,
}

/// Which keys a merged object may hold, and how their values must look;
/// a key with `null` (or an empty string) removes it.
#[derive(Clone, Copy, Debug)]
enum Keys {
    /// Only these keys, each a string.
    Only(&'static [&'static str]),
    /// Any key; these ones a string, and these ones a list of strings.
    Typed(&'static [&'static str], &'static [&'static str]),
}

/// The keys of a structured address a correction may set.
const ADDRESS_KEYS: &[&str] = &[
    "address_type",
    "street_1",
    "street_2",
    "city",
    "region",
    "postal_code",
    "country",
];
/// The identity document's further fields that hold text.
const ID_EXTRA_TEXTS: &[&str] = &[
    "blood_group",
    "first_name_non_latin",
    "last_name_non_latin",
    "middle_name_non_latin",
    "full_name_non_latin",
    "address_non_latin",
    "place_of_birth_non_latin",
    "first_name_latin",
    "last_name_latin",
    "middle_name_latin",
    "full_name_latin",
    "address_latin",
    "place_of_birth_latin",
];
/// The proof-of-address document's further fields that hold text.
const POA_EXTRA_TEXTS: &[&str] = &[
    "bank_account_number",
    "bank_iban",
    "bank_sort_code",
    "bank_routing_number",
    "bank_swift_bic",
    "bank_branch_name",
    "bank_branch_address",
    "document_phone_number",
];

const GENDERS: &[&str] = &["M", "F", "U"];
const MARITAL_STATUSES: &[&str] = &["SINGLE", "MARRIED", "DIVORCED", "WIDOWED", "UNKNOWN"];
/// The document codes a correction may set.
const DOCUMENT_TYPES: &[&str] = &[
    "P",
    "DL",
    "ID",
    "RP",
    "SSC",
    "HIC",
    "WP",
    "TC",
    "VISA",
    "PSC",
    "BC",
    "OTHER",
    // The long names the server takes too, and stores as their codes.
    "Passport",
    "Identity Card",
    "Driver's License",
    "Residence Permit",
    "Health Insurance Card",
    "Tax Card",
];
/// The long document names a correction may send, and the codes stored.
const DOCUMENT_CODES: &[(&str, &str)] = &[
    ("Passport", "P"),
    ("Identity Card", "ID"),
    ("Driver's License", "DL"),
    ("Residence Permit", "RP"),
    ("Health Insurance Card", "HIC"),
    ("Tax Card", "TC"),
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

/// The rules of one kind of correction: each property's name and rule.
type Rules = &'static [(&'static str, Rule)];

/// The properties of a document correction.
const DOCUMENT_RULES: Rules = &[
    ("document_type", Rule::Choice(DOCUMENT_TYPES, true)),
    ("document_subtype", Rule::Text(128, true)),
    ("document_number", Rule::Text(255, true)),
    ("personal_number", Rule::Text(255, true)),
    ("date_of_birth", Rule::Date(true)),
    ("date_of_issue", Rule::Date(true)),
    ("expiration_date", Rule::Date(true)),
    ("issuing_state", Rule::Alpha3),
    ("first_name", Rule::Text(255, true)),
    ("last_name", Rule::Text(255, true)),
    ("gender", Rule::Choice(GENDERS, true)),
    ("address", Rule::Text(255, true)),
    ("place_of_birth", Rule::Text(255, true)),
    ("nationality", Rule::Text(32, true)),
    ("marital_status", Rule::Choice(MARITAL_STATUSES, false)),
    (
        "extra_fields",
        Rule::Merged(Keys::Typed(ID_EXTRA_TEXTS, &["dl_categories"])),
    ),
    ("parsed_address", Rule::Merged(Keys::Only(ADDRESS_KEYS))),
];

/// The properties of a proof-of-address correction.
const POA_RULES: Rules = &[
    ("issuing_state", Rule::Alpha3),
    ("document_type", Rule::Choice(POA_DOCUMENT_TYPES, false)),
    ("document_language", Rule::Text(50, true)),
    ("issuer", Rule::Text(255, true)),
    ("issue_date", Rule::Date(true)),
    ("poa_address", Rule::Text(usize::MAX, true)),
    ("name_on_document", Rule::Text(255, true)),
    (
        "extra_fields",
        Rule::Merged(Keys::Typed(POA_EXTRA_TEXTS, &["additional_names"])),
    ),
    ("poa_parsed_address", Rule::Merged(Keys::Only(ADDRESS_KEYS))),
];

/// The properties of a company correction.
const COMPANY_RULES: Rules = &[
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
    ("registry_status", Rule::Choice(REGISTRY_STATUSES, true)),
    (
        "verification_status",
        Rule::Choice(COMPANY_VERIFICATION_STATUSES, true),
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
/// words: a list of messages, or an object of them by key for a merged
/// object's keys.
fn rule_problem(rule: Rule, value: &Value) -> Option<Value> {
    if let (Rule::Merged(keys), Value::Object(map)) = (rule, value) {
        let problems: Map<String, Value> = map
            .iter()
            .filter_map(|(key, value)| {
                key_problem(keys, key, value).map(|problem| (key.clone(), json!([problem])))
            })
            .collect();
        return (!problems.is_empty()).then_some(Value::Object(problems));
    }
    value_problem(rule, value).map(|problem| json!([problem]))
}

/// What is wrong with the value of `key` in a merged object.
fn key_problem(keys: Keys, key: &str, value: &Value) -> Option<String> {
    if value.is_null() || value == "" {
        return None;
    }
    let (texts, lists): (&[&str], &[&str]) = match keys {
        Keys::Only(known) if !known.contains(&key) => {
            return Some(format!(
                "Unknown key. Valid keys are: {}.",
                known.join(", ")
            ));
        }
        Keys::Only(known) => (known, &[]),
        Keys::Typed(texts, lists) => (texts, lists),
    };
    if texts.contains(&key) && !value.is_string() {
        return Some("Not a valid string.".to_owned());
    }
    let strings = |list: &Vec<Value>| list.iter().all(Value::is_string);
    if lists.contains(&key) && !value.as_array().is_some_and(strings) {
        return Some("Must be a list of strings or null.".to_owned());
    }
    None
}

/// What is wrong with the single value `value` under `rule`.
fn value_problem(rule: Rule, value: &Value) -> Option<String> {
    let nullable = match rule {
        Rule::Text(_, nullable) | Rule::Date(nullable) | Rule::Choice(_, nullable) => nullable,
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
        Rule::Choice(choices, _) => match value.as_str() {
            Some(text) if choices.contains(&text) => None,
            _ => Some(format!("\"{}\" is not a valid choice.", plain(value))),
        },
        Rule::Alpha3 => match value.as_str() {
            Some(text) if text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()) => None,
            _ => Some("Invalid ISO 3166-1 alpha-3 country code for issuing_state.".to_owned()),
        },
        Rule::Merged(_) => {
            (!value.is_object()).then(|| "This field must be a JSON object.".to_owned())
        }
        Rule::Number => (!value.is_number()).then(|| "A valid number is required.".to_owned()),
    }
}

/// The properties of `body` that `rules` know, checked; unknown properties
/// are ignored, as the API ignores them.
fn checked(body: &[u8], rules: Rules) -> Result<Map<String, Value>, Answer> {
    let body = object_body(body)?;
    let mut problems = Map::new();
    let mut written = Map::new();
    for (name, value) in body {
        let Some((_, rule)) = rules.iter().find(|(known, _)| *known == name) else {
            continue;
        };
        match rule_problem(*rule, &value) {
            Some(problem) => {
                problems.insert(name, problem);
            }
            None => {
                written.insert(name, stored_form(*rule, value));
            }
        }
    }
    if problems.is_empty() {
        Ok(written)
    } else {
        Err(Answer::Json(400, Value::Object(problems)))
    }
}

/// How the server stores `value`, valid under `rule`: country codes in
/// capitals, a document's long name as its code.
fn stored_form(rule: Rule, value: Value) -> Value {
    match (rule, value) {
        (Rule::Alpha3, Value::String(code)) => Value::String(code.to_ascii_uppercase()),
        (Rule::Choice(..), Value::String(choice)) => Value::String(
            DOCUMENT_CODES
                .iter()
                .find(|(name, _)| *name == choice)
                .map_or(choice, |(_, code)| (*code).to_owned()),
        ),
        (_, value) => value,
    }
}

/// Adds `written` to the corrections `stored` made before: a property
/// replaces its earlier value; a merged object's keys add to its earlier
/// keys (a removal is kept, to remove the key from the record too), and
/// `null` for the whole object drops its earlier corrections.
fn accumulate(stored: &mut Map<String, Value>, written: &Map<String, Value>, rules: Rules) {
    for (name, value) in written {
        let merged = rules
            .iter()
            .any(|(known, rule)| known == name && matches!(rule, Rule::Merged(_)));
        match value {
            Value::Object(keys) => {
                let slot = stored
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(earlier) = slot {
                    earlier.extend(keys.iter().map(|(k, v)| (k.clone(), v.clone())));
                } else {
                    *slot = Value::Object(keys.clone());
                }
            }
            Value::Null if merged => {
                stored.remove(name);
            }
            other => {
                stored.insert(name.clone(), other.clone());
            }
        }
    }
}

/// Lays the corrections `stored` over `record`: a merged object's keys go
/// in one by one, and a key set to `null` or an empty string is removed.
fn lay_over(record: &mut Map<String, Value>, stored: &Map<String, Value>) {
    for (name, value) in stored {
        let Value::Object(keys) = value else {
            record.insert(name.clone(), value.clone());
            continue;
        };
        let slot = record
            .entry(name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(shown) = slot {
            for (key, value) in keys {
                if value.is_null() || value == "" {
                    shown.remove(key);
                } else {
                    shown.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// The single-line form of a structured address, as the server joins it.
fn formatted(address: &Map<String, Value>) -> Option<String> {
    let parts: Vec<&str> = [
        "street_1",
        "street_2",
        "city",
        "region",
        "postal_code",
        "country",
    ]
    .iter()
    .filter_map(|key| address.get(*key).and_then(Value::as_str))
    .filter(|part| !part.is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
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
                        lay_over(check, corrected);
                        if corrected.contains_key("first_name")
                            || corrected.contains_key("last_name")
                        {
                            full_name(check);
                        }
                        if corrected.contains_key("parsed_address") {
                            join_address(check, "parsed_address", None);
                        }
                    }
                }
                "poa_verifications" => {
                    if let Some(corrected) = corrections.addresses.get(&node) {
                        lay_over(check, corrected);
                        if corrected.contains_key("poa_parsed_address") {
                            join_address(
                                check,
                                "poa_parsed_address",
                                Some("poa_formatted_address"),
                            );
                        }
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

/// The full name the server recomputes from the first and last names
/// (null when neither is known).
fn full_name(record: &mut Map<String, Value>) {
    let names: Vec<&str> = ["first_name", "last_name"]
        .iter()
        .filter_map(|key| record.get(*key).and_then(Value::as_str))
        .filter(|name| !name.is_empty())
        .collect();
    let name = (!names.is_empty()).then(|| names.join(" "));
    record.insert("full_name".into(), json!(name));
}

/// The formatted address the server recomputes from the structured one at
/// `address`: inside it, and, for a proof of address, at `line` beside it
/// (null when the address has no parts left).
fn join_address(record: &mut Map<String, Value>, address: &str, line: Option<&str>) {
    let Some(Value::Object(parts)) = record.get_mut(address) else {
        return;
    };
    let joined = formatted(parts);
    match &joined {
        Some(text) => parts.insert("formatted_address".into(), json!(text)),
        None => parts.remove("formatted_address"),
    };
    if let Some(line) = line {
        record.insert(line.into(), json!(joined));
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
    lay_over(&mut snapshot, &corrections.registry_data);
    company.insert("registry_data".into(), Value::Object(snapshot));
    company.insert(
        "last_console_edit_at".into(),
        json!(corrections.company_edited_at),
    );
    company
}

/// The properties of a stored record whose names the answer's schema has.
fn record_of(check: &Map<String, Value>, rules: Rules, extra: &[&str]) -> Value {
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

/// The properties whose values differ between the records `before` and
/// `after`: their values before, and after (`null` for one left out).
fn changes(before: &Value, after: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| {
            let value = |record: &Map<String, Value>| record.get(name).cloned().unwrap_or_default();
            ((name.clone(), value(before)), (name.clone(), value(after)))
        })
        .unzip()
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
        let poa = feature == "POA";
        let target = match self.correctable(id, feature, node, label) {
            Ok(target) => target,
            Err(answer) => return answer,
        };
        let written = match checked(body, rules) {
            Ok(written) => written,
            Err(answer) => return answer,
        };
        let before = record_of(&target.check, rules, derived);
        if written.is_empty() {
            return Answer::Json(200, before);
        }
        let corrections = self.corrections_mut(id);
        let stored = if poa {
            &mut corrections.addresses
        } else {
            &mut corrections.documents
        };
        accumulate(stored.entry(target.node).or_default(), &written, rules);
        // The record again, as the decision shows it with this correction.
        let after = match self.correctable(id, feature, node, label) {
            Ok(target) => record_of(&target.check, rules, derived),
            Err(answer) => return answer,
        };
        let (previous, new) = changes(&before, &after);
        // A document correction is announced whenever it writes; a proof of
        // address only when a value changed, as the API does.
        if !poa || !new.is_empty() {
            self.data_updated.push(id);
        }
        if !new.is_empty() {
            let activity = if poa {
                "POA_DATA_UPDATED"
            } else {
                "KYC_DATA_UPDATED"
            };
            self.log_data_change(id, activity, previous, new);
        }
        Answer::Json(200, after)
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
            accumulate(&mut corrections.registry_data, &written, COMPANY_RULES);
            if let Some(address) = written.remove("legal_address") {
                written.insert("registered_address".into(), address);
            }
            for (name, value) in written {
                if !SNAPSHOT_ONLY.contains(&name.as_str()) {
                    corrections.company.insert(name, value);
                }
            }
            corrections.company_edited_at = Some(Timestamp::from(Utc::now()));
            self.data_updated.push(id);
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

/// The rules above are hand-written lists of the API's names: each is
/// checked against the spec's request schema, and what a correction may
/// write against the record the decision shows.
#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn spec() -> &'static Value {
        static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
        SPEC.get_or_init(|| didit_contract::Spec::load().expect("the spec loads").json)
    }

    fn schema(name: &str) -> &'static Value {
        spec()
            .pointer(&format!("/components/schemas/{name}"))
            .unwrap_or_else(|| panic!("the spec has no schema {name}"))
    }

    /// The schema a property refers to, directly or through `allOf`.
    fn referred(property: &Value) -> Option<&'static Value> {
        let reference = property["$ref"]
            .as_str()
            .or_else(|| property["allOf"][0]["$ref"].as_str())?;
        let name = reference.rsplit('/').next()?;
        Some(schema(name))
    }

    fn nullable(property: &Value) -> bool {
        property["nullable"] == true || referred(property).is_some_and(|s| s["nullable"] == true)
    }

    fn names(schema: &Value) -> BTreeSet<&str> {
        schema["properties"]
            .as_object()
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn names_of_type(schema: &'static Value, kind: &str) -> BTreeSet<&'static str> {
        let properties = schema["properties"].as_object().expect("an object schema");
        properties
            .iter()
            .filter(|(_, property)| property["type"] == kind)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// What is wrong with `rule` as a reading of the spec's `property`.
    fn disagreement(rule: Rule, property: &Value) -> Option<String> {
        let rule_nullable = match rule {
            Rule::Text(_, nullable) | Rule::Date(nullable) | Rule::Choice(_, nullable) => nullable,
            Rule::Alpha3 | Rule::Merged(_) | Rule::Number => true,
        };
        if rule_nullable != nullable(property) {
            return Some(format!(
                "nullable: ours {rule_nullable}, spec {}",
                nullable(property)
            ));
        }
        let target = referred(property).unwrap_or(property);
        match rule {
            Rule::Text(max, _) => {
                let spec = property["maxLength"]
                    .as_u64()
                    .map_or(usize::MAX, |n| n as usize);
                (spec != max || target["type"] != "string" || property["format"] == "date")
                    .then(|| format!("text of at most {max}: spec {property}"))
            }
            Rule::Date(_) => {
                (property["format"] != "date").then(|| format!("a date: spec {property}"))
            }
            Rule::Choice(choices, _) => {
                let ours: BTreeSet<&str> = choices.iter().copied().collect();
                let spec: BTreeSet<&str> = target["enum"]
                    .as_array()
                    .map(|values| values.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                (ours != spec).then(|| format!("choices: ours {ours:?}, spec {spec:?}"))
            }
            Rule::Alpha3 => (property["type"] != "string").then(|| "a string".to_owned()),
            Rule::Number => (target["type"] != "number").then(|| "a number".to_owned()),
            Rule::Merged(Keys::Only(keys)) => {
                let ours: BTreeSet<&str> = keys.iter().copied().collect();
                let spec = names(target);
                (ours != spec).then(|| format!("keys: ours {ours:?}, spec {spec:?}"))
            }
            // The further fields are free-form in the request; their keys
            // are the record's, checked below.
            Rule::Merged(Keys::Typed(..)) => None,
        }
    }

    const CORRECTIONS: &[(&str, Rules, &str)] = &[
        (
            "UpdateDocumentDataRequest",
            DOCUMENT_RULES,
            "IdVerification",
        ),
        ("UpdatePoaDataRequest", POA_RULES, "PoaVerification"),
        ("UpdateCompanyDataRequest", COMPANY_RULES, "RegistryCompany"),
    ];

    #[test]
    fn the_correction_rules_are_the_request_schemas() {
        let mut problems = Vec::new();
        for (request, rules, _) in CORRECTIONS {
            let spec = names(schema(request));
            let ours: BTreeSet<&str> = rules.iter().map(|(name, _)| *name).collect();
            if ours != spec {
                problems.push(format!("{request}: ours {ours:?}, spec {spec:?}"));
            }
            for (name, rule) in *rules {
                let property = &schema(request)["properties"][*name];
                if let Some(problem) = disagreement(*rule, property) {
                    problems.push(format!("{request}.{name}: {problem}"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_further_fields_checked_are_the_records_further_fields() {
        for (rules, record) in [
            (DOCUMENT_RULES, "IdDocumentExtraFields"),
            (POA_RULES, "PoaExtraFields"),
        ] {
            let Some((_, Rule::Merged(Keys::Typed(texts, lists)))) =
                rules.iter().find(|(name, _)| *name == "extra_fields")
            else {
                panic!("the further fields of {record} are not merged with typed keys");
            };
            let ours: BTreeSet<&str> = texts.iter().copied().collect();
            assert_eq!(ours, names_of_type(schema(record), "string"), "{record}");
            let ours: BTreeSet<&str> = lists.iter().copied().collect();
            assert_eq!(ours, names_of_type(schema(record), "array"), "{record}");
        }
    }

    #[test]
    fn what_a_correction_may_clear_the_decision_may_show_cleared() {
        let mut problems = Vec::new();
        for (_, rules, record) in CORRECTIONS {
            for (name, rule) in *rules {
                // Null for a merged object drops its corrections: the record
                // shows what was read.
                if matches!(rule, Rule::Merged(_)) || SNAPSHOT_ONLY.contains(name) {
                    continue;
                }
                let shown = if *record == "RegistryCompany" && *name == "legal_address" {
                    "registered_address"
                } else {
                    name
                };
                let property = &schema(record)["properties"][shown];
                if property.is_null() {
                    problems.push(format!("{record} has no {shown}"));
                } else if rule_problem(*rule, &Value::Null).is_none() && !nullable(property) {
                    problems.push(format!(
                        "{record}.{shown} may be cleared but is not nullable"
                    ));
                }
            }
        }
        for derived in ["full_name"] {
            if !nullable(&schema("IdVerification")["properties"][derived]) {
                problems.push(format!(
                    "IdVerification.{derived} is recomputed, maybe to null"
                ));
            }
        }
        if !nullable(&schema("PoaVerification")["properties"]["poa_formatted_address"]) {
            problems.push("PoaVerification.poa_formatted_address may be recomputed to null".into());
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_long_document_name_is_stored_as_its_code() {
        for (name, code) in DOCUMENT_CODES {
            assert!(DOCUMENT_TYPES.contains(name) && DOCUMENT_TYPES.contains(code));
            let rule = Rule::Choice(DOCUMENT_TYPES, true);
            assert_eq!(stored_form(rule, json!(name)), json!(code));
        }
        assert_eq!(stored_form(Rule::Alpha3, json!("esp")), json!("ESP"));
    }

    #[test]
    fn null_for_a_merged_object_drops_its_corrections_and_a_removal_is_kept() {
        let mut stored = Map::new();
        let written = |value: Value| value.as_object().cloned().expect("an object");
        accumulate(
            &mut stored,
            &written(json!({"extra_fields": {"blood_group": "A+", "bank": null}, "issuer": "X"})),
            POA_RULES,
        );
        let mut record = written(json!({"extra_fields": {"bank": "Y", "kept": "Z"}}));
        lay_over(&mut record, &stored);
        assert_eq!(
            Value::Object(record),
            json!({"extra_fields": {"blood_group": "A+", "kept": "Z"}, "issuer": "X"})
        );
        accumulate(
            &mut stored,
            &written(json!({"extra_fields": null, "issuer": null})),
            POA_RULES,
        );
        let mut record = written(json!({"extra_fields": {"bank": "Y"}}));
        lay_over(&mut record, &stored);
        assert_eq!(
            Value::Object(record),
            json!({"extra_fields": {"bank": "Y"}, "issuer": null})
        );
    }
}
