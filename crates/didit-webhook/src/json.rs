//! The JSON reader and the two encoders Didit signs with.
//!
//! Didit serialises an event with Python's `json.dumps(event,
//! sort_keys=True, separators=(",", ":"))` after turning whole-valued floats
//! into integers. The body goes out with non-ASCII characters escaped
//! (`ensure_ascii=True`); `X-Signature-V2` covers the same document with
//! them written as UTF-8 (`ensure_ascii=False`). Checking that signature
//! means reading the body as Python's `json.loads` does and writing it back
//! exactly as that encoder would, so this module keeps every number as the
//! text received (integers of any size stay exact) and converts floats only
//! when writing them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

/// Deepest nesting accepted: deeper documents are refused rather than
/// risking the stack (serde_json stops at the same depth).
pub(crate) const MAX_DEPTH: usize = 128;

/// A parsed JSON value that borrows from the text it was read from.
#[derive(Debug, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    /// The number exactly as written; it matched JSON's number grammar.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members sorted by key (by code point, as Python sorts `str`), keys
    /// unique; each value comes with its byte range in the text.
    Object(Vec<Member<'a>>),
}

/// One member of an object.
#[derive(Debug, PartialEq)]
pub(crate) struct Member<'a> {
    pub key: Cow<'a, str>,
    pub value: Node<'a>,
    pub span: Range<usize>,
}

/// Why a text is not a JSON document this crate accepts. Never quotes the
/// text: only what was expected and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub problem: &'static str,
    pub offset: usize,
}

/// Reads a whole document: one value, surrounded by optional whitespace.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        position: 0,
        depth: 0,
    };
    parser.skip_whitespace();
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.position != parser.bytes.len() {
        return Err(parser.error("text after the end of the document"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, problem: &'static str) -> SyntaxError {
        SyntaxError {
            problem,
            offset: self.position,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    /// The bytes not read yet.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.position..).unwrap_or_default()
    }

    /// Text between two positions, both on ASCII bytes.
    fn slice(&self, range: Range<usize>) -> Result<&'a str, SyntaxError> {
        self.text
            .get(range)
            .ok_or_else(|| self.error("a broken character in a string"))
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8, problem: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.position += 1;
            Ok(())
        } else {
            Err(self.error(problem))
        }
    }

    fn literal(&mut self, word: &'static str, node: Node<'a>) -> Result<Node<'a>, SyntaxError> {
        if self.rest().starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(node)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Node<'a>, SyntaxError> {
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Node::String(self.string()?)),
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("the document ends before a value")),
        }
    }

    fn nested(
        &mut self,
        read: fn(&mut Self) -> Result<Node<'a>, SyntaxError>,
    ) -> Result<Node<'a>, SyntaxError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nested more than 128 levels deep"));
        }
        self.depth += 1;
        let node = read(self);
        self.depth -= 1;
        node
    }

    fn array(&mut self) -> Result<Node<'a>, SyntaxError> {
        self.position += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    fn object(&mut self) -> Result<Node<'a>, SyntaxError> {
        let start = self.position;
        self.position += 1;
        let mut members: Vec<Member<'a>> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Ok(Node::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':', "expected `:` after an object key")?;
            self.skip_whitespace();
            let value_start = self.position;
            let value = self.value()?;
            members.push(Member {
                key,
                value,
                span: value_start..self.position,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    break;
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
        // Didit's bodies arrive sorted; only re-ordered ones pay for a sort.
        let strictly_sorted = |members: &[Member<'_>]| {
            members
                .windows(2)
                .all(|pair| matches!(pair, [a, b] if a.key.as_bytes() < b.key.as_bytes()))
        };
        if !strictly_sorted(&members) {
            members.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
            if !strictly_sorted(&members) {
                // A key given twice would make the document mean different
                // things to different readers.
                return Err(SyntaxError {
                    problem: "an object has the same key twice",
                    offset: start,
                });
            }
        }
        Ok(Node::Object(members))
    }

    fn number(&mut self) -> Result<Node<'a>, SyntaxError> {
        let start = self.position;
        if self.peek() == Some(b'-') {
            self.position += 1;
        }
        match self.peek() {
            Some(b'0') => self.position += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit in a number")),
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.position += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.position += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in an exponent"));
            }
            self.digits();
        }
        Ok(Node::Number(self.slice(start..self.position)?))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.position += 1;
        }
    }

    /// Reads a string; the position is on its opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.position += 1;
        let start = self.position;
        let plain = self
            .rest()
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20);
        let Some(length) = plain else {
            self.position = self.bytes.len();
            return Err(self.error("a string is not closed"));
        };
        self.position = start + length;
        match self.peek() {
            Some(b'"') => {
                self.position += 1;
                return Ok(Cow::Borrowed(self.slice(start..start + length)?));
            }
            Some(b'\\') => {}
            _ => return Err(self.error("a control character in a string")),
        }
        let mut owned = String::with_capacity(length + 16);
        owned.push_str(self.slice(start..self.position)?);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.position += 1;
                    self.escape(&mut owned)?;
                }
                Some(byte) if byte < 0x20 => {
                    return Err(self.error("a control character in a string"));
                }
                Some(_) => {
                    let rest = self.rest();
                    let run = rest
                        .iter()
                        .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
                        .unwrap_or(rest.len());
                    // Runs end on ASCII bytes, so they are whole characters.
                    owned.push_str(self.slice(self.position..self.position + run)?);
                    self.position += run;
                }
                None => return Err(self.error("a string is not closed")),
            }
        }
    }

    /// Reads one escape sequence; the position is after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let simple = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.position += 1;
                let first = self.hex4()?;
                let character = match first {
                    0xD800..=0xDBFF => {
                        if !self.rest().starts_with(b"\\u") {
                            return Err(self.error("an unpaired surrogate escape"));
                        }
                        self.position += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error("an unpaired surrogate escape"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.error("an unpaired surrogate escape"));
                    }
                    other => other,
                };
                out.push(
                    char::from_u32(character)
                        .ok_or_else(|| self.error("an invalid escape in a string"))?,
                );
                return Ok(());
            }
            _ => return Err(self.error("an invalid escape in a string")),
        };
        self.position += 1;
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|byte| char::from(byte).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
            value = value * 16 + digit;
            self.position += 1;
        }
        Ok(value)
    }
}

/// How the encoder writes characters outside ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NonAscii {
    /// As `\uXXXX` (a surrogate pair above U+FFFF), with DEL escaped too:
    /// the body Didit sends.
    Escaped,
    /// As UTF-8: what `X-Signature-V2` covers.
    Utf8,
}

/// Writes `node` as Didit's encoder does: keys sorted, no spaces, whole
/// floats as integers, other floats as Python's `repr`.
pub(crate) fn encode(node: &Node<'_>, non_ascii: NonAscii, out: &mut Vec<u8>) {
    match node {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(text) => write_number(text, out),
        Node::String(text) => write_string(text, non_ascii, out),
        Node::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                encode(item, non_ascii, out);
            }
            out.push(b']');
        }
        Node::Object(members) => {
            out.push(b'{');
            for (index, member) in members.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(&member.key, non_ascii, out);
                out.push(b':');
                encode(&member.value, non_ascii, out);
            }
            out.push(b'}');
        }
    }
}

/// A number as Python reads and writes it: integers keep their digits
/// (`-0` is `0`); floats that are whole become integers; others are
/// written as `repr` writes them.
fn write_number(text: &str, out: &mut Vec<u8>) {
    let is_float = text.bytes().any(|byte| matches!(byte, b'.' | b'e' | b'E'));
    if !is_float {
        if text == "-0" {
            out.push(b'0');
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        return;
    }
    // Correctly rounded, as Python's `float()`; out-of-range text becomes
    // an infinity there too.
    let value: f64 = text.parse().unwrap_or(f64::NAN);
    let mut buffer = String::new();
    write_float(value, &mut buffer);
    out.extend_from_slice(buffer.as_bytes());
}

/// A float after Didit's whole-float conversion, as Python writes it.
pub(crate) fn write_float(value: f64, out: &mut String) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
    } else if value.fract() == 0.0 {
        // `int(value)`: the exact integer, however large; `-0.0` is 0.
        if value == 0.0 {
            out.push('0');
        } else {
            let _ = write!(out, "{value:.0}");
        }
    } else {
        write_repr(value, out);
    }
}

/// Python's `repr` of a finite float: the shortest digits that read back
/// to the same float, positional from 1e-4 up to 1e16, otherwise
/// `d.ddde±XX`.
fn write_repr(value: f64, out: &mut String) {
    let scientific = shortest_digits(value);
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    out.push_str(sign);
    if (-4..16).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            for _ in 0..(-exponent - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let integer_digits = exponent as usize + 1;
            if let Some((integer, fraction)) = digits
                .split_at_checked(integer_digits)
                .filter(|(_, fraction)| !fraction.is_empty())
            {
                out.push_str(integer);
                out.push('.');
                out.push_str(fraction);
            } else {
                out.push_str(&digits);
                for _ in digits.len()..integer_digits {
                    out.push('0');
                }
                out.push_str(".0");
            }
        }
    } else {
        let (first, rest) = digits.split_at_checked(1).unwrap_or((digits.as_str(), ""));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.unsigned_abs()
        );
    }
}

/// The float in scientific notation (`-1.2345e-7`) with as few digits as
/// read back to it, chosen as Python chooses them: of the candidates with
/// that many digits, the nearest to the float's exact value, a tie going
/// to the even digit (`{:e}` alone may round a tie up).
fn shortest_digits(value: f64) -> String {
    let shortest = format!("{value:e}");
    let significant = shortest
        .split('e')
        .next()
        .unwrap_or_default()
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    // `{:.N e}` rounds the exact value, ties to even.
    let nearest = format!("{:.*e}", significant.saturating_sub(1), value);
    if nearest.parse::<f64>() == Ok(value) {
        nearest
    } else {
        shortest
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_unicode_escape(unit: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(
            HEX.get(((unit >> shift) & 0xF) as usize)
                .copied()
                .unwrap_or(b'0'),
        );
    }
}

/// A string as Python's encoder writes it: `"` and `\` escaped, the
/// control characters with a short escape (`\n`, `\t`, …) where JSON has
/// one and `\u00XX` otherwise; with [`NonAscii::Escaped`] also DEL and
/// every non-ASCII character.
fn write_string(text: &str, non_ascii: NonAscii, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let needs_escape = |byte: u8| match non_ascii {
        NonAscii::Utf8 => byte == b'"' || byte == b'\\' || byte < 0x20,
        NonAscii::Escaped => byte == b'"' || byte == b'\\' || !(0x20..0x7F).contains(&byte),
    };
    let mut done = 0;
    while let Some(offset) = bytes
        .get(done..)
        .and_then(|rest| rest.iter().position(|&byte| needs_escape(byte)))
    {
        let at = done + offset;
        out.extend_from_slice(bytes.get(done..at).unwrap_or_default());
        // `at` starts a character: the bytes looked for are ASCII or lead
        // bytes of non-ASCII characters.
        let Some(character) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        match character {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            other => {
                let mut units = [0u16; 2];
                for unit in other.encode_utf16(&mut units) {
                    push_unicode_escape(u32::from(*unit), out);
                }
            }
        }
        done = at + character.len_utf8();
    }
    out.extend_from_slice(bytes.get(done..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str, non_ascii: NonAscii) -> String {
        let mut out = Vec::new();
        encode(&parse(text).unwrap(), non_ascii, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_are_written_as_python_writes_them() {
        let cases = [
            ("100.0", "100"),
            ("-0.0", "0"),
            ("-0", "0"),
            ("1e2", "100"),
            ("0.5", "0.5"),
            ("73.25", "73.25"),
            ("0.1", "0.1"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("1.5e-7", "1.5e-07"),
            ("-2.5E-10", "-2.5e-10"),
            ("1e-400", "0"),
            ("1e400", "Infinity"),
            ("-1e400", "-Infinity"),
            ("123456789012345.6", "123456789012345.6"),
            ("1e22", "10000000000000000000000"),
            ("1e300", &format!("{:.0}", 1e300)),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", &format!("{:.0}", f64::MAX)),
            ("0.30000000000000004", "0.30000000000000004"),
            // Exactly halfway between two shortest candidates: Python
            // takes the even digit.
            ("-27986825674232.8125", "-27986825674232.812"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(canonical(input, NonAscii::Utf8), expected, "{input}");
        }
    }

    #[test]
    fn keys_sort_by_code_point_and_duplicates_are_refused() {
        assert_eq!(
            canonical(r#"{"b":1,"\u00e9":2,"B":3,"10":4,"9":5}"#, NonAscii::Utf8),
            "{\"10\":4,\"9\":5,\"B\":3,\"b\":1,\"é\":2}"
        );
        // Astral characters sort after U+FFFF by code point (UTF-16 order
        // would put them before U+E000..).
        assert_eq!(
            canonical("{\"\u{1F600}\":1,\"\u{FF21}\":2}", NonAscii::Utf8),
            "{\"\u{FF21}\":2,\"\u{1F600}\":1}"
        );
        let error = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap_err();
        assert_eq!(error.problem, "an object has the same key twice");
    }

    #[test]
    fn strings_are_escaped_as_python_escapes_them() {
        let text = r#""a\"b\\c\/d\b\f\n\r\t\u0001\u001f\u007f é \ud83d\ude00""#;
        assert_eq!(
            canonical(text, NonAscii::Utf8),
            "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f} é \u{1F600}\""
        );
        assert_eq!(
            canonical(text, NonAscii::Escaped),
            r#""a\"b\\c/d\b\f\n\r\t\u0001\u001f\u007f \u00e9 \ud83d\ude00""#
        );
    }

    #[test]
    fn malformed_documents_are_refused_with_a_reason_and_place() {
        for (text, problem) in [
            ("", "the document ends before a value"),
            ("{\"a\":1,}", "expected a string key in an object"),
            ("[1 2]", "expected `,` or `]` in an array"),
            ("01", "text after the end of the document"),
            ("1.", "expected a digit after the decimal point"),
            ("NaN", "expected a JSON value"),
            ("\"\\ud800\"", "an unpaired surrogate escape"),
            ("\"\\udc00\"", "an unpaired surrogate escape"),
            ("\"a\nb\"", "a control character in a string"),
            ("\"abc", "a string is not closed"),
            ("\"\\x\"", "an invalid escape in a string"),
            ("{} {}", "text after the end of the document"),
        ] {
            assert_eq!(
                parse(text).map(|_| ()).unwrap_err().problem,
                problem,
                "{text:?}"
            );
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(&deep).unwrap_err().problem,
            "nested more than 128 levels deep"
        );
        let deepest = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&deepest).is_ok());
    }

    #[test]
    fn members_know_where_their_values_are() {
        let text = r#"{ "b" : [1, 2] , "a":{"x":null} }"#;
        let Node::Object(members) = parse(text).unwrap() else {
            panic!("an object");
        };
        let spans: Vec<&str> = members.iter().map(|m| &text[m.span.clone()]).collect();
        assert_eq!(spans, [r#"{"x":null}"#, "[1, 2]"]);
    }
}
