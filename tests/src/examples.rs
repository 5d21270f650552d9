//! The documented examples: each satisfies its schema, decodes into the SDK's
//! type and re-encodes to exactly the same JSON.

use crate::Spec;
use crate::sdk::SdkType;

/// Every way the spec's examples fail, one message each, naming the example,
/// where it is in the spec and, for a difference, the JSON pointer in the
/// example and both values. The examples are read from the spec, so a new
/// example is checked without touching the suite.
pub fn example_failures(
    spec: &Spec,
    response_type: fn(&str, u16) -> Option<SdkType>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for example in spec.examples() {
        let at = format!("example `{}` (#{})", example.name, example.pointer);
        match spec.validator(&example.schema_pointer) {
            Ok(validator) => {
                if let Err(errors) = crate::validation_errors(&validator, &example.value) {
                    failures.push(format!(
                        "{at} does not satisfy its schema #{}:\n  {}",
                        example.schema_pointer,
                        errors.join("\n  ")
                    ));
                }
            }
            Err(error) => failures.push(format!("{at}: {error}")),
        }
        let Some(sdk_type) = response_type(&example.operation_id, example.status) else {
            failures.push(format!(
                "{at}: no SDK type for the {} response of `{}`",
                example.status, example.operation_id
            ));
            continue;
        };
        match (sdk_type.round_trip)(&example.value) {
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
    failures
}
