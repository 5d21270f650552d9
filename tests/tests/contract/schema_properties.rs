//! Schema-driven property tests: instances generated from the spec's own
//! schemas (not from hand-written per-type strategies) satisfy the spec,
//! decode into the SDK's types and re-encode to the same JSON.

use didit_contract::generate::{Generator, Options};
use didit_contract::instances::{Target, target_failures, targets};
use didit_contract::sdk::{component_type, response_type};
use didit_contract::{Spec, forward_compatible, validation_errors};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

const REGRESSIONS: Option<&str> = Some("proptest-regressions/schema_properties.txt");

fn every_target(spec: &Spec) -> Vec<Target> {
    targets(spec, component_type, response_type)
        .unwrap_or_else(|missing| panic!("{}", missing.join("\n")))
}

#[test]
fn documented_instances_of_every_schema_decode_and_re_encode_unchanged() {
    let spec = Spec::load().unwrap();
    let failures = target_failures(
        &spec,
        &spec,
        Options::DOCUMENTED,
        &every_target(&spec),
        REGRESSIONS,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What a newer server may send: properties the spec does not declare and
/// values no enumeration lists, in every schema that responses use.
///
/// Unknown *properties* are dropped by the SDK's structs (they keep only the
/// properties they declare); `check_instance` allows exactly that and checks
/// everything else, so unknown enumeration values must come back unchanged.
/// Instances with unknown values are not valid per the spec's closed
/// enumerations, so they are validated against the spec with its enumerations
/// opened (`forward_compatible`), which still checks every other constraint.
#[test]
fn what_a_newer_server_may_send_decodes_and_re_encodes_unchanged() {
    let spec = Spec::load().unwrap();
    let response_targets: Vec<Target> = every_target(&spec)
        .into_iter()
        .filter(|target| target.in_responses)
        .collect();
    assert!(
        response_targets
            .iter()
            .any(|target| target.label == "SessionPage"),
        "the page is a response schema"
    );
    let failures = target_failures(
        &spec,
        &forward_compatible(&spec),
        Options::FORWARD_COMPATIBLE,
        &response_targets,
        REGRESSIONS,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The forward-compatible instances really go beyond the spec, which is why
/// they are validated against the opened spec: a check that would pass
/// without unknown values proves nothing about them.
#[test]
fn forward_compatible_instances_leave_the_spec_but_not_the_opened_spec() {
    let spec = Spec::load().unwrap();
    let pointer = "/components/schemas/SessionStatus";
    let strict = spec.validator(pointer).unwrap();
    let opened = forward_compatible(&spec).validator(pointer).unwrap();
    let generator = Generator::new(&spec.json, Options::FORWARD_COMPATIBLE);
    let strategy = generator.strategy_at(pointer);
    let mut runner = TestRunner::deterministic();
    let values: Vec<_> = (0..200)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    assert!(
        values
            .iter()
            .all(|value| validation_errors(&opened, value).is_ok())
    );
    assert!(
        values
            .iter()
            .any(|value| validation_errors(&strict, value).is_err()),
        "some values are unknown to the spec"
    );
}
