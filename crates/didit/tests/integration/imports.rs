//! Imports: an upload against the fake from file to sessions and refused
//! rows, the checks that keep a bad file from being sent, how an upload
//! goes on the wire, and the template saved atomically.

use crate::common::KEY;
use didit::{Error, ImportStatus, MAX_IMPORT_FILE_BYTES, Uuid};
use didit_mock::DiditMock;
use futures::TryStreamExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

const GOOD_AND_BAD: &str = "external_id,vendor_data,status,first_name,last_name,date_of_birth,document_number,country\n\
ext-1,user-1,Approved,Jane,Doe,1990-05-01,X100,ESP\n\
ext-2,user-2,Unknown Status,John,Roe,1985-01-02,X200,FRA\n\
ext-3,user-3,Declined,Ann,Poe,02/03/1970,X300,DEU\n\
ext-4,user-4,Declined,Ann,Poe,1970-03-02,,DEU\n\
ext-5,user-5,In Review,Max,Moe,,X500,ITA\n";

fn mock_client(mock: &DiditMock) -> didit::Client {
    didit::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .build()
        .unwrap()
}

fn workflow() -> Uuid {
    Uuid::parse_str(WORKFLOW).unwrap()
}

#[tokio::test]
async fn an_upload_ends_with_sessions_for_good_rows_and_errors_for_bad_ones() {
    let mock = DiditMock::builder().start().await;
    let client = mock_client(&mock);
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("sessions.csv");
    std::fs::write(&file, GOOD_AND_BAD).unwrap();

    let imports = client.sessions().imports();
    let job = imports
        .upload(&file)
        .workflow_id(workflow())
        .send()
        .await
        .unwrap();
    assert_eq!(job.metadata().status(), 201);
    assert_eq!(job.status, ImportStatus::Pending);
    assert_eq!(job.source_filename, "sessions.csv");
    let processing = imports.get(job.uuid).send().await.unwrap();
    assert_eq!(processing.status, ImportStatus::Processing);
    assert_eq!(processing.total_rows, 5);
    let done = imports.get(job.uuid).send().await.unwrap();
    assert_eq!(done.status, ImportStatus::Completed);
    assert_eq!(
        (done.created_count, done.failed_count, done.processed_rows),
        (2, 3, 5)
    );

    // The refused rows, two to a page, followed by their links.
    let refused: Vec<_> = imports
        .errors(job.uuid)
        .limit(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let rows: Vec<i64> = refused.iter().map(|row| row.row_number).collect();
    assert_eq!(rows, [2, 3, 4]);
    assert_eq!(refused[2].error, "document_number: This field is required.");
    assert_eq!(
        refused[0].external_id.clone().flatten().as_deref(),
        Some("ext-2")
    );

    // The good rows are sessions of the list now.
    let migrated: Vec<_> = client
        .sessions()
        .list()
        .session_type(["MIGRATED"])
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(migrated.len(), 2);
}

#[tokio::test]
async fn files_that_fail_the_checks_are_never_sent() {
    let mock = DiditMock::builder().record_requests(true).start().await;
    let client = mock_client(&mock);
    let directory = tempfile::tempdir().unwrap();
    let write = |name: &str, content: &str| {
        let file = directory.path().join(name);
        std::fs::write(&file, content).unwrap();
        file
    };
    // Sparse: as large as it says without the disk or memory it names.
    let oversize = directory.path().join("big.csv");
    std::fs::File::create(&oversize)
        .unwrap()
        .set_len(MAX_IMPORT_FILE_BYTES + 1)
        .unwrap();
    let long_line = write("long.csv", &"x".repeat(70 * 1024));
    let cases = [
        (oversize, "TooLarge"),
        (write("sessions.xlsx", GOOD_AND_BAD), "UnknownFormat"),
        (
            write("no-key.csv", "first_name,last_name\nJane Secret,Doe\n"),
            "MissingExternalId",
        ),
        (write("lines.ndjson", "[\"Jane Secret\"]\n"), "NotJsonLines"),
        (write("empty.csv", ""), "Empty"),
        (long_line, "FirstLineUnreadable"),
        (directory.path().join("missing.csv"), "Unreadable"),
    ];
    for (file, expected) in cases {
        let error = client
            .sessions()
            .imports()
            .upload(&file)
            .workflow_id(workflow())
            .send()
            .await
            .unwrap_err();
        let Error::ImportFile { path, problem, .. } = &error else {
            panic!("{file:?}: {error:?}");
        };
        assert_eq!(path, &file);
        let name = format!("{problem:?}");
        assert!(name.starts_with(expected), "{file:?}: {name}");
        assert!(!error.to_string().contains("Secret"), "{error}");
        assert!(!format!("{error:?}").contains("Secret"), "{error:?}");
    }
    assert_eq!(mock.requests(), [], "nothing was sent");
}

#[tokio::test]
async fn an_upload_is_one_streamed_multipart_request_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/session/imports/"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = didit::Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("sessions.ndjson");
    let content = "{\"external_id\": \"e-1\"}\n";
    std::fs::write(&file, content).unwrap();
    let told = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let error = client
        .sessions()
        .imports()
        .upload(&file)
        .workflow_id(workflow())
        .import_type(didit::ImportType::UserVerification)
        .on_progress({
            let told = told.clone();
            move |sent, size| told.lock().unwrap().push((sent, size))
        })
        .send()
        .await
        .unwrap_err();
    let size = content.len() as u64;
    assert_eq!(told.lock().unwrap().last(), Some(&(size, size)));
    assert!(matches!(error, Error::Api { .. }), "{error:?}");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "a streamed write is sent once");
    let request = &received[0];
    assert_eq!(request.headers.get("x-api-key").unwrap(), KEY);
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart form");
    let body = String::from_utf8(request.body.clone()).unwrap();
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    assert!(
        body.contains(&part("import_type", "user_verification")),
        "{body}"
    );
    assert!(body.contains(&part("workflow_id", WORKFLOW)), "{body}");
    assert!(body.contains(&part("source_format", "ndjson")), "{body}");
    assert!(body.contains(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sessions.ndjson\"\r\nContent-Type: application/x-ndjson\r\n\r\n{content}\r\n--{boundary}--\r\n"
    )), "{body}");
    assert!(!body.contains("source_file_url"));
}

#[tokio::test]
async fn an_import_from_an_address_is_a_json_request() {
    let mock = DiditMock::builder().start().await;
    let client = mock_client(&mock);
    let imports = client.sessions().imports();
    let job = imports
        .from_url("https://files.example.com/exports/sessions.ndjson")
        .workflow_id(workflow())
        .send()
        .await
        .unwrap();
    assert_eq!(job.status, ImportStatus::Pending);
    imports.get(job.uuid).send().await.unwrap();
    // The fake fetches nothing: the job fails, and says why.
    let failed = imports.get(job.uuid).send().await.unwrap();
    assert_eq!(failed.status, ImportStatus::Failed);
    assert!(failed.last_error.clone().flatten().is_some());
    let refused = imports
        .from_url("ftp://files.example.com/a.csv?token=secret")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        Error::InvalidInput {
            parameter: "source_file_url",
            ..
        }
    ));
    assert!(!refused.to_string().contains("secret"));
    let unknown = imports.get(Uuid::nil()).send().await.unwrap_err();
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown:?}");
}

#[tokio::test]
async fn the_template_is_saved_whole_or_not_at_all() {
    let mock = DiditMock::builder().start().await;
    let directory = tempfile::tempdir().unwrap();
    let target = directory.path().join("template.csv");
    let written = mock_client(&mock)
        .sessions()
        .imports()
        .template()
        .import_type(didit::ImportType::BusinessVerification)
        .send()
        .await
        .unwrap()
        .save(&target)
        .await
        .unwrap();
    let saved = std::fs::read_to_string(&target).unwrap();
    assert!(saved.starts_with("external_id,"), "{saved}");
    assert!(saved.contains("company_name"));
    assert_eq!(written, saved.len() as u64);

    // A template longer than the client reads fails, and leaves the file
    // that was there, and nothing else.
    let small = didit::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .max_response_bytes(10)
        .build()
        .unwrap();
    let outcome = match small.sessions().imports().template().send().await {
        Ok(template) => template.save(&target).await,
        Err(error) => Err(error),
    };
    assert!(
        matches!(outcome, Err(Error::ResponseTooLarge { .. })),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), saved);
    let names: Vec<_> = std::fs::read_dir(directory.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["template.csv"]);
}

#[test]
fn requests_do_not_show_their_address_in_debug() {
    let client = didit::Client::builder().api_key(KEY).build().unwrap();
    let imports = client.sessions().imports();
    let import = imports.from_url("https://files.example.com/a.csv?signature=secret-token");
    let shown = format!("{import:?}");
    assert!(!shown.contains("secret-token"), "{shown}");
    assert!(shown.contains("source_file_url"), "{shown}");
    let upload = imports.upload("sessions.csv").on_progress(|_, _| {});
    assert!(format!("{upload:?}").contains("progress: Some(\"[set]\")"));
}

/// A job read in `status`, with `processed` of ten rows done.
fn job(status: &str, processed: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "uuid": WORKFLOW, "status": status, "import_type": "user_verification",
        "source_format": "csv", "source_filename": "sessions.csv",
        "total_rows": 10, "processed_rows": processed, "created_count": processed,
        "updated_count": 0, "skipped_count": 0, "failed_count": 0,
    }))
}

#[tokio::test]
async fn a_wait_polls_through_a_paused_job_until_it_is_over() {
    let server = MockServer::start().await;
    let route = format!("/v3/session/imports/{WORKFLOW}/");
    // Each answer once, in this order: wiremock picks the first match.
    for (status, processed) in [("PROCESSING", 2), ("PAUSED", 5), ("PROCESSING", 8)] {
        Mock::given(method("GET"))
            .and(path(route.clone()))
            .respond_with(job(status, processed))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(route.clone()))
        .respond_with(job("FAILED", 9))
        .mount(&server)
        .await;
    let client = didit::Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let imports = client.sessions().imports();
    let done = imports
        .wait_until_finished(workflow())
        .poll_interval(std::time::Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status, ImportStatus::Failed);
    assert_eq!(done.processed_rows, 9);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);

    // A job that never ends is a wait timeout.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(job("PAUSED", 5))
        .mount(&server)
        .await;
    let error = imports
        .wait_until_finished(workflow())
        .poll_interval(std::time::Duration::from_millis(5))
        .timeout(std::time::Duration::from_millis(20))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: didit::TimeoutScope::Wait,
                ..
            }
        ),
        "{error:?}"
    );
}
