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

    /// The document as progenitor's input model.
    pub fn openapi(&self) -> Result<openapiv3::OpenAPI> {
        serde_json::from_value(self.json.clone()).with_context(|| {
            format!(
                "{} does not match the OpenAPI 3.0 document model",
                self.path.display()
            )
        })
    }

    /// Lower-case hex SHA-256 of the file's bytes.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}
