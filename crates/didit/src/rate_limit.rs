//! The rate-limit headers of an answer.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// What the server said about the API key's rate limit in one answer.
///
/// Didit counts requests per key in a sliding 60-second window and reports
/// the state in `X-RateLimit-*` headers; a 429 answer adds `Retry-After`.
/// Each field is `None` when its header was missing or unreadable (not a
/// whole number, negative, or not a date); numbers too large for a `u64`
/// read as `u64::MAX`.
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
    /// `Retry-After`: how long the server asks to wait, from a number of
    /// seconds (fractions are kept) or an HTTP date (a date passed reads as
    /// no wait). As large as the server says: the client decides what it
    /// waits for (see
    /// [`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
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
        Self::from_headers_at(headers, SystemTime::now())
    }

    /// [`from_headers`](Self::from_headers) with `now` as the time an HTTP
    /// date in `Retry-After` is measured from.
    pub(crate) fn from_headers_at(headers: &HeaderMap, now: SystemTime) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
        };
        let number = |name: &str| text(name).and_then(whole_number);
        Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            retry_after: text(RETRY_AFTER.as_str()).and_then(|value| retry_after(value, now)),
        }
    }
}

/// A header's whole non-negative number; digits beyond `u64` saturate.
fn whole_number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// A `Retry-After` value: seconds (whole or not) or an HTTP date.
fn retry_after(text: &str, now: SystemTime) -> Option<Duration> {
    if let Some(seconds) = whole_number(text) {
        return Some(Duration::from_secs(seconds));
    }
    if text
        .bytes()
        .all(|byte| byte.is_ascii_digit() || byte == b'.')
    {
        let seconds: f64 = text.parse().ok()?;
        return Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn reads_every_header() {
        let headers = headers(&[
            ("X-RateLimit-Limit", "600"),
            ("X-RateLimit-Remaining", " 12 "),
            ("X-RateLimit-Reset", "1760000000"),
            ("Retry-After", "7"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&headers),
            RateLimit {
                limit: Some(600),
                remaining: Some(12),
                reset: Some(1_760_000_000),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
    }

    #[test]
    fn garbage_reads_as_nothing_and_huge_numbers_saturate() {
        for garbage in ["-1", "", "soon", "1e3", "0x10", "+5", "1.2.3"] {
            let read = RateLimit::from_headers(&headers(&[
                ("x-ratelimit-remaining", garbage),
                ("retry-after", garbage),
            ]));
            assert_eq!(read, RateLimit::default(), "{garbage:?}");
        }
        let read = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-reset", "99999999999999999999999"),
            ("retry-after", "18446744073709551616"),
        ]));
        assert_eq!(read.reset, Some(u64::MAX));
        assert_eq!(read.retry_after, Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn retry_after_takes_fractions_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        let read = |value| {
            RateLimit::from_headers_at(&headers(&[("retry-after", value)]), now).retry_after
        };
        assert_eq!(read("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            read("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(10))
        );
        assert_eq!(read("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert!(
            read("Fri, 31 Dec 9999 23:59:59 GMT")
                .is_some_and(|wait| wait > Duration::from_secs(1 << 37))
        );
        let huge = "9".repeat(400);
        assert_eq!(read(&huge), Some(Duration::from_secs(u64::MAX)));
        let huge_fraction = format!("{huge}.5");
        assert_eq!(read(&huge_fraction), Some(Duration::MAX));
    }
}
