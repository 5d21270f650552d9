//! Another description of the API, when one is given: payloads generated
//! from the list endpoint's 200 schema of the OpenAPI document named by
//! `DIDIT_REFERENCE_SPEC` (Didit's own published description, say, or a newer
//! one) decode into the SDK's page type and re-encode unchanged. Skipped
//! when the variable is unset; the document is read, never stored.

use didit_contract::generate::Options;
use didit_contract::instances::{Target, target_failures};
use didit_contract::sdk::response_type;
use didit_contract::{Spec, escape_pointer};

/// The variable naming the other description.
const REFERENCE_SPEC: &str = "DIDIT_REFERENCE_SPEC";

#[test]
fn payloads_another_description_allows_decode_and_re_encode_unchanged() {
    let Some(path) = std::env::var_os(REFERENCE_SPEC) else {
        eprintln!(
            "skipped: set {REFERENCE_SPEC} to an OpenAPI document of the Didit API to check the SDK against it"
        );
        return;
    };
    let spec = Spec::read(path.as_ref()).unwrap_or_else(|error| panic!("{error:#}"));
    let schema_pointer = format!(
        "/paths/{}/get/responses/200/content/{}/schema",
        escape_pointer("/v3/sessions/"),
        escape_pointer("application/json"),
    );
    assert!(
        spec.json.pointer(&schema_pointer).is_some(),
        "{}: no JSON schema at #{schema_pointer}",
        spec.path.display()
    );
    let target = Target {
        label: format!("{} GET /v3/sessions/ 200", spec.path.display()),
        schema_pointer,
        sdk_type: response_type("list_sessions", 200).expect("the page type"),
        in_responses: true,
    };
    let failures = target_failures(&spec, &spec, Options::DOCUMENTED, &[target], None);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
