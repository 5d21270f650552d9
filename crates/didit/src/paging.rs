//! Paging state: which page comes next, and the guards that keep paging
//! from leaving the API's origin or going round in circles.

use std::collections::HashSet;

use url::Url;

use crate::transport::same_origin;
use crate::{Client, Error, Page, Result};

/// Walks the session list page by page. All paging state lives here.
pub(crate) struct Paginator {
    client: Client,
    /// The page to fetch next; `None` once the list is done.
    next_request: Option<Url>,
    /// An error to report before anything else (bad input, or a refused
    /// `next` link after a page that was fine).
    pending_error: Option<Error>,
    /// Every URL requested or queued, so a repeated `next` link is caught.
    seen: HashSet<Url>,
    /// The offset of the first page requested.
    start_offset: u64,
    pages_received: u64,
    rows_received: u64,
}

impl Paginator {
    pub(crate) fn new(client: Client, first: Url) -> Self {
        let start_offset = offset_of(&first).unwrap_or(0);
        Self {
            client,
            seen: HashSet::from([first.clone()]),
            next_request: Some(first),
            pending_error: None,
            start_offset,
            pages_received: 0,
            rows_received: 0,
        }
    }

    /// A paginator that only reports `error`.
    pub(crate) fn failed(client: Client, error: Error) -> Self {
        Self {
            client,
            next_request: None,
            pending_error: Some(error),
            seen: HashSet::new(),
            start_offset: 0,
            pages_received: 0,
            rows_received: 0,
        }
    }

    /// The next page, an error (after which there is nothing more), or
    /// `None` at the end.
    pub(crate) async fn next_page(&mut self) -> Option<Result<Page>> {
        if let Some(error) = self.pending_error.take() {
            self.next_request = None;
            return Some(Err(error));
        }
        let url = self.next_request.take()?;
        match self.client.fetch_page(url.clone()).await {
            Ok(page) => {
                self.pages_received += 1;
                self.rows_received += page.results.len() as u64;
                match self.follow(&url, &page) {
                    Ok(next) => self.next_request = next,
                    Err(error) => {
                        let link = page.next.as_deref().and_then(|next| url.join(next).ok());
                        let resume_offset = self.resume_offset(link.as_ref());
                        self.pending_error = Some(self.interrupted(error, resume_offset));
                    }
                }
                Some(Ok(page))
            }
            Err(error) => {
                let resume_offset = self.resume_offset(Some(&url));
                Some(Err(self.interrupted(error, resume_offset)))
            }
        }
    }

    /// Checks a page's `next` link and returns the URL to fetch next.
    fn follow(&mut self, current: &Url, page: &Page) -> Result<Option<Url>> {
        let Some(next) = page.next.as_deref().filter(|next| !next.trim().is_empty()) else {
            return Ok(None);
        };
        let refused = |reason| Error::NextLinkRefused {
            next: next.to_owned(),
            reason,
        };
        let url = current.join(next).map_err(|_| refused("it is not a URL"))?;
        if !same_origin(&url, self.client.base_url()) {
            return Err(refused(
                "it leaves the base URL's scheme, host and port, and the API key must not go there",
            ));
        }
        let stalled = |reason| Error::PaginationStalled {
            next: next.to_owned(),
            reason,
        };
        if page.results.is_empty() {
            return Err(stalled("an empty page pointed to a further page"));
        }
        if !self.seen.insert(url.clone()) {
            return Err(stalled("the server sent a link that was already followed"));
        }
        Ok(Some(url))
    }

    /// Where to restart after a failure: the offset of the page that could
    /// not be fetched (or whose link was refused), or, when that URL has no
    /// offset, just past the rows received.
    fn resume_offset(&self, failed: Option<&Url>) -> u64 {
        failed
            .and_then(offset_of)
            .unwrap_or(self.start_offset + self.rows_received)
    }

    /// Marks an error that came after some pages with where to resume.
    fn interrupted(&self, error: Error, resume_offset: u64) -> Error {
        if self.pages_received == 0 {
            return error;
        }
        Error::Interrupted {
            resume_offset,
            rows_received: self.rows_received,
            source: Box::new(error),
        }
    }
}

/// The `offset` query parameter of a page URL.
fn offset_of(url: &Url) -> Option<u64> {
    url.query_pairs()
        .find(|(name, _)| name == "offset")
        .and_then(|(_, value)| value.parse().ok())
}
