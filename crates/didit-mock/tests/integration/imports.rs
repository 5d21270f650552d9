//! `/v3/session/imports/`: uploads and addresses become jobs that move one
//! step per read, refuse bad rows and import good ones as sessions.

use crate::common;

use common::{SOME_WORKFLOW, call, conforms};
use didit_mock::{DEFAULT_API_KEY, DiditMock};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const GOOD_AND_BAD: &str = "external_id,vendor_data,status,first_name,last_name,date_of_birth,document_number,country\n\
ext-1,user-1,Approved,Jane,Doe,1990-05-01,X100,ESP\n\
ext-2,user-2,Unknown Status,John,Roe,1985-01-02,X200,FRA\n\
ext-3,user-3,Declined,Ann,Poe,02/03/1970,X300,DEU\n\
ext-4,user-4,Declined,Ann,Poe,1970-03-02,,DEU\n\
ext-5,user-5,In Review,Max,Moe,,X500,ITA\n";

/// Uploads `content` as `name` with the form's other `fields`.
async fn upload(
    mock: &DiditMock,
    name: &str,
    content: &str,
    fields: &[(&str, &str)],
) -> common::Answer {
    let mut form = Form::new().part(
        "file",
        Part::bytes(content.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    for (field, value) in fields {
        form = form.text(field.to_string(), value.to_string());
    }
    let response = common::client()
        .post(format!("{}/v3/session/imports/", mock.uri()))
        .header("x-api-key", DEFAULT_API_KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    let answer = common::Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap(),
        bytes,
    };
    conforms("create_session_import", &answer);
    answer
}

async fn job(mock: &DiditMock, id: &str) -> Value {
    let answer = call(
        mock,
        Method::GET,
        &format!("/v3/session/imports/{id}/"),
        None,
    )
    .await;
    conforms("get_session_import", &answer);
    assert_eq!(answer.status, 200);
    answer.body
}

#[tokio::test]
async fn an_upload_moves_through_its_states_and_imports_the_good_rows() {
    let mock = DiditMock::builder().synthetic(3, 1).start().await;
    let created = upload(
        &mock,
        "sessions.csv",
        GOOD_AND_BAD,
        &[("workflow_id", SOME_WORKFLOW)],
    )
    .await;
    assert_eq!(created.status, 201, "{:#}", created.body);
    assert_eq!(created.body["status"], "PENDING");
    assert_eq!(created.body["source_format"], "csv");
    assert_eq!(created.body["source_filename"], "sessions.csv");
    let id = created.body["uuid"].as_str().unwrap().to_owned();

    // One job at a time.
    let second = upload(
        &mock,
        "more.csv",
        GOOD_AND_BAD,
        &[("workflow_id", SOME_WORKFLOW)],
    )
    .await;
    assert_eq!(second.status, 429);

    let processing = job(&mock, &id).await;
    assert_eq!(processing["status"], "PROCESSING");
    assert_eq!(processing["total_rows"], 5);
    assert_eq!(processing["processed_rows"], 0);
    assert_eq!(mock.current_store().len(), 3);

    let done = job(&mock, &id).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["processed_rows"], 5);
    assert_eq!(done["created_count"], 2);
    assert_eq!(done["failed_count"], 3);
    assert!(done["completed_at"].is_string());
    assert_eq!(job(&mock, &id).await, done, "a finished job stays as it is");
    assert_eq!(mock.current_store().len(), 5);
    let mut migrated: Vec<_> = mock
        .current_store()
        .kyc()
        .iter()
        .filter(|record| record.facts.session_type.as_deref() == Some("MIGRATED"))
        .map(|record| record.facts.document_number.clone().unwrap())
        .collect();
    migrated.sort();
    assert_eq!(migrated, ["X100", "X500"]);

    // The refused rows, in file order, paged.
    let first = call(
        &mock,
        Method::GET,
        &format!("/v3/session/imports/{id}/errors/?limit=2"),
        None,
    )
    .await;
    conforms("list_session_import_errors", &first);
    assert_eq!(first.body["count"], 3);
    let rows: Vec<i64> = first.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["row_number"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [2, 3]);
    assert_eq!(first.body["results"][0]["error"], "status: invalid value");
    assert_eq!(first.body["results"][0]["external_id"], "ext-2");
    assert_eq!(first.body["results"][0]["raw_row"]["first_name"], "John");
    let next = first.body["next"].as_str().unwrap();
    let last = common::get_url(next, Some(DEFAULT_API_KEY)).await;
    assert_eq!(last.body["results"][0]["row_number"], 4);
    assert_eq!(
        last.body["results"][0]["error"],
        "document_number: This field is required."
    );
    assert!(last.body["next"].is_null());

    // Importing a row again updates its session.
    let again = upload(
        &mock,
        "again.csv",
        "external_id,status,first_name,last_name,document_number\next-1,Declined,Jane,Doe,X100\n",
        &[("workflow_id", SOME_WORKFLOW)],
    )
    .await;
    let again_id = again.body["uuid"].as_str().unwrap().to_owned();
    job(&mock, &again_id).await;
    let updated = job(&mock, &again_id).await;
    assert_eq!(updated["updated_count"], 1);
    assert_eq!(updated["created_count"], 0);
    assert_eq!(mock.current_store().len(), 5);
}

#[tokio::test]
async fn ndjson_uploads_and_kyb_rows_are_imported() {
    let mock = DiditMock::builder().start().await;
    let lines = "{\"external_id\": \"b-1\", \"status\": \"Approved\", \"company_name\": \"Acme\"}\nnot json\n";
    let created = upload(
        &mock,
        "companies.ndjson",
        lines,
        &[
            ("workflow_id", SOME_WORKFLOW),
            ("import_type", "business_verification"),
        ],
    )
    .await;
    assert_eq!(created.status, 201, "{:#}", created.body);
    let id = created.body["uuid"].as_str().unwrap().to_owned();
    job(&mock, &id).await;
    let done = job(&mock, &id).await;
    assert_eq!(done["created_count"], 1);
    assert_eq!(done["failed_count"], 1);
    assert_eq!(mock.current_store().kyb().len(), 1);
}

#[tokio::test]
async fn bad_requests_are_refused_as_documented() {
    let mock = DiditMock::builder().start().await;
    let workflow = [("workflow_id", SOME_WORKFLOW)];
    let wrong_type = upload(&mock, "sessions.xlsx", "external_id\n", &workflow).await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(
        wrong_type.body,
        json!({"file": ["Only CSV and NDJSON files are supported."]})
    );
    let no_workflow = upload(&mock, "sessions.csv", "external_id\n", &[]).await;
    assert_eq!(
        no_workflow.body,
        json!({"workflow_id": ["This field is required for this import type."]})
    );
    let both = upload(
        &mock,
        "sessions.csv",
        "external_id\n",
        &[
            ("workflow_id", SOME_WORKFLOW),
            ("source_file_url", "https://files.example.com/a.csv"),
        ],
    )
    .await;
    assert_eq!(
        both.body,
        json!({"file": ["Use either file or source_file_url, not both."]})
    );
    let none = call(
        &mock,
        Method::POST,
        "/v3/session/imports/",
        Some(&json!({"workflow_id": SOME_WORKFLOW})),
    )
    .await;
    conforms("create_session_import", &none);
    assert_eq!(
        none.body,
        json!({"file": ["Upload a file or provide source_file_url."]})
    );
    let too_large = upload(
        &mock,
        "sessions.csv",
        &"x".repeat(25 * 1024 * 1024 + 1),
        &workflow,
    )
    .await;
    assert_eq!(
        too_large.body,
        json!({"file": ["Import file exceeds the maximum allowed size."]})
    );
    for path in [
        "/v3/session/imports/00000000-0000-0000-0000-000000000001/",
        "/v3/session/imports/00000000-0000-0000-0000-000000000001/errors/",
    ] {
        let missing = call(&mock, Method::GET, path, None).await;
        assert_eq!(missing.status, 404, "{path}");
    }
}

#[tokio::test]
async fn an_address_is_taken_but_never_fetched() {
    let mock = DiditMock::builder().start().await;
    let created = call(
        &mock,
        Method::POST,
        "/v3/session/imports/",
        Some(&json!({
            "workflow_id": SOME_WORKFLOW,
            "source_file_url": "https://files.example.com/exports/sessions.ndjson",
        })),
    )
    .await;
    conforms("create_session_import", &created);
    assert_eq!(created.status, 201);
    assert_eq!(created.body["source_format"], "ndjson");
    assert_eq!(created.body["source_filename"], "sessions.ndjson");
    let id = created.body["uuid"].as_str().unwrap().to_owned();
    job(&mock, &id).await;
    let failed = job(&mock, &id).await;
    assert_eq!(failed["status"], "FAILED");
    assert!(failed["last_error"].is_string());
    let plain = call(
        &mock,
        Method::POST,
        "/v3/session/imports/",
        Some(&json!({"workflow_id": SOME_WORKFLOW, "source_file_url": "http://files.example.com/a.csv"})),
    )
    .await;
    assert_eq!(plain.status, 400);
}

#[tokio::test]
async fn the_template_is_a_csv_header_line() {
    let mock = DiditMock::builder().start().await;
    let template = call(&mock, Method::GET, "/v3/session/imports/template/", None).await;
    conforms("get_session_import_template", &template);
    assert!(template.bytes.starts_with(b"external_id,"));
    assert!(template.bytes.ends_with(b"\n"));
    let kyb = call(
        &mock,
        Method::GET,
        "/v3/session/imports/template/?import_type=business_verification",
        None,
    )
    .await;
    assert!(String::from_utf8_lossy(&kyb.bytes).contains("company_name"));
}
