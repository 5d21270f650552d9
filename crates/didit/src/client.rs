//! The client and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};

use crate::limiter::Limiter;
use crate::sessions::Sessions;
use crate::transport::redirect_policy;
use crate::{Error, Result, RetryPolicy};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://verification.didit.me";

/// Environment variable [`Client::from_env`] reads the API key from.
pub const API_KEY_ENV: &str = "DIDIT_API_KEY";

/// Environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "DIDIT_BASE_URL";

/// Requests per window the client allows itself unless told otherwise: the
/// API's documented limit for `GET`.
pub const DEFAULT_RATE_LIMIT: u32 = 600;

/// The window [`DEFAULT_RATE_LIMIT`] and [`DEFAULT_WRITE_RATE_LIMIT`] apply
/// to: the API counts requests per key in a sliding 60-second window.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);

/// Writes (`POST`, `PATCH`, `PUT`, `DELETE`) per window the client allows
/// itself unless told otherwise: the API's documented limit, a budget of its
/// own beside the one for reads.
pub const DEFAULT_WRITE_RATE_LIMIT: u32 = 300;

/// Pages a listing requests at the same time unless told otherwise.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

/// The most pages a listing requests at the same time; a larger
/// [`page_concurrency`](ClientBuilder::page_concurrency) or
/// [`ListSessions::concurrency`](crate::ListSessions::concurrency) counts as
/// this. The pages a listing plans come from the `count` the server sends,
/// each page on its way may hold an answer of up to
/// [`max_response_bytes`](ClientBuilder::max_response_bytes), and more at
/// once would only wait for the rate limiter.
///
/// ```
/// let client = didit::Client::builder().api_key("my-key").page_concurrency(1_000).build()?;
/// assert!(format!("{client:?}").contains(&format!("page_concurrency: {}", didit::MAX_PAGE_CONCURRENCY)));
/// # Ok::<(), didit::Error>(())
/// ```
pub const MAX_PAGE_CONCURRENCY: usize = 16;

/// The most bytes of one answer the client reads unless told otherwise: a
/// page of a thousand sessions takes about 2 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// The longest time limit or rate window the client keeps; longer ones are
/// taken as this (a year is as good as no limit, and later instants could
/// not be computed).
const LONGEST_LIMIT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("didit-rs/", env!("CARGO_PKG_VERSION"));

/// A client of the Didit API.
///
/// Cloning is cheap (the configuration and connection pool are shared), and
/// the client is `Send + Sync`, so one client can serve a whole program.
///
/// ```no_run
/// # async fn run() -> Result<(), didit::Error> {
/// let client = didit::Client::from_env()?; // reads DIDIT_API_KEY
/// let page = client.sessions().list().limit(10).send().await?;
/// println!("{} sessions in all", page.count);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
    /// The time limits and retries of its requests: the ones it was built
    /// with, or a call's overrides (see [`CallOptions`](crate::CallOptions)).
    pub(crate) settings: RequestSettings,
}

/// How the requests of one call are sent: the client's time limits and
/// retry policy, or a call's overrides of them.
#[derive(Clone, Debug)]
pub(crate) struct RequestSettings {
    pub(crate) attempt_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

/// The shared state behind a [`Client`] and its clones.
pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) api_key: SecretString,
    /// The budget of reads (`GET`, `HEAD`); `None` when rate limiting is
    /// off.
    pub(crate) limiter: Option<Limiter>,
    /// The budget of writes; `None` when rate limiting is off.
    pub(crate) write_limiter: Option<Limiter>,
    pub(crate) page_concurrency: usize,
    pub(crate) max_response_bytes: u64,
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```
    /// let client = didit::Client::builder().api_key("my-key").build()?;
    /// assert_eq!(client.base_url().as_str(), "https://verification.didit.me/");
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the API key from `DIDIT_API_KEY` and, when set, the
    /// base URL from `DIDIT_BASE_URL`; every other setting at its default.
    ///
    /// ```no_run
    /// let client = didit::Client::from_env()?;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_lookup(|name| std::env::var(name).ok()).build()
    }

    /// The verification-session endpoints.
    ///
    /// ```
    /// let client = didit::Client::builder().api_key("my-key").build()?;
    /// let request = client.sessions().list().limit(20);
    /// # let _ = request;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions::new(self)
    }

    /// The base URL every request goes to, always ending in `/`.
    ///
    /// ```
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("http://127.0.0.1:8080/didit")
    ///     .build()?;
    /// assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/didit/");
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The same client (configuration, connection pool and rate limiter
    /// shared) sending with other time limits and retries.
    pub(crate) fn with_settings(&self, settings: RequestSettings) -> Client {
        Client {
            inner: self.inner.clone(),
            settings,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("api_key", &"[redacted]")
            .field("attempt_timeout", &self.settings.attempt_timeout)
            .field("operation_timeout", &self.settings.operation_timeout)
            .field("retry", &self.settings.retry)
            .field(
                "rate_limit",
                &inner
                    .limiter
                    .as_ref()
                    .map(|limiter| (limiter.max_requests(), limiter.window())),
            )
            .field(
                "write_rate_limit",
                &inner
                    .write_limiter
                    .as_ref()
                    .map(|limiter| (limiter.max_requests(), limiter.window())),
            )
            .field("page_concurrency", &inner.page_concurrency)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]; see [`Client::builder`].
///
/// ```
/// use std::time::Duration;
///
/// let client = didit::Client::builder()
///     .api_key("my-key")
///     .connect_timeout(Duration::from_secs(5))
///     .attempt_timeout(Duration::from_secs(20))
///     .operation_timeout(Duration::from_secs(60))
///     .retry_policy(didit::RetryPolicy::default().max_attempts(4))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), didit::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    base_url: String,
    allow_insecure_http: bool,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    operation_timeout: Duration,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    /// Reads per window; `None` when rate limiting is off.
    rate_limit: Option<(u32, Duration)>,
    /// Writes per window; `None` when rate limiting is off.
    write_rate_limit: Option<(u32, Duration)>,
    page_concurrency: usize,
    max_response_bytes: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            http: None,
            rate_limit: Some((DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW)),
            write_rate_limit: Some((DEFAULT_WRITE_RATE_LIMIT, DEFAULT_RATE_WINDOW)),
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .field("custom_http_client", &self.http.is_some())
            .field("rate_limit", &self.rate_limit)
            .field("write_rate_limit", &self.write_rate_limit)
            .field("page_concurrency", &self.page_concurrency)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// Reads the settings [`Client::from_env`] takes from the environment
    /// through `lookup`.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut builder = Self::default();
        if let Some(key) = lookup(API_KEY_ENV) {
            builder = builder.api_key(key);
        }
        if let Some(url) = lookup(BASE_URL_ENV).filter(|url| !url.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        builder
    }

    /// Sets the API key (from the Didit console): a `&str`, a `String`, or a
    /// [`secrecy::SecretString`] you already hold it in. It is sent in the
    /// `x-api-key` header, only ever to the base URL's origin, and never
    /// printed.
    ///
    /// ```
    /// use didit::secrecy::SecretString;
    ///
    /// let builder = didit::Client::builder().api_key("my-key");
    /// assert!(!format!("{builder:?}").contains("my-key"));
    ///
    /// let from_a_vault = SecretString::from("my-key");
    /// let client = didit::Client::builder().api_key(from_a_vault).build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the base URL (default `https://verification.didit.me`). Plain
    /// `http://` is accepted only for loopback hosts (`localhost`,
    /// `127.0.0.0/8`, `::1`) unless [`allow_insecure_http`](Self::allow_insecure_http)
    /// is set: the API key would travel unencrypted.
    ///
    /// ```
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("http://localhost:3000")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Accepts a plain `http://` base URL on any host. Only for networks
    /// where nobody can read the traffic.
    ///
    /// ```
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("http://didit-mock.internal:8080")
    ///     .allow_insecure_http(true)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets how long establishing a connection may take (default 10 s).
    /// Ignored with [`http_client`](Self::http_client), which brings its own.
    ///
    /// ```
    /// let builder = didit::Client::builder().connect_timeout(std::time::Duration::from_secs(3));
    /// # let _ = builder;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how long one attempt may take, from connecting until the whole
    /// answer is read (default 30 s). Zero is refused by
    /// [`build`](Self::build); limits longer than a year count as a year.
    ///
    /// ```
    /// let builder = didit::Client::builder().attempt_timeout(std::time::Duration::from_secs(10));
    /// # let _ = builder;
    /// ```
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Sets how long one operation may take in all, every attempt and wait
    /// included (default 120 s). Each page of a listing is one operation.
    /// Zero is refused by [`build`](Self::build); limits longer than a year
    /// count as a year.
    ///
    /// ```
    /// let builder = didit::Client::builder().operation_timeout(std::time::Duration::from_secs(30));
    /// # let _ = builder;
    /// ```
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Sets how failed requests are retried (default: 3 attempts).
    ///
    /// ```
    /// let builder = didit::Client::builder().retry_policy(didit::RetryPolicy::none());
    /// # let _ = builder;
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Keeps the client's reads (`GET`, `HEAD`) within `max_requests` (at
    /// least one) per sliding `window` (default [`DEFAULT_RATE_LIMIT`] per
    /// [`DEFAULT_RATE_WINDOW`], the API's documented limit for `GET`). Every
    /// read of the client and of its clones counts, retries included; a
    /// request that would exceed the limit waits for a slot (within the
    /// operation timeout). Writes have a budget of their own; see
    /// [`write_rate_limit`](Self::write_rate_limit).
    ///
    /// The limiter also follows the server's `X-RateLimit-Remaining` and
    /// `X-RateLimit-Reset` headers: when other programs share the key and
    /// the server reports less left than the client's own count, or when it
    /// answers 429, requests wait for the server's reset. Lower the limit
    /// when several processes share one key, to split the budget.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // Half the budget, for one of two processes sharing a key.
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .rate_limit(300, Duration::from_secs(60))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn rate_limit(mut self, max_requests: u32, window: Duration) -> Self {
        self.rate_limit = Some((max_requests, window));
        self
    }

    /// Keeps the client's writes (`POST`, `PATCH`, `PUT`, `DELETE`) within
    /// `max_requests` per sliding `window` (default
    /// [`DEFAULT_WRITE_RATE_LIMIT`] per [`DEFAULT_RATE_WINDOW`]), as
    /// [`rate_limit`](Self::rate_limit) does for reads: the API counts the
    /// two apart.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .write_rate_limit(150, Duration::from_secs(60))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn write_rate_limit(mut self, max_requests: u32, window: Duration) -> Self {
        self.write_rate_limit = Some((max_requests, window));
        self
    }

    /// Turns the client-side rate limiter off: requests go out as soon as
    /// they are made, and a server that refuses them answers 429 (which is
    /// retried according to the [`RetryPolicy`]).
    ///
    /// ```
    /// let client = didit::Client::builder().api_key("my-key").no_rate_limit().build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self.write_rate_limit = None;
        self
    }

    /// Sets how many pages a listing requests at the same time (default
    /// [`DEFAULT_PAGE_CONCURRENCY`], at most [`MAX_PAGE_CONCURRENCY`]); `1`
    /// fetches one page after the other, only when the stream asks for it,
    /// and `0` counts as `1`. A listing can override it with
    /// [`ListSessions::concurrency`](crate::ListSessions::concurrency).
    ///
    /// ```
    /// let client = didit::Client::builder().api_key("my-key").page_concurrency(8).build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.page_concurrency = crate::paging::pages_at_once(pages);
        self
    }

    /// Sets the most bytes of one answer the client reads (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]); a longer answer fails with
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) as soon
    /// as it announces or exceeds the limit, so a broken or hostile server
    /// cannot exhaust memory.
    ///
    /// ```
    /// let client = didit::Client::builder()
    ///     .api_key("my-key")
    ///     .max_response_bytes(16 << 20)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sends requests through this `reqwest` client, to share its
    /// connection pool, proxy or TLS settings with the rest of a program.
    ///
    /// The SDK cannot change the redirect policy of a client built
    /// elsewhere, and reqwest's default one would carry the `x-api-key`
    /// header to whatever origin a redirect names. Build the client with
    /// [`didit::redirect_policy()`](crate::redirect_policy) (or with
    /// redirects off). Should it follow a redirect to another origin anyway,
    /// the answer is rejected with [`Error::RedirectRefused`], but the key
    /// has already gone.
    ///
    /// ```
    /// let http = reqwest::Client::builder()
    ///     .redirect(didit::redirect_policy())
    ///     .build()
    ///     .expect("a reqwest client");
    /// let client = didit::Client::builder().api_key("my-key").http_client(http).build()?;
    /// # let _ = client;
    /// # Ok::<(), didit::Error>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`Error::InvalidConfig`] when the API key is missing or
    /// cannot be sent in a header, the base URL is not an acceptable
    /// `https://` (or loopback `http://`) URL, a time limit is zero or a
    /// rate window is zero or longer than a year.
    ///
    /// ```
    /// let error = didit::Client::builder().build().unwrap_err();
    /// assert!(matches!(error, didit::Error::InvalidConfig { setting: "api_key", .. }));
    /// ```
    pub fn build(self) -> Result<Client> {
        let api_key = self.api_key.ok_or_else(|| Error::InvalidConfig {
            setting: "api_key",
            reason: format!("no API key given; set it on the builder or in {API_KEY_ENV}"),
        })?;
        check_api_key(api_key.expose_secret())?;
        let base_url = parse_base_url(&self.base_url, self.allow_insecure_http)?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(redirect_policy())
                .build()
                .map_err(|error| Error::InvalidConfig {
                    setting: "http_client",
                    reason: format!("could not set up the HTTP client: {error}"),
                })?,
        };
        for (setting, limit) in [
            ("rate_limit", self.rate_limit),
            ("write_rate_limit", self.write_rate_limit),
        ] {
            if let Some((_, window)) = limit
                && (window.is_zero() || window > LONGEST_LIMIT)
            {
                return Err(Error::InvalidConfig {
                    setting,
                    reason: "the window must be longer than zero and at most a year".to_owned(),
                });
            }
        }
        let settings = RequestSettings {
            attempt_timeout: checked_time_limit("attempt_timeout", self.attempt_timeout)?,
            operation_timeout: checked_time_limit("operation_timeout", self.operation_timeout)?,
            retry: self.retry,
        };
        Ok(Client {
            settings,
            inner: Arc::new(ClientInner {
                http,
                base_url,
                api_key,
                limiter: self
                    .rate_limit
                    .map(|(max_requests, window)| Limiter::new(max_requests, window)),
                write_limiter: self
                    .write_rate_limit
                    .map(|(max_requests, window)| Limiter::new(max_requests, window)),
                page_concurrency: self.page_concurrency,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

/// A time limit as the client keeps it: zero is refused (no request could
/// ever finish), and limits longer than a year count as a year. The client
/// builder and every call's overrides check theirs here.
pub(crate) fn checked_time_limit(setting: &'static str, limit: Duration) -> Result<Duration> {
    if limit.is_zero() {
        return Err(Error::InvalidConfig {
            setting,
            reason: "the time limit must be longer than zero".to_owned(),
        });
    }
    Ok(limit.min(LONGEST_LIMIT))
}

/// Rejects keys that cannot travel in a header, without echoing them.
fn check_api_key(key: &str) -> Result<()> {
    let reason = if key.trim().is_empty() {
        "the API key is empty"
    } else if key.trim() != key {
        "the API key starts or ends with white space"
    } else if HeaderValue::from_str(key).is_err() {
        "the API key holds characters that cannot be sent in an HTTP header"
    } else {
        return Ok(());
    };
    Err(Error::InvalidConfig {
        setting: "api_key",
        reason: reason.to_owned(),
    })
}

fn parse_base_url(text: &str, allow_insecure_http: bool) -> Result<Url> {
    let invalid = |reason: String| Error::InvalidConfig {
        setting: "base_url",
        reason,
    };
    let mut url = Url::parse(text.trim())
        .map_err(|error| invalid(format!("`{text}` is not a URL: {error}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(invalid(format!(
                "`{text}` is plain http, which would send the API key unencrypted; \
                 use https, a loopback host, or allow_insecure_http(true)"
            )));
        }
        scheme => return Err(invalid(format!("`{text}`: unsupported scheme `{scheme}`"))),
    }
    if url.host().is_none() {
        return Err(invalid(format!("`{text}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: the credentials would end up in the message.
        return Err(invalid(
            "the URL must not hold credentials (user or password)".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "`{text}` must not have a query or fragment"
        )));
    }
    // Endpoint paths are joined onto the base, which only keeps its last
    // path segment when the path ends in a slash.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(address)) => address.is_loopback(),
        Some(Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(url: &str, insecure: bool) -> Result<Client> {
        Client::builder()
            .api_key("k-123")
            .base_url(url)
            .allow_insecure_http(insecure)
            .build()
    }

    #[test]
    fn plain_http_only_for_loopback_or_when_allowed() {
        for url in [
            "http://127.0.0.1:9",
            "http://127.1.2.3",
            "http://[::1]:80",
            "http://localhost",
        ] {
            assert!(build(url, false).is_ok(), "{url}");
        }
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let error = build(url, false).unwrap_err();
            assert!(error.to_string().contains("unencrypted"), "{url}: {error}");
            assert!(build(url, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn odd_base_urls_are_refused() {
        for url in [
            "ftp://example.com",
            "not a url",
            "https://user:pw@example.com",
            "https://example.com/?a=1",
            "https://example.com/#x",
        ] {
            assert!(
                matches!(
                    build(url, false),
                    Err(Error::InvalidConfig {
                        setting: "base_url",
                        ..
                    })
                ),
                "{url}"
            );
        }
    }

    #[test]
    fn base_url_path_gets_a_trailing_slash() {
        let client = build("https://example.com/prefix", false).unwrap();
        assert_eq!(client.base_url().as_str(), "https://example.com/prefix/");
    }

    #[test]
    fn bad_keys_are_refused_without_being_echoed() {
        for key in ["", "  ", " padded", "line\nbreak"] {
            let error = Client::builder().api_key(key).build().unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidConfig {
                        setting: "api_key",
                        ..
                    }
                ),
                "{error}"
            );
            if !key.trim().is_empty() {
                assert!(!error.to_string().contains(key.trim()), "{error}");
            }
        }
    }

    #[test]
    fn from_env_reads_key_and_optional_base_url() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        let client = ClientBuilder::from_lookup(vars(&[(API_KEY_ENV, "k")]))
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "https://verification.didit.me/");
        let client = ClientBuilder::from_lookup(vars(&[
            (API_KEY_ENV, "k"),
            (BASE_URL_ENV, "http://127.0.0.1:4000"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:4000/");
        let error = ClientBuilder::from_lookup(vars(&[])).build().unwrap_err();
        assert!(error.to_string().contains(API_KEY_ENV), "{error}");
    }

    #[test]
    fn zero_time_limits_are_refused_naming_the_setting() {
        for (builder, setting) in [
            (
                Client::builder().attempt_timeout(Duration::ZERO),
                "attempt_timeout",
            ),
            (
                Client::builder().operation_timeout(Duration::ZERO),
                "operation_timeout",
            ),
        ] {
            let error = builder.api_key("k").build().unwrap_err();
            assert!(
                matches!(error, Error::InvalidConfig { setting: s, .. } if s == setting),
                "{error}"
            );
        }
        let client = Client::builder()
            .api_key("k")
            .operation_timeout(Duration::MAX)
            .build()
            .unwrap();
        assert_eq!(client.settings.operation_timeout, LONGEST_LIMIT);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = "sk_live_very_secret_value";
        let builder = Client::builder().api_key(key);
        assert!(!format!("{builder:?}").contains(key));
        let client = builder.build().unwrap();
        let shown = format!("{client:?} {client:#?} {:?}", client.sessions().list());
        assert!(!shown.contains(key), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn client_is_cheap_to_clone_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Client>();
        let client = build("https://example.com", false).unwrap();
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.inner, &clone.inner));
    }
}
