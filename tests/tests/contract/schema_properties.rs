//! Schema-driven property tests: instances generated from the spec's own
//! schemas (not from hand-written per-type strategies) satisfy the spec,
//! decode into the SDK's types and re-encode to the same JSON.

use didit_contract::drift::complete_instance;
use didit_contract::generate::{Generator, Options, UNKNOWN_PROPERTY_PREFIX};
use didit_contract::instances::{Target, target_failures, targets};
use didit_contract::sdk::{component_type, response_type};
use didit_contract::{Spec, forward_compatible, validation_errors};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

const REGRESSIONS: Option<&str> = Some("proptest-regressions/schema_properties.txt");

fn every_target(spec: &Spec) -> Vec<Target> {
    targets(spec, component_type, response_type)
        .unwrap_or_else(|missing| panic!("{}", missing.join("\n")))
}

#[test]
fn documented_instances_of_every_schema_decode_and_re_encode_unchanged() {
    let spec = Spec::load().unwrap();
    let failures = target_failures(
        &spec,
        &spec,
        Options::DOCUMENTED,
        &every_target(&spec),
        REGRESSIONS,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What a newer server may send: properties the spec does not declare and
/// values no enumeration lists, in every schema that responses use.
///
/// Both must come back unchanged: the SDK's structs keep the properties they
/// do not declare (in their `extra` field) and write them back, at every
/// depth. Instances with unknown values are not valid per the spec's closed
/// enumerations, so they are validated against the spec with its enumerations
/// opened (`forward_compatible`), which still checks every other constraint.
#[test]
fn what_a_newer_server_may_send_decodes_and_re_encodes_unchanged() {
    let spec = Spec::load().unwrap();
    let response_targets: Vec<Target> = every_target(&spec)
        .into_iter()
        .filter(|target| target.in_responses)
        .collect();
    assert!(
        response_targets
            .iter()
            .any(|target| target.label == "SessionPage"),
        "the page is a response schema"
    );
    let failures = target_failures(
        &spec,
        &forward_compatible(&spec),
        Options::FORWARD_COMPATIBLE,
        &response_targets,
        REGRESSIONS,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The forward-compatible instances really go beyond the spec, which is why
/// they are validated against the opened spec: a check that would pass
/// without unknown values proves nothing about them.
#[test]
fn forward_compatible_instances_leave_the_spec_but_not_the_opened_spec() {
    let spec = Spec::load().unwrap();
    let pointer = "/components/schemas/SessionStatus";
    let strict = spec.validator(pointer).unwrap();
    let opened = forward_compatible(&spec).validator(pointer).unwrap();
    let generator = Generator::new(&spec.json, Options::FORWARD_COMPATIBLE);
    let strategy = generator.strategy_at(pointer);
    let mut runner = TestRunner::deterministic();
    let values: Vec<_> = (0..200)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    assert!(
        values
            .iter()
            .all(|value| validation_errors(&opened, value).is_ok())
    );
    assert!(
        values
            .iter()
            .any(|value| validation_errors(&strict, value).is_err()),
        "some values are unknown to the spec"
    );
}

/// The name of the property [`add_unknown_property_everywhere`] adds.
const ADDED: &str = "x_unknown_added";

/// Adds [`ADDED`] to every object of `value`, innermost first.
///
/// Some objects are maps whose values all have one schema (keyword counts,
/// messages per field); an entry added there must be of that kind too, so
/// the value added matches the values the object already holds, and an
/// empty object, whose kind cannot be seen, gets none.
fn add_unknown_property_everywhere(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object
                .values_mut()
                .for_each(add_unknown_property_everywhere);
            // An empty object may be a map whose values are unknown here.
            if object.is_empty() {
                return;
            }
            let added = if object.values().all(Value::is_i64) {
                json!(7)
            } else if object.values().all(is_text_or_texts) {
                json!("kept")
            } else {
                json!({"kept": [1, "two", null, 2.5, {"deep": true}]})
            };
            object.insert(ADDED.to_owned(), added);
        }
        Value::Array(values) => values.iter_mut().for_each(add_unknown_property_everywhere),
        _ => {}
    }
}

/// A string, or a list of strings: what a map of messages holds.
fn is_text_or_texts(value: &Value) -> bool {
    value.is_string()
        || value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string))
}

/// Unknown properties at every depth, deterministically: a complete instance
/// of each object schema, with an undeclared property added to each of its
/// objects (the page, its row, the row's phone number, e-mail address,
/// features and additional details, down to AML's screened data), decodes
/// into the SDK's type and re-encodes to the same JSON, key for key.
#[test]
fn unknown_properties_are_kept_at_every_depth_of_every_object_schema() {
    let spec = Spec::load().unwrap();
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for target in every_target(&spec) {
        let schema = spec.json.pointer(&target.schema_pointer).unwrap();
        if schema.get("properties").is_none() {
            continue;
        }
        let mut instance = complete_instance(&spec, &target.schema_pointer);
        add_unknown_property_everywhere(&mut instance);
        if target.label == "KycSession" {
            for nested in [
                "/phone_number",
                "/features/0",
                "/additional_details/aml/screened_data",
            ] {
                assert!(
                    instance.pointer(&format!("{nested}/{ADDED}")).is_some(),
                    "the complete KYC row has an object at {nested}: {instance:#}"
                );
            }
        }
        match (target.sdk_type.round_trip)(&instance) {
            Ok(differences) if differences.is_empty() => {}
            Ok(differences) => failures.push(format!(
                "`{}` as {} re-encoded it differently:\n  {}",
                target.label,
                target.sdk_type.rust_name,
                differences
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )),
            Err(error) => failures.push(format!(
                "`{}` as {} did not decode it: {error}",
                target.label, target.sdk_type.rust_name
            )),
        }
        checked.push(target.label);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for expected in [
        "SessionPage",
        "KycSession",
        "KybSession",
        "PhoneNumber",
        "Feature",
    ] {
        assert!(
            checked.iter().any(|label| label == expected),
            "{expected} was checked: {checked:?}"
        );
    }
}

/// The random forward-compatible pages do carry unknown properties below
/// the top level, so the property above them checks nested objects too.
#[test]
fn forward_compatible_pages_carry_unknown_properties_inside_rows() {
    let spec = Spec::load().unwrap();
    let generator = Generator::new(&spec.json, Options::FORWARD_COMPATIBLE);
    let strategy = generator.strategy_at("/components/schemas/SessionPage");
    let mut runner = TestRunner::deterministic();
    let nested_unknown = |page: &Value| {
        page["results"].as_array().into_iter().flatten().any(|row| {
            row.as_object().into_iter().flatten().any(|(name, value)| {
                name.starts_with(UNKNOWN_PROPERTY_PREFIX)
                    || value.to_string().contains(UNKNOWN_PROPERTY_PREFIX)
            })
        })
    };
    let pages = (0..200).map(|_| strategy.new_tree(&mut runner).unwrap().current());
    assert!(
        pages.filter(nested_unknown).count() > 10,
        "rows with unknown properties are generated"
    );
}
