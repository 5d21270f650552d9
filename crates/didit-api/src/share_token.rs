//! The token that shares a session with another application: a secret.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The token that lets one other application import a copy of a session
/// until it expires. Whoever holds it can copy the session's personal data
/// into that application, so it is kept as a secret: `Debug` shows
/// `[redacted]`, and the text comes out only through
/// [`expose_secret`](Self::expose_secret). It is written back as received
/// when serialized, which redeeming it needs.
///
/// ```
/// use didit_api::ShareToken;
///
/// let token: ShareToken = serde_json::from_str(r#""eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg""#)?;
/// assert_eq!(format!("{token:?}"), "ShareToken([redacted])");
/// assert_eq!(token.expose_secret(), "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg");
/// assert_eq!(serde_json::to_string(&token)?, r#""eyJhbGciOiJIUzI1NiJ9.e30.c2lnbg""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct ShareToken(SecretString);

impl ShareToken {
    /// The token's text. Keep it out of logs.
    ///
    /// ```
    /// let token = didit_api::ShareToken::from("abc".to_owned());
    /// assert_eq!(token.expose_secret(), "abc");
    /// ```
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for ShareToken {
    fn from(token: String) -> Self {
        Self(SecretString::from(token))
    }
}

impl fmt::Debug for ShareToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShareToken([redacted])")
    }
}

impl PartialEq for ShareToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Serialize for ShareToken {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for ShareToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for ShareToken {
    fn schema_name() -> String {
        "ShareToken".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            ..Default::default()
        }
        .into()
    }
}
