//! A webhook receiver: verifies each delivery, processes each event once.
//!
//! Run with `DIDIT_WEBHOOK_SECRET=... cargo run -p didit-webhook --example axum_receiver`;
//! it receives on `http://127.0.0.1:8787/webhooks/didit`.
use axum::{Router, http::StatusCode, routing::post};
use didit_webhook::axum::VerifiedWebhook;
use didit_webhook::{MemoryDeduplicator, SessionStatus, Verifier};

async fn receive(VerifiedWebhook(delivery): VerifiedWebhook) -> StatusCode {
    // A retry of an event already handled: acknowledge it, do nothing.
    if delivery.is_duplicate() {
        return StatusCode::OK;
    }
    let Some(event) = delivery.event() else {
        return StatusCode::OK;
    };
    match event.status() {
        // The decision, read into the SDK's type; `event.decision_json()`
        // gives its text for your own types.
        Some(SessionStatus::Approved) => match event.decision() {
            Some(Ok(decision)) => println!(
                "session {:?} approved, {} ID checks",
                event.session_id(),
                decision.id_verifications().len()
            ),
            // The JSON path that did not fit, never the value.
            Some(Err(failure)) => eprintln!("an unexpected decision: {failure}"),
            None => println!("session {:?} approved", event.session_id()),
        },
        Some(SessionStatus::Declined) => println!("session {:?} declined", event.session_id()),
        Some(other) => println!("session {:?} is now {other}", event.session_id()),
        None => println!("a {} event", event.webhook_type()),
    }
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = Verifier::builder()
        .secret(std::env::var("DIDIT_WEBHOOK_SECRET")?)
        .deduplicator(MemoryDeduplicator::new())
        .build()?;
    let app = Router::new()
        .route("/webhooks/didit", post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
