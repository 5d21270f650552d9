//! How answers map to `didit::Error`, and rows the SDK does not know.

use crate::common;

use common::{client, ok};
use didit::{Error, Session, SessionKind, SessionStatus};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_403_is_a_refusal_that_says_what_the_server_said() {
    let server = answering(
        ResponseTemplate::new(403)
            .set_body_json(json!({"detail": "You do not have permission to perform this action."})),
    )
    .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    let Error::Forbidden { body, .. } = &error else {
        panic!("expected a refusal, got {error:?}")
    };
    assert_eq!(
        body.detail().as_deref(),
        Some("You do not have permission to perform this action.")
    );
    assert_eq!(
        error.to_string(),
        "the API refused the request (403 Forbidden): \
         You do not have permission to perform this action."
    );
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    assert!(!format!("{error} {error:?}").contains(common::KEY));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_401_is_an_authentication_error_and_a_403_without_json_a_refusal() {
    let server =
        answering(ResponseTemplate::new(401).set_body_string("<h1>Unauthorized</h1>")).await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Authentication { body, .. } if body.detail().is_none()),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the API did not accept the credentials (401 Unauthorized)"
    );
    let server = answering(ResponseTemplate::new(403).set_body_string("<h1>Forbidden</h1>")).await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Forbidden { body, .. } if body.detail().is_none()),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the API refused the request (403 Forbidden)"
    );
}

#[tokio::test]
async fn a_400_shows_the_messages_per_parameter_in_both_shapes() {
    for (body, parameter, message) in [
        (
            json!({"date_from": ["Enter a valid date."]}),
            "date_from",
            "Enter a valid date.",
        ),
        (
            json!({"session_kind": "Must be \"user\", \"business\", or \"all\"."}),
            "session_kind",
            "Must be \"user\", \"business\", or \"all\".",
        ),
        (
            json!({"didit_internal_id": ["Enter a valid UUID."]}),
            "didit_internal_id",
            "Enter a valid UUID.",
        ),
    ] {
        let server = answering(ResponseTemplate::new(400).set_body_json(&body)).await;
        let error = client(&server).sessions().list().send().await.unwrap_err();
        let Error::Api {
            status,
            body: answer,
            ..
        } = &error
        else {
            panic!("expected an API error with a body, got {error:?}")
        };
        assert_eq!(status.as_u16(), 400);
        assert!(answer.api_error().unwrap().contains_key(parameter));
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(answer.bytes()).unwrap(),
            body
        );
        assert_eq!(answer.messages(parameter), Some(vec![message.to_owned()]));
        assert_eq!(
            error.to_string(),
            format!("the API answered 400 Bad Request: {parameter}: {message}")
        );
    }
}

#[tokio::test]
async fn a_404_is_its_own_kind() {
    let server =
        answering(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."}))).await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(404));
    assert_eq!(
        error.body().and_then(|body| body.detail()).as_deref(),
        Some("Not found.")
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_body_in_another_shape_is_kept_raw_and_not_shown() {
    let server = answering(
        ResponseTemplate::new(410).set_body_json(json!({"gone": {"since": 2024, "who": "Jane"}})),
    )
    .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Api { body, .. } if body.api_error().is_none() && body.text().contains("Jane")),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "the API answered 410 Gone");
    assert!(!format!("{error:?}").contains("Jane"), "{error:?}");
}

#[tokio::test]
async fn a_truncated_body_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200).set_body_raw(
        r#"{"count": 3, "next": null, "previous": null, "results": [{"session_n"#,
        "application/json",
    ))
    .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    let Error::Decode {
        status,
        path,
        expected,
        body,
        ..
    } = &error
    else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(status.as_u16(), 200);
    assert!(path.starts_with("results"), "{path}");
    assert!(expected.contains("EOF"), "{expected}");
    assert!(body.text().starts_with(r#"{"count": 3"#));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_wrongly_typed_field_is_named_by_its_path() {
    let server = answering(ok(json!({
        "count": 2, "next": null, "previous": null,
        "results": [{"session_number": 1}, {"session_kind": "business", "created_at": "yesterday"}],
    })))
    .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { path, .. } if path == "results[1].created_at"),
        "{error:?}"
    );
    // What was found there is not repeated.
    assert!(
        !format!("{error} {error:?}").contains("yesterday"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_bad_body_shows_in_no_message() {
    let body = format!("[{}", "x".repeat(100_000));
    let server = answering(ResponseTemplate::new(200).set_body_string(body)).await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("xxx"), "{shown}");
    assert!(shown.len() < 400, "{shown}");
}

/// The first page, read by a client that reads at most 1 KiB of an answer.
async fn send_with_a_1_kib_limit(server: &MockServer) -> Error {
    common::builder(server)
        .max_response_bytes(1024)
        .build()
        .unwrap()
        .sessions()
        .list()
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused() {
    let server = answering(ok(common::page(1..=200, None))).await;
    let error = send_with_a_1_kib_limit(&server).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert_eq!(error.status().map(|status| status.as_u16()), Some(200));
}

#[tokio::test]
async fn an_answer_longer_than_announced_is_refused_too() {
    // No Content-Length: the limit holds on the bytes that arrive.
    let server = MockServer::start().await;
    let body = common::page(1..=200, None).to_string();
    Mock::given(path("/v3/sessions/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body, "application/json")
                .insert_header("transfer-encoding", "chunked"),
        )
        .mount(&server)
        .await;
    let error = send_with_a_1_kib_limit(&server).await;
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}

/// Values Didit's published contract allows although the server never
/// sends them (it bounds no integer): a client reading them must not fail.
#[tokio::test]
async fn values_the_published_contract_allows_decode_unchanged() {
    let row = json!({
        "session_kind": "user", "session_number": -436, "status": "Awaiting User",
        "full_name": "p\u{0}😀 中", "country": "m/i",
        "additional_details": {"aml": {"total_hits": -9_007_199_254_740_993_i64},
                               "face_match": {"score": 1e-7}},
    });
    let server = answering(ok(json!({
        "count": -576_061_501, "next": null, "previous": null, "results": [row.clone()],
    })))
    .await;
    let page = client(&server).sessions().list().send().await.unwrap();
    assert_eq!(page.count, -576_061_501);
    assert_eq!(serde_json::to_value(&page.results[0]).unwrap(), row);
}

#[tokio::test]
async fn kyc_kyb_unknown_and_kindless_rows_decode_side_by_side() {
    let partner = json!({"session_kind": "partner", "session_number": "P-1", "extra": [1, 2]});
    let server = answering(ok(json!({
        "count": 4, "next": null, "previous": null,
        "results": [
            {"session_id": "5b3720ed-d429-42ef-b67f-37ea805f48ee", "session_number": 720,
             "document_type": "ID", "status": "Approved", "created_at": "2025-06-09T12:26:54.328364Z",
             "features": [{"feature": "ID_VERIFICATION", "status": "Approved"}],
             "phone_number": {"number": "+14155552671", "is_verified": true}},
            {"session_kind": "user", "status": "Some Status From 2030", "full_name": null,
             "features": [{"feature": "BRAIN_SCAN", "status": "Pondering"}]},
            {"session_kind": "business", "session_number": 42, "status": "Approved",
             "company_name": "Acme Holdings S.L.", "country": "ES"},
            partner,
        ],
    })))
    .await;
    let page = client(&server).sessions().list().send().await.unwrap();
    let kinds: Vec<SessionKind> = page.results.iter().map(Session::kind).collect();
    assert_eq!(
        kinds,
        [
            SessionKind::User,
            SessionKind::User,
            SessionKind::Business,
            SessionKind::Unknown("partner".into())
        ]
    );
    let Session::Kyc(future) = &page.results[1] else {
        unreachable!()
    };
    assert_eq!(
        future.status,
        Some(SessionStatus::Unknown("Some Status From 2030".into()))
    );
    assert_eq!(future.full_name, Some(None));
    let Session::Unknown(unknown) = &page.results[3] else {
        unreachable!()
    };
    assert_eq!(unknown.raw, partner);
    assert_eq!(page.metadata().status().as_u16(), 200);
}

#[tokio::test]
async fn rate_limit_headers_of_a_page_are_exposed() {
    let server = answering(
        ok(common::page([1], None))
            .insert_header("X-RateLimit-Limit", "600")
            .insert_header("X-RateLimit-Remaining", "599")
            .insert_header("X-RateLimit-Reset", "1760000000"),
    )
    .await;
    let page = client(&server).sessions().list().send().await.unwrap();
    let rate_limit = page.metadata().rate_limit();
    assert_eq!(rate_limit.limit, Some(600));
    assert_eq!(rate_limit.remaining, Some(599));
    assert_eq!(rate_limit.reset, Some(1_760_000_000));
    assert_eq!(rate_limit.retry_after, None);
}

/// The fake server refuses as the API does; each refusal says why.
mod refusals_of_the_fake {
    use didit::types::{ContactDetails, NewSessionStatus};
    use didit::{Client, Error, Language, NaiveDate, SessionStatus};
    use didit_mock::{DiditMock, FORBIDDEN_DETAIL};

    use crate::common::KEY;

    async fn fake() -> DiditMock {
        DiditMock::builder()
            .api_key(KEY)
            .synthetic(4, 17)
            .rate_limit(0)
            .write_rate_limit(0)
            .start()
            .await
    }

    fn client_of(mock: &DiditMock, key: &str) -> Client {
        Client::builder()
            .api_key(key)
            .base_url(mock.uri())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn a_status_update_to_the_current_status_says_so() {
        let mock = fake().await;
        let id = mock.store().rows()[0].session_id().unwrap();
        mock.finish_session(id, SessionStatus::Approved).unwrap();
        let error = client_of(&mock, KEY)
            .sessions()
            .update_status(id, NewSessionStatus::Approved)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: \
             The new status is the same as the current status."
        );
        assert!(
            format!("{error:?}").contains("The new status is the same"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_date_the_server_cannot_read_is_named_with_the_reason() {
        let mock = fake().await;
        let error = client_of(&mock, KEY)
            .sessions()
            .list()
            .date_from(NaiveDate::from_ymd_opt(0, 1, 1).unwrap())
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: date_from: Enter a valid date."
        );
    }

    #[tokio::test]
    async fn a_nested_field_is_named_by_its_path() {
        let mock = fake().await;
        let error = client_of(&mock, KEY)
            .sessions()
            .create(didit::Uuid::nil())
            .contact_details(ContactDetails::new().with_email_lang(Language::from("xx")))
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the API answered 400 Bad Request: \
             contact_details.email_lang: \"xx\" is not a valid choice."
        );
    }

    #[tokio::test]
    async fn a_wrong_key_is_refused_in_the_servers_words() {
        let mock = fake().await;
        let error = client_of(&mock, "sk_test_not_the_key")
            .sessions()
            .list()
            .send()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("the API refused the request (403 Forbidden): {FORBIDDEN_DETAIL}")
        );
    }
}
