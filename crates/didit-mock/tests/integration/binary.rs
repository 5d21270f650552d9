//! The `didit-mock` binary: prints its URL first, serves pages to the key,
//! 403 to everyone else.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::get_url;
use didit_mock::{DEFAULT_API_KEY, Store};

/// Stops the child process when the test ends, even on failure.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serves_synthetic_sessions_on_the_port_it_prints() {
    let child = Command::new(env!("CARGO_BIN_EXE_didit-mock"))
        .args(["--sessions", "1000", "--port", "0", "--max-limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let uri = line.trim().to_owned();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");

    let expected = Store::synthetic(1000, 1);
    let url = format!("{uri}/v3/sessions/?limit=50");
    let reply = get_url(&url, Some(DEFAULT_API_KEY)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["count"], expected.kyc().len() as u64);
    assert_eq!(reply.results().len(), 10);
    assert_eq!(
        reply.results()[0]["session_id"],
        expected.kyc()[0].row.session_id.unwrap().to_string()
    );
    assert_eq!(reply.header_u64("x-ratelimit-limit"), 600);

    let reply = get_url(&url, None).await;
    assert_eq!(reply.status, 403);
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_didit-mock"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_didit-mock"))
        .args(["--sessions", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn the_help_names_every_operation_and_both_rate_limits() {
    let output = Command::new(env!("CARGO_BIN_EXE_didit-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "GET /v3/sessions/",
        "POST /v3/session/",
        "/decision/",
        "PATCH /v3/session/{id}/update-status/",
        "DELETE /v3/session/{id}/delete/",
        "POST /v3/sessions/delete/",
        "/generate-pdf/",
        "/v3/sessions/{id}/reviews/",
        "/_mock/sessions/{id}/finish",
        "--rate-limit",
        "--write-rate-limit",
    ] {
        assert!(
            help.contains(needle),
            "--help does not mention {needle}:\n{help}"
        );
    }
}

#[tokio::test]
async fn serves_the_lifecycle_with_the_write_limit_it_is_given() {
    let child = Command::new(env!("CARGO_BIN_EXE_didit-mock"))
        .args(["--sessions", "10", "--write-rate-limit", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let mut line = String::new();
    BufReader::new(running.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let uri = line.trim().to_owned();
    let client = common::client();
    let created = client
        .post(format!("{uri}/v3/session/"))
        .header("x-api-key", DEFAULT_API_KEY)
        .json(&serde_json::json!({"workflow_id": common::SOME_WORKFLOW}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["x-ratelimit-limit"], "7");
    let created: serde_json::Value = created.json().await.unwrap();
    assert!(created["url"].as_str().unwrap().starts_with(&uri));
    let id = created["session_id"].as_str().unwrap();
    let finished = client
        .post(format!("{uri}/_mock/sessions/{id}/finish"))
        .json(&serde_json::json!({"status": "Approved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200);
    let reply = get_url(
        &format!("{uri}/v3/session/{id}/decision/"),
        Some(DEFAULT_API_KEY),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "Approved");
}
