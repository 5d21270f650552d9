//! The errors of the real API: 403 without a valid key, 400 keyed by
//! parameter, 301 for the path without its slash.

use crate::common;

use common::{get, get_url};
use didit_mock::{DEFAULT_API_KEY, DiditMock, FORBIDDEN_DETAIL};
use serde_json::{Value, json};

async fn mock() -> DiditMock {
    DiditMock::builder().synthetic(50, 1).start().await
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_403_even_before_parameter_checks() {
    let mock = mock().await;
    let url = mock.sessions_url();
    for (query, key) in [
        ("", None),
        ("", Some("wrong-key")),
        ("", Some("")),
        ("limit=nope&date_from=never", None),
        ("session_kind=people", Some("MOCK-KEY")),
    ] {
        let reply = get_url(&format!("{url}?{query}"), key).await;
        assert_eq!(reply.status, 403, "{query} {key:?}");
        assert_eq!(reply.body, json!({ "detail": FORBIDDEN_DETAIL }));
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
    let custom = DiditMock::builder().api_key("k-123").start().await;
    assert_eq!(
        get_url(&custom.sessions_url(), Some(DEFAULT_API_KEY))
            .await
            .status,
        403
    );
    assert_eq!(
        get_url(&custom.sessions_url(), Some("k-123")).await.status,
        200
    );
}

async fn bad(mock: &DiditMock, query: &str) -> Value {
    let reply = get(mock, query).await;
    assert_eq!(reply.status, 400, "{query}: {:?}", reply.body);
    reply.body
}

#[tokio::test]
async fn malformed_typed_values_are_400_keyed_by_parameter() {
    let mock = mock().await;
    for name in ["date_from", "date_to"] {
        for value in ["yesterday", "2026-02-30", "2026-13-01", "01/02"] {
            assert_eq!(
                bad(&mock, &format!("{name}={value}")).await,
                json!({ name: ["Enter a valid date."] })
            );
        }
    }
    for name in ["didit_internal_id", "euuid"] {
        assert_eq!(
            bad(&mock, &format!("{name}=12345")).await,
            json!({ name: ["Enter a valid UUID."] })
        );
    }
    assert_eq!(
        bad(&mock, "session_kind=people").await,
        json!({ "session_kind": "Must be \"user\", \"business\", or \"all\"." })
    );
    assert_eq!(
        bad(&mock, "api_service=FOO").await,
        json!({ "api_service": ["Select a valid choice. FOO is not one of the available choices."] })
    );
    // api_service is case-sensitive.
    bad(&mock, "api_service=aml").await;
    for value in ["x", "1.5", ""] {
        if value.is_empty() {
            continue;
        }
        assert_eq!(
            bad(&mock, &format!("limit={value}")).await,
            json!({ "limit": ["A valid integer is required."] })
        );
        assert_eq!(
            bad(&mock, &format!("offset={value}")).await,
            json!({ "offset": ["A valid integer is required."] })
        );
    }
    assert_eq!(
        bad(&mock, "limit=0").await,
        json!({ "limit": ["Ensure this value is greater than or equal to 1."] })
    );
    assert_eq!(
        bad(&mock, "offset=-1").await,
        json!({ "offset": ["Ensure this value is greater than or equal to 0."] })
    );
    for name in ["status_initialized_as_in_review", "is_kyc_to_be_reviewed"] {
        assert_eq!(
            bad(&mock, &format!("{name}=maybe")).await,
            json!({ name: ["Must be a valid boolean."] })
        );
    }
    // Typed parameters are held to their format even when empty.
    let body = bad(&mock, "limit=&date_from=&euuid=&is_kyc_to_be_reviewed=").await;
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["date_from", "euuid", "is_kyc_to_be_reviewed", "limit"]
    );
    // Several at once: one key each.
    let body = bad(&mock, "limit=x&date_to=y&euuid=z").await;
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["date_to", "euuid", "limit"]);
}

#[tokio::test]
async fn good_typed_values_and_empty_values_are_accepted() {
    let mock = mock().await;
    for query in [
        "session_kind=Business",
        "session_kind=USER",
        "session_kind=aLl",
        "api_service=AML",
        "date_from=2025-01-01&date_to=2030-12-31",
        "euuid=0f8fad5b-d9cb-469f-a165-70867728950e",
        "status=&country=&search=&vendor_data=",
        "status_initialized_as_in_review=True&is_kyc_to_be_reviewed=0",
        "unknown_parameter=whatever",
    ] {
        let reply = get(&mock, query).await;
        assert_eq!(reply.status, 200, "{query}: {:?}", reply.body);
    }
}

#[tokio::test]
async fn the_path_without_its_slash_redirects_keeping_the_query() {
    let mock = mock().await;
    let url = format!("{}/v3/sessions?status=Approved&limit=3", mock.uri());
    for key in [Some(DEFAULT_API_KEY), None] {
        let reply = get_url(&url, key).await;
        assert_eq!(reply.status, 301);
        assert_eq!(
            reply.header("location"),
            Some("/v3/sessions/?status=Approved&limit=3")
        );
    }
    let reply = get_url(&format!("{}/v3/sessions", mock.uri()), None).await;
    assert_eq!(reply.header("location"), Some("/v3/sessions/"));

    // A client that follows redirects lands on the page.
    let page: Value = reqwest::Client::new()
        .get(&url)
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["results"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn other_paths_and_methods() {
    let mock = mock().await;
    let reply = get_url(&format!("{}/v3/other/", mock.uri()), Some(DEFAULT_API_KEY)).await;
    assert_eq!(reply.status, 404);
    let response = common::client()
        .post(mock.sessions_url())
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
}
