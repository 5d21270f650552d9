//! One page of the session list, and how it is read from an answer.

use reqwest::StatusCode;

use crate::error::snippet;
use crate::transport::Received;
use crate::types::SessionPage;
use crate::{Error, RateLimit, Result, Session};

/// One page of `GET /v3/sessions/`, with what the answer's headers said.
///
/// ```
/// # async fn run(client: didit::Client) -> Result<(), didit::Error> {
/// let page = client.sessions().list().limit(50).send().await?;
/// for session in &page.results {
///     println!("{:?}", session.kind());
/// }
/// if page.rate_limit.remaining == Some(0) {
///     println!("the next request may be rate limited");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// How many rows match the filters in all. Exact for KYC rows; for KYB
    /// rows the server stops counting at 100. The pages of an `all` listing
    /// that come after its KYC rows end count KYB rows only (see
    /// [`ListSessions::session_kind`](crate::ListSessions::session_kind)).
    /// Signed, as the API's contract sets no lower bound; the server sends
    /// no negative count.
    pub count: i64,
    /// Absolute URL of the next page, as the server sent it; `None` on the
    /// last page.
    pub next: Option<String>,
    /// Absolute URL of the previous page, as the server sent it.
    pub previous: Option<String>,
    /// The rows, newest first (with `session_kind=all`, KYC rows before KYB
    /// rows).
    pub results: Vec<Session>,
    /// The page's properties that this version of the SDK does not declare,
    /// by name, as the server sent them (the rows keep theirs in their own
    /// `extra` fields).
    pub extra: crate::Extra,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The answer's rate-limit headers.
    pub rate_limit: RateLimit,
}

impl Page {
    /// Reads a successful answer, naming the failing field when the body is
    /// not a page.
    pub(crate) fn decode(received: Received) -> Result<Page> {
        let Received {
            status,
            headers,
            body,
        } = received;
        // The common case pays for no path tracking; a failure is decoded
        // again to find where it went wrong.
        let page = serde_json::from_slice::<SessionPage>(&body).map_err(|_| {
            let (path, message) = locate_decode_error(&body);
            Error::Decode {
                status,
                path,
                message,
                snippet: snippet(&body, Error::SNIPPET_LEN),
            }
        })?;
        Ok(Page {
            count: page.count,
            next: page.next,
            previous: page.previous,
            results: page.results,
            extra: page.extra,
            status,
            rate_limit: RateLimit::from_headers(&headers),
        })
    }
}

/// The path of the field a page fails to decode at, and the message.
fn locate_decode_error(body: &[u8]) -> (String, String) {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let Err(error) = serde_path_to_error::deserialize::<_, SessionPage>(&mut deserializer) else {
        return (".".to_owned(), "the body could not be decoded".to_owned());
    };
    let mut path = error.path().to_string();
    let mut message = error.into_inner().to_string();
    // A row reports its own failing field as "field `x`: ..." (rows are
    // decoded apart to tell KYC from KYB); fold it into the path.
    if let Some(rest) = message.strip_prefix("field `")
        && let Some((field, reason)) = rest.split_once("`: ")
    {
        path = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        message = reason.to_owned();
    }
    (path, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;

    fn decode(body: &str) -> Result<Page> {
        Page::decode(Received {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        })
    }

    #[test]
    fn the_failing_row_field_is_named() {
        let body = r#"{"count": 2, "next": null, "previous": null, "results": [
            {"session_number": 1}, {"session_number": "two"}]}"#;
        let Err(Error::Decode { path, message, .. }) = decode(body) else {
            panic!("expected a decode error")
        };
        assert_eq!(path, "results[1].session_number");
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn truncated_bodies_are_decode_errors_with_status_and_snippet() {
        let Err(Error::Decode {
            status, snippet, ..
        }) = decode(r#"{"count": 2, "next": null, "prev"#)
        else {
            panic!("expected a decode error")
        };
        assert_eq!(status, StatusCode::OK);
        assert!(snippet.starts_with(r#"{"count": 2"#));
    }

    #[test]
    fn top_level_fields_are_named_too() {
        let Err(Error::Decode { path, .. }) =
            decode(r#"{"count": "many", "next": null, "previous": null, "results": []}"#)
        else {
            panic!("expected a decode error")
        };
        assert_eq!(path, "count");
    }
}
