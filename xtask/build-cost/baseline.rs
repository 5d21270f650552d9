//! The baseline of `cargo xtask build-cost`: an application that reads a
//! session's decision from the Didit API by hand, with reqwest and serde.
//! It is only built, never run.

use serde::Deserialize;

/// The few fields of a decision this application reads.
#[derive(Debug, Deserialize)]
struct Decision {
    session_id: String,
    status: String,
    #[serde(default)]
    id_verifications: Option<Vec<IdVerification>>,
}

/// One identity-document check of a decision.
#[derive(Debug, Deserialize)]
struct IdVerification {
    status: Option<String>,
    document_type: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api_key = std::env::var("DIDIT_API_KEY")?;
    let base = std::env::var("DIDIT_BASE_URL")
        .unwrap_or_else(|_| "https://verification.didit.me".to_owned());
    let id = std::env::args()
        .nth(1)
        .ok_or("usage: baseline SESSION_ID")?;

    let decision: Decision = reqwest::Client::new()
        .get(format!(
            "{}/v3/session/{id}/decision/",
            base.trim_end_matches('/')
        ))
        .header("x-api-key", api_key)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;

    println!("session {}: {}", decision.session_id, decision.status);
    for check in decision.id_verifications.iter().flatten() {
        println!(
            "  document {:?} of {:?} {:?}: {:?}",
            check.document_type, check.first_name, check.last_name, check.status
        );
    }
    Ok(())
}
