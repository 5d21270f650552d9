//! The query parser knows every query parameter of the spec: each one, set
//! alone to a value its schema allows, changes what the parser returns.

use didit_contract::Spec;
use didit_contract::instances::component_ref;
use didit_contract::wire::spec_parameters;
use didit_mock::ListQuery;
use serde_json::{Value, json};

/// Values `schema` allows, to try in turn: a parameter set to its default
/// parses like the empty query, so one value is not always enough.
fn values_allowed_by(spec: &Spec, schema: &Value) -> Vec<String> {
    let mut schema = schema;
    while let Some(target) = component_ref(schema) {
        schema = &spec.json["components"]["schemas"][target];
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
    }
    let values: &[&str] = match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("integer"), _) => {
            let least = schema["minimum"].as_i64().unwrap_or(0);
            return vec![least.to_string(), (least + 1).to_string()];
        }
        (Some("number"), _) => &["0.5", "1"],
        (Some("boolean"), _) => &["true", "false"],
        (_, Some("date")) => &["2025-06-30"],
        (_, Some("date-time")) => &["2025-06-30T12:00:00Z"],
        (_, Some("uuid")) => &["6f1c2b7e-0d3a-4c55-9e2f-1a2b3c4d5e6f"],
        _ => &["sample"],
    };
    values.iter().map(|value| (*value).to_owned()).collect()
}

/// The spec's query parameters that make no difference to the parser,
/// one line each.
fn parameters_the_parser_ignores(spec: &Spec) -> Vec<String> {
    let empty = ListQuery::parse("").expect("the empty query parses");
    let mut problems = Vec::new();
    for (name, parameter) in spec_parameters(spec) {
        let values = values_allowed_by(spec, &parameter["schema"]);
        let outcomes: Vec<String> = values
            .iter()
            .map(|value| {
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair(&name, value)
                    .finish();
                match ListQuery::parse(&query) {
                    Ok(parsed) if parsed != empty => String::new(),
                    Ok(_) => format!("`{query}` parses like the empty query"),
                    Err(error) => format!("`{query}` is refused: {:?}", error.0),
                }
            })
            .collect();
        if outcomes.iter().all(|outcome| !outcome.is_empty()) {
            problems.push(format!(
                "the mock's query parser ignores the spec's query parameter `{name}`: {}",
                outcomes.join("; ")
            ));
        }
    }
    problems
}

#[test]
fn every_query_parameter_of_the_spec_changes_what_the_parser_returns() {
    let problems = parameters_the_parser_ignores(&Spec::load().unwrap());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_parameter_check_bites() {
    let mut spec = Spec::load().unwrap();
    spec.json
        .pointer_mut("/paths/~1v3~1sessions~1/get/parameters")
        .and_then(Value::as_array_mut)
        .expect("the spec lists the parameters of GET /v3/sessions/")
        .extend([
            json!({"name": "risk_level", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "min_score", "in": "query", "schema": {"type": "integer", "minimum": 0}}),
        ]);
    let problems = parameters_the_parser_ignores(&spec);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`min_score`") && problems[0].contains("`min_score=1` parses like"),
        "{problems:?}"
    );
    assert!(problems[1].contains("`risk_level`"), "{problems:?}");
}
