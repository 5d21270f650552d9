//! Where in a document decoding failed, noted by the decoders themselves.
//!
//! A decoder that tracks the path of every value it enters (as
//! `serde_path_to_error` does) is a second copy of every type's decoder, and
//! slows every field down. Instead, the generated decoders note nothing while
//! decoding works; when a property's or an element's value fails, they note
//! its name or index as the error passes up through them, innermost first.
//! [`take`] turns the notes into a path such as `results[3].session_number`.
//!
//! The notes are kept per thread and belong to one error: each note carries
//! the error's message (without serde_json's position, which is added on the
//! way up), and a note for another error starts afresh. So a failure that a
//! decoder recovered from (a row first read as KYC, an untagged enum trying
//! its variants) cannot lend its notes to a later one.

use std::cell::RefCell;
use std::fmt::{Display, Write as _};

/// One step of a path, innermost first.
enum Step {
    Property(&'static str),
    Undeclared(String),
    Element(usize),
}

#[derive(Default)]
struct Notes {
    /// The message of the error the steps belong to.
    message: String,
    steps: Vec<Step>,
}

thread_local! {
    static NOTES: RefCell<Notes> = RefCell::new(Notes::default());
}

/// The message of an error, without the ` at line L column C` serde_json
/// appends once the error passes through its deserializer.
fn message_of(error: &impl Display) -> String {
    let mut message = error.to_string();
    if let Some(at) = message.rfind(" at line ")
        && let Some((line, column)) = message
            .get(at + " at line ".len()..)
            .and_then(|position| position.split_once(" column "))
        && !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && !column.is_empty()
        && column.bytes().all(|b| b.is_ascii_digit())
    {
        message.truncate(at);
    }
    message
}

#[cold]
fn note(error: &impl Display, step: Step) {
    let message = message_of(error);
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        if notes.message != message {
            notes.steps.clear();
            notes.message = message;
        }
        notes.steps.push(step);
    });
}

/// Notes that `error` came from the value of the declared property `name`.
#[cold]
pub(crate) fn property(error: &impl Display, name: &'static str) {
    note(error, Step::Property(name));
}

/// The longest name a server sent that a message repeats.
const MAX_SHOWN_NAME: usize = 64;

/// Whether `name`, a key a server sent, reads as a property name (short,
/// letters, digits, `_`, `-`) rather than arbitrary text: only then may a
/// path or a `Debug` output repeat it.
pub(crate) fn reads_as_property_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_SHOWN_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Notes that `error` came from the value of the undeclared property `name`,
/// repeated only when it [reads as a property name](reads_as_property_name).
#[cold]
pub(crate) fn undeclared(error: &impl Display, name: &str) {
    let shown = if reads_as_property_name(name) {
        name
    } else {
        "<undeclared property>"
    };
    note(error, Step::Undeclared(shown.to_owned()));
}

/// Notes that `error` came from the element at `index` of an array.
#[cold]
pub(crate) fn element(error: &impl Display, index: usize) {
    note(error, Step::Element(index));
}

/// The notes taken for one error now belong to `replacement`, an error made
/// from it (a decoder that reads a nested document reports that document's
/// failure in its own error).
#[cold]
pub(crate) fn carry(replacement: &impl Display) {
    let message = message_of(replacement);
    NOTES.with(|notes| notes.borrow_mut().message = message);
}

/// Drops every note: before a document is decoded, and after a decoder
/// recovered from a failure.
pub(crate) fn forget() {
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        notes.steps.clear();
        notes.message.clear();
    });
}

/// The path of the value `error` came from, `.` for the document itself,
/// and forgets the notes.
pub(crate) fn take(error: &impl Display) -> String {
    let message = message_of(error);
    NOTES.with(|notes| {
        let mut notes = notes.borrow_mut();
        let steps = std::mem::take(&mut notes.steps);
        let belongs = std::mem::take(&mut notes.message) == message;
        if !belongs || steps.is_empty() {
            return ".".to_owned();
        }
        let mut path = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Property(name) => push_name(&mut path, name),
                Step::Undeclared(name) => push_name(&mut path, name),
                Step::Element(index) => {
                    let _ = write!(path, "[{index}]");
                }
            }
        }
        path
    })
}

fn push_name(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_outermost_first() {
        forget();
        let error = "invalid type: string, expected i64 at line 1 column 9";
        property(&error, "session_number");
        element(&error, 3);
        // serde_json adds the position on the way up: the same error.
        property(&"invalid type: string, expected i64", "results");
        assert_eq!(take(&error), "results[3].session_number");
        assert_eq!(take(&error), ".", "taking forgets");
    }

    #[test]
    fn notes_of_another_error_do_not_leak_into_a_path() {
        forget();
        property(&"an error recovered from", "a");
        property(&"the error reported", "b");
        assert_eq!(take(&"the error reported at line 2 column 4"), "b");
        property(&"an error recovered from", "a");
        assert_eq!(take(&"a document-level error"), ".");
    }

    #[test]
    fn a_carried_path_continues_under_the_new_error() {
        forget();
        property(
            &"invalid type: string \"x\", expected i64",
            "session_number",
        );
        carry(&"invalid type: string, expected i64");
        element(&"invalid type: string, expected i64", 0);
        assert_eq!(
            take(&"invalid type: string, expected i64 at line 1 column 80"),
            "[0].session_number"
        );
    }

    #[test]
    fn an_undeclared_name_is_repeated_only_when_it_reads_as_one() {
        forget();
        let error = "EOF while parsing a value";
        undeclared(&error, "risk_score");
        assert_eq!(take(&error), "risk_score");
        undeclared(&error, "Jane Doe, born 1990\n");
        assert_eq!(take(&error), "<undeclared property>");
        undeclared(&error, &"x".repeat(65));
        assert_eq!(take(&error), "<undeclared property>");
    }

    #[test]
    fn only_a_trailing_position_is_cut() {
        assert_eq!(message_of(&"x at line 3 column 14"), "x");
        assert_eq!(
            message_of(&"x at line three column 14"),
            "x at line three column 14"
        );
        assert_eq!(
            message_of(&"at line 1 column 2 is fine here"),
            "at line 1 column 2 is fine here"
        );
    }
}
