//! Against the real API, only when `DIDIT_API_KEY` is set; skipped otherwise.

#[tokio::test]
async fn the_first_page_of_the_real_api_decodes() {
    if std::env::var_os(didit::API_KEY_ENV).is_none() {
        eprintln!(
            "skipped: set {} to run against the real API",
            didit::API_KEY_ENV
        );
        return;
    }
    let client = didit::Client::from_env().expect("a client from the environment");
    let page = client
        .sessions()
        .list()
        .session_kind(didit::SessionKindFilter::All)
        .limit(5)
        .send()
        .await
        .expect("the first page");
    assert!(page.results.len() <= 10);
    assert!(page.count >= page.results.len() as i64);
}
