//! What a verified delivery carries.

use std::fmt;

use didit_api::types::{SessionDecision, SessionWebhookEvent};
use didit_api::{DecodeFailure, SessionKind, SessionStatus, WebhookType};
use serde_json::value::RawValue;

use crate::json::{Member, Node};

/// A problem with one field of an authentic body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub field: &'static str,
    pub expected: &'static str,
}

/// The four fields `X-Signature-Simple` covers, and all a delivery
/// verified by that signature alone exposes.
///
/// ```
/// use didit_webhook::{SessionStatus, Summary, WebhookType};
///
/// let summary = Summary {
///     timestamp: 1_764_590_000,
///     session_id: "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f".to_owned(),
///     status: SessionStatus::Approved,
///     webhook_type: WebhookType::StatusUpdated,
/// };
/// assert_eq!(
///     summary.signed_text(),
///     "1764590000:5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f:Approved:status.updated"
/// );
/// ```
// Exactly what the signature covers, so it will not grow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// When Didit sent the event, in seconds since the Unix epoch.
    pub timestamp: i64,
    /// The session the event is about.
    pub session_id: String,
    /// The session's status.
    pub status: SessionStatus,
    /// What happened.
    pub webhook_type: WebhookType,
}

impl Summary {
    /// The text `X-Signature-Simple` signs:
    /// `{timestamp}:{session_id}:{status}:{webhook_type}`.
    ///
    /// ```
    /// # use didit_webhook::{SessionStatus, Summary, WebhookType};
    /// # let summary = Summary { timestamp: 1, session_id: "s".into(),
    /// #     status: SessionStatus::Declined, webhook_type: WebhookType::DataUpdated };
    /// assert_eq!(summary.signed_text(), "1:s:Declined:data.updated");
    /// ```
    pub fn signed_text(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.timestamp, self.session_id, self.status, self.webhook_type
        )
    }

    /// The four fields of a parsed body, when it has them all.
    pub(crate) fn from_body(members: &[Member<'_>]) -> Option<Summary> {
        let text = |name| match find(members, name) {
            Some(Node::String(text)) => Some(text.to_string()),
            _ => None,
        };
        let timestamp = match find(members, "timestamp") {
            Some(Node::Number(text)) => text.parse().ok()?,
            _ => return None,
        };
        Some(Summary {
            timestamp,
            session_id: text("session_id")?,
            status: SessionStatus::from(text("status")?.as_str()),
            webhook_type: WebhookType::from(text("webhook_type")?.as_str()),
        })
    }
}

/// An event whose whole body is authenticated (by `X-Signature` or
/// `X-Signature-V2`).
///
/// The envelope fields are typed; the decision and metadata stay JSON text
/// exactly as received, and [`raw`](Event::raw) gives the whole body. Only
/// `webhook_type` and `timestamp` are required: events of other families
/// (users, businesses, transactions) may lack the session fields.
///
/// A session event (`status.updated`, `data.updated`) also reads whole into
/// the SDK's generated types: [`session_event`](Event::session_event) and
/// [`decision`](Event::decision). Events of other families and of types
/// this version does not know stay raw JSON, never an error.
///
/// `Debug` shows the envelope but never `vendor_data`, `metadata` or the
/// decision, which hold personal data.
///
/// ```
/// use didit_webhook::{SessionStatus, Signer, Verifier, WebhookType};
///
/// let signer = Signer::new("whsec_example");
/// let delivery = signer.sign(&serde_json::json!({
///     "webhook_type": "status.updated",
///     "timestamp": 1_764_590_000,
///     "session_id": "5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f",
///     "status": "Approved",
///     "vendor_data": "user-7",
///     "decision": {"id_verifications": [{"first_name": "Inés"}]},
/// }))?;
/// let verifier = Verifier::builder().secret("whsec_example").build()?;
/// let verified = verifier.verify_at(&delivery.body, &delivery.headers, 1_764_590_030)?;
/// let event = verified.event().expect("the whole body is signed");
/// assert_eq!(event.webhook_type(), &WebhookType::StatusUpdated);
/// assert_eq!(event.status(), Some(&SessionStatus::Approved));
/// assert_eq!(event.vendor_data(), Some("user-7"));
/// assert!(!format!("{event:?}").contains("user-7"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Event {
    webhook_type: WebhookType,
    timestamp: i64,
    created_at: Option<i64>,
    session_id: Option<String>,
    status: Option<SessionStatus>,
    vendor_data: Option<String>,
    workflow_id: Option<String>,
    event_id: Option<String>,
    session_kind: Option<SessionKind>,
    business_session_id: Option<String>,
    metadata: Option<Box<RawValue>>,
    decision: Option<Box<RawValue>>,
    raw: Box<RawValue>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present = |value: bool| if value { "[present]" } else { "[absent]" };
        f.debug_struct("Event")
            .field("webhook_type", &self.webhook_type)
            .field("timestamp", &self.timestamp)
            .field("created_at", &self.created_at)
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("workflow_id", &self.workflow_id)
            .field("event_id", &self.event_id)
            .field("session_kind", &self.session_kind)
            .field("business_session_id", &self.business_session_id)
            .field("vendor_data", &present(self.vendor_data.is_some()))
            .field("metadata", &present(self.metadata.is_some()))
            .field("decision", &present(self.decision.is_some()))
            .finish_non_exhaustive()
    }
}

impl Event {
    /// Reads the envelope of an authentic body.
    pub(crate) fn from_body(body: &str, members: &[Member<'_>]) -> Result<Event, FieldError> {
        let raw = |name: &'static str| -> Result<Option<Box<RawValue>>, FieldError> {
            match members.iter().find(|member| member.key == name) {
                None
                | Some(Member {
                    value: Node::Null, ..
                }) => Ok(None),
                Some(member) => body
                    .get(member.span.clone())
                    .and_then(|text| RawValue::from_string(text.to_owned()).ok())
                    .map(Some)
                    .ok_or(FieldError {
                        field: name,
                        expected: "JSON",
                    }),
            }
        };
        let whole = RawValue::from_string(body.to_owned()).map_err(|_| FieldError {
            field: "(body)",
            expected: "JSON",
        })?;
        // Checked first: the timestamp matters most.
        let timestamp = required(integer(members, "timestamp")?, "timestamp", "an integer")?;
        let webhook_type = required(text(members, "webhook_type")?, "webhook_type", "a string")?;
        Ok(Event {
            webhook_type: WebhookType::from(webhook_type.as_str()),
            timestamp,
            created_at: integer(members, "created_at")?,
            session_id: text(members, "session_id")?,
            status: text(members, "status")?.map(|text| SessionStatus::from(text.as_str())),
            vendor_data: text(members, "vendor_data")?,
            workflow_id: text(members, "workflow_id")?,
            event_id: text(members, "event_id")?,
            session_kind: text(members, "session_kind")?
                .map(|text| SessionKind::from(text.as_str())),
            business_session_id: text(members, "business_session_id")?,
            metadata: raw("metadata")?,
            decision: raw("decision")?,
            raw: whole,
        })
    }

    /// What happened (`webhook_type`).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.webhook_type().as_str(), "status.updated");
    /// ```
    pub fn webhook_type(&self) -> &WebhookType {
        &self.webhook_type
    }

    /// When Didit sent the event (`timestamp`), in seconds since the Unix
    /// epoch; checked against the verifier's clock.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.timestamp(), 1_764_590_000);
    /// ```
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// When the event was created (`created_at`), in seconds since the Unix
    /// epoch.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.created_at(), Some(1_764_589_997));
    /// ```
    pub fn created_at(&self) -> Option<i64> {
        self.created_at
    }

    /// The session the event is about (`session_id`).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.session_id(), Some("5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f"));
    /// ```
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The session's status (`status`).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.status(), Some(&didit_webhook::SessionStatus::Approved));
    /// ```
    pub fn status(&self) -> Option<&SessionStatus> {
        self.status.as_ref()
    }

    /// Your identifier of the user or business (`vendor_data`), as you set
    /// it on the session.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.vendor_data(), Some("user-7"));
    /// ```
    pub fn vendor_data(&self) -> Option<&str> {
        self.vendor_data.as_deref()
    }

    /// The workflow of the session (`workflow_id`).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.workflow_id(), Some("0d6f9a1e-2b3c-4d5e-8f90-a1b2c3d4e5f6"));
    /// ```
    pub fn workflow_id(&self) -> Option<&str> {
        self.workflow_id.as_deref()
    }

    /// Didit's identifier of the event (`event_id`), when it sends one: the
    /// same on every retry of the event.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.event_id(), None);
    /// ```
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// KYC (`user`) or KYB (`business`) session (`session_kind`); absent on
    /// KYC events.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.session_kind(), None);
    /// ```
    pub fn session_kind(&self) -> Option<&SessionKind> {
        self.session_kind.as_ref()
    }

    /// The business session of a KYB event (`business_session_id`).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.business_session_id(), None);
    /// ```
    pub fn business_session_id(&self) -> Option<&str> {
        self.business_session_id.as_deref()
    }

    /// The session's metadata (`metadata`) as the JSON text received;
    /// `None` when absent or `null`.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.metadata_json().map(|raw| raw.get()), Some(r#"{"plan":"gold"}"#));
    /// ```
    pub fn metadata_json(&self) -> Option<&RawValue> {
        self.metadata.as_deref()
    }

    /// The decision (`decision`, sent with final statuses) as the JSON text
    /// received; `None` when absent or `null`. Read it into your own type
    /// with `serde_json::from_str(raw.get())`.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// let decision: serde_json::Value = serde_json::from_str(event.decision_json().unwrap().get())?;
    /// assert_eq!(decision["id_verifications"][0]["first_name"], "Inés");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn decision_json(&self) -> Option<&RawValue> {
        self.decision.as_deref()
    }

    /// The whole body, exactly as received (fields this version does not
    /// read included).
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// let body: serde_json::Value = serde_json::from_str(event.raw().get())?;
    /// assert_eq!(body["status"], "Approved");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn raw(&self) -> &RawValue {
        &self.raw
    }

    /// Whether this is the event of a verification session (KYC or KYB):
    /// `status.updated` or `data.updated`.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert!(event.is_session_event());
    /// ```
    pub fn is_session_event(&self) -> bool {
        matches!(
            self.webhook_type,
            WebhookType::StatusUpdated | WebhookType::DataUpdated
        )
    }

    /// The whole body as the spec's session event, for session events
    /// ([`is_session_event`](Event::is_session_event)); `None` for other
    /// events, which stay [raw](Event::raw).
    ///
    /// The body is authentic but its content is Didit's to change: a field
    /// of an unexpected form is a [`DecodeFailure`] naming its JSON path,
    /// never its value. Properties the types do not declare are kept in
    /// their `extra` maps.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// let session = event.session_event().expect("a session event")?;
    /// assert_eq!(session.status(), Some(&didit_webhook::SessionStatus::Approved));
    /// assert_eq!(session.vendor_data(), Some("user-7"));
    /// # Ok::<(), didit_webhook::DecodeFailure>(())
    /// ```
    pub fn session_event(&self) -> Option<Result<SessionWebhookEvent, DecodeFailure>> {
        self.is_session_event()
            .then(|| didit_api::decode(self.raw.get().as_bytes()))
    }

    /// The decision a session event carries (sent with final statuses), read
    /// into the spec's type; `None` for other events and when the decision
    /// is absent or `null`. A failure's path starts with `decision`.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// let decision = event.decision().expect("a decision")?;
    /// assert_eq!(decision.status(), &didit_webhook::SessionStatus::Approved);
    /// let names: Vec<_> = decision.id_verifications().iter().map(|check| check.first_name()).collect();
    /// assert_eq!(names, [Some("Inés")]);
    /// # Ok::<(), didit_webhook::DecodeFailure>(())
    /// ```
    pub fn decision(&self) -> Option<Result<SessionDecision, DecodeFailure>> {
        if !self.is_session_event() {
            return None;
        }
        let decision = self.decision.as_deref()?;
        Some(
            didit_api::decode(decision.get().as_bytes()).map_err(|mut failure| {
                failure.path = if failure.path == "." {
                    "decision".to_owned()
                } else {
                    format!("decision.{}", failure.path)
                };
                failure
            }),
        )
    }

    /// The four fields `X-Signature-Simple` covers, when the event has them
    /// all.
    ///
    /// ```
    /// # let event = didit_webhook::Event::example();
    /// assert_eq!(event.summary().unwrap().status, didit_webhook::SessionStatus::Approved);
    /// ```
    pub fn summary(&self) -> Option<Summary> {
        Some(Summary {
            timestamp: self.timestamp,
            session_id: self.session_id.clone()?,
            status: self.status.clone()?,
            webhook_type: self.webhook_type.clone(),
        })
    }

    /// An event for the examples of this documentation.
    #[doc(hidden)]
    pub fn example() -> Event {
        let body = r#"{"created_at":1764589997,"decision":{"id_verifications":[{"first_name":"In\u00e9s"}],"session_id":"5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f","status":"Approved"},"metadata":{"plan":"gold"},"session_id":"5b0f2c3e-8d1a-4c6b-9e7f-0a1b2c3d4e5f","status":"Approved","timestamp":1764590000,"vendor_data":"user-7","webhook_type":"status.updated","workflow_id":"0d6f9a1e-2b3c-4d5e-8f90-a1b2c3d4e5f6"}"#;
        match crate::json::parse(body) {
            Ok(Node::Object(members)) => Event::from_body(body, &members).ok(),
            _ => None,
        }
        .unwrap_or_else(|| Event {
            webhook_type: WebhookType::StatusUpdated,
            timestamp: 0,
            created_at: None,
            session_id: None,
            status: None,
            vendor_data: None,
            workflow_id: None,
            event_id: None,
            session_kind: None,
            business_session_id: None,
            metadata: None,
            decision: None,
            raw: RawValue::NULL.to_owned(),
        })
    }
}

/// The member named `name`.
pub(crate) fn find<'n, 'a>(members: &'n [Member<'a>], name: &str) -> Option<&'n Node<'a>> {
    members
        .binary_search_by(|member| member.key.as_bytes().cmp(name.as_bytes()))
        .ok()
        .and_then(|index| members.get(index))
        .map(|member| &member.value)
}

fn required<T>(
    value: Option<T>,
    field: &'static str,
    expected: &'static str,
) -> Result<T, FieldError> {
    value.ok_or(FieldError { field, expected })
}

/// An optional string field; `null` counts as absent.
fn text(members: &[Member<'_>], field: &'static str) -> Result<Option<String>, FieldError> {
    match find(members, field) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::String(text)) => Ok(Some(text.to_string())),
        Some(_) => Err(FieldError {
            field,
            expected: "a string",
        }),
    }
}

/// An optional integer field (seconds); `null` counts as absent.
fn integer(members: &[Member<'_>], field: &'static str) -> Result<Option<i64>, FieldError> {
    match find(members, field) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::Number(text)) => text.parse().map(Some).map_err(|_| FieldError {
            field,
            expected: "an integer",
        }),
        Some(_) => Err(FieldError {
            field,
            expected: "an integer",
        }),
    }
}
