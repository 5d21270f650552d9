//! Answers a broken or hostile server might send, as proptest strategies:
//! any status, rate-limit headers and `Retry-After` values out of range,
//! links to other origins and paths or with offsets past `u64::MAX`, bodies
//! that are not JSON, pages with rows of the wrong shape, and large bodies
//! ([`answer`], for the session list); and the same for the other
//! operations on a session ([`lifecycle_answer`]): their documented objects
//! with a property missing or of the wrong type, PDF reports whole, cut
//! short or too long, success statuses they do not expect, and file names.
//! Answers carry [`PERSONAL`] in their bodies and links, but never where
//! it could read as a message of the API in an error answer (which errors
//! show), so a test can check that no error message repeats them.
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = wiremock::MockServer::start().await;
//! let mut runner = proptest::test_runner::TestRunner::deterministic();
//! let answers = proptest::collection::vec(didit_mock::hostile::answer(), 1..4)
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! didit_mock::hostile::serve(&server, &answers).await;
//! # }
//! ```

use proptest::prelude::*;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Personal data a hostile or simply chatty server puts in its answers. It
/// must never show up in an error's `Display` or `Debug`.
pub const PERSONAL: &str = "Jane-Personal-Doe";

/// Stands for the mock server's origin in generated links.
const BASE: &str = "{base}";

/// One answer of the server.
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

#[derive(Clone, Debug)]
enum Body {
    /// A page-shaped JSON object with these members.
    Page(Value),
    /// Any JSON value.
    Json(Value),
    /// Bytes that need not be JSON, or UTF-8.
    Bytes(Vec<u8>),
    /// A JSON page of `n` bytes or so.
    Large(usize),
    /// A PDF document of `n` bytes.
    LargePdf(usize),
}

/// The sizes of large bodies: on either side of a 64 KiB limit, which a
/// test's client may set to see both read.
const LARGE_SIZES: [usize; 2] = [16 * 1024, 256 * 1024];

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..5).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just(u64::MAX.to_string()),
        Just("18446744073709551616".to_owned()),
        Just("99999999999999999999999999".to_owned()),
        Just("-1".to_owned()),
        Just("1.5".to_owned()),
        Just("0.001".to_owned()),
        Just("1e3".to_owned()),
        Just(" 2 ".to_owned()),
        Just(String::new()),
        Just("soon".to_owned()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        "[ -~]{0,20}",
    ]
}

/// An offset as a link might carry it.
fn offset_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..12).prop_map(|n| n.to_string()),
        1 => number_text(),
    ]
}

/// A `next` or `previous` link, or a `Location`.
fn link() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (offset_text(), 1u32..4)
            .prop_map(|(offset, limit)| format!("{BASE}/v3/sessions/?limit={limit}&offset={offset}")),
        1 => Just(format!("{BASE}/v3/sessions/?limit=2")),
        1 => (offset_text(), offset_text())
            .prop_map(|(a, b)| format!("{BASE}/v3/sessions/?offset={a}&offset={b}&limit=2")),
        1 => offset_text().prop_map(|offset| format!("{BASE}/admin/?offset={offset}")),
        1 => offset_text().prop_map(|offset| format!("/v3/sessions/?offset={offset}")),
        1 => offset_text().prop_map(|offset| format!("?offset={offset}")),
        1 => offset_text()
            .prop_map(|offset| format!("http://127.0.0.2:9/v3/sessions/?offset={offset}")),
        1 => Just(format!("{BASE}/v3/sessions/?search={PERSONAL}&offset=1")),
        1 => Just("::not a url".to_owned()),
        1 => Just(String::new()),
        1 => Just(format!("{BASE}/v3/sessions/?offset=1&pad={}", "x".repeat(5000))),
    ]
}

fn header() -> impl Strategy<Value = (&'static str, String)> {
    prop_oneof![
        (Just("retry-after"), number_text()),
        (Just("x-ratelimit-limit"), number_text()),
        (Just("x-ratelimit-remaining"), number_text()),
        (Just("x-ratelimit-reset"), number_text()),
        (Just("location"), link()),
        (Just("content-type"), Just("text/html".to_owned())),
    ]
}

/// Any JSON value, personal data included.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(json!(PERSONAL)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A row: a well-formed one, or one with a field of the wrong type.
fn row() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just(Value::Null),
        Just(json!("user")),
        Just(json!("business")),
        Just(json!("partner")),
        json_value(),
    ];
    let field = prop_oneof![
        Just("session_id"),
        Just("session_number"),
        Just("status"),
        Just("full_name"),
        Just("features"),
        Just("created_at"),
        Just("phone_number"),
        Just("company_name"),
    ];
    (
        kind,
        1i64..1_000_000,
        prop::option::of((field, json_value())),
    )
        .prop_map(|(kind, number, odd_field)| {
            let mut row = json!({
                "session_kind": kind,
                "session_id": "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52",
                "session_number": number,
                "status": "Approved",
                "full_name": PERSONAL,
                "vendor_data": PERSONAL,
            });
            if let (Some((name, value)), Some(object)) = (odd_field, row.as_object_mut()) {
                object.insert(name.to_owned(), value);
            }
            row
        })
}

fn count() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..40).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(json!(u64::MAX)),
        1 => Just(json!(1e300)),
        1 => Just(json!("many")),
        1 => Just(Value::Null),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    let page = (
        count(),
        prop::option::of(link()),
        prop::option::of(link()),
        prop::collection::vec(row(), 0..4),
    )
        .prop_map(|(count, next, previous, results)| {
            Body::Page(
                json!({"count": count, "next": next, "previous": previous, "results": results}),
            )
        });
    prop_oneof![
        8 => page,
        1 => json_value().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
        1 => Just(Body::Bytes(format!("{{\"detail\": \"{PERSONAL}\"").into_bytes())),
        // Under a key that is not a field name, or in a list that is not
        // one of messages: where no error shows it.
        1 => Just(Body::Json(json!({"detail": "Refused.", "search": ["Bad."], PERSONAL: ["x"]}))),
        1 => Just(Body::Json(json!([PERSONAL, 1]))),
        1 => Just(Body::Json(json!(["bare", "list"]))),
        1 => prop::sample::select(&LARGE_SIZES[..]).prop_map(Body::Large),
    ]
}

/// Any answer: mostly pages (with hostile links, counts and rows), and any
/// status, header and body besides.
pub fn answer() -> impl Strategy<Value = Answer> {
    let status = prop_oneof![
        10 => Just(200u16),
        2 => prop::sample::select(vec![429u16, 503]),
        1 => prop::sample::select(vec![
            201u16, 204, 301, 302, 307, 308, 400, 401, 403, 404, 410, 429, 500, 502, 503, 504,
        ]),
        1 => 200u16..600,
    ];
    (status, prop::collection::vec(header(), 0..4), body())
        .prop_map(|(status, headers, body)| Answer {
            status,
            headers,
            body,
        })
        .prop_filter(
            "personal data as a message of the API, which errors show",
            |answer| !answer.holds_personal_data_as_a_message(),
        )
}

impl Answer {
    /// Whether the answer is an error answer whose body holds nothing but
    /// text (so that it may read as the API's messages, which errors show)
    /// with personal data in it.
    fn holds_personal_data_as_a_message(&self) -> bool {
        let (Body::Page(value) | Body::Json(value)) = &self.body else {
            return false;
        };
        self.status >= 400 && only_text(value) && mentions_personal_data(value)
    }
}

/// Whether `value` is text, in lists and objects only.
fn only_text(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => items.iter().all(only_text),
        Value::Object(members) => members.values().all(only_text),
        _ => false,
    }
}

/// Whether a text in `value` (not a key) holds [`PERSONAL`].
fn mentions_personal_data(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains(PERSONAL),
        Value::Array(items) => items.iter().any(mentions_personal_data),
        Value::Object(members) => members.values().any(mentions_personal_data),
        _ => false,
    }
}

/// The identifier of the session lifecycle answers are about.
const SESSION_ID: &str = "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52";

/// The object a lifecycle operation documents (a created session, a
/// decision, a status change), holding personal data, with one property
/// left out or of the wrong type now and then.
fn lifecycle_object() -> impl Strategy<Value = Value> {
    let created = json!({
        "session_id": SESSION_ID,
        "session_number": 1042,
        "session_token": PERSONAL,
        "url": format!("https://verify.example/{PERSONAL}"),
        "vendor_data": PERSONAL,
        "metadata": {"note": PERSONAL},
        "status": "Not Started",
        "callback": null,
        "workflow_id": SESSION_ID,
        "workflow_version": 3,
    });
    let decision = json!({
        "session_id": SESSION_ID,
        "status": "Approved",
        "vendor_data": PERSONAL,
        "contact_details": {"email": PERSONAL},
        "id_verifications": [{"first_name": PERSONAL, "document_type": "Passport"}],
    });
    let updated = json!({"session_id": SESSION_ID});
    let field = prop_oneof![
        Just("session_id"),
        Just("session_number"),
        Just("session_token"),
        Just("status"),
        Just("url"),
        Just("vendor_data"),
        Just("id_verifications"),
    ];
    (
        prop::sample::select(vec![created, decision, updated]),
        prop::option::of((field, prop::option::of(json_value()))),
    )
        .prop_map(|(mut object, change)| {
            if let (Some((name, value)), Some(members)) = (change, object.as_object_mut()) {
                match value {
                    Some(value) => members.insert(name.to_owned(), value),
                    None => members.remove(name),
                };
            }
            object
        })
}

/// A PDF report: whole, shorter than its signature, not a PDF, or long.
fn pdf() -> impl Strategy<Value = Body> {
    prop_oneof![
        3 => Just(Body::Bytes(b"%PDF-1.7\n%%EOF\n".to_vec())),
        1 => Just(Body::Bytes(b"%PD".to_vec())),
        1 => Just(Body::Bytes(Vec::new())),
        1 => Just(Body::Bytes(format!("<html>{PERSONAL}</html>").into_bytes())),
        1 => prop::sample::select(&LARGE_SIZES[..]).prop_map(Body::LargePdf),
    ]
}

/// A header of a lifecycle answer: any [`header`], or a file name for the
/// report.
fn lifecycle_header() -> impl Strategy<Value = (&'static str, String)> {
    let file_name = prop_oneof![
        Just(format!("attachment; filename=\"{PERSONAL}.pdf\"")),
        Just("attachment; filename=\"../../etc/passwd\"".to_owned()),
        Just("attachment; filename=\"..\"".to_owned()),
        Just("attachment; filename=".to_owned()),
        "[ -~]{0,40}",
    ];
    prop_oneof![
        4 => header(),
        1 => (Just("content-disposition"), file_name),
    ]
}

/// Any answer to an operation on one session (create, decision, status
/// update, deletes, PDF report): mostly the statuses it documents, often
/// success statuses it does not, and any body, its documented shape and a
/// PDF included.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
///
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let answer = didit_mock::hostile::lifecycle_answer().new_tree(&mut runner).unwrap().current();
/// assert!((200..600).contains(&answer.status()));
/// ```
pub fn lifecycle_answer() -> impl Strategy<Value = Answer> {
    let status = prop_oneof![
        6 => prop::sample::select(vec![200u16, 201, 204]),
        2 => prop::sample::select(vec![202u16, 203, 205, 206, 299]),
        2 => prop::sample::select(vec![429u16, 503]),
        1 => prop::sample::select(vec![301u16, 307, 400, 401, 403, 404, 410, 500, 502]),
        1 => 200u16..600,
    ];
    let body = prop_oneof![
        4 => lifecycle_object().prop_map(Body::Json),
        3 => pdf(),
        3 => body(),
    ];
    (
        status,
        prop::collection::vec(lifecycle_header(), 0..4),
        body,
    )
        .prop_map(|(status, headers, body)| Answer {
            status,
            headers,
            body,
        })
        .prop_filter(
            "personal data as a message of the API, which errors show",
            |answer| !answer.holds_personal_data_as_a_message(),
        )
}

impl Answer {
    /// The answer's status.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    ///
    /// let mut runner = proptest::test_runner::TestRunner::deterministic();
    /// let answer = didit_mock::hostile::answer().new_tree(&mut runner).unwrap().current();
    /// assert!((200..600).contains(&answer.status()));
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body the answer carries when served at `base`.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    ///
    /// let mut runner = proptest::test_runner::TestRunner::deterministic();
    /// let answer = didit_mock::hostile::answer().new_tree(&mut runner).unwrap().current();
    /// let body = answer.body("http://127.0.0.1:8080");
    /// # let _ = body;
    /// ```
    pub fn body(&self, base: &str) -> Vec<u8> {
        match &self.body {
            Body::Page(value) | Body::Json(value) => {
                value.to_string().replace(BASE, base).into_bytes()
            }
            Body::Bytes(bytes) => bytes.clone(),
            Body::Large(size) => large_page(*size).into_bytes(),
            Body::LargePdf(size) => large_pdf(*size),
        }
    }

    /// The answer as a wiremock response, its links pointing at `base`.
    pub fn template(&self, base: &str) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in &self.headers {
            let value = value.replace(BASE, base);
            // A value that cannot be a header at all never reaches a client.
            if wiremock::http::HeaderValue::from_str(&value).is_ok() {
                template = template.append_header(*name, value.as_str());
            }
        }
        template.set_body_raw(self.body(base), "application/json")
    }
}

fn large_pdf(size: usize) -> Vec<u8> {
    let mut pdf = format!("%PDF-1.7\n% {PERSONAL}\n").into_bytes();
    pdf.resize(size, b' ');
    pdf
}

fn large_page(size: usize) -> String {
    let row = json!({"session_number": 1, "full_name": PERSONAL, "status": "Approved"}).to_string();
    let rows = vec![row.as_str(); size / row.len() + 1].join(",");
    format!(r#"{{"count": 1, "next": null, "previous": null, "results": [{rows}]}}"#)
}

/// Answers the requests to `server`, in order, with `answers`; later
/// requests get a 404. Whatever was mounted before is removed.
pub async fn serve(server: &MockServer, answers: &[Answer]) {
    server.reset().await;
    for answer in answers {
        Mock::given(wiremock::matchers::any())
            .respond_with(answer.template(&server.uri()))
            .up_to_n_times(1)
            .mount(server)
            .await;
    }
}
