//! The `extra` field of the generated structs: the properties a server
//! sends that this version of the SDK does not declare.
//!
//! The generator writes one `Deserialize` impl per struct (see
//! `unknown_properties::keep_unknown_properties` in the xtask). It reads each
//! key of the object through [`KeySeed`], which tells the struct's declared
//! properties (decoded into their fields, without allocating) from the others
//! (decoded into a [`serde_json::Value`] and kept in [`Extra`] by [`keep`]).
//! This costs nothing for payloads that hold only declared properties, unlike
//! `#[serde(flatten)]`, which buffers every property of the object.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// The properties of one JSON object that its type does not declare, by
/// name, as the server sent them.
///
/// Every generated struct has one, in its `extra` field, so that a payload
/// from a newer server re-encodes to what was received. It reads and writes
/// as a `BTreeMap<String, Value>` (through `Deref`); it takes one pointer in
/// its struct until something is put in it, which keeps rows small and
/// decoding fast.
///
/// ```
/// use didit_api::types::PhoneNumber;
///
/// let phone: PhoneNumber =
///     serde_json::from_str(r#"{"number": "+34600000000", "carrier": "Acme"}"#)?;
/// assert_eq!(phone.extra.get("carrier"), Some(&serde_json::json!("Acme")));
/// assert_eq!(phone.extra.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
// The box is the point: an empty map costs one pointer instead of three
// words in every struct, which keeps decoded rows small.
#[allow(clippy::box_collection)]
pub struct Extra(Option<Box<BTreeMap<String, Value>>>);

/// What an empty [`Extra`] reads as.
static EMPTY: BTreeMap<String, Value> = BTreeMap::new();

impl Deref for Extra {
    type Target = BTreeMap<String, Value>;

    fn deref(&self) -> &BTreeMap<String, Value> {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut BTreeMap<String, Value> {
        self.0.get_or_insert_with(Default::default)
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        **self == **other
    }
}

/// Names the properties, never their values (a server may put personal
/// data in a property this version does not know).
impl fmt::Debug for Extra {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::redact::outline(self, "Extra", formatter)
    }
}

impl From<BTreeMap<String, Value>> for Extra {
    fn from(properties: BTreeMap<String, Value>) -> Extra {
        if properties.is_empty() {
            Extra(None)
        } else {
            Extra(Some(Box::new(properties)))
        }
    }
}

impl From<Extra> for BTreeMap<String, Value> {
    fn from(extra: Extra) -> BTreeMap<String, Value> {
        extra.0.map(|properties| *properties).unwrap_or_default()
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(properties: I) -> Extra {
        Extra::from(properties.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Value>;

    fn into_iter(self) -> Self::IntoIter {
        (**self).iter()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Extra, D::Error> {
        BTreeMap::deserialize(deserializer).map(Extra::from)
    }
}

/// The declared properties of one struct, as a field-identifier enum.
pub trait DeclaredProperty: Sized {
    /// The declared property called `name`, if there is one.
    fn from_name(name: &str) -> Option<Self>;
}

/// Reads one key of an object: `Some` declared property of `F`, or `None`
/// for another name, which it leaves in the buffer it was given.
///
/// The name goes to a buffer rather than into the returned value so that
/// the value stays as small as serde's own field identifiers, which keeps
/// the read of every key as cheap as in a derived impl.
pub struct KeySeed<'a, F> {
    undeclared_name: &'a mut String,
    properties: PhantomData<F>,
}

impl<'a, F> KeySeed<'a, F> {
    /// A seed for the properties of `F` that puts any other name in
    /// `undeclared_name`.
    #[inline]
    pub fn new(undeclared_name: &'a mut String) -> Self {
        Self {
            undeclared_name,
            properties: PhantomData,
        }
    }
}

impl<'de, F: DeclaredProperty> DeserializeSeed<'de> for KeySeed<'_, F> {
    type Value = Option<F>;

    // Inlined, as serde's derive inlines its field visitors: every key of
    // every object goes through here.
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<F>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<F: DeclaredProperty> Visitor<'_> for KeySeed<'_, F> {
    type Value = Option<F>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<F>, E> {
        let declared = F::from_name(name);
        if declared.is_none() {
            copy_undeclared_name(self.undeclared_name, name);
        }
        Ok(declared)
    }

    #[inline]
    fn visit_string<E: de::Error>(self, name: String) -> Result<Option<F>, E> {
        let declared = F::from_name(&name);
        if declared.is_none() {
            *self.undeclared_name = name;
        }
        Ok(declared)
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Option<F>, E> {
        match std::str::from_utf8(name) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(E::custom("a property name that is not UTF-8")),
        }
    }
}

/// Out of line, so that the read of a declared key stays small enough to be
/// inlined into the struct's decoder.
#[cold]
#[inline(never)]
fn copy_undeclared_name(buffer: &mut String, name: &str) {
    name.clone_into(buffer);
}

/// Keeps the undeclared property `name` (taken from the buffer of
/// [`KeySeed`]) in `extra`; a name sent twice in one object fails, as a
/// declared property sent twice does.
#[cold]
pub fn keep<'de, A: de::MapAccess<'de>>(
    extra: &mut Extra,
    name: &mut String,
    map: &mut A,
) -> Result<(), A::Error> {
    use std::collections::btree_map::Entry;
    let value: Value = map
        .next_value()
        .inspect_err(|error| crate::path::undeclared(error, name))?;
    match (**extra).entry(std::mem::take(name)) {
        Entry::Vacant(slot) => {
            slot.insert(value);
            Ok(())
        }
        Entry::Occupied(slot) => Err(de::Error::custom(format_args!(
            "duplicate field `{}`",
            slot.key()
        ))),
    }
}

/// A generated struct that decodes from a JSON object, keeping the
/// properties it does not declare.
///
/// The generator writes only [`Object::decode`], the loop over the object's
/// keys; the serde visitor around it is [`decode_object`], written once.
pub trait Object: Sized {
    /// What the struct is called in "invalid type" messages.
    const EXPECTING: &'static str;

    /// Reads the object's properties from `map`.
    fn decode<'de, A: de::MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// The `Deserialize` impl of every generated struct: a JSON object, read by
/// [`Object::decode`].
#[inline]
pub fn decode_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str(T::EXPECTING)
        }

        // Inlined into the deserializer's entry point, as serde's derive does.
        #[inline]
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::decode(map)
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Where a decoder keeps the value of one declared property until the
/// object ends.
///
/// Its `read*` methods read the value of the property from the object, each
/// for one shape of field, and note the property in the path of a failure
/// (`crate::path`).
pub struct Slot<T>(Option<T>);

impl<T> Slot<T> {
    /// An empty slot: the property has not been seen.
    #[inline]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(None)
    }

    /// Reads the value with `seed`; a property sent twice in one object
    /// fails.
    #[inline]
    fn read_with<'de, A, S>(
        &mut self,
        name: &'static str,
        map: &mut A,
        seed: S,
    ) -> Result<(), A::Error>
    where
        A: de::MapAccess<'de>,
        S: DeserializeSeed<'de, Value = T>,
    {
        if self.0.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        match map.next_value_seed(seed) {
            Ok(value) => {
                self.0 = Some(value);
                Ok(())
            }
            Err(error) => {
                crate::path::property(&error, name);
                Err(error)
            }
        }
    }

    /// Reads a value of the field's own type.
    #[inline]
    pub fn read<'de, A: de::MapAccess<'de>>(
        &mut self,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        self.read_with(name, map, PhantomData)
    }

    /// The value, or the type's default when the property was absent.
    #[inline]
    pub fn or_default(self) -> T
    where
        T: Default,
    {
        self.0.unwrap_or_default()
    }

    /// The value of the required property `name`; its absence fails.
    #[inline]
    pub fn required<E: de::Error>(self, name: &'static str) -> Result<T, E> {
        self.0.ok_or_else(|| E::missing_field(name))
    }
}

impl<T> Slot<Vec<T>> {
    /// Reads an array, noting the index of an element that fails.
    #[inline]
    pub fn read_list<'de, A: de::MapAccess<'de>>(
        &mut self,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        self.read_with(name, map, List(PhantomData))
    }
}

impl<T> Slot<Option<T>> {
    /// Reads the value, `null` included, as `Some`, so that `null` stays
    /// apart from an absent property (see `crate::presence`).
    #[inline]
    pub fn read_present<'de, A: de::MapAccess<'de>>(
        &mut self,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        self.read_with(name, map, crate::presence::Present(PhantomData))
    }
}

impl<T> Slot<Option<Vec<T>>> {
    /// Reads a present array as `Some`.
    #[inline]
    pub fn read_present_list<'de, A: de::MapAccess<'de>>(
        &mut self,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        self.read_with(name, map, crate::presence::Present(List(PhantomData)))
    }
}

impl<T> Slot<Option<Option<Vec<T>>>> {
    /// Reads a present array, or a present `null`, as `Some`.
    #[inline]
    pub fn read_present_nullable_list<'de, A: de::MapAccess<'de>>(
        &mut self,
        name: &'static str,
        map: &mut A,
    ) -> Result<(), A::Error>
    where
        T: Deserialize<'de>,
    {
        self.read_with(
            name,
            map,
            crate::presence::Present(Nullable(List(PhantomData))),
        )
    }
}

/// Reads a JSON array into a `Vec`, noting the index of an element that
/// fails.
struct List<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for List<T> {
    type Value = Vec<T>;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for List<T> {
    type Value = Vec<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array")
    }

    #[inline]
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // A hostile length hint must not reserve much memory.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        loop {
            match seq.next_element() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(items),
                Err(error) => {
                    crate::path::element(&error, items.len());
                    return Err(error);
                }
            }
        }
    }
}

/// Reads `null` as `None`, anything else with the seed `S`.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a value or null")
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::Extra;
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
    fn an_empty_extra_equals_one_emptied_and_reads_as_an_empty_map() {
        let mut emptied = Extra::from_iter([("a".to_owned(), json!(1))]);
        emptied.remove("a");
        assert_eq!(emptied, Extra::default());
        assert!(Extra::default().is_empty());
        assert_eq!(serde_json::to_string(&Extra::default()).unwrap(), "{}");
        assert_eq!(format!("{:?}", Extra::default()), "Extra");
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
