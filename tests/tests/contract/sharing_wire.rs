//! What the facade puts on the wire to share a session, redeem a share
//! token and arm a sandbox scenario, checked against the spec as the
//! lifecycle's requests are: an operation of the spec, a body its schema
//! accepts, and the credential its security names; arming carries the
//! session's `Session-Token` and never the API key.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use didit::{Client, RetryPolicy, SessionToken, ShareToken, Uuid};
use didit_contract::Spec;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::lifecycle_wire::departures;

const KEY: &str = "sk_contract_sharing";
const SESSION: &str = "11111111-2222-3333-4444-555555555555";
const PARTNER: &str = "a5f3bca2-46e2-411e-90ef-a580900a57ee";
const SESSION_TOKEN: &str = "3FaJ9wLqX2Mz";

/// Answers each operation with its documented success, and keeps every
/// request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Request>>>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(request.clone());
        let path = request.url.path();
        if path.ends_with("/share/") {
            ResponseTemplate::new(200).set_body_json(json!({
                "share_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg",
                "for_application_id": PARTNER,
                "session_kind": "user",
            }))
        } else if path.ends_with("/import-shared/") {
            ResponseTemplate::new(201)
                .set_body_json(json!({"session_id": SESSION, "status": "In Review"}))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({
                "session_id": SESSION,
                "scenario": "decline_aml_hit",
                "status": "Not Started",
            }))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sharing_request_is_one_the_spec_describes() {
    let spec = Spec::load().unwrap();
    let server = MockServer::start().await;
    let recorder = Recorder::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let sessions = client.sessions();
    let id = Uuid::parse_str(SESSION).unwrap();
    let share = sessions
        .share(id, Uuid::parse_str(PARTNER).unwrap())
        .ttl(Duration::from_secs(7_200))
        .send()
        .await
        .unwrap();
    sessions
        .import_shared(share.into_inner().share_token, Uuid::nil())
        .trust_review(true)
        .vendor_data("user-1")
        .send()
        .await
        .unwrap();
    sessions
        .import_shared(ShareToken::from("eyJ.e30.sig".to_owned()), Uuid::nil())
        .send()
        .await
        .unwrap();
    let token = SessionToken::from(SESSION_TOKEN.to_owned());
    sessions
        .arm_sandbox_scenario(id, &token, "decline_aml_hit")
        .send()
        .await
        .unwrap();

    let requests = recorder.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 4, "one request per call");
    let found: Vec<String> = requests
        .iter()
        .flat_map(|request| departures(&spec, request))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    let arm = &requests[3];
    assert_eq!(
        arm.headers.get("session-token").map(|v| v.as_bytes()),
        Some(SESSION_TOKEN.as_bytes())
    );
    assert!(arm.headers.get("x-api-key").is_none());
    for request in &requests[..3] {
        assert!(request.headers.get("session-token").is_none());
    }
}

/// The check above bites: an arm sent with the key, or without the
/// session's token, is named.
#[test]
fn an_arm_with_the_key_or_without_the_token_is_named() {
    let spec = Spec::load().unwrap();
    let arm = |headers: &[(&str, &str)]| {
        let mut map = wiremock::http::HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                wiremock::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        Request {
            url: format!("http://h/v3/session/{SESSION}/sandbox/arm/")
                .parse()
                .unwrap(),
            method: "POST".parse().unwrap(),
            headers: map,
            body: br#"{"scenario": "approve"}"#.to_vec(),
        }
    };
    let with_key = departures(&spec, &arm(&[("session-token", "t"), ("x-api-key", "k")]));
    assert!(
        with_key.iter().any(|d| d.contains("x-api-key")),
        "{with_key:?}"
    );
    let without_token = departures(&spec, &arm(&[("x-api-key", "k")]));
    assert!(
        without_token.iter().any(|d| d.contains("session-token")),
        "{without_token:?}"
    );
    assert!(departures(&spec, &arm(&[("session-token", "t")])).is_empty());
}
