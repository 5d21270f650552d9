//! `didit webhooks`: check Didit's signed deliveries, one recorded delivery
//! at a time (`verify`) or every delivery sent to a local port (`listen`).

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use clap::{Args, Subcommand};
use didit::webhook::axum::{VerifiedWebhook, WebhookRejection};
use didit::webhook::http::{HeaderMap, HeaderName, HeaderValue};
use didit::webhook::{Delivery, MemoryDeduplicator, Payload, Verifier};
use serde_json::json;

use crate::failure::{Exit, Failure, Stop};
use crate::report::Reporter;

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Verify one recorded delivery: print its event as JSON, or the reason
    /// it was refused.
    #[command(after_help = format!(
        "{VERIFY_EXAMPLES}\n\n{}",
        Exit::help_section(&[Exit::Local, Exit::Usage, Exit::Refused, Exit::Interrupted])
    ))]
    Verify(VerifyArgs),
    /// Receive deliveries on 127.0.0.1 until stopped: verify each, print
    /// the accepted ones (one JSON line each) and the reason for each
    /// refusal, and answer as a real receiver would (200, or 401 with the
    /// reason).
    #[command(after_help = format!(
        "{LISTEN_EXAMPLES}\n\n{}",
        Exit::help_section_until_stopped(&[Exit::Local, Exit::Usage, Exit::Interrupted])
    ))]
    Listen(ListenArgs),
}

const VERIFY_EXAMPLES: &str = "Examples:
  DIDIT_WEBHOOK_SECRET=... didit webhooks verify --secret-env DIDIT_WEBHOOK_SECRET \\
      --body-file body.json --header 'X-Signature-V2: 5f1c...' --header 'X-Timestamp: 1764590000' \\
      --now 1764590000
  didit webhooks verify --secret-file secret.txt --header 'X-Signature: 5f1c...' < body.json";

const LISTEN_EXAMPLES: &str = "Examples:
  didit webhooks listen --port 8787 --secret-env DIDIT_WEBHOOK_SECRET
  didit webhooks listen --port 8787 --secret-file secret.txt > deliveries.ndjson";

/// Where the secret comes from and what the verifier accepts.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// Environment variable holding the destination's webhook secret.
    /// Repeat it (or mix with --secret-file) to accept several secrets
    /// during a rotation.
    #[arg(long, value_name = "VAR", required_unless_present = "secret_file")]
    pub secret_env: Vec<String>,

    /// File holding the webhook secret (a final line break is ignored).
    #[arg(long, value_name = "FILE")]
    pub secret_file: Vec<PathBuf>,

    /// Seconds the event's timestamp may be from now, either way.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_age: u64,

    /// Also accept X-Signature-Simple alone; it authenticates only
    /// timestamp, session, status and type, so only those are printed.
    #[arg(long)]
    pub allow_simple_signature: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub verifier: VerifierArgs,

    /// The body exactly as received [default: standard input].
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,

    /// A header of the delivery, as `Name: value` (repeat the flag):
    /// X-Signature, X-Signature-V2, X-Signature-Simple, X-Timestamp.
    #[arg(long, value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub header: Vec<(HeaderName, HeaderValue)>,

    /// Check the timestamp against this time (seconds since the Unix
    /// epoch) instead of the clock: for a recorded delivery.
    #[arg(long, value_name = "EPOCH", allow_hyphen_values = true)]
    pub now: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    pub verifier: VerifierArgs,

    /// Port on 127.0.0.1 (0 picks a free one; the address is printed).
    #[arg(long, value_name = "N")]
    pub port: u16,
}

pub async fn run(command: &WebhooksCommand, reporter: &Reporter) -> Result<(), Stop> {
    match command {
        WebhooksCommand::Verify(args) => verify(args).await,
        WebhooksCommand::Listen(args) => listen(args, reporter).await,
    }
}

fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not written as `Name: value`"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("`{}` is not a header name", name.trim()))?;
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| format!("the value of {name} is not a valid header value"))?;
    Ok((name, value))
}

/// The verifier the flags describe.
fn verifier(args: &VerifierArgs, deduplicate: bool) -> Result<Verifier, Failure> {
    let usage = |message: String| Failure::new(Exit::Usage, message);
    let mut builder = Verifier::builder()
        .max_age(Duration::from_secs(args.max_age))
        .allow_simple_signature(args.allow_simple_signature);
    for variable in &args.secret_env {
        let secret = std::env::var(variable)
            .map_err(|_| usage(format!("the environment variable {variable} is not set")))?;
        builder = builder.secret(secret);
    }
    for path in &args.secret_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| usage(format!("could not read {}: {error}", path.display())))?;
        builder = builder.secret(text.trim_end_matches(['\n', '\r']).to_owned());
    }
    if deduplicate {
        builder = builder.deduplicator(MemoryDeduplicator::new());
    }
    builder
        .build()
        .map_err(|error| usage(format!("{error} (every secret given is empty)")))
}

/// One delivery as a JSON line: the header that proved it, whether it was
/// seen before, and the event exactly as received (or the four fields
/// `X-Signature-Simple` covers).
fn delivery_json(delivery: &Delivery) -> String {
    let content = match delivery.payload() {
        // Written out as received: through a `Value` big integers would
        // lose digits.
        Payload::Event(event) => format!(r#""event":{}"#, event.raw().get()),
        Payload::Summary(summary) => format!(
            r#""summary":{}"#,
            json!({
                "timestamp": summary.timestamp,
                "session_id": summary.session_id,
                "status": summary.status,
                "webhook_type": summary.webhook_type,
            })
        ),
        _ => String::new(),
    };
    let head = json!({
        "signature": delivery.signature().name(),
        "duplicate": delivery.is_duplicate(),
    })
    .to_string();
    match head.strip_suffix('}') {
        Some(open) if !content.is_empty() => format!("{open},{content}}}"),
        _ => head,
    }
}

fn refused(error: &didit::webhook::Error) -> Failure {
    Failure::new(
        Exit::Refused,
        format!("the delivery did not verify: {error}"),
    )
}

/// The delivery's body: the file's, or standard input's. Read on a thread
/// of its own, so that Ctrl-C stops a command still waiting on a terminal or
/// a pipe.
async fn read_body(file: Option<PathBuf>) -> Result<Vec<u8>, Failure> {
    let read = tokio::task::spawn_blocking(move || match &file {
        Some(path) => std::fs::read(path)
            .map_err(|error| format!("could not read {}: {error}", path.display())),
        None => {
            let mut body = Vec::new();
            io::stdin()
                .read_to_end(&mut body)
                .map(|_| body)
                .map_err(|error| format!("could not read standard input: {error}"))
        }
    });
    match read.await {
        Ok(body) => body.map_err(|message| Failure::new(Exit::Usage, message)),
        Err(error) => Err(Failure::new(
            Exit::Local,
            format!("reading the body failed: {error}"),
        )),
    }
}

async fn verify(args: &VerifyArgs) -> Result<(), Stop> {
    let verifier = verifier(&args.verifier, false)?;
    let body = read_body(args.body_file.clone()).await?;
    let mut headers = HeaderMap::new();
    for (name, value) in &args.header {
        headers.append(name.clone(), value.clone());
    }
    let delivery = match args.now {
        Some(now) => verifier.verify_at(&body, &headers, now),
        None => verifier.verify(&body, &headers),
    }
    .map_err(|error| refused(&error))?;
    writeln!(io::stdout(), "{}", delivery_json(&delivery))?;
    Ok(())
}

async fn listen(args: &ListenArgs, reporter: &Reporter) -> Result<(), Stop> {
    let verifier = verifier(&args.verifier, true)?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| {
            Failure::new(
                Exit::Local,
                format!("could not listen on {address}: {error}"),
            )
        })?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::new(Exit::Local, format!("no local address: {error}")))?;
    reporter.note(&format!(
        "listening on http://{address}/ for webhook deliveries (any path); Ctrl-C stops"
    ));
    let receiver = reporter.clone();
    let app = Router::new()
        .fallback(move |delivery: Result<VerifiedWebhook, WebhookRejection>| {
            let receiver = receiver.clone();
            async move { receive(delivery, &receiver) }
        })
        .with_state(verifier);
    // Runs until Ctrl-C or SIGTERM ends the command.
    axum::serve(listener, app)
        .await
        .map_err(|error| Failure::new(Exit::Local, format!("the receiver stopped: {error}")))?;
    Ok(())
}

/// Prints one delivery (or why it was refused) and answers it.
fn receive(
    delivery: Result<VerifiedWebhook, WebhookRejection>,
    reporter: &Reporter,
) -> Result<(StatusCode, &'static str), WebhookRejection> {
    match delivery {
        Ok(VerifiedWebhook(delivery)) => {
            let mut stdout = io::stdout().lock();
            if let Err(error) =
                writeln!(stdout, "{}", delivery_json(&delivery)).and_then(|()| stdout.flush())
            {
                reporter.note(&format!("could not print a delivery: {error}"));
            }
            Ok((
                StatusCode::OK,
                if delivery.is_duplicate() {
                    "duplicate"
                } else {
                    "ok"
                },
            ))
        }
        Err(rejection) => {
            reporter.note(&format!(
                "refused a delivery ({}): {}",
                rejection.status(),
                rejection.reason()
            ));
            Err(rejection)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use didit::webhook::Signer;

    #[test]
    fn events_are_printed_exactly_as_received() {
        let body = r#"{"score":1.50,"timestamp":7,"total":123456789012345678901234567890,"vendor_data":"Ca\u00f1a","webhook_type":"x"}"#;
        let signed = Signer::new("secret").sign_json(body).unwrap();
        let verifier = Verifier::builder().secret("secret").build().unwrap();
        // By V2: the body stays as it arrived, not as Didit would write it.
        let mut headers = HeaderMap::new();
        headers.insert("x-signature-v2", signed.headers["x-signature-v2"].clone());
        let delivery = verifier.verify_at(body.as_bytes(), &headers, 7).unwrap();
        assert_eq!(
            delivery_json(&delivery),
            format!(r#"{{"duplicate":false,"signature":"X-Signature-V2","event":{body}}}"#)
        );
    }

    #[test]
    fn headers_are_read_as_name_colon_value() {
        let (name, value) = parse_header("X-Signature:  abc ").unwrap();
        assert_eq!(
            (name.as_str(), value.to_str().unwrap()),
            ("x-signature", "abc")
        );
        assert!(parse_header("X-Signature abc").is_err());
        assert!(parse_header("Bad Name: abc").is_err());
    }
}
