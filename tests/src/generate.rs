//! Proptest strategies built from the spec's own schemas.
//!
//! [`Generator::strategy`] turns an OpenAPI 3.0 schema object into a
//! `Strategy<Value = serde_json::Value>`: types, `enum`, `nullable`,
//! `required` and optional properties, the formats `uuid`, `date`,
//! `date-time`, `uri` and `email`, numeric bounds, arrays, `$ref`, `allOf`,
//! `oneOf` and `anyOf`, recursion through them included (nested error
//! messages). It can also produce what a newer server may send: properties
//! the schema does not declare (named with [`UNKNOWN_PROPERTY_PREFIX`]) and
//! strings no enumeration of the spec lists.
//!
//! A keyword the generator does not understand is a panic naming the schema,
//! never a silently ignored constraint.

use std::cell::RefCell;
use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Value};

/// Prefix of the property names the generator adds to objects whose schema
/// does not declare them, so that a test can tell them apart.
pub const UNKNOWN_PROPERTY_PREFIX: &str = "x_unknown_";

/// How many `$ref`s deep a schema may go before it is taken for a recursive
/// one that no alternative ends.
const MAX_REF_DEPTH: usize = 32;

/// How many times a schema may be entered within itself: instances of a
/// recursive schema nest this deep, then `oneOf` and `anyOf` choose only
/// among the alternatives that do not enter it again.
const MAX_RECURSION: usize = 2;

/// Keywords that do not constrain instances.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "externalDocs",
    "xml",
    "discriminator",
];

/// Keywords the generator honours.
const HANDLED: &[&str] = &[
    "$ref",
    "allOf",
    "oneOf",
    "anyOf",
    "nullable",
    "enum",
    "type",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "additionalProperties",
];

/// Whether optional properties are generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optional {
    /// Each optional property is present or absent at random.
    Sometimes,
    /// Every optional property is present.
    Always,
}

/// What the generated instances may contain.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Add properties the schema does not declare to objects that do not
    /// forbid them.
    pub unknown_properties: bool,
    /// Sometimes replace a string enumeration's value by a string that no
    /// enumeration of the spec lists. Such instances are *not* valid per the
    /// spec; validate them against [`crate::forward_compatible`].
    pub unknown_enum_values: bool,
    /// Whether optional properties are generated.
    pub optional: Optional,
    /// Whether `nullable` schemas produce `null` some of the time.
    pub nulls: bool,
    /// Most items of an array without `maxItems`, beyond its `minItems`.
    pub max_items: usize,
}

impl Options {
    /// Instances the spec describes, exactly.
    pub const DOCUMENTED: Options = Options {
        unknown_properties: false,
        unknown_enum_values: false,
        optional: Optional::Sometimes,
        nulls: true,
        max_items: 3,
    };

    /// Instances a newer server may send: unknown properties and unknown
    /// enumeration values besides everything documented.
    pub const FORWARD_COMPATIBLE: Options = Options {
        unknown_properties: true,
        unknown_enum_values: true,
        ..Options::DOCUMENTED
    };

    /// Instances with every property present and not null, for probing one
    /// property at a time.
    pub const COMPLETE: Options = Options {
        unknown_properties: false,
        unknown_enum_values: false,
        optional: Optional::Always,
        nulls: false,
        max_items: 1,
    };
}

/// Builds strategies from the schemas of one OpenAPI document.
pub struct Generator<'a> {
    document: &'a Value,
    options: Options,
    /// Every string any enumeration of the document lists, so that an
    /// "unknown" value is unknown everywhere, not just to its own schema.
    enumerated: BTreeSet<String>,
    /// The `$ref`s being built, outermost first.
    entered: RefCell<Vec<String>>,
}

impl<'a> Generator<'a> {
    /// A generator for the schemas of `document` (the whole OpenAPI document,
    /// which `$ref`s point into).
    pub fn new(document: &'a Value, options: Options) -> Self {
        let mut enumerated = BTreeSet::new();
        collect_enumerated_strings(document, &mut enumerated);
        Self {
            document,
            options,
            enumerated,
            entered: RefCell::default(),
        }
    }

    /// The strategy for the schema at `pointer` in the document.
    ///
    /// # Panics
    ///
    /// When there is no schema there, or it uses something the generator does
    /// not support.
    pub fn strategy_at(&self, pointer: &str) -> BoxedStrategy<Value> {
        let schema = self
            .document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("no schema at #{pointer}"));
        self.build(schema, &format!("#{pointer}"), 0)
    }

    /// The strategy for `schema`, an OpenAPI schema object of the document.
    pub fn strategy(&self, schema: &Value) -> BoxedStrategy<Value> {
        self.build(schema, "(schema)", 0)
    }

    fn build(&self, schema: &Value, location: &str, depth: usize) -> BoxedStrategy<Value> {
        assert!(
            depth <= MAX_REF_DEPTH,
            "{location}: more than {MAX_REF_DEPTH} nested `$ref`s; a recursion no alternative ends"
        );
        let object = match schema {
            Value::Object(object) => object,
            Value::Bool(true) => return any_json(),
            other => panic!("{location}: `{other}` is not a schema the generator supports"),
        };
        check_keywords(object, location);

        if object.get("nullable") == Some(&Value::Bool(true)) {
            // Without nulls, a nullable schema gives what the same schema
            // without `nullable` gives (which may be a `oneOf`, where
            // `nullable` itself would not be understood).
            let mut not_null = object.clone();
            not_null.remove("nullable");
            let value = self.build(&Value::Object(not_null), location, depth);
            if !self.options.nulls {
                return value;
            }
            return prop_oneof![1 => Just(Value::Null), 4 => value].boxed();
        }
        if let Some(target) = object.get("$ref") {
            // In OpenAPI 3.0 a `$ref` replaces its siblings.
            let (schema, location) = self.resolve(target, location);
            self.entered.borrow_mut().push(location.clone());
            let strategy = self.build(schema, &location, depth + 1);
            self.entered.borrow_mut().pop();
            return strategy;
        }
        if let Some(members) = object.get("allOf") {
            let merged = self.merge_all_of(object, members, location);
            return self.build(&merged, location, depth + 1);
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(alternatives) = object.get(keyword) {
                assert_only_annotations_beside(object, keyword, location);
                let alternatives = alternatives
                    .as_array()
                    .unwrap_or_else(|| panic!("{location}: `{keyword}` is not a list"));
                let ending: Vec<(usize, &Value)> = alternatives
                    .iter()
                    .enumerate()
                    .filter(|(_, schema)| !self.enters_too_deep(schema))
                    .collect();
                assert!(
                    !ending.is_empty(),
                    "{location}: every alternative of `{keyword}` recurses further"
                );
                return Union::new(ending.into_iter().map(|(index, schema)| {
                    self.build(schema, &format!("{location}/{keyword}/{index}"), depth + 1)
                }))
                .boxed();
            }
        }
        if let Some(values) = object.get("enum") {
            return self.enumeration(values, location);
        }
        match object.get("type").and_then(Value::as_str) {
            Some("string") => string(object, location),
            Some("integer") => integer(object, location),
            Some("number") => number(object, location),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
            Some("array") => self.array(object, location, depth),
            Some("object") => self.object(object, location, depth),
            None if object.contains_key("properties")
                || object.contains_key("additionalProperties") =>
            {
                self.object(object, location, depth)
            }
            None => any_json(),
            Some(other) => panic!("{location}: type `{other}` is not supported"),
        }
    }

    /// Whether `schema` names a `$ref` already entered [`MAX_RECURSION`]
    /// times on the way here.
    fn enters_too_deep(&self, schema: &Value) -> bool {
        let entered = self.entered.borrow();
        let too_deep =
            |target: &str| entered.iter().filter(|outer| *outer == target).count() >= MAX_RECURSION;
        let mut pending = vec![schema];
        while let Some(value) = pending.pop() {
            match value {
                Value::Object(object) => {
                    if let Some(Value::String(target)) = object.get("$ref")
                        && too_deep(target)
                    {
                        return true;
                    }
                    pending.extend(object.values());
                }
                Value::Array(items) => pending.extend(items),
                _ => {}
            }
        }
        false
    }

    /// The schema a `$ref` points to, and its location.
    fn resolve(&self, target: &Value, location: &str) -> (&'a Value, String) {
        let target = target
            .as_str()
            .unwrap_or_else(|| panic!("{location}: `$ref` is not a string"));
        let pointer = target.strip_prefix('#').unwrap_or_else(|| {
            panic!("{location}: `{target}` points outside the document, which is not supported")
        });
        let schema = self
            .document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{location}: `{target}` does not resolve"));
        (schema, target.to_owned())
    }

    /// One schema with the constraints of every `allOf` member (each member
    /// an object schema, or a `$ref` to one).
    fn merge_all_of(&self, object: &Map<String, Value>, members: &Value, location: &str) -> Value {
        let mut merged = object.clone();
        merged.remove("allOf");
        let members = members
            .as_array()
            .unwrap_or_else(|| panic!("{location}: `allOf` is not a list"));
        for member in members {
            let mut member = member;
            let mut member_location = location.to_owned();
            while let Some(target) = member.get("$ref") {
                (member, member_location) = self.resolve(target, &member_location);
            }
            let Some(member) = member.as_object() else {
                panic!("{member_location}: an `allOf` member is not a schema object")
            };
            for (key, value) in member {
                match key.as_str() {
                    "properties" => {
                        let properties = merged
                            .entry(key.clone())
                            .or_insert_with(|| Value::Object(Map::new()));
                        for (name, schema) in value.as_object().into_iter().flatten() {
                            properties[name] = schema.clone();
                        }
                    }
                    "required" => {
                        let required = merged
                            .entry(key.clone())
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(required) = required {
                            required.extend(value.as_array().into_iter().flatten().cloned());
                        }
                    }
                    key if ANNOTATIONS.contains(&key) => {}
                    _ => match merged.get(key) {
                        None => {
                            merged.insert(key.clone(), value.clone());
                        }
                        Some(existing) if existing == value => {}
                        Some(_) => panic!(
                            "{member_location}: `allOf` members disagree on `{key}`, which the generator cannot merge"
                        ),
                    },
                }
            }
        }
        Value::Object(merged)
    }

    fn enumeration(&self, values: &Value, location: &str) -> BoxedStrategy<Value> {
        let values = values
            .as_array()
            .filter(|values| !values.is_empty())
            .unwrap_or_else(|| panic!("{location}: `enum` is not a non-empty list"))
            .clone();
        let documented = proptest::sample::select(values.clone()).boxed();
        let strings: Vec<String> = values
            .iter()
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect();
        if !self.options.unknown_enum_values || strings.len() != values.len() {
            return documented;
        }
        let enumerated = self.enumerated.clone();
        let unknown = prop_oneof![
            "[A-Za-z][A-Za-z _]{0,15}",
            // The API matches case-sensitively: a known value in other case
            // is a different, unknown value.
            proptest::sample::select(strings).prop_map(|value| swap_case(&value)),
        ]
        .prop_filter("a value no enumeration of the spec lists", move |value| {
            !enumerated.contains(value)
        })
        .prop_map(Value::String);
        prop_oneof![3 => documented, 1 => unknown].boxed()
    }

    fn array(
        &self,
        object: &Map<String, Value>,
        location: &str,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        let min = usize_keyword(object, "minItems", location).unwrap_or(0);
        let max =
            usize_keyword(object, "maxItems", location).unwrap_or(min + self.options.max_items);
        let items = match object.get("items") {
            Some(items) => self.build(items, &format!("{location}/items"), depth + 1),
            None => any_json(),
        };
        proptest::collection::vec(items, min..=max)
            .prop_map(Value::Array)
            .boxed()
    }

    fn object(
        &self,
        object: &Map<String, Value>,
        location: &str,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        let required = required_properties(object);
        let properties = object.get("properties").and_then(Value::as_object);
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, schema) in properties.into_iter().flatten() {
            let value = self.build(schema, &format!("{location}/properties/{name}"), depth + 1);
            let name = name.clone();
            let field =
                if required.contains(name.as_str()) || self.options.optional == Optional::Always {
                    value
                        .prop_map(move |value| Some((name.clone(), value)))
                        .boxed()
                } else {
                    proptest::option::weighted(0.75, value)
                        .prop_map(move |value| value.map(|value| (name.clone(), value)))
                        .boxed()
                };
            fields.push(field);
        }
        for name in required {
            if !properties.is_some_and(|properties| properties.contains_key(name)) {
                let name = name.to_owned();
                fields.push(
                    any_json()
                        .prop_map(move |value| Some((name.clone(), value)))
                        .boxed(),
                );
            }
        }
        let extra = match object.get("additionalProperties") {
            Some(Value::Bool(false)) => Just(Vec::new()).boxed(),
            Some(schema @ Value::Object(_)) => {
                let value = self.build(
                    schema,
                    &format!("{location}/additionalProperties"),
                    depth + 1,
                );
                proptest::collection::vec(("[a-z_]{1,12}", value), 0..=3).boxed()
            }
            None | Some(Value::Bool(true)) if self.options.unknown_properties => {
                let name = "[a-z0-9_]{1,8}"
                    .prop_map(|suffix| format!("{UNKNOWN_PROPERTY_PREFIX}{suffix}"));
                proptest::collection::vec((name, any_json()), 0..=2).boxed()
            }
            None | Some(Value::Bool(true)) => Just(Vec::new()).boxed(),
            Some(other) => panic!("{location}: `additionalProperties: {other}` is not supported"),
        };
        (fields, extra)
            .prop_map(|(fields, extra)| {
                let mut object: Map<String, Value> = fields.into_iter().flatten().collect();
                for (name, value) in extra {
                    object.entry(name).or_insert(value);
                }
                Value::Object(object)
            })
            .boxed()
    }
}

/// The names an object schema's `required` lists.
pub fn required_properties(schema: &Map<String, Value>) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn string(object: &Map<String, Value>, location: &str) -> BoxedStrategy<Value> {
    let text = match object.get("format").and_then(Value::as_str) {
        Some("uuid") => uuid(),
        Some("date") => date(),
        Some("date-time") => date_time(),
        Some("uri") => uri(),
        Some("email") => email(),
        Some("byte") => base64(),
        Some("ipv4") => (any::<[u8; 4]>())
            .prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}"))
            .boxed(),
        // An amount written in a string, such as `100.00`.
        Some("decimal") => proptest::string::string_regex("-?[0-9]{1,6}\\.[0-9]{2}")
            .expect("a valid pattern")
            .boxed(),
        Some(other) => panic!("{location}: string format `{other}` is not supported"),
        None => match object.get("pattern").and_then(Value::as_str) {
            Some(pattern) => proptest::string::string_regex(pattern)
                .unwrap_or_else(|error| panic!("{location}: pattern `{pattern}`: {error}"))
                .boxed(),
            None => {
                let min = usize_keyword(object, "minLength", location).unwrap_or(0);
                let max = usize_keyword(object, "maxLength", location).unwrap_or(min + 16);
                // Any character, control characters and line breaks
                // included: they must survive JSON escaping.
                proptest::string::string_regex(&format!("(?s).{{{min},{max}}}"))
                    .expect("a valid pattern")
                    .boxed()
            }
        },
    };
    text.prop_map(Value::String).boxed()
}

fn integer(object: &Map<String, Value>, location: &str) -> BoxedStrategy<Value> {
    let (mut low, mut high): (i128, i128) = match object.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64") | None => (i64::MIN.into(), i64::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        Some(other) => panic!("{location}: integer format `{other}` is not supported"),
    };
    if let Some(minimum) = object.get("minimum").and_then(Value::as_f64) {
        let exclusive = object.get("exclusiveMinimum") == Some(&Value::Bool(true));
        let bound = minimum.ceil() as i128;
        low = low.max(if exclusive && bound as f64 == minimum {
            bound + 1
        } else {
            bound
        });
    }
    if let Some(maximum) = object.get("maximum").and_then(Value::as_f64) {
        let exclusive = object.get("exclusiveMaximum") == Some(&Value::Bool(true));
        let bound = maximum.floor() as i128;
        high = high.min(if exclusive && bound as f64 == maximum {
            bound - 1
        } else {
            bound
        });
    }
    assert!(low <= high, "{location}: no integer lies within the bounds");
    // Mostly small numbers, as real payloads carry, and the extremes too.
    let small_low = low.max(-100).min(high);
    let small_high = high.min(small_low + 1_000);
    prop_oneof![
        3 => small_low..=small_high,
        1 => low..=high,
        1 => proptest::sample::select(vec![low, high]),
    ]
    .prop_map(|number| match i64::try_from(number) {
        Ok(number) => Value::from(number),
        Err(_) => Value::from(u64::try_from(number).expect("within the bounds of a format")),
    })
    .boxed()
}

fn number(object: &Map<String, Value>, location: &str) -> BoxedStrategy<Value> {
    // A `float` holds what a 32-bit float can: the widest values are left out.
    let widest = match object.get("format").and_then(Value::as_str) {
        None | Some("double") => f64::MAX,
        Some("float") => f64::from(f32::MAX),
        Some(other) => panic!("{location}: number format `{other}` is not supported"),
    };
    for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
        assert!(
            object.get(keyword) != Some(&Value::Bool(true)),
            "{location}: `{keyword}` on a number is not supported"
        );
    }
    let minimum = object
        .get("minimum")
        .and_then(Value::as_f64)
        .unwrap_or(-widest)
        .max(-widest);
    let maximum = object
        .get("maximum")
        .and_then(Value::as_f64)
        .unwrap_or(widest)
        .min(widest);
    prop_oneof![
        // Scores and the like: a few decimals.
        2 => (-1_000_000i64..1_000_000).prop_map(|hundredths| hundredths as f64 / 100.0),
        1 => proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
        1 => proptest::sample::select(vec![minimum, maximum]),
    ]
    .prop_filter("within the bounds", move |number| {
        (minimum..=maximum).contains(number)
    })
    .prop_map(Value::from)
    .boxed()
}

/// Padded standard base64, as `format: byte` asks for.
fn base64() -> BoxedStrategy<String> {
    proptest::string::string_regex("([A-Za-z0-9+/]{4}){0,6}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
        .expect("a valid pattern")
        .boxed()
}

/// Lower-case hyphenated UUIDs, as the API writes them.
pub fn uuid() -> BoxedStrategy<String> {
    any::<[u8; 16]>()
        .prop_map(|bytes| uuid::Uuid::from_bytes(bytes).hyphenated().to_string())
        .boxed()
}

/// Days of the calendar as `YYYY-MM-DD`.
pub fn date() -> BoxedStrategy<String> {
    (1900i32..=2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("a day of the calendar", |(year, month, day)| {
            chrono::NaiveDate::from_ymd_opt(year, month, day)
                .map(|date| date.format("%Y-%m-%d").to_string())
        })
        .boxed()
}

/// RFC 3339 timestamps, with 0 to 9 fractional digits and `Z` or an offset.
pub fn date_time() -> BoxedStrategy<String> {
    let time = (
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of("[0-9]{1,9}"),
    );
    let offset = prop_oneof![
        3 => Just("Z".to_owned()),
        1 => (any::<bool>(), 0u32..=14, 0u32..60).prop_map(|(east, hours, minutes)| {
            format!("{}{hours:02}:{minutes:02}", if east { '+' } else { '-' })
        }),
    ];
    (date(), time, offset)
        .prop_map(|(date, (hour, minute, second, fraction), offset)| {
            let fraction = fraction
                .map(|digits| format!(".{digits}"))
                .unwrap_or_default();
            format!("{date}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}")
        })
        .boxed()
}

fn uri() -> BoxedStrategy<String> {
    const URI: &str = concat!(
        r"https?://[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){0,2}(:[1-9][0-9]{0,3})?",
        r"(/[A-Za-z0-9._~-]{0,8}){0,3}",
        r"(\?[a-z_]{1,8}=([A-Za-z0-9._~-]|%[0-9A-F]{2}){0,8}(&[a-z_]{1,8}=([A-Za-z0-9._~-]|%[0-9A-F]{2}){0,8}){0,2})?",
    );
    proptest::string::string_regex(URI)
        .expect("a valid pattern")
        .boxed()
}

fn email() -> BoxedStrategy<String> {
    proptest::string::string_regex(
        r"[a-z0-9]{1,8}([._+-][a-z0-9]{1,8}){0,2}@[a-z0-9]{1,8}(-[a-z0-9]{1,8})?\.[a-z]{2,6}",
    )
    .expect("a valid pattern")
    .boxed()
}

/// Any small JSON value: what an unknown property may hold.
pub fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        proptest::num::f64::NORMAL.prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

fn check_keywords(object: &Map<String, Value>, location: &str) {
    for key in object.keys() {
        assert!(
            HANDLED.contains(&key.as_str())
                || ANNOTATIONS.contains(&key.as_str())
                || key.starts_with("x-"),
            "{location}: the generator does not support the keyword `{key}`"
        );
    }
}

fn assert_only_annotations_beside(object: &Map<String, Value>, keyword: &str, location: &str) {
    for key in object.keys() {
        assert!(
            key == keyword || ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-"),
            "{location}: `{key}` beside `{keyword}` is not supported"
        );
    }
}

fn usize_keyword(object: &Map<String, Value>, keyword: &str, location: &str) -> Option<usize> {
    object.get(keyword).map(|value| {
        value
            .as_u64()
            .and_then(|value| usize::try_from(value).ok())
            .unwrap_or_else(|| {
                panic!("{location}: `{keyword}` is not a small non-negative integer")
            })
    })
}

fn swap_case(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<Vec<_>>()
            } else {
                c.to_uppercase().collect()
            }
        })
        .collect()
}

fn collect_enumerated_strings(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                if key == "enum" {
                    out.extend(
                        value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                }
                collect_enumerated_strings(value, out);
            }
        }
        Value::Array(values) => values
            .iter()
            .for_each(|value| collect_enumerated_strings(value, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use serde_json::json;

    fn samples(document: &Value, options: Options, schema: &Value, n: usize) -> Vec<Value> {
        let generator = Generator::new(document, options);
        let strategy = generator.strategy(schema);
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    }

    #[test]
    fn required_properties_are_always_there_and_unknown_ones_are_prefixed() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}, "n": {"type": "integer", "minimum": 3, "maximum": 5}}
        });
        for value in samples(&json!({}), Options::FORWARD_COMPATIBLE, &schema, 200) {
            let object = value.as_object().unwrap();
            assert!(uuid::Uuid::parse_str(object["id"].as_str().unwrap()).is_ok());
            if let Some(n) = object.get("n") {
                assert!((3..=5).contains(&n.as_i64().unwrap()), "{n}");
            }
            for key in object.keys() {
                assert!(
                    ["id", "n"].contains(&key.as_str()) || key.starts_with(UNKNOWN_PROPERTY_PREFIX),
                    "{key}"
                );
            }
        }
    }

    #[test]
    fn documented_enums_stay_documented_and_forward_compatible_ones_do_not() {
        let document =
            json!({"components": {"schemas": {"E": {"type": "string", "enum": ["A b", "C"]}}}});
        let schema = json!({"$ref": "#/components/schemas/E"});
        let documented = samples(&document, Options::DOCUMENTED, &schema, 100);
        assert!(documented.iter().all(|v| v == "A b" || v == "C"));
        let open = samples(&document, Options::FORWARD_COMPATIBLE, &schema, 200);
        assert!(open.iter().any(|v| v != "A b" && v != "C"));
    }

    #[test]
    fn nullable_all_of_references_are_null_or_the_target() {
        let document = json!({"components": {"schemas": {"P": {"type": "object", "required": ["x"], "properties": {"x": {"type": "boolean"}}}}}});
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/P"}], "nullable": true});
        let values = samples(&document, Options::DOCUMENTED, &schema, 100);
        assert!(values.iter().any(Value::is_null));
        assert!(
            values
                .iter()
                .any(|v| v.get("x").is_some_and(Value::is_boolean))
        );
        let complete = samples(&document, Options::COMPLETE, &schema, 20);
        assert!(complete.iter().all(|v| !v.is_null()));
    }

    /// How deep objects nest in `value`.
    fn nesting(value: &Value) -> usize {
        match value {
            Value::Object(members) => 1 + members.values().map(nesting).max().unwrap_or(0),
            Value::Array(items) => items.iter().map(nesting).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn recursive_schemas_nest_a_few_levels_then_end() {
        let document = json!({"components": {"schemas": {
            "Tree": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Leaf"}},
            "Leaf": {"oneOf": [
                {"type": "string"},
                {"$ref": "#/components/schemas/Tree"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Tree"}},
            ]},
        }}});
        let schema = json!({"$ref": "#/components/schemas/Tree"});
        let values = samples(&document, Options::DOCUMENTED, &schema, 300);
        // `Tree` is entered at most `MAX_RECURSION` times, the first time
        // by the `$ref` asked for.
        let deepest = values.iter().map(nesting).max().unwrap();
        assert_eq!(deepest, MAX_RECURSION);
    }

    #[test]
    #[should_panic(expected = "every alternative of `oneOf` recurses further")]
    fn a_recursion_no_alternative_ends_is_refused() {
        let document = json!({"components": {"schemas": {
            "Loop": {"oneOf": [{"type": "array", "items": {"$ref": "#/components/schemas/Loop"}}]},
        }}});
        samples(
            &document,
            Options::DOCUMENTED,
            &json!({"$ref": "#/components/schemas/Loop"}),
            1,
        );
    }

    #[test]
    #[should_panic(expected = "does not support the keyword `multipleOf`")]
    fn unsupported_keywords_are_refused_by_name() {
        samples(
            &json!({}),
            Options::DOCUMENTED,
            &json!({"type": "integer", "multipleOf": 3}),
            1,
        );
    }
}
