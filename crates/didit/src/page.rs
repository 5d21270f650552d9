//! One page of the session list, and how it is read from an answer.

use std::fmt;

use didit_api::ResponseValue;

use crate::types::SessionPage;
use crate::{Link, ReplyMetadata, Session};

/// One page of `GET /v3/sessions/`, with what the answer's status and
/// headers said ([`metadata`](Self::metadata)).
///
/// ```
/// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
/// let page = client.sessions().list().limit(50).send().await?;
/// for session in &page.results {
///     println!("{:?}", session.kind());
/// }
/// if page.metadata().rate_limit().remaining == Some(0) {
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
    metadata: ReplyMetadata,
}

impl Page {
    /// A page from the generated client's answer.
    pub(crate) fn from_answer(answer: ResponseValue<SessionPage>) -> Page {
        let (page, metadata) = crate::Reply::from_answer(answer).into_parts();
        Page {
            count: page.count,
            next: page.next,
            previous: page.previous,
            results: page.results,
            extra: page.extra,
            metadata,
        }
    }

    /// What the answer said besides its body: status, rate-limit headers,
    /// the server's request identifier.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
    /// let page = client.sessions().list().send().await?;
    /// println!("{} ({:?})", page.metadata().status(), page.metadata().request_id());
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> &ReplyMetadata {
        &self.metadata
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
            .field("metadata", &self.metadata)
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
            metadata: ReplyMetadata::of(&ResponseValue::new(
                (),
                reqwest::StatusCode::OK,
                reqwest::header::HeaderMap::new(),
            )),
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
