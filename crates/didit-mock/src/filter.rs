//! Matching one record against a query's filters.

use chrono::{DateTime, NaiveDate, Utc};
use didit_api::types::ApiService;
use uuid::Uuid;

use crate::fold::fold;
use crate::query::ListQuery;
use crate::store::{KybIndex, KybRecord, KycIndex, KycRecord, digits};

/// What a `search` term is, by its shape.
#[derive(Debug)]
enum Search {
    /// A whole UUID: that session only.
    Uuid(Uuid),
    /// Digits with `+`, `-`, `.` or spaces: session number prefix, document
    /// or personal numbers, phone number prefix, `vendor_data`.
    Number { lower: String, digits: String },
    /// Contains `@`: e-mail prefix.
    Email(String),
    /// Anything else: names (accents ignored) and `vendor_data`; with digits,
    /// also document and personal numbers and session number prefixes.
    Text {
        folded: String,
        tokens: Vec<String>,
        lower: String,
        has_digits: bool,
    },
}

impl Search {
    fn new(term: &str) -> Self {
        if let Ok(id) = Uuid::parse_str(term) {
            return Search::Uuid(id);
        }
        let numeric = term.chars().any(|c| c.is_ascii_digit())
            && term
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | ' '));
        if numeric {
            return Search::Number {
                lower: term.to_lowercase(),
                digits: digits(term),
            };
        }
        if term.contains('@') {
            return Search::Email(term.to_lowercase());
        }
        let folded = fold(term);
        Search::Text {
            tokens: folded.split_whitespace().map(str::to_owned).collect(),
            folded,
            lower: term.to_lowercase(),
            has_digits: term.chars().any(|c| c.is_ascii_digit()),
        }
    }
}

/// A query turned into what matching needs, computed once per request.
pub(crate) struct Compiled<'q> {
    query: &'q ListQuery,
    date_from: Option<DateTime<Utc>>,
    /// KYC rows: strictly before the start of the day after `date_to`.
    kyc_before: Option<DateTime<Utc>>,
    /// KYB rows: at or before midnight at the start of `date_to`.
    kyb_until: Option<DateTime<Utc>>,
    search: Option<Search>,
    screened: Option<String>,
    organization_matches: bool,
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

fn contains<T: PartialEq + ?Sized>(list: &Option<Vec<String>>, value: Option<&T>) -> bool
where
    String: PartialEq<T>,
{
    match list {
        None => true,
        Some(list) => value.is_some_and(|value| list.iter().any(|item| item == value)),
    }
}

impl<'q> Compiled<'q> {
    pub(crate) fn new(query: &'q ListQuery, organization_name: &str) -> Self {
        Self {
            query,
            date_from: query.date_from.map(midnight),
            kyc_before: query
                .date_to
                .map(|date| midnight(date.succ_opt().unwrap_or(NaiveDate::MAX))),
            kyb_until: query.date_to.map(midnight),
            search: query.search.as_deref().map(Search::new),
            screened: query.screened_full_name.as_deref().map(fold),
            organization_matches: query
                .organization_name
                .as_ref()
                .is_none_or(|names| names.iter().any(|name| name == organization_name)),
        }
    }

    pub(crate) fn matches_kyc(&self, record: &KycRecord, index: &KycIndex) -> bool {
        let q = self.query;
        let row = &record.row;
        let facts = &record.facts;
        if !self.organization_matches {
            return false;
        }
        if !contains(&q.status, row.status.as_ref().map(|s| s.as_str())) {
            return false;
        }
        if let Some(vendor_data) = &q.vendor_data
            && row.vendor_data.as_ref().and_then(|v| v.as_ref()) != Some(vendor_data)
        {
            return false;
        }
        if let Some(workflows) = &q.workflow_id
            && !facts.workflow_id.is_some_and(|id| workflows.contains(&id))
        {
            return false;
        }
        if !in_range(index.created, self.date_from, self.kyc_before, false) {
            return false;
        }
        if !contains(&q.country, row.country.as_ref().and_then(|c| c.as_deref())) {
            return false;
        }
        if !contains(&q.document_type, index.document_code.as_deref()) {
            return false;
        }
        if !contains(&q.document_name, facts.document_name.as_deref()) {
            return false;
        }
        if !contains(&q.region, facts.region.as_deref()) {
            return false;
        }
        if let Some(id) = q.didit_internal_id
            && row.didit_internal_id.flatten() != Some(id)
        {
            return false;
        }
        if !contains(&q.session_type, facts.session_type.as_deref()) {
            return false;
        }
        if let Some(service) = q.api_service
            && facts.api_service != Some(service)
        {
            return false;
        }
        if let Some(name) = &self.screened {
            let in_aml = || index.aml_name.as_ref().is_some_and(|n| n.contains(name));
            let in_database = || {
                index
                    .database_validation_name
                    .as_ref()
                    .is_some_and(|n| n.contains(name))
            };
            let found = match q.api_service {
                Some(ApiService::Aml) => in_aml(),
                Some(ApiService::DatabaseValidation) => in_database(),
                _ => in_aml() || in_database(),
            };
            if !found {
                return false;
            }
        }
        if let Some(warnings) = &q.warning
            && !facts.warnings.iter().any(|w| warnings.contains(w))
        {
            return false;
        }
        if let Some(flag) = q.status_initialized_as_in_review
            && facts.status_initialized_as_in_review != flag
        {
            return false;
        }
        if let Some(flag) = q.is_kyc_to_be_reviewed
            && facts.is_kyc_to_be_reviewed != Some(flag)
        {
            return false;
        }
        if let Some(euuid) = q.euuid
            && facts.euuid != Some(euuid)
        {
            return false;
        }
        match &self.search {
            None => true,
            Some(search) => search_kyc(search, record, index),
        }
    }

    pub(crate) fn matches_kyb(&self, record: &KybRecord, index: &KybIndex) -> bool {
        // KYB rows honour the shared filters only; the KYC-only ones are
        // ignored for them.
        let q = self.query;
        let row = &record.row;
        if !self.organization_matches {
            return false;
        }
        if !contains(&q.status, row.status.as_ref().map(|s| s.as_str())) {
            return false;
        }
        if let Some(vendor_data) = &q.vendor_data
            && row.vendor_data.as_ref().and_then(|v| v.as_ref()) != Some(vendor_data)
        {
            return false;
        }
        if let Some(workflows) = &q.workflow_id
            && !row
                .workflow_id
                .flatten()
                .is_some_and(|id| workflows.contains(&id))
        {
            return false;
        }
        if !in_range(index.created, self.date_from, self.kyb_until, true) {
            return false;
        }
        if !contains(&q.country, row.country.as_ref().and_then(|c| c.as_deref())) {
            return false;
        }
        if let Some(warnings) = &q.warning
            && !record.facts.warnings.iter().any(|w| warnings.contains(w))
        {
            return false;
        }
        match &self.search {
            None => true,
            Some(search) => search_kyb(search, record, index),
        }
    }
}

/// Whether `created` is at or after `from` and before `to` (at or before it
/// when `inclusive`); a row without a creation time fails any bound.
fn in_range(
    created: Option<DateTime<Utc>>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    inclusive: bool,
) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some(at) = created else {
        return false;
    };
    from.is_none_or(|from| at >= from)
        && to.is_none_or(|to| if inclusive { at <= to } else { at < to })
}

fn has(field: &Option<String>, test: impl FnOnce(&str) -> bool) -> bool {
    field.as_deref().is_some_and(test)
}

fn search_kyc(search: &Search, record: &KycRecord, index: &KycIndex) -> bool {
    match search {
        Search::Uuid(id) => record.row.session_id == Some(*id),
        Search::Number { lower, digits } => {
            (!digits.is_empty() && has(&index.number, |n| n.starts_with(digits.as_str())))
                || has(&index.document_number, |n| n.contains(lower.as_str()))
                || has(&index.personal_number, |n| n.contains(lower.as_str()))
                || (!digits.is_empty()
                    && has(&index.phone_digits, |n| n.starts_with(digits.as_str())))
                || has(&index.vendor_data, |v| v.contains(lower.as_str()))
        }
        Search::Email(prefix) => has(&index.email, |e| e.starts_with(prefix.as_str())),
        Search::Text {
            tokens,
            lower,
            has_digits,
            ..
        } => {
            has(&index.name, |name| {
                !tokens.is_empty() && tokens.iter().all(|t| name.contains(t.as_str()))
            }) || has(&index.vendor_data, |v| v.contains(lower.as_str()))
                || (*has_digits
                    && (has(&index.document_number, |n| n.contains(lower.as_str()))
                        || has(&index.personal_number, |n| n.contains(lower.as_str()))
                        || has(&index.number, |n| n.starts_with(lower.as_str()))))
        }
    }
}

fn search_kyb(search: &Search, record: &KybRecord, index: &KybIndex) -> bool {
    match search {
        Search::Uuid(id) => record.row.session_id == Some(*id),
        Search::Number { lower, digits } => {
            (!digits.is_empty() && has(&index.number, |n| n.starts_with(digits.as_str())))
                || has(&index.registration, |r| r.contains(lower.as_str()))
                || has(&index.vendor_data, |v| v.contains(lower.as_str()))
        }
        Search::Email(term) => {
            has(&index.vendor_data, |v| v.contains(term.as_str()))
                || has(&index.company, |c| c.contains(term.as_str()))
        }
        Search::Text { folded, lower, .. } => {
            has(&index.company, |c| c.contains(folded.as_str()))
                || has(&index.registration, |r| r.contains(lower.as_str()))
                || has(&index.vendor_data, |v| v.contains(lower.as_str()))
                || has(&index.number, |n| n.starts_with(lower.as_str()))
        }
    }
}
