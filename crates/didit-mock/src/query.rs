//! The query parameters of `GET /v3/sessions/`, parsed and validated the way
//! the real API does.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use didit_api::types::{ApiError, ApiService, ErrorMessages, SessionKindFilter};
use uuid::Uuid;

/// A parsed `GET /v3/sessions/` query: the filters, `session_kind`, `limit`
/// and `offset`.
///
/// Build one with [`ListQuery::parse`] from a query string (what the server
/// does), or start from [`ListQuery::default`] (no filter, KYC rows) and set
/// fields. List filters hold their comma-separated values; `None` means the
/// parameter was absent or empty.
///
/// ```
/// use didit_mock::ListQuery;
///
/// let query = ListQuery::parse("status=Approved,In%20Review&limit=20").unwrap();
/// assert_eq!(query.status, Some(vec!["Approved".to_owned(), "In Review".to_owned()]));
/// assert_eq!(query.limit, Some(20));
///
/// let error = ListQuery::parse("date_from=yesterday").unwrap_err();
/// assert!(error.contains_key("date_from"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListQuery {
    /// Which kinds of session to list (`session_kind`, `user` by default).
    pub session_kind: SessionKindFilter,
    /// Page size asked for (`limit`); `None` for the server's default.
    pub limit: Option<u64>,
    /// Rows to skip (`offset`).
    pub offset: u64,
    /// `status`: exact, case-sensitive display values.
    pub status: Option<Vec<String>>,
    /// `vendor_data`: exact match.
    pub vendor_data: Option<String>,
    /// `search`: free text whose meaning depends on its shape.
    pub search: Option<String>,
    /// `workflow_id`: the values that are UUIDs. `Some(vec![])` (none was a
    /// UUID) matches no row.
    pub workflow_id: Option<Vec<Uuid>>,
    /// `date_from`: created on this UTC day or later.
    pub date_from: Option<NaiveDate>,
    /// `date_to`: created on this UTC day or earlier (KYC rows); at or before
    /// its midnight (KYB rows).
    pub date_to: Option<NaiveDate>,
    /// `country`: KYC document country (alpha-3) or KYB registry country.
    pub country: Option<Vec<String>>,
    /// `document_type`: document codes (`P`, `ID`, ...). KYC only.
    pub document_type: Option<Vec<String>>,
    /// `document_name`: recognised document names. KYC only.
    pub document_name: Option<Vec<String>>,
    /// `region`: issuing regions. KYC only.
    pub region: Option<Vec<String>>,
    /// `didit_internal_id`. KYC only.
    pub didit_internal_id: Option<Uuid>,
    /// `session_type`: `API`, `HOSTED`, `MIGRATED`; `None` when absent or
    /// `ALL`. KYC only.
    pub session_type: Option<Vec<String>>,
    /// `api_service`. KYC only.
    pub api_service: Option<ApiService>,
    /// `screened_full_name`. KYC only.
    pub screened_full_name: Option<String>,
    /// `warning`: warning codes.
    pub warning: Option<Vec<String>>,
    /// `status_initialized_as_in_review`. KYC only.
    pub status_initialized_as_in_review: Option<bool>,
    /// `is_kyc_to_be_reviewed`. KYC only.
    pub is_kyc_to_be_reviewed: Option<bool>,
    /// `euuid`. KYC only.
    pub euuid: Option<Uuid>,
    /// `organization_name`: organisation names.
    pub organization_name: Option<Vec<String>>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            session_kind: SessionKindFilter::User,
            limit: None,
            offset: 0,
            status: None,
            vendor_data: None,
            search: None,
            workflow_id: None,
            date_from: None,
            date_to: None,
            country: None,
            document_type: None,
            document_name: None,
            region: None,
            didit_internal_id: None,
            session_type: None,
            api_service: None,
            screened_full_name: None,
            warning: None,
            status_initialized_as_in_review: None,
            is_kyc_to_be_reviewed: None,
            euuid: None,
            organization_name: None,
        }
    }
}

/// The message for a `session_kind` outside `user`, `business` and `all`.
const BAD_SESSION_KIND: &str = "Must be \"user\", \"business\", or \"all\".";

impl ListQuery {
    /// Parses a URL query string (without the `?`), answering malformed typed
    /// values with the API's `400` body.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        Self::from_pairs(url::form_urlencoded::parse(query.as_bytes()))
    }

    /// Parses decoded `(name, value)` pairs. A repeated parameter takes its
    /// last value; unknown parameters are ignored; an empty value counts as
    /// absent for text and list parameters and as malformed for typed ones.
    ///
    /// `session_kind` is checked first and, when invalid, is the only error
    /// reported. Otherwise every malformed typed parameter (`date_from`,
    /// `date_to`, `didit_internal_id`, `euuid`, `api_service`, the two
    /// booleans, `limit`, `offset`) gets its own key in the error body.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, ApiError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut last: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in pairs {
            last.insert(name.as_ref().to_owned(), value.as_ref().to_owned());
        }
        // Free-text and list parameters treat an empty value as absent; typed
        // ones are held to their format, so an empty value is malformed.
        let get = |name: &str| last.get(name).map(|v| v.as_str()).filter(|v| !v.is_empty());
        let get_typed = |name: &str| last.get(name).map(|v| v.as_str());

        let mut query = ListQuery::default();
        if let Some(kind) = get_typed("session_kind") {
            query.session_kind = match kind.to_ascii_lowercase().as_str() {
                "user" => SessionKindFilter::User,
                "business" => SessionKindFilter::Business,
                "all" => SessionKindFilter::All,
                _ => {
                    let mut body = BTreeMap::new();
                    body.insert(
                        "session_kind".to_owned(),
                        ErrorMessages::String(BAD_SESSION_KIND.to_owned()),
                    );
                    return Err(ApiError::from(body));
                }
            };
        }

        let mut errors: BTreeMap<String, ErrorMessages> = BTreeMap::new();
        let mut fail = |name: &str, message: String| {
            errors.insert(name.to_owned(), ErrorMessages::Array(vec![message]));
        };

        if let Some(limit) = get_typed("limit") {
            match parse_integer(limit) {
                Some(value) if value >= 1 => query.limit = Some(saturate(value)),
                Some(_) => fail(
                    "limit",
                    "Ensure this value is greater than or equal to 1.".to_owned(),
                ),
                None => fail("limit", "A valid integer is required.".to_owned()),
            }
        }
        if let Some(offset) = get_typed("offset") {
            match parse_integer(offset) {
                Some(value) if value >= 0 => query.offset = saturate(value),
                Some(_) => fail(
                    "offset",
                    "Ensure this value is greater than or equal to 0.".to_owned(),
                ),
                None => fail("offset", "A valid integer is required.".to_owned()),
            }
        }
        for (name, slot) in [
            ("date_from", &mut query.date_from),
            ("date_to", &mut query.date_to),
        ] {
            if let Some(text) = get_typed(name) {
                // Python's dates run from year 1 to 9999; chrono's further.
                match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                    Ok(date) if (1..=9999).contains(&date.year()) => *slot = Some(date),
                    _ => fail(name, "Enter a valid date.".to_owned()),
                }
            }
        }
        for (name, slot) in [
            ("didit_internal_id", &mut query.didit_internal_id),
            ("euuid", &mut query.euuid),
        ] {
            if let Some(text) = get_typed(name) {
                match Uuid::parse_str(text.trim()) {
                    Ok(id) => *slot = Some(id),
                    Err(_) => fail(name, "Enter a valid UUID.".to_owned()),
                }
            }
        }
        if let Some(service) = get_typed("api_service") {
            match service.parse::<ApiService>() {
                Ok(service) => query.api_service = Some(service),
                Err(_) => fail(
                    "api_service",
                    format!(
                        "Select a valid choice. {service} is not one of the available choices."
                    ),
                ),
            }
        }
        for (name, slot) in [
            (
                "status_initialized_as_in_review",
                &mut query.status_initialized_as_in_review,
            ),
            ("is_kyc_to_be_reviewed", &mut query.is_kyc_to_be_reviewed),
        ] {
            if let Some(text) = get_typed(name) {
                match parse_bool(text) {
                    Some(value) => *slot = Some(value),
                    None => fail(name, "Must be a valid boolean.".to_owned()),
                }
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::from(errors));
        }

        query.status = get("status").and_then(comma_list);
        query.vendor_data = get("vendor_data").map(str::to_owned);
        query.search = get("search")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        query.workflow_id = get("workflow_id").map(|ids| {
            ids.split(',')
                .filter_map(|id| Uuid::parse_str(id.trim()).ok())
                .collect()
        });
        query.country = get("country").and_then(comma_list);
        query.document_type = get("document_type").and_then(comma_list);
        query.document_name = get("document_name").and_then(document_names);
        query.region = get("region").and_then(comma_list);
        query.session_type = get("session_type")
            .and_then(comma_list)
            .filter(|types| !types.iter().any(|t| t == "ALL"));
        query.screened_full_name = get("screened_full_name")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        query.warning = get("warning").and_then(comma_list);
        query.organization_name = get("organization_name").and_then(comma_list);
        Ok(query)
    }

    /// The same filters with `limit` and `offset` cleared: what identifies
    /// the set of matching rows.
    pub(crate) fn filter_key(&self) -> ListQuery {
        ListQuery {
            limit: None,
            offset: 0,
            ..self.clone()
        }
    }
}

/// An integer as Python's `int()` reads it (sign and surrounding spaces
/// allowed); too large values saturate.
fn parse_integer(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

fn saturate(value: i128) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// The values of a comma list, trimmed, without empty ones; `None` when
/// nothing is left.
fn comma_list(text: &str) -> Option<Vec<String>> {
    let values: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    (!values.is_empty()).then_some(values)
}

/// `document_name` is only split on commas when it holds more than one
/// ` - ` (names look like `Spain - Id Card (2021)` and may contain commas).
fn document_names(text: &str) -> Option<Vec<String>> {
    if text.matches(" - ").count() > 1 {
        comma_list(text)
    } else {
        let name = text.trim();
        (!name.is_empty()).then(|| vec![name.to_owned()])
    }
}

/// Booleans in the spellings Django accepts; anything else is a 400.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "True" | "1" => Some(true),
        "false" | "False" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(error: &ApiError, key: &str) -> ErrorMessages {
        error.get(key).cloned().unwrap()
    }

    #[test]
    fn session_kind_is_case_insensitive() {
        let query = ListQuery::parse("session_kind=BUSINESS").unwrap();
        assert_eq!(query.session_kind, SessionKindFilter::Business);
        let error = ListQuery::parse("session_kind=people&limit=x").unwrap_err();
        assert_eq!(error.len(), 1);
        assert_eq!(
            messages(&error, "session_kind"),
            ErrorMessages::String(BAD_SESSION_KIND.to_owned())
        );
    }

    #[test]
    fn every_malformed_typed_value_is_reported() {
        let error = ListQuery::parse(
            "limit=0&offset=-1&date_from=2026-13-01&date_to=x&euuid=1&didit_internal_id=2&api_service=FOO",
        )
        .unwrap_err();
        let keys: Vec<&str> = error.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "api_service",
                "date_from",
                "date_to",
                "didit_internal_id",
                "euuid",
                "limit",
                "offset"
            ]
        );
        assert_eq!(
            messages(&error, "api_service"),
            ErrorMessages::Array(vec![
                "Select a valid choice. FOO is not one of the available choices.".to_owned()
            ])
        );
    }

    #[test]
    fn dates_python_cannot_hold_are_malformed() {
        let error = ListQuery::parse("date_from=0000-01-01&date_to=+10000-01-01").unwrap_err();
        assert!(error.contains_key("date_from") && error.contains_key("date_to"));
        let query = ListQuery::parse("date_from=0001-01-01&date_to=9999-12-31").unwrap();
        assert!(query.date_from.is_some() && query.date_to.is_some());
    }

    #[test]
    fn empty_list_values_are_absent_and_lists_are_trimmed() {
        let query = ListQuery::parse("status=&search=&country=ESP,%20USA,").unwrap();
        assert_eq!(query.status, None);
        assert_eq!(query.search, None);
        assert_eq!(
            query.country,
            Some(vec!["ESP".to_owned(), "USA".to_owned()])
        );
    }

    #[test]
    fn empty_typed_values_are_malformed() {
        let error = ListQuery::parse("limit=&date_to=").unwrap_err();
        assert!(error.contains_key("limit") && error.contains_key("date_to"));
    }

    #[test]
    fn document_names_split_only_with_several_separators() {
        let one = ListQuery::parse("document_name=Spain - Id Card, 2021").unwrap();
        assert_eq!(
            one.document_name,
            Some(vec!["Spain - Id Card, 2021".to_owned()])
        );
        let two = ListQuery::parse("document_name=Spain - Passport,France - Id Card").unwrap();
        assert_eq!(two.document_name.map(|names| names.len()), Some(2));
    }

    #[test]
    fn workflow_ids_skip_non_uuids_and_all_disables_session_type() {
        let query = ListQuery::parse("workflow_id=nope,also-not&session_type=API,ALL").unwrap();
        assert_eq!(query.workflow_id, Some(vec![]));
        assert_eq!(query.session_type, None);
    }

    #[test]
    fn huge_limits_saturate() {
        let query = ListQuery::parse("limit=99999999999999999999999&offset=+3").unwrap();
        assert_eq!(query.limit, Some(u64::MAX));
        assert_eq!(query.offset, 3);
    }
}
