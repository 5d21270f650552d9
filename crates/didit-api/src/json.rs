//! JSON values that re-encode exactly as received.
//!
//! Didit writes a score of 98 as `98` and a score of 0.98 as `0.98`. Read into
//! an `f64`, the first would be written back as `98.0`; [`JsonNumber`] keeps
//! the number as the server wrote it and still reads as an `f64`. Free-form
//! objects are [`JsonObject`]s, so that an empty object stays apart from an
//! absent one.

use std::fmt;
use std::str::FromStr;

/// A JSON number as the server wrote it: an integer stays an integer, a
/// fraction keeps its digits.
///
/// ```
/// use didit_api::JsonNumber;
///
/// let score: JsonNumber = serde_json::from_str("98")?;
/// assert_eq!(score.as_f64(), 98.0);
/// assert_eq!(serde_json::to_string(&score)?, "98");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct JsonNumber(serde_json::Number);

impl JsonNumber {
    /// The value as an `f64` (integers beyond 2^53 lose precision).
    ///
    /// ```
    /// let n: didit_api::JsonNumber = "0.25".parse()?;
    /// assert_eq!(n.as_f64(), 0.25);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_f64(&self) -> f64 {
        // Without serde_json's arbitrary precision every number has an f64
        // value; NaN cannot occur, as JSON has no way to write it.
        self.0.as_f64().unwrap_or(f64::NAN)
    }

    /// The value as an `i64` when the server wrote an integer that fits.
    ///
    /// ```
    /// let n: didit_api::JsonNumber = "75".parse()?;
    /// assert_eq!(n.as_i64(), Some(75));
    /// let n: didit_api::JsonNumber = "75.5".parse()?;
    /// assert_eq!(n.as_i64(), None);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        self.0.as_i64()
    }

    /// The number as `serde_json` holds it.
    ///
    /// ```
    /// let n = didit_api::JsonNumber::from(3);
    /// assert!(n.as_number().is_i64());
    /// ```
    pub fn as_number(&self) -> &serde_json::Number {
        &self.0
    }
}

impl From<i64> for JsonNumber {
    fn from(value: i64) -> Self {
        Self(value.into())
    }
}

impl From<serde_json::Number> for JsonNumber {
    fn from(value: serde_json::Number) -> Self {
        Self(value)
    }
}

impl TryFrom<f64> for JsonNumber {
    type Error = NotFinite;

    /// Fails for NaN and the infinities, which JSON cannot write.
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        serde_json::Number::from_f64(value)
            .map(Self)
            .ok_or(NotFinite)
    }
}

/// An `f64` that is NaN or infinite, which no JSON number can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotFinite;

impl fmt::Display for NotFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON numbers are finite")
    }
}

impl std::error::Error for NotFinite {}

impl fmt::Display for JsonNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for JsonNumber {
    type Err = serde_json::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(text)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for JsonNumber {
    fn schema_name() -> String {
        "JsonNumber".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Number.into()),
            ..Default::default()
        }
        .into()
    }
}

/// A JSON object whose members the API leaves open (registry data, custom
/// fields, provider answers), kept as received.
///
/// ```
/// use didit_api::JsonObject;
///
/// let object: JsonObject = serde_json::from_str(r#"{"sector": "retail"}"#)?;
/// assert_eq!(object.as_map()["sector"], "retail");
/// assert_eq!(serde_json::to_string(&object)?, r#"{"sector":"retail"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct JsonObject(serde_json::Map<String, serde_json::Value>);

/// Names the members, never their values (your metadata, a registry's
/// answer).
impl fmt::Debug for JsonObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::outline(self, "JsonObject", f)
    }
}

impl JsonObject {
    /// The members.
    ///
    /// ```
    /// assert!(didit_api::JsonObject::default().as_map().is_empty());
    /// ```
    pub fn as_map(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }

    /// The members, owned.
    ///
    /// ```
    /// assert!(didit_api::JsonObject::default().into_map().is_empty());
    /// ```
    pub fn into_map(self) -> serde_json::Map<String, serde_json::Value> {
        self.0
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for JsonObject {
    fn from(members: serde_json::Map<String, serde_json::Value>) -> Self {
        Self(members)
    }
}

impl fmt::Display for JsonObject {
    /// The object as compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl FromStr for JsonObject {
    type Err = serde_json::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(text)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for JsonObject {
    fn schema_name() -> String {
        "JsonObject".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Object.into()),
            ..Default::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_fractions_re_encode_as_written() {
        for text in ["98", "0", "-3", "0.98", "1e-7", "75.0"] {
            let number: JsonNumber = serde_json::from_str(text).unwrap();
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_value(&number).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert!(serde_json::from_str::<JsonNumber>("\"98\"").is_err());
        assert!("ninety".parse::<JsonNumber>().is_err());
    }

    #[test]
    fn an_empty_object_stays_an_object() {
        let object: JsonObject = serde_json::from_str("{}").unwrap();
        assert_eq!(serde_json::to_string(&object).unwrap(), "{}");
        assert!(serde_json::from_str::<JsonObject>("[]").is_err());
    }

    #[test]
    fn only_finite_floats_convert() {
        assert_eq!(JsonNumber::try_from(f64::NAN), Err(NotFinite));
        assert_eq!(JsonNumber::try_from(0.5).unwrap().as_f64(), 0.5);
    }
}
