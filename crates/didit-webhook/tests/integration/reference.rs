//! A reference implementation of Didit's signing, written from the
//! description of Python's `json.dumps(value, sort_keys=True,
//! separators=(",", ":"), ensure_ascii=...)` and of `float.__repr__`,
//! independently of the crate's encoder: values come from the test's own
//! tree, keys are sorted as `char` sequences, float digits are found by
//! trying precisions, whole floats are expanded with decimal arithmetic.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A JSON value as the tests build it.
#[derive(Clone, Debug)]
pub enum Json {
    Null,
    Bool(bool),
    /// Integer digits, any length, optional minus sign.
    Int(String),
    /// A finite float.
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    /// Unique keys, in any order.
    Object(Vec<(String, Json)>),
}

/// HMAC-SHA256, lower-case hex.
pub fn sign(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Python's `json.dumps` of the value after Didit's whole-float
/// conversion; `ascii` is `ensure_ascii`.
pub fn dumps(value: &Json, ascii: bool) -> String {
    let mut out = String::new();
    write(value, ascii, &mut out);
    out
}

fn write(value: &Json, ascii: bool, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Json::Int(digits) => {
            let trimmed = digits.trim_start_matches('-');
            if trimmed.chars().all(|c| c == '0') {
                out.push('0');
            } else {
                out.push_str(digits);
            }
        }
        Json::Float(value) => out.push_str(&python_float(*value)),
        Json::Str(text) => quote(text, ascii, out),
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write(item, ascii, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            let mut sorted: Vec<&(String, Json)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.chars().cmp(b.0.chars()));
            out.push('{');
            for (index, (key, item)) in sorted.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                quote(key, ascii, out);
                out.push(':');
                write(item, ascii, out);
            }
            out.push('}');
        }
    }
}

fn quote(text: &str, ascii: bool, out: &mut String) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as Didit writes it: `int(x)` when whole, else `repr(x)`.
pub fn python_float(value: f64) -> String {
    if value == value.trunc() {
        whole_float_digits(value)
    } else {
        repr(value)
    }
}

/// The exact decimal digits of a whole float, by doubling a decimal
/// number.
fn whole_float_digits(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let bits = value.abs().to_bits();
    let exponent_bits = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mut mantissa, mut exponent) = if exponent_bits == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent_bits - 1075)
    };
    while exponent < 0 {
        // Whole, so the low bits shifted out are zeros.
        assert_eq!(mantissa & 1, 0);
        mantissa >>= 1;
        exponent += 1;
    }
    // Little-endian decimal digits.
    let mut digits: Vec<u8> = mantissa
        .to_string()
        .bytes()
        .rev()
        .map(|b| b - b'0')
        .collect();
    for _ in 0..exponent {
        let mut carry = 0;
        for digit in &mut digits {
            let doubled = *digit * 2 + carry;
            *digit = doubled % 10;
            carry = doubled / 10;
        }
        if carry > 0 {
            digits.push(carry);
        }
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let text: String = digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
    format!("{sign}{text}")
}

/// Python's `repr` of a finite float that is not whole.
fn repr(value: f64) -> String {
    // The fewest significant digits that read back to the same float.
    let scientific = (1..=17)
        .map(|digits| format!("{:.*e}", digits - 1, value))
        .find(|text| text.parse::<f64>().unwrap() == value)
        .unwrap();
    let (mantissa, exponent) = scientific.split_once('e').unwrap();
    let exponent: i32 = exponent.parse().unwrap();
    let negative = mantissa.starts_with('-');
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let sign = if negative { "-" } else { "" };
    // Python: positional when -4 <= exponent < 16.
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (integer, fraction) = digits.split_at(point as usize);
            format!("{integer}.{fraction}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exponent_sign}{:02}", exponent.abs())
    }
}

/// The value written the way a framework might re-serialise it: members in
/// reverse order, spaces after separators, non-ASCII as UTF-8, floats in
/// Rust's notation (`88.0`, `1e-7`). The same document to a JSON reader.
pub fn reserialised(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(flag) => flag.to_string(),
        Json::Int(digits) => digits.clone(),
        Json::Float(value) => format!("{value:?}"),
        Json::Str(text) => serde_json::to_string(text).unwrap(),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(reserialised).collect();
            format!("[ {} ]", items.join(", "))
        }
        Json::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .rev()
                .map(|(key, item)| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(key).unwrap(),
                        reserialised(item)
                    )
                })
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
    }
}

#[test]
fn the_reference_writes_floats_as_python_does() {
    // Python 3.11: json.dumps of these floats (whole ones after int()).
    for (value, python) in [
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (0.0001, "0.0001"),
        (123.456, "123.456"),
        (-2.5e-10, "-2.5e-10"),
        (100.0, "100"),
        (1e22, "10000000000000000000000"),
        (2f64.powi(70), "1180591620717411303424"),
        (5e-324, "5e-324"),
        (0.30000000000000004, "0.30000000000000004"),
        (1234567890123.5, "1234567890123.5"),
    ] {
        assert_eq!(python_float(value), python, "{value:e}");
    }
}
