//! Retries, backoff, `Retry-After` and timeouts. Timing assertions are lower
//! bounds only: a loaded machine may be slow, never fast.

use crate::common;

use std::time::{Duration, Instant};

use common::{client, ok, page};
use didit::{Error, RetryPolicy, TimeoutScope};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts `status` for the next `times` requests.
async fn fail(server: &MockServer, status: u16, times: u64) {
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(status).set_body_string("upstream trouble"))
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

async fn succeed_afterwards(server: &MockServer) {
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([1, 2], None)))
        .with_priority(2)
        .mount(server)
        .await;
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(serde_json::json!({"detail": "Request was throttled."})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    succeed_afterwards(&server).await;

    let started = Instant::now();
    let page = client(&server).sessions().list().send().await.unwrap();
    assert_eq!(page.results.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn two_500s_then_success() {
    let server = MockServer::start().await;
    fail(&server, 500, 2).await;
    succeed_afterwards(&server).await;
    let page = client(&server).sessions().list().send().await.unwrap();
    assert_eq!(page.results.len(), 2);
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn every_retryable_status_is_retried() {
    for status in [500, 502, 503, 504, 429] {
        let server = MockServer::start().await;
        fail(&server, status, 1).await;
        succeed_afterwards(&server).await;
        client(&server).sessions().list().send().await.unwrap();
        assert_eq!(request_count(&server).await, 2, "status {status}");
    }
}

#[tokio::test]
async fn persistent_500s_fail_with_the_status_after_the_last_attempt() {
    let server = MockServer::start().await;
    fail(&server, 500, 4).await;
    succeed_afterwards(&server).await;
    let client = common::builder(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Api { status, body, .. }
            if status.as_u16() == 500 && body.text() == "upstream trouble"),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(error.is_retryable());
    assert_eq!(request_count(&server).await, 4);
}

#[tokio::test]
async fn the_default_policy_makes_three_attempts() {
    let server = MockServer::start().await;
    fail(&server, 503, 10).await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 403, 404, 501] {
        let server = MockServer::start().await;
        fail(&server, status, 10).await;
        let error = client(&server).sessions().list().send().await.unwrap_err();
        assert!(!error.is_retryable(), "{status}: {error:?}");
        assert_eq!(request_count(&server).await, 1, "status {status}");
    }
}

#[tokio::test]
async fn rate_limiting_that_outlasts_the_retries_reports_the_headers() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "0")
                .insert_header("X-RateLimit-Limit", "600")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", "1760000060")
                .set_body_json(serde_json::json!({"detail": "Request was throttled."})),
        )
        .mount(&server)
        .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    let Error::RateLimited {
        rate_limit, body, ..
    } = &error
    else {
        panic!("expected RateLimited, got {error:?}")
    };
    assert_eq!(rate_limit.retry_after, Some(Duration::ZERO));
    assert_eq!(rate_limit.limit, Some(600));
    assert_eq!(rate_limit.remaining, Some(0));
    assert_eq!(rate_limit.reset, Some(1_760_000_060));
    assert_eq!(body.detail().as_deref(), Some("Request was throttled."));
    assert!(error.to_string().contains("429"), "{error}");
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_operation_timeout_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .operation_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_cap_ends_the_operation_at_once() {
    for asked in [
        "31",
        "18446744073709551616",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/v3/sessions/"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", asked))
            .mount(&server)
            .await;
        let client = common::builder(&server)
            .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_secs(30)))
            .operation_timeout(Duration::from_secs(3600))
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let error = client.sessions().list().send().await.unwrap_err();
        let Error::RateLimited { rate_limit, .. } = &error else {
            panic!("{asked}: expected RateLimited, got {error:?}")
        };
        // What the server asked for is kept for the caller to see.
        assert!(
            rate_limit.retry_after > Some(Duration::from_secs(30)),
            "{asked}: {rate_limit:?}"
        );
        assert!(error.to_string().contains("asks to wait"), "{error}");
        assert_eq!(request_count(&server).await, 1, "{asked}");
        assert!(started.elapsed() < Duration::from_secs(30), "{asked}");
    }
}

#[tokio::test]
async fn a_retry_after_within_the_cap_is_waited_for() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0.2"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    succeed_afterwards(&server).await;
    let started = std::time::Instant::now();
    client(&server).sessions().list().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_slow_answer_is_an_attempt_timeout_and_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([1], None)).set_delay(Duration::from_secs(30)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    succeed_afterwards(&server).await;
    // Long enough for the quick second answer to arrive in time on a
    // loaded machine: a third attempt would fail the count below.
    let client = common::builder(&server)
        .attempt_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let second = client.sessions().list().send().await.unwrap();
    assert_eq!(second.results.len(), 2);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn without_retries_a_slow_answer_is_an_attempt_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([1], None)).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .attempt_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Attempt,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([1], None)).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let client = common::builder(&server)
        .attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_millis(400))
        .retry_policy(RetryPolicy::default().max_attempts(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Operation,
                limit,
                ..
            } if limit == Duration::from_millis(400)
        ),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(350));
}

#[tokio::test]
async fn an_unreachable_server_is_a_retryable_transport_error() {
    // Bound but not listening: every connection is refused, and the port
    // stays taken, so no server another test starts can get it.
    let refusing = tokio::net::TcpSocket::new_v4().unwrap();
    refusing.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let client = didit::Client::builder()
        .api_key(common::KEY)
        .base_url(format!("http://{}", refusing.local_addr().unwrap()))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
}
