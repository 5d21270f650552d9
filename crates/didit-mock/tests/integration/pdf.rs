//! `GET /v3/session/{id}/generate-pdf/`: a small valid PDF for finished
//! sessions, 403 before.

use crate::common;

use common::{SOME_WORKFLOW, call, conforms, create};
use didit_api::SessionStatus;
use didit_mock::{DiditMock, SYNTHETIC_KYB_WORKFLOWS};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

async fn pdf(mock: &DiditMock, id: Uuid) -> common::Answer {
    let answer = call(
        mock,
        Method::GET,
        &format!("/v3/session/{id}/generate-pdf/"),
        None,
    )
    .await;
    conforms("get_session_pdf", &answer);
    answer
}

#[tokio::test]
async fn finished_sessions_have_a_pdf_report() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = create(&mock, json!({"workflow_id": SOME_WORKFLOW})).await;
    let refused = pdf(&mock, id).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({"detail": "You can only generate a PDF for sessions in review, declined, approved or kyc expired"})
    );
    for status in [
        SessionStatus::Approved,
        SessionStatus::Declined,
        SessionStatus::InReview,
        SessionStatus::KycExpired,
    ] {
        mock.finish_session(id, status.clone()).unwrap();
        let report = pdf(&mock, id).await;
        assert_eq!(report.status, 200, "{status}");
        assert!(report.bytes.starts_with(b"%PDF-"));
        assert!(report.bytes.trim_ascii_end().ends_with(b"%%EOF"));
        let text = String::from_utf8_lossy(&report.bytes);
        assert!(text.contains(&format!("(Status {status})")), "{text}");
        assert_eq!(
            report.header("content-disposition"),
            Some(format!("attachment; filename=\"session-{id}.pdf\"").as_str())
        );
        assert_eq!(
            report.header_u64("content-length"),
            report.bytes.len() as u64
        );
    }
    for status in [
        SessionStatus::InProgress,
        SessionStatus::Abandoned,
        SessionStatus::Resubmitted,
    ] {
        mock.finish_session(id, status.clone()).unwrap();
        assert_eq!(pdf(&mock, id).await.status, 403, "{status}");
    }
    assert_eq!(pdf(&mock, Uuid::nil()).await.status, 404);
}

#[tokio::test]
async fn business_sessions_have_their_own_finished_statuses() {
    let mock = DiditMock::builder().start().await;
    let (id, _) = create(&mock, json!({"workflow_id": SYNTHETIC_KYB_WORKFLOWS[1].0})).await;
    let refused = pdf(&mock, id).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({"detail": "You can only generate a PDF for sessions in review, declined or approved"})
    );
    mock.finish_session(id, SessionStatus::KycExpired).unwrap();
    assert_eq!(pdf(&mock, id).await.status, 403);
    mock.finish_session(id, SessionStatus::Declined).unwrap();
    let report = pdf(&mock, id).await;
    assert_eq!(report.status, 200);
    assert!(report.bytes.starts_with(b"%PDF-"));
}
