//! Session events read into the spec's types; other events stay raw.

use didit_webhook::{Event, Signer, Verifier, WebhookType};

const SECRET: &str = "whsec_typed";
const NOW: i64 = 1_764_590_000;
/// Personal data that no failure may repeat.
const PERSONAL: &str = "Jane Personal Doe";

fn verified(event: serde_json::Value) -> Event {
    let delivery = Signer::new(SECRET).sign(&event).unwrap();
    Verifier::builder()
        .secret(SECRET)
        .build()
        .unwrap()
        .verify_at(&delivery.body, &delivery.headers, NOW)
        .unwrap()
        .into_event()
        .unwrap()
}

#[test]
fn a_kyb_status_event_reads_whole() {
    let event = verified(serde_json::json!({
        "webhook_type": "status.updated",
        "timestamp": NOW,
        "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
        "status": "Declined",
        "session_kind": "business",
        "business_session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
        "environment": "sandbox",
        "workflow_version": 3,
        "event_id": "evt-1",
        "decision": {
            "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
            "status": "Declined",
            "session_kind": "business"
        },
        "a_field_added_later": {"x": 1},
    }));
    let session = event.session_event().unwrap().unwrap();
    assert_eq!(
        session.session_kind,
        Some(didit_webhook::SessionKind::Business)
    );
    assert_eq!(session.workflow_version, Some(Some(3)));
    assert_eq!(session.event_id, Some(Some("evt-1".to_owned())));
    assert!(session.extra.get("a_field_added_later").is_some());
    let decision = event.decision().unwrap().unwrap();
    assert_eq!(decision.status(), &didit_webhook::SessionStatus::Declined);
}

#[test]
fn a_decision_without_its_required_properties_names_the_first_missing() {
    let event = verified(serde_json::json!({
        "webhook_type": "status.updated",
        "timestamp": NOW,
        "status": "Approved",
        "decision": {"status": "Approved", "id_verifications": []},
    }));
    let failure = event.decision().unwrap().unwrap_err();
    assert_eq!(failure.path, "decision");
    assert!(
        failure.expected.contains("missing field `session_id`"),
        "{failure}"
    );
}

#[test]
fn a_decision_of_another_form_names_its_path_and_not_its_value() {
    let event = verified(serde_json::json!({
        "webhook_type": "data.updated",
        "timestamp": NOW,
        "status": "Approved",
        "decision": {"session_number": PERSONAL},
    }));
    let failure = event.decision().unwrap().unwrap_err();
    assert_eq!(failure.path, "decision.session_number");
    assert!(!failure.to_string().contains("Jane"), "{failure}");
    let failure = event.session_event().unwrap().unwrap_err();
    assert_eq!(failure.path, "decision.session_number");
    assert!(!failure.to_string().contains("Jane"), "{failure}");
    // The envelope is still there.
    assert_eq!(event.webhook_type(), &WebhookType::DataUpdated);
}

#[test]
fn a_null_decision_is_no_decision() {
    let event = verified(serde_json::json!({
        "webhook_type": "status.updated", "timestamp": NOW, "decision": null,
    }));
    assert!(event.decision().is_none());
    assert_eq!(event.session_event().unwrap().unwrap().decision, Some(None));
}

#[test]
fn other_families_and_unknown_types_stay_raw() {
    for webhook_type in [
        "user.status.updated",
        "transaction.created",
        "business.updated",
    ] {
        let event = verified(serde_json::json!({
            "webhook_type": webhook_type,
            "timestamp": NOW,
            "status": "Frozen",
            "decision": {"session_number": PERSONAL},
        }));
        assert!(!event.is_session_event(), "{webhook_type}");
        assert!(event.session_event().is_none(), "{webhook_type}");
        assert!(event.decision().is_none(), "{webhook_type}");
        assert!(event.raw().get().contains(webhook_type));
    }
}
