//! What every answer says besides its body: status, rate-limit headers and
//! the server's request identifier, checked before it is kept.

use crate::common::{self, client};
use didit::types::NewSessionStatus;
use didit::{ReplyMetadata, SessionStatus, Uuid};
use futures::StreamExt;
use serde_json::json;
use wiremock::http::HeaderValue;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";

fn session() -> Uuid {
    Uuid::parse_str(SESSION).unwrap()
}

/// `template` with rate-limit headers and the request identifier `id`.
fn with_metadata(template: ResponseTemplate, id: &str) -> ResponseTemplate {
    template
        .insert_header("X-RateLimit-Limit", "300")
        .insert_header("X-RateLimit-Remaining", "42")
        .insert_header("X-RateLimit-Reset", "1760000000")
        .insert_header("X-Request-Id", id)
}

async fn answer(server: &MockServer, verb: &str, route: String, template: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(template)
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_answer_carries_its_status_rate_limit_and_request_id() {
    let server = MockServer::start().await;
    let decision = json!({"session_id": SESSION, "status": "Approved"});
    answer(
        &server,
        "GET",
        "/v3/sessions/".to_owned(),
        with_metadata(common::ok(common::page([1], None)), "req-list"),
    )
    .await;
    answer(
        &server,
        "POST",
        "/v3/session/".to_owned(),
        with_metadata(
            ResponseTemplate::new(201).set_body_json(json!({
                "session_id": SESSION, "session_number": 1, "session_token": "t",
                "url": "https://verify.didit.me/session/t", "vendor_data": null,
                "metadata": null, "status": "Not Started", "callback": null,
                "workflow_id": SESSION, "workflow_version": 1,
            })),
            "req-create",
        ),
    )
    .await;
    answer(
        &server,
        "GET",
        format!("/v3/session/{SESSION}/decision/"),
        with_metadata(common::ok(decision), "req-decision"),
    )
    .await;
    answer(
        &server,
        "PATCH",
        format!("/v3/session/{SESSION}/update-status/"),
        with_metadata(common::ok(json!({"session_id": SESSION})), "req-update"),
    )
    .await;
    answer(
        &server,
        "DELETE",
        format!("/v3/session/{SESSION}/delete/"),
        with_metadata(ResponseTemplate::new(204), "req-delete"),
    )
    .await;
    answer(
        &server,
        "POST",
        "/v3/sessions/delete/".to_owned(),
        with_metadata(ResponseTemplate::new(204), "req-delete-many"),
    )
    .await;
    answer(
        &server,
        "GET",
        format!("/v3/session/{SESSION}/generate-pdf/"),
        with_metadata(
            ResponseTemplate::new(200).set_body_raw("%PDF-1.7 a report", "application/pdf"),
            "req-pdf",
        ),
    )
    .await;

    let client = client(&server);
    let sessions = client.sessions();
    let first_page = sessions.list().pages().next().await.unwrap().unwrap();
    let waited = sessions.wait_for_decision(session()).send().await.unwrap();
    assert_eq!(waited.status(), &SessionStatus::Approved);
    let answers: Vec<(ReplyMetadata, u16, &str)> = vec![
        (
            sessions.list().send().await.unwrap().metadata().clone(),
            200,
            "req-list",
        ),
        (first_page.metadata().clone(), 200, "req-list"),
        (
            sessions
                .create(session())
                .send()
                .await
                .unwrap()
                .metadata()
                .clone(),
            201,
            "req-create",
        ),
        (
            sessions
                .decision(session())
                .send()
                .await
                .unwrap()
                .metadata()
                .clone(),
            200,
            "req-decision",
        ),
        (waited.metadata().clone(), 200, "req-decision"),
        (
            sessions
                .update_status(session(), NewSessionStatus::Approved)
                .send()
                .await
                .unwrap()
                .metadata()
                .clone(),
            200,
            "req-update",
        ),
        (
            sessions.delete(session()).send().await.unwrap(),
            204,
            "req-delete",
        ),
        (
            sessions.delete_many([1, 2]).send().await.unwrap(),
            204,
            "req-delete-many",
        ),
        (
            sessions
                .delete_every_session_irreversibly()
                .send()
                .await
                .unwrap(),
            204,
            "req-delete-many",
        ),
        (
            sessions
                .pdf(session())
                .send()
                .await
                .unwrap()
                .metadata()
                .clone(),
            200,
            "req-pdf",
        ),
    ];
    for (metadata, status, request_id) in answers {
        assert_eq!(metadata.status().as_u16(), status, "{request_id}");
        assert_eq!(metadata.request_id(), Some(request_id));
        let rate_limit = metadata.rate_limit();
        assert_eq!(rate_limit.limit, Some(300), "{request_id}");
        assert_eq!(rate_limit.remaining, Some(42), "{request_id}");
        assert_eq!(rate_limit.reset, Some(1_760_000_000), "{request_id}");
        assert_eq!(rate_limit.retry_after, None, "{request_id}");
    }
}

/// The metadata of a decision answered with `template`.
async fn decision_metadata(template: ResponseTemplate) -> ReplyMetadata {
    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        format!("/v3/session/{SESSION}/decision/"),
        template,
    )
    .await;
    client(&server)
        .sessions()
        .decision(session())
        .send()
        .await
        .unwrap()
        .metadata()
        .clone()
}

#[tokio::test]
async fn without_a_request_id_there_is_none() {
    let decision = json!({"session_id": SESSION, "status": "Approved", "vendor_data": "Jane Doe"});
    let metadata = decision_metadata(common::ok(decision)).await;
    assert_eq!(metadata.request_id(), None);
    assert_eq!(metadata.rate_limit(), &didit::RateLimit::default());
    // Nothing of the body shows in what may be logged.
    let shown = format!("{metadata:?}");
    assert!(shown.contains("200"), "{shown}");
    assert!(!shown.contains("Jane"), "{shown}");
}

#[tokio::test]
async fn a_hostile_request_id_is_refused() {
    let flood = "a".repeat(129);
    let hostile: [&[u8]; 5] = [
        flood.as_bytes(),
        b"  ",
        b"req\tJane",
        "req-Jos\u{e9}".as_bytes(),
        b"\xff\xfe\xfd",
    ];
    for value in hostile {
        let decision = json!({"session_id": SESSION, "status": "Approved"});
        let template = common::ok(decision)
            .insert_header("X-Request-Id", HeaderValue::from_bytes(value).unwrap());
        let metadata = decision_metadata(template).await;
        assert_eq!(metadata.request_id(), None, "{value:?}");
        assert!(!format!("{metadata:?}").contains("Jane"), "{metadata:?}");
    }
    // The longest acceptable one is kept whole.
    let longest = "b".repeat(128);
    let decision = json!({"session_id": SESSION, "status": "Approved"});
    let metadata =
        decision_metadata(common::ok(decision).insert_header("X-Request-Id", longest.as_str()))
            .await;
    assert_eq!(metadata.request_id(), Some(longest.as_str()));
}

#[tokio::test]
async fn an_error_carries_the_request_id_of_its_answer() {
    let server = MockServer::start().await;
    let decision = format!("/v3/session/{SESSION}/decision/");
    let cases = [
        (
            ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})),
            "req-missing",
        ),
        (
            ResponseTemplate::new(400).set_body_json(json!({"detail": "Bad."})),
            "req-refused",
        ),
        // A body that is not a decision.
        (
            ResponseTemplate::new(200).set_body_json(json!({"status": 7})),
            "req-undecodable",
        ),
        // A success the operation does not document.
        (
            ResponseTemplate::new(202).set_body_json(json!({})),
            "req-undocumented",
        ),
    ];
    for (template, id) in cases {
        server.reset().await;
        answer(
            &server,
            "GET",
            decision.clone(),
            with_metadata(template, id),
        )
        .await;
        let error = client(&server)
            .sessions()
            .decision(session())
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.request_id(), Some(id), "{error:?}");
        assert!(format!("{error:?}").contains(id), "{error:?}");
    }
    // Without the header, there is none.
    server.reset().await;
    answer(&server, "GET", decision, ResponseTemplate::new(404)).await;
    let error = client(&server)
        .sessions()
        .decision(session())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.request_id(), None);
}
