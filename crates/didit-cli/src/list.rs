//! `didit sessions list`.

use std::io::{self, BufWriter};

use didit::{Client, Page};
use futures::StreamExt;

use crate::cli::{Format, ListArgs, SessionKindArg};
use crate::failure::{Failure, Stop};
use crate::filters;
use crate::output::{self, PageHead, RowWriter};
use crate::progress::Progress;
use crate::report::Reporter;

/// Lists sessions as `args` ask, writing them to standard output.
pub async fn run(client: &Client, args: &ListArgs, reporter: &Reporter) -> Result<(), Stop> {
    let mut request = client.sessions().list();
    if let Some(limit) = args.limit {
        request = request.limit(limit);
    }
    if let Some(offset) = args.offset {
        request = request.offset(offset);
    }
    let request = filters::apply(&args.filters, request, &mut |note| reporter.note(&note));

    let show_kind = args.filters.session_kind == Some(SessionKindArg::All);
    let mut out = output::writer(args.format, BufWriter::new(io::stdout().lock()), show_kind);

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
    let next_offset = didit::reqwest::Url::parse(next).ok().and_then(|next| {
        next.query_pairs()
            .find(|(name, _)| name == "offset")
            .map(|(_, offset)| offset.into_owned())
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
