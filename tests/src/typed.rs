//! Strategies for the SDK's own types (as the `didit` facade exports them),
//! for the typed property: any value a user can build encodes to JSON the
//! spec accepts and decodes back to an equal value.
//!
//! The strategies build only values the wire can carry back: a `KycSession`
//! whose `session_kind` is absent or `user` (a row saying `business` *is* a
//! KYB row), an `UnknownSessionRow` whose JSON carries its kind, finite
//! numbers (JSON has no NaN). With [`Unknowns::Sometimes`] every struct may
//! also hold properties the spec does not declare, in its `extra` field.

use didit::types::{
    AdditionalDetails, AmlDetails, AmlScreenedData, ApiError, ApiService,
    DatabaseValidationDetails, EmailAddress, EmailVerificationDetails, ErrorMessages,
    FaceMatchDetails, Feature, KybSession, KycSession, LivenessDetails, PhoneNumber,
    PhoneVerificationDetails, ProofOfAddressDetails, SessionKindFilter, SessionPage,
};
use didit::{
    DocumentType, Extra, FeatureName, FeatureStatus, Session, SessionKind, SessionStatus,
    Timestamp, UnknownSessionRow, Uuid,
};
use proptest::prelude::*;
use serde_json::Value;

use crate::generate;

/// Whether values unknown to the spec (open-enum `Unknown` variants, rows of
/// an unknown kind, undeclared properties) are generated too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknowns {
    /// Only what the spec documents.
    Never,
    /// Some of the time.
    Sometimes,
}

/// Undeclared properties for a struct's `extra` field: none, or with
/// [`Unknowns::Sometimes`] up to two (named so as never to clash with a
/// declared property).
pub fn extra(unknowns: Unknowns) -> BoxedStrategy<Extra> {
    match unknowns {
        Unknowns::Never => Just(Extra::default()).boxed(),
        Unknowns::Sometimes => {
            let name = "[a-z0-9_]{1,8}"
                .prop_map(|suffix| format!("{}{suffix}", generate::UNKNOWN_PROPERTY_PREFIX));
            proptest::collection::btree_map(name, generate::any_json(), 0..=2)
                .prop_map(Extra::from)
                .boxed()
        }
    }
}

fn text() -> BoxedStrategy<String> {
    "(?s).{0,12}".boxed()
}

/// `None` (absent), `Some(None)` (null) or `Some(Some(value))`.
fn three_state<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<Option<T>>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(None)),
        3 => value.prop_map(|value| Some(Some(value))),
    ]
    .boxed()
}

fn optional<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    proptest::option::weighted(0.75, value).boxed()
}

fn finite() -> BoxedStrategy<f64> {
    prop_oneof![
        (0i64..=100).prop_map(|hundredths| hundredths as f64 / 100.0),
        proptest::num::f64::NORMAL | proptest::num::f64::ZERO,
    ]
    .boxed()
}

/// An open enum's known values, and with [`Unknowns::Sometimes`] any string
/// (which `From<String>` turns into a known variant when it is one).
pub fn open_enum<E>(known: &'static [E], unknowns: Unknowns) -> BoxedStrategy<E>
where
    E: Clone + std::fmt::Debug + From<String> + 'static,
{
    let known = proptest::sample::select(known);
    match unknowns {
        Unknowns::Never => known.boxed(),
        Unknowns::Sometimes => prop_oneof![
            3 => known,
            1 => "[A-Za-z][A-Za-z _]{0,15}".prop_map(E::from),
        ]
        .boxed(),
    }
}

/// Identifiers.
pub fn uuid() -> BoxedStrategy<Uuid> {
    any::<[u8; 16]>().prop_map(Uuid::from_bytes).boxed()
}

/// Timestamps built from an instant, and read from RFC 3339 text with any
/// precision and offset.
pub fn timestamp() -> BoxedStrategy<Timestamp> {
    prop_oneof![
        (0i64..4_102_444_800, 0u32..1_000_000_000).prop_map(|(seconds, nanos)| {
            Timestamp::from(chrono::DateTime::from_timestamp(seconds, nanos).expect("in range"))
        }),
        generate::date_time().prop_map(|text| text.parse().expect("the generator writes RFC 3339")),
    ]
    .boxed()
}

/// One step of a workflow.
pub fn feature(unknowns: Unknowns) -> BoxedStrategy<Feature> {
    (
        optional(open_enum(FeatureName::KNOWN, unknowns)),
        optional(open_enum(FeatureStatus::KNOWN, unknowns)),
        extra(unknowns),
    )
        .prop_map(|(feature, status, extra)| {
            let mut value = Feature::new();
            value.feature = feature;
            value.status = status;
            value.extra = extra;
            value
        })
        .boxed()
}

/// A phone number.
pub fn phone_number(unknowns: Unknowns) -> BoxedStrategy<PhoneNumber> {
    (optional(text()), optional(any::<bool>()), extra(unknowns))
        .prop_map(|(number, is_verified, extra)| {
            let mut value = PhoneNumber::new();
            value.number = number;
            value.is_verified = is_verified;
            value.extra = extra;
            value
        })
        .boxed()
}

/// An e-mail address.
pub fn email_address(unknowns: Unknowns) -> BoxedStrategy<EmailAddress> {
    (optional(text()), optional(any::<bool>()), extra(unknowns))
        .prop_map(|(email, is_verified, extra)| {
            let mut value = EmailAddress::new();
            value.email = email;
            value.is_verified = is_verified;
            value.extra = extra;
            value
        })
        .boxed()
}

/// The per-feature results.
pub fn additional_details(unknowns: Unknowns) -> BoxedStrategy<AdditionalDetails> {
    let extra = || extra(unknowns);
    let aml = (
        optional(any::<i64>()),
        optional(text()),
        optional(any::<bool>()),
        optional(
            (
                optional(text()),
                optional(text()),
                optional(text()),
                extra(),
            )
                .prop_map(|(nationality, document_number, date_of_birth, extra)| {
                    let mut value = AmlScreenedData::new();
                    value.nationality = nationality;
                    value.document_number = document_number;
                    value.date_of_birth = date_of_birth;
                    value.extra = extra;
                    value
                }),
        ),
        extra(),
    )
        .prop_map(
            |(total_hits, entity_type, is_adverse_media_fetched, screened_data, extra)| {
                let mut value = AmlDetails::new();
                value.total_hits = total_hits;
                value.entity_type = entity_type;
                value.is_adverse_media_fetched = is_adverse_media_fetched;
                value.screened_data = screened_data;
                value.extra = extra;
                value
            },
        );
    let database_validation = (
        optional(text()),
        optional(text()),
        optional(text()),
        extra(),
    )
        .prop_map(
            |(validation_type, match_type, identification_number, extra)| {
                let mut value = DatabaseValidationDetails::new();
                value.validation_type = validation_type;
                value.match_type = match_type;
                value.identification_number = identification_number;
                value.extra = extra;
                value
            },
        );
    let poa = (
        optional(text()),
        optional(text()),
        optional(text()),
        optional(text()),
        extra(),
    )
        .prop_map(
            |(document_type, issuer, address, name_on_document, extra)| {
                let mut value = ProofOfAddressDetails::new();
                value.document_type = document_type;
                value.issuer = issuer;
                value.address = address;
                value.name_on_document = name_on_document;
                value.extra = extra;
                value
            },
        );
    let liveness =
        (optional(text()), optional(finite()), extra()).prop_map(|(method, score, extra)| {
            let mut value = LivenessDetails::new();
            value.method = method;
            value.score = score;
            value.extra = extra;
            value
        });
    let face_match = (
        optional(finite()),
        optional(text()),
        optional(text()),
        extra(),
    )
        .prop_map(|(score, source_image, target_image, extra)| {
            let mut value = FaceMatchDetails::new();
            value.score = score;
            value.source_image = source_image;
            value.target_image = target_image;
            value.extra = extra;
            value
        });
    let booleans = || {
        (
            optional(any::<bool>()),
            optional(any::<bool>()),
            optional(any::<bool>()),
        )
    };
    let phone_verification = (optional(text()), booleans(), extra()).prop_map(
        |(country_code, (is_temporary, is_ported, is_blocked), extra)| {
            let mut value = PhoneVerificationDetails::new();
            value.country_code = country_code;
            value.is_temporary = is_temporary;
            value.is_ported = is_ported;
            value.is_blocked = is_blocked;
            value.extra = extra;
            value
        },
    );
    let email_verification = (optional(any::<bool>()), booleans(), extra()).prop_map(
        |(is_breached, (is_disposable, is_undeliverable, is_blocklisted), extra)| {
            let mut value = EmailVerificationDetails::new();
            value.is_breached = is_breached;
            value.is_disposable = is_disposable;
            value.is_undeliverable = is_undeliverable;
            value.is_blocklisted = is_blocklisted;
            value.extra = extra;
            value
        },
    );
    (
        optional(aml),
        optional(database_validation),
        optional(poa),
        optional(liveness),
        optional(face_match),
        optional(phone_verification),
        optional(email_verification),
        extra(),
    )
        .prop_map(
            |(
                aml,
                database_validation,
                poa,
                liveness,
                face_match,
                phone_verification,
                email_verification,
                extra,
            )| {
                {
                    let mut value = AdditionalDetails::new();
                    value.aml = aml;
                    value.database_validation = database_validation;
                    value.poa = poa;
                    value.liveness = liveness;
                    value.face_match = face_match;
                    value.phone_verification = phone_verification;
                    value.email_verification = email_verification;
                    value.extra = extra;
                    value
                }
            },
        )
        .boxed()
}

/// A KYC session.
pub fn kyc_session(unknowns: Unknowns) -> BoxedStrategy<KycSession> {
    let identity = (
        optional(uuid()),
        optional(Just(SessionKind::User)),
        optional(any::<i64>()),
        three_state(text()),
        three_state(text()),
        three_state(open_enum(DocumentType::KNOWN, unknowns)),
        three_state(text()),
        three_state(text()),
    );
    let progress = (
        optional(open_enum(SessionStatus::KNOWN, unknowns)),
        three_state(text()),
        three_state(uuid()),
        optional(timestamp()),
        optional(proptest::collection::vec(feature(unknowns), 0..4)),
        three_state(phone_number(unknowns)),
        three_state(email_address(unknowns)),
        three_state(additional_details(unknowns)),
    );
    (identity, progress, extra(unknowns))
        .prop_map(
            |(
                (
                    session_id,
                    session_kind,
                    session_number,
                    session_url,
                    portrait_image,
                    document_type,
                    full_name,
                    country,
                ),
                (
                    status,
                    vendor_data,
                    didit_internal_id,
                    created_at,
                    features,
                    phone_number,
                    email_address,
                    additional_details,
                ),
                extra,
            )| {
                let mut value = KycSession::new();
                value.session_id = session_id;
                value.session_kind = session_kind;
                value.session_number = session_number;
                value.session_url = session_url;
                value.portrait_image = portrait_image;
                value.document_type = document_type;
                value.full_name = full_name;
                value.country = country;
                value.status = status;
                value.vendor_data = vendor_data;
                value.didit_internal_id = didit_internal_id;
                value.created_at = created_at;
                value.features = features;
                value.phone_number = phone_number;
                value.email_address = email_address;
                value.additional_details = additional_details;
                value.extra = extra;
                value
            },
        )
        .boxed()
}

/// A KYB session.
pub fn kyb_session(unknowns: Unknowns) -> BoxedStrategy<KybSession> {
    (
        (
            optional(uuid()),
            optional(any::<i64>()),
            optional(open_enum(SessionStatus::KNOWN, unknowns)),
        ),
        (
            three_state(text()),
            optional(timestamp()),
            three_state(uuid()),
        ),
        (
            three_state(text()),
            three_state(text()),
            three_state(text()),
            three_state(text()),
            three_state(text()),
        ),
        extra(unknowns),
    )
        .prop_map(
            |(
                (session_id, session_number, status),
                (vendor_data, created_at, workflow_id),
                (workflow_type, workflow_label, company_name, registration_number, country),
                extra,
            )| {
                let mut value = KybSession::new(SessionKind::Business);
                value.session_id = session_id;
                value.session_number = session_number;
                value.status = status;
                value.vendor_data = vendor_data;
                value.created_at = created_at;
                value.workflow_id = workflow_id;
                value.workflow_type = workflow_type;
                value.workflow_label = workflow_label;
                value.company_name = company_name;
                value.registration_number = registration_number;
                value.country = country;
                value.extra = extra;
                value
            },
        )
        .boxed()
}

/// A row of a kind the SDK does not know, with its JSON.
pub fn unknown_row() -> BoxedStrategy<UnknownSessionRow> {
    let kind = open_enum(SessionKind::KNOWN, Unknowns::Sometimes).prop_filter_map(
        "a kind the SDK does not know",
        |kind| match kind {
            SessionKind::Unknown(kind) => Some(kind),
            _ => None,
        },
    );
    let fields = proptest::collection::btree_map("[a-z_]{1,10}", generate::any_json(), 0..4);
    (kind, fields)
        .prop_map(|(kind, fields)| {
            let mut raw: serde_json::Map<String, Value> = fields.into_iter().collect();
            raw.insert("session_kind".to_owned(), Value::String(kind.clone()));
            UnknownSessionRow {
                kind,
                raw: Value::Object(raw),
            }
        })
        .boxed()
}

/// A row of the list.
pub fn session(unknowns: Unknowns) -> BoxedStrategy<Session> {
    let known = prop_oneof![
        3 => kyc_session(unknowns).prop_map(|row| Session::Kyc(Box::new(row))),
        1 => kyb_session(unknowns).prop_map(|row| Session::Kyb(Box::new(row))),
    ];
    match unknowns {
        Unknowns::Never => known.boxed(),
        Unknowns::Sometimes => {
            prop_oneof![4 => known, 1 => unknown_row().prop_map(Session::Unknown)].boxed()
        }
    }
}

fn page_link() -> BoxedStrategy<Option<String>> {
    optional((0u64..10_000, 1u32..=100).prop_map(|(offset, limit)| {
        format!("https://verification.didit.me/v3/sessions/?limit={limit}&offset={offset}")
    }))
}

/// A page of the list.
pub fn session_page(unknowns: Unknowns) -> BoxedStrategy<SessionPage> {
    (
        any::<i64>(),
        page_link(),
        page_link(),
        proptest::collection::vec(session(unknowns), 0..4),
        extra(unknowns),
    )
        .prop_map(|(count, next, previous, results, extra)| {
            let mut value = SessionPage::new(count, results);
            value.next = next;
            value.previous = previous;
            value.extra = extra;
            value
        })
        .boxed()
}

/// An error body, with the messages of nested objects and of lists of
/// objects a few levels deep.
pub fn api_error() -> BoxedStrategy<ApiError> {
    let messages = prop_oneof![
        text().prop_map(ErrorMessages::String),
        proptest::collection::vec(text(), 0..3).prop_map(ErrorMessages::Array),
    ];
    let messages = messages.prop_recursive(3, 12, 3, |inner| {
        let nested =
            proptest::collection::btree_map("[a-z_]{1,12}", inner, 0..3).prop_map(ApiError::from);
        prop_oneof![
            nested.clone().prop_map(ErrorMessages::ApiError),
            proptest::collection::vec(nested, 1..3).prop_map(ErrorMessages::Entries),
        ]
    });
    proptest::collection::btree_map("[a-z_]{1,12}", messages, 0..4)
        .prop_map(ApiError::from)
        .boxed()
}

/// A value of the `session_kind` filter.
pub fn session_kind_filter() -> BoxedStrategy<SessionKindFilter> {
    proptest::sample::select(vec![
        SessionKindFilter::User,
        SessionKindFilter::Business,
        SessionKindFilter::All,
    ])
    .boxed()
}

/// A value of the `api_service` filter.
pub fn api_service() -> BoxedStrategy<ApiService> {
    use ApiService::*;
    proptest::sample::select(vec![
        IdVerification,
        FaceMatch,
        AgeEstimation,
        FaceSearch,
        Poa,
        Aml,
        KybRegistry,
        PassiveLiveness,
        DatabaseValidation,
        PhoneVerification,
        EmailVerification,
    ])
    .boxed()
}

/// The typed property for one type: every value of `strategy` encodes to
/// JSON that the component schema `component` of `validating_spec` accepts,
/// and decodes back to an equal value. The failure message names the type,
/// the schema, the problem, the shrunk value and the seed.
pub fn typed_failure<T>(
    component: &str,
    validating_spec: &crate::Spec,
    strategy: impl Strategy<Value = T>,
    regressions: Option<&'static str>,
) -> Option<String>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let schema_pointer = format!("/components/schemas/{component}");
    let validator = match validating_spec.validator(&schema_pointer) {
        Ok(validator) => validator,
        Err(error) => return Some(format!("`{component}`: {error}")),
    };
    let property = format!(
        "{} → `{component}` (schema #{schema_pointer})",
        std::any::type_name::<T>()
    );
    crate::property::check(
        &property,
        regressions,
        crate::property::DEFAULT_CASES,
        strategy,
        |value| {
            let json = serde_json::to_value(&value)
                .map_err(|error| format!("encoding failed: {error}"))?;
            crate::validation_errors(&validator, &json).map_err(|errors| {
                format!(
                    "encoded to JSON the schema rejects:\n  {}\nthe JSON: {json}",
                    errors.join("\n  ")
                )
            })?;
            let decoded: T = crate::decode(&json)?;
            if decoded == value {
                Ok(())
            } else {
                Err(format!(
                    "decoded back to a different value:\n{decoded:#?}\nfrom the JSON: {json}"
                ))
            }
        },
    )
    .err()
}
