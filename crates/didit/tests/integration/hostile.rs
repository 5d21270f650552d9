//! Whatever a server answers — any status, header, link or body — every
//! entry point (the listing's `send`, `pages` and `items`; create, decision,
//! status update, delete, delete many, the review log's `send` and `items`,
//! adding a note, and the PDF report) returns what it asked for or a typed
//! error within the client's time limits, never panics, never repeats the
//! answer's content in an error message, and never succeeds on an answer
//! longer than the client's size limit nor hands out more of one.
//!
//! Cases default to a modest number; `PROPTEST_CASES` raises it.

use std::future::Future;
use std::time::Duration;

use didit::{Client, Error, ListSessions, Uuid};
use didit_mock::hostile::{Answer, PERSONAL, answer, lifecycle_answer, serve};
use futures::{Stream, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::KEY;

/// The session the lifecycle operations are asked about.
const SESSION: Uuid = Uuid::from_u128(0x1111_1111_2222_3333_4444_5555_5555_5555);

/// The lifecycle operations as these tests call them, one line each.
mod call {
    use didit::types::{CreatedSession, NewSessionStatus, SessionDecision, SessionStatusUpdated};
    use didit::{Client, PdfReport, Reply, Result, Uuid};

    pub async fn create(client: &Client) -> Result<CreatedSession> {
        client
            .sessions()
            .create(Uuid::nil())
            .send()
            .await
            .map(Reply::into_inner)
    }

    pub async fn decision(client: &Client, session: Uuid) -> Result<SessionDecision> {
        client
            .sessions()
            .decision(session)
            .send()
            .await
            .map(Reply::into_inner)
    }

    pub async fn update_status(client: &Client, session: Uuid) -> Result<SessionStatusUpdated> {
        let status = NewSessionStatus::Approved;
        client
            .sessions()
            .update_status(session, status)
            .send()
            .await
            .map(Reply::into_inner)
    }

    pub async fn delete(client: &Client, session: Uuid) -> Result<()> {
        client.sessions().delete(session).send().await.map(drop)
    }

    pub async fn delete_many(client: &Client, numbers: &[u64]) -> Result<()> {
        client
            .sessions()
            .delete_many(numbers.iter().copied())
            .send()
            .await
            .map(drop)
    }

    pub async fn pdf(client: &Client, session: Uuid) -> Result<PdfReport> {
        client.sessions().pdf(session).send().await
    }
}

/// Longest an attempt and an operation may take in these tests.
const ATTEMPT: Duration = Duration::from_millis(800);
const OPERATION: Duration = Duration::from_secs(2);
/// What a caller waits, at most, for one result: the operation limit and
/// some room for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(10);
/// The most bytes of one answer the clients here read; some answers are
/// longer.
const LIMIT: u64 = 64 * 1024;

/// A runtime and a server of its own for one property test, so that the
/// tests can run side by side.
fn start() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime.block_on(MockServer::start());
    (runtime, server)
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .attempt_timeout(ATTEMPT)
        .operation_timeout(OPERATION)
        .max_response_bytes(LIMIT)
        .retry_policy(
            didit::RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("a client")
}

/// Checks an error: typed, and free of the answer's content.
fn check_error(entry: &str, error: &Error) -> Result<(), TestCaseError> {
    let shown = format!("{error} {error:?}");
    prop_assert!(
        !shown.contains(PERSONAL),
        "{entry}: an error repeats the answer's content: {shown}"
    );
    prop_assert!(!shown.contains(KEY), "{entry}: an error shows the API key");
    Ok(())
}

/// Awaits one result within the caller's patience.
async fn within_patience<T>(
    entry: &str,
    result: impl Future<Output = T>,
) -> Result<T, TestCaseError> {
    tokio::time::timeout(PATIENCE, result)
        .await
        .map_err(|_| TestCaseError::fail(format!("{entry}: no result within {PATIENCE:?}")))
}

/// Drains a stream, each item within the caller's patience, checking errors
/// and handing every item to `inspect`; returns whether it ended with an
/// error.
async fn drain<T>(
    entry: &str,
    stream: impl Stream<Item = didit::Result<T>> + Unpin,
    mut inspect: impl FnMut(&T) -> Result<(), TestCaseError>,
) -> Result<bool, TestCaseError> {
    let mut stream = stream;
    let mut failed = false;
    // A walk over at most a handful of answers yields fewer items than this.
    for _ in 0..100_000 {
        match within_patience(entry, stream.next()).await? {
            None => return Ok(failed),
            Some(Ok(item)) => inspect(&item)?,
            Some(Err(error)) => {
                check_error(entry, &error)?;
                failed = true;
            }
        }
    }
    Err(TestCaseError::fail(format!(
        "{entry}: the stream does not end"
    )))
}

/// Checks an operation of one request (and its retries) that succeeded:
/// the answer it succeeded on, the last one served, was not longer than the
/// client reads.
async fn check_success_within_limit(
    entry: &str,
    server: &MockServer,
    answers: &[Answer],
) -> Result<(), TestCaseError> {
    let served = server
        .received_requests()
        .await
        .map_or(0, |requests| requests.len());
    // Past the answers, the server's own 404 has no body.
    let Some(last) = served.checked_sub(1).and_then(|index| answers.get(index)) else {
        return Ok(());
    };
    // These statuses carry no body, whatever the answer holds.
    let bodiless = matches!(last.status(), 204 | 205 | 304);
    let length = last.body(&server.uri()).len() as u64;
    prop_assert!(
        bodiless || length <= LIMIT,
        "{entry}: succeeded on a {} answer of {length} bytes, over the {LIMIT}-byte limit",
        last.status()
    );
    Ok(())
}

async fn run_case(server: &MockServer, answers: &[Answer]) -> Result<(), TestCaseError> {
    let list = |client: &Client| -> ListSessions { client.sessions().list().limit(2) };

    serve(server, answers).await;
    match within_patience("send", list(&client(server)).send()).await? {
        Err(error) => check_error("send", &error)?,
        Ok(_) => check_success_within_limit("send", server, answers).await?,
    }

    serve(server, answers).await;
    drain("pages", list(&client(server)).pages(), |_| Ok(())).await?;

    serve(server, answers).await;
    drain("items", list(&client(server)).items(), |_| Ok(())).await?;
    Ok(())
}

/// Runs one lifecycle operation against `answers` and checks its outcome.
async fn check_operation<F>(
    entry: &str,
    server: &MockServer,
    answers: &[Answer],
    operation: impl FnOnce(Client) -> F,
) -> Result<(), TestCaseError>
where
    F: Future<Output = didit::Result<()>>,
{
    serve(server, answers).await;
    match within_patience(entry, operation(client(server))).await? {
        Err(error) => check_error(entry, &error),
        Ok(()) => check_success_within_limit(entry, server, answers).await,
    }
}

async fn run_lifecycle_case(server: &MockServer, answers: &[Answer]) -> Result<(), TestCaseError> {
    check_operation("create", server, answers, |client| async move {
        call::create(&client).await.map(drop)
    })
    .await?;
    check_operation("decision", server, answers, |client| async move {
        call::decision(&client, SESSION).await.map(drop)
    })
    .await?;
    check_operation("update status", server, answers, |client| async move {
        call::update_status(&client, SESSION).await.map(drop)
    })
    .await?;
    check_operation("delete", server, answers, |client| async move {
        call::delete(&client, SESSION).await
    })
    .await?;
    check_operation("delete many", server, answers, |client| async move {
        call::delete_many(&client, &[43762, 43763]).await
    })
    .await?;
    check_operation("add review", server, answers, |client| async move {
        let note = client.sessions().add_review(SESSION).comment("checked");
        note.send().await.map(drop)
    })
    .await?;
    check_operation("review log", server, answers, |client| async move {
        client.sessions().reviews(SESSION).send().await.map(drop)
    })
    .await?;
    serve(server, answers).await;
    let log = client(server).sessions().reviews(SESSION).items();
    drain("review log items", log, |_| Ok(())).await?;

    serve(server, answers).await;
    let report = match within_patience("pdf", call::pdf(&client(server), SESSION)).await? {
        Ok(report) => report,
        Err(error) => return check_error("pdf", &error),
    };
    let shown = format!("{report:?}");
    prop_assert!(!shown.contains(PERSONAL), "pdf: the report shows {shown}");
    let mut handed_out: u64 = 0;
    let mut start: Vec<u8> = Vec::new();
    let failed = drain("pdf stream", report.into_stream(), |chunk| {
        handed_out += chunk.len() as u64;
        start.extend(chunk.iter().take(5usize.saturating_sub(start.len())));
        prop_assert!(
            handed_out <= LIMIT,
            "pdf stream: {handed_out} bytes handed out, over the {LIMIT}-byte limit"
        );
        Ok(())
    })
    .await?;
    if !failed {
        prop_assert_eq!(
            &start[..],
            &b"%PDF-"[..],
            "pdf stream: a whole report is a PDF"
        );
        check_success_within_limit("pdf", server, answers).await?;
    }
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(32);
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

#[test]
fn no_answer_crashes_hangs_or_leaks() {
    let (runtime, server) = start();
    proptest!(config(), |(answers in prop::collection::vec(answer(), 1..5))| {
        runtime.block_on(run_case(&server, &answers))?;
    });
}

#[test]
fn no_answer_to_a_lifecycle_operation_crashes_hangs_leaks_or_overflows() {
    let (runtime, server) = start();
    proptest!(config(), |(answers in prop::collection::vec(lifecycle_answer(), 1..4))| {
        runtime.block_on(run_lifecycle_case(&server, &answers))?;
    });
}

/// The cases that matter most, spelled out.
mod examples {
    use super::*;
    use crate::common::{self, drain, ok, page};
    use wiremock::matchers::{any, path, query_param};

    #[tokio::test]
    async fn a_next_link_to_another_path_is_refused() {
        let server = MockServer::start().await;
        let next = format!("{}/v3/other/?offset=1", server.uri());
        Mock::given(path("/v3/sessions/"))
            .respond_with(ok(page([1], Some(next))))
            .mount(&server)
            .await;
        let (rows, error) = drain(common::client(&server).sessions().list().limit(1)).await;
        assert_eq!(rows.len(), 1);
        let Some(Error::Interrupted { source, .. }) = &error else {
            panic!("expected an interruption, got {error:?}")
        };
        assert!(
            matches!(**source, Error::NextLinkRefused { reason, .. } if reason.contains("another path")),
            "{source:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn offsets_at_the_end_of_the_range_do_not_overflow() {
        for offset in [u64::MAX - 1, u64::MAX] {
            let server = MockServer::start().await;
            let next = format!("{}/v3/sessions/?limit=1&offset={offset}", server.uri());
            Mock::given(query_param("offset", offset.to_string()))
                .respond_with(ok(page([1], None)))
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(path("/v3/sessions/"))
                .respond_with(ok(json!({
                    "count": i64::MAX, "next": next, "previous": null,
                    "results": [{"session_number": 2}],
                })))
                .with_priority(2)
                .mount(&server)
                .await;
            let (rows, error) = drain(common::client(&server).sessions().list().limit(1)).await;
            assert!(error.is_none(), "{offset}: {error:?}");
            assert_eq!(common::numbers(&rows), [2, 1], "{offset}");
        }
    }

    #[tokio::test]
    async fn a_link_with_a_repeated_offset_is_followed_as_given() {
        let server = MockServer::start().await;
        let next = format!("{}/v3/sessions/?limit=1&offset=1&offset=5", server.uri());
        Mock::given(query_param("offset", "5"))
            .respond_with(ok(page([1], None)))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/v3/sessions/"))
            .respond_with(ok(json!({
                "count": 2, "next": next, "previous": null, "results": [{"session_number": 2}],
            })))
            .with_priority(2)
            .mount(&server)
            .await;
        let (rows, error) = drain(common::client(&server).sessions().list().limit(1)).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(common::numbers(&rows), [2, 1]);
        let requested: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|request| request.url.query().unwrap_or("").to_owned())
            .collect();
        assert_eq!(requested, ["limit=1", "limit=1&offset=1&offset=5"]);
    }

    /// A list without end: every page holds one row, links to the next
    /// and claims `count: i64::MAX`.
    struct EndlessList {
        base: String,
    }

    impl wiremock::Respond for EndlessList {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            let offset: u64 = request
                .url
                .query_pairs()
                .find(|(name, _)| name == "offset")
                .and_then(|(_, value)| value.parse().ok())
                .unwrap_or(0);
            let next = format!("{}/v3/sessions/?limit=1&offset={}", self.base, offset + 1);
            ok(json!({
                "count": i64::MAX, "next": next, "previous": null,
                "results": [{"session_number": offset + 1}],
            }))
        }
    }

    #[tokio::test]
    async fn a_huge_count_puts_no_more_pages_on_their_way_than_the_cap() {
        let server = MockServer::start().await;
        Mock::given(path("/v3/sessions/"))
            .respond_with(EndlessList { base: server.uri() })
            .mount(&server)
            .await;
        let rows: Vec<didit::Result<didit::Session>> = common::client(&server)
            .sessions()
            .list()
            .limit(1)
            .concurrency(1_000)
            .items()
            .take(40)
            .collect()
            .await;
        assert!(rows.iter().all(Result::is_ok), "{rows:?}");
        // One page per row, and at most the cap more on their way when the
        // listing was dropped.
        let requested = server.received_requests().await.unwrap().len();
        assert!(
            requested <= 40 + didit::MAX_PAGE_CONCURRENCY,
            "{requested} requests"
        );
    }

    /// A client that reads at most [`LIMIT`] bytes of an answer, with the
    /// default timeouts and retries.
    fn limited(base: &str) -> Client {
        Client::builder()
            .api_key(KEY)
            .base_url(base)
            .max_response_bytes(LIMIT)
            .build()
            .expect("a client")
    }

    /// A server on 127.0.0.1 that answers every request with `status` and
    /// a chunked PDF body without end (no `Content-Length` to refuse it
    /// by), until the client hangs up.
    async fn endless_pdf(status: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !request.windows(4).any(|end| end == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => request.extend_from_slice(&buffer[..read]),
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/pdf\r\n\
                         transfer-encoding: chunked\r\n\r\n"
                    );
                    let mut chunk = b"%PDF-1.7\n".to_vec();
                    chunk.resize(4096, b' ');
                    let mut framed = head.into_bytes();
                    loop {
                        framed.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                        framed.extend_from_slice(&chunk);
                        framed.extend_from_slice(b"\r\n");
                        if socket.write_all(&framed).await.is_err() {
                            return;
                        }
                        framed.clear();
                    }
                });
            }
        });
        base
    }

    #[tokio::test]
    async fn a_report_without_end_is_cut_off_at_the_limit() {
        let base = endless_pdf("200 OK").await;
        let report = call::pdf(&limited(&base), SESSION).await.unwrap();
        let mut chunks = report.into_stream();
        let mut received = 0;
        let mut error = None;
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(chunk) => received += chunk.len() as u64,
                Err(failure) => error = Some(failure),
            }
        }
        assert!(received <= LIMIT, "{received} bytes handed out");
        assert!(
            matches!(error, Some(Error::ResponseTooLarge { limit: LIMIT, .. })),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_success_the_report_does_not_expect_is_read_within_the_limit() {
        // Announced too long, or without end: either way refused, never
        // read whole.
        let base = endless_pdf("206 Partial Content").await;
        let error = call::pdf(&limited(&base), SESSION).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: LIMIT, status, .. } if status == 206),
            "{error:?}"
        );
        let server = MockServer::start().await;
        Mock::given(path(format!("/v3/session/{SESSION}/generate-pdf/")))
            .respond_with(
                ResponseTemplate::new(206).set_body_raw(vec![b'%'; 100_000], "application/pdf"),
            )
            .mount(&server)
            .await;
        let error = call::pdf(&limited(&server.uri()), SESSION)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: LIMIT, status, .. } if status == 206),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_report_shorter_than_the_pdf_signature_is_not_a_pdf() {
        for body in [&b""[..], b"%PD"] {
            let server = MockServer::start().await;
            Mock::given(path(format!("/v3/session/{SESSION}/generate-pdf/")))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/pdf"))
                .mount(&server)
                .await;
            let report = call::pdf(&common::client(&server), SESSION).await.unwrap();
            let items: Vec<didit::Result<bytes::Bytes>> = report.into_stream().collect().await;
            assert!(
                matches!(items.last(), Some(Err(Error::Decode { .. }))),
                "{body:?}: {items:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_delete_answered_with_any_success_status_succeeds() {
        let answers = [
            ResponseTemplate::new(200).set_body_json(json!({"detail": "deleted"})),
            ResponseTemplate::new(202),
            ResponseTemplate::new(204),
        ];
        for answer in answers {
            let server = MockServer::start().await;
            Mock::given(any()).respond_with(answer).mount(&server).await;
            let client = common::client(&server);
            call::delete(&client, SESSION).await.unwrap();
            call::delete_many(&client, &[43762, 43763]).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_delete_answered_with_a_body_over_the_limit_reads_no_further() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(vec![b' '; 100_000], "application/json"),
            )
            .mount(&server)
            .await;
        let client = limited(&server.uri());
        for error in [
            call::delete(&client, SESSION).await.unwrap_err(),
            call::delete_many(&client, &[43762]).await.unwrap_err(),
        ] {
            assert!(
                matches!(error, Error::ResponseTooLarge { limit: LIMIT, .. }),
                "{error:?}"
            );
        }
    }

    #[tokio::test]
    async fn an_absurd_retry_after_fails_at_once_with_what_was_asked() {
        let server = MockServer::start().await;
        Mock::given(path("/v3/sessions/"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", u64::MAX.to_string().as_str()),
            )
            .mount(&server)
            .await;
        let error = common::client(&server)
            .sessions()
            .list()
            .send()
            .await
            .unwrap_err();
        let Error::RateLimited { rate_limit, .. } = &error else {
            panic!("expected RateLimited, got {error:?}")
        };
        assert_eq!(rate_limit.retry_after, Some(Duration::from_secs(u64::MAX)));
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}
