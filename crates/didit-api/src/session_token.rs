//! The token of a new session: a secret.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The token that opens a session's hosted verification flow. Whoever holds
/// it can go through the verification, so it is kept as a secret: `Debug`
/// shows `[redacted]`, and the text comes out only through
/// [`expose_secret`](Self::expose_secret). It is written back as received
/// when serialized, which the API's own payloads need.
///
/// ```
/// use didit_api::SessionToken;
///
/// let token: SessionToken = serde_json::from_str(r#""3FaJ9wLqX2Mz""#)?;
/// assert_eq!(format!("{token:?}"), "SessionToken([redacted])");
/// assert_eq!(token.expose_secret(), "3FaJ9wLqX2Mz");
/// assert_eq!(serde_json::to_string(&token)?, r#""3FaJ9wLqX2Mz""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct SessionToken(SecretString);

impl SessionToken {
    /// The token's text. Keep it out of logs.
    ///
    /// ```
    /// let token = didit_api::SessionToken::from("abc".to_owned());
    /// assert_eq!(token.expose_secret(), "abc");
    /// ```
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for SessionToken {
    fn from(token: String) -> Self {
        Self(SecretString::from(token))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Serialize for SessionToken {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SessionToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SessionToken {
    fn schema_name() -> String {
        "SessionToken".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            ..Default::default()
        }
        .into()
    }
}
