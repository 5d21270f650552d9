//! Per-call overrides of the client's time limits and retry policy.

use std::time::Duration;

use crate::client::{RequestSettings, checked_time_limit};
use crate::{Client, Result, RetryPolicy};

/// Time limits and a retry policy for one call, in place of the client's
/// (see [`ClientBuilder`](crate::ClientBuilder)). Every request builder
/// takes them with its `call_options` method; what is not set here stays
/// as the client has it, and other calls on the same client are not
/// affected.
///
/// They are checked as the client builder checks its own when the request
/// is sent: a zero time limit is [`Error::InvalidConfig`](crate::Error::InvalidConfig)
/// naming the setting, and nothing is sent. The client's caps still hold:
/// a call's [`RetryPolicy`] never waits for a `Retry-After` longer than the
/// client's [`max_retry_after`](RetryPolicy::max_retry_after), and each
/// attempt ends with the operation's time limit at the latest.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), didit::Error> {
/// use std::time::Duration;
/// use wiremock::{Mock, MockServer, ResponseTemplate};
///
/// let server = MockServer::start().await;
/// Mock::given(wiremock::matchers::any())
///     .respond_with(ResponseTemplate::new(503))
///     .mount(&server)
///     .await;
/// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
///
/// // This call is sent once and may take 5 s at most; the client's other
/// // calls keep its own settings (three attempts, 120 s).
/// let quick = didit::CallOptions::new()
///     .operation_timeout(Duration::from_secs(5))
///     .retry_policy(didit::RetryPolicy::none());
/// let error = client.sessions().list().call_options(quick).send().await.unwrap_err();
/// assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
/// assert_eq!(server.received_requests().await.unwrap().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry_policy: Option<RetryPolicy>,
}

impl CallOptions {
    /// No override: the call is sent as the client's settings say.
    ///
    /// ```
    /// assert_eq!(didit::CallOptions::new(), didit::CallOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how long one attempt of this call may take, from connecting
    /// until the whole answer is read, in place of the client's
    /// [`attempt_timeout`](crate::ClientBuilder::attempt_timeout). Must be
    /// longer than zero; longer than a year counts as a year.
    ///
    /// ```
    /// let options = didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(90));
    /// # let _ = options;
    /// ```
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets how long this call may take in all, every attempt and wait
    /// included, in place of the client's
    /// [`operation_timeout`](crate::ClientBuilder::operation_timeout). For
    /// a listing it holds for each page. Must be longer than zero; longer
    /// than a year counts as a year.
    ///
    /// ```
    /// let options = didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10));
    /// # let _ = options;
    /// ```
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Sets how this call is retried, in place of the client's
    /// [`retry_policy`](crate::ClientBuilder::retry_policy). Its
    /// [`max_retry_after`](RetryPolicy::max_retry_after) may only lower the
    /// client's.
    ///
    /// ```
    /// let options = didit::CallOptions::new().retry_policy(didit::RetryPolicy::none());
    /// # let _ = options;
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// These options, with `timeout` as the attempt limit unless one is
    /// set: for operations known to take longer than most.
    pub(crate) fn with_default_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout.get_or_insert(timeout);
        self
    }

    /// `client` sending with these overrides, checked and kept within its
    /// caps; the error names the setting that is not acceptable.
    pub(crate) fn apply(&self, client: &Client) -> Result<Client> {
        let own = &client.settings;
        let checked = |setting, limit: Option<Duration>, otherwise| match limit {
            Some(limit) => checked_time_limit(setting, limit),
            None => Ok(otherwise),
        };
        let settings = RequestSettings {
            attempt_timeout: checked("attempt_timeout", self.attempt_timeout, own.attempt_timeout)?,
            operation_timeout: checked(
                "operation_timeout",
                self.operation_timeout,
                own.operation_timeout,
            )?,
            retry: match &self.retry_policy {
                Some(policy) => policy.clone().within(&own.retry),
                None => own.retry.clone(),
            },
        };
        Ok(client.with_settings(settings))
    }
}
