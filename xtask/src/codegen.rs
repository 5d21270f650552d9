//! Turning the spec into `crates/didit-api/src/generated.rs`.
//!
//! progenitor writes the client and typify the types; this module configures
//! them, applies the rewrites typify cannot be told to do, in order —
//! `shape::drop_struct_builders`, `keep_presence` (here),
//! `unknown_properties::keep_unknown_properties`, the reader-facing passes of
//! `shape` (methods, `#[non_exhaustive]`, the `schemars` gate, prelude
//! names, a `Debug` that shows no value) and `gate_client_behind_feature` —
//! and formats the result with prettyplease so the bytes do not depend on
//! the machine or on a rustfmt installation.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, anyhow};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::ToTokens;
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};
use syn::visit_mut::VisitMut;

use crate::shape::{
    self, add_reader_and_builder_methods, debug_shows_no_values, drop_struct_builders,
    gate_json_schema, implement_json_documents, mark_non_exhaustive, read_answers_as_documents,
    use_prelude_names,
};
use crate::spec::{SPEC_PATH, Spec};
use crate::unknown_properties::keep_unknown_properties;

/// Component schemas whose generated type is swapped for a hand-written one in
/// `didit-api`, and the type that replaces it.
///
/// The enumerations grow on the server over time; typify's closed enums would
/// reject a whole page over one new value, so hand-written open enums with an
/// `Unknown(String)` variant stand in. `JsonNumber` keeps a decision's numbers
/// as written (`98` stays `98`), and `JsonObject` keeps an empty free-form
/// object apart from an absent one. `SessionToken` holds a secret that no
/// `Debug` output shows. `SessionRow` dispatches on `session_kind`,
/// which an untagged enum of two lenient structs cannot do.
pub const REPLACEMENTS: &[(&str, &str)] = &[
    ("SessionStatus", "crate::SessionStatus"),
    ("FeatureName", "crate::FeatureName"),
    ("FeatureStatus", "crate::FeatureStatus"),
    ("DocumentType", "crate::DocumentType"),
    ("UserSessionKind", "crate::SessionKind"),
    ("BusinessSessionKind", "crate::SessionKind"),
    ("DecisionSessionKind", "crate::SessionKind"),
    ("WebhookSessionKind", "crate::SessionKind"),
    ("WebhookType", "crate::WebhookType"),
    ("Language", "crate::Language"),
    ("Gender", "crate::Gender"),
    ("DocumentCode", "crate::DocumentCode"),
    ("Environment", "crate::Environment"),
    ("WarningFeature", "crate::WarningFeature"),
    ("WarningCode", "crate::WarningCode"),
    ("WarningLogType", "crate::WarningLogType"),
    ("MatchSource", "crate::MatchSource"),
    ("BrightnessIssue", "crate::BrightnessIssue"),
    ("DocumentAiFieldType", "crate::DocumentAiFieldType"),
    ("AmlDataset", "crate::AmlDataset"),
    ("AmlReviewStatus", "crate::AmlReviewStatus"),
    ("DocumentNumberMatch", "crate::DocumentNumberMatch"),
    ("AmlCaseType", "crate::AmlCaseType"),
    ("AmlCategoryResult", "crate::AmlCategoryResult"),
    ("IpMatchType", "crate::IpMatchType"),
    ("IpMatchSource", "crate::IpMatchSource"),
    ("IpMatchMode", "crate::IpMatchMode"),
    ("DatabaseValidationType", "crate::DatabaseValidationType"),
    ("DatabaseMatchType", "crate::DatabaseMatchType"),
    ("RiskLevel", "crate::RiskLevel"),
    ("VatValidationStatus", "crate::VatValidationStatus"),
    ("PartyKycStatus", "crate::PartyKycStatus"),
    ("PartyEntityType", "crate::PartyEntityType"),
    ("PartySource", "crate::PartySource"),
    ("KeyPersonRole", "crate::KeyPersonRole"),
    ("KybDocumentGroup", "crate::KybDocumentGroup"),
    ("ResubmittableFeature", "crate::ResubmittableFeature"),
    ("JsonNumber", "crate::JsonNumber"),
    ("JsonObject", "crate::JsonObject"),
    ("SessionToken", "crate::SessionToken"),
    ("SessionRow", "crate::SessionRow"),
];

/// Renders the generated module for `spec`.
pub fn generate(spec: &Spec) -> Result<String> {
    let openapi = spec.openapi()?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap")
        // Every generated `send()` goes through `didit-api`'s hand-written
        // hooks (`hooks.rs`), which hand the request to the transport of
        // the `didit` facade: one request path for every operation.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::hooks::RequestContext));
    let open_enum_impls = [TypeImpl::Display, TypeImpl::FromStr];
    for (schema, replacement) in REPLACEMENTS {
        let impls = if *schema == "SessionRow" {
            Vec::new()
        } else {
            open_enum_impls.to_vec()
        };
        settings.with_replacement(schema, replacement, impls.into_iter());
    }
    // Timestamps keep the text the server sent, so that re-encoding a row gives
    // back the same bytes (chrono would normalise the fractional seconds).
    settings.with_conversion(
        SchemaObject {
            instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
            format: Some("date-time".to_owned()),
            ..Default::default()
        },
        "crate::Timestamp",
        [TypeImpl::Display].into_iter(),
    );

    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&openapi)
        .map_err(|error| anyhow!("progenitor could not generate the client: {error}"))?;
    let mut file: syn::File =
        syn::parse2(tokens).context("progenitor produced code that does not parse")?;
    drop_struct_builders(&mut file, TYPES_MODULE)?;
    read_answers_as_documents(&mut file)?;
    keep_presence(&mut file, &presence_fields(&spec.json)?)?;
    // After `keep_presence`: it reads the serde attributes that one writes.
    keep_unknown_properties(&mut file)?;
    let types = shape::module_items(&mut file.items, TYPES_MODULE)
        .ok_or_else(|| anyhow!("the generated code has no `{TYPES_MODULE}` module"))?;
    add_reader_and_builder_methods(types)?;
    implement_json_documents(types, &document_schemas(&spec.json)?);
    mark_non_exhaustive(types);
    gate_json_schema(types)?;
    use_prelude_names(types)?;
    debug_shows_no_values(&mut file, TYPES_MODULE)?;
    gate_client_behind_feature(&mut file)?;

    Ok(format!(
        "// @generated by `cargo xtask generate` from {SPEC_PATH}\n\
         // spec sha256: {}\n\
         // Generated code: do not edit. Change the spec and regenerate instead.\n\n{}",
        spec.sha256(),
        prettyplease::unparse(&file)
    ))
}

/// The component schemas a whole document is read into: the JSON bodies of
/// the operations' answers (errors included), and the components nothing
/// in the spec refers to (the webhook event, which no operation returns).
fn document_schemas(spec: &serde_json::Value) -> Result<BTreeSet<String>> {
    const PREFIX: &str = "#/components/schemas/";
    fn refs_in(value: &serde_json::Value, found: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(object) => {
                for (key, value) in object {
                    match (key.as_str(), value.as_str()) {
                        ("$ref", Some(target)) => {
                            if let Some(name) = target.strip_prefix(PREFIX) {
                                found.insert(name.to_owned());
                            }
                        }
                        _ => refs_in(value, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| refs_in(item, found)),
            _ => {}
        }
    }
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| anyhow!("the spec has no components/schemas"))?;
    let mut referenced = BTreeSet::new();
    refs_in(spec, &mut referenced);
    let mut documents: BTreeSet<String> = schemas
        .keys()
        .filter(|name| !referenced.contains(*name))
        .cloned()
        .collect();
    let operations = spec
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(serde_json::Value::as_object)
        .flat_map(|item| item.values());
    for operation in operations {
        let responses = operation
            .get("responses")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flat_map(|responses| responses.values());
        for response in responses {
            let target = response
                .pointer("/content/application~1json/schema/$ref")
                .and_then(serde_json::Value::as_str)
                .and_then(|target| target.strip_prefix(PREFIX));
            documents.extend(target.map(str::to_owned));
        }
    }
    Ok(documents)
}

/// For every object component, the properties whose absence must stay
/// distinguishable from their zero value: optional properties that are nullable
/// (absent vs `null`) or arrays (absent vs `[]`).
fn presence_fields(spec: &serde_json::Value) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| anyhow!("the spec has no components/schemas"))?;
    let mut fields = BTreeMap::new();
    for (name, schema) in schemas {
        let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) else {
            continue;
        };
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(|r| r.as_array())
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let wanted: BTreeSet<String> = properties
            .iter()
            .filter(|(property, _)| !required.contains(property.as_str()))
            .filter(|(_, schema)| {
                schema.get("nullable") == Some(&serde_json::Value::Bool(true))
                    || schema.get("type").and_then(|t| t.as_str()) == Some("array")
            })
            .map(|(property, _)| property.clone())
            .collect();
        if !wanted.is_empty() {
            fields.insert(name.clone(), wanted);
        }
    }
    Ok(fields)
}

/// The `rename = "..."` among serde attributes, if any: the JSON name of a
/// field or variant whose Rust name differs.
pub fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        // Other serde keys are skipped; a key with a value reads the value.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    rename
}

/// Makes optional nullable and optional array fields three-state.
///
/// typify folds "absent" and "null" into one `None` (and "absent" and `[]` into
/// one empty `Vec`) and skips them when serializing, so a decoded row would not
/// re-encode to what the server sent. This rewrite wraps each such field in one
/// more `Option`, where the outer `None` means absent, and marks it to decode
/// through `crate::presence::deserialize`, which keeps `null` as `Some(None)`.
/// Encoding needs nothing: `Some(None)` is written as `null`.
fn keep_presence(file: &mut syn::File, fields: &BTreeMap<String, BTreeSet<String>>) -> Result<()> {
    struct Rewrite<'a> {
        fields: &'a BTreeMap<String, BTreeSet<String>>,
    }

    impl VisitMut for Rewrite<'_> {
        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            let Some(wanted) = self.fields.get(&item.ident.to_string()) else {
                return;
            };
            for field in item.fields.iter_mut() {
                let Some(ident) = &field.ident else { continue };
                let rename = serde_rename(&field.attrs);
                if !wanted.contains(rename.as_ref().unwrap_or(&ident.to_string())) {
                    continue;
                }
                // schemars reads the schema of the type before wrapping.
                let ty = &field.ty;
                let schema_type = quote::quote!(#ty).to_string();
                field.ty = syn::parse_quote!(::std::option::Option<#ty>);
                field.attrs.retain(|attr| !attr.path().is_ident("serde"));
                field
                    .attrs
                    .push(syn::parse_quote!(#[schemars(with = #schema_type)]));
                field.attrs.push(syn::parse_quote!(
                    #[serde(
                        default,
                        skip_serializing_if = "::std::option::Option::is_none",
                        deserialize_with = "crate::presence::deserialize"
                    )]
                ));
                if let Some(rename) = rename {
                    field
                        .attrs
                        .push(syn::parse_quote!(#[serde(rename = #rename)]));
                }
            }
        }
    }

    let types = crate::shape::module_items(&mut file.items, TYPES_MODULE)
        .ok_or_else(|| anyhow!("the generated code has no `{TYPES_MODULE}` module"))?;
    let mut rewrite = Rewrite { fields };
    for item in types.iter_mut() {
        rewrite.visit_item_mut(item);
    }
    Ok(())
}

/// The cargo feature of `didit-api` that brings the HTTP client.
pub const CLIENT_FEATURE: &str = "client";

/// The generated module that holds the payload types.
pub const TYPES_MODULE: &str = "types";

/// Puts `#[cfg(feature = "client")]` on every top-level item except the
/// `types` module.
///
/// The payload types need neither reqwest nor progenitor-client, and a
/// service that only receives webhooks wants the types (an event carries a
/// decision) without an HTTP client; the client, its builders and the
/// re-exports of progenitor-client need both.
fn gate_client_behind_feature(file: &mut syn::File) -> Result<()> {
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == TYPES_MODULE
        {
            continue;
        }
        let attrs = match item {
            syn::Item::Const(item) => &mut item.attrs,
            syn::Item::Enum(item) => &mut item.attrs,
            syn::Item::Fn(item) => &mut item.attrs,
            syn::Item::Impl(item) => &mut item.attrs,
            syn::Item::Mod(item) => &mut item.attrs,
            syn::Item::Static(item) => &mut item.attrs,
            syn::Item::Struct(item) => &mut item.attrs,
            syn::Item::Trait(item) => &mut item.attrs,
            syn::Item::Type(item) => &mut item.attrs,
            syn::Item::Use(item) => &mut item.attrs,
            syn::Item::Macro(item) => &mut item.attrs,
            other => {
                return Err(anyhow!(
                    "progenitor generated a top-level item of a kind the `{CLIENT_FEATURE}` \
                     gate does not handle: {}",
                    other.to_token_stream()
                ));
            }
        };
        attrs.insert(0, syn::parse_quote!(#[cfg(feature = #CLIENT_FEATURE)]));
    }
    Ok(())
}

/// A unified diff from the checked-in `current` to the freshly generated
/// `expected`, or `None` when they are the same.
pub fn diff(current: &str, expected: &str) -> Option<String> {
    if current == expected {
        return None;
    }
    Some(
        similar::TextDiff::from_lines(current, expected)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{} (checked in)", crate::spec::GENERATED_PATH),
                &format!("{} (from the spec)", crate::spec::GENERATED_PATH),
            )
            .to_string(),
    )
}
