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
