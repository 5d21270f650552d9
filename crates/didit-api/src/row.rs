//! One row of the session list, told apart by its `session_kind`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::decode_error::describe_without_position;
use crate::types::{KybSession, KycSession};
use crate::{SessionKind, SessionStatus, Timestamp};

/// One row of `GET /v3/sessions/`: a KYC session, a KYB session, or a row of
/// a kind this version of the SDK does not know.
///
/// A row without `session_kind` is a KYC row, as older responses send them. A
/// row of an unknown kind does not fail the page: it is kept whole, and
/// re-encodes to the JSON it was read from.
///
/// ```
/// use didit_api::SessionRow;
///
/// let row: SessionRow = serde_json::from_str(
///     r#"{"session_id": "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52",
///         "session_kind": "business", "company_name": "Acme"}"#,
/// )?;
/// let SessionRow::Kyb(business) = &row else { panic!("a KYB row") };
/// assert_eq!(business.company_name, Some(Some("Acme".to_owned())));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SessionRow {
    /// A user verification (KYC) session.
    Kyc(Box<KycSession>),
    /// A business verification (KYB) session.
    Kyb(Box<KybSession>),
    /// A row whose `session_kind` this version does not know.
    Unknown(UnknownSessionRow),
}

/// A row whose `session_kind` this version of the SDK does not know.
///
/// Its `Debug` output names the row's properties, never their values.
///
/// ```
/// let row: didit_api::SessionRow =
///     serde_json::from_str(r#"{"session_kind": "partner", "name": "Jane Doe"}"#)?;
/// let didit_api::SessionRow::Unknown(row) = &row else { panic!("an unknown kind") };
/// assert_eq!(format!("{row:?}"), "UnknownSessionRow { name: .., session_kind: .. }");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct UnknownSessionRow {
    /// The row's `session_kind`.
    pub kind: String,
    /// The row exactly as received.
    pub raw: serde_json::Value,
}

impl std::fmt::Debug for UnknownSessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::outline(&self.raw, "UnknownSessionRow", f)
    }
}

/// The fields every row has, whatever its kind. Each is `None` when the
/// server left it out or sent `null` (for a row of an unknown kind, also
/// when it has another type than documented).
///
/// ```
/// use didit_api::{SessionKind, SessionRow, SessionStatus};
///
/// let row: SessionRow = serde_json::from_str(
///     r#"{"session_id": "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52", "session_number": 42,
///         "status": "Approved", "vendor_data": "user-7", "created_at": "2025-06-09T12:26:54Z"}"#,
/// )?;
/// assert_eq!(row.kind(), SessionKind::User);
/// assert_eq!(row.session_number(), Some(42));
/// assert_eq!(row.status(), Some(SessionStatus::Approved));
/// assert_eq!(row.vendor_data(), Some("user-7"));
/// assert_eq!(row.created_at().map(|at| at.as_datetime().timestamp()), Some(1_749_472_014));
/// assert!(row.session_id().is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
impl SessionRow {
    /// The kind of the row; KYC when the server left `session_kind` out.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(r#"{"session_kind": "business"}"#)?;
    /// assert_eq!(row.kind(), didit_api::SessionKind::Business);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn kind(&self) -> SessionKind {
        match self {
            SessionRow::Kyc(_) => SessionKind::User,
            SessionRow::Kyb(_) => SessionKind::Business,
            SessionRow::Unknown(row) => SessionKind::from(row.kind.as_str()),
        }
    }

    /// The session's identifier.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(r#"{"status": "Approved"}"#)?;
    /// assert_eq!(row.session_id(), None);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn session_id(&self) -> Option<uuid::Uuid> {
        match self {
            SessionRow::Kyc(row) => row.session_id,
            SessionRow::Kyb(row) => row.session_id,
            SessionRow::Unknown(row) => row.text("session_id")?.parse().ok(),
        }
    }

    /// The session's number, as the Didit console shows it.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(r#"{"session_number": 7}"#)?;
    /// assert_eq!(row.session_number(), Some(7));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn session_number(&self) -> Option<i64> {
        match self {
            SessionRow::Kyc(row) => row.session_number,
            SessionRow::Kyb(row) => row.session_number,
            SessionRow::Unknown(row) => row.raw.get("session_number")?.as_i64(),
        }
    }

    /// The session's status.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(r#"{"status": "In Review"}"#)?;
    /// assert_eq!(row.status(), Some(didit_api::SessionStatus::InReview));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn status(&self) -> Option<SessionStatus> {
        match self {
            SessionRow::Kyc(row) => row.status.clone(),
            SessionRow::Kyb(row) => row.status.clone(),
            SessionRow::Unknown(row) => row.text("status").map(SessionStatus::from),
        }
    }

    /// The reference your application attached to the session.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(r#"{"vendor_data": null}"#)?;
    /// assert_eq!(row.vendor_data(), None);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn vendor_data(&self) -> Option<&str> {
        match self {
            SessionRow::Kyc(row) => row.vendor_data.as_ref()?.as_deref(),
            SessionRow::Kyb(row) => row.vendor_data.as_ref()?.as_deref(),
            SessionRow::Unknown(row) => row.text("vendor_data"),
        }
    }

    /// When the session was created.
    ///
    /// ```
    /// let row: didit_api::SessionRow = serde_json::from_str(
    ///     r#"{"session_kind": "partner", "created_at": "2025-06-09T12:26:54Z"}"#,
    /// )?;
    /// assert_eq!(row.created_at().map(|at| at.as_str().to_owned()), Some("2025-06-09T12:26:54Z".into()));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn created_at(&self) -> Option<Timestamp> {
        match self {
            SessionRow::Kyc(row) => row.created_at.clone(),
            SessionRow::Kyb(row) => row.created_at.clone(),
            SessionRow::Unknown(row) => row.text("created_at")?.parse().ok(),
        }
    }
}

impl UnknownSessionRow {
    /// The string member `name`, if the row has one.
    fn text(&self, name: &str) -> Option<&str> {
        self.raw.get(name)?.as_str()
    }
}

impl Serialize for SessionRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SessionRow::Kyc(row) => row.serialize(serializer),
            SessionRow::Kyb(row) => row.serialize(serializer),
            SessionRow::Unknown(row) => row.raw.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SessionRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        // Most rows are KYC rows, so the row is decoded as one straight away;
        // only when its `session_kind` says otherwise is it decoded again.
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let as_kyc = decode::<KycSession>(text);
        let kind = match &as_kyc {
            Ok(row) => row.session_kind.clone(),
            Err(_) => match decode::<KindOnly>(text) {
                Ok(kind) => kind.session_kind,
                Err(message) => {
                    // The row's kind is unreadable: what the KYC reading
                    // noted is beside the point.
                    crate::path::forget();
                    return Err(reported(message));
                }
            },
        };
        match kind {
            None | Some(SessionKind::User) => as_kyc
                .map(|row| SessionRow::Kyc(Box::new(row)))
                .map_err(reported),
            Some(SessionKind::Business) => {
                // Not a KYC row after all: that failure is not this row's.
                crate::path::forget();
                decode::<KybSession>(text)
                    .map(|row| SessionRow::Kyb(Box::new(row)))
                    .map_err(reported)
            }
            Some(SessionKind::Unknown(kind)) => {
                crate::path::forget();
                Ok(SessionRow::Unknown(UnknownSessionRow {
                    kind,
                    raw: serde_json::from_str(text).map_err(D::Error::custom)?,
                }))
            }
        }
    }
}

/// Just the discriminator of a row.
#[derive(Deserialize)]
struct KindOnly {
    session_kind: Option<SessionKind>,
}

/// Decodes one row. Where in the row a failure is, the decoders note
/// (`crate::path`); the message says what was expected, never the value.
fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|error| describe_without_position(&error))
}

/// A row's failure as the error of the document it is in, with the path
/// noted inside the row carried over to it.
fn reported<E: serde::de::Error>(message: String) -> E {
    let error = E::custom(message);
    crate::path::carry(&error);
    error
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SessionRow {
    fn schema_name() -> String {
        "SessionRow".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                one_of: Some(vec![
                    generator.subschema_for::<KycSession>(),
                    generator.subschema_for::<KybSession>(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionStatus;

    #[test]
    fn a_row_without_session_kind_is_kyc() {
        let row: SessionRow = serde_json::from_str(r#"{"status": "Approved"}"#).unwrap();
        let SessionRow::Kyc(kyc) = &row else {
            panic!("expected a KYC row, got {row:?}")
        };
        assert_eq!(kyc.status, Some(SessionStatus::Approved));
        assert_eq!(row.kind(), SessionKind::User);
    }

    #[test]
    fn business_rows_are_kyb() {
        let text = r#"{"session_kind":"business","workflow_type":"kyb","country":"ES"}"#;
        let row: SessionRow = serde_json::from_str(text).unwrap();
        assert!(
            matches!(&row, SessionRow::Kyb(kyb) if kyb.workflow_type == Some(Some("kyb".into())))
        );
        assert_eq!(
            serde_json::to_value(&row).unwrap(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }

    #[test]
    fn rows_of_an_unknown_kind_are_kept_whole() {
        let text = r#"{"session_kind":"partner","session_number":"not a number"}"#;
        let row: SessionRow = serde_json::from_str(text).unwrap();
        assert_eq!(row.kind(), SessionKind::Unknown("partner".into()));
        assert_eq!(serde_json::to_string(&row).unwrap(), text);
    }

    #[test]
    fn kyc_and_kyb_rows_keep_the_properties_they_do_not_declare() {
        for text in [
            r#"{"status":"Approved","risk_score":0.5,"phone_number":{"number":"+1","carrier":"A"}}"#,
            r#"{"session_kind":"business","company_name":"Acme","ubo":{"count":2}}"#,
        ] {
            let row: SessionRow = serde_json::from_str(text).unwrap();
            let undeclared = match &row {
                SessionRow::Kyc(kyc) => &kyc.extra,
                SessionRow::Kyb(kyb) => &kyb.extra,
                SessionRow::Unknown(_) => panic!("a known kind"),
            };
            assert_eq!(undeclared.len(), 1, "{text}");
            assert_eq!(
                serde_json::to_value(&row).unwrap(),
                serde_json::from_str::<serde_json::Value>(text).unwrap()
            );
        }
    }

    #[test]
    fn a_failure_in_a_row_is_named_by_its_path_not_its_value() {
        use crate::JsonDocument;
        let page = br#"{"count": 2, "next": null, "previous": null, "results": [
            {"session_number": 1},
            {"session_kind": "business", "session_number": "seven"}
        ]}"#;
        let failure = crate::types::SessionPage::from_json(page).unwrap_err();
        assert_eq!(failure.path, "results[1].session_number");
        assert!(
            failure
                .expected
                .starts_with("invalid type: string, expected i64")
        );
        assert!(!failure.to_string().contains("seven"), "{failure}");
    }

    #[test]
    fn rows_decode_from_values_too() {
        let value = serde_json::json!({"session_kind": "business", "session_number": 4});
        let row: SessionRow = serde_json::from_value(value).unwrap();
        assert!(matches!(row, SessionRow::Kyb(_)));
    }
}
