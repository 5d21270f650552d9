//! The fields of a session row as text, for the formats that flatten rows
//! (table and CSV).

use didit::types::Feature;
use didit::{Session, Timestamp};
use serde_json::Value;

/// One row's fields as text; empty where the row has no value (absent and
/// `null` alike).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub session_id: String,
    pub session_kind: String,
    pub session_number: String,
    pub status: String,
    /// When the session was created, as the server wrote it.
    pub created_at: Option<Timestamp>,
    pub vendor_data: String,
    pub country: String,
    pub full_name: String,
    pub document_type: String,
    /// Every step as `NAME:status`, joined by `;`.
    pub features: String,
    pub email: String,
    pub email_verified: String,
    pub phone: String,
    pub phone_verified: String,
    pub didit_internal_id: String,
    pub session_url: String,
    pub company_name: String,
    pub registration_number: String,
    pub workflow_id: String,
    pub workflow_type: String,
    pub workflow_label: String,
}

/// The CSV header, in the order of [`Fields::csv_record`].
pub const CSV_HEADER: [&str; 21] = [
    "session_id",
    "session_kind",
    "session_number",
    "status",
    "created_at",
    "vendor_data",
    "country",
    "full_name",
    "document_type",
    "features",
    "email",
    "email_verified",
    "phone",
    "phone_verified",
    "didit_internal_id",
    "session_url",
    "company_name",
    "registration_number",
    "workflow_id",
    "workflow_type",
    "workflow_label",
];

impl Fields {
    pub fn of(session: &Session) -> Fields {
        match session {
            Session::Kyc(row) => {
                let email = nested(&row.email_address);
                let phone = nested(&row.phone_number);
                Fields {
                    session_id: display(&row.session_id),
                    session_kind: session.kind().to_string(),
                    session_number: display(&row.session_number),
                    status: display(&row.status),
                    created_at: row.created_at.clone(),
                    vendor_data: text(&row.vendor_data),
                    country: text(&row.country),
                    full_name: text(&row.full_name),
                    document_type: nested(&row.document_type)
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    features: row.features.as_deref().map(features).unwrap_or_default(),
                    email: email
                        .and_then(|email| email.email.clone())
                        .unwrap_or_default(),
                    email_verified: display(&email.and_then(|email| email.is_verified)),
                    phone: phone
                        .and_then(|phone| phone.number.clone())
                        .unwrap_or_default(),
                    phone_verified: display(&phone.and_then(|phone| phone.is_verified)),
                    didit_internal_id: display(&nested(&row.didit_internal_id)),
                    session_url: text(&row.session_url),
                    ..Fields::default()
                }
            }
            Session::Kyb(row) => Fields {
                session_id: display(&row.session_id),
                session_kind: session.kind().to_string(),
                session_number: display(&row.session_number),
                status: display(&row.status),
                created_at: row.created_at.clone(),
                vendor_data: text(&row.vendor_data),
                country: text(&row.country),
                company_name: text(&row.company_name),
                registration_number: text(&row.registration_number),
                workflow_id: display(&nested(&row.workflow_id)),
                workflow_type: text(&row.workflow_type),
                workflow_label: text(&row.workflow_label),
                ..Fields::default()
            },
            // A kind this version does not know: the fields every kind has,
            // read from the row as received.
            other => {
                let raw = serde_json::to_value(other).unwrap_or(Value::Null);
                let field = |name: &str| match raw.get(name) {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Number(number)) => number.to_string(),
                    Some(Value::Bool(value)) => value.to_string(),
                    _ => String::new(),
                };
                Fields {
                    session_id: field("session_id"),
                    session_kind: other.kind().to_string(),
                    session_number: field("session_number"),
                    status: field("status"),
                    created_at: raw
                        .get("created_at")
                        .and_then(|value| serde_json::from_value(value.clone()).ok()),
                    vendor_data: field("vendor_data"),
                    country: field("country"),
                    ..Fields::default()
                }
            }
        }
    }

    /// The name the row is about: the person's, or the company's.
    pub fn name(&self) -> &str {
        if self.full_name.is_empty() {
            &self.company_name
        } else {
            &self.full_name
        }
    }

    /// The values in the order of [`CSV_HEADER`].
    pub fn csv_record(&self) -> [&str; 21] {
        [
            &self.session_id,
            &self.session_kind,
            &self.session_number,
            &self.status,
            self.created_at.as_ref().map_or("", Timestamp::as_str),
            &self.vendor_data,
            &self.country,
            &self.full_name,
            &self.document_type,
            &self.features,
            &self.email,
            &self.email_verified,
            &self.phone,
            &self.phone_verified,
            &self.didit_internal_id,
            &self.session_url,
            &self.company_name,
            &self.registration_number,
            &self.workflow_id,
            &self.workflow_type,
            &self.workflow_label,
        ]
    }
}

/// `NAME:status` per step, joined by `;`.
fn features(features: &[Feature]) -> String {
    features
        .iter()
        .map(|feature| format!("{}:{}", display(&feature.feature), display(&feature.status)))
        .collect::<Vec<_>>()
        .join(";")
}

/// A nullable field that may also be absent.
fn nested<T>(field: &Option<Option<T>>) -> Option<&T> {
    field.as_ref().and_then(Option::as_ref)
}

fn text(field: &Option<Option<String>>) -> String {
    nested(field).cloned().unwrap_or_default()
}

fn display<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(json: &str) -> Session {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn kyc_rows_flatten_with_features_and_contacts() {
        let fields = Fields::of(&row(r#"{
            "session_id": "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52", "session_number": 7,
            "status": "In Review", "full_name": "Jane Doe", "country": null,
            "created_at": "2025-06-01T10:20:30.123456Z",
            "features": [{"feature": "ID_VERIFICATION", "status": "Approved"},
                         {"feature": "LIVENESS", "status": "In Review"}],
            "email_address": {"email": "jane@example.com", "is_verified": true}}"#));
        assert_eq!(fields.session_kind, "user");
        assert_eq!(fields.session_number, "7");
        assert_eq!(fields.status, "In Review");
        assert_eq!(fields.name(), "Jane Doe");
        assert_eq!(fields.country, "");
        assert_eq!(
            fields.features,
            "ID_VERIFICATION:Approved;LIVENESS:In Review"
        );
        assert_eq!(fields.email_verified, "true");
        assert_eq!(fields.phone, "");
        assert_eq!(fields.csv_record()[4], "2025-06-01T10:20:30.123456Z");
    }

    #[test]
    fn kyb_rows_are_named_after_the_company() {
        let fields = Fields::of(&row(
            r#"{"session_kind": "business", "company_name": "Acme, S.L.", "status": "Approved"}"#,
        ));
        assert_eq!(fields.name(), "Acme, S.L.");
        assert_eq!(fields.session_kind, "business");
    }

    #[test]
    fn rows_of_unknown_kinds_keep_their_common_fields() {
        let fields = Fields::of(&row(
            r#"{"session_kind": "robot", "session_number": 12, "status": "Approved",
                "created_at": "2025-01-02T03:04:05Z"}"#,
        ));
        assert_eq!(fields.session_kind, "robot");
        assert_eq!(fields.session_number, "12");
        assert_eq!(
            fields.created_at.as_ref().map(Timestamp::as_str),
            Some("2025-01-02T03:04:05Z")
        );
    }

    /// Columns read from a property of another name: the contact columns
    /// flatten the `email_address` and `phone_number` objects.
    const COLUMN_SOURCES: [(&str, &str); 4] = [
        ("email", "email_address"),
        ("email_verified", "email_address"),
        ("phone", "phone_number"),
        ("phone_verified", "phone_number"),
    ];

    /// The columns that name no property of a session row in `spec`.
    fn columns_out_of_step(spec: &didit_contract::Spec) -> Vec<String> {
        let properties: std::collections::BTreeSet<&str> = ["KycSession", "KybSession"]
            .iter()
            .filter_map(|schema| {
                spec.json["components"]["schemas"][schema]["properties"].as_object()
            })
            .flat_map(|properties| properties.keys().map(String::as_str))
            .collect();
        CSV_HEADER
            .iter()
            .map(|column| {
                let source = COLUMN_SOURCES
                    .iter()
                    .find(|(name, _)| name == column)
                    .map_or(*column, |(_, source)| *source);
                (column, source)
            })
            .filter(|(_, source)| !properties.contains(source))
            .map(|(column, source)| {
                format!("the csv column `{column}` reads `{source}`, which no session row of the spec has")
            })
            .collect()
    }

    #[test]
    fn every_csv_column_reads_a_property_of_the_spec() {
        let problems = columns_out_of_step(&didit_contract::Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_column_check_bites() {
        let mut spec = didit_contract::Spec::load().unwrap();
        let kyc = spec.json["components"]["schemas"]["KycSession"]["properties"]
            .as_object_mut()
            .unwrap();
        let url = kyc.remove("session_url").unwrap();
        kyc.insert("verification_url".to_owned(), url);
        kyc.remove("phone_number");
        let problems = columns_out_of_step(&spec);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("`session_url`")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`phone_verified` reads `phone_number`")),
            "{problems:?}"
        );
    }
}
