//! `Debug` of every request the facade builds, and of the payload types it
//! sends and reads, shows what is set, never the personal data it carries.

use base64::Engine as _;
use didit::types::{
    AmlHitUpdate, ContactDetails, CreateSessionRequest, ExpectedDetails, NewFeatureStatus,
    NewSessionStatus, NodeToResubmit, SessionDecision, UpdateCompanyDataRequest,
    UpdateDocumentDataRequest, UpdateDocumentDataRequestFirstName, UpdatePoaDataRequest,
    UpdatePoaDataRequestNameOnDocument, UpdateSessionStatusRequest,
};
use didit::{AmlReviewStatus, Client, Error, Language, ResubmittableFeature, Uuid};
use serde_json::json;

/// Written into every value a request can carry.
const MARKER: &str = "Jane-Personal-Marker";

fn client() -> Client {
    Client::builder().api_key("k").build().unwrap()
}

fn assert_hidden(what: &str, shown: &str, names: &[&str]) {
    assert!(
        !shown.contains(MARKER),
        "{what} shows personal data: {shown}"
    );
    assert!(
        !shown.contains("Jane"),
        "{what} shows personal data: {shown}"
    );
    for name in names {
        assert!(
            shown.contains(name),
            "{what} does not say `{name}` is set: {shown}"
        );
    }
}

#[test]
fn no_request_debug_shows_what_it_carries() {
    let client = client();
    let sessions = client.sessions();
    let marked = |suffix: &str| format!("{MARKER}{suffix}");

    let list = sessions
        .list()
        .search(marked(" search"))
        .vendor_data(marked(" vendor"))
        .organization_name([marked(" org")])
        .document_name([marked(" doc")]);
    assert_hidden(
        "ListSessions",
        &format!("{list:?}"),
        &["search", "vendor_data"],
    );

    let create = sessions
        .create(Uuid::nil())
        .vendor_data(marked(" vendor"))
        .callback(format!("https://example.com/{MARKER}"))
        .metadata(json!({"note": marked(" metadata")}))
        .language(Language::from("es"))
        .contact_details(
            ContactDetails::new()
                .with_email(format!("{MARKER}@example.com"))
                .with_phone(marked(" phone")),
        )
        .expected_details(
            ExpectedDetails::new()
                .with_first_name(marked(" first"))
                .with_last_name(marked(" last")),
        )
        .portrait_image(MARKER.as_bytes())
        .sandbox_scenario(marked(" scenario"));
    assert_hidden(
        "CreateSession",
        &format!("{create:?}"),
        &[
            "vendor_data",
            "contact_details",
            "expected_details",
            "portrait_image",
        ],
    );
    // The portrait is sent base64-encoded: its encoding must not show either.
    let encoded = base64::engine::general_purpose::STANDARD.encode(MARKER);
    assert!(!format!("{create:?}").contains(&encoded));

    let update = sessions
        .update_status(Uuid::nil(), NewSessionStatus::Resubmitted)
        .comment(marked(" comment"))
        .nodes_to_resubmit([NodeToResubmit::new(
            ResubmittableFeature::DocumentFront,
            marked(" node"),
        )])
        .send_email(format!("{MARKER}@example.com"), Some(Language::from("en")));
    assert_hidden(
        "UpdateStatus",
        &format!("{update:?}"),
        &["comment", "nodes_to_resubmit", "email_address"],
    );

    let decision = sessions.decision(Uuid::nil()).include_events(true);
    assert_hidden("GetDecision", &format!("{decision:?}"), &["include_events"]);
    let wait = sessions.wait_for_decision(Uuid::nil());
    assert_hidden("WaitForDecision", &format!("{wait:?}"), &[]);

    let delete_many = sessions.delete_many([43762]);
    assert_hidden(
        "DeleteSessions",
        &format!("{delete_many:?}"),
        &["session_numbers"],
    );
    let document = sessions
        .correct_document(
            Uuid::nil(),
            UpdateDocumentDataRequest::new()
                .with_first_name(
                    UpdateDocumentDataRequestFirstName::try_from(marked(" first")).unwrap(),
                )
                .with_extra_fields(serde_json::Map::from_iter([(
                    "blood_group".to_owned(),
                    json!(marked(" blood")),
                )])),
        )
        .node_id("feature_ocr_1");
    assert_hidden(
        "CorrectDocument",
        &format!("{document:?}"),
        &["first_name", "extra_fields", "feature_ocr_1"],
    );
    let address = sessions.correct_proof_of_address(
        Uuid::nil(),
        UpdatePoaDataRequest::new()
            .with_poa_address(marked(" address"))
            .with_name_on_document(
                marked(" name")
                    .parse::<UpdatePoaDataRequestNameOnDocument>()
                    .unwrap(),
            ),
    );
    assert_hidden(
        "CorrectProofOfAddress",
        &format!("{address:?}"),
        &["poa_address", "name_on_document"],
    );
    let company = sessions.correct_company(
        Uuid::nil(),
        Uuid::nil(),
        UpdateCompanyDataRequest::new()
            .with_email(format!("{MARKER}@example.com"))
            .with_legal_address(marked(" address")),
    );
    assert_hidden(
        "CorrectCompany",
        &format!("{company:?}"),
        &["email", "legal_address"],
    );
    let step = sessions
        .update_step_status(Uuid::nil(), "feature_aml", NewFeatureStatus::Approved)
        .comment(marked(" comment"));
    assert_hidden(
        "UpdateStepStatus",
        &format!("{step:?}"),
        &["comment", "feature_aml"],
    );
    let hit = sessions.review_aml_hit(Uuid::nil(), marked(" hit"), AmlReviewStatus::FalsePositive);
    assert_hidden("ReviewAmlHit", &format!("{hit:?}"), &["FalsePositive"]);
    let hits = sessions.review_aml_hits(
        Uuid::nil(),
        [AmlHitUpdate::new(
            marked(" hit"),
            AmlReviewStatus::ConfirmedMatch,
        )],
    );
    assert_hidden("ReviewAmlHits", &format!("{hits:?}"), &["hit_updates"]);

    let delete_all = sessions.delete_every_session_irreversibly();
    assert_hidden(
        "DeleteSessions",
        &format!("{delete_all:?}"),
        &["delete_all"],
    );
}

#[test]
fn no_payload_debug_shows_what_it_carries() {
    let marked = |suffix: &str| format!("{MARKER}{suffix}");
    let portrait = base64::engine::general_purpose::STANDARD.encode(MARKER);
    let contact = ContactDetails::new()
        .with_email(format!("{MARKER}@example.com"))
        .with_phone(marked(" phone"));
    let expected = ExpectedDetails::new()
        .with_first_name(marked(" first"))
        .with_last_name(marked(" last"))
        .with_company_name(
            marked(" Ltd")
                .parse::<didit::types::ExpectedDetailsCompanyName>()
                .unwrap(),
        );
    let create = CreateSessionRequest::new(Uuid::nil())
        .with_vendor_data(marked(" vendor"))
        .with_callback(format!("https://example.com/{MARKER}"))
        .with_contact_details(contact.clone())
        .with_expected_details(expected.clone())
        .with_portrait_image(portrait.clone());
    let update = UpdateSessionStatusRequest::new(NewSessionStatus::Declined)
        .with_comment(marked(" comment"))
        .with_email_address(format!("{MARKER}@example.com"));
    let decision: SessionDecision = serde_json::from_value(json!({
        "session_id": Uuid::nil(),
        "status": "Approved",
        "vendor_data": marked(" vendor"),
        "contact_details": {"email": format!("{MARKER}@example.com")},
        "id_verifications": [{"first_name": marked(" first"), "document_number": marked(" doc")}],
        "metadata": {"note": marked(" metadata")},
        "x_new_property": marked(" new"),
    }))
    .unwrap();

    for (what, shown, names) in [
        (
            "ContactDetails",
            format!("{contact:?}"),
            &["email", "phone"][..],
        ),
        (
            "ExpectedDetails",
            format!("{expected:#?}"),
            &["first_name", "last_name", "company_name"],
        ),
        (
            "CreateSessionRequest",
            format!("{create:?} {create:#?}"),
            &[
                "workflow_id",
                "vendor_data",
                "contact_details",
                "expected_details",
                "portrait_image",
            ],
        ),
        (
            "UpdateSessionStatusRequest",
            format!("{update:?} {update:#?}"),
            &["new_status", "comment", "email_address"],
        ),
        (
            "SessionDecision",
            format!("{decision:?} {decision:#?}"),
            &[
                "vendor_data",
                "contact_details",
                "id_verifications: [..; 1]",
                "metadata",
                "x_new_property",
            ],
        ),
    ] {
        assert_hidden(what, &shown, names);
        assert!(
            !shown.contains(&portrait),
            "{what} shows the portrait: {shown}"
        );
    }
}

#[tokio::test]
async fn a_refused_value_is_named_not_repeated() {
    // Refused before anything is sent: no server is needed.
    let error = client()
        .sessions()
        .list()
        .organization_name(["Acme", &format!("{MARKER}, Ltd")])
        .send()
        .await
        .unwrap_err();
    let Error::InvalidInput { parameter, .. } = &error else {
        panic!("an invalid input: {error:?}")
    };
    assert_eq!(*parameter, "organization_name");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(MARKER), "{shown}");
        assert!(shown.contains("value 2"), "{shown}");
    }
}
