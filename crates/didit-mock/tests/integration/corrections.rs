//! Corrections after a review: document and proof-of-address data, KYB
//! company data, a step's status and AML hit verdicts, each shown by the
//! decision afterwards.

use crate::common;

use common::{call, conforms, create, decision};
use didit_api::SessionStatus;
use didit_mock::DiditMock;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// The workflow that runs every KYC step, proof of address and AML included.
const FULL_ONBOARDING: &str = "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03";
/// A KYB workflow.
const STANDARD_KYB: &str = "9f9b1234-aaaa-4bbb-8ccc-1234567890ab";

async fn patch(mock: &DiditMock, operation: &str, path: &str, body: Value) -> common::Answer {
    let answer = call(mock, Method::PATCH, path, Some(&body)).await;
    conforms(operation, &answer);
    answer
}

/// A created session of `workflow`, moved to `status`.
async fn session_at(mock: &DiditMock, workflow: &str, status: SessionStatus) -> Uuid {
    let (id, _) = create(mock, json!({ "workflow_id": workflow })).await;
    mock.finish_session(id, status).unwrap();
    id
}

#[tokio::test]
async fn a_corrected_document_shows_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::Declined).await;
    let path = format!("/v3/session/{id}/update-data/");
    let answer = patch(
        &mock,
        "update_document_data",
        &path,
        json!({
            "first_name": "Carmen",
            "last_name": "Espanola",
            "marital_status": "MARRIED",
            "extra_fields": {"blood_group": "O+"},
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["first_name"], "Carmen");
    assert_eq!(answer.body["extra_fields"], json!({"blood_group": "O+"}));

    let shown = decision(&mock, id, false).await.body;
    let check = &shown["id_verifications"][0];
    assert_eq!(check["first_name"], "Carmen");
    assert_eq!(check["full_name"], "Carmen Espanola");
    assert_eq!(check["marital_status"], "MARRIED");

    // An extra field set to null is removed; the rest stays.
    let answer = patch(
        &mock,
        "update_document_data",
        &format!("{path}?node_id=feature_id_verification"),
        json!({"extra_fields": {"blood_group": null}}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["extra_fields"], json!({}));
    assert_eq!(answer.body["first_name"], "Carmen");

    let refused = patch(&mock, "update_document_data", &path, json!({"gender": "X"})).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body,
        json!({"gender": ["\"X\" is not a valid choice."]})
    );
    let no_node = patch(
        &mock,
        "update_document_data",
        &format!("{path}?node_id=feature_missing"),
        json!({"first_name": "Ana"}),
    )
    .await;
    assert_eq!(no_node.status, 404);
    assert_eq!(
        no_node.body["detail"],
        "The session does not have a KYC for node 'feature_missing'."
    );
    let decided = decision(&mock, id, false).await.body;
    assert_eq!(decided["id_verifications"][0]["first_name"], "Carmen");
}

#[tokio::test]
async fn only_finished_sessions_with_a_record_are_corrected() {
    let mock = DiditMock::builder().start().await;
    let (started, _) = create(&mock, json!({ "workflow_id": FULL_ONBOARDING })).await;
    let answer = patch(
        &mock,
        "update_document_data",
        &format!("/v3/session/{started}/update-data/"),
        json!({"first_name": "Ana"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["detail"], "No Session matches the given query.");

    let without_poa = session_at(
        &mock,
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01",
        SessionStatus::Approved,
    )
    .await;
    let answer = patch(
        &mock,
        "update_poa_data",
        &format!("/v3/session/{without_poa}/update-poa-data/"),
        json!({"issuer": "Bank"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["detail"], "The session does not have a POA.");

    let unknown = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
    let answer = patch(
        &mock,
        "update_document_data",
        &format!("/v3/session/{unknown}/update-data/"),
        json!({}),
    )
    .await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_corrected_proof_of_address_shows_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::Approved).await;
    let answer = patch(
        &mock,
        "update_poa_data",
        &format!("/v3/session/{id}/update-poa-data/"),
        json!({
            "issuer": "Banco Example S.A.",
            "document_type": "BANK_STATEMENT",
            "poa_parsed_address": {"street_1": "Avda de Madrid 34", "city": "Madrid", "country": "ES"},
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(
        answer.body["poa_formatted_address"],
        "Avda de Madrid 34, Madrid, ES"
    );
    let shown = decision(&mock, id, false).await.body;
    let check = &shown["poa_verifications"][0];
    assert_eq!(check["issuer"], "Banco Example S.A.");
    assert_eq!(check["document_type"], "BANK_STATEMENT");
    assert_eq!(check["poa_parsed_address"]["city"], "Madrid");

    let refused = patch(
        &mock,
        "update_poa_data",
        &format!("/v3/session/{id}/update-poa-data/"),
        json!({"issue_date": "2 May"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["issue_date"].is_array());
}

#[tokio::test]
async fn cleared_values_show_as_null_and_dropped_corrections_show_what_was_read() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::Approved).await;
    let poa = format!("/v3/session/{id}/update-poa-data/");
    let answer = patch(
        &mock,
        "update_poa_data",
        &poa,
        json!({
            "poa_address": "Avda de Madrid 34",
            "issuing_state": "esp",
            "extra_fields": {"bank_iban": "ES00 0000", "additional_names": ["Ana"]},
            "poa_parsed_address": {"city": "Madrid", "region": "Madrid"},
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["issuing_state"], "ESP", "stored in capitals");
    assert_eq!(answer.body["poa_formatted_address"], "Madrid, Madrid");

    // Null clears a value; null for a merged object drops its corrections;
    // an address with no parts left has no formatted line.
    let answer = patch(
        &mock,
        "update_poa_data",
        &poa,
        json!({
            "poa_address": null,
            "extra_fields": null,
            "poa_parsed_address": {"city": null, "region": null},
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let shown = decision(&mock, id, false).await.body;
    let check = &shown["poa_verifications"][0];
    assert_eq!(check["poa_address"], Value::Null);
    assert_eq!(check["issuing_state"], "ESP");
    assert!(
        check["extra_fields"].get("bank_iban").is_none(),
        "{:#}",
        check["extra_fields"]
    );
    assert_eq!(check["poa_formatted_address"], Value::Null);

    let document = format!("/v3/session/{id}/update-data/");
    let answer = patch(
        &mock,
        "update_document_data",
        &document,
        json!({"first_name": null, "last_name": null, "document_type": "Tax Card"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(
        answer.body["document_type"], "TC",
        "a long name is stored as its code"
    );
    let shown = decision(&mock, id, false).await.body;
    let check = &shown["id_verifications"][0];
    assert_eq!(check["first_name"], Value::Null);
    assert_eq!(check["full_name"], Value::Null);
}

#[tokio::test]
async fn values_a_record_could_not_show_are_refused_by_key() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::Declined).await;
    let refused = patch(
        &mock,
        "update_poa_data",
        &format!("/v3/session/{id}/update-poa-data/"),
        json!({
            "document_type": null,
            "extra_fields": {"bank_iban": 5, "additional_names": "Ana", "custom": 5},
            "poa_parsed_address": {"town": "Madrid"},
        }),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body["document_type"],
        json!(["This field may not be null."])
    );
    assert_eq!(
        refused.body["extra_fields"],
        json!({
            "bank_iban": ["Not a valid string."],
            "additional_names": ["Must be a list of strings or null."],
        })
    );
    assert!(refused.body["poa_parsed_address"]["town"].is_array());
    let refused = patch(
        &mock,
        "update_document_data",
        &format!("/v3/session/{id}/update-data/"),
        json!({"marital_status": null, "extra_fields": {"dl_categories": "B"}}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body["extra_fields"]["dl_categories"],
        json!(["Must be a list of strings or null."])
    );
    assert!(refused.body["marital_status"].is_array());
}

#[tokio::test]
async fn a_corrected_company_shows_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, STANDARD_KYB, SessionStatus::InReview).await;
    let before = decision(&mock, id, false).await.body;
    let company: Uuid = before["registry_checks"][0]["company"]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let path = format!("/v3/session/{id}/kyb/{company}/update-data/");
    let answer = patch(
        &mock,
        "update_company_data",
        &path,
        json!({
            "company_name": "Docs Probe Corp",
            "legal_address": "1 Example Plaza",
            "vat_number": "DE123",
            "registry_status": "dissolved",
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["uuid"], json!(company));
    assert_eq!(answer.body["registered_address"], "1 Example Plaza");
    // The VAT number goes to the registry's snapshot only.
    assert_eq!(answer.body["registry_data"]["vat_number"], "DE123");
    assert!(answer.body.get("vat_number").is_none());
    assert!(answer.body["last_console_edit_at"].is_string());

    let shown = decision(&mock, id, false).await.body;
    let company_shown = &shown["registry_checks"][0]["company"];
    assert_eq!(company_shown["company_name"], "Docs Probe Corp");
    assert_eq!(company_shown["registry_status"], "dissolved");

    let refused = patch(
        &mock,
        "update_company_data",
        &path,
        json!({"country_code": "ESP"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body["country_code"][0],
        "Ensure this field has no more than 2 characters."
    );

    // Another session's company, and a company nobody has.
    let other = session_at(&mock, STANDARD_KYB, SessionStatus::Approved).await;
    let answer = patch(
        &mock,
        "update_company_data",
        &format!("/v3/session/{other}/kyb/{company}/update-data/"),
        json!({"company_name": "X"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.body["detail"],
        "KYB company does not belong to the given session."
    );
    let answer = patch(
        &mock,
        "update_company_data",
        &format!(
            "/v3/session/{id}/kyb/{}/update-data/",
            Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef)
        ),
        json!({"company_name": "X"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.body["detail"],
        "No KYBCompany matches the given query."
    );
}

/// The status of the check at `node` in a decision.
fn step_status(decision: &Value, node: &str) -> String {
    decision
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .find(|check| check["node_id"] == node)
        .and_then(|check| check["status"].as_str())
        .unwrap_or_else(|| panic!("no check at {node}"))
        .to_owned()
}

#[tokio::test]
async fn a_step_status_shows_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    for (workflow, node) in [
        (FULL_ONBOARDING, "feature_aml"),
        (STANDARD_KYB, "feature_kyb_registry"),
    ] {
        let id = session_at(&mock, workflow, SessionStatus::Declined).await;
        let before = step_status(&decision(&mock, id, false).await.body, node);
        let new_status = if before == "Approved" {
            "Declined"
        } else {
            "Approved"
        };
        let path = format!("/v3/session/{id}/features/{node}/update-status/");
        let answer = patch(
            &mock,
            "update_feature_status",
            &path,
            json!({"new_status": new_status, "comment": "checked"}),
        )
        .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["node_id"], node);
        assert_eq!(answer.body["new_status"], new_status);
        let shown = decision(&mock, id, false).await.body;
        assert_eq!(step_status(&shown, node), new_status);
        // The session's own status is left as it was.
        assert_eq!(shown["status"], "Declined");

        let again = patch(
            &mock,
            "update_feature_status",
            &path,
            json!({"new_status": new_status}),
        )
        .await;
        assert_eq!(again.status, 400);
        assert_eq!(
            again.body["new_status"],
            "The new status is the same as the current status."
        );
    }
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::Approved).await;
    let answer = patch(
        &mock,
        "update_feature_status",
        &format!("/v3/session/{id}/features/feature_ocr_9/update-status/"),
        json!({"new_status": "Approved"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    let answer = patch(
        &mock,
        "update_feature_status",
        &format!("/v3/session/{id}/features/feature_aml/update-status/"),
        json!({"new_status": "Resubmitted"}),
    )
    .await;
    assert_eq!(answer.status, 400);
}

/// The hits of the decision's AML check: `(id, review status)`.
fn hits(decision: &Value) -> Vec<(String, String)> {
    decision["aml_screenings"][0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            (
                hit["id"].as_str().unwrap().to_owned(),
                hit["review_status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn aml_hit_verdicts_show_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, FULL_ONBOARDING, SessionStatus::InReview).await;
    let before = hits(&decision(&mock, id, false).await.body);
    assert_eq!(before.len(), 2);
    assert!(before.iter().all(|(_, verdict)| verdict == "Unreviewed"));
    let (first, second) = (before[0].0.clone(), before[1].0.clone());

    let answer = patch(
        &mock,
        "update_aml_hit_status",
        &format!("/v3/session/{id}/update-aml-hit-status/"),
        json!({"hit_id": first, "review_status": "False Positive"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["hit_id"], first.as_str());
    let after = hits(&decision(&mock, id, false).await.body);
    assert_eq!(after[0].1, "False Positive");
    assert_eq!(after[1].1, "Unreviewed");

    // All or nothing: one unknown hit, and no hit changes.
    let bulk = format!("/v3/session/{id}/bulk-update-aml-hit-status/");
    let answer = patch(
        &mock,
        "update_aml_hit_statuses",
        &bulk,
        json!({"hit_updates": [
            {"hit_id": second, "review_status": "Confirmed Match"},
            {"hit_id": "zzz999", "review_status": "Inconclusive"},
        ]}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["detail"], "Hits not found: zzz999");
    assert_eq!(hits(&decision(&mock, id, false).await.body), after);

    let answer = patch(
        &mock,
        "update_aml_hit_statuses",
        &bulk,
        json!({"hit_updates": [
            {"hit_id": first, "review_status": "Inconclusive"},
            {"hit_id": second, "review_status": "Confirmed Match"},
        ]}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["updated_hits"], json!([first, second]));
    let reviewed = hits(&decision(&mock, id, false).await.body);
    assert_eq!(reviewed[0].1, "Inconclusive");
    assert_eq!(reviewed[1].1, "Confirmed Match");

    let empty = patch(
        &mock,
        "update_aml_hit_statuses",
        &bulk,
        json!({"hit_updates": []}),
    )
    .await;
    assert_eq!(empty.status, 400);
    let unknown = patch(
        &mock,
        "update_aml_hit_status",
        &format!("/v3/session/{id}/update-aml-hit-status/"),
        json!({"hit_id": "abc123", "review_status": "False Positive"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.body["detail"],
        "Hit with ID 'abc123' not found in the AML check."
    );
    let maybe = patch(
        &mock,
        "update_aml_hit_status",
        &format!("/v3/session/{id}/update-aml-hit-status/"),
        json!({"hit_id": first, "review_status": "Maybe"}),
    )
    .await;
    assert_eq!(maybe.status, 400);

    // A workflow without AML has no check to review.
    let plain = session_at(
        &mock,
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01",
        SessionStatus::Declined,
    )
    .await;
    let answer = patch(
        &mock,
        "update_aml_hit_status",
        &format!("/v3/session/{plain}/update-aml-hit-status/"),
        json!({"hit_id": "abc123", "review_status": "False Positive"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.body["detail"],
        "The session does not have an AML check."
    );
}
