//! An axum extractor that verifies deliveries (feature `axum`).

use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::error::Error;
use crate::verify::{Delivery, Verifier};

/// A delivery verified by the [`Verifier`] in the router's state (directly,
/// or in a field reachable through [`FromRef`]).
///
/// A delivery that fails is answered before the handler runs: 401 with a
/// short reason (413 for a body too large, 503 when the deduplicator
/// failed). The reason never quotes the body.
///
/// ```
/// use axum::{Router, http::StatusCode, routing::post};
/// use didit_webhook::{MemoryDeduplicator, Verifier, axum::VerifiedWebhook};
///
/// async fn receive(VerifiedWebhook(delivery): VerifiedWebhook) -> StatusCode {
///     if !delivery.is_duplicate() {
///         // Process the event once.
///     }
///     StatusCode::OK
/// }
///
/// let verifier = Verifier::builder()
///     .secret("whsec_example")
///     .deduplicator(MemoryDeduplicator::new())
///     .build()?;
/// let app: Router = Router::new().route("/webhooks/didit", post(receive)).with_state(verifier);
/// # Ok::<(), didit_webhook::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct VerifiedWebhook(pub Delivery);

/// The answer to a refused delivery: a status and a one-line reason as
/// plain text.
///
/// ```
/// use axum::response::IntoResponse;
/// use didit_webhook::axum::WebhookRejection;
///
/// let rejection = WebhookRejection::from(didit_webhook::Error::TimestampMismatch);
/// assert_eq!(rejection.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(rejection.reason(), "the X-Timestamp header differs from the body's timestamp");
/// let response = rejection.into_response();
/// assert_eq!(response.status(), http::StatusCode::UNAUTHORIZED);
/// ```
#[derive(Debug)]
pub struct WebhookRejection {
    status: StatusCode,
    reason: String,
    error: Option<Error>,
}

impl WebhookRejection {
    /// The status answered.
    ///
    /// ```
    /// # use didit_webhook::axum::WebhookRejection;
    /// let rejection = WebhookRejection::from(didit_webhook::Error::NotAnObject);
    /// assert_eq!(rejection.status(), http::StatusCode::UNAUTHORIZED);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reason answered.
    ///
    /// ```
    /// # use didit_webhook::axum::WebhookRejection;
    /// let rejection = WebhookRejection::from(didit_webhook::Error::NotAnObject);
    /// assert_eq!(rejection.reason(), "the body is not a JSON object");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The verifier's error, unless the body could not even be read.
    ///
    /// ```
    /// # use didit_webhook::axum::WebhookRejection;
    /// let rejection = WebhookRejection::from(didit_webhook::Error::NotAnObject);
    /// assert!(matches!(rejection.error(), Some(didit_webhook::Error::NotAnObject)));
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

impl From<Error> for WebhookRejection {
    fn from(error: Error) -> Self {
        Self {
            status: error.http_status(),
            reason: error.to_string(),
            error: Some(error),
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        (self.status, self.reason).into_response()
    }
}

impl<S> FromRequest<S> for VerifiedWebhook
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let max = verifier.max_body_size();
        let (parts, body) = request.into_parts();
        let announced = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.parse::<usize>().ok());
        if announced.is_some_and(|size| size > max) {
            return Err(Error::BodyTooLarge { max }.into());
        }
        let bytes = axum::body::to_bytes(body, max).await.map_err(|error| {
            let too_large = error
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if too_large {
                WebhookRejection::from(Error::BodyTooLarge { max })
            } else {
                WebhookRejection {
                    status: StatusCode::BAD_REQUEST,
                    reason: "the body could not be read".to_owned(),
                    error: None,
                }
            }
        })?;
        verifier
            .verify(&bytes, &parts.headers)
            .map(VerifiedWebhook)
            .map_err(WebhookRejection::from)
    }
}
