//! The code-generation pipeline and the spec lint, end to end.

use serde_json::json;
use xtask::codegen::{HAND_BUILT_BODIES, diff, for_progenitor, generate};
use xtask::lint::lint;
use xtask::spec::{GENERATED_PATH, Spec, workspace_root};

const KYC_EXAMPLE: &str = "/paths/~1v3~1sessions~1/get/responses/200/content/application~1json/examples/published_kyc_sessions_default/value";

#[test]
fn checked_in_generated_code_matches_the_spec() {
    let spec = Spec::load().unwrap();
    let checked_in = std::fs::read_to_string(workspace_root().join(GENERATED_PATH)).unwrap();
    if let Some(diff) = diff(&checked_in, &generate(&spec).unwrap()) {
        panic!("{GENERATED_PATH} is stale: run `cargo xtask generate`.\n{diff}");
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = Spec::load().unwrap();
    let first = generate(&spec).unwrap();
    let second = generate(&Spec::load().unwrap()).unwrap();
    assert!(
        first == second,
        "two runs differ:\n{}",
        diff(&first, &second).unwrap()
    );
}

#[test]
fn the_header_names_the_spec_and_its_hash() {
    let spec = Spec::load().unwrap();
    let generated = generate(&spec).unwrap();
    let header: Vec<&str> = generated.lines().take(3).collect();
    assert!(
        header[0].contains("openapi/didit-sessions.yaml"),
        "{header:?}"
    );
    assert_eq!(header[1], format!("// spec sha256: {}", spec.sha256()));
    assert!(header[2].contains("do not edit"), "{header:?}");
}

#[test]
fn a_property_added_to_the_spec_shows_up_in_the_drift_diff() {
    let mut spec = Spec::load().unwrap();
    spec.json["components"]["schemas"]["KycSession"]["properties"]["nickname"] =
        json!({"type": "string", "description": "A new field."});
    let checked_in = std::fs::read_to_string(workspace_root().join(GENERATED_PATH)).unwrap();
    let diff = diff(&checked_in, &generate(&spec).unwrap()).expect("the new field must be drift");
    assert!(
        diff.lines()
            .any(|line| line.starts_with('+') && line.contains("pub nickname")),
        "{diff}"
    );
}

#[test]
fn optional_nullable_fields_are_three_state() {
    let generated = generate(&Spec::load().unwrap()).unwrap();
    let compact: String = generated.split_whitespace().collect();
    assert!(
        compact.contains("pubadditional_details:Option<Option<AdditionalDetails>>"),
        "additional_details must be Option<Option<_>>"
    );
    assert!(compact.contains("pubfeatures:Option<Vec<Feature>>"));
}

#[test]
fn only_the_types_are_available_without_the_client_feature() {
    let generated = generate(&Spec::load().unwrap()).unwrap();
    let file: syn::File = syn::parse_str(&generated).unwrap();
    let gate: syn::Attribute = syn::parse_quote!(#[cfg(feature = "client")]);
    let mut gated = 0;
    for item in &file.items {
        let attrs = match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                assert!(!module.attrs.contains(&gate), "`mod types` is gated");
                // The types need neither reqwest nor progenitor-client.
                let text = quote::ToTokens::to_token_stream(module).to_string();
                for client in ["reqwest", "progenitor_client"] {
                    assert!(!text.contains(client), "`mod types` uses {client}");
                }
                continue;
            }
            syn::Item::Mod(item) => &item.attrs,
            syn::Item::Struct(item) => &item.attrs,
            syn::Item::Impl(item) => &item.attrs,
            syn::Item::Use(item) => &item.attrs,
            syn::Item::Const(item) => &item.attrs,
            other => panic!(
                "an unexpected top-level item: {}",
                quote::ToTokens::to_token_stream(other)
            ),
        };
        assert!(
            attrs.contains(&gate),
            "{}",
            quote::ToTokens::to_token_stream(item)
        );
        gated += 1;
    }
    assert!(
        gated >= 5,
        "the client, its impls, builders, prelude and re-exports"
    );
}

#[test]
fn every_object_struct_keeps_undeclared_properties() {
    let generated = generate(&Spec::load().unwrap()).unwrap();
    let compact: String = generated.split_whitespace().collect();
    let objects = [
        "PhoneNumber",
        "KycSession",
        "KybSession",
        "SessionPage",
        "Feature",
    ];
    for name in objects {
        assert!(
            compact.contains(&format!("impl<'de>::serde::Deserialize<'de>for{name}{{")),
            "{name} has the generated Deserialize impl"
        );
    }
    let fields = compact.matches("pubextra:crate::Extra,").count();
    let decoders = compact.matches("implcrate::extra::Objectfor").count();
    assert!(decoders > 100, "{decoders} object decoders");
    assert_eq!(fields, decoders, "one `extra` field per struct");
}

/// The items of the generated `types` module.
fn generated_types() -> Vec<syn::Item> {
    let generated = generate(&Spec::load().unwrap()).unwrap();
    let file: syn::File = syn::parse_str(&generated).unwrap();
    file.items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                module.content.map(|(_, items)| items)
            }
            _ => None,
        })
        .expect("a types module")
}

#[test]
fn every_struct_has_a_constructor_an_accessor_and_a_setter_per_property() {
    let items = generated_types();
    let mut methods: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for item in &items {
        if let syn::Item::Impl(block) = item
            && block.trait_.is_none()
            && let syn::Type::Path(path) = &*block.self_ty
        {
            let names = block.items.iter().filter_map(|member| match member {
                syn::ImplItem::Fn(method) => Some(method.sig.ident.to_string()),
                _ => None,
            });
            methods
                .entry(path.path.segments.last().unwrap().ident.to_string())
                .or_default()
                .extend(names);
        }
    }
    let mut structs = 0;
    for item in &items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &item.fields else {
            continue;
        };
        structs += 1;
        let name = item.ident.to_string();
        let have = methods.get(&name).cloned().unwrap_or_default();
        assert!(have.contains(&"new".to_owned()), "{name} has no `new`");
        for field in &fields.named {
            let field = field.ident.as_ref().unwrap().to_string();
            if field == "extra" {
                continue;
            }
            let setter = format!("with_{}", field.trim_start_matches("r#"));
            assert!(have.contains(&field), "{name}.{field} has no accessor");
            assert!(have.contains(&setter), "{name}.{field} has no `{setter}`");
        }
    }
    assert!(structs > 100, "{structs} structs");
}

#[test]
fn types_are_non_exhaustive_without_struct_builders_or_unconditional_schemas() {
    let items = generated_types();
    let non_exhaustive: syn::Attribute = syn::parse_quote!(#[non_exhaustive]);
    for item in &items {
        let (name, attrs) = match item {
            syn::Item::Struct(item) => (&item.ident, &item.attrs),
            syn::Item::Enum(item) => (&item.ident, &item.attrs),
            syn::Item::Mod(module) => {
                assert_ne!(module.ident, "builder", "typify's struct builders are back");
                continue;
            }
            _ => continue,
        };
        assert!(attrs.contains(&non_exhaustive), "{name} is exhaustive");
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
            let derive = quote::ToTokens::to_token_stream(attr).to_string();
            assert!(
                !derive.contains("JsonSchema"),
                "{name} derives a schema unconditionally"
            );
        }
    }
    let generated = generate(&Spec::load().unwrap()).unwrap();
    assert!(
        !generated.contains("fn builder()"),
        "a struct builder is left"
    );
    assert!(
        !generated.contains("body_map"),
        "a request still edits a struct builder"
    );
}

#[test]
fn a_spec_property_named_like_the_extra_field_fails_generation() {
    let mut spec = Spec::load().unwrap();
    spec.json["components"]["schemas"]["PhoneNumber"]["properties"]["extra"] =
        json!({"type": "string"});
    let error = generate(&spec).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`PhoneNumber` declares a property named `extra`"),
        "{error}"
    );
}

const CREATE_IMPORT_BODY: &str = "/paths/~1v3~1session~1imports~1/post/requestBody/content";

#[test]
fn a_form_upload_is_described_in_the_spec_and_left_to_the_facade() {
    let spec = Spec::load().unwrap();
    // The spec describes both bodies the API takes…
    let described = spec.json.pointer(CREATE_IMPORT_BODY).unwrap();
    assert!(
        described.get("multipart/form-data").is_some(),
        "{described}"
    );
    assert!(described.get("application/json").is_some(), "{described}");
    // …progenitor is given the JSON one only…
    let given = for_progenitor(&spec.json, HAND_BUILT_BODIES).unwrap();
    let kept: Vec<&String> = given
        .pointer(CREATE_IMPORT_BODY)
        .and_then(|content| content.as_object())
        .unwrap()
        .keys()
        .collect();
    assert_eq!(kept, ["application/json"]);
    // …and the generated builder takes it.
    let generated = generate(&spec).unwrap();
    assert!(
        generated.contains("V: std::convert::TryInto<types::CreateSessionImportRequest>"),
        "the import builder does not take the JSON body"
    );
}

#[test]
fn the_spec_passes_lint() {
    let problems = lint(&Spec::load().unwrap());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn lint_names_an_example_that_breaks_its_schema() {
    let mut spec = Spec::load().unwrap();
    *spec
        .json
        .pointer_mut(&format!("{KYC_EXAMPLE}/results/0/session_number"))
        .unwrap() = json!("seven hundred");
    let problems = lint(&spec);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("openapi/didit-sessions.yaml#"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].contains("published_kyc_sessions_default"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].contains("/results/0/session_number"),
        "{}",
        problems[0]
    );
}

#[test]
fn lint_catches_a_bad_format_and_a_missing_null() {
    let mut spec = Spec::load().unwrap();
    *spec
        .json
        .pointer_mut(&format!("{KYC_EXAMPLE}/results/0/session_id"))
        .unwrap() = json!("not-a-uuid");
    *spec
        .json
        .pointer_mut(&format!("{KYC_EXAMPLE}/results/0/status"))
        .unwrap() = json!(null);
    let problems = lint(&spec);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("at `/results/0/session_id`"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("is not a \"uuid\""), "{}", problems[0]);
    assert!(
        problems[0].contains("at `/results/0/status`"),
        "{}",
        problems[0]
    );
}

#[test]
fn lint_catches_dangling_refs_duplicate_ids_and_other_versions() {
    let mut spec = Spec::load().unwrap();
    spec.json["openapi"] = json!("3.1.0");
    spec.json["components"]["schemas"]["Feature"]["properties"]["status"]["$ref"] =
        json!("#/components/schemas/Missing");
    spec.json["paths"]["/v3/other/"] =
        json!({"get": {"operationId": "list_sessions", "responses": {}}});
    let problems = lint(&spec).join("\n");
    assert!(
        problems.contains("3.1.0 is not OpenAPI 3.0.x"),
        "{problems}"
    );
    assert!(
        problems.contains("`#/components/schemas/Missing` does not resolve"),
        "{problems}"
    );
    assert!(
        problems.contains("operationId `list_sessions` is also used"),
        "{problems}"
    );
}
