//! Where the API key comes from: `--api-key`, `--api-key-file` (`-` for
//! standard input), or `DIDIT_API_KEY`.

use std::io::{self, Read};
use std::path::Path;

use crate::cli::ApiArgs;
use crate::failure::{Exit, Failure, KEY_HINT};

/// Key files larger than this hold something else.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// The key the flags or the environment give, if any: the flags win over
/// the environment. `stdin` is read for `--api-key-file -`.
pub fn api_key(api: &ApiArgs, stdin: impl Read) -> Result<Option<String>, Failure> {
    if let Some(key) = &api.api_key {
        return Ok(Some(key.clone()));
    }
    if let Some(path) = &api.api_key_file {
        let (source, bytes) = if path == Path::new("-") {
            ("standard input".to_owned(), read_at_most(stdin))
        } else {
            let source = path.display().to_string();
            let bytes = std::fs::File::open(path).and_then(read_at_most);
            (source, bytes)
        };
        let bytes = bytes.map_err(|error| {
            unusable(format!("could not read the API key from {source}: {error}"))
        })?;
        return key_from(&bytes, &source).map(Some);
    }
    match std::env::var(didit::API_KEY_ENV) {
        Ok(key) if !key.is_empty() => Ok(Some(key)),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(unusable(format!(
            "{} is not valid Unicode",
            didit::API_KEY_ENV
        ))),
    }
}

fn read_at_most(source: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    source.take(MAX_KEY_FILE_LEN + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The key a file holds: the whole text but one line break at its end.
/// Anything else that is not a key (white space around it, say) is left
/// for the SDK to refuse, naming what is wrong without echoing the key.
fn key_from(bytes: &[u8], source: &str) -> Result<String, Failure> {
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(unusable(format!(
            "{source} is larger than {MAX_KEY_FILE_LEN} bytes; it should hold only the API key"
        )));
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| unusable(format!("{source} is not UTF-8 text")))?;
    let key = text
        .strip_suffix('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .unwrap_or(text);
    if key.is_empty() {
        return Err(unusable(format!(
            "{source} is empty; it should hold the API key"
        )));
    }
    if key.contains(['\n', '\r']) {
        return Err(unusable(format!(
            "{source} holds more than one line; it should hold only the API key"
        )));
    }
    Ok(key.to_owned())
}

fn unusable(message: String) -> Failure {
    Failure::new(Exit::Authentication, message).with_hint(KEY_HINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Result<String, String> {
        key_from(text.as_bytes(), "key.txt").map_err(|failure| failure.to_string())
    }

    #[test]
    fn one_line_break_at_the_end_is_dropped() {
        assert_eq!(key("sk_live_1\n").unwrap(), "sk_live_1");
        assert_eq!(key("sk_live_1\r\n").unwrap(), "sk_live_1");
        assert_eq!(key("sk_live_1").unwrap(), "sk_live_1");
        // Spaces are the key's own: the SDK refuses such a key by name.
        assert_eq!(key(" sk_live_1 \n").unwrap(), " sk_live_1 ");
    }

    #[test]
    fn empty_files_and_several_lines_are_refused_by_name() {
        for empty in ["", "\n", "\r\n"] {
            let error = key(empty).unwrap_err();
            assert!(error.contains("key.txt is empty"), "{error}");
        }
        for several in ["sk_live_1\n\n", "sk_live_1\nsk_live_2\n", "a\rb"] {
            let error = key(several).unwrap_err();
            assert!(
                error.contains("key.txt holds more than one line"),
                "{error}"
            );
            assert!(!error.contains("sk_live"), "{error}");
        }
        let error = key_from(b"\xff\xfe", "key.txt").unwrap_err().to_string();
        assert!(error.contains("not UTF-8"), "{error}");
        let huge = vec![b'k'; MAX_KEY_FILE_LEN as usize + 1];
        let error = key_from(&huge, "key.txt").unwrap_err().to_string();
        assert!(error.contains("larger than"), "{error}");
    }
}
