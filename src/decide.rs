//! Decide: whether a classified event is worth a notification under the settings.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::classify::statuses::{self, Phase};
use crate::config::{ChildJobEvents, Settings};
use crate::model::{Family, Notification, Outcome};
use crate::wire::wire_enum;

wire_enum! {
    /// Why an event is not published, as a metric dimension.
    pub enum SkipKind {
        /// Another source or detail type.
        NotOurs = "not_ours",
        NotIncluded = "not_included",
        Excluded = "excluded",
        ReadOnly = "read_only",
        Transitional = "transitional",
        ChildJob = "child_job",
        BelowMinSeverity = "below_min_severity",
        /// Told already (the state table).
        Duplicate = "duplicate",
        /// A later transition of the job was told already (the state table).
        Stale = "stale",
        /// A failed child over `CHILD_FAILURES_MAX` (the state table).
        ChildFailuresCapped = "child_failures_capped",
    }
}

/// A skipped event: the kind for metrics, the sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

/// What becomes of an event: published, or skipped and why. What `Publish` carries follows the
/// event down the pipeline: nothing yet, then its Publish request (what `preview` shows), then SNS's
/// message id (what the handler answers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<P> {
    Publish(P),
    Skip(Skip),
}

impl<P> Decision<P> {
    /// The same decision, with what is published turned into the next stage's form.
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Decision<Q> {
        match self {
            Decision::Publish(p) => Decision::Publish(f(p)),
            Decision::Skip(skip) => Decision::Skip(skip),
        }
    }
}

/// The handler's answer: `{"published": "<message id>"}` or `{"skipped": "<reason>"}`.
impl<P: Serialize> Serialize for Decision<P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Decision::Publish(published) => map.serialize_entry("published", published)?,
            Decision::Skip(skip) => map.serialize_entry("skipped", &skip.reason)?,
        }
        map.end()
    }
}

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
    if let Some(skip) = child_job_skip(n, settings.child_job_events) {
        return Some(skip);
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

/// An array job's child or a multi-node job's node is notified as `CHILD_JOB_EVENTS` says: the
/// array or multi-node job itself tells the story of the rest.
fn child_job_skip(n: &Notification, setting: ChildJobEvents) -> Option<Skip> {
    let (what, index, _) = n.child()?;
    let job = n.resource.name.as_deref().unwrap_or("(unnamed)");
    let of = if what == "node" {
        "multi-node job"
    } else {
        "array job"
    };
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    match setting {
        ChildJobEvents::All => None,
        ChildJobEvents::Failed if n.outcome == Outcome::Failed => None,
        ChildJobEvents::Failed => skip(
            SkipKind::ChildJob,
            format!(
                "{what} {index} of {of} {job} is {status}: only failed children and nodes are notified (CHILD_JOB_EVENTS=failed)"
            ),
        ),
        ChildJobEvents::None => skip(
            SkipKind::ChildJob,
            format!(
                "{what} {index} of {of} {job}: children and nodes are not notified (CHILD_JOB_EVENTS=none)"
            ),
        ),
    }
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
