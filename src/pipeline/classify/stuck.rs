//! The stuck-job watch's two notices, from what a job's item recorded: a job that stayed in a
//! watched state past its limit (no event says so: the sweep finds it), and the follow-up on the
//! job's next transition, which says how long the stay lasted.

use super::links::{self, Console, JobPage};
use super::story::{blocked, blocked_facts};
use super::{base, fields::fact, severity, summary, thread_key};
use crate::domain::duration::human;
use crate::domain::limits::thousands;
use crate::domain::model::{
    ArrayJob, Family, Notification, Outcome, Resource, ResourceKind, Status,
};
use crate::pipeline::parse::Envelope;
use crate::ports::state::{Stuck, Watched};

/// Where the sweep runs: the account and region of its schedule, which the jobs it watches share.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub account: Option<String>,
    pub region: Option<String>,
}

/// The notice of the job of `item` (`job#<id>`) that is still in `watched`'s state at `now_ms`.
pub fn notice(item: &str, watched: &Watched, now_ms: i64, place: &Place) -> Notification {
    let id = item.strip_prefix("job#").unwrap_or(item);
    let envelope = Envelope {
        id: Some(format!(
            "stuck-{id}-{}-{}",
            watched.status, watched.since_ms
        )),
        source: "batch-notifier".to_owned(),
        detail_type: "Batch Job Stuck".to_owned(),
        account: place.account.clone(),
        region: place.region.clone(),
        time: chrono::DateTime::from_timestamp_millis(now_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    };
    let resource = Resource {
        kind: ResourceKind::Job,
        name: watched.job.name.clone().or_else(|| Some(id.to_owned())),
        id: Some(id.to_owned()),
        arn: None,
    };
    let mut n = base(
        Family::BatchJobStuck,
        envelope,
        "Batch Job Stuck".to_owned(),
        resource,
    );
    n.outcome = Outcome::InProgress;
    n.status = Some(Status {
        value: watched.status.clone(),
        reason: None,
        terminal: Some(false),
    });
    let stay = u64::try_from(now_ms.saturating_sub(watched.since_ms) / 1000).unwrap_or(0);
    n.facts.push(fact("stuck_for", "Stuck for", human(stay)));
    if let Some(since) = chrono::DateTime::from_timestamp_millis(watched.since_ms) {
        let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        n.facts
            .push(fact("stuck_since", "In this state since", since));
    }
    if let Some(queue) = &watched.job.queue {
        n.facts.push(fact("job_queue", "Job queue", queue.clone()));
    }
    if let Some(definition) = &watched.job.definition {
        n.facts
            .push(fact("job_definition", "Job definition", definition.clone()));
    }
    // The last blocked-queue reason AWS Batch gave for the job in this stay, and what it means.
    n.blocked = watched.job.blocked.as_deref().and_then(blocked::reason);
    if let Some(reason) = &n.blocked {
        n.facts.extend(blocked_facts(reason, "Last blocked reason"));
    }
    let page = match watched.job.array {
        Some(array) => {
            n.array = Some(ArrayJob {
                parent_id: id.to_owned(),
                index: None,
                size: array.size,
                status_summary: None,
            });
            if let Some(children) = children_waiting(&watched.status, array.size) {
                n.facts.push(fact("children", "Children", children));
            }
            JobPage::Array
        }
        None => JobPage::Job,
    };
    if let Some(console) = Console::of(place.region.as_deref()) {
        n.links.push(links::batch_job(&console, page, id));
    }
    n.thread_key = thread_key(&n);
    n.summary = summary::summary(&n);
    (n.severity, n.severity_reasons) = severity::assess(&n);
    n
}

/// What an array job's children are doing in its stay: why it counts as stuck.
fn children_waiting(stay: &str, size: Option<u64>) -> Option<String> {
    let children = match size {
        Some(size) => format!("its {} children", thousands(size)),
        None => "its children".to_owned(),
    };
    match stay {
        "RUNNABLE" => Some(format!("none of {children} has started")),
        "STARTING" => Some(format!("{children} are starting; none has run yet")),
        _ => None,
    }
}

/// The follow-up: `n`, a job's transition at `time_ms`, ends a stay that was told stuck, and says
/// how long it lasted ("now STARTING, after 2 h 04 min in RUNNABLE").
pub fn moved_on(n: &mut Notification, stuck: &Stuck, time_ms: i64) {
    let stay = u64::try_from(time_ms.saturating_sub(stuck.since_ms) / 1000).unwrap_or(0);
    let after = format!("after {} in {}", human(stay), stuck.status);
    n.facts
        .push(fact("stuck_before", "Was stuck", after.clone()));
    // "Job X is now STARTING." reads on; a sentence with more to say keeps it.
    match n.summary.strip_suffix('.') {
        Some(plain) if !plain.contains(':') => n.summary = format!("{plain}, {after}."),
        _ => n.summary.push_str(&format!(" It had been stuck {after}.")),
    }
}
