//! Decode failures described without the data that failed.
//!
//! serde's messages quote the value they found (`invalid type: string
//! "Jane Doe", expected i64`). Answers of the API hold names, document
//! numbers and e-mail addresses, and error messages end up in logs, so the
//! SDK reports where decoding failed and what was expected there, never what
//! was found.

use serde::de::DeserializeOwned;

/// Where a document failed to decode, and what was expected there.
///
/// ```
/// use didit_api::{DecodeFailure, types::SessionPage};
///
/// let body = br#"{"count": 1, "next": null, "previous": null,
///                 "results": [{"session_number": "Jane Doe"}]}"#;
/// let failure = DecodeFailure::locate::<SessionPage>(body).expect("the body does not decode");
/// assert_eq!(failure.path, "results[0].session_number");
/// assert!(failure.expected.starts_with("invalid type: string, expected i64"));
/// assert!(!failure.to_string().contains("Jane"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeFailure {
    /// The JSON path of the failing value, such as
    /// `results[3].session_number`; `.` for the document itself.
    pub path: String,
    /// What was wrong there, in words that never repeat the value found.
    pub expected: String,
}

impl std::fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.expected)
    }
}

impl DecodeFailure {
    /// Decodes `body` as a `T` again, tracking the path, and describes the
    /// first failure; `None` when the body decodes.
    ///
    /// Path tracking slows decoding down, so callers decode without it first
    /// and call this only once that failed.
    pub fn locate<T: JsonDocument>(body: &[u8]) -> Option<DecodeFailure> {
        T::from_json(body).err()
    }

    /// [`locate`](Self::locate) for any type, compiled where it is called.
    pub(crate) fn locate_any<T: DeserializeOwned>(body: &[u8]) -> Option<DecodeFailure> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let error = serde_path_to_error::deserialize::<_, T>(&mut deserializer).err()?;
        let path = error.path().to_string();
        let inner = error.into_inner();
        // A row reports its own failing field as "field `x`: ..." (rows are
        // decoded apart to tell KYC from KYB); fold it into the path.
        let message = describe_without_position(&inner);
        if let Some(rest) = message.strip_prefix(ROW_FIELD_PREFIX)
            && let Some((field, expected)) = rest.split_once(ROW_FIELD_SEPARATOR)
        {
            let path = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return Some(DecodeFailure {
                path,
                expected: expected.to_owned(),
            });
        }
        Some(DecodeFailure {
            path,
            expected: describe_decode_error(&inner),
        })
    }
}

/// Decodes `body` as a `T`, or says where and why it does not decode,
/// without the data ([`DecodeFailure::locate`], run only after a failure).
///
/// ```
/// use didit_api::types::SessionDecision;
///
/// let failure = didit_api::decode::<SessionDecision>(br#"{"vendor_data": 7}"#).unwrap_err();
/// assert_eq!(failure.path, "vendor_data");
/// let body = br#"{"session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
///                 "status": "Approved", "vendor_data": "user-7"}"#;
/// let decision = didit_api::decode::<SessionDecision>(body)?;
/// assert_eq!(decision.vendor_data(), Some("user-7"));
/// // A required property left out is named.
/// let failure = didit_api::decode::<SessionDecision>(br#"{"status": "Approved"}"#).unwrap_err();
/// assert!(failure.expected.contains("missing field `session_id`"));
/// # Ok::<(), didit_api::DecodeFailure>(())
/// ```
pub fn decode<T: JsonDocument>(body: &[u8]) -> Result<T, DecodeFailure> {
    T::from_json(body)
}

/// A whole JSON document of the API: a response body, or a webhook event.
///
/// The generator implements it for each such type with a body that is not
/// generic, so that the type's decoder (and the one that tracks the path of
/// a failure) is compiled once, in this crate, however many crates decode
/// the type. [`decode`] and [`DecodeFailure::locate`] call it.
///
/// ```
/// use didit_api::{JsonDocument, types::SessionPage};
///
/// let page = SessionPage::from_json(br#"{"count": 0, "next": null, "previous": null, "results": []}"#)?;
/// assert_eq!(page.count(), 0);
/// # Ok::<(), didit_api::DecodeFailure>(())
/// ```
pub trait JsonDocument: Sized {
    /// Decodes `body`, or says where and why it does not decode, without
    /// the data.
    fn from_json(body: &[u8]) -> Result<Self, DecodeFailure>;
}

/// What every [`JsonDocument`] impl does: decode without tracking the
/// path, and only after a failure decode again to find where.
pub(crate) fn read_document<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeFailure> {
    serde_json::from_slice(body).map_err(|error| {
        DecodeFailure::locate_any::<T>(body).unwrap_or_else(|| DecodeFailure {
            path: ".".to_owned(),
            expected: describe_decode_error(&error),
        })
    })
}

/// How a row's own decode error starts: "field `path`: what was expected".
pub(crate) const ROW_FIELD_PREFIX: &str = "field `";
pub(crate) const ROW_FIELD_SEPARATOR: &str = "`: ";

/// What went wrong, in serde's words less the value found.
///
/// ```
/// let error = serde_json::from_str::<u32>(r#""Jane Doe""#).unwrap_err();
/// assert_eq!(didit_api::describe_decode_error(&error), "invalid type: string, expected u32 at line 1 column 10");
/// ```
pub fn describe_decode_error(error: &serde_json::Error) -> String {
    format!("{}{}", describe_without_position(error), position_of(error))
}

/// [`describe_decode_error`] without the line and column: for a document
/// decoded inside another, whose own position means nothing to a reader.
pub(crate) fn describe_without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message
        .strip_suffix(&position_of(error))
        .unwrap_or(&message);
    match error.classify() {
        // Syntax and end-of-input messages name the grammar, never the data.
        serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof
        | serde_json::error::Category::Io => message.to_owned(),
        serde_json::error::Category::Data => describe_message(message),
    }
}

/// How serde_json ends a message that has a position.
fn position_of(error: &serde_json::Error) -> String {
    if error.line() == 0 {
        String::new()
    } else {
        format!(" at line {} column {}", error.line(), error.column())
    }
}

/// serde's data-error message without the value it quotes.
fn describe_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The value found comes first and may itself hold ", expected ";
            // what was expected comes from the code, after the last one.
            let Some((found, expected)) = rest.rsplit_once(", expected ") else {
                return format!("{prefix}a value of another form");
            };
            return format!("{prefix}{}, expected {expected}", kind_of(found));
        }
    }
    for prefix in ["unknown variant ", "unknown field "] {
        if message.starts_with(prefix) {
            let what = prefix.trim_end();
            return match message.rsplit_once(", expected ") {
                Some((_, expected)) => format!("{what}, expected {expected}"),
                None => what.to_owned(),
            };
        }
    }
    // These name the type's own fields, or counts.
    for prefix in ["missing field `", "duplicate field `", "invalid length "] {
        if message.starts_with(prefix) && !message.contains('"') {
            return message.to_owned();
        }
    }
    if message.starts_with(ROW_FIELD_PREFIX) {
        // Already described by the row decoder.
        return message.to_owned();
    }
    // Anything else (a UUID, a timestamp, a custom check) may quote the
    // text it rejected.
    "a value of another form was expected".to_owned()
}

/// The kind of value serde found (`string`, `integer`, `map`, …), less
/// the value itself.
fn kind_of(found: &str) -> &str {
    let end = found.find(['"', '`']).unwrap_or(found.len());
    match found.get(..end).map(str::trim) {
        Some(kind) if !kind.is_empty() && kind.len() <= 24 => kind,
        _ => "value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    const SECRET: &str = "Jane-Personal-Doe";

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Row {
        number: i64,
        id: Option<uuid::Uuid>,
        kind: Option<Kind>,
        flags: Option<(bool, bool)>,
    }

    #[derive(Debug, Deserialize)]
    enum Kind {
        #[serde(rename = "a")]
        A,
    }

    fn failure(json: &str) -> DecodeFailure {
        DecodeFailure::locate_any::<Row>(json.as_bytes()).expect("a failure")
    }

    #[test]
    fn no_message_repeats_the_value_found() {
        for (json, path) in [
            (format!(r#"{{"number": "{SECRET}"}}"#), "number"),
            (format!(r#"{{"number": "{SECRET}, expected x"}}"#), "number"),
            (format!(r#"{{"number": 1, "id": "{SECRET}"}}"#), "id"),
            (format!(r#"{{"number": 1, "kind": "{SECRET}"}}"#), "kind"),
            (
                format!(r#"{{"number": 1, "flags": ["{SECRET}"]}}"#),
                "flags[0]",
            ),
            (format!(r#"{{"number": {{"{SECRET}": 1}}}}"#), "number"),
            (format!(r#"{{"number": 1.5, "x": "{SECRET}"}}"#), "number"),
        ] {
            let failure = failure(&json);
            assert_eq!(failure.path, path, "{json}");
            assert!(!failure.to_string().contains(SECRET), "{json}: {failure}");
            assert!(!failure.to_string().contains("Jane"), "{json}: {failure}");
        }
    }

    #[test]
    fn messages_keep_what_was_expected() {
        let shown = failure(&format!(r#"{{"number": "{SECRET}"}}"#)).expected;
        assert!(
            shown.starts_with("invalid type: string, expected i64"),
            "{shown}"
        );
        let shown = failure(r#"{"number": 1, "kind": "b"}"#).expected;
        assert!(
            shown.starts_with("unknown variant, expected `a`"),
            "{shown}"
        );
        let shown = failure(r#"{"id": null}"#).expected;
        assert!(shown.starts_with("missing field `number`"), "{shown}");
        let shown = failure(r#"{"number": 1, "flags": [true]}"#).expected;
        assert!(shown.starts_with("invalid length 1"), "{shown}");
        let shown = failure(r#"{"number": 1,"#).expected;
        assert!(shown.starts_with("EOF while parsing"), "{shown}");
    }

    #[test]
    fn a_document_that_decodes_has_no_failure() {
        assert_eq!(DecodeFailure::locate_any::<Row>(br#"{"number": 3}"#), None);
    }

    #[test]
    fn decode_names_the_path_and_not_the_value() {
        let failure =
            read_document::<Row>(format!(r#"{{"number": "{SECRET}"}}"#).as_bytes()).unwrap_err();
        assert_eq!(failure.path, "number");
        assert!(!failure.to_string().contains(SECRET), "{failure}");
        assert_eq!(read_document::<Row>(br#"{"number": 3}"#).unwrap().number, 3);
    }

    #[test]
    fn kinds_drop_the_quoted_value() {
        assert_eq!(kind_of(r#"string "a`b""#), "string");
        assert_eq!(kind_of("floating point `1.5`"), "floating point");
        assert_eq!(kind_of("map"), "map");
        assert_eq!(kind_of(r#""odd"#), "value");
    }
}
