//! The client-wide rate limiter: keeps a client's requests within the API's
//! per-key sliding window, so that the server never has to answer 429.
//!
//! The server counts a request when it arrives, which is some time after the
//! client sent it and before the client has the answer. The limiter counts a
//! request as in flight from sending until its answer is in hand, and then as
//! spent for one window from that moment: a window later the server has
//! certainly stopped counting it, however long the trip took. Token buckets
//! (GCRA) would let a full burst plus a window's refill through within one
//! window, which a sliding window refuses; a log of recent requests is exact.
//!
//! The server's own view is folded in: when it reports fewer requests
//! remaining than the log allows (other programs use the same key), or
//! answers 429, the missing slots are held until its reset time.
//!
//! Memory stays bounded whatever the configured limit and whatever the
//! server says. The log holds one entry per request this client made, so it
//! grows only with the requests actually sent. Slots the server holds are
//! kept as counts, one per second of reset time: their number comes from a
//! header and from the configured limit (a server answering `0` to a client
//! allowed `u32::MAX` requests holds four billion slots), so they must not
//! take an entry each.

use std::collections::VecDeque;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::RateLimit;

/// The latest reset time the server is believed about: a reset further
/// away is taken as a broken header.
const LONGEST_BELIEVED_RESET: Duration = Duration::from_secs(3600);

/// How finely the times at which held slots free are told apart: the
/// server gives its reset in whole seconds, so holds that end within the
/// same second of the limiter's clock are one run. A slot may be held up to
/// this much longer than the server said, never shorter.
const HOLD_RESOLUTION: Duration = Duration::from_secs(1);

/// Requests allowed per sliding window, shared by every clone of a client.
#[derive(Debug)]
pub(crate) struct Limiter {
    max_requests: usize,
    window: Duration,
    /// Where the seconds that runs of held slots are rounded to start.
    epoch: Instant,
    state: Mutex<State>,
    /// Woken whenever a request finishes, so that waiters recompute when
    /// the next slot frees.
    finished: Notify,
}

#[derive(Debug, Default)]
struct State {
    /// When each slot this client spent frees again, earliest first. Slots
    /// stay listed for a window after they free, to tell what the log held
    /// when a request still in flight was sent.
    frees_at: VecDeque<Instant>,
    /// The slots the server's budget holds beyond the log, earliest first:
    /// one run per [`HOLD_RESOLUTION`] at most, none longer than
    /// [`LONGEST_BELIEVED_RESET`], so a few thousand runs at most. A run is
    /// forgotten once it frees (a later answer about a reset already past
    /// is not believed).
    held: VecDeque<HeldRun>,
    /// Requests sent whose answer has not arrived yet.
    in_flight: usize,
}

/// Slots held until the same moment.
#[derive(Debug)]
struct HeldRun {
    frees_at: Instant,
    slots: usize,
}

impl State {
    fn forget_freed(&mut self, now: Instant, window: Duration) {
        while self.frees_at.front().is_some_and(|&at| at + window <= now) {
            self.frees_at.pop_front();
        }
        while self.held.front().is_some_and(|run| run.frees_at <= now) {
            self.held.pop_front();
        }
    }

    /// Slots still spent at `instant`, as far as the state tells: own slots
    /// stay listed for a window after they free, held runs until they free.
    fn spent_at(&self, instant: Instant) -> usize {
        let own = self.frees_at.len() - self.frees_at.partition_point(|&at| at <= instant);
        self.held
            .iter()
            .filter(|run| run.frees_at > instant)
            .fold(own, |spent, run| spent.saturating_add(run.slots))
    }

    /// The first spent slot to free after `now`.
    fn next_free_after(&self, now: Instant) -> Option<Instant> {
        let freed = self.frees_at.partition_point(|&at| at <= now);
        let own = self.frees_at.get(freed).copied();
        let held = self
            .held
            .iter()
            .map(|run| run.frees_at)
            .find(|&at| at > now);
        own.into_iter().chain(held).min()
    }

    fn spend_until(&mut self, at: Instant) {
        let position = self.frees_at.partition_point(|&other| other <= at);
        self.frees_at.insert(position, at);
    }

    /// Holds `slots` more until `at`, which is a whole number of
    /// [`HOLD_RESOLUTION`]s after the epoch.
    fn hold_until(&mut self, at: Instant, slots: usize) {
        let position = self.held.partition_point(|run| run.frees_at < at);
        match self.held.get_mut(position) {
            Some(run) if run.frees_at == at => run.slots = run.slots.saturating_add(slots),
            _ => self.held.insert(
                position,
                HeldRun {
                    frees_at: at,
                    slots,
                },
            ),
        }
    }
}

/// What the server said about the key's budget: this many requests left
/// until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerBudget {
    pub(crate) remaining: u64,
    pub(crate) until: Instant,
}

impl ServerBudget {
    /// Reads the budget from an answer's headers: `X-RateLimit-Remaining`
    /// with `X-RateLimit-Reset`, or, on a 429 without them, nothing left
    /// until `Retry-After` has passed.
    pub(crate) fn from_answer(
        rate_limit: &RateLimit,
        throttled: bool,
        now: Instant,
        wall_clock: SystemTime,
    ) -> Option<Self> {
        let since_epoch = wall_clock.duration_since(UNIX_EPOCH).ok()?;
        match (rate_limit.remaining, rate_limit.reset) {
            (Some(remaining), Some(reset)) => {
                let reset_in = Duration::from_secs(reset).checked_sub(since_epoch)?;
                Some(Self {
                    remaining,
                    until: now + reset_in.min(LONGEST_BELIEVED_RESET),
                })
            }
            _ if throttled => Some(Self {
                remaining: 0,
                until: now + rate_limit.retry_after?.min(LONGEST_BELIEVED_RESET),
            }),
            _ => None,
        }
    }
}

impl Limiter {
    /// At most `max_requests` (at least one) per `window`.
    pub(crate) fn new(max_requests: u32, window: Duration) -> Self {
        Self {
            max_requests: (max_requests as usize).max(1),
            window,
            epoch: Instant::now(),
            state: Mutex::default(),
            finished: Notify::new(),
        }
    }

    pub(crate) fn max_requests(&self) -> usize {
        self.max_requests
    }

    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for a free slot and takes it. The slot is spent when the
    /// returned permit is finished or dropped.
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        loop {
            // Registered before looking, so a request finishing in between
            // still wakes this one.
            let mut finished = pin!(self.finished.notified());
            finished.as_mut().enable();
            let next_free = {
                let mut state = self.state();
                let now = Instant::now();
                state.forget_freed(now, self.window);
                if state.spent_at(now) + state.in_flight < self.max_requests {
                    state.in_flight += 1;
                    return Permit {
                        limiter: self,
                        sent_at: now,
                        settled: false,
                    };
                }
                state.next_free_after(now)
            };
            match next_free {
                Some(at) => {
                    let sleep = pin!(tokio::time::sleep_until(at));
                    futures::future::select(sleep, finished).await;
                }
                // Every slot is in flight: wait for one to come back.
                None => finished.await,
            }
        }
    }

    /// Ends a request sent at `sent_at`: its slot is spent for one window
    /// from now, and the server's budget, when it is lower than the log's,
    /// holds the difference until the server's reset.
    fn settle(&self, sent_at: Instant, server: Option<ServerBudget>) {
        let now = Instant::now();
        {
            let mut state = self.state();
            state.in_flight -= 1;
            state.spend_until(now + self.window);
            if let Some(server) = server.filter(|server| server.until > now) {
                // The server counted the request on arrival, after it was
                // sent: every slot of this client it can have counted then
                // is still in the log as spent at `sent_at`, or in flight.
                let own = state.spent_at(sent_at) + state.in_flight;
                let left = self.max_requests.saturating_sub(own);
                let remaining = usize::try_from(server.remaining).unwrap_or(usize::MAX);
                let missing = left.saturating_sub(remaining);
                if missing > 0 {
                    state.hold_until(self.rounded_up(server.until), missing);
                }
            }
            state.forget_freed(now, self.window);
        }
        self.finished.notify_waiters();
    }

    /// `at`, rounded up to a whole number of [`HOLD_RESOLUTION`]s after the
    /// epoch.
    fn rounded_up(&self, at: Instant) -> Instant {
        let since = at.saturating_duration_since(self.epoch);
        let step = HOLD_RESOLUTION.as_nanos();
        let rounded = since.as_nanos().div_ceil(step).saturating_mul(step);
        u64::try_from(rounded)
            .ok()
            .and_then(|nanos| self.epoch.checked_add(Duration::from_nanos(nanos)))
            .unwrap_or(at)
    }
}

/// A taken slot; see [`Limiter::acquire`].
#[derive(Debug)]
#[must_use = "a permit holds its slot until it is finished or dropped"]
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
    sent_at: Instant,
    settled: bool,
}

impl Permit<'_> {
    /// The answer arrived; `server` is what its headers said.
    pub(crate) fn finish(mut self, server: Option<ServerBudget>) {
        self.settled = true;
        self.limiter.settle(self.sent_at, server);
    }
}

impl Drop for Permit<'_> {
    /// A request given up on (failed or cancelled) may still have reached
    /// the server, so it counts all the same.
    fn drop(&mut self) {
        if !self.settled {
            self.limiter.settle(self.sent_at, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const WINDOW: Duration = Duration::from_secs(10);

    /// Sends `n` requests through the limiter, each answered at once, and
    /// returns when each was let through, relative to the start.
    async fn send(limiter: &Limiter, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..n {
            let permit = limiter.acquire().await;
            sent.push(start.elapsed());
            permit.finish(None);
        }
        sent
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_waits_for_the_oldest_request_to_age_out() {
        let limiter = Limiter::new(3, WINDOW);
        let sent = send(&limiter, 7).await;
        let secs: Vec<u64> = sent.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 0, 0, 10, 10, 10, 20]);
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_ever_holds_more_than_the_limit() {
        let limiter = Arc::new(Limiter::new(5, WINDOW));
        let mut tasks = Vec::new();
        for task in 0..4u64 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                let mut sent = Vec::new();
                for request in 0..10u64 {
                    let permit = limiter.acquire().await;
                    let started = Instant::now();
                    // Answers take a while, and not all equally long.
                    tokio::time::sleep(Duration::from_millis(100 * ((task + request) % 3))).await;
                    permit.finish(None);
                    sent.push(started);
                }
                sent
            }));
        }
        let mut sent = Vec::new();
        for task in tasks {
            sent.extend(task.await.unwrap());
        }
        sent.sort();
        assert_eq!(sent.len(), 40);
        for (i, at) in sent.iter().enumerate() {
            let in_window = sent[i..].iter().take_while(|&&later| later - *at < WINDOW);
            assert!(
                in_window.count() <= 5,
                "more than 5 requests within {WINDOW:?} of {i}"
            );
        }
        // And the limiter does not hold back more than it must: 40 requests
        // at 5 per window need 7 windows plus the answer times.
        let span = *sent.last().unwrap() - sent[0];
        assert!(span < 8 * WINDOW, "{span:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_counts_from_when_the_answer_arrived() {
        let limiter = Limiter::new(1, WINDOW);
        let permit = limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        permit.finish(None);
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_permit_spends_its_slot() {
        let limiter = Limiter::new(1, WINDOW);
        drop(limiter.acquire().await);
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lower_server_budget_holds_requests_until_its_reset() {
        let limiter = Limiter::new(10, WINDOW);
        let permit = limiter.acquire().await;
        let until = Instant::now() + Duration::from_secs(4);
        // Another program spent most of the key's budget: 2 left, not 9.
        permit.finish(Some(ServerBudget {
            remaining: 2,
            until,
        }));
        let sent = send(&limiter, 3).await;
        let secs: Vec<u64> = sent.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 0, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_budget_no_lower_than_the_log_changes_nothing() {
        let limiter = Limiter::new(3, WINDOW);
        let permit = limiter.acquire().await;
        permit.finish(Some(ServerBudget {
            remaining: 2,
            until: Instant::now() + Duration::from_secs(4),
        }));
        let sent = send(&limiter, 3).await;
        let secs: Vec<u64> = sent.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 0, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn slots_that_freed_while_a_request_was_out_are_not_taken_for_others() {
        let limiter = Limiter::new(3, WINDOW);
        let first = limiter.acquire().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        first.finish(None); // frees at 10.2 s
        tokio::time::sleep(Duration::from_millis(9_300)).await;
        drop(limiter.acquire().await); // 9.5 s: frees at 19.5 s
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Sent at 10 s, when the server still counts the first request too.
        let third = limiter.acquire().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        third.finish(Some(ServerBudget {
            remaining: 0,
            until: Instant::now() + Duration::from_secs(5),
        }));
        // The server's 0 is this client's own doing: nothing is held until
        // the server's reset, and the first slot is free again.
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_wakes_when_a_request_in_flight_finishes() {
        let limiter = Arc::new(Limiter::new(1, Duration::from_millis(500)));
        let permit = limiter.acquire().await;
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let start = Instant::now();
                drop(limiter.acquire().await);
                start.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        permit.finish(None);
        // Two seconds in flight, then one window.
        assert_eq!(waiter.await.unwrap(), Duration::from_millis(2500));
    }

    /// Entries the limiter's state holds: its memory, whatever their size.
    fn entries(limiter: &Limiter) -> usize {
        let state = limiter.state();
        state.frees_at.len() + state.held.len()
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_holding_every_slot_of_a_huge_limit_takes_one_entry() {
        let limiter = Limiter::new(u32::MAX, WINDOW);
        let permit = limiter.acquire().await;
        permit.finish(Some(ServerBudget {
            remaining: 0,
            until: Instant::now() + Duration::from_secs(4),
        }));
        // The request's own slot, and one run for the four billion held.
        assert_eq!(entries(&limiter), 2);
        let start = Instant::now();
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        assert_eq!(entries(&limiter), 2, "the run is forgotten once it frees");
    }

    #[test]
    fn holds_ending_within_the_same_second_share_one_entry() {
        let limiter = Limiter::new(10, WINDOW);
        let mut state = limiter.state();
        for millis in (1..=3_000).step_by(7) {
            let until = limiter.epoch + Duration::from_millis(millis);
            state.hold_until(limiter.rounded_up(until), 1);
        }
        let runs: Vec<(Duration, usize)> = state
            .held
            .iter()
            .map(|run| (run.frees_at - limiter.epoch, run.slots))
            .collect();
        let second = Duration::from_secs;
        assert_eq!(runs, [(second(1), 143), (second(2), 143), (second(3), 143)]);
    }

    #[test]
    fn budgets_are_read_from_reset_or_from_retry_after() {
        let now = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_000);
        let headers = |remaining, reset, retry_after| RateLimit {
            limit: Some(600),
            remaining,
            reset,
            retry_after,
        };
        assert_eq!(
            ServerBudget::from_answer(&headers(Some(7), Some(1_030), None), false, now, wall),
            Some(ServerBudget {
                remaining: 7,
                until: now + Duration::from_secs(30)
            })
        );
        // A reset already past says nothing.
        assert_eq!(
            ServerBudget::from_answer(&headers(Some(0), Some(990), None), false, now, wall),
            None
        );
        let retry = Some(Duration::from_secs(5));
        assert_eq!(
            ServerBudget::from_answer(&headers(None, None, retry), true, now, wall),
            Some(ServerBudget {
                remaining: 0,
                until: now + Duration::from_secs(5)
            })
        );
        assert_eq!(
            ServerBudget::from_answer(&headers(None, None, retry), false, now, wall),
            None
        );
        // A reset hours away is a broken header, not a reason to stop.
        let far =
            ServerBudget::from_answer(&headers(Some(0), Some(99_999), None), false, now, wall);
        assert_eq!(far.unwrap().until, now + LONGEST_BELIEVED_RESET);
    }
}
