//! OpenAPI 3.0 schema objects as JSON Schema (draft 2020-12).
//!
//! OpenAPI 3.0 schemas are nearly JSON Schema; the differences that matter
//! here are `nullable` (JSON Schema spells it as a `null` type), references to
//! `#/components/schemas/…` (moved under `$defs`), and keywords JSON Schema
//! does not have, which are dropped.

use serde_json::{Map, Value, json};

/// Keywords that exist only in OpenAPI and mean nothing to a validator.
const OPENAPI_ONLY: &[&str] = &[
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
];

/// Keywords whose value is one schema.
const SCHEMA_VALUED: &[&str] = &["items", "additionalProperties", "not"];

/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf"];

/// Translates one OpenAPI schema object, recursively.
pub fn translate(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        if OPENAPI_ONLY.contains(&key.as_str()) {
            continue;
        }
        let translated = match key.as_str() {
            "$ref" => Value::String(
                value
                    .as_str()
                    .map(|target| target.replace("#/components/schemas/", "#/$defs/"))
                    .unwrap_or_default(),
            ),
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), translate(schema)))
                    .collect(),
            ),
            key if SCHEMA_VALUED.contains(&key) => translate(value),
            key if SCHEMA_LISTS.contains(&key) => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(translate)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), translated);
    }
    // OpenAPI 3.0 writes exclusive bounds as booleans beside the bound.
    for (bound, exclusive) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        if out.get(exclusive) == Some(&Value::Bool(true)) {
            if let Some(limit) = out.remove(bound) {
                out.insert(exclusive.to_owned(), limit);
            }
        } else if out.get(exclusive) == Some(&Value::Bool(false)) {
            out.remove(exclusive);
        }
    }
    if object.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    match (out.get("type").cloned(), out.contains_key("enum")) {
        (Some(Value::String(kind)), has_enum) => {
            out.insert("type".to_owned(), json!([kind, "null"]));
            if has_enum && let Some(Value::Array(values)) = out.get_mut("enum") {
                values.push(Value::Null);
            }
            Value::Object(out)
        }
        // No single type (a reference or a composition): either it, or null.
        _ => {
            let description = out.remove("description");
            let mut wrapper = Map::new();
            if let Some(description) = description {
                wrapper.insert("description".to_owned(), description);
            }
            wrapper.insert(
                "anyOf".to_owned(),
                json!([Value::Object(out), {"type": "null"}]),
            );
            Value::Object(wrapper)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_types_admit_null() {
        assert_eq!(
            translate(&json!({"type": "string", "nullable": true, "format": "uuid"})),
            json!({"type": ["string", "null"], "format": "uuid"})
        );
    }

    #[test]
    fn nullable_enums_list_null() {
        assert_eq!(
            translate(&json!({"type": "string", "nullable": true, "enum": ["a"]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_compositions_are_wrapped() {
        assert_eq!(
            translate(&json!({
                "allOf": [{"$ref": "#/components/schemas/Phone"}],
                "nullable": true,
                "description": "d"
            })),
            json!({
                "description": "d",
                "anyOf": [{"allOf": [{"$ref": "#/$defs/Phone"}]}, {"type": "null"}]
            })
        );
    }

    #[test]
    fn openapi_only_keywords_are_dropped_and_nested_schemas_translated() {
        assert_eq!(
            translate(&json!({
                "type": "object",
                "example": {},
                "properties": {"a": {"type": "integer", "nullable": true}},
                "additionalProperties": {"$ref": "#/components/schemas/X"}
            })),
            json!({
                "type": "object",
                "properties": {"a": {"type": ["integer", "null"]}},
                "additionalProperties": {"$ref": "#/$defs/X"}
            })
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        assert_eq!(
            translate(&json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})),
            json!({"type": "integer", "exclusiveMinimum": 0})
        );
    }
}
