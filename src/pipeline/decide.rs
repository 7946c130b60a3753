//! Decide: whether a classified event is worth a notification under the settings.

use crate::config::{ChildJobEvents, Settings};
use crate::domain::decision::{Decision, Skip, SkipKind};
use crate::domain::model::{Family, Notification, Outcome};
use crate::pipeline::classify::statuses::{self, Phase};

/// Whether to publish `n` under the settings.
pub fn decide(n: &Notification, settings: &Settings) -> Decision<()> {
    match skip_reason(n, settings) {
        Some(skip) => Decision::Skip(skip),
        None => Decision::Publish(()),
    }
}

fn skip(kind: SkipKind, reason: String) -> Option<Skip> {
    Some(Skip { kind, reason })
}

/// Why to skip `n`, or `None` to publish it.
fn skip_reason(n: &Notification, settings: &Settings) -> Option<Skip> {
    let name = n.event_name.as_str();
    if !settings.filter.event_names_include.is_empty()
        && !settings
            .filter
            .event_names_include
            .iter()
            .any(|x| x == name)
    {
        return skip(
            SkipKind::NotIncluded,
            format!("event name `{name}` is not in EVENT_NAMES_INCLUDE"),
        );
    }
    if settings
        .filter
        .event_names_exclude
        .iter()
        .any(|x| x == name)
    {
        return skip(
            SkipKind::Excluded,
            format!("event name `{name}` is in EVENT_NAMES_EXCLUDE"),
        );
    }
    if let Some(skip) = child_job_skip(n, settings.filter.child_job_events) {
        return Some(skip);
    }
    if n.is_read_only() && !settings.filter.include_read_only {
        return skip(
            SkipKind::ReadOnly,
            format!(
                "read-only call `{name}` (set INCLUDE_READ_ONLY=true to publish read-only calls)"
            ),
        );
    }
    let told_as_retry = n.retry.is_some() && settings.filter.retry_notices;
    if settings.filter.skip_transitional_statuses && is_transitional(n) && !told_as_retry {
        let status = n.status.as_ref().map_or("", |s| s.value.as_str());
        return skip(
            SkipKind::Transitional,
            format!("transitional status `{status}` (SKIP_TRANSITIONAL_STATUSES is on)"),
        );
    }
    if n.severity < settings.filter.min_severity {
        return skip(
            SkipKind::BelowMinSeverity,
            format!(
                "severity {} is below MIN_SEVERITY {}",
                n.severity, settings.filter.min_severity
            ),
        );
    }
    None
}

/// An array job's child or a multi-node job's node is notified as `CHILD_JOB_EVENTS` says: the
/// array or multi-node job itself tells the story of the rest.
fn child_job_skip(n: &Notification, setting: ChildJobEvents) -> Option<Skip> {
    let child = n
        .child()?
        .of(n.resource.name.as_deref().unwrap_or("(unnamed)"));
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    match setting {
        ChildJobEvents::All => None,
        ChildJobEvents::Failed if n.outcome == Outcome::Failed => None,
        ChildJobEvents::Failed => skip(
            SkipKind::ChildJob,
            format!(
                "{child} is {status}: only failed children and nodes are notified (CHILD_JOB_EVENTS=failed)"
            ),
        ),
        ChildJobEvents::None => skip(
            SkipKind::ChildJob,
            format!("{child}: children and nodes are not notified (CHILD_JOB_EVENTS=none)"),
        ),
    }
}

fn is_transitional(n: &Notification) -> bool {
    let table = match n.family {
        Family::S3BatchJob => statuses::S3_BATCH_STATUSES,
        Family::BatchJobState | Family::BatchServiceJobState => statuses::BATCH_JOB_STATES,
        Family::BatchApiCall | Family::BatchQueueBlocked | Family::BatchJobStuck => return false,
    };
    n.status
        .as_ref()
        .and_then(|s| statuses::lookup(table, &s.value))
        .is_some_and(|s| s.phase == Phase::Transitional)
}
