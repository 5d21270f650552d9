//! Enumerations that the server extends over time.
//!
//! A closed enum would fail a whole page the day Didit adds a status. These
//! enums keep every value they do not know in `Unknown(String)` and write it
//! back unchanged, so decoding and re-encoding never alters data.

/// Defines an open string enumeration: known variants with their exact wire
/// strings, plus `Unknown(String)` for everything else.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Values this version does not know are kept in `Unknown` and
        /// re-encode to exactly the string received.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* #[doc = concat!("`", $wire, "`")] $variant, )+
            /// A value this version of the SDK does not know yet.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value this version of the SDK knows, in the spec's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The exact string the API uses for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(value) => value,
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }

            fn from_known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $( $wire => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value).unwrap_or_else(|| $name::Unknown(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::from_known(&value).unwrap_or($name::Unknown(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct OpenEnumVisitor;

                impl ::serde::de::Visitor<'_> for OpenEnumVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }

                    fn visit_str<E: ::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(
                        self,
                        value: ::std::string::String,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                }

                deserializer.deserialize_str(OpenEnumVisitor)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                stringify!($name).to_owned()
            }

            fn json_schema(
                _: &mut ::schemars::r#gen::SchemaGenerator,
            ) -> ::schemars::schema::Schema {
                // Any string is accepted; the known values are listed apart so
                // that tests can compare them with the spec's `enum`.
                let mut schema = ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    ..Default::default()
                };
                schema.extensions.insert(
                    $crate::KNOWN_VALUES_EXTENSION.to_owned(),
                    ::serde_json::json!([$($wire),+]),
                );
                schema.into()
            }
        }
    };
}

open_enum! {
    /// Where a verification session stands.
    pub enum SessionStatus {
        NotStarted => "Not Started",
        InProgress => "In Progress",
        Approved => "Approved",
        Declined => "Declined",
        InReview => "In Review",
        Expired => "Expired",
        Abandoned => "Abandoned",
        KycExpired => "Kyc Expired",
        Resubmitted => "Resubmitted",
        AwaitingUser => "Awaiting User",
    }
}

open_enum! {
    /// What a webhook event reports (its `webhook_type`). Other products'
    /// event types are kept in `Unknown`.
    pub enum WebhookType {
        /// A session's status changed.
        StatusUpdated => "status.updated",
        /// A session's data changed.
        DataUpdated => "data.updated",
        /// A user's status changed.
        UserStatusUpdated => "user.status.updated",
        /// A user's data changed.
        UserDataUpdated => "user.data.updated",
    }
}

open_enum! {
    /// A verification step of a session's workflow.
    pub enum FeatureName {
        IdVerification => "ID_VERIFICATION",
        Nfc => "NFC",
        Liveness => "LIVENESS",
        FaceMatch => "FACE_MATCH",
        ProofOfAddress => "POA",
        Questionnaire => "QUESTIONNAIRE",
        EmailVerification => "EMAIL_VERIFICATION",
        Phone => "PHONE",
        Aml => "AML",
        IpAnalysis => "IP_ANALYSIS",
        AgeEstimation => "AGE_ESTIMATION",
        DatabaseValidation => "DATABASE_VALIDATION",
        FaceSearch => "FACE_SEARCH",
        KybRegistry => "KYB_REGISTRY",
        KybDocuments => "KYB_DOCUMENTS",
        KybKeyPeople => "KYB_KEY_PEOPLE",
        /// The e-mail step as decisions read with `include=events` name it.
        Email => "EMAIL",
    }
}

open_enum! {
    /// How one verification step of a session stands.
    pub enum FeatureStatus {
        NotFinished => "Not Finished",
        Approved => "Approved",
        Declined => "Declined",
        InReview => "In Review",
        ResubmissionRequested => "Resub Requested",
        Expired => "Expired",
    }
}

open_enum! {
    /// Type of the verified identity document.
    ///
    /// Current responses carry the display name; older ones carried the short
    /// code (the `*Code` variants), which is also what the `document_type`
    /// filter takes.
    pub enum DocumentType {
        Passport => "Passport",
        IdentityCard => "Identity Card",
        DriversLicense => "Driver's License",
        ResidencePermit => "Residence Permit",
        HealthInsuranceCard => "Health Insurance Card",
        TaxCard => "Tax Card",
        PassportCode => "P",
        IdentityCardCode => "ID",
        DriversLicenseCode => "DL",
        ResidencePermitCode => "RP",
        SocialSecurityCardCode => "SSC",
        HealthInsuranceCardCode => "HIC",
        WorkPermitCode => "WP",
        TaxCardCode => "TC",
        VisaCode => "VISA",
        PublicServiceCardCode => "PSC",
        BirthCertificateCode => "BC",
        OtherCode => "OTHER",
    }
}

open_enum! {
    /// Which kind of session a row describes.
    pub enum SessionKind {
        /// A user verification (KYC) session.
        User => "user",
        /// A business verification (KYB) session.
        Business => "business",
    }
}

open_enum! {
    /// A language of the hosted verification pages and of e-mails to the user.
    pub enum Language {
        English => "en",
        Arabic => "ar",
        Bulgarian => "bg",
        Bengali => "bn",
        Bosnian => "bs",
        Catalan => "ca",
        Montenegrin => "cnr",
        Czech => "cs",
        Danish => "da",
        German => "de",
        Greek => "el",
        Spanish => "es",
        Estonian => "et",
        Persian => "fa",
        Finnish => "fi",
        French => "fr",
        Hebrew => "he",
        Hindi => "hi",
        Croatian => "hr",
        Hungarian => "hu",
        Armenian => "hy",
        Indonesian => "id",
        Italian => "it",
        Japanese => "ja",
        Georgian => "ka",
        Kazakh => "kk",
        Korean => "ko",
        Kyrgyz => "ky",
        Lithuanian => "lt",
        Latvian => "lv",
        Macedonian => "mk",
        Mongolian => "mn",
        Malay => "ms",
        Dutch => "nl",
        Norwegian => "no",
        Polish => "pl",
        BrazilianPortuguese => "pt-BR",
        Portuguese => "pt",
        Romanian => "ro",
        Russian => "ru",
        Slovak => "sk",
        Slovenian => "sl",
        Somali => "so",
        Albanian => "sq",
        Serbian => "sr",
        Swedish => "sv",
        Thai => "th",
        Turkish => "tr",
        Ukrainian => "uk",
        Uzbek => "uz",
        Vietnamese => "vi",
        SimplifiedChinese => "zh-CN",
        TraditionalChinese => "zh-TW",
        Chinese => "zh",
    }
}

open_enum! {
    /// A sex as identity documents print it: expected on the document when a
    /// session is created (`M` or `F`), or read from it (`U` too).
    pub enum Gender {
        Male => "M",
        Female => "F",
        /// The document states none.
        Unstated => "U",
    }
}

open_enum! {
    /// A marital status printed on an identity document.
    pub enum MaritalStatus {
        Single => "SINGLE",
        Married => "MARRIED",
        Divorced => "DIVORCED",
        Widowed => "WIDOWED",
        /// The document states none.
        NotStated => "UNKNOWN",
    }
}

open_enum! {
    /// What kind of document proves an address.
    pub enum PoaDocumentType {
        UtilityBill => "UTILITY_BILL",
        BankStatement => "BANK_STATEMENT",
        GovernmentIssuedDocument => "GOVERNMENT_ISSUED_DOCUMENT",
        OtherPoaDocument => "OTHER_POA_DOCUMENT",
        /// The kind could not be told.
        Undetermined => "UNKNOWN",
    }
}

open_enum! {
    /// A short identity-document type code, used to restrict the documents a
    /// user may present.
    pub enum DocumentCode {
        Passport => "P",
        IdentityCard => "ID",
        DriversLicense => "DL",
        ResidencePermit => "RP",
        HealthInsuranceCard => "HIC",
        TaxCard => "TC",
        SocialSecurityCard => "SSC",
    }
}

open_enum! {
    /// Whether a session belongs to a live or a sandbox application.
    pub enum Environment {
        Live => "live",
        Sandbox => "sandbox",
    }
}

open_enum! {
    /// The check that raised a warning.
    ///
    /// Spelled apart from [`FeatureName`](crate::FeatureName): `FACEMATCH`,
    /// `PROOF_OF_ADDRESS`, `EMAIL`.
    pub enum WarningFeature {
        IdVerification => "ID_VERIFICATION",
        Nfc => "NFC",
        Liveness => "LIVENESS",
        FaceMatch => "FACEMATCH",
        ProofOfAddress => "PROOF_OF_ADDRESS",
        Phone => "PHONE",
        Email => "EMAIL",
        Aml => "AML",
        Location => "LOCATION",
        DatabaseValidation => "DATABASE_VALIDATION",
        Questionnaire => "QUESTIONNAIRE",
        DocumentAi => "DOCUMENT_AI",
        KybRegistry => "KYB_REGISTRY",
        KybDocuments => "KYB_DOCUMENTS",
        KybKeyPeople => "KYB_KEY_PEOPLE",
    }
}

open_enum! {
    /// The machine-readable code of a warning.
    pub enum WarningCode {
        AgeBelowMinimum => "AGE_BELOW_MINIMUM",
        BreachedEmailDetected => "BREACHED_EMAIL_DETECTED",
        DatabaseValidationNoMatch => "DATABASE_VALIDATION_NO_MATCH",
        DataInconsistent => "DATA_INCONSISTENT",
        DisposableEmailDetected => "DISPOSABLE_EMAIL_DETECTED",
        DocumentExpired => "DOCUMENT_EXPIRED",
        DuplicatedFace => "DUPLICATED_FACE",
        FaceInBlocklist => "FACE_IN_BLOCKLIST",
        LivenessFaceAttack => "LIVENESS_FACE_ATTACK",
        LowFaceMatchSimilarity => "LOW_FACE_MATCH_SIMILARITY",
        LowLivenessScore => "LOW_LIVENESS_SCORE",
        NameMismatchWithProvided => "NAME_MISMATCH_WITH_PROVIDED",
        NoReferenceImage => "NO_REFERENCE_IMAGE",
        PoaDocumentExpired => "POA_DOCUMENT_EXPIRED",
        PossibleMatchFound => "POSSIBLE_MATCH_FOUND",
        QrNotDetected => "QR_NOT_DETECTED",
        VerificationCodeAttemptsExceeded => "VERIFICATION_CODE_ATTEMPTS_EXCEEDED",
        VoipNumberDetected => "VOIP_NUMBER_DETECTED",
    }
}

open_enum! {
    /// How serious a warning is.
    pub enum WarningLogType {
        Information => "information",
        Warning => "warning",
        Error => "error",
    }
}

open_enum! {
    /// Where a record matching the session came from.
    pub enum MatchSource {
        Session => "session",
        Imported => "imported",
        ListEntry => "list_entry",
    }
}

open_enum! {
    /// Whether a captured image is too dark or too bright.
    pub enum BrightnessIssue {
        Ok => "ok",
        TooDark => "too_dark",
        TooBright => "too_bright",
    }
}

open_enum! {
    /// The kind of value a document-AI field holds.
    pub enum DocumentAiFieldType {
        Text => "text",
        Number => "number",
        Date => "date",
    }
}

open_enum! {
    /// A kind of list an AML hit was found in.
    pub enum AmlDataset {
        PoliticallyExposedPerson => "PEP",
        PepLevel1 => "PEP Level 1",
        PepLevel2 => "PEP Level 2",
        PepLevel3 => "PEP Level 3",
        PepLevel4 => "PEP Level 4",
        Sanctions => "Sanctions",
        AdverseMedia => "Adverse Media",
        WarningsAndRegulatoryEnforcement => "Warnings and Regulatory Enforcement",
        FitnessAndProbity => "Fitness and Probity",
        SpecialInterestPerson => "SIP",
        SpecialInterestEntity => "SIE",
        Insolvency => "Insolvency",
    }
}

open_enum! {
    /// How a reviewer classified an AML hit.
    pub enum AmlReviewStatus {
        Unreviewed => "Unreviewed",
        ConfirmedMatch => "Confirmed Match",
        FalsePositive => "False Positive",
        Inconclusive => "Inconclusive",
    }
}

open_enum! {
    /// How the document number affected an AML match score.
    pub enum DocumentNumberMatch {
        Match => "MATCH",
        Neutral => "NEUTRAL",
        HardMismatch => "HARD_MISMATCH",
    }
}

open_enum! {
    /// The kind of case an AML warning entry refers to.
    pub enum AmlCaseType {
        Accusation => "Accusation",
        Arrest => "Arrest",
        Bribery => "Bribery",
        Criminal => "Criminal",
        Fraud => "Fraud",
        IllegalFundraising => "Illegal Fundraising",
        NonConvictionTerror => "Non-conviction Terror",
        ProclaimedOffender => "Proclaimed Offender",
        RegulatoryEnforcement => "Regulatory Enforcement",
        Terrorism => "Terrorism",
        TerrorismRelated => "Terrorism-related",
        TerrorismRelatedListing => "Terrorism-related listing",
    }
}

open_enum! {
    /// Whether AML screening matched in one list category.
    pub enum AmlCategoryResult {
        Match => "match",
        Clear => "clear",
    }
}

open_enum! {
    /// What two sessions shared: an IP address or a device.
    pub enum IpMatchType {
        IpAddress => "ip_address",
        DeviceFingerprint => "device_fingerprint",
    }
}

open_enum! {
    /// Which signal tied two sessions to the same device.
    pub enum IpMatchSource {
        IpAddress => "ip_address",
        PersistentId => "persistent_id",
        LegacyFingerprint => "legacy_fp",
        RecoveredHigh => "recovered_high",
    }
}

open_enum! {
    /// How certain a device match is.
    pub enum IpMatchMode {
        Deterministic => "deterministic",
        Probabilistic => "probabilistic",
        CoOccurrence => "co_occurrence",
    }
}

open_enum! {
    /// How many government databases must agree.
    pub enum DatabaseValidationType {
        OneByOne => "one_by_one",
        TwoByTwo => "two_by_two",
        NotEnabled => "not_enabled",
    }
}

open_enum! {
    /// How well the person's data matched the government databases.
    pub enum DatabaseMatchType {
        NoMatch => "no_match",
        PartialMatch => "partial_match",
        FullMatch => "full_match",
    }
}

open_enum! {
    /// A risk level.
    pub enum RiskLevel {
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
    }
}

open_enum! {
    /// The outcome of checking a company's VAT number.
    pub enum VatValidationStatus {
        Valid => "valid",
        Invalid => "invalid",
        CouldNotValidate => "could_not_validate",
        NotApplicable => "not_applicable",
    }
}

open_enum! {
    /// Where the verification of a company officer or owner stands.
    pub enum PartyKycStatus {
        Approved => "Approved",
        Declined => "Declined",
        Pending => "Pending",
    }
}

open_enum! {
    /// Whether a party of a company is a person or a company.
    pub enum PartyEntityType {
        Person => "person",
        Company => "company",
    }
}

open_enum! {
    /// Who submitted a party of a company.
    pub enum PartySource {
        User => "USER",
    }
}

open_enum! {
    /// A role a person or company holds in a company.
    pub enum KeyPersonRole {
        Director => "director",
        NonExecutiveDirector => "non_executive_director",
        Secretary => "secretary",
        Chairman => "chairman",
        UltimateBeneficialOwner => "ubo",
        Shareholder => "shareholder",
        Representative => "representative",
        Founder => "founder",
        LegalAdvisor => "legal_advisor",
        AuthorizedSignatory => "authorized_signatory",
        Trustee => "trustee",
        Beneficiary => "beneficiary",
        Settlor => "settlor",
        Protector => "protector",
        CompanyOfficer => "company_officer",
        Investor => "investor",
        Other => "other",
    }
}

open_enum! {
    /// What an entry of a session's review and activity log records.
    pub enum ReviewActivityType {
        Comment => "COMMENT",
        StatusUpdated => "STATUS_UPDATED",
        KycDataUpdated => "KYC_DATA_UPDATED",
        PoaDataUpdated => "POA_DATA_UPDATED",
        FileAdded => "FILE_ADDED",
        FileRemoved => "FILE_REMOVED",
        AmlOngoingMatch => "AML_ONGOING_MATCH",
        AmlStatusUpdated => "AML_STATUS_UPDATED",
        AmlHitStatusUpdated => "AML_HIT_STATUS_UPDATED",
        KybDataUpdated => "KYB_DATA_UPDATED",
        KybDocumentUploaded => "KYB_DOCUMENT_UPLOADED",
        TagAdded => "TAG_ADDED",
        TagRemoved => "TAG_REMOVED",
    }
}

open_enum! {
    /// Who wrote an entry of a session's review and activity log.
    pub enum ReviewActorType {
        ApiKey => "API_KEY",
        ConsoleUser => "CONSOLE_USER",
        System => "SYSTEM",
    }
}

open_enum! {
    /// What an import of verifications made before holds.
    pub enum ImportType {
        UserVerification => "user_verification",
        BusinessVerification => "business_verification",
        StatusRules => "status_rules",
        Transactions => "transactions",
    }
}

open_enum! {
    /// The format of an import file.
    pub enum ImportSourceFormat {
        Csv => "csv",
        Ndjson => "ndjson",
    }
}

open_enum! {
    /// Where an import job stands; `Completed` and `Failed` are final.
    pub enum ImportStatus {
        Pending => "PENDING",
        Processing => "PROCESSING",
        Completed => "COMPLETED",
        Failed => "FAILED",
        Paused => "PAUSED",
        Cancelled => "CANCELLED",
    }
}

open_enum! {
    /// A group of company documents in a KYB session.
    pub enum KybDocumentGroup {
        LegalPresence => "LEGAL_PRESENCE",
        CompanyDetails => "COMPANY_DETAILS",
        OwnershipStructure => "OWNERSHIP_STRUCTURE",
        RepresentativesAuthorization => "REPRESENTATIVES_AUTHORIZATION",
        Other => "OTHER",
    }
}

open_enum! {
    /// A workflow step that can be sent back to the user with a resubmission.
    pub enum ResubmittableFeature {
        DocumentFront => "OCR",
        DocumentBack => "OCR_BACK",
        Nfc => "NFC",
        Aml => "AML",
        Face => "FACE",
        Liveness => "LIVENESS",
        FaceMatch => "FACE_MATCH",
        IpAnalysis => "IP_ANALYSIS",
        AgeEstimation => "AGE_ESTIMATION",
        ProofOfAddress => "PROOF_OF_ADDRESS",
        PhoneVerification => "PHONE_VERIFICATION",
        EmailVerification => "EMAIL_VERIFICATION",
        FaceSearch => "FACE_SEARCH",
        DatabaseValidation => "DATABASE_VALIDATION",
        Questionnaire => "QUESTIONNAIRE",
        DocumentAi => "DOCUMENT_AI",
        KybDocuments => "KYB_DOCUMENTS",
        IdVerification => "ID_VERIFICATION",
        Poa => "POA",
        Phone => "PHONE",
        Email => "EMAIL",
        KybRegistry => "KYB_REGISTRY",
        KybKeyPeople => "KYB_KEY_PEOPLE",
        Kyb => "KYB",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_decode_to_their_variant() {
        let status: SessionStatus = serde_json::from_str("\"In Review\"").unwrap();
        assert_eq!(status, SessionStatus::InReview);
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"In Review\"");
    }

    #[test]
    fn unknown_values_round_trip_unchanged() {
        let status: SessionStatus = serde_json::from_str("\"Some Future Status\"").unwrap();
        assert_eq!(status, SessionStatus::Unknown("Some Future Status".into()));
        assert!(status.is_unknown());
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            "\"Some Future Status\""
        );
    }

    #[test]
    fn matching_is_case_sensitive_like_the_api() {
        assert!("approved".parse::<SessionStatus>().unwrap().is_unknown());
        assert_eq!(
            "Approved".parse::<SessionStatus>().unwrap(),
            SessionStatus::Approved
        );
    }

    #[test]
    fn display_and_from_str_agree_for_every_known_value() {
        for kind in FeatureName::KNOWN {
            assert_eq!(&kind.to_string().parse::<FeatureName>().unwrap(), kind);
        }
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(serde_json::from_str::<FeatureStatus>("42").is_err());
    }
}
