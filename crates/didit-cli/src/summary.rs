//! Readable summaries of one session, for `--format table`: a label and a
//! value per line, on standard output.

use std::io::{self, Write};

use didit::types::SessionDecision;
use serde_json::Value;

use crate::table::printable;

/// Writes `label  value` lines with the values lined up; a value's control
/// characters are shown as spaces so that it stays on its line.
pub fn write_fields(out: &mut dyn Write, fields: &[(String, String)]) -> io::Result<()> {
    let width = fields
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in fields {
        let line = format!("{label:<width$}  {}", printable(value));
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The lines of a decision's summary: who and where it stands, then the
/// status of every check and the code of every warning. Checks are found
/// by shape (an array of objects with a `status`), so that kinds of check
/// this version does not declare are shown too.
pub fn decision_fields(decision: &SessionDecision) -> io::Result<Vec<(String, String)>> {
    let json = serde_json::to_value(decision).map_err(io::Error::other)?;
    let text = |name: &str| match json.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => "-".to_owned(),
        Some(other) => other.to_string(),
    };
    let mut fields: Vec<(String, String)> =
        ["session_id", "session_number", "session_kind", "status"]
            .iter()
            .map(|name| ((*name).to_owned(), text(name)))
            .collect();
    let features: Vec<String> = json
        .get("features")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(feature_name)
        .collect();
    if !features.is_empty() {
        fields.push(("features".to_owned(), features.join(", ")));
    }
    let mut warnings = Vec::new();
    for (name, checks) in json.as_object().into_iter().flatten() {
        let Some(checks) = checks.as_array() else {
            continue;
        };
        for (index, check) in checks.iter().enumerate() {
            let Some(status) = check.get("status").and_then(Value::as_str) else {
                continue;
            };
            let place = if checks.len() == 1 {
                name.clone()
            } else {
                format!("{name}[{index}]")
            };
            fields.push((place.clone(), status.to_owned()));
            let codes = check
                .get("warnings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|warning| warning.get("risk").and_then(Value::as_str));
            warnings.extend(codes.map(|code| (place.clone(), code.to_owned())));
        }
    }
    for (place, code) in warnings {
        fields.push((format!("warning ({place})"), code));
    }
    Ok(fields)
}

/// A feature of the `features` list: a name, or (with events) an object
/// naming it.
fn feature_name(feature: &Value) -> String {
    match feature {
        Value::String(name) => name.clone(),
        other => other
            .get("feature")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
    }
}
