//! Deliveries signed with Didit's algorithm (`tests/fixtures/vectors.json`):
//! each verifies, by each of its signatures, and fails after any change to
//! its body, a header, the secret or the clock.

use std::collections::BTreeMap;

use didit_webhook::{
    Error, Payload, SessionKind, SessionStatus, SignatureHeader, Verifier, WebhookType,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::reference;

#[derive(Deserialize)]
struct Vectors {
    secret: String,
    cases: BTreeMap<String, Case>,
}

#[derive(Deserialize)]
struct Case {
    body: String,
    headers: BTreeMap<String, String>,
}

/// Every vector carries this timestamp.
const SENT_AT: i64 = 1_764_590_000;

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("../fixtures/vectors.json")).unwrap()
}

fn verifier(secret: &str) -> Verifier {
    Verifier::builder().secret(secret).build().unwrap()
}

/// The case's headers, keeping only those named in `keep`.
fn headers(case: &Case, keep: &[&str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in &case.headers {
        if keep.iter().any(|kept| kept.eq_ignore_ascii_case(name)) {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
    }
    map
}

const ALL: &[&str] = &[
    "X-Timestamp",
    "X-Signature",
    "X-Signature-V2",
    "X-Signature-Simple",
];

#[test]
fn there_are_vectors() {
    assert_eq!(vectors().cases.len(), 7);
}

#[test]
fn every_vector_verifies_by_each_of_its_signatures() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    let simple = Verifier::builder()
        .secret(vectors.secret.as_str())
        .allow_simple_signature(true)
        .build()
        .unwrap();
    for (name, case) in &vectors.cases {
        let body = case.body.as_bytes();
        let delivery = verifier
            .verify_at(body, &headers(case, ALL), SENT_AT)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(delivery.signature(), SignatureHeader::Raw, "{name}");
        let event = delivery.event().unwrap();
        assert_eq!(event.raw().get(), case.body, "{name}");
        assert_eq!(event.timestamp(), SENT_AT);

        for (only, expected) in [
            ("X-Signature", SignatureHeader::Raw),
            ("X-Signature-V2", SignatureHeader::V2),
        ] {
            let delivery = verifier
                .verify_at(body, &headers(case, &[only, "X-Timestamp"]), SENT_AT)
                .unwrap_or_else(|error| panic!("{name}, {only} alone: {error}"));
            assert_eq!(delivery.signature(), expected, "{name}");
        }

        // Simple alone: refused by default, four fields when allowed.
        let alone = headers(case, &["X-Signature-Simple", "X-Timestamp"]);
        assert!(matches!(
            verifier.verify_at(body, &alone, SENT_AT),
            Err(Error::MissingSignature { only_simple: true })
        ));
        let delivery = simple.verify_at(body, &alone, SENT_AT).unwrap();
        assert_eq!(delivery.signature(), SignatureHeader::Simple, "{name}");
        let Payload::Summary(summary) = delivery.payload() else {
            panic!("{name}: only the four fields are authenticated");
        };
        assert_eq!(summary, &event.summary().unwrap());
        assert!(delivery.event().is_none());
    }
}

#[test]
fn the_envelope_is_read_from_the_vectors() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    let event = |name: &str| {
        let case = &vectors.cases[name];
        verifier
            .verify_at(case.body.as_bytes(), &headers(case, ALL), SENT_AT)
            .unwrap()
            .into_event()
            .unwrap()
    };
    let plain = event("plain");
    assert_eq!(plain.webhook_type(), &WebhookType::StatusUpdated);
    assert_eq!(plain.status(), Some(&SessionStatus::Approved));
    assert_eq!(
        plain.session_id(),
        Some("5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f")
    );
    assert_eq!(
        plain.workflow_id(),
        Some("0d6f9a1e-2b3c-4d5e-8f90-a1b2c3d4e5f6")
    );
    assert_eq!(plain.vendor_data(), Some("user-7"));
    assert_eq!(plain.created_at(), Some(1_764_589_997));
    assert!(plain.decision_json().is_none());
    assert_eq!(plain.event_id(), None);

    let kyb = event("declined_kyb");
    assert_eq!(kyb.session_kind(), Some(&SessionKind::Business));
    assert_eq!(kyb.status(), Some(&SessionStatus::Declined));
    assert_eq!(
        kyb.business_session_id(),
        Some("5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f")
    );

    let accents = event("accents_and_cjk");
    let decision: serde_json::Value =
        serde_json::from_str(accents.decision_json().unwrap().get()).unwrap();
    assert_eq!(decision["id_verifications"][0]["last_name"], "Ødegård");
    assert_eq!(decision["id_verifications"][0]["place_of_birth"], "東京");

    let escapes = event("escapes");
    assert_eq!(
        escapes.vendor_data(),
        Some("line1\nline2\t\"quoted\" back\\slash / slash")
    );

    let empty = event("empty_containers_and_nulls");
    assert_eq!(empty.metadata_json().unwrap().get(), "{}");

    // Debug output names fields but never shows their personal content.
    for event in [&plain, &accents, &escapes, &empty] {
        let debug = format!("{event:?}");
        for secret in ["user-7", "Inés", "Ødegård", "東京", "line1"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}

#[test]
fn changing_any_byte_of_a_body_is_refused() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    for (name, case) in &vectors.cases {
        for only in ["X-Signature", "X-Signature-V2"] {
            let headers = headers(case, &[only]);
            for index in 0..case.body.len() {
                for flip in [0x01u8, 0x20, 0x80] {
                    let mut body = case.body.as_bytes().to_vec();
                    let original = body[index];
                    body[index] ^= flip;
                    // An exponent marker or a hex digit of an escape in the
                    // other case is the same document: V2 rightly accepts it.
                    let same_document = only == "X-Signature-V2"
                        && flip == 0x20
                        && original.is_ascii_alphabetic()
                        && is_escape_hex_digit(&case.body, index);
                    let result = verifier.verify_at(&body, &headers, SENT_AT);
                    if same_document {
                        assert!(result.is_ok(), "{name} {only} byte {index}");
                    } else {
                        assert!(result.is_err(), "{name} {only} byte {index} ^ {flip:#x}");
                    }
                }
            }
        }
        // A byte more or less.
        for only in ["X-Signature", "X-Signature-V2"] {
            let headers = headers(case, &[only]);
            let mut longer = case.body.clone().into_bytes();
            longer.insert(1, b'{');
            assert!(verifier.verify_at(&longer, &headers, SENT_AT).is_err());
            let shorter = &case.body.as_bytes()[..case.body.len() - 1];
            assert!(verifier.verify_at(shorter, &headers, SENT_AT).is_err());
        }
    }
}

/// Whether `index` is one of the four hex digits of a `\u` escape.
fn is_escape_hex_digit(body: &str, index: usize) -> bool {
    (2..=5).any(|back| {
        index >= back && body.as_bytes().get(index - back..index - back + 2) == Some(b"\\u")
    })
}

#[test]
fn changing_any_signature_digit_is_refused() {
    let vectors = vectors();
    let verifier = Verifier::builder()
        .secret(vectors.secret.as_str())
        .allow_simple_signature(true)
        .build()
        .unwrap();
    for (name, case) in &vectors.cases {
        for only in ["X-Signature", "X-Signature-V2", "X-Signature-Simple"] {
            let original = &case.headers[only];
            for index in 0..64 {
                let mut digits = original.clone().into_bytes();
                digits[index] = if digits[index] == b'0' { b'1' } else { b'0' };
                let mut map = headers(case, &["X-Timestamp"]);
                map.insert(
                    HeaderName::from_bytes(only.as_bytes()).unwrap(),
                    HeaderValue::from_bytes(&digits).unwrap(),
                );
                let result = verifier.verify_at(case.body.as_bytes(), &map, SENT_AT);
                assert!(
                    matches!(result, Err(Error::SignatureMismatch { .. })),
                    "{name} {only} digit {index}: {result:?}"
                );
            }
        }
    }
}

#[test]
fn upper_case_signatures_are_accepted_and_malformed_ones_named() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    let case = &vectors.cases["plain"];
    let mut map = headers(case, &["X-Signature"]);
    let upper = case.headers["X-Signature"].to_uppercase();
    map.insert("x-signature", HeaderValue::from_str(&upper).unwrap());
    assert!(
        verifier
            .verify_at(case.body.as_bytes(), &map, SENT_AT)
            .is_ok()
    );

    for bad in [
        &upper[..63],
        &format!("{upper}0"),
        &format!("sha256={upper}"),
        &format!("{}z", &upper[..63]),
    ] {
        map.insert("x-signature", HeaderValue::from_str(bad).unwrap());
        let error = verifier
            .verify_at(case.body.as_bytes(), &map, SENT_AT)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::MalformedSignature {
                    header: "X-Signature",
                    ..
                }
            ),
            "{bad}: {error}"
        );
    }
    let mut twice = headers(case, &["X-Signature-V2"]);
    twice.append(
        "x-signature-v2",
        HeaderValue::from_str(&case.headers["X-Signature-V2"]).unwrap(),
    );
    let error = verifier
        .verify_at(case.body.as_bytes(), &twice, SENT_AT)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the X-Signature-V2 header is malformed: it appears more than once"
    );
}

#[test]
fn another_secret_is_refused_and_rotation_accepts_either() {
    let vectors = vectors();
    let wrong = verifier("whsec_another");
    let rotating = Verifier::builder()
        .secret("whsec_another")
        .secret(vectors.secret.as_str())
        .build()
        .unwrap();
    for case in vectors.cases.values() {
        let map = headers(case, ALL);
        let error = wrong
            .verify_at(case.body.as_bytes(), &map, SENT_AT)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the signature does not match (X-Signature, X-Signature-V2)"
        );
        assert!(
            rotating
                .verify_at(case.body.as_bytes(), &map, SENT_AT)
                .is_ok()
        );
    }
}

#[test]
fn the_clock_must_be_within_the_window_either_way() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    for case in vectors.cases.values() {
        let map = headers(case, ALL);
        let at = |now| verifier.verify_at(case.body.as_bytes(), &map, now);
        assert!(at(SENT_AT + 300).is_ok());
        assert!(at(SENT_AT - 300).is_ok());
        assert!(matches!(
            at(SENT_AT + 301),
            Err(Error::Stale {
                age_secs: 301,
                max_age_secs: 300
            })
        ));
        assert!(matches!(
            at(SENT_AT - 301),
            Err(Error::FromTheFuture {
                ahead_secs: 301,
                max_age_secs: 300
            })
        ));
        assert!(matches!(at(i64::MIN), Err(Error::FromTheFuture { .. })));
        assert!(matches!(at(i64::MAX), Err(Error::Stale { .. })));
    }
    // The injected clock is the one `verify` reads.
    let case = &vectors.cases["plain"];
    let late = Verifier::builder()
        .secret(vectors.secret.as_str())
        .clock(|| SENT_AT + 3600)
        .build()
        .unwrap();
    assert!(matches!(
        late.verify(case.body.as_bytes(), &headers(case, ALL)),
        Err(Error::Stale { age_secs: 3600, .. })
    ));
}

#[test]
fn x_timestamp_must_equal_the_signed_timestamp() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    let case = &vectors.cases["plain"];
    let body = case.body.as_bytes();
    let mut map = headers(case, ALL);
    map.insert("x-timestamp", HeaderValue::from_static("1764590001"));
    assert!(matches!(
        verifier.verify_at(body, &map, SENT_AT),
        Err(Error::TimestampMismatch)
    ));
    map.insert("x-timestamp", HeaderValue::from_static("soon"));
    assert!(matches!(
        verifier.verify_at(body, &map, SENT_AT),
        Err(Error::MalformedTimestampHeader)
    ));
    map.remove("x-timestamp");
    assert!(verifier.verify_at(body, &map, SENT_AT).is_ok());
}

#[test]
fn size_and_shape_are_checked_and_errors_never_quote_the_body() {
    let secret = "whsec_shape";
    let verifier = Verifier::builder()
        .secret(secret)
        .max_body_size(64)
        .build()
        .unwrap();
    let signed = |body: &[u8]| {
        let mut map = HeaderMap::new();
        map.insert(
            "x-signature",
            HeaderValue::from_str(&reference::sign(secret, body)).unwrap(),
        );
        map
    };
    let check = |body: &[u8], expected: &str| {
        let error = verifier.verify_at(body, &signed(body), 0).unwrap_err();
        assert_eq!(error.to_string(), expected);
        assert!(!expected.contains("secret-content"));
    };
    check(
        br#"{"timestamp":0,"vendor_data":"secret-content","padding":"................"}"#,
        "the body is larger than the 64 bytes accepted",
    );
    check(br#"["secret-content"]"#, "the body is not a JSON object");
    check(
        br#"{"vendor_data":"secret-content",}"#,
        "the body is not JSON: expected a string key in an object at byte 32",
    );
    check(
        b"{\"vendor_data\":\"secret-content\xff\"}",
        "the body is not JSON: a byte sequence that is not UTF-8 at byte 30",
    );
    check(
        br#"{"a":1,"a":2,"timestamp":0}"#,
        "the body is not JSON: an object has the same key twice at byte 0",
    );
    check(
        br#"{"timestamp":"secret-content"}"#,
        "the body's `timestamp` is missing or not an integer",
    );
    check(
        br#"{"timestamp":0}"#,
        "the body's `webhook_type` is missing or not a string",
    );
    check(
        br#"{"timestamp":0,"vendor_data":7,"webhook_type":"x"}"#,
        "the body's `vendor_data` is missing or not a string",
    );
    let error = verifier
        .verify_at(br#"{"timestamp":0}"#, &HeaderMap::new(), 0)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no signature header: expected X-Signature or X-Signature-V2"
    );
}

#[test]
fn unknown_types_statuses_and_fields_are_kept() {
    let secret = "whsec_unknown";
    let body = br#"{"application_id":"app-1","status":"Frozen","timestamp":5,"transaction":{"amount":12.5},"webhook_type":"transaction.created"}"#;
    let mut map = HeaderMap::new();
    map.insert(
        "x-signature",
        HeaderValue::from_str(&reference::sign(secret, body)).unwrap(),
    );
    let verifier = verifier(secret);
    let event = verifier
        .verify_at(body, &map, 5)
        .unwrap()
        .into_event()
        .unwrap();
    assert_eq!(
        event.webhook_type(),
        &WebhookType::Unknown("transaction.created".to_owned())
    );
    assert_eq!(event.status().unwrap().as_str(), "Frozen");
    assert_eq!(event.session_id(), None);
    assert_eq!(event.raw().get().as_bytes(), body);
}

#[test]
fn every_vector_reads_into_the_specs_session_event() {
    let vectors = vectors();
    let verifier = verifier(&vectors.secret);
    for (name, case) in &vectors.cases {
        let event = verifier
            .verify_at(case.body.as_bytes(), &headers(case, ALL), SENT_AT)
            .unwrap()
            .into_event()
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&case.body).unwrap();
        let typed = event
            .session_event()
            .unwrap_or_else(|| panic!("{name}: a session event"));
        // Some vectors carry a fragment of a decision, made to exercise the
        // signature's encoding; a decision always has its id and status, so
        // such a fragment is refused by name.
        let decision = body.get("decision").filter(|decision| !decision.is_null());
        if decision.is_some_and(|decision| decision.get("session_id").is_none()) {
            let failure = typed.unwrap_err();
            assert_eq!(failure.path, "decision", "{name}");
            assert!(
                failure.expected.contains("`session_id`"),
                "{name}: {failure}"
            );
            continue;
        }
        let session = typed.unwrap_or_else(|failure| panic!("{name}: {failure}"));
        assert_eq!(session.timestamp, Some(SENT_AT), "{name}");
        assert_eq!(session.status.as_ref(), event.status(), "{name}");
        assert_eq!(session.webhook_type.as_ref(), Some(event.webhook_type()));
        // Nothing is dropped: the typed event re-encodes to the body's JSON.
        assert_eq!(serde_json::to_value(&session).unwrap(), body, "{name}");
        match event.decision_json() {
            None => assert!(event.decision().is_none(), "{name}"),
            Some(raw) => {
                let decision = event.decision().unwrap().unwrap();
                let raw: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
                assert_eq!(serde_json::to_value(&decision).unwrap(), raw, "{name}");
            }
        }
    }
}

#[test]
fn replays_are_flagged_but_distinct_events_of_one_second_are_not() {
    use didit_webhook::{MemoryDeduplicator, Signer};

    let secret = "whsec_dedup";
    let verifier = Verifier::builder()
        .secret(secret)
        .allow_simple_signature(true)
        .deduplicator(MemoryDeduplicator::new())
        .build()
        .unwrap();
    let signed = |vendor_data: &str, event_id: Option<&str>| {
        let mut event = serde_json::json!({
            "webhook_type": "data.updated",
            "timestamp": SENT_AT,
            "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
            "status": "In Progress",
            "vendor_data": vendor_data,
        });
        if let Some(id) = event_id {
            event["event_id"] = id.into();
        }
        Signer::new(secret).sign(&event).unwrap()
    };
    let duplicate = |delivery: &didit_webhook::SignedDelivery| {
        let verified = verifier
            .verify_at(&delivery.body, &delivery.headers, SENT_AT)
            .unwrap();
        (verified.is_duplicate(), verified.dedup_key())
    };

    let first = signed("a", None);
    let second = signed("b", None);
    let (flagged, key) = duplicate(&first);
    assert!(!flagged);
    assert!(key.starts_with("body:"), "{key}");
    assert!(!duplicate(&second).0);
    assert!(duplicate(&first).0);

    // A retry carries the same event id, whatever else changed.
    assert_eq!(
        duplicate(&signed("c", Some("evt-1"))),
        (false, "event:evt-1".to_owned())
    );
    assert!(duplicate(&signed("d", Some("evt-1"))).0);

    // By the simple signature alone, only its four fields make the key.
    let mut simple = signed("e", None);
    simple.headers.remove("x-signature");
    simple.headers.remove("x-signature-v2");
    assert_eq!(
        duplicate(&simple),
        (
            false,
            "fields:1764590000:5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f:In Progress:data.updated"
                .to_owned()
        )
    );
}
