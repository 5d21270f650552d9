//! What the command tells the person running it, on standard error.

use std::io::{self, IsTerminal, Write};

use crate::failure::Failure;

/// Writes notes and errors to standard error, and knows whether a progress
/// bar would be seen there.
#[derive(Debug)]
pub struct Reporter {
    shows_progress: bool,
}

impl Reporter {
    /// With `verbose`, log lines go to standard error and a progress bar
    /// would garble them, so there is none.
    pub fn new(verbose: bool) -> Self {
        Self {
            shows_progress: !verbose && io::stderr().is_terminal(),
        }
    }

    /// Whether long listings draw a progress bar: only for a person
    /// watching standard error.
    pub fn shows_progress(&self) -> bool {
        self.shows_progress
    }

    pub fn note(&self, text: &str) {
        // Standard error may be closed too; there is nobody to tell then.
        let _ = writeln!(io::stderr(), "note: {text}");
    }

    pub fn error(&self, failure: &Failure) {
        let _ = writeln!(io::stderr(), "{failure}");
    }
}
