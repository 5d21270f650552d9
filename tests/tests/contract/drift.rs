//! Spec ↔ types drift: every property of the spec has a field of a
//! compatible type and optionality in the SDK's types, and the other way
//! round; enumerations list the same values.

use didit_contract::Spec;
use didit_contract::drift::drift;
use didit_contract::sdk::component_type;

#[test]
fn the_sdk_types_match_the_spec_schemas() {
    let spec = Spec::load().unwrap();
    let problems = drift(&spec, component_type);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
