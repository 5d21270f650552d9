//! What the facade puts on the wire for imports, checked against the spec
//! as the lifecycle's requests are (see `lifecycle_wire`); the upload,
//! which the generated client cannot make, part by part against the
//! spec's `multipart/form-data` schema, its file sent whole with the
//! length it announces.

use std::sync::{Arc, Mutex};

use didit::{Client, ImportSourceFormat, ImportType, RetryPolicy, Uuid};
use didit_contract::Spec;
use didit_contract::wire::spec_api_key_header;
use futures::TryStreamExt;
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::lifecycle_wire::departures;

const KEY: &str = "sk_contract_imports";
const JOB: &str = "3f9c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const WORKFLOW: &str = "9f9b1234-aaaa-bbbb-cccc-1234567890ab";
const FORM_SCHEMA: &str =
    "/paths/~1v3~1session~1imports~1/post/requestBody/content/multipart~1form-data/schema";

/// Answers each import operation with its documented success, and keeps
/// every request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Request>>>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(request.clone());
        let path = request.url.path();
        let job = json!({
            "uuid": JOB, "status": "PENDING", "import_type": "user_verification",
            "source_format": "csv", "source_filename": "sessions.csv",
            "total_rows": 0, "processed_rows": 0, "created_count": 0,
            "updated_count": 0, "skipped_count": 0, "failed_count": 0,
        });
        match request.method.as_str() {
            "POST" => ResponseTemplate::new(201).set_body_json(job),
            _ if path.ends_with("/template/") => {
                ResponseTemplate::new(200).set_body_raw("external_id,status\n", "text/csv")
            }
            _ if path.ends_with("/errors/") => ResponseTemplate::new(200).set_body_json(json!({
                "count": 0, "next": null, "previous": null, "results": [],
            })),
            _ => ResponseTemplate::new(200).set_body_json(job),
        }
    }
}

/// The parts of a `multipart/form-data` body: name, file name, content.
fn parts(content_type: &str, body: &[u8]) -> Vec<(String, Option<String>, Vec<u8>)> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart form");
    let delimiter = format!("\r\n--{boundary}");
    // A leading CRLF makes the first delimiter look like the others.
    let mut body = [b"\r\n".as_slice(), body].concat();
    let mut found = Vec::new();
    loop {
        let at = find(&body, delimiter.as_bytes()).expect("a delimiter");
        let rest = body.split_off(at + delimiter.len());
        if rest.starts_with(b"--") {
            assert_eq!(rest, b"--\r\n", "the form ends after its last delimiter");
            return found;
        }
        let rest = rest
            .strip_prefix(b"\r\n")
            .expect("a line after the delimiter");
        let head_end = find(rest, b"\r\n\r\n").expect("part headers");
        let head = String::from_utf8(rest[..head_end].to_vec()).unwrap();
        let content_and_more = rest[head_end + 4..].to_vec();
        let end = find(&content_and_more, delimiter.as_bytes()).expect("an end");
        let disposition = head
            .lines()
            .find(|line| line.starts_with("Content-Disposition: form-data; "))
            .expect("a disposition");
        let parameter = |name: &str| {
            disposition
                .split("; ")
                .find_map(|item| item.strip_prefix(&format!("{name}=\"")))
                .map(|value| value.trim_end_matches('"').to_owned())
        };
        found.push((
            parameter("name").unwrap(),
            parameter("filename"),
            content_and_more[..end].to_vec(),
        ));
        body = content_and_more[end..].to_vec();
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_import_request_is_one_the_spec_describes() {
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
    let directory =
        std::env::temp_dir().join(format!("didit-contract-imports-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("sessions.csv");
    // Several megabytes, so that the file goes in many chunks.
    let mut content = String::from("external_id,status\n");
    while content.len() < 3 * 1024 * 1024 {
        content.push_str(&format!("ext-{},Approved\n", content.len()));
    }
    std::fs::write(&file, &content).unwrap();
    let workflow = Uuid::parse_str(WORKFLOW).unwrap();
    let job = Uuid::parse_str(JOB).unwrap();
    let imports = client.sessions().imports();

    imports
        .upload(&file)
        .import_type(ImportType::UserVerification)
        .workflow_id(workflow)
        .send()
        .await
        .unwrap();
    imports
        .from_url("https://files.example.com/exports/sessions.ndjson")
        .import_type(ImportType::UserVerification)
        .workflow_id(workflow)
        .source_format(ImportSourceFormat::Ndjson)
        .send()
        .await
        .unwrap();
    imports.get(job).send().await.unwrap();
    imports
        .errors(job)
        .limit(25)
        .offset(50)
        .send()
        .await
        .unwrap();
    let refused: Vec<_> = imports.errors(job).items().try_collect().await.unwrap();
    assert!(refused.is_empty());
    imports
        .template()
        .import_type(ImportType::Transactions)
        .send()
        .await
        .unwrap()
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();

    std::fs::remove_dir_all(&directory).unwrap();
    let requests = recorder.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 6, "one request per call");
    let key_header = spec_api_key_header(&spec);
    for request in &requests {
        assert_eq!(request.headers.get(key_header.as_str()).unwrap(), KEY);
    }

    // The upload, part by part.
    let upload = &requests[0];
    assert_eq!(
        (upload.method.as_str(), upload.url.path()),
        ("POST", "/v3/session/imports/")
    );
    assert!(upload.headers.get("api-version").is_none());
    let content_type = upload
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    let length: usize = upload.headers["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        length,
        upload.body.len(),
        "the announced length is the body's"
    );
    let form = parts(content_type, &upload.body);
    let mut fields = Map::new();
    for (name, file_name, value) in &form {
        let value = if name == "file" {
            assert_eq!(file_name.as_deref(), Some("sessions.csv"));
            assert!(
                value == content.as_bytes(),
                "the file is sent whole and unchanged"
            );
            // The schema says a binary string; its bytes were checked above.
            Value::String("[file]".to_owned())
        } else {
            assert!(file_name.is_none(), "{name}");
            Value::String(String::from_utf8(value.clone()).unwrap())
        };
        assert!(fields.insert(name.clone(), value).is_none(), "{name} twice");
    }
    let schema = spec.json.pointer(FORM_SCHEMA).expect("the form's schema");
    for name in fields.keys() {
        assert!(
            schema["properties"].get(name).is_some(),
            "{name} is not a field of the form"
        );
    }
    let validator = spec.validator(FORM_SCHEMA).unwrap();
    let form = Value::Object(fields);
    let problems: Vec<String> = validator
        .iter_errors(&form)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        form,
        json!({
            "import_type": "user_verification",
            "workflow_id": WORKFLOW,
            "source_format": "csv",
            "file": "[file]",
        }),
        "one source: the file"
    );

    // The others, as every generated operation is checked.
    let found: Vec<String> = requests[1..]
        .iter()
        .flat_map(|request| departures(&spec, request))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    let sent: Vec<(String, String, Option<String>)> = requests[1..]
        .iter()
        .map(|request| {
            (
                request.method.to_string(),
                request.url.path().to_owned(),
                request.url.query().map(str::to_owned),
            )
        })
        .collect();
    let errors = format!("/v3/session/imports/{JOB}/errors/");
    let expected = [
        ("POST", "/v3/session/imports/".to_owned(), None),
        ("GET", format!("/v3/session/imports/{JOB}/"), None),
        ("GET", errors.clone(), Some("limit=25&offset=50")),
        ("GET", errors, None),
        (
            "GET",
            "/v3/session/imports/template/".to_owned(),
            Some("import_type=transactions"),
        ),
    ];
    for ((method, path, query), (want_method, want_path, want_query)) in sent.iter().zip(expected) {
        assert_eq!(
            (method.as_str(), path.as_str()),
            (want_method, want_path.as_str())
        );
        assert_eq!(query.as_deref(), want_query);
    }
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        body,
        json!({
            "import_type": "user_verification",
            "workflow_id": WORKFLOW,
            "source_format": "ndjson",
            "source_file_url": "https://files.example.com/exports/sessions.ndjson",
        })
    );
}
