//! `didit sessions share|import-shared|arm-sandbox` against the fake Didit
//! server: the tokens go through standard output, standard input or the
//! environment, never the command line, and show nowhere else.

use didit::{SessionStatus, Uuid};
use didit_mock::{DiditMock, PARTNER_API_KEY, PARTNER_APPLICATION_ID};
use serde_json::json;

use super::{KEY, assert_exit, didit, run, stderr, stdout};

const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

async fn fake() -> DiditMock {
    DiditMock::builder()
        .api_key(KEY)
        .rate_limit(0)
        .record_requests(true)
        .start()
        .await
}

/// A session of the fake's main application, created over HTTP: its id
/// and token.
async fn create(mock: &DiditMock) -> (Uuid, String) {
    let created: serde_json::Value = didit::reqwest::Client::new()
        .post(format!("{}/v3/session/", mock.uri()))
        .header("x-api-key", KEY)
        .json(&json!({ "workflow_id": WORKFLOW }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        created["session_id"].as_str().unwrap().parse().unwrap(),
        created["session_token"].as_str().unwrap().to_owned(),
    )
}

fn didit_as(mock: &DiditMock, key: &str) -> assert_cmd::Command {
    let mut command = didit();
    command.args(["--base-url", &mock.uri(), "--api-key", key]);
    command
}

#[tokio::test]
async fn a_shared_token_goes_from_standard_output_to_standard_input_once() {
    let mock = fake().await;
    let (id, _) = create(&mock).await;
    mock.finish_session(id, SessionStatus::Approved).unwrap();

    let shared = run(
        didit_as(&mock, KEY).write_stdin(""),
        &[
            "sessions",
            "share",
            &id.to_string(),
            "--for-application",
            PARTNER_APPLICATION_ID,
            "--ttl",
            "2h",
        ],
    );
    assert_exit(&shared, 0);
    let printed = stdout(&shared);
    let token = printed.trim_end();
    assert_eq!(printed.lines().count(), 1, "the token alone: {printed}");
    assert!(token.starts_with("eyJ"), "{printed}");
    assert!(!stderr(&shared).contains(token));

    let imported = run(
        didit_as(&mock, PARTNER_API_KEY).write_stdin(format!("{token}\n")),
        &[
            "sessions",
            "import-shared",
            "--workflow",
            WORKFLOW,
            "--format",
            "json",
        ],
    );
    assert_exit(&imported, 0);
    let copy: serde_json::Value = serde_json::from_str(&stdout(&imported)).unwrap();
    assert_eq!(copy["status"], "In Review");
    assert_eq!(mock.partner_store().len(), 1);

    let again = run(
        didit_as(&mock, PARTNER_API_KEY).write_stdin(format!("{token}\n")),
        &["sessions", "import-shared", "--workflow", WORKFLOW],
    );
    assert_exit(&again, 3);
    assert!(
        stderr(&again).contains("already been shared"),
        "{}",
        stderr(&again)
    );
    for output in [&imported, &again] {
        for text in [stdout(output), stderr(output)] {
            assert!(!text.contains(token), "the token was printed: {text}");
        }
    }
    // The token was never on a command line, and so in no request's URL.
    assert!(mock.requests().iter().all(|r| !r.path.contains(token)));
}

#[tokio::test]
async fn the_share_token_may_come_from_the_environment() {
    let mock = fake().await;
    let (id, _) = create(&mock).await;
    mock.finish_session(id, SessionStatus::Declined).unwrap();
    let shared = run(
        didit_as(&mock, KEY).write_stdin(""),
        &[
            "sessions",
            "share",
            &id.to_string(),
            "--for-application",
            PARTNER_APPLICATION_ID,
        ],
    );
    assert_exit(&shared, 0);
    let token = stdout(&shared).trim_end().to_owned();
    let imported = run(
        didit_as(&mock, PARTNER_API_KEY)
            .env("DIDIT_SHARE_TOKEN", &token)
            .write_stdin(""),
        &[
            "sessions",
            "import-shared",
            "--workflow",
            WORKFLOW,
            "--trust-review",
            "--vendor-data",
            "partner-1",
        ],
    );
    assert_exit(&imported, 0);
    assert!(
        stdout(&imported).contains("Declined"),
        "{}",
        stdout(&imported)
    );
    assert!(!stdout(&imported).contains(&token));
}

#[tokio::test]
async fn a_token_must_be_given_and_a_lifetime_within_bounds() {
    let mock = fake().await;
    let missing = run(
        didit_as(&mock, PARTNER_API_KEY).write_stdin(""),
        &["sessions", "import-shared", "--workflow", WORKFLOW],
    );
    assert_exit(&missing, 2);
    assert!(
        stderr(&missing).contains("no share token"),
        "{}",
        stderr(&missing)
    );
    let (id, _) = create(&mock).await;
    let short = run(
        didit_as(&mock, KEY).write_stdin(""),
        &[
            "sessions",
            "share",
            &id.to_string(),
            "--for-application",
            PARTNER_APPLICATION_ID,
            "--ttl",
            "30s",
        ],
    );
    assert_exit(&short, 2);
    assert!(
        stderr(&short).contains("ttl_in_seconds"),
        "{}",
        stderr(&short)
    );
    // Refused before any request.
    assert!(mock.requests().iter().all(|r| !r.path.ends_with("/share/")));
}

#[tokio::test]
async fn arming_sends_the_session_token_read_from_standard_input() {
    let mock = fake().await;
    let (id, token) = create(&mock).await;
    let armed = run(
        didit_as(&mock, KEY).write_stdin(format!("{token}\n")),
        &[
            "sessions",
            "arm-sandbox",
            &id.to_string(),
            "--scenario",
            "decline_document_expired",
        ],
    );
    assert_exit(&armed, 0);
    assert!(
        stdout(&armed).contains("decline_document_expired"),
        "{}",
        stdout(&armed)
    );
    let sent = mock.requests().pop().unwrap();
    assert_eq!(sent.header("session-token"), Some(token.as_str()));
    assert_eq!(sent.header("x-api-key"), None);
    mock.complete_session(id).unwrap();
    assert_eq!(
        mock.current_store().kyc()[0].row.status,
        Some(SessionStatus::Declined)
    );

    // Too late now; and the token is in neither stream.
    let late = run(
        didit_as(&mock, KEY).env("DIDIT_SESSION_TOKEN", &token),
        &[
            "sessions",
            "arm-sandbox",
            &id.to_string(),
            "--scenario",
            "approve",
        ],
    );
    assert_exit(&late, 4);
    assert!(
        stderr(&late).contains("before the verification starts"),
        "{}",
        stderr(&late)
    );
    for output in [&armed, &late] {
        for text in [stdout(output), stderr(output)] {
            assert!(!text.contains(&token), "the token was printed: {text}");
        }
    }
}
