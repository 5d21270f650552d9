//! The review log of a KYC session: what happened to it after the user
//! finished (status changes, notes, corrections), paged; and adding a note
//! to it.

use std::fmt;
use std::num::NonZeroU32;

use futures::Stream;
use futures::future::BoxFuture;
use uuid::Uuid;

use crate::link_pages::{self, PageSource, Sent};
use crate::types::{ApiError, ReviewEntry, ReviewPage};
use crate::{CallOptions, Client, Error, Reply, Result, Sessions};

impl Sessions<'_> {
    /// Starts reading the review log of a KYC session, newest entry first
    /// unless [`ordering`](ListReviews::ordering) says otherwise;
    /// [`send`](ListReviews::send) it for one page, or page through it with
    /// [`pages`](ListReviews::pages) or [`items`](ListReviews::items). A KYB
    /// session has no log: its id is [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("GET"))
    ///     .and(matchers::path("/v3/sessions/11111111-2222-3333-4444-555555555555/reviews/"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 1, "next": null, "previous": null,
    ///         "results": [{
    ///             "uuid": "de0561bc-5583-4409-9171-1a31a4c8a5f4",
    ///             "activity_type": "STATUS_UPDATED",
    ///             "actor_type": "API_KEY",
    ///             "new_status": "Approved",
    ///             "previous_status": "In Review",
    ///             "created_at": "2026-06-12T00:19:31.918735Z",
    ///         }],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let page = client.sessions().reviews(id).send().await?;
    /// assert_eq!(page.count, 1);
    /// assert_eq!(page.results[0].new_status(), Some(&didit::SessionStatus::Approved));
    /// # Ok(()) }
    /// ```
    pub fn reviews(&self, session_id: Uuid) -> ListReviews {
        ListReviews {
            client: self.client.clone(),
            session_id,
            limit: None,
            offset: 0,
            ordering: None,
            options: CallOptions::default(),
        }
    }

    /// Starts adding a note, with an optional status label, to the review
    /// log of a KYC session; [`send`](AddReview::send) it. The session
    /// keeps its status (to change it, use
    /// [`update_status`](Sessions::update_status), which logs the change
    /// too). The request is a write: it is sent again only when it surely
    /// never reached the server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/sessions/11111111-2222-3333-4444-555555555555/reviews/"))
    ///     .and(matchers::body_json(serde_json::json!({"comment": "Awaiting a new utility bill."})))
    ///     .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
    ///         "user": "Unknown",
    ///         "new_status": null,
    ///         "comment": "Awaiting a new utility bill.",
    ///         "created_at": "2026-06-12T00:18:44.504157Z",
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let review = client
    ///     .sessions()
    ///     .add_review(id)
    ///     .comment("Awaiting a new utility bill.")
    ///     .send()
    ///     .await?;
    /// assert_eq!(review.user(), Some("Unknown"));
    /// # Ok(()) }
    /// ```
    pub fn add_review(&self, session_id: Uuid) -> AddReview {
        AddReview {
            client: self.client.clone(),
            session_id,
            request: crate::types::CreateReviewRequest::new(),
            options: CallOptions::default(),
        }
    }
}

/// The order of a review log; see [`ListReviews::ordering`].
///
/// ```
/// let order = didit::ReviewOrdering::Field("-activity_type".to_owned());
/// assert_eq!(order.as_str(), "-activity_type");
/// assert_eq!(didit::ReviewOrdering::OldestFirst.as_str(), "created_at");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReviewOrdering {
    /// Newest entry first (`-created_at`), the server's order when none is
    /// asked for.
    NewestFirst,
    /// Oldest entry first (`created_at`).
    OldestFirst,
    /// By another property of an entry, named as the API names it; a
    /// leading `-` reverses the order. The server ignores a name it does
    /// not know (the order is then its default).
    Field(String),
}

impl ReviewOrdering {
    /// The value of the `ordering` query parameter.
    ///
    /// ```
    /// assert_eq!(didit::ReviewOrdering::NewestFirst.as_str(), "-created_at");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            ReviewOrdering::NewestFirst => "-created_at",
            ReviewOrdering::OldestFirst => "created_at",
            ReviewOrdering::Field(field) => field,
        }
    }
}

/// A read of a session's review log; see [`Sessions::reviews`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListReviews {
    client: Client,
    session_id: Uuid,
    limit: Option<u32>,
    offset: u64,
    ordering: Option<ReviewOrdering>,
    options: CallOptions,
}

impl ListReviews {
    /// Largest number of entries per page; at least 1. Left unset, the
    /// server chooses.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().reviews(didit::Uuid::nil()).limit(50);
    /// # let _ = request;
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many entries to skip: where the first page starts.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().reviews(didit::Uuid::nil()).offset(100);
    /// # let _ = request;
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The order of the entries (newest first when left unset).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .reviews(didit::Uuid::nil())
    ///     .ordering(didit::ReviewOrdering::OldestFirst);
    /// # let _ = request;
    /// ```
    pub fn ordering(mut self, ordering: ReviewOrdering) -> Self {
        self.ordering = Some(ordering);
        self
    }

    /// Sends this read with other time limits or retries than the
    /// client's (see [`CallOptions`]); with [`pages`](Self::pages) and
    /// [`items`](Self::items), every page is one call with them.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .reviews(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().retry_policy(didit::RetryPolicy::none()));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Fetches the page that `offset` names. An unknown session, or a KYB
    /// session, is [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let page = client.sessions().reviews(id).limit(20).send().await?;
    /// for entry in &page.results {
    ///     println!("{:?} at {:?}", entry.activity_type(), entry.created_at());
    /// }
    /// println!("{} entries in all", page.count);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<ReviewPage>> {
        let client = self.options.apply(&self.client)?;
        let source = self.source()?;
        link_pages::first_page(&client, &source).await
    }

    /// Every page from the one `offset` names, one after the other, as
    /// following each page's `next` link gives them.
    ///
    /// A `next` link is only followed to the base URL's scheme, host and
    /// port and to the log's own path; a link elsewhere is
    /// [`Error::NextLinkRefused`] (nothing is sent to it), a link seen
    /// before or an empty page with a `next` link is
    /// [`Error::PaginationStalled`]. After an error the stream ends; one
    /// that comes after some pages is an [`Error::Interrupted`] telling
    /// the offset to resume from.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// let path = "/v3/sessions/11111111-2222-3333-4444-555555555555/reviews/";
    /// let entry = |uuid: &str| serde_json::json!({
    ///     "uuid": uuid, "activity_type": "COMMENT", "actor_type": "CONSOLE_USER",
    ///     "created_at": "2026-06-12T00:18:44.504157Z",
    /// });
    /// Mock::given(matchers::query_param("offset", "1"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": null, "previous": null,
    ///         "results": [entry("00338f82-f1c5-4f57-8614-c49bb258af1a")],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    /// Mock::given(matchers::query_param_is_missing("offset"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": format!("{}{path}?limit=1&offset=1", server.uri()), "previous": null,
    ///         "results": [entry("de0561bc-5583-4409-9171-1a31a4c8a5f4")],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let pages: Vec<_> = client.sessions().reviews(id).limit(1).pages().try_collect().await?;
    /// assert_eq!(pages.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> impl Stream<Item = Result<Reply<ReviewPage>>> + Send + Unpin + 'static {
        let offset = self.offset;
        let (client, source) = self.prepared();
        link_pages::pages(client, source, offset)
    }

    /// Every entry of [`pages`](Self::pages), in order, then its error if
    /// it ends with one.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    ///
    /// let entries: Vec<didit::types::ReviewEntry> = client
    ///     .sessions()
    ///     .reviews(id)
    ///     .ordering(didit::ReviewOrdering::OldestFirst)
    ///     .items()
    ///     .try_collect()
    ///     .await?;
    /// println!("{} entries", entries.len());
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> impl Stream<Item = Result<ReviewEntry>> + Send + Unpin + 'static {
        let offset = self.offset;
        let (client, source) = self.prepared();
        link_pages::items(client, source, offset)
    }

    /// The client to send with and the request, or the error to end with
    /// (the request source is then never sent).
    fn prepared(self) -> (Result<Client>, ReviewsSource) {
        let client = self.options.apply(&self.client);
        match self.source() {
            Ok(source) => (client, source),
            Err(error) => (
                Err(error),
                ReviewsSource {
                    session_id: self.session_id,
                    limit: None,
                    offset: 0,
                    ordering: None,
                },
            ),
        }
    }

    /// The request, once its parameters are checked.
    fn source(&self) -> Result<ReviewsSource> {
        let limit = match self.limit {
            None => None,
            Some(limit) => Some(NonZeroU32::new(limit).ok_or_else(|| Error::InvalidInput {
                parameter: "limit",
                reason: "must be at least 1".to_owned(),
            })?),
        };
        Ok(ReviewsSource {
            session_id: self.session_id,
            limit,
            offset: self.offset,
            ordering: self
                .ordering
                .as_ref()
                .map(|order| order.as_str().to_owned()),
        })
    }
}

/// `list_session_reviews` with its parameters, checked.
struct ReviewsSource {
    session_id: Uuid,
    limit: Option<NonZeroU32>,
    /// Sent only when not 0, as a listing left at its start sends none.
    offset: u64,
    ordering: Option<String>,
}

impl PageSource for ReviewsSource {
    type Page = ReviewPage;
    type Error = ApiError;

    fn send<'a>(&'a self, api: &'a didit_api::Client) -> BoxFuture<'a, Sent<ReviewPage, ApiError>> {
        let mut request = api.list_session_reviews().session_id(self.session_id);
        if let Some(limit) = self.limit {
            request = request.limit(limit);
        }
        if self.offset != 0 {
            request = request.offset(self.offset);
        }
        if let Some(ordering) = &self.ordering {
            request = request.ordering(ordering.clone());
        }
        Box::pin(request.send())
    }
}

/// A note for a session's review log; see [`Sessions::add_review`].
///
/// Its `Debug` output names the fields that are set, never their values (a
/// comment is personal data).
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct AddReview {
    client: Client,
    session_id: Uuid,
    request: crate::types::CreateReviewRequest,
    options: CallOptions,
}

impl fmt::Debug for AddReview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddReview")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("fields_set", &crate::lifecycle::fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl AddReview {
    /// The status to label the note with. It labels the entry only: the
    /// session's status does not change.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .add_review(didit::Uuid::nil())
    ///     .new_status(didit::SessionStatus::InReview);
    /// # let _ = request;
    /// ```
    pub fn new_status(mut self, status: crate::SessionStatus) -> Self {
        self.request = self.request.with_new_status(status);
        self
    }

    /// The note, kept as written.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .add_review(didit::Uuid::nil())
    ///     .comment("Flagging for a manual document re-check.");
    /// assert!(!format!("{request:?}").contains("re-check"));
    /// ```
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.request = self.request.with_comment(comment);
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .add_review(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Adds the entry and returns it as recorded. An unknown session, or a
    /// KYB session, is [`Error::NotFound`]; a status the server does not
    /// know is [`Error::Api`] with a 400.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let review = client.sessions().add_review(id).comment("Called the customer.").send().await?;
    /// println!("recorded at {:?}", review.created_at());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<crate::types::Review>> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .create_session_review()
            .session_id(self.session_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}
