//! The progress bar of long listings, on standard error.

use std::fmt;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// A progress bar, or nothing when it would not be seen by a person.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar when `visible`, otherwise a stand-in that draws nothing.
    pub fn new(visible: bool) -> Self {
        let bar = visible.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {human_pos}/{human_len} sessions  {rate}  {elapsed}",
                )
                .expect("the template is valid")
                .with_key(
                    "rate",
                    |state: &ProgressState, out: &mut dyn fmt::Write| {
                        let _ = write!(out, "{:.0}/s", state.per_sec());
                    },
                ),
            );
            bar
        });
        Self { bar }
    }

    /// `done` rows written out of an expected `total` (which may be an
    /// estimate: the API stops counting KYB rows at 100).
    pub fn update(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total.max(done));
            bar.set_position(done);
        }
    }

    /// Runs `write` with the bar out of the way, for output that goes to
    /// the same terminal.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the bar, so that what follows starts on a clean line.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
