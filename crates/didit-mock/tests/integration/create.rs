//! `POST /v3/session/`: new sessions come first in the list, `Not Started`,
//! with a URL on the mock; bad bodies are refused field by field.

use crate::common;

use common::{SOME_WORKFLOW, call, conforms, create, get};
use didit_mock::{DiditMock, SYNTHETIC_KYB_WORKFLOWS};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_created_session_is_listed_first_and_not_started() {
    let mock = DiditMock::builder().synthetic(40, 3).start().await;
    let highest = mock
        .store()
        .rows()
        .iter()
        .filter_map(|row| row.session_number())
        .max()
        .unwrap();
    let body = json!({
        "workflow_id": SOME_WORKFLOW,
        "vendor_data": "user-new",
        "callback": "https://example.com/done",
        "callback_method": "both",
        "metadata": {"tier": "gold", "ids": [1, 2]},
        "language": "pt-BR",
        "contact_details": {"email": "new@example.com", "email_lang": "es"},
        "expected_details": {"first_name": "Ana"},
    });
    let (id, created) = create(&mock, body).await;
    assert_eq!(created["status"], "Not Started");
    assert_eq!(created["session_number"], highest + 1);
    assert_eq!(created["vendor_data"], "user-new");
    assert_eq!(created["metadata"], json!({"tier": "gold", "ids": [1, 2]}));
    assert_eq!(created["callback"], "https://example.com/done");
    assert_eq!(created["workflow_id"], SOME_WORKFLOW);
    let token = created["session_token"].as_str().unwrap();
    assert!(token.len() >= 8, "{token}");
    let url = created["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/session/{token}", mock.uri()));

    let page = get(&mock, "limit=3").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["count"], mock.store().kyc().len() as u64 + 1);
    let first = &page.results()[0];
    assert_eq!(first["session_id"], id.to_string());
    assert_eq!(first["status"], "Not Started");
    assert_eq!(first["session_url"], url);
    assert_eq!(first["vendor_data"], "user-new");
    assert!(
        first["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|feature| feature["status"] == "Not Finished")
    );
    // The filters see it too.
    let found = get(&mock, "vendor_data=user-new").await;
    assert_eq!(found.body["count"], 1);

    let (second, created) = create(&mock, json!({ "workflow_id": SOME_WORKFLOW })).await;
    assert_eq!(created["session_number"], highest + 2);
    assert_eq!(created["vendor_data"], Value::Null);
    assert_eq!(created["metadata"], Value::Null);
    assert_eq!(
        get(&mock, "limit=1").await.results()[0]["session_id"],
        second.to_string()
    );
    // The store the mock started with is left alone.
    assert_eq!(mock.store().len(), 40);
    assert_eq!(mock.current_store().len(), 42);
}

#[tokio::test]
async fn a_business_workflow_creates_a_business_session() {
    let mock = DiditMock::builder().synthetic(20, 5).start().await;
    let (workflow, label) = SYNTHETIC_KYB_WORKFLOWS[0];
    let (id, created) = create(
        &mock,
        json!({
            "workflow_id": workflow,
            "vendor_data": "company-new",
            "expected_details": {
                "company_name": "Tesco PLC",
                "registry_country": "GB",
                "registration_number": "00445790"
            }
        }),
    )
    .await;
    assert_eq!(created["status"], "Not Started");
    let page = get(&mock, "session_kind=business&limit=1").await;
    let row = &page.results()[0];
    assert_eq!(row["session_id"], id.to_string());
    assert_eq!(row["session_kind"], "business");
    assert_eq!(row["company_name"], "Tesco PLC");
    assert_eq!(row["registration_number"], "00445790");
    assert_eq!(row["workflow_label"], label);
    // KYC lists do not show it.
    let kyc = get(&mock, "limit=100").await;
    assert!(
        kyc.results()
            .iter()
            .all(|row| row["session_id"] != id.to_string())
    );
}

#[tokio::test]
async fn bad_bodies_are_refused_by_field() {
    let mock = DiditMock::builder().synthetic(10, 1).start().await;
    let cases = [
        (json!({}), "workflow_id", "This field is required."),
        (
            json!({"workflow_id": "x"}),
            "workflow_id",
            "Must be a valid UUID.",
        ),
        (
            json!({"workflow_id": null}),
            "workflow_id",
            "This field may not be null.",
        ),
        (
            json!({"workflow_id": SOME_WORKFLOW, "callback_method": "sometimes"}),
            "callback_method",
            "\"sometimes\" is not a valid choice.",
        ),
        (
            json!({"workflow_id": SOME_WORKFLOW, "language": "xx"}),
            "language",
            "\"xx\" is not a valid choice.",
        ),
        (
            json!({"workflow_id": SOME_WORKFLOW, "callback": "not a url"}),
            "callback",
            "Enter a valid URL.",
        ),
        (
            json!({"workflow_id": SOME_WORKFLOW, "vendor_data": 5}),
            "vendor_data",
            "Not a valid string.",
        ),
        (
            json!({"workflow_id": SOME_WORKFLOW, "expected_details": []}),
            "expected_details",
            "Invalid data. Expected a dictionary, but got list.",
        ),
        (
            json!([SOME_WORKFLOW]),
            "detail",
            "Invalid data. Expected a dictionary, but got list.",
        ),
    ];
    for (body, field, message) in cases {
        let answer = call(&mock, Method::POST, "/v3/session/", Some(&body)).await;
        assert_eq!(answer.status, 400, "{body}");
        conforms("create_session", &answer);
        let got = &answer.body[field];
        let got = got.get(0).unwrap_or(got);
        assert_eq!(got, message, "{body}: {:#}", answer.body);
    }
    // An e-mail language is checked like the language.
    let body = json!({"workflow_id": SOME_WORKFLOW, "contact_details": {"email_lang": "xx"}});
    let answer = call(&mock, Method::POST, "/v3/session/", Some(&body)).await;
    assert_eq!(answer.status, 400);
    assert!(answer.body["contact_details"]["email_lang"].is_array());

    let answer = common::client()
        .post(format!("{}/v3/session/", mock.uri()))
        .header("x-api-key", mock.api_key())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error")
    );
    // Nothing was created.
    assert_eq!(mock.current_store().len(), 10);
}
