//! The output formats. Each writes rows as pages arrive, so that an export
//! cut short by an error keeps every row received before it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use didit::Session;
use serde_json::Value;

use crate::cli::Format;
use crate::fields::{CSV_HEADER, Fields};
use crate::table::Table;

/// Whether rows in `format` can be added to the end of an earlier output:
/// a JSON document or a table cannot be continued.
pub fn can_append(format: Format) -> bool {
    matches!(format, Format::Ndjson | Format::Csv)
}

/// Whether `first_line` (without its line break) is the header this
/// version writes in csv.
pub fn is_csv_header(first_line: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(first_line);
    match reader.records().next() {
        Some(Ok(record)) => record.iter().eq(CSV_HEADER.iter().copied()),
        _ => false,
    }
}

/// The parts of a page besides its rows.
#[derive(Clone, Copy, Debug)]
pub struct PageHead<'a> {
    pub count: i64,
    pub next: Option<&'a str>,
    pub previous: Option<&'a str>,
    /// The page's properties this version does not declare, kept in the
    /// JSON document.
    pub extra: &'a BTreeMap<String, Value>,
}

/// Writes sessions in one format.
pub trait RowWriter {
    /// Called once, before any row, with the head of the first page.
    fn begin(&mut self, head: PageHead<'_>) -> io::Result<()>;
    /// Writes rows (not necessarily flushed).
    fn rows(&mut self, rows: &[Session]) -> io::Result<()>;
    /// Hands everything written so far to the output.
    fn flush(&mut self) -> io::Result<()>;
    /// Completes the document (after the last row) and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// The writer for `format`. `show_kind` adds the table's KIND column;
/// `continuing` says that `out` already holds rows in this format, so the
/// csv header is not written again.
pub fn writer<'a>(
    format: Format,
    out: impl Write + 'a,
    show_kind: bool,
    continuing: bool,
) -> Box<dyn RowWriter + 'a> {
    match format {
        Format::Table => Box::new(TableWriter {
            out,
            show_kind,
            table: None,
        }),
        Format::Json => Box::new(JsonWriter {
            out,
            rows_written: 0,
            extra: BTreeMap::new(),
        }),
        Format::Ndjson => Box::new(NdjsonWriter { out }),
        Format::Csv => Box::new(CsvWriter {
            out: csv::Writer::from_writer(out),
            header: !continuing,
        }),
    }
}

struct TableWriter<W> {
    out: W,
    show_kind: bool,
    /// Fixed by the first rows, so later pages line up.
    table: Option<Table>,
}

impl<W: Write> RowWriter for TableWriter<W> {
    fn begin(&mut self, _head: PageHead<'_>) -> io::Result<()> {
        Ok(())
    }

    fn rows(&mut self, rows: &[Session]) -> io::Result<()> {
        let rows: Vec<Fields> = rows.iter().map(Fields::of).collect();
        if self.table.is_none() && !rows.is_empty() {
            let table = Table::fit(&rows, self.show_kind);
            writeln!(self.out, "{}", table.header())?;
            self.table = Some(table);
        }
        if let Some(table) = &self.table {
            for row in &rows {
                writeln!(self.out, "{}", table.row(row))?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes the page object exactly as `serde_json` pretty-prints the SDK's
/// `SessionPage`, one row at a time. Pages after the first add their rows to
/// the same `results`; the first page's undeclared properties follow
/// `results`, where the SDK's type writes them.
struct JsonWriter<W> {
    out: W,
    rows_written: u64,
    extra: BTreeMap<String, Value>,
}

/// Writes `pretty`, a value's pretty JSON, nested under `indent`: every line
/// after the first is indented, as JSON strings hold no raw line breaks.
fn write_nested_pretty(out: &mut impl Write, pretty: &str, indent: &str) -> io::Result<()> {
    for (index, line) in pretty.lines().enumerate() {
        if index > 0 {
            write!(out, "\n{indent}")?;
        }
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

impl<W: Write> RowWriter for JsonWriter<W> {
    fn begin(&mut self, head: PageHead<'_>) -> io::Result<()> {
        self.extra = head.extra.clone();
        write!(
            self.out,
            "{{\n  \"count\": {},\n  \"next\": {},\n  \"previous\": {},\n  \"results\": [",
            head.count,
            serde_json::to_string(&head.next)?,
            serde_json::to_string(&head.previous)?,
        )
    }

    fn rows(&mut self, rows: &[Session]) -> io::Result<()> {
        for row in rows {
            self.out.write_all(if self.rows_written == 0 {
                b"\n    "
            } else {
                b",\n    "
            })?;
            write_nested_pretty(&mut self.out, &serde_json::to_string_pretty(row)?, "    ")?;
            self.rows_written += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.rows_written > 0 {
            self.out.write_all(b"\n  ")?;
        }
        self.out.write_all(b"]")?;
        for (name, value) in &self.extra {
            write!(self.out, ",\n  {}: ", serde_json::to_string(name)?)?;
            write_nested_pretty(&mut self.out, &serde_json::to_string_pretty(value)?, "  ")?;
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }
}

struct NdjsonWriter<W> {
    out: W,
}

impl<W: Write> RowWriter for NdjsonWriter<W> {
    fn begin(&mut self, _head: PageHead<'_>) -> io::Result<()> {
        Ok(())
    }

    fn rows(&mut self, rows: &[Session]) -> io::Result<()> {
        for row in rows {
            serde_json::to_writer(&mut self.out, row)?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header: bool,
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn begin(&mut self, _head: PageHead<'_>) -> io::Result<()> {
        if !self.header {
            return Ok(());
        }
        self.out.write_record(CSV_HEADER).map_err(io::Error::from)
    }

    fn rows(&mut self, rows: &[Session]) -> io::Result<()> {
        for row in rows {
            self.out
                .write_record(Fields::of(row).csv_record())
                .map_err(io::Error::from)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use didit::types::SessionPage;

    fn render(format: Format, page: &SessionPage, split_at: usize) -> String {
        let mut out = Vec::new();
        {
            let mut writer = writer(format, &mut out, false, false);
            writer
                .begin(PageHead {
                    count: page.count,
                    next: page.next.as_deref(),
                    previous: page.previous.as_deref(),
                    extra: &page.extra,
                })
                .unwrap();
            let (first, second) = page.results.split_at(split_at);
            writer.rows(first).unwrap();
            writer.rows(second).unwrap();
            writer.finish().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    fn page(rows: usize) -> SessionPage {
        let results: Vec<didit::Session> = (0..rows)
            .map(|n| {
                serde_json::from_value(serde_json::json!({
                    "session_number": n, "status": "Approved", "full_name": "Zoë \"Z\" Ng",
                    "features": [{"feature": "NFC", "status": "Declined", "weight": [1, {}]}],
                    "phone_number": null, "risk": {"score": 0.5, "flags": []},
                }))
                .unwrap()
            })
            .collect();
        let mut page =
            SessionPage::new(40, results).with_next("https://x.test/v3/sessions/?offset=20");
        page.extra = serde_json::from_value(serde_json::json!({
            "aggregations": {"by_status": {"Approved": 3}, "empty": []},
            "hint": "newer server",
        }))
        .unwrap();
        page
    }

    #[test]
    fn json_is_the_sdk_page_pretty_printed_whatever_the_batches() {
        for rows in [0, 1, 3] {
            let page = page(rows);
            let expected = serde_json::to_string_pretty(&page).unwrap() + "\n";
            for split_at in 0..=rows {
                assert_eq!(render(Format::Json, &page, split_at), expected);
            }
        }
    }

    #[test]
    fn ndjson_is_one_compact_row_per_line() {
        let page = page(2);
        let text = render(Format::Ndjson, &page, 1);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1], serde_json::to_string(&page.results[1]).unwrap());
    }

    #[test]
    fn csv_quotes_and_has_a_header_even_without_rows() {
        assert_eq!(
            render(Format::Csv, &page(0), 0).trim_end(),
            CSV_HEADER.join(",")
        );
        let text = render(Format::Csv, &page(1), 1);
        assert!(text.contains(r#","Zoë ""Z"" Ng","#), "{text}");
        assert!(text.contains(",NFC:Declined,"), "{text}");
    }

    #[test]
    fn a_continued_csv_has_no_second_header() {
        let mut out = Vec::new();
        {
            let mut writer = writer(Format::Csv, &mut out, false, true);
            let page = page(1);
            writer
                .begin(PageHead {
                    count: 1,
                    next: None,
                    previous: None,
                    extra: &BTreeMap::new(),
                })
                .unwrap();
            writer.rows(&page.results).unwrap();
            writer.finish().unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(!is_csv_header(text.trim_end().as_bytes()));
        let header = render(Format::Csv, &page(0), 0);
        assert!(is_csv_header(header.trim_end().as_bytes()));
    }

    #[test]
    fn a_table_without_rows_prints_nothing() {
        assert_eq!(render(Format::Table, &page(0), 0), "");
        assert_eq!(render(Format::Table, &page(2), 1).lines().count(), 3);
    }
}
