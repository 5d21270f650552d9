use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::drift::{self, acknowledged, render};
use xtask::{codegen, lint, spec};

mod bench;
mod build_cost;
mod evolve;
mod table;

/// Maintenance tasks for the didit-rs workspace.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate crates/didit-api/src/generated.rs from the OpenAPI spec.
    Generate {
        /// Write nothing; fail with a diff when the checked-in file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Check the spec: OpenAPI 3.0.x, unique operationIds, resolvable $refs,
    /// and every embedded example valid against its schema.
    Lint,
    /// Compare another OpenAPI description of the API (JSON or YAML, e.g.
    /// Didit's latest published one) with ours: the operations ours does not
    /// describe, and every difference in the ones it does. Fails unless each
    /// difference is acknowledged in openapi/drift-acknowledged.yaml.
    Drift {
        /// The other description.
        #[arg(long, value_name = "FILE")]
        against: PathBuf,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = DriftFormat::Table)]
        format: DriftFormat,
        /// Compare only paths under these prefixes (segment by segment).
        /// By default, the resources our spec describes.
        #[arg(long = "prefix", value_name = "PATH", num_args = 1..)]
        prefixes: Vec<String>,
    },
    /// Run the benchmarks (decoding, concurrent and rate-bound exports
    /// against the mock, streaming memory) and print one table of figures
    /// against their targets; fails when a target is missed.
    Bench {
        /// Also time a build of `didit` into an empty target directory.
        #[arg(long)]
        build_time: bool,
    },
    /// Check that the spec growing as the API grows (a new optional property
    /// in a response and in a request, a new enum value) breaks no code
    /// written against the SDK: compiles xtask/evolve/downstream, offline,
    /// against a copy of the SDK generated from the spec, then from a grown
    /// copy of the spec. Fails with the compiler's output.
    Evolve,
    /// Measure the release build time depending on `didit` adds to an
    /// application: a small one that reads a decision by hand (reqwest,
    /// serde, tokio) and the same one on `didit` are written to a temporary
    /// directory with the workspace's Cargo.lock and each built in release
    /// into an empty target directory. Prints both times and the added
    /// seconds; fails when they exceed 0.6× the baseline's.
    BuildCost {
        /// Build each application N times and report the medians.
        #[arg(
            long,
            value_name = "N",
            default_value_t = 1,
            value_parser = clap::value_parser!(u32).range(1..)
        )]
        runs: u32,
        /// Pass `--timings` to the builds of the application on `didit` and
        /// print where cargo wrote each HTML report (keeps the temporary
        /// directory).
        #[arg(long)]
        timings: bool,
        /// Keep the temporary directory (applications and target
        /// directories) and print where it is.
        #[arg(long)]
        keep: bool,
    },
}

/// How `cargo xtask drift` prints its report.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DriftFormat {
    /// Grouped by operation, for people.
    Table,
    /// The whole report as JSON, for scripts.
    Json,
}

fn main() -> Result<ExitCode> {
    let root = spec::workspace_root();
    match Cli::parse().task {
        Task::Generate { check } => {
            let spec = spec::Spec::read(&root.join(spec::SPEC_PATH))?;
            let generated = codegen::generate(&spec)?;
            let target = root.join(spec::GENERATED_PATH);
            if check {
                let current = std::fs::read_to_string(&target).unwrap_or_default();
                return Ok(match codegen::diff(&current, &generated) {
                    None => {
                        println!("{} matches {}", spec::GENERATED_PATH, spec::SPEC_PATH);
                        ExitCode::SUCCESS
                    }
                    Some(diff) => {
                        eprintln!(
                            "{} is stale: run `cargo xtask generate` and commit the result.\n{diff}",
                            spec::GENERATED_PATH
                        );
                        ExitCode::FAILURE
                    }
                });
            }
            std::fs::write(&target, generated)?;
            println!("wrote {}", spec::GENERATED_PATH);
            Ok(ExitCode::SUCCESS)
        }
        Task::Drift {
            against,
            format,
            prefixes,
        } => {
            let ours = spec::Spec::read(&root.join(spec::SPEC_PATH))?;
            let theirs = spec::Spec::read(&against)?;
            if let Some(problem) = drift::version_problem(&theirs.json) {
                anyhow::bail!("{} cannot be compared: {problem}", against.display());
            }
            let prefixes = if prefixes.is_empty() {
                drift::default_prefixes(&ours.json)
            } else {
                prefixes
            };
            let comparison = drift::compare(&ours.json, &theirs.json, &prefixes);
            let report = acknowledged::review(comparison, &acknowledged::load()?);
            match format {
                DriftFormat::Table => print!(
                    "{}",
                    render::table(&report, spec::SPEC_PATH, &theirs.display_path())
                ),
                DriftFormat::Json => println!("{}", render::json(&report)),
            }
            Ok(if report.passes() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Task::Bench { build_time } => bench::run(&root, bench::Options { build_time }),
        Task::Evolve => evolve::run(&root),
        Task::BuildCost {
            runs,
            timings,
            keep,
        } => build_cost::run(
            &root,
            build_cost::Options {
                runs,
                timings,
                keep,
            },
        ),
        Task::Lint => {
            let spec = spec::Spec::read(&root.join(spec::SPEC_PATH))?;
            let problems = lint::lint(&spec);
            if problems.is_empty() {
                println!("{}: no problems found", spec::SPEC_PATH);
                return Ok(ExitCode::SUCCESS);
            }
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("{} problem(s) in {}", problems.len(), spec::SPEC_PATH);
            Ok(ExitCode::FAILURE)
        }
    }
}
