//! Signing deliveries exactly as Didit does, for tests and fake servers.

use std::fmt;

use http::{HeaderMap, HeaderValue};
use secrecy::SecretString;

use crate::error::ConfigError;
use crate::event::Summary;
use crate::json::{self, Node, NonAscii};
use crate::verify::{
    SIGNATURE_HEADER, SIGNATURE_SIMPLE_HEADER, SIGNATURE_V2_HEADER, TIMESTAMP_HEADER, hex, hmac,
};

/// Signs events the way Didit signs its deliveries: to test a receiver
/// without Didit, or to send deliveries from a fake server.
///
/// The body is the event with keys sorted, no spaces, non-ASCII characters
/// escaped and whole floats written as integers; the headers are
/// `X-Timestamp`, `X-Signature`, `X-Signature-V2` and, when the event has
/// the four fields it covers, `X-Signature-Simple`. `Debug` never shows
/// the secret.
///
/// ```
/// let signed = didit_webhook::Signer::new("whsec_example").sign(&serde_json::json!({
///     "webhook_type": "status.updated", "timestamp": 1_764_590_000,
///     "vendor_data": "Inés", "score": 88.0,
/// }))?;
/// assert_eq!(
///     signed.body,
///     br#"{"score":88,"timestamp":1764590000,"vendor_data":"In\u00e9s","webhook_type":"status.updated"}"#
/// );
/// assert_eq!(signed.headers["x-timestamp"], "1764590000");
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
pub struct Signer {
    secret: SecretString,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { secret: [redacted] }")
    }
}

/// A body and the headers Didit would send with it.
///
/// ```
/// let signed = didit_webhook::Signer::new("s").sign(&serde_json::json!({"timestamp": 1}))?;
/// assert!(signed.headers.contains_key("x-signature-v2"));
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedDelivery {
    /// The request body.
    pub body: Vec<u8>,
    /// `X-Timestamp` and the signature headers.
    pub headers: HeaderMap,
}

impl Signer {
    /// A signer with the destination's secret.
    ///
    /// ```
    /// let signer = didit_webhook::Signer::new("whsec_example");
    /// assert_eq!(format!("{signer:?}"), "Signer { secret: [redacted] }");
    /// ```
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            secret: secret.into(),
        }
    }

    /// Serialises and signs `event`, which must be an object with an
    /// integer `timestamp`.
    ///
    /// ```
    /// let signer = didit_webhook::Signer::new("whsec_example");
    /// assert!(signer.sign(&serde_json::json!([1, 2])).is_err());
    /// ```
    pub fn sign(&self, event: &serde_json::Value) -> Result<SignedDelivery, ConfigError> {
        let text = serde_json::to_string(event).map_err(|_| ConfigError::NotAnEvent)?;
        self.sign_json(&text)
    }

    /// Signs an event given as JSON text: it is read and re-encoded as
    /// Didit's encoder writes it (numbers keep their digits, whatever
    /// their size).
    ///
    /// ```
    /// let signer = didit_webhook::Signer::new("whsec_example");
    /// let signed = signer.sign_json(r#"{"timestamp": 1, "big": 123456789012345678901234567890}"#)?;
    /// assert_eq!(signed.body, br#"{"big":123456789012345678901234567890,"timestamp":1}"#);
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn sign_json(&self, event: &str) -> Result<SignedDelivery, ConfigError> {
        let document = json::parse(event).map_err(|_| ConfigError::NotAnEvent)?;
        let Node::Object(members) = &document else {
            return Err(ConfigError::NotAnEvent);
        };
        let timestamp = match crate::event::find(members, "timestamp") {
            Some(Node::Number(text)) => text.parse::<i64>().map_err(|_| ConfigError::NotAnEvent)?,
            _ => return Err(ConfigError::NotAnEvent),
        };
        let mut body = Vec::with_capacity(event.len());
        json::encode(&document, NonAscii::Escaped, &mut body);
        let mut canonical = Vec::with_capacity(event.len());
        json::encode(&document, NonAscii::Utf8, &mut canonical);

        let mut headers = HeaderMap::new();
        headers.insert(TIMESTAMP_HEADER, HeaderValue::from(timestamp));
        let mut add = |name: &'static str, message: &[u8]| {
            let digest = hex(&hmac(&self.secret, message));
            if let Ok(value) = HeaderValue::from_str(&digest) {
                headers.insert(name, value);
            }
        };
        add(SIGNATURE_HEADER, &body);
        add(SIGNATURE_V2_HEADER, &canonical);
        if let Some(summary) = Summary::from_body(members) {
            add(SIGNATURE_SIMPLE_HEADER, summary.signed_text().as_bytes());
        }
        Ok(SignedDelivery { body, headers })
    }
}
