//! `cargo xtask evolve`: shows that the spec growing the way the API grows
//! breaks no code written against the SDK.
//!
//! The API gains optional properties and enum values without notice, and the
//! SDK follows by regenerating; an application written against one version
//! must compile unchanged against the next. This task copies `didit` and the
//! crates it depends on by path into a temporary workspace, grows a copy of
//! the spec ([`MUTATIONS`]), and compiles the downstream crate in
//! `xtask/evolve/downstream` twice against the copy: with the client
//! generated from the spec as it is (if that fails, the second result would
//! mean nothing), then with the client generated from the grown spec.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use xtask::codegen;
use xtask::spec::{self, Spec, escape_pointer};

/// The downstream crate, relative to the workspace root. The copy puts it at
/// the same place, so that its path dependency reaches the copied `didit`.
const DOWNSTREAM_DIR: &str = "xtask/evolve/downstream";

/// `didit` and the crates it depends on by path. One missing here makes the
/// copy fail to load, with cargo naming the manifest it could not read.
const COPIED_CRATES: &[&str] = &["crates/didit", "crates/didit-api", "crates/didit-webhook"];

/// Where the checks build, under the workspace's target directory: it
/// outlives the temporary copy, so dependencies are compiled once.
const TARGET_SUBDIR: &str = "evolve";

/// One way the spec grows.
#[derive(Clone, Copy, Debug)]
pub struct Mutation {
    /// The component schema that grows.
    pub schema: &'static str,
    /// Where the API uses it, for the report.
    pub used_in: &'static str,
    /// What is added.
    pub change: Change,
}

/// What is added to a schema.
#[derive(Clone, Copy, Debug)]
pub enum Change {
    /// An optional string property.
    Property { name: &'static str, nullable: bool },
    /// A value of a string enumeration.
    EnumValue(&'static str),
}

/// How the spec grows: a property in a response and in a request, and a
/// value in an enumeration typify generates (sent in requests) and in one
/// replaced by a hand-written open enum. The names are ones the API will not
/// choose, so that a real addition cannot collide with them.
pub const MUTATIONS: &[Mutation] = &[
    Mutation {
        schema: "SessionDecision",
        used_in: "response",
        change: Change::Property {
            name: "evolve_added_note",
            nullable: true,
        },
    },
    Mutation {
        schema: "ContactDetails",
        used_in: "request",
        change: Change::Property {
            name: "evolve_added_channel",
            nullable: false,
        },
    },
    Mutation {
        schema: "CallbackMethod",
        used_in: "request",
        change: Change::EnumValue("evolve_added_method"),
    },
    Mutation {
        schema: "SessionStatus",
        used_in: "response",
        change: Change::EnumValue("Evolve Added Status"),
    },
];

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            schema, used_in, ..
        } = self;
        match self.change {
            Change::Property { name, nullable } => {
                let kind = if nullable {
                    "nullable string"
                } else {
                    "string"
                };
                write!(
                    f,
                    "{schema} ({used_in}): new optional property `{name}` ({kind})"
                )
            }
            Change::EnumValue(value) => write!(f, "{schema} ({used_in}): new value `{value}`"),
        }
    }
}

impl Mutation {
    /// Applies the change to `spec`, an OpenAPI document. Fails when the
    /// schema is missing or already has the property or value, which would
    /// make the check prove nothing.
    pub fn apply(&self, spec: &mut Value) -> Result<()> {
        let pointer = format!("/components/schemas/{}", escape_pointer(self.schema));
        let schema = spec
            .pointer_mut(&pointer)
            .ok_or_else(|| anyhow!("the spec has no schema `{}`", self.schema))?;
        match self.change {
            Change::Property { name, nullable } => {
                let properties = schema
                    .get_mut("properties")
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| anyhow!("`{}` has no properties to add to", self.schema))?;
                if properties.contains_key(name) {
                    bail!(
                        "`{}` already has a property `{name}`: the mutation must add a new one",
                        self.schema
                    );
                }
                let description = "Added by `cargo xtask evolve`.";
                let definition = if nullable {
                    json!({"type": "string", "nullable": true, "description": description})
                } else {
                    json!({"type": "string", "description": description})
                };
                properties.insert(name.to_owned(), definition);
            }
            Change::EnumValue(value) => {
                let values = schema
                    .get_mut("enum")
                    .and_then(Value::as_array_mut)
                    .ok_or_else(|| anyhow!("`{}` is not an enumeration", self.schema))?;
                if values.iter().any(|known| known == value) {
                    bail!(
                        "`{}` already has the value `{value}`: the mutation must add a new one",
                        self.schema
                    );
                }
                values.push(value.into());
            }
        }
        Ok(())
    }

    /// Where the change shows in the generated `types` module, or why it
    /// does not.
    fn landed(&self, types: &[syn::Item]) -> std::result::Result<String, String> {
        let schema = self.schema;
        match self.change {
            Change::Property { name, .. } => {
                let item = types.iter().find_map(|item| match item {
                    syn::Item::Struct(item) if item.ident == schema => Some(item),
                    _ => None,
                });
                let Some(item) = item else {
                    return Err(format!("no struct `{schema}` was generated"));
                };
                let found = item
                    .fields
                    .iter()
                    .any(|field| field.ident.as_ref().is_some_and(|ident| ident == name));
                if found {
                    Ok(format!("field `{schema}::{name}`"))
                } else {
                    Err(format!("`{schema}` has no field `{name}`"))
                }
            }
            Change::EnumValue(value) => {
                if let Some((_, replacement)) = codegen::REPLACEMENTS
                    .iter()
                    .find(|(replaced, _)| *replaced == schema)
                {
                    // Nothing is generated for a replaced schema: the value
                    // reaches users through the hand-written type.
                    return Ok(format!(
                        "no generated change: `{replacement}` is hand-written and keeps \
                         values it does not know"
                    ));
                }
                let item = types.iter().find_map(|item| match item {
                    syn::Item::Enum(item) if item.ident == schema => Some(item),
                    _ => None,
                });
                let Some(item) = item else {
                    return Err(format!("no enum `{schema}` was generated"));
                };
                item.variants
                    .iter()
                    .find(|variant| {
                        variant.ident == value
                            || codegen::serde_rename(&variant.attrs).as_deref() == Some(value)
                    })
                    .map(|variant| format!("variant `{schema}::{}`", variant.ident))
                    .ok_or_else(|| format!("`{schema}` has no variant for `{value}`"))
            }
        }
    }
}

/// Checks that `generated`, the client generated from the grown spec, shows
/// every mutation, so that the check cannot pass because one had no effect.
/// Returns where each one landed, in order.
fn check_generated(generated: &str, mutations: &[Mutation]) -> Result<Vec<String>> {
    let file = syn::parse_file(generated).context("the generated code does not parse")?;
    let types = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == codegen::TYPES_MODULE => {
                module.content.as_ref().map(|(_, items)| items.as_slice())
            }
            _ => None,
        })
        .ok_or_else(|| {
            anyhow!(
                "the generated code has no `{}` module",
                codegen::TYPES_MODULE
            )
        })?;
    let mut landed = Vec::new();
    let mut missing = Vec::new();
    for mutation in mutations {
        match mutation.landed(types) {
            Ok(place) => landed.push(place),
            Err(problem) => missing.push(format!("{mutation}: {problem}")),
        }
    }
    if !missing.is_empty() {
        bail!(
            "the grown spec did not change the generated code as expected, so compiling \
             against it would prove nothing:\n  - {}",
            missing.join("\n  - ")
        );
    }
    Ok(landed)
}

/// The workspace manifest `real` with its `members` list replaced by
/// `members`: the copy holds only those crates.
fn workspace_manifest(real: &str, members: &[&str]) -> Result<String> {
    let missing = || anyhow!("the workspace's Cargo.toml has no `members = [...]` list");
    let start = real.find("\nmembers = [").ok_or_else(missing)? + 1;
    let (before, rest) = real.split_at(start);
    let end = rest.find(']').ok_or_else(missing)?;
    let (_, after) = rest.split_at(end + 1);
    let list: String = members
        .iter()
        .map(|member| format!("    \"{member}\",\n"))
        .collect();
    Ok(format!("{before}members = [\n{list}]{after}"))
}

/// Copies the directory `from` to `to`, leaving out the entries of `from`
/// itself named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let entries = std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", from.display()))?;
        if skip.iter().any(|name| entry.file_name() == *name) {
            continue;
        }
        let source = entry.path();
        let destination = to.join(entry.file_name());
        if source.is_dir() {
            copy_dir(&source, &destination, &[])?;
        } else {
            std::fs::copy(&source, &destination).with_context(|| {
                format!("copying {} to {}", source.display(), destination.display())
            })?;
        }
    }
    Ok(())
}

/// Fills `copy` with the crates the downstream crate builds against, a
/// workspace manifest for them, and the downstream crate itself.
fn prepare_copy(root: &Path, copy: &Path) -> Result<()> {
    for krate in COPIED_CRATES {
        copy_dir(&root.join(krate), &copy.join(krate), &["target"])?;
    }
    // The crates inherit their package fields and dependencies from it.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .context("reading the workspace's Cargo.toml")?;
    std::fs::write(
        copy.join("Cargo.toml"),
        workspace_manifest(&manifest, COPIED_CRATES)?,
    )?;
    let downstream = copy.join(DOWNSTREAM_DIR);
    copy_dir(
        &root.join(DOWNSTREAM_DIR),
        &downstream,
        &["target", "Cargo.lock"],
    )?;
    // The downstream crate is a workspace of its own, so this is the lock
    // file cargo reads: every dependency stays at the version the SDK is
    // tested with, and nothing needs the network.
    std::fs::copy(root.join("Cargo.lock"), downstream.join("Cargo.lock"))
        .context("copying Cargo.lock")?;
    Ok(())
}

/// The workspace's target directory, absolute: cargo runs elsewhere.
fn target_dir(root: &Path) -> Result<PathBuf> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    std::path::absolute(&dir).with_context(|| format!("resolving {}", dir.display()))
}

/// The outcome of compiling the downstream crate once.
struct Compiled {
    success: bool,
    /// cargo's and the compiler's output.
    output: String,
    seconds: f64,
}

/// `cargo check --offline` of the downstream crate in `copy`.
fn check_downstream(copy: &Path, target_dir: &Path) -> Result<Compiled> {
    let downstream = copy.join(DOWNSTREAM_DIR);
    let started = Instant::now();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["check", "--offline", "--manifest-path"])
        .arg(downstream.join("Cargo.toml"))
        .current_dir(&downstream)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .context("running cargo check")?;
    Ok(Compiled {
        success: output.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Lines added and removed from `before` to `after`.
fn lines_changed(before: &str, after: &str) -> (usize, usize) {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut added = 0;
    let mut removed = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

fn progress(step: &str) {
    eprintln!("evolve: {step}…");
}

/// Runs the check; fails when the downstream crate does not compile against
/// either client.
pub fn run(root: &Path) -> Result<ExitCode> {
    let started = Instant::now();
    let spec = Spec::read(&root.join(spec::SPEC_PATH))?;
    let mut grown = spec.json.clone();
    for mutation in MUTATIONS {
        mutation.apply(&mut grown)?;
    }
    let grown = Spec::from_json(&spec.path, grown)?;

    progress("generating the client from the spec and from the grown spec");
    let baseline = codegen::generate(&spec)?;
    let mutated = codegen::generate(&grown)?;
    let landed = check_generated(&mutated, MUTATIONS)?;
    let (added, removed) = lines_changed(&baseline, &mutated);

    let copy = tempfile::Builder::new()
        .prefix("didit-evolve-")
        .tempdir()
        .context("creating a temporary directory")?;
    prepare_copy(root, copy.path())?;
    let target_dir = target_dir(root)?.join(TARGET_SUBDIR);
    let generated = copy.path().join(spec::GENERATED_PATH);

    progress(&format!(
        "compiling {DOWNSTREAM_DIR} against the client of the spec as it is"
    ));
    std::fs::write(&generated, &baseline)?;
    let before = check_downstream(copy.path(), &target_dir)?;
    if !before.success {
        eprintln!(
            "{}\nevolve: FAIL: {DOWNSTREAM_DIR} does not compile against the client of the \
             spec as it is; fix that first, or the check proves nothing.",
            before.output
        );
        return Ok(ExitCode::FAILURE);
    }

    progress(&format!(
        "compiling {DOWNSTREAM_DIR} against the client of the grown spec"
    ));
    std::fs::write(&generated, &mutated)?;
    let after = check_downstream(copy.path(), &target_dir)?;

    println!("The spec grew:");
    for (mutation, place) in MUTATIONS.iter().zip(&landed) {
        println!("  - {mutation} → {place}");
    }
    println!("{}: +{added} -{removed} lines", spec::GENERATED_PATH);
    println!(
        "{DOWNSTREAM_DIR} compiles against the client of the spec as it is ({:.1} s)",
        before.seconds
    );
    if !after.success {
        eprintln!(
            "{}\nevolve: FAIL: {DOWNSTREAM_DIR} does not compile against the client of the \
             grown spec: growing the spec as above is a breaking change.",
            after.output
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "{DOWNSTREAM_DIR} compiles unchanged against the client of the grown spec ({:.1} s)",
        after.seconds
    );
    println!("PASS ({:.1} s)", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grown(spec: &Value) -> Value {
        let mut spec = spec.clone();
        for mutation in MUTATIONS {
            mutation.apply(&mut spec).unwrap();
        }
        spec
    }

    #[test]
    fn the_mutations_add_optional_properties_and_enum_values() {
        let spec = Spec::load().unwrap();
        let grown = grown(&spec.json);
        let schemas = &grown["components"]["schemas"];
        assert_eq!(
            schemas["SessionDecision"]["properties"]["evolve_added_note"],
            json!({"type": "string", "nullable": true, "description": "Added by `cargo xtask evolve`."})
        );
        assert_eq!(
            schemas["ContactDetails"]["properties"]["evolve_added_channel"],
            json!({"type": "string", "description": "Added by `cargo xtask evolve`."})
        );
        for (schema, property) in [
            ("SessionDecision", "evolve_added_note"),
            ("ContactDetails", "evolve_added_channel"),
        ] {
            let required = schemas[schema]["required"].as_array();
            assert!(
                !required.is_some_and(|required| required.contains(&json!(property))),
                "{schema}.{property} must stay optional"
            );
        }
        for (schema, value) in [
            ("CallbackMethod", "evolve_added_method"),
            ("SessionStatus", "Evolve Added Status"),
        ] {
            let values = schemas[schema]["enum"].as_array().unwrap();
            assert_eq!(values.last(), Some(&json!(value)), "{schema}");
            let before = spec.json["components"]["schemas"][schema]["enum"]
                .as_array()
                .unwrap();
            assert_eq!(values[..values.len() - 1], before[..], "{schema}");
        }
        // Nothing else changes.
        let mut undone = grown.clone();
        for (schema, property) in [
            ("SessionDecision", "evolve_added_note"),
            ("ContactDetails", "evolve_added_channel"),
        ] {
            undone["components"]["schemas"][schema]["properties"]
                .as_object_mut()
                .unwrap()
                .remove(property);
        }
        for schema in ["CallbackMethod", "SessionStatus"] {
            undone["components"]["schemas"][schema]["enum"]
                .as_array_mut()
                .unwrap()
                .pop();
        }
        assert_eq!(undone, spec.json);
    }

    #[test]
    fn a_mutation_that_adds_nothing_new_or_has_no_schema_fails() {
        let spec = grown(&Spec::load().unwrap().json);
        for mutation in MUTATIONS {
            let error = mutation.apply(&mut spec.clone()).unwrap_err().to_string();
            assert!(error.contains("already has"), "{error}");
        }
        let mut empty = json!({"components": {"schemas": {"ContactDetails": {"type": "string"}}}});
        for mutation in MUTATIONS {
            assert!(mutation.apply(&mut empty).is_err(), "{mutation}");
        }
    }

    // The checked-in file is the spec's generation: `generate --check` holds
    // it to that.
    #[test]
    fn the_guard_fails_on_the_unmutated_generation() {
        let checked_in =
            std::fs::read_to_string(spec::workspace_root().join(spec::GENERATED_PATH)).unwrap();
        let error = check_generated(&checked_in, MUTATIONS)
            .unwrap_err()
            .to_string();
        for missing in [
            "`SessionDecision` has no field `evolve_added_note`",
            "`ContactDetails` has no field `evolve_added_channel`",
            "`CallbackMethod` has no variant for `evolve_added_method`",
        ] {
            assert!(error.contains(missing), "{error}");
        }
    }

    #[test]
    fn the_guard_names_where_each_mutation_landed() {
        let generated = r#"
            pub mod types {
                pub struct SessionDecision { pub status: u8, pub evolve_added_note: u8 }
                pub struct ContactDetails { pub evolve_added_channel: u8 }
                pub enum CallbackMethod {
                    #[serde(rename = "both")]
                    Both,
                    #[serde(rename = "evolve_added_method")]
                    EvolveAddedMethod,
                }
            }
        "#;
        let landed = check_generated(generated, MUTATIONS).unwrap();
        assert_eq!(
            landed[..3],
            [
                "field `SessionDecision::evolve_added_note`",
                "field `ContactDetails::evolve_added_channel`",
                "variant `CallbackMethod::EvolveAddedMethod`",
            ]
        );
        assert!(landed[3].contains("crate::SessionStatus"), "{}", landed[3]);
    }

    #[test]
    fn the_guard_wants_the_types_module() {
        let error = check_generated("pub mod builder {}", MUTATIONS)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no `types` module"), "{error}");
        assert!(check_generated("not rust", MUTATIONS).is_err());
    }

    #[test]
    fn the_copy_is_a_workspace_of_the_copied_crates() {
        let real = std::fs::read_to_string(spec::workspace_root().join("Cargo.toml")).unwrap();
        let copy = workspace_manifest(&real, COPIED_CRATES).unwrap();
        assert!(copy.contains(
            "members = [\n    \"crates/didit\",\n    \"crates/didit-api\",\n    \
             \"crates/didit-webhook\",\n]\n"
        ));
        assert!(!copy.contains("\"xtask\""), "{copy}");
        // Everything the crates inherit is kept.
        let tail = |manifest: &str| {
            manifest
                .split_once("\n[workspace.package]")
                .unwrap()
                .1
                .to_owned()
        };
        assert_eq!(tail(&copy), tail(&real));
        assert!(workspace_manifest("[package]\nname = \"x\"\n", COPIED_CRATES).is_err());
    }

    #[test]
    fn the_downstream_crate_depends_on_the_copied_didit() {
        let root = spec::workspace_root();
        let manifest =
            std::fs::read_to_string(root.join(DOWNSTREAM_DIR).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("path = \"../../../crates/didit\""),
            "{manifest}"
        );
        assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
        assert!(COPIED_CRATES.contains(&"crates/didit"));
        for krate in COPIED_CRATES {
            assert!(root.join(krate).join("Cargo.toml").is_file(), "{krate}");
        }
    }
}
