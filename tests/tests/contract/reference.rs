//! Another description of the API, when one is given: the OpenAPI document
//! named by `DIDIT_REFERENCE_SPEC` (Didit's own published description, say,
//! or a newer one). Skipped when the variable is unset; the document is read,
//! never stored.
//!
//! Both checks go through the drift engine of `cargo xtask drift`
//! (`xtask::drift`): it pairs our operations with the other document's, and
//! it judges the differences against `openapi/drift-acknowledged.yaml`.

use didit_contract::Spec;
use didit_contract::generate::Options;
use didit_contract::instances::{Target, target_failures};
use didit_contract::sdk::response_type;
use xtask::drift::{self, acknowledged, render};

/// The variable naming the other description.
const REFERENCE_SPEC: &str = "DIDIT_REFERENCE_SPEC";

/// The other description, or `None` (with a note) when the variable is unset.
fn reference() -> Option<Spec> {
    let Some(path) = std::env::var_os(REFERENCE_SPEC) else {
        eprintln!(
            "skipped: set {REFERENCE_SPEC} to an OpenAPI document of the Didit API to check the SDK against it"
        );
        return None;
    };
    Some(Spec::read(path.as_ref()).unwrap_or_else(|error| panic!("{error:#}")))
}

/// Payloads generated from every JSON response schema the other document
/// gives for an operation ours describes decode into the SDK's type for that
/// response and re-encode unchanged.
#[test]
fn payloads_another_description_allows_decode_and_re_encode_unchanged() {
    let Some(mut reference) = reference() else {
        return;
    };
    let ours = Spec::load().unwrap();
    require_what_ours_requires(&ours, &mut reference);
    let shared = drift::shared_response_schemas(
        &ours.json,
        &reference.json,
        &drift::default_prefixes(&ours.json),
    );
    let mut targets = Vec::new();
    let mut untyped = Vec::new();
    for schema in shared
        .into_iter()
        .filter(|schema| schema.media_type == "application/json")
    {
        let label = format!(
            "{} {} {}",
            reference.path.display(),
            schema.operation.label(),
            schema.status,
        );
        let operation_id = schema.operation.operation_id.as_deref().unwrap_or_default();
        match schema
            .status
            .parse()
            .ok()
            .and_then(|status| response_type(operation_id, status))
        {
            Some(sdk_type) => targets.push(Target {
                label,
                schema_pointer: schema.theirs_pointer,
                sdk_type,
                in_responses: true,
            }),
            None => untyped.push(format!(
                "{label}: no SDK type for this response in didit_contract::sdk::response_type"
            )),
        }
    }
    assert!(untyped.is_empty(), "{}", untyped.join("\n"));
    assert!(
        targets
            .iter()
            .any(|target| target.label.contains("GET /v3/sessions/ 200")),
        "{}: no JSON schema for the list endpoint's 200 response",
        reference.path.display()
    );
    let failures = target_failures(&reference, &reference, Options::DOCUMENTED, &targets, None);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Where ours requires a property of an answer that the other document
/// leaves optional (each such difference is acknowledged, with its reason,
/// or the other check fails), the other document's payloads must have it
/// too: a payload without it is one the SDK refuses on purpose, naming it.
fn require_what_ours_requires(ours: &Spec, reference: &mut Spec) {
    let comparison = drift::compare(
        &ours.json,
        &reference.json,
        &drift::default_prefixes(&ours.json),
    );
    let stricter: Vec<(String, String)> = comparison
        .differences()
        .filter(|difference| difference.kind == drift::Kind::RequiredRemoved)
        .filter(|difference| difference.at.starts_with("response "))
        .map(|difference| {
            let name = difference
                .at
                .rsplit(['.', ' '])
                .next()
                .unwrap_or_default()
                .to_owned();
            (difference.theirs_pointer.clone(), name)
        })
        .collect();
    for (pointer, name) in stricter {
        let schema_pointer = pointer.strip_suffix("/required").unwrap_or(&pointer);
        let schema = reference
            .json
            .pointer_mut(schema_pointer)
            .unwrap_or_else(|| panic!("the drift report points at {schema_pointer}"));
        let required = schema
            .as_object_mut()
            .unwrap_or_else(|| panic!("{schema_pointer} is a schema object"))
            .entry("required")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let Some(list) = required.as_array_mut()
            && !list.iter().any(|item| item == name.as_str())
        {
            list.push(name.into());
        }
    }
}

/// What `cargo xtask drift --against $DIDIT_REFERENCE_SPEC` checks: every
/// difference from our spec is acknowledged with a reason.
#[test]
fn every_difference_from_another_description_is_acknowledged() {
    let Some(reference) = reference() else {
        return;
    };
    let ours = Spec::load().unwrap();
    let comparison = drift::compare(
        &ours.json,
        &reference.json,
        &drift::default_prefixes(&ours.json),
    );
    let report = acknowledged::review(comparison, &acknowledged::load().unwrap());
    let table = render::table(
        &report,
        &ours.display_path(),
        &reference.path.display().to_string(),
    );
    assert!(report.passes(), "{table}");
    if !report.stale.is_empty() {
        eprintln!("{}", render::summary_line(&report));
    }
}
