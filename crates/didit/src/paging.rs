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

use crate::link_pages::{checked_next, interrupted};
use crate::sessions::{PageRequest, Parameters};
use crate::{Client, Error, MAX_PAGE_CONCURRENCY, Page, Result, Session};

/// The pages a listing requests at once when `asked` for this many: at
/// least one, and never more than [`MAX_PAGE_CONCURRENCY`], whatever the
/// server's `count` lets the plan run to.
pub(crate) fn pages_at_once(asked: usize) -> usize {
    asked.clamp(1, MAX_PAGE_CONCURRENCY)
}

/// How a listing pages; see [`Paginator::new`].
#[derive(Clone, Debug)]
pub(crate) struct PagingOptions {
    /// Most pages requested at once, as [`pages_at_once`] allows.
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
    /// The listing's parameters: every page not named by a server's link
    /// is made from them.
    parameters: Parameters,
    /// Pages requested and not yet handed out, in list order.
    fetches: VecDeque<Fetch>,
    /// The remaining pages at known offsets, when the count is exact.
    plan: Option<OffsetPlan>,
    /// The page to request next, when paging follows links.
    next: Option<Next>,
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
    /// Where the page starts, when known.
    offset: Option<u64>,
    /// The page and the URL it came from.
    task: tokio::task::JoinHandle<Result<(Page, Url)>>,
}

/// A page to request: where it starts, when known, and how to ask for it.
struct Next {
    offset: Option<u64>,
    request: PageRequest,
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The pages still to request when `count` is exact: every `stride` rows
/// from `next_offset` up to `last` (included), each the listing at that
/// offset.
#[derive(Debug)]
struct OffsetPlan {
    /// `None` once the offsets ran past `u64::MAX`.
    next_offset: Option<u64>,
    stride: u64,
    last: u64,
}

impl OffsetPlan {
    fn next_offset(&mut self) -> Option<u64> {
        let offset = self.next_offset.filter(|&offset| offset <= self.last)?;
        self.next_offset = offset.checked_add(self.stride);
        Some(offset)
    }

    /// Whether `offset` lies past the planned pages.
    fn passed(&self, offset: u64) -> bool {
        offset > self.last
    }
}

impl Next {
    /// The page a server's (checked) link names.
    fn link(url: Url) -> Self {
        Self {
            offset: offset_of(&url),
            request: PageRequest::Link(url),
        }
    }
}

impl Paginator {
    /// Pages through the listing with these parameters, whose first page
    /// starts at `start_offset`.
    pub(crate) fn new(
        client: Client,
        parameters: Parameters,
        start_offset: u64,
        options: PagingOptions,
    ) -> Self {
        let mut paginator = Self::failed(client, options, None);
        paginator.next = Some(Next {
            offset: Some(start_offset),
            request: PageRequest::Listing(parameters.clone()),
        });
        paginator.parameters = parameters;
        paginator.start_offset = start_offset;
        paginator
    }

    /// A paginator that only reports `error` (when there is one).
    pub(crate) fn failed(client: Client, options: PagingOptions, error: Option<Error>) -> Self {
        Self {
            client,
            options,
            parameters: Parameters::default(),
            fetches: VecDeque::new(),
            plan: None,
            next: None,
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
            Ok((mut page, url)) => {
                // A link back to a page made from the parameters is a loop
                // too.
                self.seen.insert(url.clone());
                self.pages_received = self.pages_received.saturating_add(1);
                self.rows_received = self.rows_received.saturating_add(len_u64(&page.results));
                self.after(&url, &page);
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
                let resume_offset = self.resume_offset(fetch.offset);
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
            let next = match &mut self.plan {
                Some(plan) => plan.next_offset().map(|offset| Next {
                    offset: Some(offset),
                    request: PageRequest::Listing(self.parameters.at_offset(offset)),
                }),
                None => self.next.take(),
            };
            let Some(Next { offset, request }) = next.filter(|next| self.wanted(next.offset))
            else {
                break;
            };
            let client = self.client.clone();
            let page = async move { client.fetch_page(request).await };
            let task = tokio::spawn(tracing::Instrument::in_current_span(page));
            self.fetches.push_back(Fetch { offset, task });
        }
    }

    /// Whether the page at `url` may hold rows wanted: no page starting
    /// past the most rows wanted is requested.
    fn wanted(&self, offset: Option<u64>) -> bool {
        let Some(max_rows) = self.options.max_rows else {
            return true;
        };
        if self.options.dedupe_by_session_id {
            // Dropped repeats are not rows handed out: pages past the
            // bound may be needed.
            return true;
        }
        let starts_at = offset.unwrap_or(self.start_offset.saturating_add(self.rows_received));
        starts_at < self.start_offset.saturating_add(max_rows)
    }

    /// Decides what follows a page: the planned pages, its `next` link, the
    /// end, or an error once the page is handed out.
    fn after(&mut self, url: &Url, page: &Page) {
        let next = match self.follow(url, page) {
            Ok(next) => next,
            Err(error) => {
                let link = page.next.as_deref().and_then(|next| url.join(next).ok());
                let resume_offset = self.resume_offset(link.as_ref().and_then(offset_of));
                self.stop();
                self.pending_error = Some(self.interrupted(error, resume_offset));
                return;
            }
        };
        let Some(next) = next else {
            self.stop();
            self.next = self.kyb_continuation(url, page);
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
                self.next = Some(Next::link(next));
            }
            None if self.pages_received == 1 && self.options.concurrency > 1 => {
                self.plan = self.plan_from(page, &next);
                if self.plan.is_none() {
                    self.next = Some(Next::link(next));
                }
            }
            None => self.next = Some(Next::link(next)),
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
    fn kyb_continuation(&self, url: &Url, page: &Page) -> Option<Next> {
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
        // These pages are `business` ones: their own links end with the
        // KYB rows, so no listing continues twice.
        Some(Next {
            offset: Some(offset),
            request: PageRequest::Listing(self.parameters.business_at_offset(offset)),
        })
    }

    /// Whether `offset` lies past the planned pages.
    fn plan_passed(&self, offset: u64) -> bool {
        self.plan.as_ref().is_some_and(|plan| plan.passed(offset))
            && !self
                .fetches
                .iter()
                .any(|fetch| fetch.offset == Some(offset))
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
        self.next = None;
        self.fetches.clear();
    }

    /// Checks a page's `next` link and returns the URL to fetch next.
    fn follow(&mut self, current: &Url, page: &Page) -> Result<Option<Url>> {
        checked_next(
            self.client.base_url(),
            current,
            page.next.as_deref(),
            page.results.is_empty(),
            &mut self.seen,
        )
    }

    /// Where to restart after a failure: the offset of the page that could
    /// not be fetched (or whose link was refused), or, when that URL has no
    /// offset, just past the rows received.
    fn resume_offset(&self, failed_at: Option<u64>) -> u64 {
        failed_at.unwrap_or(self.start_offset.saturating_add(self.rows_received))
    }

    /// Marks an error that came after some pages with where to resume.
    fn interrupted(&self, error: Error, resume_offset: u64) -> Error {
        interrupted(
            error,
            self.pages_received,
            self.rows_received,
            resume_offset,
        )
    }
}

/// The `offset` query parameter of a page URL.
pub(crate) fn offset_of(url: &Url) -> Option<u64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_covers_the_offsets_up_to_its_last() {
        let offsets = |next_offset, stride, last| {
            let mut plan = OffsetPlan {
                next_offset: Some(next_offset),
                stride,
                last,
            };
            std::iter::from_fn(|| plan.next_offset()).collect::<Vec<u64>>()
        };
        assert_eq!(offsets(3, 3, 9), [3, 6, 9]);
        assert_eq!(offsets(3, 3, 8), [3, 6]);
        assert_eq!(offsets(u64::MAX - 1, 1, u64::MAX), [u64::MAX - 1, u64::MAX]);
        assert_eq!(offsets(u64::MAX, u64::MAX, u64::MAX), [u64::MAX]);
    }
}
