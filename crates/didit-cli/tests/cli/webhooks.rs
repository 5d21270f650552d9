//! `didit webhooks verify` with every signed vector, and `didit webhooks
//! listen` receiving deliveries over 127.0.0.1.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use didit::webhook::Signer;

use super::{assert_exit, didit, run, stderr, stdout};

/// The environment variable the tests put the secret in.
const SECRET_ENV: &str = "DIDIT_TEST_WEBHOOK_SECRET";

/// The vectors' timestamp.
const SENT_AT: i64 = 1_764_590_000;

struct Vectors {
    secret: String,
    cases: BTreeMap<String, Case>,
}

struct Case {
    body: String,
    headers: BTreeMap<String, String>,
}

/// The deliveries signed with Didit's algorithm that the verifier's own
/// tests use.
fn vectors() -> Vectors {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../didit-webhook/tests/fixtures/vectors.json"
    ))
    .unwrap();
    let text = |value: &serde_json::Value| value.as_str().unwrap().to_owned();
    Vectors {
        secret: text(&file["secret"]),
        cases: file["cases"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, case)| {
                let headers = case["headers"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(name, value)| (name.clone(), text(value)))
                    .collect();
                (
                    name.clone(),
                    Case {
                        body: text(&case["body"]),
                        headers,
                    },
                )
            })
            .collect(),
    }
}

/// `--header` flags for the case's headers named in `keep`.
fn header_flags(case: &Case, keep: &[&str]) -> Vec<String> {
    case.headers
        .iter()
        .filter(|(name, _)| keep.contains(&name.as_str()))
        .flat_map(|(name, value)| ["--header".to_owned(), format!("{name}: {value}")])
        .collect()
}

const ALL: &[&str] = &[
    "X-Timestamp",
    "X-Signature",
    "X-Signature-V2",
    "X-Signature-Simple",
];

/// A file of the test's own, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("didit-cli-webhooks-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `didit webhooks verify` with the secret in the environment, the body on
/// standard input, and `args`.
fn verify(secret: &str, body: &[u8], args: &[String]) -> Output {
    let mut command = didit();
    command.env(SECRET_ENV, secret).write_stdin(body.to_vec());
    let mut all = vec!["webhooks", "verify", "--secret-env", SECRET_ENV];
    all.extend(args.iter().map(String::as_str));
    run(&mut command, &all)
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(output).trim_end()).expect("one JSON line")
}

#[test]
fn every_vector_verifies_and_prints_its_event() {
    let vectors = vectors();
    for (name, case) in &vectors.cases {
        let mut args = header_flags(case, ALL);
        args.extend(["--now".to_owned(), SENT_AT.to_string()]);
        let output = verify(&vectors.secret, case.body.as_bytes(), &args);
        assert_exit(&output, 0);
        let printed = json(&output);
        assert_eq!(printed["signature"], "X-Signature", "{name}");
        assert_eq!(printed["duplicate"], false);
        let body: serde_json::Value = serde_json::from_str(&case.body).unwrap();
        assert_eq!(printed["event"], body, "{name}");
        // The event is printed exactly as received.
        assert!(stdout(&output).contains(&case.body), "{name}");

        // By X-Signature-V2 alone, with the body and the secret in files.
        let body_file = TempFile::new(&format!("{name}.json"), case.body.as_bytes());
        let secret_file = TempFile::new(
            &format!("{name}.secret"),
            format!("{}\n", vectors.secret).as_bytes(),
        );
        let mut args = vec![
            "webhooks".to_owned(),
            "verify".to_owned(),
            "--secret-file".to_owned(),
            secret_file.path().to_owned(),
            "--body-file".to_owned(),
            body_file.path().to_owned(),
            "--now".to_owned(),
            (SENT_AT + 300).to_string(),
        ];
        args.extend(header_flags(case, &["X-Signature-V2"]));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&mut didit(), &args);
        assert_exit(&output, 0);
        assert_eq!(json(&output)["signature"], "X-Signature-V2", "{name}");
    }
}

#[test]
fn a_changed_body_header_secret_or_clock_exits_with_8_and_the_reason() {
    let vectors = vectors();
    for (name, case) in &vectors.cases {
        let mut args = header_flags(case, ALL);
        args.extend(["--now".to_owned(), SENT_AT.to_string()]);
        let refused = |output: &Output, reason: &str| {
            assert_exit(output, 8);
            assert_eq!(stdout(output), "", "{name}");
            assert!(
                stderr(output)
                    .starts_with(&format!("error: the delivery did not verify: {reason}")),
                "{name}: {}",
                stderr(output)
            );
        };

        let changed = case.body.replacen("1764589997", "1764589998", 1);
        refused(
            &verify(&vectors.secret, changed.as_bytes(), &args),
            "the signature does not match",
        );
        refused(
            &verify("whsec_another", case.body.as_bytes(), &args),
            "the signature does not match",
        );
        let mut later = header_flags(case, ALL);
        later.extend(["--now".to_owned(), (SENT_AT + 301).to_string()]);
        refused(
            &verify(&vectors.secret, case.body.as_bytes(), &later),
            "the event is stale: sent 301 s ago",
        );
        let mut earlier = header_flags(case, ALL);
        earlier.extend([
            "--now".to_owned(),
            (SENT_AT - 400).to_string(),
            "--max-age".to_owned(),
            "60".to_owned(),
        ]);
        refused(
            &verify(&vectors.secret, case.body.as_bytes(), &earlier),
            "the event is from the future: 400 s ahead, more than the 60 s accepted",
        );
        // The clock, without --now: the vectors are older than five minutes.
        refused(
            &verify(
                &vectors.secret,
                case.body.as_bytes(),
                &header_flags(case, ALL),
            ),
            "the event is stale",
        );
        let mut tampered = header_flags(case, &["X-Signature"]);
        let signature = &case.headers["X-Signature"];
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        tampered[1] = format!("X-Signature: {flipped}{}", &signature[1..]);
        tampered.extend(["--now".to_owned(), SENT_AT.to_string()]);
        refused(
            &verify(&vectors.secret, case.body.as_bytes(), &tampered),
            "the signature does not match (X-Signature)",
        );
        let mut wrong_time = header_flags(case, &["X-Signature"]);
        wrong_time.extend([
            "--header".to_owned(),
            "X-Timestamp: 1764590001".to_owned(),
            "--now".to_owned(),
            SENT_AT.to_string(),
        ]);
        refused(
            &verify(&vectors.secret, case.body.as_bytes(), &wrong_time),
            "the X-Timestamp header differs from the body's timestamp",
        );
    }
}

#[test]
fn the_simple_signature_alone_prints_only_its_four_fields_when_allowed() {
    let vectors = vectors();
    let case = &vectors.cases["declined_kyb"];
    let mut args = header_flags(case, &["X-Signature-Simple", "X-Timestamp"]);
    args.extend(["--now".to_owned(), SENT_AT.to_string()]);
    let output = verify(&vectors.secret, case.body.as_bytes(), &args);
    assert_exit(&output, 8);
    assert!(stderr(&output).contains("X-Signature-Simple alone is not accepted"));

    args.push("--allow-simple-signature".to_owned());
    let output = verify(&vectors.secret, case.body.as_bytes(), &args);
    assert_exit(&output, 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "signature": "X-Signature-Simple",
            "duplicate": false,
            "summary": {
                "timestamp": SENT_AT,
                "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
                "status": "Declined",
                "webhook_type": "status.updated",
            },
        })
    );
}

#[test]
fn missing_secrets_and_malformed_flags_exit_with_2() {
    let output = run(
        &mut didit(),
        &[
            "webhooks",
            "verify",
            "--secret-env",
            "DIDIT_TEST_UNSET_VARIABLE",
        ],
    );
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("DIDIT_TEST_UNSET_VARIABLE is not set"));

    let output = verify("s", b"{}", &["--header".to_owned(), "no colon".to_owned()]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("is not written as `Name: value`"));

    let output = run(&mut didit(), &["webhooks", "verify"]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("--secret-env"));
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn listen_verifies_prints_and_answers_each_delivery() {
    let secret = "whsec_listen_test";
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("didit"))
        .args([
            "webhooks",
            "listen",
            "--port",
            "0",
            "--secret-env",
            SECRET_ENV,
        ])
        .env(SECRET_ENV, secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut errors = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    errors.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();

    let signed = Signer::new(secret)
        .sign(&serde_json::json!({
            "webhook_type": "status.updated",
            "timestamp": now(),
            "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
            "status": "In Review",
            "vendor_data": "user-7",
        }))
        .unwrap();
    let client = didit::reqwest::Client::new();
    let post = |body: Vec<u8>| {
        let mut request = client.post(format!("{url}webhooks")).body(body);
        for (name, value) in &signed.headers {
            request = request.header(name.as_str(), value.to_str().unwrap());
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(post(signed.body.clone()).await, (200, "ok".to_owned()));
    assert_eq!(
        post(signed.body.clone()).await,
        (200, "duplicate".to_owned())
    );
    let tampered = String::from_utf8(signed.body.clone())
        .unwrap()
        .replace("In Review", "Approved");
    let (status, reason) = post(tampered.into_bytes()).await;
    assert_eq!(status, 401);
    assert!(
        reason.starts_with("the signature does not match"),
        "{reason}"
    );

    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let printed: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(printed.len(), 2);
    let body: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
    assert_eq!(printed[0]["event"], body);
    assert_eq!(printed[0]["duplicate"], false);
    assert_eq!(printed[1]["duplicate"], true);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut errors, &mut rest).unwrap();
    assert!(
        rest.contains("note: refused a delivery (401 Unauthorized): the signature does not match"),
        "{rest}"
    );
}
