//! Corrections after a review: the data read from a session's documents, a
//! company's registry data, the status of one step, and reviewers' verdicts
//! on AML hits. Each is a write (`PATCH`), so it is sent again only when it
//! surely never reached the server, and its `Debug` output names the fields
//! set, never their values: corrected data is personal data.

use std::fmt;

use uuid::Uuid;

use crate::lifecycle::fields_set;
use crate::types::{
    AmlHitStatusUpdated, AmlHitStatusesUpdated, AmlHitUpdate, DocumentData, FeatureStatusUpdated,
    NewFeatureStatus, PoaData, RegistryCompany, UpdateAmlHitStatusRequest,
    UpdateAmlHitStatusRequestHitId, UpdateAmlHitStatusesRequest, UpdateCompanyDataRequest,
    UpdateDocumentDataRequest, UpdateFeatureStatusRequest, UpdatePoaDataRequest,
};
use crate::{AmlReviewStatus, CallOptions, Client, Error, Reply, Result, Sessions};

impl Sessions<'_> {
    /// Starts correcting the data read from the identity document of a
    /// finished KYC session: only the properties set in `correction` are
    /// written. [`send`](CorrectDocument::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::types::{UpdateDocumentDataRequest, UpdateDocumentDataRequestFirstName as FirstName};
    ///
    /// let correction = UpdateDocumentDataRequest::default().with_first_name(FirstName::try_from("Carmen").unwrap());
    /// let record = client.sessions().correct_document(id, correction).send().await?;
    /// println!("{:?}", record.first_name());
    /// # Ok(()) }
    /// ```
    pub fn correct_document(
        &self,
        session_id: Uuid,
        correction: UpdateDocumentDataRequest,
    ) -> CorrectDocument {
        CorrectDocument {
            client: self.client.clone(),
            session_id,
            node_id: None,
            request: correction,
            options: CallOptions::default(),
        }
    }

    /// Starts correcting the data read from the proof-of-address document
    /// of a finished KYC session: only the properties set in `correction`
    /// are written. [`send`](CorrectProofOfAddress::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::types::UpdatePoaDataRequest;
    ///
    /// let correction = UpdatePoaDataRequest::default().with_poa_address("Avda de Madrid 34");
    /// let record = client.sessions().correct_proof_of_address(id, correction).send().await?;
    /// println!("{:?}", record.poa_address());
    /// # Ok(()) }
    /// ```
    pub fn correct_proof_of_address(
        &self,
        session_id: Uuid,
        correction: UpdatePoaDataRequest,
    ) -> CorrectProofOfAddress {
        CorrectProofOfAddress {
            client: self.client.clone(),
            session_id,
            node_id: None,
            request: correction,
            options: CallOptions::default(),
        }
    }

    /// Starts correcting the registry data of the company `company_id` (the
    /// `uuid` of a `company` in the decision's registry checks) of the KYB
    /// session `session_id`. [`send`](CorrectCompany::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid, company: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::types::UpdateCompanyDataRequest;
    ///
    /// let correction = UpdateCompanyDataRequest::default().with_nature_of_business("Software");
    /// let company = client.sessions().correct_company(id, company, correction).send().await?;
    /// println!("{:?}", company.nature_of_business());
    /// # Ok(()) }
    /// ```
    pub fn correct_company(
        &self,
        session_id: Uuid,
        company_id: Uuid,
        correction: UpdateCompanyDataRequest,
    ) -> CorrectCompany {
        CorrectCompany {
            client: self.client.clone(),
            session_id,
            company_id,
            request: correction,
            options: CallOptions::default(),
        }
    }

    /// Starts giving one step of a session (its workflow node, the
    /// `node_id` of its check in the decision) a status by hand; the
    /// session's own status stays as it is.
    /// [`send`](UpdateStepStatus::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::types::NewFeatureStatus;
    ///
    /// client
    ///     .sessions()
    ///     .update_step_status(id, "feature_ocr_1", NewFeatureStatus::Approved)
    ///     .comment("checked against the original")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_step_status(
        &self,
        session_id: Uuid,
        node_id: impl Into<String>,
        status: NewFeatureStatus,
    ) -> UpdateStepStatus {
        UpdateStepStatus {
            client: self.client.clone(),
            session_id,
            node_id: node_id.into(),
            request: UpdateFeatureStatusRequest::new(status),
            options: CallOptions::default(),
        }
    }

    /// Starts recording a reviewer's verdict on one AML hit (its `id` among
    /// the `hits` of the decision's AML check).
    /// [`send`](ReviewAmlHit::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::AmlReviewStatus;
    ///
    /// client.sessions().review_aml_hit(id, "abc123", AmlReviewStatus::FalsePositive).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn review_aml_hit(
        &self,
        session_id: Uuid,
        hit_id: impl Into<String>,
        verdict: AmlReviewStatus,
    ) -> ReviewAmlHit {
        ReviewAmlHit {
            client: self.client.clone(),
            session_id,
            hit_id: hit_id.into(),
            verdict,
            node_id: None,
            options: CallOptions::default(),
        }
    }

    /// Starts recording reviewers' verdicts on several AML hits at once:
    /// all or nothing. [`send`](ReviewAmlHits::send) it.
    ///
    /// ```no_run
    /// # async fn run(client: didit::Client, id: didit::Uuid) -> Result<(), didit::Error> {
    /// use didit::AmlReviewStatus;
    /// use didit::types::AmlHitUpdate;
    ///
    /// let verdicts = [
    ///     AmlHitUpdate::new("abc123", AmlReviewStatus::ConfirmedMatch),
    ///     AmlHitUpdate::new("def456", AmlReviewStatus::FalsePositive),
    /// ];
    /// let reviewed = client.sessions().review_aml_hits(id, verdicts).send().await?;
    /// println!("{:?}", reviewed.updated_hits());
    /// # Ok(()) }
    /// ```
    pub fn review_aml_hits(
        &self,
        session_id: Uuid,
        verdicts: impl IntoIterator<Item = AmlHitUpdate>,
    ) -> ReviewAmlHits {
        ReviewAmlHits {
            client: self.client.clone(),
            session_id,
            request: UpdateAmlHitStatusesRequest::new(verdicts.into_iter().collect::<Vec<_>>()),
            options: CallOptions::default(),
        }
    }
}

/// A correction of the data read from a session's identity document; see
/// [`Sessions::correct_document`].
///
/// Its `Debug` output names the properties corrected, never their values.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// use didit::types::{UpdateDocumentDataRequest, UpdateDocumentDataRequestFirstName as FirstName};
///
/// let correction = UpdateDocumentDataRequest::default().with_first_name(FirstName::try_from("Carmen").unwrap());
/// let request = client.sessions().correct_document(didit::Uuid::nil(), correction);
/// let shown = format!("{request:?}");
/// assert!(shown.contains("first_name") && !shown.contains("Carmen"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CorrectDocument {
    client: Client,
    session_id: Uuid,
    node_id: Option<String>,
    request: UpdateDocumentDataRequest,
    options: CallOptions,
}

impl fmt::Debug for CorrectDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrectDocument")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("node_id", &self.node_id)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl CorrectDocument {
    /// The workflow node whose record to correct (the `node_id` of the
    /// decision's ID-verification check), for workflows with several such
    /// steps; left out, the most recent record is corrected.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .correct_document(didit::Uuid::nil(), Default::default())
    ///     .node_id("feature_ocr_2");
    /// # let _ = request;
    /// ```
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .correct_document(didit::Uuid::nil(), Default::default())
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Writes the correction and answers the whole record as stored
    /// afterwards. A session that is not finished or has no such record is
    /// [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::types::{UpdateDocumentDataRequest, UpdateDocumentDataRequestFirstName as FirstName};
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/update-data/"))
    ///     .and(matchers::query_param("node_id", "feature_ocr_1"))
    ///     .and(matchers::body_json(serde_json::json!({"first_name": "Carmen"})))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "first_name": "Carmen",
    ///         "last_name": "Espanola Espanola",
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let correction = UpdateDocumentDataRequest::default().with_first_name(FirstName::try_from("Carmen").unwrap());
    /// let record = client
    ///     .sessions()
    ///     .correct_document(id, correction)
    ///     .node_id("feature_ocr_1")
    ///     .send()
    ///     .await?;
    /// assert_eq!(record.last_name(), Some("Espanola Espanola"));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<DocumentData>> {
        let api = self.options.apply(&self.client)?.api(None);
        let mut call = api
            .update_document_data()
            .session_id(self.session_id)
            .body(self.request);
        if let Some(node_id) = self.node_id {
            call = call.node_id(node_id);
        }
        let result = call.send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A correction of the data read from a session's proof-of-address
/// document; see [`Sessions::correct_proof_of_address`].
///
/// Its `Debug` output names the properties corrected, never their values.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// use didit::types::UpdatePoaDataRequest;
///
/// let correction = UpdatePoaDataRequest::default().with_poa_address("Avda de Madrid 34");
/// let request = client.sessions().correct_proof_of_address(didit::Uuid::nil(), correction);
/// let shown = format!("{request:?}");
/// assert!(shown.contains("poa_address") && !shown.contains("Madrid"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CorrectProofOfAddress {
    client: Client,
    session_id: Uuid,
    node_id: Option<String>,
    request: UpdatePoaDataRequest,
    options: CallOptions,
}

impl fmt::Debug for CorrectProofOfAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrectProofOfAddress")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("node_id", &self.node_id)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl CorrectProofOfAddress {
    /// The workflow node whose record to correct (the `node_id` of the
    /// decision's proof-of-address check), for workflows with several such
    /// steps; left out, the most recent record is corrected.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .correct_proof_of_address(didit::Uuid::nil(), Default::default())
    ///     .node_id("feature_poa_2");
    /// # let _ = request;
    /// ```
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .correct_proof_of_address(didit::Uuid::nil(), Default::default())
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Writes the correction and answers the whole record as stored
    /// afterwards. A session that is not finished or has no such record is
    /// [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::types::UpdatePoaDataRequest;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/update-poa-data/"))
    ///     .and(matchers::body_json(serde_json::json!({"issuer": "Banco Example S.A."})))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "issuer": "Banco Example S.A.",
    ///         "poa_address": "Avda de Madrid 34, 28013 Madrid",
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let correction = UpdatePoaDataRequest::default().with_issuer("Banco Example S.A.".parse::<didit::types::UpdatePoaDataRequestIssuer>().unwrap());
    /// let record = client.sessions().correct_proof_of_address(id, correction).send().await?;
    /// assert_eq!(record.poa_address(), Some("Avda de Madrid 34, 28013 Madrid"));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<PoaData>> {
        let api = self.options.apply(&self.client)?.api(None);
        let mut call = api
            .update_poa_data()
            .session_id(self.session_id)
            .body(self.request);
        if let Some(node_id) = self.node_id {
            call = call.node_id(node_id);
        }
        let result = call.send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A correction of a KYB company's registry data; see
/// [`Sessions::correct_company`].
///
/// Its `Debug` output names the properties corrected, never their values.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// use didit::types::UpdateCompanyDataRequest;
///
/// let correction = UpdateCompanyDataRequest::default().with_email("legal@example.com");
/// let request = client.sessions().correct_company(didit::Uuid::nil(), didit::Uuid::nil(), correction);
/// let shown = format!("{request:?}");
/// assert!(shown.contains("email") && !shown.contains("legal@example.com"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CorrectCompany {
    client: Client,
    session_id: Uuid,
    company_id: Uuid,
    request: UpdateCompanyDataRequest,
    options: CallOptions,
}

impl fmt::Debug for CorrectCompany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrectCompany")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("company_id", &self.company_id)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl CorrectCompany {
    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .correct_company(didit::Uuid::nil(), didit::Uuid::nil(), Default::default())
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Writes the correction and answers the whole company record
    /// afterwards. An unknown session or company, or a company of another
    /// session, is [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::types::UpdateCompanyDataRequest;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path(
    ///         "/v3/session/11111111-2222-3333-4444-555555555555/kyb/6b9479f5-6769-46c8-baf1-df63bbbc5f8c/update-data/",
    ///     ))
    ///     .and(matchers::body_json(serde_json::json!({"registry_status": "dissolved"})))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "uuid": "6b9479f5-6769-46c8-baf1-df63bbbc5f8c",
    ///         "company_name": "Docs Probe Corp",
    ///         "registry_status": "dissolved",
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let company = didit::Uuid::parse_str("6b9479f5-6769-46c8-baf1-df63bbbc5f8c").unwrap();
    /// let correction: UpdateCompanyDataRequest =
    ///     serde_json::from_value(serde_json::json!({"registry_status": "dissolved"})).unwrap();
    /// let record = client.sessions().correct_company(id, company, correction).send().await?;
    /// assert_eq!(record.company_name(), Some("Docs Probe Corp"));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<RegistryCompany>> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .update_company_data()
            .session_id(self.session_id)
            .company_uuid(self.company_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A status given by hand to one step of a session; see
/// [`Sessions::update_step_status`].
///
/// Its `Debug` output names the fields that are set, never their values (a
/// comment).
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// use didit::types::NewFeatureStatus;
///
/// let request = client
///     .sessions()
///     .update_step_status(didit::Uuid::nil(), "feature_ocr_1", NewFeatureStatus::Declined)
///     .comment("photo of a screen");
/// let shown = format!("{request:?}");
/// assert!(shown.contains("comment") && !shown.contains("photo of a screen"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateStepStatus {
    client: Client,
    session_id: Uuid,
    node_id: String,
    request: UpdateFeatureStatusRequest,
    options: CallOptions,
}

impl fmt::Debug for UpdateStepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateStepStatus")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("node_id", &self.node_id)
            .field("fields_set", &fields_set(&self.request))
            .field("options", &self.options)
            .finish()
    }
}

impl UpdateStepStatus {
    /// Why, kept with the change in the review log.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_step_status(didit::Uuid::nil(), "feature_aml", didit::types::NewFeatureStatus::Approved)
    ///     .comment("namesake");
    /// # let _ = request;
    /// ```
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.request.comment = Some(comment.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .update_step_status(didit::Uuid::nil(), "feature_aml", didit::types::NewFeatureStatus::Approved)
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Changes the step's status. The step's current status, or a session
    /// of a standalone API service, is refused ([`Error::Api`] with a 400);
    /// an unknown session or node is [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::types::NewFeatureStatus;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path(
    ///         "/v3/session/11111111-2222-3333-4444-555555555555/features/feature_ocr_1/update-status/",
    ///     ))
    ///     .and(matchers::body_json(serde_json::json!({"new_status": "Approved"})))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "session_id": "11111111-2222-3333-4444-555555555555",
    ///         "node_id": "feature_ocr_1",
    ///         "feature_type": "KYC",
    ///         "new_status": "Approved",
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let updated = client
    ///     .sessions()
    ///     .update_step_status(id, "feature_ocr_1", NewFeatureStatus::Approved)
    ///     .send()
    ///     .await?;
    /// assert_eq!(updated.new_status(), &didit::FeatureStatus::Approved);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<FeatureStatusUpdated>> {
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .update_feature_status()
            .session_id(self.session_id)
            .node_id(self.node_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// A reviewer's verdict on one AML hit; see [`Sessions::review_aml_hit`].
///
/// Its `Debug` output shows the verdict, not the hit, whose id belongs to
/// the screened person's record.
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// let request = client.sessions().review_aml_hit(
///     didit::Uuid::nil(),
///     "abc123",
///     didit::AmlReviewStatus::Inconclusive,
/// );
/// let shown = format!("{request:?}");
/// assert!(shown.contains("Inconclusive") && !shown.contains("abc123"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ReviewAmlHit {
    client: Client,
    session_id: Uuid,
    hit_id: String,
    verdict: AmlReviewStatus,
    node_id: Option<String>,
    options: CallOptions,
}

impl fmt::Debug for ReviewAmlHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewAmlHit")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("node_id", &self.node_id)
            .field("verdict", &self.verdict)
            .field("options", &self.options)
            .finish()
    }
}

impl ReviewAmlHit {
    /// The workflow node of the AML step whose hit this is; needed only
    /// when the session has more than one AML step.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .review_aml_hit(didit::Uuid::nil(), "abc123", didit::AmlReviewStatus::FalsePositive)
    ///     .node_id("feature_aml_2");
    /// # let _ = request;
    /// ```
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .review_aml_hit(didit::Uuid::nil(), "abc123", didit::AmlReviewStatus::FalsePositive)
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Records the verdict. An empty hit id is [`Error::InvalidInput`], and
    /// nothing is sent; an unknown session, a session without an AML check
    /// or an unknown hit is [`Error::NotFound`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::AmlReviewStatus;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/update-aml-hit-status/"))
    ///     .and(matchers::body_json(serde_json::json!({
    ///         "hit_id": "abc123",
    ///         "review_status": "False Positive",
    ///     })))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "message": "Hit status updated successfully",
    ///         "hit_id": "abc123",
    ///         "review_status": "False Positive",
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let reviewed = client
    ///     .sessions()
    ///     .review_aml_hit(id, "abc123", AmlReviewStatus::FalsePositive)
    ///     .send()
    ///     .await?;
    /// assert_eq!(reviewed.review_status(), &AmlReviewStatus::FalsePositive);
    /// let empty = client.sessions().review_aml_hit(id, "", AmlReviewStatus::Inconclusive).send().await;
    /// assert!(matches!(empty, Err(didit::Error::InvalidInput { parameter: "hit_id", .. })));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<AmlHitStatusUpdated>> {
        let hit_id: UpdateAmlHitStatusRequestHitId =
            self.hit_id.parse().map_err(|_| Error::InvalidInput {
                parameter: "hit_id",
                reason: "must not be empty".to_owned(),
            })?;
        let request = UpdateAmlHitStatusRequest::new(hit_id, self.verdict);
        let api = self.options.apply(&self.client)?.api(None);
        let mut call = api
            .update_aml_hit_status()
            .session_id(self.session_id)
            .body(request);
        if let Some(node_id) = self.node_id {
            call = call.node_id(node_id);
        }
        let result = call.send().await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}

/// Reviewers' verdicts on several AML hits; see
/// [`Sessions::review_aml_hits`].
///
/// ```
/// # let client = didit::Client::builder().api_key("k").build().unwrap();
/// use didit::types::AmlHitUpdate;
///
/// let verdict = AmlHitUpdate::new("abc123", didit::AmlReviewStatus::FalsePositive);
/// let request = client.sessions().review_aml_hits(didit::Uuid::nil(), [verdict]);
/// assert!(format!("{request:?}").contains("hit_updates"));
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ReviewAmlHits {
    client: Client,
    session_id: Uuid,
    request: UpdateAmlHitStatusesRequest,
    options: CallOptions,
}

impl fmt::Debug for ReviewAmlHits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReviewAmlHits")
            .field("client", &self.client)
            .field("session_id", &self.session_id)
            .field("fields_set", &fields_set(&self.request))
            .field("hits", &self.request.hit_updates.len())
            .field("options", &self.options)
            .finish()
    }
}

impl ReviewAmlHits {
    /// The workflow node of the AML step whose hits these are; needed only
    /// when the session has more than one AML step.
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client.sessions().review_aml_hits(didit::Uuid::nil(), []).node_id("feature_aml_2");
    /// # let _ = request;
    /// ```
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.request.node_id = Some(node_id.into());
        self
    }

    /// Sends this call with other time limits or retries than the
    /// client's (see [`CallOptions`]).
    ///
    /// ```
    /// # let client = didit::Client::builder().api_key("k").build().unwrap();
    /// let request = client
    ///     .sessions()
    ///     .review_aml_hits(didit::Uuid::nil(), [])
    ///     .call_options(didit::CallOptions::new().operation_timeout(std::time::Duration::from_secs(10)));
    /// # let _ = request;
    /// ```
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Records every verdict, or none: one unknown hit id is
    /// [`Error::NotFound`] and no hit changes. No verdict at all is
    /// [`Error::InvalidInput`], and nothing is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), didit::Error> {
    /// use didit::AmlReviewStatus;
    /// use didit::types::AmlHitUpdate;
    /// use wiremock::{Mock, MockServer, ResponseTemplate, matchers};
    ///
    /// let server = MockServer::start().await;
    /// Mock::given(matchers::method("PATCH"))
    ///     .and(matchers::path("/v3/session/11111111-2222-3333-4444-555555555555/bulk-update-aml-hit-status/"))
    ///     .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
    ///         "message": "Updated 2 hit(s) successfully",
    ///         "updated_hits": ["abc123", "def456"],
    ///     })))
    ///     .expect(1)
    ///     .mount(&server)
    ///     .await;
    ///
    /// let client = didit::Client::builder().api_key("my-key").base_url(server.uri()).build()?;
    /// let id = didit::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
    /// let verdicts = [
    ///     AmlHitUpdate::new("abc123", AmlReviewStatus::ConfirmedMatch),
    ///     AmlHitUpdate::new("def456", AmlReviewStatus::FalsePositive),
    /// ];
    /// let reviewed = client.sessions().review_aml_hits(id, verdicts).send().await?;
    /// assert_eq!(reviewed.updated_hits(), ["abc123", "def456"]);
    /// let none = client.sessions().review_aml_hits(id, []).send().await;
    /// assert!(matches!(none, Err(didit::Error::InvalidInput { parameter: "hit_updates", .. })));
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Reply<AmlHitStatusesUpdated>> {
        if self.request.hit_updates.is_empty() {
            return Err(Error::InvalidInput {
                parameter: "hit_updates",
                reason: "needs at least one verdict".to_owned(),
            });
        }
        let api = self.options.apply(&self.client)?.api(None);
        let result = api
            .update_aml_hit_statuses()
            .session_id(self.session_id)
            .body(self.request)
            .send()
            .await;
        Client::settle(&api, result).await.map(Reply::from_answer)
    }
}
