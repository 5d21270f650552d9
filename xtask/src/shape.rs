//! Shaping typify's types for the people who read and build them.
//!
//! typify writes plain structs with public fields and, next to them, a
//! builder per struct whose setters take `TryInto` and whose `build` returns
//! `Result<_, String>`. Those builders are most of the generated code and
//! almost nobody needs them, while reading a value means matching nested
//! `Option`s. The passes here turn that into the shape of the AWS SDK's
//! types:
//!
//! - [`drop_struct_builders`]: the builders go; the client's request
//!   builders take the body type itself.
//! - [`add_reader_and_builder_methods`]: every struct gets an accessor per
//!   property (`Option<&T>`, `&[T]`, `&str`, copies for small values), a
//!   constructor taking its required properties, and a chainable `with_*`
//!   setter per property. Accessors are `#[inline]` and setters generic, so
//!   neither is compiled until a caller uses it.
//! - [`implement_json_documents`] and [`read_answers_as_documents`]: the
//!   documents' decoders are compiled once, in `didit-api`.
//! - [`mark_non_exhaustive`]: structs and enums can grow without breaking
//!   code that builds or matches them.
//! - [`gate_json_schema`]: `schemars` derives only under the crate's
//!   `schemars` feature, which the contract suite turns on.
//! - [`use_prelude_names`]: `Option`, `Vec`, `String` and `Result` by their
//!   prelude names, which keeps the file short and readable.
//! - [`debug_shows_no_values`]: `Debug` of a payload names the properties
//!   set, never a value (they are personal data), and a request builder's
//!   shows none of its parameters.

use anyhow::{Result, anyhow, bail};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;

use crate::unknown_properties::EXTRA_FIELD;

/// The cargo feature of `didit-api` under which the types implement
/// `schemars::JsonSchema`.
pub const SCHEMARS_FEATURE: &str = "schemars";

/// Where typify puts its struct builders, inside the types module.
const STRUCT_BUILDER_MODULE: &str = "builder";

/// The items of the inline module `name` among `items`.
pub(crate) fn module_items<'a>(
    items: &'a mut [syn::Item],
    name: &str,
) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == name => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

/// Removes typify's struct builders (`types::builder` and every
/// `fn builder()`), and makes the client's request builders hold the body
/// type itself instead of its builder.
pub fn drop_struct_builders(file: &mut syn::File, types_module: &str) -> Result<()> {
    let types = module_items(&mut file.items, types_module)
        .ok_or_else(|| anyhow!("the generated code has no `{types_module}` module"))?;
    let before = types.len();
    types.retain(
        |item| !matches!(item, syn::Item::Mod(module) if module.ident == STRUCT_BUILDER_MODULE),
    );
    if types.len() == before {
        bail!("typify wrote no `{STRUCT_BUILDER_MODULE}` module: its output has changed shape");
    }
    // `impl X { pub fn builder() -> builder::X { … } }`, alone in its impl.
    types.retain(|item| {
        !matches!(item, syn::Item::Impl(item)
            if item.trait_.is_none()
                && item.items.len() == 1
                && matches!(&item.items[..], [syn::ImplItem::Fn(method)]
                    if method.sig.ident == STRUCT_BUILDER_MODULE))
    });

    let Some(client_builders) = module_items(&mut file.items, STRUCT_BUILDER_MODULE) else {
        // No operation at all: nothing refers to the struct builders.
        return Ok(());
    };
    let mut bodies = BodiesWithoutBuilders;
    for item in client_builders.iter_mut() {
        bodies.visit_item_mut(item);
    }
    Ok(())
}

/// Rewrites the client's request builders: `types::builder::X` becomes
/// `types::X`, `body_map` (which edits the builder) goes, and a body starts
/// unset rather than as a default builder.
struct BodiesWithoutBuilders;

impl VisitMut for BodiesWithoutBuilders {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let names: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        if names.len() == 3 && names[0] == "types" && names[1] == STRUCT_BUILDER_MODULE {
            let kept: Punctuated<syn::PathSegment, syn::Token![::]> = path
                .segments
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != 1)
                .map(|(_, segment)| segment.clone())
                .collect();
            path.segments = kept;
        }
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        item.items.retain(
            |member| !matches!(member, syn::ImplItem::Fn(method) if method.sig.ident == "body_map"),
        );
        syn::visit_mut::visit_item_impl_mut(self, item);
    }

    fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
        if matches!(&field.member, syn::Member::Named(name) if name == "body") {
            let default: syn::Expr = syn::parse_quote!(Ok(::std::default::Default::default()));
            if field.expr == default {
                field.expr = syn::parse_quote!(Err(::std::string::String::from(
                    "the request body was not set"
                )));
            }
        }
        syn::visit_mut::visit_field_value_mut(self, field);
    }
}

/// Makes the client's operations read JSON answers with
/// `didit_api::hooks::json_answer` instead of progenitor's generic
/// `ResponseValue::from_response`, so that the answers' decoders are
/// compiled in `didit-api` (through `JsonDocument`) rather than in every
/// application that awaits an operation. Fails when no call was rewritten.
pub fn read_answers_as_documents(file: &mut syn::File) -> Result<()> {
    struct Rewrite {
        count: usize,
    }
    impl VisitMut for Rewrite {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            let from_response: syn::Expr = syn::parse_quote!(ResponseValue::from_response);
            if *call.func == from_response {
                *call.func = syn::parse_quote!(crate::hooks::json_answer);
                self.count += 1;
            }
        }
    }
    let Some(client_builders) = module_items(&mut file.items, STRUCT_BUILDER_MODULE) else {
        return Ok(());
    };
    let mut rewrite = Rewrite { count: 0 };
    for item in client_builders.iter_mut() {
        rewrite.visit_item_mut(item);
    }
    if rewrite.count == 0 {
        bail!(
            "no generated operation reads its answer with `ResponseValue::from_response`: \
             progenitor's output has changed shape"
        );
    }
    Ok(())
}

/// Adds `#[non_exhaustive]` to every struct and enum of the types module
/// (not of its submodules, which hold typify's error type).
pub fn mark_non_exhaustive(types: &mut [syn::Item]) {
    for item in types {
        let attrs = match item {
            syn::Item::Struct(item) => &mut item.attrs,
            syn::Item::Enum(item) => &mut item.attrs,
            _ => continue,
        };
        attrs.push(syn::parse_quote!(#[non_exhaustive]));
    }
}

/// Puts every `schemars` derive and attribute of the types module behind
/// the [`SCHEMARS_FEATURE`].
pub fn gate_json_schema(types: &mut [syn::Item]) -> Result<()> {
    struct Gate {
        failure: Option<anyhow::Error>,
    }
    impl Gate {
        fn gate(&mut self, attrs: &mut Vec<syn::Attribute>) {
            let mut gated = Vec::new();
            for attr in attrs.iter_mut() {
                if attr.path().is_ident("schemars") {
                    let syn::Meta::List(list) = &attr.meta else {
                        continue;
                    };
                    let tokens = &list.tokens;
                    *attr = syn::parse_quote!(
                        #[cfg_attr(feature = #SCHEMARS_FEATURE, schemars(#tokens))]
                    );
                } else if attr.path().is_ident("derive") {
                    let paths = match attr
                        .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                    {
                        Ok(paths) => paths,
                        Err(error) => {
                            self.failure = Some(anyhow!("reading a derive attribute: {error}"));
                            return;
                        }
                    };
                    let (schema, kept): (Vec<syn::Path>, Vec<syn::Path>) =
                        paths.into_iter().partition(|path| {
                            path.segments
                                .first()
                                .is_some_and(|first| first.ident == "schemars")
                        });
                    if !schema.is_empty() {
                        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
                        gated.push(syn::parse_quote!(
                            #[cfg_attr(feature = #SCHEMARS_FEATURE, derive(#(#schema),*))]
                        ));
                    }
                }
            }
            attrs.extend(gated);
        }
    }
    impl VisitMut for Gate {
        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            self.gate(&mut item.attrs);
            syn::visit_mut::visit_item_struct_mut(self, item);
        }
        fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
            self.gate(&mut item.attrs);
            syn::visit_mut::visit_item_enum_mut(self, item);
        }
        fn visit_field_mut(&mut self, field: &mut syn::Field) {
            self.gate(&mut field.attrs);
        }
        fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
            self.gate(&mut variant.attrs);
            syn::visit_mut::visit_variant_mut(self, variant);
        }
    }
    let mut gate = Gate { failure: None };
    for item in types {
        gate.visit_item_mut(item);
    }
    match gate.failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Removes `Debug` from the derives among `attrs`; whether it was there.
fn drop_derived_debug(attrs: &mut [syn::Attribute]) -> Result<bool> {
    let mut dropped = false;
    for attr in attrs
        .iter_mut()
        .filter(|attr| attr.path().is_ident("derive"))
    {
        let paths = attr
            .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .map_err(|error| anyhow!("reading a derive attribute: {error}"))?;
        let (debug, kept): (Vec<syn::Path>, Vec<syn::Path>) = paths.into_iter().partition(|path| {
            path.segments
                .last()
                .is_some_and(|last| last.ident == "Debug")
        });
        if !debug.is_empty() {
            dropped = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    Ok(dropped)
}

/// Replaces the derived `Debug` of every struct of the types module, and of
/// every enum there whose variants hold values, with one that names the
/// properties set and shows no value (`didit-api/src/redact.rs`); enums of
/// plain names keep theirs. Each request builder of the client (the module
/// `builder`, when there is one) gets one that shows its name alone, as
/// its parameters are a request's data too.
///
/// One macro invocation per module lists the types, so that the whole pass
/// costs the generated file a few lines; the `Debug` of every type is the
/// one generic implementation of `didit-api`.
pub fn debug_shows_no_values(file: &mut syn::File, types_module: &str) -> Result<()> {
    let types = module_items(&mut file.items, types_module)
        .ok_or_else(|| anyhow!("the generated code has no `{types_module}` module"))?;
    let mut outlined: Vec<syn::Ident> = Vec::new();
    for item in types.iter_mut() {
        let (attrs, ident) = match item {
            syn::Item::Struct(item) => (&mut item.attrs, &item.ident),
            syn::Item::Enum(item)
                if item
                    .variants
                    .iter()
                    .any(|variant| !matches!(variant.fields, syn::Fields::Unit)) =>
            {
                (&mut item.attrs, &item.ident)
            }
            _ => continue,
        };
        if drop_derived_debug(attrs)? {
            outlined.push(ident.clone());
        }
    }
    if outlined.is_empty() {
        bail!(
            "no type of the `{types_module}` module derives `Debug`: typify's output has changed shape"
        );
    }
    types.push(syn::parse_quote!(crate::redact::debug_shows_no_values!(#(#outlined),*);));

    let Some(client_builders) = module_items(&mut file.items, STRUCT_BUILDER_MODULE) else {
        return Ok(());
    };
    let mut builders: Vec<syn::Ident> = Vec::new();
    for item in client_builders.iter_mut() {
        if let syn::Item::Struct(item) = item
            && drop_derived_debug(&mut item.attrs)?
        {
            builders.push(item.ident.clone());
        }
    }
    if !builders.is_empty() {
        client_builders
            .push(syn::parse_quote!(crate::redact::debug_shows_no_parameters!(#(#builders),*);));
    }
    Ok(())
}

/// The prelude types typify spells out in full, and their full paths.
const PRELUDE_NAMES: [(&str, &str); 4] = [
    ("Option", "::std::option::Option"),
    ("Vec", "::std::vec::Vec"),
    ("String", "::std::string::String"),
    ("Result", "::std::result::Result"),
];

/// Writes `::std::option::Option` as `Option` (likewise `Vec`, `String`,
/// `Result`) in the types module. Fails when a generated type would shadow
/// one of those names.
pub fn use_prelude_names(types: &mut [syn::Item]) -> Result<()> {
    for item in types.iter() {
        let name = match item {
            syn::Item::Struct(item) => &item.ident,
            syn::Item::Enum(item) => &item.ident,
            syn::Item::Type(item) => &item.ident,
            _ => continue,
        };
        if PRELUDE_NAMES.iter().any(|(short, _)| name == short) {
            bail!(
                "the spec has a schema that becomes the type `{name}`, which would shadow the \
                 prelude's; rename the schema"
            );
        }
    }
    struct Shorten;
    impl VisitMut for Shorten {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            syn::visit_mut::visit_path_mut(self, path);
            if path.leading_colon.is_none() || path.segments.len() < 3 {
                return;
            }
            let spelled: String = path
                .segments
                .iter()
                .take(3)
                .map(|segment| format!("::{}", segment.ident))
                .collect();
            if !PRELUDE_NAMES.iter().any(|(_, full)| *full == spelled) {
                return;
            }
            // `::std::option::Option<T>` → `Option<T>`, a variant
            // (`::std::option::Option::Some`) → `Some` (also in the prelude),
            // anything else below the type → `Option::is_none`.
            let prelude_variant = path.segments.len() == 4
                && path.segments.last().is_some_and(|last| {
                    ["Some", "None", "Ok", "Err"]
                        .iter()
                        .any(|variant| last.ident == variant)
                });
            let skip = if prelude_variant { 3 } else { 2 };
            let kept: Punctuated<syn::PathSegment, syn::Token![::]> =
                path.segments.iter().skip(skip).cloned().collect();
            path.leading_colon = None;
            path.segments = kept;
        }
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            // serde's `skip_serializing_if = "::std::option::Option::is_none"`
            // is a string inside the attribute's tokens.
            if !attr.path().is_ident("serde") {
                return;
            }
            if let syn::Meta::List(list) = &mut attr.meta {
                let text = list.tokens.to_string();
                let mut shortened = text.clone();
                for (short, full) in PRELUDE_NAMES {
                    shortened = shortened.replace(&format!("\"{full}::"), &format!("\"{short}::"));
                }
                if shortened != text
                    && let Ok(tokens) = shortened.parse()
                {
                    list.tokens = tokens;
                }
            }
        }
    }
    for item in types {
        Shorten.visit_item_mut(item);
    }
    Ok(())
}

/// How a field holds its value.
enum Holding<'a> {
    /// Required: the value itself.
    Required(&'a syn::Type),
    /// Optional (or required but nullable): `Option<T>`.
    Optional(&'a syn::Type),
    /// Optional and nullable: `Option<Option<T>>`, absent vs `null`.
    OptionalNullable(&'a syn::Type),
}

/// What an accessor hands out for a value of type `T`.
enum Lending<'a> {
    /// `&str` for a `String`.
    Str,
    /// `&[T]` for a `Vec<T>`.
    Slice(&'a syn::Type),
    /// The value itself, for small `Copy` values.
    Copy,
    /// `&T`.
    Reference,
}

/// The single type argument of `ty` when its last path segment is `name`.
fn generic_argument<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn last_segment_is(ty: &syn::Type, names: &[&str]) -> bool {
    matches!(ty, syn::Type::Path(path)
        if path.qself.is_none()
            && path.path.segments.last().is_some_and(|last|
                matches!(last.arguments, syn::PathArguments::None)
                    && names.iter().any(|name| last.ident == name)))
}

fn holding(ty: &syn::Type) -> Holding<'_> {
    match generic_argument(ty, "Option") {
        Some(inner) => match generic_argument(inner, "Option") {
            Some(innermost) => Holding::OptionalNullable(innermost),
            None => Holding::Optional(inner),
        },
        None => Holding::Required(ty),
    }
}

fn lending(ty: &syn::Type) -> Lending<'_> {
    if last_segment_is(ty, &["String"]) {
        Lending::Str
    } else if let Some(item) = generic_argument(ty, "Vec") {
        Lending::Slice(item)
    } else if last_segment_is(
        ty,
        &[
            "bool",
            "i8",
            "i16",
            "i32",
            "i64",
            "u8",
            "u16",
            "u32",
            "u64",
            "f32",
            "f64",
            "Uuid",
            "NaiveDate",
        ],
    ) {
        Lending::Copy
    } else {
        Lending::Reference
    }
}

/// The accessor of one field.
fn accessor(field: &syn::Ident, holding: &Holding<'_>) -> syn::ImplItemFn {
    let get = |ty: &syn::Type,
               how: &Holding<'_>|
     -> (proc_macro2::TokenStream, proc_macro2::TokenStream) {
        let lent = lending(ty);
        match (how, lent) {
            (Holding::Required(_), Lending::Str) => (quote!(&str), quote!(&self.#field)),
            (Holding::Required(_), Lending::Slice(item)) => {
                (quote!(&[#item]), quote!(&self.#field))
            }
            (Holding::Required(_), Lending::Copy) => (quote!(#ty), quote!(self.#field)),
            (Holding::Required(_), Lending::Reference) => (quote!(&#ty), quote!(&self.#field)),
            (Holding::Optional(_), Lending::Str) => {
                (quote!(Option<&str>), quote!(self.#field.as_deref()))
            }
            (Holding::Optional(_), Lending::Slice(item)) => (
                quote!(&[#item]),
                quote!(self.#field.as_deref().unwrap_or_default()),
            ),
            (Holding::Optional(_), Lending::Copy) => (quote!(Option<#ty>), quote!(self.#field)),
            (Holding::Optional(_), Lending::Reference) => {
                (quote!(Option<&#ty>), quote!(self.#field.as_ref()))
            }
            (Holding::OptionalNullable(_), Lending::Str) => (
                quote!(Option<&str>),
                quote!(self.#field.as_ref().and_then(Option::as_deref)),
            ),
            (Holding::OptionalNullable(_), Lending::Slice(item)) => (
                quote!(&[#item]),
                quote!(self.#field.as_ref().and_then(Option::as_deref).unwrap_or_default()),
            ),
            (Holding::OptionalNullable(_), Lending::Copy) => {
                (quote!(Option<#ty>), quote!(self.#field.flatten()))
            }
            (Holding::OptionalNullable(_), Lending::Reference) => (
                quote!(Option<&#ty>),
                quote!(self.#field.as_ref().and_then(Option::as_ref)),
            ),
        }
    };
    let value_type = match holding {
        Holding::Required(ty) | Holding::Optional(ty) | Holding::OptionalNullable(ty) => *ty,
    };
    let (returns, body) = get(value_type, holding);
    syn::parse_quote! {
        #[inline]
        pub fn #field(&self) -> #returns {
            #body
        }
    }
}

/// The chainable setter of one field.
fn setter(field: &syn::Ident, holding: &Holding<'_>) -> syn::ImplItemFn {
    let unraw = field.to_string();
    let name = format_ident!("with_{}", unraw.trim_start_matches("r#"));
    let (ty, value) = match holding {
        Holding::Required(ty) => (*ty, quote!(value.into())),
        Holding::Optional(ty) => (*ty, quote!(Some(value.into()))),
        Holding::OptionalNullable(ty) => (*ty, quote!(Some(Some(value.into())))),
    };
    let doc = format!(
        " Sets [`{}`](Self::{unraw}).",
        unraw.trim_start_matches("r#")
    );
    // Generic, so inlined where it is called without `#[inline]`.
    syn::parse_quote! {
        #[doc = #doc]
        pub fn #name(mut self, value: impl Into<#ty>) -> Self {
            self.#field = #value;
            self
        }
    }
}

/// Implements `didit_api::JsonDocument` for each of `documents` (the types
/// a whole response body or event is read into) that the types module
/// holds, with a body that is not generic: the type's decoder is then
/// compiled once, in `didit-api`, not again in every crate that decodes it.
pub fn implement_json_documents(
    types: &mut Vec<syn::Item>,
    documents: &std::collections::BTreeSet<String>,
) {
    let defined: Vec<syn::Ident> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item.ident.clone()),
            syn::Item::Enum(item) => Some(item.ident.clone()),
            _ => None,
        })
        .filter(|ident| documents.contains(&ident.to_string()))
        .collect();
    for ident in defined {
        types.push(syn::parse_quote! {
            impl crate::JsonDocument for #ident {
                fn from_json(body: &[u8]) -> ::std::result::Result<Self, crate::DecodeFailure> {
                    crate::decode_any(body)
                }
            }
        });
    }
}

/// Methods of traits the types implement (or users call on any value): an
/// inherent accessor of the same name would be called instead of them.
const TRAIT_METHODS: &[&str] = &[
    "as_ref",
    "borrow",
    "clone",
    "clone_from",
    "default",
    "deserialize",
    // `didit_api::JsonDocument::from_json`, called on the concrete type.
    "from_json",
    "eq",
    "fmt",
    "from",
    "hash",
    "into",
    "ne",
    "serialize",
    "to_owned",
    "to_string",
    "try_from",
    "try_into",
    "type_id",
];

/// Gives every struct with named fields in the types module an impl with
/// its constructor, accessors and setters, placed right after the struct.
/// Fails when a method would clash with a field's accessor or setter.
pub fn add_reader_and_builder_methods(types: &mut Vec<syn::Item>) -> Result<()> {
    let mut items = Vec::with_capacity(types.len() * 2);
    for item in std::mem::take(types) {
        let methods = match &item {
            syn::Item::Struct(item) => methods_for(item)?,
            _ => None,
        };
        items.push(item);
        items.extend(methods.map(syn::Item::Impl));
    }
    *types = items;
    Ok(())
}

/// Whether the item derives the trait `name`.
fn derives(item: &syn::ItemStruct, name: &str) -> bool {
    item.attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .any(|path| path.segments.last().is_some_and(|last| last.ident == name))
}

fn methods_for(item: &syn::ItemStruct) -> Result<Option<syn::ItemImpl>> {
    let syn::Fields::Named(fields) = &item.fields else {
        return Ok(None);
    };
    let name = &item.ident;
    let mut parameters = Vec::new();
    let mut required = Vec::new();
    let mut initialisers = Vec::new();
    let mut methods: Vec<syn::ImplItemFn> = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for field in &fields.named {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| anyhow!("`{name}` has a field without a name"))?;
        if ident == EXTRA_FIELD {
            initialisers.push(quote!(#ident: ::std::default::Default::default()));
            continue;
        }
        let held = holding(&field.ty);
        match &held {
            Holding::Required(ty) => {
                required.push(ident.to_string());
                parameters.push(quote!(#ident: impl Into<#ty>));
                initialisers.push(quote!(#ident: #ident.into()));
            }
            Holding::Optional(_) | Holding::OptionalNullable(_) => {
                initialisers.push(quote!(#ident: None));
            }
        }
        let mut get = accessor(ident, &held);
        get.attrs.splice(
            0..0,
            field
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("doc"))
                .cloned(),
        );
        let set = setter(ident, &held);
        for method in [&get, &set] {
            let method_name = method.sig.ident.to_string();
            if TRAIT_METHODS.contains(&method_name.as_str()) {
                bail!(
                    "`{name}`: the accessor `{method_name}` would hide the trait method of that \
                     name; rename the property"
                );
            }
            if method_name == "new" || !names.insert(method_name.clone()) {
                bail!(
                    "`{name}`: the method `{method_name}` would be generated twice (a property's \
                     accessor or setter clashes with another's, or with `new`); rename a property"
                );
            }
        }
        methods.push(get);
        methods.push(set);
    }
    let constructor_doc = if parameters.is_empty() {
        format!(" A `{name}` with every property absent.")
    } else {
        let order: Vec<String> = required.iter().map(|field| format!("`{field}`")).collect();
        format!(
            " A `{name}` with its required properties ({}); the optional ones are absent.",
            order.join(", ")
        )
    };
    let body = if parameters.is_empty() && derives(item, "Default") {
        quote!(Self::default())
    } else {
        quote!(Self { #(#initialisers),* })
    };
    let constructor: syn::ImplItemFn = syn::parse_quote! {
        #[doc = #constructor_doc]
        #[inline]
        pub fn new(#(#parameters),*) -> Self {
            #body
        }
    };
    Ok(Some(syn::parse_quote! {
        impl #name {
            #constructor
            #(#methods)*
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(types: proc_macro2::TokenStream) -> Result<String> {
        let mut file: syn::File = syn::parse_quote!(#types);
        add_reader_and_builder_methods(&mut file.items)?;
        Ok(prettyplease::unparse(&file).split_whitespace().collect())
    }

    #[test]
    fn accessors_hand_out_what_a_reader_wants() {
        let code = shaped(quote! {
            pub struct Decision {
                pub session_id: ::uuid::Uuid,
                pub status: crate::SessionStatus,
                pub vendor_data: Option<Option<String>>,
                pub checks: Option<Option<Vec<Check>>>,
                pub count: Option<i64>,
                pub extra: crate::Extra,
            }
        })
        .unwrap();
        for expected in [
            "pubfnsession_id(&self)->::uuid::Uuid{self.session_id}",
            "pubfnstatus(&self)->&crate::SessionStatus{&self.status}",
            "pubfnvendor_data(&self)->Option<&str>{self.vendor_data.as_ref().and_then(Option::as_deref)}",
            "pubfnchecks(&self)->&[Check]",
            "pubfncount(&self)->Option<i64>{self.count}",
            "pubfnnew(session_id:implInto<::uuid::Uuid>,status:implInto<crate::SessionStatus>,)->Self",
            "vendor_data:None",
            "extra:::std::default::Default::default()",
            "pubfnwith_vendor_data(mutself,value:implInto<String>)->Self{self.vendor_data=Some(Some(value.into()));self}",
        ] {
            assert!(code.contains(expected), "missing {expected} in {code}");
        }
    }

    #[test]
    fn a_property_whose_setter_clashes_with_another_accessor_fails_generation() {
        let error = shaped(quote! {
            pub struct Odd { pub name: Option<String>, pub with_name: Option<String> }
        })
        .unwrap_err();
        assert!(error.to_string().contains("`with_name`"), "{error}");
    }

    #[test]
    fn a_property_named_like_a_trait_method_fails_generation() {
        for name in ["clone", "from_json"] {
            let field = format_ident!("{name}");
            let error =
                shaped(quote! { pub struct Odd { pub #field: Option<String> } }).unwrap_err();
            assert!(error.to_string().contains(&format!("`{name}`")), "{error}");
        }
    }

    #[test]
    fn payloads_and_builders_lose_the_derived_debug_and_enums_of_names_keep_it() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct Decision { pub vendor_data: Option<String> }
                #[derive(::serde::Serialize, Clone, Debug, Eq, Hash)]
                pub struct CompanyName(String);
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(untagged)]
                pub enum Messages { String(String), Array(Vec<String>) }
                #[derive(::serde::Serialize, Clone, Copy, Debug)]
                pub enum Status { Approved, Declined }
            }
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct ListSessions<'a> { search: Result<Option<String>, String> }
            }
        };
        debug_shows_no_values(&mut file, "types").unwrap();
        let code: String = prettyplease::unparse(&file).split_whitespace().collect();
        for expected in [
            "#[derive(::serde::Serialize,Clone,PartialEq)]pubstructDecision",
            "#[derive(::serde::Serialize,Clone,Eq,Hash)]pubstructCompanyName",
            "#[derive(::serde::Serialize,Clone)]#[serde(untagged)]pubenumMessages",
            "#[derive(::serde::Serialize,Clone,Copy,Debug)]pubenumStatus",
            "crate::redact::debug_shows_no_values!(Decision,CompanyName,Messages);",
            "#[derive(Clone)]pubstructListSessions",
            "crate::redact::debug_shows_no_parameters!(ListSessions);",
        ] {
            assert!(code.contains(expected), "missing {expected} in {code}");
        }
    }

    #[test]
    fn a_type_named_like_a_prelude_type_fails_generation() {
        let mut items = vec![syn::parse_quote!(
            pub struct Option {}
        )];
        let error = use_prelude_names(&mut items).unwrap_err();
        assert!(error.to_string().contains("`Option`"), "{error}");
    }
}
