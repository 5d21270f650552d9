//! The `didit` binary against the fake Didit server, as a user runs it.
//!
//! Every run goes through [`run`], which also checks that the API key shows
//! up in neither output stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Output, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use didit::Session;
use didit::types::{KycSession, SessionPage};
use didit_mock::{DiditMock, ListQuery};

/// A key distinctive enough to be found if it leaked anywhere.
const KEY: &str = "sk_test_7f3c9e1a_cli_secret";

fn didit() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("didit"));
    for variable in ["DIDIT_API_KEY", "DIDIT_BASE_URL", "RUST_LOG"] {
        command.env_remove(variable);
    }
    command
}

/// `didit` pointed at `mock` with the right key.
fn didit_at(mock: &DiditMock) -> Command {
    let mut command = didit();
    command.args(["--base-url", &mock.uri(), "--api-key", KEY]);
    command
}

async fn mock_with(sessions: usize) -> DiditMock {
    DiditMock::builder()
        .api_key(KEY)
        .synthetic(sessions, 11)
        .rate_limit(0)
        .start()
        .await
}

/// Runs the command and checks that the key was printed nowhere.
fn run(command: &mut Command, args: &[&str]) -> Output {
    let output = command.args(args).output().expect("didit runs");
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(KEY), "the key leaked on {stream}: {text}");
        assert!(!text.contains("panicked"), "{stream}: {text}");
    }
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        stderr(output)
    );
}

/// The rows the mock holds for `query`, in server order.
fn expected_rows(mock: &DiditMock, query: &str) -> Vec<Session> {
    mock.store()
        .filter(&ListQuery::parse(query).expect("a valid query"))
        .rows()
}

/// The words of a command line without quoted arguments.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Rows by identifier, for comparisons whose failures stay readable.
fn ids(rows: &[Session]) -> Vec<String> {
    rows.iter()
        .map(|row| serde_json::to_value(row).unwrap()["session_id"].to_string())
        .collect()
}

fn ndjson_rows(text: &str) -> Vec<Session> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one session per line"))
        .collect()
}

fn kyc(row: &Session) -> &KycSession {
    match row {
        Session::Kyc(row) => row,
        other => panic!("expected a KYC row, got {other:?}"),
    }
}

/// The CSV columns a test checks, computed from a row independently of the
/// command.
fn expected_csv(row: &KycSession) -> Vec<(&'static str, String)> {
    let text = |field: &Option<Option<String>>| field.clone().flatten().unwrap_or_default();
    let features = row
        .features
        .iter()
        .flatten()
        .map(|feature| {
            format!(
                "{}:{}",
                feature.feature.as_ref().unwrap(),
                feature.status.as_ref().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    vec![
        ("session_id", row.session_id.unwrap().to_string()),
        ("session_kind", "user".to_owned()),
        ("session_number", row.session_number.unwrap().to_string()),
        ("status", row.status.as_ref().unwrap().to_string()),
        (
            "created_at",
            row.created_at.as_ref().unwrap().as_str().to_owned(),
        ),
        ("vendor_data", text(&row.vendor_data)),
        ("country", text(&row.country)),
        ("full_name", text(&row.full_name)),
        ("features", features),
    ]
}

#[tokio::test]
async fn every_format_shows_the_page_the_mock_serves() {
    let mock = mock_with(120).await;
    let filters = ["--status", "Approved,in review", "--limit", "20"];
    let expected = expected_rows(&mock, "status=Approved,In Review");
    let expected = &expected[..20];
    let page_url = format!(
        "{}?limit=20&status=Approved,In%20Review",
        mock.sessions_url()
    );
    let served: SessionPage = mock.store().page(&page_url.parse().unwrap()).unwrap();

    let json = run(
        &mut didit_at(&mock),
        &[&["sessions", "list", "--format", "json"][..], &filters].concat(),
    );
    assert_exit(&json, 0);
    let page: SessionPage = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(page, served);
    assert_eq!(page.results, expected);
    assert_eq!(
        stdout(&json),
        serde_json::to_string_pretty(&served).unwrap() + "\n"
    );

    let ndjson = run(
        &mut didit_at(&mock),
        &[&["sessions", "list", "--format", "ndjson"][..], &filters].concat(),
    );
    assert_exit(&ndjson, 0);
    assert_eq!(ndjson_rows(&stdout(&ndjson)), expected);

    let csv = run(
        &mut didit_at(&mock),
        &[&["sessions", "list", "--format", "csv"][..], &filters].concat(),
    );
    assert_exit(&csv, 0);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.len());
    for (record, row) in records.iter().zip(expected) {
        for (column, value) in expected_csv(kyc(row)) {
            let index = header.iter().position(|name| name == column).unwrap();
            assert_eq!(record[index], value, "column {column}");
        }
    }

    let table = run(
        &mut didit_at(&mock),
        &[&["sessions", "list"][..], &filters].concat(),
    );
    assert_exit(&table, 0);
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NUMBER  STATUS"), "{text}");
    assert_eq!(lines.len(), expected.len() + 1, "{text}");
    for (line, row) in lines[1..].iter().zip(expected) {
        assert!(line.chars().count() <= 80, "{line}");
        let number = kyc(row).session_number.unwrap().to_string();
        assert_eq!(line.split_whitespace().next(), Some(number.as_str()));
    }
    // More pages exist: the table says so, on standard error only.
    assert!(stderr(&table).contains("--all"), "{}", stderr(&table));
}

#[tokio::test]
async fn all_pages_and_max_match_the_mock_and_draw_no_progress_off_a_terminal() {
    let mock = mock_with(300).await;
    let expected = expected_rows(&mock, "document_type=ID,P&status=Approved,Declined");
    assert!(expected.len() > 14, "the filter should span pages");

    let filters = "--document-type ID --document-type P --status approved,Declined";
    let all = run(
        &mut didit_at(&mock),
        &words(&format!(
            "--concurrency 3 sessions list --all --limit 7 {filters} --format ndjson"
        )),
    );
    assert_exit(&all, 0);
    assert_eq!(ids(&ndjson_rows(&stdout(&all))), ids(&expected));
    // Standard error is a pipe here: no progress bar, and nothing else.
    assert_eq!(stderr(&all), "");

    let requests_before = mock.requests().len();
    let most = run(
        &mut didit_at(&mock),
        &words(&format!(
            "sessions list --max 10 --limit 4 {filters} --format json"
        )),
    );
    assert_exit(&most, 0);
    // Pages at offsets 0, 4 and 8 hold the first 10 rows; none past them
    // is requested, although four pages may be fetched at once.
    assert_eq!(mock.requests().len() - requests_before, 3);
    let page: SessionPage = serde_json::from_str(&stdout(&most)).unwrap();
    assert_eq!(page.results, &expected[..10]);
    assert_eq!(page.count, expected.len() as i64);
    assert_eq!(stderr(&most), "");
}

#[tokio::test]
async fn an_all_export_writes_every_kyb_row_after_the_kyc_pages_end() {
    let mock = mock_with(300).await;
    // `--didit-internal-id` narrows the KYC rows only: the server's links,
    // which follow the KYC side, end after the first page.
    let id = mock
        .store()
        .kyc()
        .iter()
        .find_map(|record| record.row.didit_internal_id.flatten())
        .unwrap();
    let expected = expected_rows(&mock, &format!("session_kind=all&didit_internal_id={id}"));
    let export = run(
        &mut didit_at(&mock),
        &words(&format!(
            "sessions list --all --limit 5 --session-kind all --didit-internal-id {id} --format ndjson"
        )),
    );
    assert_exit(&export, 0);
    let written = ndjson_rows(&stdout(&export));
    assert!(expected.len() > 10, "the KYB rows should span pages");
    // KYC rows first either way: the KYC rows fit on the first page.
    assert_eq!(ids(&written), ids(&expected));
}

#[tokio::test]
async fn a_failure_mid_export_keeps_the_rows_and_names_the_offset_to_resume_from() {
    let mock = mock_with(60).await;
    let expected = expected_rows(&mock, "");
    // Two good answers, then a body cut in half. Which page that hits
    // depends on the order requests arrive in when pages are fetched
    // concurrently; the first page always comes alone.
    mock.slow_next(2, Duration::ZERO);
    mock.truncate_next(1);

    let first = run(
        &mut didit_at(&mock),
        &words("sessions list --all --limit 5 --format ndjson"),
    );
    assert_exit(&first, 6);
    let message = stderr(&first);
    assert_eq!(message.lines().count(), 1, "{message}");
    let resume_offset: usize = message
        .split("resume with --offset ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no offset to resume from in: {message}"));
    assert!(resume_offset >= 5, "{message}");
    // Every row before the failed page was written.
    let written = ndjson_rows(&stdout(&first));
    assert_eq!(ids(&written), ids(&expected[..resume_offset]));

    let rest = run(
        &mut didit_at(&mock),
        &words(&format!(
            "sessions list --all --limit 5 --format ndjson --offset {resume_offset}"
        )),
    );
    assert_exit(&rest, 0);
    assert_eq!(
        ids(&ndjson_rows(&stdout(&rest))),
        ids(&expected[resume_offset..])
    );
}

#[tokio::test]
async fn usage_mistakes_and_invalid_values_exit_with_2() {
    let mock = mock_with(1).await;
    let usage = run(&mut didit_at(&mock), &["sessions", "list", "--limit", "0"]);
    assert_exit(&usage, 2);
    let invalid = run(
        &mut didit_at(&mock),
        &["sessions", "list", "--country", "ESP,"],
    );
    assert_exit(&invalid, 2);
    assert!(stderr(&invalid).contains("country"), "{}", stderr(&invalid));
    assert!(mock.requests().is_empty(), "nothing is sent for bad input");
}

#[tokio::test]
async fn a_missing_or_refused_key_exits_with_3_and_says_where_the_key_goes() {
    let mock = mock_with(1).await;
    let missing = run(
        didit().args(["--base-url", &mock.uri()]),
        &["sessions", "list"],
    );
    assert_exit(&missing, 3);
    assert!(stderr(&missing).contains("DIDIT_API_KEY"));

    // The key comes from the environment here, and -v logs every request.
    let refused = run(
        didit()
            .env("DIDIT_API_KEY", format!("{KEY}-wrong"))
            .env("DIDIT_BASE_URL", mock.uri()),
        &["-v", "sessions", "list"],
    );
    assert_exit(&refused, 3);
    let message = stderr(&refused);
    assert!(message.contains("403"), "{message}");
    assert!(message.contains("--api-key"), "{message}");
}

#[tokio::test]
async fn other_api_errors_exit_with_4() {
    let mock = mock_with(5).await;
    mock.fail_next(1, 404);
    let output = run(&mut didit_at(&mock), &["sessions", "list"]);
    assert_exit(&output, 4);
    assert!(stderr(&output).contains("404"), "{}", stderr(&output));
}

#[test]
fn an_unreachable_server_exits_with_5() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_url = format!("http://127.0.0.1:{port}");
    let output = run(
        didit().args(["--base-url", &base_url, "--api-key", KEY]),
        &words("sessions list --timeout 20"),
    );
    assert_exit(&output, 5);
}

#[tokio::test]
async fn verbose_logs_requests_but_never_the_key() {
    let mock = mock_with(30).await;
    let output = run(
        &mut didit_at(&mock),
        &words("-vv sessions list --all --limit 10 --format csv"),
    );
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("didit.attempt"),
        "{}",
        stderr(&output)
    );
    let rows = expected_rows(&mock, "").len();
    assert_eq!(stdout(&output).lines().count(), rows + 1);
}

#[test]
fn a_server_that_echoes_the_key_does_not_get_it_printed() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    // Answers one request with a 400 whose body quotes the request's key.
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buffer = [0; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            let read = stream.read(&mut buffer).unwrap();
            assert!(read > 0, "the request ended early");
            request.extend_from_slice(&buffer[..read]);
        }
        let request = String::from_utf8_lossy(&request);
        let key = request
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("x-api-key"))
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default();
        let body = format!(r#"{{"detail": "unknown key {key}"}}"#);
        let answer = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
    });
    let output = run(
        didit().args(["--base-url", &base_url, "--api-key", KEY]),
        &words("-vv sessions list"),
    );
    server.join().unwrap();
    assert_exit(&output, 4);
    assert!(
        stderr(&output).contains("unknown key [redacted]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn mock_mode_shows_a_table_without_any_key() {
    let output = run(&mut didit(), &["--mock", "sessions", "list"]);
    assert_exit(&output, 0);
    assert!(stdout(&output).starts_with("NUMBER  STATUS"));
    assert!(stdout(&output).lines().count() > 10);
    assert!(stderr(&output).contains("fake Didit server"));
}

#[test]
fn help_hides_the_key_from_the_environment() {
    let output = run(
        didit().env("DIDIT_API_KEY", KEY),
        &["sessions", "list", "--help"],
    );
    assert_exit(&output, 0);
    assert!(stdout(&output).contains("--document-name"));
}

#[tokio::test]
async fn a_reader_that_stops_early_ends_the_export_quietly() {
    let mock = mock_with(400).await;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"))
        .args(["--base-url", &mock.uri(), "--api-key", KEY])
        .args(words("sessions list --all --limit 20 --format json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    assert_eq!(first_line, "{\n");
    // The reader is gone: the next write finds the pipe closed.
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
}

/// A server on loopback that answers each of `requests` requests with `body`
/// as a `200` JSON page; its base URL and the thread serving it.
fn serve_page(body: String, requests: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        for _ in 0..requests {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buffer = [0; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let read = stream.read(&mut buffer).unwrap();
                assert!(read > 0, "the request ended early");
                request.extend_from_slice(&buffer[..read]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
    });
    (base_url, server)
}

#[test]
fn json_and_ndjson_keep_every_property_the_server_sends() {
    // Properties this version does not declare on the page, on rows, in a
    // phone number, in a feature and in the additional details.
    let page = serde_json::json!({
        "count": 2,
        "next": null,
        "previous": null,
        "served_by": {"region": "eu-west", "shards": [1, 2]},
        "results": [
            {
                "session_id": "0c8a4b1e-5d2f-4f0a-9b7e-3a6c2d1e8f90",
                "session_number": 2,
                "status": "Approved",
                "risk_score": 0.73,
                "full_name": null,
                "phone_number": {
                    "number": "+34600000001",
                    "is_verified": true,
                    "carrier": {"name": "Acme Mobile", "ported": false}
                },
                "features": [
                    {"feature": "ID_VERIFICATION", "status": "Approved", "confidence": 0.99}
                ],
                "additional_details": {
                    "aml": {"total_hits": 0, "lists_checked": ["UN", "EU"]},
                    "device_check": {"emulator": false}
                }
            },
            {
                "session_id": "5e2d9c7a-1b3f-4e6d-8a0c-7f9b2e4d6a18",
                "session_number": 1,
                "status": "Declined",
                "vendor_data": "user-1",
                "decline_reasons": ["DOCUMENT_EXPIRED"]
            }
        ]
    });
    let (base_url, server) = serve_page(page.to_string(), 2);
    let at_server = || {
        let mut command = didit();
        command.args(["--base-url", &base_url, "--api-key", KEY]);
        command
    };

    let json = run(&mut at_server(), &words("sessions list --format json"));
    assert_exit(&json, 0);
    let written: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(written, page, "{}", stdout(&json));

    let ndjson = run(&mut at_server(), &words("sessions list --format ndjson"));
    assert_exit(&ndjson, 0);
    let rows: Vec<serde_json::Value> = stdout(&ndjson)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(&rows, page["results"].as_array().unwrap());
    server.join().unwrap();
}
