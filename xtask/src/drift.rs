//! API drift: how another OpenAPI description of the API (typically Didit's
//! latest published one) differs from ours, operation by operation.
//!
//! The engine pairs the operations of both documents by method and path
//! (trailing slashes and path-parameter names do not matter), lists the
//! operations of the other document that ours does not describe yet, and
//! compares each pair: parameters, request body, status codes, media types
//! and schemas, recursively, with `$ref`s followed and `allOf` merged on both
//! sides. Every [`Difference`] carries a JSON pointer into each document and a
//! location ([`Difference::at`]) that does not depend on how either document
//! lays out its components, so that [`acknowledged`] can match it.
//!
//! Directions are named from the other document's side: *added* means the
//! other document has it and ours does not, *removed* the opposite.
//!
//! `cargo xtask drift` and the contract suite's reference check both use this
//! module.

pub mod acknowledged;
pub mod render;
mod schema;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::spec::{METHODS, escape_pointer};

/// What kind of difference; see the module documentation for the direction.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Ours describes an operation the other document does not have.
    OperationRemoved,
    /// A parameter only ours has.
    ParameterRemoved,
    /// A request body only ours describes.
    RequestBodyRemoved,
    /// A status code only ours documents.
    StatusRemoved,
    /// A media type only ours lists.
    MediaTypeRemoved,
    /// Only ours gives a schema for this body.
    SchemaRemoved,
    /// A property only ours has.
    PropertyRemoved,
    /// Enumeration values only ours lists.
    EnumValuesRemoved,
    /// Ours restricts the value to a list; the other document does not.
    EnumerationRemoved,
    /// A `$ref` that does not resolve, in either document.
    BrokenReference,
    /// The JSON type (or `oneOf`, or none) differs.
    TypeChanged,
    /// The `format` differs.
    FormatChanged,
    /// The parameter is sent elsewhere (query, path, header, cookie).
    ParameterLocationChanged,
    /// `nullable` differs.
    NullableChanged,
    /// The `default` differs.
    DefaultChanged,
    /// Whether (and how) an object takes properties it does not name.
    AdditionalPropertiesChanged,
    /// The number of `oneOf`/`anyOf` alternatives differs.
    AlternativesChanged,
    /// The other document requires what ours leaves optional.
    RequiredAdded,
    /// Ours requires what the other document leaves optional.
    RequiredRemoved,
    /// A parameter only the other document has.
    ParameterAdded,
    /// A request body only the other document describes.
    RequestBodyAdded,
    /// A status code only the other document documents.
    StatusAdded,
    /// A media type only the other document lists.
    MediaTypeAdded,
    /// Only the other document gives a schema for this body.
    SchemaAdded,
    /// A property only the other document has.
    PropertyAdded,
    /// Enumeration values only the other document lists.
    EnumValuesAdded,
    /// The other document restricts the value to a list; ours does not.
    EnumerationAdded,
}

impl Kind {
    /// How much a client may break: 0 for something ours relies on that is
    /// gone, 1 for something retyped or re-constrained, 2 for something new.
    pub fn rank(self) -> u8 {
        use Kind::*;
        match self {
            OperationRemoved | ParameterRemoved | RequestBodyRemoved | StatusRemoved
            | MediaTypeRemoved | SchemaRemoved | PropertyRemoved | EnumValuesRemoved
            | EnumerationRemoved | BrokenReference => 0,
            TypeChanged
            | FormatChanged
            | ParameterLocationChanged
            | NullableChanged
            | DefaultChanged
            | AdditionalPropertiesChanged
            | AlternativesChanged
            | RequiredAdded
            | RequiredRemoved => 1,
            ParameterAdded | RequestBodyAdded | StatusAdded | MediaTypeAdded | SchemaAdded
            | PropertyAdded | EnumValuesAdded | EnumerationAdded => 2,
        }
    }

    /// The kebab-case name used in reports and in the acknowledgement file.
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(name)) => name,
            _ => format!("{self:?}"),
        }
    }
}

/// One place where the documents differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// The operation, as `METHOD /path` in our document's spelling.
    pub operation: String,
    /// What differs.
    pub kind: Kind,
    /// Where, independently of either document's layout: `parameter query
    /// limit`, `response 200 application/json results[].oneOf[0].country`, …
    pub at: String,
    /// JSON pointer into our document (the nearest enclosing value when
    /// ours lacks the thing).
    pub ours_pointer: String,
    /// JSON pointer into the other document, likewise.
    pub theirs_pointer: String,
    /// Our side's value for the kind (a type, a format, enumeration values,
    /// …); `None` when ours has nothing there.
    pub ours: Option<Value>,
    /// The other document's value, likewise.
    pub theirs: Option<Value>,
}

/// An operation of one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationRef {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as the document writes it.
    pub path: String,
    /// Its `operationId`, when it has one.
    pub operation_id: Option<String>,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

impl OperationRef {
    /// `METHOD /path`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// An operation both documents describe (or ours only), with its
/// differences, most consequential first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedOperation {
    /// Ours.
    pub ours: OperationRef,
    /// The other document's, when it has the operation.
    pub theirs: Option<OperationRef>,
    /// What differs.
    pub differences: Vec<Difference>,
}

/// Everything the comparison found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The path prefixes compared (segment-wise, e.g. `/v3/session`).
    pub prefixes: Vec<String>,
    /// Our operations under the prefixes, in our document's order.
    pub operations: Vec<ComparedOperation>,
    /// The other document's operations under the prefixes that ours does
    /// not describe.
    pub uncovered: Vec<OperationRef>,
}

impl Comparison {
    /// Every difference, operation by operation.
    pub fn differences(&self) -> impl Iterator<Item = &Difference> {
        self.operations
            .iter()
            .flat_map(|operation| &operation.differences)
    }
}

/// Why `document` cannot be compared: the engine reads OpenAPI 3.0.x
/// (`nullable`, `$ref` without siblings); `None` when it can.
pub fn version_problem(document: &Value) -> Option<String> {
    match document.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => None,
        Some(version) => Some(format!("it is OpenAPI {version}, not 3.0.x")),
        None => Some("it has no `openapi` version field".to_owned()),
    }
}

/// The prefixes compared when none are given: the resource of every path of
/// `ours` (its segments up to the first that is not a version such as `v3`),
/// in both singular and plural form, since Didit names a resource's
/// collection `/v3/sessions/` and its items `/v3/session/{id}/…`.
pub fn default_prefixes(ours: &Value) -> Vec<String> {
    let mut prefixes = BTreeSet::new();
    for operation in operations(ours) {
        let mut resource = Vec::new();
        for segment in segments(&operation.path) {
            resource.push(segment.to_owned());
            if !is_version(segment) {
                break;
            }
        }
        let Some(last) = resource.pop() else { continue };
        let singular = last.strip_suffix('s').unwrap_or(&last).to_owned();
        for name in [format!("{singular}s"), singular] {
            let mut prefix = resource.clone();
            prefix.push(name);
            prefixes.insert(format!("/{}", prefix.join("/")));
        }
    }
    prefixes.into_iter().collect()
}

/// Compares the operations of `ours` and `theirs` under `prefixes`.
pub fn compare(ours: &Value, theirs: &Value, prefixes: &[String]) -> Comparison {
    let in_scope = |operation: &OperationRef| {
        prefixes
            .iter()
            .any(|prefix| is_under(&operation.path, prefix))
    };
    let our_operations: Vec<OperationRef> = operations(ours).into_iter().filter(in_scope).collect();
    let their_operations: Vec<OperationRef> =
        operations(theirs).into_iter().filter(in_scope).collect();
    let mut theirs_by_key: BTreeMap<(String, String), &OperationRef> = their_operations
        .iter()
        .map(|operation| (operation_key(operation), operation))
        .collect();

    let mut compared = Vec::new();
    for our_operation in our_operations {
        let their_operation = theirs_by_key.remove(&operation_key(&our_operation));
        let differences = match their_operation {
            Some(their_operation) => {
                OperationPair::new(ours, theirs, &our_operation, their_operation)
                    .run()
                    .0
            }
            None => vec![Difference {
                operation: our_operation.label(),
                kind: Kind::OperationRemoved,
                at: "operation".to_owned(),
                ours_pointer: our_operation.pointer.clone(),
                theirs_pointer: "/paths".to_owned(),
                ours: our_operation.operation_id.clone().map(Value::String),
                theirs: None,
            }],
        };
        compared.push(ComparedOperation {
            ours: our_operation,
            theirs: their_operation.cloned(),
            differences,
        });
    }
    let uncovered = their_operations
        .iter()
        .filter(|operation| {
            theirs_by_key
                .get(&operation_key(operation))
                .is_some_and(|left| left.pointer == operation.pointer)
        })
        .cloned()
        .collect();
    Comparison {
        prefixes: prefixes.to_vec(),
        operations: compared,
        uncovered,
    }
}

/// Every location of every operation of `document` (`(METHOD /path,
/// location)`), as [`Difference::at`] writes them: what an acknowledgement
/// of a difference in something ours has can name.
pub fn locations(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for operation in operations(document) {
        let (_, locations) = OperationPair::new(document, document, &operation, &operation).run();
        let label = operation.label();
        found.extend(locations.into_iter().map(|at| (label.clone(), at)));
    }
    found
}

/// The response schemas both documents give for an operation they share,
/// by status and media type, with their pointers in each document.
pub fn shared_response_schemas(
    ours: &Value,
    theirs: &Value,
    prefixes: &[String],
) -> Vec<SharedSchema> {
    let comparison = compare(ours, theirs, prefixes);
    let mut shared = Vec::new();
    for operation in &comparison.operations {
        let Some(their_operation) = &operation.theirs else {
            continue;
        };
        let pair = OperationPair::new(ours, theirs, &operation.ours, their_operation);
        for (status, our_response, their_response) in pair.responses() {
            let (Some(our_content), Some(their_content)) = (
                our_response.value.get("content").and_then(Value::as_object),
                their_response
                    .value
                    .get("content")
                    .and_then(Value::as_object),
            ) else {
                continue;
            };
            for (media_type, our_media) in our_content {
                if let (Some(_), Some(their_media)) =
                    (our_media.get("schema"), their_content.get(media_type))
                    && their_media.get("schema").is_some()
                {
                    let media = escape_pointer(media_type);
                    shared.push(SharedSchema {
                        operation: operation.ours.clone(),
                        status: status.clone(),
                        media_type: media_type.clone(),
                        ours_pointer: format!("{}/content/{media}/schema", our_response.pointer),
                        theirs_pointer: format!(
                            "{}/content/{media}/schema",
                            their_response.pointer
                        ),
                    });
                }
            }
        }
    }
    shared
}

/// A response schema both documents give, see [`shared_response_schemas`].
#[derive(Clone, Debug, PartialEq)]
pub struct SharedSchema {
    /// Our operation.
    pub operation: OperationRef,
    /// The status code as written (`200`, `default`, …).
    pub status: String,
    /// The media type.
    pub media_type: String,
    /// Pointer of the schema in our document.
    pub ours_pointer: String,
    /// Pointer of the schema in the other document.
    pub theirs_pointer: String,
}

/// Every operation of a document, in document order.
pub fn operations(document: &Value) -> Vec<OperationRef> {
    let mut found = Vec::new();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                found.push(OperationRef {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    operation_id: operation
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    pointer: format!("/paths/{}/{method}", escape_pointer(path)),
                });
            }
        }
    }
    found
}

/// Whether `path` lies under `prefix`, segment by segment: `/v3/session`
/// covers `/v3/session/{id}/` but not `/v3/sessions/`.
pub fn is_under(path: &str, prefix: &str) -> bool {
    let mut path = segments(path);
    segments(prefix).all(|segment| path.next() == Some(segment))
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

/// The method and the path with its parameters unnamed and no trailing
/// slash: what pairs operations across documents.
fn operation_key(operation: &OperationRef) -> (String, String) {
    let normalised: Vec<&str> = segments(&operation.path)
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect();
    (operation.method.clone(), normalised.join("/"))
}

/// The names of a path's parameters, in order.
fn path_parameter_names(path: &str) -> Vec<&str> {
    segments(path)
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// A value reached through `$ref`s, with the pointer where it lives.
#[derive(Clone)]
struct Resolved<'a> {
    value: &'a Value,
    pointer: String,
}

/// A value reached through `$ref`s, or the pointer and target of the `$ref`
/// that does not resolve.
type Resolution<'a> = Result<Resolved<'a>, (String, String)>;

/// Follows `$ref` chains within `document`; the pointer of the last `$ref`
/// that does not resolve, and its target, on failure.
fn resolve<'a>(document: &'a Value, value: &'a Value, pointer: &str) -> Resolution<'a> {
    let mut value = value;
    let mut pointer = pointer.to_owned();
    // A longer chain than this is a cycle.
    for _ in 0..64 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return Ok(Resolved { value, pointer });
        };
        let Some(next) = target
            .strip_prefix('#')
            .and_then(|local| Some((local, document.pointer(local)?)))
        else {
            return Err((format!("{pointer}/$ref"), target.to_owned()));
        };
        pointer = next.0.to_owned();
        value = next.1;
    }
    Err((
        format!("{pointer}/$ref"),
        "(a cycle of references)".to_owned(),
    ))
}

/// Our operation and theirs, with what a comparison of the two needs.
struct OperationPair<'a> {
    documents: [&'a Value; 2],
    operations: [&'a OperationRef; 2],
    /// Their path-parameter names, renamed to ours by position.
    renamed: BTreeMap<String, String>,
    differences: Vec<Difference>,
    /// Every location both operations have, in the order compared.
    locations: Vec<String>,
}

/// Index of our document in the pairs above.
const OURS: usize = 0;
/// Index of the other document.
const THEIRS: usize = 1;

impl<'a> OperationPair<'a> {
    fn new(
        ours: &'a Value,
        theirs: &'a Value,
        our_operation: &'a OperationRef,
        their_operation: &'a OperationRef,
    ) -> Self {
        let renamed = path_parameter_names(&their_operation.path)
            .into_iter()
            .zip(path_parameter_names(&our_operation.path))
            .map(|(their, our)| (their.to_owned(), our.to_owned()))
            .collect();
        Self {
            documents: [ours, theirs],
            operations: [our_operation, their_operation],
            renamed,
            differences: Vec::new(),
            locations: Vec::new(),
        }
    }

    /// The differences, most consequential first, and the locations compared.
    fn run(mut self) -> (Vec<Difference>, Vec<String>) {
        self.compare_parameters();
        self.compare_request_bodies();
        self.compare_responses();
        let mut differences = self.differences;
        differences.sort_by(|a, b| (a.kind.rank(), &a.at).cmp(&(b.kind.rank(), &b.at)));
        (differences, self.locations)
    }

    fn operation(&self, side: usize) -> &'a Value {
        let pointer = &self.operations[side].pointer;
        self.documents[side]
            .pointer(pointer)
            .unwrap_or(&Value::Null)
    }

    fn push(&mut self, kind: Kind, at: String, pointers: [String; 2], values: [Option<Value>; 2]) {
        let [ours_pointer, theirs_pointer] = pointers;
        let [ours, theirs] = values;
        self.differences.push(Difference {
            operation: self.operations[OURS].label(),
            kind,
            at,
            ours_pointer,
            theirs_pointer,
            ours,
            theirs,
        });
    }

    /// `(location, name) → (parameter, pointer)` for one side, path-level
    /// parameters overridden by the operation's, their path parameters
    /// renamed to ours.
    fn parameters(&mut self, side: usize) -> BTreeMap<(String, String), Resolved<'a>> {
        let document = self.documents[side];
        let operation_pointer = &self.operations[side].pointer;
        let item_pointer = operation_pointer
            .rsplit_once('/')
            .map_or("", |(item, _)| item)
            .to_owned();
        let mut parameters = BTreeMap::new();
        for container in [item_pointer, operation_pointer.clone()] {
            let list_pointer = format!("{container}/parameters");
            let list = document.pointer(&list_pointer).and_then(Value::as_array);
            for (index, parameter) in list.into_iter().flatten().enumerate() {
                let pointer = format!("{list_pointer}/{index}");
                let resolution = Some(resolve(document, parameter, &pointer));
                let Some(resolved) = self.resolved_or_reported(side, "parameter", resolution)
                else {
                    continue;
                };
                let location = resolved.value.get("in").and_then(Value::as_str);
                let name = resolved.value.get("name").and_then(Value::as_str);
                let (Some(location), Some(mut name)) = (location, name) else {
                    continue;
                };
                if side == THEIRS && location == "path" {
                    name = self.renamed.get(name).map_or(name, String::as_str);
                }
                parameters.insert((location.to_owned(), name.to_owned()), resolved);
            }
        }
        parameters
    }

    fn compare_parameters(&mut self) {
        let mut ours = self.parameters(OURS);
        let mut theirs = self.parameters(THEIRS);
        let shared: Vec<(String, String)> = ours
            .keys()
            .filter(|key| theirs.contains_key(*key))
            .cloned()
            .collect();
        for key in shared {
            let (our, their) = (ours.remove(&key).unwrap(), theirs.remove(&key).unwrap());
            let at = format!("parameter {} {}", key.0, key.1);
            self.locations.push(at.clone());
            self.compare_required_flags(&at, [&our, &their]);
            self.compare_schemas(at, [parameter_schema(&our), parameter_schema(&their)]);
        }
        // The same name elsewhere: moved rather than removed and added.
        let moved: Vec<((String, String), (String, String))> = ours
            .keys()
            .filter_map(|our_key| {
                let their_key = theirs.keys().find(|their_key| their_key.1 == our_key.1)?;
                Some((our_key.clone(), their_key.clone()))
            })
            .collect();
        for (our_key, their_key) in moved {
            let (our, their) = (
                ours.remove(&our_key).unwrap(),
                theirs.remove(&their_key).unwrap(),
            );
            self.push(
                Kind::ParameterLocationChanged,
                format!("parameter {} {}", our_key.0, our_key.1),
                [
                    format!("{}/in", our.pointer),
                    format!("{}/in", their.pointer),
                ],
                [Some(our_key.0.into()), Some(their_key.0.into())],
            );
        }
        let their_list = format!("{}/parameters", self.operations[THEIRS].pointer);
        let our_list = format!("{}/parameters", self.operations[OURS].pointer);
        for ((location, name), our) in ours {
            self.push(
                Kind::ParameterRemoved,
                format!("parameter {location} {name}"),
                [our.pointer, their_list.clone()],
                [Some(name.into()), None],
            );
        }
        for ((location, name), their) in theirs {
            self.push(
                Kind::ParameterAdded,
                format!("parameter {location} {name}"),
                [our_list.clone(), their.pointer],
                [None, Some(name.into())],
            );
        }
    }

    fn compare_request_bodies(&mut self) {
        let at = "request body".to_owned();
        let bodies = [OURS, THEIRS].map(|side| {
            let pointer = format!("{}/requestBody", self.operations[side].pointer);
            let body = self.operation(side).get("requestBody")?;
            Some(resolve(self.documents[side], body, &pointer))
        });
        let Some([ours, theirs]) = self.resolved_pair(&at, bodies) else {
            return;
        };
        match (ours, theirs) {
            (None, None) => {}
            (Some(our), None) => self.push(
                Kind::RequestBodyRemoved,
                at,
                [our.pointer, self.operations[THEIRS].pointer.clone()],
                [Some("body".into()), None],
            ),
            (None, Some(their)) => self.push(
                Kind::RequestBodyAdded,
                at,
                [self.operations[OURS].pointer.clone(), their.pointer],
                [None, Some("body".into())],
            ),
            (Some(our), Some(their)) => {
                self.locations.push(at.clone());
                self.compare_required_flags(&at, [&our, &their]);
                self.compare_content(&at, [&our, &their]);
            }
        }
    }

    /// `(status, our response, their response)` for the statuses both
    /// document, references resolved.
    fn responses(&self) -> Vec<(String, Resolved<'a>, Resolved<'a>)> {
        self.response_maps()
            .into_iter()
            .filter_map(|(status, [ours, theirs])| match (ours, theirs) {
                (Some(Ok(ours)), Some(Ok(theirs))) => Some((status, ours, theirs)),
                _ => None,
            })
            .collect()
    }

    /// Each status either side documents, with each side's response.
    fn response_maps(&self) -> BTreeMap<String, [Option<Resolution<'a>>; 2]> {
        let mut statuses: BTreeMap<String, [Option<_>; 2]> = BTreeMap::new();
        for side in [OURS, THEIRS] {
            let responses = self
                .operation(side)
                .get("responses")
                .and_then(Value::as_object);
            for (status, response) in responses.into_iter().flatten() {
                let pointer = format!(
                    "{}/responses/{}",
                    self.operations[side].pointer,
                    escape_pointer(status)
                );
                let resolved = resolve(self.documents[side], response, &pointer);
                statuses.entry(status.to_uppercase()).or_default()[side] = Some(resolved);
            }
        }
        statuses
    }

    fn compare_responses(&mut self) {
        let responses_pointer =
            [OURS, THEIRS].map(|side| format!("{}/responses", self.operations[side].pointer));
        for (status, [ours, theirs]) in self.response_maps() {
            let at = format!("response {status}");
            let Some(resolved) = self.resolved_pair(&at, [ours, theirs]) else {
                continue;
            };
            match resolved {
                [Some(our), Some(their)] => {
                    self.locations.push(at.clone());
                    self.compare_content(&at, [&our, &their]);
                }
                [Some(our), None] => self.push(
                    Kind::StatusRemoved,
                    at,
                    [our.pointer, responses_pointer[THEIRS].clone()],
                    [Some(status.into()), None],
                ),
                [None, Some(their)] => self.push(
                    Kind::StatusAdded,
                    at,
                    [responses_pointer[OURS].clone(), their.pointer],
                    [None, Some(status.into())],
                ),
                [None, None] => {}
            }
        }
    }

    /// Compares the `content` maps of a request body or response.
    fn compare_content(&mut self, at: &str, owners: [&Resolved<'a>; 2]) {
        let content = owners.map(|owner| {
            owner
                .value
                .get("content")
                .and_then(Value::as_object)
                .map(|content| {
                    content
                        .iter()
                        .map(|(media, value)| (media.to_lowercase(), (media.clone(), value)))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default()
        });
        let content_pointer = owners.map(|owner| format!("{}/content", owner.pointer));
        let media_types: BTreeSet<&String> =
            content[OURS].keys().chain(content[THEIRS].keys()).collect();
        for media in media_types {
            let at = format!("{at} {media}");
            let pointer = |side: usize| {
                content[side]
                    .get(media)
                    .map(|(key, _)| format!("{}/{}", content_pointer[side], escape_pointer(key)))
            };
            match (pointer(OURS), pointer(THEIRS)) {
                (Some(ours), Some(theirs)) => {
                    self.locations.push(at.clone());
                    let schemas = [OURS, THEIRS].map(|side| {
                        let media_pointer = pointer(side).unwrap_or_default();
                        content[side].get(media).and_then(|(_, value)| {
                            Some((value.get("schema")?, format!("{media_pointer}/schema")))
                        })
                    });
                    match schemas {
                        [Some(our), Some(their)] => self.compare_schemas(
                            at,
                            [
                                SchemaAt {
                                    value: Some(our.0),
                                    pointer: our.1,
                                },
                                SchemaAt {
                                    value: Some(their.0),
                                    pointer: their.1,
                                },
                            ],
                        ),
                        [Some(our), None] => self.push(
                            Kind::SchemaRemoved,
                            at,
                            [our.1, theirs],
                            [Some("schema".into()), None],
                        ),
                        [None, Some(their)] => self.push(
                            Kind::SchemaAdded,
                            at,
                            [ours, their.1],
                            [None, Some("schema".into())],
                        ),
                        [None, None] => {}
                    }
                }
                (Some(ours), None) => self.push(
                    Kind::MediaTypeRemoved,
                    at,
                    [ours, content_pointer[THEIRS].clone()],
                    [Some(media.clone().into()), None],
                ),
                (None, Some(theirs)) => self.push(
                    Kind::MediaTypeAdded,
                    at,
                    [content_pointer[OURS].clone(), theirs],
                    [None, Some(media.clone().into())],
                ),
                (None, None) => {}
            }
        }
    }

    fn compare_schemas(&mut self, at: String, schemas: [SchemaAt<'a>; 2]) {
        let documents = self.documents;
        let (differences, locations) = schema::compare(documents, schemas, &at);
        self.locations.extend(locations);
        for difference in differences {
            self.push(
                difference.kind,
                difference.at,
                difference.pointers,
                difference.values,
            );
        }
    }

    /// The resolved value; a broken reference is reported at `at`.
    fn resolved_or_reported(
        &mut self,
        side: usize,
        at: &str,
        resolution: Option<Resolution<'a>>,
    ) -> Option<Resolved<'a>> {
        match resolution? {
            Ok(resolved) => Some(resolved),
            Err(broken) => {
                self.broken_reference(side, at.to_owned(), broken);
                None
            }
        }
    }

    /// Both sides resolved, or `None` once a broken reference on either side
    /// is reported (what it stands for is unknown, so nothing else is).
    fn resolved_pair(
        &mut self,
        at: &str,
        [ours, theirs]: [Option<Resolution<'a>>; 2],
    ) -> Option<[Option<Resolved<'a>>; 2]> {
        let broken = matches!(ours, Some(Err(_))) || matches!(theirs, Some(Err(_)));
        let pair = [
            self.resolved_or_reported(OURS, at, ours),
            self.resolved_or_reported(THEIRS, at, theirs),
        ];
        (!broken).then_some(pair)
    }

    /// Compares the `required` flags of two parameters or request bodies.
    fn compare_required_flags(&mut self, at: &str, owners: [&Resolved<'a>; 2]) {
        let [ours, theirs] =
            owners.map(|owner| owner.value.get("required").and_then(Value::as_bool) == Some(true));
        if ours != theirs {
            let kind = if theirs {
                Kind::RequiredAdded
            } else {
                Kind::RequiredRemoved
            };
            self.push(
                kind,
                at.to_owned(),
                owners.map(|owner| owner.pointer.clone()),
                [Some(ours.into()), Some(theirs.into())],
            );
        }
    }

    fn broken_reference(&mut self, side: usize, at: String, (pointer, target): (String, String)) {
        let mut pointers = [
            self.operations[OURS].pointer.clone(),
            self.operations[THEIRS].pointer.clone(),
        ];
        let mut values = [None, None];
        pointers[side] = pointer;
        values[side] = Some(target.into());
        self.push(Kind::BrokenReference, at, pointers, values);
    }
}

/// A schema of one document and its pointer (`value: None`: no schema,
/// which allows anything).
#[derive(Clone, Debug)]
struct SchemaAt<'a> {
    value: Option<&'a Value>,
    pointer: String,
}

/// A parameter's schema: `schema`, or the schema of its `content` entry.
fn parameter_schema<'a>(parameter: &Resolved<'a>) -> SchemaAt<'a> {
    if let Some(schema) = parameter.value.get("schema") {
        return SchemaAt {
            value: Some(schema),
            pointer: format!("{}/schema", parameter.pointer),
        };
    }
    let content = parameter.value.get("content").and_then(Value::as_object);
    match content.and_then(|content| content.iter().next()) {
        Some((media, entry)) => SchemaAt {
            value: entry.get("schema"),
            pointer: format!(
                "{}/content/{}/schema",
                parameter.pointer,
                escape_pointer(media)
            ),
        },
        None => SchemaAt {
            value: None,
            pointer: parameter.pointer.clone(),
        },
    }
}

#[cfg(test)]
mod tests;
