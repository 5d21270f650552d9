//! `DELETE /v3/session/{id}/delete/` and `POST /v3/sessions/delete/`:
//! deleted sessions are gone from every operation.

use crate::common;

use common::{call, conforms, decision, get};
use didit_mock::DiditMock;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn delete(mock: &DiditMock, id: Uuid) -> common::Answer {
    let answer = call(
        mock,
        Method::DELETE,
        &format!("/v3/session/{id}/delete/"),
        None,
    )
    .await;
    conforms("delete_session", &answer);
    answer
}

async fn delete_many(mock: &DiditMock, body: Value) -> common::Answer {
    let answer = call(mock, Method::POST, "/v3/sessions/delete/", Some(&body)).await;
    conforms("delete_sessions", &answer);
    answer
}

#[tokio::test]
async fn a_deleted_session_is_gone_everywhere() {
    let mock = DiditMock::builder().synthetic(30, 2).start().await;
    let kyc = mock.store().kyc().len() as u64;
    let id = mock.store().kyc()[3].row.session_id.unwrap();
    assert_eq!(delete(&mock, id).await.status, 204);

    let page = get(&mock, "limit=100").await;
    assert_eq!(page.body["count"], kyc - 1);
    assert!(
        page.results()
            .iter()
            .all(|row| row["session_id"] != id.to_string())
    );
    assert_eq!(decision(&mock, id, false).await.status, 404);
    let pdf = call(
        &mock,
        Method::GET,
        &format!("/v3/session/{id}/generate-pdf/"),
        None,
    )
    .await;
    assert_eq!(pdf.status, 404);
    let update = call(
        &mock,
        Method::PATCH,
        &format!("/v3/session/{id}/update-status/"),
        Some(&json!({"new_status": "Approved"})),
    )
    .await;
    assert_eq!(update.status, 404);
    // A second delete, like one of an unknown id, is a 404.
    let again = delete(&mock, id).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.body, json!({"detail": "Not found."}));
    assert_eq!(delete(&mock, Uuid::nil()).await.status, 404);
    // Business sessions are deleted the same way.
    let kyb = mock.store().kyb()[0].row.session_id.unwrap();
    assert_eq!(delete(&mock, kyb).await.status, 204);
    assert_eq!(mock.current_store().len(), 28);
}

#[tokio::test]
async fn bulk_delete_removes_the_numbered_sessions_only() {
    let mock = DiditMock::builder().synthetic(30, 4).start().await;
    let store = mock.store();
    let gone: Vec<i64> = [0, 5, 9]
        .iter()
        .map(|&i| store.kyc()[i].row.session_number.unwrap())
        .chain([store.kyb()[0].row.session_number.unwrap()])
        .collect();
    let numbers: Vec<String> = gone
        .iter()
        .map(i64::to_string)
        .chain(["999999".to_owned()])
        .collect();
    let answer = delete_many(&mock, json!({ "session_numbers": numbers })).await;
    assert_eq!(answer.status, 204);
    // Numbers are counted per kind, so a number deletes the session of
    // each kind that has it.
    let expected = store
        .rows()
        .iter()
        .filter(|row| !gone.contains(&row.session_number().unwrap()))
        .count();
    assert!(expected <= 26);
    let left = mock.current_store();
    assert_eq!(left.len(), expected);
    assert!(
        left.rows()
            .iter()
            .all(|row| !gone.contains(&row.session_number().unwrap()))
    );
    let page = get(&mock, "limit=100").await;
    assert_eq!(page.body["count"], left.kyc().len() as u64);
}

#[tokio::test]
async fn bulk_delete_refuses_a_bad_selection() {
    let mock = DiditMock::builder().synthetic(10, 4).start().await;
    let cases = [
        (
            json!({}),
            "This field is required unless delete_all is true.",
        ),
        (
            json!({"delete_all": false}),
            "This field is required unless delete_all is true.",
        ),
        (
            json!({"session_numbers": []}),
            "This list may not be empty.",
        ),
        (
            json!({"session_numbers": ["12a"]}),
            "All session_numbers must be numeric.",
        ),
        (
            json!({"session_numbers": ["1", 2]}),
            "All session_numbers must be numeric.",
        ),
        (
            json!({"session_numbers": ["-1"]}),
            "All session_numbers must be numeric.",
        ),
        (
            json!({"session_numbers": [""]}),
            "All session_numbers must be numeric.",
        ),
    ];
    for (body, message) in cases {
        let answer = delete_many(&mock, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.body, json!({"session_numbers": [message]}), "{body}");
    }
    assert_eq!(mock.current_store().len(), 10);
}

#[tokio::test]
async fn delete_all_empties_the_mock() {
    let mock = DiditMock::builder().synthetic(25, 4).start().await;
    assert_eq!(
        delete_many(&mock, json!({"delete_all": true})).await.status,
        204
    );
    assert!(mock.current_store().is_empty());
    for kind in ["user", "business"] {
        let page = get(&mock, &format!("session_kind={kind}")).await;
        assert_eq!(page.body["count"], 0);
        assert!(page.results().is_empty());
    }
    // Numbers keep counting after a wipe.
    let (_, created) = common::create(&mock, json!({"workflow_id": common::SOME_WORKFLOW})).await;
    let highest = mock
        .store()
        .rows()
        .iter()
        .filter_map(|r| r.session_number())
        .max()
        .unwrap();
    assert_eq!(created["session_number"], highest + 1);
}
