//! When and how long to wait before trying a request again.

use std::time::Duration;

/// How failed requests are retried.
///
/// Only idempotent requests are retried, and only after failures that may
/// pass: transport errors, timeouts, 429, 500, 502, 503 and 504. The wait
/// before retry `n` is drawn uniformly between zero and
/// `min(max_backoff, initial_backoff × 2ⁿ⁻¹)` ("full jitter", which spreads
/// clients out), unless the server sent `Retry-After`, which is honoured.
/// The client's operation timeout bounds the whole.
///
/// ```
/// use std::time::Duration;
///
/// let policy = didit::RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(5));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(didit::RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waits starting from up to 200 ms and never above 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: every request is sent once.
    ///
    /// ```
    /// assert_eq!(didit::RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Sets how many times one request may be sent in all, first attempt
    /// included; 0 counts as 1.
    ///
    /// ```
    /// assert_eq!(didit::RetryPolicy::default().max_attempts(0).attempts(), 1);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the upper bound of the first wait; each later wait may be up
    /// to twice as long as the one before.
    ///
    /// ```
    /// let policy = didit::RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(50));
    /// # let _ = policy;
    /// ```
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest wait between two attempts (a server's
    /// `Retry-After` may ask for more, and is honoured).
    ///
    /// ```
    /// let policy = didit::RetryPolicy::default().max_backoff(std::time::Duration::from_secs(1));
    /// # let _ = policy;
    /// ```
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How many times one request may be sent in all.
    ///
    /// ```
    /// assert_eq!(didit::RetryPolicy::default().attempts(), 3);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before sending attempt `failed_attempts + 1`, given the
    /// server's `Retry-After`.
    pub(crate) fn delay(&self, failed_attempts: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let doublings = failed_attempts.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_within_its_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(2, None) <= Duration::from_millis(200));
            assert!(policy.delay(3, None) <= Duration::from_millis(300));
            assert!(policy.delay(40, None) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn retry_after_wins() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(30))),
            Duration::from_secs(30)
        );
    }
}
