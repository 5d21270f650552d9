//! The report as a table for people or as JSON for scripts.

use std::fmt::Write;

use serde_json::Value;

use super::acknowledged::{ACKNOWLEDGED_PATH, Report, Reviewed};

/// The report as JSON.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report is plain data")
}

/// The report as text: one block per operation, new differences first and
/// the most consequential first, each with the pointer into both documents;
/// then the stale acknowledgements, the uncovered operations and a summary.
pub fn table(report: &Report, ours_name: &str, theirs_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{ours_name} against {theirs_name}, paths under {}",
        report.prefixes.join(", ")
    );
    for operation in &report.operations {
        let their_id = operation
            .theirs
            .as_ref()
            .map_or("(absent)".to_owned(), |theirs| {
                id_or_dash(&theirs.operation_id)
            });
        let _ = writeln!(
            out,
            "\n{}  (ours: {}, theirs: {})",
            operation.ours.label(),
            id_or_dash(&operation.ours.operation_id),
            their_id,
        );
        if operation.differences.is_empty() {
            let _ = writeln!(out, "  no differences");
            continue;
        }
        let new = operation
            .differences
            .iter()
            .filter(|reviewed| reviewed.acknowledgement.is_none())
            .count();
        let _ = writeln!(
            out,
            "  {} difference(s), {new} new (values: ours | theirs)",
            operation.differences.len()
        );
        let rows: Vec<[String; 4]> = operation.differences.iter().map(row).collect();
        // The values, last, are not padded: one long list would widen every line.
        let widths: Vec<usize> = (0..3)
            .map(|column| {
                rows.iter()
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (reviewed, row) in operation.differences.iter().zip(&rows) {
            let mut line = String::from(" ");
            for (cell, width) in row.iter().zip(widths.iter().chain([&0])) {
                let _ = write!(line, " {cell:<width$}");
            }
            let _ = writeln!(out, "{}", line.trim_end());
            let indent = " ".repeat(2 + widths[0] + 1);
            let _ = writeln!(out, "{indent} ours   #{}", reviewed.difference.ours_pointer);
            let _ = writeln!(
                out,
                "{indent} theirs #{}",
                reviewed.difference.theirs_pointer
            );
        }
    }
    let used = acknowledgements_used(report);
    if !used.is_empty() {
        let _ = writeln!(out, "\nAcknowledgements ({ACKNOWLEDGED_PATH}):");
        for (index, reason) in used {
            let _ = writeln!(out, "  [{index}] {}", one_line(&reason));
        }
    }
    if !report.stale.is_empty() {
        let _ = writeln!(
            out,
            "\nStale acknowledgements (they match no difference; remove them):"
        );
        for stale in &report.stale {
            let (index, acknowledgement) = (stale.index, &stale.acknowledgement);
            let _ = writeln!(
                out,
                "  [{index}] {} {} at `{}`",
                acknowledgement.operation,
                acknowledgement.kind.name(),
                acknowledgement.at
            );
        }
    }
    if !report.uncovered.is_empty() {
        let _ = writeln!(out, "\nNot described by {ours_name} (not a failure):");
        let width = report
            .uncovered
            .iter()
            .map(|operation| operation.label().chars().count())
            .max()
            .unwrap_or(0);
        for operation in &report.uncovered {
            let _ = writeln!(
                out,
                "  {:<width$}  {}",
                operation.label(),
                id_or_dash(&operation.operation_id)
            );
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(report));
    out
}

/// The last line of the table, also useful on its own.
pub fn summary_line(report: &Report) -> String {
    let summary = report.summary;
    format!(
        "{} operation(s) compared: {} difference(s), {} acknowledged, {} new; {} operation(s) not covered; {} stale acknowledgement(s). {}",
        summary.operations,
        summary.differences,
        summary.acknowledged,
        summary.unacknowledged,
        summary.uncovered,
        summary.stale,
        if report.passes() {
            "OK"
        } else {
            "FAILED: acknowledge each new difference with a reason, or change the spec"
        }
    )
}

fn row(reviewed: &Reviewed) -> [String; 4] {
    let difference = &reviewed.difference;
    [
        match reviewed.acknowledgement {
            Some(index) => format!("ack[{index}]"),
            None => "NEW".to_owned(),
        },
        difference.kind.name(),
        difference.at.clone(),
        format!(
            "{} | {}",
            show(difference.ours.as_ref()),
            show(difference.theirs.as_ref())
        ),
    ]
}

/// The acknowledgements the report uses, by index, with their reasons.
fn acknowledgements_used(report: &Report) -> Vec<(usize, String)> {
    let mut used: Vec<(usize, String)> = report
        .operations
        .iter()
        .flat_map(|operation| &operation.differences)
        .filter_map(|reviewed| Some((reviewed.acknowledgement?, reviewed.reason.clone()?)))
        .collect();
    used.sort();
    used.dedup();
    used
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "-".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(values)) => values
            .iter()
            .map(|value| show(Some(value)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn id_or_dash(id: &Option<String>) -> String {
    id.clone().unwrap_or_else(|| "-".to_owned())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
