//! Decide: whether a classified event is worth a notification under the settings.

use crate::config::Settings;
use crate::model::{Family, Notification};
use crate::statuses::{self, Phase};

/// Why an event is not published, as a metric dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipKind {
    /// Another source or detail type.
    NotOurs,
    NotIncluded,
    Excluded,
    ReadOnly,
    Transitional,
    BelowMinSeverity,
}

impl SkipKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::NotOurs => "not_ours",
            SkipKind::NotIncluded => "not_included",
            SkipKind::Excluded => "excluded",
            SkipKind::ReadOnly => "read_only",
            SkipKind::Transitional => "transitional",
            SkipKind::BelowMinSeverity => "below_min_severity",
        }
    }
}

/// A skipped event: the kind for metrics, the sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

fn skip(kind: SkipKind, reason: String) -> Option<Skip> {
    Some(Skip { kind, reason })
}

/// Why to skip `n`, or `None` to publish it.
pub fn skip_reason(n: &Notification, settings: &Settings) -> Option<Skip> {
    let name = n.event_name.as_str();
    if !settings.event_names_include.is_empty()
        && !settings.event_names_include.iter().any(|x| x == name)
    {
        return skip(
            SkipKind::NotIncluded,
            format!("event name `{name}` is not in EVENT_NAMES_INCLUDE"),
        );
    }
    if settings.event_names_exclude.iter().any(|x| x == name) {
        return skip(
            SkipKind::Excluded,
            format!("event name `{name}` is in EVENT_NAMES_EXCLUDE"),
        );
    }
    if n.is_read_only() && !settings.include_read_only {
        return skip(
            SkipKind::ReadOnly,
            format!(
                "read-only call `{name}` (set INCLUDE_READ_ONLY=true to publish read-only calls)"
            ),
        );
    }
    if settings.skip_transitional_statuses && is_transitional(n) {
        let status = n.status.as_ref().map_or("", |s| s.value.as_str());
        return skip(
            SkipKind::Transitional,
            format!("transitional status `{status}` (SKIP_TRANSITIONAL_STATUSES is on)"),
        );
    }
    if n.severity < settings.min_severity {
        return skip(
            SkipKind::BelowMinSeverity,
            format!(
                "severity {} is below MIN_SEVERITY {}",
                n.severity, settings.min_severity
            ),
        );
    }
    None
}

fn is_transitional(n: &Notification) -> bool {
    let table = match n.family {
        Family::S3BatchJob => statuses::S3_BATCH_STATUSES,
        Family::BatchJobState | Family::BatchServiceJobState => statuses::BATCH_JOB_STATES,
        Family::BatchApiCall | Family::BatchQueueBlocked => return false,
    };
    n.status
        .as_ref()
        .and_then(|s| statuses::lookup(table, &s.value))
        .is_some_and(|s| s.phase == Phase::Transitional)
}
