//! `Debug` of every SDK type a schema of the spec decodes into names the
//! properties it holds and shows none of their text (see
//! `didit_contract::debug_output`): the values are personal data, and
//! `Debug` output ends up in logs.

use didit_contract::Spec;
use didit_contract::debug_output::debug_output_failures;
use didit_contract::generate::Options;
use didit_contract::instances::{Target, targets};
use didit_contract::sdk::{component_type, response_type};

const REGRESSIONS: Option<&str> = Some("proptest-regressions/debug_output.txt");

fn every_target(spec: &Spec) -> Vec<Target> {
    targets(spec, component_type, response_type)
        .unwrap_or_else(|missing| panic!("{}", missing.join("\n")))
}

/// Requests and answers alike: `CreateSessionRequest`, `ContactDetails`,
/// `ExpectedDetails`, `UpdateSessionStatusRequest`, `SessionDecision`,
/// `SessionPage`, the error bodies and every part of them.
#[test]
fn no_debug_output_shows_a_string_of_a_documented_instance() {
    let spec = Spec::load().unwrap();
    let targets = every_target(&spec);
    for request in [
        "CreateSessionRequest",
        "UpdateSessionStatusRequest",
        "SessionDecision",
    ] {
        assert!(
            targets.iter().any(|target| target.label == request),
            "{request}"
        );
    }
    let failures = debug_output_failures(&spec, Options::DOCUMENTED, &targets, REGRESSIONS);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Properties a newer server adds, and enumeration values no version knows,
/// are data too.
#[test]
fn no_debug_output_shows_a_string_of_what_a_newer_server_may_send() {
    let spec = Spec::load().unwrap();
    let response_targets: Vec<Target> = every_target(&spec)
        .into_iter()
        .filter(|target| target.in_responses)
        .collect();
    let failures = debug_output_failures(
        &spec,
        Options::FORWARD_COMPATIBLE,
        &response_targets,
        REGRESSIONS,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
