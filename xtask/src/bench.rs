//! `cargo xtask bench`: runs the benchmarks and prints one table of the
//! figures, each against its target.
//!
//! The benchmarks are built and run as subprocesses (`cargo bench`, the
//! `didit-mock` binary), and only their machine-readable output is read
//! here: criterion's estimates under `target/criterion`, and the one JSON
//! line the `export` bench prints per run. The xtask itself depends on
//! neither `didit` nor `didit-api`, so a broken generated file can still be
//! regenerated.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::table::Table;

/// The decode benchmark's group and functions, as `benches/decode.rs`
/// names them.
const DECODE_GROUP: &str = "decode";
/// The most lines the generated code may have. Set at half of what typify's
/// defaults (a builder per struct, a decoding helper per field) made of the
/// list and lifecycle operations (66 900 lines), 732 above the 32 718 they
/// came to; the rest of the session resource (reviews, corrections,
/// sharing, the sandbox, imports) brought the code to 42 346 lines, and the
/// budget to that plus the same 732.
const MAX_GENERATED_LINES: usize = 43_078;

/// The group of the decision benchmark in `benches/decode.rs`.
const DECISION_GROUP: &str = "decode_decision";

/// The webhook benchmark's group, as `didit-webhook/benches/verify.rs`
/// names it.
const WEBHOOK_GROUP: &str = "webhook";

/// Rows, page size and latency of the export comparison.
const EXPORT_ROWS: u64 = 10_000;
const EXPORT_LIMIT: u64 = 100;
const EXPORT_LATENCY_MS: u64 = 50;

/// The rate-bound export: a small window on both sides keeps it short.
const RATE_LIMIT: u64 = 50;
const RATE_WINDOW_SECS: u64 = 5;
/// Four windows' worth of requests of ten rows.
const RATE_LIMIT_PAGE: u64 = 10;
const RATE_ROWS: u64 = 4 * RATE_LIMIT * RATE_LIMIT_PAGE;
// (requests − limit) / time is the limit's rate only when every window,
// the last included, is full.
const _: () = assert!((RATE_ROWS / RATE_LIMIT_PAGE).is_multiple_of(RATE_LIMIT));

/// The memory comparison: rows streamed, smaller and larger.
const MEMORY_ROWS_SMALL: u64 = 10_000;
const MEMORY_ROWS_LARGE: u64 = 100_000;

/// Where the cold build goes, removed afterwards.
const COLD_BUILD_DIR: &str = "cold-build";

/// What `cargo xtask bench` was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Also time a build of `didit` from scratch (slow).
    pub build_time: bool,
}

/// Runs every benchmark and prints the table; fails when a target is
/// missed.
pub fn run(root: &Path, options: Options) -> Result<ExitCode> {
    let target_dir = target_dir(root);
    progress("building the benchmarks and the mock (release)");
    cargo(root, &["build", "--release", "-p", "didit-mock"])?;
    cargo(root, &["bench", "-p", "didit", "--no-run"])?;
    cargo(root, &["bench", "-p", "didit-webhook", "--no-run"])?;
    let mock_binary = target_dir.join("release").join("didit-mock");

    let mut table = Table::default();

    progress("decoding a 1 000-row page (criterion)");
    decode(root, &target_dir, &mut table)?;

    progress("verifying a webhook delivery with a full decision (criterion)");
    webhook(root, &target_dir, &mut table)?;

    progress("exporting 10 000 rows with 50 ms latency, one page at a time and concurrently");
    export_comparison(root, &mock_binary, &mut table)?;

    progress("exporting more than the rate limit allows in one window");
    rate_bound_export(root, &mock_binary, &mut table)?;

    progress("measuring the peak memory of streaming exports");
    streaming_memory(root, &mock_binary, &mut table)?;

    let generated = std::fs::read_to_string(root.join("crates/didit-api/src/generated.rs"))
        .context("reading the generated code")?;
    let lines = generated.lines().count();
    table.check(
        "generated code (didit-api/src/generated.rs)",
        format!("{lines} lines"),
        &format!("≤ {MAX_GENERATED_LINES}"),
        lines <= MAX_GENERATED_LINES,
    );
    if options.build_time {
        progress("building didit from scratch");
        let seconds = cold_build(root, &target_dir)?;
        table.tracked(
            "cold build of didit (dev profile, empty target dir)",
            format!("{seconds:.0} s"),
        );
    } else {
        table.tracked(
            "cold build of didit",
            "skipped (pass --build-time)".to_owned(),
        );
    }

    println!("{}", table.render());
    Ok(if table.all_pass() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn progress(step: &str) {
    eprintln!("bench: {step}…");
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn cargo_command(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// Runs cargo with `args`, failing with its output when it fails; returns
/// its standard output.
fn cargo(root: &Path, args: &[&str]) -> Result<String> {
    let output = cargo_command(root)
        .args(args)
        .output()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "cargo {} failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Criterion's mean time per iteration (ns) and bytes per iteration.
fn criterion_estimate(target_dir: &Path, group: &str, function: &str) -> Result<(f64, f64)> {
    let directory = target_dir
        .join("criterion")
        .join(group)
        .join(function)
        .join("new");
    let read = |file: &str| -> Result<Value> {
        let path = directory.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    };
    let mean_ns = read("estimates.json")?["mean"]["point_estimate"]
        .as_f64()
        .context("criterion estimate without a mean")?;
    let bytes = read("benchmark.json")?["throughput"]["Bytes"]
        .as_f64()
        .context("criterion benchmark without a byte throughput")?;
    Ok((mean_ns, bytes))
}

/// Runs one criterion benchmark of `package`, briefly enough for a table.
fn criterion_bench(root: &Path, package: &str, bench: &str) -> Result<()> {
    cargo(
        root,
        &[
            "bench",
            "-p",
            package,
            "--bench",
            bench,
            "--",
            "--warm-up-time",
            "2",
            "--measurement-time",
            "5",
            "--noplot",
        ],
    )
    .map(drop)
}

/// The throughput criterion measured for `function` of `group`, in MB/s.
fn megabytes_per_second(target_dir: &Path, group: &str, function: &str) -> Result<f64> {
    let (mean_ns, bytes) = criterion_estimate(target_dir, group, function)?;
    Ok(bytes / (mean_ns / 1e9) / 1e6)
}

fn decode(root: &Path, target_dir: &Path, table: &mut Table) -> Result<()> {
    criterion_bench(root, "didit", "decode")?;
    let sdk = megabytes_per_second(target_dir, DECODE_GROUP, "sdk")?;
    let minimal = megabytes_per_second(target_dir, DECODE_GROUP, "minimal")?;
    let value = megabytes_per_second(target_dir, DECODE_GROUP, "value")?;
    table.tracked(
        "decode 1 000-row page: SDK page type",
        format!("{sdk:.0} MB/s"),
    );
    table.tracked(
        "decode: minimal hand-written struct, same fields",
        format!("{minimal:.0} MB/s"),
    );
    table.tracked("decode: serde_json::Value", format!("{value:.0} MB/s"));
    table.check(
        "decode: SDK / minimal struct",
        format!("{:.2}×", sdk / minimal),
        "≥ 0.75×",
        sdk / minimal >= 0.75,
    );
    table.check(
        "decode: SDK / Value",
        format!("{:.2}×", sdk / value),
        "> 1×",
        sdk > value,
    );
    let sdk = megabytes_per_second(target_dir, DECISION_GROUP, "sdk")?;
    let value = megabytes_per_second(target_dir, DECISION_GROUP, "value")?;
    table.tracked(
        "decode the spec's KYC decision example: SDK type",
        format!("{sdk:.0} MB/s"),
    );
    table.tracked(
        "decode the decision: serde_json::Value",
        format!("{value:.0} MB/s"),
    );
    table.check(
        "decode the decision: SDK / Value",
        format!("{:.2}×", sdk / value),
        "≥ 1.5×",
        sdk / value >= 1.5,
    );
    Ok(())
}

/// Verifying a delivery that carries a full KYC decision (about 36 KB):
/// by `X-Signature-V2` (parse, re-encode, HMAC) against parsing the same
/// body into `serde_json::Value`.
fn webhook(root: &Path, target_dir: &Path, table: &mut Table) -> Result<()> {
    criterion_bench(root, "didit-webhook", "verify")?;
    let estimate = |function: &str| criterion_estimate(target_dir, WEBHOOK_GROUP, function);
    let (v2_ns, bytes) = estimate("v2")?;
    let (raw_ns, _) = estimate("raw")?;
    let (value_ns, _) = estimate("value")?;
    let per_second = |mean_ns: f64| {
        format!(
            "{:.0} µs, {:.0} deliveries/s, {:.0} MB/s",
            mean_ns / 1e3,
            1e9 / mean_ns,
            bytes / (mean_ns / 1e9) / 1e6
        )
    };
    table.tracked(
        &format!(
            "webhook with a full decision ({:.0} KB): verify by X-Signature-V2",
            bytes / 1e3
        ),
        per_second(v2_ns),
    );
    table.tracked("webhook: verify by X-Signature", per_second(raw_ns));
    table.tracked(
        "webhook: parse the body into serde_json::Value",
        per_second(value_ns),
    );
    table.check(
        "webhook: X-Signature-V2 time / Value parse time",
        format!("{:.2}×", v2_ns / value_ns),
        "≤ 3×",
        v2_ns <= 3.0 * value_ns,
    );
    Ok(())
}

/// A running `didit-mock` binary, stopped when dropped.
struct Mock {
    child: Child,
    url: String,
}

impl Mock {
    fn start(binary: &Path, args: &[String]) -> Result<Mock> {
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("the mock's standard output")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the mock's URL")?;
        let url = line.trim().to_owned();
        if !url.starts_with("http://") {
            // Reap it before giving up.
            let _ = child.kill();
            let _ = child.wait();
            bail!("the mock printed no URL (got `{url}`)");
        }
        Ok(Mock { child, url })
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one run of the `export` bench printed.
#[derive(Debug)]
struct Export {
    rows: u64,
    seconds: f64,
    digest: String,
    requests: u64,
    throttled: u64,
    peak_rss_kib: Option<u64>,
}

fn export(root: &Path, mock: &Mock, args: &[String]) -> Result<Export> {
    let mut command = vec![
        "bench", "-q", "-p", "didit", "--bench", "export", "--", "--url", &mock.url,
    ];
    command.extend(args.iter().map(String::as_str));
    let stdout = cargo(root, &command)?;
    let line = stdout
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .context("the export bench printed no JSON line")?;
    let report: Value = serde_json::from_str(line).context("parsing the export report")?;
    let number = |name: &str| {
        report[name]
            .as_u64()
            .with_context(|| format!("`{name}` missing from {line}"))
    };
    Ok(Export {
        rows: number("rows")?,
        seconds: report["seconds"].as_f64().context("`seconds` missing")?,
        digest: report["digest"].as_str().unwrap_or_default().to_owned(),
        requests: number("requests")?,
        throttled: number("throttled")?,
        peak_rss_kib: report["peak_rss_kib"].as_u64(),
    })
}

fn strings(args: &[&dyn ToString]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

fn export_comparison(root: &Path, mock_binary: &Path, table: &mut Table) -> Result<()> {
    // About one synthetic session in eight is KYB; 12 000 leave more than
    // 10 000 KYC rows. The mock keeps the API's limit of 600 per minute,
    // which both runs together stay under.
    let mock = Mock::start(
        mock_binary,
        &strings(&[
            &"--sessions",
            &12_000,
            &"--seed",
            &7,
            &"--latency-ms",
            &EXPORT_LATENCY_MS,
            &"--rate-limit",
            &600,
        ]),
    )?;
    let run = |concurrency: u64| {
        export(
            root,
            &mock,
            &strings(&[
                &"--rows",
                &EXPORT_ROWS,
                &"--limit",
                &EXPORT_LIMIT,
                &"--concurrency",
                &concurrency,
            ]),
        )
    };
    let sequential = run(1)?;
    let concurrent = run(4)?;
    table.tracked(
        "export 10 000 rows, limit 100, 50 ms latency: one page at a time",
        format!(
            "{:.2} s ({} requests)",
            sequential.seconds, sequential.requests
        ),
    );
    table.tracked(
        "export: default concurrency (4 pages at once)",
        format!(
            "{:.2} s ({} requests)",
            concurrent.seconds, concurrent.requests
        ),
    );
    let speedup = sequential.seconds / concurrent.seconds;
    table.check(
        "export: speed-up of the default over one at a time",
        format!("{speedup:.2}×"),
        "≥ 3×",
        speedup >= 3.0,
    );
    let identical = sequential.rows == EXPORT_ROWS
        && concurrent.rows == EXPORT_ROWS
        && sequential.digest == concurrent.digest;
    table.check(
        "export: same rows in the same order",
        format!(
            "{} rows, digests {}",
            concurrent.rows,
            if sequential.digest == concurrent.digest {
                "equal"
            } else {
                "differ"
            }
        ),
        "identical",
        identical,
    );
    let throttled = sequential.throttled + concurrent.throttled;
    table.check(
        "export: 429 answers",
        throttled.to_string(),
        "0",
        throttled == 0,
    );
    Ok(())
}

fn rate_bound_export(root: &Path, mock_binary: &Path, table: &mut Table) -> Result<()> {
    // More KYC rows than the export reads, so the listing does not end
    // before the last window.
    let mock = Mock::start(
        mock_binary,
        &strings(&[
            &"--sessions",
            &(RATE_ROWS * 13 / 10),
            &"--seed",
            &9,
            &"--rate-limit",
            &RATE_LIMIT,
            &"--rate-window-secs",
            &RATE_WINDOW_SECS,
        ]),
    )?;
    let run = export(
        root,
        &mock,
        &strings(&[
            &"--rows",
            &RATE_ROWS,
            &"--limit",
            &RATE_LIMIT_PAGE,
            &"--rate-limit",
            &RATE_LIMIT,
            &"--rate-window-secs",
            &RATE_WINDOW_SECS,
        ]),
    )?;
    // The first window's requests go out at once, as the window allows;
    // the rate that counts is the one sustained after them.
    let limit_rate = RATE_LIMIT as f64 / RATE_WINDOW_SECS as f64;
    let sustained = run.requests.saturating_sub(RATE_LIMIT) as f64 / run.seconds;
    table.tracked(
        "rate-bound export: mock and client at 50 requests per 5 s",
        format!("{} requests in {:.2} s", run.requests, run.seconds),
    );
    table.check(
        "rate-bound: sustained rate, (requests − 50) / time",
        format!(
            "{sustained:.2}/s ({:.1}% of {limit_rate:.0}/s)",
            100.0 * sustained / limit_rate
        ),
        "within 10% of the limit",
        (sustained - limit_rate).abs() <= 0.1 * limit_rate,
    );
    table.check(
        "rate-bound: 429 answers",
        run.throttled.to_string(),
        "0",
        run.throttled == 0,
    );
    Ok(())
}

fn streaming_memory(root: &Path, mock_binary: &Path, table: &mut Table) -> Result<()> {
    let mock = Mock::start(
        mock_binary,
        &strings(&[
            &"--sessions",
            &(MEMORY_ROWS_LARGE * 115 / 100),
            &"--seed",
            &3,
            &"--rate-limit",
            &0,
        ]),
    )?;
    let run = |rows: u64| -> Result<(Export, f64)> {
        let run = export(
            root,
            &mock,
            &strings(&[
                &"--rows",
                &rows,
                &"--limit",
                &EXPORT_LIMIT,
                &"--no-rate-limit",
            ]),
        )?;
        if run.rows != rows {
            bail!("the export streamed {} rows, not {rows}", run.rows);
        }
        let mebibytes = run.peak_rss_kib.context("no peak memory reading")? as f64 / 1024.0;
        Ok((run, mebibytes))
    };
    let (_, small) = run(MEMORY_ROWS_SMALL)?;
    let (large_run, large) = run(MEMORY_ROWS_LARGE)?;
    table.tracked(
        "peak memory streaming 10 000 rows via items() (limit 100)",
        format!("{small:.1} MiB"),
    );
    table.check(
        "peak memory streaming 100 000 rows",
        format!("{large:.1} MiB ({:.1} s)", large_run.seconds),
        "≤ 64 MiB",
        large <= 64.0,
    );
    table.check(
        "peak memory: 100 000 rows / 10 000 rows",
        format!("{:.2}×", large / small),
        "≤ 1.25×",
        large / small <= 1.25,
    );
    Ok(())
}

/// Seconds to build `didit` into an empty target directory.
fn cold_build(root: &Path, target_dir: &Path) -> Result<f64> {
    let directory = target_dir.join(COLD_BUILD_DIR);
    if directory.exists() {
        std::fs::remove_dir_all(&directory)?;
    }
    let started = Instant::now();
    let built = cargo_command(root)
        .args(["build", "-q", "-p", "didit"])
        .env("CARGO_TARGET_DIR", &directory)
        .status();
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&directory).ok();
    if !built.context("running the cold build")?.success() {
        bail!("the cold build of didit failed");
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_strings() {
        assert_eq!(strings(&[&"--rows", &10]), ["--rows", "10"]);
    }
}
