//! The schema-driven property: instances generated from each schema of the
//! spec validate, decode into the SDK's type and re-encode unchanged.

use std::collections::BTreeSet;

use serde_json::Value;

use proptest::strategy::Strategy;

use crate::generate::{Generator, Options};
use crate::property::{self, DEFAULT_CASES, Json};
use crate::sdk::{ComponentTypes, SdkType};
use crate::{Spec, validation_errors};

/// One schema of the spec and the SDK type its instances decode into.
#[derive(Clone, Debug)]
pub struct Target {
    /// How messages name it: the component's name, or the response.
    pub label: String,
    /// JSON pointer to the schema in the spec.
    pub schema_pointer: String,
    /// The SDK type.
    pub sdk_type: SdkType,
    /// Whether the schema describes (part of) a response, which a newer
    /// server may extend; request-only schemas are not.
    pub in_responses: bool,
}

/// Every component schema, and every response schema that is not just a
/// reference to one, with its SDK type; or the schemas that have none.
pub fn targets(
    spec: &Spec,
    component_type: ComponentTypes,
    response_type: fn(&str, u16) -> Option<SdkType>,
) -> Result<Vec<Target>, Vec<String>> {
    let in_responses = components_in_responses(spec);
    let mut targets = Vec::new();
    let mut missing = Vec::new();
    let components = spec
        .json
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for name in components.into_iter().flat_map(|c| c.keys()) {
        let schema_pointer = format!("/components/schemas/{}", xtask::spec::escape_pointer(name));
        match component_type(name) {
            Some(sdk_type) => targets.push(Target {
                label: name.clone(),
                schema_pointer,
                sdk_type,
                in_responses: in_responses.contains(name),
            }),
            None => missing.push(format!(
                "#{schema_pointer}: the component `{name}` has no SDK type (regenerate, then add it to didit_contract::sdk::component_type)"
            )),
        }
    }
    for (operation_id, status, schema_pointer) in response_schemas(spec) {
        let schema = spec
            .json
            .pointer(&schema_pointer)
            .expect("listed from the spec");
        if component_ref(schema).is_some() {
            continue;
        }
        match response_type(&operation_id, status) {
            Some(sdk_type) => targets.push(Target {
                label: format!("{operation_id} {status}"),
                schema_pointer,
                sdk_type,
                in_responses: true,
            }),
            None => missing.push(format!(
                "#{schema_pointer}: the {status} response of `{operation_id}` has no SDK type"
            )),
        }
    }
    if missing.is_empty() {
        Ok(targets)
    } else {
        Err(missing)
    }
}

/// Runs the property ([`check_instance`]) for each target with instances
/// generated from `spec` with `options`, validated against the same schema of
/// `validating_spec` (the spec itself, or [`crate::forward_compatible`]).
/// One message per failing target: the schema, the SDK type, the reason, the
/// shrunk instance and the seed.
pub fn target_failures(
    spec: &Spec,
    validating_spec: &Spec,
    options: Options,
    targets: &[Target],
    regressions: Option<&'static str>,
) -> Vec<String> {
    let generator = Generator::new(&spec.json, options);
    let mut failures = Vec::new();
    for target in targets {
        let validator = match validating_spec.validator(&target.schema_pointer) {
            Ok(validator) => validator,
            Err(error) => {
                failures.push(format!("`{}`: {error}", target.label));
                continue;
            }
        };
        let strategy = generator.strategy_at(&target.schema_pointer).prop_map(Json);
        let property = format!(
            "`{}` (schema #{}) as {}",
            target.label, target.schema_pointer, target.sdk_type.rust_name
        );
        if let Err(failure) = property::check(
            &property,
            regressions,
            DEFAULT_CASES,
            strategy,
            |Json(instance)| check_instance(&validator, target.sdk_type, &instance),
        ) {
            failures.push(failure);
        }
    }
    failures
}

/// `(operation id, status, pointer)` of every JSON response schema.
pub fn response_schemas(spec: &Spec) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for (path, operation, pointer) in spec.operations() {
        let operation_id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or(path);
        let responses = operation.get("responses").and_then(Value::as_object);
        for (status, response) in responses.into_iter().flatten() {
            let Ok(status_code) = status.parse::<u16>() else {
                continue;
            };
            if response
                .pointer("/content/application~1json/schema")
                .is_some()
            {
                out.push((
                    operation_id.to_owned(),
                    status_code,
                    format!("{pointer}/responses/{status}/content/application~1json/schema"),
                ));
            }
        }
    }
    out
}

/// The names of the components that response schemas use, directly or not.
pub fn components_in_responses(spec: &Spec) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&Value> = response_schemas(spec)
        .iter()
        .filter_map(|(_, _, pointer)| spec.json.pointer(pointer))
        .collect();
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                if let Some(name) = component_ref(value)
                    && seen.insert(name.to_owned())
                    && let Some(target) = spec.json.pointer(&format!("/components/schemas/{name}"))
                {
                    pending.push(target);
                }
                pending.extend(object.values());
            }
            Value::Array(values) => pending.extend(values),
            _ => {}
        }
    }
    seen
}

/// The component a `{"$ref": "#/components/schemas/…"}` schema points to.
pub fn component_ref(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// The property itself: `instance` satisfies `validator` (the generator's
/// self-check), decodes into `sdk_type` and re-encodes to the same JSON, key
/// for key. That includes the properties the generator invented (named with
/// [`crate::generate::UNKNOWN_PROPERTY_PREFIX`]) at any depth: the SDK's
/// structs keep what they do not declare, so any difference fails.
pub fn check_instance(
    validator: &jsonschema::Validator,
    sdk_type: SdkType,
    instance: &Value,
) -> Result<(), String> {
    validation_errors(validator, instance).map_err(|errors| {
        format!(
            "the generated instance does not satisfy its schema (a generator bug, or a schema the generator misreads):\n  {}",
            errors.join("\n  ")
        )
    })?;
    let differences = (sdk_type.round_trip)(instance)
        .map_err(|error| format!("{} did not decode it: {error}", sdk_type.rust_name))?;
    let unexpected: Vec<String> = differences.iter().map(ToString::to_string).collect();
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} re-encoded it differently:\n  {}",
            sdk_type.rust_name,
            unexpected.join("\n  ")
        ))
    }
}
