//! `GET /v3/sessions/`: the typed request builder.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::NaiveDate;
use didit_api::ClientInfo;
use futures::{Stream, StreamExt, TryStreamExt};
use url::Url;
use uuid::Uuid;

use crate::paging::{Paginator, PagingOptions};
use crate::types::{ApiService, SessionKindFilter};
use crate::{CallOptions, Client, Error, Page, Result, Session, SessionStatus};

/// The verification-session endpoints; see [`Client::sessions`].
///
/// ```
/// let client = didit::Client::builder().api_key("my-key").build()?;
/// let sessions = client.sessions();
/// let request = sessions.list();
/// # let _ = request;
/// # Ok::<(), didit::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Sessions<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Sessions<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Starts a request listing sessions, newest first. Set filters with the
    /// builder's methods (each one mirrors a query parameter of the API, and
    /// parameters left unset are not sent), then [`send`](ListSessions::send)
    /// it for one page or page through every match with
    /// [`pages`](ListSessions::pages) or [`items`](ListSessions::items).
    ///
    /// ```no_run
    /// use didit::{SessionKindFilter, SessionStatus};
    ///
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let page = client
    ///     .sessions()
    ///     .list()
    ///     .session_kind(SessionKindFilter::All)
    ///     .status([SessionStatus::Approved, SessionStatus::InReview])
    ///     .country(["ESP", "FRA"])
    ///     .date_from(didit::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
    ///     .send()
    ///     .await?;
    /// # let _ = page;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListSessions {
        ListSessions {
            client: self.client.clone(),
            parameters: Parameters::default(),
            session_kind: None,
            offset: 0,
            invalid: None,
            concurrency: None,
            dedupe_by_session_id: false,
            max_rows: None,
            options: CallOptions::default(),
        }
    }
}

/// A request for the session list, built up filter by filter.
///
/// Setters check their value at once but report a bad one when the request
/// is sent (as [`Error::InvalidInput`] naming the parameter), so that calls
/// chain; nothing reaches the network then. Setting a parameter twice keeps
/// the last value. The builder is cheap to clone, to run variations of one
/// query.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = didit::Client::builder().api_key("my-key").build().unwrap();
/// let error = client.sessions().list().country(["ESP", ""]).send().await.unwrap_err();
/// assert!(matches!(error, didit::Error::InvalidInput { parameter: "country", .. }));
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListSessions {
    client: Client,
    /// The parameters set, applied to the generated request builder.
    parameters: Parameters,
    /// Kept apart too: paging depends on them.
    session_kind: Option<SessionKindFilter>,
    offset: u64,
    /// The first rejected value: parameter and reason.
    invalid: Option<(&'static str, String)>,
    /// Pages requested at once; the client's setting when `None`.
    concurrency: Option<usize>,
    dedupe_by_session_id: bool,
    /// Most rows `pages` and `items` hand out.
    max_rows: Option<u64>,
    options: CallOptions,
}

impl fmt::Debug for ListSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListSessions")
            .field("client", &self.client)
            // Names only: values may be personal data (a searched name).
            .field("parameters", &self.parameters.0.keys().collect::<Vec<_>>())
            .field("invalid", &self.invalid)
            .field("concurrency", &self.concurrency)
            .field("dedupe_by_session_id", &self.dedupe_by_session_id)
            .field("max_rows", &self.max_rows)
            .field("options", &self.options)
            .finish()
    }
}

/// The generated builder of `GET /v3/sessions/`.
type Builder<'a> = didit_api::builder::ListSessions<'a>;

/// Sets one parameter on the generated builder.
type SetParameter = Arc<dyn for<'a> Fn(Builder<'a>) -> Builder<'a> + Send + Sync>;

/// The parameters of a listing by name: the generated builder's setters
/// with their values, applied when a request is made.
#[derive(Clone, Default)]
pub(crate) struct Parameters(BTreeMap<&'static str, SetParameter>);

impl Parameters {
    /// The builder with every parameter set.
    pub(crate) fn apply<'a>(&self, builder: Builder<'a>) -> Builder<'a> {
        self.0.values().fold(builder, |builder, set| set(builder))
    }

    /// The same listing from `offset` on.
    pub(crate) fn at_offset(&self, offset: u64) -> Parameters {
        let mut parameters = self.clone();
        parameters
            .0
            .insert("offset", Arc::new(move |builder| builder.offset(offset)));
        parameters
    }

    /// The KYB rows of the same listing, from `offset` on.
    pub(crate) fn business_at_offset(&self, offset: u64) -> Parameters {
        let mut parameters = self.at_offset(offset);
        parameters.0.insert(
            "session_kind",
            Arc::new(|builder| builder.session_kind(SessionKindFilter::Business)),
        );
        parameters
    }
}

impl ListSessions {
    /// Which kinds of session to list: [`SessionKindFilter::User`] (KYC, the
    /// server's default), [`SessionKindFilter::Business`] (KYB) or
    /// [`SessionKindFilter::All`] (each page holds the KYC rows, then the
    /// KYB rows, for the same `limit` and `offset`).
    ///
    /// With `All`, the server's `next` links follow the KYC rows only and
    /// end with them, even when more KYB rows match. [`pages`](Self::pages)
    /// and [`items`](Self::items) then go on listing the remaining KYB rows
    /// as `Business`, from the first one not yet received, so every matching
    /// row of both kinds comes exactly once: KYC and KYB rows page by page
    /// while both last, then the rest of the KYB rows (pages whose `count`
    /// is the KYB count). Without a [`limit`](Self::limit), whether the last
    /// KYB rows were all of them is unknown, which can cost one request that
    /// finds nothing more.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().session_kind(didit::SessionKindFilter::Business);
    /// # let _ = request;
    /// ```
    pub fn session_kind(mut self, kind: SessionKindFilter) -> Self {
        self.session_kind = Some(kind);
        self.set("session_kind", move |b| b.session_kind(kind))
    }

    /// Largest number of rows per page (per kind with
    /// [`SessionKindFilter::All`]); at least 1. Left unset, the server
    /// chooses.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().limit(100);
    /// # let _ = request;
    /// ```
    pub fn limit(self, limit: u32) -> Self {
        let Some(limit) = NonZeroU32::new(limit) else {
            return self.reject("limit", "must be at least 1");
        };
        self.set("limit", move |b| b.limit(limit))
    }

    /// How many matching rows to skip: where the first page starts.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().offset(200);
    /// # let _ = request;
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self.set("offset", move |b| b.offset(offset))
    }

    /// Only sessions in one of these statuses. Any string converts, for
    /// statuses newer than this SDK.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// use didit::SessionStatus;
    /// let request = client.sessions().list().status([SessionStatus::Approved, "Awaiting User".into()]);
    /// # let _ = request;
    /// ```
    pub fn status<I>(self, statuses: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<SessionStatus>,
    {
        let statuses: Vec<SessionStatus> = statuses.into_iter().map(Into::into).collect();
        self.set_list(
            "status",
            statuses.iter().map(SessionStatus::as_str),
            |b, v| b.status(v),
        )
    }

    /// Only sessions whose `vendor_data` is exactly this value.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().vendor_data("user-42");
    /// # let _ = request;
    /// ```
    pub fn vendor_data(self, vendor_data: impl Into<String>) -> Self {
        let vendor_data = vendor_data.into();
        self.set("vendor_data", move |b| b.vendor_data(vendor_data.clone()))
    }

    /// Free-text search. The server reads it by its shape: a whole session
    /// UUID, the start of a number (session, document, phone), the start of
    /// an e-mail address, or part of a name or `vendor_data`.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().search("José García");
    /// # let _ = request;
    /// ```
    pub fn search(self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.set("search", move |b| b.search(text.clone()))
    }

    /// Only sessions created with one of these workflows.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let workflow = didit::Uuid::parse_str("9f9b1234-aaaa-bbbb-cccc-1234567890ab").unwrap();
    /// let request = client.sessions().list().workflow_id([workflow]);
    /// # let _ = request;
    /// ```
    pub fn workflow_id(self, workflows: impl IntoIterator<Item = Uuid>) -> Self {
        let workflows: Vec<String> = workflows.into_iter().map(|id| id.to_string()).collect();
        self.set_list("workflow_id", workflows.iter(), |b, v| b.workflow_id(v))
    }

    /// Only sessions created on this day (UTC) or later.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().date_from(didit::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
    /// # let _ = request;
    /// ```
    pub fn date_from(self, day: NaiveDate) -> Self {
        self.set("date_from", move |b| b.date_from(day))
    }

    /// Only sessions created on this day (UTC) or earlier. KYB rows are
    /// compared with the start of the day.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().date_to(didit::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
    /// # let _ = request;
    /// ```
    pub fn date_to(self, day: NaiveDate) -> Self {
        self.set("date_to", move |b| b.date_to(day))
    }

    /// Only sessions from one of these countries: ISO 3166-1 alpha-3 codes
    /// of the document's issuer for KYC rows, the registry's country for
    /// KYB rows.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().country(["ESP", "PRT"]);
    /// # let _ = request;
    /// ```
    pub fn country<I>(self, countries: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("country", countries, |b, v| b.country(v))
    }

    /// Only sessions whose identity document has one of these type codes:
    /// `P`, `ID`, `DL`, `RP`, `SSC`, `HIC`, `WP`, `TC`, `VISA`, `PSC`, `BC`,
    /// `OTHER` (the codes, not the display names rows carry). KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().document_type(["P", "ID"]);
    /// # let _ = request;
    /// ```
    pub fn document_type<I>(self, codes: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("document_type", codes, |b, v| b.document_type(v))
    }

    /// Only sessions whose document was recognised as one of these, such as
    /// `Spain - Id Card (2021)`. KYC only.
    ///
    /// The server splits the value on commas only when it holds more than
    /// one ` - `, so a single name may contain a comma; in a list of several
    /// names none may.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().document_name(["Spain - Id Card (2021)"]);
    /// # let _ = request;
    /// ```
    pub fn document_name<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let names: Vec<String> = names
            .into_iter()
            .map(|name| name.as_ref().to_owned())
            .collect();
        match names.as_slice() {
            [single] if single.contains(',') && single.matches(" - ").count() <= 1 => {
                let single = single.clone();
                self.set("document_name", move |b| b.document_name(single.clone()))
            }
            _ => self.set_list("document_name", &names, |b, v| b.document_name(v)),
        }
    }

    /// Only sessions whose document was issued by one of these regions or
    /// states (for documents issued per region). KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().region(["California", "Texas"]);
    /// # let _ = request;
    /// ```
    pub fn region<I>(self, regions: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("region", regions, |b, v| b.region(v))
    }

    /// Only the sessions of the person with this Didit identifier (a row's
    /// `didit_internal_id`). KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let person = didit::Uuid::parse_str("d9e78474-6c8d-4f2a-bb90-6f5c2f3a1147").unwrap();
    /// let request = client.sessions().list().didit_internal_id(person);
    /// # let _ = request;
    /// ```
    pub fn didit_internal_id(self, id: Uuid) -> Self {
        self.set("didit_internal_id", move |b| b.didit_internal_id(id))
    }

    /// Only sessions created through one of these channels: `API`,
    /// `HOSTED`, `MIGRATED` (`ALL` turns the filter off). KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().session_type(["API"]);
    /// # let _ = request;
    /// ```
    pub fn session_type<I>(self, types: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("session_type", types, |b, v| b.session_type(v))
    }

    /// Only standalone API sessions of this service. KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().api_service(didit::ApiService::Aml);
    /// # let _ = request;
    /// ```
    pub fn api_service(self, service: ApiService) -> Self {
        self.set("api_service", move |b| b.api_service(service))
    }

    /// Only sessions whose AML or database-validation data mentions this
    /// name (accents ignored); with [`api_service`](Self::api_service) set
    /// to AML or database validation, only that service's data. KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().screened_full_name("Jane Doe");
    /// # let _ = request;
    /// ```
    pub fn screened_full_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.set("screened_full_name", move |b| {
            b.screened_full_name(name.clone())
        })
    }

    /// Only sessions that raised one of these warnings, such as
    /// `POSSIBLE_FRAUD`.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().warning(["POSSIBLE_FRAUD"]);
    /// # let _ = request;
    /// ```
    pub fn warning<I>(self, warnings: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("warning", warnings, |b, v| b.warning(v))
    }

    /// With `true`, only sessions whose first decision was `In Review`.
    /// KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().status_initialized_as_in_review(true);
    /// # let _ = request;
    /// ```
    pub fn status_initialized_as_in_review(self, value: bool) -> Self {
        self.set("status_initialized_as_in_review", move |b| {
            b.status_initialized_as_in_review(value)
        })
    }

    /// With `true`, only sessions whose document check is flagged for
    /// manual review; with `false`, those explicitly not flagged. KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().is_kyc_to_be_reviewed(false);
    /// # let _ = request;
    /// ```
    pub fn is_kyc_to_be_reviewed(self, value: bool) -> Self {
        self.set("is_kyc_to_be_reviewed", move |b| {
            b.is_kyc_to_be_reviewed(value)
        })
    }

    /// Only the sessions of the end user with this UUID (the one the Didit
    /// console links to). KYC only.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().euuid(didit::Uuid::nil());
    /// # let _ = request;
    /// ```
    pub fn euuid(self, id: Uuid) -> Self {
        self.set("euuid", move |b| b.euuid(id))
    }

    /// Only sessions of these organisations. A key belongs to one
    /// application, so only your own organisation can match.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().list().organization_name(["Acme"]);
    /// # let _ = request;
    /// ```
    pub fn organization_name<I>(self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.set_list("organization_name", names, |b, v| b.organization_name(v))
    }

    /// Sets how many pages [`pages`](Self::pages) and [`items`](Self::items)
    /// request at the same time, overriding the client's
    /// [`page_concurrency`](crate::ClientBuilder::page_concurrency) (default
    /// [`DEFAULT_PAGE_CONCURRENCY`](crate::DEFAULT_PAGE_CONCURRENCY), at most
    /// [`MAX_PAGE_CONCURRENCY`](crate::MAX_PAGE_CONCURRENCY)). `1` requests
    /// one page at a time, only when the stream asks for it; `0` counts as
    /// `1`.
    ///
    /// When the first page's `count` is exact (KYC listings: `session_kind`
    /// unset or `user`), the offsets of the other pages are known and up to
    /// `pages` of them are fetched at once; rows still come in the server's
    /// order, exactly as one page after the other would give them. KYB and
    /// `all` listings only learn the next page from each page's `next` link,
    /// so one page is fetched ahead while the current one is read. Every
    /// request goes through the client's rate limiter either way.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let one_at_a_time = client.sessions().list().concurrency(1);
    /// # let _ = one_at_a_time;
    /// ```
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = Some(crate::paging::pages_at_once(pages));
        self
    }

    /// With `true`, [`pages`](Self::pages) and [`items`](Self::items) drop
    /// every row whose `session_id` was already handed out, so sessions
    /// created during a long listing do not show up twice (see
    /// [`pages`](Self::pages) on why they can). Pages may then hold fewer
    /// rows than their `limit`; rows without a `session_id` are kept. The
    /// listing remembers every identifier it has seen (16 bytes each).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let export = client.sessions().list().limit(100).dedupe_by_session_id(true);
    /// # let _ = export;
    /// ```
    pub fn dedupe_by_session_id(mut self, dedupe: bool) -> Self {
        self.dedupe_by_session_id = dedupe;
        self
    }

    /// Ends [`pages`](Self::pages) and [`items`](Self::items) once `rows`
    /// rows have been handed out: the page that reaches the bound is cut
    /// to it, and no page that can only hold rows past it is requested,
    /// whatever the [`concurrency`](Self::concurrency). Rows dropped by
    /// [`dedupe_by_session_id`](Self::dedupe_by_session_id) do not count.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::query_param_is_missing("offset"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 4,
    ///         "next": format!("{}/v3/sessions/?limit=2&offset=2", server.uri()),
    ///         "previous": null,
    ///         "results": [{"session_number": 4}, {"session_number": 3}],
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let rows: Vec<didit::Session> =
    ///     client.sessions().list().limit(2).max_rows(1).items().try_collect().await?;
    /// assert_eq!(rows.len(), 1);
    /// // The second page was never requested.
    /// # drop(server);
    /// # Ok(()) }
    /// ```
    pub fn max_rows(mut self, rows: u64) -> Self {
        self.max_rows = Some(rows);
        self
    }

    /// Sends this listing with other time limits or retries than the
    /// client's (see [`CallOptions`]); with [`pages`](Self::pages) and
    /// [`items`](Self::items), every page is one call with them.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let export = client
    ///     .sessions()
    ///     .list()
    ///     .call_options(didit::CallOptions::new().retry_policy(didit::RetryPolicy::default().max_attempts(6)));
    /// # let _ = export;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Fetches the first page (the one `offset` names).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::path("/v3/sessions/"))
    ///     .and(matchers::query_param("status", "In Review"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 1, "next": null, "previous": null,
    ///         "results": [{"session_kind": "business", "company_name": "Acme"}],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let page = client.sessions().list().status([didit::SessionStatus::InReview]).send().await?;
    /// assert_eq!(page.count, 1);
    /// assert!(matches!(page.results[0], didit::Session::Kyb(_)));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page> {
        self.checked()?;
        let (page, _) = self
            .options
            .apply(&self.client)?
            .fetch_page(PageRequest::Listing(self.parameters))
            .await?;
        Ok(page)
    }

    /// Every page, in the server's order, as following each page's `next`
    /// link gives them. Several pages are requested at once; see
    /// [`concurrency`](Self::concurrency).
    ///
    /// A `next` link is only followed to the base URL's scheme, host and
    /// port; a link elsewhere, a link seen before, or an empty page with a
    /// `next` link ends the stream with an error instead. After an error
    /// the stream ends; one that comes after some pages is an
    /// [`Error::Interrupted`] telling the offset to resume from. Pages
    /// fetched ahead of a failure are dropped, never handed out past it.
    ///
    /// # Consistency
    ///
    /// The list is paged by offset, newest first, and is not a snapshot:
    /// a session created while a listing runs pushes every row one place
    /// down, so the last row of a page shows up again at the top of the
    /// next page; a deleted session pulls rows up, so one can be skipped.
    /// Fetching pages at once narrows the time this can happen in, but
    /// does not close it. Turn on
    /// [`dedupe_by_session_id`](Self::dedupe_by_session_id) to drop the
    /// repeats, and filter with [`date_to`](Self::date_to) set to a day
    /// already over so that new sessions do not match at all.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// let next = format!("{}/v3/sessions/?limit=1&offset=1", server.uri());
    /// Mock::given(matchers::query_param("offset", "1"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": null, "previous": null, "results": [{"session_number": 1}],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    /// Mock::given(matchers::query_param_is_missing("offset"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": next, "previous": null, "results": [{"session_number": 2}],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let pages: Vec<didit::Page> = client.sessions().list().limit(1).pages().try_collect().await?;
    /// assert_eq!(pages.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> impl Stream<Item = Result<Page>> + Send + Unpin + 'static {
        let options = PagingOptions {
            concurrency: self
                .concurrency
                .unwrap_or(self.client.inner.page_concurrency),
            exact_count: self.count_is_exact(),
            dedupe_by_session_id: self.dedupe_by_session_id,
            max_rows: self.max_rows,
        };
        let client = self
            .checked()
            .and_then(|()| self.options.apply(&self.client));
        let paginator = match client {
            Ok(client) => Paginator::new(client, self.parameters, self.offset, options),
            Err(error) => Paginator::failed(self.client, options, Some(error)),
        };
        futures::stream::unfold(paginator, |mut paginator| async move {
            let page = paginator.next_page().await?;
            Some((page, paginator))
        })
        .boxed()
    }

    /// Every matching session, page after page; see [`pages`](Self::pages).
    /// After a failure part-way, every row received so far has been
    /// yielded, then comes the error.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let mut sessions = client.sessions().list().limit(100).items();
    /// while let Some(session) = sessions.next().await {
    ///     match session {
    ///         Ok(didit::Session::Kyc(row)) => println!("KYC {:?}", row.session_id),
    ///         Ok(other) => println!("{:?}", other.kind()),
    ///         Err(error) => {
    ///             eprintln!("stopped: {error}; resume at {:?}", error.resume_offset());
    ///             break;
    ///         }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> impl Stream<Item = Result<Session>> + Send + Unpin + 'static {
        rows_of(self.pages())
    }

    /// Collects the matching sessions, stopping once `max_rows` are in hand
    /// (no further page is fetched then; see [`max_rows`](Self::max_rows)).
    /// Returns fewer when fewer match.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let latest = client.sessions().list().collect_at_most(500).await?;
    /// assert!(latest.len() <= 500);
    /// # Ok(()) }
    /// ```
    pub async fn collect_at_most(self, max_rows: usize) -> Result<Vec<Session>> {
        self.max_rows(max_rows as u64).items().try_collect().await
    }

    /// Whether the server counts the rows exactly: only KYC rows are
    /// counted in full (`user` is the default kind).
    fn count_is_exact(&self) -> bool {
        self.session_kind
            .as_ref()
            .is_none_or(|kind| *kind == SessionKindFilter::User)
    }

    /// The first rejected parameter, if any.
    fn checked(&self) -> Result<()> {
        match &self.invalid {
            Some((parameter, reason)) => Err(Error::InvalidInput {
                parameter,
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    fn set<F>(mut self, parameter: &'static str, set: F) -> Self
    where
        F: for<'a> Fn(Builder<'a>) -> Builder<'a> + Send + Sync + 'static,
    {
        self.parameters.0.insert(parameter, Arc::new(set));
        self
    }

    /// Sets a comma-separated list, checking every value.
    fn set_list<I>(
        self,
        parameter: &'static str,
        values: I,
        set: for<'a> fn(Builder<'a>, String) -> Builder<'a>,
    ) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut joined = String::new();
        for (position, value) in values.into_iter().enumerate() {
            let value = value.as_ref();
            if value.is_empty() {
                return self.reject(parameter, "holds an empty value");
            }
            if value.contains(',') {
                // The server splits on commas: the value would silently
                // become two filters. The value itself is not repeated: it
                // may be personal data (a name searched for).
                return self.reject(
                    parameter,
                    format!("value {} of the list contains a comma", position + 1),
                );
            }
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(value);
        }
        if joined.is_empty() {
            return self.reject(
                parameter,
                "needs at least one value (leave it unset not to filter)",
            );
        }
        self.set(parameter, move |builder| set(builder, joined.clone()))
    }

    fn reject(mut self, parameter: &'static str, reason: impl Into<String>) -> Self {
        self.parameters.0.remove(parameter);
        self.invalid.get_or_insert((parameter, reason.into()));
        self
    }
}

/// The rows of a page stream, then its error if it ends with one.
fn rows_of(
    pages: impl Stream<Item = Result<Page>> + Send + Unpin + 'static,
) -> impl Stream<Item = Result<Session>> + Send + Unpin + 'static {
    pages
        .flat_map(|page| {
            let rows: Vec<Result<Session>> = match page {
                Ok(page) => page.results.into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            futures::stream::iter(rows)
        })
        .boxed()
}

/// Which page of the session list to fetch.
#[derive(Clone)]
pub(crate) enum PageRequest {
    /// The page these parameters name.
    Listing(Parameters),
    /// The page a server's `next` link names, checked already.
    Link(Url),
}

impl Client {
    /// Fetches one page of the session list, the one request every listing
    /// goes through, and says which URL it was.
    pub(crate) async fn fetch_page(&self, request: PageRequest) -> Result<(Page, Url)> {
        let (api, result) = match request {
            PageRequest::Listing(parameters) => {
                let api = self.api(None);
                let result = parameters.apply(api.list_sessions()).send().await;
                (api, result)
            }
            PageRequest::Link(url) => {
                let api = self.api(Some(url));
                let result = api.list_sessions().send().await;
                (api, result)
            }
        };
        let value = Client::settle(&api, result).await?;
        let url = api.inner().sent_to().ok_or(Error::Internal {
            what: "the URL of a page received was not recorded",
        })?;
        Ok((Page::from_answer(value), url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    use didit_api::hooks::{RequestContext, RequestOptions, Transport, TransportFuture};

    fn list() -> ListSessions {
        Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:9/prefix")
            .build()
            .unwrap()
            .sessions()
            .list()
    }

    /// Records the URL of the request it is given, and sends nothing.
    #[derive(Default)]
    struct Capture(Mutex<Option<Url>>);

    impl Transport for Capture {
        fn send<'a>(
            &'a self,
            request: reqwest::Request,
            _operation: &'static str,
            _options: &'a RequestOptions,
        ) -> TransportFuture<'a> {
            *self.0.lock().unwrap() = Some(request.url().clone());
            Box::pin(async { Err("not sent".into()) })
        }
    }

    /// The URL the generated builder makes for `request`.
    fn url(request: &ListSessions) -> Result<Url> {
        request.checked()?;
        let capture = Arc::new(Capture::default());
        let api = didit_api::Client::new_with_client(
            "http://127.0.0.1:9/prefix",
            reqwest::Client::new(),
            RequestContext::new(capture.clone(), None),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _ = runtime.block_on(request.parameters.apply(api.list_sessions()).send());
        let url = capture.0.lock().unwrap().take();
        Ok(url.expect("a request was made"))
    }

    /// The decoded query of `request`, in order.
    fn query(request: ListSessions) -> Vec<(String, String)> {
        url(&request)
            .unwrap()
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn nothing_set_sends_no_query_to_the_slashed_path() {
        let url = url(&list()).unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:9/prefix/v3/sessions/");
    }

    #[test]
    fn lists_are_joined_and_text_is_encoded() {
        let request = list()
            .status([SessionStatus::Approved, SessionStatus::InReview])
            .search("José+1 & co")
            .country(["ESP", "FRA"]);
        assert_eq!(
            query(request),
            pairs(&[
                ("country", "ESP,FRA"),
                ("search", "José+1 & co"),
                ("status", "Approved,In Review"),
            ])
        );
    }

    #[test]
    fn bad_list_values_are_rejected_naming_the_parameter() {
        for (request, parameter) in [
            (list().country(["ESP", ""]), "country"),
            (list().warning(["A,B"]), "warning"),
            (list().region(Vec::<String>::new()), "region"),
            (list().limit(0), "limit"),
            (list().status(["Approved", ""]), "status"),
        ] {
            let error = url(&request).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { parameter: p, .. } if p == parameter),
                "{parameter}: {error}"
            );
        }
    }

    #[test]
    fn the_first_rejection_is_reported_even_if_fixed_later() {
        let error = url(&list().limit(0).limit(5)).unwrap_err();
        assert!(matches!(
            error,
            Error::InvalidInput {
                parameter: "limit",
                ..
            }
        ));
    }

    #[test]
    fn document_names_may_hold_a_comma_only_alone() {
        let single = list().document_name(["Spain - Id Card, 2021"]);
        assert_eq!(
            query(single),
            pairs(&[("document_name", "Spain - Id Card, 2021")])
        );
        let several = list().document_name(["Spain - Id Card, 2021", "France - Passport"]);
        assert!(url(&several).is_err());
        // Two " - " make the server split the value, so the comma would too.
        let ambiguous = list().document_name(["A - B, C - D"]);
        assert!(url(&ambiguous).is_err());
    }

    #[test]
    fn typed_values_go_out_as_the_spec_writes_them() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let request = list()
            .date_from(day)
            .limit(20)
            .offset(40)
            .is_kyc_to_be_reviewed(true)
            .session_kind(SessionKindFilter::All)
            .didit_internal_id(Uuid::nil());
        assert_eq!(
            query(request),
            pairs(&[
                ("date_from", "2025-06-01"),
                ("didit_internal_id", "00000000-0000-0000-0000-000000000000"),
                ("is_kyc_to_be_reviewed", "true"),
                ("limit", "20"),
                ("offset", "40"),
                ("session_kind", "all"),
            ])
        );
    }

    proptest::proptest! {
        /// Whatever the text, a standard query parser on the server side
        /// gets back exactly the values, split at the separating commas.
        #[test]
        fn list_values_survive_the_round_trip(values in proptest::collection::vec("[^,]{1,12}", 1..5)) {
            let url = url(&list().region(&values)).unwrap();
            let (name, joined) = url.query_pairs().next().unwrap();
            proptest::prop_assert_eq!(name, "region");
            let parsed: Vec<&str> = joined.split(',').collect();
            proptest::prop_assert_eq!(parsed, values.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    #[test]
    fn setting_twice_keeps_the_last_value() {
        assert_eq!(
            query(list().offset(5).offset(10)),
            pairs(&[("offset", "10")])
        );
    }

    #[test]
    fn debug_output_names_parameters_but_not_their_values() {
        let shown = format!("{:?}", list().search("Jane Doe"));
        assert!(shown.contains("search"), "{shown}");
        assert!(!shown.contains("Jane"), "{shown}");
    }
}
