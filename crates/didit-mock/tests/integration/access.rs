//! What every operation shares: the key, the slash, the method, unknown ids.

use crate::common;

use common::{call, call_with, conforms};
use didit_mock::{DEFAULT_API_KEY, DiditMock};
use reqwest::Method;
use serde_json::json;

/// A company id in the paths of company corrections.
const SOME_COMPANY: &str = "6b9479f5-6769-46c8-baf1-df63bbbc5f8c";
/// A workflow node in the paths of step status changes.
const SOME_NODE: &str = "feature_aml";

/// `(operation id, method, path)` of every operation, for a session `id`.
fn operations(id: &str) -> Vec<(&'static str, Method, String)> {
    vec![
        ("list_sessions", Method::GET, "/v3/sessions/".to_owned()),
        ("create_session", Method::POST, "/v3/session/".to_owned()),
        (
            "get_session_decision",
            Method::GET,
            format!("/v3/session/{id}/decision/"),
        ),
        (
            "update_session_status",
            Method::PATCH,
            format!("/v3/session/{id}/update-status/"),
        ),
        (
            "delete_session",
            Method::DELETE,
            format!("/v3/session/{id}/delete/"),
        ),
        (
            "delete_sessions",
            Method::POST,
            "/v3/sessions/delete/".to_owned(),
        ),
        (
            "get_session_pdf",
            Method::GET,
            format!("/v3/session/{id}/generate-pdf/"),
        ),
        (
            "create_session_import",
            Method::POST,
            "/v3/session/imports/".to_owned(),
        ),
        (
            "get_session_import_template",
            Method::GET,
            "/v3/session/imports/template/".to_owned(),
        ),
        (
            "get_session_import",
            Method::GET,
            format!("/v3/session/imports/{id}/"),
        ),
        (
            "list_session_import_errors",
            Method::GET,
            format!("/v3/session/imports/{id}/errors/"),
        ),
        (
            "list_session_reviews",
            Method::GET,
            format!("/v3/sessions/{id}/reviews/"),
        ),
        (
            "create_session_review",
            Method::POST,
            format!("/v3/sessions/{id}/reviews/"),
        ),
        (
            "share_session",
            Method::POST,
            format!("/v3/session/{id}/share/"),
        ),
        (
            "import_shared_session",
            Method::POST,
            "/v3/session/import-shared/".to_owned(),
        ),
        (
            "update_document_data",
            Method::PATCH,
            format!("/v3/session/{id}/update-data/"),
        ),
        (
            "update_poa_data",
            Method::PATCH,
            format!("/v3/session/{id}/update-poa-data/"),
        ),
        (
            "update_company_data",
            Method::PATCH,
            format!("/v3/session/{id}/kyb/{SOME_COMPANY}/update-data/"),
        ),
        (
            "update_feature_status",
            Method::PATCH,
            format!("/v3/session/{id}/features/{SOME_NODE}/update-status/"),
        ),
        (
            "update_aml_hit_status",
            Method::PATCH,
            format!("/v3/session/{id}/update-aml-hit-status/"),
        ),
        (
            "update_aml_hit_statuses",
            Method::PATCH,
            format!("/v3/session/{id}/bulk-update-aml-hit-status/"),
        ),
    ]
}

/// `(operation id, method, path)` of the operations made on behalf of a
/// session's user, for a session `id`: authenticated by the session's token,
/// not the key.
fn session_token_operations(id: &str) -> Vec<(&'static str, Method, String)> {
    vec![(
        "arm_sandbox_scenario",
        Method::POST,
        format!("/v3/session/{id}/sandbox/arm/"),
    )]
}

/// Operations of the spec the fake does not serve yet. The fake grows with
/// the facade: serving one means moving it to [`operations`].
const NOT_SERVED_YET: &[&str] = &[];

#[tokio::test]
async fn every_operation_is_in_the_spec_and_needs_the_key() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let id = mock.store().kyc()[0].row.session_id.unwrap().to_string();
    let spec_operations: Vec<String> = common::SPEC
        .operations()
        .iter()
        .filter_map(|(_, op, _)| op["operationId"].as_str().map(str::to_owned))
        .collect();
    for (operation, method, path) in operations(&id) {
        assert!(
            spec_operations.iter().any(|op| op == operation),
            "{operation}"
        );
        let parameter = if path.starts_with("/v3/session/imports/") {
            "{importId}"
        } else if path.ends_with("/reviews/") {
            // The review log's path names its parameter in snake case.
            "{session_id}"
        } else {
            "{sessionId}"
        };
        let spec_path = path
            .replace(&id, parameter)
            .replace(SOME_COMPANY, "{companyUuid}")
            .replace(&format!("/{SOME_NODE}/"), "/{nodeId}/");
        assert!(
            common::SPEC.json["paths"][&spec_path][method.as_str().to_lowercase()].is_object(),
            "{method} {spec_path} is not in the spec"
        );
        // Sharing is the one operation that says 401 to missing credentials.
        let refusal = if operation == "share_session" {
            401
        } else {
            403
        };
        for key in [None, Some("wrong")] {
            let answer = call_with(&mock, method.clone(), &path, Some(&json!({})), key).await;
            assert_eq!(answer.status, refusal, "{method} {path}");
            conforms(operation, &answer);
            assert!(answer.body["detail"].is_string());
        }
    }
    // Made for a session's user: without its token, or with the key alone,
    // the session is not found.
    for (operation, method, path) in session_token_operations(&id) {
        let spec_path = path.replace(&id, "{sessionId}");
        assert!(
            common::SPEC.json["paths"][&spec_path][method.as_str().to_lowercase()].is_object(),
            "{method} {spec_path} is not in the spec"
        );
        for key in [None, Some(DEFAULT_API_KEY)] {
            let body = json!({"scenario": "approve"});
            let answer = call_with(&mock, method.clone(), &path, Some(&body), key).await;
            assert_eq!(answer.status, 404, "{method} {path}");
            conforms(operation, &answer);
        }
    }
    // Every operation of the spec is served, or listed as not served yet.
    let mut accounted: Vec<&str> = operations(&id)
        .iter()
        .chain(&session_token_operations(&id))
        .map(|(operation, _, _)| *operation)
        .chain(NOT_SERVED_YET.iter().copied())
        .collect();
    accounted.sort_unstable();
    let mut described: Vec<&str> = spec_operations.iter().map(String::as_str).collect();
    described.sort_unstable();
    assert_eq!(described, accounted);
    // Refused requests changed nothing.
    assert_eq!(mock.current_store().len(), 5);
}

#[tokio::test]
async fn data_corrections_look_the_session_up_before_the_key() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let known = mock.store().kyc()[0].row.session_id.unwrap().to_string();
    let unknown = "00000000-0000-4000-8000-000000000000";
    let paths = |id: &str| {
        [
            (
                "update_document_data",
                format!("/v3/session/{id}/update-data/"),
            ),
            (
                "update_poa_data",
                format!("/v3/session/{id}/update-poa-data/"),
            ),
            (
                "update_company_data",
                format!("/v3/session/{id}/kyb/{SOME_COMPANY}/update-data/"),
            ),
        ]
    };
    for key in [None, Some("wrong")] {
        for (operation, path) in paths(unknown) {
            let answer = call_with(&mock, Method::PATCH, &path, Some(&json!({})), key).await;
            assert_eq!(answer.status, 404, "{path} with {key:?}");
            conforms(operation, &answer);
        }
        for (operation, path) in paths(&known) {
            let answer = call_with(&mock, Method::PATCH, &path, Some(&json!({})), key).await;
            assert_eq!(answer.status, 403, "{path} with {key:?}");
            conforms(operation, &answer);
        }
    }
}

#[tokio::test]
async fn unslashed_paths_redirect_to_the_slashed_ones() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let id = mock.store().kyc()[0].row.session_id.unwrap().to_string();
    for (_, method, path) in operations(&id)
        .into_iter()
        .chain(session_token_operations(&id))
    {
        let unslashed = path.trim_end_matches('/');
        let answer = call(&mock, method.clone(), &format!("{unslashed}?a=1"), None).await;
        assert_eq!(answer.status, 301, "{method} {unslashed}");
        assert_eq!(
            answer.header("location"),
            Some(format!("{path}?a=1").as_str())
        );
    }
    assert_eq!(mock.current_store().len(), 5);
}

#[tokio::test]
async fn wrong_methods_and_paths_are_refused() {
    let mock = DiditMock::builder().synthetic(5, 1).start().await;
    let id = mock.store().kyc()[0].row.session_id.unwrap().to_string();
    for (_, method, path) in operations(&id)
        .into_iter()
        .chain(session_token_operations(&id))
    {
        let wrong = if method == Method::PUT {
            Method::GET
        } else {
            Method::PUT
        };
        let answer = call(&mock, wrong, &path, None).await;
        assert_eq!(answer.status, 405, "{path}");
        assert!(answer.header("allow").unwrap().contains(method.as_str()));
    }
    // Only a UUID names a session.
    for path in [
        "/v3/session/123/decision/",
        "/v3/session/abc/delete/",
        &format!("/v3/session/{id}/other/"),
    ] {
        assert_eq!(
            call(&mock, Method::GET, path, None).await.status,
            404,
            "{path}"
        );
    }
}
