//! What an event asks of the state store: which item holds what happened, the key of what
//! happened, the job transition to order it by, and the array or multi-node job whose failed
//! children it counts. Pure: from the notification and the settings only.

use chrono::DateTime;

use crate::config::{ChildJobEvents, Settings, Watch};
use crate::domain::fingerprint::content_id;
use crate::domain::model::{ChildKind, Family, Notification, Outcome};
use crate::pipeline::classify::statuses::{self, Phase, StatusInfo};
use crate::ports::state::{
    ARRAY_WAITING, ArrayFacts, CHILD_STAYS, ChildMove, IN_LINE, JobFacts, Transition, WatchAsk,
};

/// What one event asks of the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The table item: `event#<id>` for one event, `job#<id>` (also `service-job#`, `s3-job#`) for
    /// a job whose transitions are ordered.
    pub item: String,
    /// The identity of what happened: CloudTrail's event id, or a job's status and event time.
    pub key: String,
    /// The transition this event reports, for an item that orders a job's events.
    pub order: Option<Transition>,
    /// A failed child or node counted against `CHILD_FAILURES_MAX`: its parent's item and its
    /// index.
    pub failed_child_of: Option<(String, u64)>,
    /// An array or multi-node job's final event, which says how many failed children were told.
    pub tells_children: bool,
    /// A job's transition into a state the stuck-job watch watches: when it is overdue.
    pub watch: Option<WatchAsk>,
}

/// The plan for `n`. An event with no id to know it by (a hand-made or trimmed one) is known by
/// its content; a job event without a time or a job id is then only told once, not ordered.
pub fn plan(n: &Notification, settings: &Settings) -> Plan {
    let (item, key, order) = identity(n).unwrap_or_else(|| {
        let detail = n.detail.value.to_string();
        // Two accounts (or regions) may send the same detail: where it comes from is part of it.
        let place = [n.account.as_deref(), n.region.as_deref()].map(|p| p.unwrap_or(""));
        let id = content_id(&[&n.source, &n.detail_type, place[0], place[1], &detail]);
        (format!("event#{id}"), id, None)
    });
    let child = n.child();
    let failed_child_of = child
        .filter(|_| {
            n.outcome == Outcome::Failed
                && settings.filter.child_job_events == ChildJobEvents::Failed
        })
        .map(|child| (format!("job#{}", child.parent_id), child.index));
    let is_parent = child.is_none() && (n.array.is_some() || n.node.is_some());
    let tells_children = is_parent
        && settings.filter.child_job_events == ChildJobEvents::Failed
        && n.status.as_ref().and_then(|s| s.terminal) == Some(true);
    let watch = watch(n, order.as_ref(), settings);
    Plan {
        item,
        key,
        order,
        failed_child_of,
        tells_children,
        watch,
    }
}

/// A blocked queue's event names the job at its head and why: kept on that job's item while the
/// watch watches RUNNABLE.
pub fn blocked(n: &Notification, settings: &Settings) -> Option<(String, String)> {
    if n.family != Family::BatchQueueBlocked || settings.state.watch.minutes(IN_LINE).is_none() {
        return None;
    }
    let job = n.detail.value.get("jobId")?.as_str()?;
    let code = n.blocked.as_ref()?.code.clone();
    Some((format!("job#{job}"), code))
}

/// A job (not an array job's child nor a node: their parent is watched) entering a watched
/// state is overdue that many minutes after its event's time. The item keeps the facts a stuck
/// notice names. An array job is watched through its children (see [`array_stay`]).
fn watch(n: &Notification, order: Option<&Transition>, settings: &Settings) -> Option<WatchAsk> {
    let order = order?;
    if n.family != Family::BatchJobState || n.child().is_some() {
        return None;
    }
    let (status, due_ms) = match array_stay(n, order, &settings.state.watch) {
        Some(stay) => stay,
        None => {
            let minutes = settings.state.watch.minutes(&order.status)?;
            (order.status.clone(), due(order.time_ms, minutes))
        }
    };
    let mut job = job_facts(n);
    job.array = job.array.or(is_array(n).then(|| ArrayFacts {
        size: n.array.as_ref().and_then(|a| a.size),
    }));
    Some(WatchAsk {
        status,
        due_ms,
        job,
    })
}

/// An array job waits while it is PENDING: its children are RUNNABLE until the first one starts,
/// then STARTING until the first one runs, then RUNNING until it ends. Its PENDING transition
/// opens the first of those stays (its children move it on: [`child_move`]). A stay that is not
/// watched but comes before one that is waits for the children without ever being due. An array
/// job that waits for another job (`dependsOn` names one) is waiting for that job, not stuck.
fn array_stay(n: &Notification, order: &Transition, watch: &Watch) -> Option<(String, i64)> {
    if !is_array(n) || !order.status.eq_ignore_ascii_case(ARRAY_WAITING) || depends_on_a_job(n) {
        return None;
    }
    let due_ms = stay_due(CHILD_STAYS[0], order.time_ms, watch)?;
    Some((CHILD_STAYS[0].to_owned(), due_ms))
}

/// When an array job's stay in its children's `stay`, entered at `since_ms`, is due: its limit,
/// never (a later stay is watched) or `None` (no later stay is watched either: out of the watch).
fn stay_due(stay: &str, since_ms: i64, watch: &Watch) -> Option<i64> {
    let at = CHILD_STAYS.iter().position(|s| *s == stay)?;
    if let Some(minutes) = watch.minutes(stay) {
        return Some(due(since_ms, minutes));
    }
    (CHILD_STAYS[at + 1..].iter())
        .any(|later| watch.minutes(later).is_some())
        .then_some(NEVER_DUE)
}

/// A due time no sweep reaches: the stay is kept only for its children to move it on.
const NEVER_DUE: i64 = i64::MAX;

fn due(since_ms: i64, minutes: u32) -> i64 {
    since_ms.saturating_add(i64::from(minutes) * 60_000)
}

/// An array job itself: its event says how many children it has (a single job's event may
/// carry an empty `arrayProperties`).
fn is_array(n: &Notification) -> bool {
    n.child().is_none() && n.node.is_none() && n.array.as_ref().is_some_and(|a| a.size.is_some())
}

fn depends_on_a_job(n: &Notification) -> bool {
    let depends = n.detail.value.get("dependsOn").and_then(|d| d.as_array());
    depends.is_some_and(|list| {
        list.iter().any(|d| {
            d.get("jobId")
                .and_then(|id| id.as_str())
                .is_some_and(|id| !id.is_empty())
        })
    })
}

/// An array job's child that starts or runs moves its parent's watch on, when a stay it ends or
/// one after it is watched: one conditional write on the parent's item, none otherwise.
pub fn child_move(n: &Notification, settings: &Settings, now_ms: i64) -> Option<ChildMove> {
    let child = n.child().filter(|c| c.kind == ChildKind::ArrayChild)?;
    if n.family != Family::BatchJobState {
        return None;
    }
    let order = transition(n, statuses::BATCH_JOB_STATES)?;
    // A child's own RUNNABLE (the first of the stays) ends nothing.
    let at =
        (1..CHILD_STAYS.len()).find(|&at| CHILD_STAYS[at].eq_ignore_ascii_case(&order.status))?;
    let status = CHILD_STAYS[at];
    let watch = &settings.state.watch;
    // The stay just before the child's is the one it ends (a child STARTING ends RUNNABLE): when
    // that one is not kept, nothing is to move.
    stay_due(CHILD_STAYS[at - 1], 0, watch)?;
    let mut job = job_facts(n);
    job.array = Some(ArrayFacts { size: None });
    Some(ChildMove {
        parent: format!("job#{}", child.parent_id),
        status: status.to_owned(),
        time_ms: order.time_ms,
        now_ms,
        next_due_ms: stay_due(status, order.time_ms, watch),
        job,
    })
}

/// The facts a stuck notice names, as a job's event gives them.
fn job_facts(n: &Notification) -> JobFacts {
    let fact = |key: &str| {
        (n.facts.iter())
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
    };
    JobFacts {
        name: n.resource.name.clone(),
        queue: fact("job_queue"),
        definition: fact("job_definition"),
        blocked: n.blocked.as_ref().map(|b| b.code.clone()),
        array: None,
    }
}

/// The item, key and transition of an event with an identity of its own.
fn identity(n: &Notification) -> Option<(String, String, Option<Transition>)> {
    let cloudtrail_id = n.cloudtrail_event_id.as_deref().or(n.event_id.as_deref());
    let identity = match n.family {
        // A stuck notice is claimed on its job's item by the sweep, never through a plan.
        Family::BatchApiCall | Family::BatchQueueBlocked | Family::BatchJobStuck => {
            let id = cloudtrail_id?;
            (format!("event#{id}"), id.to_owned(), None)
        }
        Family::S3BatchJob => match (&n.resource.id, transition(n, statuses::S3_BATCH_STATUSES)) {
            (Some(job), Some(order)) => (
                format!("s3-job#{job}"),
                cloudtrail_id?.to_owned(),
                Some(order),
            ),
            _ => {
                let id = cloudtrail_id?;
                (format!("event#{id}"), id.to_owned(), None)
            }
        },
        Family::BatchJobState | Family::BatchServiceJobState => {
            let job = n.resource.id.as_deref().or(n.resource.arn.as_deref())?;
            let order = transition(n, statuses::BATCH_JOB_STATES)?;
            let kind = if n.family == Family::BatchServiceJobState {
                "service-job"
            } else {
                "job"
            };
            let key = format!("{}@{}", order.status, order.time);
            (format!("{kind}#{job}"), key, Some(order))
        }
    };
    Some(identity)
}

fn transition(n: &Notification, table: &'static [StatusInfo]) -> Option<Transition> {
    let status = n.status.as_ref()?.value.clone();
    let time = n.time.clone()?;
    let time_ms = DateTime::parse_from_rfc3339(&time).ok()?.timestamp_millis();
    Some(Transition {
        rank: rank(table, &status),
        status,
        time,
        time_ms,
    })
}

/// A status's place in a job's life: its row in the status table, final statuses after every
/// other; a status the table does not know yet comes first.
fn rank(table: &'static [StatusInfo], status: &str) -> u32 {
    let Some(position) = table
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case(status))
    else {
        return 0;
    };
    let terminal = table[position].phase == Phase::Terminal;
    (position as u32 + 1) + if terminal { table.len() as u32 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_outrank_every_other_and_the_life_order_holds() {
        let table = statuses::BATCH_JOB_STATES;
        let ranks: Vec<u32> = [
            "SUBMITTED",
            "PENDING",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]
        .iter()
        .map(|s| rank(table, s))
        .collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
        assert!(rank(table, "FAILED") > rank(table, "RUNNING"));
        assert_eq!(rank(table, "SOMETHING_NEW"), 0);
        let s3 = statuses::S3_BATCH_STATUSES;
        assert!(rank(s3, "Complete") > rank(s3, "Failing"));
        assert!(rank(s3, "Active") > rank(s3, "New"));
    }

    #[test]
    fn a_later_time_wins_over_a_higher_rank() {
        let at = |time_ms, rank| Transition {
            status: String::new(),
            time: String::new(),
            time_ms,
            rank,
        };
        assert!(at(2_000, 1).is_after(&at(1_000, 9)));
        assert!(at(1_000, 9).is_after(&at(1_000, 1)));
        assert!(!at(1_000, 1).is_after(&at(1_000, 1)) && at(1_000, 1).is_same(&at(1_000, 1)));
    }

    fn watch(runnable: u32, starting: u32, running: u32) -> Watch {
        Watch {
            runnable_minutes: runnable,
            starting_minutes: starting,
            running_minutes: running,
        }
    }

    #[test]
    fn an_array_jobs_stay_is_due_at_its_limit_never_before_a_watched_one_or_not_kept() {
        assert_eq!(
            stay_due("RUNNABLE", 1_000, &watch(60, 15, 0)),
            Some(3_601_000)
        );
        // RUNNABLE is not watched, STARTING is: kept for the children to move it on, never due.
        assert_eq!(
            stay_due("RUNNABLE", 1_000, &watch(0, 15, 0)),
            Some(NEVER_DUE)
        );
        assert_eq!(stay_due("STARTING", 1_000, &watch(60, 0, 0)), None);
        assert_eq!(
            stay_due("STARTING", 1_000, &watch(0, 0, 30)),
            Some(NEVER_DUE)
        );
        assert_eq!(stay_due("RUNNING", 1_000, &watch(60, 15, 0)), None);
        assert_eq!(stay_due("RUNNABLE", 1_000, &watch(0, 0, 0)), None);
    }
}
