//! What the command tells the person running it, on standard error.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;

use crate::failure::Failure;

/// Writes notes, errors and log lines to standard error, never the API key,
/// and knows whether a progress bar would be seen there.
#[derive(Clone, Debug)]
pub struct Reporter {
    shows_progress: bool,
    secret: Secret,
}

impl Reporter {
    /// With `verbose`, log lines go to standard error and a progress bar
    /// would garble them, so there is none.
    pub fn new(verbose: bool, api_key: Option<&str>) -> Self {
        Self {
            shows_progress: !verbose && io::stderr().is_terminal(),
            secret: Secret::new(api_key),
        }
    }

    /// Whether long listings draw a progress bar: only for a person
    /// watching standard error.
    pub fn shows_progress(&self) -> bool {
        self.shows_progress
    }

    pub fn note(&self, text: &str) {
        self.write_line(&format!("note: {text}"));
    }

    pub fn error(&self, failure: &Failure) {
        self.write_line(&failure.to_string());
    }

    /// A writer for log lines with the same protection.
    pub fn log_writer(&self) -> impl Write + use<> {
        LogWriter {
            secret: self.secret.clone(),
        }
    }

    fn write_line(&self, line: &str) {
        // Standard error may be closed too; there is nobody to tell then.
        let _ = writeln!(io::stderr(), "{}", self.secret.redact(line));
    }
}

/// The API key, to be blotted out of anything printed. The SDK never puts
/// it in a message, but an error body or a log line can quote what a server
/// sent back, and a misbehaving server or proxy may echo the request.
#[derive(Clone, Debug)]
struct Secret(Option<Arc<str>>);

impl Secret {
    /// Shorter keys are not real ones, and blotting out every occurrence of
    /// a short string would garble the text.
    const MIN_LEN: usize = 8;

    fn new(api_key: Option<&str>) -> Self {
        Self(
            api_key
                .map(str::trim)
                .filter(|key| key.len() >= Self::MIN_LEN)
                .map(Arc::from),
        )
    }

    fn redact(&self, text: &str) -> String {
        match &self.0 {
            Some(key) => text.replace(&**key, "[redacted]"),
            None => text.to_owned(),
        }
    }
}

/// Standard error for `tracing`, which formats each event in full before
/// one write, so the key cannot be split across writes.
struct LogWriter {
    secret: Secret,
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        io::stderr().write_all(self.secret.redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_blotted_out_wherever_it_appears() {
        let secret = Secret::new(Some("sk_live_0123456789"));
        assert_eq!(
            secret.redact("bad key sk_live_0123456789 (sk_live_0123456789)"),
            "bad key [redacted] ([redacted])"
        );
        assert_eq!(Secret::new(Some("short")).redact("short"), "short");
        assert_eq!(Secret::new(None).redact("text"), "text");
    }
}
