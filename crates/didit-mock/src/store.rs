//! The in-memory session store the mock serves from.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use didit_api::types::{ApiService, KybSession, KycSession};
use didit_api::{DocumentType, SessionRow, SessionStatus};
use uuid::Uuid;

use crate::fold::fold;
use crate::query::ListQuery;

/// The organisation name of the mock's application, matched by the
/// `organization_name` filter unless [`Store::with_organization_name`] says
/// otherwise.
pub const DEFAULT_ORGANIZATION_NAME: &str = "Mock Organization";

/// One session of the store: a KYC or a KYB session, with the facts that
/// filters look at but rows do not show.
#[derive(Clone, Debug, PartialEq)]
pub enum MockSession {
    /// A user verification (KYC) session.
    Kyc(Box<KycRecord>),
    /// A business verification (KYB) session.
    Kyb(Box<KybRecord>),
}

impl MockSession {
    /// The session's `session_id`, if its row has one.
    pub fn session_id(&self) -> Option<Uuid> {
        match self {
            MockSession::Kyc(record) => record.row.session_id,
            MockSession::Kyb(record) => record.row.session_id,
        }
    }

    /// The session's `session_number`, if its row has one.
    pub fn session_number(&self) -> Option<i64> {
        match self {
            MockSession::Kyc(record) => record.row.session_number,
            MockSession::Kyb(record) => record.row.session_number,
        }
    }

    /// The session's status, if its row has one.
    pub fn status(&self) -> Option<&SessionStatus> {
        match self {
            MockSession::Kyc(record) => record.row.status.as_ref(),
            MockSession::Kyb(record) => record.row.status.as_ref(),
        }
    }

    /// The row the API lists for this session.
    pub fn to_row(&self) -> SessionRow {
        match self {
            MockSession::Kyc(record) => SessionRow::Kyc(Box::new(record.row.clone())),
            MockSession::Kyb(record) => SessionRow::Kyb(Box::new(record.row.clone())),
        }
    }
}

impl From<KycSession> for MockSession {
    /// A KYC session with no hidden facts beyond what its row shows.
    fn from(row: KycSession) -> Self {
        MockSession::Kyc(Box::new(KycRecord::from(row)))
    }
}

impl From<KybSession> for MockSession {
    /// A KYB session without warnings.
    fn from(row: KybSession) -> Self {
        MockSession::Kyb(Box::new(KybRecord::from(row)))
    }
}

impl From<KycRecord> for MockSession {
    fn from(record: KycRecord) -> Self {
        MockSession::Kyc(Box::new(record))
    }
}

impl From<KybRecord> for MockSession {
    fn from(record: KybRecord) -> Self {
        MockSession::Kyb(Box::new(record))
    }
}

/// A row of an unknown `session_kind`, which the mock cannot file as KYC or
/// KYB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsupportedRow {
    /// The row's `session_kind`.
    pub kind: String,
}

impl std::fmt::Display for UnsupportedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the mock cannot store rows of session_kind `{}`",
            self.kind
        )
    }
}

impl std::error::Error for UnsupportedRow {}

impl TryFrom<SessionRow> for MockSession {
    type Error = UnsupportedRow;

    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        match row {
            SessionRow::Kyc(row) => Ok(MockSession::from(*row)),
            SessionRow::Kyb(row) => Ok(MockSession::from(*row)),
            other => Err(UnsupportedRow {
                kind: other.kind().as_str().to_owned(),
            }),
        }
    }
}

/// A KYC session: the row the API lists, and the facts behind the filters
/// that rows do not show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KycRecord {
    /// The row exactly as the list endpoint serves it.
    pub row: KycSession,
    /// What the KYC-only filters look at.
    pub facts: KycFacts,
}

impl From<KycSession> for KycRecord {
    fn from(row: KycSession) -> Self {
        Self {
            row,
            facts: KycFacts::default(),
        }
    }
}

/// The facts about a KYC session that filters use but rows do not show.
///
/// Everything defaults to "unknown", which no filter on that fact matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KycFacts {
    /// The workflow the session was created with (`workflow_id` filter).
    pub workflow_id: Option<Uuid>,
    /// The document's short code (`P`, `ID`, ...) for the `document_type`
    /// filter. When `None`, it is derived from the row's display name.
    pub document_code: Option<String>,
    /// The document's name as document verification recognised it, such as
    /// `Spain - Id Card (2021)` (`document_name` filter).
    pub document_name: Option<String>,
    /// The region or state that issued the document (`region` filter).
    pub region: Option<String>,
    /// How the session was created: `API`, `HOSTED` or `MIGRATED`
    /// (`session_type` filter).
    pub session_type: Option<String>,
    /// The standalone API service the session ran, if it was one
    /// (`api_service` filter).
    pub api_service: Option<ApiService>,
    /// Warning codes the session raised (`warning` filter).
    pub warnings: Vec<String>,
    /// Whether the first decision was `In Review`.
    pub status_initialized_as_in_review: bool,
    /// Whether the document check is flagged for manual review; `None` when
    /// the session has no document check.
    pub is_kyc_to_be_reviewed: Option<bool>,
    /// The end user's identifier in the console (`euuid` filter).
    pub euuid: Option<Uuid>,
    /// Number of the identity document (found by `search`).
    pub document_number: Option<String>,
    /// Personal number on the identity document (found by `search`).
    pub personal_number: Option<String>,
    /// Name that AML screening looked up (`screened_full_name` filter).
    pub aml_screened_name: Option<String>,
    /// Name that database validation looked up (`screened_full_name`
    /// filter).
    pub database_validation_screened_name: Option<String>,
}

/// A KYB session: the row the API lists, and the facts behind the filters.
#[derive(Clone, Debug, PartialEq)]
pub struct KybRecord {
    /// The row exactly as the list endpoint serves it.
    pub row: KybSession,
    /// What filters look at beyond the row.
    pub facts: KybFacts,
}

impl From<KybSession> for KybRecord {
    fn from(row: KybSession) -> Self {
        Self {
            row,
            facts: KybFacts::default(),
        }
    }
}

/// The facts about a KYB session that filters use but rows do not show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KybFacts {
    /// Business warning codes the session raised (`warning` filter).
    pub warnings: Vec<String>,
}

/// Values derived once from a KYC record, so that filtering is a cheap pass.
#[derive(Clone, Debug)]
pub(crate) struct KycIndex {
    pub(crate) created: Option<DateTime<Utc>>,
    pub(crate) number: Option<String>,
    pub(crate) document_code: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) vendor_data: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone_digits: Option<String>,
    pub(crate) document_number: Option<String>,
    pub(crate) personal_number: Option<String>,
    pub(crate) aml_name: Option<String>,
    pub(crate) database_validation_name: Option<String>,
}

impl KycIndex {
    fn new(record: &KycRecord) -> Self {
        let row = &record.row;
        let facts = &record.facts;
        let flat = |field: &Option<Option<String>>| field.clone().flatten();
        Self {
            created: row.created_at.as_ref().map(|at| at.as_datetime()),
            number: row.session_number.map(|n| n.to_string()),
            document_code: facts.document_code.clone().or_else(|| {
                row.document_type
                    .clone()
                    .flatten()
                    .and_then(|kind| document_code(&kind).map(str::to_owned))
            }),
            name: flat(&row.full_name).map(|name| fold(&name)),
            vendor_data: flat(&row.vendor_data).map(|value| value.to_lowercase()),
            email: row
                .email_address
                .clone()
                .flatten()
                .and_then(|email| email.email)
                .map(|email| email.to_lowercase()),
            phone_digits: row
                .phone_number
                .clone()
                .flatten()
                .and_then(|phone| phone.number)
                .map(|number| digits(&number)),
            document_number: facts.document_number.as_ref().map(|n| n.to_lowercase()),
            personal_number: facts.personal_number.as_ref().map(|n| n.to_lowercase()),
            aml_name: facts.aml_screened_name.as_deref().map(fold),
            database_validation_name: facts.database_validation_screened_name.as_deref().map(fold),
        }
    }
}

/// Values derived once from a KYB record.
#[derive(Clone, Debug)]
pub(crate) struct KybIndex {
    pub(crate) created: Option<DateTime<Utc>>,
    pub(crate) number: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) registration: Option<String>,
    pub(crate) vendor_data: Option<String>,
}

impl KybIndex {
    fn new(record: &KybRecord) -> Self {
        let row = &record.row;
        Self {
            created: row.created_at.as_ref().map(|at| at.as_datetime()),
            number: row.session_number.map(|n| n.to_string()),
            company: row.company_name.clone().flatten().map(|name| fold(&name)),
            // The registry search matches numbers written without separators.
            registration: row.registration_number.clone().flatten().map(|number| {
                number
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect()
            }),
            vendor_data: row
                .vendor_data
                .clone()
                .flatten()
                .map(|value| value.to_lowercase()),
        }
    }
}

/// The digits of a phone number or number-like search term.
pub(crate) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The filter code of a document type as rows show it.
fn document_code(kind: &DocumentType) -> Option<&'static str> {
    Some(match kind.as_str() {
        "Passport" | "P" => "P",
        "Identity Card" | "ID" => "ID",
        "Driver's License" | "DL" => "DL",
        "Residence Permit" | "RP" => "RP",
        "Social Security Card" | "SSC" => "SSC",
        "Health Insurance Card" | "HIC" => "HIC",
        "Work Permit" | "WP" => "WP",
        "Tax Card" | "TC" => "TC",
        "Visa" | "VISA" => "VISA",
        "Public Service Card" | "PSC" => "PSC",
        "Birth Certificate" | "BC" => "BC",
        "Other" | "OTHER" => "OTHER",
        _ => return None,
    })
}

/// The sessions a mock serves, KYC and KYB apart, each newest first.
///
/// A store is immutable once built; share it between servers with an
/// [`Arc`](std::sync::Arc). A server whose sessions change (created,
/// moved on, deleted) serves a changed copy and leaves the original alone. Filtering is one pass over precomputed match
/// keys; each row is written as JSON the first time it is served and the
/// bytes are reused after that, so repeated pages cost little more than a
/// copy (at the price of keeping the JSON of every row served so far).
///
/// ```
/// use didit_mock::{ListQuery, Store};
///
/// let store = Store::synthetic(200, 7);
/// assert_eq!(store.len(), 200);
/// let approved = store.filter(&ListQuery::parse("status=Approved").unwrap());
/// assert!(approved.kyc.iter().all(|record| {
///     record.row.status.as_ref().map(|s| s.as_str()) == Some("Approved")
/// }));
/// ```
#[derive(Clone)]
pub struct Store {
    kyc: Vec<KycRecord>,
    kyb: Vec<KybRecord>,
    kyc_index: Vec<KycIndex>,
    kyb_index: Vec<KybIndex>,
    /// Each row's JSON, written the first time the row is served.
    kyc_json: Vec<OnceLock<Box<[u8]>>>,
    kyb_json: Vec<OnceLock<Box<[u8]>>>,
    organization_name: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("kyc", &self.kyc.len())
            .field("kyb", &self.kyb.len())
            .field("organization_name", &self.organization_name)
            .finish_non_exhaustive()
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Store {
    /// A store of the given sessions, sorted newest first (descending
    /// `session_number`, then descending `created_at`).
    pub fn new(sessions: impl IntoIterator<Item = MockSession>) -> Self {
        let mut kyc = Vec::new();
        let mut kyb = Vec::new();
        for session in sessions {
            match session {
                MockSession::Kyc(record) => kyc.push(*record),
                MockSession::Kyb(record) => kyb.push(*record),
            }
        }
        // Newest first; rows without a number go last.
        kyc.sort_by(|a, b| {
            (b.row.session_number, &b.row.created_at, b.row.session_id).cmp(&(
                a.row.session_number,
                &a.row.created_at,
                a.row.session_id,
            ))
        });
        kyb.sort_by(|a, b| {
            (b.row.session_number, &b.row.created_at, b.row.session_id).cmp(&(
                a.row.session_number,
                &a.row.created_at,
                a.row.session_id,
            ))
        });
        let kyc_index = kyc.iter().map(KycIndex::new).collect();
        let kyb_index = kyb.iter().map(KybIndex::new).collect();
        Self {
            kyc_json: (0..kyc.len()).map(|_| OnceLock::new()).collect(),
            kyb_json: (0..kyb.len()).map(|_| OnceLock::new()).collect(),
            kyc,
            kyb,
            kyc_index,
            kyb_index,
            organization_name: DEFAULT_ORGANIZATION_NAME.to_owned(),
        }
    }

    /// `n` realistic sessions, the same for the same `seed`; see
    /// [`synthetic_sessions`](crate::synthetic_sessions).
    pub fn synthetic(n: usize, seed: u64) -> Self {
        Self::new(crate::synthetic::synthetic_sessions(n, seed))
    }

    /// The same store, for an application of the organisation `name` (what
    /// the `organization_name` filter matches).
    pub fn with_organization_name(mut self, name: impl Into<String>) -> Self {
        self.organization_name = name.into();
        self
    }

    /// The organisation name the `organization_name` filter matches.
    pub fn organization_name(&self) -> &str {
        &self.organization_name
    }

    /// The KYC sessions, newest first.
    pub fn kyc(&self) -> &[KycRecord] {
        &self.kyc
    }

    /// The KYB sessions, newest first.
    pub fn kyb(&self) -> &[KybRecord] {
        &self.kyb
    }

    /// Every row: the KYC rows newest first, then the KYB rows newest first.
    pub fn rows(&self) -> Vec<SessionRow> {
        rows_of(self.kyc.iter(), self.kyb.iter())
    }

    /// How many sessions, of both kinds.
    pub fn len(&self) -> usize {
        self.kyc.len() + self.kyb.len()
    }

    /// Whether the store holds no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session with this `session_id`, of either kind.
    ///
    /// ```
    /// use didit_mock::Store;
    ///
    /// let store = Store::synthetic(10, 1);
    /// let id = store.kyc()[0].row.session_id.unwrap();
    /// assert!(store.session(id).is_some());
    /// assert!(store.session(uuid::Uuid::nil()).is_none());
    /// ```
    pub fn session(&self, id: Uuid) -> Option<MockSession> {
        let kyc = self
            .kyc
            .iter()
            .find(|record| record.row.session_id == Some(id));
        let kyb = || {
            self.kyb
                .iter()
                .find(|record| record.row.session_id == Some(id))
        };
        match kyc {
            Some(record) => Some(MockSession::Kyc(Box::new(record.clone()))),
            None => kyb().map(|record| MockSession::Kyb(Box::new(record.clone()))),
        }
    }

    /// The highest `session_number` of either kind, if any session has one.
    pub(crate) fn highest_number(&self) -> Option<i64> {
        let kyc = self
            .kyc
            .iter()
            .filter_map(|record| record.row.session_number);
        let kyb = self
            .kyb
            .iter()
            .filter_map(|record| record.row.session_number);
        kyc.chain(kyb).max()
    }

    /// A new store with the same organisation, whose sessions are this
    /// store's after `edit`; rows are re-sorted and re-indexed.
    pub(crate) fn edited(&self, edit: impl FnOnce(&mut Vec<MockSession>)) -> Store {
        let mut sessions: Vec<MockSession> = self
            .kyc
            .iter()
            .map(|record| MockSession::Kyc(Box::new(record.clone())))
            .chain(
                self.kyb
                    .iter()
                    .map(|record| MockSession::Kyb(Box::new(record.clone()))),
            )
            .collect();
        edit(&mut sessions);
        Store::new(sessions).with_organization_name(self.organization_name.clone())
    }

    /// The sessions that match `query`'s filters, of the kinds its
    /// `session_kind` selects, each kind newest first; `limit` and `offset`
    /// are ignored.
    ///
    /// For `user` and `business`, this is exactly the set the server pages
    /// through: walking every page of such a query gives
    /// `filter(query).rows()`. With `session_kind=all`, KYC rows come before
    /// KYB rows here while the server interleaves them page by page, and its
    /// `next` links follow the KYC rows only, so walking the pages misses
    /// the KYB rows past the last KYC page, as the real API does.
    pub fn filter(&self, query: &ListQuery) -> Matches<'_> {
        let hits = self.matching_indices(query);
        Matches {
            kyc: hits.kyc.iter().map(|&i| &self.kyc[i as usize]).collect(),
            kyb: hits.kyb.iter().map(|&i| &self.kyb[i as usize]).collect(),
        }
    }

    /// The JSON of the KYC row at `index`, written once and then reused.
    pub(crate) fn kyc_json(&self, index: usize) -> &[u8] {
        self.kyc_json[index].get_or_init(|| in_api_order(&self.kyc[index].row, KYC_FIELDS))
    }

    /// The JSON of the KYB row at `index`, written once and then reused.
    pub(crate) fn kyb_json(&self, index: usize) -> &[u8] {
        self.kyb_json[index].get_or_init(|| in_api_order(&self.kyb[index].row, KYB_FIELDS))
    }

    /// Positions of the matching records, each kind newest first.
    pub(crate) fn matching_indices(&self, query: &ListQuery) -> Hits {
        let filter = crate::filter::Compiled::new(query, &self.organization_name);
        let (want_kyc, want_kyb) = kinds(query);
        let kyc = if want_kyc {
            (0..self.kyc.len() as u32)
                .filter(|&i| {
                    let i = i as usize;
                    filter.matches_kyc(&self.kyc[i], &self.kyc_index[i])
                })
                .collect()
        } else {
            Vec::new()
        };
        let kyb = if want_kyb {
            (0..self.kyb.len() as u32)
                .filter(|&i| {
                    let i = i as usize;
                    filter.matches_kyb(&self.kyb[i], &self.kyb_index[i])
                })
                .collect()
        } else {
            Vec::new()
        };
        Hits { kyc, kyb }
    }
}

/// The fields of a KYC row in the order the API writes them.
const KYC_FIELDS: &[&str] = &[
    "session_id",
    "session_kind",
    "session_number",
    "session_url",
    "portrait_image",
    "document_type",
    "full_name",
    "country",
    "status",
    "vendor_data",
    "didit_internal_id",
    "created_at",
    "features",
    "phone_number",
    "email_address",
    "additional_details",
];

/// The fields of a KYB row in the order the API writes them.
const KYB_FIELDS: &[&str] = &[
    "session_id",
    "session_kind",
    "session_number",
    "status",
    "vendor_data",
    "created_at",
    "workflow_id",
    "workflow_type",
    "workflow_label",
    "company_name",
    "registration_number",
    "country",
];

/// A row's JSON with its fields in the API's order (then any others), which
/// reads like Didit's own responses.
fn in_api_order(row: &impl serde::Serialize, order: &[&str]) -> Box<[u8]> {
    let serde_json::Value::Object(mut fields) =
        serde_json::to_value(row).expect("rows serialize to JSON")
    else {
        unreachable!("rows are JSON objects")
    };
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    let write = |out: &mut Vec<u8>, name: &str, value: &serde_json::Value| {
        if out.len() > 1 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, name).expect("strings serialize");
        out.push(b':');
        serde_json::to_writer(&mut *out, value).expect("values serialize");
    };
    for name in order {
        if let Some(value) = fields.remove(*name) {
            write(&mut out, name, &value);
        }
    }
    for (name, value) in &fields {
        write(&mut out, name, value);
    }
    out.push(b'}');
    out.into_boxed_slice()
}

/// Which kinds `query` lists: (KYC, KYB).
pub(crate) fn kinds(query: &ListQuery) -> (bool, bool) {
    use didit_api::types::SessionKindFilter as Kind;
    match query.session_kind {
        Kind::Business => (false, true),
        Kind::All => (true, true),
        // `user`; the query parser makes no other kind.
        _ => (true, false),
    }
}

/// Positions of matching records in the store, each kind newest first.
#[derive(Clone, Debug, Default)]
pub(crate) struct Hits {
    pub(crate) kyc: Vec<u32>,
    pub(crate) kyb: Vec<u32>,
}

/// The sessions that match a query, each kind newest first.
#[derive(Clone, Debug, Default)]
pub struct Matches<'a> {
    /// Matching KYC sessions, newest first.
    pub kyc: Vec<&'a KycRecord>,
    /// Matching KYB sessions, newest first.
    pub kyb: Vec<&'a KybRecord>,
}

impl Matches<'_> {
    /// The matching rows: the KYC rows, then the KYB rows.
    pub fn rows(&self) -> Vec<SessionRow> {
        rows_of(self.kyc.iter().copied(), self.kyb.iter().copied())
    }

    /// How many sessions matched, of both kinds.
    pub fn len(&self) -> usize {
        self.kyc.len() + self.kyb.len()
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// KYC rows, then KYB rows, as the API's row type.
fn rows_of<'a>(
    kyc: impl Iterator<Item = &'a KycRecord>,
    kyb: impl Iterator<Item = &'a KybRecord>,
) -> Vec<SessionRow> {
    kyc.map(|r| SessionRow::Kyc(Box::new(r.row.clone())))
        .chain(kyb.map(|r| SessionRow::Kyb(Box::new(r.row.clone()))))
        .collect()
}
