//! `PATCH /v3/session/{id}/update-status/` and its published rules.

use crate::common;

use common::{call, conforms, create, decision, get};
use didit_api::SessionStatus;
use didit_mock::DiditMock;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn update(mock: &DiditMock, id: Uuid, body: Value) -> common::Answer {
    let path = format!("/v3/session/{id}/update-status/");
    let answer = call(mock, Method::PATCH, &path, Some(&body)).await;
    conforms("update_session_status", &answer);
    answer
}

/// A created session of the "Standard KYC" workflow, moved to `status`.
async fn session_at(mock: &DiditMock, status: SessionStatus) -> Uuid {
    let (id, _) = create(
        mock,
        json!({ "workflow_id": "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01" }),
    )
    .await;
    mock.finish_session(id, status).unwrap();
    id
}

fn feature_statuses(decision: &Value) -> Vec<String> {
    [
        "id_verifications",
        "liveness_checks",
        "face_matches",
        "ip_analyses",
    ]
    .iter()
    .map(|array| decision[array][0]["status"].as_str().unwrap().to_owned())
    .collect()
}

#[tokio::test]
async fn a_reviewer_approves_a_declined_session() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, SessionStatus::Declined).await;
    let answer = update(
        &mock,
        id,
        json!({"new_status": "Approved", "comment": "Checked by hand"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, json!({ "session_id": id }));

    let decided = decision(&mock, id, false).await.body;
    assert_eq!(decided["status"], "Approved");
    let reviews = decided["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["new_status"], "Approved");
    assert_eq!(reviews[0]["comment"], "Checked by hand");
    assert_eq!(get(&mock, "").await.results()[0]["status"], "Approved");

    // And back again: every change is kept, oldest first.
    assert_eq!(
        update(&mock, id, json!({"new_status": "Declined"}))
            .await
            .status,
        200
    );
    let decided = decision(&mock, id, false).await.body;
    assert_eq!(decided["status"], "Declined");
    assert_eq!(decided["reviews"][1]["new_status"], "Declined");
}

#[tokio::test]
async fn the_same_status_is_refused_with_a_bare_list() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, SessionStatus::Approved).await;
    let answer = update(&mock, id, json!({"new_status": "Approved"})).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        json!(["The new status is the same as the current status."])
    );
}

#[tokio::test]
async fn unfinished_sessions_cannot_be_updated() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, SessionStatus::InProgress).await;
    let answer = update(&mock, id, json!({"new_status": "Approved"})).await;
    assert_eq!(answer.status, 400);
    let message = answer.body["detail"].as_str().unwrap();
    assert!(
        message.starts_with("Only sessions with status Approved, Declined, In Review"),
        "{message}"
    );
    assert!(
        message.ends_with("Current status: In Progress"),
        "{message}"
    );
    assert_eq!(
        decision(&mock, id, false).await.body["status"],
        "In Progress"
    );
}

#[tokio::test]
async fn bad_requests_are_refused_by_field() {
    let mock = DiditMock::builder().start().await;
    let id = session_at(&mock, SessionStatus::InReview).await;
    let cases = [
        (json!({}), "new_status", "This field is required."),
        (
            json!({"new_status": "Bogus"}),
            "new_status",
            "\"Bogus\" is not a valid choice.",
        ),
        (
            json!({"new_status": "In Review"}),
            "new_status",
            "You can only update the status to 'Approved', 'Declined', or 'Resubmitted'.",
        ),
        (
            json!({"new_status": "Approved", "send_email": true}),
            "email_address",
            "Email address is required when send_email is true.",
        ),
    ];
    for (body, field, message) in cases {
        let answer = update(&mock, id, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.body, json!({ field: [message] }), "{body}");
    }
    let answer = update(
        &mock,
        id,
        json!({
            "new_status": "Resubmitted",
            "nodes_to_resubmit": [
                {"node_id": "feature_liveness", "feature": "LIVENESS"},
                {"node_id": "feature_ocr", "feature": "BOGUS"}
            ]
        }),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["nodes_to_resubmit"][0], json!({}));
    let message = answer.body["nodes_to_resubmit"][1]["feature"][0]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("\"BOGUS\" is not a valid choice. Valid choices are: OCR, OCR_BACK"),
        "{message}"
    );
    // None of this changed the session.
    assert_eq!(decision(&mock, id, false).await.body["status"], "In Review");
    assert_eq!(
        update(&mock, Uuid::nil(), json!({"new_status": "Approved"}))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn resubmission_sends_back_the_named_or_the_failed_steps() {
    let mock = DiditMock::builder().start().await;
    // Named steps.
    let id = session_at(&mock, SessionStatus::Approved).await;
    let answer = update(
        &mock,
        id,
        json!({
            "new_status": "Resubmitted",
            "nodes_to_resubmit": [{"node_id": "feature_liveness", "feature": "LIVENESS"}],
            "send_email": true,
            "email_address": "user@example.com",
            "email_language": "en"
        }),
    )
    .await;
    assert_eq!(answer.status, 200);
    let decided = decision(&mock, id, false).await.body;
    assert_eq!(decided["status"], "Resubmitted");
    assert_eq!(
        feature_statuses(&decided),
        ["Approved", "Resub Requested", "Approved", "Approved"]
    );

    // Left out: the steps that did not pass.
    let id = session_at(&mock, SessionStatus::Declined).await;
    assert_eq!(
        update(&mock, id, json!({"new_status": "Resubmitted"}))
            .await
            .status,
        200
    );
    let decided = decision(&mock, id, false).await.body;
    assert_eq!(
        feature_statuses(&decided),
        ["Resub Requested", "Approved", "Approved", "Approved"]
    );

    // Nothing failed: nothing to send back.
    let id = session_at(&mock, SessionStatus::Approved).await;
    let answer = update(&mock, id, json!({"new_status": "Resubmitted"})).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        json!({"nodes_to_resubmit": "No features found that need resubmission. All features are already approved."})
    );
}
