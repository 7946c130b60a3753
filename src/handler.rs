//! The Lambda handler: the shared pipeline, then the publisher, then one log line and one metric
//! line per event.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use thiserror::Error;

use crate::config::Settings;
use crate::decide::SkipKind;
use crate::event::EventError;
use crate::metrics::{Ended, emf_line};
use crate::pipeline::{Decision, Prepared, Summary, prepare};
use crate::publisher::{PublishError, Publisher};

/// What a successful invocation returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// SNS's message id.
    Published(String),
    /// Why the event was not published.
    Skipped(String),
}

/// Why an invocation failed. Failing makes Lambda retry the event and then hand it to the failure
/// destination, so nothing is dropped silently.
#[derive(Debug, Error)]
pub enum HandlerError {
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EventError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

impl HandlerError {
    fn kind(&self) -> &'static str {
        match self {
            HandlerError::InvalidEvent(_) => "invalid_event",
            HandlerError::Publish(_) => "publish",
        }
    }
}

/// Handles one event payload.
pub async fn handle<P: Publisher>(
    payload: &[u8],
    settings: &Settings,
    publisher: &P,
) -> Result<Response, HandlerError> {
    let prepared = prepare(payload, settings);
    let summary = prepared.as_ref().ok().and_then(|p| p.summary.clone());
    let (result, skip_kind) = match prepared {
        Err(error) => (Err(HandlerError::from(error)), None),
        Ok(Prepared { decision, .. }) => match decision {
            Decision::Skip(skip) => (Ok(Response::Skipped(skip.reason)), Some(skip.kind)),
            Decision::Publish(request) => {
                let published = publisher.publish(&request).await;
                (
                    published
                        .map(Response::Published)
                        .map_err(HandlerError::from),
                    None,
                )
            }
        },
    };
    report(settings, summary.as_ref(), &result, skip_kind);
    result
}

/// The event's log line (never a secret: only the summary, the decision and our own messages) and
/// its metric line.
fn report(
    settings: &Settings,
    summary: Option<&Summary>,
    result: &Result<Response, HandlerError>,
    skip_kind: Option<SkipKind>,
) {
    let event_id = summary.and_then(|s| s.event_id.as_deref()).unwrap_or("");
    let family = summary.map_or("", |s| s.family.as_str());
    let event_name = summary.map_or("", |s| s.event_name.as_str());
    let status = summary.and_then(|s| s.status.as_deref()).unwrap_or("");
    let severity = summary.map(|s| s.severity);
    let severity_text = severity.map_or("", |s| s.as_str());
    let (decision, message_id, reason, ended) = match result {
        Ok(Response::Published(id)) => ("published", id.as_str(), "", Ended::Published),
        Ok(Response::Skipped(reason)) => (
            "skipped",
            "",
            reason.as_str(),
            Ended::Skipped(skip_kind.map_or("other", SkipKind::as_str)),
        ),
        Err(error) => ("failed", "", "", Ended::Failed(error.kind())),
    };
    match result {
        Ok(_) => tracing::info!(
            event_id,
            family,
            event_name,
            status,
            severity = severity_text,
            decision,
            message_id,
            reason,
            "{decision}"
        ),
        Err(error) => tracing::error!(
            event_id,
            family,
            event_name,
            status,
            severity = severity_text,
            decision,
            error = %error,
            "{decision}"
        ),
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    println!(
        "{}",
        emf_line(&settings.metrics_namespace, ended, severity, now)
    );
}

/// The error type Lambda records (and shows in the failure destination's record) is ours, not a
/// Rust type path.
impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        let error_type = match &error {
            HandlerError::InvalidEvent(_) => "InvalidEvent",
            HandlerError::Publish(_) => "PublishFailed",
        };
        lambda_runtime::Diagnostic {
            error_type: error_type.to_owned(),
            error_message: error.to_string(),
        }
    }
}
