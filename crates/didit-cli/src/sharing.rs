//! The commands that share a session with another application, redeem a
//! share token, and arm a sandbox scenario.
//!
//! Share tokens and session tokens are secrets: a token is printed only as
//! the output of `share`, and read by the others from standard input or an
//! environment variable, never from the command line, where other users of
//! the machine could read it in the list of processes.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use clap::Args;
use didit::{Client, SessionToken, ShareToken, Uuid};

use crate::failure::{Exit, Failure, Stop};
use crate::lifecycle::{Format, write_json};
use crate::report::Reporter;
use crate::summary::{decision_fields, write_fields};

/// Where `import-shared` reads the share token first.
pub const SHARE_TOKEN_ENV: &str = "DIDIT_SHARE_TOKEN";
/// Where `arm-sandbox` reads the session token first.
pub const SESSION_TOKEN_ENV: &str = "DIDIT_SESSION_TOKEN";

#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The session's id (session_id). It must be finished: Approved,
    /// Declined or In Review.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The application that will import the session (its id in the Didit
    /// console's application settings).
    #[arg(long, value_name = "UUID")]
    pub for_application: Uuid,

    /// How long the token stays valid, from 60s to 24h: a number of seconds,
    /// or a number followed by s, m or h (such as 90m or 2h). The API's
    /// default is an hour.
    #[arg(long, value_name = "DURATION", value_parser = parse_ttl)]
    pub ttl: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct ImportSharedArgs {
    /// A workflow of this application to put the copy in.
    #[arg(long, value_name = "UUID")]
    pub workflow: Uuid,

    /// Keep the status the shared session had, instead of putting the copy
    /// In Review.
    #[arg(long)]
    pub trust_review: bool,

    /// Your identifier for the copy's user or business, instead of the
    /// shared session's.
    #[arg(long, value_name = "TEXT")]
    pub vendor_data: Option<String>,

    /// Output format: json writes the copy's decision as received, personal
    /// data included.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ArmSandboxArgs {
    /// The sandbox session's id (session_id); it must still be Not Started.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The scenario whose outcome the session will reproduce, such as
    /// decline_aml_hit or decline_document_expired.
    #[arg(long, value_name = "NAME")]
    pub scenario: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// How `import-shared` reads its token, for its help.
pub const IMPORT_SHARED_TOKEN_HELP: &str = "The share token is read from DIDIT_SHARE_TOKEN when \
it is set, or else from the first line of standard input; never from the command line, where \
other users could read it in the list of processes. For example:
  didit sessions share SESSION_ID --for-application APP_ID > token
  didit sessions import-shared --workflow WORKFLOW_ID < token";

/// How `arm-sandbox` reads its token, for its help.
pub const ARM_SANDBOX_TOKEN_HELP: &str = "The call is made as the session's user: it sends the \
session's token (session_token of `sessions create --format json --show-token`) instead of the \
API key. The token is read from DIDIT_SESSION_TOKEN when it is set, or else from the first line \
of standard input; never from the command line, where other users could read it in the list of \
processes. The API key is still needed to run the command, but it is not sent.";

/// Runs `share`: prints the token alone, so that it can be piped to its
/// receiver.
pub async fn share(
    client: &Client,
    args: &ShareArgs,
    reporter: &Reporter,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    let mut request = client
        .sessions()
        .share(args.session_id, args.for_application);
    if let Some(ttl) = args.ttl {
        request = request.ttl(ttl);
    }
    let share = request.send().await.map_err(Failure::from)?;
    reporter.note(&format!(
        "share token of {} for application {}: keep it secret, it copies the session's \
         personal data",
        args.session_id, share.for_application_id
    ));
    writeln!(out, "{}", share.share_token.expose_secret())?;
    Ok(())
}

/// Runs `import-shared`.
pub async fn import_shared(
    client: &Client,
    args: &ImportSharedArgs,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    let token = ShareToken::from(read_token(SHARE_TOKEN_ENV, "share token")?);
    let mut request = client
        .sessions()
        .import_shared(token, args.workflow)
        .trust_review(args.trust_review);
    if let Some(vendor_data) = &args.vendor_data {
        request = request.vendor_data(vendor_data);
    }
    let copy = request.send().await.map_err(Failure::from)?;
    match args.format {
        Format::Table => write_fields(out, &decision_fields(&copy)?)?,
        Format::Json => write_json(out, serde_json::to_vec_pretty(&*copy))?,
    }
    Ok(())
}

/// Runs `arm-sandbox`.
pub async fn arm_sandbox(
    client: &Client,
    args: &ArmSandboxArgs,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    let token = SessionToken::from(read_token(SESSION_TOKEN_ENV, "session token")?);
    let armed = client
        .sessions()
        .arm_sandbox_scenario(args.session_id, &token, args.scenario.as_str())
        .send()
        .await
        .map_err(Failure::from)?;
    match args.format {
        Format::Table => writeln!(
            out,
            "{}: scenario {} armed; the session is {}",
            armed.session_id, armed.scenario, armed.status
        )?,
        Format::Json => write_json(out, serde_json::to_vec_pretty(&*armed))?,
    }
    Ok(())
}

/// The token `what`: the variable `variable` when set, or else the first
/// line of standard input. Never echoed in an error.
fn read_token(variable: &str, what: &str) -> Result<String, Failure> {
    let from_environment = std::env::var(variable).unwrap_or_default();
    let token = if from_environment.trim().is_empty() {
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line).map_err(|error| {
            Failure::new(
                Exit::Usage,
                format!(
                    "the {what} could not be read from standard input: {}",
                    error.kind()
                ),
            )
        })?;
        line
    } else {
        from_environment
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(
            Failure::new(Exit::Usage, format!("no {what} given")).with_hint(format!(
                "set {variable}, or write the token on standard input"
            )),
        );
    }
    Ok(token.to_owned())
}

/// A lifetime: seconds, or a number followed by `s`, `m` or `h`. Its bounds
/// are checked by the SDK, which knows the API's.
fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let seconds_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        _ => return Err("expected seconds, or a number followed by s, m or h".to_owned()),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| "expected a whole number, such as 90m or 2h".to_owned())?;
    number
        .checked_mul(seconds_per_unit)
        .map(Duration::from_secs)
        .ok_or_else(|| "too long".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_with_their_unit() {
        assert_eq!(parse_ttl("2h"), Ok(Duration::from_secs(7_200)));
        assert_eq!(parse_ttl("90m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_ttl("600s"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_ttl("600"), Ok(Duration::from_secs(600)));
        for refused in ["", "h", "2d", "-5m", "1.5h", "99999999999999999999h"] {
            assert!(parse_ttl(refused).is_err(), "{refused}");
        }
    }
}
