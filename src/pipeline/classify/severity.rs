//! Severity rules: a table read top to bottom. Every rule that applies is considered, the highest
//! severity wins, and the reasons of the winning rules are shown to the reader.
//!
//! The README's severity table mirrors this one.

use crate::domain::model::{
    FailureKind, Family, Notification, Outcome, ResourceKind, Severity, TaskCounts, Verb,
};

/// A condition on a classified event.
#[derive(Clone, Copy, Debug)]
pub enum When {
    /// The call was refused for lack of permission.
    Denied,
    /// The call failed for another reason.
    Failed,
    /// The root user made the call.
    ByRoot,
    /// A successful delete of one of these kinds.
    Deleted(&'static [ResourceKind]),
    /// A successful call with one of these verbs.
    Did(&'static [Verb]),
    /// A bulk call that succeeded while some of its jobs did not.
    ItemFailures,
    /// An event of this family whose status is one of these.
    Status(Family, &'static [&'static str]),
    /// Any event of this family.
    Family(Family),
    /// An array job some of whose children failed.
    FailedChildren,
    /// An S3 Batch Operations job that completed with failed tasks (its task counts looked up).
    CompletedWithFailedTasks,
    /// A failed job every failed attempt of which failed for this kind of cause.
    EveryAttemptFailedFor(FailureKind),
}

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub when: When,
    pub severity: Severity,
    pub reason: &'static str,
}

const fn rule(when: When, severity: Severity, reason: &'static str) -> Rule {
    Rule {
        when,
        severity,
        reason,
    }
}

use Severity::{Critical, Warning};

const CRITICAL_DELETES: &[ResourceKind] = &[
    ResourceKind::ComputeEnvironment,
    ResourceKind::JobQueue,
    ResourceKind::SchedulingPolicy,
    ResourceKind::ServiceEnvironment,
];

#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    rule(When::Denied,                                                   Critical, "access was denied"),
    rule(When::ByRoot,                                                   Critical, "the root user made the call"),
    rule(When::Deleted(CRITICAL_DELETES),                                Critical, "capacity or scheduling was deleted"),
    rule(When::Status(Family::S3BatchJob, &["Failed"]),                  Critical, "the S3 Batch Operations job failed"),
    rule(When::Status(Family::BatchJobState, &["FAILED"]),               Critical, "the job failed"),
    rule(When::Status(Family::BatchServiceJobState, &["FAILED"]),        Critical, "the service job failed"),
    rule(When::EveryAttemptFailedFor(FailureKind::Infrastructure),       Critical, "every attempt was lost to the infrastructure, not the job's code"),
    rule(When::Failed,                                                   Warning,  "the call failed"),
    rule(When::Did(&[Verb::Cancel, Verb::Terminate]),                    Warning,  "jobs were cancelled or terminated"),
    rule(When::Did(&[Verb::Delete, Verb::Deregister]),                   Warning,  "a resource was deleted or deregistered"),
    rule(When::ItemFailures,                                             Warning,  "some jobs of the bulk call were not processed"),
    rule(When::Status(Family::S3BatchJob, &["Suspended", "Cancelling", "Cancelled", "Failing"]),
                                                                         Warning,  "the S3 Batch Operations job needs attention"),
    rule(When::Family(Family::BatchQueueBlocked),                        Warning,  "the job queue is blocked"),
    rule(When::Family(Family::BatchJobStuck),                            Warning,  "the job stayed in one state past its limit"),
    rule(When::FailedChildren,                                           Warning,  "some children of the array job failed"),
    rule(When::CompletedWithFailedTasks,                                 Warning,  "the job completed with failed tasks"),
];

/// The reason given when no rule applies.
pub const ROUTINE: &str = "routine event";

fn applies(when: When, n: &Notification) -> bool {
    let succeeded = n.outcome == Outcome::Succeeded;
    match when {
        When::Denied => n.outcome == Outcome::Denied,
        When::Failed => n.outcome == Outcome::Failed && n.family == Family::BatchApiCall,
        When::ByRoot => n.actor.as_ref().is_some_and(|a| a.is_root),
        When::Deleted(kinds) => {
            succeeded
                && n.action.as_ref().is_some_and(|a| a.verb == Verb::Delete)
                && kinds.contains(&n.resource.kind)
        }
        When::Did(verbs) => succeeded && n.action.as_ref().is_some_and(|a| verbs.contains(&a.verb)),
        When::ItemFailures => succeeded && n.item_failures > 0,
        When::Status(family, statuses) => {
            n.family == family
                && n.status
                    .as_ref()
                    .is_some_and(|s| statuses.iter().any(|x| x.eq_ignore_ascii_case(&s.value)))
        }
        When::Family(family) => n.family == family,
        When::FailedChildren => n
            .array
            .as_ref()
            .and_then(|a| a.status_summary.as_ref()?.get("FAILED"))
            .is_some_and(|&failed| failed > 0),
        When::CompletedWithFailedTasks => completed_with_failed_tasks(n).is_some(),
        When::EveryAttemptFailedFor(kind) => {
            let mut failed = n.attempts.iter().filter_map(|a| a.failure).peekable();
            n.outcome == Outcome::Failed && failed.peek().is_some() && failed.all(|k| k == kind)
        }
    }
}

/// The task counts of an S3 Batch Operations job that completed with failed tasks.
pub fn completed_with_failed_tasks(n: &Notification) -> Option<TaskCounts> {
    let complete =
        n.family == Family::S3BatchJob && n.status.as_ref().is_some_and(|s| s.value == "Complete");
    n.tasks.filter(|tasks| complete && tasks.failed > 0)
}

/// The severity of an event and the reasons for it.
pub fn assess(n: &Notification) -> (Severity, Vec<&'static str>) {
    let matched: Vec<&Rule> = RULES.iter().filter(|r| applies(r.when, n)).collect();
    let Some(severity) = matched.iter().map(|r| r.severity).max() else {
        return (Severity::Info, vec![ROUTINE]);
    };
    let reasons = matched
        .iter()
        .filter(|r| r.severity == severity)
        .map(|r| r.reason)
        .collect();
    (severity, reasons)
}
