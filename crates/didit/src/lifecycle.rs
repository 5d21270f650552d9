//! The operations on one session: create, decision, update status, delete,
//! wait for a decision and save the PDF report. Each is sent by the
//! generated client.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::types::{
    CreateSessionRequest, CreatedSession, NewSessionStatus, SessionDecision, SessionStatusUpdated,
    UpdateSessionStatusRequest,
};
use crate::{Client, Error, Language, Result, SessionStatus, Sessions, TimeoutScope};

impl Sessions<'_> {
    /// Starts creating a session of the workflow `workflow_id`.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let created = client.sessions().create(didit::Uuid::nil()).vendor_data("user-1").send().await?;
    /// # let _ = created;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, workflow_id: Uuid) -> CreateSession {
        CreateSession {
            client: self.client.clone(),
            body: CreateSessionRequest {
                callback: None,
                callback_method: None,
                contact_details: None,
                expected_details: None,
                language: None,
                metadata: None,
                portrait_image: None,
                sandbox_scenario: None,
                vendor_data: None,
                workflow_id,
                extra: Default::default(),
            },
        }
    }

    /// Starts reading the decision of session `session_id`.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(didit::Uuid::nil()).send().await?;
    /// # let _ = decision;
    /// # Ok(()) }
    /// ```
    pub fn decision(&self, session_id: Uuid) -> GetDecision {
        GetDecision {
            client: self.client.clone(),
            session_id,
            include_events: false,
        }
    }

    /// Starts changing the status of session `session_id` by hand.
    ///
    /// ```no_run
    /// use didit::types::NewSessionStatus;
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let id = didit::Uuid::nil();
    /// client.sessions().update_status(id, NewSessionStatus::Approved).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_status(&self, session_id: Uuid, status: NewSessionStatus) -> UpdateStatus {
        UpdateStatus {
            client: self.client.clone(),
            session_id,
            body: UpdateSessionStatusRequest {
                comment: None,
                email_address: None,
                email_language: None,
                new_status: status,
                nodes_to_resubmit: None,
                send_email: None,
                extra: Default::default(),
            },
        }
    }

    /// Deletes session `session_id` and its data; [`Error::NotFound`] when
    /// it is unknown or deleted already.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// client.sessions().delete(didit::Uuid::nil()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, session_id: Uuid) -> Result<()> {
        let api = self.client.api(None);
        let result = api.delete_session().session_id(session_id).send().await;
        Client::settle(&api, result).await?;
        Ok(())
    }

    /// Starts waiting for session `session_id` to reach a final status.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let decision = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .timeout(std::time::Duration::from_secs(60))
    ///     .send()
    ///     .await?;
    /// # let _ = decision;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_decision(&self, session_id: Uuid) -> WaitForDecision {
        WaitForDecision {
            client: self.client.clone(),
            session_id,
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(2),
        }
    }

    /// Saves the PDF report of session `session_id` to `path` and returns
    /// its size; [`Error::ReportNotReady`] while the session is not
    /// finished. The file is written next to `path` and renamed into place,
    /// readable by its owner only.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let bytes = client.sessions().save_pdf(didit::Uuid::nil(), "report.pdf").await?;
    /// # let _ = bytes;
    /// # Ok(()) }
    /// ```
    pub async fn save_pdf(&self, session_id: Uuid, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let api = self.client.api(None);
        let result = api.get_session_pdf().session_id(session_id).send().await;
        let failure = match result {
            Ok(value) => Ok(value.into_inner_stream()),
            // The body of an error answer is JSON; the type read on success
            // plays no part.
            Err(error) => Err(Client::settle::<serde_json::Value, _>(&api, Err(error))
                .await
                .err()
                .unwrap_or_else(not_a_pdf)),
        };
        let stream = match failure {
            Ok(stream) => stream,
            Err(Error::Authentication { status, body })
                if status == StatusCode::FORBIDDEN
                    && body.text().contains("only generate a PDF") =>
            {
                return Err(Error::ReportNotReady { body });
            }
            Err(error) => return Err(error),
        };
        let local = |error: std::io::Error| Error::InvalidInput {
            parameter: "path",
            reason: format!("could not write the report: {error}"),
        };
        let temp = path.with_extension("pdf.partial");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp).map_err(local)?;
        let written = write_pdf(stream, &mut file).await;
        let outcome = written.and_then(|size| {
            file.sync_all().map_err(local)?;
            std::fs::rename(&temp, path).map_err(local)?;
            Ok(size)
        });
        if outcome.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        outcome
    }
}

/// Copies the report to `file`, checking that it starts as a PDF does.
async fn write_pdf(
    mut stream: impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin,
    file: &mut std::fs::File,
) -> Result<u64> {
    const SIGNATURE: &[u8] = b"%PDF-";
    let mut head = Vec::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|source| Error::Transport {
            source: source.without_url(),
        })?;
        if head.len() < SIGNATURE.len() {
            head.extend(chunk.iter().take(SIGNATURE.len() - head.len()));
            if !SIGNATURE.starts_with(&head) {
                return Err(not_a_pdf());
            }
        }
        file.write_all(&chunk)
            .map_err(|error| Error::InvalidInput {
                parameter: "path",
                reason: format!("could not write the report: {error}"),
            })?;
        size += chunk.len() as u64;
    }
    if head.len() < SIGNATURE.len() {
        return Err(not_a_pdf());
    }
    Ok(size)
}

fn not_a_pdf() -> Error {
    Error::Decode {
        status: StatusCode::OK,
        path: ".".to_owned(),
        expected: "a PDF document (starting with %PDF-)".to_owned(),
        body: crate::ResponseBody::new(bytes::Bytes::new()),
    }
}

/// A session being created; see [`Sessions::create`].
///
/// ```
/// let client = didit::Client::builder().api_key("k").build()?;
/// let request = client.sessions().create(didit::Uuid::nil()).language(didit::Language::English);
/// # let _ = request;
/// # Ok::<(), didit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSession {
    client: Client,
    body: CreateSessionRequest,
}

impl CreateSession {
    /// Your identifier of the user or business.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).vendor_data("user-1");
    /// # let _ = request;
    /// ```
    pub fn vendor_data(mut self, vendor_data: impl Into<String>) -> Self {
        self.body.vendor_data = Some(vendor_data.into());
        self
    }

    /// Where the user is sent back to when the flow ends.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).callback("https://example.com/done");
    /// # let _ = request;
    /// ```
    pub fn callback(mut self, callback: impl Into<String>) -> Self {
        self.body.callback = Some(callback.into());
        self
    }

    /// Language of the hosted pages.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).language(didit::Language::Spanish);
    /// # let _ = request;
    /// ```
    pub fn language(mut self, language: Language) -> Self {
        self.body.language = Some(language);
        self
    }

    /// Any JSON, returned with the session.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().create(didit::Uuid::nil()).metadata(serde_json::json!({"tier": 1}));
    /// # let _ = request;
    /// ```
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.body.metadata = Some(Some(metadata));
        self
    }

    /// Sends the request.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let created = client.sessions().create(didit::Uuid::nil()).send().await?;
    /// # let _ = created;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<CreatedSession> {
        let api = self.client.api(None);
        let result = api.create_session().body(self.body).send().await;
        Ok(Client::settle(&api, result).await?.into_inner())
    }
}

/// A request for a session's decision; see [`Sessions::decision`].
///
/// ```
/// let client = didit::Client::builder().api_key("k").build()?;
/// let request = client.sessions().decision(didit::Uuid::nil()).include_events(true);
/// # let _ = request;
/// # Ok::<(), didit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetDecision {
    client: Client,
    session_id: Uuid,
    include_events: bool,
}

impl GetDecision {
    /// Adds the data the Didit console uses.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().decision(didit::Uuid::nil()).include_events(true);
    /// # let _ = request;
    /// ```
    pub fn include_events(mut self, include_events: bool) -> Self {
        self.include_events = include_events;
        self
    }

    /// Sends the request.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let decision = client.sessions().decision(didit::Uuid::nil()).send().await?;
    /// # let _ = decision;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SessionDecision> {
        let api = self.client.api(None);
        let mut request = api.get_session_decision().session_id(self.session_id);
        if self.include_events {
            request = request.include(crate::types::GetSessionDecisionInclude::Events);
        }
        let result = request.send().await;
        Ok(Client::settle(&api, result).await?.into_inner())
    }
}

/// A change of a session's status; see [`Sessions::update_status`].
///
/// ```
/// use didit::types::NewSessionStatus;
/// let client = didit::Client::builder().api_key("k").build()?;
/// let request = client
///     .sessions()
///     .update_status(didit::Uuid::nil(), NewSessionStatus::Declined)
///     .comment("document expired");
/// # let _ = request;
/// # Ok::<(), didit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateStatus {
    client: Client,
    session_id: Uuid,
    body: UpdateSessionStatusRequest,
}

impl UpdateStatus {
    /// Why the status changed.
    ///
    /// ```
    /// # use didit::types::NewSessionStatus;
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_status(didit::Uuid::nil(), NewSessionStatus::Approved)
    ///     .comment("checked by hand");
    /// # let _ = request;
    /// ```
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.body.comment = Some(comment.into());
        self
    }

    /// Sends the request.
    ///
    /// ```no_run
    /// # use didit::types::NewSessionStatus;
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let id = didit::Uuid::nil();
    /// client.sessions().update_status(id, NewSessionStatus::Approved).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SessionStatusUpdated> {
        let api = self.client.api(None);
        let result = api
            .update_session_status()
            .session_id(self.session_id)
            .body(self.body)
            .send()
            .await;
        Ok(Client::settle(&api, result).await?.into_inner())
    }
}

/// Waiting for a session's final status; see [`Sessions::wait_for_decision`].
///
/// ```
/// let client = didit::Client::builder().api_key("k").build()?;
/// let request = client
///     .sessions()
///     .wait_for_decision(didit::Uuid::nil())
///     .poll_interval(std::time::Duration::from_secs(5));
/// # let _ = request;
/// # Ok::<(), didit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct WaitForDecision {
    client: Client,
    session_id: Uuid,
    timeout: Duration,
    poll_interval: Duration,
}

impl WaitForDecision {
    /// Longest time to wait.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .timeout(std::time::Duration::from_secs(60));
    /// # let _ = request;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time between two reads of the decision.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .wait_for_decision(didit::Uuid::nil())
    ///     .poll_interval(std::time::Duration::from_secs(1));
    /// # let _ = request;
    /// ```
    pub fn poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }

    /// Reads the decision until its status is final; [`Error::Timeout`]
    /// when the time runs out first.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let decision = client.sessions().wait_for_decision(didit::Uuid::nil()).send().await?;
    /// # let _ = decision;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SessionDecision> {
        let polling = async {
            loop {
                let decision = self
                    .client
                    .sessions()
                    .decision(self.session_id)
                    .send()
                    .await?;
                let pending = matches!(
                    decision.status,
                    None | Some(
                        SessionStatus::NotStarted
                            | SessionStatus::InProgress
                            | SessionStatus::Resubmitted
                            | SessionStatus::AwaitingUser
                    )
                );
                if !pending {
                    return Ok(decision);
                }
                tokio::time::sleep(self.poll_interval).await;
            }
        };
        tokio::time::timeout(self.timeout, polling)
            .await
            .unwrap_or(Err(Error::Timeout {
                scope: TimeoutScope::Operation,
                limit: self.timeout,
            }))
    }
}
