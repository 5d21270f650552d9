//! Typed property tests: any value of the SDK's types (as the `didit` facade
//! exports them) encodes to JSON the spec accepts and decodes back equal.

use didit_contract::typed::{self, Unknowns, typed_failure};
use didit_contract::{Spec, forward_compatible};

const REGRESSIONS: Option<&str> = Some("proptest-regressions/typed_properties.txt");

/// Values with only documented enumeration values, checked against the spec
/// itself.
#[test]
fn documented_values_encode_to_what_the_spec_accepts_and_decode_back_equal() {
    let spec = Spec::load().unwrap();
    let never = Unknowns::Never;
    let failures: Vec<String> = [
        typed_failure(
            "SessionPage",
            &spec,
            typed::session_page(never),
            REGRESSIONS,
        ),
        typed_failure("SessionRow", &spec, typed::session(never), REGRESSIONS),
        typed_failure("KycSession", &spec, typed::kyc_session(never), REGRESSIONS),
        typed_failure("KybSession", &spec, typed::kyb_session(never), REGRESSIONS),
        typed_failure("Feature", &spec, typed::feature(never), REGRESSIONS),
        typed_failure(
            "PhoneNumber",
            &spec,
            typed::phone_number(never),
            REGRESSIONS,
        ),
        typed_failure(
            "EmailAddress",
            &spec,
            typed::email_address(never),
            REGRESSIONS,
        ),
        typed_failure(
            "AdditionalDetails",
            &spec,
            typed::additional_details(never),
            REGRESSIONS,
        ),
        typed_failure("ApiError", &spec, typed::api_error(), REGRESSIONS),
        typed_failure(
            "SessionKindFilter",
            &spec,
            typed::session_kind_filter(),
            REGRESSIONS,
        ),
        typed_failure("ApiService", &spec, typed::api_service(), REGRESSIONS),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Values holding what this version does not know (open-enum `Unknown`
/// variants, rows of an unknown kind, undeclared properties in `extra`) are
/// not valid per the spec's closed enumerations; they are checked against
/// the spec with its enumerations opened, and must still decode back equal.
#[test]
fn values_unknown_to_the_spec_encode_and_decode_back_equal() {
    let opened = forward_compatible(&Spec::load().unwrap());
    let sometimes = Unknowns::Sometimes;
    let failures: Vec<String> = [
        typed_failure(
            "SessionPage",
            &opened,
            typed::session_page(sometimes),
            REGRESSIONS,
        ),
        typed_failure(
            "SessionRow",
            &opened,
            typed::session(sometimes),
            REGRESSIONS,
        ),
        typed_failure("Feature", &opened, typed::feature(sometimes), REGRESSIONS),
        typed_failure(
            "PhoneNumber",
            &opened,
            typed::phone_number(sometimes),
            REGRESSIONS,
        ),
        typed_failure(
            "EmailAddress",
            &opened,
            typed::email_address(sometimes),
            REGRESSIONS,
        ),
        typed_failure(
            "AdditionalDetails",
            &opened,
            typed::additional_details(sometimes),
            REGRESSIONS,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
