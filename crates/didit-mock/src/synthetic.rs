//! Realistic sessions generated from a seed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use didit_api::types::{
    AdditionalDetails, AmlDetails, AmlScreenedData, ApiService, DatabaseValidationDetails,
    EmailAddress, EmailVerificationDetails, FaceMatchDetails, Feature, KybSession, KycSession,
    LivenessDetails, PhoneNumber, PhoneVerificationDetails, ProofOfAddressDetails,
};
use didit_api::{DocumentType, FeatureName, FeatureStatus, SessionKind, SessionStatus, Timestamp};
use fastrand::Rng;
use uuid::Uuid;

use crate::store::{KybFacts, KybRecord, KycFacts, KycRecord, MockSession};

/// The KYC workflows of the synthetic application: id, label, features in
/// workflow order.
pub const SYNTHETIC_KYC_WORKFLOWS: &[(&str, &str, &[&str])] = &[
    (
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a01",
        "Standard KYC",
        &["ID_VERIFICATION", "LIVENESS", "FACE_MATCH", "IP_ANALYSIS"],
    ),
    (
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a02",
        "KYC with AML",
        &[
            "ID_VERIFICATION",
            "LIVENESS",
            "FACE_MATCH",
            "AML",
            "IP_ANALYSIS",
        ],
    ),
    (
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a03",
        "Full onboarding",
        &[
            "ID_VERIFICATION",
            "NFC",
            "LIVENESS",
            "FACE_MATCH",
            "PHONE",
            "EMAIL_VERIFICATION",
            "POA",
            "AML",
            "DATABASE_VALIDATION",
            "QUESTIONNAIRE",
            "IP_ANALYSIS",
        ],
    ),
    (
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a04",
        "Age check",
        &["AGE_ESTIMATION", "LIVENESS", "IP_ANALYSIS"],
    ),
    (
        "3f6c2a9e-1b7d-4c58-9e0a-5d2f8b1c4a05",
        "Contact check",
        &["PHONE", "EMAIL_VERIFICATION", "IP_ANALYSIS"],
    ),
];

/// The KYB workflows of the synthetic application: id and label.
pub const SYNTHETIC_KYB_WORKFLOWS: &[(&str, &str)] = &[
    ("9f9b1234-aaaa-4bbb-8ccc-1234567890ab", "Standard KYB"),
    ("9f9b1234-aaaa-4bbb-8ccc-1234567890ac", "Enhanced KYB"),
];

/// Standalone API services the synthetic data uses, with the feature each
/// runs.
const API_SERVICES: &[(ApiService, &str)] = &[
    (ApiService::IdVerification, "ID_VERIFICATION"),
    (ApiService::FaceMatch, "FACE_MATCH"),
    (ApiService::AgeEstimation, "AGE_ESTIMATION"),
    (ApiService::Poa, "POA"),
    (ApiService::Aml, "AML"),
    (ApiService::PassiveLiveness, "LIVENESS"),
    (ApiService::DatabaseValidation, "DATABASE_VALIDATION"),
    (ApiService::PhoneVerification, "PHONE"),
    (ApiService::EmailVerification, "EMAIL_VERIFICATION"),
];

/// Statuses with their weights; the first sessions take each in turn so that
/// even small stores hold all of them.
const STATUSES: &[(&str, u32)] = &[
    ("Approved", 40),
    ("Declined", 12),
    ("In Review", 10),
    ("Not Started", 10),
    ("In Progress", 8),
    ("Abandoned", 6),
    ("Expired", 5),
    ("Kyc Expired", 3),
    ("Resubmitted", 3),
    ("Awaiting User", 3),
];

struct Country {
    alpha3: &'static str,
    alpha2: &'static str,
    name: &'static str,
    calling_code: &'static str,
    regions: &'static [&'static str],
}

const COUNTRIES: &[Country] = &[
    Country {
        alpha3: "ESP",
        alpha2: "ES",
        name: "Spain",
        calling_code: "34",
        regions: &[],
    },
    Country {
        alpha3: "USA",
        alpha2: "US",
        name: "USA",
        calling_code: "1",
        regions: &["CA", "TX", "NY", "FL", "WA"],
    },
    Country {
        alpha3: "GBR",
        alpha2: "GB",
        name: "United Kingdom",
        calling_code: "44",
        regions: &[],
    },
    Country {
        alpha3: "FRA",
        alpha2: "FR",
        name: "France",
        calling_code: "33",
        regions: &[],
    },
    Country {
        alpha3: "DEU",
        alpha2: "DE",
        name: "Germany",
        calling_code: "49",
        regions: &[],
    },
    Country {
        alpha3: "ITA",
        alpha2: "IT",
        name: "Italy",
        calling_code: "39",
        regions: &[],
    },
    Country {
        alpha3: "PRT",
        alpha2: "PT",
        name: "Portugal",
        calling_code: "351",
        regions: &[],
    },
    Country {
        alpha3: "MEX",
        alpha2: "MX",
        name: "Mexico",
        calling_code: "52",
        regions: &[],
    },
    Country {
        alpha3: "BRA",
        alpha2: "BR",
        name: "Brazil",
        calling_code: "55",
        regions: &[],
    },
    Country {
        alpha3: "POL",
        alpha2: "PL",
        name: "Poland",
        calling_code: "48",
        regions: &[],
    },
    Country {
        alpha3: "CAN",
        alpha2: "CA",
        name: "Canada",
        calling_code: "1",
        regions: &["ON", "QC", "BC"],
    },
];

const FIRST_NAMES: &[&str] = &[
    "José",
    "María",
    "Álvaro",
    "Lucía",
    "Iñigo",
    "Jane",
    "John",
    "Emily",
    "Michael",
    "Olivia",
    "François",
    "Hélène",
    "Jürgen",
    "Anna",
    "Łukasz",
    "Zoë",
    "João",
    "Conceição",
    "Marco",
    "Giulia",
    "Sofía",
    "Mateo",
    "Chloé",
    "Noah",
    "Amélie",
    "Søren",
    "Ana",
    "Pedro",
    "Émile",
];

const LAST_NAMES: &[&str] = &[
    "García",
    "Rodríguez",
    "Martínez",
    "Peña",
    "Núñez",
    "Doe",
    "Smith",
    "Johnson",
    "Brown",
    "Lefèvre",
    "Dubois",
    "Müller",
    "Schäfer",
    "Wójcik",
    "Zieliński",
    "Silva",
    "Gonçalves",
    "Rossi",
    "Bianchi",
    "Hernández",
    "López",
    "O'Connor",
    "Nowak",
    "Kowalski",
];

const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "mail.example", "example.net"];

const COMPANY_WORDS: &[&str] = &[
    "Acme",
    "Nordström",
    "Lumière",
    "Iberia",
    "Atlas",
    "Blue Harbor",
    "Zürich",
    "Cobalt",
    "Peñalara",
    "Greenfield",
    "Orion",
    "Vértice",
    "Helios",
    "Kraków",
];

const COMPANY_KINDS: &[&str] = &[
    "Holdings",
    "Logistics",
    "Trading",
    "Labs",
    "Capital",
    "Foods",
    "Systems",
    "Energy",
];

/// Registry countries of KYB rows with their legal suffix and a registration
/// number pattern (`#` is a digit).
const REGISTRIES: &[(&str, &str, &str)] = &[
    ("ES", "S.L.", "B########"),
    ("GB", "Ltd", "########"),
    ("DE", "GmbH", "HRB ######"),
    ("FR", "SARL", "### ### ###"),
    ("EE", "OÜ", "########"),
    ("US", "Inc.", "DE-#######"),
    ("PT", "Lda", "#########"),
    ("NL", "B.V.", "KVK-########"),
];

/// `n` realistic sessions, the same ones for the same `seed`.
///
/// About one session in eight is a KYB session. The data covers every
/// session status, every feature name and feature status, every display
/// document type, standalone API sessions of most services, hosted, API and
/// migrated sessions, and every nullable field both null and set (given a few
/// hundred sessions; the first sessions cycle through the statuses so that
/// small stores have all of them too). Sessions are numbered from 1 per kind
/// and spread over the year from 2025-07-01 (UTC), newest with the highest
/// number; people come back, so several sessions share a person's
/// `vendor_data`, `didit_internal_id` and contact details.
///
/// ```
/// let a = didit_mock::synthetic_sessions(50, 42);
/// let b = didit_mock::synthetic_sessions(50, 42);
/// assert_eq!(a, b);
/// assert_ne!(a, didit_mock::synthetic_sessions(50, 43));
/// ```
pub fn synthetic_sessions(n: usize, seed: u64) -> Vec<MockSession> {
    let mut rng = Rng::with_seed(seed);
    let start = Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap();
    let span_micros: u64 = 365 * 24 * 3600 * 1_000_000;
    let mean_gap = (span_micros / n.max(1) as u64).max(2);
    let people = (n * 3 / 4).max(1) as u64;
    let companies = (n / 10).max(1) as u64;

    let mut at = start;
    let mut kyc_number = 0_i64;
    let mut kyb_number = 0_i64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        at += Duration::microseconds(rng.u64(1..2 * mean_gap) as i64);
        if i % 8 == 3 {
            kyb_number += 1;
            let company = rng.u64(0..companies);
            out.push(MockSession::from(kyb_session(
                &mut rng, seed, kyb_number, at, company,
            )));
        } else {
            kyc_number += 1;
            let person = rng.u64(0..people);
            out.push(MockSession::from(kyc_session(
                &mut rng, seed, kyc_number, at, person,
            )));
        }
    }
    out
}

fn uuid(rng: &mut Rng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn chance(rng: &mut Rng, percent: u32) -> bool {
    rng.u32(0..100) < percent
}

fn status(rng: &mut Rng, number: i64) -> &'static str {
    if let Some((status, _)) = STATUSES.get((number - 1) as usize) {
        return status;
    }
    let total: u32 = STATUSES.iter().map(|(_, w)| w).sum();
    let mut roll = rng.u32(0..total);
    for (status, weight) in STATUSES {
        if roll < *weight {
            return status;
        }
        roll -= weight;
    }
    "Approved"
}

fn timestamp(at: DateTime<Utc>) -> Timestamp {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
        .parse()
        .expect("a formatted timestamp parses")
}

fn pattern(rng: &mut Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| {
            if c == '#' {
                char::from(b'0' + rng.u8(0..10))
            } else {
                c
            }
        })
        .collect()
}

fn token(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.usize(..ALPHABET.len())]))
        .collect()
}

fn score(rng: &mut Rng, low: u32, high: u32) -> f64 {
    f64::from(rng.u32(low..=high)) / 100.0
}

/// A person who may come back for several sessions; everything about them
/// follows from the seed and their number.
struct Person {
    first: &'static str,
    last: &'static str,
    country: &'static Country,
    didit_internal_id: Option<Uuid>,
    euuid: Uuid,
    vendor_data: Option<String>,
    email: String,
    phone: String,
    document_number: String,
    personal_number: String,
    date_of_birth: String,
}

impl Person {
    fn new(seed: u64, number: u64) -> Self {
        let mut rng = Rng::with_seed(seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let first = *pick(&mut rng, FIRST_NAMES);
        let last = *pick(&mut rng, LAST_NAMES);
        let country = pick(&mut rng, COUNTRIES);
        let local: String = crate::fold::fold(&format!("{first}.{last}"))
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        Self {
            first,
            last,
            country,
            didit_internal_id: (!chance(&mut rng, 8)).then(|| uuid(&mut rng)),
            euuid: uuid(&mut rng),
            vendor_data: (!chance(&mut rng, 15)).then(|| format!("user-{number:05}")),
            email: format!(
                "{local}{}@{}",
                rng.u32(1..100),
                pick(&mut rng, EMAIL_DOMAINS)
            ),
            phone: format!(
                "+{}{}",
                country.calling_code,
                pattern(&mut rng, "#########")
            ),
            document_number: format!(
                "{}{}",
                char::from(b'A' + rng.u8(0..26)),
                pattern(&mut rng, "#######")
            ),
            personal_number: pattern(&mut rng, "########"),
            date_of_birth: format!(
                "{}-{:02}-{:02}",
                rng.u32(1950..2006),
                rng.u32(1..13),
                rng.u32(1..29)
            ),
        }
    }

    fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// Feature statuses that agree with the session status. `at` (below
/// `count`) is where an unfinished session stopped, or which feature decided
/// a declined or reviewed one.
pub(crate) fn feature_statuses(status: &str, count: usize, at: usize) -> Vec<&'static str> {
    let mut out = vec!["Approved"; count];
    if count == 0 {
        return out;
    }
    let at = at.min(count - 1);
    match status {
        "Not Started" => out.fill("Not Finished"),
        "In Progress" | "Awaiting User" | "Abandoned" | "Expired" => out[at..].fill("Not Finished"),
        "Declined" => out[at] = "Declined",
        "In Review" => out[at] = "In Review",
        "Resubmitted" => out[0] = "Resub Requested",
        _ => {}
    }
    out
}

/// [`feature_statuses`] with the deciding feature drawn at random.
fn random_feature_statuses(rng: &mut Rng, status: &str, count: usize) -> Vec<&'static str> {
    let at = match status {
        "In Progress" | "Awaiting User" | "Abandoned" | "Expired" | "Declined" | "In Review" => {
            rng.usize(..count)
        }
        _ => 0,
    };
    feature_statuses(status, count, at)
}

fn warning_for(rng: &mut Rng, feature: &str, outcome: &str) -> Option<&'static str> {
    let codes: &[&str] = match (feature, outcome) {
        ("ID_VERIFICATION", "Declined") => &[
            "DOCUMENT_EXPIRED",
            "POSSIBLE_FRAUD",
            "DATA_INCONSISTENT",
            "DOCUMENT_NOT_SUPPORTED_FOR_APPLICATION",
        ],
        ("ID_VERIFICATION", "In Review") => &["POSSIBLE_DUPLICATED_USER", "NAME_MISMATCH"],
        ("ID_VERIFICATION", "Resub Requested") => &["DOCUMENT_BLURRY", "DOCUMENT_GLARE"],
        ("NFC", "Declined" | "In Review") => &["NFC_CHIP_READ_FAILED"],
        ("LIVENESS", "Declined" | "In Review") => &["LOW_LIVENESS_SCORE"],
        ("FACE_MATCH", "Declined" | "In Review") => &["LOW_FACE_MATCH_SIMILARITY"],
        ("AML", "Declined" | "In Review") => &["POSSIBLE_MATCH_FOUND"],
        ("IP_ANALYSIS", "Declined" | "In Review") => &["VPN_DETECTED", "IP_COUNTRY_MISMATCH"],
        ("PHONE", "Declined" | "In Review") => &["VOIP_NUMBER"],
        ("EMAIL_VERIFICATION", "Declined" | "In Review") => &["DISPOSABLE_EMAIL"],
        ("POA", "Declined" | "In Review") => &["POA_NAME_MISMATCH"],
        ("DATABASE_VALIDATION", "Declined" | "In Review") => &["DATABASE_NO_MATCH"],
        ("AGE_ESTIMATION", "Declined" | "In Review") => &["AGE_BELOW_MINIMUM"],
        ("IP_ANALYSIS", "Approved") if chance(rng, 10) => &["IP_COUNTRY_MISMATCH"],
        _ => return None,
    };
    Some(*pick(rng, codes))
}

fn kyc_session(rng: &mut Rng, seed: u64, number: i64, at: DateTime<Utc>, person: u64) -> KycRecord {
    let who = Person::new(seed, person);
    let status = status(rng, number);

    // Which features, how the session was created.
    let (workflow_id, api_service, features): (Option<Uuid>, Option<ApiService>, Vec<&str>) =
        if chance(rng, 10) {
            let (service, feature) = *pick(rng, API_SERVICES);
            (None, Some(service), vec![feature])
        } else {
            let (id, _, features) = *pick(rng, SYNTHETIC_KYC_WORKFLOWS);
            (
                Some(id.parse().expect("workflow ids are UUIDs")),
                None,
                features.to_vec(),
            )
        };
    let session_type = if api_service.is_some() {
        "API"
    } else if chance(rng, 6) {
        "MIGRATED"
    } else if chance(rng, 25) {
        "API"
    } else {
        "HOSTED"
    };
    let outcomes = random_feature_statuses(rng, status, features.len());
    let outcome = |name: &str| -> Option<&str> {
        features
            .iter()
            .position(|f| *f == name)
            .map(|i| outcomes[i])
    };
    let finished = |name: &str| outcome(name).is_some_and(|o| o != "Not Finished");

    // The identity document, once document verification got somewhere.
    let mut facts = KycFacts {
        workflow_id,
        session_type: Some(session_type.to_owned()),
        api_service,
        euuid: Some(who.euuid),
        ..KycFacts::default()
    };
    let mut row = KycSession::new()
        .with_session_id(uuid(rng))
        .with_session_kind(SessionKind::User)
        .with_session_number(number)
        .with_status(SessionStatus::from(status))
        .with_created_at(timestamp(at))
        .with_features(
            features
                .iter()
                .zip(&outcomes)
                .map(|(feature, outcome)| {
                    Feature::new()
                        .with_feature(FeatureName::from(*feature))
                        .with_status(FeatureStatus::from(*outcome))
                })
                .collect::<Vec<_>>(),
        );
    row.session_url = Some(
        (session_type == "HOSTED")
            .then(|| format!("https://verify.didit.me/session/{}", token(rng, 12))),
    );
    row.vendor_data = Some(who.vendor_data.clone());
    row.didit_internal_id = Some(who.didit_internal_id);

    let documented = finished("ID_VERIFICATION");
    if documented {
        let country = if chance(rng, 85) {
            who.country
        } else {
            pick(rng, COUNTRIES)
        };
        let (kind, label) = pick(
            rng,
            &[
                (DocumentType::Passport, "Passport"),
                (DocumentType::Passport, "Passport"),
                (DocumentType::IdentityCard, "Id Card"),
                (DocumentType::IdentityCard, "Id Card"),
                (DocumentType::DriversLicense, "Driving License"),
                (DocumentType::ResidencePermit, "Residence Permit"),
                (DocumentType::HealthInsuranceCard, "Health Insurance Card"),
                (DocumentType::TaxCard, "Tax Card"),
            ],
        );
        let (kind, label) = (kind.clone(), *label);
        let region = (kind == DocumentType::DriversLicense && !country.regions.is_empty())
            .then(|| *pick(rng, country.regions));
        let year = rng.u32(2012..2025);
        facts.document_name = Some(match region {
            Some(region) => format!("{} - {region} - {label} ({year})", country.name),
            None => format!("{} - {label} ({year})", country.name),
        });
        facts.region = region.map(str::to_owned);
        facts.document_number = Some(who.document_number.clone());
        facts.personal_number = chance(rng, 70).then(|| who.personal_number.clone());
        facts.is_kyc_to_be_reviewed = Some(outcome("ID_VERIFICATION") == Some("In Review"));
        row.document_type = Some(Some(kind));
        row.country = Some(Some(country.alpha3.to_owned()));
        row.full_name = Some(Some(who.full_name()));
    } else {
        row.document_type = Some(None);
        row.country = Some(None);
        row.full_name = Some(None);
    }
    row.portrait_image = Some(
        (documented || finished("LIVENESS") || finished("AGE_ESTIMATION")).then(|| {
            format!(
                "https://media.didit.example/portraits/{}.jpg?X-Amz-Expires=3600&X-Amz-Signature={}",
                row.session_id.expect("set above"),
                token(rng, 32).to_lowercase()
            )
        }),
    );

    // Contact details: verified by their feature, or given at creation.
    row.phone_number = Some(match outcome("PHONE") {
        Some(o) if o != "Not Finished" || chance(rng, 50) => Some(
            PhoneNumber::new()
                .with_number(who.phone.clone())
                .with_is_verified(o == "Approved"),
        ),
        None if chance(rng, 25) => Some(
            PhoneNumber::new()
                .with_number(who.phone.clone())
                .with_is_verified(false),
        ),
        _ => None,
    });
    row.email_address = Some(match outcome("EMAIL_VERIFICATION") {
        Some(o) if o != "Not Finished" || chance(rng, 50) => Some(
            EmailAddress::new()
                .with_email(who.email.clone())
                .with_is_verified(o == "Approved"),
        ),
        None if chance(rng, 30) => Some(
            EmailAddress::new()
                .with_email(who.email.clone())
                .with_is_verified(false),
        ),
        _ => None,
    });

    // Short results of the features that produced some, and warnings.
    let mut details = AdditionalDetails::default();
    let mut any = false;
    for (feature, outcome) in features.iter().zip(&outcomes) {
        if *outcome == "Not Finished" {
            continue;
        }
        if let Some(code) = warning_for(rng, feature, outcome)
            && !facts.warnings.iter().any(|w| w == code)
        {
            facts.warnings.push(code.to_owned());
        }
        let flagged = matches!(*outcome, "Declined" | "In Review");
        match *feature {
            "AML" => {
                any = true;
                facts.aml_screened_name = Some(who.full_name());
                let mut aml = AmlDetails::new()
                    .with_total_hits(if flagged { rng.i64(1..6) } else { 0 })
                    .with_entity_type("person")
                    .with_is_adverse_media_fetched(rng.bool());
                aml.screened_data = chance(rng, 70).then(|| {
                    let mut screened = AmlScreenedData::new()
                        .with_nationality(who.country.alpha3)
                        .with_date_of_birth(who.date_of_birth.clone());
                    screened.document_number = documented.then(|| who.document_number.clone());
                    screened
                });
                details.aml = Some(aml);
            }
            "DATABASE_VALIDATION" => {
                any = true;
                facts.database_validation_screened_name = Some(who.full_name());
                details.database_validation = Some(
                    DatabaseValidationDetails::new()
                        .with_validation_type(*pick(
                            rng,
                            &["DOCUMENT_VALIDATION", "IDENTITY_VALIDATION"],
                        ))
                        .with_match_type(match *outcome {
                            "Declined" => "NO_MATCH",
                            "In Review" => "PARTIAL_MATCH",
                            _ => "FULL_MATCH",
                        })
                        .with_identification_number(who.personal_number.clone()),
                );
            }
            "POA" => {
                any = true;
                details.poa = Some(
                    ProofOfAddressDetails::new()
                        .with_document_type(*pick(
                            rng,
                            &["UTILITY_BILL", "BANK_STATEMENT", "TAX_DOCUMENT"],
                        ))
                        .with_issuer(*pick(
                            rng,
                            &["City Water Co.", "Example Bank", "Tax Agency"],
                        ))
                        .with_address(format!(
                            "{} Example Street, {}",
                            rng.u32(1..200),
                            who.country.name
                        ))
                        .with_name_on_document(who.full_name()),
                );
            }
            "LIVENESS" => {
                any = true;
                details.liveness = Some(
                    LivenessDetails::new()
                        .with_method(*pick(rng, &["PASSIVE", "ACTIVE_3D", "FLASHING"]))
                        .with_score(if flagged {
                            score(rng, 10, 60)
                        } else {
                            score(rng, 80, 100)
                        }),
                );
            }
            "FACE_MATCH" => {
                any = true;
                let images = chance(rng, 50);
                let image = |rng: &mut Rng, side: &str| {
                    format!(
                        "https://media.didit.example/faces/{side}.jpg?X-Amz-Expires=3600&X-Amz-Signature={}",
                        token(rng, 24).to_lowercase()
                    )
                };
                let mut face_match = FaceMatchDetails::new().with_score(if flagged {
                    score(rng, 10, 60)
                } else {
                    score(rng, 75, 100)
                });
                face_match.source_image = images.then(|| image(rng, "source"));
                face_match.target_image = images.then(|| image(rng, "target"));
                details.face_match = Some(face_match);
            }
            "PHONE" => {
                any = true;
                details.phone_verification = Some(
                    PhoneVerificationDetails::new()
                        .with_country_code(who.country.alpha2)
                        .with_is_temporary(flagged && rng.bool())
                        .with_is_ported(chance(rng, 10))
                        .with_is_blocked(flagged && rng.bool()),
                );
            }
            "EMAIL_VERIFICATION" => {
                any = true;
                details.email_verification = Some(
                    EmailVerificationDetails::new()
                        .with_is_breached(chance(rng, 20))
                        .with_is_disposable(flagged && rng.bool())
                        .with_is_undeliverable(false)
                        .with_is_blocklisted(flagged && rng.bool()),
                );
            }
            _ => {}
        }
    }
    row.additional_details = Some(any.then_some(details));
    facts.status_initialized_as_in_review = match status {
        "In Review" => true,
        "Approved" | "Declined" => chance(rng, 15),
        _ => false,
    };
    KycRecord { row, facts }
}

fn kyb_session(
    rng: &mut Rng,
    seed: u64,
    number: i64,
    at: DateTime<Utc>,
    company: u64,
) -> KybRecord {
    let status = status(rng, number);
    // Like people, companies come back.
    let mut who = Rng::with_seed(seed ^ company.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0xB);
    let (country, suffix, registration) = *pick(&mut who, REGISTRIES);
    let name = format!(
        "{} {} {suffix}",
        pick(&mut who, COMPANY_WORDS),
        pick(&mut who, COMPANY_KINDS)
    );
    let registration = pattern(&mut who, registration);
    let vendor_data = (!chance(&mut who, 15)).then(|| format!("company-{company:04}"));

    let workflow = (!chance(rng, 5)).then(|| *pick(rng, SYNTHETIC_KYB_WORKFLOWS));
    let picked = status != "Not Started" || chance(rng, 20);
    let mut warnings = Vec::new();
    match status {
        "Declined" => {
            warnings.push((*pick(rng, &["COMPANY_NOT_FOUND", "UBO_SANCTIONS_MATCH"])).to_owned())
        }
        "In Review" => {
            warnings.push((*pick(rng, &["OFFICER_PEP_MATCH", "COMPANY_INACTIVE"])).to_owned())
        }
        _ => {}
    }
    KybRecord {
        row: {
            let mut row = KybSession::new(SessionKind::Business)
                .with_session_id(uuid(rng))
                .with_session_number(number)
                .with_status(SessionStatus::from(status))
                .with_created_at(timestamp(at));
            row.vendor_data = Some(vendor_data);
            row.workflow_id =
                Some(workflow.map(|(id, _)| id.parse().expect("workflow ids are UUIDs")));
            row.workflow_type = Some(workflow.map(|_| "kyb".to_owned()));
            row.workflow_label = Some(workflow.map(|(_, label)| label.to_owned()));
            row.company_name = Some(picked.then_some(name));
            row.registration_number = Some(picked.then_some(registration));
            row.country = Some(picked.then(|| country.to_owned()));
            row
        },
        facts: KybFacts { warnings },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn kyc(sessions: &[MockSession]) -> Vec<&KycRecord> {
        sessions
            .iter()
            .filter_map(|s| match s {
                MockSession::Kyc(r) => Some(&**r),
                MockSession::Kyb(_) => None,
            })
            .collect()
    }

    #[test]
    fn covers_every_status_feature_and_null() {
        let sessions = synthetic_sessions(2000, 1);
        let rows = kyc(&sessions);
        let statuses: BTreeSet<_> = rows.iter().map(|r| r.row.status.clone().unwrap()).collect();
        assert_eq!(statuses.len(), SessionStatus::KNOWN.len());
        let features: BTreeSet<_> = rows
            .iter()
            .flat_map(|r| r.row.features.clone().unwrap())
            .map(|f| f.feature.unwrap())
            .collect();
        // Rows carry the KYC steps; FACE_SEARCH, the KYB steps and the `EMAIL`
        // of decisions read with `include=events` only appear in decisions.
        let decision_only = [
            FeatureName::FaceSearch,
            FeatureName::KybRegistry,
            FeatureName::KybDocuments,
            FeatureName::KybKeyPeople,
            FeatureName::Email,
        ];
        let row_features = FeatureName::KNOWN
            .iter()
            .filter(|name| !decision_only.contains(name));
        assert_eq!(features.len(), row_features.count());
        let feature_statuses: BTreeSet<_> = rows
            .iter()
            .flat_map(|r| r.row.features.clone().unwrap())
            .map(|f| f.status.unwrap())
            .collect();
        // `Expired` is a state of some of a decision's checks, never of a row's step.
        let row_states = FeatureStatus::KNOWN
            .iter()
            .filter(|status| **status != FeatureStatus::Expired);
        assert_eq!(feature_statuses.len(), row_states.count());
        for field in [
            |r: &KycSession| r.full_name.clone().unwrap().is_none(),
            |r: &KycSession| r.vendor_data.clone().unwrap().is_none(),
            |r: &KycSession| r.phone_number.clone().unwrap().is_none(),
            |r: &KycSession| r.email_address.clone().unwrap().is_none(),
            |r: &KycSession| r.additional_details.clone().unwrap().is_none(),
            |r: &KycSession| r.didit_internal_id.unwrap().is_none(),
            |r: &KycSession| r.session_url.clone().unwrap().is_none(),
            |r: &KycSession| r.portrait_image.clone().unwrap().is_none(),
        ] {
            assert!(rows.iter().any(|r| field(&r.row)));
            assert!(rows.iter().any(|r| !field(&r.row)));
        }
        assert!(
            sessions
                .iter()
                .any(|s| matches!(s, MockSession::Kyb(r) if r.row.company_name == Some(None)))
        );
    }

    #[test]
    fn small_stores_still_hold_every_status() {
        let sessions = synthetic_sessions(12, 5);
        let statuses: BTreeSet<_> = kyc(&sessions)
            .iter()
            .map(|r| r.row.status.clone().unwrap())
            .collect();
        assert_eq!(statuses.len(), SessionStatus::KNOWN.len());
    }
}
