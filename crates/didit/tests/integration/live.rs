//! Against the real API: opt-in, with a key in `DIDIT_API_KEY`
//! (`cargo test -p didit -- --ignored live`). Never run by CI.

#[tokio::test]
#[ignore = "needs DIDIT_API_KEY: calls the real Didit API"]
async fn the_first_page_of_the_real_api_decodes() {
    assert!(
        std::env::var_os(didit::API_KEY_ENV).is_some(),
        "set {} to run this check against the real API",
        didit::API_KEY_ENV
    );
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
