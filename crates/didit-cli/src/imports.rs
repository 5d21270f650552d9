//! `didit imports`: upload a file of verifications made before (or name an
//! address the server fetches it from), follow the job, list the rows it
//! refused, and save the template of the columns.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use didit::types::{SessionImportError, SessionImportJob};
use didit::{Client, ImportSourceFormat, ImportType, Uuid};
use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::failure::{Failure, Stop};
use crate::lifecycle::{DEFAULT_WAIT, Format, wait_failure};
use crate::report::Reporter;
use crate::summary::write_fields;
use crate::table::printable;

/// Where `imports template` saves when no --output is given.
const DEFAULT_TEMPLATE_FILE: &str = "import-template.csv";

#[derive(Debug, Subcommand)]
pub enum ImportsCommand {
    /// Start importing a CSV or NDJSON file in Didit's import format (at
    /// most 25 MB), or, with --url, one the server fetches. The file is
    /// checked before anything is sent, and a progress bar shows the
    /// upload on a terminal; the job then runs on the server (follow it
    /// with `imports show` or `imports wait`).
    Upload(UploadArgs),
    /// Show an import job: its status and counts.
    Show(ShowArgs),
    /// Wait until an import job is over (completed, failed or cancelled;
    /// a paused job is waited through), and show it.
    ///
    /// --timeout is how long to wait in total here (default 600 seconds),
    /// not the limit of one request.
    Wait(ShowArgs),
    /// List the rows an import job refused, in file order, with why.
    Errors(ErrorsArgs),
    /// Save the CSV header line an import file must start with.
    Template(TemplateArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["file", "url"])))]
pub struct UploadArgs {
    /// The file to upload.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// A public https address the server fetches the file from, instead
    /// of FILE.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// What the file holds [default on the server: user_verification].
    #[arg(long, value_enum)]
    pub import_type: Option<ImportTypeArg>,

    /// The workflow the imported sessions belong to (needed but for
    /// transactions).
    #[arg(long, value_name = "WORKFLOW_ID")]
    pub workflow_id: Option<Uuid>,

    /// The file's format, when its name does not end in .csv or .ndjson.
    #[arg(long, value_enum)]
    pub source_format: Option<SourceFormatArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The job's id (uuid), as `imports upload` printed it.
    #[arg(value_name = "IMPORT_ID")]
    pub import_id: Uuid,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ErrorsArgs {
    /// The job's id (uuid).
    #[arg(value_name = "IMPORT_ID")]
    pub import_id: Uuid,

    /// Output format: table shows row, external_id and reason; csv the
    /// same as CSV; json every entry as received, the rows as read
    /// included (personal data).
    #[arg(long, value_enum, default_value_t)]
    pub format: ErrorsFormat,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Which import the columns are for [default on the server:
    /// user_verification].
    #[arg(long, value_enum)]
    pub import_type: Option<ImportTypeArg>,

    /// Where to save the template [default: import-template.csv]. Written
    /// to a temporary file first, renamed into place once whole.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ErrorsFormat {
    #[default]
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportTypeArg {
    #[value(name = "user_verification")]
    UserVerification,
    #[value(name = "business_verification")]
    BusinessVerification,
    #[value(name = "status_rules")]
    StatusRules,
    #[value(name = "transactions")]
    Transactions,
}

impl From<ImportTypeArg> for ImportType {
    fn from(arg: ImportTypeArg) -> Self {
        match arg {
            ImportTypeArg::UserVerification => ImportType::UserVerification,
            ImportTypeArg::BusinessVerification => ImportType::BusinessVerification,
            ImportTypeArg::StatusRules => ImportType::StatusRules,
            ImportTypeArg::Transactions => ImportType::Transactions,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourceFormatArg {
    Csv,
    Ndjson,
}

impl From<SourceFormatArg> for ImportSourceFormat {
    fn from(arg: SourceFormatArg) -> Self {
        match arg {
            SourceFormatArg::Csv => ImportSourceFormat::Csv,
            SourceFormatArg::Ndjson => ImportSourceFormat::Ndjson,
        }
    }
}

/// A progress bar of the bytes of an upload, on standard error.
fn upload_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} uploaded  {elapsed}")
            .expect("the template is valid"),
    );
    bar
}

pub async fn run(
    client: &Client,
    command: &ImportsCommand,
    timeout: Option<Duration>,
    reporter: &Reporter,
) -> Result<(), Stop> {
    let mut out = io::stdout().lock();
    let imports = client.sessions().imports();
    match command {
        ImportsCommand::Upload(args) => {
            let job = match (&args.file, &args.url) {
                (Some(file), _) => {
                    let mut upload = imports.upload(file);
                    if let Some(import_type) = args.import_type {
                        upload = upload.import_type(import_type.into());
                    }
                    if let Some(workflow_id) = args.workflow_id {
                        upload = upload.workflow_id(workflow_id);
                    }
                    if let Some(format) = args.source_format {
                        upload = upload.source_format(format.into());
                    }
                    let bar = reporter.shows_progress().then(upload_bar);
                    if let Some(bar) = bar.clone() {
                        upload = upload.on_progress(move |sent, size| {
                            bar.set_length(size);
                            bar.set_position(sent);
                        });
                    }
                    let sent = upload.send().await;
                    if let Some(bar) = bar {
                        bar.finish_and_clear();
                    }
                    sent
                }
                (None, Some(url)) => {
                    let mut import = imports.from_url(url);
                    if let Some(import_type) = args.import_type {
                        import = import.import_type(import_type.into());
                    }
                    if let Some(workflow_id) = args.workflow_id {
                        import = import.workflow_id(workflow_id);
                    }
                    if let Some(format) = args.source_format {
                        import = import.source_format(format.into());
                    }
                    import.send().await
                }
                (None, None) => unreachable!("clap requires FILE or --url"),
            }
            .map_err(Failure::from)?;
            write_job(&mut out, &job, args.format)?;
        }
        ImportsCommand::Show(args) => {
            let job = imports
                .get(args.import_id)
                .send()
                .await
                .map_err(Failure::from)?;
            write_job(&mut out, &job, args.format)?;
        }
        ImportsCommand::Wait(args) => {
            let limit = timeout.unwrap_or(DEFAULT_WAIT);
            let job = imports
                .wait_until_finished(args.import_id)
                .timeout(limit)
                .send()
                .await
                .map_err(|error| wait_failure(error, limit, "the import job was not over"))?;
            write_job(&mut out, &job, args.format)?;
        }
        ImportsCommand::Errors(args) => {
            let refused: Vec<SessionImportError> = imports
                .errors(args.import_id)
                .items()
                .try_collect()
                .await
                .map_err(Failure::from)?;
            write_errors(&mut out, &refused, args.format)?;
        }
        ImportsCommand::Template(args) => {
            let path = args
                .output
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_TEMPLATE_FILE));
            let mut request = imports.template();
            if let Some(import_type) = args.import_type {
                request = request.import_type(import_type.into());
            }
            let template = request.send().await.map_err(Failure::from)?;
            let bytes = template.save(&path).await.map_err(Failure::from)?;
            writeln!(out, "saved {} ({bytes} bytes)", path.display())?;
        }
    }
    Ok(())
}

fn write_job(out: &mut dyn Write, job: &SessionImportJob, format: Format) -> io::Result<()> {
    if format == Format::Json {
        out.write_all(&serde_json::to_vec_pretty(job).map_err(io::Error::other)?)?;
        return writeln!(out);
    }
    let mut fields = vec![
        ("import_id".to_owned(), job.uuid.to_string()),
        ("status".to_owned(), job.status.to_string()),
        ("import_type".to_owned(), job.import_type.to_string()),
        ("source".to_owned(), job.source_filename.clone()),
        (
            "rows".to_owned(),
            format!("{} of {} processed", job.processed_rows, job.total_rows),
        ),
        ("created".to_owned(), job.created_count.to_string()),
        ("updated".to_owned(), job.updated_count.to_string()),
        ("skipped".to_owned(), job.skipped_count.to_string()),
        ("failed".to_owned(), job.failed_count.to_string()),
    ];
    if let Some(Some(reason)) = &job.last_error {
        fields.push(("last_error".to_owned(), reason.clone()));
    }
    write_fields(out, &fields)
}

fn write_errors(
    out: &mut dyn Write,
    refused: &[SessionImportError],
    format: ErrorsFormat,
) -> io::Result<()> {
    let external_id =
        |row: &SessionImportError| row.external_id.clone().flatten().unwrap_or_default();
    match format {
        ErrorsFormat::Json => {
            let document = json!(refused);
            out.write_all(&serde_json::to_vec_pretty(&document).map_err(io::Error::other)?)?;
            writeln!(out)
        }
        ErrorsFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(["row_number", "external_id", "error"])?;
            for row in refused {
                writer.write_record([
                    row.row_number.to_string(),
                    external_id(row),
                    row.error.clone(),
                ])?;
            }
            writer.flush()
        }
        ErrorsFormat::Table => {
            if refused.is_empty() {
                return writeln!(out, "no rows refused");
            }
            // What the server wrote cannot break a line of the table.
            let external_id = |row: &SessionImportError| printable(&external_id(row));
            let width = refused
                .iter()
                .map(|row| external_id(row).chars().count())
                .max()
                .unwrap_or(0)
                .max("EXTERNAL_ID".len());
            writeln!(out, "{:>6}  {:<width$}  ERROR", "ROW", "EXTERNAL_ID")?;
            for row in refused {
                writeln!(
                    out,
                    "{:>6}  {:<width$}  {}",
                    row.row_number,
                    external_id(row),
                    printable(&row.error)
                )?;
            }
            Ok(())
        }
    }
}
