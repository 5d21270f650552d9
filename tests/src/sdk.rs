//! Which SDK type stands for which schema of the spec.
//!
//! The suites look types up here rather than naming them in each test, so a
//! schema added to the spec without a type fails with a message that says so.

use didit_api::types::{
    AdditionalDetails, AmlDetails, AmlScreenedData, ApiError, ApiService,
    DatabaseValidationDetails, EmailAddress, EmailVerificationDetails, ErrorMessages,
    FaceMatchDetails, Feature, KybSession, KycSession, LivenessDetails, PhoneNumber,
    PhoneVerificationDetails, ProofOfAddressDetails, SessionKindFilter, SessionPage,
};
use didit_api::{DocumentType, FeatureName, FeatureStatus, SessionKind, SessionRow, SessionStatus};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::Schema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Difference, round_trip};

/// Decodes a JSON value as the type and encodes it again: the differences, or
/// why decoding failed.
pub type RoundTrip = fn(&Value) -> Result<Vec<Difference>, String>;

/// An SDK type as the suites see it: its name, its JSON round trip and its
/// schemars schema.
#[derive(Clone, Copy)]
pub struct SdkType {
    /// The type's path, for messages.
    pub rust_name: &'static str,
    /// Decode, re-encode, compare.
    pub round_trip: RoundTrip,
    /// The type's schema (usually a `$ref` into the generator's definitions).
    pub schema: fn(&mut SchemaGenerator) -> Schema,
}

impl std::fmt::Debug for SdkType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rust_name)
    }
}

impl SdkType {
    /// The entry for `T`.
    pub fn of<T: Serialize + DeserializeOwned + JsonSchema>() -> Self {
        Self {
            rust_name: std::any::type_name::<T>(),
            round_trip: round_trip::<T>,
            schema: subschema::<T>,
        }
    }
}

fn subschema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// Looks up the SDK type of a component schema, by the component's name.
pub type ComponentTypes = fn(&str) -> Option<SdkType>;

/// The SDK type of each component schema of the spec.
pub fn component_type(component: &str) -> Option<SdkType> {
    Some(match component {
        "SessionPage" => SdkType::of::<SessionPage>(),
        "SessionRow" => SdkType::of::<SessionRow>(),
        "KycSession" => SdkType::of::<KycSession>(),
        "KybSession" => SdkType::of::<KybSession>(),
        // One open enum stands for both row markers.
        "UserSessionKind" | "BusinessSessionKind" => SdkType::of::<SessionKind>(),
        "SessionKindFilter" => SdkType::of::<SessionKindFilter>(),
        "SessionStatus" => SdkType::of::<SessionStatus>(),
        "DocumentType" => SdkType::of::<DocumentType>(),
        "ApiService" => SdkType::of::<ApiService>(),
        "Feature" => SdkType::of::<Feature>(),
        "FeatureName" => SdkType::of::<FeatureName>(),
        "FeatureStatus" => SdkType::of::<FeatureStatus>(),
        "PhoneNumber" => SdkType::of::<PhoneNumber>(),
        "EmailAddress" => SdkType::of::<EmailAddress>(),
        "AdditionalDetails" => SdkType::of::<AdditionalDetails>(),
        "AmlDetails" => SdkType::of::<AmlDetails>(),
        "AmlScreenedData" => SdkType::of::<AmlScreenedData>(),
        "DatabaseValidationDetails" => SdkType::of::<DatabaseValidationDetails>(),
        "ProofOfAddressDetails" => SdkType::of::<ProofOfAddressDetails>(),
        "LivenessDetails" => SdkType::of::<LivenessDetails>(),
        "FaceMatchDetails" => SdkType::of::<FaceMatchDetails>(),
        "PhoneVerificationDetails" => SdkType::of::<PhoneVerificationDetails>(),
        "EmailVerificationDetails" => SdkType::of::<EmailVerificationDetails>(),
        "ApiError" => SdkType::of::<ApiError>(),
        "ErrorMessages" => SdkType::of::<ErrorMessages>(),
        _ => return None,
    })
}

/// The SDK type a documented response decodes into: the page for `200`, the
/// error body for every other status.
pub fn response_type(operation_id: &str, status: u16) -> Option<SdkType> {
    match (operation_id, status) {
        ("list_sessions", 200) => Some(SdkType::of::<SessionPage>()),
        ("list_sessions", _) => Some(SdkType::of::<ApiError>()),
        _ => None,
    }
}
