//! `GET /v3/session/{id}/decision/`: consistent with the row, valid against
//! the spec, in both forms.

use crate::common;

use common::{create, decision};
use didit_api::SessionStatus;
use didit_mock::{DiditMock, MockSession};
use serde_json::{Value, json};
use uuid::Uuid;

/// Every check of every array of checks, with the array's name.
fn checks(decision: &Value) -> Vec<(String, Value)> {
    decision
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| *name != "features" && *name != "reviews")
        .filter_map(|(name, value)| value.as_array().map(|checks| (name, checks)))
        .flat_map(|(name, checks)| checks.iter().map(move |c| (name.clone(), c.clone())))
        .collect()
}

#[tokio::test]
async fn a_finished_session_decides_as_its_row_says() {
    let mock = DiditMock::builder().start().await;
    let (id, created) = create(
        &mock,
        json!({
            "workflow_id": "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03",
            "vendor_data": "user-7",
            "metadata": {"plan": "pro"},
            "callback": "https://example.com/back",
            "contact_details": {"email": "a@example.com"},
            "expected_details": {"first_name": "Ana"},
        }),
    )
    .await;
    let before = decision(&mock, id, false).await;
    assert_eq!(before.status, 200);
    let body = &before.body;
    assert_eq!(body["session_id"], id.to_string());
    assert_eq!(body["session_kind"], "user");
    assert_eq!(body["status"], "Not Started");
    assert_eq!(body["session_number"], created["session_number"]);
    assert_eq!(body["session_url"], created["url"]);
    assert_eq!(body["vendor_data"], "user-7");
    assert_eq!(body["metadata"], json!({"plan": "pro"}));
    assert_eq!(body["callback"], "https://example.com/back");
    assert_eq!(body["contact_details"]["email"], "a@example.com");
    assert_eq!(body["expected_details"]["first_name"], "Ana");
    assert_eq!(body["reviews"], json!([]));
    // The workflow's features, each with a check that has not finished.
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 11);
    assert_eq!(features[0], "ID_VERIFICATION");
    let unfinished = checks(body);
    assert_eq!(unfinished.len(), 11, "{unfinished:?}");
    assert!(
        unfinished
            .iter()
            .all(|(_, c)| c["status"] == "Not Finished")
    );
    assert!(body["registry_checks"].is_null());
    assert!(body["document_ai_documents"].is_null());

    mock.finish_session(id, SessionStatus::Approved).unwrap();
    let after = decision(&mock, id, false).await.body;
    assert_eq!(after["status"], "Approved");
    let done = checks(&after);
    assert_eq!(done.len(), unfinished.len());
    assert!(
        done.iter().all(|(_, c)| c["status"] == "Approved"),
        "{done:?}"
    );
    let store = mock.current_store();
    let row = &store.kyc()[0].row;
    assert!(
        row.features
            .iter()
            .flatten()
            .all(|f| f.status.as_ref().map(|s| s.as_str()) == Some("Approved"))
    );
    // The decision decodes as the SDK's type.
    let typed: didit_api::types::SessionDecision =
        serde_json::from_value(after.clone()).expect("the decision decodes");
    assert_eq!(typed.session_id(), id);
}

#[tokio::test]
async fn include_events_names_each_features_node() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = create(
        &mock,
        json!({ "workflow_id": "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a05" }),
    )
    .await;
    let body = decision(&mock, id, true).await.body;
    assert!(body.get("session_kind").is_none());
    assert_eq!(
        body["features"],
        json!([
            {"feature": "PHONE", "node_id": "feature_phone"},
            {"feature": "EMAIL", "node_id": "feature_email_verification"},
            {"feature": "IP_ANALYSIS", "node_id": "feature_ip_analysis"},
        ])
    );
    let plain = decision(&mock, id, false).await.body;
    assert_eq!(
        plain["features"],
        json!(["PHONE", "EMAIL_VERIFICATION", "IP_ANALYSIS"])
    );
    assert_eq!(plain["phone_verifications"][0]["node_id"], "feature_phone");
    // Each node is the one of its check.
    assert_eq!(
        plain["email_verifications"][0]["node_id"],
        body["features"][1]["node_id"]
    );
}

#[tokio::test]
async fn every_synthetic_session_has_a_valid_decision_that_agrees_with_its_row() {
    let mock = DiditMock::builder().synthetic(120, 17).start().await;
    let sessions: Vec<MockSession> = mock
        .store()
        .kyc()
        .iter()
        .cloned()
        .map(MockSession::from)
        .chain(mock.store().kyb().iter().cloned().map(MockSession::from))
        .collect();
    assert!(sessions.iter().any(|s| matches!(s, MockSession::Kyb(_))));
    for session in sessions {
        let id = session.session_id().unwrap();
        for events in [false, true] {
            let answer = decision(&mock, id, events).await;
            assert_eq!(answer.status, 200);
            let body = &answer.body;
            assert_eq!(
                body["status"].as_str(),
                session.status().map(|s| s.as_str()),
                "{id}"
            );
            match &session {
                MockSession::Kyc(record) => {
                    let row_features: Vec<(String, String)> = record
                        .row
                        .features
                        .iter()
                        .flatten()
                        .map(|f| {
                            (
                                f.feature.as_ref().unwrap().as_str().to_owned(),
                                f.status.as_ref().unwrap().as_str().to_owned(),
                            )
                        })
                        .collect();
                    if !events {
                        let names: Vec<&str> =
                            row_features.iter().map(|(name, _)| name.as_str()).collect();
                        assert_eq!(body["features"], json!(names));
                    }
                    // Each check has its feature's status.
                    let found = checks(body);
                    assert_eq!(found.len(), row_features.len(), "{id}");
                    for (_, check) in found {
                        let node = check["node_id"].as_str().unwrap();
                        let feature = row_features
                            .iter()
                            .find(|(name, _)| format!("feature_{}", name.to_lowercase()) == node)
                            .unwrap_or_else(|| panic!("{node} is not a feature of {id}"));
                        assert_eq!(check["status"], feature.1.as_str());
                    }
                    assert!(body["registry_checks"].is_null());
                }
                MockSession::Kyb(_) => {
                    assert_eq!(body["session_kind"], "business");
                    assert!(body["id_verifications"].is_null());
                    for array in [
                        "registry_checks",
                        "key_people_checks",
                        "document_verifications",
                    ] {
                        assert_eq!(body[array].as_array().map(Vec::len), Some(1), "{array}");
                    }
                    if body["status"] == "Approved" {
                        assert!(checks(body).iter().all(|(_, c)| c["status"] == "Approved"));
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn unknown_sessions_have_no_decision() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let answer = decision(&mock, Uuid::nil(), false).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, json!({"detail": "Not found."}));
}
