//! A Batch job's story: its attempts (for every way a job is defined), how long it waited, ran and
//! took, why it failed, whether it is being retried, why its queue is blocked, and whether a
//! cancel is pending. Tables: `failure` (the causes AWS Batch writes) and `blocked` (the queue's
//! reason codes); `attempts` reads the attempts' three shapes.

pub mod attempts;
pub mod blocked;
pub mod failure;

use chrono::{DateTime, SecondsFormat};
use serde_json::Value;

use super::fields::fact;
use super::job_detail::JobDetail;
use crate::domain::duration::{between, human, push_number, write_human};
use crate::domain::model::{
    Attempt, BlockedReason, Fact, Failure, Notification, Outcome, Retry, Timing,
};
use attempts::{Container, RawAttempt};

/// What AWS Batch says when a job's container stops, whether it failed or not: the cause, if any,
/// is in the container's reason and exit code.
pub const GENERIC_REASON: &str = "Essential container in task exited";

/// The facts of one attempt, one row per attempt AWS Batch allows (`retryStrategy.attempts` is
/// at most 10).
const ATTEMPT_FACTS: [(&str, &str); 10] = [
    ("attempt_1", "Attempt 1"),
    ("attempt_2", "Attempt 2"),
    ("attempt_3", "Attempt 3"),
    ("attempt_4", "Attempt 4"),
    ("attempt_5", "Attempt 5"),
    ("attempt_6", "Attempt 6"),
    ("attempt_7", "Attempt 7"),
    ("attempt_8", "Attempt 8"),
    ("attempt_9", "Attempt 9"),
    ("attempt_10", "Attempt 10"),
];

/// A job's attempts and the container that tells its latest one.
pub struct Story {
    pub attempts: Vec<RawAttempt>,
    /// The last attempt's container, or the job's own.
    pub container: Option<Container>,
}

impl Story {
    pub fn read(detail: &JobDetail) -> Story {
        let essential = attempts::essential_names(detail);
        let attempts = attempts::read(detail, &essential);
        let container = (attempts.last())
            .and_then(|a| a.container.clone())
            .or_else(|| attempts::own_container(detail, &essential));
        Story {
            attempts,
            container,
        }
    }
}

/// The job's settings that its story is told against.
struct Limits {
    timeout_s: Option<u64>,
    allowed: Option<u32>,
}

/// Tells `story` on `n`, whose status and outcome are set: attempts, timing, failure, retry,
/// blocked reason and a pending cancel, in the document's fields and as facts.
pub fn tell(n: &mut Notification, detail: &JobDetail, story: &Story) {
    let limits = Limits {
        timeout_s: (detail.timeout)
            .and_then(|t| t.get("attemptDurationSeconds"))
            .and_then(Value::as_u64),
        allowed: (detail.retry_strategy)
            .and_then(|r| r.get("attempts"))
            .and_then(Value::as_u64)
            .and_then(|a| u32::try_from(a).ok()),
    };
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    let terminal = n.status.as_ref().and_then(|s| s.terminal) == Some(true);
    let runnable = status.eq_ignore_ascii_case("RUNNABLE");
    // Each ended attempt's cause, found once: the attempts' list and the job's failure read it.
    let last = story.attempts.len().saturating_sub(1);
    let causes: Vec<Option<Failure>> = (story.attempts.iter().enumerate())
        .map(|(i, attempt)| {
            let ended = i < last || terminal || attempt.stopped_ms.is_some();
            ended.then(|| attempt_failure(attempt, &limits)).flatten()
        })
        .collect();
    n.attempts = attempts(&story.attempts, &causes);
    if n.outcome == Outcome::Failed {
        n.failure = job_failure(detail, story, causes.last().cloned().flatten(), &limits);
    }
    if runnable {
        n.retry = retry(&story.attempts, &limits);
    }
    if terminal {
        n.timing = timing(detail, &story.attempts);
    }
    n.blocked = detail.status_reason().and_then(blocked::reason);
    add_facts(n, terminal, cancel_pending(detail, terminal));
}

fn attempts(raw: &[RawAttempt], causes: &[Option<Failure>]) -> Vec<Attempt> {
    raw.iter()
        .zip(causes)
        .enumerate()
        .map(|(i, (attempt, cause))| {
            let container = attempt.container.as_ref();
            Attempt {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                started_at: attempt.started_ms.and_then(rfc3339),
                duration_seconds: between(attempt.started_ms, attempt.stopped_ms),
                exit_code: container.and_then(|c| c.exit_code),
                reason: reason(attempt),
                container: container.and_then(|c| c.name.clone()),
                pod: attempt.pod.clone(),
                node: attempt.node.clone(),
                failure: cause.as_ref().map(|f| f.kind),
            }
        })
        .collect()
}

/// An attempt's reason, told: its status reason unless it is the generic one, else its
/// container's; never the generic one, which says nothing.
fn reason(attempt: &RawAttempt) -> Option<String> {
    let container_reason = attempt.container.as_ref().and_then(|c| c.reason.clone());
    match attempt.status_reason.clone() {
        Some(reason) if reason != GENERIC_REASON => Some(reason),
        _ => container_reason.filter(|r| r != GENERIC_REASON),
    }
}

fn attempt_failure(attempt: &RawAttempt, limits: &Limits) -> Option<Failure> {
    cause(
        attempt.status_reason.as_deref(),
        attempt.container.as_ref(),
        limits,
    )
}

/// The cause a status reason and a container's reason and exit code give, from the failure table.
fn cause(
    status_reason: Option<&str>,
    container: Option<&Container>,
    limits: &Limits,
) -> Option<Failure> {
    let container_reason = container.and_then(|c| c.reason.as_deref());
    let reasons: &[&str] = match (status_reason, container_reason) {
        (Some(status), Some(container)) => &[status, container],
        (Some(one), None) | (None, Some(one)) => &[one],
        (None, None) => &[],
    };
    failure::of_attempt(
        reasons,
        container.and_then(|c| c.exit_code),
        limits.timeout_s,
    )
}

/// Why the job failed: the queue's time limit, a person's cancel, else its last attempt's cause,
/// else what the job's own reason and container say.
fn job_failure(
    detail: &JobDetail,
    story: &Story,
    last_attempt: Option<Failure>,
    limits: &Limits,
) -> Option<Failure> {
    let job_reason = detail.status_reason();
    if let Some(cancelled) = job_reason.and_then(failure::by_time_limit) {
        return Some(cancelled);
    }
    let terminated = JobDetail::is(detail.is_terminated);
    if terminated || JobDetail::is(detail.is_cancelled) {
        return Some(failure::cancelled(terminated));
    }
    last_attempt.or_else(|| cause(job_reason, story.container.as_ref(), limits))
}

/// A RUNNABLE job with attempts behind it is being tried again.
fn retry(raw: &[RawAttempt], limits: &Limits) -> Option<Retry> {
    let last = raw.last()?;
    let exit_code = last.container.as_ref().and_then(|c| c.exit_code);
    let after = reason(last)
        .filter(|r| r != GENERIC_REASON)
        .or_else(|| exit_code.map(|code| format!("exit code {code}")));
    Some(Retry {
        attempt: u32::try_from(raw.len() + 1).unwrap_or(u32::MAX),
        of: limits.allowed,
        after: after.map(|a| a.trim_end_matches('.').to_owned()),
    })
}

fn timing(detail: &JobDetail, raw: &[RawAttempt]) -> Option<Timing> {
    let (started, stopped) = (
        JobDetail::ms(detail.started_at),
        JobDetail::ms(detail.stopped_at),
    );
    let created = JobDetail::ms(detail.created_at);
    let first_start = raw.first().and_then(|a| a.started_ms).or(started);
    let (last_start, last_stop) = match raw.last() {
        Some(last) => (last.started_ms, last.stopped_ms),
        None => (started, stopped),
    };
    let stop = stopped.or(last_stop);
    // A job that never started waited until it stopped (a cancel, the queue's time limit).
    let waited_until = first_start.or(stop);
    let timing = Timing {
        waited_seconds: between(created, waited_until),
        ran_seconds: between(last_start, last_stop),
        total_seconds: between(created, stop),
        first_start_ms: first_start,
        ..Timing::default()
    };
    let known = [
        timing.waited_seconds,
        timing.ran_seconds,
        timing.total_seconds,
    ];
    known.iter().any(Option::is_some).then_some(timing)
}

/// Splits a final event's wait into its time RUNNABLE and STARTING, from when the job's RUNNABLE
/// and STARTING events arrived (the state table's record; epoch milliseconds).
pub fn split_wait(n: &mut Notification, runnable_ms: Option<i64>, starting_ms: Option<i64>) {
    let Some(timing) = n.timing.as_mut() else {
        return;
    };
    timing.runnable_seconds = between(runnable_ms, starting_ms);
    timing.starting_seconds = between(starting_ms, timing.first_start_ms);
    let waited = waited_text(timing);
    if let Some(fact) = n.facts.iter_mut().find(|f| f.key == "waited") {
        fact.value = waited;
    }
}

fn waited_text(timing: &Timing) -> String {
    let mut text = String::with_capacity(48);
    if let Some(waited) = timing.waited_seconds {
        write_human(&mut text, waited);
    }
    if let (Some(runnable), Some(starting)) = (timing.runnable_seconds, timing.starting_seconds) {
        text.push_str(" (RUNNABLE ");
        write_human(&mut text, runnable);
        text.push_str(", STARTING ");
        write_human(&mut text, starting);
        text.push(')');
    }
    text
}

/// A job asked to stop that has not stopped yet.
fn cancel_pending(detail: &JobDetail, terminal: bool) -> Option<&'static str> {
    let (terminated, cancelled) = (
        JobDetail::is(detail.is_terminated),
        JobDetail::is(detail.is_cancelled),
    );
    match (terminal, terminated, cancelled) {
        (true, _, _) | (false, false, false) => None,
        (false, true, _) => {
            Some("the job was asked to terminate; AWS Batch has not stopped it yet")
        }
        (false, false, true) => {
            Some("the job was asked to cancel; AWS Batch has not stopped it yet")
        }
    }
}

fn add_facts(n: &mut Notification, terminal: bool, pending: Option<&'static str>) {
    let mut facts = Vec::new();
    if let Some(retry) = &n.retry {
        facts.push(fact("retry", "Retry", retry.phrase()));
    }
    if let Some(failure) = &n.failure {
        let label = failure.kind.label();
        let mut value = String::with_capacity(label.len() + 2 + failure.explanation.len());
        value.push_str(label);
        value.push_str(": ");
        value.push_str(&failure.explanation);
        facts.push(fact("failure", "Why it failed", value));
    }
    if let Some(timing) = n.timing.as_ref().filter(|t| t.waited_seconds.is_some()) {
        facts.push(fact("waited", "Waited", waited_text(timing)));
    }
    if let Some(timing) = &n.timing {
        if let Some(ran) = timing.ran_seconds {
            facts.push(fact("ran", "Ran", human(ran)));
        }
        if let Some(total) = timing.total_seconds {
            facts.push(fact("took", "Took", human(total)));
        }
    }
    let several = n.attempts.len() > 1;
    if several || (terminal && n.outcome == Outcome::Failed) {
        for (attempt, (key, label)) in n.attempts.iter().zip(ATTEMPT_FACTS) {
            facts.push(fact(key, label, attempt_text(attempt)));
        }
    }
    if let Some(blocked) = &n.blocked {
        facts.extend(blocked_facts(blocked, "Reason code"));
    }
    if let Some(pending) = pending {
        facts.push(fact("cancel_pending", "Cancel pending", pending));
    }
    n.facts.extend(facts);
}

/// A blocked queue's reason as facts: its code (under `label`), what it means, what usually fixes
/// it, and whether a queue's time limit can act on it.
pub fn blocked_facts(blocked: &BlockedReason, label: &'static str) -> Vec<Fact> {
    let mut facts = vec![fact("reason_code", label, blocked.code.clone())];
    if let Some(meaning) = blocked.meaning {
        facts.push(fact("reason_meaning", "What it means", meaning));
    }
    if let Some(fix) = blocked.fix {
        facts.push(fact("reason_fix", "What usually fixes it", fix));
    }
    let limit = match blocked.time_limit_can_cancel {
        Some(true) => {
            Some("a queue's jobStateTimeLimitActions can cancel jobs blocked for this reason")
        }
        Some(false) => Some("a queue's jobStateTimeLimitActions cannot act on this reason"),
        None => None,
    };
    if let Some(limit) = limit {
        facts.push(fact("time_limit", "Queue time limit", limit));
    }
    facts
}

/// `started 2025-10-22T12:53:40Z, ran 5 min 00 s, exit code 1 (container worker): Task failed due
/// to container exit code 1 [application]`.
fn attempt_text(attempt: &Attempt) -> String {
    let mut text = String::with_capacity(128);
    fn part(text: &mut String, label: &str) {
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(label);
    }
    if let Some(started) = &attempt.started_at {
        part(&mut text, "started ");
        text.push_str(started);
    }
    if let Some(duration) = attempt.duration_seconds {
        part(&mut text, "ran ");
        write_human(&mut text, duration);
    }
    if let Some(code) = attempt.exit_code {
        part(&mut text, "exit code ");
        push_number(&mut text, code);
    }
    if let Some(container) = &attempt.container {
        part(&mut text, "container ");
        text.push_str(container);
    }
    if let Some(pod) = &attempt.pod {
        part(&mut text, "pod ");
        text.push_str(pod);
    }
    if text.is_empty() {
        text.push_str("no times or exit code reported");
    }
    if let Some(reason) = &attempt.reason {
        text.push_str(": ");
        text.push_str(reason);
    }
    if let Some(kind) = attempt.failure {
        text.push_str(" [");
        text.push_str(kind.as_str());
        text.push(']');
    }
    text
}

fn rfc3339(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}
