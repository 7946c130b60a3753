//! How an event ended, told: one log line (never a secret: only the summary, the decision and our
//! own messages) and one metric line, plus a warning and a metric for each lookup that failed.

use super::clock::now_ms;
use super::metrics::{emf_line, enrichment_failed_line};
use super::{Ended, Failure};
use crate::config::Settings;
use crate::domain::decision::Decision;
use crate::pipeline::Summary;
use crate::pipeline::gate::Refusal;
use crate::ports::state::StateError;

/// How one event or record ended, as its lines tell it.
pub struct Told<'a> {
    /// The SQS record's message id; empty for a single event.
    pub record: &'a str,
    pub summary: Option<&'a Summary>,
    pub ended: &'a Ended<String>,
    pub state_unavailable: Option<&'a StateError>,
}

/// Where an event's end is told: the function's log and metric lines, or `preview --batch`'s.
pub trait Tell: Sync {
    fn tell(&self, told: Told<'_>);
}

/// The function's lines: one log line and one metric line per event ([`report`]).
pub struct LogLines<'a>(pub &'a Settings);

impl Tell for LogLines<'_> {
    fn tell(&self, told: Told<'_>) {
        report(self.0, told.summary, told.ended, told.state_unavailable);
    }
}

/// The event's log line (never a secret: only the summary, the decision and our own messages) and
/// its metric line.
pub fn report(
    settings: &Settings,
    summary: Option<&Summary>,
    ended: &Ended<String>,
    state_unavailable: Option<&StateError>,
) {
    if let Some(error) = state_unavailable {
        tracing::warn!(error = %error, state_failure = %settings.state.failure, "state table unavailable");
    }
    let now = now_ms() as u128;
    for (source, reason) in summary.map_or(&[][..], |s| &s.unavailable[..]) {
        tracing::warn!(source = %source, reason = %reason, "a lookup failed; the notification goes without it");
        let line = enrichment_failed_line(&settings.metrics_namespace, *source, now);
        println!("{line}");
    }
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
    let unavailable = state_unavailable.is_some()
        || matches!(ended, Err(Failure::Refused(Refusal::Unavailable(_))));
    println!(
        "{}",
        emf_line(
            &settings.metrics_namespace,
            ended,
            severity,
            unavailable,
            now
        )
    );
}
