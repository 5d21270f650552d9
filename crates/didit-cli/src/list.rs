//! `didit sessions list`.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use didit::{Client, ListSessions, Page};
use futures::StreamExt;

use crate::cli::{Format, ListArgs, SessionKindArg};
use crate::destination::AtomicFile;
use crate::failure::{Exit, Failure, Stop};
use crate::filters;
use crate::output::{self, PageHead, RowWriter};
use crate::progress::Progress;
use crate::report::Reporter;

/// Lists sessions as `args` ask, writing them to standard output or to the
/// `--output` file.
pub async fn run(client: &Client, args: &ListArgs, reporter: &Reporter) -> Result<(), Stop> {
    if args.append && !output::can_append(args.format) {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "--append needs --format ndjson or csv: a {} output cannot be continued",
                format_name(args.format)
            ),
        )
        .into());
    }
    let request = request(client, args, &mut |note| reporter.note(&note));
    match &args.output {
        None => {
            let out = BufWriter::new(io::stdout().lock());
            write_listing(request, args, reporter, out, false).await
        }
        Some(path) => write_file(request, args, reporter, path).await,
    }
}

/// The request `args` describe: paging, filters and de-duplication.
pub fn request(client: &Client, args: &ListArgs, note: &mut dyn FnMut(String)) -> ListSessions {
    let mut request = client.sessions().list();
    if let Some(limit) = args.limit {
        request = request.limit(limit);
    }
    if let Some(offset) = args.offset {
        request = request.offset(offset);
    }
    filters::apply(&args.filters, request, note).dedupe_by_session_id(args.dedupe)
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Table => "table",
        Format::Json => "json",
        Format::Ndjson => "ndjson",
        Format::Csv => "csv",
    }
}

/// Writes the listing to `path` through a temporary file. The file takes
/// its new content when the listing is done; when it fails part-way, an
/// ndjson or csv file takes the rows received (whole rows only), so that
/// the export can be resumed with `--append`; anything else leaves it as
/// it was.
async fn write_file(
    request: ListSessions,
    args: &ListArgs,
    reporter: &Reporter,
    path: &Path,
) -> Result<(), Stop> {
    let cannot_write = |error: io::Error| {
        Failure::new(
            Exit::Local,
            format!("could not write to {}: {error}", path.display()),
        )
    };
    let mut file = AtomicFile::open(path, args.append).map_err(cannot_write)?;
    let continuing = if args.append {
        check_continuable(&mut file, args.format, path)?
    } else {
        false
    };
    match write_listing(request, args, reporter, &mut file, continuing).await {
        Ok(()) => {
            file.commit().map_err(cannot_write)?;
            Ok(())
        }
        Err(Stop::Failed(failure)) if failure.is_interruption() => {
            if output::can_append(args.format) {
                file.commit().map_err(cannot_write)?;
                Err(failure.kept_in(path).into())
            } else {
                Err(failure.discarded(path).into())
            }
        }
        // The temporary file goes; the target is left as it was.
        Err(stop) => Err(stop),
    }
}

/// Whether the file being appended to already holds rows, after checking
/// that new rows can follow them: its last line is complete, and a csv
/// file starts with this version's header.
fn check_continuable(file: &mut AtomicFile, format: Format, path: &Path) -> Result<bool, Failure> {
    let refuse = |reason: &str| {
        Failure::new(
            Exit::Usage,
            format!("cannot append to {}: {reason}", path.display()),
        )
    };
    let unreadable = |error: io::Error| refuse(&format!("it could not be read back ({error})"));
    match file.existing_last_byte().map_err(unreadable)? {
        None => return Ok(false),
        Some(b'\n') => {}
        Some(_) => {
            return Err(refuse(
                "its last line is incomplete (it does not end with a line break)",
            ));
        }
    }
    if format == Format::Csv {
        /// Longer than any header this version writes.
        const HEADER_LEN: u64 = 4096;
        let head = file.existing_head(HEADER_LEN).map_err(unreadable)?;
        let first_line = head.split(|byte| *byte == b'\n').next().unwrap_or_default();
        let first_line = first_line.strip_suffix(b"\r").unwrap_or(first_line);
        if !output::is_csv_header(first_line) {
            return Err(refuse(
                "it does not start with the csv header this version writes, so the columns \
                 would not line up",
            ));
        }
    }
    Ok(true)
}

/// Writes the listing `args` ask for to `out`: one page, or every page
/// with `--all` or `--max`. `continuing`: `out` already holds rows.
async fn write_listing(
    request: ListSessions,
    args: &ListArgs,
    reporter: &Reporter,
    out: impl Write,
    continuing: bool,
) -> Result<(), Stop> {
    let show_kind = args.filters.session_kind == Some(SessionKindArg::All);
    let mut out = output::writer(args.format, out, show_kind, continuing);

    if !args.all && args.max.is_none() {
        let page = request.send().await.map_err(Failure::from)?;
        write_single_page(out.as_mut(), &page)?;
        if args.format == Format::Table {
            suggest_more(&page, reporter);
        }
        return Ok(());
    }

    let max = args.max.unwrap_or(u64::MAX);
    let request = match args.max {
        Some(max) => request.max_rows(max),
        None => request,
    };
    let progress = Progress::new(reporter.shows_progress());
    let mut pages = request.pages();
    let mut written: u64 = 0;
    let mut expected: u64 = 0;
    let mut begun = false;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                progress.clear();
                // Every row received so far reaches the output before the
                // error is reported.
                out.flush()?;
                return Err(Failure::from_listing(error, written).into());
            }
        };
        if !begun {
            // The document spans every page: its links are those of none;
            // its count and undeclared properties are the first page's.
            out.begin(PageHead {
                count: page.count,
                next: None,
                previous: None,
                extra: &page.extra,
            })?;
            begun = true;
            // The first page's count covers the whole listing; later pages
            // of an `all` listing may be `business` pages, counting KYB
            // rows only.
            let count = u64::try_from(page.count).unwrap_or(0);
            expected = count.saturating_sub(args.offset.unwrap_or(0)).min(max);
        }
        let rows = &page.results;
        progress.suspend(|| out.rows(rows).and_then(|()| out.flush()))?;
        written += rows.len() as u64;
        progress.update(written, expected);
    }
    progress.clear();
    if !begun {
        out.begin(PageHead {
            count: 0,
            next: None,
            previous: None,
            extra: &Default::default(),
        })?;
    }
    out.finish()?;
    if written == 0 && args.format == Format::Table {
        reporter.note("no sessions match");
    }
    Ok(())
}

fn write_single_page(out: &mut dyn RowWriter, page: &Page) -> io::Result<()> {
    out.begin(PageHead {
        count: page.count,
        next: page.next.as_deref(),
        previous: page.previous.as_deref(),
        extra: &page.extra,
    })?;
    out.rows(&page.results)?;
    out.finish()
}

/// Tells a reader of the table that there is more than one page.
fn suggest_more(page: &Page, reporter: &Reporter) {
    if page.results.is_empty() {
        reporter.note("no sessions match");
        return;
    }
    let Some(next) = &page.next else {
        return;
    };
    // Only a number is repeated from the server's link.
    let next_offset = didit::reqwest::Url::parse(next).ok().and_then(|next| {
        next.query_pairs()
            .find(|(name, _)| name == "offset")
            .and_then(|(_, offset)| offset.parse::<u64>().ok())
    });
    let more = match next_offset {
        Some(offset) => format!("--all lists every one, --offset {offset} the next page"),
        None => "--all lists every one".to_owned(),
    };
    reporter.note(&format!(
        "{} of {} sessions shown; {more}",
        page.results.len(),
        page.count
    ));
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};
    use didit_contract::Spec;
    use didit_contract::wire::spec_parameters;
    use didit_mock::DiditMock;
    use serde_json::{Value, json};

    use super::*;
    use crate::cli::{Cli, Command, SessionsCommand, flag_of_parameter};

    /// A value the flag accepts: its first possible value, or one of the
    /// kind its value name announces.
    fn sample_value(arg: &clap::Arg) -> String {
        if let Some(value) = arg.get_possible_values().first() {
            return value.get_name().to_owned();
        }
        let value_name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|name| name.as_str().to_owned());
        match value_name.as_deref() {
            Some("UUID") => "6f1c2b7e-0d3a-4c55-9e2f-1a2b3c4d5e6f",
            Some("YYYY-MM-DD") => "2025-06-30",
            Some("BOOL") => "false",
            Some("N") => "7",
            _ => "sample",
        }
        .to_owned()
    }

    /// The query parameters of the spec that `sessions list` does not send
    /// when given the flag of each, one line each.
    async fn parameters_not_sent(spec: &Spec) -> Vec<String> {
        let mock = DiditMock::builder()
            .synthetic(1, 1)
            .rate_limit(0)
            .start()
            .await;
        let client = Client::builder()
            .api_key(mock.api_key())
            .base_url(mock.uri())
            .no_rate_limit()
            .build()
            .unwrap();
        let command = Cli::command();
        let list = command
            .find_subcommand("sessions")
            .and_then(|sessions| sessions.find_subcommand("list"))
            .unwrap();
        let mut problems = Vec::new();
        for name in spec_parameters(spec).keys() {
            let flag = flag_of_parameter(name);
            let Some(arg) = list
                .get_arguments()
                .find(|arg| arg.get_long() == Some(flag.as_str()))
            else {
                problems.push(format!("no flag `--{flag}` sets the spec's `{name}`"));
                continue;
            };
            let value = sample_value(arg);
            let flag = format!("--{flag}");
            let parsed = Cli::try_parse_from(["didit", "sessions", "list", &flag, &value]);
            let Ok(Cli {
                command:
                    Command::Sessions {
                        command: SessionsCommand::List(args),
                    },
                ..
            }) = parsed
            else {
                problems.push(format!("`{flag} {value}` is refused"));
                continue;
            };
            mock.clear_requests();
            if let Err(error) = request(&client, &args, &mut |_| {}).send().await {
                problems.push(format!("`{flag} {value}` failed: {error}"));
                continue;
            }
            let query = mock
                .requests()
                .last()
                .and_then(|request| request.query.clone())
                .unwrap_or_default();
            let sent_url = didit::reqwest::Url::parse(&format!("{}?{query}", mock.sessions_url()));
            let sent: Vec<String> = sent_url
                .iter()
                .flat_map(|url| url.query_pairs())
                .map(|(name, _)| name.into_owned())
                .collect();
            if sent != [name.as_str()] {
                problems.push(format!(
                    "`{flag} {value}` should send `{name}` alone, but sent {sent:?}"
                ));
            }
        }
        problems
    }

    #[tokio::test]
    async fn the_flag_of_every_spec_parameter_sends_that_parameter() {
        let problems = parameters_not_sent(&Spec::load().unwrap()).await;
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[tokio::test]
    async fn the_sending_check_names_a_parameter_without_a_flag() {
        let mut spec = Spec::load().unwrap();
        spec.json
            .pointer_mut("/paths/~1v3~1sessions~1/get/parameters")
            .and_then(Value::as_array_mut)
            .unwrap()
            .push(json!({"name": "risk_level", "in": "query", "schema": {"type": "string"}}));
        let problems = parameters_not_sent(&spec).await;
        assert_eq!(
            problems,
            ["no flag `--risk-level` sets the spec's `risk_level`"]
        );
    }
}
