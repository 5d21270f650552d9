//! `Debug` of the payload types: which properties are set, never their values.
//!
//! Requests and answers hold personal data (names, document numbers,
//! e-mail addresses, portraits), and `Debug` output ends up in logs. So the
//! generated types do not derive `Debug`: the generator lists them in one
//! [`debug_shows_no_values!`] invocation, whose impls all call [`outline`].
//! It serializes the value into a [`Sketch`], a serializer that keeps the
//! names of the properties and, for each, whether it is `null`, a list (and
//! how long) or another value, and drops everything else. One generic
//! serializer stands for every type, which keeps the generated code (a line
//! for all of them) and its build small.
//!
//! ```
//! use didit_api::types::ContactDetails;
//!
//! let contact = ContactDetails::new().with_email("jane@example.com");
//! assert_eq!(format!("{contact:?}"), "ContactDetails { email: .. }");
//! ```

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

use crate::path::reads_as_property_name;

/// How a key a server sent is shown when it does not read as a name.
const UNNAMED_PROPERTY: &str = "<property>";

/// Writes `value` as `name { property: .., other: null, list: [..; 2] }`:
/// the properties it serializes, with `null` and the length of lists told
/// apart, never a value; an empty object as `name`. A value that serializes
/// as anything but an object shows as `name(..)`, `name(null)` or
/// `name([..; n])`.
///
/// ```
/// use didit_api::types::{ExpectedDetails, ExpectedDetailsCompanyName};
///
/// let expected = ExpectedDetails::new().with_first_name("Jane");
/// assert_eq!(format!("{expected:?}"), "ExpectedDetails { first_name: .. }");
/// let company: ExpectedDetailsCompanyName = "Acme Ltd".parse()?;
/// assert_eq!(format!("{company:?}"), "ExpectedDetailsCompanyName(..)");
/// # Ok::<(), didit_api::types::error::ConversionError>(())
/// ```
pub(crate) fn outline<T: Serialize + ?Sized>(
    value: &T,
    name: &str,
    formatter: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    show(value.serialize(Sketch { top: true }), name, formatter)
}

/// The part of [`outline`] that does not depend on the type.
fn show(
    sketch: Result<Outline, Unshowable>,
    name: &str,
    formatter: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match sketch {
        Ok(Outline::Object(properties)) => {
            let mut shown = formatter.debug_struct(name);
            for (property, value) in &properties {
                shown.field(property, value);
            }
            shown.finish()
        }
        Ok(other) => formatter.debug_tuple(name).field(&other).finish(),
        // Nothing to name: a `Debug` that fails would panic `format!`.
        Err(Unshowable) => formatter.debug_struct(name).finish_non_exhaustive(),
    }
}

/// Implements `Debug` with [`outline`] for each type named.
///
/// `#[inline]` makes each impl compiled where it is used, like a generic:
/// an application that never prints a payload does not compile its outline
/// (one instantiation of the type's `Serialize` per type), nor does this
/// crate for the types it never prints itself.
macro_rules! debug_shows_no_values {
    ($($name:ident),* $(,)?) => {$(
        impl ::std::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::redact::outline(self, ::std::stringify!($name), formatter)
            }
        }
    )*};
}
pub(crate) use debug_shows_no_values;

/// Implements `Debug` for each request builder named as its name alone: the
/// parameters a builder holds are a request's data.
#[cfg(feature = "client")]
macro_rules! debug_shows_no_parameters {
    ($($name:ident),* $(,)?) => {$(
        impl ::std::fmt::Debug for $name<'_> {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.debug_struct(::std::stringify!($name)).finish_non_exhaustive()
            }
        }
    )*};
}
#[cfg(feature = "client")]
pub(crate) use debug_shows_no_parameters;

/// What `Debug` shows of one serialized value.
enum Outline {
    /// `null` (or an absent value serialized anyway).
    Null,
    /// A list, by its length.
    List(usize),
    /// The properties of the outermost object, by name, in their order.
    Object(Vec<(String, Outline)>),
    /// Anything else: a value never shown.
    Value,
}

impl fmt::Debug for Outline {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outline::Null => formatter.write_str("null"),
            Outline::List(0) => formatter.write_str("[]"),
            Outline::List(length) => write!(formatter, "[..; {length}]"),
            Outline::Object(_) | Outline::Value => formatter.write_str(".."),
        }
    }
}

/// The only failure of a [`Sketch`]: a value whose `Serialize` failed.
#[derive(Debug)]
struct Unshowable;

impl fmt::Display for Unshowable {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("the value could not be outlined")
    }
}

impl std::error::Error for Unshowable {}

impl ser::Error for Unshowable {
    // The message may quote the value: it is dropped.
    fn custom<M: fmt::Display>(_: M) -> Self {
        Unshowable
    }
}

/// A serializer that keeps only an [`Outline`]: the names of the outermost
/// object's properties and the shape of their values. Below the outermost
/// object (`top` false), objects are not walked, so a deep value costs as
/// much as its outermost properties.
#[derive(Clone, Copy)]
struct Sketch {
    top: bool,
}

/// The elements of a list, counted, never serialized.
struct Items(usize);

/// The properties of an object: recorded at the top, skipped below.
struct Properties {
    top: bool,
    recorded: Vec<(String, Outline)>,
    /// The shown name of the key whose value comes next.
    key: Option<String>,
}

impl Properties {
    fn record<T: Serialize + ?Sized>(&mut self, name: String, value: &T) {
        // A value that fails to serialize is still a value that is set.
        let shape = value
            .serialize(Sketch { top: false })
            .unwrap_or(Outline::Value);
        self.recorded.push((name, shape));
    }

    fn end(self) -> Outline {
        if self.top {
            Outline::Object(self.recorded)
        } else {
            Outline::Value
        }
    }
}

/// The name a key is shown by: its text when it reads as a property name.
fn shown_key<T: Serialize + ?Sized>(key: &T) -> String {
    match key.serialize(serde_json::value::Serializer) {
        Ok(serde_json::Value::String(name)) if reads_as_property_name(&name) => name,
        _ => UNNAMED_PROPERTY.to_owned(),
    }
}

impl Serializer for Sketch {
    type Ok = Outline;
    type Error = Unshowable;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Items;
    type SerializeMap = Properties;
    type SerializeStruct = Properties;
    type SerializeStructVariant = Properties;

    fn serialize_bool(self, _: bool) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_i8(self, _: i8) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_i16(self, _: i16) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_i32(self, _: i32) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_i64(self, _: i64) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_u8(self, _: u8) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_u16(self, _: u16) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_u32(self, _: u32) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_u64(self, _: u64) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_f32(self, _: f32) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_f64(self, _: f64) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_char(self, _: char) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_str(self, _: &str) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_none(self) -> Result<Outline, Unshowable> {
        Ok(Outline::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Outline, Unshowable> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Outline, Unshowable> {
        Ok(Outline::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Outline, Unshowable> {
        Ok(Outline::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Outline, Unshowable> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Outline, Unshowable> {
        Ok(Outline::Value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items, Unshowable> {
        Ok(Items(0))
    }
    fn serialize_tuple(self, _: usize) -> Result<Items, Unshowable> {
        Ok(Items(0))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items, Unshowable> {
        Ok(Items(0))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items, Unshowable> {
        Ok(Items(0))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Properties, Unshowable> {
        Ok(Properties {
            top: self.top,
            recorded: Vec::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Properties, Unshowable> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Properties, Unshowable> {
        self.serialize_map(None)
    }
}

impl ser::SerializeSeq for Items {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Unshowable> {
        self.0 += 1;
        Ok(())
    }
    fn end(self) -> Result<Outline, Unshowable> {
        Ok(Outline::List(self.0))
    }
}

impl ser::SerializeTuple for Items {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unshowable> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Outline, Unshowable> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Items {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unshowable> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Outline, Unshowable> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Items {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unshowable> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Outline, Unshowable> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Properties {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unshowable> {
        if self.top {
            self.key = Some(shown_key(key));
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unshowable> {
        if let Some(name) = self.key.take() {
            self.record(name, value);
        }
        Ok(())
    }
    fn end(self) -> Result<Outline, Unshowable> {
        Ok(Properties::end(self))
    }
}

impl ser::SerializeStruct for Properties {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unshowable> {
        if self.top {
            self.record(name.to_owned(), value);
        }
        Ok(())
    }
    fn end(self) -> Result<Outline, Unshowable> {
        Ok(Properties::end(self))
    }
}

impl ser::SerializeStructVariant for Properties {
    type Ok = Outline;
    type Error = Unshowable;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unshowable> {
        ser::SerializeStruct::serialize_field(self, name, value)
    }
    fn end(self) -> Result<Outline, Unshowable> {
        Ok(Properties::end(self))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::types::{CreateSessionRequest, KycSession, SessionPage};

    const SECRET: &str = "Jane-Personal-Doe";

    #[test]
    fn absent_null_lists_and_values_are_told_apart_and_no_value_is_shown() {
        let row: KycSession = serde_json::from_value(json!({
            "session_id": "8a1f63c2-1b9e-4f3a-9c41-2f6a1f0b7d52",
            "vendor_data": null,
            "features": [{"feature": SECRET}, {}],
            "warnings": [],
            "contact_details": {"email": SECRET},
            "x_new": SECRET,
        }))
        .unwrap();
        let shown = format!("{row:?}");
        assert_eq!(
            shown,
            "KycSession { features: [..; 2], session_id: .., vendor_data: null, \
             contact_details: .., warnings: [], x_new: .. }"
        );
        let pretty = format!("{row:#?}");
        assert!(pretty.contains("\n    features: [..; 2],\n"), "{pretty}");
        assert!(!pretty.contains(SECRET), "{pretty}");
    }

    #[test]
    fn a_request_names_what_is_set() {
        let request = CreateSessionRequest::new(uuid::Uuid::nil())
            .with_vendor_data(SECRET)
            .with_portrait_image(SECRET);
        let shown = format!("{request:?}");
        assert!(shown.starts_with("CreateSessionRequest { "), "{shown}");
        assert!(shown.contains("vendor_data: .."), "{shown}");
        assert!(shown.contains("portrait_image: .."), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
    }

    #[test]
    fn a_key_a_server_sent_is_shown_only_when_it_reads_as_a_name() {
        let extra: crate::Extra = [
            ("risk_score".to_owned(), json!(1)),
            (format!("{SECRET}, born 1990"), json!(2)),
        ]
        .into_iter()
        .collect();
        let shown = format!("{extra:?}");
        assert_eq!(shown, "Extra { <property>: .., risk_score: .. }");
    }

    #[test]
    fn anything_but_an_object_shows_its_shape() {
        let page: SessionPage = serde_json::from_value(
            json!({"count": 0, "next": null, "previous": null, "results": []}),
        )
        .unwrap();
        assert_eq!(
            format!("{page:?}"),
            "SessionPage { count: .., next: null, previous: null, results: [] }"
        );
        let messages = crate::types::ErrorMessages::Array(vec![SECRET.to_owned(); 3]);
        assert_eq!(format!("{messages:?}"), "ErrorMessages([..; 3])");
        let counts = crate::types::AdverseKeywordCounts(BTreeMap::from([("fraud".to_owned(), 2)]));
        assert_eq!(format!("{counts:?}"), "AdverseKeywordCounts { fraud: .. }");
        let empty = crate::types::AdverseKeywordCounts(BTreeMap::new());
        assert_eq!(format!("{empty:?}"), "AdverseKeywordCounts");
    }

    #[test]
    fn a_value_that_fails_to_serialize_is_named_not_shown() {
        struct Failing;
        impl Serialize for Failing {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom(SECRET))
            }
        }
        struct Shown(Failing);
        impl fmt::Debug for Shown {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                outline(&self.0, "Failing", formatter)
            }
        }
        assert_eq!(format!("{:?}", Shown(Failing)), "Failing { .. }");
    }
}
