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

/// Properties of a decision shown first, in this order.
const HEADLINE: [&str; 4] = ["session_id", "session_number", "session_kind", "status"];
/// The decision's list of features.
const FEATURES: &str = "features";
/// The status of one check.
const CHECK_STATUS: &str = "status";
/// The warnings of one check.
const WARNINGS: &str = "warnings";
/// The code of one warning.
const WARNING_CODE: &str = "risk";
/// The feature a node of the `features` list (with events) names.
const FEATURE_NAME: &str = "feature";

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
    let mut fields: Vec<(String, String)> = HEADLINE
        .iter()
        .map(|name| ((*name).to_owned(), text(name)))
        .collect();
    let features: Vec<String> = json
        .get(FEATURES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(feature_name)
        .collect();
    if !features.is_empty() {
        fields.push((FEATURES.to_owned(), features.join(", ")));
    }
    let mut warnings = Vec::new();
    for (name, checks) in json.as_object().into_iter().flatten() {
        let Some(checks) = checks.as_array() else {
            continue;
        };
        for (index, check) in checks.iter().enumerate() {
            let Some(status) = check.get(CHECK_STATUS).and_then(Value::as_str) else {
                continue;
            };
            let place = if checks.len() == 1 {
                name.clone()
            } else {
                format!("{name}[{index}]")
            };
            fields.push((place.clone(), status.to_owned()));
            let codes = check
                .get(WARNINGS)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|warning| warning.get(WARNING_CODE).and_then(Value::as_str));
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
            .get(FEATURE_NAME)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use didit_contract::Spec;

    use super::*;

    /// The published example decision of the spec.
    fn published_decision(spec: &Spec) -> SessionDecision {
        let example = spec
            .json
            .pointer(
                "/paths/~1v3~1session~1{sessionId}~1decision~1/get/responses/200/content/\
                 application~1json/examples/published_example/value",
            )
            .expect("the spec has the published decision example");
        serde_json::from_value(example.clone()).unwrap()
    }

    /// The names the summary reads that are not properties of the spec's
    /// schema where it reads them.
    fn names_out_of_step_with(spec: &Spec) -> Vec<String> {
        let schemas = &spec.json["components"]["schemas"];
        let mut places: Vec<(&str, &str)> = HEADLINE
            .iter()
            .chain(&[FEATURES])
            .map(|name| ("SessionDecision", *name))
            .collect();
        places.extend([
            ("Warning", WARNING_CODE),
            ("FeatureNode", FEATURE_NAME),
            ("IdVerification", CHECK_STATUS),
            ("IdVerification", WARNINGS),
        ]);
        places
            .into_iter()
            .filter(|(schema, name)| schemas[*schema]["properties"].get(*name).is_none())
            .map(|(schema, name)| {
                format!("the summary reads `{name}`, which the spec's {schema} does not have")
            })
            .collect()
    }

    #[test]
    fn every_name_the_summary_reads_is_in_the_spec() {
        let problems = names_out_of_step_with(&Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let mut spec = Spec::load().unwrap();
        spec.json["components"]["schemas"]["Warning"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("risk");
        assert_eq!(
            names_out_of_step_with(&spec),
            ["the summary reads `risk`, which the spec's Warning does not have"]
        );
    }

    #[test]
    fn the_published_decision_is_summed_up_by_status_checks_and_warnings() {
        let spec = Spec::load().unwrap();
        let decision = published_decision(&spec);
        let fields = decision_fields(&decision).unwrap();
        let value = |label: &str| {
            fields
                .iter()
                .find(|(name, _)| name == label)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(
            value("session_id"),
            Some("11111111-2222-3333-4444-555555555555")
        );
        assert_eq!(value("status"), Some("In Review"));
        assert!(
            value("features")
                .unwrap()
                .starts_with("ID_VERIFICATION, NFC")
        );
        // Every check of the example with a status is listed, with it.
        let json = serde_json::to_value(&decision).unwrap();
        for (name, checks) in json.as_object().unwrap() {
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
                assert_eq!(value(&place), Some(status), "{place}");
            }
        }
        assert!(
            fields.iter().any(|(name, _)| name.starts_with("warning (")),
            "{fields:?}"
        );
    }

    #[test]
    fn values_stay_on_their_line() {
        let mut out = Vec::new();
        let fields = [
            ("status".to_owned(), "In\nReview".to_owned()),
            ("session_number".to_owned(), "7".to_owned()),
        ];
        write_fields(&mut out, &fields).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "status          In Review\nsession_number  7\n"
        );
    }
}
