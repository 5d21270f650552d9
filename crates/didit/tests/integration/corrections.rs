//! Corrections after a review, against the fake server: each shows in the
//! session's decision afterwards, and none is sent twice.

use std::time::Duration;

use didit::types::{
    AmlHitUpdate, NewFeatureStatus, UpdateCompanyDataRequest, UpdateDocumentDataRequest,
    UpdateDocumentDataRequestFirstName, UpdatePoaDataRequest,
};
use didit::{AmlReviewStatus, Client, Error, FeatureStatus, SessionStatus, Uuid};
use didit_mock::DiditMock;

/// The workflow that runs every KYC step, proof of address and AML included.
const FULL_ONBOARDING: &str = "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03";
/// A KYB workflow.
const STANDARD_KYB: &str = "9f9b1234-aaaa-4bbb-8ccc-1234567890ab";

/// A client of `mock` that retries quickly what it may retry.
fn client_of(mock: &DiditMock) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .retry_policy(
            didit::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50)),
        )
        .build()
        .unwrap()
}

/// A session of `workflow` created through the client and moved to `status`.
async fn session_at(
    mock: &DiditMock,
    client: &Client,
    workflow: &str,
    status: SessionStatus,
) -> Uuid {
    let workflow = Uuid::parse_str(workflow).unwrap();
    let created = client.sessions().create(workflow).send().await.unwrap();
    let id = created.session_id;
    mock.finish_session(id, status).unwrap();
    id
}

fn company_name(name: &str) -> didit::types::UpdateCompanyDataRequestCompanyName {
    name.parse().unwrap()
}

fn first_name(name: &str) -> UpdateDocumentDataRequestFirstName {
    UpdateDocumentDataRequestFirstName::try_from(name).unwrap()
}

#[tokio::test]
async fn corrected_documents_show_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let client = client_of(&mock);
    let id = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::Declined).await;
    let sessions = client.sessions();

    let record = sessions
        .correct_document(
            id,
            UpdateDocumentDataRequest::new().with_first_name(first_name("Carmen")),
        )
        .node_id("feature_id_verification")
        .send()
        .await
        .unwrap();
    assert_eq!(record.first_name(), Some("Carmen"));
    assert_eq!(record.metadata().status().as_u16(), 200);

    let address = UpdatePoaDataRequest::new()
        .with_poa_address("Avda de Madrid 34, 28013 Madrid")
        .with_issuer(
            "Banco Example S.A."
                .parse::<didit::types::UpdatePoaDataRequestIssuer>()
                .unwrap(),
        );
    let record = sessions
        .correct_proof_of_address(id, address)
        .send()
        .await
        .unwrap();
    assert_eq!(
        record.poa_address(),
        Some("Avda de Madrid 34, 28013 Madrid")
    );

    let decision = sessions.decision(id).send().await.unwrap();
    let document = &decision.id_verifications()[0];
    assert_eq!(document.first_name(), Some("Carmen"));
    let poa = &decision.poa_verifications()[0];
    assert_eq!(poa.issuer(), Some("Banco Example S.A."));
    assert_eq!(poa.poa_address(), Some("Avda de Madrid 34, 28013 Madrid"));

    // A node without a record is not found, and changes nothing.
    let error = sessions
        .correct_document(
            id,
            UpdateDocumentDataRequest::new().with_first_name(first_name("Ana")),
        )
        .node_id("feature_missing")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let decision = sessions.decision(id).send().await.unwrap();
    assert_eq!(decision.id_verifications()[0].first_name(), Some("Carmen"));
}

#[tokio::test]
async fn a_corrected_company_shows_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let client = client_of(&mock);
    let id = session_at(&mock, &client, STANDARD_KYB, SessionStatus::InReview).await;
    let sessions = client.sessions();
    let decision = sessions.decision(id).send().await.unwrap();
    let company = decision.registry_checks()[0]
        .company()
        .and_then(|company| company.uuid())
        .expect("the registry check names its company");

    let correction = UpdateCompanyDataRequest::new()
        .with_company_name(company_name("Docs Probe Corp"))
        .with_nature_of_business("Software development");
    let record = sessions
        .correct_company(id, company, correction)
        .send()
        .await
        .unwrap();
    assert_eq!(record.company_name(), Some("Docs Probe Corp"));

    let decision = sessions.decision(id).send().await.unwrap();
    let shown = decision.registry_checks()[0].company().unwrap();
    assert_eq!(shown.company_name(), Some("Docs Probe Corp"));
    assert_eq!(shown.nature_of_business(), Some("Software development"));

    let error = sessions
        .correct_company(
            id,
            Uuid::nil(),
            UpdateCompanyDataRequest::new().with_company_name(company_name("X")),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn step_statuses_and_hit_verdicts_show_in_the_decision() {
    let mock = DiditMock::builder().start().await;
    let client = client_of(&mock);
    let id = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::InReview).await;
    let sessions = client.sessions();

    let decision = sessions.decision(id).send().await.unwrap();
    let aml = &decision.aml_screenings()[0];
    let before = aml.status().cloned();
    let (new_status, shown) = if before == Some(FeatureStatus::Approved) {
        (NewFeatureStatus::Declined, FeatureStatus::Declined)
    } else {
        (NewFeatureStatus::Approved, FeatureStatus::Approved)
    };
    let hits: Vec<String> = aml
        .hits()
        .iter()
        .filter_map(|hit| hit.id().map(str::to_owned))
        .collect();
    assert_eq!(hits.len(), 2);

    let updated = sessions
        .update_step_status(id, "feature_aml", new_status)
        .comment("namesake")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.new_status(), &shown);

    let reviewed = sessions
        .review_aml_hit(id, &hits[0], AmlReviewStatus::FalsePositive)
        .send()
        .await
        .unwrap();
    assert_eq!(reviewed.hit_id(), hits[0]);
    let decision = sessions.decision(id).send().await.unwrap();
    let aml = &decision.aml_screenings()[0];
    assert_eq!(aml.status(), Some(&shown));
    assert_eq!(decision.status, SessionStatus::InReview);
    assert_eq!(
        aml.hits()[0].review_status(),
        Some(&AmlReviewStatus::FalsePositive)
    );
    assert_eq!(
        aml.hits()[1].review_status(),
        Some(&AmlReviewStatus::Unreviewed)
    );

    let verdicts = [
        AmlHitUpdate::new(hits[0].clone(), AmlReviewStatus::Inconclusive),
        AmlHitUpdate::new(hits[1].clone(), AmlReviewStatus::ConfirmedMatch),
    ];
    let reviewed = sessions.review_aml_hits(id, verdicts).send().await.unwrap();
    assert_eq!(reviewed.updated_hits(), hits.as_slice());
    let decision = sessions.decision(id).send().await.unwrap();
    let aml = &decision.aml_screenings()[0];
    assert_eq!(
        aml.hits()[0].review_status(),
        Some(&AmlReviewStatus::Inconclusive)
    );
    assert_eq!(
        aml.hits()[1].review_status(),
        Some(&AmlReviewStatus::ConfirmedMatch)
    );

    // All or nothing: an unknown hit leaves every verdict as it was.
    let verdicts = [
        AmlHitUpdate::new(hits[0].clone(), AmlReviewStatus::FalsePositive),
        AmlHitUpdate::new("zzz999", AmlReviewStatus::FalsePositive),
    ];
    let error = sessions
        .review_aml_hits(id, verdicts)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let decision = sessions.decision(id).send().await.unwrap();
    let aml = &decision.aml_screenings()[0];
    assert_eq!(
        aml.hits()[0].review_status(),
        Some(&AmlReviewStatus::Inconclusive)
    );
}

#[tokio::test]
async fn no_correction_is_sent_again_after_a_503() {
    let mock = DiditMock::builder().start().await;
    let client = client_of(&mock);
    let kyc = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::Declined).await;
    let kyb = session_at(&mock, &client, STANDARD_KYB, SessionStatus::Declined).await;
    let sessions = client.sessions();
    let company = Uuid::nil();

    let mut outcomes = Vec::new();
    macro_rules! once {
        ($request:expr) => {{
            mock.fail_next(1, 503);
            let before: u64 = mock.statuses().values().sum();
            let error = $request.send().await.unwrap_err();
            let after: u64 = mock.statuses().values().sum();
            outcomes.push((error.status().map(|status| status.as_u16()), after - before));
        }};
    }
    once!(sessions.correct_document(kyc, UpdateDocumentDataRequest::new()));
    once!(sessions.correct_proof_of_address(kyc, UpdatePoaDataRequest::new()));
    once!(sessions.correct_company(kyb, company, UpdateCompanyDataRequest::new()));
    once!(sessions.update_step_status(kyc, "feature_aml", NewFeatureStatus::Approved));
    once!(sessions.review_aml_hit(kyc, "hit", AmlReviewStatus::FalsePositive));
    once!(sessions.review_aml_hits(
        kyc,
        [AmlHitUpdate::new("hit", AmlReviewStatus::FalsePositive)]
    ));
    assert_eq!(outcomes, vec![(Some(503), 1); 6]);
}
