//! The crate's signer, and the reference encoder, against Python's own
//! `json` module: the encoder Didit runs. Skipped (with a note) when no
//! `python3` is installed.

use std::io::Write;
use std::process::{Command, Stdio};

use didit_webhook::Signer;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::reference;

const SECRET: &str = "whsec_python";

/// For each line of JSON: the body Didit sends (ASCII), a tab, and the
/// HMAC of the UTF-8 re-encoding (what `X-Signature-V2` covers).
const SCRIPT: &str = r#"
import hashlib, hmac, json, sys

def shorten(value):
    if isinstance(value, dict):
        return {key: shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shorten(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

secret = sys.argv[1].encode()
for line in sys.stdin.buffer:
    event = shorten(json.loads(line))
    body = json.dumps(event, sort_keys=True, separators=(",", ":"))
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    v2 = hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()
    sys.stdout.write(body + "\t" + v2 + "\n")
"#;

/// Python's body and V2 signature for each document, or `None` without
/// Python.
fn python(documents: &[String]) -> Option<Vec<(String, String)>> {
    let mut child = match Command::new("python3")
        .args(["-c", SCRIPT, SECRET])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => {
            eprintln!("note: python3 is not available ({error}); cross-check skipped");
            return None;
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    let input = documents.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "python3 failed");
    let text = String::from_utf8(output.stdout).unwrap();
    Some(
        text.lines()
            .map(|line| {
                let (body, v2) = line.split_once('\t').unwrap();
                (body.to_owned(), v2.to_owned())
            })
            .collect(),
    )
}

#[test]
fn the_signer_and_the_reference_write_what_python_writes() {
    let strategy = crate::properties::event_strategy();
    let mut runner = TestRunner::deterministic();
    let values: Vec<reference::Json> = (0..400)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    // Python reads a re-serialised form (spaces, other order, `88.0`), as
    // Didit's server would read its own event.
    let documents: Vec<String> = values.iter().map(reference::reserialised).collect();
    let Some(expected) = python(&documents) else {
        return;
    };
    assert_eq!(expected.len(), documents.len());
    let signer = Signer::new(SECRET);
    for ((value, document), (body, v2)) in values.iter().zip(&documents).zip(&expected) {
        assert_eq!(
            &reference::dumps(value, true),
            body,
            "reference, from {document}"
        );
        let canonical = reference::dumps(value, false);
        assert_eq!(
            &reference::sign(SECRET, canonical.as_bytes()),
            v2,
            "reference V2, from {document}"
        );
        let signed = signer.sign_json(document).unwrap();
        assert_eq!(
            String::from_utf8(signed.body).unwrap(),
            *body,
            "signer, from {document}"
        );
        assert_eq!(signed.headers["x-signature-v2"], v2.as_str(), "{document}");
    }
}
