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
//! `didit-api`'s hand-written `extra` module). The struct builders typify
//! writes next to the types get the field too, so that a value taken apart
//! into a builder and put back together keeps it.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, anyhow, bail};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;

/// Name of the field that keeps the undeclared properties. Generation fails
/// if a struct already declares a field of this name.
pub const EXTRA_FIELD: &str = "extra";

/// Adds the [`EXTRA_FIELD`] to every struct of the generated `types` module
/// that serde decodes from an object (and whose schema does not forbid other
/// properties), with a `Deserialize` impl that fills it, and extends the
/// structs' builders to match.
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
        items.extend(deserialize.map(syn::Item::Impl));
    }
    *types = items;
    if rewritten.is_empty() {
        bail!("no generated struct decodes from an object: typify's output has changed shape");
    }
    let builders = module_items(types, "builder")
        .ok_or_else(|| anyhow!("the generated `types` module has no `builder` module"))?;
    extend_builders(builders, &rewritten)
}

/// The items of the inline module `name` among `items`.
fn module_items<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == name => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

/// How a declared field is decoded and what it is when absent.
struct DeclaredField {
    ident: syn::Ident,
    ty: syn::Type,
    /// The property's name in JSON.
    name: String,
    /// A `with`/`deserialize_with` function, called in place of the type's
    /// own `Deserialize`.
    deserialize_with: Option<syn::Path>,
    absent: Absent,
}

enum Absent {
    /// `#[serde(default)]`.
    Default,
    /// `#[serde(default = "path")]`.
    DefaultFrom(syn::Path),
    /// Neither: `None` for a plain `Option`, otherwise a missing-field error,
    /// as serde's derive does.
    SerdeRule,
}

/// Adds the field to one struct and returns its `Deserialize` impl, or
/// `None` for a struct that serde does not decode from an open object.
fn open_struct(item: &mut syn::ItemStruct) -> Result<Option<syn::ItemImpl>> {
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
        /// The properties the server sent that this version of the SDK does
        /// not declare, by name. They are written back after the declared
        /// properties, so encoding the value again gives back every property
        /// received. Declared properties never land here; one put here by
        /// hand would be written twice.
        #[serde(flatten)]
        #[schemars(skip)]
        pub #extra: crate::Extra
    });
    Ok(Some(deserialize_impl(&item.ident, &declared)))
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
    let mut deserialize_with = None;
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
            } else if meta.path.is_ident("with") {
                deserialize_with = Some(syn::parse_str(&format!("{}::deserialize", string(&meta)?))?);
            } else if meta.path.is_ident("deserialize_with") {
                deserialize_with = Some(syn::parse_str(&string(&meta)?)?);
            } else if meta.path.is_ident("default") {
                absent = if meta.input.peek(syn::Token![=]) {
                    Absent::DefaultFrom(syn::parse_str(&string(&meta)?)?)
                } else {
                    Absent::Default
                };
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
    Ok(DeclaredField {
        ident,
        ty: field.ty.clone(),
        name,
        deserialize_with,
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

/// The `Deserialize` impl of one struct.
fn deserialize_impl(struct_ident: &syn::Ident, fields: &[DeclaredField]) -> syn::ItemImpl {
    let expecting = format!("struct {struct_ident}");
    let extra = format_ident!("{EXTRA_FIELD}");
    let variants: Vec<&syn::Ident> = fields.iter().map(|field| &field.ident).collect();
    let names: Vec<&str> = fields.iter().map(|field| field.name.as_str()).collect();
    let slots: Vec<syn::Ident> = fields
        .iter()
        .map(|field| format_ident!("slot_{}", field.ident.to_string().trim_start_matches("r#")))
        .collect();
    let types: Vec<&syn::Type> = fields.iter().map(|field| &field.ty).collect();
    let decodes = fields.iter().map(|field| {
        let ty = &field.ty;
        match &field.deserialize_with {
            None => quote!(map.next_value::<#ty>()?),
            Some(function) => quote!({
                struct With(#ty);
                impl<'de> ::serde::Deserialize<'de> for With {
                    fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                    where
                        D: ::serde::Deserializer<'de>,
                    {
                        #function(deserializer).map(With)
                    }
                }
                map.next_value::<With>()?.0
            }),
        }
    });
    let finishes = fields.iter().zip(&slots).map(|(field, slot)| {
        let name = &field.name;
        let missing = quote!(
            #slot.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#name))?
        );
        match &field.absent {
            Absent::Default => quote!(#slot.unwrap_or_default()),
            Absent::DefaultFrom(function) => quote!(#slot.unwrap_or_else(#function)),
            Absent::SerdeRule if field.deserialize_with.is_none() && is_option(&field.ty) => {
                quote!(#slot.unwrap_or_default())
            }
            Absent::SerdeRule => missing,
        }
    });
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #struct_ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                #[allow(non_camel_case_types)]
                enum Field {
                    #(#variants,)*
                }
                impl crate::extra::DeclaredProperty for Field {
                    #[inline]
                    fn from_name(name: &str) -> ::std::option::Option<Self> {
                        match name {
                            #(#names => ::std::option::Option::Some(Self::#variants),)*
                            _ => ::std::option::Option::None,
                        }
                    }
                }
                struct ObjectVisitor;
                impl<'de> ::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = #struct_ident;
                    fn expecting(
                        &self,
                        formatter: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        formatter.write_str(#expecting)
                    }
                    // Inlined into the deserializer's entry point, as serde's
                    // derive does.
                    #[inline]
                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<Self::Value, A::Error>
                    where
                        A: ::serde::de::MapAccess<'de>,
                    {
                        #(let mut #slots: ::std::option::Option<#types> = ::std::option::Option::None;)*
                        let mut #extra = crate::Extra::default();
                        let mut undeclared_name = ::std::string::String::new();
                        while let ::std::option::Option::Some(key) = map
                            .next_key_seed(crate::extra::KeySeed::<Field>::new(&mut undeclared_name))?
                        {
                            match key {
                                #(::std::option::Option::Some(Field::#variants) => {
                                    crate::extra::set(&mut #slots, #names, #decodes)?
                                })*
                                ::std::option::Option::None => crate::extra::keep(
                                    &mut #extra,
                                    &mut undeclared_name,
                                    map.next_value()?,
                                )?,
                            }
                        }
                        ::std::result::Result::Ok(#struct_ident {
                            #(#variants: #finishes,)*
                            #extra,
                        })
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    }
}

/// The edits one builder needs, by the impl they go in.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum BuilderPart {
    Struct,
    Default,
    Setter,
    TryFromBuilder,
    FromValue,
}

const BUILDER_PARTS: [BuilderPart; 5] = [
    BuilderPart::Struct,
    BuilderPart::Default,
    BuilderPart::Setter,
    BuilderPart::TryFromBuilder,
    BuilderPart::FromValue,
];

/// Gives the builder of every rewritten struct the extra field: stored,
/// defaulted, settable and carried through both conversions. Fails when a
/// builder does not have the shape these edits expect.
fn extend_builders(items: &mut [syn::Item], rewritten: &BTreeSet<String>) -> Result<()> {
    let extra = format_ident!("{EXTRA_FIELD}");
    let mut done: BTreeMap<String, BTreeSet<BuilderPart>> = BTreeMap::new();
    let mut mark = |name: &str, part: BuilderPart| -> Result<()> {
        if !done.entry(name.to_owned()).or_default().insert(part) {
            bail!("the builder of `{name}` has two places for {part:?}");
        }
        Ok(())
    };
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(item) if rewritten.contains(&item.ident.to_string()) => {
                let syn::Fields::Named(fields) = &mut item.fields else {
                    bail!("the builder of `{}` has no named fields", item.ident);
                };
                fields.named.push(syn::parse_quote!(
                    #extra: ::std::result::Result<crate::Extra, ::std::string::String>
                ));
                mark(&item.ident.to_string(), BuilderPart::Struct)?;
            }
            syn::Item::Impl(item) => {
                let Some(name) = last_ident(&item.self_ty) else {
                    continue;
                };
                let trait_name = item
                    .trait_
                    .as_ref()
                    .and_then(|(path, _)| path.segments.last())
                    .map(|segment| segment.ident.to_string());
                let target_is_value = matches!(&*item.self_ty, syn::Type::Path(path)
                    if path.path.segments.first().is_some_and(|first| first.ident == "super"));
                if !rewritten.contains(&name) {
                    continue;
                }
                let (part, value): (BuilderPart, syn::Expr) =
                    match (trait_name.as_deref(), target_is_value) {
                        (Some("Default"), false) => (
                            BuilderPart::Default,
                            syn::parse_quote!(Ok(Default::default())),
                        ),
                        (Some("TryFrom"), true) => (
                            BuilderPart::TryFromBuilder,
                            syn::parse_quote!(value.#extra?),
                        ),
                        (Some("From"), false) => {
                            (BuilderPart::FromValue, syn::parse_quote!(Ok(value.#extra)))
                        }
                        (None, false) => {
                            item.items.push(syn::parse_quote! {
                                pub fn #extra<T>(mut self, value: T) -> Self
                                where
                                    T: ::std::convert::TryInto<crate::Extra>,
                                    T::Error: ::std::fmt::Display,
                                {
                                    self.#extra = value.try_into().map_err(|e| {
                                        format!("error converting supplied value for extra: {e}")
                                    });
                                    self
                                }
                            });
                            mark(&name, BuilderPart::Setter)?;
                            continue;
                        }
                        _ => continue,
                    };
                let mut literal = AddToSelfLiteral {
                    field: syn::parse_quote!(#extra: #value),
                    count: 0,
                };
                literal.visit_item_impl_mut(item);
                if literal.count != 1 {
                    bail!(
                        "the {part:?} impl of `{name}`'s builder has {} `Self {{ … }}` literals, not one",
                        literal.count
                    );
                }
                mark(&name, part)?;
            }
            _ => {}
        }
    }
    for name in rewritten {
        let parts = done.get(name).cloned().unwrap_or_default();
        let missing: Vec<_> = BUILDER_PARTS
            .iter()
            .filter(|part| !parts.contains(part))
            .collect();
        if !missing.is_empty() {
            bail!(
                "the builder of `{name}` lacks {missing:?}: typify's builders have changed shape"
            );
        }
    }
    Ok(())
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|last| last.ident.to_string()),
        _ => None,
    }
}

/// Adds one field to every `Self { … }` literal it visits.
struct AddToSelfLiteral {
    field: syn::FieldValue,
    count: usize,
}

impl VisitMut for AddToSelfLiteral {
    fn visit_expr_struct_mut(&mut self, literal: &mut syn::ExprStruct) {
        syn::visit_mut::visit_expr_struct_mut(self, literal);
        if literal.path.is_ident("Self") {
            literal.fields.push(self.field.clone());
            self.count += 1;
        }
    }
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

    #[test]
    fn a_builder_of_another_shape_fails_generation() {
        let error = rewrite(quote! {
            #[derive(::serde::Deserialize)]
            pub struct Row { pub a: String }
        })
        .unwrap_err();
        assert!(
            error.to_string().contains("the builder of `Row` lacks"),
            "{error}"
        );
    }
}
