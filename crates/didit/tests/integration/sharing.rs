//! Sharing a session with another application, redeeming it, and arming a
//! sandbox scenario, against the fake server; and that the tokens they
//! carry never show.

use std::time::Duration;

use didit::{Client, Error, SessionStatus, SessionToken, Uuid};
use didit_mock::{DiditMock, PARTNER_API_KEY, PARTNER_APPLICATION_ID};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

fn workflow() -> Uuid {
    Uuid::parse_str(WORKFLOW).unwrap()
}

fn partner() -> Uuid {
    Uuid::parse_str(PARTNER_APPLICATION_ID).unwrap()
}

/// A client of the fake's application with `key`, which never retries: a
/// test that sees two attempts sees a bug.
fn client_of(mock: &DiditMock, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(mock.uri())
        .build()
        .unwrap()
}

/// A session of the main application, created and then finished as
/// `status`; with its token.
async fn session(mock: &DiditMock, status: Option<SessionStatus>) -> (Uuid, SessionToken) {
    let created = client_of(mock, mock.api_key())
        .sessions()
        .create(workflow())
        .send()
        .await
        .unwrap()
        .into_inner();
    if let Some(status) = status {
        mock.finish_session(created.session_id, status).unwrap();
    }
    (created.session_id, created.session_token)
}

fn status_of(error: &Error) -> Option<u16> {
    match error {
        Error::Api { status, .. } => Some(status.as_u16()),
        _ => None,
    }
}

#[tokio::test]
async fn a_shared_session_is_redeemed_once_by_the_other_application() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = session(&mock, Some(SessionStatus::Approved)).await;
    let share = client_of(&mock, mock.api_key())
        .sessions()
        .share(id, partner())
        .ttl(Duration::from_secs(2 * 60 * 60))
        .send()
        .await
        .unwrap();
    assert_eq!(share.for_application_id, partner());
    let token = share.into_inner().share_token;

    let receiver = client_of(&mock, PARTNER_API_KEY);
    let copy = receiver
        .sessions()
        .import_shared(token.clone(), workflow())
        .vendor_data("partner-user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(copy.metadata().status().as_u16(), 201);
    assert_ne!(copy.session_id, id);
    assert_eq!(copy.status, SessionStatus::InReview);
    assert_eq!(copy.vendor_data, Some(Some("partner-user-1".to_owned())));
    // The copy is the receiver's, with a decision of its own.
    let decision = receiver
        .sessions()
        .decision(copy.session_id)
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status, SessionStatus::InReview);

    let again = receiver
        .sessions()
        .import_shared(token.clone(), workflow())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Forbidden { .. }), "{again:?}");
    assert!(again.to_string().contains("already been shared"), "{again}");
    for shown in [again.to_string(), format!("{again:?}")] {
        assert!(!shown.contains(token.expose_secret()), "{shown}");
    }
    assert_eq!(mock.partner_store().len(), 1);
}

#[tokio::test]
async fn trusting_the_review_keeps_the_shared_status() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = session(&mock, Some(SessionStatus::Declined)).await;
    let token = client_of(&mock, mock.api_key())
        .sessions()
        .share(id, partner())
        .send()
        .await
        .unwrap()
        .into_inner()
        .share_token;
    let copy = client_of(&mock, PARTNER_API_KEY)
        .sessions()
        .import_shared(token, workflow())
        .trust_review(true)
        .send()
        .await
        .unwrap();
    assert_eq!(copy.status, SessionStatus::Declined);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = session(&mock, Some(SessionStatus::Approved)).await;
    let token = client_of(&mock, mock.api_key())
        .sessions()
        .share(id, partner())
        .ttl(Duration::from_secs(60))
        .send()
        .await
        .unwrap()
        .into_inner()
        .share_token;
    mock.advance_clock(Duration::from_secs(61));
    let error = client_of(&mock, PARTNER_API_KEY)
        .sessions()
        .import_shared(token.clone(), workflow())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(400), "{error:?}");
    assert!(
        error.to_string().contains("Share token has expired."),
        "{error}"
    );
    assert!(!error.to_string().contains(token.expose_secret()));
    assert_eq!(mock.partner_store().len(), 0);
}

#[tokio::test]
async fn an_unfinished_session_is_not_shared() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = session(&mock, None).await;
    let error = client_of(&mock, mock.api_key())
        .sessions()
        .share(id, partner())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(400), "{error:?}");
    assert!(
        error.to_string().contains("Only finished sessions"),
        "{error}"
    );
}

#[tokio::test]
async fn a_lifetime_out_of_bounds_is_refused_before_sending() {
    let mock = DiditMock::builder().record_requests(true).start().await;
    let client = client_of(&mock, mock.api_key());
    for ttl in [Duration::from_secs(59), Duration::from_secs(86_401)] {
        let error = client
            .sessions()
            .share(Uuid::nil(), partner())
            .ttl(ttl)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    parameter: "ttl_in_seconds",
                    ..
                }
            ),
            "{error:?}"
        );
    }
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn an_armed_scenario_decides_the_outcome_and_the_call_carries_the_session_token() {
    let mock = DiditMock::builder().record_requests(true).start().await;
    let client = client_of(&mock, mock.api_key());
    let (id, token) = session(&mock, None).await;
    let armed = client
        .sessions()
        .arm_sandbox_scenario(id, &token, "decline_aml_hit")
        .send()
        .await
        .unwrap();
    assert_eq!(armed.scenario, "decline_aml_hit");
    assert_eq!(armed.status, SessionStatus::NotStarted);

    let sent = mock.requests().pop().unwrap();
    assert_eq!(sent.path, format!("/v3/session/{id}/sandbox/arm/"));
    assert_eq!(sent.header("session-token"), Some(token.expose_secret()));
    assert_eq!(sent.header("x-api-key"), None);

    mock.complete_session(id).unwrap();
    let decision = client.sessions().decision(id).send().await.unwrap();
    assert_eq!(decision.status, SessionStatus::Declined);
    // The other calls still carry the key, and never the token.
    let read = mock.requests().pop().unwrap();
    assert_eq!(read.header("x-api-key"), Some(mock.api_key()));
    assert_eq!(read.header("session-token"), None);
}

#[tokio::test]
async fn a_started_session_cannot_be_armed_nor_another_sessions_token_used() {
    let mock = DiditMock::builder().start().await;
    let client = client_of(&mock, mock.api_key());
    let (id, token) = session(&mock, None).await;
    let (_, other_token) = session(&mock, None).await;
    let error = client
        .sessions()
        .arm_sandbox_scenario(id, &other_token, "approve")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    mock.finish_session(id, SessionStatus::InProgress).unwrap();
    let error = client
        .sessions()
        .arm_sandbox_scenario(id, &token, "approve")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(400), "{error:?}");
    assert!(
        error.to_string().contains("before the verification starts"),
        "{error}"
    );
}

#[tokio::test]
async fn an_answer_repeating_the_session_token_does_not_show_it() {
    let server = MockServer::start().await;
    let token = "sEsSiOnToKeN-never-print";
    Mock::given(method("POST"))
        .and(path(format!("/v3/session/{}/sandbox/arm/", Uuid::nil())))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"scenario": [format!("bad token {token}")]})),
        )
        .mount(&server)
        .await;
    let client = crate::common::client(&server);
    let error = client
        .sessions()
        .arm_sandbox_scenario(
            Uuid::nil(),
            &SessionToken::from(token.to_owned()),
            "approve",
        )
        .send()
        .await
        .unwrap_err();
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(token), "{shown}");
    }
    assert!(
        error.to_string().contains("they repeat the session token"),
        "{error}"
    );
}

#[test]
fn no_builder_nor_answer_shows_a_token_or_vendor_data() {
    let client = Client::builder().api_key("k").build().unwrap();
    let share_token = didit::ShareToken::from("eyJshare.secret.token".to_owned());
    let session_token = SessionToken::from("session-secret-token".to_owned());
    let shown = [
        format!(
            "{:?}",
            client
                .sessions()
                .import_shared(share_token.clone(), Uuid::nil())
                .vendor_data("Jane-vendor")
        ),
        format!(
            "{:?}",
            client
                .sessions()
                .arm_sandbox_scenario(Uuid::nil(), &session_token, "approve")
        ),
        format!(
            "{:?}",
            didit::types::SessionShare::new(
                Uuid::nil(),
                didit::SessionKind::User,
                share_token.clone()
            )
        ),
    ];
    for shown in shown {
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("Jane"), "{shown}");
    }
}

#[tokio::test]
async fn a_redeem_that_may_have_reached_the_server_is_not_sent_again() {
    let mock = DiditMock::builder().record_requests(true).start().await;
    let (id, _) = session(&mock, Some(SessionStatus::Approved)).await;
    let token = client_of(&mock, mock.api_key())
        .sessions()
        .share(id, partner())
        .send()
        .await
        .unwrap()
        .into_inner()
        .share_token;
    let receiver = Client::builder()
        .api_key(PARTNER_API_KEY)
        .base_url(mock.uri())
        .retry_policy(didit::RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    mock.fail_next(1, 503);
    let error = receiver
        .sessions()
        .import_shared(token.clone(), workflow())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(503), "{error:?}");
    let redeems = mock
        .requests()
        .iter()
        .filter(|request| request.path == "/v3/session/import-shared/")
        .count();
    assert_eq!(redeems, 1, "a redeem was sent again");
    // Nothing was imported: redeeming by hand works.
    receiver
        .sessions()
        .import_shared(token, workflow())
        .send()
        .await
        .unwrap();
    assert_eq!(mock.partner_store().len(), 1);
}

#[tokio::test]
async fn a_session_token_that_cannot_be_a_header_is_refused_unsent_and_unshown() {
    let mock = DiditMock::builder().record_requests(true).start().await;
    let token = SessionToken::from("line\nbreak-secret".to_owned());
    let error = client_of(&mock, mock.api_key())
        .sessions()
        .arm_sandbox_scenario(Uuid::nil(), &token, "approve")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                parameter: "session_token",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains("secret"));
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn an_answer_repeating_the_share_token_does_not_show_it() {
    let server = MockServer::start().await;
    let token = "eyJshare-never-print.e30.sig";
    Mock::given(method("POST"))
        .and(path("/v3/session/import-shared/"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"share_token": [format!("Invalid share token {token}.")]})),
        )
        .mount(&server)
        .await;
    let error = crate::common::client(&server)
        .sessions()
        .import_shared(didit::ShareToken::from(token.to_owned()), Uuid::nil())
        .send()
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(token), "{shown}");
    assert!(
        error.to_string().contains("they repeat the share token"),
        "{error}"
    );
}
