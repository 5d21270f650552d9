//! Recursive comparison of two schemas, one from each document.
//!
//! Both sides are first brought to one form ([`Node`]): `$ref` chains
//! followed, `allOf` members merged, `nullable` read from OpenAPI 3.0's
//! keyword, from a `type` list holding `"null"`, or from an `allOf` wrapper
//! around a reference. Locations are written as a body path: `a.b` for a
//! property, `a[]` for the items of an array, `a{}` for the values of a map,
//! `a.oneOf[0]` for an alternative.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Kind, OURS, SchemaAt, THEIRS, resolve};
use crate::spec::escape_pointer;

/// A difference found below a schema, before the operation is attached.
pub(super) struct Found {
    pub kind: Kind,
    pub at: String,
    pub pointers: [String; 2],
    pub values: [Option<Value>; 2],
}

/// Compares `schemas` (ours, theirs); locations start with `prefix`. Also
/// returns every location both sides have.
pub(super) fn compare<'a>(
    documents: [&'a Value; 2],
    schemas: [SchemaAt<'a>; 2],
    prefix: &str,
) -> (Vec<Found>, Vec<String>) {
    let mut walker = Walker {
        documents,
        prefix,
        found: Vec::new(),
        visited: Vec::new(),
        on_stack: BTreeSet::new(),
    };
    let [ours, theirs] = schemas;
    walker.compare([walker.node(OURS, ours), walker.node(THEIRS, theirs)], "");
    (walker.found, walker.visited)
}

/// A keyword's value and its pointer.
type Keyword<T> = Option<(T, String)>;

/// A schema as compared.
#[derive(Default)]
struct Node<'a> {
    /// Where the schema lives once references are followed.
    pointer: String,
    kind: Keyword<&'a str>,
    format: Keyword<&'a str>,
    enumeration: Keyword<BTreeSet<String>>,
    nullable: Keyword<bool>,
    default: Keyword<&'a Value>,
    properties: BTreeMap<&'a str, SchemaAt<'a>>,
    required: Keyword<BTreeSet<&'a str>>,
    items: Option<SchemaAt<'a>>,
    additional: Additional<'a>,
    alternatives: Vec<SchemaAt<'a>>,
    /// A reference that does not resolve: its pointer and target.
    broken: Option<(String, String)>,
}

/// What an object says of the properties it does not name.
#[derive(Default)]
enum Additional<'a> {
    /// Allowed, any value (absent, or `true`).
    #[default]
    Open,
    /// Not allowed (`false`).
    Closed(String),
    /// Allowed, of this schema.
    Map(SchemaAt<'a>),
}

impl Additional<'_> {
    fn name(&self) -> &'static str {
        match self {
            Additional::Open => "any",
            Additional::Closed(_) => "none",
            Additional::Map(_) => "schema",
        }
    }
}

impl Node<'_> {
    /// The JSON type, `oneOf` for alternatives without one, or nothing.
    fn shape(&self) -> Option<&str> {
        match &self.kind {
            Some((kind, _)) => Some(kind),
            None if !self.alternatives.is_empty() => Some("oneOf"),
            None => None,
        }
    }

    fn is_nullable(&self) -> bool {
        self.nullable
            .as_ref()
            .is_some_and(|(nullable, _)| *nullable)
    }

    fn requires(&self, name: &str) -> bool {
        self.required
            .as_ref()
            .is_some_and(|(required, _)| required.contains(name))
    }
}

/// Appends to a body path.
fn property_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

struct Walker<'a, 'p> {
    documents: [&'a Value; 2],
    prefix: &'p str,
    found: Vec<Found>,
    /// Every location compared.
    visited: Vec<String>,
    /// Pairs of schemas being compared further up: a recursive schema stops
    /// here.
    on_stack: BTreeSet<[String; 2]>,
}

impl<'a> Walker<'a, '_> {
    fn node(&self, side: usize, schema: SchemaAt<'a>) -> Node<'a> {
        self.node_within(side, schema, 0)
    }

    /// [`Self::node`] for a schema `depth` `allOf` levels down.
    fn node_within(&self, side: usize, schema: SchemaAt<'a>, depth: usize) -> Node<'a> {
        // Deeper than this, an `allOf` includes itself.
        const DEEPEST_ALL_OF: usize = 32;
        if depth > DEEPEST_ALL_OF {
            return Node {
                broken: Some((
                    schema.pointer.clone(),
                    "(an allOf that includes itself)".to_owned(),
                )),
                pointer: schema.pointer,
                ..Node::default()
            };
        }
        let document = self.documents[side];
        let Some(value) = schema.value else {
            return Node {
                pointer: schema.pointer,
                ..Node::default()
            };
        };
        let resolved = match resolve(document, value, &schema.pointer) {
            Ok(resolved) => resolved,
            Err(broken) => {
                return Node {
                    pointer: schema.pointer,
                    broken: Some(broken),
                    ..Node::default()
                };
            }
        };
        let (value, pointer) = (resolved.value, resolved.pointer);
        let at = |keyword: &str| format!("{pointer}/{keyword}");
        let mut node = Node {
            pointer: pointer.clone(),
            ..Node::default()
        };
        match value.get("type") {
            Some(Value::String(kind)) => node.kind = Some((kind.as_str(), at("type"))),
            Some(Value::Array(kinds)) => {
                let mut named = kinds.iter().filter_map(Value::as_str);
                if let Some(kind) = named.clone().find(|kind| *kind != "null") {
                    node.kind = Some((kind, at("type")));
                }
                if named.any(|kind| kind == "null") {
                    node.nullable = Some((true, at("type")));
                }
            }
            _ => {}
        }
        node.format = value
            .get("format")
            .and_then(Value::as_str)
            .map(|format| (format, at("format")));
        node.enumeration = value.get("enum").and_then(Value::as_array).map(|values| {
            // `null` in an enumeration is what `nullable` already says.
            let values = values
                .iter()
                .filter(|value| !value.is_null())
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            (values, at("enum"))
        });
        if let Some(nullable) = value.get("nullable").and_then(Value::as_bool) {
            node.nullable = Some((nullable, at("nullable")));
        }
        node.default = value.get("default").map(|default| (default, at("default")));
        let properties = value.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            node.properties.insert(
                name,
                SchemaAt {
                    value: Some(property),
                    pointer: format!("{}/{}", at("properties"), escape_pointer(name)),
                },
            );
        }
        node.required = value
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                (
                    names.iter().filter_map(Value::as_str).collect(),
                    at("required"),
                )
            });
        node.items = value.get("items").map(|items| SchemaAt {
            value: Some(items),
            pointer: at("items"),
        });
        node.additional = match value.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Closed(at("additionalProperties")),
            Some(schema @ Value::Object(_)) => Additional::Map(SchemaAt {
                value: Some(schema),
                pointer: at("additionalProperties"),
            }),
            _ => Additional::Open,
        };
        for keyword in ["oneOf", "anyOf"] {
            let alternatives = value.get(keyword).and_then(Value::as_array);
            for (index, alternative) in alternatives.into_iter().flatten().enumerate() {
                node.alternatives.push(SchemaAt {
                    value: Some(alternative),
                    pointer: format!("{pointer}/{keyword}/{index}"),
                });
            }
        }
        if let Some(members) = value.get("allOf").and_then(Value::as_array) {
            let members: Vec<Node> = members
                .iter()
                .enumerate()
                .map(|(index, member)| {
                    self.node_within(
                        side,
                        SchemaAt {
                            value: Some(member),
                            pointer: format!("{pointer}/allOf/{index}"),
                        },
                        depth + 1,
                    )
                })
                .collect();
            // A bare `allOf` around nullable members (or around a reference,
            // with `nullable` beside it) lets null through only when every
            // member does.
            let all_nullable = !members.is_empty() && members.iter().all(Node::is_nullable);
            let untyped = node.kind.is_none();
            let own_nullable = node.nullable.take();
            for member in members {
                merge(&mut node, member);
            }
            node.nullable = match own_nullable {
                Some(own) => Some(own),
                None if untyped && all_nullable => node.nullable,
                None => None,
            };
        }
        if node.kind.is_none() && node.alternatives.is_empty() {
            if !node.properties.is_empty() || !matches!(node.additional, Additional::Open) {
                node.kind = Some(("object", pointer.clone()));
            } else if node.items.is_some() {
                node.kind = Some(("array", pointer.clone()));
            }
        }
        node
    }

    fn location(&self, path: &str) -> String {
        if path.is_empty() {
            self.prefix.to_owned()
        } else {
            format!("{} {path}", self.prefix)
        }
    }

    fn push(&mut self, kind: Kind, path: &str, pointers: [String; 2], values: [Option<Value>; 2]) {
        let at = self.location(path);
        self.found.push(Found {
            kind,
            at,
            pointers,
            values,
        });
    }

    fn compare(&mut self, nodes: [Node<'a>; 2], path: &str) {
        let [ours, theirs] = &nodes;
        if ours.broken.is_some() || theirs.broken.is_some() {
            let pointer = |node: &Node| match &node.broken {
                Some((pointer, _)) => pointer.clone(),
                None => node.pointer.clone(),
            };
            let target = |node: &Node| {
                node.broken
                    .as_ref()
                    .map(|(_, target)| target.clone().into())
            };
            self.push(
                Kind::BrokenReference,
                path,
                [pointer(ours), pointer(theirs)],
                [target(ours), target(theirs)],
            );
            return;
        }
        self.visited.push(self.location(path));
        let key = [ours.pointer.clone(), theirs.pointer.clone()];
        if !self.on_stack.insert(key.clone()) {
            return;
        }
        self.compare_nodes(ours, theirs, path);
        self.on_stack.remove(&key);
    }

    fn compare_nodes(&mut self, ours: &Node<'a>, theirs: &Node<'a>, path: &str) {
        let keyword_pointers = |keyword: for<'n> fn(&'n Node<'a>) -> Option<&'n String>| {
            [ours, theirs].map(|node| keyword(node).unwrap_or(&node.pointer).clone())
        };
        if ours.shape() != theirs.shape() {
            self.push(
                Kind::TypeChanged,
                path,
                keyword_pointers(|node| node.kind.as_ref().map(|(_, pointer)| pointer)),
                [ours.shape(), theirs.shape()].map(|shape| shape.map(Value::from)),
            );
            return;
        }
        let format = |node: &Node<'a>| node.format.as_ref().map(|(format, _)| *format);
        if format(ours) != format(theirs) {
            self.push(
                Kind::FormatChanged,
                path,
                keyword_pointers(|node| node.format.as_ref().map(|(_, pointer)| pointer)),
                [format(ours), format(theirs)].map(|format| format.map(Value::from)),
            );
        }
        self.compare_enumerations(ours, theirs, path);
        if ours.is_nullable() != theirs.is_nullable() {
            self.push(
                Kind::NullableChanged,
                path,
                keyword_pointers(|node| node.nullable.as_ref().map(|(_, pointer)| pointer)),
                [
                    Some(ours.is_nullable().into()),
                    Some(theirs.is_nullable().into()),
                ],
            );
        }
        let default = |node: &Node<'a>| node.default.as_ref().map(|(value, _)| *value);
        if default(ours) != default(theirs) {
            self.push(
                Kind::DefaultChanged,
                path,
                keyword_pointers(|node| node.default.as_ref().map(|(_, pointer)| pointer)),
                [default(ours).cloned(), default(theirs).cloned()],
            );
        }
        self.compare_properties(ours, theirs, path);
        self.compare_additional(ours, theirs, path);
        if ours.items.is_some() || theirs.items.is_some() {
            let items = [ours, theirs].map(|node| {
                node.items.clone().unwrap_or(SchemaAt {
                    value: None,
                    pointer: node.pointer.clone(),
                })
            });
            let [our_items, their_items] = items;
            let nodes = [self.node(OURS, our_items), self.node(THEIRS, their_items)];
            self.compare(nodes, &format!("{path}[]"));
        }
        self.compare_alternatives(ours, theirs, path);
    }

    fn compare_enumerations(&mut self, ours: &Node<'a>, theirs: &Node<'a>, path: &str) {
        let pointers = [ours, theirs].map(|node| match &node.enumeration {
            Some((_, pointer)) => pointer.clone(),
            None => node.pointer.clone(),
        });
        let list = |values: &BTreeSet<String>| -> Value {
            values.iter().cloned().map(Value::from).collect()
        };
        match (&ours.enumeration, &theirs.enumeration) {
            (Some((our_values, _)), Some((their_values, _))) => {
                let removed: BTreeSet<String> =
                    our_values.difference(their_values).cloned().collect();
                let added: BTreeSet<String> =
                    their_values.difference(our_values).cloned().collect();
                if !removed.is_empty() {
                    self.push(
                        Kind::EnumValuesRemoved,
                        path,
                        pointers.clone(),
                        [Some(list(&removed)), None],
                    );
                }
                if !added.is_empty() {
                    self.push(
                        Kind::EnumValuesAdded,
                        path,
                        pointers,
                        [None, Some(list(&added))],
                    );
                }
            }
            (Some((our_values, _)), None) => self.push(
                Kind::EnumerationRemoved,
                path,
                pointers,
                [Some(list(our_values)), None],
            ),
            (None, Some((their_values, _))) => self.push(
                Kind::EnumerationAdded,
                path,
                pointers,
                [None, Some(list(their_values))],
            ),
            (None, None) => {}
        }
    }

    fn compare_properties(&mut self, ours: &Node<'a>, theirs: &Node<'a>, path: &str) {
        let properties_pointer = |node: &Node| format!("{}/properties", node.pointer);
        let names: BTreeSet<&str> = ours
            .properties
            .keys()
            .chain(theirs.properties.keys())
            .copied()
            .collect();
        for name in names {
            let at = property_path(path, name);
            match (ours.properties.get(name), theirs.properties.get(name)) {
                (Some(our), Some(their)) => {
                    if ours.requires(name) != theirs.requires(name) {
                        let kind = if theirs.requires(name) {
                            Kind::RequiredAdded
                        } else {
                            Kind::RequiredRemoved
                        };
                        let pointers = [ours, theirs].map(|node| match &node.required {
                            Some((_, pointer)) => pointer.clone(),
                            None => node.pointer.clone(),
                        });
                        self.push(
                            kind,
                            &at,
                            pointers,
                            [
                                Some(ours.requires(name).into()),
                                Some(theirs.requires(name).into()),
                            ],
                        );
                    }
                    let nodes = [
                        self.node(OURS, our.clone()),
                        self.node(THEIRS, their.clone()),
                    ];
                    self.compare(nodes, &at);
                }
                (Some(our), None) => {
                    let shape = self.node(OURS, our.clone()).shape().map(Value::from);
                    self.push(
                        Kind::PropertyRemoved,
                        &at,
                        [our.pointer.clone(), properties_pointer(theirs)],
                        [shape, None],
                    );
                }
                (None, Some(their)) => {
                    let shape = self.node(THEIRS, their.clone()).shape().map(Value::from);
                    self.push(
                        Kind::PropertyAdded,
                        &at,
                        [properties_pointer(ours), their.pointer.clone()],
                        [None, shape],
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn compare_additional(&mut self, ours: &Node<'a>, theirs: &Node<'a>, path: &str) {
        let pointer = |node: &Node| match &node.additional {
            Additional::Open => node.pointer.clone(),
            Additional::Closed(pointer) => pointer.clone(),
            Additional::Map(schema) => schema.pointer.clone(),
        };
        match (&ours.additional, &theirs.additional) {
            (Additional::Map(our), Additional::Map(their)) => {
                let nodes = [
                    self.node(OURS, our.clone()),
                    self.node(THEIRS, their.clone()),
                ];
                self.compare(nodes, &format!("{path}{{}}"));
            }
            (our, their) if our.name() != their.name() => self.push(
                Kind::AdditionalPropertiesChanged,
                path,
                [pointer(ours), pointer(theirs)],
                [Some(our.name().into()), Some(their.name().into())],
            ),
            _ => {}
        }
    }

    fn compare_alternatives(&mut self, ours: &Node<'a>, theirs: &Node<'a>, path: &str) {
        if ours.alternatives.is_empty() && theirs.alternatives.is_empty() {
            return;
        }
        if ours.alternatives.len() != theirs.alternatives.len() {
            self.push(
                Kind::AlternativesChanged,
                path,
                [ours, theirs].map(|node| node.pointer.clone()),
                [
                    Some(ours.alternatives.len().into()),
                    Some(theirs.alternatives.len().into()),
                ],
            );
            return;
        }
        for (index, (our, their)) in ours
            .alternatives
            .iter()
            .zip(&theirs.alternatives)
            .enumerate()
        {
            let nodes = [
                self.node(OURS, our.clone()),
                self.node(THEIRS, their.clone()),
            ];
            self.compare(nodes, &property_path(path, &format!("oneOf[{index}]")));
        }
    }
}

/// Adds what `member` (one `allOf` member) says and `node` does not.
fn merge<'a>(node: &mut Node<'a>, member: Node<'a>) {
    fn keep<T>(own: &mut Option<T>, other: Option<T>) {
        if own.is_none() {
            *own = other;
        }
    }
    keep(&mut node.kind, member.kind);
    keep(&mut node.format, member.format);
    keep(&mut node.enumeration, member.enumeration);
    keep(&mut node.nullable, member.nullable);
    keep(&mut node.default, member.default);
    keep(&mut node.items, member.items);
    keep(&mut node.broken, member.broken);
    for (name, property) in member.properties {
        node.properties.entry(name).or_insert(property);
    }
    match (&mut node.required, member.required) {
        (Some((own, _)), Some((other, _))) => own.extend(other),
        (own @ None, other) => *own = other,
        _ => {}
    }
    if matches!(node.additional, Additional::Open) {
        node.additional = member.additional;
    }
    if node.alternatives.is_empty() {
        node.alternatives = member.alternatives;
    }
}
