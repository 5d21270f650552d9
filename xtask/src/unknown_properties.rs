//! The rewrite that makes every generated struct keep the properties it does
//! not declare ([`keep_unknown_properties`]).
//!
//! A server adds properties over time; a struct that drops them loses data
//! in every export. Each struct gets a public field [`EXTRA_FIELD`] of type
//! `didit_api::Extra` (a map that costs one pointer while empty) holding the
//! undeclared properties by name, written back after the declared ones.
//! serde's `#[serde(flatten)]` would do this on the decoding side too, but it
//! buffers every property of the object first, which makes decoding a page
//! markedly slower; instead the derived `Deserialize` is replaced by a
//! generated impl that decodes declared properties straight into their
//! fields and only the others into `serde_json::Value`s (with the support in
//! `didit-api`'s hand-written `extra` module).

use std::collections::BTreeSet;

use anyhow::{Context, Result, anyhow, bail};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;

use crate::shape::module_items;

/// Name of the field that keeps the undeclared properties. Generation fails
/// if a struct already declares a field of this name.
pub const EXTRA_FIELD: &str = "extra";

/// Adds the [`EXTRA_FIELD`] to every struct of the generated `types` module
/// that serde decodes from an object (and whose schema does not forbid other
/// properties), with a `Deserialize` impl that fills it.
pub fn keep_unknown_properties(file: &mut syn::File) -> Result<()> {
    let types = module_items(&mut file.items, "types")
        .ok_or_else(|| anyhow!("the generated code has no `types` module"))?;
    let mut rewritten = BTreeSet::new();
    let mut items = Vec::with_capacity(types.len());
    for mut item in std::mem::take(types) {
        let deserialize = match &mut item {
            syn::Item::Struct(item) => open_struct(item)?,
            _ => None,
        };
        if let (syn::Item::Struct(item), Some(_)) = (&item, &deserialize) {
            rewritten.insert(item.ident.to_string());
        }
        items.push(item);
        items.extend(deserialize.into_iter().flatten().map(syn::Item::Impl));
    }
    *types = items;
    if rewritten.is_empty() {
        bail!("no generated struct decodes from an object: typify's output has changed shape");
    }
    Ok(())
}

/// How a declared field is decoded and what it is when absent.
struct DeclaredField {
    ident: syn::Ident,
    ty: syn::Type,
    /// The property's name in JSON.
    name: String,
    decoding: Decoding,
    absent: Absent,
}

/// How a property's value becomes the field's value.
enum Decoding {
    /// The field type's own `Deserialize`.
    Plain,
    /// `crate::presence::deserialize`: the field is `Option<T>` and a
    /// present value, `null` included, decodes as `Some(T)`, so that `null`
    /// stays apart from an absent property. Decoded inline, with no helper
    /// type per field.
    Present,
    /// `Option::deserialize` on a required, nullable property: decoded as
    /// the `Option` itself, but its absence is an error.
    RequiredNullable,
}

/// The functions typify and `keep_presence` name in `deserialize_with`.
const PRESENCE_FUNCTION: &str = "crate::presence::deserialize";
const OPTION_FUNCTION: &str = "::std::option::Option::deserialize";

enum Absent {
    /// `#[serde(default)]`.
    Default,
    /// Neither: `None` for a plain `Option`, otherwise a missing-field error,
    /// as serde's derive does.
    SerdeRule,
}

/// Adds the field to one struct and returns its decoding impls, or `None`
/// for a struct that serde does not decode from an open object.
fn open_struct(item: &mut syn::ItemStruct) -> Result<Option<[syn::ItemImpl; 2]>> {
    let struct_name = item.ident.to_string();
    let syn::Fields::Named(fields) = &item.fields else {
        return Ok(None);
    };
    if container_denies_unknown_fields(item)? {
        // Nothing undeclared can arrive.
        return Ok(None);
    }
    if !remove_derive(&mut item.attrs, "Deserialize")? {
        return Ok(None);
    }
    let mut declared = Vec::new();
    for field in &fields.named {
        let ident = field
            .ident
            .clone()
            .ok_or_else(|| anyhow!("`{struct_name}` has a field without a name"))?;
        let unraw = ident.to_string().trim_start_matches("r#").to_owned();
        if unraw == EXTRA_FIELD {
            bail!(
                "`{struct_name}` declares a property named `{EXTRA_FIELD}`, which is the name of \
                 the field that keeps undeclared properties; rename that field \
                 (xtask::unknown_properties::EXTRA_FIELD) before generating"
            );
        }
        declared.push(declared_field(&struct_name, field, ident, unraw)?);
    }

    let extra = format_ident!("{EXTRA_FIELD}");
    let syn::Fields::Named(fields) = &mut item.fields else {
        unreachable!("checked above")
    };
    fields.named.push(syn::parse_quote! {
        /// Properties the server sent that this SDK does not declare, by name;
        /// encoding writes them back after the declared ones.
        #[serde(flatten)]
        #[schemars(skip)]
        pub #extra: crate::Extra
    });
    Ok(Some(deserialize_impls(&item.ident, &declared)))
}

/// Removes `name` from the struct's derives; whether it was there.
fn remove_derive(attrs: &mut [syn::Attribute], name: &str) -> Result<bool> {
    let mut removed = false;
    for attr in attrs
        .iter_mut()
        .filter(|attr| attr.path().is_ident("derive"))
    {
        let paths = attr
            .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .context("reading a derive attribute")?;
        let before = paths.len();
        let kept: Vec<syn::Path> = paths
            .into_iter()
            .filter(|path| path.segments.last().is_none_or(|last| last.ident != name))
            .collect();
        if kept.len() != before {
            removed = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    Ok(removed)
}

/// Whether the struct says `#[serde(deny_unknown_fields)]`; fails on any
/// other container attribute, whose meaning the generated impl would not
/// honour.
fn container_denies_unknown_fields(item: &syn::ItemStruct) -> Result<bool> {
    let mut denies = false;
    for attr in item
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
    {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                denies = true;
                Ok(())
            } else {
                Err(meta.error("not supported"))
            }
        })
        .with_context(|| {
            format!(
                "`{}`: a serde container attribute the unknown-property rewrite does not support",
                item.ident
            )
        })?;
    }
    Ok(denies)
}

/// Reads the serde attributes of one field.
fn declared_field(
    struct_name: &str,
    field: &syn::Field,
    ident: syn::Ident,
    unraw: String,
) -> Result<DeclaredField> {
    let mut name = unraw;
    let mut decoding = Decoding::Plain;
    let mut absent = Absent::SerdeRule;
    for attr in field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
    {
        attr.parse_nested_meta(|meta| {
            let string = |meta: &syn::meta::ParseNestedMeta| -> syn::Result<String> {
                Ok(meta.value()?.parse::<syn::LitStr>()?.value())
            };
            if meta.path.is_ident("rename") {
                name = string(&meta)?;
            } else if meta.path.is_ident("deserialize_with") {
                decoding = match string(&meta)?.as_str() {
                    PRESENCE_FUNCTION => Decoding::Present,
                    OPTION_FUNCTION => Decoding::RequiredNullable,
                    _ => return Err(meta.error("not supported")),
                };
            } else if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    // A default from the spec: not used by the spec yet.
                    return Err(meta.error("a default from a function is not supported"));
                }
                absent = Absent::Default;
            } else if meta.path.is_ident("skip_serializing_if")
                || meta.path.is_ident("serialize_with")
            {
                // Serialization only; the derived `Serialize` still reads it.
                let _ = string(&meta)?;
            } else {
                return Err(meta.error("not supported"));
            }
            Ok(())
        })
        .with_context(|| {
            format!(
                "`{struct_name}.{ident}`: a serde field attribute the unknown-property rewrite does not support"
            )
        })?;
    }
    if matches!(decoding, Decoding::Present) && option_argument(&field.ty).is_none() {
        bail!("`{struct_name}.{ident}` decodes through {PRESENCE_FUNCTION} but is not an `Option`");
    }
    Ok(DeclaredField {
        ident,
        ty: field.ty.clone(),
        name,
        decoding,
        absent,
    })
}

/// Whether `ty` is spelled `Option<…>`, which serde's derive treats as
/// `None` when the property is absent.
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path)
        if path.qself.is_none()
            && path.path.segments.last().is_some_and(|last| last.ident == "Option"))
}

/// The `T` of a type spelled `Option<T>`.
fn option_argument(ty: &syn::Type) -> Option<&syn::Type> {
    generic_argument_of(ty, "Option")
}

/// The `Slot` method that reads a field: by how it is decoded and whether
/// it holds an array (whose failing element is then named by its index).
fn reader(field: &DeclaredField) -> syn::Ident {
    let held = match field.decoding {
        Decoding::Present => option_argument(&field.ty),
        Decoding::Plain | Decoding::RequiredNullable => Some(&field.ty),
    };
    let list = held.is_some_and(|held| generic_argument_of(held, "Vec").is_some());
    let nullable_list = held
        .and_then(option_argument)
        .is_some_and(|inner| generic_argument_of(inner, "Vec").is_some());
    // A required, nullable array (none so far) reads as a plain value: a
    // failure then names the property but not the element.
    let name = match (&field.decoding, list, nullable_list) {
        (Decoding::Present, true, _) => "read_present_list",
        (Decoding::Present, false, true) => "read_present_nullable_list",
        (Decoding::Present, false, false) => "read_present",
        (_, true, _) => "read_list",
        (_, false, _) => "read",
    };
    format_ident!("{name}")
}

/// The `T` of a type spelled `Name<T>`.
fn generic_argument_of<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path
        .path
        .segments
        .last()
        .filter(|last| last.ident == name)?;
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(syn::GenericArgument::Type(inner)) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The `Deserialize` impl of one struct, and the `Object` impl it calls
/// (`didit-api`'s `extra` module holds the visitor they share).
fn deserialize_impls(struct_ident: &syn::Ident, fields: &[DeclaredField]) -> [syn::ItemImpl; 2] {
    let expecting = format!("struct {struct_ident}");
    let extra = format_ident!("{EXTRA_FIELD}");
    let variants: Vec<&syn::Ident> = fields.iter().map(|field| &field.ident).collect();
    let names: Vec<&str> = fields.iter().map(|field| field.name.as_str()).collect();
    let slots: Vec<syn::Ident> = fields
        .iter()
        .map(|field| format_ident!("slot_{}", field.ident.to_string().trim_start_matches("r#")))
        .collect();
    // The value's type is inferred from the slot, which the struct literal
    // at the end types.
    let reads = fields.iter().map(reader);
    let finishes = fields.iter().zip(&slots).map(|(field, slot)| {
        let name = &field.name;
        match &field.absent {
            Absent::Default => quote!(#slot.or_default()),
            Absent::SerdeRule
                if matches!(field.decoding, Decoding::Plain) && is_option(&field.ty) =>
            {
                quote!(#slot.or_default())
            }
            Absent::SerdeRule => quote!(#slot.required(#name)?),
        }
    });
    let deserialize = syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #struct_ident {
            #[inline]
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                crate::extra::decode_object(deserializer)
            }
        }
    };
    let object = syn::parse_quote! {
        impl crate::extra::Object for #struct_ident {
            const EXPECTING: &'static str = #expecting;
            #[inline]
            fn decode<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                #[allow(non_camel_case_types)]
                enum Field {
                    #(#variants,)*
                }
                impl crate::extra::DeclaredProperty for Field {
                    #[inline]
                    fn from_name(name: &str) -> ::std::option::Option<Self> {
                        ::std::option::Option::Some(match name {
                            #(#names => Self::#variants,)*
                            _ => return ::std::option::Option::None,
                        })
                    }
                }
                #(let mut #slots = crate::extra::Slot::new();)*
                let mut #extra = crate::Extra::default();
                let mut undeclared_name = ::std::string::String::new();
                while let ::std::option::Option::Some(key) =
                    map.next_key_seed(crate::extra::KeySeed::<Field>::new(&mut undeclared_name))?
                {
                    match key {
                        #(::std::option::Option::Some(Field::#variants) => #slots.#reads(#names, &mut map)?,)*
                        ::std::option::Option::None => {
                            crate::extra::keep(&mut #extra, &mut undeclared_name, &mut map)?
                        }
                    }
                }
                ::std::result::Result::Ok(Self {
                    #(#variants: #finishes,)*
                    #extra,
                })
            }
        }
    };
    [deserialize, object]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(types: proc_macro2::TokenStream) -> Result<String> {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #types
                pub mod builder {}
            }
        };
        keep_unknown_properties(&mut file)?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn a_field_named_like_the_extra_field_fails_generation() {
        let error = rewrite(quote! {
            #[derive(::serde::Deserialize)]
            pub struct Row { pub extra: String }
        })
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`Row` declares a property named `extra`"),
            "{error}"
        );
    }

    #[test]
    fn an_unsupported_serde_attribute_fails_generation() {
        let error = rewrite(quote! {
            #[derive(::serde::Deserialize)]
            pub struct Row { #[serde(alias = "b")] pub a: String }
        })
        .unwrap_err();
        assert!(format!("{error:#}").contains("`Row.a`"), "{error:#}");
    }

    #[test]
    fn closed_objects_and_newtypes_are_left_alone() {
        let code = rewrite(quote! {
            #[derive(::serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct Closed { pub a: String }
            #[derive(::serde::Deserialize)]
            #[serde(transparent)]
            pub struct Map(pub ::std::collections::BTreeMap<String, String>);
        });
        // Neither gets the field, so nothing at all was rewritten.
        let error = code.unwrap_err();
        assert!(error.to_string().contains("no generated struct"), "{error}");
    }
}
