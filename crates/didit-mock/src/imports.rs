//! Import jobs: a file of verifications made before, uploaded as a
//! `multipart/form-data` form or named by address in JSON, becomes a job
//! whose rows are checked and, when they pass, become sessions of the
//! store (migrated ones, in the session list like any other).
//!
//! A job moves one step each time it is read: `PENDING` when created,
//! `PROCESSING` at the first read (its rows counted), then `COMPLETED` (or
//! `FAILED` when the file as a whole was unreadable) at the second, when its
//! rows are imported. Nothing runs in the background, so tests see the same
//! states every time. The fake fetches no file from an address: a job
//! started with `source_file_url` fails, saying so.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use didit_api::types::{KybSession, KycSession};
use didit_api::{SessionKind, SessionStatus, Timestamp};
use serde_json::{Map, Value, json};
use uuid::Uuid;
use wiremock::http::Method;
use wiremock::{Request, ResponseTemplate};

use crate::lifecycle::State;
use crate::store::{KybFacts, KybRecord, KycFacts, KycRecord, MockSession};

/// Where the import operations are served.
pub(crate) const IMPORTS_PATH: &str = "/v3/session/imports/";

/// The largest upload the API takes (25 MB, read as mebibytes).
const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// `count` of the refused rows is exact up to this many.
const COUNT_CAP: usize = 100;

/// Refused rows on a page when the request names no `limit`.
const DEFAULT_ERRORS_LIMIT: usize = 50;

/// The import operations the fake serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImportOperation {
    Create,
    Template,
    Get(Uuid),
    Errors(Uuid),
}

impl ImportOperation {
    /// The operation served at `path`, if any.
    pub(crate) fn at(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(IMPORTS_PATH)?;
        match rest {
            "" => return Some(Self::Create),
            "template/" => return Some(Self::Template),
            _ => {}
        }
        let (id, action) = rest.split_once('/')?;
        let id = Uuid::parse_str(id).ok()?;
        match action {
            "" => Some(Self::Get(id)),
            "errors/" => Some(Self::Errors(id)),
            _ => None,
        }
    }

    pub(crate) fn method(self) -> Method {
        match self {
            Self::Create => Method::POST,
            Self::Template | Self::Get(_) | Self::Errors(_) => Method::GET,
        }
    }
}

/// The columns of each import type's template: the fake's own choice
/// where Didit publishes none. Sessions start with `external_id`.
fn template_columns(import_type: &str) -> Option<&'static [&'static str]> {
    Some(match import_type {
        "user_verification" => &[
            "external_id",
            "vendor_data",
            "status",
            "first_name",
            "last_name",
            "date_of_birth",
            "document_number",
            "country",
        ],
        "business_verification" => &[
            "external_id",
            "vendor_data",
            "status",
            "company_name",
            "registration_number",
            "country",
        ],
        "status_rules" => &["rule_name", "status", "condition"],
        "transactions" => &["external_id", "amount", "currency", "occurred_at"],
        _ => return None,
    })
}

/// The columns a row of sessions must fill.
fn required_columns(import_type: &str) -> &'static [&'static str] {
    match import_type {
        "user_verification" => &[
            "external_id",
            "status",
            "first_name",
            "last_name",
            "document_number",
        ],
        "business_verification" => &["external_id", "status", "company_name"],
        _ => &[],
    }
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Pending => "PENDING",
            Stage::Processing => "PROCESSING",
            Stage::Completed => "COMPLETED",
            Stage::Failed => "FAILED",
        }
    }
}

/// One row of a file, as read: its number (the first row after a CSV's
/// header is 1) and its values by column.
type Row = (i64, Map<String, Value>);

#[derive(Debug)]
struct Job {
    uuid: Uuid,
    stage: Stage,
    import_type: String,
    source_format: String,
    source_filename: String,
    workflow_id: Option<Uuid>,
    /// The rows read, or why the file as a whole could not be.
    rows: Result<Vec<Row>, String>,
    processed_rows: i64,
    created_count: i64,
    updated_count: i64,
    skipped_count: i64,
    errors: Vec<Value>,
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
}

impl Job {
    fn total_rows(&self) -> i64 {
        match (&self.rows, self.stage) {
            (_, Stage::Pending) | (Err(_), _) => 0,
            (Ok(rows), _) => rows.len() as i64,
        }
    }

    fn to_json(&self) -> Value {
        let processed = self.processed_rows;
        json!({
            "uuid": self.uuid,
            "status": self.stage.as_str(),
            "import_type": self.import_type,
            "source_format": self.source_format,
            "source_filename": self.source_filename,
            "total_rows": self.total_rows(),
            "processed_rows": processed,
            "checkpoint_row": processed,
            "created_count": self.created_count,
            "updated_count": self.updated_count,
            "skipped_count": self.skipped_count,
            "failed_count": self.errors.len(),
            "total_media_bytes": 0,
            "last_error": match (&self.rows, self.stage) {
                (Err(reason), Stage::Failed) => Value::String(reason.clone()),
                _ => Value::Null,
            },
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
        })
    }
}

/// The import jobs of the application, and the sessions imported so far
/// by `external_id` (importing one again updates it).
#[derive(Debug, Default)]
pub(crate) struct ImportJobs {
    jobs: Vec<Job>,
    imported: HashMap<String, Uuid>,
}

fn detail(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "detail": message }))
}

fn field_error(field: &str, message: &str) -> (u16, Value) {
    (400, json!({ field: [message] }))
}

fn not_found() -> (u16, Value) {
    detail(404, "Not found.")
}

/// A template of a JSON answer.
fn json_template((status, body): (u16, Value)) -> (ResponseTemplate, u16) {
    (
        ResponseTemplate::new(status).set_body_raw(
            serde_json::to_vec(&body).expect("JSON values serialize"),
            "application/json",
        ),
        status,
    )
}

/// What the request asked for, before it is checked.
#[derive(Default)]
struct Asked {
    import_type: Option<String>,
    workflow_id: Option<String>,
    source_format: Option<String>,
    source_file_url: Option<String>,
    /// The uploaded file's name and bytes.
    file: Option<(String, Vec<u8>)>,
}

impl ImportJobs {
    /// Answers one import operation; `state` holds the sessions.
    pub(crate) fn answer(
        &mut self,
        operation: ImportOperation,
        request: &Request,
        state: &mut State,
        origin: &str,
    ) -> (ResponseTemplate, u16) {
        match operation {
            ImportOperation::Create => json_template(self.create(request)),
            ImportOperation::Get(id) => json_template(self.read(id, state)),
            ImportOperation::Errors(id) => json_template(self.errors(id, request, origin)),
            ImportOperation::Template => template(request),
        }
    }

    fn create(&mut self, request: &Request) -> (u16, Value) {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let asked = if content_type.starts_with("multipart/form-data") {
            match form_of(content_type, &request.body) {
                Some(asked) => asked,
                None => return detail(400, "Multipart form parse error."),
            }
        } else {
            match json_of(&request.body) {
                Ok(asked) => asked,
                Err(answer) => return answer,
            }
        };
        let import_type = asked
            .import_type
            .clone()
            .unwrap_or_else(|| "user_verification".to_owned());
        if template_columns(&import_type).is_none() {
            return field_error(
                "import_type",
                &format!("\"{import_type}\" is not a valid choice."),
            );
        }
        let workflow_id = match asked.workflow_id.as_deref() {
            Some(id) => match Uuid::parse_str(id) {
                Ok(id) => Some(id),
                Err(_) => return field_error("workflow_id", "Invalid workflow_id."),
            },
            None if import_type == "transactions" => None,
            None => {
                return field_error(
                    "workflow_id",
                    "This field is required for this import type.",
                );
            }
        };
        let (source_filename, rows_of) = match (&asked.file, &asked.source_file_url) {
            (Some(_), Some(_)) => {
                return field_error("file", "Use either file or source_file_url, not both.");
            }
            (None, None) => {
                return field_error("file", "Upload a file or provide source_file_url.");
            }
            (Some((name, bytes)), None) => {
                if bytes.len() > MAX_UPLOAD_BYTES {
                    return field_error("file", "Import file exceeds the maximum allowed size.");
                }
                (name.clone(), Some(bytes.as_slice()))
            }
            (None, Some(address)) => {
                let https = url::Url::parse(address)
                    .is_ok_and(|url| url.scheme() == "https" && url.host().is_some());
                if !https {
                    return field_error("source_file_url", "Enter a valid URL.");
                }
                let name = address
                    .rsplit('/')
                    .next()
                    .filter(|name| !name.is_empty())
                    .unwrap_or("import")
                    .to_owned();
                (name, None)
            }
        };
        let extension = source_filename
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase());
        let source_format = match asked.source_format.as_deref().or(extension.as_deref()) {
            Some(format @ ("csv" | "ndjson")) => format.to_owned(),
            _ => return field_error("file", "Only CSV and NDJSON files are supported."),
        };
        let busy = self
            .jobs
            .iter()
            .any(|job| matches!(job.stage, Stage::Pending | Stage::Processing));
        if busy {
            return detail(
                429,
                "This application already has an active import job. Wait for it to finish before starting another.",
            );
        }
        let rows = match rows_of {
            Some(bytes) if source_format == "csv" => csv_rows(bytes),
            Some(bytes) => Ok(ndjson_rows(bytes)),
            None => Err("The file could not be fetched from source_file_url.".to_owned()),
        };
        let now = Timestamp::from(Utc::now());
        let job = Job {
            uuid: uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid(),
            stage: Stage::Pending,
            import_type,
            source_format,
            source_filename,
            workflow_id,
            rows,
            processed_rows: 0,
            created_count: 0,
            updated_count: 0,
            skipped_count: 0,
            errors: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
            started_at: None,
            completed_at: None,
        };
        let body = job.to_json();
        self.jobs.push(job);
        (201, body)
    }

    /// Reads a job, moving it one step on.
    fn read(&mut self, id: Uuid, state: &mut State) -> (u16, Value) {
        let Some(index) = self.jobs.iter().position(|job| job.uuid == id) else {
            return not_found();
        };
        let now = Timestamp::from(Utc::now());
        let stage = self.jobs[index].stage;
        match stage {
            Stage::Pending => {
                let job = &mut self.jobs[index];
                job.stage = Stage::Processing;
                job.started_at = Some(now.clone());
                job.updated_at = now;
            }
            Stage::Processing => self.run(index, state, now),
            Stage::Completed | Stage::Failed => {}
        }
        (200, self.jobs[index].to_json())
    }

    /// Imports the rows of the job at `index`, ending it.
    fn run(&mut self, index: usize, state: &mut State, now: Timestamp) {
        let job = &mut self.jobs[index];
        job.updated_at = now.clone();
        job.completed_at = Some(now.clone());
        let rows = match &job.rows {
            Ok(rows) => rows.clone(),
            Err(_) => {
                job.stage = Stage::Failed;
                return;
            }
        };
        for (number, row) in rows {
            job.processed_rows += 1;
            let external_id = row
                .get("external_id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            let refused = |error: String| {
                json!({
                    "uuid": uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid(),
                    "row_number": number,
                    "external_id": external_id,
                    "error": error,
                    "raw_row": row,
                    "created_at": now,
                })
            };
            if required_columns(&job.import_type).is_empty() {
                // Status rules and transactions are not kept by the fake.
                job.skipped_count += 1;
                continue;
            }
            if let Err(error) = check_row(&job.import_type, &row) {
                let entry = refused(error);
                job.errors.push(entry);
                continue;
            }
            let external_id = external_id.expect("checked");
            let earlier = self.imported.get(&external_id).copied();
            let session_id = earlier.unwrap_or_else(|| {
                uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
            });
            let number = match earlier.and_then(|id| number_of(state, id)) {
                Some(number) => number,
                None => state.take_session_number(),
            };
            let session = session_of(
                &job.import_type,
                &row,
                session_id,
                number,
                job.workflow_id,
                now.clone(),
            );
            let replaced = earlier.is_some_and(|id| number_of(state, id).is_some());
            state.edit(|sessions| {
                match sessions
                    .iter_mut()
                    .find(|s| s.session_id() == Some(session_id))
                {
                    Some(slot) => *slot = session,
                    None => sessions.push(session),
                }
            });
            if replaced {
                job.updated_count += 1;
            } else {
                job.created_count += 1;
            }
            self.imported.insert(external_id, session_id);
        }
        job.stage = Stage::Completed;
    }

    fn errors(&self, id: Uuid, request: &Request, origin: &str) -> (u16, Value) {
        let Some(job) = self.jobs.iter().find(|job| job.uuid == id) else {
            return not_found();
        };
        let mut limit = DEFAULT_ERRORS_LIMIT;
        let mut offset = 0;
        for (name, value) in request.url.query_pairs() {
            match name.as_ref() {
                "limit" => match value.parse::<usize>() {
                    Ok(asked) if asked >= 1 => limit = asked,
                    _ => {
                        return field_error(
                            "limit",
                            "Ensure this value is greater than or equal to 1.",
                        );
                    }
                },
                "offset" => match value.parse::<usize>() {
                    Ok(asked) => offset = asked,
                    _ => return field_error("offset", "A valid integer is required."),
                },
                _ => {}
            }
        }
        let total = job.errors.len();
        let results: Vec<&Value> = job.errors.iter().skip(offset).take(limit).collect();
        let base = format!("{origin}{IMPORTS_PATH}{id}/errors/");
        let next = (offset.saturating_add(limit) < total)
            .then(|| format!("{base}?limit={limit}&offset={}", offset + limit));
        let previous = (offset > 0).then(|| {
            let back = offset.saturating_sub(limit);
            if back == 0 {
                format!("{base}?limit={limit}")
            } else {
                format!("{base}?limit={limit}&offset={back}")
            }
        });
        (
            200,
            json!({
                "count": total.min(COUNT_CAP),
                "next": next,
                "previous": previous,
                "results": results,
            }),
        )
    }
}

/// `GET …/imports/template/`: the header line of an import type.
fn template(request: &Request) -> (ResponseTemplate, u16) {
    let import_type = request
        .url
        .query_pairs()
        .find(|(name, _)| name == "import_type")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| "user_verification".to_owned());
    match template_columns(&import_type) {
        Some(columns) => (
            ResponseTemplate::new(200)
                .set_body_raw(format!("{}\n", columns.join(",")), "text/csv")
                .insert_header(
                    "Content-Disposition",
                    format!("attachment; filename=\"{import_type}_template.csv\""),
                ),
            200,
        ),
        None => json_template(field_error(
            "import_type",
            &format!("\"{import_type}\" is not a valid choice."),
        )),
    }
}

/// The session number of `id`, if the store still holds it.
fn number_of(state: &State, id: Uuid) -> Option<i64> {
    let store = &state.store;
    store
        .kyc()
        .iter()
        .filter(|record| record.row.session_id == Some(id))
        .find_map(|record| record.row.session_number)
        .or_else(|| {
            store
                .kyb()
                .iter()
                .filter(|record| record.row.session_id == Some(id))
                .find_map(|record| record.row.session_number)
        })
}

/// Why a row of sessions is refused, if it is: every required column
/// filled, a known status, a date of birth that is a date.
fn check_row(import_type: &str, row: &Map<String, Value>) -> Result<(), String> {
    let text = |column: &str| row.get(column).and_then(Value::as_str).unwrap_or("");
    for column in required_columns(import_type) {
        if text(column).trim().is_empty() {
            return Err(format!("{column}: This field is required."));
        }
    }
    let known = SessionStatus::KNOWN
        .iter()
        .any(|status| status.as_str() == text("status"));
    if !known {
        return Err("status: invalid value".to_owned());
    }
    let birth = text("date_of_birth");
    if !birth.is_empty() && NaiveDate::parse_from_str(birth, "%Y-%m-%d").is_err() {
        return Err("date_of_birth: Enter a valid date (YYYY-MM-DD).".to_owned());
    }
    Ok(())
}

/// The migrated session a checked row becomes.
fn session_of(
    import_type: &str,
    row: &Map<String, Value>,
    session_id: Uuid,
    number: i64,
    workflow_id: Option<Uuid>,
    now: Timestamp,
) -> MockSession {
    let text = |column: &str| {
        row.get(column)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let status = SessionStatus::from(text("status").unwrap_or_default().as_str());
    if import_type == "business_verification" {
        let mut session = KybSession::new(SessionKind::Business)
            .with_session_id(session_id)
            .with_session_number(number)
            .with_status(status)
            .with_created_at(now)
            .with_workflow_type("kyb");
        session.workflow_id = Some(workflow_id);
        session.vendor_data = Some(text("vendor_data"));
        session.company_name = Some(text("company_name"));
        session.registration_number = Some(text("registration_number"));
        session.country = Some(text("country"));
        return MockSession::from(KybRecord {
            row: session,
            facts: KybFacts::default(),
        });
    }
    let full_name = [text("first_name"), text("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut session = KycSession::new()
        .with_session_id(session_id)
        .with_session_kind(SessionKind::User)
        .with_session_number(number)
        .with_status(status)
        .with_created_at(now)
        .with_features(Vec::new());
    session.vendor_data = Some(text("vendor_data"));
    session.full_name = Some(Some(full_name));
    session.country = Some(text("country"));
    MockSession::from(KycRecord {
        row: session,
        facts: KycFacts {
            workflow_id,
            session_type: Some("MIGRATED".to_owned()),
            document_number: text("document_number"),
            ..KycFacts::default()
        },
    })
}

/// The rows of a CSV file, or why it cannot be read as one.
fn csv_rows(bytes: &[u8]) -> Result<Vec<Row>, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|_| "The file is not UTF-8 CSV.".to_owned())?
        .iter()
        .map(|column| column.trim().to_owned())
        .collect();
    if header.first().map(String::as_str) != Some("external_id") {
        return Err("The header line does not start with the column external_id.".to_owned());
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = index as i64 + 1;
        let record = record.map_err(|_| format!("Row {number} is not UTF-8 CSV."))?;
        let mut row = Map::new();
        for (column, value) in header.iter().zip(record.iter()) {
            row.insert(column.clone(), Value::String(value.to_owned()));
        }
        rows.push((number, row));
    }
    Ok(rows)
}

/// The rows of an NDJSON file; a line that is not an object becomes an
/// empty row, refused for lacking every column.
fn ndjson_rows(bytes: &[u8]) -> Vec<Row> {
    bytes
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .enumerate()
        .map(|(index, line)| {
            let row = match serde_json::from_slice::<Map<String, Value>>(line) {
                Ok(object) => object
                    .into_iter()
                    .map(|(column, value)| {
                        let value = match value {
                            Value::String(text) => Value::String(text),
                            Value::Null => Value::String(String::new()),
                            other => Value::String(other.to_string()),
                        };
                        (column, value)
                    })
                    .collect(),
                Err(_) => Map::new(),
            };
            (index as i64 + 1, row)
        })
        .collect()
}

/// The fields of a JSON body.
fn json_of(body: &[u8]) -> Result<Asked, (u16, Value)> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(detail(400, "JSON parse error."));
    };
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    Ok(Asked {
        import_type: text("import_type"),
        workflow_id: text("workflow_id"),
        source_format: text("source_format"),
        source_file_url: text("source_file_url"),
        file: None,
    })
}

/// The fields of a `multipart/form-data` body; `None` when it is not one.
fn form_of(content_type: &str, body: &[u8]) -> Option<Asked> {
    let boundary = content_type
        .split(';')
        .filter_map(|parameter| parameter.trim().strip_prefix("boundary="))
        .next()?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut asked = Asked::default();
    let mut rest = body.get(find(body, &delimiter)? + delimiter.len()..)?;
    loop {
        if rest.starts_with(b"--") {
            return Some(asked);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, &[b"\r\n", delimiter.as_slice()].concat())?;
        let part = rest.get(..end)?;
        rest = rest.get(end + 2 + delimiter.len()..)?;
        let split = find(part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(part.get(..split)?).ok()?;
        let content = part.get(split + 4..)?;
        let disposition = headers
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with("content-disposition"))?;
        let parameter = |name: &str| {
            disposition
                .split(';')
                .filter_map(|item| item.trim().strip_prefix(name))
                .map(|value| value.trim_matches('"').to_owned())
                .next()
        };
        let name = parameter("name=")?;
        let text = || String::from_utf8(content.to_vec()).ok();
        match name.as_str() {
            "file" => {
                asked.file = Some((parameter("filename=").unwrap_or_default(), content.to_vec()));
            }
            "import_type" => asked.import_type = text(),
            "workflow_id" => asked.workflow_id = text(),
            "source_format" => asked.source_format = text(),
            "source_file_url" => asked.source_file_url = text(),
            _ => {}
        }
    }
}

/// Where `needle` first starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_gives_its_fields_and_file() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"import_type\"\r\n\r\nuser_verification\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nexternal_id\r\nx\r\n--XyZ--\r\n";
        let asked = form_of("multipart/form-data; boundary=XyZ", body).expect("a form");
        assert_eq!(asked.import_type.as_deref(), Some("user_verification"));
        let (name, content) = asked.file.expect("a file");
        assert_eq!(name, "a.csv");
        assert_eq!(content, b"external_id\r\nx");
        assert!(form_of("multipart/form-data; boundary=Other", body).is_none());
    }

    #[test]
    fn rows_are_checked_as_documented() {
        let row = |status: &str, birth: &str| {
            let mut row = Map::new();
            for (column, value) in [
                ("external_id", "e-1"),
                ("status", status),
                ("first_name", "Jane"),
                ("last_name", "Doe"),
                ("document_number", "X1"),
                ("date_of_birth", birth),
            ] {
                row.insert(column.to_owned(), Value::String(value.to_owned()));
            }
            row
        };
        assert!(check_row("user_verification", &row("Approved", "1990-05-01")).is_ok());
        assert!(check_row("user_verification", &row("Approved", "")).is_ok());
        assert!(check_row("user_verification", &row("Unknown", "1990-05-01")).is_err());
        assert!(check_row("user_verification", &row("Approved", "01/05/1990")).is_err());
        let mut missing = row("Approved", "");
        missing.insert("document_number".to_owned(), Value::String(" ".to_owned()));
        assert_eq!(
            check_row("user_verification", &missing),
            Err("document_number: This field is required.".to_owned())
        );
    }
}
