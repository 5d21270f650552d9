//! A point in time that remembers how the server wrote it.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An RFC 3339 timestamp, such as a session's `created_at`.
///
/// It keeps the exact text it was read from, so re-encoding gives back what
/// the server sent (chrono alone would rewrite `.328000` as `.328`), while
/// [`Timestamp::as_datetime`] gives the instant for arithmetic and ordering.
///
/// ```
/// use didit_api::Timestamp;
///
/// let at: Timestamp = "2025-06-09T12:26:54.328000Z".parse()?;
/// assert_eq!(at.as_str(), "2025-06-09T12:26:54.328000Z");
/// assert_eq!(at.as_datetime().timestamp(), 1_749_472_014);
/// # Ok::<(), didit_api::InvalidTimestamp>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    instant: DateTime<Utc>,
    text: Box<str>,
}

impl Timestamp {
    /// The instant, in UTC.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.instant
    }

    /// The text the timestamp was read from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// Orders by instant; equal instants written differently order by text.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant
            .cmp(&other.instant)
            .then_with(|| self.text.cmp(&other.text))
    }
}

/// A string that is not an RFC 3339 timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidTimestamp {
    text: String,
    reason: String,
}

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an RFC 3339 timestamp: {}",
            self.text, self.reason
        )
    }
}

impl std::error::Error for InvalidTimestamp {}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let instant = DateTime::parse_from_rfc3339(text).map_err(|error| InvalidTimestamp {
            text: text.to_owned(),
            reason: error.to_string(),
        })?;
        Ok(Self {
            instant: instant.with_timezone(&Utc),
            text: text.into(),
        })
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// Writes the instant the way the API does: UTC with a `Z` and only as
    /// many fractional digits as needed.
    fn from(instant: DateTime<Utc>) -> Self {
        Self {
            instant,
            text: instant.to_rfc3339_opts(SecondsFormat::AutoSi, true).into(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl serde::de::Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> String {
        "Timestamp".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("date-time".to_owned()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_exact_text() {
        for text in [
            "2025-06-09T12:26:54.328364Z",
            "2025-06-09T12:26:54.328000Z",
            "2025-06-09T12:26:54Z",
            "2025-06-09T14:26:54.1+02:00",
        ] {
            let json = format!("\"{text}\"");
            let at: Timestamp = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&at).unwrap(), json);
        }
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let at: Timestamp = "2025-06-09T14:26:54+02:00".parse().unwrap();
        assert_eq!(
            at.as_datetime(),
            "2025-06-09T12:26:54Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn garbage_is_a_typed_error_naming_the_text() {
        let error = "yesterday".parse::<Timestamp>().unwrap_err();
        assert!(error.to_string().contains("`yesterday`"), "{error}");
        assert!(serde_json::from_str::<Timestamp>("\"2025-13-40\"").is_err());
    }

    #[test]
    fn from_datetime_writes_utc_with_z() {
        let instant = "2025-06-09T12:26:54.5Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            Timestamp::from(instant).as_str(),
            "2025-06-09T12:26:54.500Z"
        );
    }
}
