//! Ordering, `limit`/`offset`, `count`, the `next`/`previous` links and
//! `session_kind`.

use crate::common;

use std::collections::HashSet;

use common::{get, get_url, ids, walk};
use didit_api::SessionKind;
use didit_api::types::{KybSession, KycSession};
use didit_mock::{DEFAULT_API_KEY, DiditMock, ListQuery, MockSession};
use serde_json::Value;

fn numbers(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .map(|row| row["session_number"].as_i64().unwrap())
        .collect()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).unwrap();
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[tokio::test]
async fn following_next_visits_every_matching_row_once() {
    let mock = DiditMock::builder()
        .synthetic(1500, 3)
        .rate_limit(0)
        .start()
        .await;
    for filter in ["", "status=Approved,Declined&", "country=ESP,USA,ES&"] {
        for kind in ["user", "business"] {
            let query = format!("{filter}session_kind={kind}");
            let expected = mock
                .store()
                .filter(&ListQuery::parse(&query).unwrap())
                .rows();
            let expected: Vec<String> = expected
                .iter()
                .map(|row| {
                    serde_json::to_value(row).unwrap()["session_id"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            assert!(!expected.is_empty());
            for limit in [1, 7, 50, 1000] {
                let (rows, pages) = walk(&mock, &format!("{query}&limit={limit}")).await;
                let seen = ids(&rows);
                assert_eq!(seen, expected, "{query} with limit {limit}");
                let unique: HashSet<&String> = seen.iter().collect();
                assert_eq!(unique.len(), seen.len(), "a row came twice");
                assert_eq!(pages.len(), expected.len().div_ceil(limit).max(1));
                for (index, page) in pages.iter().enumerate() {
                    assert!(page.results().len() <= limit);
                    // Every link keeps the filters and names the page exactly.
                    if let Some(next) = page.body["next"].as_str() {
                        assert_eq!(query_param(next, "session_kind").as_deref(), Some(kind));
                        assert_eq!(
                            query_param(next, "offset"),
                            Some(((index + 1) * limit).to_string())
                        );
                        assert_eq!(query_param(next, "limit"), Some(limit.to_string()));
                        if filter.starts_with("status") {
                            assert_eq!(
                                query_param(next, "status").as_deref(),
                                Some("Approved,Declined")
                            );
                        }
                    }
                    match page.body["previous"].as_str() {
                        None => assert_eq!(index, 0),
                        Some(previous) => {
                            assert!(previous.starts_with(&mock.sessions_url()));
                            let offset = query_param(previous, "offset")
                                .map(|o| o.parse::<usize>().unwrap())
                                .unwrap_or(0);
                            assert_eq!(offset, (index - 1) * limit);
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn rows_come_newest_first() {
    let mock = DiditMock::builder().synthetic(800, 9).start().await;
    for kind in ["user", "business"] {
        let (rows, _) = walk(&mock, &format!("session_kind={kind}&limit=1000")).await;
        let numbers = numbers(&rows);
        assert!(
            numbers.windows(2).all(|w| w[0] > w[1]),
            "{kind}: {numbers:?}"
        );
        let created: Vec<String> = rows
            .iter()
            .map(|r| r["created_at"].as_str().unwrap().to_owned())
            .collect();
        assert!(created.windows(2).all(|w| w[0] >= w[1]));
        assert!(rows.iter().all(|r| r["session_kind"] == kind));
    }
}

#[tokio::test]
async fn explicit_rows_are_sorted_by_session_number() {
    let rows = [5, 1, 9, 3].map(|n| {
        KycSession::new()
            .with_session_number(n)
            .with_session_id(uuid::Uuid::from_u128(n as u128))
    });
    let mock = DiditMock::builder().sessions(rows).start().await;
    let reply = get(&mock, "").await;
    assert_eq!(numbers(reply.results()), [9, 5, 3, 1]);
}

#[tokio::test]
async fn limit_offset_and_count() {
    let mock = DiditMock::builder().synthetic(300, 5).start().await;
    let kyc = mock.store().kyc().len() as u64;

    // The default page size is 50.
    let reply = get(&mock, "").await;
    assert_eq!(reply.results().len(), 50);
    assert_eq!(reply.body["count"], kyc);
    assert_eq!(reply.body["previous"], Value::Null);
    assert_eq!(
        reply.body["next"],
        format!("{}?limit=50&offset=50", mock.sessions_url())
    );

    let reply = get(&mock, "limit=10&offset=15").await;
    let expected: Vec<i64> = mock.store().kyc()[15..25]
        .iter()
        .map(|r| r.row.session_number.unwrap())
        .collect();
    assert_eq!(numbers(reply.results()), expected);
    assert_eq!(
        reply.body["previous"],
        format!("{}?limit=10&offset=5", mock.sessions_url())
    );

    // Close to the top, previous drops the offset.
    let reply = get(&mock, "limit=10&offset=4").await;
    assert_eq!(
        reply.body["previous"],
        format!("{}?limit=10", mock.sessions_url())
    );

    // Past the end: an empty page that still counts every row.
    let reply = get(&mock, &format!("offset={}", kyc + 5)).await;
    assert!(reply.results().is_empty());
    assert_eq!(reply.body["count"], kyc);
    assert_eq!(reply.body["next"], Value::Null);
}

#[tokio::test]
async fn max_limit_lowers_big_pages() {
    let mock = DiditMock::builder()
        .synthetic(300, 5)
        .max_limit(20)
        .start()
        .await;
    let reply = get(&mock, "limit=500").await;
    assert_eq!(reply.results().len(), 20);
    assert_eq!(
        query_param(reply.body["next"].as_str().unwrap(), "limit").as_deref(),
        Some("20")
    );
}

#[tokio::test]
async fn kyb_count_stops_at_100_but_next_reaches_every_row() {
    let mock = DiditMock::builder()
        .synthetic(2000, 5)
        .rate_limit(0)
        .start()
        .await;
    let kyb = mock.store().kyb().len();
    assert!(kyb > 100);
    let reply = get(&mock, "session_kind=business&limit=30").await;
    assert_eq!(reply.body["count"], 100);
    let (rows, pages) = walk(&mock, "session_kind=business&limit=30").await;
    assert_eq!(rows.len(), kyb);
    assert!(pages.iter().all(|page| page.body["count"] == 100));
}

fn kyc_row(n: i64) -> MockSession {
    KycSession::new()
        .with_session_id(uuid::Uuid::from_u128(n as u128))
        .with_session_kind(SessionKind::User)
        .with_session_number(n)
        .into()
}

fn kyb_row(n: i64) -> MockSession {
    KybSession::new(SessionKind::Business)
        .with_session_id(uuid::Uuid::from_u128(1000 + n as u128))
        .with_session_number(n)
        .into()
}

#[tokio::test]
async fn session_kind_all_gives_the_kyc_page_then_the_kyb_page() {
    let sessions: Vec<MockSession> = (1..=3).map(kyc_row).chain((1..=8).map(kyb_row)).collect();
    let mock = DiditMock::builder().sessions(sessions).start().await;

    let first = get(&mock, "session_kind=all&limit=2").await;
    let kinds: Vec<&str> = first
        .results()
        .iter()
        .map(|r| r["session_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["user", "user", "business", "business"]);
    assert_eq!(numbers(first.results()), [3, 2, 8, 7]);
    assert_eq!(first.body["count"], 3 + 8);
    let next = first.body["next"].as_str().unwrap();
    assert_eq!(query_param(next, "session_kind").as_deref(), Some("all"));

    // Links follow the KYC side: the second page ends the walk although KYB
    // rows remain (as documented).
    let second = get_url(next, Some(DEFAULT_API_KEY)).await;
    assert_eq!(numbers(second.results()), [1, 6, 5]);
    assert_eq!(second.body["next"], Value::Null);

    // Case does not matter.
    let upper = get(&mock, "session_kind=ALL&limit=2").await;
    assert_eq!(
        upper.body,
        first.body.clone().tap_next(|n| n.replace("all", "ALL"))
    );
}

/// Adjusts the `next` link of a page body.
trait TapNext {
    fn tap_next(self, f: impl Fn(&str) -> String) -> Self;
}

impl TapNext for Value {
    fn tap_next(mut self, f: impl Fn(&str) -> String) -> Self {
        if let Some(next) = self["next"].as_str() {
            self["next"] = Value::String(f(next));
        }
        self
    }
}

#[tokio::test]
async fn mixed_count_caps_only_the_kyb_part() {
    let mock = DiditMock::builder().synthetic(1200, 2).start().await;
    let kyc = mock.store().kyc().len() as u64;
    let reply = get(&mock, "session_kind=all&limit=5").await;
    assert_eq!(reply.body["count"], kyc + 100);
    assert_eq!(reply.results().len(), 10);
}

#[tokio::test]
async fn links_use_the_host_the_request_named() {
    let mock = DiditMock::builder().synthetic(100, 2).start().await;
    let response = common::client()
        .get(format!("{}?limit=5&status=Approved", mock.sessions_url()))
        .header("x-api-key", DEFAULT_API_KEY)
        .header("host", "api.example.test:8443")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["next"],
        "http://api.example.test:8443/v3/sessions/?limit=5&offset=5&status=Approved"
    );
}

#[tokio::test]
async fn documented_examples_are_served_as_documented() {
    let spec = didit_contract::Spec::load().unwrap();
    let examples = spec.examples();
    let mut checked = 0;
    for example in examples
        .iter()
        .filter(|e| e.operation_id == "list_sessions" && e.status == 200)
    {
        let page: didit_api::types::SessionPage =
            serde_json::from_value(example.value.clone()).unwrap();
        let kinds: HashSet<SessionKind> = page.results.iter().map(|r| r.kind()).collect();
        let query = if kinds.contains(&SessionKind::Business) {
            "session_kind=all"
        } else {
            ""
        };
        let sessions: Vec<MockSession> = page
            .results
            .into_iter()
            .map(|row| MockSession::try_from(row).unwrap())
            .collect();
        let mock = DiditMock::builder().sessions(sessions).start().await;
        let reply = get(&mock, query).await;
        let differences = didit_contract::json_differences(&example.value, &reply.body);
        assert!(
            differences.is_empty(),
            "{}: {}",
            example.name,
            differences
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} examples");
}
