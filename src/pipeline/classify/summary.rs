//! The one sentence that says what happened: the first line of the text, the chat message's lead
//! and the document's `summary`.

use std::borrow::Cow;

use super::job_kind::children_counts;
use crate::domain::limits::single_line;
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
                Some(name) => format!(
                    "{who} called {} on {kind} {name}: the call {how}.",
                    n.event_name
                ),
                None => format!("{who} called {}: the call {how}.", n.event_name),
            }
        }
        Family::BatchQueueBlocked => format!("Batch job queue {name} is blocked."),
        Family::BatchJobState if n.child().is_some() => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            let (what, index, _) = n.child().unwrap_or_default();
            let of = if what == "node" {
                "multi-node job"
            } else {
                "array job"
            };
            let mut sentence = format!("{what} {index} of {of} {name} is now {status}.");
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
            // A failed job's reason is what a reader wants first.
            let reason = n
                .status
                .as_ref()
                .and_then(|s| s.reason.as_deref())
                .filter(|_| n.outcome == Outcome::Failed && n.family != Family::S3BatchJob);
            let mut sentence = match reason {
                Some(reason) => format!("{kind} {name} is now {status}: {reason}."),
                None => format!("{kind} {name} is now {status}."),
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
