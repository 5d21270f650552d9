//! Every attempt is traced, and neither the API key nor anything the
//! server sent shows in the trace, at any level.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{KEY, client, ok, page};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Personal data, in a query and in the server's answers.
const PERSONAL: &str = "Jane-Personal-Doe";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// One test in this file: it installs the process-wide subscriber, so the
// tasks of every runtime thread (and of reqwest and hyper) are captured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_are_traced_and_the_key_never_is() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(captured.clone())
        .init();

    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(500).set_body_string(PERSONAL))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let mut rows = page([1], None);
    rows["results"][0]["full_name"] = PERSONAL.into();
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(rows))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server);
    tracing::info!(?client, "the client");
    client
        .sessions()
        .list()
        .search(PERSONAL)
        .send()
        .await
        .unwrap();

    // The API's own message is shown; a key that is not a field name is
    // not.
    let forbidden = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "detail": "You do not have permission to perform this action.",
            PERSONAL: ["x"],
        })))
        .mount(&forbidden)
        .await;
    let error = common::client(&forbidden)
        .sessions()
        .list()
        .send()
        .await
        .unwrap_err();
    tracing::error!(?error, "the error");

    let undecodable = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .respond_with(ok(serde_json::json!({
            "count": 1, "next": null, "previous": null,
            "results": [{"session_number": PERSONAL}],
        })))
        .mount(&undecodable)
        .await;
    let error = common::client(&undecodable)
        .sessions()
        .list()
        .send()
        .await
        .unwrap_err();
    tracing::error!(%error, ?error, "the decode error");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !text.contains(KEY),
        "the key leaked into the trace:\n{text}"
    );
    for expected in [
        "didit.attempt",
        "http.method=GET",
        "url.path=/v3/sessions/",
        "attempt=1",
        "attempt=2",
        "http.status=500",
        "http.status=200",
        "http.status=403",
        "You do not have permission to perform this action.",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from the trace:\n{text}"
        );
    }
    // Queries and answers may hold personal data; spans carry the path
    // only, and errors never quote an answer.
    assert!(
        !text.contains(PERSONAL),
        "personal data leaked into the trace:\n{text}"
    );
    assert!(text.contains("results[0].session_number"), "{text}");
}
