//! Helpers shared by the integration tests: a client pointed at a local
//! mock server, and page bodies.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

pub const KEY: &str = "sk_test_0123456789abcdef_never_print_me";

/// A client for `server` that retries quickly.
pub fn client(server: &MockServer) -> didit::Client {
    builder(server).build().expect("a client")
}

pub fn builder(server: &MockServer) -> didit::ClientBuilder {
    didit::Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(
            didit::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50)),
        )
}

/// A page body holding KYC rows numbered `numbers`.
pub fn page(numbers: impl IntoIterator<Item = i64>, next: Option<String>) -> Value {
    let results: Vec<Value> = numbers
        .into_iter()
        .map(|number| json!({"session_kind": "user", "session_number": number, "status": "Approved"}))
        .collect();
    json!({"count": 100, "next": next, "previous": null, "results": results})
}

pub fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The session numbers of KYC rows.
pub fn numbers(sessions: &[didit::Session]) -> Vec<i64> {
    sessions
        .iter()
        .map(|session| match session {
            didit::Session::Kyc(row) => row.session_number.expect("a session number"),
            other => panic!("expected a KYC row, got {other:?}"),
        })
        .collect()
}

/// Every row `items()` yields before an error, and the error; checks that
/// nothing follows it.
pub async fn drain(list: didit::ListSessions) -> (Vec<didit::Session>, Option<didit::Error>) {
    use futures::StreamExt;
    let mut items = list.items();
    let mut rows = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(row) => rows.push(row),
            Err(error) => {
                assert!(items.next().await.is_none(), "nothing may follow an error");
                return (rows, Some(error));
            }
        }
    }
    (rows, None)
}
