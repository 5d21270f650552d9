//! What an application writes against the SDK: it reads a decision, creates
//! a session with contact details, and matches a status.

use didit::types::{CallbackMethod, ContactDetails, SessionDecision};
use didit::{Client, CreateSession, SessionStatus, Uuid};

/// Fetches a session's decision and sums it up.
pub async fn fetch_summary(client: &Client, session_id: Uuid) -> didit::Result<String> {
    let decision = client.sessions().decision(session_id).send().await?;
    Ok(summarize(&decision))
}

/// The fields an application shows from a decision.
pub fn summarize(decision: &SessionDecision) -> String {
    let id = decision
        .session_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let status = decision.status.as_ref().map_or("unknown", describe);
    let documents = decision
        .id_verifications
        .as_ref()
        .and_then(Option::as_ref)
        .map_or(0, Vec::len);
    format!("{id}: {status}, {documents} document check(s)")
}

/// Statuses are matched with an arm for the ones the server adds later.
pub fn describe(status: &SessionStatus) -> &'static str {
    match status {
        SessionStatus::Approved => "approved",
        SessionStatus::Declined => "declined",
        SessionStatus::InReview => "in review",
        _ => "pending",
    }
}

/// A create request with contact details and a callback method.
pub fn create_session(client: &Client, workflow_id: Uuid) -> CreateSession {
    let mut contact = ContactDetails::default();
    contact.email = Some("user@example.com".to_owned());
    client
        .sessions()
        .create(workflow_id)
        .vendor_data("user-42")
        .callback_method(CallbackMethod::Both)
        .contact_details(contact)
}
