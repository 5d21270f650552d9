//! `GET` and `POST /v3/sessions/{session_id}/reviews/`: the review log.

use crate::common;

use common::{call, conforms, create, decision, get_url};
use didit_api::SessionStatus;
use didit_mock::{DEFAULT_API_KEY, DiditMock};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn list(mock: &DiditMock, id: Uuid, query: &str) -> common::Answer {
    let path = format!("/v3/sessions/{id}/reviews/{query}");
    let answer = call(mock, Method::GET, &path, None).await;
    conforms("list_session_reviews", &answer);
    answer
}

async fn add(mock: &DiditMock, id: Uuid, body: Option<&Value>) -> common::Answer {
    let path = format!("/v3/sessions/{id}/reviews/");
    let answer = call(mock, Method::POST, &path, body).await;
    conforms("create_session_review", &answer);
    answer
}

/// A created KYC session, finished In Review.
async fn in_review(mock: &DiditMock) -> Uuid {
    let (id, _) = create(
        mock,
        json!({ "workflow_id": "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01" }),
    )
    .await;
    mock.finish_session(id, SessionStatus::InReview).unwrap();
    id
}

fn comments(page: &common::Answer) -> Vec<Value> {
    page.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["comment"].clone())
        .collect()
}

#[tokio::test]
async fn status_changes_and_notes_are_logged_newest_first() {
    let mock = DiditMock::builder().start().await;
    let id = in_review(&mock).await;
    let empty = list(&mock, id, "").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body["count"], 0);

    let path = format!("/v3/session/{id}/update-status/");
    let body = json!({"new_status": "Approved", "comment": "documents match"});
    assert_eq!(
        call(&mock, Method::PATCH, &path, Some(&body)).await.status,
        200
    );
    let note = json!({"new_status": "Declined", "comment": "second look"});
    let added = add(&mock, id, Some(&note)).await;
    assert_eq!(added.status, 201);
    assert_eq!(added.body["user"], "Unknown");
    assert_eq!(added.body["new_status"], "Declined");

    let log = list(&mock, id, "").await;
    assert_eq!(log.body["count"], 2);
    assert_eq!(
        comments(&log),
        [json!("second look"), json!("documents match")]
    );
    let change = &log.body["results"][1];
    assert_eq!(change["previous_status"], "In Review");
    assert_eq!(change["new_status"], "Approved");
    assert_eq!(change["actor_type"], "API_KEY");
    assert_eq!(log.body["results"][0]["actor_type"], "CONSOLE_USER");
    let oldest_first = list(&mock, id, "?ordering=created_at").await;
    assert_eq!(
        comments(&oldest_first),
        [json!("documents match"), json!("second look")]
    );

    // The note labels the entry only: the session stays Approved, and its
    // decision lists both.
    let decision = decision(&mock, id, false).await;
    assert_eq!(decision.body["status"], "Approved");
    let reviews = decision.body["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1]["comment"], "second look");
}

#[tokio::test]
async fn the_log_pages_with_links() {
    let mock = DiditMock::builder().start().await;
    let id = in_review(&mock).await;
    for n in 0..5 {
        let note = json!({"comment": format!("note {n}")});
        assert_eq!(add(&mock, id, Some(&note)).await.status, 201);
    }
    let first = list(&mock, id, "?limit=2").await;
    assert_eq!(first.body["count"], 5);
    assert_eq!(first.body["previous"], Value::Null);
    let mut seen = comments(&first);
    let mut next = first.body["next"].as_str().map(str::to_owned);
    let mut pages = 1;
    while let Some(url) = next {
        assert!(url.starts_with(&mock.uri()), "{url}");
        let page = get_url(&url, Some(DEFAULT_API_KEY)).await;
        assert_eq!(page.status, 200);
        assert!(page.body["previous"].is_string());
        seen.extend(page.results().iter().map(|entry| entry["comment"].clone()));
        next = page.body["next"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 3);
    let expected: Vec<Value> = (0..5).rev().map(|n| json!(format!("note {n}"))).collect();
    assert_eq!(seen, expected);
    let past_the_end = list(&mock, id, "?limit=2&offset=9").await;
    assert_eq!(past_the_end.body["results"], json!([]));
    assert_eq!(past_the_end.body["next"], Value::Null);
    // A page size that does not read is ignored, as the API ignores it.
    let default_size = list(&mock, id, "?limit=0&offset=x").await;
    assert_eq!(default_size.status, 200);
    assert_eq!(default_size.body["results"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn notes_are_checked_and_an_empty_body_is_a_note() {
    let mock = DiditMock::builder().start().await;
    let id = in_review(&mock).await;
    let refused = add(&mock, id, Some(&json!({"new_status": "approved"}))).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["new_status"].is_array());
    let refused = add(&mock, id, Some(&json!({"comment": 7}))).await;
    assert_eq!(refused.status, 400);
    let empty = add(&mock, id, None).await;
    assert_eq!(empty.status, 201);
    assert_eq!(empty.body["comment"], Value::Null);
    assert_eq!(list(&mock, id, "").await.body["count"], 1);
}

#[tokio::test]
async fn kyb_and_unknown_sessions_have_no_log() {
    let mock = DiditMock::builder().synthetic(40, 9).start().await;
    let kyb = mock.store().kyb()[0].row.session_id.unwrap();
    for id in [kyb, Uuid::nil()] {
        assert_eq!(list(&mock, id, "").await.status, 404);
        assert_eq!(add(&mock, id, Some(&json!({}))).await.status, 404);
    }
}
