//! Support for the `extra` field of the generated structs: the properties a
//! server sends that this version of the SDK does not declare.
//!
//! The generator writes one `Deserialize` impl per struct (see
//! `codegen::keep_unknown_properties` in the xtask). It reads each key of the
//! object through [`KeySeed`], which tells the struct's declared properties
//! (decoded into their fields, without allocating) from the others (decoded
//! into a [`serde_json::Value`] and kept in `extra` by [`keep`]). This costs
//! nothing for payloads that hold only declared properties, unlike
//! `#[serde(flatten)]`, which buffers every property of the object.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde_json::Value;

/// The properties of one object that its struct does not declare, by name.
pub type Extra = BTreeMap<String, Value>;

/// The declared properties of one struct, as a field-identifier enum.
pub trait DeclaredProperty: Sized {
    /// The declared property called `name`, if there is one.
    fn from_name(name: &str) -> Option<Self>;
}

/// One key of an object: a declared property, or another name.
pub enum Key<F> {
    /// A property the struct declares.
    Declared(F),
    /// A property it does not declare.
    Unknown(String),
}

/// Reads one key of an object as a [`Key`] of the struct's properties `F`.
pub struct KeySeed<F>(PhantomData<F>);

impl<F> KeySeed<F> {
    /// A seed for the properties of `F`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<F> Default for KeySeed<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, F: DeclaredProperty> DeserializeSeed<'de> for KeySeed<F> {
    type Value = Key<F>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<F>, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor::<F>(PhantomData))
    }
}

struct KeyVisitor<F>(PhantomData<F>);

impl<F: DeclaredProperty> Visitor<'_> for KeyVisitor<F> {
    type Value = Key<F>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key<F>, E> {
        Ok(match F::from_name(name) {
            Some(declared) => Key::Declared(declared),
            None => Key::Unknown(name.to_owned()),
        })
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Key<F>, E> {
        Ok(match F::from_name(&name) {
            Some(declared) => Key::Declared(declared),
            None => Key::Unknown(name),
        })
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Key<F>, E> {
        match std::str::from_utf8(name) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(E::custom("a property name that is not UTF-8")),
        }
    }
}

/// Keeps the undeclared property `name` in `extra`; a name sent twice in one
/// object fails, as a declared property sent twice does.
pub fn keep<E: de::Error>(extra: &mut Extra, name: String, value: Value) -> Result<(), E> {
    use std::collections::btree_map::Entry;
    match extra.entry(name) {
        Entry::Vacant(slot) => {
            slot.insert(value);
            Ok(())
        }
        Entry::Occupied(slot) => Err(E::custom(format_args!("duplicate field `{}`", slot.key()))),
    }
}

/// Stores the value of the declared property `name` in its slot; a property
/// sent twice in one object fails.
pub fn set<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::types::{KycSession, PhoneNumber, SessionPage};
    use serde_json::json;

    #[test]
    fn unknown_properties_are_kept_at_every_level_and_written_back() {
        let page = json!({
            "count": 1, "next": null, "previous": null, "x_page_level": {"a": [1, 2]},
            "results": [{
                "session_number": 3, "risk_score": 0.25,
                "phone_number": {"number": "+34600000000", "carrier": "Acme"},
                "features": [{"feature": "AML", "status": "Approved", "weight": 2}],
                "additional_details": {"aml": {"total_hits": 0, "lists": ["x"]}, "new_check": {}}
            }]
        });
        let decoded: SessionPage = serde_json::from_value(page.clone()).unwrap();
        assert_eq!(decoded.extra["x_page_level"], json!({"a": [1, 2]}));
        let crate::SessionRow::Kyc(row) = &decoded.results[0] else {
            panic!("a KYC row")
        };
        assert_eq!(row.extra["risk_score"], json!(0.25));
        let phone = row.phone_number.clone().flatten().unwrap();
        assert_eq!(phone.extra["carrier"], json!("Acme"));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), page);
        // The same from text, the path responses take.
        let from_text: SessionPage = serde_json::from_str(&page.to_string()).unwrap();
        assert_eq!(from_text, decoded);
    }

    #[test]
    fn declared_properties_stay_out_of_extra() {
        let phone: PhoneNumber =
            serde_json::from_str(r#"{"number": "+1", "is_verified": true}"#).unwrap();
        assert!(phone.extra.is_empty());
        assert_eq!(phone.number.as_deref(), Some("+1"));
    }

    #[test]
    fn a_property_sent_twice_fails_whether_declared_or_not() {
        for text in [
            r#"{"number": "+1", "number": "+2"}"#,
            r#"{"carrier": "A", "carrier": "B"}"#,
        ] {
            let error = serde_json::from_str::<PhoneNumber>(text).unwrap_err();
            assert!(error.to_string().contains("duplicate field"), "{error}");
        }
    }

    #[test]
    fn required_properties_are_still_required() {
        for (text, missing) in [
            (
                r#"{"next": null, "previous": null, "results": []}"#,
                "count",
            ),
            (r#"{"count": 0, "previous": null, "results": []}"#, "next"),
            (r#"{"count": 0, "next": null, "previous": null}"#, "results"),
        ] {
            let error = serde_json::from_str::<SessionPage>(text).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains(&format!("missing field `{missing}`")),
                "{error}"
            );
        }
    }

    #[test]
    fn absent_null_and_present_stay_distinct() {
        let row: KycSession =
            serde_json::from_str(r#"{"full_name": null, "country": "ESP"}"#).unwrap();
        assert_eq!(row.full_name, Some(None));
        assert_eq!(row.country, Some(Some("ESP".to_owned())));
        assert_eq!(row.vendor_data, None);
        assert!(row.extra.is_empty());
    }

    #[test]
    fn an_object_is_expected() {
        let error = serde_json::from_str::<PhoneNumber>("[true]").unwrap_err();
        assert!(error.to_string().contains("PhoneNumber"), "{error}");
    }
}
