//! Fault injection, latency and the request log.

use crate::common;

use std::time::{Duration, Instant};

use common::get;
use didit_mock::{DEFAULT_API_KEY, DiditMock};

async fn raw(
    mock: &DiditMock,
    query: &str,
) -> (
    u16,
    reqwest::header::HeaderMap,
    Result<Vec<u8>, reqwest::Error>,
) {
    let response = common::client()
        .get(format!("{}?{query}", mock.sessions_url()))
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.map(|b| b.to_vec()))
}

#[tokio::test]
async fn fail_next_answers_the_next_requests_with_the_status() {
    let mock = DiditMock::builder()
        .synthetic(10, 1)
        .fail_next(2, 503)
        .retry_after(7)
        .start()
        .await;
    for _ in 0..2 {
        let reply = get(&mock, "").await;
        assert_eq!(reply.status, 503);
        assert_eq!(reply.header("retry-after"), Some("7"));
        assert!(reply.body["detail"].is_string());
    }
    assert_eq!(get(&mock, "").await.status, 200);

    // Faults can be planned on a running server too, and come before the key
    // check.
    mock.set_retry_after(None);
    mock.fail_next(1, 500);
    mock.fail_next(1, 429);
    let reply = common::get_url(&mock.sessions_url(), None).await;
    assert_eq!(reply.status, 500);
    assert!(reply.header("retry-after").is_none());
    let reply = get(&mock, "").await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(get(&mock, "").await.status, 200);

    mock.fail_next(5, 502);
    mock.clear_faults();
    assert_eq!(get(&mock, "").await.status, 200);
}

#[tokio::test]
async fn injected_failures_do_not_use_up_the_rate_limit() {
    let mock = DiditMock::builder()
        .rate_limit(1)
        .fail_next(3, 500)
        .start()
        .await;
    for _ in 0..3 {
        assert_eq!(get(&mock, "").await.status, 500);
    }
    assert_eq!(get(&mock, "").await.status, 200);
    assert_eq!(get(&mock, "").await.status, 429);
}

#[tokio::test]
async fn truncated_bodies_do_not_decode() {
    let mock = DiditMock::builder()
        .synthetic(30, 1)
        .truncate_next(1)
        .start()
        .await;
    let (status, _, body) = raw(&mock, "limit=10").await;
    assert_eq!(status, 200);
    match body {
        Ok(bytes) => {
            assert!(!bytes.is_empty());
            assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
        }
        Err(error) => assert!(error.is_body() || error.is_decode(), "{error}"),
    }
    let (_, _, body) = raw(&mock, "limit=10").await;
    serde_json::from_slice::<serde_json::Value>(&body.unwrap()).unwrap();
}

#[tokio::test]
async fn slow_responses_and_latency_take_at_least_their_time() {
    let mock = DiditMock::builder()
        .slow_next(1, Duration::from_millis(300))
        .start()
        .await;
    let started = Instant::now();
    assert_eq!(get(&mock, "").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let mock = DiditMock::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await;
    let started = Instant::now();
    assert_eq!(get(&mock, "limit=nope").await.status, 400);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn faults_apply_in_the_order_planned() {
    let mock = DiditMock::builder()
        .synthetic(10, 1)
        .fail_next(1, 500)
        .truncate_next(1)
        .fail_next(1, 504)
        .start()
        .await;
    assert_eq!(raw(&mock, "").await.0, 500);
    let (status, _, body) = raw(&mock, "").await;
    assert_eq!(status, 200);
    assert!(body.map_or(true, |b| {
        serde_json::from_slice::<serde_json::Value>(&b).is_err()
    }));
    assert_eq!(raw(&mock, "").await.0, 504);
    assert_eq!(raw(&mock, "").await.0, 200);
}

#[tokio::test]
async fn the_log_records_each_request_and_its_answer() {
    let mock = DiditMock::builder().synthetic(10, 1).start().await;
    get(&mock, "limit=2&status=Approved").await;
    common::get_url(&mock.sessions_url(), None).await;
    common::get_url(&format!("{}/v3/sessions", mock.uri()), None).await;
    let log = mock.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/v3/sessions/");
    assert_eq!(log[0].query.as_deref(), Some("limit=2&status=Approved"));
    assert_eq!(log[0].header("X-Api-Key"), Some(DEFAULT_API_KEY));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].status, 403);
    assert_eq!(log[1].header("x-api-key"), None);
    assert_eq!((log[2].path.as_str(), log[2].status), ("/v3/sessions", 301));
    mock.clear_requests();
    assert!(mock.requests().is_empty());

    let quiet = DiditMock::builder().record_requests(false).start().await;
    get(&quiet, "").await;
    assert!(quiet.requests().is_empty());
}
