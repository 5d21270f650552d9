//! The command line's grammar: every flag, its help text and how its value is
//! read.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{BoolishValueParser, PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{
    ArgAction, ArgGroup, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
};
use didit::{ApiService, NaiveDate, SessionKindFilter, Uuid};

use crate::failure::Exit;

/// Work with Didit identity-verification sessions from a terminal, and
/// check Didit's webhook deliveries.
///
/// `didit sessions` lists and exports sessions, creates one, shows its
/// decision, waits for its final status, sets a status by hand, deletes
/// sessions and saves PDF reports, against the API or, with --mock, a
/// built-in fake server with synthetic sessions. `didit webhooks` verifies
/// Didit's signed deliveries, a recorded one or each one sent to a local
/// port, and needs no API key.
///
/// Data goes to standard output; notes, progress and errors go to standard
/// error.
#[derive(Debug, Parser)]
#[command(name = "didit", version, after_help = Exit::help_section(&Exit::ALL))]
pub struct Cli {
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How the commands that call the API connect to it and report on it.
/// Global, so that they may come before or after the command's name; the
/// `webhooks` commands call no API and refuse them (see [`parse`]).
#[derive(Debug, Args)]
#[command(
    next_help_heading = "API (sessions and imports commands)",
    group(ArgGroup::new("key_source").args(["api_key", "api_key_file"]))
)]
pub struct ApiArgs {
    /// API key from the Didit console; without this flag or
    /// --api-key-file, the key is read from DIDIT_API_KEY. A key written on
    /// the command line can be seen by other users of the machine (in `ps`)
    /// and stays in the shell's history: prefer DIDIT_API_KEY or
    /// --api-key-file. The key is sent only to the base URL and never
    /// printed.
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Read the API key from FILE, or from standard input when FILE is
    /// `-`. The file holds the key alone; one line break at its end is
    /// ignored.
    #[arg(long, global = true, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// Base URL of the API: https, or http on a loopback address
    /// [default: https://verification.didit.me].
    #[arg(long, env = didit::BASE_URL_ENV, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Talk to a built-in fake Didit server with synthetic sessions instead
    /// of the real API (no key needed; no real data).
    #[arg(long, global = true)]
    pub mock: bool,

    /// Longest time one request (one page of a listing) may take, retries
    /// included, in seconds (decimals allowed) [default: 30 per attempt, 120
    /// per request]. For `sessions wait` and `imports wait`: how long to
    /// wait in total [default: 600].
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Pages to fetch at the same time with --all or --max (1 to 16). Rows
    /// are written in the server's order whatever the number.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = didit::DEFAULT_PAGE_CONCURRENCY as u32,
        value_parser = clap::value_parser!(u32).range(1..=didit::MAX_PAGE_CONCURRENCY as i64)
    )]
    pub concurrency: u32,

    /// Log requests to standard error (-vv for more detail). The API key,
    /// paths and query strings, and anything the server sent, are never
    /// logged.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// The command line of this run, as [`Cli`] describes it, or the error
/// that explains why it is not one (with help and version as "errors" too,
/// as clap has them).
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os())
}

/// [`parse`] for the given words, the program's name first.
pub fn parse_from<I, T>(words: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut command = command();
    let matches = command.try_get_matches_from_mut(words)?;
    if let Some(("webhooks", _)) = matches.subcommand() {
        // Global flags' values reach the top level wherever they were written.
        let given = api_flags()
            .into_iter()
            .find(|(id, _)| matches.value_source(id) == Some(ValueSource::CommandLine));
        if let Some((_, flag)) = given {
            return Err(command.error(
                ErrorKind::ArgumentConflict,
                format!(
                    "{flag} is for the `sessions` and `imports` commands: `webhooks` calls no API"
                ),
            ));
        }
    }
    Cli::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
}

/// The grammar of the command line. The API flags are global, so clap puts
/// them on every command; under `webhooks`, which refuses them, they are
/// hidden from the help.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    // Global flags reach the subcommands only when the grammar is built.
    command.build();
    let api_flags: Vec<String> = api_flags().into_iter().map(|(id, _)| id).collect();
    command.mut_subcommands(|subcommand| {
        if subcommand.get_name() == "webhooks" {
            hide_flags(subcommand, &api_flags)
        } else {
            subcommand
        }
    })
}

/// `command` and every command below it with the flags `ids` hidden.
fn hide_flags(command: clap::Command, ids: &[String]) -> clap::Command {
    command
        .mut_args(|arg| {
            if ids.iter().any(|id| arg.get_id() == id.as_str()) {
                arg.hide(true)
            } else {
                arg
            }
        })
        .mut_subcommands(|subcommand| hide_flags(subcommand, ids))
}

/// The id and the long flag (`--api-key`) of each flag of [`ApiArgs`].
fn api_flags() -> Vec<(String, String)> {
    ApiArgs::augment_args(clap::Command::new("api"))
        .get_arguments()
        .filter_map(|arg| {
            let flag = arg.get_long()?;
            Some((arg.get_id().to_string(), format!("--{flag}")))
        })
        .collect()
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verification sessions.
    Sessions {
        #[command(subcommand)]
        command: SessionsCommand,
    },
    /// Imports of verifications made before: upload a file, follow the job,
    /// list the rows it refused, save the template of the columns.
    Imports {
        #[command(subcommand)]
        command: crate::imports::ImportsCommand,
    },
    /// Didit's signed webhook deliveries: verify one, or receive them on a
    /// local port. Needs no API key.
    Webhooks {
        #[command(subcommand)]
        command: crate::webhooks::WebhooksCommand,
    },
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List sessions, newest first: one page by default, every page with
    /// --all.
    ///
    /// List filters take several values, comma-separated or by repeating the
    /// flag (`--status Approved,"In Review"` or `--status Approved --status
    /// "In Review"`); a session matches when it has one of them. Different
    /// filters must all match.
    #[command(after_help = format!("{LIST_EXAMPLES}\n\n{}", Exit::help_section(API_EXITS)))]
    List(ListArgs),
    /// Create a session and print the URL to send the user to.
    #[command(after_help = Exit::help_section(API_EXITS))]
    Create(crate::lifecycle::CreateArgs),
    /// Show the decision of a session: its status, checks and warnings.
    #[command(after_help = Exit::help_section(API_EXITS))]
    Decision(crate::lifecycle::DecisionArgs),
    /// Approve, decline or resubmit a session by hand.
    #[command(after_help = Exit::help_section(API_EXITS))]
    UpdateStatus(crate::lifecycle::UpdateStatusArgs),
    /// Delete sessions and all their data, after confirmation.
    #[command(after_help = Exit::help_section(API_EXITS))]
    Delete(crate::lifecycle::DeleteArgs),
    /// Save the PDF report of a finished session.
    #[command(after_help = Exit::help_section(&[API_EXITS, &[Exit::NotFinished]].concat()))]
    Pdf(crate::lifecycle::PdfArgs),
    /// Wait until a session reaches a final status, and print it.
    ///
    /// --timeout is how long to wait in total here (default 600 seconds),
    /// not the limit of one request.
    #[command(after_help = Exit::help_section(&[API_EXITS, &[Exit::NotFinished]].concat()))]
    Wait(crate::lifecycle::WaitArgs),
    /// The review log of a KYC session: read it, or add a note.
    Reviews {
        #[command(subcommand)]
        command: crate::reviews::ReviewsCommand,
    },
    /// Let another application import a copy of a finished session: prints
    /// a share token, and nothing else, on standard output.
    Share(crate::sharing::ShareArgs),
    /// Import a session another application shared, from its share token.
    #[command(after_help = crate::sharing::IMPORT_SHARED_TOKEN_HELP)]
    ImportShared(crate::sharing::ImportSharedArgs),
    /// Choose the outcome a sandbox session will reproduce, before its user
    /// starts.
    #[command(after_help = crate::sharing::ARM_SANDBOX_TOKEN_HELP)]
    ArmSandbox(crate::sharing::ArmSandboxArgs),
    #[command(flatten)]
    Corrections(crate::corrections::CorrectionsCommand),
}

/// How a command that calls the API can fail.
const API_EXITS: &[Exit] = &[
    Exit::Local,
    Exit::Usage,
    Exit::Authentication,
    Exit::Api,
    Exit::Network,
    Exit::UnexpectedResponse,
    Exit::NotFound,
    Exit::Interrupted,
];

const LIST_EXAMPLES: &str = "Examples:
  didit --mock sessions list
  didit sessions list --status \"In Review\" --country ESP,PRT
  didit sessions list --all --date-from 2025-01-01 --format csv -o sessions.csv
  didit sessions list --all --format ndjson -o all.ndjson --offset 1500 --append
  didit sessions list --session-kind all --max 500 --format ndjson";

/// What `sessions list` fetches and how it prints it.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, help_heading = "Output")]
    pub format: Format,

    /// Write to FILE instead of standard output. Rows go to a temporary file
    /// next to it, which replaces FILE only when the listing is done (or,
    /// for ndjson and csv, when it fails part-way: then FILE holds every row
    /// received and the error says where to resume). A new file is readable
    /// by its owner only, as sessions hold personal data; an existing one
    /// keeps its permissions.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Add the rows to the end of the --output file instead of replacing
    /// it, to resume an interrupted export with --offset. For ndjson and
    /// csv only; the csv header is written only when the file is empty.
    #[arg(long, requires = "output", help_heading = "Output")]
    pub append: bool,

    /// Fetch every page, not just the first.
    #[arg(long, help_heading = "Paging")]
    pub all: bool,

    /// Fetch pages until N sessions are in hand, then stop.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Paging"
    )]
    pub max: Option<u64>,

    /// Rows per page (per kind with --session-kind all) [default: the
    /// server's, 50].
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Paging"
    )]
    pub limit: Option<u32>,

    /// Matching sessions to skip before the first one shown; also where to
    /// resume an interrupted export.
    #[arg(long, value_name = "N", help_heading = "Paging")]
    pub offset: Option<u64>,

    /// Leave out every session already written by this command (same
    /// session_id) with --all or --max. Sessions created while a long
    /// listing runs push rows onto the next page, where they would show up
    /// twice.
    #[arg(long, help_heading = "Paging")]
    pub dedupe: bool,

    #[command(flatten)]
    pub filters: Filters,
}

/// One flag per query parameter of `GET /v3/sessions/`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Filters")]
pub struct Filters {
    /// Kind of session: user (KYC, the default), business (KYB) or all.
    #[arg(long, value_enum, value_name = "KIND", ignore_case = true)]
    pub session_kind: Option<SessionKindArg>,

    /// Status, as Didit writes it: "Not Started", "In Progress", Approved,
    /// Declined, "In Review", Expired, Abandoned, "Kyc Expired",
    /// Resubmitted, "Awaiting User".
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,

    /// Your identifier of the end user, matched exactly.
    #[arg(long, value_name = "TEXT")]
    pub vendor_data: Option<String>,

    /// Free text: a session UUID, the start of a session, document or phone
    /// number or of an e-mail address, or part of a name.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,

    /// Workflow UUID.
    #[arg(long, value_name = "UUID", value_delimiter = ',')]
    pub workflow_id: Vec<Uuid>,

    /// Created on this day (UTC) or later.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date_from: Option<NaiveDate>,

    /// Created on this day (UTC) or earlier.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date_to: Option<NaiveDate>,

    /// Country, ISO 3166-1 alpha-3 (ESP, PRT, ...).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub country: Vec<String>,

    /// Document type code: P, ID, DL, RP, SSC, HIC, WP, TC, VISA, PSC, BC,
    /// OTHER.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub document_type: Vec<String>,

    /// Recognised document, such as "Spain - Id Card (2021)". Repeat the
    /// flag for several: names may contain commas, so a comma does not
    /// separate values here (and a name with a comma can only be given
    /// alone).
    #[arg(long, value_name = "NAME")]
    pub document_name: Vec<String>,

    /// Issuing region or state of the document.
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,

    /// Didit's identifier of the verified person (a row's
    /// didit_internal_id).
    #[arg(long, value_name = "UUID")]
    pub didit_internal_id: Option<Uuid>,

    /// Channel the session was created through: API, HOSTED, MIGRATED.
    #[arg(long, value_name = "TYPE", value_delimiter = ',')]
    pub session_type: Vec<String>,

    /// Standalone API service.
    #[arg(
        long,
        value_name = "SERVICE",
        ignore_case = true,
        value_parser = api_service_parser()
    )]
    pub api_service: Option<ApiService>,

    /// Name found in the AML or database-validation data.
    #[arg(long, value_name = "NAME")]
    pub screened_full_name: Option<String>,

    /// Warning raised by the session, such as POSSIBLE_FRAUD.
    #[arg(long, value_name = "WARNING", value_delimiter = ',')]
    pub warning: Vec<String>,

    /// Only sessions whose first decision was "In Review" (true), or the
    /// others (false).
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub status_initialized_as_in_review: Option<bool>,

    /// Only sessions flagged (true) or not flagged (false) for manual
    /// document review.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new()
    )]
    pub is_kyc_to_be_reviewed: Option<bool>,

    /// End-user UUID, as the Didit console links to it.
    #[arg(long, value_name = "UUID")]
    pub euuid: Option<Uuid>,

    /// Organisation name.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub organization_name: Vec<String>,
}

/// Flags of `sessions list` that are the command's own, not query
/// parameters of the API.
pub const LIST_OWN_FLAGS: &[&str] = &["format", "output", "append", "all", "max", "dedupe"];

/// The flag of `sessions list` that sets query parameter `name`: its name
/// in kebab case (no flag is named otherwise).
pub fn flag_of_parameter(name: &str) -> String {
    name.replace('_', "-")
}

/// The query parameters `sessions list` has a flag for.
pub fn list_parameters() -> BTreeSet<String> {
    let command = Cli::command();
    let list = command
        .find_subcommand("sessions")
        .and_then(|sessions| sessions.find_subcommand("list"));
    list.into_iter()
        .flat_map(|list| list.get_arguments())
        .filter(|arg| !arg.is_global_set())
        .filter_map(|arg| arg.get_long())
        .filter(|flag| !LIST_OWN_FLAGS.contains(flag))
        .map(|flag| flag.replace('-', "_"))
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading, fitting 80 columns.
    Table,
    /// The page as the SDK reads it, pretty-printed (with --all or --max,
    /// every row in one document).
    Json,
    /// One session per line, as JSON.
    Ndjson,
    /// A header row, then one row per session.
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SessionKindArg {
    User,
    Business,
    All,
}

impl From<SessionKindArg> for SessionKindFilter {
    fn from(kind: SessionKindArg) -> Self {
        match kind {
            SessionKindArg::User => SessionKindFilter::User,
            SessionKindArg::Business => SessionKindFilter::Business,
            SessionKindArg::All => SessionKindFilter::All,
        }
    }
}

/// The wire names of the `api_service` filter.
const API_SERVICES: [&str; 11] = [
    "ID_VERIFICATION",
    "FACE_MATCH",
    "AGE_ESTIMATION",
    "FACE_SEARCH",
    "POA",
    "AML",
    "KYB_REGISTRY",
    "PASSIVE_LIVENESS",
    "DATABASE_VALIDATION",
    "PHONE_VERIFICATION",
    "EMAIL_VERIFICATION",
];

fn api_service_parser() -> impl TypedValueParser<Value = ApiService> {
    // With `ignore_case` the value arrives as typed; the names are upper case.
    PossibleValuesParser::new(API_SERVICES).map(|name| {
        name.to_ascii_uppercase()
            .parse::<ApiService>()
            .expect("every listed service name is an ApiService")
    })
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date written as YYYY-MM-DD"))
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    // NaN fails this test too.
    if seconds.is_nan() || seconds <= 0.0 {
        return Err("must be more than 0 seconds".to_owned());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` seconds is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn api_flags_go_before_or_after_the_sessions_command() {
        for words in [
            "didit --mock --timeout 2 sessions list",
            "didit sessions --mock list --timeout 2",
            "didit sessions list --mock --timeout 2",
        ] {
            let cli = parse_from(words.split(' ')).unwrap();
            assert!(cli.api.mock, "{words}");
            assert_eq!(cli.api.timeout, Some(Duration::from_secs(2)), "{words}");
        }
    }

    #[test]
    fn webhooks_refuse_api_flags_and_do_not_show_them() {
        for words in [
            "didit --mock webhooks verify --secret-env S",
            "didit webhooks --concurrency 2 verify --secret-env S",
            "didit webhooks verify --secret-env S -v",
            "didit webhooks listen --port 0 --secret-env S --api-key-file -",
        ] {
            let error = parse_from(words.split(' ')).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ArgumentConflict, "{words}");
            assert!(
                error.to_string().contains("calls no API"),
                "{words}: {error}"
            );
        }
        let mut command = command();
        let webhooks = command.find_subcommand_mut("webhooks").unwrap();
        for subcommand in ["verify", "listen"] {
            let help = webhooks
                .find_subcommand_mut(subcommand)
                .unwrap()
                .render_long_help()
                .to_string();
            for (_, flag) in api_flags() {
                assert!(!help.contains(&flag), "{subcommand} --help shows {flag}");
            }
            assert!(help.contains("--secret-env"), "{help}");
        }
    }

    #[test]
    fn concurrency_beyond_what_the_sdk_runs_is_refused_and_the_help_says_the_range() {
        let max = didit::MAX_PAGE_CONCURRENCY;
        let words = format!("didit sessions list --concurrency {max}");
        assert_eq!(
            parse_from(words.split(' ')).unwrap().api.concurrency as usize,
            max
        );
        for refused in [0, max + 1] {
            let words = format!("didit sessions list --concurrency {refused}");
            let error = parse_from(words.split(' ')).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation, "{words}");
        }
        let help = command().render_long_help().to_string();
        assert!(help.contains(&format!("(1 to {max})")), "{help}");
    }

    #[test]
    fn every_api_service_name_parses() {
        for name in API_SERVICES {
            assert_eq!(name.parse::<ApiService>().unwrap().to_string(), name);
        }
    }

    #[test]
    fn api_services_are_read_in_any_case() {
        let cli =
            Cli::try_parse_from(["didit", "sessions", "list", "--api-service", "aml"]).unwrap();
        let Command::Sessions {
            command: SessionsCommand::List(args),
        } = cli.command
        else {
            panic!("a sessions list");
        };
        assert_eq!(args.filters.api_service, Some(ApiService::Aml));
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_seconds("2.5"), Ok(Duration::from_millis(2500)));
        for bad in ["0", "-1", "NaN", "soon", "1e30"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_filters_split_on_commas_but_document_names_do_not() {
        let cli = Cli::try_parse_from([
            "didit",
            "sessions",
            "list",
            "--status",
            "Approved,In Review",
            "--status",
            "Declined",
            "--document-name",
            "Spain - Id Card, 2021",
            "--is-kyc-to-be-reviewed",
        ])
        .unwrap();
        let Command::Sessions {
            command: SessionsCommand::List(args),
        } = cli.command
        else {
            panic!("a sessions list");
        };
        assert_eq!(args.filters.status, ["Approved", "In Review", "Declined"]);
        assert_eq!(args.filters.document_name, ["Spain - Id Card, 2021"]);
        assert_eq!(args.filters.is_kyc_to_be_reviewed, Some(true));
    }
}

/// The flags are tied to the spec: each test fails naming the parameter or
/// flag that is out of step, and the `*_bites` tests show that it does.
#[cfg(test)]
pub(crate) mod spec_tests {
    use std::collections::BTreeSet;

    use clap::ValueEnum;
    use didit_contract::Spec;
    use didit_contract::instances::component_ref;
    use didit_contract::wire::spec_parameters;
    use serde_json::{Value, json};

    use super::*;

    /// Every way the flags of `sessions list` and the spec's query
    /// parameters differ, one line each.
    fn flags_out_of_step_with(spec: &Spec) -> Vec<String> {
        let in_spec: BTreeSet<String> = spec_parameters(spec).into_keys().collect();
        let with_flag = list_parameters();
        let missing = in_spec.difference(&with_flag).map(|name| {
            format!(
                "the spec's query parameter `{name}` has no flag `--{}` in `didit sessions list`",
                flag_of_parameter(name)
            )
        });
        let extra = with_flag.difference(&in_spec).map(|name| {
            format!(
                "`--{}` of `didit sessions list` sets `{name}`, which is not a query parameter \
                 of the spec (a flag of the command's own belongs in LIST_OWN_FLAGS)",
                flag_of_parameter(name)
            )
        });
        missing.chain(extra).collect()
    }

    /// The values the spec allows for `parameter`, an enumeration.
    fn spec_enum(spec: &Spec, parameter: &str) -> Vec<String> {
        let parameters = spec_parameters(spec);
        let mut schema = &parameters[parameter]["schema"];
        while let Some(target) = component_ref(schema) {
            schema = &spec.json["components"]["schemas"][target];
        }
        schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }

    /// Where the values a flag accepts differ from the spec's enumeration.
    fn values_out_of_step(flag: &str, ours: BTreeSet<String>, spec: Vec<String>) -> Vec<String> {
        let spec: BTreeSet<String> = spec.into_iter().collect();
        let missing = spec
            .difference(&ours)
            .map(|value| format!("`--{flag}` does not accept `{value}`, which the spec allows"));
        let extra = ours
            .difference(&spec)
            .map(|value| format!("`--{flag}` accepts `{value}`, which the spec does not list"));
        missing.chain(extra).collect()
    }

    fn enum_flags_out_of_step_with(spec: &Spec) -> Vec<String> {
        let kinds = SessionKindArg::value_variants()
            .iter()
            .filter_map(|kind| kind.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        let services = API_SERVICES.iter().map(|name| (*name).to_owned()).collect();
        let mut problems =
            values_out_of_step("session-kind", kinds, spec_enum(spec, "session_kind"));
        problems.extend(values_out_of_step(
            "api-service",
            services,
            spec_enum(spec, "api_service"),
        ));
        problems
    }

    /// The spec with `edit` applied to the operation's parameter list.
    fn spec_with_parameters(edit: impl FnOnce(&mut Vec<Value>)) -> Spec {
        let mut spec = Spec::load().unwrap();
        let parameters = spec
            .json
            .pointer_mut("/paths/~1v3~1sessions~1/get/parameters")
            .and_then(Value::as_array_mut)
            .expect("the spec lists the parameters of GET /v3/sessions/");
        edit(parameters);
        spec
    }

    /// Asserts that one of `problems` names every one of `parts`: a guard
    /// tying a hand-written list to the spec says what is out of step.
    pub(crate) fn assert_names(problems: &[String], parts: &[&str]) {
        assert!(
            problems
                .iter()
                .any(|problem| parts.iter().all(|part| problem.contains(part))),
            "no problem names {parts:?}: {problems:?}"
        );
    }

    #[test]
    fn every_query_parameter_of_the_spec_has_a_flag_and_every_flag_a_parameter() {
        let problems = flags_out_of_step_with(&Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_flag_check_bites() {
        let gained = spec_with_parameters(|parameters| {
            parameters
                .push(json!({"name": "risk_level", "in": "query", "schema": {"type": "string"}}));
        });
        assert_names(
            &flags_out_of_step_with(&gained),
            &["`risk_level`", "--risk-level"],
        );
        let lost = spec_with_parameters(|parameters| {
            parameters.retain(|parameter| parameter["name"] != "document_name");
        });
        assert_names(
            &flags_out_of_step_with(&lost),
            &["--document-name", "not a query parameter"],
        );
    }

    #[test]
    fn enumerated_flags_accept_exactly_the_spec_values() {
        let problems = enum_flags_out_of_step_with(&Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_enumeration_check_bites() {
        let mut spec = Spec::load().unwrap();
        let services = spec
            .json
            .pointer_mut("/components/schemas/ApiService/enum")
            .and_then(Value::as_array_mut)
            .unwrap();
        services.push(json!("VOICE_MATCH"));
        services.retain(|service| service != "POA");
        let problems = enum_flags_out_of_step_with(&spec);
        assert_names(
            &problems,
            &["--api-service", "`VOICE_MATCH`", "does not accept"],
        );
        assert_names(&problems, &["--api-service", "`POA`", "does not list"]);
    }
}
