//! A session's PDF report, streamed from the answer to where it is kept.

use std::path::Path;

use bytes::Bytes;
use didit_api::{ByteStream, ResponseValue};
use futures::{Stream, StreamExt};
use reqwest::StatusCode;

use crate::error::ResponseBody;
use crate::save::save_atomically;
use crate::transport::body_error;
use crate::{Error, ReplyMetadata, Result};

/// The first bytes of every PDF document.
const PDF_SIGNATURE: &[u8] = b"%PDF-";

/// The PDF report of a session, still arriving; see
/// [`Sessions::pdf`](crate::Sessions::pdf). Read it as a stream of chunks
/// with [`into_stream`](Self::into_stream), or write it to a file with
/// [`save`](Self::save). Either way it is never held whole in memory, and
/// it is checked to start like a PDF document.
///
/// ```no_run
/// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
/// use futures::TryStreamExt;
///
/// let report = client.sessions().pdf(id).send().await?;
/// println!("the server calls it {:?}", report.file_name());
/// let mut chunks = report.into_stream();
/// while let Some(chunk) = chunks.try_next().await? {
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(()) }
/// ```
pub struct PdfReport {
    metadata: ReplyMetadata,
    file_name: Option<String>,
    /// Bounded by the transport: the stream fails once it passes the
    /// client's `max_response_bytes`.
    chunks: ByteStream,
}

impl std::fmt::Debug for PdfReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The file name comes from the server: only whether there is one.
        f.debug_struct("PdfReport")
            .field("metadata", &self.metadata)
            .field("file_name", &self.file_name.as_ref().map(|_| "[given]"))
            .finish_non_exhaustive()
    }
}

impl PdfReport {
    pub(crate) fn new(answer: ResponseValue<ByteStream>) -> Result<Self> {
        let metadata = ReplyMetadata::of(&answer);
        let file_name = answer
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| value.to_str().ok())
            .and_then(file_name_of);
        Ok(Self {
            metadata,
            file_name,
            chunks: answer.into_inner(),
        })
    }

    /// The file name the server suggests (`Content-Disposition`), cut to
    /// its last path component; `None` when it sent none.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let report = client.sessions().pdf(id).send().await?;
    /// let name = report.file_name().unwrap_or("report.pdf").to_owned();
    /// report.save(name).await?;
    /// # Ok(()) }
    /// ```
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// What the answer said besides its body: status, rate-limit headers,
    /// the server's request identifier.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let report = client.sessions().pdf(id).send().await?;
    /// println!("{:?}", report.metadata().request_id());
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> &ReplyMetadata {
        &self.metadata
    }

    /// The report's bytes as they arrive. The stream ends with an error
    /// when the body does not start like a PDF (an empty or shorter body
    /// included), is longer than the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes), or
    /// breaks off.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use futures::TryStreamExt;
    /// let chunks: Vec<bytes::Bytes> =
    ///     client.sessions().pdf(id).send().await?.into_stream().try_collect().await?;
    /// # let _ = chunks;
    /// # Ok(()) }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + Unpin + 'static {
        let checked = Checked {
            status: self.metadata.status(),
            start: Vec::new(),
            failed: false,
        };
        self.chunks
            .into_inner()
            .map(Some)
            // The end of the body, to check what came before it.
            .chain(futures::stream::iter([None]))
            .scan(checked, |checked, chunk| {
                futures::future::ready(checked.next(chunk))
            })
            .boxed()
    }

    /// Writes the report to `path`: into a temporary file beside it,
    /// readable by its owner only (on Unix), renamed into place once the
    /// whole report has arrived and checked. On any failure the temporary
    /// file is removed and `path` is left as it was. Returns the number of
    /// bytes written.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// let written = client.sessions().pdf(id).send().await?.save("report.pdf").await?;
    /// assert!(written > 0);
    /// # Ok(()) }
    /// ```
    pub async fn save(self, path: impl AsRef<Path>) -> Result<u64> {
        save_atomically(path.as_ref(), self.into_stream()).await
    }
}

/// Checks the chunks of a report as they pass: that it starts like a PDF,
/// however short the chunks and the body. (Its length is bounded by the
/// transport.)
struct Checked {
    status: StatusCode,
    /// The first bytes, until there are enough to check the signature.
    start: Vec<u8>,
    /// Whether an error was handed out: nothing follows it.
    failed: bool,
}

impl Checked {
    /// What the stream hands out for `chunk` of the body (`None`: the body
    /// ended); `None` ends the stream.
    fn next(&mut self, chunk: Option<reqwest::Result<Bytes>>) -> Option<Result<Bytes>> {
        if self.failed {
            return None;
        }
        let item = match chunk {
            Some(Ok(chunk)) => self.pass(chunk),
            Some(Err(error)) => Err(body_error(error, self.status)),
            None if self.start.len() < PDF_SIGNATURE.len() => Err(self.not_a_pdf()),
            None => return None,
        };
        self.failed = item.is_err();
        Some(item)
    }

    fn pass(&mut self, chunk: Bytes) -> Result<Bytes> {
        if self.start.len() < PDF_SIGNATURE.len() {
            let wanted = PDF_SIGNATURE.len() - self.start.len();
            self.start.extend(chunk.iter().take(wanted).copied());
            if !PDF_SIGNATURE.starts_with(&self.start) {
                return Err(self.not_a_pdf());
            }
        }
        Ok(chunk)
    }

    /// The error for a body that does not start like a PDF; it keeps the
    /// bytes that were checked.
    fn not_a_pdf(&mut self) -> Error {
        Error::Decode {
            status: self.status,
            path: ".".to_owned(),
            expected: "a PDF document (starting with `%PDF-`)".to_owned(),
            body: ResponseBody::new(Bytes::from(std::mem::take(&mut self.start))),
        }
    }
}

/// The file name of a `Content-Disposition` value, without any directory.
fn file_name_of(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    let name = name.rsplit(['/', '\\']).next()?;
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(
            file_name_of(r#"attachment; filename="session_1.pdf""#).as_deref(),
            Some("session_1.pdf")
        );
        assert_eq!(
            file_name_of("attachment; filename=../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(file_name_of("attachment; filename=\"..\""), None);
        assert_eq!(file_name_of("inline"), None);
    }

    fn fresh() -> Checked {
        Checked {
            status: StatusCode::OK,
            start: Vec::new(),
            failed: false,
        }
    }

    #[test]
    fn the_signature_is_checked_across_chunks() {
        let mut checked = fresh();
        assert!(checked.pass(Bytes::from_static(b"%P")).is_ok());
        assert!(checked.pass(Bytes::from_static(b"DF-1.7")).is_ok());
        let mut other = fresh();
        assert!(matches!(
            other.pass(Bytes::from_static(b"<html>")),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn a_body_that_ends_before_the_signature_is_not_a_pdf() {
        let mut checked = fresh();
        assert!(matches!(
            checked.next(Some(Ok(Bytes::from_static(b"%PD")))),
            Some(Ok(_))
        ));
        assert!(matches!(
            checked.next(None),
            Some(Err(Error::Decode { .. }))
        ));
        assert!(fresh().next(None).is_some_and(|item| item.is_err()));
        let mut whole = fresh();
        assert!(matches!(
            whole.next(Some(Ok(Bytes::from_static(b"%PDF-1.7")))),
            Some(Ok(_))
        ));
        assert!(whole.next(None).is_none());
    }

    #[test]
    fn nothing_follows_an_error() {
        let mut checked = fresh();
        assert!(matches!(
            checked.next(Some(Ok(Bytes::from_static(b"<html>")))),
            Some(Err(_))
        ));
        assert!(
            checked
                .next(Some(Ok(Bytes::from_static(b"%PDF-"))))
                .is_none()
        );
        assert!(checked.next(None).is_none());
    }
}
