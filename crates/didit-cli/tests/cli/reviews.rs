//! `didit sessions reviews list|add` against the fake Didit server.

use didit::SessionStatus;
use didit_mock::DiditMock;
use serde_json::Value;

use super::{assert_exit, didit_at, mock_with, run, stderr, stdout};

/// A KYC session of `mock`, finished In Review.
fn kyc_in_review(mock: &DiditMock) -> String {
    let id = mock.store().kyc()[0].row.session_id.unwrap();
    mock.finish_session(id, SessionStatus::InReview).unwrap();
    id.to_string()
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one entry per line"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_and_status_changes_are_listed_newest_first_or_oldest_first() {
    let mock = mock_with(20).await;
    let id = kyc_in_review(&mock);

    let added = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "reviews",
            "add",
            &id,
            "--status",
            "In Review",
            "--comment",
            "first look",
        ],
    );
    assert_exit(&added, 0);
    assert_eq!(
        stdout(&added).trim(),
        format!("{id}: note added labelled In Review")
    );
    let updated = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "update-status",
            &id,
            "--status",
            "Approved",
            "--comment",
            "documents match",
        ],
    );
    assert_exit(&updated, 0);

    let listed = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "list", &id, "--format", "ndjson"],
    );
    assert_exit(&listed, 0);
    let entries = ndjson(&stdout(&listed));
    let comments: Vec<&str> = entries
        .iter()
        .map(|entry| entry["comment"].as_str().unwrap())
        .collect();
    assert_eq!(comments, ["documents match", "first look"]);
    assert_eq!(entries[0]["previous_status"], "In Review");
    assert_eq!(entries[0]["new_status"], "Approved");

    let oldest_first = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "list", &id, "--oldest-first"],
    );
    assert_exit(&oldest_first, 0);
    let text = stdout(&oldest_first);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("CREATED_AT"), "{text}");
    assert!(lines[1].contains("first look"), "{text}");
    assert!(
        lines[2].contains("In Review -> Approved") && lines[2].contains("documents match"),
        "{text}"
    );

    let json = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "list", &id, "--format", "json"],
    );
    assert_exit(&json, 0);
    let document: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(document.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kyb_session_has_no_log_and_a_status_must_be_the_apis() {
    let mock = mock_with(40).await;
    let kyb = mock.store().kyb()[0].row.session_id.unwrap().to_string();
    let listed = run(&mut didit_at(&mock), &["sessions", "reviews", "list", &kyb]);
    assert_exit(&listed, 7);
    let added = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "add", &kyb, "--comment", "x"],
    );
    assert_exit(&added, 7);

    let id = kyc_in_review(&mock);
    let refused = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "add", &id, "--status", "approved"],
    );
    assert_exit(&refused, 2);
    assert!(
        stderr(&refused).contains("not a session status"),
        "{}",
        stderr(&refused)
    );
    let empty = run(
        &mut didit_at(&mock),
        &["sessions", "reviews", "list", &id, "--format", "json"],
    );
    assert_exit(&empty, 0);
    assert_eq!(stdout(&empty).trim(), "[]");
}
