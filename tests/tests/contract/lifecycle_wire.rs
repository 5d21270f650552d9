//! What the facade puts on the wire for every operation of the session
//! lifecycle, checked against the spec: each request names an operation of
//! the spec by method and path (path parameters of the documented form), its
//! query parameters are the operation's, its body satisfies the request
//! schema, it carries the API key in the header the spec's security scheme
//! names, and nothing the spec does not describe (progenitor's
//! `api-version` header).

use std::sync::{Arc, Mutex};

use didit::types::{NewSessionStatus, NodeToResubmit};
use didit::{Client, Language, RetryPolicy, Uuid};
use didit_contract::Spec;
use didit_contract::wire::credential_headers;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "sk_contract_lifecycle";
const SESSION: &str = "11111111-2222-3333-4444-555555555555";

/// Answers each operation with the status its success documents, and keeps
/// every request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Request>>>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(request.clone());
        let path = request.url.path();
        match request.method.as_str() {
            "DELETE" => ResponseTemplate::new(204),
            "POST" if path.ends_with("/sessions/delete/") => ResponseTemplate::new(204),
            "POST" => ResponseTemplate::new(201).set_body_json(json!({
                "session_id": SESSION,
                "session_number": 1,
                "session_token": "token",
                "url": "https://verify.didit.me/session/token",
                "vendor_data": null,
                "metadata": null,
                "status": "Not Started",
                "callback": null,
                "workflow_id": SESSION,
                "workflow_version": 1,
            })),
            _ if path.ends_with("/generate-pdf/") => ResponseTemplate::new(200)
                .set_body_raw(b"%PDF-1.4\n%%EOF\n".to_vec(), "application/pdf"),
            _ => ResponseTemplate::new(200)
                .set_body_json(json!({"session_id": SESSION, "status": "Approved"})),
        }
    }
}

/// The spec's operation for `method` and `path`: its pointer, matching
/// path parameters by position.
pub(crate) fn operation_of(spec: &Spec, method: &str, path: &str) -> Option<(String, Value)> {
    let segments: Vec<&str> = path.split('/').collect();
    let paths = spec.json["paths"].as_object()?;
    paths.iter().find_map(|(template, item)| {
        let template_segments: Vec<&str> = template.split('/').collect();
        let matches = template_segments.len() == segments.len()
            && template_segments
                .iter()
                .zip(&segments)
                .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')));
        let operation = item.get(method.to_ascii_lowercase())?;
        matches.then(|| {
            let pointer = format!(
                "/paths/{}/{}",
                template.replace('~', "~0").replace('/', "~1"),
                method.to_ascii_lowercase()
            );
            (pointer, operation.clone())
        })
    })
}

/// Every way the request departs from the spec.
pub(crate) fn departures(spec: &Spec, request: &Request) -> Vec<String> {
    let method = request.method.as_str();
    let path = request.url.path();
    let label = format!("{method} {path}");
    let Some((pointer, operation)) = operation_of(spec, method, path) else {
        return vec![format!("{label}: no operation of the spec")];
    };
    let mut found = Vec::new();
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (name, value) in request.url.query_pairs() {
        let known = parameters
            .iter()
            .any(|parameter| parameter["in"] == "query" && parameter["name"] == name.as_ref());
        if !known {
            found.push(format!(
                "{label}: query parameter `{name}` ({value}) is not the operation's"
            ));
        }
    }
    for parameter in parameters
        .iter()
        .filter(|parameter| parameter["in"] == "path")
    {
        if parameter["schema"]["format"] == "uuid"
            && !path.split('/').any(|s| Uuid::parse_str(s).is_ok())
        {
            found.push(format!(
                "{label}: path parameter `{}` is not a UUID",
                parameter["name"]
            ));
        }
    }
    let (credentials, every_credential) = credential_headers(spec, &operation);
    if !credentials
        .iter()
        .any(|header| request.headers.get(header.as_str()).is_some())
    {
        found.push(format!(
            "{label}: no `{}` header",
            credentials.join("` or `")
        ));
    }
    for header in every_credential.iter().filter(|h| !credentials.contains(h)) {
        if request.headers.get(header.as_str()).is_some() {
            found.push(format!(
                "{label}: a `{header}` header, which the operation is not sent with"
            ));
        }
    }
    if request.headers.get("api-version").is_some() {
        found.push(format!(
            "{label}: an `api-version` header the spec does not describe"
        ));
    }
    let schema_pointer = format!("{pointer}/requestBody/content/application~1json/schema");
    match (spec.json.pointer(&schema_pointer), request.body.is_empty()) {
        (None, true) => {}
        (None, false) => found.push(format!("{label}: a body the operation does not take")),
        (Some(_), true) => found.push(format!(
            "{label}: no body, although the operation takes one"
        )),
        (Some(_), false) => {
            let body: Value = match serde_json::from_slice(&request.body) {
                Ok(body) => body,
                Err(error) => return vec![format!("{label}: the body is not JSON: {error}")],
            };
            let validator = spec.validator(&schema_pointer).unwrap();
            for error in validator.iter_errors(&body) {
                found.push(format!(
                    "{label}: body at `{}`: {error}",
                    error.instance_path()
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lifecycle_request_is_one_the_spec_describes() {
    let spec = Spec::load().unwrap();
    let server = MockServer::start().await;
    let recorder = Recorder::default();
    Mock::given(wiremock::matchers::any())
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let sessions = client.sessions();
    let id = Uuid::parse_str(SESSION).unwrap();
    let contact = didit::types::ContactDetails::new().with_email("user@example.com");
    let expected = didit::types::ExpectedDetails::new().with_first_name("Jane");
    sessions
        .create(Uuid::nil())
        .vendor_data("user-42")
        .callback("https://example.com/done")
        .callback_method(didit::types::CallbackMethod::Completer)
        .metadata(json!({"plan": "premium"}))
        .language(Language::from("fr"))
        .contact_details(contact)
        .expected_details(expected)
        .portrait_image(b"\xff\xd8\xff\xe0")
        .sandbox_scenario("approved")
        .send()
        .await
        .unwrap();
    sessions.decision(id).send().await.unwrap();
    sessions
        .decision(id)
        .include_events(true)
        .send()
        .await
        .unwrap();
    let node = NodeToResubmit::new(
        didit_api::ResubmittableFeature::DocumentFront,
        "feature_ocr",
    );
    sessions
        .update_status(id, NewSessionStatus::Resubmitted)
        .comment("blurred photo")
        .nodes_to_resubmit([node])
        .send_email("user@example.com", Some(Language::from("en")))
        .send()
        .await
        .unwrap();
    sessions.delete(id).send().await.unwrap();
    sessions.delete_many([43762, 43763]).send().await.unwrap();
    sessions
        .delete_every_session_irreversibly()
        .send()
        .await
        .unwrap();
    let _report = sessions.pdf(id).send().await.unwrap();

    let requests = recorder.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 8, "one request per call");
    let found: Vec<String> = requests
        .iter()
        .flat_map(|request| departures(&spec, request))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The check above bites: a request off the spec is named.
#[test]
fn a_request_off_the_spec_is_named() {
    let spec = Spec::load().unwrap();
    let request = |method: &str, url: &str, body: &[u8]| Request {
        url: url.parse().unwrap(),
        method: method.parse().unwrap(),
        headers: Default::default(),
        body: body.to_vec(),
    };
    let unknown = departures(&spec, &request("GET", "http://h/v3/nowhere/", b""));
    assert!(unknown[0].contains("no operation"), "{unknown:?}");
    let bad_body = departures(
        &spec,
        &request(
            "POST",
            "http://h/v3/session/",
            br#"{"callback_method": "sometimes"}"#,
        ),
    );
    assert!(bad_body.iter().any(|d| d.contains("body")), "{bad_body:?}");
    assert!(
        bad_body.iter().any(|d| d.contains("x-api-key")),
        "{bad_body:?}"
    );
}
