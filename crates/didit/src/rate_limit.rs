//! The rate-limit headers of an answer.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// What the server said about the API key's rate limit in one answer.
///
/// Didit counts requests per key in a sliding 60-second window and reports
/// the state in `X-RateLimit-*` headers; a 429 answer adds `Retry-After`.
/// Each field is `None` when its header was missing or not a number.
///
/// ```
/// use reqwest::header::HeaderMap;
/// use std::time::Duration;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", "2".parse().unwrap());
/// headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
/// let limit = didit::RateLimit::from_headers(&headers);
/// assert_eq!(limit.retry_after, Some(Duration::from_secs(2)));
/// assert_eq!(limit.remaining, Some(0));
/// assert_eq!(limit.limit, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-RateLimit-Limit`: requests allowed in one window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window ends, in seconds since the Unix
    /// epoch.
    pub reset: Option<u64>,
    /// `Retry-After`: how long the server asks to wait (only the
    /// delay-in-seconds form is read).
    pub retry_after: Option<Duration>,
}

impl RateLimit {
    /// Reads the rate-limit headers of an answer.
    ///
    /// ```
    /// let limit = didit::RateLimit::from_headers(&reqwest::header::HeaderMap::new());
    /// assert_eq!(limit, didit::RateLimit::default());
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
        };
        Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            retry_after: number(RETRY_AFTER.as_str()).map(Duration::from_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_header_and_ignores_garbage() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Limit", "600".parse().unwrap());
        headers.insert("X-RateLimit-Remaining", " 12 ".parse().unwrap());
        headers.insert("X-RateLimit-Reset", "1760000000".parse().unwrap());
        headers.insert(
            "Retry-After",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            RateLimit::from_headers(&headers),
            RateLimit {
                limit: Some(600),
                remaining: Some(12),
                reset: Some(1_760_000_000),
                retry_after: None,
            }
        );
    }
}
