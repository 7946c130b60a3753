//! The one sentence that says what happened: the first line of the text, the chat message's lead
//! and the document's `summary`.

use std::borrow::Cow;

use super::job_kind::children_counts;
use super::severity::completed_with_failed_tasks;
use crate::domain::limits::{single_line, thousands};
use crate::domain::model::{Family, Notification, Outcome};

pub(super) fn summary(n: &Notification) -> String {
    let kind = n.resource.kind.label();
    let name = n.resource.name.as_deref().unwrap_or("(unnamed)");
    let sentence = match n.family {
        Family::BatchApiCall => {
            let who = n.actor.as_ref().map_or("someone", |a| a.short.as_str());
            let how = match n.outcome {
                Outcome::Denied => "was denied",
                Outcome::Failed => "failed",
                _ => "succeeded",
            };
            match &n.resource.name {
                Some(name) => [
                    who,
                    " called ",
                    &n.event_name,
                    " on ",
                    kind,
                    " ",
                    name,
                    ": the call ",
                    how,
                    ".",
                ]
                .concat(),
                None => [who, " called ", &n.event_name, ": the call ", how, "."].concat(),
            }
        }
        Family::BatchQueueBlocked => format!("Batch job queue {name} is blocked."),
        Family::BatchJobStuck => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            let stay = n.fact("stuck_for").unwrap_or("longer than its limit");
            let job = if n.array.is_some() {
                "Array job"
            } else {
                "Job"
            };
            let place = n
                .fact("job_queue")
                .map(|queue| format!(" in {queue}"))
                .unwrap_or_default();
            let why = n
                .fact("children")
                .map(|children| format!(": {children}"))
                .unwrap_or_default();
            format!("{job} {name} has been {status} for {stay}{place}{why}.")
        }
        Family::BatchJobState if let Some(child) = n.child() => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            let mut sentence = match failed_because(n) {
                Some(reason) => [&child.of(name), " is now ", status, ": ", &reason, "."].concat(),
                None => [&child.of(name), " is now ", status, "."].concat(),
            };
            sentence[..1].make_ascii_uppercase();
            sentence
        }
        Family::BatchJobState if n.array.as_ref().is_some_and(|a| a.status_summary.is_some()) => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            let counts = n
                .array
                .as_ref()
                .and_then(children_counts)
                .unwrap_or_default();
            format!("Array job {name} is now {status}: {counts}.")
        }
        Family::S3BatchJob | Family::BatchJobState | Family::BatchServiceJobState => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            let reason = (n.family != Family::S3BatchJob)
                .then(|| failed_because(n))
                .flatten();
            let retry = n.retry.as_ref().map(|retry| retry.phrase());
            let mut sentence = match reason.or(retry) {
                // Most notifications' first line: its parts joined, sized once.
                Some(reason) => [kind, " ", name, " is now ", status, ": ", &reason, "."].concat(),
                None => [kind, " ", name, " is now ", status, "."].concat(),
            };
            // Kind labels are ASCII: the first byte is the first character.
            sentence[..1].make_ascii_uppercase();
            sentence
        }
    };
    match single_line(&sentence) {
        Cow::Owned(single) => single,
        Cow::Borrowed(_) => sentence,
    }
}

/// A failed job's reason, which is what a reader wants first: its status reason, else why it
/// failed; without the full stop the sentence adds.
fn failed_because(n: &Notification) -> Option<String> {
    if n.outcome != Outcome::Failed {
        return None;
    }
    let reason = (n.status.as_ref().and_then(|s| s.reason.clone()))
        .or_else(|| n.failure.as_ref().map(|f| f.explanation.clone()))?;
    Some(reason.trim_end_matches('.').to_owned())
}

/// The headline of an S3 Batch Operations job that completed with failed tasks, once its task
/// counts are looked up: `… (12 task(s) of 1,000 failed)`.
pub fn add_failed_tasks(n: &mut Notification) {
    let Some(tasks) = completed_with_failed_tasks(n) else {
        return;
    };
    let total = (tasks.total).map_or(String::new(), |t| format!(" of {}", thousands(t)));
    n.summary = format!(
        "{} ({} task(s){total} failed)",
        n.summary,
        thousands(tasks.failed)
    );
}
