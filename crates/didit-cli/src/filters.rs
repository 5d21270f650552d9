//! Turns the filter flags into the SDK's list request.

use didit::{ListSessions, SessionStatus};

use crate::cli::Filters;

/// Sets every filter that was given on `request`. Values the SDK rejects
/// (an empty one, say) make the request fail before anything is sent.
/// Status values this version does not know are sent as written and
/// reported through `note`.
pub fn apply(
    filters: &Filters,
    mut request: ListSessions,
    note: &mut dyn FnMut(String),
) -> ListSessions {
    if let Some(kind) = filters.session_kind {
        request = request.session_kind(kind.into());
    }
    if !filters.status.is_empty() {
        let statuses: Vec<SessionStatus> = filters
            .status
            .iter()
            .map(|status| {
                let status = status_named(status.trim());
                if status.is_unknown() && !status.as_str().is_empty() {
                    note(format!(
                        "`{status}` is not a status this version knows; it is sent as written"
                    ));
                }
                status
            })
            .collect();
        request = request.status(statuses);
    }
    if let Some(vendor_data) = &filters.vendor_data {
        request = request.vendor_data(vendor_data);
    }
    if let Some(text) = &filters.search {
        request = request.search(text);
    }
    if !filters.workflow_id.is_empty() {
        request = request.workflow_id(filters.workflow_id.iter().copied());
    }
    if let Some(day) = filters.date_from {
        request = request.date_from(day);
    }
    if let Some(day) = filters.date_to {
        request = request.date_to(day);
    }
    if !filters.country.is_empty() {
        request = request.country(trimmed(&filters.country));
    }
    if !filters.document_type.is_empty() {
        request = request.document_type(trimmed(&filters.document_type));
    }
    if !filters.document_name.is_empty() {
        request = request.document_name(&filters.document_name);
    }
    if !filters.region.is_empty() {
        request = request.region(trimmed(&filters.region));
    }
    if let Some(id) = filters.didit_internal_id {
        request = request.didit_internal_id(id);
    }
    if !filters.session_type.is_empty() {
        request = request.session_type(trimmed(&filters.session_type));
    }
    if let Some(service) = filters.api_service {
        request = request.api_service(service);
    }
    if let Some(name) = &filters.screened_full_name {
        request = request.screened_full_name(name);
    }
    if !filters.warning.is_empty() {
        request = request.warning(trimmed(&filters.warning));
    }
    if let Some(value) = filters.status_initialized_as_in_review {
        request = request.status_initialized_as_in_review(value);
    }
    if let Some(value) = filters.is_kyc_to_be_reviewed {
        request = request.is_kyc_to_be_reviewed(value);
    }
    if let Some(id) = filters.euuid {
        request = request.euuid(id);
    }
    if !filters.organization_name.is_empty() {
        request = request.organization_name(trimmed(&filters.organization_name));
    }
    request
}

/// The list values without the spaces around them (`Approved, Declined`).
fn trimmed(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|value| value.trim())
}

/// A status as Didit spells it when `text` names a known one in another
/// case (`in review`), otherwise `text` as it is.
fn status_named(text: &str) -> SessionStatus {
    SessionStatus::KNOWN
        .iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(text))
        .cloned()
        .unwrap_or_else(|| SessionStatus::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_matched_without_regard_to_case() {
        assert_eq!(status_named("in review"), SessionStatus::InReview);
        assert_eq!(status_named("In Review"), SessionStatus::InReview);
        assert_eq!(
            status_named("On Hold"),
            SessionStatus::Unknown("On Hold".into())
        );
    }
}
