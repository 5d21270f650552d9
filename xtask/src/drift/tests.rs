//! The engine on small synthetic descriptions, then on our own spec.

use serde_json::{Value, json};

use super::acknowledged::{self, Acknowledgement, glob_matches, review};
use super::*;

/// A description with one operation on `/v1/items/{id}/` and one uncovered
/// neighbour, small enough to mutate by hand.
fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {
            "/v1/items/{id}/": {
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
                ],
                "post": {
                    "operationId": "update_item",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "default": 10}},
                        {"$ref": "#/components/parameters/Mode"}
                    ],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
                        },
                        "404": {"$ref": "#/components/responses/NotFound"}
                    }
                }
            }
        },
        "components": {
            "parameters": {
                "Mode": {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["fast", "slow"]}}
            },
            "responses": {
                "NotFound": {
                    "description": "missing",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                }
            },
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "owner": {"$ref": "#/components/schemas/OwnerId"},
                        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                        "note": {"type": "string", "nullable": true},
                        "parent": {"allOf": [{"$ref": "#/components/schemas/Parent"}], "nullable": true},
                        "extra": {"type": "object", "additionalProperties": {"type": "string"}},
                        "shape": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "label": {"type": "string"}
                    }
                },
                "OwnerId": {"$ref": "#/components/schemas/Uuid"},
                "Uuid": {"type": "string", "format": "uuid"},
                "Tag": {"type": "string", "enum": ["red", "green"]},
                "Parent": {"type": "object", "properties": {"id": {"type": "integer"}}},
                "Problem": {"type": "object", "properties": {"detail": {"type": "string"}}}
            }
        }
    })
}

const OPERATION: &str = "/paths/~1v1~1items~1{id}~1/post";
const ITEM: &str = "/components/schemas/Item";

fn prefixes() -> Vec<String> {
    vec!["/v1/items".to_owned()]
}

/// `(kind, at)` of every difference from `ours` to `theirs`.
fn found(ours: &Value, theirs: &Value) -> Vec<(Kind, String)> {
    compare(ours, theirs, &prefixes())
        .differences()
        .map(|difference| (difference.kind, difference.at.clone()))
        .collect()
}

/// The kind seen from the other document.
fn mirrored(kind: Kind) -> Kind {
    use Kind::*;
    match kind {
        OperationRemoved => unreachable!("the mirror is an uncovered operation"),
        ParameterRemoved => ParameterAdded,
        ParameterAdded => ParameterRemoved,
        RequestBodyRemoved => RequestBodyAdded,
        RequestBodyAdded => RequestBodyRemoved,
        StatusRemoved => StatusAdded,
        StatusAdded => StatusRemoved,
        MediaTypeRemoved => MediaTypeAdded,
        MediaTypeAdded => MediaTypeRemoved,
        SchemaRemoved => SchemaAdded,
        SchemaAdded => SchemaRemoved,
        PropertyRemoved => PropertyAdded,
        PropertyAdded => PropertyRemoved,
        EnumValuesRemoved => EnumValuesAdded,
        EnumValuesAdded => EnumValuesRemoved,
        EnumerationRemoved => EnumerationAdded,
        EnumerationAdded => EnumerationRemoved,
        RequiredAdded => RequiredRemoved,
        RequiredRemoved => RequiredAdded,
        other => other,
    }
}

/// Applies `mutate` to a copy of the base as the other document, expects
/// exactly `expected` (kind, at), then the mirrored kinds the other way round.
fn expect(mutate: impl Fn(&mut Value), expected: &[(Kind, &str)]) {
    let ours = base();
    let mut theirs = base();
    mutate(&mut theirs);
    let expected: Vec<(Kind, String)> = expected
        .iter()
        .map(|(kind, at)| (*kind, (*at).to_owned()))
        .collect();
    let mut forward = found(&ours, &theirs);
    let mut wanted = expected.clone();
    forward.sort();
    wanted.sort();
    assert_eq!(forward, wanted, "ours → theirs");
    let mut backward = found(&theirs, &ours);
    let mut wanted: Vec<(Kind, String)> = expected
        .into_iter()
        .map(|(kind, at)| (mirrored(kind), at))
        .collect();
    backward.sort();
    wanted.sort();
    assert_eq!(backward, wanted, "theirs → ours");
}

fn at(value: &mut Value, pointer: &str) -> Value {
    value
        .pointer(pointer)
        .cloned()
        .unwrap_or_else(|| panic!("no {pointer}"))
}

/// Sets the value at `pointer`, adding the last key when it is missing.
fn set(value: &mut Value, pointer: &str, new: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a child pointer");
    let key = key.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object.insert(key, new);
        }
        Some(Value::Array(items)) => items[key.parse::<usize>().expect("an index")] = new,
        _ => panic!("no {parent}"),
    }
}

fn remove(value: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("a child pointer");
    let key = key.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object
                .remove(&key)
                .unwrap_or_else(|| panic!("no {pointer}"));
        }
        Some(Value::Array(items)) => {
            items.remove(key.parse::<usize>().expect("an index"));
        }
        _ => panic!("no {parent}"),
    }
}

#[test]
fn a_description_does_not_differ_from_itself() {
    assert_eq!(found(&base(), &base()), []);
}

#[test]
fn parameters_removed_moved_retyped_and_reconstrained() {
    let limit = format!("{OPERATION}/parameters/0");
    expect(
        |doc| remove(doc, &limit),
        &[(Kind::ParameterRemoved, "parameter query limit")],
    );
    // Named by our side's location, in either direction.
    let mut moved = base();
    set(&mut moved, &format!("{limit}/in"), json!("header"));
    assert_eq!(
        found(&base(), &moved),
        [(
            Kind::ParameterLocationChanged,
            "parameter query limit".to_owned()
        )]
    );
    assert_eq!(
        found(&moved, &base()),
        [(
            Kind::ParameterLocationChanged,
            "parameter header limit".to_owned()
        )]
    );
    expect(
        |doc| set(doc, &format!("{limit}/schema/type"), json!("string")),
        &[(Kind::TypeChanged, "parameter query limit")],
    );
    expect(
        |doc| set(doc, &format!("{limit}/schema/format"), json!("int64")),
        &[(Kind::FormatChanged, "parameter query limit")],
    );
    expect(
        |doc| set(doc, &format!("{limit}/schema/default"), json!(50)),
        &[(Kind::DefaultChanged, "parameter query limit")],
    );
    expect(
        |doc| set(doc, &format!("{limit}/required"), json!(true)),
        &[(Kind::RequiredAdded, "parameter query limit")],
    );
    // Through the parameter's $ref.
    let mode = "/components/parameters/Mode/schema";
    expect(
        |doc| set(doc, &format!("{mode}/enum"), json!(["fast", "slow", "eco"])),
        &[(Kind::EnumValuesAdded, "parameter query mode")],
    );
    expect(
        |doc| remove(doc, &format!("{mode}/enum")),
        &[(Kind::EnumerationRemoved, "parameter query mode")],
    );
}

#[test]
fn path_parameters_pair_by_position_and_trailing_slashes_do_not_matter() {
    let mut theirs = base();
    let item = at(&mut theirs, "/paths/~1v1~1items~1{id}~1");
    remove(&mut theirs, "/paths/~1v1~1items~1{id}~1");
    let mut item = item;
    item["parameters"][0]["name"] = json!("item_id");
    theirs["paths"]["/v1/items/{item_id}"] = item;
    assert_eq!(found(&base(), &theirs), []);
    let comparison = compare(&base(), &theirs, &prefixes());
    assert_eq!(
        comparison.operations[0]
            .theirs
            .as_ref()
            .map(OperationRef::label),
        Some("POST /v1/items/{item_id}".to_owned())
    );
}

#[test]
fn request_bodies_statuses_and_media_types() {
    expect(
        |doc| remove(doc, &format!("{OPERATION}/requestBody")),
        &[(Kind::RequestBodyRemoved, "request body")],
    );
    expect(
        |doc| {
            set(
                doc,
                &format!("{OPERATION}/requestBody/required"),
                json!(true),
            )
        },
        &[(Kind::RequiredAdded, "request body")],
    );
    expect(
        |doc| remove(doc, &format!("{OPERATION}/responses/404")),
        &[(Kind::StatusRemoved, "response 404")],
    );
    expect(
        |doc| {
            let media = at(
                doc,
                &format!("{OPERATION}/responses/200/content/application~1json"),
            );
            set(
                doc,
                &format!("{OPERATION}/responses/200/content"),
                json!({"text/csv": media}),
            );
        },
        &[
            (Kind::MediaTypeRemoved, "response 200 application/json"),
            (Kind::MediaTypeAdded, "response 200 text/csv"),
        ],
    );
    // The 404 is a $ref to a response whose schema is a $ref.
    expect(
        |doc| {
            remove(
                doc,
                "/components/responses/NotFound/content/application~1json/schema",
            )
        },
        &[(Kind::SchemaRemoved, "response 404 application/json")],
    );
    expect(
        |doc| {
            set(
                doc,
                "/components/schemas/Problem/properties/detail/type",
                json!("integer"),
            )
        },
        &[(Kind::TypeChanged, "response 404 application/json detail")],
    );
}

#[test]
fn schemas_compare_recursively_in_bodies() {
    let both = |name: &str| {
        vec![
            (
                Kind::PropertyRemoved,
                format!("request body application/json {name}"),
            ),
            (
                Kind::PropertyRemoved,
                format!("response 200 application/json {name}"),
            ),
        ]
    };
    let expect_both = |mutate: &dyn Fn(&mut Value), kind: Kind, path: &str| {
        let wanted = [
            (kind, format!("request body application/json {path}")),
            (kind, format!("response 200 application/json {path}")),
        ];
        let wanted: Vec<(Kind, &str)> = wanted.iter().map(|(k, a)| (*k, a.as_str())).collect();
        expect(mutate, &wanted);
    };
    let removed = both("label");
    let removed: Vec<(Kind, &str)> = removed.iter().map(|(k, a)| (*k, a.as_str())).collect();
    expect(
        |doc| remove(doc, &format!("{ITEM}/properties/label")),
        &removed,
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/label/type"),
                json!("boolean"),
            )
        },
        Kind::TypeChanged,
        "label",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/note/nullable"),
                json!(false),
            )
        },
        Kind::NullableChanged,
        "note",
    );
    expect_both(
        &|doc| set(doc, &format!("{ITEM}/required"), json!(["name", "label"])),
        Kind::RequiredAdded,
        "label",
    );
    // Through `items` and a $ref.
    expect_both(
        &|doc| set(doc, "/components/schemas/Tag/enum", json!(["red"])),
        Kind::EnumValuesRemoved,
        "tags[]",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/label/enum"),
                json!(["a", "b"]),
            )
        },
        Kind::EnumerationAdded,
        "label",
    );
    // Through the nullable allOf wrapper.
    expect_both(
        &|doc| {
            set(
                doc,
                "/components/schemas/Parent/properties/id/format",
                json!("int64"),
            )
        },
        Kind::FormatChanged,
        "parent.id",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/extra/additionalProperties"),
                json!(false),
            )
        },
        Kind::AdditionalPropertiesChanged,
        "extra",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/extra/additionalProperties/type"),
                json!("integer"),
            )
        },
        Kind::TypeChanged,
        "extra{}",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/shape/oneOf"),
                json!([{"type": "string"}]),
            )
        },
        Kind::AlternativesChanged,
        "shape",
    );
    expect_both(
        &|doc| {
            set(
                doc,
                &format!("{ITEM}/properties/shape/oneOf/1/type"),
                json!("number"),
            )
        },
        Kind::TypeChanged,
        "shape.oneOf[1]",
    );
    expect_both(
        &|doc| set(doc, &format!("{ITEM}/properties/label/default"), json!("x")),
        Kind::DefaultChanged,
        "label",
    );
}

#[test]
fn reference_chains_resolve_and_pointers_name_where_the_value_lives() {
    // OwnerId → Uuid on our side, inline on theirs: the same schema.
    let mut theirs = base();
    set(
        &mut theirs,
        &format!("{ITEM}/properties/owner"),
        json!({"type": "string", "format": "uuid"}),
    );
    assert_eq!(found(&base(), &theirs), []);

    set(
        &mut theirs,
        &format!("{ITEM}/properties/owner/format"),
        json!("email"),
    );
    let comparison = compare(&base(), &theirs, &prefixes());
    let difference = comparison
        .differences()
        .find(|difference| difference.at == "response 200 application/json owner")
        .expect("the format differs");
    assert_eq!(difference.kind, Kind::FormatChanged);
    assert_eq!(difference.ours_pointer, "/components/schemas/Uuid/format");
    assert_eq!(
        difference.theirs_pointer,
        format!("{ITEM}/properties/owner/format")
    );
    assert_eq!(difference.ours, Some(json!("uuid")));
    assert_eq!(difference.theirs, Some(json!("email")));
    assert_eq!(difference.operation, "POST /v1/items/{id}/");
}

#[test]
fn nullable_forms_are_equivalent() {
    let parent = format!("{ITEM}/properties/parent");
    let inline =
        json!({"type": "object", "nullable": true, "properties": {"id": {"type": "integer"}}});
    let type_list = json!({"type": ["object", "null"], "properties": {"id": {"type": "integer"}}});
    let nested_all_of = json!({"allOf": [
        {"type": "object", "nullable": true, "properties": {"id": {"type": "integer"}}}
    ]});
    let split_all_of = json!({"nullable": true, "allOf": [
        {"type": "object"},
        {"properties": {"id": {"type": "integer"}}}
    ]});
    for form in [inline, type_list, nested_all_of, split_all_of] {
        let mut theirs = base();
        set(&mut theirs, &parent, form.clone());
        assert_eq!(found(&base(), &theirs), [], "{form}");
    }
    // Without `nullable` beside it, the allOf wrapper is not nullable.
    expect(
        |doc| remove(doc, &format!("{parent}/nullable")),
        &[
            (
                Kind::NullableChanged,
                "request body application/json parent",
            ),
            (
                Kind::NullableChanged,
                "response 200 application/json parent",
            ),
        ],
    );
}

#[test]
fn broken_references_are_differences_and_cycles_end() {
    expect(
        |doc| {
            set(
                doc,
                "/components/schemas/OwnerId/$ref",
                json!("#/components/schemas/Nowhere"),
            )
        },
        &[
            (Kind::BrokenReference, "request body application/json owner"),
            (Kind::BrokenReference, "response 200 application/json owner"),
        ],
    );
    // References to parameters and responses too.
    expect(
        |doc| remove(doc, "/components/parameters/Mode"),
        &[
            (Kind::BrokenReference, "parameter"),
            (Kind::ParameterRemoved, "parameter query mode"),
        ],
    );
    expect(
        |doc| remove(doc, "/components/responses/NotFound"),
        &[(Kind::BrokenReference, "response 404")],
    );
    let mut recursive = base();
    set(
        &mut recursive,
        "/components/schemas/Parent/properties/parent",
        json!({"$ref": "#/components/schemas/Parent"}),
    );
    assert_eq!(found(&recursive, &recursive), []);
    // An allOf that includes itself ends too, as a broken reference.
    expect(
        |doc| {
            set(
                doc,
                "/components/schemas/Parent",
                json!({"allOf": [{"$ref": "#/components/schemas/Parent"}]}),
            )
        },
        &[
            (
                Kind::BrokenReference,
                "request body application/json parent",
            ),
            (
                Kind::BrokenReference,
                "response 200 application/json parent",
            ),
        ],
    );
}

#[test]
fn operations_ours_lacks_are_uncovered_and_ours_alone_are_removed() {
    let mut theirs = base();
    theirs["paths"]["/v1/items/"] = json!({"get": {"operationId": "list_items", "responses": {}}});
    theirs["paths"]["/v1/itemsets/"] =
        json!({"get": {"operationId": "elsewhere", "responses": {}}});
    let comparison = compare(&base(), &theirs, &prefixes());
    let uncovered: Vec<String> = comparison
        .uncovered
        .iter()
        .map(OperationRef::label)
        .collect();
    assert_eq!(uncovered, ["GET /v1/items/"]);
    assert_eq!(comparison.differences().count(), 0);

    let backward = compare(&theirs, &base(), &prefixes());
    let removed: Vec<(Kind, &str)> = backward
        .differences()
        .map(|difference| (difference.kind, difference.operation.as_str()))
        .collect();
    assert_eq!(removed, [(Kind::OperationRemoved, "GET /v1/items/")]);
}

#[test]
fn only_openapi_3_0_descriptions_are_compared() {
    assert_eq!(version_problem(&base()), None);
    assert_eq!(
        version_problem(&json!({"openapi": "3.1.0"})),
        Some("it is OpenAPI 3.1.0, not 3.0.x".to_owned())
    );
    assert_eq!(
        version_problem(&json!({"swagger": "2.0"})),
        Some("it has no `openapi` version field".to_owned())
    );
}

#[test]
fn default_prefixes_cover_the_singular_and_plural_resource() {
    let ours = json!({"paths": {"/v3/sessions/": {"get": {}}, "/system/health": {"get": {}}}});
    assert_eq!(
        default_prefixes(&ours),
        ["/system", "/systems", "/v3/session", "/v3/sessions"]
    );
    assert!(is_under("/v3/session/{id}/decision/", "/v3/session"));
    assert!(!is_under("/v3/sessions/", "/v3/session"));
}

#[test]
fn most_consequential_differences_come_first() {
    let mut theirs = base();
    remove(&mut theirs, &format!("{OPERATION}/responses/404"));
    set(
        &mut theirs,
        &format!("{ITEM}/properties/label/type"),
        json!("integer"),
    );
    theirs["paths"]["/v1/items/{id}/"]["post"]["responses"]["201"] = json!({"description": "new"});
    let kinds: Vec<Kind> = compare(&base(), &theirs, &prefixes())
        .differences()
        .map(|difference| difference.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            Kind::StatusRemoved,
            Kind::TypeChanged,
            Kind::TypeChanged,
            Kind::StatusAdded
        ]
    );
}

fn acknowledgement(kind: Kind, at: &str) -> Acknowledgement {
    Acknowledgement {
        operation: "POST /v1/items/*".to_owned(),
        kind,
        at: at.to_owned(),
        ours: None,
        theirs: None,
        reason: "on purpose".to_owned(),
    }
}

#[test]
fn acknowledgements_match_by_operation_kind_location_and_values() {
    let mut theirs = base();
    set(
        &mut theirs,
        "/components/schemas/Tag/enum",
        json!(["red", "green", "blue", "grey"]),
    );
    set(
        &mut theirs,
        &format!("{OPERATION}/parameters/0/schema/default"),
        json!(50),
    );
    let report = |acknowledgements: &[Acknowledgement]| {
        review(compare(&base(), &theirs, &prefixes()), acknowledgements)
    };

    let fails = report(&[]);
    assert!(!fails.passes());
    assert_eq!(fails.summary.unacknowledged, 3);

    let mut values = acknowledgement(Kind::EnumValuesAdded, "* tags[]");
    values.theirs = Some(json!(["blue", "grey", "pink"]));
    let mut default = acknowledgement(Kind::DefaultChanged, "parameter query *");
    default.ours = Some(json!(10));
    default.theirs = Some(json!([50, 100]));
    let stale = acknowledgement(Kind::PropertyRemoved, "response 200 application/json name");
    let mut elsewhere = stale.clone();
    elsewhere.operation = "GET /v2/*".to_owned();
    let passes = report(&[values.clone(), default.clone(), stale.clone(), elsewhere]);
    assert!(passes.passes(), "{passes:#?}");
    assert_eq!(passes.summary.acknowledged, 3);
    assert_eq!(
        passes.stale,
        [acknowledged::Stale {
            index: 3,
            acknowledgement: stale
        }]
    );

    // A value the acknowledgement does not list is new.
    values.theirs = Some(json!(["blue"]));
    default.ours = Some(Value::Null);
    let partly = report(&[values, default]);
    assert_eq!(partly.summary.unacknowledged, 3);
    assert_eq!(partly.stale.len(), 2);
}

#[test]
fn patterns_match_any_run_of_characters() {
    assert!(glob_matches(
        "response 200 *",
        "response 200 application/json count"
    ));
    assert!(glob_matches(
        "*.email",
        "response 200 application/json a.email"
    ));
    assert!(glob_matches("results[]*", "results[]"));
    assert!(glob_matches("a*b*c", "abc"));
    assert!(!glob_matches("a*b*c", "acb"));
    assert!(!glob_matches("response 4*", "response 500"));
    assert!(!glob_matches("exact", "exactly"));
}

#[test]
fn the_acknowledgement_file_is_checked_when_read() {
    let error = acknowledged::parse(
        "acknowledged:\n  - {operation: x, kind: no-such-kind, at: y, reason: z}\n",
        "file",
    )
    .unwrap_err();
    assert!(format!("{error:#}").contains("no-such-kind"), "{error:#}");
    let error = acknowledged::parse(
        "acknowledged:\n  - {operation: x, kind: status-added, at: y, reason: ' '}\n",
        "file",
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("acknowledgement 1 has no reason"),
        "{error}"
    );
    let error = acknowledged::parse(
        "acknowledged:\n  - {operation: x, kind: status-added, at: y, reason: r, value: 1}\n",
        "file",
    )
    .unwrap_err();
    assert!(format!("{error:#}").contains("value"), "{error:#}");
}

#[test]
fn the_table_names_kinds_locations_values_and_pointers() {
    let mut theirs = base();
    remove(&mut theirs, &format!("{OPERATION}/responses/404"));
    let report = review(
        compare(&base(), &theirs, &prefixes()),
        &[acknowledgement(Kind::PropertyRemoved, "*")],
    );
    let table = render::table(&report, "ours.yaml", "theirs.json");
    assert!(table.contains("NEW"), "{table}");
    assert!(table.contains("status-removed"), "{table}");
    assert!(table.contains("response 404"), "{table}");
    assert!(
        table.contains("ours   #/components/responses/NotFound"),
        "{table}"
    );
    assert!(
        table.contains(&format!("theirs #{OPERATION}/responses")),
        "{table}"
    );
    assert!(table.contains("Stale acknowledgements"), "{table}");
    assert!(
        table
            .trim_end()
            .ends_with("FAILED: acknowledge each new difference with a reason, or change the spec"),
        "{table}"
    );
    let json: Value = serde_json::from_str(&render::json(&report)).unwrap();
    assert_eq!(json["summary"]["unacknowledged"], 1);
    assert_eq!(json["stale"][0]["index"], 1);
    assert_eq!(json["stale"][0]["kind"], "property-removed");
    assert_eq!(
        json["operations"][0]["differences"][0]["kind"],
        "status-removed"
    );
    assert_eq!(
        json["operations"][0]["differences"][0]["ours_pointer"],
        "/components/responses/NotFound"
    );
}

// Our own spec.

fn our_spec() -> Value {
    crate::spec::Spec::load().unwrap().json
}

#[test]
fn our_spec_does_not_differ_from_itself() {
    let ours = our_spec();
    let comparison = compare(&ours, &ours, &default_prefixes(&ours));
    assert!(!comparison.operations.is_empty());
    let differences: Vec<&Difference> = comparison.differences().collect();
    assert!(differences.is_empty(), "{differences:#?}");
    assert!(
        comparison.uncovered.is_empty(),
        "{:#?}",
        comparison.uncovered
    );
}

#[test]
fn a_modified_copy_of_our_spec_differs_where_it_was_modified() {
    let ours = our_spec();
    let mut theirs = ours.clone();
    let schemas = "/components/schemas";
    remove(
        &mut theirs,
        &format!("{schemas}/KycSession/properties/full_name"),
    );
    theirs["components"]["schemas"]["SessionStatus"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("Paused"));
    set(
        &mut theirs,
        &format!("{schemas}/KybSession/properties/company_name/nullable"),
        json!(false),
    );
    let comparison = compare(&ours, &theirs, &default_prefixes(&ours));
    // Other operations share the status enumeration: there, only it differs.
    let (found, elsewhere): (Vec<&Difference>, Vec<&Difference>) = comparison
        .differences()
        .partition(|d| d.operation == "GET /v3/sessions/");
    assert!(!elsewhere.is_empty());
    for difference in elsewhere {
        assert_eq!(
            (difference.kind, difference.ours_pointer.as_str()),
            (
                Kind::EnumValuesAdded,
                "/components/schemas/SessionStatus/enum"
            ),
            "{difference:#?}"
        );
    }
    let found: Vec<(Kind, &str, &str)> = found
        .into_iter()
        .map(|d| (d.kind, d.at.as_str(), d.ours_pointer.as_str()))
        .collect();
    let body = "response 200 application/json results[]";
    assert_eq!(
        found,
        [
            (
                Kind::PropertyRemoved,
                &*format!("{body}.oneOf[0].full_name"),
                "/components/schemas/KycSession/properties/full_name"
            ),
            (
                Kind::NullableChanged,
                &*format!("{body}.oneOf[1].company_name"),
                "/components/schemas/KybSession/properties/company_name/nullable"
            ),
            (
                Kind::EnumValuesAdded,
                &*format!("{body}.oneOf[0].status"),
                "/components/schemas/SessionStatus/enum"
            ),
            (
                Kind::EnumValuesAdded,
                &*format!("{body}.oneOf[1].status"),
                "/components/schemas/SessionStatus/enum"
            ),
        ]
    );
}

#[test]
fn every_acknowledgement_names_an_operation_and_a_location_of_our_spec() {
    let ours = our_spec();
    let locations = locations(&ours);
    let acknowledgements = acknowledged::load().unwrap();
    assert!(!acknowledgements.is_empty());
    // Kinds whose location only the other document has.
    let theirs_only = [
        Kind::ParameterAdded,
        Kind::RequestBodyAdded,
        Kind::StatusAdded,
        Kind::MediaTypeAdded,
        Kind::PropertyAdded,
    ];
    let mut problems = Vec::new();
    for (index, acknowledgement) in acknowledgements.iter().enumerate() {
        let label = format!(
            "acknowledgement {} ({} at `{}`)",
            index + 1,
            acknowledgement.kind.name(),
            acknowledgement.at
        );
        let operations: Vec<&(String, String)> = locations
            .iter()
            .filter(|(operation, _)| glob_matches(&acknowledgement.operation, operation))
            .collect();
        if operations.is_empty() {
            problems.push(format!(
                "{label}: `{}` names no operation of {}",
                acknowledgement.operation,
                crate::spec::SPEC_PATH
            ));
        } else if !theirs_only.contains(&acknowledgement.kind)
            && !operations
                .iter()
                .any(|(_, at)| glob_matches(&acknowledgement.at, at))
        {
            problems.push(format!(
                "{label}: no such location in {}",
                crate::spec::SPEC_PATH
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
