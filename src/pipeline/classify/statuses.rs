//! Status tables: S3 Batch Operations job statuses and AWS Batch job states.
//!
//! A status missing from these tables (a future one) is shown as it is, with an unknown phase.

use crate::domain::model::Outcome;

/// Where a status stands in a job's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// On the way somewhere else; `SKIP_TRANSITIONAL_STATUSES` drops these.
    Transitional,
    /// Waiting for a person (an S3 job awaiting confirmation): never skipped as transitional.
    AwaitingAction,
    /// The job will not change again.
    Terminal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusInfo {
    pub name: &'static str,
    pub phase: Phase,
    pub outcome: Outcome,
    /// A plain-words gloss shown in the text.
    pub meaning: &'static str,
}

const fn status(
    name: &'static str,
    phase: Phase,
    outcome: Outcome,
    meaning: &'static str,
) -> StatusInfo {
    StatusInfo {
        name,
        phase,
        outcome,
        meaning,
    }
}

use Outcome::{Cancelled, Failed, InProgress, Succeeded};
use Phase::{AwaitingAction, Terminal, Transitional};

#[rustfmt::skip]
pub const S3_BATCH_STATUSES: &[StatusInfo] = &[
    status("New",        Transitional,   InProgress, "the job was created"),
    status("Preparing",  Transitional,   InProgress, "S3 is reading the manifest"),
    status("Suspended",  AwaitingAction, InProgress, "the job waits for confirmation before it runs"),
    status("Ready",      Transitional,   InProgress, "the job is ready to run"),
    status("Active",     Transitional,   InProgress, "the job is running"),
    status("Pausing",    Transitional,   InProgress, "the job is pausing"),
    status("Paused",     Transitional,   InProgress, "the job is paused"),
    status("Completing", Transitional,   InProgress, "the job is finishing"),
    status("Complete",   Terminal,       Succeeded,  "the job finished (individual tasks may still have failed: see its completion report)"),
    status("Cancelling", Transitional,   InProgress, "the job is being cancelled"),
    status("Cancelled",  Terminal,       Cancelled,  "the job was cancelled"),
    status("Failing",    Transitional,   InProgress, "the job is failing"),
    status("Failed",     Terminal,       Failed,     "the job failed"),
];

#[rustfmt::skip]
pub const BATCH_JOB_STATES: &[StatusInfo] = &[
    status("SUBMITTED",  Transitional,   InProgress, "the job was submitted"),
    status("PENDING",    Transitional,   InProgress, "the job waits for its dependencies"),
    status("RUNNABLE",   Transitional,   InProgress, "the job waits for capacity"),
    status("SCHEDULED",  Transitional,   InProgress, "the service job is scheduled"),
    status("STARTING",   Transitional,   InProgress, "the job is starting"),
    status("RUNNING",    Transitional,   InProgress, "the job is running"),
    status("SUCCEEDED",  Terminal,       Succeeded,  "the job succeeded"),
    status("FAILED",     Terminal,       Failed,     "the job failed"),
];

/// Looks a status up, ignoring case so that `complete` and `COMPLETE` still match.
pub fn lookup(table: &'static [StatusInfo], name: &str) -> Option<&'static StatusInfo> {
    table.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_s3_status_is_known() {
        for name in [
            "New",
            "Preparing",
            "Suspended",
            "Ready",
            "Active",
            "Pausing",
            "Paused",
            "Complete",
            "Completing",
            "Cancelling",
            "Cancelled",
            "Failing",
            "Failed",
        ] {
            assert!(lookup(S3_BATCH_STATUSES, name).is_some(), "{name}");
        }
        assert!(lookup(S3_BATCH_STATUSES, "Rehydrating").is_none());
    }

    #[test]
    fn terminal_statuses_are_exactly_the_final_ones() {
        let terminal: Vec<_> = S3_BATCH_STATUSES
            .iter()
            .filter(|s| s.phase == Terminal)
            .map(|s| s.name)
            .collect();
        assert_eq!(terminal, ["Complete", "Cancelled", "Failed"]);
        let terminal: Vec<_> = BATCH_JOB_STATES
            .iter()
            .filter(|s| s.phase == Terminal)
            .map(|s| s.name)
            .collect();
        assert_eq!(terminal, ["SUCCEEDED", "FAILED"]);
    }
}
