//! The per-key sliding-window rate limit and its headers.

use crate::common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{get, get_url};
use didit_mock::{DEFAULT_RATE_LIMIT, DiditMock};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn the_request_after_the_limit_gets_429_with_headers() {
    let mock = DiditMock::builder()
        .synthetic(20, 1)
        .rate_limit(3)
        .start()
        .await;
    for remaining in [2, 1, 0] {
        let reply = get(&mock, "").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header_u64("x-ratelimit-limit"), 3);
        assert_eq!(reply.header_u64("x-ratelimit-remaining"), remaining);
        assert!(reply.header_u64("x-ratelimit-reset") >= now());
        assert!(reply.header("retry-after").is_none());
    }
    let started = now();
    for _ in 0..2 {
        let reply = get(&mock, "").await;
        assert_eq!(reply.status, 429);
        let wait = reply.header_u64("retry-after");
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert_eq!(reply.header_u64("x-ratelimit-limit"), 3);
        assert_eq!(reply.header_u64("x-ratelimit-remaining"), 0);
        assert!(reply.header_u64("x-ratelimit-reset") >= started);
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.starts_with("Request was throttled."), "{detail}");
    }

    // Refused requests and requests without a valid key do not count; a new
    // window starts afresh.
    mock.reset_rate_limit();
    assert_eq!(
        get_url(&mock.sessions_url(), Some("wrong")).await.status,
        403
    );
    assert_eq!(get(&mock, "").await.header_u64("x-ratelimit-remaining"), 2);
}

#[tokio::test]
async fn the_window_is_the_one_configured() {
    // Long enough that no request leaves the window while the test runs,
    // however slow the machine; how the window slides is checked against
    // instants given by hand in the server's own tests.
    let window = Duration::from_secs(3600);
    let mock = DiditMock::builder()
        .rate_limit(2)
        .rate_window(window)
        .start()
        .await;
    assert_eq!(get(&mock, "").await.status, 200);
    assert_eq!(get(&mock, "").await.status, 200);
    let refused = get(&mock, "").await;
    assert_eq!(refused.status, 429);
    let wait = refused.header_u64("retry-after");
    assert!(
        wait > window.as_secs() - 60 && wait <= window.as_secs(),
        "Retry-After {wait}"
    );
}

#[tokio::test]
async fn the_default_is_600_and_zero_turns_it_off() {
    let limited = DiditMock::builder().start().await;
    let reply = get(&limited, "").await;
    assert_eq!(
        reply.header_u64("x-ratelimit-limit"),
        u64::from(DEFAULT_RATE_LIMIT)
    );
    assert_eq!(
        reply.header_u64("x-ratelimit-remaining"),
        u64::from(DEFAULT_RATE_LIMIT) - 1
    );

    let open = DiditMock::builder().rate_limit(0).start().await;
    for _ in 0..20 {
        let reply = get(&open, "").await;
        assert_eq!(reply.status, 200);
        assert!(reply.header("x-ratelimit-limit").is_none());
    }
}

#[tokio::test]
async fn errors_after_the_key_check_count_too() {
    let mock = DiditMock::builder().rate_limit(2).start().await;
    assert_eq!(get(&mock, "limit=x").await.status, 400);
    let reply = get(&mock, "date_from=x").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header_u64("x-ratelimit-remaining"), 0);
    assert_eq!(get(&mock, "").await.status, 429);
}

#[tokio::test]
async fn reads_and_writes_are_counted_apart() {
    use common::{SOME_WORKFLOW, call};
    use reqwest::Method;
    use serde_json::json;

    let mock = DiditMock::builder()
        .rate_limit(2)
        .write_rate_limit(1)
        .start()
        .await;
    let body = json!({ "workflow_id": SOME_WORKFLOW });
    let write = call(&mock, Method::POST, "/v3/session/", Some(&body)).await;
    assert_eq!(write.status, 201);
    assert_eq!(write.header_u64("x-ratelimit-limit"), 1);
    assert_eq!(write.header_u64("x-ratelimit-remaining"), 0);
    let id = write.body["session_id"].as_str().unwrap().to_owned();

    // Reads still have their whole budget.
    let decision_path = format!("/v3/session/{id}/decision/");
    let read = call(&mock, Method::GET, &decision_path, None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header_u64("x-ratelimit-limit"), 2);
    assert_eq!(read.header_u64("x-ratelimit-remaining"), 1);
    assert_eq!(get(&mock, "").await.status, 200);
    let refused = call(&mock, Method::GET, &decision_path, None).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header_u64("retry-after") >= 1);

    // Every write method shares the write budget.
    for (method, path) in [
        (Method::POST, "/v3/session/".to_owned()),
        (Method::DELETE, format!("/v3/session/{id}/delete/")),
        (Method::PATCH, format!("/v3/session/{id}/update-status/")),
        (Method::POST, "/v3/sessions/delete/".to_owned()),
    ] {
        let answer = call(&mock, method.clone(), &path, Some(&body)).await;
        assert_eq!(answer.status, 429, "{method} {path}");
        assert_eq!(answer.header_u64("x-ratelimit-limit"), 1);
        common::conforms(
            match (method.as_str(), path.as_str()) {
                ("POST", "/v3/session/") => "create_session",
                ("DELETE", _) => "delete_session",
                ("PATCH", _) => "update_session_status",
                _ => "delete_sessions",
            },
            &answer,
        );
    }
    // The refused writes did nothing.
    assert_eq!(mock.current_store().len(), 1);

    let defaults = DiditMock::builder().start().await;
    let write = call(&defaults, Method::POST, "/v3/session/", Some(&body)).await;
    assert_eq!(
        write.header_u64("x-ratelimit-limit"),
        u64::from(didit_mock::DEFAULT_WRITE_RATE_LIMIT)
    );
    let open = DiditMock::builder().write_rate_limit(0).start().await;
    for _ in 0..5 {
        let write = call(&open, Method::POST, "/v3/session/", Some(&body)).await;
        assert_eq!(write.status, 201);
        assert!(write.header("x-ratelimit-limit").is_none());
    }
}
