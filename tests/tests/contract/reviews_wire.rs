//! What the facade puts on the wire for the review log, checked against
//! the spec as the lifecycle's requests are (see `lifecycle_wire`): method,
//! path, query, body, the API key header, and nothing undescribed; and what
//! each call sends exactly.

use std::sync::{Arc, Mutex};

use didit::{Client, RetryPolicy, ReviewOrdering, SessionStatus, Uuid};
use didit_contract::Spec;
use didit_contract::wire::spec_api_key_header;
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::lifecycle_wire::departures;

const KEY: &str = "sk_contract_reviews";
const SESSION: &str = "11111111-2222-3333-4444-555555555555";

/// Answers a read with an empty log page, a note with the note, and keeps
/// every request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Request>>>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(request.clone());
        match request.method.as_str() {
            "POST" => ResponseTemplate::new(201).set_body_json(json!({
                "user": "Unknown",
                "new_status": null,
                "comment": null,
                "created_at": "2026-06-12T00:18:44.504157Z",
            })),
            _ => ResponseTemplate::new(200).set_body_json(json!({
                "count": 0, "next": null, "previous": null, "results": [],
            })),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_review_log_request_is_one_the_spec_describes() {
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
    sessions.reviews(id).send().await.unwrap();
    sessions
        .reviews(id)
        .limit(25)
        .offset(50)
        .ordering(ReviewOrdering::OldestFirst)
        .send()
        .await
        .unwrap();
    let entries: Vec<_> = sessions
        .reviews(id)
        .ordering(ReviewOrdering::Field("-activity_type".to_owned()))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(entries.is_empty());
    sessions.add_review(id).send().await.unwrap();
    sessions
        .add_review(id)
        .new_status(SessionStatus::InReview)
        .comment("Flagging for manual document re-check.")
        .send()
        .await
        .unwrap();

    let requests = recorder.0.lock().unwrap().clone();
    let found: Vec<String> = requests
        .iter()
        .flat_map(|request| departures(&spec, request))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));

    let log_path = format!("/v3/sessions/{SESSION}/reviews/");
    let key_header = spec_api_key_header(&spec);
    let sent: Vec<(String, String, Option<String>, Value)> = requests
        .iter()
        .map(|request| {
            assert_eq!(request.url.path(), log_path);
            assert_eq!(
                request
                    .headers
                    .get(key_header.as_str())
                    .unwrap()
                    .to_str()
                    .unwrap(),
                KEY
            );
            let body = if request.body.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&request.body).unwrap()
            };
            (
                request.method.to_string(),
                request.url.path().to_owned(),
                request.url.query().map(str::to_owned),
                body,
            )
        })
        .collect();
    let expected = [
        ("GET", None, Value::Null),
        (
            "GET",
            Some("limit=25&offset=50&ordering=created_at"),
            Value::Null,
        ),
        ("GET", Some("ordering=-activity_type"), Value::Null),
        // The body is required by the generated client: nothing set is `{}`.
        ("POST", None, json!({})),
        (
            "POST",
            None,
            json!({"new_status": "In Review", "comment": "Flagging for manual document re-check."}),
        ),
    ];
    assert_eq!(sent.len(), expected.len(), "one request per call");
    for ((method, _, query, body), (want_method, want_query, want_body)) in
        sent.iter().zip(expected)
    {
        assert_eq!(method, want_method);
        assert_eq!(query.as_deref(), want_query);
        assert_eq!(body, &want_body);
    }
}
