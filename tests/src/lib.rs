//! Conformance harness for the didit SDK: the spec, its examples, and the
//! tools the contract tests share.
//!
//! The suites live in `tests/tests/contract/`, one module each, built as one
//! test binary; `cargo contract` runs them (see `tests/README.md`). This
//! library holds what they share: the registry of SDK types per schema
//! ([`sdk`]), the proptest strategies generated from the spec's schemas
//! ([`generate`]) and for the SDK's own types ([`typed`]), the spec as a
//! newer server may answer it ([`openness`]), the checks themselves
//! ([`examples`], [`instances`], [`drift`], [`wire`]), queries over the fake
//! server's data ([`fake`]) and the property runner that prints seeds
//! ([`property`]).

pub mod debug_output;
pub mod drift;
pub mod examples;
pub mod fake;
pub mod generate;
pub mod instances;
pub mod openness;
pub mod property;
pub mod sdk;
pub mod typed;
pub mod wire;

pub use openness::forward_compatible;
pub use xtask::spec::{Example, Spec, escape_pointer, validation_errors};

use serde_json::Value;

/// One place where two JSON documents differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// JSON pointer of the differing value.
    pub pointer: String,
    /// The value in the first document (`None`: absent).
    pub expected: Option<Value>,
    /// The value in the second document (`None`: absent).
    pub actual: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |value: &Option<Value>| match value {
            Some(value) => value.to_string(),
            None => "(absent)".to_owned(),
        };
        write!(
            f,
            "at `{}`: expected {}, got {}",
            if self.pointer.is_empty() {
                "/"
            } else {
                &self.pointer
            },
            show(&self.expected),
            show(&self.actual)
        )
    }
}

/// Every difference between `expected` and `actual`, compared as JSON values
/// (object key order does not matter; everything else does).
pub fn json_differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    collect_differences(expected, actual, String::new(), &mut out);
    out
}

fn collect_differences(
    expected: &Value,
    actual: &Value,
    pointer: String,
    out: &mut Vec<Difference>,
) {
    match (expected, actual) {
        (Value::Object(left), Value::Object(right)) => {
            for (key, left_value) in left {
                let child = format!("{pointer}/{}", xtask::spec::escape_pointer(key));
                match right.get(key) {
                    Some(right_value) => collect_differences(left_value, right_value, child, out),
                    None => out.push(Difference {
                        pointer: child,
                        expected: Some(left_value.clone()),
                        actual: None,
                    }),
                }
            }
            for (key, right_value) in right {
                if !left.contains_key(key) {
                    out.push(Difference {
                        pointer: format!("{pointer}/{}", xtask::spec::escape_pointer(key)),
                        expected: None,
                        actual: Some(right_value.clone()),
                    });
                }
            }
        }
        (Value::Array(left), Value::Array(right)) if left.len() == right.len() => {
            for (index, (left, right)) in left.iter().zip(right).enumerate() {
                collect_differences(left, right, format!("{pointer}/{index}"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(Difference {
            pointer,
            expected: Some(expected.clone()),
            actual: Some(actual.clone()),
        }),
    }
}

/// Decodes `value` as `T` and encodes it again; the differences from the
/// original, or the decoding error (with the path of the failing field).
pub fn round_trip<T>(value: &Value) -> Result<Vec<Difference>, String>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let decoded: T = decode(value)?;
    let encoded =
        serde_json::to_value(&decoded).map_err(|error| format!("re-encoding failed: {error}"))?;
    Ok(json_differences(value, &encoded))
}

/// Decodes `value` as `T`, naming the failing field in the error.
pub fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    // Decoding from text rather than from the `Value` exercises the same path
    // as a real response.
    let text = value.to_string();
    didit_api::decode_any(text.as_bytes()).map_err(|failure| {
        if failure.path == "." {
            format!("decoding failed: {}", failure.expected)
        } else {
            format!(
                "decoding failed at `{}`: {}",
                failure.path, failure.expected
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_the_pointer_and_both_values() {
        let differences = json_differences(
            &json!({"a": [1, {"b": null}], "c": 1}),
            &json!({"a": [1, {}], "c": 2, "d": true}),
        );
        let lines: Vec<String> = differences.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "at `/a/1/b`: expected null, got (absent)",
                "at `/c`: expected 1, got 2",
                "at `/d`: expected (absent), got true",
            ]
        );
    }

    #[test]
    fn equal_documents_have_no_differences() {
        assert!(json_differences(&json!({"x": [1.5, "y"]}), &json!({"x": [1.5, "y"]})).is_empty());
    }
}
