//! The Lambda handler: the shared pipeline, then the publisher, then one log line and one metric
//! line per event.

use std::time::{SystemTime, UNIX_EPOCH};

use super::metrics::emf_line;
use super::{Ended, Failure};
use crate::config::Settings;
use crate::decide::Decision;
use crate::deliver::Publisher;
use crate::ingest::{Payload, payload};
use crate::pipeline::{Summary, prepare};

/// Handles one invocation's payload. `Ok` is the answer (`{"published": "<message id>"}` or
/// `{"skipped": "<reason>"}`); `Err` fails the invocation.
pub async fn handle<P: Publisher>(
    bytes: &[u8],
    settings: &Settings,
    publisher: &P,
) -> Ended<String> {
    let Payload::Event(event) = payload(bytes);
    let (ended, summary) = match prepare(event, settings) {
        Err(error) => (Err(Failure::from(error)), None),
        Ok(prepared) => {
            let ended = match prepared.decision {
                Decision::Skip(skip) => Ok(Decision::Skip(skip)),
                Decision::Publish(request) => match publisher.publish(&request).await {
                    Ok(message_id) => Ok(Decision::Publish(message_id)),
                    Err(error) => Err(Failure::from(error)),
                },
            };
            (ended, prepared.summary)
        }
    };
    report(settings, summary.as_ref(), &ended);
    ended
}

/// The event's log line (never a secret: only the summary, the decision and our own messages) and
/// its metric line.
fn report(settings: &Settings, summary: Option<&Summary>, ended: &Ended<String>) {
    let event_id = summary.and_then(|s| s.event_id.as_deref()).unwrap_or("");
    let family = summary.map_or("", |s| s.family.as_str());
    let event_name = summary.map_or("", |s| s.event_name.as_str());
    let status = summary.and_then(|s| s.status.as_deref()).unwrap_or("");
    let severity = summary.map(|s| s.severity);
    let severity_text = severity.map_or("", |s| s.as_str());
    match ended {
        Ok(decision) => {
            let (decision, message_id, reason) = match decision {
                Decision::Publish(id) => ("published", id.as_str(), ""),
                Decision::Skip(skip) => ("skipped", "", skip.reason.as_str()),
            };
            tracing::info!(
                event_id,
                family,
                event_name,
                status,
                severity = severity_text,
                decision,
                message_id,
                reason,
                "{decision}"
            );
        }
        Err(error) => tracing::error!(
            event_id,
            family,
            event_name,
            status,
            severity = severity_text,
            decision = "failed",
            error = %error,
            "failed"
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
