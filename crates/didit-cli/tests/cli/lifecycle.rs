//! `didit sessions create|decision|update-status|delete|pdf|wait` against a
//! wiremock server answering with the spec's documented examples.

use didit_contract::Spec;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{KEY, Scratch, assert_exit, didit, run, stderr, stdout};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";
const OTHER_SESSION: &str = "22222222-3333-4444-5555-666666666666";
const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

/// The documented example `name` of the answer `status` of the operation
/// at `path_template` with `verb`.
fn example(path_template: &str, verb: &str, status: u16, name: &str) -> Value {
    let spec = Spec::load().unwrap();
    let pointer = format!(
        "/paths/{}/{verb}/responses/{status}/content/application~1json/examples/{name}/value",
        path_template.replace('~', "~0").replace('/', "~1")
    );
    spec.json
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("the spec has no example at {pointer}"))
        .clone()
}

fn decision_example() -> Value {
    example(
        "/v3/session/{sessionId}/decision/",
        "get",
        200,
        "published_example",
    )
}

fn not_found() -> ResponseTemplate {
    let body = example(
        "/v3/session/{sessionId}/delete/",
        "delete",
        404,
        "published_not_found",
    );
    ResponseTemplate::new(404).set_body_json(body)
}

/// `didit` pointed at `server` with the test key.
fn didit_at(server: &MockServer) -> assert_cmd::Command {
    let mut command = didit();
    command.args(["--base-url", &server.uri(), "--api-key", KEY]);
    // Not a terminal: nothing is asked.
    command.write_stdin("");
    command
}

async fn serve(verb: &str, at: String, answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn create_sends_each_flag_as_its_property_and_never_prints_the_token() {
    let created = example("/v3/session/", "post", 201, "published_kyc_session");
    let token = created["session_token"].as_str().unwrap().to_owned();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/session/"))
        .and(body_json(json!({
            "workflow_id": WORKFLOW,
            "vendor_data": "user-123",
            "callback": "https://example.com/verification/callback",
            "language": "pt-BR",
            "metadata": {"user_type": "premium"},
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(&created))
        .mount(&server)
        .await;
    let args = [
        "sessions",
        "create",
        "--workflow-id",
        WORKFLOW,
        "--vendor-data",
        "user-123",
        "--callback",
        "https://example.com/verification/callback",
        "--language",
        "PT-br",
        "--metadata",
        r#"{"user_type": "premium"}"#,
    ];

    let output = run(&mut didit_at(&server), &args);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains(created["session_id"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains(created["url"].as_str().unwrap()), "{text}");
    let url_free: String = text.replace(created["url"].as_str().unwrap(), "");
    assert!(!url_free.contains(&token), "{text}");

    let output = run(
        &mut didit_at(&server),
        &[&args[..], &["--format", "json"]].concat(),
    );
    assert_exit(&output, 0);
    let mut printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed.get("session_token"), None);
    printed["session_token"] = json!(token);
    assert_eq!(printed, created);

    let shown = [&args[..], &["--format", "json", "--show-token"]].concat();
    let output = run(&mut didit_at(&server), &shown);
    assert_exit(&output, 0);
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed, created);
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn bad_input_exits_with_2_before_any_request() {
    let server = MockServer::start().await;
    let cases: [&[&str]; 9] = [
        &["sessions", "create", "--workflow-id", "not-a-uuid"],
        &[
            "sessions",
            "create",
            "--workflow-id",
            WORKFLOW,
            "--metadata",
            "{oops",
        ],
        &[
            "sessions",
            "create",
            "--workflow-id",
            WORKFLOW,
            "--language",
            "e n",
        ],
        &[
            "sessions",
            "create",
            "--workflow-id",
            WORKFLOW,
            "--callback",
            "ftp://x",
        ],
        &[
            "sessions",
            "create",
            "--workflow-id",
            WORKFLOW,
            "--show-token",
        ],
        &["sessions", "update-status", SESSION, "--status", "Pending"],
        &["sessions", "decision", "42"],
        &["sessions", "pdf"],
        // Standard input is not a terminal to ask on.
        &["sessions", "delete", SESSION],
    ];
    for args in cases {
        let output = run(&mut didit_at(&server), args);
        assert_exit(&output, 2);
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test]
async fn decision_writes_the_decision_as_received_or_sums_it_up() {
    let decision = decision_example();
    let server = serve(
        "GET",
        format!("/v3/session/{SESSION}/decision/"),
        ResponseTemplate::new(200).set_body_json(&decision),
    )
    .await;

    let output = run(
        &mut didit_at(&server),
        &["sessions", "decision", SESSION, "--format", "json"],
    );
    assert_exit(&output, 0);
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed, decision);

    let output = run(&mut didit_at(&server), &["sessions", "decision", SESSION]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    let status_line = text
        .lines()
        .find(|line| line.starts_with("status "))
        .unwrap();
    assert!(
        status_line.ends_with(decision["status"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains("ID_VERIFICATION"), "{text}");
    // Nothing of the session reaches standard error.
    assert_eq!(stderr(&output), "");
}

#[tokio::test]
async fn an_unknown_session_exits_with_7_for_every_command() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(not_found())
        .mount(&server)
        .await;
    let scratch = Scratch::new("not-found");
    let file = scratch.path("report.pdf");
    let cases: [&[&str]; 5] = [
        &["sessions", "decision", SESSION],
        &["sessions", "update-status", SESSION, "--status", "Approved"],
        &["sessions", "delete", SESSION, "--yes"],
        &["sessions", "pdf", SESSION, "-o", &file],
        &["sessions", "wait", SESSION],
    ];
    for args in cases {
        let output = run(&mut didit_at(&server), args);
        assert_exit(&output, 7);
        assert!(stderr(&output).contains("not found"), "{args:?}");
    }
    assert!(scratch.entries().is_empty());
}

#[tokio::test]
async fn update_status_sends_the_new_status_and_comment() {
    let updated = example(
        "/v3/session/{sessionId}/update-status/",
        "patch",
        200,
        "published_updated",
    );
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/v3/session/{SESSION}/update-status/")))
        .and(body_json(json!({
            "new_status": "Declined",
            "comment": "Suspected fraud",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(&updated))
        .mount(&server)
        .await;
    let args = [
        "sessions",
        "update-status",
        SESSION,
        "--status",
        "declined",
        "--comment",
        "Suspected fraud",
    ];
    let output = run(&mut didit_at(&server), &args);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        format!("{SESSION}: status set to Declined\n")
    );
    let output = run(
        &mut didit_at(&server),
        &[&args[..], &["--format", "json"]].concat(),
    );
    assert_exit(&output, 0);
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed, updated);
}

#[tokio::test]
async fn delete_goes_on_past_an_unknown_session_and_exits_with_7() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v3/session/{SESSION}/delete/")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v3/session/{OTHER_SESSION}/delete/")))
        .respond_with(not_found())
        .mount(&server)
        .await;
    let args = ["sessions", "delete", OTHER_SESSION, SESSION, "--yes"];
    let output = run(&mut didit_at(&server), &args);
    assert_exit(&output, 7);
    assert_eq!(stdout(&output), format!("deleted {SESSION}\n"));
    assert!(
        stderr(&output).contains(OTHER_SESSION),
        "{}",
        stderr(&output)
    );

    let output = run(
        &mut didit_at(&server),
        &[&args[..], &["--format", "json"]].concat(),
    );
    assert_exit(&output, 7);
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        printed,
        json!({"deleted": [SESSION], "not_found": [OTHER_SESSION]})
    );

    let output = run(
        &mut didit_at(&server),
        &["sessions", "delete", SESSION, "--yes"],
    );
    assert_exit(&output, 0);
}

#[tokio::test]
async fn pdf_saves_the_report_for_its_owner_and_says_when_it_is_not_ready() {
    let report = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let server = serve(
        "GET",
        format!("/v3/session/{SESSION}/generate-pdf/"),
        ResponseTemplate::new(200).set_body_raw(report.clone(), "application/pdf"),
    )
    .await;
    let scratch = Scratch::new("pdf");

    // Named after the session, in the working directory.
    let mut command = didit_at(&server);
    command.current_dir(&scratch.0);
    let output = run(&mut command, &["sessions", "pdf", SESSION]);
    assert_exit(&output, 0);
    let name = format!("session-{SESSION}.pdf");
    assert_eq!(scratch.entries(), std::slice::from_ref(&name));
    assert_eq!(std::fs::read(scratch.path(&name)).unwrap(), report);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(scratch.path(&name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let file = scratch.path("chosen.pdf");
    let output = run(
        &mut didit_at(&server),
        &["sessions", "pdf", SESSION, "-o", &file, "--format", "json"],
    );
    assert_exit(&output, 0);
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed["bytes"], json!(report.len()));
    assert_eq!(std::fs::read(&file).unwrap(), report);

    let unfinished = example(
        "/v3/session/{sessionId}/generate-pdf/",
        "get",
        403,
        "published_kyc_session_not_finished",
    );
    let server = serve(
        "GET",
        format!("/v3/session/{SESSION}/generate-pdf/"),
        ResponseTemplate::new(403).set_body_json(unfinished),
    )
    .await;
    let late = scratch.path("late.pdf");
    let output = run(
        &mut didit_at(&server),
        &["sessions", "pdf", SESSION, "-o", &late],
    );
    assert_exit(&output, 9);
    assert!(
        stderr(&output).contains("not finished"),
        "{}",
        stderr(&output)
    );
    assert_eq!(scratch.entries(), ["chosen.pdf", name.as_str()]);
}

#[tokio::test]
async fn wait_prints_the_final_status_or_exits_with_9_when_time_runs_out() {
    let mut decision = decision_example();
    decision["status"] = json!("Approved");
    let server = serve(
        "GET",
        format!("/v3/session/{SESSION}/decision/"),
        ResponseTemplate::new(200).set_body_json(&decision),
    )
    .await;
    let output = run(&mut didit_at(&server), &["sessions", "wait", SESSION]);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "Approved\n");

    decision["status"] = json!("In Progress");
    let server = serve(
        "GET",
        format!("/v3/session/{SESSION}/decision/"),
        ResponseTemplate::new(200).set_body_json(&decision),
    )
    .await;
    let output = run(
        &mut didit_at(&server),
        &["--timeout", "1", "sessions", "wait", SESSION],
    );
    assert_exit(&output, 9);
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
}

/// The walk-through of the README, against the fake: create a session,
/// finish it in the fake, wait for it, read its decision and save its
/// report. (The README finishes it with the fake's control endpoint; the
/// test calls the same code through the fake's library.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walk_through_runs_against_the_fake() {
    let mock = didit_mock::DiditMock::builder().start().await;
    let scratch = Scratch::new("walk-through");
    let at_mock = || {
        let mut command = didit();
        command
            .env("DIDIT_BASE_URL", mock.uri())
            .env("DIDIT_API_KEY", didit_mock::DEFAULT_API_KEY)
            .write_stdin("");
        command
    };

    let created = run(
        &mut at_mock(),
        &[
            "sessions",
            "create",
            "--workflow-id",
            WORKFLOW,
            "--vendor-data",
            "user-42",
            "--format",
            "json",
        ],
    );
    assert_exit(&created, 0);
    let created: Value = serde_json::from_str(&stdout(&created)).unwrap();
    assert_eq!(created["status"], "Not Started");
    let id = created["session_id"].as_str().unwrap().to_owned();

    mock.finish_session(id.parse().unwrap(), didit::SessionStatus::Approved)
        .unwrap();

    let waited = run(&mut at_mock(), &["sessions", "wait", &id]);
    assert_exit(&waited, 0);
    assert!(stdout(&waited).contains("Approved"), "{}", stdout(&waited));

    let decision = run(
        &mut at_mock(),
        &["sessions", "decision", &id, "--format", "json"],
    );
    assert_exit(&decision, 0);
    let decision: Value = serde_json::from_str(&stdout(&decision)).unwrap();
    assert_eq!(decision["status"], "Approved");
    assert_eq!(decision["vendor_data"], "user-42");

    let report = scratch.path("report.pdf");
    let saved = run(&mut at_mock(), &["sessions", "pdf", &id, "-o", &report]);
    assert_exit(&saved, 0);
    assert!(std::fs::read(&report).unwrap().starts_with(b"%PDF-"));
}
