//! The application of `cargo xtask build-cost` written with the SDK: reads a
//! session's decision and one page of the session list through `didit`. It
//! is only built, never run.

use didit::types::SessionDecision;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api_key = std::env::var("DIDIT_API_KEY")?;
    let base =
        std::env::var("DIDIT_BASE_URL").unwrap_or_else(|_| didit::DEFAULT_BASE_URL.to_owned());
    let id: didit::Uuid = std::env::args()
        .nth(1)
        .ok_or("usage: sdk SESSION_ID")?
        .parse()?;

    let client = didit::Client::builder()
        .api_key(api_key)
        .base_url(base)
        .build()?;
    let decision = client.sessions().decision(id).send().await?;
    let page = client.sessions().list().limit(10).send().await?;
    report(&decision, &page);
    Ok(())
}

/// Every field the application reads, in one place.
fn report(decision: &SessionDecision, page: &didit::Page) {
    println!("session {}: {}", decision.session_id(), decision.status());
    for check in decision.id_verifications() {
        println!(
            "  document {:?} of {:?} {:?}: {:?}",
            check.document_type(),
            check.first_name(),
            check.last_name(),
            check.status()
        );
    }
    println!("{} sessions in all", page.count);
    for session in &page.results {
        println!(
            "  {:?} {:?} {:?}",
            session.session_number(),
            session.session_id(),
            session.status()
        );
    }
}
