//! Waiting by polling: how long, and how often, shared by the waits of the
//! facade ([`WaitForDecision`](crate::WaitForDecision),
//! [`WaitForImport`](crate::WaitForImport)).

use std::future::Future;
use std::time::Duration;

use crate::{Error, Result, TimeoutScope};

/// The longest a wait lasts unless told otherwise.
const DEFAULT_WAIT: Duration = Duration::from_secs(15 * 60);
/// The wait before the second poll; later ones grow by half each time.
const DEFAULT_FIRST_POLL: Duration = Duration::from_secs(2);
/// The longest wait between two polls.
const DEFAULT_LONGEST_POLL: Duration = Duration::from_secs(30);

/// How a wait polls: for how long in all, and the pauses between polls,
/// which start at `first_poll` and grow by half up to `longest_poll`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Polling {
    timeout: Duration,
    first_poll: Duration,
    longest_poll: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_WAIT,
            first_poll: DEFAULT_FIRST_POLL,
            longest_poll: DEFAULT_LONGEST_POLL,
        }
    }
}

impl Polling {
    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(crate) fn poll_interval(mut self, interval: Duration) -> Self {
        self.first_poll = interval;
        self.longest_poll = self.longest_poll.max(interval);
        self
    }

    /// Calls `poll` until what it answers is `done`, and returns that
    /// answer; fails with the first error of a poll, or with
    /// [`Error::Timeout`] ([`TimeoutScope::Wait`]) when the next pause would
    /// end past the timeout.
    pub(crate) async fn until<T, Poll, Polled>(
        self,
        mut poll: Poll,
        done: impl Fn(&T) -> bool,
    ) -> Result<T>
    where
        Poll: FnMut() -> Polled,
        Polled: Future<Output = Result<T>>,
    {
        let started = tokio::time::Instant::now();
        let mut pause = self.first_poll;
        loop {
            let answer = poll().await?;
            if done(&answer) {
                return Ok(answer);
            }
            if started.elapsed().saturating_add(pause) > self.timeout {
                return Err(Error::Timeout {
                    scope: TimeoutScope::Wait,
                    limit: self.timeout,
                });
            }
            tokio::time::sleep(pause).await;
            pause = pause.saturating_add(pause / 2).min(self.longest_poll);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn polls_slow_down_until_done() {
        let polls = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let answer = Polling::default()
            .poll_interval(Duration::from_secs(2))
            .until(
                || async { Ok(polls.fetch_add(1, Ordering::SeqCst) + 1) },
                |count| *count == 4,
            )
            .await
            .unwrap();
        assert_eq!(answer, 4);
        // 2 s, then 3 s, then 4.5 s between the four polls.
        assert_eq!(started.elapsed(), Duration::from_millis(9_500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_its_timeout_is_a_wait_timeout() {
        let error = Polling::default()
            .timeout(Duration::from_secs(5))
            .until(|| async { Ok(()) }, |_| false)
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Wait,
                limit,
            } if limit == Duration::from_secs(5)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_poll_ends_the_wait() {
        let error = Polling::default()
            .until(
                || async {
                    Err::<(), _>(Error::Internal {
                        what: "a poll failed",
                    })
                },
                |_| false,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Internal { .. }));
    }
}
