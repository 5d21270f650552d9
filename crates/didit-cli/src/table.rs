//! The `table` format: aligned columns that fit in 80 terminal columns.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::fields::Fields;

/// Widest a line may be.
pub const LINE_WIDTH: usize = 80;

const GAP: &str = "  ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Number,
    Kind,
    Status,
    Created,
    Country,
    Name,
    VendorData,
}

impl Column {
    fn header(self) -> &'static str {
        match self {
            Column::Number => "NUMBER",
            Column::Kind => "KIND",
            Column::Status => "STATUS",
            Column::Created => "CREATED (UTC)",
            Column::Country => "COUNTRY",
            Column::Name => "NAME",
            Column::VendorData => "VENDOR DATA",
        }
    }

    /// Free text of any length: these columns give way first when the
    /// line would be too wide.
    fn is_free_text(self) -> bool {
        matches!(self, Column::Name | Column::VendorData)
    }

    fn cell(self, fields: &Fields) -> String {
        let cell = match self {
            Column::Number => fields.session_number.clone(),
            Column::Kind => match fields.session_kind.as_str() {
                "user" => "KYC".to_owned(),
                "business" => "KYB".to_owned(),
                other => other.to_owned(),
            },
            Column::Status => fields.status.clone(),
            Column::Created => fields
                .created_at
                .as_ref()
                .map(|created| created.as_datetime().format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            Column::Country => fields.country.clone(),
            Column::Name => fields.name().to_owned(),
            Column::VendorData => fields.vendor_data.clone(),
        };
        printable(&cell)
    }
}

/// Column widths, fixed by the first rows so that later pages line up with
/// them.
#[derive(Debug)]
pub struct Table {
    columns: Vec<(Column, usize)>,
}

impl Table {
    /// A layout for `rows`, with the KIND column only when rows of several
    /// kinds are asked for.
    pub fn fit(rows: &[Fields], show_kind: bool) -> Table {
        let columns = [
            Column::Number,
            Column::Kind,
            Column::Status,
            Column::Created,
            Column::Country,
            Column::Name,
            Column::VendorData,
        ];
        let mut columns: Vec<(Column, usize)> = columns
            .into_iter()
            .filter(|column| show_kind || *column != Column::Kind)
            .map(|column| {
                let widest = rows
                    .iter()
                    .map(|row| column.cell(row).width())
                    .max()
                    .unwrap_or(0);
                (column, widest.max(column.header().width()))
            })
            .collect();
        let gaps = GAP.len() * (columns.len() - 1);
        // Narrow the widest free-text column, then (only if the fixed ones
        // alone are too wide) the widest of all, until the line fits.
        while columns.iter().map(|(_, width)| width).sum::<usize>() + gaps > LINE_WIDTH {
            let free_text = columns
                .iter_mut()
                .filter(|(column, width)| column.is_free_text() && *width > column.header().width())
                .max_by_key(|(_, width)| *width);
            let widest = match free_text {
                Some(widest) => widest,
                None => columns
                    .iter_mut()
                    .max_by_key(|(_, width)| *width)
                    .expect("a table has columns"),
            };
            widest.1 -= 1;
        }
        Table { columns }
    }

    pub fn header(&self) -> String {
        self.line(|column| column.header().to_owned())
    }

    pub fn row(&self, fields: &Fields) -> String {
        self.line(|column| column.cell(fields))
    }

    fn line(&self, cell: impl Fn(Column) -> String) -> String {
        let mut line = String::new();
        for (index, (column, width)) in self.columns.iter().enumerate() {
            if index > 0 {
                line.push_str(GAP);
            }
            let text = truncate(&cell(*column), *width);
            let padding = " ".repeat(width - text.width());
            if *column == Column::Number {
                line.push_str(&padding);
                line.push_str(&text);
            } else {
                line.push_str(&text);
                line.push_str(&padding);
            }
        }
        line.truncate(line.trim_end().len());
        line
    }
}

/// The text with control characters (a line break in a name would break
/// the table) shown as spaces.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// At most `width` terminal columns of `text`, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let c_width = c.width().unwrap_or(0);
        if used + c_width + 1 > width {
            break;
        }
        cut.push(c);
        used += c_width;
    }
    if width > 0 {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(number: &str, name: &str, vendor_data: &str) -> Fields {
        Fields {
            session_number: number.into(),
            session_kind: "user".into(),
            status: "Awaiting User".into(),
            country: "ESP".into(),
            full_name: name.into(),
            vendor_data: vendor_data.into(),
            created_at: serde_json::from_str("\"2025-06-01T10:20:30Z\"").unwrap(),
            ..Fields::default()
        }
    }

    #[test]
    fn long_text_is_cut_to_fit_80_columns_and_numbers_align_right() {
        let rows = [
            fields("7", &"Maximiliano ".repeat(8), &"v".repeat(60)),
            fields("12345", "Zoë 山田", "user-1"),
        ];
        let table = Table::fit(&rows, true);
        let lines = [table.header(), table.row(&rows[0]), table.row(&rows[1])];
        for line in &lines {
            assert!(line.width() <= LINE_WIDTH, "{line}");
        }
        assert!(lines[1].contains('…'), "{}", lines[1]);
        assert!(lines[1].starts_with("     7  KYC   Awaiting User  2025-06-01 10:20  ESP"));
        assert!(lines[2].starts_with(" 12345  KYC"));
        assert!(lines[2].contains("Zoë 山田"));
    }

    #[test]
    fn short_rows_keep_their_natural_width_and_no_trailing_spaces() {
        let rows = [fields("1", "Ana", "")];
        let table = Table::fit(&rows, false);
        assert_eq!(
            table.header(),
            "NUMBER  STATUS         CREATED (UTC)     COUNTRY  NAME  VENDOR DATA"
        );
        assert_eq!(
            table.row(&rows[0]),
            "     1  Awaiting User  2025-06-01 10:20  ESP      Ana"
        );
    }

    #[test]
    fn control_characters_cannot_break_a_line() {
        let rows = [fields("1", "Ana\nBob\u{1b}[2J", "")];
        let line = Table::fit(&rows, false).row(&rows[0]);
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }

    #[test]
    fn cutting_respects_wide_characters() {
        assert_eq!(truncate("山田太郎", 5), "山田…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
    }
}
