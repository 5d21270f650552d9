//! `didit imports upload|show|wait|errors|template` against the fake server.

use didit_mock::DiditMock;
use serde_json::Value;

use super::{KEY, Scratch, assert_exit, didit_at, run, stderr, stdout};

const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

const GOOD_AND_BAD: &str = "external_id,vendor_data,status,first_name,last_name,date_of_birth,document_number,country\n\
ext-1,user-1,Approved,Jane,Doe,1990-05-01,X100,ESP\n\
ext-2,user-2,Unknown Status,John,Roe,1985-01-02,X200,FRA\n\
ext-3,user-3,Declined,Ann,Poe,02/03/1970,X300,DEU\n";

async fn mock() -> DiditMock {
    DiditMock::builder()
        .api_key(KEY)
        .record_requests(true)
        .start()
        .await
}

#[tokio::test]
async fn an_upload_is_followed_to_its_end_and_its_refused_rows_listed() {
    let mock = mock().await;
    let scratch = Scratch::new("imports-upload");
    let file = scratch.path("sessions.csv");
    std::fs::write(&file, GOOD_AND_BAD).unwrap();

    let output = run(
        &mut didit_at(&mock),
        &[
            "imports",
            "upload",
            &file,
            "--workflow-id",
            WORKFLOW,
            "--format",
            "json",
        ],
    );
    assert_exit(&output, 0);
    let job: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(job["status"], "PENDING");
    let id = job["uuid"].as_str().unwrap().to_owned();

    let processing = run(&mut didit_at(&mock), &["imports", "show", &id]);
    assert_exit(&processing, 0);
    assert!(
        stdout(&processing).contains("PROCESSING"),
        "{}",
        stdout(&processing)
    );
    let done = run(&mut didit_at(&mock), &["imports", "show", &id]);
    let table = stdout(&done);
    assert!(table.contains("COMPLETED"), "{table}");
    assert!(table.contains("3 of 3 processed"), "{table}");

    let csv = run(
        &mut didit_at(&mock),
        &["imports", "errors", &id, "--format", "csv"],
    );
    assert_exit(&csv, 0);
    assert_eq!(
        stdout(&csv),
        "row_number,external_id,error\n\
         2,ext-2,status: invalid value\n\
         3,ext-3,date_of_birth: Enter a valid date (YYYY-MM-DD).\n"
    );
    let json = run(
        &mut didit_at(&mock),
        &["imports", "errors", &id, "--format", "json"],
    );
    let entries: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(entries[0]["raw_row"]["first_name"], "John");
    let table = stdout(&run(&mut didit_at(&mock), &["imports", "errors", &id]));
    assert!(table.lines().nth(1).unwrap().contains("ext-2"), "{table}");
    assert_eq!(mock.current_store().len(), 1);
}

#[tokio::test]
async fn a_file_that_fails_the_checks_is_not_sent_and_exits_with_2() {
    let mock = mock().await;
    let scratch = Scratch::new("imports-refused");
    let file = scratch.path("sessions.csv");
    std::fs::write(&file, "first_name\nJane Secret\n").unwrap();
    let output = run(
        &mut didit_at(&mock),
        &["imports", "upload", &file, "--workflow-id", WORKFLOW],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("external_id"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("Secret"));
    // Both sources, or none, are usage mistakes too.
    for args in [
        &[
            "imports",
            "upload",
            &file,
            "--url",
            "https://files.example.com/a.csv",
        ][..],
        &["imports", "upload"][..],
    ] {
        assert_exit(&run(&mut didit_at(&mock), args), 2);
    }
    assert_eq!(mock.requests(), []);
}

#[tokio::test]
async fn an_address_is_sent_for_the_server_to_fetch() {
    let mock = mock().await;
    let output = run(
        &mut didit_at(&mock),
        &[
            "imports",
            "upload",
            "--url",
            "https://files.example.com/exports/sessions.ndjson",
            "--workflow-id",
            WORKFLOW,
        ],
    );
    assert_exit(&output, 0);
    assert!(stdout(&output).contains("PENDING"), "{}", stdout(&output));
    assert!(stdout(&output).contains("sessions.ndjson"));
}

#[tokio::test]
async fn the_template_is_saved_where_asked() {
    let mock = mock().await;
    let scratch = Scratch::new("imports-template");
    let target = scratch.path("columns.csv");
    let output = run(
        &mut didit_at(&mock),
        &[
            "imports",
            "template",
            "--import-type",
            "business_verification",
            "-o",
            &target,
        ],
    );
    assert_exit(&output, 0);
    assert!(stdout(&output).starts_with(&format!("saved {target} (")));
    let saved = std::fs::read_to_string(&target).unwrap();
    assert!(saved.starts_with("external_id,"), "{saved}");
    assert!(saved.contains("company_name"));
    assert_eq!(scratch.entries(), ["columns.csv"]);
}

#[tokio::test]
async fn wait_follows_a_job_until_it_is_over() {
    let mock = mock().await;
    let scratch = Scratch::new("imports-wait");
    let file = scratch.path("sessions.csv");
    std::fs::write(&file, GOOD_AND_BAD).unwrap();
    let output = run(
        &mut didit_at(&mock),
        &[
            "imports",
            "upload",
            &file,
            "--workflow-id",
            WORKFLOW,
            "--format",
            "json",
        ],
    );
    assert_exit(&output, 0);
    let job: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let id = job["uuid"].as_str().unwrap().to_owned();

    // The job is PENDING, then PROCESSING at the first read: waiting reads
    // on until it is over.
    let done = run(
        &mut didit_at(&mock),
        &["imports", "wait", &id, "--format", "json"],
    );
    assert_exit(&done, 0);
    let job: Value = serde_json::from_str(&stdout(&done)).unwrap();
    assert_eq!(job["status"], "COMPLETED", "{job:#}");
    assert_eq!(job["processed_rows"], 3);
}
