//! A service that only receives webhooks pulls no HTTP client.

use std::process::Command;

/// Crates that would mean an HTTP client came along.
const CLIENT_CRATES: &[&str] = &["reqwest", "progenitor-client", "hyper-util"];

#[test]
fn the_default_features_pull_no_http_client() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--package",
            "didit-webhook",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo tree failed: {stderr}");
    let tree = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split(' ').next())
        .collect();
    assert!(
        names.contains(&"didit-api"),
        "didit-api is a dependency:\n{tree}"
    );
    for client in CLIENT_CRATES {
        assert!(
            !names.contains(client),
            "didit-webhook depends on `{client}`:\n{tree}"
        );
    }
}
