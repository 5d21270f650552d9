//! Randomized queries against the fake server (`didit-mock`): every answer
//! satisfies the spec, and paging through with the facade yields exactly the
//! rows a direct filter of the fake's data gives.

use didit::types::SessionKindFilter;
use didit::{Client, Page, RetryPolicy, Session};
use didit_contract::fake::{
    LifecycleStep, Query, STEP_NODES, generated_parameters, generated_parameters_out_of_step,
    lifecycle_steps, queries,
};
use didit_contract::property::{self, DEFAULT_CASES};
use didit_contract::wire::spec_typed_parameters;
use didit_contract::{Spec, validation_errors};
use didit_mock::{DiditMock, KYB_COUNT_CAP};
use futures::TryStreamExt;
use proptest::prelude::*;
use serde_json::Value;

const REGRESSIONS: Option<&str> = Some("proptest-regressions/against_fake.txt");

/// Enough sessions for more than a hundred KYB rows (about one in eight),
/// so that the capped KYB count is exercised too.
const SESSIONS: usize = 900;
const SEED: u64 = 20_250_701;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn start_fake() -> DiditMock {
    // No rate limit: the property makes many requests in a short time.
    DiditMock::builder()
        .synthetic(SESSIONS, SEED)
        .rate_limit(0)
        .start()
        .await
}

fn client(mock: &DiditMock) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.uri())
        .retry_policy(RetryPolicy::none())
        .no_rate_limit()
        .build()
        .unwrap()
}

/// A short name for a row in messages.
fn describe(row: &Session) -> String {
    match row {
        Session::Kyc(row) => format!("KYC #{:?} {:?}", row.session_number, row.session_id),
        Session::Kyb(row) => format!("KYB #{:?} {:?}", row.session_number, row.session_id),
        other => format!("{other:?}"),
    }
}

/// Where two row sequences first differ, if they do.
fn compare_rows(kind: &str, walked: &[&Session], filtered: &[Session]) -> Result<(), String> {
    if let Some(index) =
        (0..walked.len().max(filtered.len())).find(|&i| walked.get(i).copied() != filtered.get(i))
    {
        return Err(format!(
            "{kind} rows: paging yielded {}, the direct filter gives {}; first difference at position {index}: paging {}, filter {}",
            walked.len(),
            filtered.len(),
            walked
                .get(index)
                .map_or("(none)".to_owned(), |row| describe(row)),
            filtered.get(index).map_or("(none)".to_owned(), describe),
        ));
    }
    Ok(())
}

/// Rows of one kind are newest first, as the spec says.
fn newest_first(kind: &str, rows: &[&Session]) -> Result<(), String> {
    let created = |row: &Session| match row {
        Session::Kyc(row) => row.created_at.clone(),
        Session::Kyb(row) => row.created_at.clone(),
        _ => None,
    };
    for pair in rows.windows(2) {
        if let (Some(first), Some(second)) = (created(pair[0]), created(pair[1]))
            && first < second
        {
            return Err(format!(
                "{kind} rows are not newest first: {} ({first}) before {} ({second})",
                describe(pair[0]),
                describe(pair[1])
            ));
        }
    }
    Ok(())
}

/// The facade's walk against the direct filter, and what the spec says of
/// each page: KYC rows before KYB rows, `count` exact for KYC rows and
/// stopping at 100 for KYB rows.
///
/// With `session_kind=all` the fake's `next` links follow the KYC rows, as
/// the server's do; the facade lists the KYB rows left after them as
/// `business`. So the first pages are `all` pages, one per `limit` KYC rows,
/// and any after them are `business` pages, whose `count` is the KYB count.
/// Every matching row is expected, whatever the kind.
fn check_walk(mock: &DiditMock, query: &Query, pages: &[Page]) -> Result<(), String> {
    let matches = mock.store().filter(&query.to_list_query());
    let skip = usize::try_from(query.offset).unwrap_or(usize::MAX);
    let all_pages = match query.kind {
        SessionKindFilter::All => matches
            .kyc
            .len()
            .saturating_sub(skip)
            .div_ceil(query.limit as usize)
            .max(1),
        _ => usize::MAX,
    };
    let filtered_kyc: Vec<Session> = matches
        .kyc
        .iter()
        .skip(skip)
        .map(|r| Session::Kyc(Box::new(r.row.clone())))
        .collect();
    let filtered_kyb: Vec<Session> = matches
        .kyb
        .iter()
        .skip(skip)
        .map(|r| Session::Kyb(Box::new(r.row.clone())))
        .collect();
    let kyb_count = (matches.kyb.len() as u64).min(KYB_COUNT_CAP) as i64;
    let expected_count = matches.kyc.len() as i64 + kyb_count;
    let mut walked_kyc = Vec::new();
    let mut walked_kyb = Vec::new();
    for (number, page) in pages.iter().enumerate() {
        if number >= all_pages {
            if page.count != kyb_count {
                return Err(format!(
                    "page {number} (KYB rows after the KYC links ended): count {} but {} KYB rows match (counted up to {KYB_COUNT_CAP})",
                    page.count,
                    matches.kyb.len()
                ));
            }
        } else if page.count != expected_count {
            return Err(format!(
                "page {number}: count {} but {} KYC and {} KYB rows match (KYB counted up to {KYB_COUNT_CAP})",
                page.count,
                matches.kyc.len(),
                matches.kyb.len()
            ));
        }
        let first_kyb = page
            .results
            .iter()
            .position(|row| matches!(row, Session::Kyb(_)));
        if let Some(first_kyb) = first_kyb
            && page.results[first_kyb..]
                .iter()
                .any(|row| matches!(row, Session::Kyc(_)))
        {
            return Err(format!("page {number}: a KYC row comes after a KYB row"));
        }
        for row in &page.results {
            match row {
                Session::Kyc(_) => walked_kyc.push(row),
                Session::Kyb(_) => walked_kyb.push(row),
                other => {
                    return Err(format!(
                        "page {number}: a row of an unknown kind: {other:?}"
                    ));
                }
            }
        }
    }
    compare_rows("KYC", &walked_kyc, &filtered_kyc)?;
    compare_rows("KYB", &walked_kyb, &filtered_kyb)?;
    newest_first("KYC", &walked_kyc)?;
    newest_first("KYB", &walked_kyb)
}

/// GETs `url` from the fake with its key, without the facade: the status
/// and the JSON body.
fn fetch_json(
    runtime: &tokio::runtime::Runtime,
    http: &didit::reqwest::Client,
    mock: &DiditMock,
    url: &str,
) -> Result<(u16, Value), String> {
    runtime
        .block_on(async {
            let answer = http
                .get(url)
                .header("x-api-key", mock.api_key())
                .send()
                .await?;
            let status = answer.status().as_u16();
            Ok::<_, didit::reqwest::Error>((status, answer.json::<Value>().await?))
        })
        .map_err(|error| format!("{url}: {error}"))
}

/// Fetches again, without the facade, every URL the facade fetched, and
/// checks each answer against the spec's schema for its status.
fn check_answers_satisfy_spec(
    spec: &Spec,
    runtime: &tokio::runtime::Runtime,
    http: &didit::reqwest::Client,
    mock: &DiditMock,
) -> Result<(), String> {
    for request in mock.requests() {
        let url = match &request.query {
            Some(query) => format!("{}{}?{query}", mock.uri(), request.path),
            None => format!("{}{}", mock.uri(), request.path),
        };
        let (status, body) = fetch_json(runtime, http, mock, &url)?;
        spec.validate_response("list_sessions", status, &body)
            .map_err(|errors| {
                format!(
                    "{url} answered {status} with a body the spec rejects:\n  {}",
                    errors.join("\n  ")
                )
            })?;
    }
    Ok(())
}

#[test]
fn the_queries_against_the_fake_set_every_query_parameter_of_the_spec() {
    let store = std::sync::Arc::new(didit_mock::Store::synthetic(SESSIONS, SEED));
    let problems =
        generated_parameters_out_of_step(&Spec::load().unwrap(), &generated_parameters(&store));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn paging_with_the_facade_yields_exactly_the_rows_the_fake_matches_and_every_answer_satisfies_the_spec()
 {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let mock = runtime.block_on(start_fake());
    let client = client(&mock);
    let http = didit::reqwest::Client::new();
    // Each case walks every page of a listing, so fewer cases than the
    // single-request properties.
    let outcome = property::check(
        "listing the fake's sessions",
        REGRESSIONS,
        DEFAULT_CASES / 2,
        queries(mock.store()),
        |query| {
            mock.clear_requests();
            let request = query
                .all_filters()
                .iter()
                .fold(client.sessions().list(), |request, filter| {
                    filter.apply(request)
                });
            let pages: Vec<Page> = runtime
                .block_on(request.pages().try_collect())
                .map_err(|error| format!("the listing failed: {error}"))?;
            check_walk(&mock, &query, &pages)?;
            check_answers_satisfy_spec(&spec, &runtime, &http, &mock)
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Malformed typed values: the fake answers 400 with a body the spec accepts,
/// keyed by the parameter, as the spec says; without the key it answers 403.
#[test]
fn malformed_values_and_missing_keys_get_the_documented_errors() {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let mock = runtime.block_on(start_fake());
    let http = didit::reqwest::Client::new();
    let typed_parameters = proptest::sample::select(spec_typed_parameters(&spec));
    let malformed = prop_oneof![
        "[a-z]{1,8}",
        "-[0-9]{1,3}",
        "2025-13-[0-9]{2}",
        "[0-9a-f]{8}-"
    ];
    let outcome = property::check(
        "malformed typed values",
        REGRESSIONS,
        DEFAULT_CASES / 2,
        (typed_parameters, malformed),
        |(parameter, value)| {
            let url = url::Url::parse_with_params(&mock.sessions_url(), [(&parameter, &value)])
                .map_err(|error| error.to_string())?;
            let (status, body) = fetch_json(&runtime, &http, &mock, url.as_str())?;
            if status != 400 {
                // A value that happens to be well formed ("-0" for offset,
                // say) is not a failure of the contract.
                return if status == 200 {
                    Ok(())
                } else {
                    Err(format!("{url}: status {status}"))
                };
            }
            spec.validate_response("list_sessions", 400, &body)
                .map_err(|errors| {
                    format!(
                        "{url}: the 400 body does not satisfy the spec: {}",
                        errors.join("; ")
                    )
                })?;
            if body.get(&parameter).is_none() {
                return Err(format!(
                    "{url}: the 400 body is not keyed by `{parameter}`: {body}"
                ));
            }
            Ok(())
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let (status, body) = runtime.block_on(async {
        let answer = http.get(mock.sessions_url()).send().await.unwrap();
        (
            answer.status().as_u16(),
            answer.json::<Value>().await.unwrap(),
        )
    });
    assert_eq!(status, 403);
    let validator = spec.validator("/components/schemas/ApiError").unwrap();
    validation_errors(&validator, &body).unwrap();
    spec.validate_response("list_sessions", 403, &body).unwrap();
}

/// What one lifecycle request got back.
struct Reply {
    status: u16,
    content_type: String,
    bytes: Vec<u8>,
}

/// Whether the fake holds `id` as a KYC session.
fn is_kyc(mock: &DiditMock, id: didit::Uuid) -> bool {
    mock.current_store()
        .rows()
        .iter()
        .any(|row| row.session_id() == Some(id) && matches!(row, Session::Kyc(_)))
}

/// Sends one request to the fake without the facade; `key` adds the API key.
fn send(
    runtime: &tokio::runtime::Runtime,
    http: &didit::reqwest::Client,
    mock: &DiditMock,
    method: didit::reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Reply, String> {
    runtime
        .block_on(async {
            let mut request = http
                .request(method.clone(), format!("{}{path}", mock.uri()))
                .header("x-api-key", mock.api_key());
            if let Some(body) = body {
                request = request.json(body);
            }
            let answer = request.send().await?;
            let status = answer.status().as_u16();
            let content_type = answer
                .headers()
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let bytes = answer.bytes().await?.to_vec();
            Ok::<_, didit::reqwest::Error>(Reply {
                status,
                content_type,
                bytes,
            })
        })
        .map_err(|error| format!("{method} {path}: {error}"))
}

/// The answer's JSON body, checked against the spec's schema of
/// `operation`'s response for its status; `None` for an empty `204` or the
/// PDF report.
fn conforming(spec: &Spec, operation: &str, reply: &Reply) -> Result<Option<Value>, String> {
    if reply.status == 204 {
        return if reply.bytes.is_empty() {
            Ok(None)
        } else {
            Err(format!("{operation}: a 204 with a body"))
        };
    }
    if operation == "get_session_pdf" && reply.status == 200 {
        return if reply.content_type == "application/pdf" && reply.bytes.starts_with(b"%PDF-") {
            Ok(None)
        } else {
            Err(format!("{operation}: the report is not a PDF"))
        };
    }
    let body: Value = serde_json::from_slice(&reply.bytes)
        .map_err(|error| format!("{operation} {}: not JSON: {error}", reply.status))?;
    spec.validate_response(operation, reply.status, &body)
        .map_err(|errors| {
            format!(
                "{operation} answered {} with a body the spec rejects:\n  {}",
                reply.status,
                errors.join("\n  ")
            )
        })?;
    Ok(Some(body))
}

/// The fake nests the messages about the fields of an object, as the API
/// does, in the shape the spec describes.
#[test]
fn a_refused_field_of_an_object_is_answered_in_the_shape_the_spec_describes() {
    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let http = didit::reqwest::Client::new();
    let mock = runtime.block_on(DiditMock::builder().start());
    let body = serde_json::json!({
        "workflow_id": "11111111-2222-3333-4444-555555555555",
        "contact_details": {"email_lang": "xx"},
    });
    let reply = send(
        &runtime,
        &http,
        &mock,
        didit::reqwest::Method::POST,
        "/v3/session/",
        Some(&body),
    )
    .unwrap();
    assert_eq!(reply.status, 400);
    let refusal = conforming(&spec, "create_session", &reply).unwrap();
    assert_eq!(
        refusal,
        Some(serde_json::json!({
            "contact_details": {"email_lang": ["\"xx\" is not a valid choice."]},
        }))
    );
}

/// Random lifecycles: every answer of the fake satisfies the spec for its
/// status, requests valid per the request schemas are accepted, and the
/// fake's state follows the steps (created sessions are listed first,
/// deleted ones are gone, decisions show the status last set).
#[test]
fn lifecycles_against_the_fake_keep_to_the_spec() {
    use didit::reqwest::Method;
    use std::collections::BTreeMap;

    let spec = Spec::load().unwrap();
    let runtime = runtime();
    let http = didit::reqwest::Client::new();
    let import_fields =
        spec.json["components"]["schemas"]["CreateSessionImportRequest"]["properties"].clone();
    let outcome = property::check(
        "session lifecycles against the fake",
        REGRESSIONS,
        DEFAULT_CASES,
        lifecycle_steps(&spec),
        |steps| {
            let mock = runtime.block_on(
                DiditMock::builder()
                    .synthetic(24, SEED)
                    .rate_limit(0)
                    .write_rate_limit(0)
                    .start(),
            );
            // Every session seen, in order, with an unknown id among them;
            // and the status of each one still alive.
            let mut known: Vec<didit::Uuid> = vec![didit::Uuid::nil()];
            // Every import job created, with one never created among them,
            // and how often each was read: a job moves on one state each
            // time it is read, and is over after two reads.
            let mut imports: Vec<(didit::Uuid, u32)> = vec![(didit::Uuid::nil(), 0)];
            let mut alive: BTreeMap<didit::Uuid, String> = BTreeMap::new();
            for row in mock.store().rows() {
                let id = row.session_id().unwrap();
                known.push(id);
                alive.insert(id, row.status().unwrap().as_str().to_owned());
            }
            for step in steps {
                let pick = |target: usize| known[target % known.len()];
                match step {
                    LifecycleStep::Create(body) => {
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::POST,
                            "/v3/session/",
                            Some(&body),
                        )?;
                        // A body valid per the schema is created, or refused (400) for
                        // a rule the schema cannot say, naming a field sent.
                        if reply.status == 400 {
                            let refusal =
                                conforming(&spec, "create_session", &reply)?.unwrap_or_default();
                            let named = refusal.as_object().is_some_and(|fields| {
                                fields.keys().all(|field| body.get(field).is_some())
                            });
                            if !named {
                                return Err(format!("create refused {body} with {refusal}"));
                            }
                            continue;
                        }
                        if reply.status != 201 {
                            return Err(format!(
                                "a body valid per the spec was refused with {}: {body}",
                                reply.status
                            ));
                        }
                        let created =
                            conforming(&spec, "create_session", &reply)?.unwrap_or_default();
                        let id: didit::Uuid = created["session_id"]
                            .as_str()
                            .and_then(|id| id.parse().ok())
                            .ok_or("no session_id")?;
                        let (status, page) = fetch_json(
                            &runtime,
                            &http,
                            &mock,
                            &format!("{}?limit=1", mock.sessions_url()),
                        )?;
                        if status != 200 || page["results"][0]["session_id"] != id.to_string() {
                            return Err(format!("session {id} is not listed first: {page}"));
                        }
                        known.push(id);
                        alive.insert(id, "Not Started".to_owned());
                    }
                    LifecycleStep::Finish { target, status } => {
                        let id = pick(target);
                        let body = serde_json::json!({ "status": status.as_str() });
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::POST,
                            &format!("/_mock/sessions/{id}/finish"),
                            Some(&body),
                        )?;
                        match (reply.status, alive.contains_key(&id)) {
                            (200, true) => {
                                alive.insert(id, status.as_str().to_owned());
                            }
                            (404, false) => {}
                            (other, known) => {
                                return Err(format!(
                                    "finishing {id} (alive: {known}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::Decision { target, events } => {
                        let id = pick(target);
                        let query = if events { "?include=events" } else { "" };
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::GET,
                            &format!("/v3/session/{id}/decision/{query}"),
                            None,
                        )?;
                        let body =
                            conforming(&spec, "get_session_decision", &reply)?.unwrap_or_default();
                        match (reply.status, alive.get(&id)) {
                            (200, Some(status)) if body["status"] == status.as_str() => {}
                            (404, None) => {}
                            (other, expected) => {
                                return Err(format!(
                                    "decision of {id}: {other} with status {}, expected {expected:?}",
                                    body["status"]
                                ));
                            }
                        }
                    }
                    LifecycleStep::UpdateStatus { target, body } => {
                        let id = pick(target);
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::PATCH,
                            &format!("/v3/session/{id}/update-status/"),
                            Some(&body),
                        )?;
                        conforming(&spec, "update_session_status", &reply)?;
                        match (reply.status, alive.contains_key(&id)) {
                            (200, true) => {
                                let new =
                                    body["new_status"].as_str().unwrap_or_default().to_owned();
                                alive.insert(id, new);
                            }
                            (400, true) | (404, false) => {}
                            (other, known) => {
                                return Err(format!(
                                    "updating {id} (alive: {known}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::Delete { target } => {
                        let id = pick(target);
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::DELETE,
                            &format!("/v3/session/{id}/delete/"),
                            None,
                        )?;
                        conforming(&spec, "delete_session", &reply)?;
                        match (reply.status, alive.remove(&id).is_some()) {
                            (204, true) | (404, false) => {}
                            (other, known) => {
                                return Err(format!(
                                    "deleting {id} (alive: {known}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::DeleteMany(body) => {
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::POST,
                            "/v3/sessions/delete/",
                            Some(&body),
                        )?;
                        conforming(&spec, "delete_sessions", &reply)?;
                        if reply.status == 204 {
                            let still: std::collections::BTreeSet<didit::Uuid> = mock
                                .current_store()
                                .rows()
                                .iter()
                                .filter_map(|row| row.session_id())
                                .collect();
                            alive.retain(|id, _| still.contains(id));
                        } else if reply.status != 400 {
                            return Err(format!("bulk delete answered {}: {body}", reply.status));
                        }
                    }
                    LifecycleStep::Correct {
                        target,
                        operation,
                        node,
                        body,
                    } => {
                        let id = pick(target);
                        let path = match operation {
                            "update_document_data" => format!("/v3/session/{id}/update-data/"),
                            "update_poa_data" => format!("/v3/session/{id}/update-poa-data/"),
                            "update_company_data" => {
                                // The session's company, when its decision names one.
                                let (_, decision) = fetch_json(
                                    &runtime,
                                    &http,
                                    &mock,
                                    &format!("{}/v3/session/{id}/decision/", mock.uri()),
                                )?;
                                let company = decision["registry_checks"][0]["company"]["uuid"]
                                    .as_str()
                                    .unwrap_or("00000000-0000-0000-0000-000000000000")
                                    .to_owned();
                                format!("/v3/session/{id}/kyb/{company}/update-data/")
                            }
                            "update_feature_status" => {
                                let node = STEP_NODES[node % STEP_NODES.len()];
                                format!("/v3/session/{id}/features/{node}/update-status/")
                            }
                            "update_aml_hit_status" => {
                                format!("/v3/session/{id}/update-aml-hit-status/")
                            }
                            _ => format!("/v3/session/{id}/bulk-update-aml-hit-status/"),
                        };
                        let reply =
                            send(&runtime, &http, &mock, Method::PATCH, &path, Some(&body))?;
                        conforming(&spec, operation, &reply)?;
                        // A body valid per the schema may still break a rule the
                        // schema cannot say (400), or name a record the session
                        // does not have (404); an unknown session is never found.
                        match (reply.status, alive.contains_key(&id)) {
                            (200 | 400 | 404, true) | (404, false) => {}
                            (other, known) => {
                                return Err(format!(
                                    "{operation} of {id} (alive: {known}) answered {other}: {body}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::Pdf { target } => {
                        let id = pick(target);
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::GET,
                            &format!("/v3/session/{id}/generate-pdf/"),
                            None,
                        )?;
                        conforming(&spec, "get_session_pdf", &reply)?;
                        let finished = alive.get(&id).map(|status| {
                            ["Approved", "Declined", "In Review", "Kyc Expired"]
                                .contains(&status.as_str())
                        });
                        match (reply.status, finished) {
                            (200, Some(true)) | (403, Some(_)) | (404, None) => {}
                            (other, finished) => {
                                return Err(format!(
                                    "the report of {id} (finished: {finished:?}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::Reviews { target, query } => {
                        let id = pick(target);
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::GET,
                            &format!("/v3/sessions/{id}/reviews/{query}"),
                            None,
                        )?;
                        conforming(&spec, "list_session_reviews", &reply)?;
                        // Only KYC sessions have a log.
                        let kyc = is_kyc(&mock, id);
                        match (reply.status, kyc) {
                            (200, true) | (404, false) => {}
                            (other, kyc) => {
                                return Err(format!(
                                    "the review log of {id} (a live KYC session: {kyc}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::Import(body) => {
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::POST,
                            "/v3/session/imports/",
                            Some(&body),
                        )?;
                        let job =
                            conforming(&spec, "create_session_import", &reply)?.unwrap_or_default();
                        match reply.status {
                            201 => {
                                let id = job["uuid"]
                                    .as_str()
                                    .and_then(|id| id.parse().ok())
                                    .ok_or("an import job without a uuid")?;
                                imports.push((id, 0));
                            }
                            // One job at a time per application.
                            429 if imports.iter().any(|(id, reads)| !id.is_nil() && *reads < 2) => {
                            }
                            // A rule the schema cannot say (a field the import
                            // type needs, the file a JSON body cannot carry),
                            // naming fields of the request.
                            400 if job.as_object().is_some_and(|fields| {
                                fields.keys().all(|field| {
                                    field == "file" || import_fields.get(field).is_some()
                                })
                            }) => {}
                            other => {
                                return Err(format!("an import of {body} answered {other}: {job}"));
                            }
                        }
                    }
                    LifecycleStep::ReadImport { target, errors } => {
                        let index = target % imports.len();
                        let id = imports[index].0;
                        if !errors {
                            imports[index].1 += 1;
                        }
                        let (path, operation) = if errors {
                            (
                                format!("/v3/session/imports/{id}/errors/"),
                                "list_session_import_errors",
                            )
                        } else {
                            (format!("/v3/session/imports/{id}/"), "get_session_import")
                        };
                        let reply = send(&runtime, &http, &mock, Method::GET, &path, None)?;
                        conforming(&spec, operation, &reply)?;
                        match (reply.status, id.is_nil()) {
                            (200, false) | (404, true) => {}
                            (other, never_created) => {
                                return Err(format!(
                                    "{operation} of {id} (never created: {never_created}) answered {other}"
                                ));
                            }
                        }
                    }
                    LifecycleStep::AddReview { target, body } => {
                        let id = pick(target);
                        let reply = send(
                            &runtime,
                            &http,
                            &mock,
                            Method::POST,
                            &format!("/v3/sessions/{id}/reviews/"),
                            Some(&body),
                        )?;
                        conforming(&spec, "create_session_review", &reply)?;
                        let kyc = is_kyc(&mock, id);
                        match (reply.status, kyc) {
                            (201, true) | (404, false) => {}
                            (other, kyc) => {
                                return Err(format!(
                                    "a note on {id} (a live KYC session: {kyc}) answered {other}: {body}"
                                ));
                            }
                        }
                    }
                }
            }
            // The list holds exactly the sessions still alive.
            let listed: std::collections::BTreeSet<didit::Uuid> = mock
                .current_store()
                .rows()
                .iter()
                .filter_map(|row| row.session_id())
                .collect();
            let expected: std::collections::BTreeSet<didit::Uuid> = alive.keys().copied().collect();
            if listed != expected {
                return Err(format!(
                    "the fake holds {listed:?}, the steps leave {expected:?}"
                ));
            }
            Ok(())
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
