//! Redirects: followed within the base URL's origin only, and the API key
//! never goes anywhere else.

use crate::common;

use common::{KEY, client, ok, page};
use didit::Error;
use wiremock::matchers::{header, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("Location", location)
}

/// A server that answers anything, to prove it was never asked.
async fn elsewhere() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([666], None)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .and(query_param_is_missing("offset"))
        .respond_with(redirect(301, "/v3/sessions/?offset=0"))
        .mount(&server)
        .await;
    Mock::given(path("/v3/sessions/"))
        .and(query_param("offset", "0"))
        .and(header("x-api-key", KEY))
        .respond_with(ok(page([1], None)))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server).sessions().list().send().await.unwrap();
    assert_eq!(common::numbers(&page.results), [1]);
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_key_stays_home() {
    for status in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        let other = elsewhere().await;
        let target = format!("{}/v3/sessions/", other.uri());
        Mock::given(path("/v3/sessions/"))
            .respond_with(redirect(status, &target))
            .mount(&server)
            .await;
        let error = client(&server).sessions().list().send().await.unwrap_err();
        match &error {
            Error::RedirectRefused {
                status: got,
                location,
                ..
            } => {
                assert_eq!(got.as_u16(), status);
                assert_eq!(
                    location.as_ref().map(didit::Link::as_str),
                    Some(target.as_str())
                );
            }
            other => panic!("{status}: expected a refused redirect, got {other:?}"),
        }
        assert!(!error.is_retryable());
        assert!(
            other.received_requests().await.unwrap().is_empty(),
            "{status}: the other origin was contacted"
        );
    }
}

#[tokio::test]
async fn endless_redirects_within_the_origin_stop_after_a_few_hops() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(redirect(302, "/v3/sessions/"))
        .mount(&server)
        .await;
    let error = client(&server).sessions().list().send().await.unwrap_err();
    assert!(
        matches!(error, Error::RedirectRefused { reason, .. } if reason.contains("too many")),
        "{error:?}"
    );
    let hops = server.received_requests().await.unwrap().len();
    assert!(hops <= 4, "{hops} requests");
}

#[tokio::test]
async fn a_caller_supplied_client_with_the_sdk_policy_keeps_the_key_home() {
    let server = MockServer::start().await;
    let other = elsewhere().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(redirect(302, &format!("{}/v3/sessions/", other.uri())))
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .redirect(didit::redirect_policy())
        .build()
        .unwrap();
    let client = common::builder(&server).http_client(http).build().unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::RedirectRefused { .. }), "{error:?}");
    assert!(other.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_from_another_origin_is_rejected_even_if_the_client_followed_it() {
    let server = MockServer::start().await;
    let other = elsewhere().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(redirect(302, &format!("{}/v3/sessions/", other.uri())))
        .mount(&server)
        .await;
    // reqwest's default policy follows redirects anywhere; the SDK cannot
    // change that on a client it did not build, but it refuses the answer.
    let client = common::builder(&server)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let error = client.sessions().list().send().await.unwrap_err();
    assert!(matches!(error, Error::RedirectRefused { .. }), "{error:?}");
}
