//! Create, decide, review, delete and report: what each lifecycle method
//! sends, and how it reads what comes back.

use std::time::Duration;

use crate::common::{self, KEY, client};
use didit::types::NewSessionStatus;
use didit::{Error, SessionStatus, TimeoutScope, Uuid};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";
const WORKFLOW: &str = "33333333-4444-5555-6666-777777777777";

fn session() -> Uuid {
    Uuid::parse_str(SESSION).unwrap()
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap()
}

#[tokio::test]
async fn create_sends_every_field_it_was_given_and_keeps_the_token_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/session/"))
        .and(header("x-api-key", KEY))
        .and(body_json(json!({
            "workflow_id": WORKFLOW,
            "vendor_data": "user-42",
            "callback": "https://example.com/done",
            "callback_method": "both",
            "metadata": {"plan": "premium", "seats": 3},
            "language": "es",
            "portrait_image": "/9j/4A==",
            "sandbox_scenario": "approved",
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "session_id": SESSION,
            "session_number": 43762,
            "session_token": "3FaJ9wLqX2Mz",
            "url": "https://verify.didit.me/session/3FaJ9wLqX2Mz",
            "vendor_data": "user-42",
            "metadata": {"plan": "premium", "seats": 3},
            "status": "Not Started",
            "callback": "https://example.com/done",
            "workflow_id": WORKFLOW,
            "workflow_version": 2,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .sessions()
        .create(Uuid::parse_str(WORKFLOW).unwrap())
        .vendor_data("user-42")
        .callback("https://example.com/done")
        .callback_method(didit::types::CallbackMethod::Both)
        .metadata(json!({"plan": "premium", "seats": 3}))
        .language(didit::Language::from("es"))
        .portrait_image([0xff, 0xd8, 0xff, 0xe0])
        .sandbox_scenario("approved")
        .send()
        .await
        .unwrap();
    assert_eq!(created.session_id(), session());
    assert_eq!(created.status(), &SessionStatus::NotStarted);
    let token = created.session_token();
    assert_eq!(token.expose_secret(), "3FaJ9wLqX2Mz");
    assert!(!format!("{:?}", created.session_token).contains("3FaJ9wLqX2Mz"));
    // The generated client's own header is not sent: the API has none.
    let sent = &requests(&server).await[0];
    assert!(sent.headers.get("api-version").is_none());
}

#[tokio::test]
async fn an_answer_without_a_required_property_is_a_decode_error_naming_it() {
    let server = MockServer::start().await;
    // A create answer with no `url`, and a decision whose second check has a
    // mistyped property: each fails by name and path, never by value.
    Mock::given(method("POST"))
        .and(path("/v3/session/"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "session_id": SESSION, "session_number": 1, "session_token": "Jane-Token",
            "vendor_data": null, "metadata": null, "status": "Not Started",
            "callback": null, "workflow_id": WORKFLOW, "workflow_version": 1,
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/session/{SESSION}/decision/")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "session_id": SESSION, "status": "Approved",
            "id_verifications": [{"first_name": "Jane"}, {"age": "Jane Doe"}],
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let sessions = client.sessions();
    let error = sessions.create(session()).send().await.unwrap_err();
    let Error::Decode { path, expected, .. } = &error else {
        panic!("a decode error: {error:?}")
    };
    assert_eq!(path, ".");
    assert!(expected.starts_with("missing field `url`"), "{expected}");
    let error = sessions.decision(session()).send().await.unwrap_err();
    let Error::Decode { path, .. } = &error else {
        panic!("a decode error: {error:?}")
    };
    assert_eq!(path, "id_verifications[1].age");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("Jane"), "{shown}");
    }
}

#[tokio::test]
async fn a_create_that_may_have_reached_the_server_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let error = client(&server)
        .sessions()
        .create(Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn the_decision_is_read_with_or_without_events() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/session/{SESSION}/decision/")))
        .and(query_param("include", "events"))
        .respond_with(common::ok(json!({
            "session_id": SESSION,
            "status": "Approved",
            "features": [{"feature": "ID_VERIFICATION", "node_id": "feature_ocr"}],
            "brand_new_section": {"kept": true},
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/session/{SESSION}/decision/")))
        .respond_with(common::ok(
            json!({"session_id": SESSION, "status": "In Review"}),
        ))
        .mount(&server)
        .await;
    let sessions = client(&server);
    let plain = sessions
        .sessions()
        .decision(session())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), &SessionStatus::InReview);
    let with_events = sessions
        .sessions()
        .decision(session())
        .include_events(true)
        .send()
        .await
        .unwrap();
    assert_eq!(with_events.status(), &SessionStatus::Approved);
    // What this version does not know is kept.
    assert_eq!(
        serde_json::to_value(&with_events).unwrap()["brand_new_section"],
        json!({"kept": true})
    );
}

#[tokio::test]
async fn an_unknown_session_is_not_found_everywhere() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    let sessions = client(&server);
    let sessions = sessions.sessions();
    let outcomes = [
        sessions.decision(session()).send().await.map(|_| ()),
        sessions.delete(session()).send().await.map(|_| ()),
        sessions
            .update_status(session(), NewSessionStatus::Approved)
            .send()
            .await
            .map(|_| ()),
        sessions.pdf(session()).send().await.map(|_| ()),
    ];
    for outcome in outcomes {
        assert!(
            matches!(outcome, Err(Error::NotFound { .. })),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn update_status_sends_the_review_and_reads_every_400_shape() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/v3/session/{SESSION}/update-status/")))
        .and(body_json(json!({
            "new_status": "Declined",
            "comment": "photo mismatch",
            "send_email": true,
            "email_address": "user@example.com",
            "email_language": "en",
        })))
        .respond_with(common::ok(json!({"session_id": SESSION})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(body_json(json!({"new_status": "Approved"})))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!(["Status is already Approved."])),
        )
        .mount(&server)
        .await;
    let sessions = client(&server);
    let updated = sessions
        .sessions()
        .update_status(session(), NewSessionStatus::Declined)
        .comment("photo mismatch")
        .send_email("user@example.com", Some(didit::Language::from("en")))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.session_id, Some(session()));
    let error = sessions
        .sessions()
        .update_status(session(), NewSessionStatus::Approved)
        .send()
        .await
        .unwrap_err();
    let Error::Api { status, body, .. } = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(status.as_u16(), 400);
    assert!(body.text().contains("already Approved"));
    assert_eq!(
        error.to_string(),
        "the API answered 400 Bad Request: Status is already Approved."
    );
}

#[tokio::test]
async fn deletes_name_what_they_delete_and_delete_all_is_its_own_call() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v3/session/{SESSION}/delete/")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/sessions/delete/"))
        .and(body_json(json!({"session_numbers": ["43762", "43763"]})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/sessions/delete/"))
        .and(body_json(json!({"delete_all": true})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sessions = client.sessions();
    sessions.delete(session()).send().await.unwrap();
    sessions.delete_many([43762, 43763]).send().await.unwrap();
    sessions
        .delete_every_session_irreversibly()
        .send()
        .await
        .unwrap();
    let none = sessions.delete_many([]).send().await.unwrap_err();
    assert!(matches!(
        none,
        Error::InvalidInput {
            parameter: "session_numbers",
            ..
        }
    ));
    assert_eq!(requests(&server).await.len(), 3);
}

/// A directory for one test, removed at the end.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.path().join(name)
    }

    /// The names in the directory: no temporary file may be left behind.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.0.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

async fn serving_pdf(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/session/{SESSION}/generate-pdf/")))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn pdf_bytes(size: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(size.saturating_sub(6), b' ');
    pdf.extend_from_slice(b"%%EOF\n");
    pdf
}

#[tokio::test]
async fn a_report_is_saved_whole_and_owner_only() {
    let pdf = pdf_bytes(300_000);
    let server = serving_pdf(
        ResponseTemplate::new(200)
            .set_body_raw(pdf.clone(), "application/pdf")
            .insert_header(
                "content-disposition",
                "attachment; filename=\"../session.pdf\"",
            ),
    )
    .await;
    let scratch = Scratch::new();
    let target = scratch.file("report.pdf");
    let report = client(&server)
        .sessions()
        .pdf(session())
        .send()
        .await
        .unwrap();
    assert_eq!(report.file_name(), Some("session.pdf"));
    assert!(!format!("{report:?}").contains("session.pdf"), "{report:?}");
    let written = report.save(&target).await.unwrap();
    assert_eq!(written, pdf.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), pdf);
    assert_eq!(scratch.names(), ["report.pdf"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_pdf_leaves_nothing_behind() {
    let server = serving_pdf(
        ResponseTemplate::new(200).set_body_raw("<html>Jane Doe</html>", "application/pdf"),
    )
    .await;
    let scratch = Scratch::new();
    let target = scratch.file("report.pdf");
    std::fs::write(&target, "an older report").unwrap();
    let error = client(&server)
        .sessions()
        .pdf(session())
        .send()
        .await
        .unwrap()
        .save(&target)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("Jane"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "an older report");
    assert_eq!(scratch.names(), ["report.pdf"]);
}

#[tokio::test]
async fn a_report_longer_than_the_limit_is_cut_off() {
    let server =
        serving_pdf(ResponseTemplate::new(200).set_body_raw(pdf_bytes(50_000), "application/pdf"))
            .await;
    let scratch = Scratch::new();
    // The announced length is over the limit: the answer is refused before
    // anything is written.
    let error = async {
        common::builder(&server)
            .max_response_bytes(10_000)
            .build()?
            .sessions()
            .pdf(session())
            .send()
            .await?
            .save(scratch.file("report.pdf"))
            .await
    }
    .await
    .unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 10_000, .. }),
        "{error:?}"
    );
    assert!(scratch.names().is_empty(), "{:?}", scratch.names());
}

#[tokio::test]
async fn a_report_of_an_unfinished_session_is_not_ready() {
    let server = serving_pdf(ResponseTemplate::new(403).set_body_json(json!({
        "detail": "You can only generate a PDF for sessions in review, declined, approved or kyc expired",
    })))
    .await;
    let error = client(&server)
        .sessions()
        .pdf(session())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ReportNotReady { .. }), "{error:?}");
    // A refused key stays a refusal, with the server's words.
    let refused = serving_pdf(ResponseTemplate::new(403).set_body_json(json!({
        "detail": "You do not have permission to perform this action.",
    })))
    .await;
    let error = client(&refused)
        .sessions()
        .pdf(session())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    assert!(
        error.to_string().ends_with("perform this action."),
        "{error}"
    );
}

#[tokio::test]
async fn waiting_polls_until_a_final_status() {
    let server = MockServer::start().await;
    for status in ["Not Started", "In Progress", "In Review"] {
        Mock::given(path(format!("/v3/session/{SESSION}/decision/")))
            .respond_with(common::ok(json!({"session_id": SESSION, "status": status})))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(path(format!("/v3/session/{SESSION}/decision/")))
        .respond_with(common::ok(
            json!({"session_id": SESSION, "status": "Approved"}),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let decision = client(&server)
        .sessions()
        .wait_for_decision(session())
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), &SessionStatus::Approved);
    assert_eq!(requests(&server).await.len(), 4);
}

#[tokio::test]
async fn waiting_gives_up_at_its_timeout() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/v3/session/{SESSION}/decision/")))
        .respond_with(common::ok(
            json!({"session_id": SESSION, "status": "In Progress"}),
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .sessions()
        .wait_for_decision(session())
        .poll_interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Wait,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn writes_do_not_wait_for_the_read_budget() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(common::ok(common::page([1], None)))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .rate_limit(1, Duration::from_secs(3600))
        .build()
        .unwrap();
    client.sessions().list().send().await.unwrap();
    // The read budget is spent for an hour; a write has its own.
    tokio::time::timeout(
        Duration::from_secs(10),
        client.sessions().delete(session()).send(),
    )
    .await
    .expect("the write did not wait for the read budget")
    .unwrap();
}
