//! The wire contract of `list_sessions`: the facade's typed setters put on
//! the wire exactly what the spec describes.
//!
//! [`Filter`] holds one typed value per query parameter of the spec;
//! [`filters`] generates sets of them. [`Filter::apply`] calls the facade's
//! setter and [`Filter::expected_wire_value`] says what the spec expects the
//! server to read: list values joined with commas, dates as `YYYY-MM-DD`,
//! UUIDs hyphenated in lower case, booleans as `true`/`false`, enumerations
//! by their spec names. [`check_request`] compares a captured request with
//! that: the slashed path, the `x-api-key` header, each parameter once,
//! every value percent-decoded (as the server's form decoder reads it, `+`
//! meaning a space) equal to the expected one and valid per its schema.

use std::collections::BTreeMap;

use didit::types::{ApiService, SessionKindFilter};
use didit::{ListSessions, NaiveDate, SessionStatus, Uuid};
use proptest::prelude::*;
use serde_json::Value;

use crate::typed::{self, Unknowns};
use crate::{Spec, generate, validation_errors};

/// The operation under test.
pub const OPERATION_ID: &str = "list_sessions";

/// One query parameter of `list_sessions` with a typed value.
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Filter {
    SessionKind(SessionKindFilter),
    Limit(u32),
    Offset(u64),
    Status(Vec<SessionStatus>),
    VendorData(String),
    Search(String),
    WorkflowId(Vec<Uuid>),
    DateFrom(NaiveDate),
    DateTo(NaiveDate),
    Country(Vec<String>),
    DocumentType(Vec<String>),
    DocumentName(Vec<String>),
    Region(Vec<String>),
    DiditInternalId(Uuid),
    SessionType(Vec<String>),
    ApiService(ApiService),
    ScreenedFullName(String),
    Warning(Vec<String>),
    StatusInitializedAsInReview(bool),
    IsKycToBeReviewed(bool),
    Euuid(Uuid),
    OrganizationName(Vec<String>),
}

/// The spec's parameter names the filters cover, and whether each is a
/// comma list.
pub const PARAMETERS: &[(&str, bool)] = &[
    ("session_kind", false),
    ("limit", false),
    ("offset", false),
    ("status", true),
    ("vendor_data", false),
    ("search", false),
    ("workflow_id", true),
    ("date_from", false),
    ("date_to", false),
    ("country", true),
    ("document_type", true),
    ("document_name", true),
    ("region", true),
    ("didit_internal_id", false),
    ("session_type", true),
    ("api_service", false),
    ("screened_full_name", false),
    ("warning", true),
    ("status_initialized_as_in_review", false),
    ("is_kyc_to_be_reviewed", false),
    ("euuid", false),
    ("organization_name", true),
];

impl Filter {
    /// The query parameter, as the spec names it.
    pub fn name(&self) -> &'static str {
        match self {
            Filter::SessionKind(_) => "session_kind",
            Filter::Limit(_) => "limit",
            Filter::Offset(_) => "offset",
            Filter::Status(_) => "status",
            Filter::VendorData(_) => "vendor_data",
            Filter::Search(_) => "search",
            Filter::WorkflowId(_) => "workflow_id",
            Filter::DateFrom(_) => "date_from",
            Filter::DateTo(_) => "date_to",
            Filter::Country(_) => "country",
            Filter::DocumentType(_) => "document_type",
            Filter::DocumentName(_) => "document_name",
            Filter::Region(_) => "region",
            Filter::DiditInternalId(_) => "didit_internal_id",
            Filter::SessionType(_) => "session_type",
            Filter::ApiService(_) => "api_service",
            Filter::ScreenedFullName(_) => "screened_full_name",
            Filter::Warning(_) => "warning",
            Filter::StatusInitializedAsInReview(_) => "status_initialized_as_in_review",
            Filter::IsKycToBeReviewed(_) => "is_kyc_to_be_reviewed",
            Filter::Euuid(_) => "euuid",
            Filter::OrganizationName(_) => "organization_name",
        }
    }

    /// Calls the facade's setter for this parameter.
    pub fn apply(&self, request: ListSessions) -> ListSessions {
        match self.clone() {
            Filter::SessionKind(kind) => request.session_kind(kind),
            Filter::Limit(limit) => request.limit(limit),
            Filter::Offset(offset) => request.offset(offset),
            Filter::Status(statuses) => request.status(statuses),
            Filter::VendorData(text) => request.vendor_data(text),
            Filter::Search(text) => request.search(text),
            Filter::WorkflowId(ids) => request.workflow_id(ids),
            Filter::DateFrom(day) => request.date_from(day),
            Filter::DateTo(day) => request.date_to(day),
            Filter::Country(values) => request.country(values),
            Filter::DocumentType(values) => request.document_type(values),
            Filter::DocumentName(values) => request.document_name(values),
            Filter::Region(values) => request.region(values),
            Filter::DiditInternalId(id) => request.didit_internal_id(id),
            Filter::SessionType(values) => request.session_type(values),
            Filter::ApiService(service) => request.api_service(service),
            Filter::ScreenedFullName(text) => request.screened_full_name(text),
            Filter::Warning(values) => request.warning(values),
            Filter::StatusInitializedAsInReview(value) => {
                request.status_initialized_as_in_review(value)
            }
            Filter::IsKycToBeReviewed(value) => request.is_kyc_to_be_reviewed(value),
            Filter::Euuid(id) => request.euuid(id),
            Filter::OrganizationName(values) => request.organization_name(values),
        }
    }

    /// The value the server must read, written from the spec's rules rather
    /// than by the facade's code.
    pub fn expected_wire_value(&self) -> String {
        match self {
            Filter::SessionKind(kind) => spec_name(kind),
            Filter::ApiService(service) => spec_name(service),
            Filter::Limit(limit) => limit.to_string(),
            Filter::Offset(offset) => offset.to_string(),
            Filter::Status(statuses) => statuses
                .iter()
                .map(SessionStatus::as_str)
                .collect::<Vec<_>>()
                .join(","),
            Filter::VendorData(text) | Filter::Search(text) | Filter::ScreenedFullName(text) => {
                text.clone()
            }
            Filter::WorkflowId(ids) => ids
                .iter()
                .map(|id| id.hyphenated().to_string())
                .collect::<Vec<_>>()
                .join(","),
            Filter::DateFrom(day) | Filter::DateTo(day) => day.format("%Y-%m-%d").to_string(),
            Filter::Country(values)
            | Filter::DocumentType(values)
            | Filter::DocumentName(values)
            | Filter::Region(values)
            | Filter::SessionType(values)
            | Filter::Warning(values)
            | Filter::OrganizationName(values) => values.join(","),
            Filter::DiditInternalId(id) | Filter::Euuid(id) => id.hyphenated().to_string(),
            Filter::StatusInitializedAsInReview(value) | Filter::IsKycToBeReviewed(value) => {
                value.to_string()
            }
        }
    }
}

/// The string serde writes for an enumeration's value, which is the spec's
/// name for it.
fn spec_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        other => panic!("an enumeration serialises to a string, not {other:?}"),
    }
}

/// Free text, with the characters that need care in a query: `+`, `&`, `=`,
/// `%`, `#`, `?`, `/`, spaces, non-ASCII and control characters.
fn free_text() -> BoxedStrategy<String> {
    prop_oneof![
        "(?s).{0,12}",
        "[ +&=%#?/,;:@!$'()*\\[\\]éß中\u{1F600}a-zA-Z0-9]{0,12}",
    ]
    .boxed()
}

/// One value of a comma list: not empty and without a comma (the server
/// splits on commas, so such a value cannot be sent).
fn list_item() -> BoxedStrategy<String> {
    prop_oneof!["[^,]{1,10}", "[ +&=%#?/éa-zA-Z0-9]{1,10}"]
        .prop_filter("no comma", |value| !value.contains(','))
        .boxed()
}

fn list(item: BoxedStrategy<String>) -> BoxedStrategy<Vec<String>> {
    proptest::collection::vec(item, 1..4).boxed()
}

fn day() -> BoxedStrategy<NaiveDate> {
    generate::date()
        .prop_map(|text| text.parse().expect("the generator writes dates"))
        .boxed()
}

/// A set of filters, each parameter at most once.
pub fn filters() -> BoxedStrategy<Vec<Filter>> {
    let one_of_each: Vec<BoxedStrategy<Filter>> = vec![
        typed::session_kind_filter()
            .prop_map(Filter::SessionKind)
            .boxed(),
        prop_oneof![1u32..=100, 1u32..=u32::MAX]
            .prop_map(Filter::Limit)
            .boxed(),
        any::<u64>().prop_map(Filter::Offset).boxed(),
        proptest::collection::vec(
            typed::open_enum(SessionStatus::KNOWN, Unknowns::Sometimes),
            1..4,
        )
        .prop_map(Filter::Status)
        .boxed(),
        free_text().prop_map(Filter::VendorData).boxed(),
        free_text().prop_map(Filter::Search).boxed(),
        proptest::collection::vec(typed::uuid(), 1..4)
            .prop_map(Filter::WorkflowId)
            .boxed(),
        day().prop_map(Filter::DateFrom).boxed(),
        day().prop_map(Filter::DateTo).boxed(),
        list(list_item()).prop_map(Filter::Country).boxed(),
        list(list_item()).prop_map(Filter::DocumentType).boxed(),
        list(list_item()).prop_map(Filter::DocumentName).boxed(),
        list(list_item()).prop_map(Filter::Region).boxed(),
        typed::uuid().prop_map(Filter::DiditInternalId).boxed(),
        list(list_item()).prop_map(Filter::SessionType).boxed(),
        typed::api_service().prop_map(Filter::ApiService).boxed(),
        free_text().prop_map(Filter::ScreenedFullName).boxed(),
        list(list_item()).prop_map(Filter::Warning).boxed(),
        any::<bool>()
            .prop_map(Filter::StatusInitializedAsInReview)
            .boxed(),
        any::<bool>().prop_map(Filter::IsKycToBeReviewed).boxed(),
        typed::uuid().prop_map(Filter::Euuid).boxed(),
        list(list_item()).prop_map(Filter::OrganizationName).boxed(),
    ];
    debug_assert_eq!(one_of_each.len(), PARAMETERS.len());
    one_of_each
        .into_iter()
        .map(|filter| proptest::option::weighted(0.4, filter))
        .collect::<Vec<_>>()
        .prop_map(|filters| filters.into_iter().flatten().collect())
        .boxed()
}

/// The query parameters of the operation in the spec, by name.
pub fn spec_parameters(spec: &Spec) -> BTreeMap<String, Value> {
    spec.operations()
        .into_iter()
        .filter(|(_, operation, _)| {
            operation.get("operationId").and_then(Value::as_str) == Some(OPERATION_ID)
        })
        .flat_map(|(_, operation, _)| {
            operation
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("query"))
        .filter_map(|parameter| Some((parameter.get("name")?.as_str()?.to_owned(), parameter)))
        .collect()
}

/// The operation's path in the spec.
pub fn spec_path(spec: &Spec) -> String {
    spec.operations()
        .into_iter()
        .find(|(_, operation, _)| {
            operation.get("operationId").and_then(Value::as_str) == Some(OPERATION_ID)
        })
        .map(|(path, _, _)| path.to_owned())
        .expect("the spec has the operation")
}

/// The headers of the credentials `operation` is sent with (the schemes of
/// its own `security`, or of the spec's), and the headers of every
/// credential the spec describes: a request carries one of the first and
/// none of the others.
pub fn credential_headers(spec: &Spec, operation: &Value) -> (Vec<String>, Vec<String>) {
    let schemes = spec
        .json
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    let header_of = |name: &str| {
        schemes
            .and_then(|schemes| schemes.get(name))
            .filter(|scheme| scheme.get("in").and_then(Value::as_str) == Some("header"))
            .and_then(|scheme| scheme.get("name")?.as_str())
            .map(str::to_ascii_lowercase)
    };
    let requirements = operation
        .get("security")
        .or_else(|| spec.json.get("security"))
        .and_then(Value::as_array);
    let required = requirements
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys())
        .filter_map(|name| header_of(name))
        .collect();
    let all = schemes
        .into_iter()
        .flat_map(|schemes| schemes.keys())
        .filter_map(|name| header_of(name))
        .collect();
    (required, all)
}

/// The header the spec's API-key security scheme names.
pub fn spec_api_key_header(spec: &Spec) -> String {
    let schemes = spec
        .json
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    schemes
        .into_iter()
        .flat_map(|schemes| schemes.values())
        .find(|scheme| {
            scheme.get("type").and_then(Value::as_str) == Some("apiKey")
                && scheme.get("in").and_then(Value::as_str) == Some("header")
        })
        .and_then(|scheme| scheme.get("name")?.as_str())
        .expect("the spec has an API-key header scheme")
        .to_owned()
}

/// `schema` with its `$ref`s followed to the component they name.
fn resolve<'a>(spec: &'a Spec, schema: &'a Value) -> Result<&'a Value, String> {
    let mut resolved = schema;
    while let Some(target) = crate::instances::component_ref(resolved) {
        resolved = spec
            .json
            .pointer(&format!("/components/schemas/{target}"))
            .ok_or_else(|| format!("`{target}` does not resolve"))?;
    }
    Ok(resolved)
}

/// The query parameters whose values the server holds to a form: an
/// enumeration, a format (a date, a UUID) or a type other than text. A
/// malformed value of one of them is answered with 400.
pub fn spec_typed_parameters(spec: &Spec) -> Vec<String> {
    spec_parameters(spec)
        .into_iter()
        .filter(|(_, parameter)| {
            let schema = parameter
                .get("schema")
                .and_then(|schema| resolve(spec, schema).ok());
            schema.is_some_and(|schema| {
                schema.get("enum").is_some()
                    || schema.get("format").is_some()
                    || schema.get("type").and_then(Value::as_str) != Some("string")
            })
        })
        .map(|(name, _)| name)
        .collect()
}

/// Whether the spec documents the parameter as a comma-separated list.
pub fn spec_says_comma_list(parameter: &Value) -> bool {
    let description = parameter
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    description.contains("Comma list") || description.contains("joined with commas")
}

/// What went over the wire for one request.
#[derive(Clone, Debug)]
pub struct CapturedRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, as sent.
    pub path: String,
    /// The raw query, as sent (`None`: no `?`).
    pub query: Option<String>,
    /// The headers, by lower-case name (repeated headers joined by `, `).
    pub headers: BTreeMap<String, String>,
}

impl From<&wiremock::Request> for CapturedRequest {
    fn from(request: &wiremock::Request) -> Self {
        Self {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(str::to_owned),
            headers: request
                .headers
                .iter()
                .fold(BTreeMap::new(), |mut headers, (name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    headers
                        .entry(name.as_str().to_ascii_lowercase())
                        .and_modify(|joined: &mut String| {
                            joined.push_str(", ");
                            joined.push_str(&value);
                        })
                        .or_insert(value);
                    headers
                }),
        }
    }
}

/// Every way `request` differs from what the spec says `filters` must
/// produce, one line each.
pub fn check_request(
    spec: &Spec,
    request: &CapturedRequest,
    filters: &[Filter],
    api_key: &str,
) -> Result<(), String> {
    let mut problems = Vec::new();
    let path = spec_path(spec);
    if request.method != "GET" {
        problems.push(format!("method: expected GET, sent {}", request.method));
    }
    if request.path != path {
        problems.push(format!("path: expected `{path}`, sent `{}`", request.path));
    }
    let header = spec_api_key_header(spec);
    let sent_key = request.headers.get(&header.to_ascii_lowercase());
    if sent_key.map(String::as_str) != Some(api_key) {
        problems.push(format!(
            "header `{header}`: expected the API key, sent {sent_key:?}"
        ));
    }
    let raw = request.query.as_deref().unwrap_or_default();
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
        sent.entry(name.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    let parameters = spec_parameters(spec);
    for filter in filters {
        let expected = filter.expected_wire_value();
        match sent.remove(filter.name()).as_deref() {
            Some([value]) if *value == expected => {
                if let Some(parameter) = parameters.get(filter.name())
                    && let Err(error) = satisfies_parameter_schema(spec, parameter, value)
                {
                    problems.push(format!(
                        "`{}`: the value sent, {value:?}, {error}",
                        filter.name()
                    ));
                }
            }
            Some([value]) => problems.push(format!(
                "`{}`: expected {expected:?}, the server reads {value:?} (raw query `{raw}`)",
                filter.name()
            )),
            Some(values) => problems.push(format!(
                "`{}` sent {} times: {values:?}",
                filter.name(),
                values.len()
            )),
            None => problems.push(format!(
                "`{}` was set to {expected:?} but not sent (raw query `{raw}`)",
                filter.name()
            )),
        }
    }
    for (name, values) in sent {
        problems.push(format!("`{name}` was sent ({values:?}) but not set"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Reads the text of a query value as the parameter's schema types it and
/// validates it against the schema.
fn satisfies_parameter_schema(spec: &Spec, parameter: &Value, text: &str) -> Result<(), String> {
    let schema = parameter.get("schema").ok_or("has no schema in the spec")?;
    let resolved = resolve(spec, schema)?;
    let value = match resolved.get("type").and_then(Value::as_str) {
        Some("integer") => text
            .parse::<i128>()
            .ok()
            .and_then(serde_json::Number::from_i128)
            .map(Value::Number)
            .ok_or("is not an integer")?,
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err("is not `true` or `false`".to_owned()),
        },
        _ => Value::String(text.to_owned()),
    };
    let validator = spec
        .validator_for(schema)
        .map_err(|error| error.to_string())?;
    validation_errors(&validator, &value).map_err(|errors| {
        format!(
            "does not satisfy the parameter's schema: {}",
            errors.join("; ")
        )
    })
}
