//! Paging: following `next` links, and the guards around them.

use crate::common;

use common::{client, drain, numbers, ok, page};
use didit::{Error, Session};
use futures::TryStreamExt;
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Serves the page at `offset` (`None`: the request without offset).
async fn serve(server: &MockServer, offset: Option<u64>, template: ResponseTemplate) {
    let mock = Mock::given(path("/v3/sessions/"));
    let mock = match offset {
        Some(offset) => mock.and(query_param("offset", offset.to_string())),
        None => mock.and(query_param_is_missing("offset")),
    };
    mock.respond_with(template).mount(server).await;
}

fn link(server: &MockServer, offset: u64) -> Option<String> {
    Some(format!(
        "{}/v3/sessions/?limit=2&offset={offset}",
        server.uri()
    ))
}

/// Three pages of two rows: 1 2 | 3 4 | 5 6.
async fn three_pages() -> MockServer {
    let server = MockServer::start().await;
    serve(&server, None, ok(page([1, 2], link(&server, 2)))).await;
    serve(&server, Some(2), ok(page([3, 4], link(&server, 4)))).await;
    serve(&server, Some(4), ok(page([5, 6], None))).await;
    server
}

#[tokio::test]
async fn pages_and_items_follow_next_links_to_the_end() {
    let server = three_pages().await;
    let list = client(&server).sessions().list().limit(2);
    let pages: Vec<didit::Page> = list.clone().pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages[2].next.is_none());
    let rows: Vec<Session> = list.items().try_collect().await.unwrap();
    assert_eq!(numbers(&rows), [1, 2, 3, 4, 5, 6]);
    // The next links are followed as sent: the limit stays on the wire.
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.url.query().unwrap().contains("limit=2"))
    );
}

#[tokio::test]
async fn collect_at_most_stops_fetching_once_it_has_enough() {
    let server = three_pages().await;
    let rows = client(&server)
        .sessions()
        .list()
        .limit(2)
        .collect_at_most(3)
        .await
        .unwrap();
    assert_eq!(numbers(&rows), [1, 2, 3]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn max_rows_cuts_the_page_that_reaches_it_and_requests_nothing_past_it() {
    for concurrency in [1, 3] {
        let server = three_pages().await;
        let pages: Vec<didit::Page> = client(&server)
            .sessions()
            .list()
            .limit(2)
            .concurrency(concurrency)
            .max_rows(3)
            .pages()
            .try_collect()
            .await
            .unwrap();
        let sizes: Vec<usize> = pages.iter().map(|page| page.results.len()).collect();
        assert_eq!(sizes, [2, 1], "at concurrency {concurrency}");
        let requests = server.received_requests().await.unwrap();
        assert!(
            requests
                .iter()
                .all(|r| !r.url.query().unwrap().contains("offset=4")),
            "the third page starts past the rows wanted"
        );
    }
}

#[tokio::test]
async fn a_listing_that_reached_max_rows_reports_no_error_from_past_it() {
    let server = MockServer::start().await;
    // The first page links off the origin: an error, but only for rows
    // nobody asked for.
    serve(
        &server,
        None,
        ok(page(
            [1, 2],
            Some("https://elsewhere.invalid/v3/sessions/?offset=2".to_owned()),
        )),
    )
    .await;
    let rows: Vec<Session> = client(&server)
        .sessions()
        .list()
        .max_rows(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers(&rows), [1, 2]);
}

#[tokio::test]
async fn a_next_link_to_another_port_is_refused_and_that_port_gets_nothing() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([9], None)))
        .mount(&elsewhere)
        .await;
    serve(&server, None, ok(page([1, 2], link(&elsewhere, 2)))).await;

    let (rows, error) = drain(client(&server).sessions().list()).await;
    assert_eq!(numbers(&rows), [1, 2]);
    let error = error.expect("an error after the first page");
    let Error::Interrupted {
        resume_offset,
        rows_received,
        source,
        ..
    } = &error
    else {
        panic!("expected an interruption, got {error:?}")
    };
    assert_eq!((*resume_offset, *rows_received), (2, 2));
    assert!(
        matches!(**source, Error::NextLinkRefused { .. }),
        "{source:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_next_link_with_another_scheme_or_host_is_refused() {
    let server = MockServer::start().await;
    let port = server.address().port();
    for next in [
        format!("https://127.0.0.1:{port}/v3/sessions/?offset=2"),
        format!("http://localhost:{port}/v3/sessions/?offset=2"),
        "http://[::1:bad/v3/sessions/".to_owned(),
    ] {
        server.reset().await;
        serve(&server, None, ok(page([1], Some(next.clone())))).await;
        let (_, error) = drain(client(&server).sessions().list()).await;
        let error = error.expect("a refusal");
        assert!(
            matches!(error, Error::Interrupted { ref source, .. } if matches!(**source, Error::NextLinkRefused { .. })),
            "{next}: {error:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_repeated_next_link_ends_paging() {
    for concurrency in [1, 4] {
        let server = MockServer::start().await;
        serve(&server, None, ok(page([1], link(&server, 1)))).await;
        serve(&server, Some(1), ok(page([2], link(&server, 1)))).await;
        let list = client(&server).sessions().list().concurrency(concurrency);
        let (rows, error) = drain(list).await;
        assert_eq!(numbers(&rows), [1, 2]);
        let error = error.expect("a stall");
        assert!(
            matches!(error, Error::Interrupted { ref source, .. } if matches!(**source, Error::PaginationStalled { .. })),
            "{error:?}"
        );
        if concurrency == 1 {
            // Pages fetched ahead aside, nothing is requested after the stall.
            assert_eq!(server.received_requests().await.unwrap().len(), 2);
        }
    }
}

#[tokio::test]
async fn a_next_link_back_to_the_first_page_ends_paging() {
    let server = MockServer::start().await;
    let first = format!("{}/v3/sessions/?limit=1", server.uri());
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(page([1], Some(first))))
        .mount(&server)
        .await;
    let (_, error) = drain(client(&server).sessions().list().limit(1)).await;
    assert!(error.is_some());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_empty_page_with_a_next_link_ends_paging() {
    for concurrency in [1, 4] {
        let server = MockServer::start().await;
        serve(&server, None, ok(page([1], link(&server, 1)))).await;
        serve(&server, Some(1), ok(page([], link(&server, 2)))).await;
        serve(&server, Some(2), ok(page([3], None))).await;
        let list = client(&server).sessions().list().concurrency(concurrency);
        let (rows, error) = drain(list).await;
        assert_eq!(numbers(&rows), [1]);
        let error = error.expect("a stall");
        let Error::Interrupted { source, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(
            matches!(**source, Error::PaginationStalled { .. }),
            "{source:?}"
        );
        if concurrency == 1 {
            assert_eq!(server.received_requests().await.unwrap().len(), 2);
        }
    }
}

#[tokio::test]
async fn a_failure_mid_stream_yields_the_rows_so_far_then_where_to_resume() {
    let server = three_pages().await;
    server.reset().await;
    serve(&server, None, ok(page([1, 2], link(&server, 2)))).await;
    serve(&server, Some(2), ok(page([3, 4], link(&server, 4)))).await;
    serve(
        &server,
        Some(4),
        ResponseTemplate::new(403).set_body_json(serde_json::json!({"detail": "Key revoked."})),
    )
    .await;
    let (rows, error) = drain(client(&server).sessions().list().limit(2)).await;
    assert_eq!(numbers(&rows), [1, 2, 3, 4]);
    let error = error.expect("an error");
    assert_eq!(error.resume_offset(), Some(4));
    assert!(error.to_string().contains("offset 4"), "{error}");
    let Error::Interrupted {
        source,
        rows_received,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*rows_received, 4);
    assert!(matches!(**source, Error::Forbidden { .. }), "{source:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_failing_first_page_is_reported_as_it_is() {
    let server = MockServer::start().await;
    serve(&server, Some(10), ResponseTemplate::new(403)).await;
    let (rows, error) = drain(client(&server).sessions().list().offset(10)).await;
    assert!(rows.is_empty());
    assert!(matches!(error, Some(Error::Forbidden { .. })), "{error:?}");
}

/// A `session_kind=all` page body: KYC rows `kyc`, then KYB rows `kyb`.
fn mixed_page(kyc: &[i64], kyb: &[i64], next: Option<String>) -> serde_json::Value {
    let kyc = kyc
        .iter()
        .map(|n| serde_json::json!({"session_kind": "user", "session_number": n}));
    let kyb = kyb
        .iter()
        .map(|n| serde_json::json!({"session_kind": "business", "session_number": n}));
    let results: Vec<serde_json::Value> = kyc.chain(kyb).collect();
    serde_json::json!({"count": 0, "next": next, "previous": null, "results": results})
}

/// Every row of a `session_kind=all` listing, as session numbers with
/// their kind: `"U3"` for KYC row 3, `"B7"` for KYB row 7.
async fn all_rows(server: &MockServer, limit: Option<u32>, concurrency: usize) -> Vec<String> {
    let mut list = client(server)
        .sessions()
        .list()
        .session_kind(didit::SessionKindFilter::All)
        .concurrency(concurrency);
    if let Some(limit) = limit {
        list = list.limit(limit);
    }
    let rows: Vec<Session> = list.items().try_collect().await.unwrap();
    rows.iter()
        .map(|row| match row {
            Session::Kyc(row) => format!("U{}", row.session_number.unwrap()),
            Session::Kyb(row) => format!("B{}", row.session_number.unwrap()),
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn an_all_listing_lists_the_remaining_kyb_rows_once_the_kyc_links_end() {
    let server = MockServer::start().await;
    let all = |offset: Option<u64>| {
        let mock = Mock::given(path("/v3/sessions/")).and(query_param("session_kind", "all"));
        match offset {
            Some(offset) => mock.and(query_param("offset", offset.to_string())),
            None => mock.and(query_param_is_missing("offset")),
        }
    };
    let business = |offset: u64| {
        Mock::given(path("/v3/sessions/"))
            .and(query_param("session_kind", "business"))
            .and(query_param("limit", "2"))
            .and(query_param("offset", offset.to_string()))
    };
    // KYC rows 1..=3, KYB rows 11..=16; links follow the KYC side, as the
    // server's do, and end after the second page.
    let next_all = format!(
        "{}/v3/sessions/?limit=2&offset=2&session_kind=all",
        server.uri()
    );
    all(None)
        .respond_with(ok(mixed_page(&[1, 2], &[11, 12], Some(next_all))))
        .mount(&server)
        .await;
    all(Some(2))
        .respond_with(ok(mixed_page(&[3], &[13, 14], None)))
        .mount(&server)
        .await;
    let next_business = format!(
        "{}/v3/sessions/?limit=2&offset=6&session_kind=business",
        server.uri()
    );
    business(4)
        .respond_with(ok(mixed_page(&[], &[15, 16], Some(next_business))))
        .mount(&server)
        .await;
    business(6)
        .respond_with(ok(mixed_page(&[], &[], None)))
        .mount(&server)
        .await;

    for concurrency in [1, 3] {
        assert_eq!(
            all_rows(&server, Some(2), concurrency).await,
            ["U1", "U2", "B11", "B12", "U3", "B13", "B14", "B15", "B16"],
            "at concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn an_all_listing_ends_when_its_last_kyb_side_is_not_full() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .and(query_param("session_kind", "all"))
        .respond_with(ok(mixed_page(&[1], &[11], None)))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(all_rows(&server, Some(2), 1).await, ["U1", "B11"]);
    // Any further request would find no mock and fail the listing.
}

#[tokio::test]
async fn without_a_known_page_size_the_kyb_rows_go_on_from_the_last_one_received() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .and(query_param("session_kind", "all"))
        .respond_with(ok(mixed_page(&[1], &[11, 12], None)))
        .mount(&server)
        .await;
    Mock::given(path("/v3/sessions/"))
        .and(query_param("session_kind", "business"))
        .and(query_param("offset", "2"))
        .and(query_param_is_missing("limit"))
        .respond_with(ok(mixed_page(&[], &[], None)))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(all_rows(&server, None, 1).await, ["U1", "B11", "B12"]);
}
