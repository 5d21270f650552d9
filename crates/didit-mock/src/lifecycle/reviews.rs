//! The review log of a KYC session: status changes made through
//! `update-status` and notes added with `POST …/reviews/`, paged like the
//! session list.

use chrono::Utc;
use didit_api::{SessionStatus, Timestamp};
use serde_json::{Map, Value, json};
use url::form_urlencoded;
use uuid::Uuid;

use super::{Answer, State, field_error, json_type, not_found, object_body, plain};
use crate::page;
use crate::query::ListQuery;
use crate::server::{Settings, resolve_limit};
use crate::store::MockSession;

/// What a note added through the API records as its author: nobody known.
const UNKNOWN_AUTHOR: &str = "Unknown";

impl State {
    /// Logs a status change made through `update-status`.
    pub(super) fn log_status_change(
        &mut self,
        id: Uuid,
        previous: &str,
        new: &str,
        comment: Option<&str>,
    ) {
        let entry = json!({
            "uuid": entry_id(),
            "activity_type": "STATUS_UPDATED",
            "actor_display": "API Client",
            "actor_email": null,
            "actor_type": "API_KEY",
            "new_status": new,
            "previous_status": previous,
            "comment": comment,
            "mentioned_emails": [],
            "previous_value": {"status": previous},
            "new_value": {"status": new},
            "changed_fields": ["status"],
            "metadata": null,
            "created_at": Timestamp::from(Utc::now()),
        });
        self.extras.entry(id).or_default().log.push(entry);
    }

    /// Logs a correction of the session's data (`activity` is
    /// `KYC_DATA_UPDATED`, …) that changed the properties of `previous`
    /// into those of `new`.
    pub(super) fn log_data_change(
        &mut self,
        id: Uuid,
        activity: &str,
        previous: Map<String, Value>,
        new: Map<String, Value>,
    ) {
        let changed: Vec<&String> = new.keys().collect();
        let entry = json!({
            "uuid": entry_id(),
            "activity_type": activity,
            "actor_display": "API Client",
            "actor_email": null,
            "actor_type": "API_KEY",
            "new_status": null,
            "previous_status": null,
            "comment": null,
            "mentioned_emails": [],
            "previous_value": previous,
            "new_value": new,
            "changed_fields": changed,
            "metadata": null,
            "created_at": Timestamp::from(Utc::now()),
        });
        self.extras.entry(id).or_default().log.push(entry);
    }

    /// `GET /v3/sessions/{id}/reviews/`: one page of the log of a KYC
    /// session, newest first unless `ordering` says otherwise, with links
    /// to its neighbours on `base` (the request's URL without its query).
    pub(crate) fn reviews(
        &self,
        id: Uuid,
        raw_query: &str,
        base: &str,
        settings: &Settings,
    ) -> Answer {
        if !matches!(self.store.session(id), Some(MockSession::Kyc(_))) {
            return not_found();
        }
        // `limit` and `offset` are read as the session list reads them,
        // but one that does not read is ignored (the log's pager falls
        // back to its defaults rather than refusing).
        let value_of = |name: &str| {
            form_urlencoded::parse(raw_query.as_bytes())
                .filter(|(key, _)| key == name)
                .last()
                .and_then(|pair| ListQuery::from_pairs([pair]).ok())
        };
        let query = ListQuery {
            limit: value_of("limit").and_then(|query| query.limit),
            offset: value_of("offset").map_or(0, |query| query.offset),
            ..ListQuery::default()
        };
        let ordering = form_urlencoded::parse(raw_query.as_bytes())
            .filter(|(name, _)| name == "ordering")
            .last()
            .map(|(_, value)| value.into_owned());
        let mut entries = self
            .extras
            .get(&id)
            .map(|extras| extras.log.clone())
            .unwrap_or_default();
        order(&mut entries, ordering.as_deref());

        let limit = resolve_limit(&query, settings);
        let count = u64::try_from(entries.len()).unwrap_or(u64::MAX);
        let start = query.offset.min(count);
        let end = start.saturating_add(limit).min(count);
        let plan = page::Plan {
            count,
            kyc: 0..0,
            kyb: 0..0,
            limit,
            next: (end < count).then_some(end),
            previous: page::previous_offset(query.offset, limit),
        };
        let (next, previous) = page::links(&plan, base, raw_query);
        let results: Vec<Value> = entries
            .into_iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(end - start).unwrap_or(usize::MAX))
            .collect();
        Answer::Json(
            200,
            json!({"count": count, "next": next, "previous": previous, "results": results}),
        )
    }

    /// `POST /v3/sessions/{id}/reviews/`: a note, with an optional status
    /// label, added to the log of a KYC session and to its decision's
    /// reviews. The session's status does not change.
    pub(crate) fn add_review(&mut self, id: Uuid, body: &[u8]) -> Answer {
        if !matches!(self.store.session(id), Some(MockSession::Kyc(_))) {
            return not_found();
        }
        // An empty body is accepted, as an empty note.
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match object_body(body) {
                Ok(body) => body,
                Err(answer) => return answer,
            }
        };
        let new_status = match body.get("new_status") {
            None | Some(Value::Null) => None,
            Some(Value::String(status))
                if SessionStatus::KNOWN
                    .iter()
                    .any(|known| known.as_str() == status) =>
            {
                Some(status.clone())
            }
            Some(other) => {
                return field_error(
                    "new_status",
                    json!([format!("\"{}\" is not a valid choice.", plain(other))]),
                );
            }
        };
        let comment = match body.get("comment") {
            None | Some(Value::Null) => None,
            Some(Value::String(comment)) => Some(comment.clone()),
            Some(other) => {
                return field_error(
                    "comment",
                    json!([format!("Not a valid string (got {}).", json_type(other))]),
                );
            }
        };
        let created_at = Timestamp::from(Utc::now());
        let entry = json!({
            "uuid": entry_id(),
            "activity_type": "STATUS_UPDATED",
            "actor_display": UNKNOWN_AUTHOR,
            "actor_email": null,
            "actor_type": "CONSOLE_USER",
            "new_status": new_status,
            "previous_status": null,
            "comment": comment,
            "mentioned_emails": [],
            "previous_value": null,
            "new_value": null,
            "changed_fields": [],
            "metadata": null,
            "created_at": created_at,
        });
        let review = json!({
            "user": UNKNOWN_AUTHOR,
            "new_status": new_status,
            "comment": comment,
            "created_at": created_at,
        });
        let extras = self.extras.entry(id).or_default();
        extras.log.push(entry);
        extras.reviews.push(review.clone());
        Answer::Json(201, review)
    }
}

/// A random identifier for a log entry.
fn entry_id() -> Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// Puts `entries` (oldest first, as logged) in the order `ordering` asks:
/// newest first by default and for `-created_at`; by another property
/// when one is named (a leading `-` reversing it); a name no entry has is
/// ignored, as the server ignores it.
fn order(entries: &mut [Value], ordering: Option<&str>) {
    let ordering = ordering.map(str::trim).unwrap_or("-created_at");
    let (field, descending) = match ordering.strip_prefix('-') {
        Some(field) => (field, true),
        None => (ordering, false),
    };
    if field == "created_at" {
        // Logged in time order: the log's own order is `created_at`'s,
        // even for entries written within the same microsecond.
        if descending {
            entries.reverse();
        }
        return;
    }
    if field.is_empty() || !entries.iter().any(|entry| entry.get(field).is_some()) {
        entries.reverse();
        return;
    }
    // A stable sort keeps entries with equal values in time order.
    entries.sort_by_cached_key(|entry| sort_key(entry.get(field)));
    if descending {
        entries.reverse();
    }
}

/// How a property's value sorts: absent and null first, then by its text.
fn sort_key(value: Option<&Value>) -> (bool, String) {
    match value {
        None | Some(Value::Null) => (false, String::new()),
        Some(Value::String(text)) => (true, text.clone()),
        Some(other) => (true, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Value> {
        ["b", "a", "c"]
            .iter()
            .enumerate()
            .map(|(n, comment)| json!({"n": n, "comment": comment}))
            .collect()
    }

    fn order_of(ordering: Option<&str>) -> Vec<u64> {
        let mut entries = entries();
        order(&mut entries, ordering);
        entries
            .iter()
            .map(|entry| entry["n"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn the_log_is_newest_first_unless_asked_otherwise() {
        assert_eq!(order_of(None), [2, 1, 0]);
        assert_eq!(order_of(Some("-created_at")), [2, 1, 0]);
        assert_eq!(order_of(Some("created_at")), [0, 1, 2]);
        assert_eq!(order_of(Some("comment")), [1, 0, 2]);
        assert_eq!(order_of(Some("-comment")), [2, 0, 1]);
        assert_eq!(order_of(Some("no_such_property")), [2, 1, 0]);
    }
}
