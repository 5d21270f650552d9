//! When and how long to wait before trying a request again.

use std::time::Duration;

/// The longest `Retry-After` honoured unless told otherwise.
const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How failed requests are retried.
///
/// Only idempotent requests are retried, and only after failures that may
/// pass: transport errors, timeouts, 429, 500, 502, 503 and 504. The wait
/// before retry `n` is drawn uniformly between zero and
/// `min(max_backoff, initial_backoff × 2ⁿ⁻¹)` ("full jitter", which spreads
/// clients out), unless the server sent `Retry-After`, which is honoured up
/// to [`max_retry_after`](Self::max_retry_after). The client's operation
/// timeout bounds the whole: a wait that would outlast it is not started,
/// and the error is returned at once.
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
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waits starting from up to 200 ms and never above
    /// 10 s, and a `Retry-After` of up to 30 s honoured.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
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

    /// Sets the longest `Retry-After` the client waits for (default 30 s,
    /// well under the default operation timeout). When the server asks for
    /// a longer wait, the request is not retried: the error (such as
    /// [`Error::RateLimited`](crate::Error::RateLimited), which carries the
    /// wait asked for) is returned at once.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let policy = didit::RetryPolicy::default().max_retry_after(Duration::from_secs(5));
    /// # let _ = policy;
    /// ```
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
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

    /// This policy, waiting for a `Retry-After` no longer than `client`'s
    /// does: a call's own policy may wait less than the client allows,
    /// never more.
    pub(crate) fn within(mut self, client: &RetryPolicy) -> Self {
        self.max_retry_after = self.max_retry_after.min(client.max_retry_after);
        self
    }

    /// The wait before sending attempt `failed_attempts + 1`, given the
    /// server's `Retry-After`; `None` when the server asks for more than
    /// [`max_retry_after`](Self::max_retry_after).
    pub(crate) fn delay(
        &self,
        failed_attempts: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let doublings = failed_attempts.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        Some(ceiling.mul_f64(fastrand::f64()))
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
            let delay = |attempt| policy.delay(attempt, None).unwrap();
            assert!(delay(1) <= Duration::from_millis(100));
            assert!(delay(2) <= Duration::from_millis(200));
            assert!(delay(3) <= Duration::from_millis(300));
            assert!(delay(40) <= Duration::from_millis(300));
            assert!(delay(u32::MAX) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn a_call_policy_never_waits_longer_than_the_client_allows() {
        let client = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let longer = RetryPolicy::none().max_retry_after(Duration::from_secs(60));
        let capped = longer.within(&client);
        assert_eq!(capped.max_retry_after, Duration::from_secs(5));
        assert_eq!(capped.attempts(), 1);
        let shorter = RetryPolicy::default().max_retry_after(Duration::from_secs(1));
        assert_eq!(
            shorter.within(&client).max_retry_after,
            Duration::from_secs(1)
        );
    }

    #[test]
    fn retry_after_wins_up_to_its_cap() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(30));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(30))),
            Some(Duration::from_secs(30))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(31))), None);
        assert_eq!(policy.delay(1, Some(Duration::MAX)), None);
    }
}
