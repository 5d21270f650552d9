//! Turning the spec into `crates/didit-api/src/generated.rs`.
//!
//! progenitor writes the client and typify the types; this module configures
//! them, applies the rewrites typify cannot be told to do, in order —
//! `shape::drop_struct_builders`, `shape::read_answers_as_documents`,
//! `success_statuses::accept_any_success_without_body`, `keep_presence` (here),
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
use crate::success_statuses::accept_any_success_without_body;
use crate::unknown_properties::keep_unknown_properties;

/// Component schemas whose generated type is swapped for a hand-written one in
/// `didit-api`, and the type that replaces it.
///
/// The enumerations grow on the server over time; typify's closed enums would
/// reject a whole page over one new value, so hand-written open enums with an
/// `Unknown(String)` variant stand in. `JsonNumber` keeps a decision's numbers
/// as written (`98` stays `98`), and `JsonObject` keeps an empty free-form
/// object apart from an absent one. `SessionToken` and `ShareToken` hold
/// secrets that no `Debug` output shows. `SessionRow` dispatches on `session_kind`,
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
    ("MaritalStatus", "crate::MaritalStatus"),
    ("PoaDocumentType", "crate::PoaDocumentType"),
    ("ReviewActivityType", "crate::ReviewActivityType"),
    ("ReviewActorType", "crate::ReviewActorType"),
    ("ImportType", "crate::ImportType"),
    ("ImportSourceFormat", "crate::ImportSourceFormat"),
    ("ImportStatus", "crate::ImportStatus"),
    ("JsonNumber", "crate::JsonNumber"),
    ("JsonObject", "crate::JsonObject"),
    ("SessionToken", "crate::SessionToken"),
    ("ShareToken", "crate::ShareToken"),
    ("SessionRow", "crate::SessionRow"),
];

/// Request media types the spec describes and progenitor is not given,
/// as `(operationId, media type)`: the facade sends these bodies itself.
///
/// progenitor 0.15 builds a request body of one media type among JSON, a
/// URL-encoded form, raw bytes and plain text (`PROGENITOR_BODY_TYPES`); it
/// stops at an operation listing two, or at `multipart/form-data`. An
/// operation listed here keeps its other media type, so its generated
/// builder takes that body: `create_session_import` is generated with its
/// JSON body (a file the server fetches from an address), and the upload
/// of the file itself as a form is left to the facade.
pub const HAND_BUILT_BODIES: &[(&str, &str)] = &[("create_session_import", "multipart/form-data")];

/// The request media types progenitor 0.15 can build (parameters after `;`
/// do not matter).
const PROGENITOR_BODY_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
    "text/x-markdown",
];

/// The spec as progenitor is given it: without the request media types
/// `hand_built` lists (generation passes [`HAND_BUILT_BODIES`]).
///
/// Fails, naming the operation, when a request body is left with no media
/// type, more than one, or one progenitor cannot build, so that no operation
/// is generated without its body, or not at all, unless it is listed; and
/// when an entry of the list matches nothing, so that the list cannot go
/// stale.
pub fn for_progenitor(
    spec: &serde_json::Value,
    hand_built: &[(&str, &str)],
) -> Result<serde_json::Value> {
    let mut spec = spec.clone();
    let mut unused: BTreeSet<(&str, &str)> = hand_built.iter().copied().collect();
    let mut problems = Vec::new();
    let paths = spec
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut());
    for (path, item) in paths {
        for method in crate::spec::METHODS {
            let Some(operation) = item.get_mut(*method) else {
                continue;
            };
            let operation_id = operation
                .get("operationId")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(path)
                .to_owned();
            let Some(content) = operation
                .pointer_mut("/requestBody/content")
                .and_then(serde_json::Value::as_object_mut)
            else {
                continue;
            };
            for (listed, media_type) in hand_built {
                if *listed == operation_id && content.remove(*media_type).is_some() {
                    unused.remove(&(*listed, *media_type));
                }
            }
            let kept: Vec<&String> = content.keys().collect();
            match kept.as_slice() {
                [media_type]
                    if PROGENITOR_BODY_TYPES
                        .contains(&media_type.split(';').next().unwrap_or_default().trim()) => {}
                _ => problems.push(format!(
                    "{} {path} (`{operation_id}`): progenitor builds a request body of one \
                     media type among {PROGENITOR_BODY_TYPES:?}, and this one would be given \
                     {kept:?}; describe the others in `codegen::HAND_BUILT_BODIES` and send \
                     them from the facade",
                    method.to_uppercase()
                )),
            }
        }
    }
    for (operation_id, media_type) in unused {
        problems.push(format!(
            "`codegen::HAND_BUILT_BODIES` lists {media_type} for `{operation_id}`, which has no \
             such request body in the spec"
        ));
    }
    if problems.is_empty() {
        Ok(spec)
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}

/// Renders the generated module for `spec`.
pub fn generate(spec: &Spec) -> Result<String> {
    let openapi: openapiv3::OpenAPI =
        serde_json::from_value(for_progenitor(&spec.json, HAND_BUILT_BODIES)?).with_context(
            || {
                format!(
                    "{} does not match the OpenAPI 3.0 document model",
                    spec.display_path()
                )
            },
        )?;
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
    accept_any_success_without_body(&mut file)?;
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::for_progenitor;

    /// A spec with one operation, `upload`, whose request body has `content`.
    fn spec_with_body(content: Value) -> Value {
        json!({"paths": {"/v3/upload/": {"post": {
            "operationId": "upload",
            "requestBody": {"content": content},
            "responses": {}
        }}}})
    }

    const FORM: &str = "multipart/form-data";
    const BODY: &str = "/paths/~1v3~1upload~1/post/requestBody/content";

    #[test]
    fn a_listed_media_type_is_dropped_and_the_other_kept() {
        let spec = spec_with_body(json!({FORM: {}, "application/json": {}}));
        let given = for_progenitor(&spec, &[("upload", FORM)]).unwrap();
        assert_eq!(given.pointer(BODY), Some(&json!({"application/json": {}})));
        // The spec itself is left as it is.
        assert!(spec.pointer(BODY).unwrap().get(FORM).is_some());
    }

    #[test]
    fn bodies_progenitor_builds_pass_unchanged() {
        for media_type in ["application/json", "text/plain; charset=utf-8"] {
            let spec = spec_with_body(json!({media_type: {}}));
            assert_eq!(for_progenitor(&spec, &[]).unwrap(), spec, "{media_type}");
        }
    }

    #[test]
    fn an_unlisted_body_progenitor_cannot_build_is_named() {
        for content in [
            json!({FORM: {}}),
            json!({FORM: {}, "application/json": {}}),
            json!({"application/json": {}, "application/xml": {}}),
        ] {
            let error = for_progenitor(&spec_with_body(content.clone()), &[])
                .unwrap_err()
                .to_string();
            assert!(error.contains("POST /v3/upload/ (`upload`)"), "{error}");
            assert!(error.contains("HAND_BUILT_BODIES"), "{content}: {error}");
        }
    }

    #[test]
    fn a_listed_body_must_leave_one_that_progenitor_builds() {
        let spec = spec_with_body(json!({FORM: {}}));
        let error = for_progenitor(&spec, &[("upload", FORM)])
            .unwrap_err()
            .to_string();
        assert!(error.contains("would be given []"), "{error}");
    }

    #[test]
    fn a_listed_body_the_spec_does_not_have_is_named() {
        let spec = spec_with_body(json!({"application/json": {}}));
        let error = for_progenitor(&spec, &[("upload", FORM), ("download", FORM)])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("lists multipart/form-data for `upload`, which has no such request"),
            "{error}"
        );
        assert!(error.contains("for `download`"), "{error}");
    }
}
