//! Which SDK type stands for which schema of the spec.
//!
//! The suites look types up here rather than naming them in each test, so a
//! schema added to the spec without a type fails with a message that says so.

use didit_api::types::{
    self, AdditionalDetails, AmlDetails, AmlScreenedData, ApiError, ApiService,
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

use crate::{Difference, decode, round_trip};

/// Decodes a JSON value as the type and encodes it again: the differences, or
/// why decoding failed.
pub type RoundTrip = fn(&Value) -> Result<Vec<Difference>, String>;

/// Decodes a JSON value as the type: its `Debug` output, plain and pretty
/// (`{:?}`, `{:#?}`), or why decoding failed.
pub type DebugOutput = fn(&Value) -> Result<[String; 2], String>;

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
    /// Decode, format with `Debug`.
    pub debug_output: DebugOutput,
}

impl std::fmt::Debug for SdkType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rust_name)
    }
}

impl SdkType {
    /// The entry for `T`.
    pub fn of<T: Serialize + DeserializeOwned + JsonSchema + std::fmt::Debug>() -> Self {
        Self {
            rust_name: std::any::type_name::<T>(),
            round_trip: round_trip::<T>,
            schema: subschema::<T>,
            debug_output: debug_output::<T>,
        }
    }
}

fn debug_output<T: DeserializeOwned + std::fmt::Debug>(
    value: &Value,
) -> Result<[String; 2], String> {
    let decoded: T = decode(value)?;
    Ok([format!("{decoded:?}"), format!("{decoded:#?}")])
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
        "UserSessionKind"
        | "BusinessSessionKind"
        | "DecisionSessionKind"
        | "WebhookSessionKind" => SdkType::of::<SessionKind>(),
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
        // The session lifecycle: requests, answers and the decision's parts.
        "DecisionExpectedDetails" => SdkType::of::<types::DecisionExpectedDetails>(),
        "DecisionContactDetails" => SdkType::of::<types::DecisionContactDetails>(),
        "IdDocumentExtraFields" => SdkType::of::<types::IdDocumentExtraFields>(),
        "MachineReadableZone" => SdkType::of::<types::MachineReadableZone>(),
        "LatLng" => SdkType::of::<types::LatLng>(),
        "GeocodingViewport" => SdkType::of::<types::GeocodingViewport>(),
        "GeocodingGeometry" => SdkType::of::<types::GeocodingGeometry>(),
        "GeoPoint" => SdkType::of::<types::GeoPoint>(),
        "NavigationPoint" => SdkType::of::<types::NavigationPoint>(),
        "AddressComponent" => SdkType::of::<types::AddressComponent>(),
        "GeocodingResult" => SdkType::of::<types::GeocodingResult>(),
        "ParsedAddress" => SdkType::of::<types::ParsedAddress>(),
        "ImageQualityScore" => SdkType::of::<types::ImageQualityScore>(),
        "Warning" => SdkType::of::<types::Warning>(),
        "DocumentMatchUser" => SdkType::of::<types::DocumentMatchUser>(),
        "DocumentMatch" => SdkType::of::<types::DocumentMatch>(),
        "IdVerification" => SdkType::of::<types::IdVerification>(),
        "NfcChipData" => SdkType::of::<types::NfcChipData>(),
        "NfcAuthenticity" => SdkType::of::<types::NfcAuthenticity>(),
        "NfcCertificateSummary" => SdkType::of::<types::NfcCertificateSummary>(),
        "NfcVerification" => SdkType::of::<types::NfcVerification>(),
        "FaceSearchMatchUser" => SdkType::of::<types::FaceSearchMatchUser>(),
        "FaceSearchMatch" => SdkType::of::<types::FaceSearchMatch>(),
        "LivenessCheck" => SdkType::of::<types::LivenessCheck>(),
        "FaceMatch" => SdkType::of::<types::FaceMatch>(),
        "PhoneCarrier" => SdkType::of::<types::PhoneCarrier>(),
        "PhoneLifecycleDetails" => SdkType::of::<types::PhoneLifecycleDetails>(),
        "PhoneLifecycleEvent" => SdkType::of::<types::PhoneLifecycleEvent>(),
        "PhoneMatch" => SdkType::of::<types::PhoneMatch>(),
        "PhoneVerification" => SdkType::of::<types::PhoneVerification>(),
        "EmailBreach" => SdkType::of::<types::EmailBreach>(),
        "EmailLifecycleDetails" => SdkType::of::<types::EmailLifecycleDetails>(),
        "EmailLifecycleEvent" => SdkType::of::<types::EmailLifecycleEvent>(),
        "EmailMatch" => SdkType::of::<types::EmailMatch>(),
        "EmailVerification" => SdkType::of::<types::EmailVerification>(),
        "ManipulatedRegion" => SdkType::of::<types::ManipulatedRegion>(),
        "OverlayManipulation" => SdkType::of::<types::OverlayManipulation>(),
        "PoaDocumentMetadata" => SdkType::of::<types::PoaDocumentMetadata>(),
        "PoaParsedAddress" => SdkType::of::<types::PoaParsedAddress>(),
        "PoaExtraFields" => SdkType::of::<types::PoaExtraFields>(),
        "PoaVerification" => SdkType::of::<types::PoaVerification>(),
        "DocumentAiField" => SdkType::of::<types::DocumentAiField>(),
        "DocumentAiDocument" => SdkType::of::<types::DocumentAiDocument>(),
        "DocumentAiResult" => SdkType::of::<types::DocumentAiResult>(),
        "QuestionnaireChoice" => SdkType::of::<types::QuestionnaireChoice>(),
        "QuestionnaireAnswer" => SdkType::of::<types::QuestionnaireAnswer>(),
        "QuestionnaireItem" => SdkType::of::<types::QuestionnaireItem>(),
        "QuestionnaireSection" => SdkType::of::<types::QuestionnaireSection>(),
        "QuestionnaireResponse" => SdkType::of::<types::QuestionnaireResponse>(),
        "AmlRiskFactor" => SdkType::of::<types::AmlRiskFactor>(),
        "AmlRiskView" => SdkType::of::<types::AmlRiskView>(),
        "AmlHitProperties" => SdkType::of::<types::AmlHitProperties>(),
        "AmlScoreBreakdown" => SdkType::of::<types::AmlScoreBreakdown>(),
        "AmlPepMatch" => SdkType::of::<types::AmlPepMatch>(),
        "AmlLinkedEntity" => SdkType::of::<types::AmlLinkedEntity>(),
        "AmlCaseDetail" => SdkType::of::<types::AmlCaseDetail>(),
        "AmlCaseData" => SdkType::of::<types::AmlCaseData>(),
        "AmlWarningMatchData" => SdkType::of::<types::AmlWarningMatchData>(),
        "AmlWarningMatch" => SdkType::of::<types::AmlWarningMatch>(),
        "AmlSanctionMatch" => SdkType::of::<types::AmlSanctionMatch>(),
        "AmlAdverseMediaDetails" => SdkType::of::<types::AmlAdverseMediaDetails>(),
        "AmlAdverseMediaMatch" => SdkType::of::<types::AmlAdverseMediaMatch>(),
        "AmlHit" => SdkType::of::<types::AmlHit>(),
        "AmlScreeningInput" => SdkType::of::<types::AmlScreeningInput>(),
        "AmlScreening" => SdkType::of::<types::AmlScreening>(),
        "IpLocationDistances" => SdkType::of::<types::IpLocationDistances>(),
        "IdDocumentLocationDistances" => SdkType::of::<types::IdDocumentLocationDistances>(),
        "PoaLocationDistances" => SdkType::of::<types::PoaLocationDistances>(),
        "MatchedDevice" => SdkType::of::<types::MatchedDevice>(),
        "MatchedLocation" => SdkType::of::<types::MatchedLocation>(),
        "IpMatch" => SdkType::of::<types::IpMatch>(),
        "IpAnalysis" => SdkType::of::<types::IpAnalysis>(),
        "DatabaseScreenedData" => SdkType::of::<types::DatabaseScreenedData>(),
        "DatabaseFieldMatches" => SdkType::of::<types::DatabaseFieldMatches>(),
        "DatabaseValidationResult" => SdkType::of::<types::DatabaseValidationResult>(),
        "DatabaseValidationError" => SdkType::of::<types::DatabaseValidationError>(),
        "DatabaseValidation" => SdkType::of::<types::DatabaseValidation>(),
        "Review" => SdkType::of::<types::Review>(),
        "RegistryOfficer" => SdkType::of::<types::RegistryOfficer>(),
        "RegistryBeneficialOwner" => SdkType::of::<types::RegistryBeneficialOwner>(),
        "RegistryCompany" => SdkType::of::<types::RegistryCompany>(),
        "RegistryCheck" => SdkType::of::<types::RegistryCheck>(),
        "AmlCategoryResults" => SdkType::of::<types::AmlCategoryResults>(),
        "KeyPersonOfficer" => SdkType::of::<types::KeyPersonOfficer>(),
        "KeyPersonOwner" => SdkType::of::<types::KeyPersonOwner>(),
        "KeyPeopleRegistry" => SdkType::of::<types::KeyPeopleRegistry>(),
        "PartyRole" => SdkType::of::<types::PartyRole>(),
        "SubmittedParty" => SdkType::of::<types::SubmittedParty>(),
        "KeyPeopleSubmission" => SdkType::of::<types::KeyPeopleSubmission>(),
        "UboKycSummary" => SdkType::of::<types::UboKycSummary>(),
        "KeyPeopleCheck" => SdkType::of::<types::KeyPeopleCheck>(),
        "KybDocumentMetadata" => SdkType::of::<types::KybDocumentMetadata>(),
        "KybDocument" => SdkType::of::<types::KybDocument>(),
        "DocumentGroupCounts" => SdkType::of::<types::DocumentGroupCounts>(),
        "DocumentVerification" => SdkType::of::<types::DocumentVerification>(),
        "SessionDecision" => SdkType::of::<types::SessionDecision>(),
        "DecisionFeature" => SdkType::of::<types::DecisionFeature>(),
        "FeatureNode" => SdkType::of::<types::FeatureNode>(),
        "CreateSessionRequest" => SdkType::of::<types::CreateSessionRequest>(),
        "ContactDetails" => SdkType::of::<types::ContactDetails>(),
        "ExpectedDetails" => SdkType::of::<types::ExpectedDetails>(),
        "CreatedSession" => SdkType::of::<types::CreatedSession>(),
        "UpdateSessionStatusRequest" => SdkType::of::<types::UpdateSessionStatusRequest>(),
        "NodeToResubmit" => SdkType::of::<types::NodeToResubmit>(),
        "SessionStatusUpdated" => SdkType::of::<types::SessionStatusUpdated>(),
        "StatusUpdateError" => SdkType::of::<types::StatusUpdateError>(),
        "DeleteSessionsRequest" => SdkType::of::<types::DeleteSessionsRequest>(),
        // The rest of the session resource: reviews, corrections, sharing,
        // the sandbox and imports.
        "ReviewPage" => SdkType::of::<types::ReviewPage>(),
        "ReviewEntry" => SdkType::of::<types::ReviewEntry>(),
        "ReviewActivityType" => SdkType::of::<didit_api::ReviewActivityType>(),
        "ReviewActorType" => SdkType::of::<didit_api::ReviewActorType>(),
        "CreateReviewRequest" => SdkType::of::<types::CreateReviewRequest>(),
        "UpdateDocumentDataRequest" => SdkType::of::<types::UpdateDocumentDataRequest>(),
        "DocumentData" => SdkType::of::<types::DocumentData>(),
        "AddressCorrection" => SdkType::of::<types::AddressCorrection>(),
        "CorrectedAddress" => SdkType::of::<types::CorrectedAddress>(),
        "MaritalStatus" => SdkType::of::<didit_api::MaritalStatus>(),
        "UpdatePoaDataRequest" => SdkType::of::<types::UpdatePoaDataRequest>(),
        "PoaData" => SdkType::of::<types::PoaData>(),
        "PoaDocumentType" => SdkType::of::<didit_api::PoaDocumentType>(),
        "UpdateCompanyDataRequest" => SdkType::of::<types::UpdateCompanyDataRequest>(),
        "RegistryStatus" => SdkType::of::<types::RegistryStatus>(),
        "CompanyVerificationStatus" => SdkType::of::<types::CompanyVerificationStatus>(),
        "AlternativeNames" => SdkType::of::<types::AlternativeNames>(),
        "UpdateFeatureStatusRequest" => SdkType::of::<types::UpdateFeatureStatusRequest>(),
        "NewFeatureStatus" => SdkType::of::<types::NewFeatureStatus>(),
        "FeatureStatusUpdated" => SdkType::of::<types::FeatureStatusUpdated>(),
        "UpdateAmlHitStatusRequest" => SdkType::of::<types::UpdateAmlHitStatusRequest>(),
        "UpdateAmlHitStatusesRequest" => SdkType::of::<types::UpdateAmlHitStatusesRequest>(),
        "AmlHitUpdate" => SdkType::of::<types::AmlHitUpdate>(),
        "AmlHitStatusUpdated" => SdkType::of::<types::AmlHitStatusUpdated>(),
        "AmlHitStatusesUpdated" => SdkType::of::<types::AmlHitStatusesUpdated>(),
        "ShareSessionRequest" => SdkType::of::<types::ShareSessionRequest>(),
        "SessionShare" => SdkType::of::<types::SessionShare>(),
        "ShareToken" => SdkType::of::<didit_api::ShareToken>(),
        "ImportSharedSessionRequest" => SdkType::of::<types::ImportSharedSessionRequest>(),
        "ArmSandboxScenarioRequest" => SdkType::of::<types::ArmSandboxScenarioRequest>(),
        "SandboxScenarioArmed" => SdkType::of::<types::SandboxScenarioArmed>(),
        "CreateSessionImportRequest" => SdkType::of::<types::CreateSessionImportRequest>(),
        "ImportType" => SdkType::of::<didit_api::ImportType>(),
        "ImportSourceFormat" => SdkType::of::<didit_api::ImportSourceFormat>(),
        "ImportStatus" => SdkType::of::<didit_api::ImportStatus>(),
        "SessionImportJob" => SdkType::of::<types::SessionImportJob>(),
        "SessionImportErrorPage" => SdkType::of::<types::SessionImportErrorPage>(),
        "SessionImportError" => SdkType::of::<types::SessionImportError>(),
        "Gender" => SdkType::of::<didit_api::Gender>(),
        "DocumentCode" => SdkType::of::<didit_api::DocumentCode>(),
        "BrightnessIssue" => SdkType::of::<didit_api::BrightnessIssue>(),
        "WarningFeature" => SdkType::of::<didit_api::WarningFeature>(),
        "MatchSource" => SdkType::of::<didit_api::MatchSource>(),
        "DocumentAiFieldType" => SdkType::of::<didit_api::DocumentAiFieldType>(),
        "AmlDataset" => SdkType::of::<didit_api::AmlDataset>(),
        "AmlReviewStatus" => SdkType::of::<didit_api::AmlReviewStatus>(),
        "DocumentNumberMatch" => SdkType::of::<didit_api::DocumentNumberMatch>(),
        "AmlCaseType" => SdkType::of::<didit_api::AmlCaseType>(),
        "IpMatchType" => SdkType::of::<didit_api::IpMatchType>(),
        "IpMatchSource" => SdkType::of::<didit_api::IpMatchSource>(),
        "IpMatchMode" => SdkType::of::<didit_api::IpMatchMode>(),
        "DatabaseValidationType" => SdkType::of::<didit_api::DatabaseValidationType>(),
        "DatabaseMatchType" => SdkType::of::<didit_api::DatabaseMatchType>(),
        "RiskLevel" => SdkType::of::<didit_api::RiskLevel>(),
        "VatValidationStatus" => SdkType::of::<didit_api::VatValidationStatus>(),
        "PartyKycStatus" => SdkType::of::<didit_api::PartyKycStatus>(),
        "PartyEntityType" => SdkType::of::<didit_api::PartyEntityType>(),
        "KeyPersonRole" => SdkType::of::<didit_api::KeyPersonRole>(),
        "AmlCategoryResult" => SdkType::of::<didit_api::AmlCategoryResult>(),
        "PartySource" => SdkType::of::<didit_api::PartySource>(),
        "KybDocumentGroup" => SdkType::of::<didit_api::KybDocumentGroup>(),
        "Environment" => SdkType::of::<didit_api::Environment>(),
        "WarningCode" => SdkType::of::<didit_api::WarningCode>(),
        "WarningLogType" => SdkType::of::<didit_api::WarningLogType>(),
        "Language" => SdkType::of::<didit_api::Language>(),
        "ResubmittableFeature" => SdkType::of::<didit_api::ResubmittableFeature>(),
        "JsonNumber" => SdkType::of::<didit_api::JsonNumber>(),
        "JsonObject" => SdkType::of::<didit_api::JsonObject>(),
        "SessionToken" => SdkType::of::<didit_api::SessionToken>(),
        "AdverseKeywordCounts" => SdkType::of::<types::AdverseKeywordCounts>(),
        "DocumentGroupTallies" => SdkType::of::<types::DocumentGroupTallies>(),
        "CallbackMethod" => SdkType::of::<types::CallbackMethod>(),
        "NewSessionStatus" => SdkType::of::<types::NewSessionStatus>(),
        // Webhook events: no operation returns them, Didit POSTs them.
        "WebhookType" => SdkType::of::<didit_api::WebhookType>(),
        "SessionWebhookEvent" => SdkType::of::<types::SessionWebhookEvent>(),
        _ => return None,
    })
}

/// The SDK type a documented response decodes into: the operation's answer
/// for its success status, its error body for an error status.
pub fn response_type(operation_id: &str, status: u16) -> Option<SdkType> {
    match (operation_id, status) {
        ("list_sessions", 200) => Some(SdkType::of::<SessionPage>()),
        ("create_session", 201) => Some(SdkType::of::<types::CreatedSession>()),
        ("get_session_decision", 200) => Some(SdkType::of::<types::SessionDecision>()),
        ("update_session_status", 200) => Some(SdkType::of::<types::SessionStatusUpdated>()),
        ("update_session_status", _) => Some(SdkType::of::<types::StatusUpdateError>()),
        ("list_session_reviews", 200) => Some(SdkType::of::<types::ReviewPage>()),
        ("create_session_review", 201) => Some(SdkType::of::<types::Review>()),
        ("update_document_data", 200) => Some(SdkType::of::<types::DocumentData>()),
        ("update_poa_data", 200) => Some(SdkType::of::<types::PoaData>()),
        ("update_company_data", 200) => Some(SdkType::of::<types::RegistryCompany>()),
        ("update_feature_status", 200) => Some(SdkType::of::<types::FeatureStatusUpdated>()),
        ("update_aml_hit_status", 200) => Some(SdkType::of::<types::AmlHitStatusUpdated>()),
        ("update_aml_hit_statuses", 200) => Some(SdkType::of::<types::AmlHitStatusesUpdated>()),
        ("share_session", 200) => Some(SdkType::of::<types::SessionShare>()),
        ("import_shared_session", 201) => Some(SdkType::of::<types::SessionDecision>()),
        ("arm_sandbox_scenario", 200) => Some(SdkType::of::<types::SandboxScenarioArmed>()),
        ("arm_sandbox_scenario", _) => Some(SdkType::of::<types::StatusUpdateError>()),
        ("create_session_import", 201) | ("get_session_import", 200) => {
            Some(SdkType::of::<types::SessionImportJob>())
        }
        ("list_session_import_errors", 200) => Some(SdkType::of::<types::SessionImportErrorPage>()),
        (
            "list_sessions"
            | "create_session"
            | "get_session_decision"
            | "delete_session"
            | "delete_sessions"
            | "get_session_pdf"
            | "list_session_reviews"
            | "create_session_review"
            | "update_document_data"
            | "update_poa_data"
            | "update_company_data"
            | "update_feature_status"
            | "update_aml_hit_status"
            | "update_aml_hit_statuses"
            | "share_session"
            | "import_shared_session"
            | "create_session_import"
            | "get_session_import_template"
            | "get_session_import"
            | "list_session_import_errors",
            400..,
        ) => Some(SdkType::of::<ApiError>()),
        _ => None,
    }
}
