//! Every filter of `GET /v3/sessions/`, checked over HTTP against the
//! documented semantics applied by hand to the mock's own records.

use crate::common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{get, ids, walk};
use didit_api::types::ApiService;
use didit_mock::{DEFAULT_ORGANIZATION_NAME, DiditMock, KybRecord, KycRecord};

async fn mock() -> DiditMock {
    DiditMock::builder()
        .synthetic(3000, 11)
        .rate_limit(0)
        .start()
        .await
}

fn kyc_id(record: &KycRecord) -> String {
    record.row.session_id.unwrap().to_string()
}

fn kyb_id(record: &KybRecord) -> String {
    record.row.session_id.unwrap().to_string()
}

/// Checks `query` for both kinds: the KYC rows served are exactly the
/// records `kyc` accepts, newest first, and likewise for KYB. Returns how
/// many rows of each kind matched.
async fn expect(
    mock: &DiditMock,
    query: &str,
    kyc: impl Fn(&KycRecord) -> bool,
    kyb: impl Fn(&KybRecord) -> bool,
) -> (usize, usize) {
    let store = mock.store();
    let expected_kyc: Vec<String> = store.kyc().iter().filter(|r| kyc(r)).map(kyc_id).collect();
    let expected_kyb: Vec<String> = store.kyb().iter().filter(|r| kyb(r)).map(kyb_id).collect();

    let (rows, pages) = walk(mock, &format!("{query}&session_kind=user&limit=1000")).await;
    assert_eq!(ids(&rows), expected_kyc, "KYC rows for `{query}`");
    assert_eq!(pages[0].body["count"], expected_kyc.len() as u64);

    let (rows, pages) = walk(mock, &format!("{query}&session_kind=business&limit=1000")).await;
    assert_eq!(ids(&rows), expected_kyb, "KYB rows for `{query}`");
    assert_eq!(
        pages[0].body["count"],
        expected_kyb.len().min(100) as u64,
        "KYB count for `{query}`"
    );
    (expected_kyc.len(), expected_kyb.len())
}

fn status_of_kyc(r: &KycRecord) -> &str {
    r.row.status.as_ref().unwrap().as_str()
}

fn status_of_kyb(r: &KybRecord) -> &str {
    r.row.status.as_ref().unwrap().as_str()
}

#[tokio::test]
async fn status_is_a_case_sensitive_comma_list() {
    let mock = mock().await;
    let (kyc, kyb) = expect(
        &mock,
        "status=Approved",
        |r| status_of_kyc(r) == "Approved",
        |r| status_of_kyb(r) == "Approved",
    )
    .await;
    assert!(kyc > 0 && kyb > 0);
    let (kyc, _) = expect(
        &mock,
        "status=Approved,In%20Review",
        |r| matches!(status_of_kyc(r), "Approved" | "In Review"),
        |r| matches!(status_of_kyb(r), "Approved" | "In Review"),
    )
    .await;
    assert!(kyc > 0);
    for query in [
        "status=approved",
        "status=Bogus",
        "status=APPROVED,in%20review",
    ] {
        assert_eq!(expect(&mock, query, |_| false, |_| false).await, (0, 0));
    }
    // An unknown value among known ones matches nothing by itself.
    expect(
        &mock,
        "status=Bogus,Declined",
        |r| status_of_kyc(r) == "Declined",
        |r| status_of_kyb(r) == "Declined",
    )
    .await;
}

#[tokio::test]
async fn vendor_data_is_exact() {
    let mock = mock().await;
    let value = mock.store().kyc()[0]
        .row
        .vendor_data
        .clone()
        .flatten()
        .or_else(|| mock.store().kyc()[1].row.vendor_data.clone().flatten())
        .unwrap();
    let vendor = |r: &KycRecord| r.row.vendor_data.clone().flatten() == Some(value.clone());
    let (kyc, _) = expect(&mock, &format!("vendor_data={value}"), vendor, |_| false).await;
    assert!(kyc >= 1);
    let prefix = &value[..value.len() - 1];
    expect(
        &mock,
        &format!("vendor_data={prefix}"),
        |_| false,
        |_| false,
    )
    .await;

    let company = mock
        .store()
        .kyb()
        .iter()
        .find_map(|r| r.row.vendor_data.clone().flatten())
        .unwrap();
    let (_, kyb) = expect(
        &mock,
        &format!("vendor_data={company}"),
        |_| false,
        |r| r.row.vendor_data.clone().flatten() == Some(company.clone()),
    )
    .await;
    assert!(kyb >= 1);
}

#[tokio::test]
async fn workflow_id_lists_skip_values_that_are_not_uuids() {
    let mock = mock().await;
    let kyc_workflow = didit_mock::SYNTHETIC_KYC_WORKFLOWS[1].0;
    let kyb_workflow = didit_mock::SYNTHETIC_KYB_WORKFLOWS[0].0;
    let in_kyc =
        |r: &KycRecord| r.facts.workflow_id.map(|id| id.to_string()) == Some(kyc_workflow.into());
    let in_kyb = |r: &KybRecord| {
        r.row.workflow_id.flatten().map(|id| id.to_string()) == Some(kyb_workflow.into())
    };
    let (kyc, kyb) = expect(
        &mock,
        &format!("workflow_id={kyc_workflow},{kyb_workflow}"),
        in_kyc,
        in_kyb,
    )
    .await;
    assert!(kyc > 0 && kyb > 0);
    expect(
        &mock,
        &format!("workflow_id=not-a-uuid,{kyc_workflow}"),
        in_kyc,
        |_| false,
    )
    .await;
    // No valid UUID left: nothing matches (and it is not an error).
    expect(&mock, "workflow_id=not-a-uuid,12", |_| false, |_| false).await;
}

fn created(at: &Option<didit_api::Timestamp>) -> DateTime<Utc> {
    at.as_ref().unwrap().as_datetime()
}

#[tokio::test]
async fn dates_are_inclusive_and_kyb_date_to_is_midnight() {
    let mock = mock().await;
    let from = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let start = from.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let to_midnight = to.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let after_to = to_midnight + chrono::Duration::days(1);
    let (kyc, kyb) = expect(
        &mock,
        "date_from=2025-12-01&date_to=2026-01-15",
        |r| (start..after_to).contains(&created(&r.row.created_at)),
        |r| (start..=to_midnight).contains(&created(&r.row.created_at)),
    )
    .await;
    assert!(kyc > 0 && kyb > 0);

    // The whole of date_to's day counts for KYC rows: a day's rows are found
    // with date_from = date_to = that day.
    let day = created(&mock.store().kyc()[0].row.created_at).date_naive();
    let (kyc, kyb) = expect(
        &mock,
        &format!("date_from={day}&date_to={day}"),
        |r| created(&r.row.created_at).date_naive() == day,
        |r| created(&r.row.created_at) == day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
    )
    .await;
    assert!(kyc >= 1);
    assert_eq!(kyb, 0, "no KYB row is created exactly at midnight");

    expect(
        &mock,
        "date_from=2026-03-01",
        |r| {
            created(&r.row.created_at)
                >= NaiveDate::from_ymd_opt(2026, 3, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
        },
        |r| {
            created(&r.row.created_at)
                >= NaiveDate::from_ymd_opt(2026, 3, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
        },
    )
    .await;
}

#[tokio::test]
async fn country_matches_alpha3_for_kyc_and_the_registry_country_for_kyb() {
    let mock = mock().await;
    let country = |list: &'static [&'static str]| {
        move |value: Option<String>| value.is_some_and(|c| list.contains(&c.as_str()))
    };
    let (kyc, kyb) = expect(
        &mock,
        "country=ESP,USA,ES",
        |r| country(&["ESP", "USA", "ES"])(r.row.country.clone().flatten()),
        |r| country(&["ESP", "USA", "ES"])(r.row.country.clone().flatten()),
    )
    .await;
    assert!(kyc > 0 && kyb > 0);
    expect(&mock, "country=esp", |_| false, |_| false).await;
}

#[tokio::test]
async fn kyc_only_filters_leave_kyb_rows_alone() {
    let mock = mock().await;
    let code = |r: &KycRecord| -> Option<&'static str> {
        let kind = r.row.document_type.clone().flatten()?;
        Some(match kind.as_str() {
            "Passport" => "P",
            "Identity Card" => "ID",
            "Driver's License" => "DL",
            "Residence Permit" => "RP",
            "Health Insurance Card" => "HIC",
            "Tax Card" => "TC",
            other => panic!("unexpected document type {other}"),
        })
    };
    let (kyc, kyb) = expect(&mock, "document_type=P", |r| code(r) == Some("P"), |_| true).await;
    assert!(kyc > 0 && kyb > 0);
    let (kyc, _) = expect(
        &mock,
        "document_type=ID,DL",
        |r| matches!(code(r), Some("ID" | "DL")),
        |_| true,
    )
    .await;
    assert!(kyc > 0);
    // Rows show display names, which are not filter values.
    expect(&mock, "document_type=Passport", |_| false, |_| true).await;
    expect(&mock, "document_type=VISA", |_| false, |_| true).await;
}

#[tokio::test]
async fn document_name_splits_only_with_several_names() {
    let mock = mock().await;
    let names: Vec<String> = mock
        .store()
        .kyc()
        .iter()
        .filter_map(|r| r.facts.document_name.clone())
        .filter(|name| name.matches(" - ").count() == 1)
        .take(40)
        .collect();
    let first = names[0].clone();
    let second = names.iter().find(|n| **n != first).unwrap().clone();
    let (kyc, _) = expect(
        &mock,
        &format!("document_name={}", urlencode(&first)),
        |r| r.facts.document_name.as_deref() == Some(first.as_str()),
        |_| true,
    )
    .await;
    assert!(kyc >= 1);
    let (kyc, _) = expect(
        &mock,
        &format!("document_name={}", urlencode(&format!("{first},{second}"))),
        |r| {
            r.facts
                .document_name
                .as_deref()
                .is_some_and(|n| n == first || n == second)
        },
        |_| true,
    )
    .await;
    assert!(kyc >= 2);
    // One ` - ` only: the value is one name, commas and all.
    expect(
        &mock,
        &format!("document_name={}", urlencode(&format!("{first},Other"))),
        |_| false,
        |_| true,
    )
    .await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn region_session_type_api_service_and_flags() {
    let mock = mock().await;
    let (kyc, _) = expect(
        &mock,
        "region=CA,TX",
        |r| matches!(r.facts.region.as_deref(), Some("CA" | "TX")),
        |_| true,
    )
    .await;
    assert!(kyc > 0);

    let (kyc, _) = expect(
        &mock,
        "session_type=HOSTED",
        |r| r.facts.session_type.as_deref() == Some("HOSTED"),
        |_| true,
    )
    .await;
    assert!(kyc > 0);
    let (kyc, _) = expect(
        &mock,
        "session_type=API,MIGRATED",
        |r| matches!(r.facts.session_type.as_deref(), Some("API" | "MIGRATED")),
        |_| true,
    )
    .await;
    assert!(kyc > 0);
    expect(&mock, "session_type=ALL", |_| true, |_| true).await;

    let (kyc, _) = expect(
        &mock,
        "api_service=AML",
        |r| r.facts.api_service == Some(ApiService::Aml),
        |_| true,
    )
    .await;
    assert!(kyc > 0);

    for flag in [true, false] {
        let (kyc, _) = expect(
            &mock,
            &format!("status_initialized_as_in_review={flag}"),
            |r| r.facts.status_initialized_as_in_review == flag,
            |_| true,
        )
        .await;
        assert!(kyc > 0);
        let (kyc, _) = expect(
            &mock,
            &format!("is_kyc_to_be_reviewed={flag}"),
            |r| r.facts.is_kyc_to_be_reviewed == Some(flag),
            |_| true,
        )
        .await;
        assert!(kyc > 0);
    }
}

#[tokio::test]
async fn person_identifiers() {
    let mock = mock().await;
    let store = mock.store();
    let internal = store
        .kyc()
        .iter()
        .find_map(|r| r.row.didit_internal_id.flatten())
        .unwrap();
    let (kyc, _) = expect(
        &mock,
        &format!("didit_internal_id={internal}"),
        |r| r.row.didit_internal_id.flatten() == Some(internal),
        |_| true,
    )
    .await;
    assert!(kyc >= 1);
    let euuid = store.kyc()[5].facts.euuid.unwrap();
    let (kyc, _) = expect(
        &mock,
        &format!("euuid={euuid}"),
        |r| r.facts.euuid == Some(euuid),
        |_| true,
    )
    .await;
    assert!(kyc >= 1);
    // A well-formed UUID nobody has.
    expect(
        &mock,
        "euuid=00000000-0000-4000-8000-000000000000",
        |_| false,
        |_| true,
    )
    .await;
}

#[tokio::test]
async fn warnings_and_organization() {
    let mock = mock().await;
    let (kyc, kyb) = expect(
        &mock,
        "warning=POSSIBLE_FRAUD,COMPANY_NOT_FOUND",
        |r| {
            r.facts
                .warnings
                .iter()
                .any(|w| w == "POSSIBLE_FRAUD" || w == "COMPANY_NOT_FOUND")
        },
        |r| {
            r.facts
                .warnings
                .iter()
                .any(|w| w == "POSSIBLE_FRAUD" || w == "COMPANY_NOT_FOUND")
        },
    )
    .await;
    assert!(kyc > 0 && kyb > 0);
    expect(&mock, "warning=NO_SUCH_WARNING", |_| false, |_| false).await;

    let name = urlencode(DEFAULT_ORGANIZATION_NAME);
    expect(
        &mock,
        &format!("organization_name={name}"),
        |_| true,
        |_| true,
    )
    .await;
    expect(
        &mock,
        &format!("organization_name=Someone%20Else,{name}"),
        |_| true,
        |_| true,
    )
    .await;
    expect(
        &mock,
        "organization_name=Someone%20Else",
        |_| false,
        |_| false,
    )
    .await;
}

#[tokio::test]
async fn screened_full_name_looks_in_aml_and_database_validation() {
    let mock = mock().await;
    let store = mock.store();
    let record = store
        .kyc()
        .iter()
        .find(|r| r.facts.aml_screened_name.is_some())
        .unwrap();
    let name = record.facts.aml_screened_name.clone().unwrap();
    let fold = |s: &str| {
        s.to_lowercase()
            .replace(['á', 'à'], "a")
            .replace(['é', 'è', 'ë'], "e")
            .replace(['í', 'ï'], "i")
            .replace(['ó', 'ö', 'ø'], "o")
            .replace(['ú', 'ü'], "u")
            .replace('ñ', "n")
            .replace('ç', "c")
            .replace('ł', "l")
            .replace('ń', "n")
            .replace('ã', "a")
    };
    let plain = fold(&name);
    let found = |field: &Option<String>| field.as_deref().is_some_and(|n| fold(n).contains(&plain));
    let (kyc, _) = expect(
        &mock,
        &format!("screened_full_name={}", urlencode(&plain)),
        |r| found(&r.facts.aml_screened_name) || found(&r.facts.database_validation_screened_name),
        |_| true,
    )
    .await;
    assert!(kyc >= 1);
    expect(
        &mock,
        &format!("screened_full_name={}&api_service=AML", urlencode(&plain)),
        |r| found(&r.facts.aml_screened_name) && r.facts.api_service == Some(ApiService::Aml),
        |_| true,
    )
    .await;
}

#[tokio::test]
async fn filters_combine_with_and() {
    let mock = mock().await;
    let (kyc, kyb) = expect(
        &mock,
        "status=Approved,Declined&country=ESP,ES&date_from=2025-10-01",
        |r| {
            matches!(status_of_kyc(r), "Approved" | "Declined")
                && r.row.country.clone().flatten().as_deref() == Some("ESP")
                && created(&r.row.created_at).date_naive()
                    >= NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
        },
        |r| {
            matches!(status_of_kyb(r), "Approved" | "Declined")
                && r.row.country.clone().flatten().as_deref() == Some("ES")
                && created(&r.row.created_at).date_naive()
                    >= NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
        },
    )
    .await;
    assert!(kyc > 0 && kyb > 0);
}

mod search {
    use super::*;

    #[tokio::test]
    async fn a_whole_uuid_finds_that_session() {
        let mock = mock().await;
        let kyc = &mock.store().kyc()[17];
        let id = kyc_id(kyc);
        expect(
            &mock,
            &format!("search={id}"),
            |r| kyc_id(r) == id,
            |_| false,
        )
        .await;
        let kyb = &mock.store().kyb()[3];
        let id = kyb_id(kyb);
        expect(
            &mock,
            &format!("search={id}"),
            |_| false,
            |r| kyb_id(r) == id,
        )
        .await;
    }

    #[tokio::test]
    async fn digits_find_session_numbers_phones_and_document_numbers() {
        let mock = mock().await;
        let store = mock.store();

        // Session number prefix.
        let reply = get(&mock, "search=123&limit=1000").await;
        let numbers: Vec<i64> = reply
            .results()
            .iter()
            .map(|r| r["session_number"].as_i64().unwrap())
            .collect();
        assert!(numbers.contains(&123) && numbers.contains(&1234));

        // Phone number prefix, typed with spaces and a plus.
        let record = store
            .kyc()
            .iter()
            .find(|r| r.row.phone_number.clone().flatten().is_some())
            .unwrap();
        let phone = record
            .row
            .phone_number
            .clone()
            .flatten()
            .unwrap()
            .number
            .unwrap();
        let typed = format!("{} {} {}", &phone[..3], &phone[3..6], &phone[6..9]);
        let reply = get(&mock, &format!("search={}&limit=1000", urlencode(&typed))).await;
        assert!(ids(reply.results()).contains(&kyc_id(record)), "{typed}");

        // Document number.
        let record = store
            .kyc()
            .iter()
            .find(|r| r.facts.document_number.is_some())
            .unwrap();
        let number = record.facts.document_number.clone().unwrap();
        let reply = get(&mock, &format!("search={}&limit=1000", &number[1..])).await;
        assert!(ids(reply.results()).contains(&kyc_id(record)));

        // Every row found answers to one of the documented fields.
        let reply = get(&mock, "search=42&limit=1000").await;
        assert!(!reply.results().is_empty());
        for row in reply.results() {
            let record = store
                .kyc()
                .iter()
                .find(|r| kyc_id(r) == row["session_id"])
                .unwrap();
            let phone_digits: String = row["phone_number"]["number"]
                .as_str()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert!(
                row["session_number"].to_string().starts_with("42")
                    || phone_digits.starts_with("42")
                    || record
                        .facts
                        .document_number
                        .as_deref()
                        .is_some_and(|n| n.contains("42"))
                    || record
                        .facts
                        .personal_number
                        .as_deref()
                        .is_some_and(|n| n.contains("42"))
                    || row["vendor_data"]
                        .as_str()
                        .is_some_and(|v| v.contains("42")),
                "{row}"
            );
        }
    }

    #[tokio::test]
    async fn at_signs_match_email_prefixes() {
        let mock = mock().await;
        let record = mock
            .store()
            .kyc()
            .iter()
            .find(|r| r.row.email_address.clone().flatten().is_some())
            .unwrap();
        let email = record
            .row
            .email_address
            .clone()
            .flatten()
            .unwrap()
            .email
            .unwrap();
        let at = email.find('@').unwrap();
        let prefix = email[..at + 2].to_uppercase();
        let lower = prefix.to_lowercase();
        expect(
            &mock,
            &format!("search={}", urlencode(&prefix)),
            |r| {
                r.row
                    .email_address
                    .clone()
                    .flatten()
                    .and_then(|e| e.email)
                    .is_some_and(|e| e.to_lowercase().starts_with(&lower))
            },
            |_| false,
        )
        .await;
    }

    #[tokio::test]
    async fn text_matches_names_without_accents_and_vendor_data() {
        let mock = mock().await;
        let store = mock.store();
        let record = store
            .kyc()
            .iter()
            .find(|r| {
                r.row
                    .full_name
                    .clone()
                    .flatten()
                    .is_some_and(|n| n.starts_with("José García"))
            })
            .expect("a José García");
        let reply = get(&mock, "search=jose%20garcia&limit=1000&session_kind=user").await;
        let found = ids(reply.results());
        assert!(found.contains(&kyc_id(record)));
        for row in reply.results() {
            let name = row["full_name"].as_str().unwrap_or("");
            assert!(name.contains("José") && name.contains("García"), "{name}");
        }

        // vendor_data, partially.
        let reply = get(&mock, "search=USER-0001&limit=1000").await;
        assert!(!reply.results().is_empty());
        for row in reply.results() {
            assert!(
                row["vendor_data"]
                    .as_str()
                    .unwrap()
                    .starts_with("user-0001")
            );
        }

        // Company names and registration numbers written without separators.
        let company = store
            .kyb()
            .iter()
            .find(|r| {
                r.row
                    .registration_number
                    .clone()
                    .flatten()
                    .is_some_and(|n| n.starts_with("HRB "))
            })
            .unwrap();
        let registration = company.row.registration_number.clone().flatten().unwrap();
        let compact = registration.replace(' ', "");
        let reply = get(
            &mock,
            &format!("search={compact}&session_kind=business&limit=1000"),
        )
        .await;
        assert!(ids(reply.results()).contains(&kyb_id(company)));
        let reply = get(
            &mock,
            &format!(
                "search={}&session_kind=business&limit=1000",
                urlencode(&registration)
            ),
        )
        .await;
        assert!(!ids(reply.results()).contains(&kyb_id(company)));
        let name = company.row.company_name.clone().flatten().unwrap();
        let word = name.split(' ').next().unwrap().to_lowercase();
        let reply = get(
            &mock,
            &format!(
                "search={}&session_kind=business&limit=1000",
                urlencode(&word)
            ),
        )
        .await;
        assert!(ids(reply.results()).contains(&kyb_id(company)));
    }
}
