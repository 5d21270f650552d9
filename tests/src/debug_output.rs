//! The `Debug` property: a value the SDK decoded from an instance of a
//! schema shows, in its `Debug` output (`{:?}` and `{:#?}`), the names of
//! its properties and none of the text it holds.
//!
//! Every string of the instance stands for personal data (a name, a
//! document number, an e-mail address, a base64 portrait). Enumerations of
//! names (statuses, kinds) are left out as a whole: their `Debug` is their
//! name, on purpose.

use std::collections::BTreeSet;

use proptest::strategy::Strategy;
use serde_json::Value;

use crate::Spec;
use crate::generate::{Generator, Options};
use crate::instances::Target;
use crate::property::{self, DEFAULT_CASES, Json};
use crate::sdk::SdkType;

/// Strings shorter than this are not looked for: they occur in any output
/// by chance (`null`, a type's name).
pub const SHORTEST_CHECKED: usize = 4;

/// Runs the property ([`check_debug_output`]) for each target that is not
/// an enumeration of names, with instances generated from `spec` with
/// `options`. One message per failing target: the schema, the SDK type, the
/// reason, the shrunk instance and the seed.
pub fn debug_output_failures(
    spec: &Spec,
    options: Options,
    targets: &[Target],
    regressions: Option<&'static str>,
) -> Vec<String> {
    let generator = Generator::new(&spec.json, options);
    let mut failures = Vec::new();
    for target in targets {
        let schema = spec.json.pointer(&target.schema_pointer);
        if schema.is_some_and(|schema| schema.get("enum").is_some()) {
            continue;
        }
        let strategy = generator.strategy_at(&target.schema_pointer).prop_map(Json);
        let property = format!(
            "`Debug` of `{}` (schema #{}) as {}",
            target.label, target.schema_pointer, target.sdk_type.rust_name
        );
        if let Err(failure) = property::check(
            &property,
            regressions,
            DEFAULT_CASES,
            strategy,
            |Json(instance)| check_debug_output(target.sdk_type, &instance),
        ) {
            failures.push(failure);
        }
    }
    failures
}

/// The property itself: `instance` decodes into `sdk_type`, and neither
/// `Debug` output of the value holds a string of the instance (at least
/// [`SHORTEST_CHECKED`] characters long, and not part of a name the output
/// may show: a property name at any depth, the type's name), while both
/// name each of the instance's own properties that reads as a name.
pub fn check_debug_output(sdk_type: SdkType, instance: &Value) -> Result<(), String> {
    let outputs = (sdk_type.debug_output)(instance)
        .map_err(|error| format!("{} did not decode it: {error}", sdk_type.rust_name))?;
    let mut names = BTreeSet::new();
    property_names(instance, &mut names);
    let type_name = sdk_type.rust_name.rsplit("::").next().unwrap_or_default();
    let mut texts = Vec::new();
    strings(instance, String::new(), &mut texts);
    for output in &outputs {
        for (pointer, text) in &texts {
            let may_show = text.chars().count() < SHORTEST_CHECKED
                || type_name.contains(text.as_str())
                || names.iter().any(|name| name.contains(text.as_str()));
            if !may_show && output.contains(text.as_str()) {
                return Err(format!(
                    "its `Debug` output shows the string at `{pointer}`:\n{output}"
                ));
            }
        }
        if let Value::Object(properties) = instance {
            let unnamed = properties
                .keys()
                .filter(|name| reads_as_name(name))
                .find(|name| !output.contains(&format!("{name}: ")));
            if let Some(name) = unnamed {
                return Err(format!(
                    "its `Debug` output does not name the property `{name}`:\n{output}"
                ));
            }
        }
    }
    Ok(())
}

/// A key the SDK repeats when it shows properties (a subset of what it
/// accepts as a name: lower case, digits, `_`).
fn reads_as_name(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// Every object key of `value`, at any depth.
fn property_names(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(properties) => {
            for (name, value) in properties {
                out.insert(name.clone());
                property_names(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| property_names(item, out)),
        _ => {}
    }
}

/// Every string of `value` with its JSON pointer.
fn strings(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => out.push((pointer, text.clone())),
        Value::Object(properties) => {
            for (name, value) in properties {
                strings(
                    value,
                    format!("{pointer}/{}", crate::escape_pointer(name)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strings(item, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A stand-in that derives `Debug`, as the generated types once did.
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Shown {
        name: String,
    }

    fn shown_debug_output(value: &Value) -> Result<[String; 2], String> {
        let shown: Shown = crate::decode(value)?;
        Ok([format!("{shown:?}"), format!("{shown:#?}")])
    }

    /// A stand-in whose `Debug` names nothing.
    fn opaque_debug_output(value: &Value) -> Result<[String; 2], String> {
        let _: Shown = crate::decode(value)?;
        Ok(["Shown".to_owned(), "Shown".to_owned()])
    }

    fn stand_in(debug_output: crate::sdk::DebugOutput) -> SdkType {
        SdkType {
            rust_name: "stand_in::Shown",
            debug_output,
            ..SdkType::of::<didit_api::types::ContactDetails>()
        }
    }

    #[test]
    fn a_derived_debug_is_caught_by_the_pointer_of_the_string_it_shows() {
        let failure =
            check_debug_output(stand_in(shown_debug_output), &json!({"name": "Jane Doe"}))
                .unwrap_err();
        assert!(failure.contains("the string at `/name`"), "{failure}");
        assert!(!failure.contains("does not name"), "{failure}");
    }

    #[test]
    fn strings_that_are_names_or_too_short_are_not_looked_for() {
        for name in ["name", "Sho", "Shown"] {
            check_debug_output(stand_in(shown_debug_output), &json!({ "name": name })).unwrap();
        }
    }

    #[test]
    fn a_property_left_unnamed_is_caught() {
        let failure =
            check_debug_output(stand_in(opaque_debug_output), &json!({"name": "x"})).unwrap_err();
        assert!(
            failure.contains("does not name the property `name`"),
            "{failure}"
        );
    }

    #[test]
    fn the_sdk_types_name_their_properties_and_show_no_string() {
        check_debug_output(
            SdkType::of::<didit_api::types::ContactDetails>(),
            &json!({"email": "jane@example.com", "phone": "+34600000000", "x_new": "Jane Doe"}),
        )
        .unwrap();
    }
}
