//! The Lambda handler: the shared pipeline, then the publisher, then one log line and one metric
//! line per event. An SQS batch goes to [`super::batch`].

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::sqs::SqsBatchResponse;
use serde::Serialize;

use super::batch::handle_batch;
use super::metrics::{emf_line, enrichment_failed_line};
use super::{Ended, Failure};
use crate::config::Settings;
use crate::decide::Decision;
use crate::deliver::Publisher;
use crate::enrich::{Enricher, Offline};
use crate::ingest::{Payload, payload};
use crate::pipeline::{Summary, prepare_gated};
use crate::state::{Clock, MemoryStore, Refusal, StateError, StateStore, settle};

/// The function's answer: one event's decision, or an SQS batch's partial batch response.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Event(Decision<String>),
    Batch(SqsBatchResponse),
}

/// Handles one invocation's payload, whichever its shape. `deadline_ms` is the invocation's
/// deadline.
pub async fn invoke<P: Publisher, S: StateStore, E: Enricher>(
    bytes: &[u8],
    settings: &Settings,
    publisher: &P,
    store: Option<&S>,
    enricher: &E,
    deadline_ms: i64,
) -> Result<Answer, Failure> {
    match payload(bytes) {
        Ok(Payload::Event(event)) => {
            handle_with(event, settings, publisher, store, enricher, deadline_ms)
                .await
                .map(Answer::Event)
        }
        Ok(Payload::Batch(records)) => Ok(Answer::Batch(
            handle_batch(records, settings, publisher, store, enricher, deadline_ms).await,
        )),
        Err(error) => {
            tracing::error!(error = %error, "unreadable SQS batch");
            Err(Failure::from(error))
        }
    }
}

/// Handles one event without a state store or lookups. `Ok` is the answer
/// (`{"published": "<message id>"}` or `{"skipped": "<reason>"}`); `Err` fails the invocation.
pub async fn handle<P: Publisher>(
    bytes: &[u8],
    settings: &Settings,
    publisher: &P,
) -> Ended<String> {
    handle_with(
        bytes,
        settings,
        publisher,
        None::<&MemoryStore>,
        &Offline,
        0,
    )
    .await
}

/// Handles one event, with the state store when there is one: claimed before the
/// publish, marked published after it, given up when it fails; and with the enricher's lookups.
/// `deadline_ms` is the invocation's deadline, which a claim's lease lasts until.
pub async fn handle_with<P: Publisher, S: StateStore, E: Enricher>(
    bytes: &[u8],
    settings: &Settings,
    publisher: &P,
    store: Option<&S>,
    enricher: &E,
    deadline_ms: i64,
) -> Ended<String> {
    let event = bytes;
    let now_ms = now_ms();
    let clock = Clock {
        now_ms,
        lease_until_ms: lease_until(deadline_ms, now_ms, settings.state_lease_seconds),
    };
    let ready = match prepare_gated(event, settings, store, enricher, clock).await {
        Ok(ready) => ready,
        Err(error) => {
            let ended = Err(Failure::from(error));
            report(settings, None, &ended, None);
            return ended;
        }
    };
    let mut state_unavailable = ready.state_unavailable;
    let ended = match ready.decision {
        Err(refusal) => Err(Failure::from(refusal)),
        Ok(Decision::Skip(skip)) => Ok(Decision::Skip(skip)),
        Ok(Decision::Publish(request)) => {
            let published = publisher.publish(&request).await;
            if let Some(ticket) = ready.ticket {
                let message_id = published.as_ref().ok().map(String::as_str);
                // The publish has happened or failed either way: a table that cannot record it
                // costs at most a duplicate later, never this invocation.
                if let Err(error) = settle(store, ticket, message_id).await {
                    state_unavailable = Some(error);
                }
            }
            published.map(Decision::Publish).map_err(Failure::from)
        }
    };
    report(
        settings,
        ready.summary.as_ref(),
        &ended,
        state_unavailable.as_ref(),
    );
    ended
}

/// A claim's lease ends at the invocation's deadline, or after `STATE_LEASE_SECONDS` when that is
/// sooner. Local runtime emulators give the timeout's length in place of the deadline
/// (`cargo lambda watch` sends 600000): a deadline that is not after now is taken as a length,
/// within Lambda's longest timeout.
pub(super) fn lease_until(deadline_ms: i64, now_ms: i64, lease_seconds: Option<u32>) -> i64 {
    let deadline = deadline_at(deadline_ms, now_ms);
    lease_seconds.map_or(deadline, |s| deadline.min(now_ms + i64::from(s) * 1000))
}

/// The invocation's deadline, a length taken as one from now (see [`lease_until`]).
pub(super) fn deadline_at(deadline_ms: i64, now_ms: i64) -> i64 {
    if deadline_ms > now_ms {
        deadline_ms
    } else {
        now_ms + deadline_ms.clamp(1_000, 900_000)
    }
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The event's log line (never a secret: only the summary, the decision and our own messages) and
/// its metric line.
pub(super) fn report(
    settings: &Settings,
    summary: Option<&Summary>,
    ended: &Ended<String>,
    state_unavailable: Option<&StateError>,
) {
    if let Some(error) = state_unavailable {
        tracing::warn!(error = %error, state_failure = %settings.state_failure, "state table unavailable");
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

#[cfg(test)]
mod tests {
    use super::lease_until;

    #[test]
    fn a_lease_ends_at_the_deadline_or_a_timeout_length_from_now() {
        let now = 1_700_000_000_000;
        assert_eq!(lease_until(now + 20_000, now, None), now + 20_000);
        assert_eq!(lease_until(600_000, now, None), now + 600_000);
        assert_eq!(lease_until(0, now, None), now + 1_000);
        assert_eq!(lease_until(i64::MIN, now, None), now + 1_000);
        assert_eq!(lease_until(600_000, now, Some(15)), now + 15_000);
        assert_eq!(lease_until(now + 5_000, now, Some(15)), now + 5_000);
    }
}
