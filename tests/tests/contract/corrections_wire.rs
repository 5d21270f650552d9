//! What the facade puts on the wire for the corrections after a review,
//! checked against the spec as the lifecycle's requests are
//! ([`departures`]); each answer is the operation's documented example.

use std::sync::{Arc, Mutex};

use didit::types::{
    AmlHitUpdate, NewFeatureStatus, UpdateCompanyDataRequest, UpdateDocumentDataRequest,
    UpdatePoaDataRequest,
};
use didit::{AmlReviewStatus, Client, RetryPolicy, Uuid};
use didit_contract::Spec;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::lifecycle_wire::{departures, operation_of};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";
const COMPANY: &str = "6b9479f5-6769-46c8-baf1-df63bbbc5f8c";

/// Answers each operation with the first example of its `200`, and keeps
/// every request.
#[derive(Clone)]
struct Recorder {
    spec: Arc<Spec>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.requests.lock().unwrap().push(request.clone());
        let example = operation_of(&self.spec, request.method.as_str(), request.url.path())
            .and_then(|(_, operation)| {
                let examples =
                    operation["responses"]["200"]["content"]["application/json"]["examples"]
                        .as_object()?
                        .clone();
                examples
                    .values()
                    .next()
                    .map(|example| example["value"].clone())
            });
        match example {
            Some(body) => ResponseTemplate::new(200).set_body_json(body),
            None => ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_correction_request_is_one_the_spec_describes() {
    let spec = Arc::new(Spec::load().unwrap());
    let server = MockServer::start().await;
    let recorder = Recorder {
        spec: spec.clone(),
        requests: Arc::default(),
    };
    Mock::given(wiremock::matchers::any())
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("sk_contract_corrections")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let sessions = client.sessions();
    let id = Uuid::parse_str(SESSION).unwrap();
    let company = Uuid::parse_str(COMPANY).unwrap();

    let document: UpdateDocumentDataRequest = serde_json::from_value(json!({
        "first_name": "Carmen",
        "date_of_birth": "1980-01-01",
        "marital_status": "MARRIED",
        "extra_fields": {"blood_group": null},
        "parsed_address": {"city": "Madrid", "country": "ES"},
    }))
    .unwrap();
    sessions
        .correct_document(id, document)
        .node_id("feature_ocr_1")
        .send()
        .await
        .unwrap();
    let address: UpdatePoaDataRequest = serde_json::from_value(json!({
        "issuer": "Banco Example S.A.",
        "document_type": "BANK_STATEMENT",
        "issue_date": "2026-05-02",
    }))
    .unwrap();
    sessions
        .correct_proof_of_address(id, address)
        .node_id("feature_poa")
        .send()
        .await
        .unwrap();
    let correction: UpdateCompanyDataRequest = serde_json::from_value(json!({
        "company_name": "Docs Probe Corp",
        "registry_status": "dissolved",
        "registered_capital_amount": 50000.5,
    }))
    .unwrap();
    sessions
        .correct_company(id, company, correction)
        .send()
        .await
        .unwrap();
    sessions
        .update_step_status(id, "feature_ocr_1", NewFeatureStatus::InReview)
        .comment("second look")
        .send()
        .await
        .unwrap();
    sessions
        .review_aml_hit(id, "abc123", AmlReviewStatus::FalsePositive)
        .node_id("feature_aml")
        .send()
        .await
        .unwrap();
    sessions
        .review_aml_hits(
            id,
            [
                AmlHitUpdate::new("abc123", AmlReviewStatus::ConfirmedMatch),
                AmlHitUpdate::new("def456", AmlReviewStatus::Unreviewed),
            ],
        )
        .node_id("feature_aml")
        .send()
        .await
        .unwrap();

    let requests = recorder.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 6, "one request per call");
    assert!(
        requests
            .iter()
            .all(|request| request.method.as_str() == "PATCH")
    );
    let found: Vec<String> = requests
        .iter()
        .flat_map(|request| departures(&spec, request))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
