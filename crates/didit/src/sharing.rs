//! Reusable KYC and sandbox testing: share a finished session with another
//! application, redeem a share token into this one, and arm a sandbox
//! session with the scenario it will reproduce.
//!
//! Share tokens and session tokens are secrets: the builders' `Debug`
//! output never shows them, nor the vendor data of a copy.

use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

use didit_api::hooks::RequestOptions;
use uuid::Uuid;

use crate::types::{
    ArmSandboxScenarioRequest, ImportSharedSessionRequest, SandboxScenarioArmed, SessionDecision,
    SessionShare, ShareSessionRequest,
};
use crate::{CallOptions, Client, Error, Reply, Result, SessionToken, Sessions, ShareToken};

/// How long a share token may live, in seconds: from a minute to a day.
const SHARE_TTL_SECONDS: RangeInclusive<u64> = 60..=86_400;

impl Sessions<'_> {
    /// Starts sharing a finished session (Approved, Declined or In Review)
    /// with another application, `for_application_id`, which redeems the
    /// token with [`import_shared`](Self::import_shared);
    /// [`send`](ShareSession::send) it. The answer's token is a
    /// [`ShareToken`]: a secret that `Debug` does not show.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use std::time::Duration;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/share/"))
    ///     .and(matchers::body_json(serde_json::json!({
    ///         "for_application_id": "a5f3bca2-46e2-411e-90ef-a580900a57ee",
    ///         "ttl_in_seconds": 7200,
    ///     })))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "share_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg",
    ///         "for_application_id": "a5f3bca2-46e2-411e-90ef-a580900a57ee",
    ///         "session_kind": "user",
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let session = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let partner = didit::Uuid::parse_str("a5f3bca2-46e2-411e-90ef-a580900a57ee").unwrap();
    /// let share = client
    ///     .sessions()
    ///     .share(session, partner)
    ///     .ttl(Duration::from_secs(2 * 60 * 60))
    ///     .send()
    ///     .await?;
    /// assert_eq!(share.share_token.expose_secret(), "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg");
    /// assert!(!format!("{share:?}").contains("eyJhbGciOiJIUzI1NiJ9"));
    /// # Ok(()) }
    /// ```
    pub fn share(&self, session_id: Uuid, for_application_id: Uuid) -> ShareSession {
        ShareSession {
            client: self.client.clone(),
            session_id,
            request: ShareSessionRequest::new(for_application_id),
            ttl: None,
            options: CallOptions::default(),
        }
    }

    /// Starts redeeming a share token from another application: the shared
    /// session is copied into a new session of this application, in the
    /// workflow `workflow_id`; [`send`](ImportShared::send) it. A token is
    /// redeemed once: the request is never sent again once it may have
    /// reached the server, and a second redeem is refused
    /// ([`Error::Forbidden`]).
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, token: didit::ShareToken, workflow: didit::Uuid) -> Result<(), didit::Error> {
    /// let copy = client
    ///     .sessions()
    ///     .import_shared(token, workflow)
    ///     .trust_review(true)
    ///     .vendor_data("user-42")
    ///     .send()
    ///     .await?;
    /// println!("{} is {:?}", copy.session_id, copy.status);
    /// # Ok(()) }
    /// ```
    pub fn import_shared(&self, share_token: ShareToken, workflow_id: Uuid) -> ImportShared {
        ImportShared {
            client: self.client.clone(),
            request: ImportSharedSessionRequest::new(share_token, false, workflow_id),
            options: CallOptions::default(),
        }
    }

    /// Starts arming a sandbox session, still Not Started, with the test
    /// `scenario` whose outcome it will reproduce;
    /// [`send`](ArmSandboxScenario::send) it. The call is made on behalf of
    /// the session's user: it carries the session's own token
    /// (`session_token` of [`create`](Self::create)'s answer) in the
    /// `Session-Token` header, and never the API key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/sandbox/arm/"))
    ///     .and(matchers::header("session-token", "3FaJ9wLqX2Mz"))
    ///     .and(matchers::body_json(serde_json::json!({"scenario": "decline_aml_hit"})))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "session_id": "11111111-2222-3333-4444-555555555555",
    ///         "scenario": "decline_aml_hit",
    ///         "status": "Not Started",
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let session = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let token = didit::SessionToken::from("3FaJ9wLqX2Mz".to_owned());
    /// let armed = client
    ///     .sessions()
    ///     .arm_sandbox_scenario(session, &token, "decline_aml_hit")
    ///     .send()
    ///     .await?;
    /// assert_eq!(armed.status, didit::SessionStatus::NotStarted);
    /// let sent = &server.received_requests().await.unwrap()[0];
    /// assert!(sent.headers.get("x-api-key").is_none());
    /// # Ok(()) }
    /// ```
    pub fn arm_sandbox_scenario(
        &self,
        session_id: Uuid,
        session_token: &SessionToken,
        scenario: impl Into<String>,
    ) -> ArmSandboxScenario {
        ArmSandboxScenario {
            client: self.client.clone(),
            session_id,
            session_token: session_token.clone(),
            request: ArmSandboxScenarioRequest::new(scenario),
            options: CallOptions::default(),
        }
    }
}

/// A share token to mint; see [`Sessions::share`].
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let request = client.sessions().share(didit::Uuid::nil(), didit::Uuid::max());
/// assert!(format!("{request:?}").contains("ShareSession"));
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ShareSession {
    client: Client,
    session_id: Uuid,
    request: ShareSessionRequest,
    /// Checked when sent, so that a builder chain stays infallible.
    ttl: Option<Duration>,
    options: CallOptions,
}

impl ShareSession {
    /// How long the token stays valid: whole seconds, from a minute to a
    /// day; out of bounds, [`send`](Self::send) fails with
    /// [`Error::InvalidInput`] naming `ttl_in_seconds` before sending.
    /// Left out, the server gives it an hour.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .share(didit::Uuid::nil(), didit::Uuid::max())
    ///     .ttl(std::time::Duration::from_secs(600));
    /// # let _ = request;
    /// ```
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .share(didit::Uuid::nil(), didit::Uuid::max())
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(5)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Mints the token. A session that is not finished, an application
    /// that does not exist or is this one, are refused by the server
    /// ([`Error::Api`] with a 400); an unknown session is
    /// [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let error = client
    ///     .sessions()
    ///     .share(didit::Uuid::nil(), didit::Uuid::max())
    ///     .ttl(std::time::Duration::from_secs(30))
    ///     .send()
    ///     .await
    ///     .unwrap_err();
    /// assert!(matches!(error, didit::Error::InvalidInput { parameter: "ttl_in_seconds", .. }));
    /// # }
    /// ```
    pub async fn send(mut self) -> Result<Reply<SessionShare>> {
        if let Some(ttl) = self.ttl {
            self.request.ttl_in_seconds = Some(share_ttl_seconds(ttl)?);
        }
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .share_session()
            .session_id(self.session_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// `ttl` in whole seconds, within the bounds the API documents.
fn share_ttl_seconds(ttl: Duration) -> Result<u32> {
    let seconds = ttl.as_secs();
    if ttl.subsec_nanos() != 0 || !SHARE_TTL_SECONDS.contains(&seconds) {
        return Err(Error::InvalidInput {
            parameter: "ttl_in_seconds",
            reason: format!(
                "must be whole seconds from {} to {}",
                SHARE_TTL_SECONDS.start(),
                SHARE_TTL_SECONDS.end()
            ),
        });
    }
    // Within the bounds above, the seconds fit.
    u32::try_from(seconds).map_err(|_| Error::Internal {
        what: "a share lifetime within its bounds does not fit 32 bits",
    })
}

/// A share token to redeem; see [`Sessions::import_shared`].
///
/// Its `Debug` output names the fields that are set, never their values
/// (the token, and the vendor data of the copy).
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let token = didit::ShareToken::from("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg".to_owned());
/// let request = client.sessions().import_shared(token, didit::Uuid::nil()).vendor_data("user-42");
/// let shown = format!("{request:?}");
/// assert!(shown.contains("vendor_data") && !shown.contains("user-42"));
/// assert!(!shown.contains("eyJhbGciOiJIUzI1NiJ9"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ImportShared {
    client: Client,
    request: ImportSharedSessionRequest,
    options: CallOptions,
}

impl fmt::Debug for ImportShared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportShared")
            .field("client", &self.client)
            .field("fields_set", &crate::lifecycle::fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl ImportShared {
    /// Whether the copy keeps the status the shared session had (`true`),
    /// or is put In Review for this application to look at (`false`, the
    /// default).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// # let token = didit::ShareToken::from("t".to_owned());
    /// let request = client.sessions().import_shared(token, didit::Uuid::nil()).trust_review(true);
    /// # let _ = request;
    /// ```
    pub fn trust_review(mut self, trust: bool) -> Self {
        self.request.trust_review = trust;
        self
    }

    /// Your identifier for the copy's user or business, instead of the
    /// shared session's.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// # let token = didit::ShareToken::from("t".to_owned());
    /// let request = client.sessions().import_shared(token, didit::Uuid::nil()).vendor_data("user-42");
    /// # let _ = request;
    /// ```
    pub fn vendor_data(mut self, vendor_data: impl Into<String>) -> Self {
        self.request.vendor_data = Some(Some(vendor_data.into()));
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]). Whatever the retry policy, the
    /// request is not sent again once it may have reached the server.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// # let token = didit::ShareToken::from("t".to_owned());
    /// let request = client
    ///     .sessions()
    ///     .import_shared(token, didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(5)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Redeems the token and returns the decision of the new session. A
    /// malformed, expired or foreign token is refused with [`Error::Api`]
    /// (a 400 naming `share_token`); a token redeemed already with
    /// [`Error::Forbidden`]; a workflow not of this application with
    /// [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, token: didit::ShareToken, workflow: didit::Uuid) -> Result<(), didit::Error> {
    /// match client.sessions().import_shared(token, workflow).send().await {
    ///     Ok(copy) => println!("imported as {}", copy.session_id),
    ///     Err(didit::Error::Forbidden { .. }) => println!("imported before"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionDecision>> {
        let token = self.request.share_token.clone();
        let api = self.options.apply(&self.client)?.api(None);
        let result = api.import_shared_session().body(self.request).send().await;
        Client::settle(&api, result)
            .await
            .map(Reply::from_answer)
            .map_err(|error| {
                error.withhold_echoes(token.expose_secret(), "they repeat the share token")
            })
    }
}

/// A sandbox scenario to arm; see [`Sessions::arm_sandbox_scenario`].
///
/// Its `Debug` output does not show the session token.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let token = didit::SessionToken::from("3FaJ9wLqX2Mz".to_owned());
/// let request = client
///     .sessions()
///     .arm_sandbox_scenario(didit::Uuid::nil(), &token, "decline_aml_hit");
/// assert!(!format!("{request:?}").contains("3FaJ9wLqX2Mz"));
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ArmSandboxScenario {
    client: Client,
    session_id: Uuid,
    session_token: SessionToken,
    request: ArmSandboxScenarioRequest,
    options: CallOptions,
}

impl ArmSandboxScenario {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// # let token = didit::SessionToken::from("t".to_owned());
    /// let request = client
    ///     .sessions()
    ///     .arm_sandbox_scenario(didit::Uuid::nil(), &token, "decline_aml_hit")
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(5)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Arms the scenario. An unknown scenario, or a session past Not
    /// Started, is refused with [`Error::Api`] (a 400); a token of another
    /// session, or a session of a live application, with
    /// [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, session: didit::types::CreatedSession) -> Result<(), didit::Error> {
    /// client
    ///     .sessions()
    ///     .arm_sandbox_scenario(session.session_id, &session.session_token, "decline_document_expired")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SandboxScenarioArmed>> {
        let mut request_options = RequestOptions::default();
        request_options.session_token = Some(self.session_token);
        let api = self
            .options
            .apply(&self.client)?
            .api_with_options(None, request_options);
        let result = api
            .arm_sandbox_scenario()
            .session_id(self.session_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_lifetimes_are_whole_seconds_within_the_documented_bounds() {
        assert_eq!(share_ttl_seconds(Duration::from_secs(60)).unwrap(), 60);
        assert_eq!(
            share_ttl_seconds(Duration::from_secs(86_400)).unwrap(),
            86_400
        );
        for refused in [
            Duration::from_secs(59),
            Duration::from_secs(86_401),
            Duration::from_millis(60_500),
            Duration::ZERO,
            Duration::MAX,
        ] {
            let error = share_ttl_seconds(refused).unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        parameter: "ttl_in_seconds",
                        ..
                    }
                ),
                "{refused:?}: {error:?}"
            );
        }
    }
}
