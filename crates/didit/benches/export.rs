//! One export against a running `didit-mock` binary, measured from the
//! outside: `cargo xtask bench` starts the mock, runs this with different
//! settings (each run its own process, so peak memory is the export's own)
//! and compares the figures.
//!
//! ```text
//! cargo bench -p didit --bench export -- --url http://127.0.0.1:PORT \
//!     [--rows N] [--limit N] [--concurrency N]
//!     [--rate-limit N --rate-window-secs S | --no-rate-limit]
//! ```
//!
//! Prints one JSON line: rows received, seconds, a digest of every row in
//! order, the requests the mock answered meanwhile (and how many with
//! 429), and the process's peak resident memory.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Deserialize;

#[derive(Debug)]
struct Settings {
    url: String,
    rows: Option<usize>,
    limit: u32,
    concurrency: usize,
    /// `None`: the client's default limit.
    rate_limit: Option<(u32, Duration)>,
    no_rate_limit: bool,
}

fn settings() -> Settings {
    let mut settings = Settings {
        url: String::new(),
        rows: None,
        limit: 100,
        concurrency: didit::DEFAULT_PAGE_CONCURRENCY,
        rate_limit: None,
        no_rate_limit: false,
    };
    let mut rate_limit = None;
    let mut rate_window = didit::DEFAULT_RATE_WINDOW;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        // `cargo bench` adds `--bench`; it says nothing here.
        if flag == "--bench" {
            continue;
        }
        if flag == "--no-rate-limit" {
            settings.no_rate_limit = true;
            continue;
        }
        let value = args
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value"));
        let number = || -> u64 {
            value
                .parse()
                .unwrap_or_else(|_| panic!("{flag}: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--url" => settings.url = value.clone(),
            "--rows" => settings.rows = Some(number() as usize),
            "--limit" => settings.limit = number() as u32,
            "--concurrency" => settings.concurrency = number() as usize,
            "--rate-limit" => rate_limit = Some(number() as u32),
            "--rate-window-secs" => rate_window = Duration::from_secs(number()),
            _ => panic!("unknown flag {flag}"),
        }
    }
    assert!(!settings.url.is_empty(), "--url is required");
    settings.rate_limit = rate_limit.map(|limit| (limit, rate_window));
    settings
}

/// What the mock says it answered, from its statistics path.
#[derive(Debug, Default, Deserialize)]
struct MockStatistics {
    requests: u64,
    statuses: BTreeMap<String, u64>,
}

async fn mock_statistics(url: &str) -> MockStatistics {
    let stats_url = format!("{url}{}", didit_mock::STATS_PATH);
    didit::reqwest::get(&stats_url)
        .await
        .and_then(|response| response.error_for_status())
        .expect("the mock's statistics")
        .json()
        .await
        .expect("statistics in JSON")
}

/// The largest resident set of this process so far, in KiB (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let settings = settings();
    let mut builder = didit::Client::builder()
        .api_key(didit_mock::DEFAULT_API_KEY)
        .base_url(&settings.url)
        .page_concurrency(settings.concurrency);
    if let Some((limit, window)) = settings.rate_limit {
        builder = builder.rate_limit(limit, window);
    }
    if settings.no_rate_limit {
        builder = builder.no_rate_limit();
    }
    let client = builder.build().expect("a client");
    let before = mock_statistics(&settings.url).await;

    let started = Instant::now();
    let items = client.sessions().list().limit(settings.limit).items();
    let mut items = match settings.rows {
        Some(rows) => items.take(rows).left_stream(),
        None => items.right_stream(),
    };
    let mut digest = DefaultHasher::new();
    let mut rows = 0u64;
    while let Some(row) = items.next().await {
        let row = row.unwrap_or_else(|error| panic!("the export failed: {error}"));
        digest.write(&serde_json::to_vec(&row).expect("rows encode"));
        rows += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(items);

    let after = mock_statistics(&settings.url).await;
    let answered = |statistics: &MockStatistics, status: &str| {
        statistics.statuses.get(status).copied().unwrap_or(0)
    };
    let report = serde_json::json!({
        "rows": rows,
        "seconds": seconds,
        "digest": format!("{:016x}", digest.finish()),
        "requests": after.requests - before.requests,
        "throttled": answered(&after, "429") - answered(&before, "429"),
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("{report}");
}
