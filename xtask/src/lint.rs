//! Checks of the spec that progenitor does not make.
//!
//! Every problem is reported as `file#pointer: message`, so it can be found in
//! the spec without guessing.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::{Spec, escape_pointer, validation_errors};

/// Every problem found in `spec`.
pub fn lint(spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut report = |pointer: &str, message: String| {
        problems.push(format!("{}#{pointer}: {message}", spec.display_path()));
    };

    match spec.json.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => {}
        Some(version) => report(
            "/openapi",
            format!("version {version} is not OpenAPI 3.0.x"),
        ),
        None => report(
            "/openapi",
            "the `openapi` version field is missing".to_owned(),
        ),
    }
    if let Err(error) = spec.openapi() {
        report("", format!("{error:#}"));
    }

    let mut operation_ids: BTreeMap<&str, String> = BTreeMap::new();
    for (_, operation, pointer) in spec.operations() {
        match operation.get("operationId").and_then(Value::as_str) {
            None => report(&pointer, "the operation has no operationId".to_owned()),
            Some(id) => {
                if let Some(first) = operation_ids.insert(id, pointer.clone()) {
                    report(
                        &pointer,
                        format!("operationId `{id}` is also used at {first}"),
                    );
                }
            }
        }
    }

    let mut references = Vec::new();
    collect_references(&spec.json, String::new(), &mut references);
    for (pointer, target) in references {
        let resolves = target
            .strip_prefix('#')
            .is_some_and(|target| spec.json.pointer(target).is_some());
        if !resolves {
            report(
                &pointer,
                format!("$ref `{target}` does not resolve within the spec"),
            );
        }
    }

    for (pointer, schema_pointer, value) in all_examples(spec) {
        match spec.validator(&schema_pointer) {
            Err(error) => report(&schema_pointer, format!("{error:#}")),
            Ok(validator) => {
                if let Err(errors) = validation_errors(&validator, &value) {
                    report(
                        &pointer,
                        format!(
                            "the example does not match its schema ({schema_pointer}):\n    {}",
                            errors.join("\n    ")
                        ),
                    );
                }
            }
        }
    }
    problems
}

/// `(pointer of the $ref, target)` for every `$ref` in `value`.
fn collect_references(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_pointer = format!("{pointer}/{}", escape_pointer(key));
                if key == "$ref"
                    && let Value::String(target) = child
                {
                    out.push((child_pointer, target.clone()));
                } else {
                    collect_references(child, child_pointer, out);
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_references(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// `(pointer of the example, pointer of its schema, example)` for response
/// examples, parameter examples and `example` keywords inside schemas.
fn all_examples(spec: &Spec) -> Vec<(String, String, Value)> {
    let mut examples: Vec<_> = spec
        .examples()
        .into_iter()
        .map(|example| (example.pointer, example.schema_pointer, example.value))
        .collect();
    for (_, operation, operation_pointer) in spec.operations() {
        let parameters = operation.get("parameters").and_then(Value::as_array);
        for (index, parameter) in parameters.into_iter().flatten().enumerate() {
            let pointer = format!("{operation_pointer}/parameters/{index}");
            if let Some(value) = parameter.get("example") {
                examples.push((
                    format!("{pointer}/example"),
                    format!("{pointer}/schema"),
                    value.clone(),
                ));
            }
            let named = parameter.get("examples").and_then(Value::as_object);
            for (name, example) in named.into_iter().flatten() {
                examples.push((
                    format!("{pointer}/examples/{}/value", escape_pointer(name)),
                    format!("{pointer}/schema"),
                    example.get("value").cloned().unwrap_or_default(),
                ));
            }
        }
    }
    schema_examples(&spec.json, String::new(), &mut examples);
    examples
}

/// `example` keywords of schema objects anywhere in the document.
fn schema_examples(value: &Value, pointer: String, out: &mut Vec<(String, String, Value)>) {
    match value {
        Value::Object(object) => {
            let is_schema = object.contains_key("type")
                || object.contains_key("$ref")
                || object.contains_key("allOf")
                || object.contains_key("oneOf")
                || object.contains_key("anyOf");
            for (key, child) in object {
                let child_pointer = format!("{pointer}/{}", escape_pointer(key));
                if key == "example" && is_schema {
                    out.push((child_pointer, pointer.clone(), child.clone()));
                } else if key != "examples" && key != "example" {
                    schema_examples(child, child_pointer, out);
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                schema_examples(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}
