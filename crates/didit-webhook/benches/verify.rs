//! Verifying a delivery that carries a full KYC decision
//! (`fixtures/decision_delivery.json`: synthetic values, the structure and
//! size of the decision example Didit documents for
//! `GET /v3/session/{sessionId}/decision/`):
//!
//! - `v2`: by `X-Signature-V2` alone: parse, re-encode, HMAC, envelope;
//! - `raw`: by `X-Signature` alone: HMAC of the bytes, parse, envelope;
//! - `value`: parsing the same body into `serde_json::Value`, the yardstick.
//!
//! Run with `cargo bench -p didit-webhook --bench verify`; `cargo xtask
//! bench` reads the estimates criterion writes under `target/criterion/webhook`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use didit_webhook::{SignatureHeader, Signer, Verifier};
use http::HeaderMap;

const SECRET: &str = "whsec_bench";
const BODY: &str = include_str!("fixtures/decision_delivery.json");

/// The delivery's headers, keeping only `name`.
fn only(headers: &HeaderMap, name: &str) -> HeaderMap {
    let mut kept = HeaderMap::new();
    if let Some(value) = headers.get(name) {
        kept.insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("a name"),
            value.clone(),
        );
    }
    kept
}

fn verify(c: &mut Criterion) {
    let signed = Signer::new(SECRET)
        .sign_json(BODY)
        .expect("the fixture is an event");
    // The fixture is already written as Didit writes it.
    assert_eq!(signed.body, BODY.as_bytes());
    let timestamp = 1_764_590_000;
    let verifier = Verifier::builder()
        .secret(SECRET)
        .build()
        .expect("a verifier");
    let by_v2 = only(&signed.headers, "x-signature-v2");
    let by_raw = only(&signed.headers, "x-signature");
    let body = BODY.as_bytes();
    for (headers, expected) in [
        (&by_v2, SignatureHeader::V2),
        (&by_raw, SignatureHeader::Raw),
    ] {
        let delivery = verifier
            .verify_at(body, headers, timestamp)
            .expect("verifies");
        assert_eq!(delivery.signature(), expected);
        assert!(
            delivery
                .event()
                .and_then(|event| event.decision_json())
                .is_some()
        );
    }

    let mut group = c.benchmark_group("webhook");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("v2", |b| {
        b.iter(|| {
            verifier
                .verify_at(black_box(body), &by_v2, timestamp)
                .expect("verifies")
        })
    });
    group.bench_function("raw", |b| {
        b.iter(|| {
            verifier
                .verify_at(black_box(body), &by_raw, timestamp)
                .expect("verifies")
        })
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).expect("JSON"))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
