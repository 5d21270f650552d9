//! One page of the session list, and how it is read from an answer.

use std::fmt;

use didit_api::ResponseValue;
use reqwest::StatusCode;

use crate::types::SessionPage;
use crate::{Link, RateLimit, Session};

/// One page of `GET /v3/sessions/`, with what the answer's headers said.
///
/// ```
/// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
/// let page = client.sessions().list().limit(50).send().await?;
/// for session in &page.results {
///     println!("{:?}", session.kind());
/// }
/// if page.rate_limit.remaining == Some(0) {
///     println!("the next request may be rate limited");
/// }
/// # Ok(()) }
/// ```
///
/// Its `Debug` output names the rows' properties, never their values, and
/// shows the links without their query, which repeats the listing's filters.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// How many rows match the filters in all. Exact for KYC rows; for KYB
    /// rows the server stops counting at 100. The pages of an `all` listing
    /// that come after its KYC rows end count KYB rows only (see
    /// [`ListSessions::session_kind`](crate::ListSessions::session_kind)).
    /// Signed, as the API's contract sets no lower bound; the server sends
    /// no negative count.
    pub count: i64,
    /// Absolute URL of the next page, as the server sent it; `None` on the
    /// last page.
    pub next: Option<String>,
    /// Absolute URL of the previous page, as the server sent it.
    pub previous: Option<String>,
    /// The rows, newest first (with `session_kind=all`, KYC rows before KYB
    /// rows).
    pub results: Vec<Session>,
    /// The page's properties that this version of the SDK does not declare,
    /// by name, as the server sent them (the rows keep theirs in their own
    /// `extra` fields).
    pub extra: crate::Extra,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The answer's rate-limit headers.
    pub rate_limit: RateLimit,
}

impl Page {
    /// A page from the generated client's answer.
    pub(crate) fn from_answer(answer: ResponseValue<SessionPage>) -> Page {
        let status = answer.status();
        let rate_limit = RateLimit::from_headers(answer.headers());
        let page = answer.into_inner();
        Page {
            count: page.count,
            next: page.next,
            previous: page.previous,
            results: page.results,
            extra: page.extra,
            status,
            rate_limit,
        }
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("count", &self.count)
            .field("next", &self.next.as_deref().map(Link::new))
            .field("previous", &self.previous.as_deref().map(Link::new))
            .field("results", &self.results)
            .field("extra", &self.extra)
            .field("status", &self.status)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_the_rows_values_nor_the_links_query() {
        let row: Session = serde_json::from_value(serde_json::json!({
            "session_number": 7,
            "vendor_data": "Jane-Personal-Vendor",
        }))
        .unwrap();
        let page = Page {
            count: 1,
            next: Some("https://verification.didit.me/v3/sessions/?search=Jane-Personal".into()),
            previous: None,
            results: vec![row],
            extra: crate::Extra::default(),
            status: StatusCode::OK,
            rate_limit: RateLimit::default(),
        };
        for shown in [format!("{page:?}"), format!("{page:#?}")] {
            assert!(!shown.contains("Jane"), "{shown}");
            assert!(shown.contains("vendor_data"), "{shown}");
            assert!(
                shown.contains("https://verification.didit.me/v3/sessions/?…"),
                "{shown}"
            );
        }
    }
}
