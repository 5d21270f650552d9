//! Decoding one page of 1 000 sessions: into the SDK's page type, into a
//! minimal hand-written struct over the same fields (the floor any typed
//! decoder pays), and into `serde_json::Value`. And decoding the documented
//! KYC decision example of the spec, into the SDK's decision type and into
//! `serde_json::Value`.
//!
//! Run with `cargo bench -p didit --bench decode`; `cargo xtask bench`
//! reads the estimates criterion writes under `target/criterion/decode`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use didit::JsonDocument as _;
use serde::Deserialize;

/// Rows on the page.
const ROWS: usize = 1_000;

/// The JSON of one page of `ROWS` KYC sessions, as the mock serves it.
fn page_json() -> Vec<u8> {
    // About one synthetic session in eight is KYB, which a KYC page skips.
    let store = didit_mock::Store::synthetic(ROWS * 3 / 2, 42);
    let url = format!("http://127.0.0.1/v3/sessions/?limit={ROWS}")
        .parse()
        .expect("a URL");
    let page = store.page(&url).expect("a page");
    assert_eq!(page.results.len(), ROWS);
    serde_json::to_vec(&page).expect("pages encode")
}

/// The KYC row's fields in the plainest serde types.
#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalPage {
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<MinimalRow>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalRow {
    session_id: Option<String>,
    session_kind: Option<String>,
    session_number: Option<i64>,
    session_url: Option<String>,
    portrait_image: Option<String>,
    document_type: Option<String>,
    full_name: Option<String>,
    country: Option<String>,
    status: Option<String>,
    vendor_data: Option<String>,
    didit_internal_id: Option<String>,
    created_at: Option<String>,
    features: Option<Vec<MinimalFeature>>,
    phone_number: Option<MinimalPhone>,
    email_address: Option<MinimalEmail>,
    additional_details: Option<MinimalDetails>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalFeature {
    feature: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalPhone {
    number: Option<String>,
    is_verified: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalEmail {
    email: Option<String>,
    is_verified: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalDetails {
    aml: Option<MinimalAml>,
    database_validation: Option<MinimalDatabaseValidation>,
    email_verification: Option<MinimalEmailVerification>,
    face_match: Option<MinimalFaceMatch>,
    liveness: Option<MinimalLiveness>,
    phone_verification: Option<MinimalPhoneVerification>,
    poa: Option<MinimalProofOfAddress>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalAml {
    entity_type: Option<String>,
    is_adverse_media_fetched: Option<bool>,
    screened_data: Option<MinimalScreenedData>,
    total_hits: Option<i64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalScreenedData {
    date_of_birth: Option<String>,
    document_number: Option<String>,
    nationality: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalDatabaseValidation {
    identification_number: Option<String>,
    match_type: Option<String>,
    validation_type: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalEmailVerification {
    is_blocklisted: Option<bool>,
    is_breached: Option<bool>,
    is_disposable: Option<bool>,
    is_undeliverable: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalFaceMatch {
    score: Option<f64>,
    source_image: Option<String>,
    target_image: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalLiveness {
    method: Option<String>,
    score: Option<f64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalPhoneVerification {
    country_code: Option<String>,
    is_blocked: Option<bool>,
    is_ported: Option<bool>,
    is_temporary: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct MinimalProofOfAddress {
    address: Option<String>,
    document_type: Option<String>,
    issuer: Option<String>,
    name_on_document: Option<String>,
}

/// The spec's documented example of a KYC decision, as JSON.
fn decision_json() -> Vec<u8> {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/didit-sessions.yaml"
    );
    let text = std::fs::read_to_string(spec).expect("the spec");
    let spec: serde_json::Value = serde_norway::from_str(&text).expect("the spec is YAML");
    let example = &spec["paths"]["/v3/session/{sessionId}/decision/"]["get"]["responses"]["200"]["content"]
        ["application/json"]["examples"]["published_example"]["value"];
    assert!(example.is_object(), "the spec documents a decision example");
    serde_json::to_vec(example).expect("examples encode")
}

fn decode_decision(c: &mut Criterion) {
    let body = decision_json();
    let mut group = c.benchmark_group("decode_decision");
    group.throughput(Throughput::Bytes(body.len() as u64));
    // The SDK's own way in, as the client reads an answer.
    group.bench_function("sdk", |b| {
        b.iter(|| didit::types::SessionDecision::from_json(black_box(&body)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let body = page_json();
    // Both typed decoders must read every row, or the comparison is void.
    let minimal: MinimalPage = serde_json::from_slice(&body).expect("a minimal page");
    assert_eq!(minimal.results.len(), ROWS);

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("sdk", |b| {
        b.iter(|| didit::types::SessionPage::from_json(black_box(&body)).unwrap())
    });
    group.bench_function("minimal", |b| {
        b.iter(|| serde_json::from_slice::<MinimalPage>(black_box(&body)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, decode, decode_decision);
criterion_main!(benches);
