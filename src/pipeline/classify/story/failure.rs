//! Why an attempt or a job failed: a table of the texts AWS Batch writes, read top to bottom, then
//! the exit code. Adding a cause is a row.

use crate::domain::duration::human;
use crate::domain::model::{Failure, FailureKind};
use crate::domain::search::find;

/// A text that marks a cause in an attempt's or container's reason: at its start (the sentences
/// AWS Batch writes), or anywhere (an error's name, which may follow a prefix).
#[derive(Clone, Copy, Debug)]
pub struct FailureRule {
    pub at: At,
    pub text: &'static str,
    pub kind: FailureKind,
    pub explanation: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Start,
    Anywhere,
}

const fn rule(
    at: At,
    text: &'static str,
    kind: FailureKind,
    explanation: &'static str,
) -> FailureRule {
    FailureRule {
        at,
        text,
        kind,
        explanation,
    }
}

impl FailureRule {
    fn matches(&self, reason: &str) -> bool {
        match self.at {
            At::Start => reason.starts_with(self.text),
            At::Anywhere => find(reason, self.text).is_some(),
        }
    }
}

use At::{Anywhere, Start};
use FailureKind::{Cancelled, Infrastructure, OutOfMemory, Timeout};

/// What the queue's time limit writes when it removes a job stuck in RUNNABLE.
pub const TIME_LIMIT_CANCELLED: &str =
    "the queue's time limit cancelled it after it waited for capacity";

/// The first two rows: the queue's time limit, which the job's own reason names.
const TIME_LIMIT_RULES: usize = 2;

#[rustfmt::skip]
pub const FAILURE_RULES: &[FailureRule] = &[
    rule(Start,    "Canceled by JobStateTimeLimit action",    Cancelled,      TIME_LIMIT_CANCELLED),
    rule(Start,    "Terminated by JobStateTimeLimit action",  Cancelled,      TIME_LIMIT_CANCELLED),
    rule(Start,    "Host EC2",                                Infrastructure, "the host EC2 instance went away (a Spot reclaim, a scale-in or by hand)"),
    rule(Start,    "Your Spot Task was interrupted",          Infrastructure, "Fargate Spot reclaimed the task"),
    rule(Anywhere, "CannotPullContainerError",                Infrastructure, "the container image could not be pulled"),
    rule(Anywhere, "CannotInspectContainerError",             Infrastructure, "the container runtime could not inspect the container"),
    rule(Anywhere, "DockerTimeoutError",                      Infrastructure, "the container runtime timed out"),
    rule(Start,    "Job attempt duration exceeded timeout",   Timeout,        "the attempt ran past its timeout"),
    rule(Anywhere, "OutOfMemoryError",                        OutOfMemory,    "the container used more memory than it was given"),
];

/// The cause of a failed attempt from its reasons (the attempt's and its container's) and its exit
/// code; `timeout_s` is the job's `timeout.attemptDurationSeconds`, said with a timeout.
pub fn of_attempt(
    reasons: &[&str],
    exit_code: Option<i64>,
    timeout_s: Option<u64>,
) -> Option<Failure> {
    if let Some(rule) = matching(reasons) {
        let explanation = match (rule.kind, timeout_s) {
            (Timeout, Some(limit)) => format!("{} of {}", rule.explanation, human(limit)),
            _ => rule.explanation.to_owned(),
        };
        return Some(Failure {
            kind: rule.kind,
            explanation,
        });
    }
    let code = exit_code.filter(|&code| code != 0)?;
    Some(Failure {
        kind: FailureKind::Application,
        explanation: format!("the job's code exited with code {code}"),
    })
}

/// The first row one of `reasons` matches.
pub fn matching(reasons: &[&str]) -> Option<&'static FailureRule> {
    FAILURE_RULES
        .iter()
        .find(|rule| reasons.iter().any(|reason| rule.matches(reason)))
}

/// A job the queue's time limit cancelled, by its own status reason.
pub fn by_time_limit(job_reason: &str) -> Option<Failure> {
    let rule = FAILURE_RULES[..TIME_LIMIT_RULES]
        .iter()
        .find(|rule| rule.matches(job_reason))?;
    Some(Failure {
        kind: rule.kind,
        explanation: rule.explanation.to_owned(),
    })
}

/// A job cancelled or terminated by a person or a call (`isCancelled`, `isTerminated`).
pub fn cancelled(terminated: bool) -> Failure {
    let how = if terminated {
        "terminated"
    } else {
        "cancelled"
    };
    Failure {
        kind: Cancelled,
        explanation: format!("{how} by a person or a call"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(reasons: &[&str], exit_code: Option<i64>) -> Option<FailureKind> {
        of_attempt(reasons, exit_code, None).map(|f| f.kind)
    }

    #[test]
    fn a_text_anywhere_is_found_where_contains_finds_it() {
        let rule = rule(Anywhere, "OutOfMemoryError", OutOfMemory, "");
        for reason in [
            "OutOfMemoryError",
            "java.lang.OutOfMemoryError: heap",
            "OOutOfMemoryErro",
            "Out Of Memory Error",
            "é OutOfMemoryError é",
            "OutOfMemoryErrorOutOfMemoryError",
            "",
            "O",
        ] {
            assert_eq!(rule.matches(reason), reason.contains(rule.text), "{reason}");
        }
    }

    #[test]
    fn the_texts_aws_batch_writes_are_told_apart() {
        let host = "Host EC2 (instance i-0aaa1111bbbb2222c) terminated.";
        assert_eq!(kind(&[host], None), Some(Infrastructure));
        assert_eq!(
            kind(
                &[
                    "Essential container in task exited",
                    "Your Spot Task was interrupted."
                ],
                Some(137)
            ),
            Some(Infrastructure),
            "the cause wins over the exit code it caused"
        );
        let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s)";
        assert_eq!(kind(&[pull], None), Some(Infrastructure));
        let wrapped = "ResourceInitializationError: CannotPullContainerError: ref not found";
        assert_eq!(
            kind(&[wrapped], None),
            Some(Infrastructure),
            "an error's name anywhere"
        );
        assert_eq!(
            kind(&["the user wrote: Host EC2 went away"], Some(2)),
            Some(FailureKind::Application),
            "a sentence only at the start"
        );
        assert!(by_time_limit("Terminated by JobStateTimeLimit action due to reason: X").is_some());
        assert!(by_time_limit("Host EC2 (instance i-1) terminated.").is_none());
        assert_eq!(
            kind(
                &["OutOfMemoryError: Container killed due to memory usage"],
                Some(137)
            ),
            Some(OutOfMemory)
        );
        assert_eq!(
            kind(&["Task failed due to container exit code 1"], Some(1)),
            Some(FailureKind::Application)
        );
        assert_eq!(kind(&["Essential container in task exited"], Some(0)), None);
        assert_eq!(kind(&[], None), None);
    }

    #[test]
    fn a_timeout_says_its_limit() {
        let failure = of_attempt(
            &["Job attempt duration exceeded timeout"],
            None,
            Some(3_600),
        );
        assert_eq!(
            failure.unwrap().explanation,
            "the attempt ran past its timeout of 1 h 00 min"
        );
        let cancelled = of_attempt(
            &[
                "Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
            ],
            None,
            None,
        );
        assert_eq!(cancelled.unwrap().explanation, TIME_LIMIT_CANCELLED);
    }
}
