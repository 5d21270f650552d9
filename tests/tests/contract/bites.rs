//! The suite bites: each test breaks the spec (in memory) or stands in a
//! deliberately wrong type for an SDK type, runs the same check the suite
//! runs, and asserts that it fails with a message naming what broke.

use didit_api::types::{Feature, KycSession};
use didit_api::{FeatureName, FeatureStatus};
use didit_contract::Spec;
use didit_contract::debug_output::debug_output_failures;
use didit_contract::drift::drift;
use didit_contract::examples::example_failures;
use didit_contract::generate::Options;
use didit_contract::instances::{Target, target_failures};
use didit_contract::sdk::{SdkType, component_type, response_type};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The spec with `edit` applied to its JSON.
fn mutated(edit: impl FnOnce(&mut Value)) -> Spec {
    let mut spec = Spec::load().unwrap();
    edit(&mut spec.json);
    spec
}

fn at<'a>(json: &'a mut Value, pointer: &str) -> &'a mut Value {
    json.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the spec has {pointer}"))
}

/// Asserts that some message contains every one of `parts`.
fn assert_reported(messages: &[String], parts: &[&str]) {
    assert!(
        messages
            .iter()
            .any(|message| parts.iter().all(|part| message.contains(part))),
        "no message contains all of {parts:?}; the messages were:\n{}",
        messages.join("\n")
    );
}

/// The schema-driven property for one component, as the suite runs it, but
/// without saving the (intended) failure as a regression.
fn property_failures(spec: &Spec, component: &str, sdk_type: SdkType) -> Vec<String> {
    let target = Target {
        label: component.to_owned(),
        schema_pointer: format!("/components/schemas/{component}"),
        sdk_type,
        in_responses: true,
    };
    target_failures(spec, spec, Options::DOCUMENTED, &[target], None)
}

const KYC_PAGE_EXAMPLE: &str = "/paths/~1v3~1sessions~1/get/responses/200/content/application~1json/examples/published_kyc_sessions_default/value";

/// A KYC row that drops the properties it does not declare, as the SDK's
/// types did before they kept them.
#[derive(Deserialize)]
#[serde(from = "KycSession")]
struct RowDroppingUndeclared(KycSession);

impl From<KycSession> for RowDroppingUndeclared {
    fn from(mut row: KycSession) -> Self {
        row.extra.clear();
        Self(row)
    }
}

impl Serialize for RowDroppingUndeclared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A page of such rows.
#[derive(Serialize, Deserialize)]
struct PageDroppingUndeclared {
    count: i64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<RowDroppingUndeclared>,
}

#[test]
fn an_example_the_sdk_cannot_reproduce_is_named_with_pointer_and_both_values() {
    let spec = mutated(|json| {
        at(json, &format!("{KYC_PAGE_EXAMPLE}/results/0"))["risk_score"] = json!(0.25);
    });
    fn lossy_page(operation_id: &str, status: u16) -> Option<SdkType> {
        let page = response_type(operation_id, status)?;
        (status == 200).then_some(SdkType {
            rust_name: "PageDroppingUndeclared",
            round_trip: didit_contract::round_trip::<PageDroppingUndeclared>,
            ..page
        })
    }
    assert_reported(
        &example_failures(&spec, lossy_page),
        &[
            "example `published_kyc_sessions_default`",
            "at `/results/0/risk_score`: expected 0.25, got (absent)",
        ],
    );
    // The SDK's own page keeps the property it does not declare.
    assert!(example_failures(&spec, response_type).is_empty());
}

#[test]
fn an_example_that_breaks_its_schema_is_named_with_pointer_and_reason() {
    let spec = mutated(|json| {
        at(
            json,
            &format!("{KYC_PAGE_EXAMPLE}/results/1/session_number"),
        )
        .clone_from(&json!("719"));
    });
    let failures = example_failures(&spec, response_type);
    assert_reported(
        &failures,
        &[
            "published_kyc_sessions_default",
            "at `/results/1/session_number`",
            "\"719\"",
        ],
    );
    assert_reported(&failures, &["decoding failed", "session_number"]);
}

#[test]
fn a_property_added_to_the_spec_without_regenerating_is_named() {
    let spec = mutated(|json| {
        at(json, "/components/schemas/KycSession/properties")["risk_score"] =
            json!({"type": "number", "format": "double"});
    });
    assert_reported(
        &drift(&spec, component_type),
        &[
            "`KycSession.risk_score` is in the spec",
            "KycSession has no such field",
            "cargo xtask generate",
        ],
    );
    // Until it is regenerated, the SDK keeps the new property in `extra`,
    // so payloads carrying it still come back unchanged.
    let failures = property_failures(&spec, "KycSession", SdkType::of::<KycSession>());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_property_renamed_in_the_spec_is_named_on_both_sides() {
    let spec = mutated(|json| {
        let properties = at(json, "/components/schemas/KycSession/properties")
            .as_object_mut()
            .unwrap();
        let schema = properties.remove("full_name").unwrap();
        properties.insert("fullName".to_owned(), schema);
    });
    let problems = drift(&spec, component_type);
    assert_reported(
        &problems,
        &["`KycSession.fullName` is in the spec", "has no such field"],
    );
    assert_reported(
        &problems,
        &[
            "`KycSession.full_name`",
            "has this field but the spec does not",
        ],
    );
}

/// `KycSession` with a field added by hand.
#[derive(Serialize, Deserialize, JsonSchema, Debug)]
#[schemars(rename = "KycSession")]
struct KycSessionWithHandAddedField {
    #[serde(flatten)]
    session: KycSession,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    risk_level: Option<String>,
}

#[test]
fn a_field_added_to_a_type_by_hand_is_named() {
    fn types(component: &str) -> Option<SdkType> {
        match component {
            "KycSession" => Some(SdkType::of::<KycSessionWithHandAddedField>()),
            other => component_type(other),
        }
    }
    let problems = drift(&Spec::load().unwrap(), types);
    assert_reported(
        &problems,
        &[
            "`KycSession.risk_level`",
            "KycSessionWithHandAddedField has this field but the spec does not",
        ],
    );
}

/// `Feature` with its `feature` field renamed by serde.
#[derive(Serialize, Deserialize, JsonSchema, Debug)]
#[schemars(rename = "Feature")]
struct FeatureWithChangedRename {
    #[serde(rename = "name", default, skip_serializing_if = "Option::is_none")]
    feature: Option<FeatureName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<FeatureStatus>,
}

#[test]
fn a_changed_serde_rename_of_a_field_is_named() {
    fn types(component: &str) -> Option<SdkType> {
        match component {
            "Feature" => Some(SdkType::of::<FeatureWithChangedRename>()),
            other => component_type(other),
        }
    }
    let spec = Spec::load().unwrap();
    let problems = drift(&spec, types);
    assert_reported(
        &problems,
        &[
            "`Feature.feature` is in the spec",
            "FeatureWithChangedRename has no such field",
        ],
    );
    assert_reported(
        &problems,
        &["`Feature.name`", "has this field but the spec does not"],
    );
    let failures = property_failures(&spec, "Feature", SdkType::of::<FeatureWithChangedRename>());
    assert_reported(
        &failures,
        &[
            "`Feature`",
            "at `/feature`",
            "got (absent)",
            "minimal failing input",
        ],
    );
    // The real type passes the same property.
    assert!(property_failures(&spec, "Feature", SdkType::of::<Feature>()).is_empty());
}

/// `SessionKindFilter` with one variant's serde rename changed.
#[derive(Serialize, Deserialize, JsonSchema, Debug)]
#[schemars(rename = "SessionKindFilter")]
enum SessionKindFilterWithChangedRename {
    #[serde(rename = "user")]
    User,
    #[serde(rename = "businesses")]
    Business,
    #[serde(rename = "all")]
    All,
}

#[test]
fn a_changed_serde_rename_of_a_variant_is_named() {
    fn types(component: &str) -> Option<SdkType> {
        match component {
            "SessionKindFilter" => Some(SdkType::of::<SessionKindFilterWithChangedRename>()),
            other => component_type(other),
        }
    }
    let problems = drift(&Spec::load().unwrap(), types);
    assert_reported(
        &problems,
        &[
            "`SessionKindFilter`",
            "the spec lists `business`",
            "does not have",
        ],
    );
    assert_reported(
        &problems,
        &[
            "`SessionKindFilter`",
            "has `businesses`, which the spec does not list",
        ],
    );
}

#[test]
fn a_new_enumeration_value_in_the_spec_is_named() {
    let spec = mutated(|json| {
        at(json, "/components/schemas/FeatureName/enum")
            .as_array_mut()
            .unwrap()
            .push(json!("SOME_FUTURE_STEP"));
    });
    assert_reported(
        &drift(&spec, component_type),
        &[
            "`FeatureName`",
            "the spec lists `SOME_FUTURE_STEP`",
            "open enum",
            "does not know",
            "open_enum.rs",
        ],
    );
}

#[test]
fn changed_optionality_and_nullability_are_named() {
    let spec = mutated(|json| {
        at(json, "/components/schemas/KycSession")["required"] = json!(["session_number"]);
        at(json, "/components/schemas/KybSession")["required"] = json!([]);
        at(json, "/components/schemas/KycSession/properties/session_id")["nullable"] = json!(true);
        at(json, "/components/schemas/SessionPage/properties/next")["nullable"] = json!(false);
    });
    let problems = drift(&spec, component_type);
    assert_reported(
        &problems,
        &[
            "`KycSession.session_number` is required by the spec",
            "accepts it absent",
        ],
    );
    assert_reported(
        &problems,
        &[
            "`KybSession.session_kind` is optional in the spec",
            "fails without it",
        ],
    );
    assert_reported(
        &problems,
        &["`KycSession.session_id` is nullable in the spec"],
    );
    assert_reported(
        &problems,
        &[
            "`SessionPage.next` is not nullable in the spec",
            "keeps a null",
        ],
    );
}

#[test]
fn a_changed_type_or_format_is_named() {
    let spec = mutated(|json| {
        *at(
            json,
            "/components/schemas/KycSession/properties/session_number",
        ) = json!({"type": "string"});
        *at(json, "/components/schemas/SessionPage/properties/count") =
            json!({"type": "integer", "format": "uint64"});
        at(
            json,
            "/components/schemas/KybSession/properties/workflow_id",
        )
        .as_object_mut()
        .unwrap()
        .remove("format");
    });
    let problems = drift(&spec, component_type);
    assert_reported(
        &problems,
        &[
            "`KycSession.session_number`",
            "the spec says string",
            "integer (int64)",
        ],
    );
    assert_reported(
        &problems,
        &[
            "`SessionPage.count`",
            "integers in [0, 18446744073709551615]",
            "holds [-9223372036854775808,",
        ],
    );
    assert_reported(
        &problems,
        &[
            "`KybSession.workflow_id`",
            "the spec allows string",
            "only holds string (uuid)",
        ],
    );
}

#[test]
fn a_query_parameter_the_queries_against_the_fake_never_set_is_named() {
    use didit_contract::fake::{generated_parameters, generated_parameters_out_of_step};
    let store = std::sync::Arc::new(didit_mock::Store::synthetic(50, 1));
    let generated = generated_parameters(&store);
    let parameters = "/paths/~1v3~1sessions~1/get/parameters";
    let gained = mutated(|json| {
        at(json, parameters)
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "risk_level", "in": "query", "schema": {"type": "string"}}));
    });
    assert_reported(
        &generated_parameters_out_of_step(&gained, &generated),
        &["never set", "`risk_level`"],
    );
    let lost = mutated(|json| {
        at(json, parameters)
            .as_array_mut()
            .unwrap()
            .retain(|parameter| parameter["name"] != "warning");
    });
    assert_reported(
        &generated_parameters_out_of_step(&lost, &generated),
        &["set `warning`, which the spec does not have"],
    );
}

/// `ContactDetails` with the `Debug` the generated types once derived.
#[derive(Serialize, Deserialize, JsonSchema, Debug)]
struct ContactDetailsWithDerivedDebug {
    email: Option<String>,
    send_notification_emails: Option<bool>,
    email_lang: Option<String>,
    phone: Option<String>,
}

#[test]
fn a_debug_that_shows_a_value_is_named_with_the_pointer_of_the_value() {
    let spec = Spec::load().unwrap();
    let target = |sdk_type| Target {
        label: "ContactDetails".to_owned(),
        schema_pointer: "/components/schemas/ContactDetails".to_owned(),
        sdk_type,
        in_responses: false,
    };
    let failures = debug_output_failures(
        &spec,
        Options::DOCUMENTED,
        &[target(SdkType::of::<ContactDetailsWithDerivedDebug>())],
        None,
    );
    assert_reported(
        &failures,
        &[
            "`Debug` of `ContactDetails`",
            "ContactDetailsWithDerivedDebug",
            "its `Debug` output shows the string at `/",
        ],
    );
    // The SDK's own type shows none.
    let own = target(component_type("ContactDetails").unwrap());
    assert!(debug_output_failures(&spec, Options::DOCUMENTED, &[own], None).is_empty());
}
