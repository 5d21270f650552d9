//! The spec's documented examples satisfy their schemas, decode into the
//! generated types and re-encode to exactly the same JSON.

use didit_api::types::SessionPage;
use didit_api::{SessionRow, SessionStatus};
use didit_contract::examples::{component_example_failures, component_examples, example_failures};
use didit_contract::sdk::{component_type, response_type};
use didit_contract::{Spec, round_trip};

#[test]
fn every_documented_example_round_trips() {
    let spec = Spec::load().unwrap();
    assert!(
        spec.examples().len() >= 8,
        "expected the seed, 2 published pages, 4×400 and 403"
    );
    let failures = example_failures(&spec, response_type);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_component_example_round_trips() {
    let spec = Spec::load().unwrap();
    let documented: Vec<String> = component_examples(&spec)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        documented.iter().any(|name| name == "SessionWebhookEvent"),
        "the webhook event's example is not found among {documented:?}"
    );
    let failures = component_example_failures(&spec, component_type);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_reference_page_and_published_pages_decode_into_rows() {
    let spec = Spec::load().unwrap();
    for name in [
        "reference_page_example",
        "published_kyc_sessions_default",
        "published_mixed_kyc_kyb_all",
    ] {
        let example = spec
            .examples()
            .into_iter()
            .find(|e| e.name == name)
            .unwrap();
        let page: SessionPage = serde_json::from_value(example.value).unwrap();
        assert_eq!(page.count, 2, "{name}");
        assert_eq!(page.results.len(), 2, "{name}");
        assert!(matches!(page.results[0], SessionRow::Kyc(_)), "{name}");
    }
    let mixed = spec
        .examples()
        .into_iter()
        .find(|e| e.name == "published_mixed_kyc_kyb_all")
        .unwrap();
    let page: SessionPage = serde_json::from_value(mixed.value).unwrap();
    assert!(matches!(page.results[1], SessionRow::Kyb(_)));
}

#[test]
fn a_status_unknown_today_decodes_and_re_encodes_unchanged() {
    let page = serde_json::json!({
        "count": 1, "next": null, "previous": null,
        "results": [{"session_id": "5b3720ed-d429-42ef-b67f-37ea805f48ee", "status": "Some Future Status"}]
    });
    assert_eq!(round_trip::<SessionPage>(&page), Ok(vec![]));
    let decoded: SessionPage = serde_json::from_value(page).unwrap();
    let SessionRow::Kyc(row) = &decoded.results[0] else {
        panic!("a KYC row")
    };
    assert_eq!(
        row.status,
        Some(SessionStatus::Unknown("Some Future Status".into()))
    );
}
