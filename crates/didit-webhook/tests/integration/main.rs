//! The verifier against deliveries signed with Didit's algorithm, a
//! reference encoder, Python's own encoder, and an axum app on 127.0.0.1.

mod axum_app;
mod dependencies;
mod properties;
mod python;
mod reference;
mod typed;
mod vectors;

/// The README shows the axum example exactly as it is compiled.
#[test]
fn the_readme_shows_the_compiled_axum_example() {
    let readme = include_str!("../../../../README.md");
    let example = include_str!("../../examples/axum_receiver.rs");
    // From the first `use`: the file's own header is not in the README.
    let code = &example[example.find("use axum").unwrap()..];
    assert!(
        readme.contains(code),
        "README.md's \"Receiving webhooks\" must show examples/axum_receiver.rs from `use axum` on"
    );
}
