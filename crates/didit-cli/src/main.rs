//! `didit`: list and export Didit identity-verification sessions from a
//! terminal. Built on the `didit` SDK; see `didit --help`.

mod cli;
mod failure;
mod fields;
mod filters;
mod list;
mod output;
mod progress;
mod report;
mod table;
mod webhooks;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use didit::Client;
use didit_mock::DiditMock;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::cli::{Cli, Command, GlobalArgs, SessionsCommand};
use crate::failure::{Exit, Failure, KEY_HINT, Stop};
use crate::report::Reporter;

/// Sessions served by `--mock`: enough for several pages.
const MOCK_SESSIONS: usize = 200;

/// Seed of the `--mock` sessions, so that every run shows the same ones.
const MOCK_SEED: u64 = 1;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to standard output, mistakes to standard
            // error; a closed pipe leaves nothing to report.
            let _ = error.print();
            return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
        }
    };
    let verbose = cli.global.verbose > 0;
    let reporter = Reporter::new(verbose, cli.global.api_key.as_deref());
    if verbose {
        init_tracing(cli.global.verbose, &reporter);
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
    match runtime.block_on(run(&cli, &reporter)) {
        Ok(()) | Err(Stop::OutputClosed) => ExitCode::SUCCESS,
        Err(Stop::Failed(failure)) => {
            reporter.error(&failure);
            failure.exit.into()
        }
    }
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<(), Stop> {
    match &cli.command {
        Command::Sessions {
            command: SessionsCommand::List(args),
        } => {
            // The embedded server, when there is one, lives until the command ends.
            let (client, _mock) = connect(&cli.global, reporter).await?;
            list::run(&client, args, reporter).await
        }
        Command::Webhooks { command } => webhooks::run(command, reporter).await,
    }
}

/// The client the flags describe: for the real API (or `--base-url`), or
/// for a fake server started here with `--mock`.
async fn connect(
    global: &GlobalArgs,
    reporter: &Reporter,
) -> Result<(Client, Option<DiditMock>), Failure> {
    let mut builder = Client::builder();
    let mock = if global.mock {
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
        let Some(key) = &global.api_key else {
            return Err(Failure::new(Exit::Authentication, "no API key given").with_hint(KEY_HINT));
        };
        builder = builder.api_key(key);
        // An empty DIDIT_BASE_URL counts as unset, as for the SDK's `from_env`.
        if let Some(url) = global
            .base_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        None
    };
    if let Some(timeout) = global.timeout {
        builder = builder.attempt_timeout(timeout).operation_timeout(timeout);
    }
    builder = builder.page_concurrency(global.concurrency as usize);
    Ok((builder.build()?, mock))
}

/// Logs the SDK's requests to standard error: one line per attempt, with
/// method, path, status and time, never the query or the key.
fn init_tracing(verbosity: u8, reporter: &Reporter) {
    let reporter = reporter.clone();
    let level = if verbosity == 1 { "debug" } else { "trace" };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(format!("didit={level},didit_cli={level}")))
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(move || reporter.log_writer())
        .with_ansi(io::stderr().is_terminal())
        .init();
}
