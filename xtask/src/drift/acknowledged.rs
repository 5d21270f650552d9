//! Differences we keep on purpose, and the verdict on a comparison.
//!
//! `openapi/drift-acknowledged.yaml` lists acknowledgements. Each matches
//! differences by operation, kind and location — `operation` and `at` are
//! patterns where `*` stands for any run of characters — optionally narrowed
//! by the values on either side, and says why we differ:
//!
//! ```yaml
//! acknowledged:
//!   - operation: GET /v3/sessions/
//!     kind: enum-values-removed
//!     at: response 200 application/json results[].oneOf[0].document_type
//!     ours: [P, ID, DL]        # every value the difference names is listed here
//!     reason: Older responses carry the short code.
//! ```
//!
//! `ours` / `theirs` accept one value or a list; `null` means "absent on
//! that side". A difference is acknowledged by the first acknowledgement
//! that matches it; an acknowledgement that matches nothing in the operations
//! compared is stale.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{Comparison, Difference, Kind, OperationRef};

/// The acknowledgement file, relative to the workspace root.
pub const ACKNOWLEDGED_PATH: &str = "openapi/drift-acknowledged.yaml";

/// One difference we keep on purpose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// `METHOD /path` of our operation; `*` matches any run of characters.
    pub operation: String,
    /// The kind of difference.
    pub kind: Kind,
    /// The location ([`Difference::at`]); `*` matches any run of characters.
    pub at: String,
    /// When set, our side's value must be one of these (`null`: absent).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ours: Option<Value>,
    /// When set, the other side's value must be one of these.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub theirs: Option<Value>,
    /// Why we differ.
    pub reason: String,
}

/// Keeps an explicit `null` apart from a missing key.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcknowledgementFile {
    acknowledged: Vec<Acknowledgement>,
}

/// Parses an acknowledgement file's text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Acknowledgement>> {
    let file: AcknowledgementFile = serde_norway::from_str(text)
        .with_context(|| format!("{origin} is not a valid acknowledgement file"))?;
    for (index, acknowledgement) in file.acknowledged.iter().enumerate() {
        if acknowledgement.reason.trim().is_empty() {
            bail!("{origin}: acknowledgement {} has no reason", index + 1);
        }
    }
    Ok(file.acknowledged)
}

/// Reads the acknowledgement file at `path`.
pub fn read(path: &Path) -> Result<Vec<Acknowledgement>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// Reads the workspace's acknowledgement file.
pub fn load() -> Result<Vec<Acknowledgement>> {
    read(&crate::spec::workspace_root().join(ACKNOWLEDGED_PATH))
}

impl Acknowledgement {
    /// Whether this acknowledges `difference`.
    pub fn matches(&self, difference: &Difference) -> bool {
        self.kind == difference.kind
            && glob_matches(&self.operation, &difference.operation)
            && glob_matches(&self.at, &difference.at)
            && values_allowed(self.ours.as_ref(), difference.ours.as_ref())
            && values_allowed(self.theirs.as_ref(), difference.theirs.as_ref())
    }
}

/// Whether every value `actual` names is allowed by `allowed`.
fn values_allowed(allowed: Option<&Value>, actual: Option<&Value>) -> bool {
    let Some(allowed) = allowed else {
        return true;
    };
    let allowed: &[Value] = match allowed {
        Value::Array(values) => values,
        single => std::slice::from_ref(single),
    };
    let actual: &[Value] = match actual {
        None => &[Value::Null],
        Some(Value::Array(values)) => values,
        Some(single) => std::slice::from_ref(single),
    };
    actual.iter().all(|value| allowed.contains(value))
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters
/// and everything else matches itself.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(index) => rest = &rest[index + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A difference and the acknowledgement that covers it, if any.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reviewed {
    /// The difference.
    #[serde(flatten)]
    pub difference: Difference,
    /// Index (from 1, in file order) of the acknowledgement covering it.
    pub acknowledgement: Option<usize>,
    /// Its reason.
    pub reason: Option<String>,
}

/// An operation of ours with its reviewed differences: new ones first, then
/// most consequential first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewedOperation {
    /// Ours.
    pub ours: OperationRef,
    /// The other document's.
    pub theirs: Option<OperationRef>,
    /// The differences.
    pub differences: Vec<Reviewed>,
}

/// Counts for the last line of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Our operations compared.
    pub operations: usize,
    /// Differences found.
    pub differences: usize,
    /// Of which acknowledged.
    pub acknowledged: usize,
    /// Of which not.
    pub unacknowledged: usize,
    /// Operations of the other document under the prefixes we do not describe.
    pub uncovered: usize,
    /// Acknowledgements matching nothing.
    pub stale: usize,
}

/// An acknowledgement that matches no difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stale {
    /// Its index, from 1, in file order.
    pub index: usize,
    /// The acknowledgement.
    #[serde(flatten)]
    pub acknowledgement: Acknowledgement,
}

/// A comparison judged against the acknowledgements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The path prefixes compared.
    pub prefixes: Vec<String>,
    /// Our operations.
    pub operations: Vec<ReviewedOperation>,
    /// The other document's operations we do not describe.
    pub uncovered: Vec<OperationRef>,
    /// Acknowledgements matching nothing, with their index (from 1).
    pub stale: Vec<Stale>,
    /// The counts.
    pub summary: Summary,
}

impl Report {
    /// Every difference is acknowledged (uncovered operations and stale
    /// acknowledgements are reported, not failures).
    pub fn passes(&self) -> bool {
        self.summary.unacknowledged == 0
    }

    /// The differences no acknowledgement covers.
    pub fn unacknowledged(&self) -> impl Iterator<Item = &Difference> {
        self.operations
            .iter()
            .flat_map(|operation| &operation.differences)
            .filter(|reviewed| reviewed.acknowledgement.is_none())
            .map(|reviewed| &reviewed.difference)
    }
}

/// Judges `comparison` against `acknowledgements`.
pub fn review(comparison: Comparison, acknowledgements: &[Acknowledgement]) -> Report {
    let mut used = vec![false; acknowledgements.len()];
    let mut summary = Summary {
        operations: comparison.operations.len(),
        differences: 0,
        acknowledged: 0,
        unacknowledged: 0,
        uncovered: comparison.uncovered.len(),
        stale: 0,
    };
    let operations: Vec<ReviewedOperation> = comparison
        .operations
        .into_iter()
        .map(|operation| {
            let mut differences: Vec<Reviewed> = operation
                .differences
                .into_iter()
                .map(|difference| {
                    let found = acknowledgements
                        .iter()
                        .position(|acknowledgement| acknowledgement.matches(&difference));
                    if let Some(index) = found {
                        used[index] = true;
                    }
                    Reviewed {
                        acknowledgement: found.map(|index| index + 1),
                        reason: found.map(|index| acknowledgements[index].reason.clone()),
                        difference,
                    }
                })
                .collect();
            // The comparison already ranks them; new ones go first.
            differences.sort_by_key(|reviewed| reviewed.acknowledgement.is_some());
            summary.differences += differences.len();
            summary.acknowledged += differences
                .iter()
                .filter(|reviewed| reviewed.acknowledgement.is_some())
                .count();
            ReviewedOperation {
                ours: operation.ours,
                theirs: operation.theirs,
                differences,
            }
        })
        .collect();
    summary.unacknowledged = summary.differences - summary.acknowledged;
    // An acknowledgement for an operation outside the comparison (another
    // `--prefix`) is not stale, merely not in play.
    let in_play = |acknowledgement: &Acknowledgement| {
        operations.iter().any(|operation: &ReviewedOperation| {
            glob_matches(&acknowledgement.operation, &operation.ours.label())
        })
    };
    let stale: Vec<Stale> = acknowledgements
        .iter()
        .enumerate()
        .filter(|(index, acknowledgement)| !used[*index] && in_play(acknowledgement))
        .map(|(index, acknowledgement)| Stale {
            index: index + 1,
            acknowledgement: acknowledgement.clone(),
        })
        .collect();
    summary.stale = stale.len();
    Report {
        prefixes: comparison.prefixes,
        operations,
        uncovered: comparison.uncovered,
        stale,
        summary,
    }
}
