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
    /// Decodes `body` as a `T` and describes its failure; `None` when the
    /// body decodes. For callers that already decoded `body` another way
    /// and want to know where it failed.
    pub fn locate<T: JsonDocument>(body: &[u8]) -> Option<DecodeFailure> {
        T::from_json(body).err()
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

/// [`decode`] for any type, the payload types nested in documents included;
/// what every [`JsonDocument`] impl calls.
///
/// The generated decoders note the path of a failure as it passes up
/// through them, so one decode is enough. Being generic, it is compiled
/// where it is called: for the API's documents, [`decode`] reuses the
/// decoder compiled in this crate.
///
/// ```
/// use didit_api::types::IdVerification;
///
/// let failure = didit_api::decode_any::<IdVerification>(br#"{"age": "Jane"}"#).unwrap_err();
/// assert_eq!(failure.path, "age");
/// assert!(!failure.to_string().contains("Jane"));
/// ```
pub fn decode_any<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeFailure> {
    // Checking the whole body once is several times faster than serde_json
    // checking each string it reads from bytes; text is not checked again.
    let text = std::str::from_utf8(body).map_err(|error| DecodeFailure {
        path: ".".to_owned(),
        expected: format!(
            "UTF-8 text, but byte {} is not part of a UTF-8 character",
            error.valid_up_to()
        ),
    })?;
    crate::path::forget();
    serde_json::from_str(text).map_err(|error| DecodeFailure {
        path: crate::path::take(&error),
        expected: describe_decode_error(&error),
    })
}

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

    /// A derived type: its failures have no path, only messages.
    fn failure(json: &str) -> DecodeFailure {
        decode_any::<Row>(json.as_bytes()).expect_err("a failure")
    }

    fn page_failure(json: &str) -> DecodeFailure {
        crate::types::SessionPage::from_json(json.as_bytes()).expect_err("a failure")
    }

    const PAGE: &str = r#""count": 1, "next": null, "previous": null"#;

    #[test]
    fn no_message_repeats_the_value_found() {
        for (json, path) in [
            (format!(r#"{{"count": "{SECRET}"}}"#), "count"),
            (format!(r#"{{"count": "{SECRET}, expected x"}}"#), "count"),
            (format!(r#"{{"count": {{"{SECRET}": 1}}}}"#), "count"),
            (format!(r#"{{"count": 1.5, "x": "{SECRET}"}}"#), "count"),
            (
                format!(r#"{{{PAGE}, "results": [{{}}, {{"session_id": "{SECRET}"}}]}}"#),
                "results[1].session_id",
            ),
            (
                format!(
                    r#"{{{PAGE}, "results": [{{"session_kind": "business", "created_at": "{SECRET}"}}]}}"#
                ),
                "results[0].created_at",
            ),
            (
                format!(
                    r#"{{{PAGE}, "results": [{{"features": [{{}}, {{"status": ["{SECRET}"]}}]}}]}}"#
                ),
                "results[0].features[1].status",
            ),
            (
                format!(r#"{{{PAGE}, "x_new": [1, "{SECRET}", tru]}}"#),
                "x_new",
            ),
        ] {
            let failure = page_failure(&json);
            assert_eq!(failure.path, path, "{json}");
            assert!(!failure.to_string().contains(SECRET), "{json}: {failure}");
            assert!(!failure.to_string().contains("Jane"), "{json}: {failure}");
        }
    }

    #[test]
    fn a_failure_after_a_row_read_twice_is_named_in_its_own_row() {
        // A KYB row is read as KYC first, then again as KYB; that second
        // reading must leave nothing behind for the failure that counts,
        // in the next row. (Notes of an error recovered from are dropped by
        // `crate::path`, tested there.)
        let json = format!(
            r#"{{{PAGE}, "results": [
                {{"session_kind": "business", "session_number": 1, "workflow_id": null}},
                {{"session_number": "{SECRET}"}}
            ]}}"#
        );
        assert_eq!(page_failure(&json).path, "results[1].session_number");
    }

    #[test]
    fn messages_keep_what_was_expected() {
        let shown = page_failure(&format!(r#"{{"count": "{SECRET}"}}"#)).expected;
        assert!(
            shown.starts_with("invalid type: string, expected i64"),
            "{shown}"
        );
        let shown = failure(r#"{"number": 1, "kind": "b"}"#).expected;
        assert!(
            shown.starts_with("unknown variant, expected `a`"),
            "{shown}"
        );
        let failure_of_page = page_failure(r#"{"next": null}"#);
        assert!(
            failure_of_page
                .expected
                .starts_with("missing field `count`"),
            "{failure_of_page}"
        );
        assert_eq!(failure_of_page.path, ".");
        let shown = failure(r#"{"number": 1, "flags": [true]}"#).expected;
        assert!(shown.starts_with("invalid length 1"), "{shown}");
        let shown = page_failure(r#"{"count": 1,"#).expected;
        assert!(shown.starts_with("EOF while parsing"), "{shown}");
    }

    #[test]
    fn a_body_that_is_not_utf8_is_refused_by_position_not_content() {
        let mut body = br#"{"count": 1, "next": "Jane"#.to_vec();
        body.extend_from_slice(&[0xff, b'"', b'}']);
        let failure = page_failure(std::str::from_utf8(&body[..body.len() - 3]).unwrap());
        assert!(failure.expected.contains("EOF"), "{failure}");
        let failure = crate::types::SessionPage::from_json(&body).unwrap_err();
        assert_eq!(failure.path, ".");
        assert!(failure.expected.contains("byte 26"), "{failure}");
        assert!(!failure.to_string().contains("Jane"), "{failure}");
    }

    #[test]
    fn a_document_that_decodes_has_no_failure() {
        let body = format!(r#"{{{PAGE}, "results": []}}"#);
        assert_eq!(
            DecodeFailure::locate::<crate::types::SessionPage>(body.as_bytes()),
            None
        );
    }

    #[test]
    fn decode_names_the_path_and_not_the_value() {
        use crate::types::SessionPage;
        let failure =
            decode::<SessionPage>(format!(r#"{{"count": "{SECRET}"}}"#).as_bytes()).unwrap_err();
        assert_eq!(failure.path, "count");
        assert!(!failure.to_string().contains(SECRET), "{failure}");
        let body = format!(r#"{{{PAGE}, "results": []}}"#);
        assert_eq!(decode::<SessionPage>(body.as_bytes()).unwrap().count(), 1);
    }

    #[test]
    fn kinds_drop_the_quoted_value() {
        assert_eq!(kind_of(r#"string "a`b""#), "string");
        assert_eq!(kind_of("floating point `1.5`"), "floating point");
        assert_eq!(kind_of("map"), "map");
        assert_eq!(kind_of(r#""odd"#), "value");
    }
}
