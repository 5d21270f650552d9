//! Generated events, signed with the reference encoder: the verifier
//! accepts each, by either signature, also after a re-serialisation; and
//! refuses each after any changed byte.

use didit_webhook::{SignatureHeader, Verifier};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

use crate::reference::{self, Json};

const SECRET: &str = "whsec_property";
const SENT_AT: i64 = 1_764_590_000;

/// Characters of every kind: any scalar value (control and astral ones
/// included), with the ones encoders treat specially made frequent.
fn character() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        1 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{8}', '\u{c}', '\u{1f}', '\u{7f}',
            '\u{80}', 'é', 'Ø', '東', '\u{2028}', '\u{fffd}', '\u{ffff}', '\u{10000}', '😀',
            '\u{10ffff}', 'a', 'Z', '0', ' ',
        ]),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(character(), 0..12).prop_map(String::from_iter)
}

/// Floats of every magnitude: any finite bit pattern, whole values, and
/// the edges of Python's notation.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |value| value.is_finite()),
        (-1e20f64..1e20).prop_map(f64::trunc),
        (-100.0f64..100.0),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1e-4,
            9.999e-5,
            1e-5,
            1e16,
            9_999_999_999_999_998.0,
            1e15 + 0.5,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            0.1,
            73.25,
        ]),
    ]
}

/// Integers of any size, as digits.
fn integer() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        ("-?[1-9][0-9]{18,40}").prop_map(|digits| digits),
        Just("0".to_owned()),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        integer().prop_map(Json::Int),
        float().prop_map(Json::Float),
        text().prop_map(Json::Str),
    ];
    leaf.prop_recursive(10, 80, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

/// An event carrying `payload` (and `extra` top-level members) in the
/// fields a decision and metadata use.
fn event(payload: Json, extra: Vec<(String, Json)>) -> Json {
    let mut members = vec![
        (
            "webhook_type".to_owned(),
            Json::Str("status.updated".to_owned()),
        ),
        ("timestamp".to_owned(), Json::Int(SENT_AT.to_string())),
        ("decision".to_owned(), payload),
    ];
    members.extend(
        extra
            .into_iter()
            .map(|(key, value)| (format!("x_{key}"), value)),
    );
    members.dedup_by(|a, b| a.0 == b.0);
    Json::Object(members)
}

fn verifier() -> Verifier {
    Verifier::builder().secret(SECRET).build().unwrap()
}

fn header(name: &'static str, signature: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(name, HeaderValue::from_str(signature).unwrap());
    map
}

/// The body Didit would send and its two signatures.
fn signed(value: &Json) -> (String, HeaderMap, HeaderMap) {
    let body = reference::dumps(value, true);
    let canonical = reference::dumps(value, false);
    (
        body.clone(),
        header("x-signature", &reference::sign(SECRET, body.as_bytes())),
        header(
            "x-signature-v2",
            &reference::sign(SECRET, canonical.as_bytes()),
        ),
    )
}

fn extra_members() -> impl Strategy<Value = Vec<(String, Json)>> {
    prop::collection::btree_map("[a-z]{1,8}", json(), 0..3)
        .prop_map(|members| members.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_signed_event_verifies_by_either_signature(payload in json(), extra in extra_members()) {
        let value = event(payload, extra);
        let (body, raw, v2) = signed(&value);
        let verifier = verifier();
        let by_raw = verifier.verify_at(body.as_bytes(), &raw, SENT_AT);
        prop_assert!(by_raw.is_ok(), "X-Signature: {:?}\n{}", by_raw.err(), body);
        let by_v2 = verifier.verify_at(body.as_bytes(), &v2, SENT_AT);
        prop_assert_eq!(by_v2.map(|d| d.signature()).ok(), Some(SignatureHeader::V2), "{}", body);

        // A framework that parsed and re-serialised the body keeps V2 valid.
        let rewritten = reference::reserialised(&value);
        let by_v2 = verifier.verify_at(rewritten.as_bytes(), &v2, SENT_AT);
        prop_assert!(by_v2.is_ok(), "re-serialised: {:?}\n{}", by_v2.err(), rewritten);
        let by_raw = verifier.verify_at(rewritten.as_bytes(), &raw, SENT_AT);
        prop_assert!(rewritten == body || by_raw.is_err());
    }

    #[test]
    fn any_changed_byte_is_refused(
        payload in json(),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let value = event(payload, Vec::new());
        let (body, raw, v2) = signed(&value);
        let mut changed = body.clone().into_bytes();
        let index = position.index(changed.len());
        changed[index] ^= flip;
        let verifier = verifier();
        prop_assert!(verifier.verify_at(&changed, &raw, SENT_AT).is_err());
        // The same document in other words (`E` for `e`, an escape's hex
        // digit in the other case, a float's last digit that rounds to the
        // same value) is what V2 is for; anything else must fail.
        let read = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
        let same_document = read(&changed).is_some() && read(&changed) == read(body.as_bytes());
        if !same_document {
            prop_assert!(
                verifier.verify_at(&changed, &v2, SENT_AT).is_err(),
                "byte {} ^ {:#x} of {}", index, flip, body
            );
        }
    }
}

#[test]
fn deep_nesting_up_to_the_limit_verifies() {
    let mut deep = Json::Str("bottom".to_owned());
    for level in 0..120 {
        deep = if level % 2 == 0 {
            Json::Array(vec![deep])
        } else {
            Json::Object(vec![(format!("k{level}"), deep)])
        };
    }
    let value = event(deep, Vec::new());
    let (body, raw, v2) = signed(&value);
    let verifier = verifier();
    assert!(verifier.verify_at(body.as_bytes(), &raw, SENT_AT).is_ok());
    assert!(verifier.verify_at(body.as_bytes(), &v2, SENT_AT).is_ok());

    let too_deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let body = format!(r#"{{"deep":{too_deep},"timestamp":{SENT_AT},"webhook_type":"x"}}"#);
    let raw = header("x-signature", &reference::sign(SECRET, body.as_bytes()));
    let error = verifier
        .verify_at(body.as_bytes(), &raw, SENT_AT)
        .unwrap_err();
    assert!(
        error.to_string().contains("nested more than 128 levels"),
        "{error}"
    );
}

/// Generated events, for the cross-check against Python.
pub fn event_strategy() -> impl Strategy<Value = Json> {
    (json(), extra_members()).prop_map(|(payload, extra)| event(payload, extra))
}
