//! The verifier: signatures, freshness, replay.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::dedup::{Deduplicator, Seen};
use crate::error::{ConfigError, Error};
use crate::event::{Event, Summary};
use crate::json::{self, Node, NonAscii};

/// `X-Signature`: HMAC-SHA256 of the body's bytes.
pub const SIGNATURE_HEADER: &str = "x-signature";
/// `X-Signature-V2`: HMAC-SHA256 of the body re-encoded with non-ASCII
/// characters as UTF-8.
pub const SIGNATURE_V2_HEADER: &str = "x-signature-v2";
/// `X-Signature-Simple`: HMAC-SHA256 of
/// `{timestamp}:{session_id}:{status}:{webhook_type}`.
pub const SIGNATURE_SIMPLE_HEADER: &str = "x-signature-simple";
/// `X-Timestamp`: the body's `timestamp`, in seconds since the Unix epoch.
pub const TIMESTAMP_HEADER: &str = "x-timestamp";

/// How far the event's `timestamp` may be from now, either way, by
/// default: five minutes, as Didit advises.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

/// The largest body accepted by default: 2 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 2 * 1024 * 1024;

type HmacSha256 = Hmac<Sha256>;
type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The header whose signature proved a delivery authentic.
///
/// ```
/// assert_eq!(didit_webhook::SignatureHeader::V2.name(), "X-Signature-V2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureHeader {
    /// `X-Signature`, over the body's bytes.
    Raw,
    /// `X-Signature-V2`, over the body's canonical re-encoding.
    V2,
    /// `X-Signature-Simple`, over four fields only.
    Simple,
}

impl SignatureHeader {
    /// The header's name as Didit writes it.
    ///
    /// ```
    /// assert_eq!(didit_webhook::SignatureHeader::Raw.name(), "X-Signature");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SignatureHeader::Raw => "X-Signature",
            SignatureHeader::V2 => "X-Signature-V2",
            SignatureHeader::Simple => "X-Signature-Simple",
        }
    }
}

/// What a verified delivery authenticates.
///
/// ```
/// # let delivery = didit_webhook::Delivery::example();
/// match delivery.payload() {
///     didit_webhook::Payload::Event(event) => println!("{:?}", event.status()),
///     didit_webhook::Payload::Summary(summary) => println!("{}", summary.status),
///     _ => {}
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Payload {
    /// The whole body (`X-Signature` or `X-Signature-V2`).
    Event(Box<Event>),
    /// Four fields only (`X-Signature-Simple`, when allowed and the only
    /// valid signature): nothing else of the body can be trusted.
    Summary(Summary),
}

/// A delivery that passed every check.
///
/// ```
/// use didit_webhook::{Signer, Verifier};
///
/// let signed = Signer::new("whsec_example").sign(&serde_json::json!({
///     "webhook_type": "status.updated", "timestamp": 1_764_590_000,
///     "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f", "status": "Declined",
/// }))?;
/// let verifier = Verifier::builder().secret("whsec_example").build()?;
/// let delivery = verifier.verify_at(&signed.body, &signed.headers, 1_764_590_000)?;
/// assert_eq!(delivery.signature(), didit_webhook::SignatureHeader::Raw);
/// assert!(!delivery.is_duplicate());
/// assert_eq!(delivery.summary().unwrap().status.as_str(), "Declined");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Delivery {
    payload: Payload,
    signature: SignatureHeader,
    duplicate: bool,
}

impl Delivery {
    /// What the signature authenticates.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// assert!(matches!(delivery.payload(), didit_webhook::Payload::Event(_)));
    /// ```
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// The whole event, unless only `X-Signature-Simple` vouched for it.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// assert_eq!(delivery.event().unwrap().vendor_data(), Some("user-7"));
    /// ```
    pub fn event(&self) -> Option<&Event> {
        match &self.payload {
            Payload::Event(event) => Some(event),
            Payload::Summary(_) => None,
        }
    }

    /// The whole event, taken out of the delivery.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// let event = delivery.into_event().unwrap();
    /// assert_eq!(event.timestamp(), 1_764_590_000);
    /// ```
    pub fn into_event(self) -> Option<Event> {
        match self.payload {
            Payload::Event(event) => Some(*event),
            Payload::Summary(_) => None,
        }
    }

    /// Timestamp, session, status and type, whichever signature verified
    /// the delivery; `None` for an event without a session or status.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// assert_eq!(delivery.summary().unwrap().webhook_type.as_str(), "status.updated");
    /// ```
    pub fn summary(&self) -> Option<Summary> {
        match &self.payload {
            Payload::Event(event) => event.summary(),
            Payload::Summary(summary) => Some(summary.clone()),
        }
    }

    /// The header that proved the delivery authentic.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// assert_eq!(delivery.signature().name(), "X-Signature");
    /// ```
    pub fn signature(&self) -> SignatureHeader {
        self.signature
    }

    /// Whether the verifier's deduplicator has seen this event before: a
    /// retry or a replay. Answer it with a 2xx and do not process it again.
    /// Always `false` without a deduplicator.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// assert!(!delivery.is_duplicate());
    /// ```
    pub fn is_duplicate(&self) -> bool {
        self.duplicate
    }

    /// The key the deduplicator records: `event:{event_id}` when Didit sent
    /// an `event_id` (the same on every retry of the event); otherwise
    /// `body:{SHA-256 of the body}` (one sending of the event: its replay
    /// is caught, but a retry that Didit signs again with a new timestamp
    /// is new); for a delivery only `X-Signature-Simple` vouched for,
    /// `fields:{timestamp}:{session_id}:{status}:{webhook_type}`.
    ///
    /// ```
    /// # let delivery = didit_webhook::Delivery::example();
    /// let key = delivery.dedup_key();
    /// assert!(key.starts_with("body:"));
    /// assert_eq!(key.len(), "body:".len() + 64);
    /// ```
    pub fn dedup_key(&self) -> String {
        dedup_key(&self.payload)
    }

    /// A delivery for the examples of this documentation.
    #[doc(hidden)]
    pub fn example() -> Delivery {
        Delivery {
            payload: Payload::Event(Box::new(Event::example())),
            signature: SignatureHeader::Raw,
            duplicate: false,
        }
    }
}

fn dedup_key(payload: &Payload) -> String {
    match payload {
        Payload::Event(event) => match event.event_id() {
            Some(id) => format!("event:{id}"),
            None => {
                let digest = Sha256::digest(event.raw().get().as_bytes());
                format!("body:{}", hex(&digest))
            }
        },
        // Nothing else of the body is authenticated.
        Payload::Summary(summary) => format!("fields:{}", summary.signed_text()),
    }
}

/// Lower-case hex digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

/// Checks Didit's webhook deliveries: signature, freshness, replay.
///
/// Built once with [`Verifier::builder`] and shared (it is cheap to clone).
/// [`verify`](Verifier::verify) takes the body's bytes exactly as received
/// and the request's headers.
///
/// - `X-Signature` (the body's bytes) or `X-Signature-V2` (its canonical
///   re-encoding, which survives a framework that parsed and re-serialised
///   the body) must match under one of the secrets; both are compared in
///   constant time. `X-Signature-Simple` is accepted only with
///   [`allow_simple_signature`](VerifierBuilder::allow_simple_signature).
/// - The body's `timestamp` must be within [`max_age`](VerifierBuilder::max_age)
///   of the clock, either way; `X-Timestamp`, when sent, must equal it.
/// - With a [`deduplicator`](VerifierBuilder::deduplicator), a delivery seen
///   before is flagged with [`Delivery::is_duplicate`].
///
/// `Debug` never shows the secrets.
///
/// ```
/// use std::time::Duration;
/// use didit_webhook::{MemoryDeduplicator, Verifier};
///
/// let verifier = Verifier::builder()
///     .secret("whsec_current")
///     .secret("whsec_previous") // still accepted while the rotation lasts
///     .max_age(Duration::from_secs(300))
///     .deduplicator(MemoryDeduplicator::new())
///     .build()?;
/// assert!(!format!("{verifier:?}").contains("whsec"));
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    secrets: Vec<SecretString>,
    max_age: Duration,
    max_body_size: usize,
    allow_simple: bool,
    clock: Clock,
    deduplicator: Option<Arc<dyn Deduplicator>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.inner.secrets.len()),
            )
            .field("max_age", &self.inner.max_age)
            .field("max_body_size", &self.inner.max_body_size)
            .field("allow_simple_signature", &self.inner.allow_simple)
            .field("deduplicator", &self.inner.deduplicator.is_some())
            .finish_non_exhaustive()
    }
}

/// Settings of a [`Verifier`].
///
/// ```
/// let verifier = didit_webhook::Verifier::builder()
///     .secret("whsec_example")
///     .max_body_size(512 * 1024)
///     .build()?;
/// assert_eq!(verifier.max_body_size(), 512 * 1024);
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
#[must_use]
pub struct VerifierBuilder {
    secrets: Vec<SecretString>,
    max_age: Duration,
    max_body_size: usize,
    allow_simple: bool,
    clock: Clock,
    deduplicator: Option<Arc<dyn Deduplicator>>,
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch by the system clock.
fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

impl Verifier {
    /// Starts a verifier: at least one [`secret`](VerifierBuilder::secret)
    /// is needed.
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder().secret("whsec_example").build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder {
            secrets: Vec::new(),
            max_age: DEFAULT_MAX_AGE,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            allow_simple: false,
            clock: Arc::new(system_now),
            deduplicator: None,
        }
    }

    /// The largest body accepted, in bytes.
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder().secret("s").build()?;
    /// assert_eq!(verifier.max_body_size(), didit_webhook::DEFAULT_MAX_BODY_SIZE);
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn max_body_size(&self) -> usize {
        self.inner.max_body_size
    }

    /// Verifies a delivery by the verifier's clock.
    ///
    /// ```
    /// use didit_webhook::{Signer, Verifier};
    ///
    /// let now = std::time::SystemTime::now()
    ///     .duration_since(std::time::UNIX_EPOCH)?
    ///     .as_secs();
    /// let signed = Signer::new("whsec_example").sign(&serde_json::json!({
    ///     "webhook_type": "status.updated", "timestamp": now,
    ///     "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f", "status": "Approved",
    /// }))?;
    /// let verifier = Verifier::builder().secret("whsec_example").build()?;
    /// let delivery = verifier.verify(&signed.body, &signed.headers)?;
    /// assert!(delivery.event().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self, body: &[u8], headers: &HeaderMap) -> Result<Delivery, Error> {
        self.verify_at(body, headers, (self.inner.clock)())
    }

    /// Verifies a delivery as if the time were `now` (seconds since the Unix
    /// epoch): for replaying a recorded delivery.
    ///
    /// ```
    /// use didit_webhook::{Error, Signer, Verifier};
    ///
    /// let signed = Signer::new("whsec_example").sign(&serde_json::json!({
    ///     "webhook_type": "status.updated", "timestamp": 1_764_590_000,
    /// }))?;
    /// let verifier = Verifier::builder().secret("whsec_example").build()?;
    /// assert!(verifier.verify_at(&signed.body, &signed.headers, 1_764_590_300).is_ok());
    /// assert!(matches!(
    ///     verifier.verify_at(&signed.body, &signed.headers, 1_764_590_301),
    ///     Err(Error::Stale { age_secs: 301, .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_at(&self, body: &[u8], headers: &HeaderMap, now: i64) -> Result<Delivery, Error> {
        let inner = &*self.inner;
        if body.len() > inner.max_body_size {
            return Err(Error::BodyTooLarge {
                max: inner.max_body_size,
            });
        }
        let raw_signature = signature(headers, SIGNATURE_HEADER, "X-Signature")?;
        let v2_signature = signature(headers, SIGNATURE_V2_HEADER, "X-Signature-V2")?;
        let simple_signature = signature(headers, SIGNATURE_SIMPLE_HEADER, "X-Signature-Simple")?;
        if raw_signature.is_none()
            && v2_signature.is_none()
            && (simple_signature.is_none() || !inner.allow_simple)
        {
            return Err(Error::MissingSignature {
                only_simple: simple_signature.is_some(),
            });
        }

        let text = std::str::from_utf8(body).map_err(|error| Error::NotJson {
            problem: "a byte sequence that is not UTF-8",
            offset: error.valid_up_to(),
        })?;
        let document = json::parse(text).map_err(|error| Error::NotJson {
            problem: error.problem,
            offset: error.offset,
        })?;
        let Node::Object(members) = &document else {
            return Err(Error::NotAnObject);
        };

        let mut checked = Vec::new();
        let mut proof = None;
        if let Some(expected) = &raw_signature {
            checked.push("X-Signature");
            if self.matches(body, expected) {
                proof = Some(SignatureHeader::Raw);
            }
        }
        if let (None, Some(expected)) = (proof, &v2_signature) {
            checked.push("X-Signature-V2");
            let mut canonical = Vec::with_capacity(body.len());
            json::encode(&document, NonAscii::Utf8, &mut canonical);
            if self.matches(&canonical, expected) {
                proof = Some(SignatureHeader::V2);
            }
        }
        let mut summary = None;
        if let (None, Some(expected), true) = (proof, &simple_signature, inner.allow_simple) {
            checked.push("X-Signature-Simple");
            summary = Summary::from_body(members);
            if let Some(fields) = &summary
                && self.matches(fields.signed_text().as_bytes(), expected)
            {
                proof = Some(SignatureHeader::Simple);
            }
        }
        let Some(proof) = proof else {
            return Err(Error::SignatureMismatch {
                checked: checked.join(", "),
            });
        };

        let payload = match (proof, summary) {
            (SignatureHeader::Simple, Some(summary)) => Payload::Summary(summary),
            _ => Payload::Event(Box::new(Event::from_body(text, members).map_err(
                |error| Error::InvalidField {
                    field: error.field,
                    expected: error.expected,
                },
            )?)),
        };
        let timestamp = match &payload {
            Payload::Event(event) => event.timestamp(),
            Payload::Summary(summary) => summary.timestamp,
        };
        self.check_time(headers, timestamp, now)?;

        let mut delivery = Delivery {
            payload,
            signature: proof,
            duplicate: false,
        };
        if let Some(deduplicator) = &inner.deduplicator {
            let seen = deduplicator
                .record(&delivery.dedup_key(), now)
                .map_err(Error::Deduplicator)?;
            delivery.duplicate = seen == Seen::Before;
        }
        Ok(delivery)
    }

    /// Whether `message` signed with one of the secrets gives `expected`.
    fn matches(&self, message: &[u8], expected: &[u8; 32]) -> bool {
        // Every secret is tried, so the time taken does not tell which one
        // matched.
        let mut matched = subtle::Choice::from(0);
        for secret in &self.inner.secrets {
            matched |= hmac(secret, message).ct_eq(expected);
        }
        matched.into()
    }

    fn check_time(&self, headers: &HeaderMap, timestamp: i64, now: i64) -> Result<(), Error> {
        let mut values = headers.get_all(TIMESTAMP_HEADER).iter();
        if let Some(value) = values.next() {
            if values.next().is_some() {
                return Err(Error::MalformedTimestampHeader);
            }
            let header: i64 = value
                .to_str()
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .ok_or(Error::MalformedTimestampHeader)?;
            if header != timestamp {
                return Err(Error::TimestampMismatch);
            }
        }
        let max_age_secs = self.inner.max_age.as_secs();
        let age = i128::from(now) - i128::from(timestamp);
        let seconds = |value: i128| u64::try_from(value.unsigned_abs()).unwrap_or(u64::MAX);
        if age > i128::from(max_age_secs) {
            return Err(Error::Stale {
                age_secs: seconds(age),
                max_age_secs,
            });
        }
        if -age > i128::from(max_age_secs) {
            return Err(Error::FromTheFuture {
                ahead_secs: seconds(age),
                max_age_secs,
            });
        }
        Ok(())
    }
}

/// HMAC-SHA256 of `message` under `secret`.
pub(crate) fn hmac(secret: &SecretString, message: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length; the error case cannot happen.
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.expose_secret().as_bytes()) else {
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The signature in header `name`, if present: exactly 64 hex digits.
fn signature(
    headers: &HeaderMap,
    name: &'static str,
    display: &'static str,
) -> Result<Option<[u8; 32]>, Error> {
    let malformed = |problem| Error::MalformedSignature {
        header: display,
        problem,
    };
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(malformed("it appears more than once"));
    }
    decode_hex(value.as_bytes())
        .map(Some)
        .ok_or_else(|| malformed("expected 64 hexadecimal digits"))
}

/// Exactly 64 hex digits (either case) to 32 bytes.
fn decode_hex(text: &[u8]) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let digit = |byte: u8| char::from(byte).to_digit(16);
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *byte = u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?;
    }
    Some(bytes)
}

impl VerifierBuilder {
    /// Adds a secret (the destination's "webhook secret key" in the Didit
    /// console). Give several during a rotation: a delivery signed with any
    /// of them passes.
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_new")
    ///     .secret(String::from("whsec_old"))
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// How far the event's `timestamp` may be from the clock, either way
    /// (default 300 s). Whole seconds count.
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_example")
    ///     .max_age(std::time::Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The largest body accepted, in bytes (default 2 MiB).
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_example")
    ///     .max_body_size(64 * 1024)
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Also accepts `X-Signature-Simple` alone (default: no). It covers
    /// timestamp, session, status and type only, so such a delivery exposes
    /// just those ([`Payload::Summary`]).
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_example")
    ///     .allow_simple_signature(true)
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn allow_simple_signature(mut self, allow: bool) -> Self {
        self.allow_simple = allow;
        self
    }

    /// The clock, in seconds since the Unix epoch (default: the system's).
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_example")
    ///     .clock(|| 1_764_590_000)
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn clock(mut self, now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(now);
        self
    }

    /// Records every verified delivery and flags those seen before
    /// ([`Delivery::is_duplicate`]); see [`Delivery::dedup_key`].
    ///
    /// ```
    /// let verifier = didit_webhook::Verifier::builder()
    ///     .secret("whsec_example")
    ///     .deduplicator(didit_webhook::MemoryDeduplicator::new())
    ///     .build()?;
    /// # Ok::<(), didit_webhook::ConfigError>(())
    /// ```
    pub fn deduplicator(mut self, deduplicator: impl Deduplicator + 'static) -> Self {
        self.deduplicator = Some(Arc::new(deduplicator));
        self
    }

    /// The verifier; fails without a non-empty secret.
    ///
    /// ```
    /// assert!(didit_webhook::Verifier::builder().secret("").build().is_err());
    /// ```
    pub fn build(self) -> Result<Verifier, ConfigError> {
        let secrets: Vec<SecretString> = self
            .secrets
            .into_iter()
            .filter(|secret| !secret.expose_secret().is_empty())
            .collect();
        if secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        Ok(Verifier {
            inner: Arc::new(Inner {
                secrets,
                max_age: self.max_age,
                max_body_size: self.max_body_size,
                allow_simple: self.allow_simple,
                clock: self.clock,
                deduplicator: self.deduplicator,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_exactly_64_digits_of_either_case() {
        let lower = "ba11a59d8e94e09576e56a21c8d9882ff1d5ce201a44e1749c96079bc332bee5";
        let decoded = decode_hex(lower.as_bytes()).unwrap();
        assert_eq!(decode_hex(lower.to_uppercase().as_bytes()), Some(decoded));
        assert_eq!(decoded[0], 0xba);
        for bad in [
            &lower[..63],
            &format!("{lower}0"),
            &format!("{} ", &lower[..63]),
            &format!("+{}", &lower[1..]),
            &format!("g{}", &lower[1..]),
            "",
        ] {
            assert_eq!(decode_hex(bad.as_bytes()), None, "{bad:?}");
        }
    }
}
