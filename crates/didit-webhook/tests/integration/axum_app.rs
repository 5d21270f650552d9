//! An axum app on 127.0.0.1 receiving deliveries through the extractor.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::post;
use didit_webhook::axum::VerifiedWebhook;
use didit_webhook::{MemoryDeduplicator, Signer, Verifier};

const SECRET: &str = "whsec_axum_app";

/// An application state holding more than the verifier.
#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    name: &'static str,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Verifier {
        state.verifier.clone()
    }
}

async fn receive(VerifiedWebhook(delivery): VerifiedWebhook) -> (StatusCode, String) {
    if delivery.is_duplicate() {
        return (StatusCode::OK, "duplicate".to_owned());
    }
    let event = delivery.event().expect("the whole body is signed");
    (
        StatusCode::OK,
        format!("processed {}", event.status().expect("a status")),
    )
}

async fn start() -> String {
    let verifier = Verifier::builder()
        .secret(SECRET)
        .max_body_size(16 * 1024)
        .deduplicator(MemoryDeduplicator::new())
        .build()
        .unwrap();
    let state = AppState {
        verifier,
        name: "app",
    };
    assert_eq!(state.name, "app");
    let app = Router::new()
        .route("/webhooks/didit", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/webhooks/didit")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn post_delivery(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    headers: &http::HeaderMap,
) -> (StatusCode, String) {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.to_str().unwrap());
    }
    let response = request.send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_delivery_is_accepted_once_then_flagged_and_a_tampered_one_refused() {
    let url = start().await;
    let client = reqwest::Client::new();
    let signed = Signer::new(SECRET)
        .sign(&serde_json::json!({
            "webhook_type": "status.updated",
            "timestamp": now(),
            "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
            "status": "Approved",
            "vendor_data": "private-vendor-data",
            "decision": {"id_verifications": [{"first_name": "Inés", "score": 97.5}]},
        }))
        .unwrap();

    let first = post_delivery(&client, &url, signed.body.clone(), &signed.headers).await;
    assert_eq!(first, (StatusCode::OK, "processed Approved".to_owned()));

    let replayed = post_delivery(&client, &url, signed.body.clone(), &signed.headers).await;
    assert_eq!(replayed, (StatusCode::OK, "duplicate".to_owned()));

    let tampered_body = String::from_utf8(signed.body.clone())
        .unwrap()
        .replace("Approved", "Declined")
        .into_bytes();
    let (status, reason) = post_delivery(&client, &url, tampered_body, &signed.headers).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reason,
        "the signature does not match (X-Signature, X-Signature-V2)"
    );

    let (status, reason) =
        post_delivery(&client, &url, signed.body.clone(), &http::HeaderMap::new()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(reason.starts_with("no signature header"), "{reason}");
    assert!(!reason.contains("private-vendor-data"));

    let (status, reason) =
        post_delivery(&client, &url, vec![b' '; 20 * 1024], &signed.headers).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reason, "the body is larger than the 16384 bytes accepted");
}
