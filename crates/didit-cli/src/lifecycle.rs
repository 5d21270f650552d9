//! The commands on single sessions: `create`, `decision`, `update-status`,
//! `delete`, `pdf` and `wait`.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use didit::types::NewSessionStatus;
use didit::{Client, Language, Uuid};
use serde_json::{Value, json};

use crate::cli::SessionsCommand;
use crate::failure::{Exit, Failure, Stop};
use crate::report::Reporter;
use crate::summary::{decision_fields, write_fields};

/// How long `sessions wait` waits when --timeout is not given.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// Output of the commands on one session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A few lines for reading.
    #[default]
    Table,
    /// The answer as the SDK reads it, pretty-printed.
    Json,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Workflow the session follows (its UUID in the Didit console).
    #[arg(long, value_name = "UUID")]
    pub workflow_id: Uuid,

    /// Your identifier of the user or business (an unfinished session with
    /// the same value is reused by the API).
    #[arg(long, value_name = "TEXT", value_parser = non_empty)]
    pub vendor_data: Option<String>,

    /// Where the user is sent when the flow ends: an http or https URL.
    #[arg(long, value_name = "URL", value_parser = parse_callback)]
    pub callback: Option<String>,

    /// Language of the hosted pages, such as en, es or pt-BR.
    #[arg(long, value_name = "CODE", value_parser = parse_language)]
    pub language: Option<Language>,

    /// Any JSON value, returned with the session and its webhooks.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    pub metadata: Option<Value>,

    /// Output format. The table never shows the session token.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,

    /// Keep the session token in the JSON output. It lets anyone holding it
    /// open the session's hosted flow, so it is left out by default (the
    /// URL, which carries it, is for the user alone too).
    #[arg(long)]
    pub show_token: bool,
}

#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// Output format: json writes the decision as received, personal data
    /// included.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UpdateStatusArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The new status.
    #[arg(long, value_enum, ignore_case = true)]
    pub status: StatusArg,

    /// Why, for the session's review history.
    #[arg(long, value_name = "TEXT", value_parser = non_empty)]
    pub comment: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The statuses a session can be given by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    #[value(name = "Approved")]
    Approved,
    #[value(name = "Declined")]
    Declined,
    /// Sends the steps that did not pass back to the user.
    #[value(name = "Resubmitted")]
    Resubmitted,
}

impl From<StatusArg> for NewSessionStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Approved => NewSessionStatus::Approved,
            StatusArg::Declined => NewSessionStatus::Declined,
            StatusArg::Resubmitted => NewSessionStatus::Resubmitted,
        }
    }
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The ids of the sessions (session_id).
    #[arg(value_name = "SESSION_ID", required = true)]
    pub session_ids: Vec<Uuid>,

    /// Delete without asking. Needed when standard input is not a
    /// terminal.
    #[arg(long)]
    pub yes: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PdfArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// Where to save the report [default: session-SESSION_ID.pdf]. Written
    /// to a temporary file first, readable by its owner only.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format of the line that says where the report went.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// Output format: table prints the final status alone, json the
    /// decision as received.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Checks what can be checked before connecting: a usage mistake exits
/// with 2 before any request.
pub fn check(command: &SessionsCommand) -> Result<(), Failure> {
    match command {
        SessionsCommand::Create(args) if args.show_token && args.format != Format::Json => {
            Err(Failure::new(
                Exit::Usage,
                "--show-token needs --format json: the table never shows the token",
            ))
        }
        SessionsCommand::Delete(args) if !args.yes && !io::stdin().is_terminal() => {
            Err(Failure::new(
                Exit::Usage,
                "deleting needs --yes when standard input is not a terminal to confirm on",
            ))
        }
        _ => Ok(()),
    }
}

/// Runs a `sessions` command. `timeout` is the global --timeout, the
/// length of the whole wait for `sessions wait`.
pub async fn run(
    client: &Client,
    command: &SessionsCommand,
    timeout: Option<Duration>,
    reporter: &Reporter,
) -> Result<(), Stop> {
    // Not locked here: `sessions list` writes through a lock of its own.
    let mut out = io::stdout();
    match command {
        SessionsCommand::List(args) => crate::list::run(client, args, reporter).await,
        SessionsCommand::Create(args) => create(client, args, reporter, &mut out).await,
        SessionsCommand::Decision(args) => {
            let decision = client
                .sessions()
                .decision(args.session_id)
                .send()
                .await
                .map_err(Failure::from)?;
            match args.format {
                Format::Table => write_fields(&mut out, &decision_fields(&decision)?)?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&decision))?,
            }
            Ok(())
        }
        SessionsCommand::UpdateStatus(args) => {
            let mut request = client
                .sessions()
                .update_status(args.session_id, args.status.into());
            if let Some(comment) = &args.comment {
                request = request.comment(comment);
            }
            let updated = request.send().await.map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: status set to {}",
                    args.session_id,
                    NewSessionStatus::from(args.status)
                )?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&updated))?,
            }
            Ok(())
        }
        SessionsCommand::Delete(args) => delete(client, args, reporter, &mut out).await,
        SessionsCommand::Reviews { command } => crate::reviews::run(client, command).await,
        SessionsCommand::Share(args) => {
            crate::sharing::share(client, args, reporter, &mut out).await
        }
        SessionsCommand::ImportShared(args) => {
            crate::sharing::import_shared(client, args, &mut out).await
        }
        SessionsCommand::ArmSandbox(args) => {
            crate::sharing::arm_sandbox(client, args, &mut out).await
        }
        SessionsCommand::Corrections(command) => crate::corrections::run(client, command).await,
        SessionsCommand::Pdf(args) => {
            let path = args
                .output
                .clone()
                .unwrap_or_else(|| default_pdf_name(args.session_id));
            let report = client
                .sessions()
                .pdf(args.session_id)
                .send()
                .await
                .map_err(Failure::from)?;
            let bytes = report.save(&path).await.map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(out, "saved {} ({bytes} bytes)", path.display())?,
                Format::Json => write_json(
                    &mut out,
                    serde_json::to_vec_pretty(&json!({
                        "session_id": args.session_id,
                        "path": path,
                        "bytes": bytes,
                    })),
                )?,
            }
            Ok(())
        }
        SessionsCommand::Wait(args) => {
            let limit = timeout.unwrap_or(DEFAULT_WAIT);
            let decision = client
                .sessions()
                .wait_for_decision(args.session_id)
                .timeout(limit)
                .send()
                .await
                .map_err(|error| {
                    wait_failure(error, limit, "the session reached no final status")
                })?;
            match args.format {
                Format::Table => {
                    writeln!(out, "{}", decision.status())?;
                }
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&decision))?,
            }
            Ok(())
        }
    }
}

async fn create(
    client: &Client,
    args: &CreateArgs,
    reporter: &Reporter,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    let mut request = client.sessions().create(args.workflow_id);
    if let Some(vendor_data) = &args.vendor_data {
        request = request.vendor_data(vendor_data);
    }
    if let Some(callback) = &args.callback {
        request = request.callback(callback);
    }
    if let Some(language) = &args.language {
        if language.is_unknown() {
            reporter.note(&format!(
                "`{language}` is not a language this version knows; it is sent as written"
            ));
        }
        request = request.language(language.clone());
    }
    if let Some(metadata) = &args.metadata {
        request = request.metadata(metadata.clone());
    }
    let created = request.send().await.map_err(Failure::from)?;
    match args.format {
        Format::Table => {
            let fields = [
                ("session_id", created.session_id().to_string()),
                ("session_number", created.session_number().to_string()),
                ("status", created.status().to_string()),
                ("url", created.url().to_owned()),
            ];
            let fields: Vec<(String, String)> = fields
                .into_iter()
                .map(|(label, value)| (label.to_owned(), value))
                .collect();
            write_fields(out, &fields)?;
        }
        Format::Json => {
            let mut value = serde_json::to_value(&created).map_err(io::Error::other)?;
            if !args.show_token
                && let Some(object) = value.as_object_mut()
            {
                object.remove(TOKEN_PROPERTY);
            }
            write_json(out, serde_json::to_vec_pretty(&value))?;
        }
    }
    Ok(())
}

/// The property of a created session that lets its holder open the flow.
pub const TOKEN_PROPERTY: &str = "session_token";

/// The failure of a wait that ran for `limit`: when the wait itself ran
/// out (not one of its polls), `what` did not happen in time (exit 9).
pub fn wait_failure(error: didit::Error, limit: Duration, what: &str) -> Failure {
    match error {
        didit::Error::Timeout { limit: hit, .. } if hit == limit => Failure::new(
            Exit::NotFinished,
            format!("{what} within {} s", limit.as_secs_f64()),
        )
        .with_hint("a longer --timeout waits longer"),
        other => Failure::from(other),
    }
}

/// Deletes each session in turn. One that is not found (never existed or
/// deleted already) does not stop the others; the command then exits with
/// the not-found code. Any other error stops it.
async fn delete(
    client: &Client,
    args: &DeleteArgs,
    reporter: &Reporter,
    out: &mut dyn Write,
) -> Result<(), Stop> {
    if !args.yes {
        // Read on a thread of its own, so that Ctrl-C interrupts the
        // command while it waits for the answer.
        let count = args.session_ids.len();
        let answered = tokio::task::spawn_blocking(move || {
            confirm(count, &mut io::stdin().lock(), &mut io::stderr())
        })
        .await
        .unwrap_or_else(|_| Err(io::Error::other("the confirmation was not read")));
        let confirmed = answered.map_err(|error| {
            Failure::new(
                Exit::Local,
                format!("could not read the confirmation: {error}"),
            )
        })?;
        if !confirmed {
            return Err(Failure::new(Exit::Usage, "nothing deleted: not confirmed").into());
        }
    }
    let mut deleted = Vec::new();
    let mut not_found = Vec::new();
    let mut failure = None;
    for &id in &args.session_ids {
        match client.sessions().delete(id).send().await {
            Ok(_) => {
                if args.format == Format::Table {
                    writeln!(out, "deleted {id}")?;
                }
                deleted.push(id);
            }
            Err(didit::Error::NotFound { .. }) => {
                reporter.note(&format!("{id}: not found (unknown, or deleted already)"));
                not_found.push(id);
            }
            Err(error) => {
                failure = Some(Failure::from(error));
                break;
            }
        }
    }
    if args.format == Format::Json {
        write_json(
            out,
            serde_json::to_vec_pretty(&json!({"deleted": deleted, "not_found": not_found})),
        )?;
    }
    if let Some(failure) = failure {
        return Err(failure.into());
    }
    if !not_found.is_empty() {
        return Err(Failure::new(
            Exit::NotFound,
            format!(
                "{} of {} sessions were not found",
                not_found.len(),
                args.session_ids.len()
            ),
        )
        .into());
    }
    Ok(())
}

/// Asks on `prompt` whether to delete `count` sessions; only `y` or `yes`
/// agrees.
fn confirm(count: usize, answer: &mut dyn BufRead, prompt: &mut dyn Write) -> io::Result<bool> {
    let what = if count == 1 {
        "this session".to_owned()
    } else {
        format!("these {count} sessions")
    };
    write!(
        prompt,
        "Delete {what} and all their data? This cannot be undone. [y/N] "
    )?;
    prompt.flush()?;
    let mut line = String::new();
    answer.read_line(&mut line)?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// The report's file name when --output is not given.
pub fn default_pdf_name(session_id: Uuid) -> PathBuf {
    Path::new(&format!("session-{session_id}.pdf")).to_path_buf()
}

/// Writes a pretty-printed JSON document (`serde_json::to_vec_pretty` of
/// the value) and a line break.
pub(crate) fn write_json(
    out: &mut dyn Write,
    document: serde_json::Result<Vec<u8>>,
) -> io::Result<()> {
    out.write_all(&document.map_err(io::Error::other)?)?;
    writeln!(out)?;
    out.flush()
}

pub(crate) fn non_empty(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    Ok(text.to_owned())
}

fn parse_callback(text: &str) -> Result<String, String> {
    let url = didit::reqwest::Url::parse(text)
        .map_err(|error| format!("`{text}` is not an absolute URL ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(format!("`{text}` is not an http or https URL"));
    }
    Ok(text.to_owned())
}

/// A language as Didit writes it when `text` names a known one in another
/// case (`PT-br`); otherwise `text` itself, when it looks like a language
/// code (letters, with a region after a `-`).
fn parse_language(text: &str) -> Result<Language, String> {
    if let Some(known) = Language::KNOWN
        .iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(text))
    {
        return Ok(known.clone());
    }
    let mut parts = text.split('-');
    let looks_like_code = parts.next().is_some_and(|language| {
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic())
    }) && parts.all(|part| {
        (2..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if !looks_like_code {
        return Err(format!(
            "`{text}` is not a language code such as en or pt-BR"
        ));
    }
    Ok(Language::from(text))
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|error| format!("not valid JSON ({error})"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory;
    use didit_contract::Spec;
    use didit_contract::instances::component_ref;

    use super::*;
    use crate::cli::Cli;
    use crate::cli::spec_tests::assert_names;

    /// The commands whose flags set properties of a request body: command,
    /// body schema, and the flags that are the command's own.
    const BODY_COMMANDS: &[(&str, &str, &[&str])] = &[
        ("create", "CreateSessionRequest", &["format", "show-token"]),
        ("update-status", "UpdateSessionStatusRequest", &["format"]),
    ];

    /// The body property a flag of `command` sets: its name in snake case,
    /// except `--status`, which sets the new status.
    fn property_of_flag(command: &str, flag: &str) -> String {
        match (command, flag) {
            ("update-status", "status") => "new_status".to_owned(),
            _ => flag.replace('-', "_"),
        }
    }

    /// The long flags of `didit sessions <command>` that are not global.
    fn flags_of(command: &str) -> Vec<String> {
        let cli = Cli::command();
        let sessions = cli.find_subcommand("sessions").expect("a sessions command");
        let command = sessions
            .find_subcommand(command)
            .unwrap_or_else(|| panic!("no `sessions {command}`"));
        command
            .get_arguments()
            .filter(|arg| !arg.is_global_set())
            .filter_map(|arg| arg.get_long())
            .map(str::to_owned)
            .collect()
    }

    /// Every way the body flags of the commands and the spec's request
    /// schemas differ, one line each.
    fn body_flags_out_of_step_with(spec: &Spec) -> Vec<String> {
        let mut problems = Vec::new();
        for (command, schema_name, own) in BODY_COMMANDS {
            let schema = &spec.json["components"]["schemas"][*schema_name];
            let properties: BTreeSet<&str> = schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, _)| name.as_str())
                .collect();
            let mut with_flag = BTreeSet::new();
            for flag in flags_of(command) {
                if own.contains(&flag.as_str()) {
                    continue;
                }
                let property = property_of_flag(command, &flag);
                if !properties.contains(property.as_str()) {
                    problems.push(format!(
                        "`--{flag}` of `didit sessions {command}` sets `{property}`, which is not \
                         a property of the spec's {schema_name}"
                    ));
                }
                with_flag.insert(property);
            }
            let required = schema["required"].as_array().into_iter().flatten();
            for name in required.filter_map(Value::as_str) {
                if !with_flag.contains(name) {
                    problems.push(format!(
                        "the required property `{name}` of the spec's {schema_name} has no flag \
                         in `didit sessions {command}`"
                    ));
                }
            }
        }
        problems
    }

    /// Where the values of `--status` differ from the spec's enumeration.
    fn status_values_out_of_step_with(spec: &Spec) -> Vec<String> {
        let schemas = &spec.json["components"]["schemas"];
        let mut schema = &schemas["UpdateSessionStatusRequest"]["properties"]["new_status"];
        while let Some(target) = component_ref(schema) {
            schema = &schemas[target];
        }
        let in_spec: BTreeSet<&str> = schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let ours: Vec<String> = StatusArg::value_variants()
            .iter()
            .filter_map(|status| status.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        let ours: BTreeSet<&str> = ours.iter().map(String::as_str).collect();
        let missing = in_spec
            .difference(&ours)
            .map(|value| format!("`--status` does not accept `{value}`, which the spec allows"));
        let extra = ours
            .difference(&in_spec)
            .map(|value| format!("`--status` accepts `{value}`, which the spec does not list"));
        missing.chain(extra).collect()
    }

    #[test]
    fn every_body_flag_sets_a_property_of_the_spec_and_required_ones_have_a_flag() {
        let problems = body_flags_out_of_step_with(&Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_body_flag_check_bites() {
        let mut spec = Spec::load().unwrap();
        let schemas = &mut spec.json["components"]["schemas"];
        schemas["CreateSessionRequest"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("callback");
        schemas["UpdateSessionStatusRequest"]["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("reviewer"));
        let problems = body_flags_out_of_step_with(&spec);
        assert_names(
            &problems,
            &["--callback", "`callback`", "CreateSessionRequest"],
        );
        assert_names(
            &problems,
            &["`reviewer`", "UpdateSessionStatusRequest", "update-status"],
        );
    }

    #[test]
    fn status_values_are_the_spec_values() {
        let problems = status_values_out_of_step_with(&Spec::load().unwrap());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let mut spec = Spec::load().unwrap();
        let values = spec
            .json
            .pointer_mut("/components/schemas/NewSessionStatus/enum")
            .and_then(Value::as_array_mut)
            .unwrap();
        values.retain(|value| value != "Declined");
        values.push(json!("On Hold"));
        let problems = status_values_out_of_step_with(&spec);
        assert_names(&problems, &["`On Hold`", "does not accept"]);
        assert_names(&problems, &["`Declined`", "does not list"]);
    }

    #[test]
    fn only_yes_confirms_a_deletion() {
        for (answer, confirmed) in [
            ("y\n", true),
            ("YES\n", true),
            ("\n", false),
            ("no\n", false),
            ("", false),
        ] {
            let mut prompt = Vec::new();
            let result = confirm(2, &mut answer.as_bytes(), &mut prompt).unwrap();
            assert_eq!(result, confirmed, "{answer:?}");
            let prompt = String::from_utf8(prompt).unwrap();
            assert!(prompt.contains("these 2 sessions"), "{prompt}");
        }
    }

    #[test]
    fn languages_are_matched_in_any_case_and_unknown_codes_kept() {
        assert_eq!(parse_language("PT-br"), Ok(Language::from("pt-BR")));
        assert!(!parse_language("pt-BR").unwrap().is_unknown());
        assert!(parse_language("tlh").unwrap().is_unknown());
        for bad in ["", "e n", "english", "en-", "1a"] {
            assert!(parse_language(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn callbacks_must_be_web_urls() {
        assert!(parse_callback("https://example.com/done").is_ok());
        for bad in [
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "",
        ] {
            assert!(parse_callback(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_report_is_named_after_the_session() {
        let id = Uuid::nil();
        assert_eq!(
            default_pdf_name(id),
            PathBuf::from("session-00000000-0000-0000-0000-000000000000.pdf")
        );
    }
}
