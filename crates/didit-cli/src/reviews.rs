//! `didit sessions reviews list|add`: the review log of a KYC session.

use std::io::{self, Write};

use clap::{Args, Subcommand, ValueEnum};
use didit::types::ReviewEntry;
use didit::{Client, ReviewOrdering, SessionStatus, Uuid};
use futures::TryStreamExt;

use crate::failure::{Failure, Stop};
use crate::table::printable;

#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// Print the whole review log: status changes, notes, corrections;
    /// newest first.
    #[command(after_help = LIST_EXAMPLES)]
    List(ListReviewsArgs),
    /// Add a note, with an optional status label, to the log. The
    /// session's status does not change (`sessions update-status` changes
    /// it, and logs the change).
    #[command(after_help = ADD_EXAMPLES)]
    Add(AddReviewArgs),
}

const LIST_EXAMPLES: &str = "Examples:
  didit sessions reviews list 11111111-2222-3333-4444-555555555555
  didit sessions reviews list 11111111-2222-3333-4444-555555555555 --oldest-first --format ndjson";

const ADD_EXAMPLES: &str = "Examples:
  didit sessions reviews add 11111111-2222-3333-4444-555555555555 --comment \"Called the customer\"
  didit sessions reviews add 11111111-2222-3333-4444-555555555555 --status \"In Review\"";

#[derive(Debug, Args)]
pub struct ListReviewsArgs {
    /// The session's id (session_id); KYC sessions only.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// Oldest entry first.
    #[arg(long)]
    pub oldest_first: bool,

    /// Output format: json and ndjson write the entries as received,
    /// personal data included.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReviewsFormat,
}

#[derive(Debug, Args)]
pub struct AddReviewArgs {
    /// The session's id (session_id); KYC sessions only.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// A session status to label the note with, written as the API writes
    /// it (for example "In Review").
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<SessionStatus>,

    /// The note.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReviewsFormat,
}

/// Output of the review log commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReviewsFormat {
    /// Aligned lines for reading.
    #[default]
    Table,
    /// Every entry in one pretty-printed document.
    Json,
    /// One entry per line, as JSON.
    Ndjson,
}

/// A status among the API's, exactly as written.
fn parse_status(text: &str) -> Result<SessionStatus, String> {
    SessionStatus::KNOWN
        .iter()
        .find(|status| status.as_str() == text)
        .cloned()
        .ok_or_else(|| {
            let known: Vec<&str> = SessionStatus::KNOWN.iter().map(|s| s.as_str()).collect();
            format!("not a session status; one of: {}", known.join(", "))
        })
}

pub async fn run(client: &Client, command: &ReviewsCommand) -> Result<(), Stop> {
    let mut out = io::stdout().lock();
    match command {
        ReviewsCommand::List(args) => list(client, args, &mut out).await,
        ReviewsCommand::Add(args) => add(client, args, &mut out).await,
    }
}

async fn list(client: &Client, args: &ListReviewsArgs, out: &mut dyn Write) -> Result<(), Stop> {
    let ordering = if args.oldest_first {
        ReviewOrdering::OldestFirst
    } else {
        ReviewOrdering::NewestFirst
    };
    let mut entries = client
        .sessions()
        .reviews(args.session_id)
        .ordering(ordering)
        .items();
    let mut all = Vec::new();
    if args.format == ReviewsFormat::Table {
        writeln!(out, "{}", header())?;
    }
    while let Some(entry) = entries.try_next().await.map_err(Failure::from)? {
        match args.format {
            ReviewsFormat::Table => writeln!(out, "{}", line(&entry))?,
            ReviewsFormat::Ndjson => {
                serde_json::to_writer(&mut *out, &entry).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            ReviewsFormat::Json => all.push(entry),
        }
    }
    if args.format == ReviewsFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &all).map_err(io::Error::other)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

async fn add(client: &Client, args: &AddReviewArgs, out: &mut dyn Write) -> Result<(), Stop> {
    let mut request = client.sessions().add_review(args.session_id);
    if let Some(status) = &args.status {
        request = request.new_status(status.clone());
    }
    if let Some(comment) = &args.comment {
        request = request.comment(comment);
    }
    let review = request.send().await.map_err(Failure::from)?;
    match args.format {
        ReviewsFormat::Table => {
            let label = review
                .new_status()
                .map(|status| format!(" labelled {status}"))
                .unwrap_or_default();
            writeln!(out, "{}: note added{label}", args.session_id)?;
        }
        ReviewsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &*review).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        ReviewsFormat::Ndjson => {
            serde_json::to_writer(&mut *out, &*review).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn header() -> String {
    format!(
        "{:<27}  {:<16}  {:<12}  {:<25}  COMMENT",
        "CREATED_AT", "ACTIVITY", "BY", "STATUS"
    )
}

/// One entry on one line: when, what, who, the status change, the note.
fn line(entry: &ReviewEntry) -> String {
    let status = match (entry.previous_status(), entry.new_status()) {
        (Some(previous), Some(new)) => format!("{previous} -> {new}"),
        (None, Some(new)) => new.to_string(),
        (Some(previous), None) => format!("{previous} ->"),
        (None, None) => String::new(),
    };
    format!(
        "{:<27}  {:<16}  {:<12}  {:<25}  {}",
        entry.created_at().to_string(),
        entry.activity_type().to_string(),
        printable(entry.actor_display().unwrap_or("")),
        status,
        printable(entry.comment().unwrap_or("")),
    )
}
