//! Helpers shared by the integration tests: a plain HTTP client, page
//! walking, and checking answers against the spec.
#![allow(dead_code)]

use std::sync::LazyLock;

use didit_mock::{DEFAULT_API_KEY, DiditMock};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use uuid::Uuid;

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn header_u64(&self, name: &str) -> u64 {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .parse()
            .unwrap()
    }

    pub fn results(&self) -> &Vec<Value> {
        self.body["results"].as_array().expect("a page")
    }
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GETs `url` with the given key (or none), reading the body as JSON (`null`
/// when empty).
pub async fn get_url(url: &str, key: Option<&str>) -> Reply {
    let mut request = client().get(url);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{url}: body is not JSON ({e}): {bytes:?}"))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// GETs the list endpoint with `query` and the default key.
pub async fn get(mock: &DiditMock, query: &str) -> Reply {
    get_url(
        &format!("{}?{query}", mock.sessions_url()),
        Some(DEFAULT_API_KEY),
    )
    .await
}

/// Follows `next` from the first page of `query`, returning every row in
/// the order served and the pages' replies.
pub async fn walk(mock: &DiditMock, query: &str) -> (Vec<Value>, Vec<Reply>) {
    let mut url = Some(format!("{}?{query}", mock.sessions_url()));
    let mut rows = Vec::new();
    let mut pages = Vec::new();
    while let Some(current) = url {
        assert!(pages.len() < 100_000, "runaway paging");
        let reply = get_url(&current, Some(DEFAULT_API_KEY)).await;
        assert_eq!(reply.status, 200, "{current}: {:?}", reply.body);
        rows.extend(reply.results().iter().cloned());
        url = reply.body["next"].as_str().map(str::to_owned);
        if let Some(next) = &url {
            assert!(
                next.starts_with(&mock.sessions_url()),
                "next is not an absolute URL of the mock: {next}"
            );
        }
        pages.push(reply);
    }
    (rows, pages)
}

/// The `session_id`s of rows.
pub fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|row| row["session_id"].as_str().expect("a session_id").to_owned())
        .collect()
}

/// The spec, loaded once for all tests.
pub static SPEC: LazyLock<didit_contract::Spec> =
    LazyLock::new(|| didit_contract::Spec::load().expect("the spec loads"));

/// A response to any request, read whole: the body as JSON when it says it
/// is JSON (else `null`), and as bytes.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn header_u64(&self, name: &str) -> u64 {
        self.header(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .parse()
            .unwrap()
    }
}

/// Sends `method` to `path` of the mock with the default key, and `body` as
/// JSON when given.
pub async fn call(mock: &DiditMock, method: Method, path: &str, body: Option<&Value>) -> Answer {
    call_with(mock, method, path, body, Some(DEFAULT_API_KEY)).await
}

/// [`call`] with the given key, or none.
pub async fn call_with(
    mock: &DiditMock,
    method: Method,
    path: &str,
    body: Option<&Value>,
    key: Option<&str>,
) -> Answer {
    let mut request = client().request(method, format!("{}{path}", mock.uri()));
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    let is_json = headers
        .get("content-type")
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    let body = if is_json {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{path}: body is not JSON ({e}): {bytes:?}"))
    } else {
        Value::Null
    };
    Answer {
        status,
        headers,
        body,
        bytes,
    }
}

/// Checks that `answer` is what the spec documents for `operation`: a JSON
/// body valid against the schema of its status, or no body for `204`, or a
/// PDF for the report.
pub fn conforms(operation: &str, answer: &Answer) {
    match answer.status {
        204 => assert!(answer.bytes.is_empty(), "{operation}: a 204 with a body"),
        200 if operation == "get_session_pdf" => {
            assert_eq!(answer.header("content-type"), Some("application/pdf"));
        }
        200 if operation == "get_session_import_template" => {
            assert_eq!(answer.header("content-type"), Some("text/csv"));
        }
        status => {
            assert!(
                answer.header("content-type") == Some("application/json"),
                "{operation} {status}: not JSON: {:?}",
                answer.headers
            );
            if let Err(problems) = SPEC.validate_response(operation, status, &answer.body) {
                panic!(
                    "{operation} {status}: {}\n{:#}",
                    problems.join("\n"),
                    answer.body
                );
            }
        }
    }
}

/// Creates a session with `body`, checks the answer, and gives its id.
pub async fn create(mock: &DiditMock, body: Value) -> (Uuid, Value) {
    let answer = call(mock, Method::POST, "/v3/session/", Some(&body)).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    conforms("create_session", &answer);
    let id = answer.body["session_id"].as_str().unwrap().parse().unwrap();
    (id, answer.body)
}

/// A workflow id the mock does not know, which runs a KYC workflow.
pub const SOME_WORKFLOW: &str = "11111111-2222-3333-4444-555555555555";

/// Reads a session's decision (`include=events` when `events`), checking it.
pub async fn decision(mock: &DiditMock, id: Uuid, events: bool) -> Answer {
    let query = if events { "?include=events" } else { "" };
    let answer = call(
        mock,
        Method::GET,
        &format!("/v3/session/{id}/decision/{query}"),
        None,
    )
    .await;
    conforms("get_session_decision", &answer);
    answer
}
