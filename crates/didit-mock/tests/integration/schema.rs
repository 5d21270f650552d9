//! Every response the mock gives to randomized queries validates against our
//! spec's schema for its status.

use crate::common;

use std::time::Duration;

use common::get_url;
use didit_mock::{DEFAULT_API_KEY, DiditMock};
use fastrand::Rng;

const PARAMS: &[(&str, &[&str])] = &[
    (
        "session_kind",
        &["user", "business", "all", "ALL", "Business", "people"],
    ),
    (
        "limit",
        &[
            "1",
            "5",
            "50",
            "1000",
            "0",
            "x",
            "-3",
            "99999999999999999999",
        ],
    ),
    ("offset", &["0", "3", "100", "5000", "-1", "y"]),
    (
        "status",
        &[
            "Approved",
            "Approved,In Review",
            "approved",
            "Kyc Expired,Awaiting User",
            "",
        ],
    ),
    ("vendor_data", &["user-00001", "company-0001", "nope"]),
    (
        "search",
        &[
            "12", "+34 6", "jose", "@", "a@", "HRB", "García", "  ", "b12",
        ],
    ),
    (
        "workflow_id",
        &[
            "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a02",
            "x",
            "9f9b1234-aaaa-4bbb-8ccc-1234567890ab,x",
        ],
    ),
    (
        "date_from",
        &["2025-09-01", "2026-02-30", "x", "2030-01-01"],
    ),
    ("date_to", &["2026-01-31", "2025-07-01", "01-01-2026"]),
    ("country", &["ESP", "ESP,USA,ES", "esp", "GB"]),
    ("document_type", &["P", "ID,DL", "VISA", "Passport"]),
    (
        "document_name",
        &[
            "Spain - Id Card (2021)",
            "Spain - Passport (2019),France - Id Card (2020)",
        ],
    ),
    ("region", &["CA", "TX,NY"]),
    (
        "didit_internal_id",
        &["d9e78474-6c8d-4f2a-bb90-6f5c2f3a1147", "nope"],
    ),
    ("session_type", &["HOSTED", "API,MIGRATED", "ALL", "api"]),
    ("api_service", &["AML", "DATABASE_VALIDATION", "FOO", "aml"]),
    ("screened_full_name", &["jose", "Müller"]),
    (
        "warning",
        &["POSSIBLE_FRAUD", "COMPANY_NOT_FOUND,LOW_LIVENESS_SCORE"],
    ),
    (
        "status_initialized_as_in_review",
        &["true", "false", "maybe"],
    ),
    ("is_kyc_to_be_reviewed", &["true", "false", "1"]),
    ("euuid", &["0f8fad5b-d9cb-469f-a165-70867728950e", "123"]),
    ("organization_name", &["Mock Organization", "Acme Inc"]),
];

fn random_query(rng: &mut Rng) -> String {
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    for _ in 0..rng.usize(0..6) {
        let (name, values) = PARAMS[rng.usize(..PARAMS.len())];
        pairs.append_pair(name, values[rng.usize(..values.len())]);
    }
    pairs.finish()
}

#[tokio::test]
async fn responses_to_random_queries_match_the_spec() {
    let spec = didit_contract::Spec::load().expect("the spec loads");
    // The keyed requests past the 260th are refused with 429 however long
    // the rounds take: on a loaded machine they can outlast a minute.
    let mock = DiditMock::builder()
        .synthetic(1500, 21)
        .rate_limit(260)
        .rate_window(Duration::from_secs(3600))
        .start()
        .await;
    let mut rng = Rng::with_seed(0x5eed);
    let mut seen = std::collections::BTreeMap::<u16, usize>::new();
    let mut next_links = Vec::new();
    for round in 0..300 {
        let key = match rng.u8(0..20) {
            0 => None,
            1 => Some("wrong"),
            _ => Some(DEFAULT_API_KEY),
        };
        let url = if round % 10 == 9 && !next_links.is_empty() {
            next_links.swap_remove(rng.usize(..next_links.len()))
        } else {
            format!("{}?{}", mock.sessions_url(), random_query(&mut rng))
        };
        let reply = get_url(&url, key).await;
        *seen.entry(reply.status).or_default() += 1;
        if let Err(problems) = spec.validate_response("list_sessions", reply.status, &reply.body) {
            panic!(
                "{url} ({}): {}\n{:#}",
                reply.status,
                problems.join("\n"),
                reply.body
            );
        }
        if reply.status == 200 {
            let page: didit_api::types::SessionPage =
                serde_json::from_value(reply.body.clone()).expect("pages decode");
            if let Some(next) = page.next {
                next_links.push(next);
            }
        }
    }
    for status in [200, 400, 403, 429] {
        assert!(seen.contains_key(&status), "no {status} in {seen:?}");
    }
}
