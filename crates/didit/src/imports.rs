//! Imports of verifications made before: upload a file in Didit's import
//! format (or name an address the server fetches it from), follow the job
//! it starts, list the rows it refused, and download the columns a file
//! must have.
//!
//! An upload is checked before it is sent (its size, its name, its first
//! line) and streamed from the file: it is never held whole in memory.

use std::fmt;
use std::io::SeekFrom;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use didit_api::hooks::RequestOptions;
use didit_api::{ByteStream, ImportSourceFormat, ImportStatus, ImportType};
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use uuid::Uuid;

use crate::link_pages::{self, LinkedPage, PageSource, Sent};
use crate::poll::Polling;
use crate::save::save_atomically;
use crate::transport::body_error;
use crate::types::{
    ApiError, CreateSessionImportRequest, SessionImportError, SessionImportErrorPage,
    SessionImportJob,
};
use crate::{CallOptions, Client, Error, Reply, ReplyMetadata, Result, Sessions};

/// The largest file the API takes in an upload (25 MB, counted here in
/// mebibytes, the larger reading: the server has the last word). Larger
/// files are imported from an address with [`Imports::from_url`].
pub const MAX_IMPORT_FILE_BYTES: u64 = 25 * 1024 * 1024;

/// How much of a file is read to check its first line.
const FIRST_LINE_LIMIT: u64 = 64 * 1024;

/// The column every session import file starts with: the key that makes
/// importing a row twice update it.
const EXTERNAL_ID: &str = "external_id";

/// The operation name of an upload, as the generated client calls it.
const CREATE_OPERATION: &str = "create_session_import";

impl<'a> Sessions<'a> {
    /// The import jobs of verifications made before.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let imports = client.sessions().imports();
    /// # let _ = imports;
    /// ```
    pub fn imports(&self) -> Imports<'a> {
        Imports {
            client: self.client,
        }
    }
}

/// The operations on import jobs; see [`Sessions::imports`].
#[derive(Clone, Copy, Debug)]
pub struct Imports<'a> {
    client: &'a Client,
}

impl Imports<'_> {
    /// Starts uploading the file at `path` to import it. The file must be
    /// in Didit's CSV or NDJSON import format (see
    /// [`template`](Self::template)) and at most
    /// [`MAX_IMPORT_FILE_BYTES`]; [`send`](UploadImport::send) checks
    /// that before sending anything. The upload is a write: it is sent
    /// once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/session/imports/"))
    ///     .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
    ///         "uuid": "3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    ///         "status": "PENDING",
    ///         "import_type": "user_verification",
    ///         "source_format": "csv",
    ///         "source_filename": "sessions.csv",
    ///         "total_rows": 0, "processed_rows": 0, "created_count": 0,
    ///         "updated_count": 0, "skipped_count": 0, "failed_count": 0,
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let directory = tempfile::tempdir().expect("a temporary directory");
    /// let file = directory.path().join("sessions.csv");
    /// std::fs::write(&file, "external_id,first_name\next-1,Jane\n").expect("written");
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let workflow = didit::Uuid::parse_str("33333333-4444-5555-6666-777777777777").unwrap();
    /// let job = client.sessions().imports().upload(&file).workflow_id(workflow).send().await?;
    /// assert_eq!(job.status, didit::ImportStatus::Pending);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, path: impl Into<PathBuf>) -> UploadImport {
        UploadImport {
            client: self.client.clone(),
            path: path.into(),
            import_type: None,
            workflow_id: None,
            source_format: None,
            progress: None,
            options: CallOptions::default(),
        }
    }

    /// Starts an import of the file at `source_file_url`, a public HTTPS
    /// address the server fetches it from (for files larger than an upload
    /// may be). [`send`](ImportFromUrl::send) it; it is sent once.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, workflow: didit::Uuid) -> Result<(), didit::Error> {
    /// let job = client
    ///     .sessions()
    ///     .imports()
    ///     .from_url("https://files.example.com/exports/sessions.ndjson")
    ///     .workflow_id(workflow)
    ///     .send()
    ///     .await?;
    /// println!("job {} is {}", job.uuid, job.status);
    /// # Ok(()) }
    /// ```
    pub fn from_url(&self, source_file_url: impl Into<String>) -> ImportFromUrl {
        ImportFromUrl {
            client: self.client.clone(),
            request: CreateSessionImportRequest::new(source_file_url),
            options: CallOptions::default(),
        }
    }

    /// Starts reading an import job as it stands: its status and counts.
    /// [`send`](GetImport::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let job = client.sessions().imports().get(id).send().await?;
    /// println!("{} of {} rows, {} refused", job.processed_rows, job.total_rows, job.failed_count);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, import_id: Uuid) -> GetImport {
        GetImport {
            client: self.client.clone(),
            import_id,
            options: CallOptions::default(),
        }
    }

    /// Starts waiting for an import job to be over (see
    /// [`WaitForImport`]); [`send`](WaitForImport::send) returns the job
    /// then, with its final counts.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let job = client.sessions().imports().wait_until_finished(id).send().await?;
    /// println!("{:?}: {} created, {} refused", job.status, job.created_count, job.failed_count);
    /// # Ok(()) }
    /// ```
    pub fn wait_until_finished(&self, import_id: Uuid) -> WaitForImport {
        WaitForImport {
            import: self.get(import_id),
            polling: Polling::default(),
        }
    }

    /// Starts reading the rows an import job refused, in file order: one
    /// page with [`send`](ListImportErrors::send), all of them with
    /// [`pages`](ListImportErrors::pages) or
    /// [`items`](ListImportErrors::items). The rows are personal data.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let page = client.sessions().imports().errors(id).limit(50).send().await?;
    /// for refused in &page.results {
    ///     println!("row {}: {}", refused.row_number, refused.error);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn errors(&self, import_id: Uuid) -> ListImportErrors {
        ListImportErrors {
            client: self.client.clone(),
            import_id,
            limit: None,
            offset: 0,
            options: CallOptions::default(),
        }
    }

    /// Starts downloading the CSV header line an import file must start
    /// with. [`send`](GetImportTemplate::send) it, then
    /// [`save`](ImportTemplate::save) it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::path("/v3/session/imports/template/"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_raw("external_id,first_name\n", "text/csv"))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let template = client.sessions().imports().template().send().await?;
    /// let directory = tempfile::tempdir().expect("a temporary directory");
    /// let written = template.save(directory.path().join("template.csv")).await?;
    /// assert_eq!(written, 23);
    /// # Ok(()) }
    /// ```
    pub fn template(&self) -> GetImportTemplate {
        GetImportTemplate {
            client: self.client.clone(),
            import_type: None,
            options: CallOptions::default(),
        }
    }
}

/// What is wrong with a file to import; see [`Error::ImportFile`]. It names
/// the problem, never the file's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportFileProblem {
    /// The file could not be opened or read.
    #[error("could not read it: {0}")]
    Unreadable(#[source] std::io::Error),
    /// The file is larger than an upload may be.
    #[error(
        "it holds {size} bytes, more than the {limit} an upload may carry; import it from an address instead"
    )]
    #[non_exhaustive]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The largest upload, [`MAX_IMPORT_FILE_BYTES`].
        limit: u64,
    },
    /// Its name ends neither in `.csv` nor in `.ndjson`, and no
    /// [`source_format`](UploadImport::source_format) was given.
    #[error("its name ends neither in .csv nor in .ndjson; name its format with source_format")]
    UnknownFormat,
    /// The file is empty.
    #[error("it is empty")]
    Empty,
    /// Its first line is not UTF-8 text, or longer than 64 KiB.
    #[error("its first line is not UTF-8 text of at most 64 KiB")]
    FirstLineUnreadable,
    /// A CSV file of sessions whose header line does not start with the
    /// `external_id` column.
    #[error("its header line does not start with the column `external_id`")]
    MissingExternalId,
    /// An NDJSON file whose first line is not a JSON object.
    #[error("its first line is not a JSON object")]
    NotJsonLines,
}

/// What an upload tells as its file is read into the request: the bytes
/// read so far, and the file's size.
type UploadProgress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// An upload of a file to import; see [`Imports::upload`].
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UploadImport {
    client: Client,
    path: PathBuf,
    import_type: Option<ImportType>,
    workflow_id: Option<Uuid>,
    source_format: Option<ImportSourceFormat>,
    progress: Option<UploadProgress>,
    options: CallOptions,
}

impl fmt::Debug for UploadImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadImport")
            .field("client", &self.client)
            .field("path", &self.path)
            .field("import_type", &self.import_type)
            .field("workflow_id", &self.workflow_id)
            .field("source_format", &self.source_format)
            .field("progress", &self.progress.as_ref().map(|_| "[set]"))
            .field("options", &self.options)
            .finish()
    }
}

impl UploadImport {
    /// What the file holds; left out, the server imports KYC sessions
    /// ([`ImportType::UserVerification`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let upload = client.sessions().imports().upload("kyb.csv").import_type(didit::ImportType::BusinessVerification);
    /// # let _ = upload;
    /// ```
    pub fn import_type(mut self, import_type: ImportType) -> Self {
        self.import_type = Some(import_type);
        self
    }

    /// The workflow the imported sessions or status rules belong to; every
    /// import type needs one but [`ImportType::Transactions`].
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let upload = client.sessions().imports().upload("sessions.csv").workflow_id(didit::Uuid::nil());
    /// # let _ = upload;
    /// ```
    pub fn workflow_id(mut self, workflow_id: Uuid) -> Self {
        self.workflow_id = Some(workflow_id);
        self
    }

    /// The file's format, for a file whose name does not say it (left
    /// out, `.csv` or `.ndjson` at the end of its name does).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let upload = client.sessions().imports().upload("export.txt").source_format(didit::ImportSourceFormat::Csv);
    /// # let _ = upload;
    /// ```
    pub fn source_format(mut self, format: ImportSourceFormat) -> Self {
        self.source_format = Some(format);
        self
    }

    /// Calls `progress` as the file is read into the request, with the
    /// bytes read so far and the file's size (for a progress bar).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let upload = client
    ///     .sessions()
    ///     .imports()
    ///     .upload("sessions.csv")
    ///     .on_progress(|sent, size| eprintln!("{sent} of {size} bytes"));
    /// # let _ = upload;
    /// ```
    pub fn on_progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Sends this call with other time limits than the client's (see
    /// [`CallOptions`]); an upload is never sent twice, whatever the retry
    /// policy says.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let upload = client
    ///     .sessions()
    ///     .imports()
    ///     .upload("sessions.csv")
    ///     .call_options(didit::CallOptions::new().attempt_timeout(std::time::Duration::from_secs(300)));
    /// # let _ = upload;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Checks the file (size, format, first line), then uploads it as a
    /// `multipart/form-data` stream read from the file as it goes. A file
    /// refused by the checks is [`Error::ImportFile`], and nothing is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let directory = tempfile::tempdir().expect("a temporary directory");
    /// let file = directory.path().join("sessions.csv");
    /// std::fs::write(&file, "first_name\nJane\n").expect("written");
    /// let error = client.sessions().imports().upload(&file).send().await.unwrap_err();
    /// assert!(matches!(
    ///     error,
    ///     didit::Error::ImportFile { problem: didit::ImportFileProblem::MissingExternalId, .. }
    /// ));
    /// assert!(!error.to_string().contains("Jane"));
    /// # }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionImportJob>> {
        let client = self.options.apply(&self.client)?;
        let refused = |problem| Error::ImportFile {
            path: self.path.clone(),
            problem,
        };
        let format = match &self.source_format {
            Some(format) => format.clone(),
            None => {
                format_of(&self.path).ok_or_else(|| refused(ImportFileProblem::UnknownFormat))?
            }
        };
        let mut file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|error| refused(ImportFileProblem::Unreadable(error)))?;
        let size = file
            .metadata()
            .await
            .map_err(|error| refused(ImportFileProblem::Unreadable(error)))?
            .len();
        check_size(size).map_err(refused)?;
        let first_line = read_first_line(&mut file, size).await.map_err(refused)?;
        let import_type = self
            .import_type
            .clone()
            .unwrap_or(ImportType::UserVerification);
        check_first_line(&first_line, &format, &import_type).map_err(refused)?;
        file.seek(SeekFrom::Start(0))
            .await
            .map_err(|error| refused(ImportFileProblem::Unreadable(error)))?;

        let file_name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("import.{}", format.as_str()));
        let form = upload_form(
            file,
            size,
            file_name,
            &format,
            self.import_type.as_ref(),
            self.workflow_id,
            self.progress.clone(),
        )?;
        let url = client
            .inner
            .base_url
            .join("v3/session/imports/")
            .map_err(|_| Error::Internal {
                what: "the imports path does not join the base URL",
            })?;
        let request = client
            .inner
            .http
            .post(url)
            .multipart(form)
            .build()
            .map_err(|error| Error::Transport {
                source: error.without_url(),
            })?;
        let answer = client.send_built(request, CREATE_OPERATION).await?;
        Ok(Reply::from_answer(answer))
    }
}

/// The form of an upload; its `file` part streams from `file`, `size` bytes
/// long (checked already).
fn upload_form(
    file: tokio::fs::File,
    size: u64,
    file_name: String,
    format: &ImportSourceFormat,
    import_type: Option<&ImportType>,
    workflow_id: Option<Uuid>,
    progress: Option<UploadProgress>,
) -> Result<Form> {
    let mime = match format {
        ImportSourceFormat::Ndjson => "application/x-ndjson",
        _ => "text/csv",
    };
    // At most `size` bytes: a file that grows while it is sent still
    // matches the length announced.
    let mut read: u64 = 0;
    let chunks = tokio_util::io::ReaderStream::new(file.take(size)).inspect(move |chunk| {
        if let (Ok(chunk), Some(progress)) = (chunk, &progress) {
            read = read.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
            progress(read, size);
        }
    });
    let file_part = Part::stream_with_length(reqwest::Body::wrap_stream(chunks), size)
        .file_name(file_name)
        .mime_str(mime)
        .map_err(|_| Error::Internal {
            what: "an import file's media type does not parse",
        })?;
    let mut form = Form::new();
    if let Some(import_type) = import_type {
        form = form.text("import_type", import_type.as_str().to_owned());
    }
    if let Some(workflow_id) = workflow_id {
        form = form.text("workflow_id", workflow_id.to_string());
    }
    Ok(form
        .text("source_format", format.as_str().to_owned())
        .part("file", file_part))
}

/// The format a file's name says it has.
fn format_of(path: &Path) -> Option<ImportSourceFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "csv" => Some(ImportSourceFormat::Csv),
        "ndjson" => Some(ImportSourceFormat::Ndjson),
        _ => None,
    }
}

fn check_size(size: u64) -> std::result::Result<(), ImportFileProblem> {
    if size == 0 {
        return Err(ImportFileProblem::Empty);
    }
    if size > MAX_IMPORT_FILE_BYTES {
        return Err(ImportFileProblem::TooLarge {
            size,
            limit: MAX_IMPORT_FILE_BYTES,
        });
    }
    Ok(())
}

/// The file's first line, without its line ending, read from the start
/// of `file` (`size` bytes long).
async fn read_first_line(
    file: &mut tokio::fs::File,
    size: u64,
) -> std::result::Result<String, ImportFileProblem> {
    let wanted = size.min(FIRST_LINE_LIMIT);
    let mut start = Vec::new();
    (&mut *file)
        .take(wanted)
        .read_to_end(&mut start)
        .await
        .map_err(ImportFileProblem::Unreadable)?;
    let mut lines = start.split(|&byte| byte == b'\n');
    let line = lines.next().unwrap_or_default();
    // A line cut off by the limit is too long to be a header.
    if lines.next().is_none() && wanted < size {
        return Err(ImportFileProblem::FirstLineUnreadable);
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    String::from_utf8(line.to_vec()).map_err(|_| ImportFileProblem::FirstLineUnreadable)
}

/// Checks the first line as far as the import format is documented: a
/// session CSV starts with `external_id`, an NDJSON line is an object.
fn check_first_line(
    line: &str,
    format: &ImportSourceFormat,
    import_type: &ImportType,
) -> std::result::Result<(), ImportFileProblem> {
    match format {
        ImportSourceFormat::Ndjson => {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line)
                .map(|_| ())
                .map_err(|_| ImportFileProblem::NotJsonLines)
        }
        _ => {
            let sessions = matches!(
                import_type,
                ImportType::UserVerification | ImportType::BusinessVerification
            );
            let first = line
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if sessions && first != EXTERNAL_ID {
                return Err(ImportFileProblem::MissingExternalId);
            }
            Ok(())
        }
    }
}

/// An import of a file the server fetches; see [`Imports::from_url`].
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ImportFromUrl {
    client: Client,
    request: CreateSessionImportRequest,
    options: CallOptions,
}

impl fmt::Debug for ImportFromUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address may carry a signed query: only that there is one.
        f.debug_struct("ImportFromUrl")
            .field("client", &self.client)
            .field("source_file_url", &"[set]")
            .field("import_type", &self.request.import_type)
            .field("workflow_id", &self.request.workflow_id)
            .field("source_format", &self.request.source_format)
            .field("options", &self.options)
            .finish()
    }
}

impl ImportFromUrl {
    /// What the file holds; left out, the server imports KYC sessions.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let import = client
    ///     .sessions()
    ///     .imports()
    ///     .from_url("https://files.example.com/rules.csv")
    ///     .import_type(didit::ImportType::StatusRules);
    /// # let _ = import;
    /// ```
    pub fn import_type(mut self, import_type: ImportType) -> Self {
        self.request.import_type = Some(import_type);
        self
    }

    /// The workflow the imported sessions or status rules belong to.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let import = client
    ///     .sessions()
    ///     .imports()
    ///     .from_url("https://files.example.com/sessions.csv")
    ///     .workflow_id(didit::Uuid::nil());
    /// # let _ = import;
    /// ```
    pub fn workflow_id(mut self, workflow_id: Uuid) -> Self {
        self.request.workflow_id = Some(workflow_id);
        self
    }

    /// The file's format; left out, the server infers it from the name.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let import = client
    ///     .sessions()
    ///     .imports()
    ///     .from_url("https://files.example.com/export")
    ///     .source_format(didit::ImportSourceFormat::Ndjson);
    /// # let _ = import;
    /// ```
    pub fn source_format(mut self, format: ImportSourceFormat) -> Self {
        self.request.source_format = Some(format);
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let import = client
    ///     .sessions()
    ///     .imports()
    ///     .from_url("https://files.example.com/sessions.csv")
    ///     .call_options(didit::CallOptions::new());
    /// # let _ = import;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Starts the job. An address that is not an absolute `https` URL is
    /// refused before anything is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("POST"))
    ///     .and(matchers::path("/v3/session/imports/"))
    ///     .and(matchers::body_partial_json(serde_json::json!({
    ///         "source_file_url": "https://files.example.com/sessions.ndjson",
    ///     })))
    ///     .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
    ///         "uuid": "3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    ///         "status": "PENDING",
    ///         "import_type": "user_verification",
    ///         "source_format": "ndjson",
    ///         "source_filename": "sessions.ndjson",
    ///         "total_rows": 0, "processed_rows": 0, "created_count": 0,
    ///         "updated_count": 0, "skipped_count": 0, "failed_count": 0,
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let imports = client.sessions().imports();
    /// let job = imports.from_url("https://files.example.com/sessions.ndjson").send().await?;
    /// assert_eq!(job.source_format, didit::ImportSourceFormat::Ndjson);
    /// assert!(imports.from_url("http://files.example.com/x.csv").send().await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionImportJob>> {
        let https = url::Url::parse(&self.request.source_file_url)
            .is_ok_and(|url| url.scheme() == "https" && url.host().is_some());
        if !https {
            return Err(Error::InvalidInput {
                parameter: "source_file_url",
                reason: "not an absolute https URL".to_owned(),
            });
        }
        let client = self.options.apply(&self.client)?;
        let api = client.api(None);
        let result = api.create_session_import().body(self.request).send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// Polls an import job until it is over; see
/// [`Imports::wait_until_finished`].
///
/// A job is over when it is `COMPLETED`, `FAILED` or `CANCELLED`; a
/// `PAUSED` job may be resumed, so the wait goes on, and statuses this
/// version does not know are not taken as final. Polls start every
/// [`poll_interval`](Self::poll_interval) (2 s by default) and slow down by
/// half each time up to 30 s; every poll goes through the client's rate
/// limiter.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct WaitForImport {
    import: GetImport,
    polling: Polling,
}

impl WaitForImport {
    /// Sets how long to wait in all (default 15 minutes); past it,
    /// [`send`](Self::send) fails with [`Error::Timeout`](crate::Error::Timeout)
    /// and [`TimeoutScope::Wait`](crate::TimeoutScope::Wait).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .imports()
    ///     .wait_until_finished(didit::Uuid::nil())
    ///     .timeout(std::time::Duration::from_secs(3600));
    /// # let _ = wait;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.polling = self.polling.timeout(timeout);
        self
    }

    /// Sets the wait before the second poll (default 2 s).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .imports()
    ///     .wait_until_finished(didit::Uuid::nil())
    ///     .poll_interval(std::time::Duration::from_secs(10));
    /// # let _ = wait;
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.polling = self.polling.poll_interval(interval);
        self
    }

    /// Sends each poll with other time limits or retries than the
    /// client's (see [`CallOptions`]); [`timeout`](Self::timeout) still
    /// bounds the whole wait.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let wait = client
    ///     .sessions()
    ///     .imports()
    ///     .wait_until_finished(didit::Uuid::nil())
    ///     .call_options(didit::CallOptions::new());
    /// # let _ = wait;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.import = self.import.call_options(options);
        self
    }

    /// Polls until the job is over and returns it, with the metadata of
    /// the poll that read it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// let mock = didit_mock::DiditMock::builder().api_key("my-key").start().await;
    /// let client = didit::Client::builder().api_key("my-key").base_url(mock.uri()).build()?;
    /// let imports = client.sessions().imports();
    /// let directory = tempfile::tempdir().expect("a temporary directory");
    /// let file = directory.path().join("sessions.csv");
    /// std::fs::write(
    ///     &file,
    ///     "external_id,vendor_data,status,first_name,last_name,date_of_birth,document_number,country\n\
    ///      ext-1,user-1,Approved,Jane,Doe,1990-05-01,X100,ESP\n",
    /// )
    /// .expect("written");
    /// let workflow = didit::Uuid::parse_str("33333333-4444-5555-6666-777777777777").unwrap();
    /// let job = imports.upload(&file).workflow_id(workflow).send().await?;
    /// let done = imports
    ///     .wait_until_finished(job.uuid)
    ///     .poll_interval(std::time::Duration::from_millis(10))
    ///     .send()
    ///     .await?;
    /// assert_eq!(done.status, didit::ImportStatus::Completed);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionImportJob>> {
        let import = self.import;
        self.polling
            .until(|| import.clone().send(), |job| is_over(&job.status))
            .await
    }
}

/// Whether an import job in this status is over.
fn is_over(status: &ImportStatus) -> bool {
    matches!(
        status,
        ImportStatus::Completed | ImportStatus::Failed | ImportStatus::Cancelled
    )
}

/// A read of an import job; see [`Imports::get`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetImport {
    client: Client,
    import_id: Uuid,
    options: CallOptions,
}

impl GetImport {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let read = client.sessions().imports().get(didit::Uuid::nil()).call_options(didit::CallOptions::new());
    /// # let _ = read;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Reads the job.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::path("/v3/session/imports/3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b/"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "uuid": "3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    ///         "status": "COMPLETED",
    ///         "import_type": "user_verification",
    ///         "source_format": "csv",
    ///         "source_filename": "sessions.csv",
    ///         "total_rows": 3, "processed_rows": 3, "created_count": 2,
    ///         "updated_count": 0, "skipped_count": 0, "failed_count": 1,
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b").unwrap();
    /// let job = client.sessions().imports().get(id).send().await?;
    /// assert_eq!(job.status, didit::ImportStatus::Completed);
    /// assert_eq!(job.failed_count, 1);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionImportJob>> {
        let client = self.options.apply(&self.client)?;
        let api = client.api(None);
        let result = api
            .get_session_import()
            .import_id(self.import_id)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A read of one page of the rows an import job refused; see
/// [`Imports::errors`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListImportErrors {
    client: Client,
    import_id: Uuid,
    limit: Option<u32>,
    offset: u64,
    options: CallOptions,
}

impl ListImportErrors {
    /// The largest number of rows on the page (at least 1); left out, the
    /// server picks.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let page = client.sessions().imports().errors(didit::Uuid::nil()).limit(100);
    /// # let _ = page;
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many refused rows to skip before the page's first.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let page = client.sessions().imports().errors(didit::Uuid::nil()).offset(100);
    /// # let _ = page;
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let page = client.sessions().imports().errors(didit::Uuid::nil()).call_options(didit::CallOptions::new());
    /// # let _ = page;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Reads the page that `offset` names. A limit of 0 is refused before
    /// anything is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::path_regex("/errors/$"))
    ///     .and(matchers::query_param("limit", "10"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 1, "next": null, "previous": null,
    ///         "results": [{
    ///             "uuid": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
    ///             "row_number": 17,
    ///             "error": "status: invalid value",
    ///             "raw_row": {"external_id": "ext-17"},
    ///         }],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let page = client.sessions().imports().errors(didit::Uuid::nil()).limit(10).send().await?;
    /// assert_eq!(page.results[0].row_number, 17);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<SessionImportErrorPage>> {
        let client = self.options.apply(&self.client)?;
        let source = self.source()?;
        link_pages::first_page(&client, &source).await
    }

    /// Every page from the one `offset` names, one after the other, as
    /// each page's `next` link gives them. A link is only followed to the
    /// base URL's origin and the listing's own path (else
    /// [`Error::NextLinkRefused`]); a link seen before is
    /// [`Error::PaginationStalled`]; an error after some pages is
    /// [`Error::Interrupted`], with the offset to resume from.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// let path = "/v3/session/imports/00000000-0000-0000-0000-000000000000/errors/";
    /// let refused = |row: i64| serde_json::json!({
    ///     "uuid": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "row_number": row,
    ///     "error": "status: invalid value", "raw_row": {},
    /// });
    /// Mock::given(matchers::query_param("offset", "1"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": null, "previous": null, "results": [refused(9)],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    /// Mock::given(matchers::query_param_is_missing("offset"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "count": 2, "next": format!("{}{path}?limit=1&offset=1", server.uri()),
    ///         "previous": null, "results": [refused(4)],
    ///     })))
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let pages: Vec<_> = client
    ///     .sessions()
    ///     .imports()
    ///     .errors(didit::Uuid::nil())
    ///     .limit(1)
    ///     .pages()
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(pages.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn pages(
        self,
    ) -> impl Stream<Item = Result<Reply<SessionImportErrorPage>>> + Send + Unpin + 'static {
        let offset = self.offset;
        let (client, source) = self.prepared();
        link_pages::pages(client, source, offset)
    }

    /// Every refused row of [`pages`](Self::pages), in file order, then
    /// its error if it ends with one.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    ///
    /// let refused: Vec<didit::types::SessionImportError> =
    ///     client.sessions().imports().errors(id).items().try_collect().await?;
    /// println!("{} rows refused", refused.len());
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> impl Stream<Item = Result<SessionImportError>> + Send + Unpin + 'static {
        let offset = self.offset;
        let (client, source) = self.prepared();
        link_pages::items(client, source, offset)
    }

    /// The client to send with and the request, or the error to end with
    /// (the request is then never sent).
    fn prepared(self) -> (Result<Client>, ImportErrorsSource) {
        let client = self.options.apply(&self.client);
        match self.source() {
            Ok(source) => (client, source),
            Err(error) => (
                Err(error),
                ImportErrorsSource {
                    import_id: self.import_id,
                    limit: None,
                    offset: 0,
                },
            ),
        }
    }

    /// The request, once its parameters are checked.
    fn source(&self) -> Result<ImportErrorsSource> {
        let limit = match self.limit {
            None => None,
            Some(limit) => Some(NonZeroU32::new(limit).ok_or_else(|| Error::InvalidInput {
                parameter: "limit",
                reason: "must be at least 1".to_owned(),
            })?),
        };
        Ok(ImportErrorsSource {
            import_id: self.import_id,
            limit,
            offset: self.offset,
        })
    }
}

/// `list_session_import_errors` with its parameters, checked.
struct ImportErrorsSource {
    import_id: Uuid,
    limit: Option<NonZeroU32>,
    /// Sent only when not 0, as a listing left at its start sends none.
    offset: u64,
}

impl PageSource for ImportErrorsSource {
    type Page = SessionImportErrorPage;
    type Error = ApiError;

    fn send<'a>(
        &'a self,
        api: &'a didit_api::Client,
    ) -> BoxFuture<'a, Sent<SessionImportErrorPage, ApiError>> {
        let mut request = api.list_session_import_errors().import_id(self.import_id);
        if let Some(limit) = self.limit {
            request = request.limit(limit);
        }
        if self.offset != 0 {
            request = request.offset(self.offset);
        }
        Box::pin(request.send())
    }
}

impl LinkedPage for SessionImportErrorPage {
    type Item = SessionImportError;

    fn next(&self) -> Option<&str> {
        self.next.as_deref()
    }

    fn results(&self) -> &[Self::Item] {
        &self.results
    }

    fn into_results(self) -> Vec<Self::Item> {
        self.results
    }
}

/// A download of an import template; see [`Imports::template`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetImportTemplate {
    client: Client,
    import_type: Option<ImportType>,
    options: CallOptions,
}

impl GetImportTemplate {
    /// Which import the columns are for; left out, the server gives those
    /// of [`ImportType::UserVerification`].
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let template = client.sessions().imports().template().import_type(didit::ImportType::Transactions);
    /// # let _ = template;
    /// ```
    pub fn import_type(mut self, import_type: ImportType) -> Self {
        self.import_type = Some(import_type);
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let template = client.sessions().imports().template().call_options(didit::CallOptions::new());
    /// # let _ = template;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Fetches the template, as a stream (see [`ImportTemplate`]).
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// client.sessions().imports().template().send().await?.save("template.csv").await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ImportTemplate> {
        let client = self.options.apply(&self.client)?;
        let mut stream = RequestOptions::default();
        stream.stream = true;
        let api = client.api_with_options(None, stream);
        let mut request = api.get_session_import_template();
        if let Some(import_type) = self.import_type {
            request = request.import_type(import_type);
        }
        let result = request.send().await;
        // The template is handed on as received: nothing is decoded.
        let answer = Client::settle_with(&api, result, |_| None).await?;
        Ok(ImportTemplate {
            metadata: ReplyMetadata::of(&answer),
            chunks: answer.into_inner(),
        })
    }
}

/// An import template (a CSV header line), still arriving; see
/// [`Imports::template`]. Its bytes are handed on as the server sent them,
/// bounded by the client's
/// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes).
///
/// ```no_run
/// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
/// use futures::TryStreamExt;
/// let template = client.sessions().imports().template().send().await?;
/// let bytes: Vec<bytes::Bytes> = template.into_stream().try_collect().await?;
/// # let _ = bytes;
/// # Ok(()) }
/// ```
pub struct ImportTemplate {
    metadata: ReplyMetadata,
    chunks: ByteStream,
}

impl fmt::Debug for ImportTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportTemplate")
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl ImportTemplate {
    /// What the answer said besides its body.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let template = client.sessions().imports().template().send().await?;
    /// println!("{}", template.metadata().status());
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> &ReplyMetadata {
        &self.metadata
    }

    /// The template's bytes as they arrive; the stream ends with an error
    /// when the body breaks off or passes the client's limit.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// let mut chunks = client.sessions().imports().template().send().await?.into_stream();
    /// while let Some(chunk) = chunks.try_next().await? {
    ///     println!("{} bytes", chunk.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + Unpin + 'static {
        let status: StatusCode = self.metadata.status();
        self.chunks
            .into_inner()
            .map(move |chunk| chunk.map_err(|error| body_error(error, status)))
            .boxed()
    }

    /// Writes the template to `path` atomically, as
    /// [`PdfReport::save`](crate::PdfReport::save) does: whole, or not at
    /// all. Returns the number of bytes written.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let written = client.sessions().imports().template().send().await?.save("template.csv").await?;
    /// println!("{written} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn save(self, path: impl AsRef<Path>) -> Result<u64> {
        save_atomically(path.as_ref(), self.into_stream()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_name() {
        assert_eq!(
            format_of(Path::new("a/b.CSV")),
            Some(ImportSourceFormat::Csv)
        );
        assert_eq!(
            format_of(Path::new("b.ndjson")),
            Some(ImportSourceFormat::Ndjson)
        );
        assert_eq!(format_of(Path::new("b.xlsx")), None);
        assert_eq!(format_of(Path::new("csv")), None);
    }

    #[test]
    fn sizes_are_bounded_on_both_sides() {
        assert!(matches!(check_size(0), Err(ImportFileProblem::Empty)));
        assert!(check_size(MAX_IMPORT_FILE_BYTES).is_ok());
        assert!(matches!(
            check_size(MAX_IMPORT_FILE_BYTES + 1),
            Err(ImportFileProblem::TooLarge { .. })
        ));
    }

    #[test]
    fn first_lines_are_checked_as_documented() {
        let csv = ImportSourceFormat::Csv;
        let kyc = ImportType::UserVerification;
        assert!(check_first_line("external_id,first_name", &csv, &kyc).is_ok());
        assert!(check_first_line("\"external_id\",first_name", &csv, &kyc).is_ok());
        assert!(matches!(
            check_first_line("first_name,external_id", &csv, &kyc),
            Err(ImportFileProblem::MissingExternalId)
        ));
        // Other imports have columns of their own.
        assert!(check_first_line("amount,currency", &csv, &ImportType::Transactions).is_ok());
        let ndjson = ImportSourceFormat::Ndjson;
        assert!(check_first_line(r#"{"external_id": "a"}"#, &ndjson, &kyc).is_ok());
        assert!(matches!(
            check_first_line("[1, 2]", &ndjson, &kyc),
            Err(ImportFileProblem::NotJsonLines)
        ));
    }

    #[tokio::test]
    async fn the_file_part_is_a_stream_not_a_buffer() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let path = directory.path().join("sessions.csv");
        std::fs::write(&path, "external_id\next-1\n").expect("written");
        let file = tokio::fs::File::open(&path).await.expect("opened");
        let form = upload_form(
            file,
            18,
            "sessions.csv".to_owned(),
            &ImportSourceFormat::Csv,
            None,
            None,
            None,
        )
        .expect("a form");
        let request = reqwest::Client::new()
            .post("http://127.0.0.1:9/")
            .multipart(form)
            .build()
            .expect("a request");
        let body = request.body().expect("a body");
        // A buffered body would be bytes, and copyable for a retry.
        assert!(body.as_bytes().is_none());
        assert!(request.try_clone().is_none());
    }
}
