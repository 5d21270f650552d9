//! Replay protection: remembering which events were already received.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// Whether a key was recorded before.
///
/// ```
/// use didit_webhook::{Deduplicator, MemoryDeduplicator, Seen};
///
/// let seen = MemoryDeduplicator::new();
/// assert_eq!(seen.record("event:1", 100)?, Seen::First);
/// assert_eq!(seen.record("event:1", 101)?, Seen::Before);
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Never recorded (or forgotten since).
    First,
    /// Recorded before: a retry or a replay.
    Before,
}

/// Remembers the events a receiver has accepted, keyed by
/// [`Delivery::dedup_key`](crate::Delivery::dedup_key).
///
/// [`MemoryDeduplicator`] keeps them in this process. Implement the trait
/// over a shared store (a database table with a unique key, a cache's
/// "set if absent") when several processes receive webhooks; the call
/// should be atomic: two concurrent calls with one key must not both get
/// [`Seen::First`].
///
/// ```
/// use std::collections::HashSet;
/// use std::sync::Mutex;
/// use didit_webhook::{Deduplicator, Seen};
///
/// /// Remembers forever; a real store would expire keys.
/// struct Forever(Mutex<HashSet<String>>);
///
/// impl Deduplicator for Forever {
///     fn record(
///         &self,
///         key: &str,
///         _now: i64,
///     ) -> Result<Seen, Box<dyn std::error::Error + Send + Sync>> {
///         let mut keys = self.0.lock().map_err(|_| "poisoned")?;
///         Ok(if keys.insert(key.to_owned()) { Seen::First } else { Seen::Before })
///     }
/// }
///
/// let verifier = didit_webhook::Verifier::builder()
///     .secret("whsec_example")
///     .deduplicator(Forever(Mutex::default()))
///     .build()?;
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
pub trait Deduplicator: Send + Sync {
    /// Records `key` at time `now` (seconds since the Unix epoch) and says
    /// whether it was recorded before. An error makes the delivery fail with
    /// [`Error::Deduplicator`](crate::Error::Deduplicator) (answered with 503,
    /// so Didit sends it again).
    ///
    /// ```
    /// use didit_webhook::{Deduplicator, MemoryDeduplicator, Seen};
    /// let seen = MemoryDeduplicator::new();
    /// assert_eq!(seen.record("k", 0)?, Seen::First);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    fn record(&self, key: &str, now: i64)
    -> Result<Seen, Box<dyn std::error::Error + Send + Sync>>;
}

/// How long [`MemoryDeduplicator`] remembers a key by default: a little
/// more than the day over which Didit retries a delivery.
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(25 * 60 * 60);

/// How many keys [`MemoryDeduplicator`] keeps by default.
pub const DEFAULT_DEDUP_CAPACITY: usize = 100_000;

/// A bounded in-process [`Deduplicator`]: keys are forgotten after a time
/// to live, and the oldest go first when it is full. Safe to share between
/// threads.
///
/// ```
/// use std::time::Duration;
/// use didit_webhook::{Deduplicator, MemoryDeduplicator, Seen};
///
/// let seen = MemoryDeduplicator::new()
///     .ttl(Duration::from_secs(600))
///     .capacity(2);
/// seen.record("a", 0)?;
/// seen.record("b", 1)?;
/// seen.record("c", 2)?; // "a" goes: the capacity is 2
/// assert_eq!(seen.record("a", 3)?, Seen::First);
/// assert_eq!(seen.record("c", 3)?, Seen::Before);
/// assert_eq!(seen.record("c", 1000)?, Seen::First); // expired
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[derive(Debug)]
pub struct MemoryDeduplicator {
    ttl_secs: i64,
    capacity: usize,
    state: Mutex<Recorded>,
}

#[derive(Debug, Default)]
struct Recorded {
    /// Each key with the time it was recorded.
    keys: HashMap<String, i64>,
    /// Keys in the order they were recorded, oldest first.
    order: VecDeque<(String, i64)>,
}

impl Default for MemoryDeduplicator {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryDeduplicator {
    /// With [`DEFAULT_DEDUP_TTL`] and [`DEFAULT_DEDUP_CAPACITY`].
    ///
    /// ```
    /// let seen = didit_webhook::MemoryDeduplicator::new();
    /// ```
    pub fn new() -> Self {
        Self {
            ttl_secs: i64::try_from(DEFAULT_DEDUP_TTL.as_secs()).unwrap_or(i64::MAX),
            capacity: DEFAULT_DEDUP_CAPACITY,
            state: Mutex::default(),
        }
    }

    /// How long a key is remembered.
    ///
    /// ```
    /// let seen = didit_webhook::MemoryDeduplicator::new().ttl(std::time::Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// How many keys are remembered at most (at least one).
    ///
    /// ```
    /// let seen = didit_webhook::MemoryDeduplicator::new().capacity(10_000);
    /// ```
    #[must_use]
    pub fn capacity(mut self, keys: usize) -> Self {
        self.capacity = keys.max(1);
        self
    }
}

impl Deduplicator for MemoryDeduplicator {
    fn record(
        &self,
        key: &str,
        now: i64,
    ) -> Result<Seen, Box<dyn std::error::Error + Send + Sync>> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| "the deduplicator's lock is poisoned")?;
        let Recorded { keys, order } = &mut *state;
        // Forget what expired, oldest first.
        while let Some((oldest, at)) = order.front() {
            if now.saturating_sub(*at) < self.ttl_secs {
                break;
            }
            if keys.get(oldest) == Some(at) {
                keys.remove(oldest);
            }
            order.pop_front();
        }
        if let Some(at) = keys.get(key)
            && now.saturating_sub(*at) < self.ttl_secs
        {
            return Ok(Seen::Before);
        }
        while keys.len() >= self.capacity {
            let Some((oldest, at)) = order.pop_front() else {
                break;
            };
            if keys.get(&oldest) == Some(&at) {
                keys.remove(&oldest);
            }
        }
        keys.insert(key.to_owned(), now);
        order.push_back((key.to_owned(), now));
        Ok(Seen::First)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_callers_see_a_key_first_exactly_once() {
        let seen = Arc::new(MemoryDeduplicator::new());
        let firsts: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let seen = Arc::clone(&seen);
                    scope.spawn(move || {
                        (0..100)
                            .filter(|key| seen.record(&key.to_string(), 0).unwrap() == Seen::First)
                            .count()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .sum()
        });
        assert_eq!(firsts, 100);
    }

    #[test]
    fn the_memory_stays_within_its_capacity() {
        let seen = MemoryDeduplicator::new().capacity(3);
        for key in 0..50 {
            seen.record(&key.to_string(), key).unwrap();
        }
        let state = seen.state.lock().unwrap();
        assert_eq!(state.keys.len(), 3);
        assert!(state.order.len() <= 3);
        assert_eq!(seen.capacity, 3);
    }
}
