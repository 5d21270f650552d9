//! Paging several pages at once: the rows, their order and the errors are
//! those of paging one page after the other; the client-wide rate limiter
//! keeps a fake server enforcing the API's window from ever answering 429.

use crate::common;

use std::time::Duration;

use common::{client, drain, numbers, ok};
use didit::{Error, Session, SessionKindFilter};
use didit_mock::{DiditMock, ListQuery};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn mock_client(mock: &DiditMock) -> didit::ClientBuilder {
    didit::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .retry_policy(didit::RetryPolicy::none())
}

/// Every row, or the error that ended the listing.
async fn export(list: didit::ListSessions) -> Vec<Session> {
    list.items().try_collect().await.expect("a complete export")
}

#[tokio::test]
async fn rows_come_in_server_order_whatever_the_concurrency() {
    let mock = DiditMock::builder().synthetic(700, 3).start().await;
    let client = mock_client(&mock).build().unwrap();
    for kind in [
        None,
        Some(SessionKindFilter::User),
        Some(SessionKindFilter::Business),
        Some(SessionKindFilter::All),
    ] {
        let mut list = client.sessions().list().limit(37);
        let mut query = "limit=37".to_owned();
        if let Some(kind) = kind {
            list = list.session_kind(kind);
            query.push_str(&format!("&session_kind={kind}"));
        }
        let expected = mock
            .store()
            .filter(&ListQuery::parse(&query).unwrap())
            .rows();
        let sequential = export(list.clone().concurrency(1)).await;
        assert_eq!(sequential.len(), expected.len(), "{kind:?}");
        if kind != Some(SessionKindFilter::All) {
            // With `all`, each page holds its KYC rows and then its KYB rows.
            assert_eq!(sequential, expected, "{kind:?}");
        }
        for concurrency in [2, 4, 9] {
            let rows = export(list.clone().concurrency(concurrency)).await;
            assert_eq!(rows, sequential, "{kind:?} at concurrency {concurrency}");
        }
    }
}

#[tokio::test]
async fn an_all_listing_yields_every_kyb_row_even_past_the_last_kyc_page() {
    let mock = DiditMock::builder().synthetic(700, 3).start().await;
    let client = mock_client(&mock).build().unwrap();
    // `didit_internal_id` narrows the KYC rows only (to one person's few
    // sessions), so the server's links, which follow the KYC side, end
    // after the first page, while every KYB row matches.
    let id = mock
        .store()
        .kyc()
        .iter()
        .find_map(|record| record.row.didit_internal_id.flatten())
        .unwrap();
    for limit in [Some(10_u32), None] {
        let mut list = client
            .sessions()
            .list()
            .session_kind(SessionKindFilter::All)
            .didit_internal_id(id);
        let mut query = format!("session_kind=all&didit_internal_id={id}");
        if let Some(limit) = limit {
            list = list.limit(limit);
            query.push_str(&format!("&limit={limit}"));
        }
        let matches = mock.store().filter(&ListQuery::parse(&query).unwrap());
        assert!(matches.kyc.len() < 10, "the KYC rows fit on one page");
        assert!(matches.kyb.len() > 50, "more KYB rows than one page holds");
        for concurrency in [1, 4] {
            let rows = export(list.clone().concurrency(concurrency)).await;
            assert_eq!(
                rows,
                matches.rows(),
                "limit {limit:?}, concurrency {concurrency}"
            );
        }
    }
}

#[tokio::test]
async fn the_offset_the_listing_starts_at_is_kept() {
    let mock = DiditMock::builder().synthetic(300, 5).start().await;
    let list = mock_client(&mock)
        .build()
        .unwrap()
        .sessions()
        .list()
        .limit(20)
        .offset(45);
    let sequential = export(list.clone().concurrency(1)).await;
    assert_eq!(sequential.len(), mock.store().kyc().len() - 45);
    assert_eq!(export(list.concurrency(4)).await, sequential);
}

#[tokio::test]
async fn collect_at_most_requests_no_page_past_the_rows_wanted() {
    let mock = DiditMock::builder().synthetic(500, 5).start().await;
    let rows = mock_client(&mock)
        .page_concurrency(8)
        .build()
        .unwrap()
        .sessions()
        .list()
        .limit(10)
        .collect_at_most(35)
        .await
        .unwrap();
    assert_eq!(rows.len(), 35);
    let offsets: Vec<String> = mock
        .requests()
        .iter()
        .map(|request| request.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(offsets.len(), 4, "{offsets:?}");
}

/// `n` KYC rows numbered from `first`, as one page.
fn rows(first: i64, n: i64, count: u64, next: Option<String>) -> Value {
    let results: Vec<Value> = (first..first + n)
        .map(|number| {
            json!({
                "session_kind": "user",
                "session_number": number,
                "session_id": format!("00000000-0000-4000-8000-{number:012}"),
            })
        })
        .collect();
    json!({"count": count, "next": next, "previous": null, "results": results})
}

/// Serves `pages` pages of two rows (numbered from 1), claiming `count`
/// rows in all; `answer` may replace the page at an offset.
async fn two_row_pages(
    pages: u64,
    count: u64,
    answer: impl Fn(&MockServer, u64) -> Option<ResponseTemplate>,
) -> MockServer {
    let server = MockServer::start().await;
    for page in 0..pages {
        let offset = page * 2;
        let next_offset = offset + 2;
        let next = (page + 1 < pages)
            .then(|| format!("{}/v3/sessions/?limit=2&offset={next_offset}", server.uri()));
        let template =
            answer(&server, offset).unwrap_or_else(|| ok(rows(offset as i64 + 1, 2, count, next)));
        let mock = Mock::given(path("/v3/sessions/"));
        let mock = if offset == 0 {
            mock.and(query_param_is_missing("offset"))
        } else {
            mock.and(query_param("offset", offset.to_string()))
        };
        mock.respond_with(template).mount(&server).await;
    }
    server
}

#[tokio::test]
async fn a_failure_mid_way_yields_every_row_before_it_and_where_to_resume() {
    let server = two_row_pages(10, 20, |_, offset| {
        (offset == 8).then(|| ResponseTemplate::new(503).set_delay(Duration::from_millis(50)))
    })
    .await;
    let list = client(&server).sessions().list().limit(2).concurrency(4);
    let (rows, error) = drain(list.clone()).await;
    assert_eq!(numbers(&rows), [1, 2, 3, 4, 5, 6, 7, 8]);
    let error = error.expect("an error");
    assert_eq!(error.resume_offset(), Some(8));
    let Error::Interrupted { rows_received, .. } = error else {
        panic!("{error:?}")
    };
    assert_eq!(rows_received, 8);

    // The same as one page after the other.
    let (sequential, error) = drain(list.concurrency(1)).await;
    assert_eq!(sequential, rows);
    assert_eq!(error.unwrap().resume_offset(), Some(8));
}

#[tokio::test]
async fn a_next_link_off_the_origin_mid_way_is_refused_under_concurrency() {
    let elsewhere = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(rows(100, 2, 20, None)))
        .mount(&elsewhere)
        .await;
    let away = format!("{}/v3/sessions/?limit=2&offset=6", elsewhere.uri());
    let server = two_row_pages(10, 20, |_, offset| {
        (offset == 4).then(|| ok(rows(5, 2, 20, Some(away.clone()))))
    })
    .await;
    let (rows, error) = drain(client(&server).sessions().list().limit(2).concurrency(4)).await;
    assert_eq!(numbers(&rows), [1, 2, 3, 4, 5, 6]);
    let error = error.expect("a refusal");
    assert_eq!(error.resume_offset(), Some(6));
    assert!(
        matches!(error, Error::Interrupted { ref source, .. } if matches!(**source, Error::NextLinkRefused { .. })),
        "{error:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn rows_added_past_the_count_are_reached_by_following_links() {
    // The first page counted 6 rows; by the third page there are 10.
    let server = two_row_pages(5, 6, |_, _| None).await;
    let rows = export(client(&server).sessions().list().limit(2).concurrency(4)).await;
    assert_eq!(numbers(&rows), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
}

#[tokio::test]
async fn a_list_that_shrank_ends_where_the_server_says() {
    // The count says 20 rows, but the third page is the last.
    let server = two_row_pages(10, 20, |_, offset| {
        (offset == 4).then(|| ok(rows(5, 2, 6, None)))
    })
    .await;
    let rows = export(client(&server).sessions().list().limit(2).concurrency(4)).await;
    assert_eq!(numbers(&rows), [1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn repeated_sessions_can_be_dropped_by_session_id() {
    // A session created during the listing pushed row 2 onto the second
    // page too.
    let server = two_row_pages(3, 6, |server, offset| {
        let next = format!("{}/v3/sessions/?limit=2&offset=4", server.uri());
        (offset == 2).then(|| ok(rows(2, 2, 6, Some(next))))
    })
    .await;
    let list = client(&server).sessions().list().limit(2);
    let all = export(list.clone()).await;
    assert_eq!(numbers(&all), [1, 2, 2, 3, 5, 6]);
    let unique = export(list.dedupe_by_session_id(true)).await;
    assert_eq!(numbers(&unique), [1, 2, 3, 5, 6]);
}

#[tokio::test]
async fn an_export_larger_than_the_window_meets_no_429() {
    let window = Duration::from_millis(700);
    let mock = DiditMock::builder()
        .synthetic(400, 11)
        .rate_limit(8)
        .rate_window(window)
        .start()
        .await;
    // Two clones of one client export at once: they share its limiter.
    let client = mock_client(&mock).rate_limit(8, window).build().unwrap();
    let list = client.sessions().list().limit(20).concurrency(4);
    let other = client.clone().sessions().list().limit(25).concurrency(4);
    let (rows, other_rows) = tokio::join!(export(list), export(other));
    assert_eq!(rows.len(), mock.store().kyc().len());
    assert_eq!(other_rows.len(), mock.store().kyc().len());
    let statuses = mock.statuses();
    assert_eq!(statuses.get(&429), None, "{statuses:?}");
    assert!(statuses[&200] > 2 * 8, "{statuses:?}");
}

#[tokio::test]
async fn the_limiter_follows_the_server_when_another_program_spends_the_budget() {
    let window = Duration::from_secs(1);
    let mock = DiditMock::builder()
        .synthetic(200, 11)
        .rate_limit(10)
        .rate_window(window)
        .start()
        .await;
    // Another program with the same key has spent 7 of the 10 requests.
    let other = mock_client(&mock).no_rate_limit().build().unwrap();
    for _ in 0..7 {
        other.sessions().list().limit(1).send().await.unwrap();
    }
    let client = mock_client(&mock).rate_limit(10, window).build().unwrap();
    let rows = export(client.sessions().list().limit(20).concurrency(4)).await;
    assert_eq!(rows.len(), mock.store().kyc().len());
    assert_eq!(mock.statuses().get(&429), None, "{:?}", mock.statuses());
}

#[tokio::test]
async fn without_the_limiter_the_server_answers_429() {
    let mock = DiditMock::builder()
        .synthetic(200, 11)
        .rate_limit(3)
        .start()
        .await;
    let client = mock_client(&mock).no_rate_limit().build().unwrap();
    let (_, error) = drain(client.sessions().list().limit(10).concurrency(1)).await;
    let error = error.expect("a 429");
    assert_eq!(
        error.status(),
        Some(didit::reqwest::StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(error.resume_offset(), Some(30));
}
