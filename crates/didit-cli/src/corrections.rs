//! The corrections after a review: `correct-document`, `correct-poa`,
//! `correct-company`, `step-status` and `aml-hit`.
//!
//! A correction is read as JSON from a file or standard input into the
//! SDK's request type; what fails to decode is named by its JSON path,
//! never quoted. The table output names what changed, never a value.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use didit::types::{
    AmlHitUpdate, NewFeatureStatus, UpdateCompanyDataRequest, UpdateDocumentDataRequest,
    UpdatePoaDataRequest,
};
use didit::{AmlReviewStatus, Client, Uuid};

use crate::failure::{Exit, Failure, Stop};
use crate::lifecycle::{Format, non_empty, write_json};

/// The largest correction read: far more than any record holds.
const MAX_CORRECTION_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum CorrectionsCommand {
    /// Correct the data read from the identity document of a finished KYC
    /// session, from a JSON object of the properties to write.
    ///
    /// The properties are those of the API's `UpdateDocumentDataRequest`
    /// (first_name, date_of_birth, extra_fields, ...); the ones left out
    /// keep their stored values.
    CorrectDocument(RecordArgs),
    /// Correct the data read from the proof-of-address document of a
    /// finished KYC session, from a JSON object of the properties to write
    /// (`UpdatePoaDataRequest`: issuer, poa_address, extra_fields, ...).
    CorrectPoa(RecordArgs),
    /// Correct the registry data of the company of a KYB session, from a
    /// JSON object of the properties to write (`UpdateCompanyDataRequest`:
    /// company_name, legal_address, registry_status, ...).
    CorrectCompany(CompanyArgs),
    /// Approve, decline or send to review one step of a session by hand; the
    /// session's own status stays as it is.
    StepStatus(StepStatusArgs),
    /// Record a reviewer's verdict on AML hits of a session: one hit, or
    /// several at once (all or none are recorded).
    AmlHit(AmlHitArgs),
}

/// Where a correction is read from.
#[derive(Debug, Args)]
pub struct CorrectionInput {
    /// The JSON file holding the correction; `-` or left out reads standard
    /// input.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The workflow node whose record to correct (the node_id of its check
    /// in the decision), for workflows with several such steps; left out,
    /// the most recent record.
    #[arg(long, value_name = "NODE", value_parser = non_empty)]
    pub node: Option<String>,

    #[command(flatten)]
    pub input: CorrectionInput,

    /// Output format: json writes the corrected record, personal data
    /// included.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CompanyArgs {
    /// The KYB session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The company (the uuid of the company in the decision's registry
    /// checks).
    #[arg(long, value_name = "UUID")]
    pub company: Uuid,

    #[command(flatten)]
    pub input: CorrectionInput,

    /// Output format: json writes the corrected company record.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct StepStatusArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The step's workflow node (the node_id of its check in the decision,
    /// such as feature_ocr_1).
    #[arg(long, value_name = "NODE", value_parser = non_empty)]
    pub node: String,

    /// The step's new status.
    #[arg(long, value_enum, ignore_case = true)]
    pub status: StepStatusArg,

    /// Why, kept with the change in the review log.
    #[arg(long, value_name = "TEXT", value_parser = non_empty)]
    pub comment: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The statuses a step can be given by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StepStatusArg {
    #[value(name = "Approved")]
    Approved,
    #[value(name = "Declined")]
    Declined,
    #[value(name = "In Review")]
    InReview,
}

impl From<StepStatusArg> for NewFeatureStatus {
    fn from(status: StepStatusArg) -> Self {
        match status {
            StepStatusArg::Approved => NewFeatureStatus::Approved,
            StepStatusArg::Declined => NewFeatureStatus::Declined,
            StepStatusArg::InReview => NewFeatureStatus::InReview,
        }
    }
}

#[derive(Debug, Args)]
pub struct AmlHitArgs {
    /// The session's id (session_id).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Uuid,

    /// The hit (its id among the hits of the decision's AML check); several
    /// comma-separated, or by repeating the flag, all get the verdict.
    #[arg(long, value_name = "HIT_ID", required = true, value_delimiter = ',', value_parser = non_empty)]
    pub hit: Vec<String>,

    /// The verdict.
    #[arg(long, value_enum, ignore_case = true)]
    pub status: VerdictArg,

    /// The workflow node of the AML step; needed only with several AML steps.
    #[arg(long, value_name = "NODE", value_parser = non_empty)]
    pub node: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A reviewer's verdict on an AML hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerdictArg {
    #[value(name = "Unreviewed")]
    Unreviewed,
    #[value(name = "Confirmed Match")]
    ConfirmedMatch,
    #[value(name = "False Positive")]
    FalsePositive,
    #[value(name = "Inconclusive")]
    Inconclusive,
}

impl From<VerdictArg> for AmlReviewStatus {
    fn from(verdict: VerdictArg) -> Self {
        match verdict {
            VerdictArg::Unreviewed => AmlReviewStatus::Unreviewed,
            VerdictArg::ConfirmedMatch => AmlReviewStatus::ConfirmedMatch,
            VerdictArg::FalsePositive => AmlReviewStatus::FalsePositive,
            VerdictArg::Inconclusive => AmlReviewStatus::Inconclusive,
        }
    }
}

/// A correction read, before it is decoded into its request type.
struct Correction {
    /// Where it was read from, for messages.
    source: String,
    bytes: Vec<u8>,
}

impl Correction {
    /// Reads the correction from `input`. A file that cannot be read is a
    /// usage mistake naming the file.
    fn read(input: &CorrectionInput) -> Result<Self, Failure> {
        let mut bytes = Vec::new();
        let from_stdin = input
            .file
            .as_deref()
            .is_none_or(|path| path == Path::new("-"));
        let (source, read) = match input.file.as_deref() {
            Some(path) if !from_stdin => {
                let read =
                    std::fs::File::open(path).and_then(|file| read_bounded(file, &mut bytes));
                (path.display().to_string(), read)
            }
            _ => (
                "standard input".to_owned(),
                read_bounded(io::stdin(), &mut bytes),
            ),
        };
        read.map_err(|error| {
            Failure::new(
                Exit::Usage,
                format!("cannot read the correction from {source}: {error}"),
            )
        })?;
        Ok(Self { source, bytes })
    }

    /// The decoded correction (`didit::decode_any` of the bytes), or the
    /// usage mistake naming the JSON path that failed, never the value.
    fn decoded<T>(&self, decoded: Result<T, didit::DecodeFailure>) -> Result<T, Failure> {
        decoded.map_err(|failure| {
            Failure::new(
                Exit::Usage,
                format!(
                    "the correction in {} is not one the API takes: {failure}",
                    self.source
                ),
            )
        })
    }

    /// The properties the correction writes, by name: the keys of its
    /// object, all of which are sent.
    fn properties(&self) -> String {
        match serde_json::from_slice::<serde_json::Value>(&self.bytes) {
            Ok(serde_json::Value::Object(properties)) if !properties.is_empty() => {
                properties.keys().cloned().collect::<Vec<_>>().join(", ")
            }
            _ => "nothing".to_owned(),
        }
    }
}

/// Reads `from` whole into `bytes`, refusing more than
/// [`MAX_CORRECTION_BYTES`].
fn read_bounded(from: impl Read, bytes: &mut Vec<u8>) -> io::Result<()> {
    from.take(MAX_CORRECTION_BYTES + 1).read_to_end(bytes)?;
    if bytes.len() as u64 > MAX_CORRECTION_BYTES {
        return Err(io::Error::other(format!(
            "it is larger than {MAX_CORRECTION_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Runs a correction command.
pub async fn run(client: &Client, command: &CorrectionsCommand) -> Result<(), Stop> {
    let mut out = io::stdout();
    let sessions = client.sessions();
    match command {
        CorrectionsCommand::CorrectDocument(args) => {
            let input = Correction::read(&args.input)?;
            let correction =
                input.decoded(didit::decode_any::<UpdateDocumentDataRequest>(&input.bytes))?;
            let written = input.properties();
            let mut request = sessions.correct_document(args.session_id, correction);
            if let Some(node) = &args.node {
                request = request.node_id(node);
            }
            let record = request.send().await.map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: document data corrected ({written})",
                    args.session_id
                )?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&*record))?,
            }
        }
        CorrectionsCommand::CorrectPoa(args) => {
            let input = Correction::read(&args.input)?;
            let correction =
                input.decoded(didit::decode_any::<UpdatePoaDataRequest>(&input.bytes))?;
            let written = input.properties();
            let mut request = sessions.correct_proof_of_address(args.session_id, correction);
            if let Some(node) = &args.node {
                request = request.node_id(node);
            }
            let record = request.send().await.map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: proof-of-address data corrected ({written})",
                    args.session_id
                )?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&*record))?,
            }
        }
        CorrectionsCommand::CorrectCompany(args) => {
            let input = Correction::read(&args.input)?;
            let correction =
                input.decoded(didit::decode_any::<UpdateCompanyDataRequest>(&input.bytes))?;
            let written = input.properties();
            let record = sessions
                .correct_company(args.session_id, args.company, correction)
                .send()
                .await
                .map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: company {} corrected ({written})",
                    args.session_id, args.company
                )?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&*record))?,
            }
        }
        CorrectionsCommand::StepStatus(args) => {
            let mut request =
                sessions.update_step_status(args.session_id, &args.node, args.status.into());
            if let Some(comment) = &args.comment {
                request = request.comment(comment);
            }
            let updated = request.send().await.map_err(Failure::from)?;
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: step {} set to {}",
                    args.session_id,
                    args.node,
                    NewFeatureStatus::from(args.status)
                )?,
                Format::Json => write_json(&mut out, serde_json::to_vec_pretty(&*updated))?,
            }
        }
        CorrectionsCommand::AmlHit(args) => {
            let verdict = AmlReviewStatus::from(args.status);
            let answer = if let [hit] = args.hit.as_slice() {
                let mut request = sessions.review_aml_hit(args.session_id, hit, verdict.clone());
                if let Some(node) = &args.node {
                    request = request.node_id(node);
                }
                let reviewed = request.send().await.map_err(Failure::from)?;
                serde_json::to_vec_pretty(&*reviewed)
            } else {
                let verdicts = args
                    .hit
                    .iter()
                    .map(|hit| AmlHitUpdate::new(hit.clone(), verdict.clone()));
                let mut request = sessions.review_aml_hits(args.session_id, verdicts);
                if let Some(node) = &args.node {
                    request = request.node_id(node);
                }
                let reviewed = request.send().await.map_err(Failure::from)?;
                serde_json::to_vec_pretty(&*reviewed)
            };
            match args.format {
                Format::Table => writeln!(
                    out,
                    "{}: {} AML hit(s) marked {verdict}",
                    args.session_id,
                    args.hit.len()
                )?,
                Format::Json => write_json(&mut out, answer)?,
            }
        }
    }
    Ok(())
}
