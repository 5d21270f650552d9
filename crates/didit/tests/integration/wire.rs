//! What goes on the wire: the path, every query parameter's encoding, and
//! the headers.

use crate::common;

use common::{KEY, client, ok, page};
use didit::{ApiService, NaiveDate, SessionKindFilter, SessionStatus, Uuid};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/sessions/"))
        .respond_with(ok(page([1], None)))
        .mount(&server)
        .await;
    server
}

/// The raw query string of the only request `server` received.
async fn raw_query(server: &MockServer) -> String {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests[0].url.query().unwrap_or("").to_owned()
}

#[tokio::test]
async fn every_parameter_is_encoded_as_the_api_expects() {
    let server = server().await;
    let workflow = Uuid::parse_str("9f9b1234-aaaa-bbbb-cccc-1234567890ab").unwrap();
    let person = Uuid::parse_str("d9e78474-6c8d-4f2a-bb90-6f5c2f3a1147").unwrap();
    let end_user = Uuid::parse_str("038ad62f-5ebd-46c2-afe9-4b2956bf687f").unwrap();
    client(&server)
        .sessions()
        .list()
        .session_kind(SessionKindFilter::All)
        .limit(25)
        .offset(50)
        .status([SessionStatus::Approved, SessionStatus::InReview])
        .vendor_data("user 42/ü")
        .search("José & María")
        .workflow_id([workflow, workflow])
        .date_from(NaiveDate::from_ymd_opt(2025, 1, 2).unwrap())
        .date_to(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
        .country(["ESP", "FRA"])
        .document_type(["P", "ID"])
        .document_name(["Spain - Id Card (2021)", "France - Passport"])
        .region(["California", "Île-de-France"])
        .didit_internal_id(person)
        .session_type(["API", "HOSTED"])
        .api_service(ApiService::DatabaseValidation)
        .screened_full_name("Zoë Ørsted")
        .warning(["POSSIBLE_FRAUD", "DOCUMENT_EXPIRED"])
        .status_initialized_as_in_review(true)
        .is_kyc_to_be_reviewed(false)
        .euuid(end_user)
        .organization_name(["Acme Holdings"])
        .send()
        .await
        .expect("the page");

    // Form encoding, as the generated client writes every query: spaces as
    // `+`, the commas between list values as `%2C` (servers decode both).
    let expected = [
        "api_service=DATABASE_VALIDATION",
        "country=ESP%2CFRA",
        "date_from=2025-01-02",
        "date_to=2025-12-31",
        "didit_internal_id=d9e78474-6c8d-4f2a-bb90-6f5c2f3a1147",
        "document_name=Spain+-+Id+Card+%282021%29%2CFrance+-+Passport",
        "document_type=P%2CID",
        "euuid=038ad62f-5ebd-46c2-afe9-4b2956bf687f",
        "is_kyc_to_be_reviewed=false",
        "limit=25",
        "offset=50",
        "organization_name=Acme+Holdings",
        "region=California%2C%C3%8Ele-de-France",
        "screened_full_name=Zo%C3%AB+%C3%98rsted",
        "search=Jos%C3%A9+%26+Mar%C3%ADa",
        "session_kind=all",
        "session_type=API%2CHOSTED",
        "status=Approved%2CIn+Review",
        "status_initialized_as_in_review=true",
        "vendor_data=user+42%2F%C3%BC",
        "warning=POSSIBLE_FRAUD%2CDOCUMENT_EXPIRED",
        "workflow_id=9f9b1234-aaaa-bbbb-cccc-1234567890ab%2C9f9b1234-aaaa-bbbb-cccc-1234567890ab",
    ];
    assert_eq!(
        expected.len(),
        22,
        "one entry per query parameter of the spec"
    );
    assert_eq!(raw_query(&server).await, expected.join("&"));
}

#[tokio::test]
async fn decoded_values_round_trip_through_a_standard_query_parser() {
    let server = server().await;
    client(&server)
        .sessions()
        .list()
        .search("a+b c,d")
        .status(["Awaiting User".into(), SessionStatus::KycExpired])
        .send()
        .await
        .expect("the page");
    let requests = server.received_requests().await.unwrap();
    let pairs: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("search".to_owned(), "a+b c,d".to_owned()),
            ("status".to_owned(), "Awaiting User,Kyc Expired".to_owned()),
        ]
    );
}

#[tokio::test]
async fn unset_parameters_are_not_sent() {
    let server = server().await;
    client(&server).sessions().list().send().await.unwrap();
    assert_eq!(raw_query(&server).await, "");
}

#[tokio::test]
async fn key_user_agent_and_accept_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/sessions/"))
        .and(header("x-api-key", KEY))
        .and(header(
            "user-agent",
            concat!("didit-rs/", env!("CARGO_PKG_VERSION")),
        ))
        .and(header("accept", "application/json"))
        .respond_with(ok(page([7], None)))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server).sessions().list().send().await.unwrap();
    assert_eq!(page.results.len(), 1);
}

#[tokio::test]
async fn rejected_input_sends_nothing() {
    let server = server().await;
    let list = client(&server).sessions().list();
    for (request, parameter) in [
        (list.clone().limit(0), "limit"),
        (list.clone().country(["ESP", ""]), "country"),
        (list.clone().status(["Approved,Declined"]), "status"),
        (list.clone().warning(Vec::<&str>::new()), "warning"),
    ] {
        match request.send().await {
            Err(didit::Error::InvalidInput { parameter: p, .. }) => assert_eq!(p, parameter),
            other => panic!("{parameter}: expected invalid input, got {other:?}"),
        }
    }
    let mut pages = list.clone().document_type(["P,ID"]).pages();
    use futures::StreamExt;
    assert!(matches!(
        pages.next().await,
        Some(Err(didit::Error::InvalidInput {
            parameter: "document_type",
            ..
        }))
    ));
    assert!(pages.next().await.is_none());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/didit/v3/sessions/"))
        .respond_with(ok(page([1], None)))
        .expect(1)
        .mount(&server)
        .await;
    let client = didit::Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/didit", server.uri()))
        .build()
        .unwrap();
    client.sessions().list().send().await.unwrap();
}
