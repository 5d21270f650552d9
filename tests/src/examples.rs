//! The documented examples: each satisfies its schema, decodes into the SDK's
//! type and re-encodes to exactly the same JSON.

use serde_json::Value;

use crate::Spec;
use crate::sdk::{ComponentTypes, SdkType};

/// Every way the spec's response examples fail, one message each, naming the
/// example, where it is in the spec and, for a difference, the JSON pointer
/// in the example and both values. The examples are read from the spec, so a
/// new example is checked without touching the suite.
pub fn example_failures(
    spec: &Spec,
    response_type: fn(&str, u16) -> Option<SdkType>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for example in spec.examples() {
        let at = format!("example `{}` (#{})", example.name, example.pointer);
        let sdk_type = response_type(&example.operation_id, example.status).ok_or_else(|| {
            format!(
                "no SDK type for the {} response of `{}`",
                example.status, example.operation_id
            )
        });
        check_example(
            spec,
            &at,
            &example.schema_pointer,
            &example.value,
            sdk_type,
            &mut failures,
        );
    }
    failures
}

/// The `example` of every component schema that has one (the webhook events,
/// which no operation returns, are documented this way), as
/// `(component name, example)`.
pub fn component_examples(spec: &Spec) -> Vec<(String, Value)> {
    spec.json
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| Some((name.clone(), schema.get("example")?.clone())))
        .collect()
}

/// Every way the examples of component schemas fail, checked like
/// [`example_failures`] against the component and its SDK type.
pub fn component_example_failures(spec: &Spec, component_type: ComponentTypes) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, value) in component_examples(spec) {
        let schema_pointer = format!("/components/schemas/{name}");
        let at = format!("example of component `{name}` (#{schema_pointer}/example)");
        let sdk_type = component_type(&name).ok_or_else(|| format!("no SDK type for `{name}`"));
        check_example(spec, &at, &schema_pointer, &value, sdk_type, &mut failures);
    }
    failures
}

/// Checks one example against its schema and its SDK type's round trip.
fn check_example(
    spec: &Spec,
    at: &str,
    schema_pointer: &str,
    value: &Value,
    sdk_type: Result<SdkType, String>,
    failures: &mut Vec<String>,
) {
    match spec.validator(schema_pointer) {
        Ok(validator) => {
            if let Err(errors) = crate::validation_errors(&validator, value) {
                failures.push(format!(
                    "{at} does not satisfy its schema #{schema_pointer}:\n  {}",
                    errors.join("\n  ")
                ));
            }
        }
        Err(error) => failures.push(format!("{at}: {error}")),
    }
    let sdk_type = match sdk_type {
        Ok(sdk_type) => sdk_type,
        Err(missing) => {
            failures.push(format!("{at}: {missing}"));
            return;
        }
    };
    match (sdk_type.round_trip)(value) {
        Ok(differences) if differences.is_empty() => {}
        Ok(differences) => failures.push(format!(
            "{at} changes when decoded as {} and re-encoded:\n  {}",
            sdk_type.rust_name,
            differences
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  ")
        )),
        Err(error) => failures.push(format!("{at}: {} {error}", sdk_type.rust_name)),
    }
}
