//! The spec as a newer server may answer it.
//!
//! The spec's enumerations are closed, but the server adds values over time
//! and the SDK must accept them. [`forward_compatible`] is the spec with every
//! string enumeration reduced to "a string" (and `oneOf` read as `anyOf`,
//! since without their enumerations the row kinds are no longer disjoint), so
//! that instances carrying unknown values can still be checked against
//! everything else the spec says.

use serde_json::Value;

use crate::Spec;

/// A copy of `spec` whose schemas accept any string where they listed values.
pub fn forward_compatible(spec: &Spec) -> Spec {
    let mut json = spec.json.clone();
    if let Some(Value::Object(schemas)) = json.pointer_mut("/components/schemas") {
        schemas.values_mut().for_each(open_schema);
    }
    if let Some(Value::Object(paths)) = json.get_mut("paths") {
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
        {
            for parameter in operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(schema) = parameter.get_mut("schema") {
                    open_schema(schema);
                }
            }
            let responses = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut);
            for response in responses.into_iter().flat_map(|r| r.values_mut()) {
                let content = response.get_mut("content").and_then(Value::as_object_mut);
                for media in content.into_iter().flat_map(|c| c.values_mut()) {
                    if let Some(schema) = media.get_mut("schema") {
                        open_schema(schema);
                    }
                }
            }
        }
    }
    Spec {
        path: spec.path.clone(),
        bytes: spec.bytes.clone(),
        json,
    }
}

/// Opens one schema and every schema inside it.
fn open_schema(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let all_strings = object
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().all(Value::is_string));
    if all_strings {
        object.remove("enum");
        object.insert("type".to_owned(), "string".into());
    }
    if let Some(alternatives) = object.remove("oneOf") {
        object.insert("anyOf".to_owned(), alternatives);
    }
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "properties" => value
                .as_object_mut()
                .into_iter()
                .flat_map(|p| p.values_mut())
                .for_each(open_schema),
            "items" | "additionalProperties" | "not" => open_schema(value),
            "allOf" | "anyOf" => value
                .as_array_mut()
                .into_iter()
                .flatten()
                .for_each(open_schema),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enumerations_become_strings_and_one_of_any_of() {
        let mut schema = json!({
            "oneOf": [{"type": "object", "properties": {"k": {"type": "string", "enum": ["a"], "nullable": true}}}],
            "items": {"enum": ["x", "y"]}
        });
        open_schema(&mut schema);
        assert_eq!(
            schema,
            json!({
                "anyOf": [{"type": "object", "properties": {"k": {"type": "string", "nullable": true}}}],
                "items": {"type": "string"}
            })
        );
    }
}
