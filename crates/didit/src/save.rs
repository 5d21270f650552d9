//! Writing a streamed answer (a PDF report, an import template) to a file
//! atomically: whole and checked, or not at all.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::{Error, Result};

/// Writes `chunks` to `path`: into a temporary file beside it, readable by
/// its owner only (on Unix), renamed into place once the stream has ended
/// without an error. On any failure the temporary file is removed and
/// `path` is left as it was. Returns the number of bytes written.
pub(crate) async fn save_atomically(
    path: &Path,
    chunks: impl Stream<Item = Result<Bytes>> + Unpin,
) -> Result<u64> {
    let temporary = temporary_beside(path);
    let written = write_to(&temporary, chunks).await;
    let outcome = match written {
        Ok(written) => tokio::fs::rename(&temporary, path)
            .await
            .map(|()| written)
            .map_err(|error| file_error(path, error)),
        Err(error) => Err(error),
    };
    if outcome.is_err() {
        // Already gone when the rename went through.
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    outcome
}

async fn write_to(
    temporary: &Path,
    mut chunks: impl Stream<Item = Result<Bytes>> + Unpin,
) -> Result<u64> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(temporary)
        .await
        .map_err(|error| file_error(temporary, error))?;
    let mut written: u64 = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        file.write_all(&chunk)
            .await
            .map_err(|error| file_error(temporary, error))?;
        written = written.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
    }
    file.sync_all()
        .await
        .map_err(|error| file_error(temporary, error))?;
    Ok(written)
}

pub(crate) fn file_error(path: &Path, error: std::io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        source: error,
    }
}

/// A fresh name for a temporary file in `path`'s directory.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_owned());
    let unique = format!(
        ".{name}.{}.{:x}.part",
        std::process::id(),
        fastrand::u64(..)
    );
    path.with_file_name(unique)
}
