//! Sharing sessions between the fake's two applications, and sandbox
//! scenarios armed with a session's token.

use std::time::Duration;

use crate::common;

use common::{SOME_WORKFLOW, call, call_with, conforms, create};
use didit_api::SessionStatus;
use didit_mock::{DiditMock, PARTNER_API_KEY, PARTNER_APPLICATION_ID};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const IMPORT: &str = "/v3/session/import-shared/";

/// Shares session `id` of the main application with the partner.
async fn share(mock: &DiditMock, id: Uuid, body: Value) -> common::Answer {
    let answer = call(
        mock,
        Method::POST,
        &format!("/v3/session/{id}/share/"),
        Some(&body),
    )
    .await;
    conforms("share_session", &answer);
    answer
}

/// Redeems `token` with the key `key`.
async fn redeem(mock: &DiditMock, token: &str, trust_review: bool, key: &str) -> common::Answer {
    let body = json!({
        "share_token": token,
        "trust_review": trust_review,
        "workflow_id": SOME_WORKFLOW,
        "vendor_data": "partner-user-1",
    });
    let answer = call_with(mock, Method::POST, IMPORT, Some(&body), Some(key)).await;
    conforms("import_shared_session", &answer);
    answer
}

/// A finished session of the main application.
async fn finished(mock: &DiditMock, status: SessionStatus) -> Uuid {
    let (id, _) = create(mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    mock.finish_session(id, status).unwrap();
    id
}

#[tokio::test]
async fn a_token_redeems_once_into_a_session_of_the_partner() {
    let mock = DiditMock::builder().start().await;
    let id = finished(&mock, SessionStatus::Approved).await;
    let shared = share(
        &mock,
        id,
        json!({ "for_application_id": PARTNER_APPLICATION_ID }),
    )
    .await;
    assert_eq!(shared.status, 200, "{:#}", shared.body);
    assert_eq!(shared.body["for_application_id"], PARTNER_APPLICATION_ID);
    assert_eq!(shared.body["session_kind"], "user");
    let token = shared.body["share_token"].as_str().unwrap();

    let copy = redeem(&mock, token, false, PARTNER_API_KEY).await;
    assert_eq!(copy.status, 201, "{:#}", copy.body);
    let copy_id = copy.body["session_id"].as_str().unwrap();
    assert_ne!(copy_id, id.to_string());
    assert_eq!(copy.body["status"], "In Review");
    assert_eq!(copy.body["workflow_id"], SOME_WORKFLOW);
    assert_eq!(copy.body["vendor_data"], "partner-user-1");

    // The copy is the partner's: in its list and decisions, not the main one's.
    let partner_list = call_with(
        &mock,
        Method::GET,
        "/v3/sessions/",
        None,
        Some(PARTNER_API_KEY),
    )
    .await;
    assert_eq!(partner_list.status, 200);
    assert_eq!(partner_list.body["count"], 1);
    assert_eq!(partner_list.body["results"][0]["session_id"], copy_id);
    let decision_path = format!("/v3/session/{copy_id}/decision/");
    let decided = call_with(
        &mock,
        Method::GET,
        &decision_path,
        None,
        Some(PARTNER_API_KEY),
    )
    .await;
    assert_eq!(decided.status, 200);
    conforms("get_session_decision", &decided);
    assert_eq!(
        call(&mock, Method::GET, &decision_path, None).await.status,
        404
    );
    assert_eq!(mock.current_store().len(), 1);
    assert_eq!(mock.partner_store().len(), 1);

    // A second redeem, of this token or of a new one, is refused.
    let again = redeem(&mock, token, false, PARTNER_API_KEY).await;
    assert_eq!(again.status, 403);
    assert_eq!(
        again.body["detail"],
        "This session has already been shared with your application."
    );
    let second = share(
        &mock,
        id,
        json!({ "for_application_id": PARTNER_APPLICATION_ID }),
    )
    .await;
    let second_token = second.body["share_token"].as_str().unwrap();
    assert_eq!(
        redeem(&mock, second_token, true, PARTNER_API_KEY)
            .await
            .status,
        403
    );
    assert_eq!(mock.partner_store().len(), 1);
}

#[tokio::test]
async fn trusting_the_review_keeps_the_status() {
    let mock = DiditMock::builder().start().await;
    let id = finished(&mock, SessionStatus::Declined).await;
    let shared = share(
        &mock,
        id,
        json!({ "for_application_id": PARTNER_APPLICATION_ID }),
    )
    .await;
    let token = shared.body["share_token"].as_str().unwrap();
    let copy = redeem(&mock, token, true, PARTNER_API_KEY).await;
    assert_eq!(copy.status, 201, "{:#}", copy.body);
    assert_eq!(copy.body["status"], "Declined");
}

#[tokio::test]
async fn tokens_expire_by_the_fakes_clock_and_serve_one_application() {
    let mock = DiditMock::builder().start().await;
    let id = finished(&mock, SessionStatus::Approved).await;
    let shared = share(
        &mock,
        id,
        json!({ "for_application_id": PARTNER_APPLICATION_ID, "ttl_in_seconds": 60 }),
    )
    .await;
    let token = shared.body["share_token"].as_str().unwrap();

    // Bound to the partner: the main application cannot redeem it.
    let foreign = redeem(&mock, token, false, mock.api_key()).await;
    assert_eq!(foreign.status, 400);
    assert_eq!(
        foreign.body,
        json!({"share_token": ["This token is not valid for this application."]})
    );
    let forged = redeem(&mock, "eyJ.not.issued", false, PARTNER_API_KEY).await;
    assert_eq!(
        forged.body,
        json!({"share_token": ["Invalid share token."]})
    );

    mock.advance_clock(Duration::from_secs(60));
    let expired = redeem(&mock, token, false, PARTNER_API_KEY).await;
    assert_eq!(expired.status, 400);
    assert_eq!(
        expired.body,
        json!({"share_token": ["Share token has expired."]})
    );
    assert_eq!(mock.partner_store().len(), 0);
}

#[tokio::test]
async fn only_finished_sessions_are_shared_with_another_application() {
    let mock = DiditMock::builder().start().await;
    let (started, _) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    let partner = json!({ "for_application_id": PARTNER_APPLICATION_ID });
    let unfinished = share(&mock, started, partner.clone()).await;
    assert_eq!(unfinished.status, 400);
    assert!(
        unfinished.body["detail"][0]
            .as_str()
            .unwrap()
            .contains("Only finished sessions")
    );

    let id = finished(&mock, SessionStatus::InReview).await;
    let own = json!({ "for_application_id": didit_mock::DEFAULT_APPLICATION_ID });
    assert_eq!(
        share(&mock, id, own).await.body,
        json!({"for_application_id": ["Cannot share a session with the same application."]})
    );
    let nobody = json!({ "for_application_id": Uuid::nil() });
    assert_eq!(
        share(&mock, id, nobody).await.body,
        json!({"for_application_id": ["Target application does not exist."]})
    );
    for ttl in [59, 86_401] {
        let answer = share(
            &mock,
            id,
            json!({ "for_application_id": PARTNER_APPLICATION_ID, "ttl_in_seconds": ttl }),
        )
        .await;
        assert_eq!(answer.status, 400, "{ttl}");
        assert!(answer.body["ttl_in_seconds"].is_array(), "{ttl}");
    }
    assert_eq!(share(&mock, Uuid::nil(), partner).await.status, 404);
}

/// Arms session `id` with `scenario`, sending `token` as its `Session-Token`.
async fn arm(mock: &DiditMock, id: Uuid, token: Option<&str>, scenario: &str) -> common::Answer {
    let mut request = common::client()
        .post(format!("{}/v3/session/{id}/sandbox/arm/", mock.uri()))
        .json(&json!({ "scenario": scenario }));
    if let Some(token) = token {
        request = request.header("Session-Token", token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    let answer = common::Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap(),
        bytes,
    };
    conforms("arm_sandbox_scenario", &answer);
    answer
}

#[tokio::test]
async fn an_armed_scenario_decides_how_the_session_ends() {
    let mock = DiditMock::builder().start().await;
    let (id, created) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    let token = created["session_token"].as_str().unwrap();

    assert_eq!(arm(&mock, id, None, "decline_aml_hit").await.status, 404);
    assert_eq!(
        arm(&mock, id, Some("not-its-token"), "decline_aml_hit")
            .await
            .status,
        404
    );
    let unknown = arm(&mock, id, Some(token), "not-a-real-scenario").await;
    assert_eq!(
        unknown.body,
        json!({"scenario": ["Unknown sandbox scenario: 'not-a-real-scenario'."]})
    );
    let armed = arm(&mock, id, Some(token), "decline_aml_hit").await;
    assert_eq!(armed.status, 200, "{:#}", armed.body);
    assert_eq!(
        armed.body,
        json!({"session_id": id, "scenario": "decline_aml_hit", "status": "Not Started"})
    );

    mock.complete_session(id).unwrap();
    assert_eq!(
        mock.current_store().kyc()[0].row.status,
        Some(SessionStatus::Declined)
    );
    let late = arm(&mock, id, Some(token), "approve").await;
    assert_eq!(late.status, 400);
    assert_eq!(
        late.body,
        json!(["Scenario can only be armed before the verification starts."])
    );
}

#[tokio::test]
async fn the_control_endpoint_completes_a_session_as_its_scenario_says() {
    let mock = DiditMock::builder().start().await;
    let (id, created) = create(
        &mock,
        json!({ "workflow_id": SOME_WORKFLOW, "sandbox_scenario": "review_manually" }),
    )
    .await;
    let (plain, _) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    assert!(created["session_token"].is_string());
    let complete = |id: Uuid| format!("{}{id}/complete", didit_mock::CONTROL_SESSIONS_PATH);
    let answer = call_with(&mock, Method::POST, &complete(id), None, None).await;
    assert_eq!(
        answer.body,
        json!({"session_id": id, "status": "In Review"})
    );
    let answer = call_with(&mock, Method::POST, &complete(plain), None, None).await;
    assert_eq!(
        answer.body,
        json!({"session_id": plain, "status": "Approved"})
    );
}
