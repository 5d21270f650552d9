//! The wire contract, checked with wiremock: what the facade sends for each
//! query parameter of `list_sessions`, and what it makes of each documented
//! answer.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use didit::reqwest::StatusCode;
use didit::types::{ApiError, SessionPage};
use didit::{Client, Error, RetryPolicy, SessionStatus};
use didit_contract::drift::complete_instance;
use didit_contract::property::{self, DEFAULT_CASES};
use didit_contract::wire::{
    CapturedRequest, Filter, PARAMETERS, check_request, filters, spec_parameters, spec_path,
    spec_says_comma_list,
};
use didit_contract::{Spec, decode, escape_pointer};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const REGRESSIONS: Option<&str> = Some("proptest-regressions/wire.txt");
const API_KEY: &str = "contract-test-key";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A client for `server` that neither retries nor paces itself, so each call
/// is one request, sent at once.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .no_rate_limit()
        .build()
        .unwrap()
}

/// Answers every request with an empty page and keeps the last request.
#[derive(Clone, Default)]
struct EmptyPages {
    last: Arc<Mutex<Option<CapturedRequest>>>,
}

impl Respond for EmptyPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        *self.last.lock().unwrap() = Some(CapturedRequest::from(request));
        ResponseTemplate::new(200)
            .set_body_json(json!({"count": 0, "next": null, "previous": null, "results": []}))
    }
}

impl EmptyPages {
    /// The last request received, forgetting it.
    fn take(&self) -> Option<CapturedRequest> {
        self.last.lock().unwrap().take()
    }
}

async fn serve_empty_pages() -> (MockServer, EmptyPages) {
    // Each property case checks one request; recording them all would make
    // every case slower than the one before.
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let responder = EmptyPages::default();
    Mock::given(any())
        .respond_with(responder.clone())
        .mount(&server)
        .await;
    (server, responder)
}

#[test]
fn every_parameter_of_the_spec_has_a_typed_setter_and_lists_are_the_spec_lists() {
    let spec = Spec::load().unwrap();
    let in_spec = spec_parameters(&spec);
    let covered: BTreeSet<&str> = PARAMETERS.iter().map(|(name, _)| *name).collect();
    let mut problems = Vec::new();
    for name in in_spec.keys() {
        if !covered.contains(name.as_str()) {
            problems.push(format!(
                "the spec's query parameter `{name}` has no case in didit_contract::wire::Filter (and perhaps no setter in the facade)"
            ));
        }
    }
    for (name, is_list) in PARAMETERS {
        match in_spec.get(*name) {
            None => problems.push(format!("`{name}` is not a query parameter of the spec")),
            Some(parameter) if spec_says_comma_list(parameter) != *is_list => {
                problems.push(format!(
                    "`{name}`: the spec {} it a comma list",
                    if *is_list { "does not call" } else { "calls" }
                ))
            }
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn generated_filters_go_out_exactly_as_the_spec_describes() {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let (server, requests) = runtime.block_on(serve_empty_pages());
    let client = client(&server);
    let outcome = property::check(
        "the query `list_sessions` sends",
        REGRESSIONS,
        DEFAULT_CASES,
        filters(),
        |filters| {
            let request = filters
                .iter()
                .fold(client.sessions().list(), |request, filter| {
                    filter.apply(request)
                });
            runtime
                .block_on(request.send())
                .map_err(|error| format!("the request failed: {error}"))?;
            let sent = requests.take().ok_or("no request reached the server")?;
            check_request(&spec, &sent, &filters, API_KEY)
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// The spec's rule for `document_name`: one name holding a comma (and at
/// most one ` - `) is matched whole, so it goes out whole.
#[test]
fn a_single_document_name_with_a_comma_goes_out_whole() {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let (server, requests) = runtime.block_on(serve_empty_pages());
    let filter = Filter::DocumentName(vec!["Spain - Id Card, 2021".to_owned()]);
    runtime
        .block_on(filter.apply(client(&server).sessions().list()).send())
        .unwrap();
    check_request(&spec, &requests.take().unwrap(), &[filter], API_KEY).unwrap();
}

/// Values the spec gives no way to send (a list value with a comma, which
/// the server would split; an empty list; `limit` below its minimum) are
/// refused before anything is sent, naming the parameter.
#[test]
fn values_the_spec_cannot_carry_are_refused_before_sending() {
    let runtime = runtime();
    let (server, requests) = runtime.block_on(serve_empty_pages());
    let client = client(&server);
    let list_item_with_comma = |name: &str| -> Filter {
        let values = vec!["first".to_owned(), "a,b".to_owned()];
        match name {
            "status" => Filter::Status(
                values
                    .iter()
                    .map(|v| SessionStatus::from(v.as_str()))
                    .collect(),
            ),
            "country" => Filter::Country(values),
            "document_type" => Filter::DocumentType(values),
            "document_name" => Filter::DocumentName(values),
            "region" => Filter::Region(values),
            "session_type" => Filter::SessionType(values),
            "warning" => Filter::Warning(values),
            "organization_name" => Filter::OrganizationName(values),
            "workflow_id" => Filter::WorkflowId(Vec::new()),
            other => panic!("no bad value for the list parameter `{other}`"),
        }
    };
    let mut refused: Vec<Filter> = PARAMETERS
        .iter()
        .filter(|(_, is_list)| *is_list)
        .map(|(name, _)| list_item_with_comma(name))
        .collect();
    refused.push(Filter::Country(Vec::new()));
    refused.push(Filter::Region(vec![String::new()]));
    refused.push(Filter::Limit(0));
    let mut problems = Vec::new();
    for filter in refused {
        match runtime.block_on(filter.apply(client.sessions().list()).send()) {
            Err(Error::InvalidInput { parameter, .. }) if parameter == filter.name() => {}
            other => problems.push(format!(
                "{filter:?}: expected InvalidInput for `{}`, got {other:?}",
                filter.name()
            )),
        }
    }
    assert!(requests.take().is_none(), "a request was sent");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The documented headers of a response, with values, and how the facade
/// reports each.
fn header_values(response: &Value) -> Vec<(String, u64)> {
    let headers = response.get("headers").and_then(Value::as_object);
    headers
        .into_iter()
        .flat_map(|headers| headers.keys())
        .zip([7u64, 600, 599, 1_767_225_600])
        .map(|(name, value)| (name.clone(), value))
        .collect()
}

fn rate_limit_field(rate_limit: &didit::RateLimit, header: &str) -> Option<Option<u64>> {
    Some(match header.to_ascii_lowercase().as_str() {
        "x-ratelimit-limit" => rate_limit.limit,
        "x-ratelimit-remaining" => rate_limit.remaining,
        "x-ratelimit-reset" => rate_limit.reset,
        "retry-after" => rate_limit.retry_after.map(|after| after.as_secs()),
        _ => return None,
    })
}

/// What the spec implies the facade makes of an answer with `status` and
/// `body`: `Ok` when it does.
fn matches_spec(
    status: u16,
    body: &Value,
    outcome: &Result<didit::Page, Error>,
) -> Result<(), String> {
    let detail = body
        .get("detail")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match (status, outcome) {
        (200, Ok(page)) => {
            let expected: SessionPage = decode(body)?;
            let actual = (page.count, &page.next, &page.previous, &page.results);
            if actual
                == (
                    expected.count,
                    &expected.next,
                    &expected.previous,
                    &expected.results,
                )
            {
                Ok(())
            } else {
                Err(format!("the page differs from the body: {page:?}"))
            }
        }
        (403, Err(Error::Forbidden { body: got, .. })) if got.detail() == detail => Ok(()),
        (429, Err(Error::RateLimited { body: got, .. })) if got.detail() == detail => Ok(()),
        (
            400,
            Err(Error::Api {
                status, body: got, ..
            }),
        ) if *status == StatusCode::BAD_REQUEST => {
            let expected: ApiError = decode(body)?;
            if got.api_error() == Some(&expected) {
                Ok(())
            } else {
                Err(format!("the error body differs: {got:?}"))
            }
        }
        (200 | 400 | 403 | 429, other) => Err(format!("unexpected outcome {other:?}")),
        (other, _) => Err(format!(
            "the spec documents status {other}, for which this test knows no expected outcome: add one"
        )),
    }
}

#[test]
fn each_documented_status_maps_to_the_outcome_the_spec_implies() {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let operation_pointer = "/paths/".to_owned() + &escape_pointer(&spec_path(&spec)) + "/get";
    let responses = spec
        .json
        .pointer(&format!("{operation_pointer}/responses"))
        .and_then(Value::as_object)
        .unwrap();
    let examples = spec.examples();
    let mut problems = Vec::new();
    for (status, response) in responses {
        let status: u16 = status.parse().unwrap();
        let schema_pointer =
            format!("{operation_pointer}/responses/{status}/content/application~1json/schema");
        let mut bodies: Vec<Value> = examples
            .iter()
            .filter(|example| example.pointer.starts_with(&operation_pointer))
            .filter(|example| example.status == status)
            .map(|example| example.value.clone())
            .collect();
        if bodies.is_empty() {
            bodies.push(complete_instance(&spec, &schema_pointer));
        }
        let headers = header_values(response);
        for body in bodies {
            let outcome = runtime.block_on(async {
                let server = MockServer::start().await;
                let mut template = ResponseTemplate::new(status).set_body_json(&body);
                for (name, value) in &headers {
                    template = template.insert_header(name.as_str(), value.to_string().as_str());
                }
                Mock::given(any())
                    .respond_with(template)
                    .mount(&server)
                    .await;
                client(&server).sessions().list().send().await
            });
            if let Err(problem) = matches_spec(status, &body, &outcome) {
                problems.push(format!("status {status} with body {body}: {problem}"));
            }
            let rate_limit = match &outcome {
                Ok(page) => Some(page.metadata().rate_limit()),
                Err(Error::RateLimited { rate_limit, .. }) => Some(rate_limit),
                Err(_) => None,
            };
            for (name, value) in &headers {
                match rate_limit.map(|limits| rate_limit_field(limits, name)) {
                    Some(Some(read)) if read == Some(*value) => {}
                    Some(Some(read)) => problems.push(format!(
                        "status {status}: header `{name}: {value}` was read as {read:?}"
                    )),
                    Some(None) => problems.push(format!(
                        "status {status}: the spec documents the header `{name}`, which the facade does not report"
                    )),
                    None => problems.push(format!(
                        "status {status}: the spec documents the header `{name}`, but the facade's outcome carries no headers"
                    )),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A status the spec does not document is still an error carrying the
/// status and body, never a page.
#[test]
fn an_undocumented_status_is_an_api_error_with_its_body() {
    let runtime = runtime();
    let outcome = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(418).set_body_json(json!({"detail": "teapot"})))
            .mount(&server)
            .await;
        client(&server).sessions().list().send().await
    });
    match outcome {
        Err(Error::Api { status, body, .. }) if status.as_u16() == 418 => {
            assert_eq!(body.detail().as_deref(), Some("teapot"));
        }
        other => panic!("expected an Api error with status 418, got {other:?}"),
    }
}
