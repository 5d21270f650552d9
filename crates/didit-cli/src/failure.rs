//! Why a command failed: the one line it prints and its exit code.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// The exit status of each kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A failure on this machine: the output could not be written (other
    /// than to a closed pipe), or the runtime could not start.
    Local = 1,
    /// A usage mistake or an invalid value, found before anything was sent.
    Usage = 2,
    /// No API key, an unusable one, or the server refused it.
    Authentication = 3,
    /// Any other error answer of the API, rate limiting included.
    Api = 4,
    /// The API could not be reached, or did not answer in time.
    Network = 5,
    /// An answer the command could not use: an unreadable body, or a link or
    /// redirect it refused to follow.
    UnexpectedResponse = 6,
    /// A webhook delivery that did not verify.
    Refused = 7,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    message: String,
    hint: Option<String>,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The failure of a listing, after `rows_written` rows went to the
    /// output.
    pub fn from_listing(error: didit::Error, rows_written: u64) -> Self {
        let resume_offset = error.resume_offset();
        let cause = match error {
            didit::Error::Interrupted { source, .. } => *source,
            other => other,
        };
        let failure = Self::from(cause);
        match resume_offset {
            Some(offset) => Failure {
                message: format!(
                    "{} (after {rows_written} sessions were written)",
                    failure.message
                ),
                hint: Some(match failure.hint {
                    Some(hint) => format!("{hint}; resume with --offset {offset}"),
                    None => format!("resume with --offset {offset}"),
                }),
                ..failure
            },
            None => failure,
        }
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
pub const KEY_HINT: &str = "set DIDIT_API_KEY or pass --api-key (or try --mock)";

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
            | Error::Authentication { .. } => Exit::Authentication,
            Error::InvalidInput { .. } | Error::InvalidConfig { .. } => Exit::Usage,
            Error::Timeout { .. } | Error::Transport { .. } => Exit::Network,
            Error::Decode { .. }
            | Error::RedirectRefused { .. }
            | Error::NextLinkRefused { .. }
            | Error::PaginationStalled { .. } => Exit::UnexpectedResponse,
            _ => Exit::Api,
        };
        let hint = match &error {
            Error::InvalidConfig {
                setting: "api_key", ..
            }
            | Error::Authentication { .. } => Some(KEY_HINT),
            Error::InvalidConfig {
                setting: "base_url",
                ..
            } => Some("check --base-url or DIDIT_BASE_URL"),
            Error::Timeout { .. } => Some("a longer --timeout may help"),
            Error::Transport { .. } => Some("check the network and --base-url"),
            Error::RateLimited { .. } => Some("wait a minute and try again"),
            _ => None,
        };
        Failure {
            exit,
            message: with_causes(&error),
            hint: hint.map(str::to_owned),
        }
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

/// The text on one line: a server's error body may hold line breaks.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "; {}", one_line(hint))?;
        }
        Ok(())
    }
}
