//! Per-call overrides of the client's time limits and retry policy: every
//! operation takes them, they hold for the call that carries them and for
//! no other, and they are checked and kept within the client's caps.
//!
//! Slow answers are slower than any limit set per call by a factor of
//! twenty, and far within the client's own limits: no timing is measured.

use std::time::Duration;

use crate::common::{self, client, ok};
use didit::types::NewSessionStatus;
use didit::{CallOptions, Client, Error, RetryPolicy, SessionStatus, TimeoutScope, Uuid};
use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";

/// How long a slow answer takes.
const SLOW: Duration = Duration::from_secs(2);
/// The limit a call sets for itself.
const SHORT: Duration = Duration::from_millis(100);

fn session() -> Uuid {
    Uuid::parse_str(SESSION).unwrap()
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// Runs every operation of the facade once with `options`, each reduced to
/// whether it succeeded.
async fn every_operation(
    client: &Client,
    options: &CallOptions,
) -> Vec<(&'static str, didit::Result<()>)> {
    let sessions = client.sessions();
    let with = || options.clone();
    let first_page = sessions
        .list()
        .call_options(with())
        .pages()
        .next()
        .await
        .expect("a page or an error");
    vec![
        ("pages", first_page.map(drop)),
        (
            "list",
            sessions.list().call_options(with()).send().await.map(drop),
        ),
        (
            "create",
            sessions
                .create(session())
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "decision",
            sessions
                .decision(session())
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "wait_for_decision",
            sessions
                .wait_for_decision(session())
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "update_status",
            sessions
                .update_status(session(), NewSessionStatus::Approved)
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "delete",
            sessions
                .delete(session())
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "delete_many",
            sessions
                .delete_many([43762])
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "delete_every_session_irreversibly",
            sessions
                .delete_every_session_irreversibly()
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
        (
            "pdf",
            sessions
                .pdf(session())
                .call_options(with())
                .send()
                .await
                .map(drop),
        ),
    ]
}

#[tokio::test]
async fn every_operation_sends_with_its_own_attempt_limit() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ok(json!({})).set_delay(SLOW))
        .mount(&server)
        .await;
    let options = CallOptions::new()
        .attempt_timeout(SHORT)
        .retry_policy(RetryPolicy::none());
    let outcomes = every_operation(&client(&server), &options).await;
    assert_eq!(outcomes.len(), 10);
    for (operation, outcome) in outcomes {
        assert!(
            matches!(
                outcome,
                Err(Error::Timeout {
                    scope: TimeoutScope::Attempt,
                    limit,
                    ..
                }) if limit == SHORT
            ),
            "{operation}: {outcome:?}"
        );
    }
    // One attempt each: the call's retry policy held too.
    assert_eq!(request_count(&server).await, 10);
}

#[tokio::test]
async fn time_limit_overrides_hold_for_one_call_only() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/v3/session/{SESSION}/decision/")))
        .respond_with(ok(json!({"session_id": SESSION, "status": "Approved"})).set_delay(SLOW))
        .mount(&server)
        .await;
    // Its own limits (30 s an attempt, 120 s in all) leave the slow answer
    // plenty of time.
    let client = client(&server);
    let sessions = client.sessions();
    let error = sessions
        .decision(session())
        .call_options(CallOptions::new().attempt_timeout(SHORT))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Attempt,
                limit,
                ..
            } if limit == SHORT
        ),
        "{error:?}"
    );
    let error = sessions
        .decision(session())
        .call_options(CallOptions::new().operation_timeout(SHORT))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Operation,
                limit,
                ..
            } if limit == SHORT
        ),
        "{error:?}"
    );
    let decision = sessions.decision(session()).send().await.unwrap();
    assert_eq!(decision.status(), &SessionStatus::Approved);
}

#[tokio::test]
async fn a_retry_policy_override_holds_for_one_call_only() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // Three attempts by default.
    let client = client(&server);
    let sessions = client.sessions();
    let once = CallOptions::new().retry_policy(RetryPolicy::none());
    let error = sessions.list().call_options(once).send().await.unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(request_count(&server).await, 1);
    sessions.list().send().await.unwrap_err();
    assert_eq!(request_count(&server).await, 4);

    // And the other way round: a client that never retries, and one call
    // that does.
    let never = common::builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let persistent = CallOptions::new().retry_policy(
        RetryPolicy::default()
            .max_attempts(5)
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(5)),
    );
    never
        .sessions()
        .delete(session())
        .call_options(persistent)
        .send()
        .await
        .unwrap_err();
    assert_eq!(request_count(&server).await, 9);
    never.sessions().delete(session()).send().await.unwrap_err();
    assert_eq!(request_count(&server).await, 10);
}

#[tokio::test]
async fn a_zero_time_limit_is_refused_by_name_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ok(common::page([1], None)))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    for (options, setting) in [
        (
            CallOptions::new().attempt_timeout(Duration::ZERO),
            "attempt_timeout",
        ),
        (
            CallOptions::new().operation_timeout(Duration::ZERO),
            "operation_timeout",
        ),
    ] {
        for (operation, outcome) in every_operation(&client, &options).await {
            assert!(
                matches!(outcome, Err(Error::InvalidConfig { setting: s, .. }) if s == setting),
                "{operation}: {outcome:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_call_policy_waits_no_longer_than_the_client_allows() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "5"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(common::page([1], None)))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_secs(1)))
        .build()
        .unwrap();
    let patient = CallOptions::new()
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_secs(60)));
    let error = client
        .sessions()
        .list()
        .call_options(patient)
        .send()
        .await
        .unwrap_err();
    // The 5 s asked for were not waited: the client allows 1 s at most.
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(request_count(&server).await, 1);
}
