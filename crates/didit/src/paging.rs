//! Paging state: which pages to fetch, how many at once, and the guards
//! that keep paging from leaving the API's origin or going round in circles.
//!
//! Pages are handed out strictly in list order. When the first page's
//! `count` is exact (KYC listings), the offsets of the remaining pages are
//! known, and up to `concurrency` of them are fetched at once. Otherwise
//! each page's `next` link is fetched while the page before it is being
//! read. Either way every page's own `next` link is checked exactly as in
//! one-by-one paging, and a page that does not link where the plan expects
//! (the list changed meanwhile) ends the plan: paging goes on from that
//! page's link, one page ahead.
//!
//! A `session_kind=all` listing whose links end with its KYC rows goes on
//! as a `business` listing from the first KYB row not yet received (see
//! `kyb_continuation`), and a `max_rows` bound cuts the page that reaches
//! it and requests nothing past it.

use std::collections::{HashSet, VecDeque};

use url::Url;
use uuid::Uuid;

use crate::error::Link;
use crate::transport::same_origin;
use crate::{Client, Error, Page, Result, Session};

/// How a listing pages; see [`Paginator::new`].
#[derive(Clone, Debug)]
pub(crate) struct PagingOptions {
    /// Most pages requested at once; at least 1.
    pub(crate) concurrency: usize,
    /// Whether the first page's `count` is the exact number of rows.
    pub(crate) exact_count: bool,
    /// Whether to drop rows whose `session_id` came before.
    pub(crate) dedupe_by_session_id: bool,
    /// Most rows to hand out; no page that starts past them is requested.
    pub(crate) max_rows: Option<u64>,
}

/// Walks the session list page by page. All paging state lives here.
pub(crate) struct Paginator {
    client: Client,
    options: PagingOptions,
    /// Pages requested and not yet handed out, in list order.
    fetches: VecDeque<Fetch>,
    /// The remaining pages at known offsets, when the count is exact.
    plan: Option<OffsetPlan>,
    /// The link to request next, when paging follows links.
    next_link: Option<Url>,
    /// An error to report before anything else (bad input, or a refused
    /// `next` link after a page that was fine).
    pending_error: Option<Error>,
    /// Every `next` link received, so a repeated one is caught.
    seen: HashSet<Url>,
    /// The offset of the first page requested.
    start_offset: u64,
    pages_received: u64,
    rows_received: u64,
    /// Rows handed out: received, less the repeats de-duplication dropped
    /// and what lies past `max_rows`.
    rows_handed_out: u64,
    /// The `session_id`s handed out, when de-duplicating.
    session_ids: HashSet<Uuid>,
}

/// One page being fetched in the background. Dropping it cancels the
/// request: pages nobody will read are not waited for.
struct Fetch {
    url: Url,
    task: tokio::task::JoinHandle<Result<Page>>,
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The pages still to request when `count` is exact: every `stride` rows
/// from `next_offset` up to `last` (included), at the first page's `next`
/// link with its `offset` rewritten.
#[derive(Debug)]
struct OffsetPlan {
    link: Url,
    /// `None` once the offsets ran past `u64::MAX`.
    next_offset: Option<u64>,
    stride: u64,
    last: u64,
}

impl OffsetPlan {
    fn next_url(&mut self) -> Option<Url> {
        let offset = self.next_offset.filter(|&offset| offset <= self.last)?;
        self.next_offset = offset.checked_add(self.stride);
        Some(with_query_param(&self.link, "offset", &offset.to_string()))
    }

    /// Whether `offset` lies past the planned pages.
    fn passed(&self, offset: u64) -> bool {
        offset > self.last
    }
}

impl Paginator {
    pub(crate) fn new(client: Client, first: Url, options: PagingOptions) -> Self {
        let start_offset = offset_of(&first).unwrap_or(0);
        let mut paginator = Self::failed(client, options, None);
        paginator.seen.insert(first.clone());
        paginator.next_link = Some(first);
        paginator.start_offset = start_offset;
        paginator
    }

    /// A paginator that only reports `error` (when there is one).
    pub(crate) fn failed(client: Client, options: PagingOptions, error: Option<Error>) -> Self {
        Self {
            client,
            options,
            fetches: VecDeque::new(),
            plan: None,
            next_link: None,
            pending_error: error,
            seen: HashSet::new(),
            start_offset: 0,
            pages_received: 0,
            rows_received: 0,
            rows_handed_out: 0,
            session_ids: HashSet::new(),
        }
    }

    /// The next page, an error (after which there is nothing more), or
    /// `None` at the end.
    pub(crate) async fn next_page(&mut self) -> Option<Result<Page>> {
        if let Some(error) = self.pending_error.take() {
            self.stop();
            return Some(Err(error));
        }
        self.request_ahead(self.options.concurrency);
        let mut fetch = self.fetches.pop_front()?;
        let fetched = match (&mut fetch.task).await {
            Ok(fetched) => fetched,
            Err(failure) => match failure.try_into_panic() {
                // A bug in the SDK, not anything a server sent: let it show.
                Ok(panic) => std::panic::resume_unwind(panic),
                // Only a runtime shutting down cancels a fetch held here;
                // nobody is left to read the listing.
                Err(_) => {
                    self.stop();
                    return None;
                }
            },
        };
        match fetched {
            Ok(mut page) => {
                self.pages_received = self.pages_received.saturating_add(1);
                self.rows_received = self.rows_received.saturating_add(len_u64(&page.results));
                self.after(&fetch.url, &page);
                if self.options.dedupe_by_session_id {
                    let seen = &mut self.session_ids;
                    page.results
                        .retain(|row| row.session_id().is_none_or(|id| seen.insert(id)));
                }
                self.keep_within_max_rows(&mut page);
                // Keep requesting while the caller reads this page, leaving
                // one place for the request it will wait on.
                self.request_ahead(self.options.concurrency.saturating_sub(1));
                Some(Ok(page))
            }
            Err(error) => {
                let resume_offset = self.resume_offset(Some(&fetch.url));
                self.stop();
                Some(Err(self.interrupted(error, resume_offset)))
            }
        }
    }

    /// Cuts `page` to the rows left under `max_rows`; the listing is
    /// complete once they are handed out, whatever would have followed.
    fn keep_within_max_rows(&mut self, page: &mut Page) {
        if let Some(max_rows) = self.options.max_rows {
            let left = max_rows.saturating_sub(self.rows_handed_out);
            if len_u64(&page.results) >= left {
                page.results
                    .truncate(usize::try_from(left).unwrap_or(usize::MAX));
                self.stop();
                self.pending_error = None;
            }
        }
        self.rows_handed_out = self.rows_handed_out.saturating_add(len_u64(&page.results));
    }

    /// Starts requests until `in_flight` pages are on their way or none is
    /// left to request.
    fn request_ahead(&mut self, in_flight: usize) {
        while self.fetches.len() < in_flight {
            let url = match &mut self.plan {
                Some(plan) => plan.next_url(),
                None => self.next_link.take(),
            };
            let Some(url) = url.filter(|url| self.wanted(url)) else {
                break;
            };
            let client = self.client.clone();
            let page = {
                let url = url.clone();
                async move { client.fetch_page(url).await }
            };
            let task = tokio::spawn(tracing::Instrument::in_current_span(page));
            self.fetches.push_back(Fetch { url, task });
        }
    }

    /// Whether the page at `url` may hold rows wanted: no page starting
    /// past the most rows wanted is requested.
    fn wanted(&self, url: &Url) -> bool {
        let Some(max_rows) = self.options.max_rows else {
            return true;
        };
        if self.options.dedupe_by_session_id {
            // Dropped repeats are not rows handed out: pages past the
            // bound may be needed.
            return true;
        }
        let starts_at =
            offset_of(url).unwrap_or(self.start_offset.saturating_add(self.rows_received));
        starts_at < self.start_offset.saturating_add(max_rows)
    }

    /// Decides what follows a page: the planned pages, its `next` link, the
    /// end, or an error once the page is handed out.
    fn after(&mut self, url: &Url, page: &Page) {
        let next = match self.follow(url, page) {
            Ok(next) => next,
            Err(error) => {
                let link = page.next.as_deref().and_then(|next| url.join(next).ok());
                let resume_offset = self.resume_offset(link.as_ref());
                self.stop();
                self.pending_error = Some(self.interrupted(error, resume_offset));
                return;
            }
        };
        let Some(next) = next else {
            self.stop();
            self.next_link = self.kyb_continuation(url, page);
            return;
        };
        let planned_next = self.plan.as_ref().map(|plan| {
            let this_offset = offset_of(url).unwrap_or(self.start_offset);
            this_offset.checked_add(plan.stride)
        });
        match planned_next {
            // The plan holds: the page the link names is requested already,
            // or planned.
            Some(Some(planned))
                if offset_of(&next) == Some(planned) && !self.plan_passed(planned) => {}
            Some(_) => {
                // The list changed under the plan: go on from the link.
                self.stop();
                self.next_link = Some(next);
            }
            None if self.pages_received == 1 && self.options.concurrency > 1 => {
                self.plan = self.plan_from(page, &next);
                if self.plan.is_none() {
                    self.next_link = Some(next);
                }
            }
            None => self.next_link = Some(next),
        }
    }

    /// Where the KYB rows of a `session_kind=all` listing go on once its
    /// `next` links have ended.
    ///
    /// The server's links for `all` follow the KYC side only, so they end
    /// with the KYC rows even when more KYB rows match. When this last page's
    /// KYB side may not be the last of them (it is full, or the page size is
    /// not known), the rest is listed as `business` from the first KYB row
    /// not yet received; those pages link on to every remaining row.
    fn kyb_continuation(&mut self, url: &Url, page: &Page) -> Option<Url> {
        let kind = query_value(url, "session_kind")?;
        if !kind.eq_ignore_ascii_case("all") {
            return None;
        }
        let kyb_rows = page
            .results
            .iter()
            .filter(|row| matches!(row, Session::Kyb(_)))
            .count();
        let kyb_rows = u64::try_from(kyb_rows).unwrap_or(u64::MAX);
        let page_size = query_value(url, "limit").and_then(|limit| limit.parse::<u64>().ok());
        if kyb_rows == 0 || page_size.is_some_and(|size| kyb_rows < size) {
            return None;
        }
        let offset = offset_of(url)
            .unwrap_or(self.start_offset)
            .checked_add(kyb_rows)?;
        let business = with_query_param(url, "session_kind", "business");
        let continuation = with_query_param(&business, "offset", &offset.to_string());
        self.seen
            .insert(continuation.clone())
            .then_some(continuation)
    }

    /// Whether `offset` lies past the planned pages.
    fn plan_passed(&self, offset: u64) -> bool {
        self.plan.as_ref().is_some_and(|plan| plan.passed(offset))
            && !self
                .fetches
                .iter()
                .any(|fetch| offset_of(&fetch.url) == Some(offset))
    }

    /// The plan for the pages after the first, when its count is exact and
    /// its link says where the second page starts.
    fn plan_from(&self, first: &Page, next: &Url) -> Option<OffsetPlan> {
        if !self.options.exact_count {
            return None;
        }
        let next_offset = offset_of(next)?;
        let stride = next_offset.checked_sub(self.start_offset)?;
        if stride == 0 {
            return None;
        }
        Some(OffsetPlan {
            link: next.clone(),
            next_offset: Some(next_offset),
            stride,
            // The page the link names is requested whatever the count says.
            last: u64::try_from(first.count)
                .unwrap_or(0)
                .saturating_sub(1)
                .max(next_offset),
        })
    }

    /// Requests nothing more, and cancels what is on its way.
    fn stop(&mut self) {
        self.plan = None;
        self.next_link = None;
        self.fetches.clear();
    }

    /// Checks a page's `next` link and returns the URL to fetch next.
    fn follow(&mut self, current: &Url, page: &Page) -> Result<Option<Url>> {
        let Some(next) = page.next.as_deref().filter(|next| !next.trim().is_empty()) else {
            return Ok(None);
        };
        let refused = |reason| Error::NextLinkRefused {
            next: Link::new(next),
            reason,
        };
        let url = current.join(next).map_err(|_| refused("it is not a URL"))?;
        if !same_origin(&url, self.client.base_url()) {
            return Err(refused(
                "it leaves the base URL's scheme, host and port, and the API key must not go there",
            ));
        }
        if url.path() != current.path() {
            return Err(refused("it points to another path than the session list"));
        }
        let stalled = |reason| Error::PaginationStalled {
            next: Link::new(next),
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
            .unwrap_or(self.start_offset.saturating_add(self.rows_received))
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
    query_value(url, "offset").and_then(|value| value.parse().ok())
}

/// The value of the query parameter `name`, decoded; `None` when it is
/// missing or repeated (servers disagree on which of several counts).
fn query_value(url: &Url, name: &str) -> Option<String> {
    let mut values = url.query_pairs().filter(|(key, _)| key == name);
    let (_, value) = values.next()?;
    values.next().is_none().then(|| value.into_owned())
}

/// The number of rows of a page, as the counters count.
fn len_u64(rows: &[Session]) -> u64 {
    u64::try_from(rows.len()).unwrap_or(u64::MAX)
}

/// `url` with its parameter `name` set to `value` (both free of characters
/// that need escaping), every other byte of the query as it was.
fn with_query_param(url: &Url, name: &str, value: &str) -> Url {
    let prefix = format!("{name}=");
    let parameter = format!("{prefix}{value}");
    let mut replaced = false;
    let mut parts: Vec<&str> = Vec::new();
    for part in url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        if part.starts_with(&prefix) {
            if !replaced {
                parts.push(&parameter);
                replaced = true;
            }
        } else {
            parts.push(part);
        }
    }
    if !replaced {
        parts.push(&parameter);
    }
    let mut url = url.clone();
    url.set_query(Some(&parts.join("&")));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_rewritten_in_place() {
        let url = Url::parse("http://h/v3/sessions/?limit=2&offset=4&search=a%20b+c").unwrap();
        assert_eq!(
            with_query_param(&url, "offset", "10").as_str(),
            "http://h/v3/sessions/?limit=2&offset=10&search=a%20b+c"
        );
        let url = Url::parse("http://h/v3/sessions/?limit=2").unwrap();
        assert_eq!(
            with_query_param(&url, "offset", "2").as_str(),
            "http://h/v3/sessions/?limit=2&offset=2"
        );
    }

    #[test]
    fn a_plan_covers_the_offsets_up_to_its_last() {
        let offsets = |next_offset, stride, last| {
            let mut plan = OffsetPlan {
                link: Url::parse("http://h/?offset=3&limit=3").unwrap(),
                next_offset: Some(next_offset),
                stride,
                last,
            };
            std::iter::from_fn(|| plan.next_url())
                .map(|url| offset_of(&url).unwrap())
                .collect::<Vec<u64>>()
        };
        assert_eq!(offsets(3, 3, 9), [3, 6, 9]);
        assert_eq!(offsets(3, 3, 8), [3, 6]);
        assert_eq!(offsets(u64::MAX - 1, 1, u64::MAX), [u64::MAX - 1, u64::MAX]);
        assert_eq!(offsets(u64::MAX, u64::MAX, u64::MAX), [u64::MAX]);
    }
}
