//! `didit`: work with Didit identity-verification sessions from a terminal
//! and check Didit's webhook deliveries. Built on the `didit` SDK; see
//! `didit --help`.

mod cli;
mod corrections;
mod destination;
mod failure;
mod fields;
mod filters;
mod imports;
mod key;
mod lifecycle;
mod list;
mod output;
mod progress;
mod report;
mod reviews;
mod sharing;
mod summary;
mod table;
mod webhooks;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use didit::Client;
use didit_mock::DiditMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{self, FmtSpan};

use crate::cli::{ApiArgs, Cli, Command, SessionsCommand};
use crate::failure::{Exit, Failure, KEY_HINT, Stop};
use crate::report::Reporter;

/// Sessions served by `--mock`: enough for several pages.
const MOCK_SESSIONS: usize = 200;

/// Seed of the `--mock` sessions, so that every run shows the same ones.
const MOCK_SEED: u64 = 1;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to standard output, mistakes to standard
            // error; a closed pipe leaves nothing to report.
            let _ = error.print();
            return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
        }
    };
    let verbose = cli.api.verbose > 0;
    // `--mock` needs no key, and `webhooks` no API at all: standard input
    // is left alone then.
    let api_key = match &cli.command {
        Command::Sessions { .. } | Command::Imports { .. } if !cli.api.mock => {
            key::api_key(&cli.api, io::stdin().lock())
        }
        _ => Ok(None),
    };
    let api_key = match api_key {
        Ok(api_key) => api_key,
        Err(failure) => {
            Reporter::new(verbose, None).error(&failure);
            return failure.exit.into();
        }
    };
    let reporter = Reporter::new(verbose, api_key.as_deref());
    if verbose {
        init_tracing(cli.api.verbose, &reporter);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            reporter.error(&Failure::new(
                Exit::Local,
                format!("could not start the network runtime: {error}"),
            ));
            return Exit::Local.into();
        }
    };
    let outcome = runtime.block_on(run_until_interrupted(&cli, api_key.as_deref(), &reporter));
    // An interrupted command may leave a blocking read of standard input
    // behind; it must not hold the exit up.
    runtime.shutdown_background();
    match outcome {
        Ok(()) | Err(Stop::OutputClosed) => ExitCode::SUCCESS,
        Err(Stop::Failed(failure)) => {
            reporter.error(&failure);
            failure.exit.into()
        }
    }
}

/// Runs the command until it ends or is interrupted (Ctrl-C, or SIGTERM on
/// Unix). Interrupted, its work is dropped as it stands: a temporary
/// `--output` file is removed and the file it was to replace left as it was.
async fn run_until_interrupted(
    cli: &Cli,
    api_key: Option<&str>,
    reporter: &Reporter,
) -> Result<(), Stop> {
    // Listening starts before the command does, so that no signal finds a
    // temporary file and no handler.
    let signals = Signals::listen();
    tokio::select! {
        biased;
        signal = signals.wait() => Err(Failure::new(
            Exit::Interrupted,
            format!("interrupted by {signal}"),
        )
        .into()),
        outcome = run(cli, api_key, reporter) => outcome,
    }
}

/// The signals that interrupt the command.
struct Signals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)));
            Self {
                signals: signals.ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Waits for a signal and names it; never returns when no handler
    /// could be set up (the signal then ends the process as usual).
    async fn wait(self) -> &'static str {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.signals {
            return tokio::select! {
                _ = interrupt.recv() => "Ctrl-C (SIGINT)",
                _ = terminate.recv() => "SIGTERM",
            };
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            return "Ctrl-C";
        }
        std::future::pending().await
    }
}

async fn run(cli: &Cli, api_key: Option<&str>, reporter: &Reporter) -> Result<(), Stop> {
    match &cli.command {
        Command::Sessions { command } => {
            lifecycle::check(command)?;
            // `sessions wait` takes --timeout as the length of the whole wait.
            let request_timeout = match command {
                SessionsCommand::Wait(_) => None,
                _ => cli.api.timeout,
            };
            // The embedded server, when there is one, lives until the command ends.
            let (client, _mock) = connect(&cli.api, request_timeout, api_key, reporter).await?;
            lifecycle::run(&client, command, cli.api.timeout, reporter).await
        }
        Command::Imports { command } => {
            // `imports wait` takes --timeout as the length of the whole wait.
            let request_timeout = match command {
                imports::ImportsCommand::Wait(_) => None,
                _ => cli.api.timeout,
            };
            let (client, _mock) = connect(&cli.api, request_timeout, api_key, reporter).await?;
            imports::run(&client, command, cli.api.timeout, reporter).await
        }
        Command::Webhooks { command } => webhooks::run(command, reporter).await,
    }
}

/// The client the flags describe: for the real API (or `--base-url`), or
/// for a fake server started here with `--mock`; `request_timeout` limits
/// each request.
async fn connect(
    api: &ApiArgs,
    request_timeout: Option<std::time::Duration>,
    api_key: Option<&str>,
    reporter: &Reporter,
) -> Result<(Client, Option<DiditMock>), Failure> {
    let mut builder = Client::builder();
    let mock = if api.mock {
        let mock = DiditMock::builder()
            .synthetic(MOCK_SESSIONS, MOCK_SEED)
            .record_requests(false)
            .start()
            .await;
        reporter.note(&format!(
            "--mock: using a built-in fake Didit server at {} with {MOCK_SESSIONS} synthetic \
             sessions, not the real API",
            mock.uri()
        ));
        builder = builder.api_key(mock.api_key()).base_url(mock.uri());
        Some(mock)
    } else {
        let Some(key) = api_key else {
            return Err(Failure::new(Exit::Authentication, "no API key given").with_hint(KEY_HINT));
        };
        builder = builder.api_key(key);
        // An empty DIDIT_BASE_URL counts as unset, as for the SDK's `from_env`.
        if let Some(url) = api.base_url.as_deref().filter(|url| !url.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        None
    };
    if let Some(timeout) = request_timeout {
        builder = builder.attempt_timeout(timeout).operation_timeout(timeout);
    }
    builder = builder.page_concurrency(api.concurrency as usize);
    Ok((builder.build()?, mock))
}

/// The fields of the SDK's log lines that are shown. Others may quote what
/// a server sent: the error that caused a retry, or the path of a `next`
/// link (every request of this command goes to the one sessions path
/// anyway). The error that ends the command is reported in words that
/// quote nothing.
const LOGGED_FIELDS: &[&str] = &[
    "message",
    "http.method",
    "http.status",
    "status",
    "attempt",
    "delay_ms",
    "time.busy",
    "time.idle",
];

/// Logs the SDK's requests to standard error: one line per attempt, with
/// method, status and time, never the path, the query, the key or anything
/// the server answered.
fn init_tracing(verbosity: u8, reporter: &Reporter) {
    let reporter = reporter.clone();
    let level = if verbosity == 1 { "debug" } else { "trace" };
    let fields = format::debug_fn(|writer, field, value| match field.name() {
        "message" => write!(writer, "{value:?}"),
        name if LOGGED_FIELDS.contains(&name) => write!(writer, "{name}={value:?}"),
        name => write!(writer, "{name}=[not shown]"),
    })
    .delimited(" ");
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(format!("didit={level},didit_cli={level}")))
        .fmt_fields(fields)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(move || reporter.log_writer())
        .with_ansi(io::stderr().is_terminal())
        .init();
}
