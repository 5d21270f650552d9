//! Paging by `next` links, for every paged answer but the session list
//! (whose own paginator, in `paging`, also fetches pages ahead).
//!
//! How to page an answer:
//!
//! - its generated page type implements [`LinkedPage`]: where its `next`
//!   link is and what its rows are;
//! - the request implements [`PageSource`]: how to send it with a generated
//!   client (the first page is the request as built; a client made for a
//!   link sends the same request to the link instead);
//! - [`first_page`] fetches one page, [`pages`] and [`items`] stream them
//!   all, strictly one after the other.
//!
//! Every `next` link passes [`checked_next`], the check the session list
//! uses too: it is followed only to the base URL's origin and the path of
//! the page it came from (the API key never goes elsewhere:
//! [`Error::NextLinkRefused`]), and a link already followed, or an empty
//! page with a link, is [`Error::PaginationStalled`]. An error after some
//! pages is [`Error::Interrupted`], with the offset to resume from. After
//! an error the stream ends.

use std::collections::HashSet;

use didit_api::{ClientInfo, JsonDocument, ResponseValue};
use futures::future::BoxFuture;
use futures::{Stream, StreamExt, TryStreamExt};
use url::Url;

use crate::error::Link;
use crate::paging::offset_of;
use crate::transport::same_origin;
use crate::{Client, Error, Reply, Result};

/// A generated page type: a `next` link and rows.
pub(crate) trait LinkedPage: JsonDocument + Send + Sync + 'static {
    /// One row.
    type Item: Send + 'static;

    /// The `next` link as the server sent it.
    fn next(&self) -> Option<&str>;

    /// The rows of the page.
    fn results(&self) -> &[Self::Item];

    /// The rows, taken out of the page.
    fn into_results(self) -> Vec<Self::Item>;
}

/// What a generated operation's `send` returns.
pub(crate) type Sent<P, E> = std::result::Result<ResponseValue<P>, didit_api::Error<E>>;

/// A paged request.
pub(crate) trait PageSource: Send + Sync + 'static {
    /// The page the operation answers with.
    type Page: LinkedPage;
    /// The operation's documented error body.
    type Error: Send + 'static;

    /// Sends the request with `api`. A client made for a link sends it to
    /// the link, whatever URL the generated builder makes.
    fn send<'a>(
        &'a self,
        api: &'a didit_api::Client,
    ) -> BoxFuture<'a, Sent<Self::Page, Self::Error>>;
}

/// Checks a page's `next` link, received from `current`, and returns the
/// URL to fetch next, or `None` when there is none. `seen` holds the URLs
/// followed so far, and gets this one.
pub(crate) fn checked_next(
    base_url: &Url,
    current: &Url,
    next: Option<&str>,
    page_is_empty: bool,
    seen: &mut HashSet<Url>,
) -> Result<Option<Url>> {
    let Some(next) = next.filter(|next| !next.trim().is_empty()) else {
        return Ok(None);
    };
    let refused = |reason| Error::NextLinkRefused {
        next: Link::new(next),
        reason,
    };
    let url = current.join(next).map_err(|_| refused("it is not a URL"))?;
    if !same_origin(&url, base_url) {
        return Err(refused(
            "it leaves the base URL's scheme, host and port, and the API key must not go there",
        ));
    }
    if url.path() != current.path() {
        return Err(refused(
            "it points to another path than the list it continues",
        ));
    }
    let stalled = |reason| Error::PaginationStalled {
        next: Link::new(next),
        reason,
    };
    if page_is_empty {
        return Err(stalled("an empty page pointed to a further page"));
    }
    if !seen.insert(url.clone()) {
        return Err(stalled("the server sent a link that was already followed"));
    }
    Ok(Some(url))
}

/// `error`, marked with where to resume when it came after some pages.
pub(crate) fn interrupted(
    error: Error,
    pages_received: u64,
    rows_received: u64,
    resume_offset: u64,
) -> Error {
    if pages_received == 0 {
        return error;
    }
    Error::Interrupted {
        resume_offset,
        rows_received,
        source: Box::new(error),
    }
}

/// Fetches one page: the request as built, or at the (checked) `link`.
/// Returns the URL it came from too, against which its links are read.
async fn fetch<S: PageSource>(
    client: &Client,
    source: &S,
    link: Option<Url>,
) -> Result<(Reply<S::Page>, Url)> {
    let api = client.api(link);
    let result = source.send(&api).await;
    let value = Client::settle(&api, result).await?;
    let url = api.inner().sent_to().ok_or(Error::Internal {
        what: "the URL of a page received was not recorded",
    })?;
    Ok((Reply::from_answer(value), url))
}

/// The page the request names, with what its answer said.
pub(crate) async fn first_page<S: PageSource>(
    client: &Client,
    source: &S,
) -> Result<Reply<S::Page>> {
    fetch(client, source, None).await.map(|(page, _)| page)
}

/// Every page from the one the request names, following `next` links.
/// `client` is the client to send with, or the error to end with at once
/// (a bad request); `start_offset` is the offset the request starts at.
pub(crate) fn pages<S: PageSource>(
    client: Result<Client>,
    source: S,
    start_offset: u64,
) -> impl Stream<Item = Result<Reply<S::Page>>> + Send + Unpin + 'static {
    let (client, next, pending_error) = match client {
        Ok(client) => (Some(client), Some(None), None),
        Err(error) => (None, None, Some(error)),
    };
    let state = Pager {
        client,
        source,
        next,
        pending_error,
        seen: HashSet::new(),
        start_offset,
        pages_received: 0,
        rows_received: 0,
    };
    futures::stream::unfold(state, |mut pager| async move {
        let page = pager.next_page().await?;
        Some((page, pager))
    })
    .boxed()
}

/// The rows of [`pages`], then its error if it ends with one.
pub(crate) fn items<S: PageSource>(
    client: Result<Client>,
    source: S,
    start_offset: u64,
) -> impl Stream<Item = Result<<S::Page as LinkedPage>::Item>> + Send + Unpin + 'static {
    pages(client, source, start_offset)
        .map_ok(|page| futures::stream::iter(page.into_inner().into_results().into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Paging state of [`pages`].
struct Pager<S> {
    /// `None` when the request was refused before anything was sent.
    client: Option<Client>,
    source: S,
    /// The page to fetch next: `Some(None)` for the request as built,
    /// `Some(Some(link))` for a link; `None` at the end.
    next: Option<Option<Url>>,
    /// An error to report before anything else.
    pending_error: Option<Error>,
    /// Every URL a page came from, so a repeated link is caught.
    seen: HashSet<Url>,
    start_offset: u64,
    pages_received: u64,
    rows_received: u64,
}

impl<S: PageSource> Pager<S> {
    async fn next_page(&mut self) -> Option<Result<Reply<S::Page>>> {
        if let Some(error) = self.pending_error.take() {
            self.next = None;
            return Some(Err(error));
        }
        let link = self.next.take()?;
        let client = self.client.as_ref()?;
        let failed_at = match &link {
            Some(link) => offset_of(link),
            None => Some(self.start_offset),
        };
        let (page, url) = match fetch(client, &self.source, link).await {
            Ok(fetched) => fetched,
            Err(error) => {
                let resume_offset = self.resume_offset(failed_at);
                return Some(Err(self.interrupted(error, resume_offset)));
            }
        };
        // A link back to the page the request named is a loop too.
        self.seen.insert(url.clone());
        self.pages_received = self.pages_received.saturating_add(1);
        let rows = u64::try_from(page.results().len()).unwrap_or(u64::MAX);
        self.rows_received = self.rows_received.saturating_add(rows);
        let next = checked_next(
            client.base_url(),
            &url,
            page.next(),
            page.results().is_empty(),
            &mut self.seen,
        );
        match next {
            Ok(next) => self.next = next.map(Some),
            Err(error) => {
                let link = page.next().and_then(|next| url.join(next).ok());
                let resume_offset = self.resume_offset(link.as_ref().and_then(offset_of));
                self.pending_error = Some(self.interrupted(error, resume_offset));
            }
        }
        Some(Ok(page))
    }

    /// The offset of the page that failed, or, when its URL has none, just
    /// past the rows received.
    fn resume_offset(&self, failed_at: Option<u64>) -> u64 {
        failed_at.unwrap_or(self.start_offset.saturating_add(self.rows_received))
    }

    fn interrupted(&self, error: Error, resume_offset: u64) -> Error {
        interrupted(
            error,
            self.pages_received,
            self.rows_received,
            resume_offset,
        )
    }
}

impl LinkedPage for crate::types::ReviewPage {
    type Item = crate::types::ReviewEntry;

    fn next(&self) -> Option<&str> {
        self.next.as_deref()
    }

    fn results(&self) -> &[Self::Item] {
        &self.results
    }

    fn into_results(self) -> Vec<Self::Item> {
        self.results
    }
}
