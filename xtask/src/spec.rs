//! Reading the checked-in OpenAPI description.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// The spec, relative to the workspace root.
pub const SPEC_PATH: &str = "openapi/didit-sessions.yaml";

/// The generated client module, relative to the workspace root.
pub const GENERATED_PATH: &str = "crates/didit-api/src/generated.rs";

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The spec's bytes together with the two views the tasks need of it.
pub struct Spec {
    /// Path the spec was read from, as given.
    pub path: PathBuf,
    /// The file exactly as stored, for hashing.
    pub bytes: Vec<u8>,
    /// The document as a JSON value, for pointers and schema validation.
    pub json: serde_json::Value,
}

impl Spec {
    /// Reads and parses the spec file at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let json: serde_json::Value = serde_norway::from_slice(&bytes)
            .with_context(|| format!("{} is not valid YAML", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            json,
        })
    }

    /// A spec built in memory, e.g. a changed copy of the checked-in one;
    /// `path` is what messages name. Its bytes, and so its hash, are those of
    /// `json` re-encoded.
    pub fn from_json(path: &Path, json: serde_json::Value) -> Result<Self> {
        let bytes = serde_json::to_vec_pretty(&json)
            .with_context(|| format!("encoding {}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            json,
        })
    }

    /// The document as progenitor's input model.
    pub fn openapi(&self) -> Result<openapiv3::OpenAPI> {
        serde_json::from_value(self.json.clone()).with_context(|| {
            format!(
                "{} does not match the OpenAPI 3.0 document model",
                self.display_path()
            )
        })
    }

    /// The spec's path relative to the workspace root when it lies inside it,
    /// for messages that read the same on every machine.
    pub fn display_path(&self) -> String {
        let root = workspace_root();
        self.path
            .strip_prefix(&root)
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }

    /// Lower-case hex SHA-256 of the file's bytes.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// The HTTP methods a path item may describe, in the order operations are
/// listed.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// An example embedded in the spec, with the schema it illustrates.
#[derive(Clone, Debug)]
pub struct Example {
    /// JSON pointer to the example's value within the spec.
    pub pointer: String,
    /// The example's key, which says where it comes from.
    pub name: String,
    /// The operation whose response it illustrates.
    pub operation_id: String,
    /// The response status it illustrates.
    pub status: u16,
    /// JSON pointer to the (OpenAPI) schema it must satisfy.
    pub schema_pointer: String,
    /// The example itself.
    pub value: serde_json::Value,
}

impl Spec {
    /// Reads the workspace's spec.
    pub fn load() -> Result<Self> {
        Self::read(&workspace_root().join(SPEC_PATH))
    }

    /// Every response example embedded in the spec, in document order.
    pub fn examples(&self) -> Vec<Example> {
        let mut examples = Vec::new();
        for (path, operation, operation_pointer) in self.operations() {
            let operation_id = operation
                .get("operationId")
                .and_then(|id| id.as_str())
                .unwrap_or(path)
                .to_owned();
            let Some(responses) = operation.get("responses").and_then(|r| r.as_object()) else {
                continue;
            };
            for (status, response) in responses {
                let Ok(status_code) = status.parse::<u16>() else {
                    continue;
                };
                let Some(content) = response.get("content").and_then(|c| c.as_object()) else {
                    continue;
                };
                for (media_type, media) in content {
                    let media_pointer = format!(
                        "{operation_pointer}/responses/{}/content/{}",
                        escape_pointer(status),
                        escape_pointer(media_type)
                    );
                    let schema_pointer = format!("{media_pointer}/schema");
                    if let Some(value) = media.get("example") {
                        examples.push(Example {
                            pointer: format!("{media_pointer}/example"),
                            name: "example".to_owned(),
                            operation_id: operation_id.clone(),
                            status: status_code,
                            schema_pointer: schema_pointer.clone(),
                            value: value.clone(),
                        });
                    }
                    let named = media.get("examples").and_then(|e| e.as_object());
                    for (name, example) in named.into_iter().flatten() {
                        examples.push(Example {
                            pointer: format!(
                                "{media_pointer}/examples/{}/value",
                                escape_pointer(name)
                            ),
                            name: name.clone(),
                            operation_id: operation_id.clone(),
                            status: status_code,
                            schema_pointer: schema_pointer.clone(),
                            value: example.get("value").cloned().unwrap_or_default(),
                        });
                    }
                }
            }
        }
        examples
    }

    /// `(path, operation, JSON pointer of the operation)` for every operation.
    pub fn operations(&self) -> Vec<(&str, &serde_json::Value, String)> {
        let mut operations = Vec::new();
        let paths = self.json.get("paths").and_then(|p| p.as_object());
        for (path, item) in paths.into_iter().flatten() {
            for method in METHODS {
                if let Some(operation) = item.get(*method) {
                    let pointer = format!("/paths/{}/{method}", escape_pointer(path));
                    operations.push((path.as_str(), operation, pointer));
                }
            }
        }
        operations
    }

    /// The OpenAPI schema of `operation_id`'s JSON response for `status`, and
    /// its JSON pointer.
    pub fn response_schema(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Option<(&serde_json::Value, String)> {
        self.operations()
            .into_iter()
            .find_map(|(_, operation, pointer)| {
                if operation.get("operationId").and_then(|id| id.as_str()) != Some(operation_id) {
                    return None;
                }
                let pointer =
                    format!("{pointer}/responses/{status}/content/application~1json/schema");
                self.json.pointer(&pointer).map(|schema| (schema, pointer))
            })
    }

    /// A JSON Schema validator for the OpenAPI schema at `schema_pointer`,
    /// with the spec's components available to its `$ref`s.
    pub fn validator(&self, schema_pointer: &str) -> Result<jsonschema::Validator> {
        let schema = self.json.pointer(schema_pointer).ok_or_else(|| {
            anyhow::anyhow!("{}: no schema at {schema_pointer}", self.display_path())
        })?;
        self.validator_for(schema)
    }

    /// A JSON Schema validator for `schema`, an OpenAPI schema object that may
    /// refer to the spec's components.
    pub fn validator_for(&self, schema: &serde_json::Value) -> Result<jsonschema::Validator> {
        let mut root = crate::json_schema::translate(schema);
        if let Some(object) = root.as_object_mut() {
            object.insert(
                "$schema".to_owned(),
                "https://json-schema.org/draft/2020-12/schema".into(),
            );
            object.insert("$defs".to_owned(), self.definitions());
        }
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|error| anyhow::anyhow!("the schema does not compile: {error}"))
    }

    /// Checks `body` against the schema of `operation_id`'s response for
    /// `status`; each problem names the JSON pointer in `body`.
    pub fn validate_response(
        &self,
        operation_id: &str,
        status: u16,
        body: &serde_json::Value,
    ) -> std::result::Result<(), Vec<String>> {
        let Some((_, pointer)) = self.response_schema(operation_id, status) else {
            return Err(vec![format!(
                "the spec documents no JSON response of {operation_id} with status {status}"
            )]);
        };
        let validator = self
            .validator(&pointer)
            .map_err(|error| vec![error.to_string()])?;
        validation_errors(&validator, body)
    }

    /// The spec's component schemas, translated, keyed by name.
    fn definitions(&self) -> serde_json::Value {
        let schemas = self
            .json
            .pointer("/components/schemas")
            .and_then(|s| s.as_object())
            .cloned()
            .unwrap_or_default();
        serde_json::Value::Object(
            schemas
                .into_iter()
                .map(|(name, schema)| (name, crate::json_schema::translate(&schema)))
                .collect(),
        )
    }
}

/// Every way `instance` fails `validator`, one line each: where in the
/// instance, which keyword of the schema, and what is wrong. Failures inside
/// `oneOf`/`anyOf` alternatives are listed for each alternative, which is what
/// tells a maintainer which field broke.
pub fn validation_errors(
    validator: &jsonschema::Validator,
    instance: &serde_json::Value,
) -> std::result::Result<(), Vec<String>> {
    if validator.is_valid(instance) {
        return Ok(());
    }
    let evaluation = validator.evaluate(instance);
    let errors: Vec<String> = evaluation
        .iter_errors()
        .map(|entry| {
            let at = entry.instance_location.as_str();
            let at = if at.is_empty() { "/" } else { at };
            let message = entry.error.to_string();
            // Composite keywords repeat the whole instance; the alternatives'
            // own errors, listed too, are the useful part.
            let message = if message.chars().count() > 300 {
                let shortened: String = message.chars().take(300).collect();
                format!("{shortened}… (truncated)")
            } else {
                message
            };
            format!("at `{at}` (schema `{}`): {message}", entry.schema_location)
        })
        .collect();
    Err(errors)
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
