//! Moving sessions on: `DiditMock::finish_session` and the control endpoint.

use crate::common;

use common::{SOME_WORKFLOW, call_with, create, decision, get};
use didit_api::SessionStatus;
use didit_mock::{CONTROL_SESSIONS_PATH, DiditMock, SessionNotFound};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn the_control_endpoint_finishes_a_session_without_a_key() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    let path = format!("{CONTROL_SESSIONS_PATH}{id}/finish");
    let answer = call_with(
        &mock,
        Method::POST,
        &path,
        Some(&json!({"status": "Declined"})),
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body, json!({"session_id": id, "status": "Declined"}));

    let page = get(&mock, "").await;
    let row = &page.results()[0];
    assert_eq!(row["status"], "Declined");
    let statuses: Vec<&str> = row["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "Declined").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(decision(&mock, id, false).await.body["status"], "Declined");

    // Control requests are not API requests: not counted in the statistics.
    assert_eq!(mock.statuses().values().sum::<u64>(), 3);
}

#[tokio::test]
async fn the_control_endpoint_refuses_what_it_cannot_do() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let id = mock.store().kyc()[0].row.session_id.unwrap();
    let finish = |id: Uuid| format!("{CONTROL_SESSIONS_PATH}{id}/finish");
    let unknown = call_with(
        &mock,
        Method::POST,
        &finish(Uuid::nil()),
        Some(&json!({"status": "Approved"})),
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
    for body in [json!({"status": "Done"}), json!({}), json!({"status": 3})] {
        let answer = call_with(&mock, Method::POST, &finish(id), Some(&body), None).await;
        assert_eq!(answer.status, 400, "{body}");
        assert!(
            answer.body["status"][0]
                .as_str()
                .unwrap()
                .contains("Approved")
        );
    }
    let answer = call_with(&mock, Method::GET, &finish(id), None, None).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
    let answer = call_with(
        &mock,
        Method::POST,
        &format!("{CONTROL_SESSIONS_PATH}{id}/nope"),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    // Nothing changed.
    assert_eq!(mock.current_store().kyc()[0], mock.store().kyc()[0]);
}

#[tokio::test]
async fn the_library_call_moves_every_kind_of_session() {
    let mock = DiditMock::builder().synthetic(40, 9).start().await;
    let kyb = mock.store().kyb()[0].row.session_id.unwrap();
    mock.finish_session(kyb, SessionStatus::InReview).unwrap();
    let reply = get(&mock, "session_kind=business").await;
    let row = reply
        .results()
        .iter()
        .find(|row| row["session_id"] == kyb.to_string())
        .unwrap();
    assert_eq!(row["status"], "In Review");
    let decided = decision(&mock, kyb, false).await.body;
    assert_eq!(decided["status"], "In Review");
    assert_eq!(decided["registry_checks"][0]["status"], "In Review");

    let (kyc, _) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    mock.finish_session(kyc, SessionStatus::InProgress).unwrap();
    let decided = decision(&mock, kyc, false).await.body;
    assert_eq!(decided["status"], "In Progress");
    assert_eq!(
        mock.finish_session(Uuid::nil(), SessionStatus::Approved),
        Err(SessionNotFound {
            session_id: Uuid::nil()
        })
    );
}
