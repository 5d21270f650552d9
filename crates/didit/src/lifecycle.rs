//! The lifecycle of one session: create it, read its decision, review it,
//! delete it, and keep its PDF report. Each operation is a request builder
//! ending in `send`: it builds its request with the generated builder and
//! sends it through the client's pipeline, with the call's
//! [`CallOptions`], and its answer carries the [`ReplyMetadata`].

use std::fmt;
use std::time::Duration;

use base64::Engine;
use didit_api::hooks::RequestOptions;
use uuid::Uuid;

use crate::poll::Polling;
use crate::types::{
    CallbackMethod, ContactDetails, CreateSessionRequest, CreatedSession, DeleteSessionsRequest,
    ExpectedDetails, GetSessionDecisionInclude, NewSessionStatus, NodeToResubmit, SessionDecision,
    SessionStatusUpdated, UpdateSessionStatusRequest,
};
use crate::{
    CallOptions, Client, Error, Language, Reply, ReplyMetadata, Result, SessionStatus, Sessions,
};

mod report;

pub use report::PdfReport;

/// How long one attempt to fetch a PDF report may take unless the client's
/// attempt limit is longer: the API renders the report on every call, which
/// can take many seconds.
const PDF_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

impl Sessions<'_> {
    /// Starts creating a session of the workflow `workflow_id`; set the
    /// optional fields on the returned builder, then
    /// [`send`](CreateSession::send) it. The request is a write: it is sent
    /// again only when it surely never reached the server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/session/"))
    ///     .and(matchers::body_partial_json(serde_json::json!({"vendor_data": "user-42"})))
    ///     .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
    ///         "session_id": "11111111-2222-3333-4444-555555555555",
    ///         "session_number": 1042,
    ///         "session_token": "3FaJ9wLqX2Mz",
    ///         "url": "https://verify.didit.me/session/abc",
    ///         "vendor_data": "user-42",
    ///         "metadata": null,
    ///         "status": "Not Started",
    ///         "callback": null,
    ///         "workflow_id": "33333333-4444-5555-6666-777777777777",
    ///         "workflow_version": 3,
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let workflow = didit::Uuid::parse_str("33333333-4444-5555-6666-777777777777").unwrap();
    /// let session = client
    ///     .sessions()
    ///     .create(workflow)
    ///     .vendor_data("user-42")
    ///     .language(didit::Language::from("en"))
    ///     .send()
    ///     .await?;
    /// assert_eq!(session.status(), &didit::SessionStatus::NotStarted);
    /// assert_eq!(session.session_number(), 1042);
    /// // The token is a secret: `Debug` does not show it.
    /// assert!(!format!("{session:?}").contains("3FaJ9wLqX2Mz"));
    /// # Ok(()) }
    /// ```
    pub fn create(&self, workflow_id: Uuid) -> CreateSession {
        CreateSession {
            client: self.client.clone(),
            request: CreateSessionRequest::new(workflow_id),
            options: CallOptions::default(),
        }
    }

    /// Starts reading the decision of a session: every check it ran and
    /// what came of it. [`send`](GetDecision::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(id).send().await?;
    /// println!("{:?}", decision.status);
    /// # Ok(()) }
    /// ```
    pub fn decision(&self, session_id: Uuid) -> GetDecision {
        GetDecision {
            client: self.client.clone(),
            session_id,
            include_events: false,
            options: CallOptions::default(),
        }
    }

    /// Starts waiting for a session to reach a final status (see
    /// [`WaitForDecision`]); [`send`](WaitForDecision::send) returns its
    /// decision then.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use std::time::Duration;
    ///
    /// let decision = client
    ///     .sessions()
    ///     .wait_for_decision(id)
    ///     .timeout(Duration::from_secs(600))
    ///     .send()
    ///     .await?;
    /// println!("{:?}", decision.status);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_decision(&self, session_id: Uuid) -> WaitForDecision {
        WaitForDecision {
            decision: self.decision(session_id),
            polling: Polling::default(),
        }
    }

    /// Starts changing a session's status after a manual review:
    /// [`Approved`](NewSessionStatus::Approved),
    /// [`Declined`](NewSessionStatus::Declined), or
    /// [`Resubmitted`](NewSessionStatus::Resubmitted) (the user redoes some
    /// steps). [`send`](UpdateStatus::send) it.
    ///
    /// ```no_run
    /// use didit::types::NewSessionStatus;
    ///
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// client
    ///     .sessions()
    ///     .update_status(id, NewSessionStatus::Declined)
    ///     .comment("document photo does not match the selfie")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_status(&self, session_id: Uuid, status: NewSessionStatus) -> UpdateStatus {
        UpdateStatus {
            client: self.client.clone(),
            session_id,
            request: UpdateSessionStatusRequest::new(status),
            options: CallOptions::default(),
        }
    }

    /// Starts deleting a session and its data; [`send`](DeleteSession::send)
    /// it. A session unknown or deleted already is [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// match client.sessions().delete(id).send().await {
    ///     Ok(_) | Err(didit::Error::NotFound { .. }) => println!("gone"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, session_id: Uuid) -> DeleteSession {
        DeleteSession {
            client: self.client.clone(),
            session_id,
            options: CallOptions::default(),
        }
    }

    /// Starts deleting the sessions with these numbers (as the console
    /// shows them); [`send`](DeleteSessions::send) it. At least one number
    /// is needed; to delete every session, see
    /// [`delete_every_session_irreversibly`](Self::delete_every_session_irreversibly).
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// client.sessions().delete_many([43762, 43763]).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_many(&self, session_numbers: impl IntoIterator<Item = u64>) -> DeleteSessions {
        let numbers: Vec<String> = session_numbers.into_iter().map(|n| n.to_string()).collect();
        DeleteSessions {
            client: self.client.clone(),
            request: DeleteSessionsRequest::new().with_session_numbers(numbers),
            options: CallOptions::default(),
        }
    }

    /// Starts deleting **every session of the application**, with all their
    /// data; [`send`](DeleteSessions::send) it. There is no undo. It is a
    /// method of its own, never a flag on
    /// [`delete_many`](Self::delete_many), so that it cannot be asked for by
    /// mistake.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// client.sessions().delete_every_session_irreversibly().send().await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_every_session_irreversibly(&self) -> DeleteSessions {
        DeleteSessions {
            client: self.client.clone(),
            request: DeleteSessionsRequest::new().with_delete_all(true),
            options: CallOptions::default(),
        }
    }

    /// Starts fetching the PDF report of a finished session;
    /// [`send`](GetPdfReport::send) it for the report as a stream, then
    /// [`save`](PdfReport::save) it. A session not finished yet is
    /// [`Error::ReportNotReady`]. Each attempt may take up to a minute (or
    /// the client's attempt limit, when longer) unless the call sets its
    /// own: the API renders the report on every call.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let report = client.sessions().pdf(id).send().await?;
    /// let bytes = report.save(format!("session-{id}.pdf")).await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    pub fn pdf(&self, session_id: Uuid) -> GetPdfReport {
        GetPdfReport {
            client: self.client.clone(),
            session_id,
            options: CallOptions::default(),
        }
    }
}

/// A session to create; see [`Sessions::create`].
///
/// Its `Debug` output names the fields that are set, never their values
/// (vendor data, contact and expected details, a portrait: personal data).
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let request = client.sessions().create(didit::Uuid::nil()).vendor_data("user-42");
/// let shown = format!("{request:?}");
/// assert!(shown.contains("vendor_data") && !shown.contains("user-42"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSession {
    client: Client,
    request: CreateSessionRequest,
    options: CallOptions,
}

impl fmt::Debug for CreateSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSession")
            .field("client", &self.client)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

/// The properties a request body will carry, by name: what `Debug` of a
/// request shows instead of the values, which may be personal data.
pub(crate) fn fields_set(body: &impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(body) {
        Ok(serde_json::Value::Object(properties)) => {
            properties.into_iter().map(|(name, _)| name).collect()
        }
        _ => Vec::new(),
    }
}

impl CreateSession {
    /// Your identifier for the user or business (sessions with the same
    /// value are grouped).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).vendor_data("user-42");
    /// # let _ = request;
    /// ```
    pub fn vendor_data(mut self, vendor_data: impl Into<String>) -> Self {
        self.request.vendor_data = Some(vendor_data.into());
        self
    }

    /// Where to send the user when the verification ends.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).callback("https://example.com/done");
    /// # let _ = request;
    /// ```
    pub fn callback(mut self, url: impl Into<String>) -> Self {
        self.request.callback = Some(url.into());
        self
    }

    /// Which device the callback goes to when the user changes device.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .create(didit::Uuid::nil())
    ///     .callback_method(didit::types::CallbackMethod::Both);
    /// # let _ = request;
    /// ```
    pub fn callback_method(mut self, method: CallbackMethod) -> Self {
        self.request.callback_method = Some(method);
        self
    }

    /// Any JSON to keep with the session; it comes back with the session
    /// and in webhooks, and the user never sees it.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .create(didit::Uuid::nil())
    ///     .metadata(serde_json::json!({"plan": "premium"}));
    /// # let _ = request;
    /// ```
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.request.metadata = Some(Some(metadata));
        self
    }

    /// The language of the verification pages.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).language(didit::Language::from("es"));
    /// # let _ = request;
    /// ```
    pub fn language(mut self, language: Language) -> Self {
        self.request.language = Some(language);
        self
    }

    /// How to reach the user (e-mail, phone), for the checks that use them.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let contact = didit::types::ContactDetails::new()
    ///     .with_email("user@example.com")
    ///     .with_phone("+34600000000");
    /// let request = client.sessions().create(didit::Uuid::nil()).contact_details(contact);
    /// # let _ = request;
    /// ```
    pub fn contact_details(mut self, details: ContactDetails) -> Self {
        self.request.contact_details = Some(details);
        self
    }

    /// What you expect the user's documents to say, to compare with.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let expected = didit::types::ExpectedDetails::new()
    ///     .with_first_name("Jane")
    ///     .with_last_name("Doe");
    /// let request = client.sessions().create(didit::Uuid::nil()).expected_details(expected);
    /// # let _ = request;
    /// ```
    pub fn expected_details(mut self, details: ExpectedDetails) -> Self {
        self.request.expected_details = Some(details);
        self
    }

    /// A portrait of the user to compare faces with (JPEG, PNG, WebP or
    /// TIFF, at most 2 MB); sent base64-encoded.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let image: &[u8] = b"\xff\xd8\xff\xe0 a JPEG";
    /// let request = client.sessions().create(didit::Uuid::nil()).portrait_image(image);
    /// # let _ = request;
    /// ```
    pub fn portrait_image(mut self, image: impl AsRef<[u8]>) -> Self {
        let encoded = base64::engine::general_purpose::STANDARD.encode(image);
        self.request.portrait_image = Some(encoded);
        self
    }

    /// Sandbox applications only: a test scenario whose outcome the session
    /// reproduces.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).sandbox_scenario("approved");
    /// # let _ = request;
    /// ```
    pub fn sandbox_scenario(mut self, scenario: impl Into<String>) -> Self {
        self.request.sandbox_scenario = Some(scenario.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .create(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(5)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Creates the session. The answer's `session_token` is a
    /// [`SessionToken`](crate::SessionToken): `Debug` never shows it. Its
    /// `url` opens the same flow, so hand it only to the user it is for.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let session = client.sessions().create(didit::Uuid::nil()).send().await?;
    /// println!("send the user to {:?}", session.url);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<CreatedSession>> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api.create_session().body(self.request).send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A request for a session's decision; see [`Sessions::decision`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetDecision {
    client: Client,
    session_id: Uuid,
    include_events: bool,
    options: CallOptions,
}

impl GetDecision {
    /// With `true`, the decision also lists the session's events, and each
    /// entry of `features` names its workflow node.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().decision(didit::Uuid::nil()).include_events(true);
    /// # let _ = request;
    /// ```
    pub fn include_events(mut self, include: bool) -> Self {
        self.include_events = include;
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .decision(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().retry_policy(didit::RetryPolicy::none()));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Reads the decision. An unknown or deleted session is
    /// [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(id).send().await?;
    /// println!("{}: {}", decision.session_id(), decision.status());
    /// for check in decision.id_verifications() {
    ///     println!("document check: {:?}", check.status());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionDecision>> {
        let api = self.options.apply(&self.client)?.api(None);
        let mut request = api.get_session_decision().session_id(self.session_id);
        if self.include_events {
            request = request.include(GetSessionDecisionInclude::Events);
        }
        let result = request.send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// Polls a session's decision until its status is final; see
/// [`Sessions::wait_for_decision`].
///
/// Final statuses are those no user or reviewer changes any more:
/// `Approved`, `Declined`, `Expired`, `Abandoned` and `Kyc Expired`. A
/// session `In Review` waits for a person, so the wait goes on; statuses
/// this version does not know are not taken as final. Polls start every
/// [`poll_interval`](Self::poll_interval) and slow down by half each time
/// up to 30 s, and every poll goes through the client's rate limiter.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct WaitForDecision {
    decision: GetDecision,
    polling: Polling,
}

impl WaitForDecision {
    /// Sets how long to wait in all (default 15 minutes); past it,
    /// [`send`](Self::send) fails with [`Error::Timeout`] and
    /// [`TimeoutScope::Wait`](crate::TimeoutScope::Wait).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .timeout(std::time::Duration::from_secs(60));
    /// # let _ = wait;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.polling = self.polling.timeout(timeout);
        self
    }

    /// Sets the wait before the second poll (default 2 s).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .poll_interval(std::time::Duration::from_millis(500));
    /// # let _ = wait;
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.polling = self.polling.poll_interval(interval);
        self
    }

    /// Sends each poll with other time limits or retries than the
    /// client's (see [`CallOptions`]); each poll is one call, and
    /// [`timeout`](Self::timeout) still bounds the whole wait.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = wait;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.decision = self.decision.call_options(options);
        self
    }

    /// Polls until the session's status is final and returns its decision,
    /// with the metadata of the poll that read it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let decision = client.sessions().wait_for_decision(id).send().await?;
    /// println!("{}", decision.status());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionDecision>> {
        let decision = self.decision;
        self.polling
            .until(
                || decision.clone().send(),
                |decision| is_final(decision.status()),
            )
            .await
    }
}

/// Whether no one changes a session in this status any more.
fn is_final(status: &SessionStatus) -> bool {
    matches!(
        status,
        SessionStatus::Approved
            | SessionStatus::Declined
            | SessionStatus::Expired
            | SessionStatus::Abandoned
            | SessionStatus::KycExpired
    )
}

/// A status change; see [`Sessions::update_status`].
///
/// Its `Debug` output names the fields that are set, never their values (a
/// comment, an e-mail address).
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateStatus {
    client: Client,
    session_id: Uuid,
    request: UpdateSessionStatusRequest,
    options: CallOptions,
}

impl fmt::Debug for UpdateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateStatus")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl UpdateStatus {
    /// Why, for the session's history.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), didit::types::NewSessionStatus::Approved)
    ///     .comment("checked by hand");
    /// # let _ = request;
    /// ```
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.request.comment = Some(comment.into());
        self
    }

    /// With `Resubmitted`: the steps the user must do again (left out, the
    /// server picks those that did not pass).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// use didit::types::NodeToResubmit;
    ///
    /// let node = NodeToResubmit::new(didit::ResubmittableFeature::DocumentFront, "feature_ocr");
    /// let request = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), didit::types::NewSessionStatus::Resubmitted)
    ///     .nodes_to_resubmit([node]);
    /// # let _ = request;
    /// ```
    pub fn nodes_to_resubmit(mut self, nodes: impl IntoIterator<Item = NodeToResubmit>) -> Self {
        self.request.nodes_to_resubmit = Some(nodes.into_iter().collect());
        self
    }

    /// E-mail the user about the change, at `address`, in `language` when
    /// given.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), didit::types::NewSessionStatus::Declined)
    ///     .send_email("user@example.com", Some(didit::Language::from("en")));
    /// # let _ = request;
    /// ```
    pub fn send_email(mut self, address: impl Into<String>, language: Option<Language>) -> Self {
        self.request.send_email = Some(true);
        self.request.email_address = Some(address.into());
        self.request.email_language = language;
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), didit::types::NewSessionStatus::Approved)
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Changes the status. A status equal to the current one is refused by
    /// the server ([`Error::Api`] with a 400); an unknown session is
    /// [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::types::NewSessionStatus;
    /// client.sessions().update_status(id, NewSessionStatus::Approved).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionStatusUpdated>> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .update_session_status()
            .session_id(self.session_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// The deletion of one session; see [`Sessions::delete`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeleteSession {
    client: Client,
    session_id: Uuid,
    options: CallOptions,
}

impl DeleteSession {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .delete(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().retry_policy(didit::RetryPolicy::none()));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Deletes the session. The answer has no body: what it says is its
    /// [`ReplyMetadata`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("DELETE"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/delete/"))
    ///     .respond_with(ResponseTemplate::new(204))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let deleted = client.sessions().delete(id).send().await?;
    /// assert_eq!(deleted.status().as_u16(), 204);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ReplyMetadata> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .delete_session()
            .session_id(self.session_id)
            .send()
            .await;
        // An answer without a body: nothing to decode.
        Client::settle_with(&api, result, |_| None)
            .await
            .map(|answer| ReplyMetadata::of(&answer))
    }
}

/// The deletion of several sessions, or of every one; see
/// [`Sessions::delete_many`] and
/// [`Sessions::delete_every_session_irreversibly`].
///
/// Its `Debug` output names the fields that are set, never their values.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let request = client.sessions().delete_many([43762]);
/// assert!(format!("{request:?}").contains("session_numbers"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeleteSessions {
    client: Client,
    request: DeleteSessionsRequest,
    options: CallOptions,
}

impl fmt::Debug for DeleteSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteSessions")
            .field("client", &self.client)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl DeleteSessions {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .delete_many([43762, 43763])
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(30)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Deletes the sessions. No session number at all (outside
    /// [`delete_every_session_irreversibly`](Sessions::delete_every_session_irreversibly))
    /// is [`Error::InvalidInput`], and nothing is sent. The answer has no
    /// body: what it says is its [`ReplyMetadata`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/sessions/delete/"))
    ///     .and(matchers::body_json(serde_json::json!({"session_numbers": ["43762", "43763"]})))
    ///     .respond_with(ResponseTemplate::new(204))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let deleted = client.sessions().delete_many([43762, 43763]).send().await?;
    /// assert!(deleted.status().is_success());
    /// let none = client.sessions().delete_many([]).send().await.unwrap_err();
    /// assert!(matches!(none, didit::Error::InvalidInput { parameter: "session_numbers", .. }));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ReplyMetadata> {
        let every_session = self.request.delete_all() == Some(true);
        if !every_session && self.request.session_numbers().is_empty() {
            return Err(Error::InvalidInput {
                parameter: "session_numbers",
                reason: "needs at least one session number".to_owned(),
            });
        }
        let api = self.options.apply(&self.client)?.api(None);
        let result = api.delete_sessions().body(self.request).send().await;
        Client::settle_with(&api, result, |_| None)
            .await
            .map(|answer| ReplyMetadata::of(&answer))
    }
}

/// A request for a session's PDF report; see [`Sessions::pdf`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetPdfReport {
    client: Client,
    session_id: Uuid,
    options: CallOptions,
}

impl GetPdfReport {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]); an attempt limit set here replaces
    /// the minute a report is given by default.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .pdf(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(180)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Fetches the report, as a stream: it is never held whole in memory.
    /// [`PdfReport::save`] writes it to a file.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::path_regex("/generate-pdf/$"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_raw("%PDF-1.7 a report", "application/pdf"))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let report = client.sessions().pdf(didit::Uuid::nil()).send().await?;
    /// assert_eq!(report.metadata().status().as_u16(), 200);
    /// let directory = tempfile::tempdir().expect("a temporary directory");
    /// let written = report.save(directory.path().join("report.pdf")).await?;
    /// assert_eq!(written, 17);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<PdfReport> {
        let attempt_timeout = self
            .client
            .settings
            .attempt_timeout
            .max(PDF_ATTEMPT_TIMEOUT);
        let options = self.options.with_default_attempt_timeout(attempt_timeout);
        let client = options.apply(&self.client)?;
        let mut stream = RequestOptions::default();
        stream.stream = true;
        let api = client.api_with_options(None, stream);
        let result = api
            .get_session_pdf()
            .session_id(self.session_id)
            .send()
            .await;
        // A PDF is not decoded: there is no JSON path to a failure.
        match Client::settle_with(&api, result, |_| None).await {
            Ok(answer) => PdfReport::new(answer),
            Err(Error::Forbidden { body })
                if body
                    .detail()
                    .is_some_and(|detail| detail.contains("only generate")) =>
            {
                Err(Error::ReportNotReady {
                    status: reqwest::StatusCode::FORBIDDEN,
                    body,
                })
            }
            Err(error) => Err(error),
        }
    }
}
