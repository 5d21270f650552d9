//! The review log: reading it page by page and adding notes, against the
//! fake server, and what its pager does with hostile links.

use crate::common::{self, KEY, client};
use didit::types::{NewSessionStatus, ReviewEntry};
use didit::{Error, ReviewOrdering, SessionStatus, Uuid};
use didit_mock::DiditMock;
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "11111111-2222-3333-4444-555555555555";
const LOG_PATH: &str = "/v3/sessions/11111111-2222-3333-4444-555555555555/reviews/";

fn mock_client(mock: &DiditMock) -> didit::Client {
    didit::Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .build()
        .unwrap()
}

/// A KYC session of the fake, finished In Review.
async fn in_review(client: &didit::Client, mock: &DiditMock) -> Uuid {
    let workflow = Uuid::parse_str("3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01").unwrap();
    let created = client.sessions().create(workflow).send().await.unwrap();
    mock.finish_session(created.session_id, SessionStatus::InReview)
        .unwrap();
    created.session_id
}

fn comments(entries: &[ReviewEntry]) -> Vec<Option<&str>> {
    entries.iter().map(ReviewEntry::comment).collect()
}

#[tokio::test]
async fn a_status_change_and_a_note_both_show_in_the_log_and_the_decision() {
    let mock = DiditMock::builder().start().await;
    let client = mock_client(&mock);
    let id = in_review(&client, &mock).await;
    client
        .sessions()
        .update_status(id, NewSessionStatus::Approved)
        .comment("documents match")
        .send()
        .await
        .unwrap();
    let review = client
        .sessions()
        .add_review(id)
        .new_status(SessionStatus::Declined)
        .comment("second look")
        .send()
        .await
        .unwrap();
    assert_eq!(review.metadata().status(), 201);
    assert_eq!(review.new_status(), Some(&SessionStatus::Declined));

    let page = client.sessions().reviews(id).send().await.unwrap();
    assert_eq!(page.count, 2);
    assert_eq!(
        comments(&page.results),
        [Some("second look"), Some("documents match")]
    );
    assert_eq!(
        page.results[1].previous_status(),
        Some(&SessionStatus::InReview)
    );
    let oldest_first: Vec<ReviewEntry> = client
        .sessions()
        .reviews(id)
        .ordering(ReviewOrdering::OldestFirst)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        comments(&oldest_first),
        [Some("documents match"), Some("second look")]
    );

    // The note labels the entry only: the session stays Approved.
    let decision = client.sessions().decision(id).send().await.unwrap();
    assert_eq!(decision.status(), &SessionStatus::Approved);
    let reviews = decision.reviews();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1].comment(), Some("second look"));
}

#[tokio::test]
async fn the_log_is_paged_to_its_end() {
    let mock = DiditMock::builder().start().await;
    let client = mock_client(&mock);
    let id = in_review(&client, &mock).await;
    for n in 0..5 {
        client
            .sessions()
            .add_review(id)
            .comment(format!("note {n}"))
            .send()
            .await
            .unwrap();
    }
    // An empty note is a note too.
    client.sessions().add_review(id).send().await.unwrap();

    let pages: Vec<_> = client
        .sessions()
        .reviews(id)
        .limit(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|page| page.count == 6));
    let entries: Vec<ReviewEntry> = pages
        .into_iter()
        .flat_map(|page| page.into_inner().results)
        .collect();
    let expected: Vec<Option<String>> = std::iter::once(None)
        .chain((0..5).rev().map(|n| Some(format!("note {n}"))))
        .collect();
    let got: Vec<Option<String>> = comments(&entries)
        .into_iter()
        .map(|comment| comment.map(str::to_owned))
        .collect();
    assert_eq!(got, expected);

    let from_the_middle: Vec<ReviewEntry> = client
        .sessions()
        .reviews(id)
        .limit(2)
        .offset(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(from_the_middle.len(), 3);
}

#[tokio::test]
async fn a_kyb_session_has_no_log() {
    let mock = DiditMock::builder().synthetic(40, 9).start().await;
    let client = mock_client(&mock);
    let kyb = mock.store().kyb()[0].row.session_id.unwrap();
    let error = client.sessions().reviews(kyb).send().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let error = client.sessions().add_review(kyb).send().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

fn entry(n: u8) -> serde_json::Value {
    json!({
        "uuid": format!("00000000-0000-0000-0000-0000000000{n:02}"),
        "activity_type": "COMMENT",
        "actor_type": "CONSOLE_USER",
        "created_at": "2026-06-12T00:18:44.504157Z",
    })
}

fn log_page(next: Option<String>, entries: &[u8]) -> ResponseTemplate {
    common::ok(json!({
        "count": 9,
        "next": next,
        "previous": null,
        "results": entries.iter().map(|n| entry(*n)).collect::<Vec<_>>(),
    }))
}

#[tokio::test]
async fn a_link_to_another_origin_is_refused_without_sending_the_key() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(path(LOG_PATH))
        .respond_with(log_page(
            Some(format!("{}{LOG_PATH}?limit=1&offset=1", elsewhere.uri())),
            &[1],
        ))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(log_page(None, &[2]))
        .mount(&elsewhere)
        .await;

    let session = Uuid::parse_str(SESSION).unwrap();
    let mut pages = client(&server).sessions().reviews(session).limit(1).pages();
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.results.len(), 1);
    let error = pages.try_next().await.unwrap_err();
    let Error::Interrupted {
        resume_offset,
        rows_received,
        source,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((*resume_offset, *rows_received), (1, 1));
    assert!(
        matches!(**source, Error::NextLinkRefused { .. }),
        "{source:?}"
    );
    assert!(pages.try_next().await.unwrap().is_none());
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert!(!format!("{error:?}{error}").contains(KEY));
}

#[tokio::test]
async fn a_repeated_link_stalls() {
    let server = MockServer::start().await;
    let again = format!("{}{LOG_PATH}?limit=1&offset=1", server.uri());
    Mock::given(method("GET"))
        .and(query_param("offset", "1"))
        .respond_with(log_page(Some(again.clone()), &[2]))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("offset"))
        .respond_with(log_page(Some(again), &[1]))
        .expect(1)
        .mount(&server)
        .await;

    let session = Uuid::parse_str(SESSION).unwrap();
    let mut items = client(&server).sessions().reviews(session).limit(1).items();
    assert!(items.try_next().await.unwrap().is_some());
    assert!(items.try_next().await.unwrap().is_some());
    let error = items.try_next().await.unwrap_err();
    let Error::Interrupted { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        matches!(**source, Error::PaginationStalled { .. }),
        "{source:?}"
    );
    assert!(items.try_next().await.unwrap().is_none());
}

#[tokio::test]
async fn a_zero_page_size_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let session = Uuid::parse_str(SESSION).unwrap();
    let error = client(&server)
        .sessions()
        .reviews(session)
        .limit(0)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidInput {
            parameter: "limit",
            ..
        }
    ));
    let mut pages = client(&server).sessions().reviews(session).limit(0).pages();
    assert!(matches!(
        pages.try_next().await,
        Err(Error::InvalidInput {
            parameter: "limit",
            ..
        })
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn a_note_shows_its_fields_but_not_their_values() {
    let client = didit::Client::builder().api_key(KEY).build().unwrap();
    let note = client
        .sessions()
        .add_review(Uuid::nil())
        .new_status(SessionStatus::InReview)
        .comment("call Jane Doe at +1 555 0100");
    let shown = format!("{note:?}");
    assert!(
        shown.contains("comment") && shown.contains("new_status"),
        "{shown}"
    );
    assert!(!shown.contains("Jane") && !shown.contains("555"), "{shown}");
}

#[tokio::test]
async fn an_empty_page_with_a_link_stalls_and_a_link_elsewhere_on_the_origin_is_refused() {
    let server = MockServer::start().await;
    let other_path = format!("{}/v3/sessions/?offset=1", server.uri());
    Mock::given(path(LOG_PATH))
        .and(query_param_is_missing("offset"))
        .respond_with(log_page(Some(other_path), &[1]))
        .mount(&server)
        .await;
    let session = Uuid::parse_str(SESSION).unwrap();
    let mut pages = client(&server).sessions().reviews(session).pages();
    pages.try_next().await.unwrap().unwrap();
    let error = pages.try_next().await.unwrap_err();
    let Error::Interrupted { source, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(
        matches!(**source, Error::NextLinkRefused { .. }),
        "{source:?}"
    );

    let server = MockServer::start().await;
    let next = format!("{}{LOG_PATH}?offset=5", server.uri());
    Mock::given(path(LOG_PATH))
        .respond_with(log_page(Some(next), &[]))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .sessions()
        .reviews(session)
        .items()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let Error::Interrupted {
        resume_offset,
        source,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*resume_offset, 5);
    assert!(
        matches!(**source, Error::PaginationStalled { .. }),
        "{source:?}"
    );
}

#[tokio::test]
async fn a_page_that_fails_part_way_tells_where_to_resume() {
    let server = MockServer::start().await;
    let next = format!("{}{LOG_PATH}?limit=2&offset=2", server.uri());
    Mock::given(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .mount(&server)
        .await;
    Mock::given(query_param_is_missing("offset"))
        .respond_with(log_page(Some(next), &[1, 2]))
        .mount(&server)
        .await;
    let session = Uuid::parse_str(SESSION).unwrap();
    let mut items = client(&server).sessions().reviews(session).limit(2).items();
    assert!(items.try_next().await.unwrap().is_some());
    assert!(items.try_next().await.unwrap().is_some());
    let error = items.try_next().await.unwrap_err();
    let Error::Interrupted {
        resume_offset,
        rows_received,
        source,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((*resume_offset, *rows_received), (2, 2));
    assert!(matches!(**source, Error::NotFound { .. }), "{source:?}");
}
