//! Spec ↔ types drift: the SDK's types still say what the spec says.
//!
//! Each component schema of the spec is compared with the schemars schema of
//! its SDK type (from [`crate::sdk`]): the same properties under the same
//! names, compatible types (a Rust type must hold every value the spec
//! allows), the same enumeration values, references to the right types. What
//! schemars cannot see — whether a property may be left out, and whether
//! `null` survives — is probed by decoding: a complete instance generated
//! from the spec, with one property removed or set to `null` at a time.
//!
//! A property added to the spec without regenerating, a field added to a type
//! by hand, a renamed field, a changed type or a new enumeration value is a
//! message naming it.

use std::collections::{BTreeMap, BTreeSet};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use schemars::r#gen::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value};

use crate::Spec;
use crate::generate::{Generator, Options, required_properties};
use crate::instances::{component_ref, components_in_responses};
use crate::sdk::{ComponentTypes, SdkType};

/// Every disagreement between the spec's component schemas and the SDK's
/// types, one message each.
pub fn drift(spec: &Spec, component_type: ComponentTypes) -> Vec<String> {
    let mut check = Check {
        spec,
        component_type,
        problems: Vec::new(),
        open_enums: BTreeMap::new(),
    };
    let in_responses = components_in_responses(spec);
    let components = spec
        .json
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in components.into_iter().flatten() {
        let Some(sdk_type) = component_type(name) else {
            check.problems.push(format!(
                "`{name}` (#/components/schemas/{name}) has no SDK type: regenerate with `cargo xtask generate`, then add it to didit_contract::sdk::component_type"
            ));
            continue;
        };
        let mut generator = schema_generator();
        let rust =
            serde_json::to_value((sdk_type.schema)(&mut generator)).expect("schemas are JSON");
        let definitions = serde_json::to_value(generator.definitions()).expect("schemas are JSON");
        let component = Component {
            name,
            sdk_type,
            definitions: &definitions,
        };
        if in_responses.contains(name)
            && is_closed_enumeration(&resolve_rust(&rust, &definitions).1)
        {
            check.problems.push(format!(
                "`{name}` is part of responses but {} is a closed enum: a value the server adds would fail the whole page",
                sdk_type.rust_name
            ));
        }
        check.compare(&component, schema, &rust, name);
        check.probe_presence(&component, schema);
    }
    check.open_enums_know_exactly_the_spec_values();
    check.problems
}

/// The settings the comparison expects: draft-07 with `#/definitions/`.
fn schema_generator() -> SchemaGenerator {
    SchemaSettings::draft07().into_generator()
}

struct Component<'a> {
    name: &'a str,
    sdk_type: SdkType,
    /// The schemars definitions the type's schema refers to.
    definitions: &'a Value,
}

/// The values of one open enum, and of the spec's enumerations paired with it.
#[derive(Default)]
struct OpenEnum {
    known: BTreeSet<String>,
    in_spec: BTreeSet<String>,
    components: BTreeSet<String>,
}

struct Check<'a> {
    spec: &'a Spec,
    component_type: ComponentTypes,
    problems: Vec<String>,
    open_enums: BTreeMap<String, OpenEnum>,
}

impl Check<'_> {
    /// Compares the spec schema at `path` with the Rust schema.
    fn compare(&mut self, component: &Component, spec: &Value, rust: &Value, path: &str) {
        let spec = unwrap_single_all_of(spec);
        let rust = &strip_null(rust);
        match (component_ref(spec), rust_ref(rust)) {
            (Some(target), Some(definition)) => {
                let expected = (self.component_type)(target).and_then(definition_name);
                if expected.as_deref() != Some(definition) {
                    self.problems.push(format!(
                        "`{path}`: the spec refers to `{target}`, whose SDK type is {}, but the Rust field's type is `{definition}`",
                        expected.map_or("missing".to_owned(), |name| format!("`{name}`"))
                    ));
                }
                // The referenced component is compared on its own.
                return;
            }
            (Some(target), None) => {
                let resolved = self.component(target);
                self.compare(component, &resolved, rust, path);
                return;
            }
            (None, Some(_)) => {
                let (name, resolved) = resolve_rust(rust, component.definitions);
                self.compare_inline(component, spec, &resolved, name.as_deref(), path);
                return;
            }
            (None, None) => {}
        }
        self.compare_inline(component, spec, rust, None, path);
    }

    fn compare_inline(
        &mut self,
        component: &Component,
        spec: &Value,
        rust: &Value,
        rust_name: Option<&str>,
        path: &str,
    ) {
        let rust = &strip_null(rust);
        if let Some(values) = spec.get("enum").and_then(Value::as_array) {
            self.compare_enumeration(component, values, rust, rust_name, path);
            return;
        }
        let spec_alternatives = spec.get("oneOf").or_else(|| spec.get("anyOf"));
        let rust_alternatives = rust.get("oneOf").or_else(|| rust.get("anyOf"));
        if spec_alternatives.is_some() || rust_alternatives.is_some() {
            let spec_alternatives = spec_alternatives
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let rust_alternatives = rust_alternatives
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if spec_alternatives.len() != rust_alternatives.len() {
                self.problems.push(format!(
                    "`{path}`: the spec has {} alternatives but the Rust type has {}",
                    spec_alternatives.len(),
                    rust_alternatives.len()
                ));
                return;
            }
            for (index, (spec, rust)) in
                spec_alternatives.iter().zip(&rust_alternatives).enumerate()
            {
                self.compare(component, spec, rust, &format!("{path}|{index}"));
            }
            return;
        }
        let spec_type = spec_type(spec);
        let rust_type = rust.get("type").and_then(Value::as_str);
        if spec_type == "any" {
            // Any JSON value: only an untyped Rust schema (`serde_json::Value`)
            // holds them all.
            if rust_type.is_some() {
                self.problems.push(format!(
                    "`{path}`: the spec allows any JSON value but the Rust type is {}",
                    describe(rust, rust_type)
                ));
            }
            return;
        }
        if Some(spec_type) != rust_type {
            self.problems.push(format!(
                "`{path}`: the spec says {} but the Rust type is {}",
                describe(spec, Some(spec_type)),
                describe(rust, rust_type)
            ));
            return;
        }
        match spec_type {
            "string" => self.compare_string_formats(spec, rust, path),
            "integer" => self.compare_integer_ranges(spec, rust, path),
            "number" => {
                let format = rust.get("format").and_then(Value::as_str);
                if !matches!(format, None | Some("double")) {
                    self.problems.push(format!(
                        "`{path}`: the spec allows any number but the Rust type is {}",
                        describe(rust, rust_type)
                    ));
                }
            }
            "array" => match (spec.get("items"), rust.get("items")) {
                (Some(spec_items), Some(rust_items)) => {
                    self.compare(component, spec_items, rust_items, &format!("{path}[]"));
                }
                (None, _) => {}
                (Some(_), None) => self
                    .problems
                    .push(format!("`{path}`: the Rust array has no item type")),
            },
            "object" => self.compare_object(component, spec, rust, path),
            _ => {}
        }
    }

    fn compare_enumeration(
        &mut self,
        component: &Component,
        values: &[Value],
        rust: &Value,
        rust_name: Option<&str>,
        path: &str,
    ) {
        let spec_values: BTreeSet<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let rust_name = rust_name.unwrap_or(component.sdk_type.rust_name);
        if let Some(known) = rust
            .get(didit_api::KNOWN_VALUES_EXTENSION)
            .and_then(Value::as_array)
        {
            let known: BTreeSet<String> = known
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            for missing in spec_values.difference(&known) {
                self.problems.push(format!(
                    "`{path}`: the spec lists `{missing}`, which the open enum `{rust_name}` does not know (it would decode as Unknown); add it to crates/didit-api/src/open_enum.rs"
                ));
            }
            let open = self.open_enums.entry(rust_name.to_owned()).or_default();
            open.known = known;
            open.in_spec.extend(spec_values);
            open.components.insert(component.name.to_owned());
        } else if let Some(rust_values) = rust.get("enum").and_then(Value::as_array) {
            let rust_values: BTreeSet<String> = rust_values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            for missing in spec_values.difference(&rust_values) {
                self.problems.push(format!(
                    "`{path}`: the spec lists `{missing}`, which the Rust enum `{rust_name}` does not have: regenerate"
                ));
            }
            for extra in rust_values.difference(&spec_values) {
                self.problems.push(format!(
                    "`{path}`: the Rust enum `{rust_name}` has `{extra}`, which the spec does not list"
                ));
            }
        } else {
            self.problems.push(format!(
                "`{path}`: the spec lists values, but the Rust type is {} and names none of them",
                describe(rust, rust.get("type").and_then(Value::as_str))
            ));
        }
    }

    fn compare_string_formats(&mut self, spec: &Value, rust: &Value, path: &str) {
        let spec_format = spec.get("format").and_then(Value::as_str);
        let rust_format = rust.get("format").and_then(Value::as_str);
        // A Rust string without a format holds whatever the spec allows.
        if rust_format.is_some() && rust_format != spec_format {
            self.problems.push(format!(
                "`{path}`: the spec allows {} but the Rust type only holds {}",
                describe(spec, Some("string")),
                describe(rust, Some("string"))
            ));
        }
    }

    fn compare_integer_ranges(&mut self, spec: &Value, rust: &Value, path: &str) {
        let (spec_low, spec_high) = integer_range(spec);
        let (rust_low, rust_high) = integer_range(rust);
        if spec_low < rust_low || spec_high > rust_high {
            self.problems.push(format!(
                "`{path}`: the spec allows integers in [{spec_low}, {spec_high}] but the Rust type holds [{rust_low}, {rust_high}]"
            ));
        }
    }

    fn compare_object(&mut self, component: &Component, spec: &Value, rust: &Value, path: &str) {
        let empty = Map::new();
        let spec_properties = spec
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let rust_properties = rust
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, spec_property) in spec_properties {
            match rust_properties.get(name) {
                Some(rust_property) => {
                    self.compare(component, spec_property, rust_property, &format!("{path}.{name}"));
                }
                None => self.problems.push(format!(
                    "`{path}.{name}` is in the spec but {} has no such field: regenerate with `cargo xtask generate`",
                    component.sdk_type.rust_name
                )),
            }
        }
        for name in rust_properties
            .keys()
            .filter(|name| !spec_properties.contains_key(*name))
        {
            self.problems.push(format!(
                "`{path}.{name}`: {} has this field but the spec does not; add the property to the spec or remove the field",
                component.sdk_type.rust_name
            ));
        }
        match (
            spec.get("additionalProperties"),
            rust.get("additionalProperties"),
        ) {
            (Some(spec_values @ Value::Object(_)), Some(rust_values @ Value::Object(_))) => {
                self.compare(component, spec_values, rust_values, &format!("{path}{{}}"));
            }
            (Some(Value::Object(_)), _) => self.problems.push(format!(
                "`{path}`: the spec allows any property name but the Rust type has fixed fields"
            )),
            (_, Some(Value::Object(_))) => self.problems.push(format!(
                "`{path}`: the Rust type is a map but the spec has fixed properties"
            )),
            _ => {}
        }
    }

    /// Whether each property may be absent, and whether `null` survives, as
    /// the spec says: learnt by decoding, which is what users get.
    fn probe_presence(&mut self, component: &Component, schema: &Value) {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        let pointer = format!("/components/schemas/{}", component.name);
        let complete = complete_instance(self.spec, &pointer);
        let round_trip = component.sdk_type.round_trip;
        match round_trip(&complete) {
            Ok(differences) if differences.is_empty() => {}
            outcome => {
                self.problems.push(format!(
                    "`{}`: a complete instance does not round-trip through {} ({outcome:?}), so optionality cannot be probed",
                    component.name, component.sdk_type.rust_name
                ));
                return;
            }
        }
        let required = schema
            .as_object()
            .map(required_properties)
            .unwrap_or_default();
        for (name, property) in properties {
            let path = format!("{}.{name}", component.name);
            let required = required.contains(name.as_str());
            let mut without = complete.clone();
            without.as_object_mut().expect("an object").remove(name);
            match round_trip(&without) {
                Ok(_) if required => self.problems.push(format!(
                    "`{path}` is required by the spec but {} accepts it absent",
                    component.sdk_type.rust_name
                )),
                Ok(differences) if !differences.is_empty() => self.problems.push(format!(
                    "`{path}`: absent from the input, but re-encoding changes the instance: {}",
                    join(&differences)
                )),
                Err(error) if !required => self.problems.push(format!(
                    "`{path}` is optional in the spec but {} fails without it: {error}",
                    component.sdk_type.rust_name
                )),
                _ => {}
            }
            let nullable = property.get("nullable") == Some(&Value::Bool(true));
            let mut with_null = complete.clone();
            with_null[name] = Value::Null;
            match (round_trip(&with_null), nullable) {
                (Ok(differences), false) if differences.is_empty() => self.problems.push(format!(
                    "`{path}` is not nullable in the spec but {} keeps a null and sends it back",
                    component.sdk_type.rust_name
                )),
                (Ok(differences), true) if !differences.is_empty() => self.problems.push(format!(
                    "`{path}` is nullable in the spec but {} does not keep the null: {}",
                    component.sdk_type.rust_name,
                    join(&differences)
                )),
                (Err(error), true) => self.problems.push(format!(
                    "`{path}` is nullable in the spec but {} rejects null: {error}",
                    component.sdk_type.rust_name
                )),
                _ => {}
            }
        }
    }

    fn open_enums_know_exactly_the_spec_values(&mut self) {
        for (rust_name, open) in &self.open_enums {
            for extra in open.known.difference(&open.in_spec) {
                self.problems.push(format!(
                    "the open enum `{rust_name}` knows `{extra}`, which no enumeration of the spec it stands for ({}) lists",
                    open.components.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }

    fn component(&self, name: &str) -> Value {
        self.spec
            .json
            .pointer(&format!("/components/schemas/{name}"))
            .cloned()
            .unwrap_or_else(|| panic!("`#/components/schemas/{name}` does not resolve"))
    }
}

/// An instance of the schema at `pointer` with every property present and
/// not null, the same on every run.
pub fn complete_instance(spec: &Spec, pointer: &str) -> Value {
    let strategy = Generator::new(&spec.json, Options::COMPLETE).strategy_at(pointer);
    strategy
        .new_tree(&mut TestRunner::deterministic())
        .expect("the generator does not reject")
        .current()
}

/// The definition a schemars `$ref` names, and the schema resolved.
fn resolve_rust(rust: &Value, definitions: &Value) -> (Option<String>, Value) {
    let rust = strip_null(rust);
    match rust_ref(&rust) {
        Some(name) => (
            Some(name.to_owned()),
            definitions.get(name).cloned().unwrap_or(Value::Null),
        ),
        None => (None, rust),
    }
}

/// The name of the schemars definition `sdk_type` refers to.
fn definition_name(sdk_type: SdkType) -> Option<String> {
    let schema = serde_json::to_value((sdk_type.schema)(&mut schema_generator())).ok()?;
    rust_ref(&schema).map(str::to_owned)
}

fn rust_ref(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/definitions/")
}

fn is_closed_enumeration(schema: &Value) -> bool {
    schema.get("enum").is_some()
}

/// An OpenAPI `allOf` of one member (how the spec makes a `$ref` nullable)
/// stands for that member.
fn unwrap_single_all_of(schema: &Value) -> &Value {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(members) if members.len() == 1 => &members[0],
        _ => schema,
    }
}

/// A schemars schema without the `null` that `Option` adds: nullability is
/// probed by decoding, since schemars shows `Option<T>` fields as nullable
/// whether or not they keep a `null`.
fn strip_null(schema: &Value) -> Value {
    let null = serde_json::json!({"type": "null"});
    if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array)
        && alternatives.len() == 2
        && alternatives[1] == null
    {
        return alternatives[0].clone();
    }
    let mut schema = schema.clone();
    if let Some(Value::Array(kinds)) = schema.get("type") {
        let kinds: Vec<Value> = kinds
            .iter()
            .filter(|kind| *kind != "null")
            .cloned()
            .collect();
        schema["type"] = match <[Value; 1]>::try_from(kinds) {
            Ok([kind]) => kind,
            Err(kinds) => Value::Array(kinds),
        };
    }
    schema
}

/// The JSON type a spec schema declares (objects may leave it implicit).
fn spec_type(schema: &Value) -> &str {
    match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind,
        None if schema.get("properties").is_some()
            || schema.get("additionalProperties").is_some() =>
        {
            "object"
        }
        None => "any",
    }
}

fn describe(schema: &Value, kind: Option<&str>) -> String {
    let kind = kind
        .map(str::to_owned)
        .or_else(|| schema.get("type").map(Value::to_string))
        .unwrap_or_else(|| "untyped".to_owned());
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}

/// The integers a schema allows: its format's range within its bounds.
fn integer_range(schema: &Value) -> (i128, i128) {
    let (mut low, mut high): (i128, i128) = match schema.get("format").and_then(Value::as_str) {
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64" | "uint") => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64) {
        low = low.max(minimum.ceil() as i128);
    }
    if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64) {
        high = high.min(maximum.floor() as i128);
    }
    (low, high)
}

fn join(differences: &[crate::Difference]) -> String {
    differences
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
