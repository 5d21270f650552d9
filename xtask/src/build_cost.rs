//! `cargo xtask build-cost`: how much release build time depending on the
//! SDK adds to an application.
//!
//! Two small applications are written to a temporary directory: a baseline
//! that reads a session's decision by hand (reqwest, serde, serde_json,
//! tokio), and the same application on `didit`, which also lists a page of
//! sessions. Both get a copy of the workspace's `Cargo.lock`, so the crates
//! they share are the versions the SDK is tested with, and each is built in
//! release into an empty target directory of its own. The difference of the
//! two wall-clock times is what the SDK costs its users on a clean build.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::table::Table;

/// The most the SDK may add to the baseline's build time, as a fraction of
/// it.
const TARGET_RATIO: f64 = 0.6;

/// The applications' sources. They live beside the xtask rather than in
/// strings so that they read (and are formatted) as the Rust they are.
const BASELINE_MAIN: &str = include_str!("../build-cost/baseline.rs");
const SDK_MAIN: &str = include_str!("../build-cost/sdk.rs");

/// The workspace's own reqwest dependency (root `Cargo.toml`): the baseline
/// declares it the same way, so that it builds the same reqwest the SDK
/// does. A test keeps the two in step.
const REQWEST_VERSION: &str = "0.13";
const REQWEST_FEATURES: [&str; 4] = ["json", "query", "stream", "multipart"];
/// The TLS backend the `didit` facade enables by default.
const DIDIT_DEFAULT_TLS: &str = "rustls";

/// The runtime both applications start, as an application would declare it.
const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;

/// Environment variables that change where the builds write, how they
/// compile or whether they reuse earlier work. They are cleared for every
/// cargo run here, so that both builds start from nothing and the figures
/// of two machines or two shells compare. (`CARGO_PROFILE_*` variables are
/// cleared as well.)
const CLEARED_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_INCREMENTAL",
    "CARGO_BUILD_INCREMENTAL",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    // A caching wrapper (sccache) would time cache reads, not builds.
    "RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    // A parent's jobserver would share its tokens with the builds.
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
];

/// What `cargo xtask build-cost` was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How many times each application is built; the medians are reported.
    pub runs: u32,
    /// Pass `--timings` to the SDK application's builds and keep the
    /// reports.
    pub timings: bool,
    /// Keep the temporary directory.
    pub keep: bool,
}

/// Why a measurement cannot be made or summed up.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildCostError {
    /// A path to write into a manifest is not Unicode, which TOML needs.
    NotUnicode(PathBuf),
    /// No build was timed.
    NoRuns,
    /// The baseline's time is not a positive number of seconds, so no
    /// ratio can be taken of it.
    BaselineNotPositive(f64),
}

impl fmt::Display for BuildCostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildCostError::NotUnicode(path) => write!(
                f,
                "{} is not valid Unicode and cannot be written into a Cargo.toml",
                path.display()
            ),
            BuildCostError::NoRuns => {
                f.write_str("no build was timed (at least one run is needed)")
            }
            BuildCostError::BaselineNotPositive(seconds) => write!(
                f,
                "the baseline built in {seconds} s; a ratio needs a positive time"
            ),
        }
    }
}

impl std::error::Error for BuildCostError {}

/// Builds both applications `options.runs` times, prints the table and
/// fails when the SDK adds more than the target.
pub fn run(root: &Path, options: Options) -> Result<ExitCode> {
    if options.runs == 0 {
        return Err(BuildCostError::NoRuns.into());
    }
    let lock = root.join("Cargo.lock");
    let apps = [
        App {
            name: "baseline",
            sdk: false,
            manifest: baseline_manifest(),
            main: BASELINE_MAIN,
        },
        App {
            name: "sdk",
            sdk: true,
            manifest: sdk_manifest(&root.join("crates").join("didit"))?,
            main: SDK_MAIN,
        },
    ];

    let scratch = Scratch::new(options.keep || options.timings)?;
    if let Scratch::Kept(directory) = &scratch {
        progress(&format!("working in {} (kept)", directory.display()));
    }
    for app in &apps {
        app.write(scratch.path(), &lock)?;
    }

    progress("fetching the dependencies (not timed)");
    for app in &apps {
        let output = cargo(&app.directory(scratch.path()))
            .arg("fetch")
            .output()
            .context("running cargo fetch")?;
        if !output.status.success() {
            bail!(
                "cargo fetch failed for the {} application:\n{}",
                app.name,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    let mut baseline = Vec::new();
    let mut sdk = Vec::new();
    let mut reports = Vec::new();
    for run in 1..=options.runs {
        for (app, times) in apps.iter().zip([&mut baseline, &mut sdk]) {
            let timings = options.timings && app.sdk;
            let target = scratch.path().join(format!("target-{}-{run}", app.name));
            progress(&format!(
                "run {run}/{}: building the {} application (release, empty target directory)",
                options.runs, app.name
            ));
            let seconds = timed_build(app, &app.directory(scratch.path()), &target, timings)?;
            eprintln!(
                "build-cost: {} application built in {seconds:.1} s",
                app.name
            );
            times.push(seconds);
            if timings {
                reports.push(timings_report(&target)?);
            }
            if !scratch.is_kept() {
                // Each target directory holds hundreds of megabytes; several
                // runs need not hold them all at once.
                std::fs::remove_dir_all(&target).ok();
            }
        }
    }

    let figures = Figures::from_runs(&baseline, &sdk)?;
    println!("{}", figures.table(&baseline, &sdk).render());
    if let Scratch::Kept(directory) = &scratch {
        println!("kept: {}", directory.display());
    }
    for (run, report) in reports.iter().enumerate() {
        println!(
            "cargo --timings report of the sdk build, run {}: {}",
            run + 1,
            report.display()
        );
    }
    Ok(if figures.passes() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn progress(step: &str) {
    eprintln!("build-cost: {step}…");
}

/// One of the two applications.
struct App {
    name: &'static str,
    /// Whether it is the application on `didit`.
    sdk: bool,
    manifest: String,
    main: &'static str,
}

impl App {
    fn directory(&self, scratch: &Path) -> PathBuf {
        scratch.join(self.name)
    }

    /// Writes the application, with a copy of the workspace's lock file.
    fn write(&self, scratch: &Path, lock: &Path) -> Result<()> {
        let directory = self.directory(scratch);
        let source = directory.join("src");
        std::fs::create_dir_all(&source)
            .with_context(|| format!("creating {}", source.display()))?;
        std::fs::write(directory.join("Cargo.toml"), &self.manifest)
            .with_context(|| format!("writing the {} application's Cargo.toml", self.name))?;
        std::fs::write(source.join("main.rs"), self.main)
            .with_context(|| format!("writing the {} application's main.rs", self.name))?;
        std::fs::copy(lock, directory.join("Cargo.lock"))
            .with_context(|| format!("copying {}", lock.display()))?;
        Ok(())
    }
}

/// The temporary directory: removed when dropped, unless asked to keep it.
enum Scratch {
    Removed(tempfile::TempDir),
    Kept(PathBuf),
}

impl Scratch {
    fn new(keep: bool) -> Result<Scratch> {
        let directory = tempfile::Builder::new()
            .prefix("didit-build-cost-")
            .tempdir()
            .context("creating a temporary directory")?;
        Ok(if keep {
            Scratch::Kept(directory.keep())
        } else {
            Scratch::Removed(directory)
        })
    }

    fn path(&self) -> &Path {
        match self {
            Scratch::Removed(directory) => directory.path(),
            Scratch::Kept(path) => path,
        }
    }

    fn is_kept(&self) -> bool {
        matches!(self, Scratch::Kept(_))
    }
}

/// Cargo, run in `directory` without the environment that would make the
/// builds differ from a user's clean build (see [`CLEARED_ENV`]).
fn cargo(directory: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(directory);
    for name in CLEARED_ENV {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARGO_PROFILE_") {
            command.env_remove(name);
        }
    }
    command
}

/// Wall-clock seconds of a release build of `app` into `target`, which
/// does not exist yet.
fn timed_build(app: &App, directory: &Path, target: &Path, timings: bool) -> Result<f64> {
    let mut command = cargo(directory);
    command
        .args([
            "build",
            "--release",
            "--offline",
            "--locked",
            "--target-dir",
        ])
        .arg(target);
    if timings {
        command.arg("--timings");
    }
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("running the build of the {} application", app.name))?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "the {} application did not build:\n{}",
            app.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(seconds)
}

/// The HTML report `cargo build --timings` wrote under `target`.
fn timings_report(target: &Path) -> Result<PathBuf> {
    let directory = target.join("cargo-timings");
    let report = directory.join("cargo-timing.html");
    if report.is_file() {
        return Ok(report);
    }
    // Cargo also writes a copy named after the time of the build.
    let entries = std::fs::read_dir(&directory)
        .with_context(|| format!("reading {}", directory.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "html")
        {
            return Ok(path);
        }
    }
    bail!("cargo wrote no timings report in {}", directory.display())
}

/// The figures of a measurement: the medians of the runs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    baseline: f64,
    sdk: f64,
}

impl Figures {
    fn from_runs(baseline: &[f64], sdk: &[f64]) -> Result<Figures, BuildCostError> {
        let baseline = median(baseline).ok_or(BuildCostError::NoRuns)?;
        let sdk = median(sdk).ok_or(BuildCostError::NoRuns)?;
        if baseline.is_nan() || baseline <= 0.0 {
            return Err(BuildCostError::BaselineNotPositive(baseline));
        }
        Ok(Figures { baseline, sdk })
    }

    /// Seconds the SDK adds to the baseline. The difference of the medians,
    /// not the median of the differences, so that the table adds up.
    fn added(&self) -> f64 {
        self.sdk - self.baseline
    }

    /// The added seconds as a fraction of the baseline's.
    fn ratio(&self) -> f64 {
        self.added() / self.baseline
    }

    fn passes(&self) -> bool {
        self.ratio() <= TARGET_RATIO
    }

    fn table(&self, baseline_runs: &[f64], sdk_runs: &[f64]) -> Table {
        let mut table = Table::default();
        table.tracked(
            "release build, empty target dir: baseline app (reqwest, serde, tokio; decision by hand)",
            seconds_figure(self.baseline, baseline_runs),
        );
        table.tracked(
            "release build, empty target dir: the same app on didit (decision, one page)",
            seconds_figure(self.sdk, sdk_runs),
        );
        table.tracked("seconds didit adds", format!("{:.1} s", self.added()));
        table.check(
            "added / baseline",
            format!("{:.2}×", self.ratio()),
            &format!("≤ {TARGET_RATIO}×"),
            self.passes(),
        );
        table
    }
}

/// The middle value, or the mean of the two middle ones; `None` when there
/// is none.
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        length if length % 2 == 1 => sorted.get(middle).copied(),
        _ => Some((sorted.get(middle - 1)? + sorted.get(middle)?) / 2.0),
    }
}

/// `median` in seconds, followed by every run's time when there were several.
fn seconds_figure(median: f64, runs: &[f64]) -> String {
    if runs.len() <= 1 {
        return format!("{median:.1} s");
    }
    let each: Vec<String> = runs.iter().map(|seconds| format!("{seconds:.1}")).collect();
    format!(
        "{median:.1} s (median of {}: {})",
        runs.len(),
        each.join(", ")
    )
}

/// A standalone application's manifest with these dependency lines.
fn manifest(name: &str, dependencies: &[String]) -> String {
    format!(
        "[package]
name = {name}
version = \"0.0.0\"
edition = \"2024\"
publish = false

# Empty: the application is a workspace of its own wherever it is written.
[workspace]

[dependencies]
{dependencies}
",
        name = toml_string(name),
        dependencies = dependencies.join("\n"),
    )
}

/// The baseline's manifest: reqwest as the SDK builds it, serde, serde_json
/// and tokio.
fn baseline_manifest() -> String {
    let features: Vec<&str> = REQWEST_FEATURES
        .into_iter()
        .chain([DIDIT_DEFAULT_TLS])
        .collect();
    manifest(
        "build-cost-baseline",
        &[
            format!(
                "reqwest = {{ version = {}, default-features = false, features = {} }}",
                toml_string(REQWEST_VERSION),
                toml_array(&features)
            ),
            r#"serde = { version = "1", features = ["derive"] }"#.to_owned(),
            r#"serde_json = "1""#.to_owned(),
            TOKIO.to_owned(),
        ],
    )
}

/// The SDK application's manifest: `didit` from `didit_path`, and tokio.
fn sdk_manifest(didit_path: &Path) -> Result<String, BuildCostError> {
    let path = didit_path
        .to_str()
        .ok_or_else(|| BuildCostError::NotUnicode(didit_path.to_owned()))?;
    Ok(manifest(
        "build-cost-sdk",
        &[
            format!("didit = {{ path = {} }}", toml_string(path)),
            TOKIO.to_owned(),
        ],
    ))
}

/// `text` as a TOML basic string: quoted, with the quotation mark, the
/// backslash and the control characters escaped.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\u{8}' => quoted.push_str("\\b"),
            '\t' => quoted.push_str("\\t"),
            '\n' => quoted.push_str("\\n"),
            '\u{c}' => quoted.push_str("\\f"),
            '\r' => quoted.push_str("\\r"),
            control if control.is_control() => {
                // Writing to a String cannot fail.
                let _ = write!(quoted, "\\u{:04X}", u32::from(control));
            }
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// A TOML array of strings, on one line.
fn toml_array(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|item| toml_string(item)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(relative: &str) -> String {
        let path = xtask::spec::workspace_root().join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{relative}: {error}"))
    }

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4.0]), Some(4.0));
        assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 10.0]), Some(3.5));
    }

    #[test]
    fn the_added_seconds_and_ratio_come_from_the_medians() {
        let figures = Figures::from_runs(&[40.0, 44.0, 42.0], &[60.0, 70.0, 63.0]).unwrap();
        assert_eq!(
            figures,
            Figures {
                baseline: 42.0,
                sdk: 63.0
            }
        );
        assert_eq!(figures.added(), 21.0);
        assert_eq!(figures.ratio(), 0.5);
        assert!(figures.passes());
    }

    #[test]
    fn the_target_is_inclusive_and_a_faster_sdk_passes() {
        let at_target = Figures {
            baseline: 50.0,
            sdk: 80.0,
        };
        assert_eq!(at_target.ratio(), TARGET_RATIO);
        assert!(at_target.passes());
        assert!(
            !Figures {
                baseline: 50.0,
                sdk: 80.5
            }
            .passes()
        );
        assert!(
            Figures {
                baseline: 50.0,
                sdk: 49.0
            }
            .passes()
        );
    }

    #[test]
    fn no_runs_or_a_zero_baseline_are_errors_not_panics() {
        assert_eq!(Figures::from_runs(&[], &[1.0]), Err(BuildCostError::NoRuns));
        assert_eq!(Figures::from_runs(&[1.0], &[]), Err(BuildCostError::NoRuns));
        assert_eq!(
            Figures::from_runs(&[0.0], &[1.0]),
            Err(BuildCostError::BaselineNotPositive(0.0))
        );
        assert!(Figures::from_runs(&[f64::NAN], &[1.0]).is_err());
    }

    #[test]
    fn the_table_shows_each_figure_and_the_verdict() {
        let passing = Figures {
            baseline: 40.0,
            sdk: 56.0,
        }
        .table(&[40.0], &[56.0])
        .render();
        for expected in ["40.0 s", "56.0 s", "16.0 s", "0.40×", "≤ 0.6×", "PASS"] {
            assert!(passing.contains(expected), "{expected} in\n{passing}");
        }
        let widths: Vec<usize> = passing.lines().map(|line| line.chars().count()).collect();
        assert!(
            widths.windows(2).all(|pair| pair[0] == pair[1]),
            "{passing}"
        );

        let failing = Figures {
            baseline: 40.0,
            sdk: 70.0,
        }
        .table(&[40.0], &[70.0]);
        assert!(!failing.all_pass());
        assert!(failing.render().contains("0.75×"));
        assert!(failing.render().contains("FAIL"));
    }

    #[test]
    fn several_runs_show_every_time_beside_the_median() {
        assert_eq!(seconds_figure(41.0, &[41.04]), "41.0 s");
        assert_eq!(
            seconds_figure(41.0, &[43.0, 41.0, 40.25]),
            "41.0 s (median of 3: 43.0, 41.0, 40.2)"
        );
    }

    #[test]
    fn toml_strings_escape_what_the_spec_requires() {
        assert_eq!(toml_string("plain"), r#""plain""#);
        assert_eq!(
            toml_string(r#"a "quoted" \ back"#),
            r#""a \"quoted\" \\ back""#
        );
        assert_eq!(toml_string("tab\tline\nret\r"), r#""tab\tline\nret\r""#);
        assert_eq!(toml_string("\u{0}\u{1f}\u{7f}"), r#""\u0000\u001F\u007F""#);
        assert_eq!(toml_string("é ✓"), "\"é ✓\"");
        assert_eq!(toml_array(&["a", "b"]), r#"["a", "b"]"#);
    }

    #[test]
    fn the_sdk_manifest_escapes_its_path() {
        let manifest =
            sdk_manifest(Path::new(r#"/home/jo smith/"odd" dir\x/crates/didit"#)).unwrap();
        assert!(
            manifest
                .lines()
                .any(|line| line
                    == r#"didit = { path = "/home/jo smith/\"odd\" dir\\x/crates/didit" }"#),
            "{manifest}"
        );
        assert!(manifest.lines().any(|line| line == TOKIO));
        assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
        assert!(
            manifest.contains("name = \"build-cost-sdk\"\n"),
            "{manifest}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_unicode_is_refused() {
        use std::os::unix::ffi::OsStrExt;

        let path = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\xff/didit"));
        assert_eq!(
            sdk_manifest(path),
            Err(BuildCostError::NotUnicode(path.to_owned()))
        );
    }

    #[test]
    fn the_baseline_builds_reqwest_as_the_sdk_does() {
        let manifest = baseline_manifest();
        assert!(
            manifest.lines().any(|line| line
                == r#"reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream", "multipart", "rustls"] }"#),
            "{manifest}"
        );
        // The workspace's reqwest, and the facade's default TLS: when
        // either changes, the baseline must follow.
        let workspace = format!(
            "reqwest = {{ version = {}, default-features = false, features = {} }}",
            toml_string(REQWEST_VERSION),
            toml_array(&REQWEST_FEATURES)
        );
        assert!(
            read("Cargo.toml").lines().any(|line| line == workspace),
            "the workspace's reqwest dependency is no longer `{workspace}`"
        );
        let facade = read("crates/didit/Cargo.toml");
        assert!(
            facade
                .lines()
                .any(|line| line == format!("default = [{}]", toml_string(DIDIT_DEFAULT_TLS))),
            "didit's default features changed"
        );
        assert!(
            facade.lines().any(|line| line
                == format!(
                    "{DIDIT_DEFAULT_TLS} = [{}]",
                    toml_string(&format!("reqwest/{DIDIT_DEFAULT_TLS}"))
                )),
            "didit's {DIDIT_DEFAULT_TLS} feature changed"
        );
    }

    #[test]
    fn the_applications_do_what_the_comparison_says() {
        assert!(BASELINE_MAIN.contains(r#""{}/v3/session/{id}/decision/""#));
        assert!(BASELINE_MAIN.contains(r#".header("x-api-key", api_key)"#));
        assert!(!BASELINE_MAIN.contains("didit::"));
        assert!(SDK_MAIN.contains(".decision(id).send().await"));
        assert!(SDK_MAIN.contains(".list()"));
    }

    #[test]
    #[ignore = "builds two applications in release; minutes"]
    fn the_sdk_stays_within_its_build_cost() {
        let code = run(
            &xtask::spec::workspace_root(),
            Options {
                runs: 1,
                timings: false,
                keep: false,
            },
        )
        .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
    }
}
