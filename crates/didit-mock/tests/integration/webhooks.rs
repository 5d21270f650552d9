//! The fake announces status changes to a webhook destination: a receiver
//! that verifies deliveries with the `didit-webhook` axum extractor accepts
//! them, and flags the same delivery sent again as a duplicate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use didit_mock::webhooks::{RetryPolicy, WebhookSender};
use didit_mock::{DEFAULT_API_KEY, DiditMock};
use didit_webhook::axum::VerifiedWebhook;
use didit_webhook::{MemoryDeduplicator, Verifier};
use serde_json::json;

const SECRET: &str = "whsec_fake_destination";

/// One delivery as the receiver saw it.
#[derive(Clone, Debug)]
struct Seen {
    kind: String,
    status: String,
    with_decision: bool,
    duplicate: bool,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone)]
struct App {
    verifier: Verifier,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl axum::extract::FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

async fn receive(
    State(app): State<App>,
    headers: HeaderMap,
    VerifiedWebhook(delivery): VerifiedWebhook,
) -> StatusCode {
    let event = delivery.event().expect("the whole body is signed");
    let session = event
        .session_event()
        .expect("a session event")
        .expect("it decodes");
    app.seen.lock().unwrap().push(Seen {
        kind: event.webhook_type().to_string(),
        status: session
            .status
            .map(|status| status.to_string())
            .unwrap_or_default(),
        with_decision: event.decision().is_some(),
        duplicate: delivery.is_duplicate(),
        headers,
        body: event.raw().get().to_owned(),
    });
    StatusCode::OK
}

/// A receiver on 127.0.0.1 using the extractor; its URL and what it saw.
async fn receiver() -> (url::Url, Arc<Mutex<Vec<Seen>>>) {
    let app = App {
        verifier: Verifier::builder()
            .secret(SECRET)
            .deduplicator(MemoryDeduplicator::new())
            .build()
            .unwrap(),
        seen: Arc::default(),
    };
    let seen = app.seen.clone();
    let router = Router::new().route("/hooks", post(receive)).with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}/hooks").parse().unwrap(), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_reach_a_verifying_receiver_and_replays_are_flagged() {
    let (url, seen) = receiver().await;
    let sender = WebhookSender::new(url.clone(), SECRET)
        .unwrap()
        .retry(RetryPolicy::new(3, Duration::from_millis(10)));
    let mock = DiditMock::builder().webhooks(sender).start().await;
    let http = reqwest::Client::new();

    let created: serde_json::Value = http
        .post(format!("{}/v3/session/", mock.uri()))
        .header("x-api-key", DEFAULT_API_KEY)
        .json(&json!({"workflow_id": "33333333-4444-5555-6666-777777777777", "vendor_data": "user-9"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap().to_owned();
    let finished = http
        .post(format!("{}/_mock/sessions/{id}/finish", mock.uri()))
        .json(&json!({"status": "Approved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200);

    let reports = mock.webhooks().unwrap().flush().await;
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(
        reports.iter().all(|report| report.is_delivered()),
        "{reports:?}"
    );
    let deliveries = seen.lock().unwrap().clone();
    // Deliveries go out concurrently, as Didit's retries can reorder them:
    // the fake promises each event once, not their order.
    let mut summary: Vec<(String, bool, bool)> = deliveries
        .iter()
        .map(|seen| (seen.status.clone(), seen.with_decision, seen.duplicate))
        .collect();
    summary.sort();
    assert_eq!(
        summary,
        [
            ("Approved".to_owned(), true, false),
            ("Not Started".to_owned(), false, false),
        ]
    );

    // The final delivery, sent again byte for byte: accepted, and flagged.
    let last = deliveries
        .iter()
        .find(|seen| seen.status == "Approved")
        .unwrap();
    let mut replay = http.post(url.as_str()).body(last.body.clone());
    for name in [
        "content-type",
        "x-timestamp",
        "x-signature",
        "x-signature-v2",
        "x-signature-simple",
    ] {
        if let Some(value) = last.headers.get(name) {
            replay = replay.header(name, value.to_str().unwrap());
        }
    }
    assert_eq!(replay.send().await.unwrap().status(), 200);
    let again = seen.lock().unwrap().last().cloned().unwrap();
    assert!(again.duplicate, "the replay was not flagged");
}

/// The log entries of `kind` of the session `id`, as the review log lists
/// them: the names of the fields each changed.
async fn logged(mock: &DiditMock, id: &str, kind: &str) -> Vec<serde_json::Value> {
    let page: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/v3/sessions/{id}/reviews/", mock.uri()))
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["activity_type"] == kind)
        .map(|entry| entry["changed_fields"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_are_announced_and_logged_as_the_api_does() {
    let (url, seen) = receiver().await;
    let sender = WebhookSender::new(url, SECRET)
        .unwrap()
        .retry(RetryPolicy::new(3, Duration::from_millis(10)));
    let mock = DiditMock::builder().webhooks(sender).start().await;
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{}/v3/session/", mock.uri()))
        .header("x-api-key", DEFAULT_API_KEY)
        // Every KYC step, proof of address included.
        .json(&json!({"workflow_id": "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap().to_owned();
    mock.finish_session(id.parse().unwrap(), didit_api::SessionStatus::Approved)
        .unwrap();
    mock.webhooks().unwrap().flush().await;
    seen.lock().unwrap().clear();

    let correct = |path: &'static str, body: serde_json::Value| {
        let request = http
            .patch(format!("{}/v3/session/{id}/{path}/", mock.uri()))
            .header("x-api-key", DEFAULT_API_KEY)
            .json(&body);
        async move {
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 200);
        }
    };
    // A document correction is announced each time it writes, even the
    // same values; logged only when a value changed.
    correct("update-data", json!({"first_name": "Carmen"})).await;
    correct("update-data", json!({"first_name": "Carmen"})).await;
    // A proof-of-address correction is announced only when a value changed.
    correct("update-poa-data", json!({"issuer": "Banco Example"})).await;
    correct("update-poa-data", json!({"issuer": "Banco Example"})).await;
    // An empty correction writes nothing: neither announced nor logged.
    correct("update-data", json!({})).await;

    let reports = mock.webhooks().unwrap().flush().await;
    assert!(
        reports.iter().all(|report| report.is_delivered()),
        "{reports:?}"
    );
    let kinds: Vec<(String, String)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|seen| (seen.kind.clone(), seen.status.clone()))
        .collect();
    let announced = ("data.updated".to_owned(), "Approved".to_owned());
    assert_eq!(kinds, vec![announced; 3]);

    assert_eq!(
        logged(&mock, &id, "KYC_DATA_UPDATED").await,
        [json!(["first_name"])]
    );
    assert_eq!(
        logged(&mock, &id, "POA_DATA_UPDATED").await,
        [json!(["issuer"])]
    );
}
