//! What the lookups' answers add to a notification: facts, links, log lines, a severity that the
//! task counts raise, and one line for each part that could not be had.

use super::log_lines::log_lines;
use crate::config::EnrichSource;
use crate::domain::limits::{MAX_NAME, MAX_TEXT, bounded, thousands};
use crate::domain::model::{Fact, Notification, TaskCounts, Unavailable};
use crate::pipeline::classify::{links, severity, short_name, summary};
use crate::ports::lookups::{Found, JobReport, Missing, QueueHead, ReportLocation, S3JobReport};

/// Adds `found` to `n`.
pub fn apply(n: &mut Notification, found: Found) {
    if let Some(answer) = found.s3_job {
        match answer {
            Ok(report) => add_s3_job(n, report),
            Err(why) => missing(n, EnrichSource::S3Jobs, "task counts", &why),
        }
    }
    if let Some(answer) = found.job_log {
        match answer {
            Ok(lines) => n.log_lines = log_lines(lines, &n.detail.secrets),
            Err(why) => missing(n, EnrichSource::JobLogs, "log lines", &why),
        }
    }
    if let Some(answer) = found.job {
        match answer {
            Ok(job) => add_job(n, job),
            Err(why) => missing(n, EnrichSource::Jobs, "job details", &why),
        }
    }
    if let Some(answer) = found.queue {
        match answer {
            Ok(head) => add_place_in_line(n, &head),
            Err(why) => missing(n, EnrichSource::Queues, "place in the queue", &why),
        }
    }
}

/// Where the job is in its queue's line: at the head (the queue or its compute environments hold
/// it), further back (jobs ahead of it do), or not among the jobs AWS Batch lists.
fn add_place_in_line(n: &mut Notification, head: &QueueHead) {
    let Some(id) = n.resource.id.clone() else {
        return;
    };
    let suffix = format!("/{id}");
    // An array job waits through its children (`<id>:<index>`): its first child in line is its
    // place.
    let child = (n.array.is_some()).then(|| format!("/{id}:"));
    let place = (head.jobs.iter()).position(|job| {
        job.job_arn.as_deref().is_some_and(|arn| {
            arn.ends_with(&suffix) || child.as_deref().is_some_and(|c| arn.contains(c))
        })
    });
    let mut text = match place {
        Some(0) => "first in line".to_owned(),
        Some(i) => format!("number {} in line", i + 1),
        None if head.jobs.is_empty() => {
            "not in line: AWS Batch lists no job at the head".to_owned()
        }
        None => format!("not among the first {} jobs in line", head.jobs.len()),
    };
    let since = place.and_then(|i| head.jobs[i].since_ms).and_then(rfc3339);
    if let Some(since) = since {
        text.push_str(&format!(" since {since}"));
    }
    if let Some(as_of) = head.last_updated_ms.and_then(rfc3339) {
        text.push_str(&format!(" (as of {as_of})"));
    }
    n.facts.push(fact("queue_place", "Place in queue", text));
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn missing(n: &mut Notification, source: EnrichSource, what: &'static str, why: &Missing) {
    n.unavailable.push(Unavailable {
        source,
        what,
        reason: bounded(why.to_string(), MAX_NAME),
    });
}

fn fact(key: &'static str, label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        key,
        label,
        value: bounded(value.into(), MAX_TEXT),
    }
}

fn add_s3_job(n: &mut Notification, mut job: S3JobReport) {
    add_task_counts(n, &job);
    n.tasks = Some(TaskCounts {
        total: job.total_tasks,
        failed: job.failed_tasks.unwrap_or(0),
    });
    summary::add_failed_tasks(n);
    (n.severity, n.severity_reasons) = severity::assess(n);
    let confirmation_required = job.confirmation_required == Some(true);
    let report = job.report.take();
    add_why(n, job);
    if confirmation_required && status_is(n, "Suspended") {
        add_action_needed(n);
    }
    if let Some(report) = report.filter(|r| r.enabled) {
        add_report(n, report);
    }
}

fn status_is(n: &Notification, status: &str) -> bool {
    n.status.as_ref().is_some_and(|s| s.value == status)
}

/// The operation, the task counts and how long the job has run.
fn add_task_counts(n: &mut Notification, job: &S3JobReport) {
    if let Some(operation) = &job.operation {
        n.facts
            .push(fact("operation", "Operation", operation.as_str()));
    }
    if let Some(total) = job.total_tasks {
        let done = |count: Option<i64>| count.map_or("?".to_owned(), thousands);
        let (succeeded, failed) = (done(job.succeeded_tasks), done(job.failed_tasks));
        n.facts.push(fact(
            "tasks",
            "Tasks",
            format!(
                "{} total: {succeeded} succeeded, {failed} failed",
                thousands(total)
            ),
        ));
    }
    if let Some(seconds) = job.active_seconds {
        n.facts
            .push(fact("time_active", "Time active", duration(seconds)));
    }
}

/// Why the job failed or stopped: its failure reasons, status reason, cause, description and
/// priority.
fn add_why(n: &mut Notification, job: S3JobReport) {
    let reasons: Vec<String> = job
        .failure_reasons
        .iter()
        .map(|f| match (&f.code, &f.reason) {
            (Some(code), Some(reason)) => format!("{code}: {reason}"),
            (Some(text), None) | (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        })
        .filter(|text| !text.is_empty())
        .collect();
    if !reasons.is_empty() {
        n.facts.push(fact(
            "failure_reasons",
            "Failure reasons",
            reasons.join("; "),
        ));
    }
    for (key, label, value) in [
        (
            "status_update_reason",
            "Status reason",
            job.status_update_reason,
        ),
        ("suspended_cause", "Suspended because", job.suspended_cause),
        ("description", "Description", job.description),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            n.facts.push(fact(key, label, value));
        }
    }
    if let Some(priority) = job.priority {
        n.facts
            .push(fact("priority", "Priority", priority.to_string()));
    }
}

/// A job suspended for confirmation waits for a person: how to run it.
fn add_action_needed(n: &mut Notification) {
    let id = n.resource.id.as_deref().unwrap_or("<job id>");
    n.facts.push(fact(
            "action_needed",
            "Action needed",
            format!(
                "the job waits for a person to confirm it: open it in the S3 console (Batch Operations) and choose Run job, or run `aws s3control update-job-status --account-id {} --job-id {id} --requested-job-status Ready`",
                n.account.as_deref().unwrap_or("<account>")
            ),
        ));
}

/// Where the completion report is, and its console link.
fn add_report(n: &mut Notification, report: ReportLocation) {
    let bucket = report.bucket.as_deref().map(short_name).unwrap_or_default();
    let prefix = report.prefix.unwrap_or_default();
    let scope = match report.scope.as_deref() {
        Some("FailedTasksOnly") => ", failed tasks only",
        Some("AllTasks") => ", all tasks",
        _ => "",
    };
    let format = report.format.map(|f| format!(", {f}")).unwrap_or_default();
    let place = format!("s3://{bucket}/{}", prefix.trim_matches('/'));
    n.facts.push(fact(
        "completion_report",
        "Completion report",
        format!("{}{format}{scope}", place.trim_end_matches('/')),
    ));
    if let (Some(console), Some(id), false) = (
        links::Console::of(n.region.as_deref()),
        n.resource.id.as_deref(),
        bucket.is_empty(),
    ) {
        n.links
            .push(links::s3_job_report(&console, bucket, &prefix, id));
    }
}

fn add_job(n: &mut Notification, job: JobReport) {
    if let Some(name) = job.name {
        if n.resource.name.is_none() || n.resource.name == n.resource.id {
            n.resource.name = Some(bounded(name.clone(), MAX_NAME));
        }
        n.facts.push(fact("job_name", "Job name", name));
    }
    if let Some(queue) = job.queue {
        n.facts
            .push(fact("job_queue", "Job queue", short_name(&queue)));
    }
    if let Some(status) = job.status {
        let value = match job.status_reason {
            Some(reason) => format!("{status} ({reason})"),
            None => status,
        };
        n.facts.push(fact("job_status", "Job status", value));
    }
}

/// Seconds as a person reads a duration: `2 h 5 min`, `3 min 20 s`, `45 s`.
fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_read_as_people_write_them() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(200), "3 min 20 s");
        assert_eq!(duration(7500), "2 h 5 min");
    }

    #[test]
    fn a_stuck_jobs_place_in_line_says_whether_it_is_at_the_head_and_since_when() {
        use crate::pipeline::classify::stuck::{Place, notice};
        use crate::ports::lookups::HeadJob;
        use crate::ports::state::{JobFacts, Watched};
        let watched = Watched {
            status: "RUNNABLE".into(),
            since_ms: 1_762_135_205_000,
            due_ms: 1_762_138_805_000,
            job: JobFacts::default(),
        };
        let job = |id: &str, since_ms| HeadJob {
            job_arn: Some(format!("arn:aws:batch:us-east-1:123456789012:job/{id}")),
            since_ms: Some(since_ms),
        };
        let place = |jobs: Vec<HeadJob>| {
            let mut n = notice("job#j-2", &watched, 1_762_139_105_000, &Place::default());
            let head = QueueHead {
                jobs,
                last_updated_ms: Some(1_762_139_000_000),
            };
            add_place_in_line(&mut n, &head);
            n.fact("queue_place").map(str::to_owned)
        };
        let as_of = " (as of 2025-11-03T03:03:20Z)";
        assert_eq!(
            place(vec![job("j-2", 1_762_135_800_000)]).unwrap(),
            format!("first in line since 2025-11-03T02:10:00Z{as_of}")
        );
        assert_eq!(
            place(vec![
                job("j-1", 1),
                job("j-12", 2),
                job("j-2", 1_762_135_800_000)
            ])
            .unwrap(),
            format!("number 3 in line since 2025-11-03T02:10:00Z{as_of}")
        );
        assert_eq!(
            place(vec![job("j-1", 1), job("j-12", 2)]).unwrap(),
            format!("not among the first 2 jobs in line{as_of}")
        );
        assert!(
            place(vec![])
                .unwrap()
                .starts_with("not in line: AWS Batch lists no job")
        );
    }
}
