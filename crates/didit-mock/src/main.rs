//! `didit-mock`: serves a fake Didit API over HTTP until interrupted.
//!
//! The first line of standard output is the base URL it serves on; the rest
//! goes to standard error.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use didit_mock::{
    CONTROL_SESSIONS_PATH, DEFAULT_API_KEY, DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW,
    DEFAULT_WRITE_RATE_LIMIT, DiditMock, SESSIONS_PATH,
};

/// A fake Didit verification API with realistic sessions, for demos and
/// black-box tests.
///
/// It serves the whole session lifecycle, keeping what requests change:
/// list (GET /v3/sessions/), create (POST /v3/session/), decision
/// (GET /v3/session/{id}/decision/), update status
/// (PATCH /v3/session/{id}/update-status/), delete
/// (DELETE /v3/session/{id}/delete/), bulk delete
/// (POST /v3/sessions/delete/), the PDF report
/// (GET /v3/session/{id}/generate-pdf/) and the review log (GET and POST
/// /v3/sessions/{id}/reviews/). Move a session on, as its user
/// would, without a key: POST /_mock/sessions/{id}/finish with
/// {"status": "Approved"}, or as its sandbox scenario says:
/// POST /_mock/sessions/{id}/complete. A second application, key
/// mock-partner-key, id a5f3bca2-46e2-411e-90ef-a580900a57ee, redeems the
/// sessions shared with it. GET /_mock/stats counts answers by status.
#[derive(Debug, Parser)]
#[command(name = "didit-mock", version, about, long_about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How many synthetic sessions to serve (about one in eight is KYB).
    #[arg(long, default_value_t = 100)]
    sessions: usize,
    /// Seed of the synthetic sessions; the same seed gives the same sessions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// API key that requests must send in `x-api-key`.
    #[arg(long, default_value = DEFAULT_API_KEY)]
    api_key: String,
    /// Delay added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Reads (GET requests) allowed per sliding window; 0 turns the limit
    /// off.
    #[arg(long, default_value_t = DEFAULT_RATE_LIMIT)]
    rate_limit: u32,
    /// Writes (POST, PATCH, DELETE requests) allowed per sliding window,
    /// counted apart from reads; 0 turns the limit off.
    #[arg(long, default_value_t = DEFAULT_WRITE_RATE_LIMIT)]
    write_rate_limit: u32,
    /// Length of the rate-limit window, in seconds.
    #[arg(long, default_value_t = DEFAULT_RATE_WINDOW.as_secs())]
    rate_window_secs: u64,
    /// Largest page size served; larger `limit`s are lowered to it.
    #[arg(long)]
    max_limit: Option<u64>,
    /// Where to POST a signed webhook delivery whenever a session's status
    /// changes (created, finished through the control endpoint, updated).
    #[arg(long, requires = "webhook_secret", value_name = "URL")]
    webhook_url: Option<url::Url>,
    /// The secret the deliveries are signed with (as a Didit destination's
    /// secret).
    #[arg(long, requires = "webhook_url", value_name = "SECRET")]
    webhook_secret: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let address = SocketAddr::new(args.host, args.port);
    let listener =
        TcpListener::bind(address).with_context(|| format!("cannot listen on {address}"))?;

    let mut builder = DiditMock::builder()
        .listener(listener)
        .api_key(args.api_key.clone())
        .synthetic(args.sessions, args.seed)
        .latency(Duration::from_millis(args.latency_ms))
        .rate_limit(args.rate_limit)
        .write_rate_limit(args.write_rate_limit)
        .rate_window(Duration::from_secs(args.rate_window_secs))
        // A long-running server must not grow a request log without bound.
        .record_requests(false);
    if let Some(max) = args.max_limit {
        builder = builder.max_limit(max);
    }
    if let (Some(url), Some(secret)) = (args.webhook_url.clone(), args.webhook_secret.clone()) {
        let sender = didit_mock::webhooks::WebhookSender::new(url, secret)
            .context("cannot send webhooks there")?;
        builder = builder.webhooks(sender);
    }
    let mock = builder.start().await;
    // Listen for signals before announcing the address: a caller may send
    // SIGTERM as soon as it has read it.
    let shutdown = shutdown_signal()?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", mock.uri())?;
    stdout.flush()?;
    drop(stdout);
    eprintln!(
        "didit-mock: {} sessions ({} KYC, {} KYB), seed {}; try:\n  curl -H 'x-api-key: {}' '{}{SESSIONS_PATH}?limit=2'\nmove a session on with:\n  curl -d '{{\"status\": \"Approved\"}}' '{}{CONTROL_SESSIONS_PATH}SESSION_ID/finish'",
        mock.store().len(),
        mock.store().kyc().len(),
        mock.store().kyb().len(),
        args.seed,
        args.api_key,
        mock.uri(),
        mock.uri(),
    );

    shutdown.await?;
    eprintln!("didit-mock: shutting down");
    Ok(())
}

/// Registers for SIGINT (Ctrl-C) and SIGTERM now; the future resolves on
/// the first of them.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = anyhow::Result<()>>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = anyhow::Result<()>>> {
    Ok(async {
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")
    })
}
