//! `didit sessions correct-document|correct-poa|correct-company|step-status|aml-hit`
//! against the fake Didit server: each correction shows in the decision.

use didit::{Client, SessionStatus, Uuid};
use didit_mock::DiditMock;
use serde_json::Value;

use super::{KEY, Scratch, assert_exit, didit_at, run, stderr, stdout};

/// The workflow that runs every KYC step, proof of address and AML included.
const FULL_ONBOARDING: &str = "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03";
/// A KYB workflow.
const STANDARD_KYB: &str = "9f9b1234-aaaa-4bbb-8ccc-1234567890ab";

async fn fake() -> (DiditMock, Client) {
    let mock = DiditMock::builder()
        .api_key(KEY)
        .rate_limit(0)
        .write_rate_limit(0)
        .start()
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(mock.uri())
        .build()
        .unwrap();
    (mock, client)
}

async fn session_at(
    mock: &DiditMock,
    client: &Client,
    workflow: &str,
    status: SessionStatus,
) -> Uuid {
    let workflow = Uuid::parse_str(workflow).unwrap();
    let id = client
        .sessions()
        .create(workflow)
        .send()
        .await
        .unwrap()
        .session_id;
    mock.finish_session(id, status).unwrap();
    id
}

async fn decision(client: &Client, id: Uuid) -> Value {
    let decision = client.sessions().decision(id).send().await.unwrap();
    serde_json::to_value(&*decision).unwrap()
}

#[tokio::test]
async fn corrections_from_a_file_or_standard_input_show_in_the_decision() {
    let (mock, client) = fake().await;
    let id = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::Declined).await;
    let session = id.to_string();
    let scratch = Scratch::new("corrections");
    let file = scratch.path("document.json");
    std::fs::write(
        &file,
        r#"{"first_name": "Carmen-Marker", "marital_status": "MARRIED"}"#,
    )
    .unwrap();

    let output = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "correct-document",
            &session,
            "--node",
            "feature_id_verification",
            "--file",
            &file,
        ],
    );
    assert_exit(&output, 0);
    let said = stdout(&output);
    assert!(said.contains("first_name, marital_status"), "{said}");
    assert!(
        !said.contains("Carmen-Marker"),
        "the table shows no value: {said}"
    );

    let output = run(
        didit_at(&mock).write_stdin(r#"{"issuer": "Banco Example S.A."}"#),
        &["sessions", "correct-poa", &session, "--format", "json"],
    );
    assert_exit(&output, 0);
    let record: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(record["issuer"], "Banco Example S.A.");

    let shown = decision(&client, id).await;
    assert_eq!(shown["id_verifications"][0]["first_name"], "Carmen-Marker");
    assert_eq!(
        shown["poa_verifications"][0]["issuer"],
        "Banco Example S.A."
    );
}

#[tokio::test]
async fn a_correction_that_does_not_decode_is_named_by_its_path_not_its_value() {
    let (mock, client) = fake().await;
    let id = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::Approved).await;
    let before = mock.statuses().values().sum::<u64>();
    let output = run(
        didit_at(&mock).write_stdin(r#"{"first_name": "Ana", "date_of_birth": "Jane-Marker"}"#),
        &[
            "sessions",
            "correct-document",
            &id.to_string(),
            "--file",
            "-",
        ],
    );
    assert_exit(&output, 2);
    let said = stderr(&output);
    assert!(said.contains("`date_of_birth`"), "{said}");
    assert!(!said.contains("Jane-Marker"), "{said}");
    // Nothing was sent.
    assert_eq!(mock.statuses().values().sum::<u64>(), before);
}

#[tokio::test]
async fn a_company_correction_shows_in_the_decision() {
    let (mock, client) = fake().await;
    let id = session_at(&mock, &client, STANDARD_KYB, SessionStatus::InReview).await;
    let company = decision(&client, id).await["registry_checks"][0]["company"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = run(
        didit_at(&mock).write_stdin(r#"{"company_name": "Docs Probe Corp"}"#),
        &[
            "sessions",
            "correct-company",
            &id.to_string(),
            "--company",
            &company,
        ],
    );
    assert_exit(&output, 0);
    let shown = decision(&client, id).await;
    assert_eq!(
        shown["registry_checks"][0]["company"]["company_name"],
        "Docs Probe Corp"
    );

    // Another company is not this session's: not found.
    let output = run(
        didit_at(&mock).write_stdin("{}"),
        &[
            "sessions",
            "correct-company",
            &id.to_string(),
            "--company",
            &Uuid::nil().to_string(),
        ],
    );
    assert_exit(&output, 7);
}

#[tokio::test]
async fn step_statuses_and_hit_verdicts_show_in_the_decision() {
    let (mock, client) = fake().await;
    let id = session_at(&mock, &client, FULL_ONBOARDING, SessionStatus::InReview).await;
    let session = id.to_string();
    let before = decision(&client, id).await;
    let status = if before["aml_screenings"][0]["status"] == "Approved" {
        "Declined"
    } else {
        "approved"
    };
    let output = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "step-status",
            &session,
            "--node",
            "feature_aml",
            "--status",
            status,
            "--comment",
            "namesake",
        ],
    );
    assert_exit(&output, 0);
    let hits: Vec<String> = before["aml_screenings"][0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect();

    let output = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "aml-hit",
            &session,
            "--hit",
            &hits[0],
            "--status",
            "False Positive",
        ],
    );
    assert_exit(&output, 0);
    let shown = decision(&client, id).await;
    let aml = &shown["aml_screenings"][0];
    assert!(aml["status"].as_str().unwrap().eq_ignore_ascii_case(status));
    assert_eq!(aml["hits"][0]["review_status"], "False Positive");
    assert_eq!(aml["hits"][1]["review_status"], "Unreviewed");

    let both = hits.join(",");
    let output = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "aml-hit",
            &session,
            "--hit",
            &both,
            "--status",
            "confirmed match",
            "--format",
            "json",
        ],
    );
    assert_exit(&output, 0);
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["updated_hits"], serde_json::json!(hits));
    let shown = decision(&client, id).await;
    assert_eq!(
        shown["aml_screenings"][0]["hits"][1]["review_status"],
        "Confirmed Match"
    );

    // An unknown hit: not found, and nothing changes.
    let output = run(
        &mut didit_at(&mock),
        &[
            "sessions",
            "aml-hit",
            &session,
            "--hit",
            &format!("{},zzz999", hits[0]),
            "--status",
            "Inconclusive",
        ],
    );
    assert_exit(&output, 7);
    let shown = decision(&client, id).await;
    assert_eq!(
        shown["aml_screenings"][0]["hits"][0]["review_status"],
        "Confirmed Match"
    );
}
