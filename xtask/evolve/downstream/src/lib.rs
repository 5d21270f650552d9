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
    let status = describe(decision.status());
    let documents = decision.id_verifications().len();
    let first_names: Vec<&str> = decision
        .id_verifications()
        .iter()
        .filter_map(|check| check.first_name())
        .collect();
    format!(
        "{}: {status}, {documents} document check(s), {}",
        decision.session_id(),
        first_names.join(", ")
    )
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
    let contact = ContactDetails::new()
        .with_email("user@example.com")
        .with_send_notification_emails(true);
    client
        .sessions()
        .create(workflow_id)
        .vendor_data("user-42")
        .callback_method(CallbackMethod::Both)
        .contact_details(contact)
}
