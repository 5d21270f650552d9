//! Why a command failed: the one line it prints and its exit code.
//!
//! Sessions hold personal data, and so may anything a server sends back: a
//! malformed row holds a name. A message names the status, the JSON path or
//! the flag at fault and, for an error answer, the messages the API wrote
//! about the request (as `didit::Error` shows them: bounded, escaped); never
//! a value of an answer.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli;

/// The exit status of each kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A failure on this machine: the output could not be written (other
    /// than to a closed pipe), the runtime could not start, or the SDK
    /// reported an internal error.
    Local = 1,
    /// A usage mistake or an invalid value, found before anything was sent.
    Usage = 2,
    /// No API key, an unusable one, or the API refused the request (401 or
    /// 403: the key is missing, wrong or revoked, or lacks the permission).
    Authentication = 3,
    /// Any other error answer of the API, rate limiting included.
    Api = 4,
    /// The API could not be reached, or did not answer in time.
    Network = 5,
    /// An answer the command could not use: an unreadable body, or a link or
    /// redirect it refused to follow.
    UnexpectedResponse = 6,
    /// The API knows no such session (404).
    NotFound = 7,
    /// A webhook delivery that did not verify.
    Refused = 8,
    /// The session is not finished: it has no report yet, or reached no
    /// final status before `sessions wait` gave up.
    NotFinished = 9,
    /// Stopped by Ctrl-C or SIGTERM (128 + the number of SIGINT, as shells
    /// report it).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

impl Exit {
    /// Every exit status of a failure.
    pub const ALL: [Exit; 10] = [
        Exit::Local,
        Exit::Usage,
        Exit::Authentication,
        Exit::Api,
        Exit::Network,
        Exit::UnexpectedResponse,
        Exit::NotFound,
        Exit::Refused,
        Exit::NotFinished,
        Exit::Interrupted,
    ];

    /// What the status tells the person who ran the command.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Local => {
                "a failure on this machine, such as output that could not be written, or an internal error of the SDK"
            }
            Exit::Usage => "a usage mistake or an invalid value; nothing was sent",
            Exit::Authentication => "no API key, an unusable one, or the server refused it",
            Exit::Api => "any other error answer of the API, rate limiting included",
            Exit::Network => "the API could not be reached, or did not answer in time",
            Exit::UnexpectedResponse => {
                "an answer that could not be used: an unreadable body, or a link or redirect \
                 that was refused"
            }
            Exit::NotFound => "the API knows no such session (404): unknown, or deleted already",
            Exit::Refused => "the webhook delivery did not verify",
            Exit::NotFinished => {
                "not finished: the session has no report yet, or no final status before \
                 --timeout (or the import job is not over by then)"
            }
            Exit::Interrupted => "interrupted by Ctrl-C or SIGTERM",
        }
    }

    /// The "Exit status" section of the help of a command that ends by
    /// itself: 0, then each of `failures`. Help texts state their codes from
    /// this one list, so that they cannot drift from what commands return.
    pub fn help_section(failures: &[Exit]) -> String {
        Self::section(true, failures)
    }

    /// The "Exit status" section of the help of a command that runs until
    /// it is stopped, so never ends with 0.
    pub fn help_section_until_stopped(failures: &[Exit]) -> String {
        Self::section(false, failures)
    }

    fn section(ends_by_itself: bool, failures: &[Exit]) -> String {
        let line = |code: u8, meaning: &str| format!("  {code:>3}  {meaning}");
        let mut failures = failures.to_vec();
        failures.sort_by_key(|exit| *exit as u8);
        let mut lines = vec!["Exit status:".to_owned()];
        if ends_by_itself {
            lines.push(line(0, "success"));
        }
        lines.extend(
            failures
                .iter()
                .map(|exit| line(*exit as u8, exit.meaning())),
        );
        lines.join("\n")
    }
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    message: String,
    hint: Option<String>,
    /// Set when a listing stopped part-way.
    interruption: Option<Interruption>,
}

/// What a listing that stopped part-way left behind, and where to resume.
#[derive(Debug)]
struct Interruption {
    /// The offset of the first session not received.
    resume_offset: u64,
    /// Sessions written before the failure.
    rows_written: u64,
    /// Where the rows went.
    kept: Kept,
}

#[derive(Debug)]
enum Kept {
    /// On standard output.
    Stdout,
    /// In the `--output` file, which the resumed export appends to.
    File(PathBuf),
    /// Nowhere: the `--output` file was left as it was.
    Discarded(PathBuf),
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
            interruption: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The failure of a listing, after `rows_written` rows went to standard
    /// output.
    pub fn from_listing(error: didit::Error, rows_written: u64) -> Self {
        let resume_offset = error.resume_offset();
        let cause = match error {
            didit::Error::Interrupted { source, .. } => *source,
            other => other,
        };
        let mut failure = Self::from(cause);
        failure.interruption = resume_offset.map(|resume_offset| Interruption {
            resume_offset,
            rows_written,
            kept: Kept::Stdout,
        });
        failure
    }

    /// Whether the listing stopped part-way (and can be resumed).
    pub fn is_interruption(&self) -> bool {
        self.interruption.is_some()
    }

    /// Says that the rows written so far are in `file`, where a resumed
    /// export appends its own.
    pub fn kept_in(mut self, file: &Path) -> Self {
        if let Some(interruption) = &mut self.interruption {
            interruption.kept = Kept::File(file.to_path_buf());
        }
        self
    }

    /// Says that the rows received were not written: `file` is as it was.
    pub fn discarded(mut self, file: &Path) -> Self {
        if let Some(interruption) = &mut self.interruption {
            interruption.kept = Kept::Discarded(file.to_path_buf());
        }
        self
    }
}

/// Why a command stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// The reader of standard output went away (`didit ... | head`): there
    /// is nothing more to do, and nothing went wrong.
    OutputClosed,
    Failed(Failure),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Self {
        Stop::Failed(failure)
    }
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            return Stop::OutputClosed;
        }
        Stop::Failed(Failure::new(
            Exit::Local,
            format!("could not write the output: {error}"),
        ))
    }
}

/// Where a refused key is set, for every message about the key.
pub const KEY_HINT: &str = "set DIDIT_API_KEY or pass --api-key-file (or --api-key); or try --mock";

/// What the API answers (403) when the key is missing, wrong or revoked, or
/// lacks the permission: the `detail` of its published examples.
const KEY_REFUSALS: [&str; 2] = [
    "Authentication credentials were not provided or are invalid.",
    "You do not have permission to perform this action.",
];

/// Whether a refusal is about the key, by what the API said: a 403 for
/// another reason says so in other words.
fn refuses_the_key(body: &didit::ResponseBody) -> bool {
    body.detail()
        .is_some_and(|detail| KEY_REFUSALS.contains(&detail.trim()))
}

impl From<didit::Error> for Failure {
    fn from(error: didit::Error) -> Self {
        use didit::Error;
        if let Error::Interrupted { rows_received, .. } = &error {
            let rows_received = *rows_received;
            return Failure::from_listing(error, rows_received);
        }
        let exit = match &error {
            Error::InvalidConfig {
                setting: "api_key", ..
            }
            | Error::Authentication { .. }
            | Error::Forbidden { .. } => Exit::Authentication,
            Error::InvalidInput { .. } | Error::InvalidConfig { .. } | Error::ImportFile { .. } => {
                Exit::Usage
            }
            Error::Timeout { .. } | Error::Transport { .. } => Exit::Network,
            Error::Decode { .. }
            | Error::RedirectRefused { .. }
            | Error::NextLinkRefused { .. }
            | Error::PaginationStalled { .. } => Exit::UnexpectedResponse,
            Error::NotFound { .. } => Exit::NotFound,
            Error::ReportNotReady { .. } => Exit::NotFinished,
            Error::Internal { .. } => Exit::Local,
            _ => Exit::Api,
        };
        let key_refused = format!("check the API key and its permissions: {KEY_HINT}");
        let hint = match &error {
            Error::InvalidConfig {
                setting: "api_key", ..
            }
            | Error::Authentication { .. } => Some(KEY_HINT),
            Error::Forbidden { body, .. } if refuses_the_key(body) => Some(key_refused.as_str()),
            Error::InvalidConfig {
                setting: "base_url",
                ..
            } => Some("check --base-url or DIDIT_BASE_URL"),
            Error::Timeout { .. } => Some("a longer --timeout may help"),
            Error::Transport { .. } => Some("check the network and --base-url"),
            Error::RateLimited { .. } => Some("wait a minute and try again"),
            Error::ReportNotReady { .. } => {
                Some("`didit sessions wait` waits for the session to finish")
            }
            _ => None,
        };
        let mut message = describe(&error);
        if let Some(id) = error.request_id() {
            message.push_str(&format!(" (request id {id})"));
        }
        Failure {
            exit,
            message,
            hint: hint.map(str::to_owned),
            interruption: None,
        }
    }
}

/// The error in words that hold nothing the server wrote but its status,
/// the JSON path of a field, the API's messages about the request, or the
/// name of a parameter this command knows. Errors that carry no answer's
/// data are told in their own words.
fn describe(error: &didit::Error) -> String {
    use didit::Error;
    match error {
        Error::Api { body, .. } => {
            let known = cli::list_parameters();
            let flags: Vec<String> = body
                .fields()
                .filter(|name| known.contains(name.as_str()))
                .map(|name| format!("--{}", cli::flag_of_parameter(&name)))
                .collect();
            if flags.is_empty() {
                error.to_string()
            } else {
                format!("{error}; it rejected the value of {}", flags.join(", "))
            }
        }
        Error::Decode { status, path, .. } => format!(
            "could not read the answer ({status}): unexpected content at `{path}` \
             (the value is not shown, as it may hold personal data)"
        ),
        Error::RedirectRefused {
            status,
            location,
            reason,
            ..
        } => format!(
            "refused to follow a redirect ({status}) to {}: {reason}",
            origin_of(location.as_ref().map(didit::Link::as_str))
        ),
        Error::NextLinkRefused { next, reason, .. } => format!(
            "refused to follow the next-page link to {}: {reason}",
            origin_of(Some(next.as_str()))
        ),
        Error::PaginationStalled { reason, .. } => format!("paging stopped: {reason}"),
        other => with_causes(other),
    }
}

/// Scheme, host and port of a URL a server sent, without its path and
/// query (which may carry anything).
fn origin_of(url: Option<&str>) -> String {
    let origin = url
        .and_then(|url| didit::reqwest::Url::parse(url).ok())
        .map(|url| url.origin())
        .filter(|origin| origin.is_tuple());
    match origin {
        Some(origin) => origin.ascii_serialization(),
        None => "a location that is not an absolute URL".to_owned(),
    }
}

/// The error's message followed by those of its causes that it does not
/// already include ("error sending request" alone does not say that the
/// connection was refused).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let text = error.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        cause = error.source();
    }
    message
}

/// The text on one line.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", one_line(&self.message))?;
        let mut hints: Vec<String> = Vec::new();
        if let Some(Interruption {
            resume_offset,
            rows_written,
            kept,
        }) = &self.interruption
        {
            match kept {
                Kept::Stdout => write!(f, " (after {rows_written} sessions were written)")?,
                Kept::File(file) => write!(
                    f,
                    " (after {rows_written} sessions were written to {})",
                    file.display()
                )?,
                Kept::Discarded(file) => write!(
                    f,
                    " (after {rows_written} sessions were received; {} was left as it was)",
                    file.display()
                )?,
            }
            hints.extend(self.hint.clone());
            hints.push(match kept {
                Kept::Stdout => format!("resume with --offset {resume_offset}"),
                Kept::File(_) => format!("resume with --offset {resume_offset} --append"),
                Kept::Discarded(_) => "an ndjson or csv export keeps the rows received, \
                                       and can be resumed"
                    .to_owned(),
            });
        } else {
            hints.extend(self.hint.clone());
        }
        for hint in hints {
            write!(f, "; {}", one_line(&hint))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use didit::{Client, RetryPolicy};
    use futures::TryStreamExt;
    use serde_json::json;
    use wiremock::matchers::{query_param, query_param_is_missing};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Stands for a name, an e-mail address or a document number.
    const PERSONAL: &str = "Jane Q. Marker";

    fn client(server: &MockServer) -> Client {
        Client::builder()
            .api_key("a-test-key-0123")
            .base_url(server.uri())
            .retry_policy(RetryPolicy::none())
            .no_rate_limit()
            .build()
            .unwrap()
    }

    /// The failure of listing the sessions of a server that answers the
    /// first page with `first` and any later one with `later`.
    async fn failure_for(first: ResponseTemplate, later: ResponseTemplate) -> Failure {
        let server = MockServer::start().await;
        Mock::given(query_param_is_missing("offset"))
            .respond_with(first)
            .mount(&server)
            .await;
        Mock::given(query_param("offset", "2"))
            .respond_with(later)
            .mount(&server)
            .await;
        let pages = client(&server).sessions().list().limit(2).pages();
        let error = pages
            .try_collect::<Vec<_>>()
            .await
            .expect_err("the listing fails");
        Failure::from(error)
    }

    async fn failure_of_first_page(answer: ResponseTemplate) -> String {
        failure_for(answer, ResponseTemplate::new(500))
            .await
            .to_string()
    }

    /// A first page of two rows whose `next` link is `next`.
    fn page_linking_to(next: String) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "count": 4, "next": next, "previous": null,
            "results": [{"session_number": 4}, {"session_number": 3}],
        }))
    }

    #[tokio::test]
    async fn an_error_body_is_told_by_its_messages_and_the_flags_it_names() {
        let body = json!({
            "date_from": ["Enter a valid date."],
            PERSONAL: ["x"],
        });
        let text = failure_of_first_page(ResponseTemplate::new(400).set_body_json(body)).await;
        assert_eq!(
            text,
            "error: the API answered 400 Bad Request: date_from: Enter a valid date.; \
             … (1 more message); it rejected the value of --date-from"
        );
        let text =
            failure_of_first_page(ResponseTemplate::new(500).set_body_string(PERSONAL)).await;
        assert_eq!(text, "error: the API answered 500 Internal Server Error");
    }

    #[tokio::test]
    async fn a_refusal_hints_at_the_key_only_when_the_api_says_it_is_about_the_key() {
        let refusal =
            |detail: &str| ResponseTemplate::new(403).set_body_json(json!({ "detail": detail }));
        for detail in KEY_REFUSALS {
            let failure = failure_for(refusal(detail), ResponseTemplate::new(500)).await;
            assert_eq!(failure.exit, Exit::Authentication);
            assert_eq!(
                failure.to_string(),
                format!(
                    "error: the API refused the request (403 Forbidden): {detail}; \
                     check the API key and its permissions: {KEY_HINT}"
                )
            );
        }
        let other = "Imports are not enabled for this organisation.";
        let failure = failure_for(refusal(other), ResponseTemplate::new(500)).await;
        assert_eq!(failure.exit, Exit::Authentication);
        assert_eq!(
            failure.to_string(),
            format!("error: the API refused the request (403 Forbidden): {other}")
        );
    }

    #[test]
    fn the_fake_refuses_a_key_as_the_api_does() {
        assert!(KEY_REFUSALS.contains(&didit_mock::FORBIDDEN_DETAIL));
    }

    #[tokio::test]
    async fn a_malformed_answer_is_told_by_status_and_path() {
        let body = json!({
            "count": 1, "next": null, "previous": null,
            "results": [{"full_name": PERSONAL, "session_number": PERSONAL}],
        });
        let text = failure_of_first_page(ResponseTemplate::new(200).set_body_json(body)).await;
        assert!(!text.contains("Marker"), "{text}");
        assert!(text.contains("200 OK"), "{text}");
        assert!(text.contains("session_number"), "{text}");
    }

    #[tokio::test]
    async fn bodies_in_no_error_shape_and_links_are_left_out() {
        let refused = ResponseTemplate::new(403)
            .set_body_json(json!({"detail": "Refused.", "user": {"name": PERSONAL, "id": 7}}));
        let limited = ResponseTemplate::new(429)
            .insert_header("retry-after", "7")
            .set_body_json(json!({"detail": PERSONAL, "wait": 7}));
        let redirect = ResponseTemplate::new(302)
            .insert_header("location", "https://elsewhere.test/Jane%20Q.%20Marker");
        let texts = [
            failure_of_first_page(refused).await,
            failure_of_first_page(limited).await,
            failure_of_first_page(redirect).await,
            failure_of_first_page(page_linking_to(
                "https://elsewhere.test:8443/v3/sessions/?offset=2&search=Jane%20Q.%20Marker"
                    .to_owned(),
            ))
            .await,
        ];
        for text in &texts {
            assert!(!text.contains("Marker"), "{text}");
        }
        assert!(texts[0].contains("403 Forbidden"), "{}", texts[0]);
        assert!(texts[1].contains("wait 7s"), "{}", texts[1]);
        assert!(texts[2].contains("https://elsewhere.test"), "{}", texts[2]);
        assert!(
            texts[3].contains("https://elsewhere.test:8443"),
            "{}",
            texts[3]
        );
    }

    #[tokio::test]
    async fn an_interrupted_listing_says_where_its_rows_are_and_how_to_resume() {
        let server = MockServer::start().await;
        let next = format!("{}/v3/sessions/?limit=2&offset=2", server.uri());
        Mock::given(query_param_is_missing("offset"))
            .respond_with(page_linking_to(next))
            .mount(&server)
            .await;
        Mock::given(query_param("offset", "2"))
            .respond_with(ResponseTemplate::new(502).set_body_string(PERSONAL))
            .mount(&server)
            .await;
        let interrupted = || async {
            let pages = client(&server).sessions().list().limit(2).pages();
            Failure::from(pages.try_collect::<Vec<_>>().await.unwrap_err())
        };
        assert_eq!(
            interrupted().await.to_string(),
            "error: the API answered 502 Bad Gateway (after 2 sessions were written); \
             resume with --offset 2"
        );
        let file = Path::new("out.ndjson");
        assert_eq!(
            interrupted().await.kept_in(file).to_string(),
            "error: the API answered 502 Bad Gateway (after 2 sessions were written to \
             out.ndjson); resume with --offset 2 --append"
        );
        let text = interrupted().await.discarded(file).to_string();
        assert!(text.contains("out.ndjson was left as it was"), "{text}");
        assert!(!text.contains("--offset"), "{text}");
    }
}
