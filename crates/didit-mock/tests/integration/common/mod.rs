//! Helpers shared by the integration tests: a plain HTTP client and page
//! walking.
#![allow(dead_code)]

use didit_mock::{DEFAULT_API_KEY, DiditMock};
use reqwest::header::HeaderMap;
use serde_json::Value;

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
