//! AWS Batch's own events: job state changes, blocked job queues, service job state changes.

use serde_json::Value;

use super::fields::{fact, scalar_text, short_name, text_at};
use super::links::{Console, JobPage};
use super::statuses::{self, Phase};
use super::{base, job_kind, job_logs, links};
use crate::domain::limits::{MAX_NAME, MAX_TEXT, thousands};
use crate::domain::model::{
    ChildKind, Family, LogStream, Notification, Outcome, Resource, ResourceKind, Status,
};
use crate::pipeline::parse::{Envelope, EventError};

/// Classifies a native event whose detail was redacted while it was parsed.
pub(super) fn classify(
    family: Family,
    envelope: Envelope,
    detail: Value,
) -> Result<Notification, EventError> {
    let missing = |what: &str| EventError::Detail {
        detail_type: envelope.detail_type.clone(),
        message: format!("`{what}` is missing"),
    };
    let text = |key: &str, max: usize| text_at(&detail, key, max);
    let status_value = text("status", MAX_NAME).ok_or_else(|| missing("status"))?;
    let job_id = text("jobId", MAX_NAME);
    let job_name = text("jobName", MAX_NAME);
    let job_arn = text("jobArn", MAX_NAME);
    let job_queue = text("jobQueue", MAX_NAME);
    let status_reason = text("statusReason", MAX_TEXT);
    let job_definition = text("jobDefinition", MAX_NAME);
    let service_job_type = text("serviceJobType", MAX_NAME);
    if job_id.is_none() && job_name.is_none() && job_arn.is_none() {
        return Err(missing("jobId"));
    }
    let known = statuses::lookup(statuses::BATCH_JOB_STATES, &status_value);
    let job_kind = if family == Family::BatchServiceJobState {
        ResourceKind::ServiceJob
    } else {
        ResourceKind::Job
    };
    let job_label = job_name
        .clone()
        .or_else(|| job_id.clone())
        .or_else(|| job_arn.as_deref().map(|a| short_name(a).to_owned()));

    let resource = if family == Family::BatchQueueBlocked {
        Resource {
            kind: ResourceKind::JobQueue,
            name: job_queue.as_deref().map(|q| short_name(q).to_owned()),
            id: None,
            arn: job_queue.clone().filter(|q| q.starts_with("arn:")),
        }
    } else {
        Resource {
            kind: job_kind,
            name: job_label.clone(),
            id: job_id.clone(),
            arn: job_arn.clone(),
        }
    };
    let event_name = envelope.detail_type.clone();
    let mut n = base(family, envelope, event_name, resource);
    n.outcome = match (family, known) {
        (Family::BatchQueueBlocked, _) | (_, None) => Outcome::InProgress,
        (_, Some(s)) => s.outcome,
    };
    let container = last_container(&detail);
    let reason = explained_reason(status_reason, n.outcome, container);
    n.status = Some(Status {
        value: status_value,
        reason,
        terminal: known.map(|s| s.phase == Phase::Terminal),
    });

    if family == Family::BatchQueueBlocked {
        if let Some(job) = &job_label {
            n.facts
                .push(fact("blocked_job", "Blocked job", job.clone()));
        }
    } else {
        if let Some(meaning) = known.map(|s| s.meaning) {
            n.facts.push(fact("status_meaning", "Meaning", meaning));
        }
        if let Some(queue) = &job_queue {
            n.facts
                .push(fact("job_queue", "Job queue", short_name(queue)));
        }
    }
    if let Some(definition) = job_definition {
        n.facts.push(fact(
            "job_definition",
            "Job definition",
            short_name(&definition),
        ));
    }
    if let Some(kind) = service_job_type {
        n.facts
            .push(fact("service_job_type", "Service job type", kind));
    }
    if family == Family::BatchJobState {
        add_job_kind(&mut n, &detail, job_id.as_deref());
    }
    add_attempt_facts(&mut n, &detail, container);
    let log = container.and_then(|c| job_logs::job_log(&detail, c));
    if let Some(log) = log.as_ref().filter(|log| log.named) {
        n.facts
            .push(fact("log_group", "Log group", log.group.clone()));
    }

    if let Some(console) = Console::of(n.region.as_deref()) {
        if let Some(id) = &job_id {
            add_job_links(&mut n, &console, id);
        }
        if let Some(log) = &log {
            n.links
                .push(links::log_stream(&console, &log.group, &log.stream));
        }
        if let Some(queue) = &job_queue {
            n.links.extend(links::batch_resource(
                &console,
                ResourceKind::JobQueue,
                queue,
            ));
        }
    }
    n.log = log.map(|log| LogStream {
        group: log.group,
        stream: log.stream,
    });
    n.detail.value = detail;
    Ok(n)
}

/// The job's console page, and its array or multi-node job's page when it is a child or node.
fn add_job_links(n: &mut Notification, console: &Console, job_id: &str) {
    let array = n.array.as_ref().map(|a| (a.index.is_some(), &a.parent_id));
    let node = n.node.as_ref().map(|m| (m.index.is_some(), &m.job_id));
    let (own_page, parent) = match (array, node) {
        (Some((false, _)), _) => (JobPage::Array, None),
        (_, Some((false, _))) => (JobPage::MultiNode, None),
        (Some((true, parent)), _) => (JobPage::Job, Some((JobPage::Array, parent))),
        (_, Some((true, parent))) => (JobPage::Job, Some((JobPage::MultiNode, parent))),
        (None, None) => (JobPage::Job, None),
    };
    let parent = parent.map(|(page, id)| links::batch_job(console, page, id));
    n.links.push(links::batch_job(console, own_page, job_id));
    n.links.extend(parent);
}

/// Whether the job is an array job or a child of one, a multi-node job or one of its nodes, and what
/// that tells a reader.
fn add_job_kind(n: &mut Notification, detail: &Value, job_id: Option<&str>) {
    n.array = job_kind::array_job(detail, job_id);
    n.node = job_kind::node_job(detail, job_id);
    let name = n.resource.name.as_deref().unwrap_or("(unnamed)");
    if let Some(array) = &n.array {
        let children = array
            .size
            .map(|size| format!(", {} children", thousands(size)))
            .unwrap_or_default();
        let fact = match n.child().filter(|c| c.kind == ChildKind::ArrayChild) {
            Some(child) => fact(
                "array_job",
                "Array job",
                format!("{} ({}){children}", child.of(name), child.parent_id),
            ),
            None => match job_kind::children_counts(array) {
                Some(counts) => fact("children", "Children", counts),
                None => fact("array_job", "Array job", format!("array job{children}")),
            },
        };
        n.facts.push(fact);
    }
    if let Some(node) = &n.node {
        let nodes = node
            .num_nodes
            .map(|count| format!(", {count} nodes"))
            .unwrap_or_default();
        let value = match node.index {
            Some(index) => {
                let main = if node.is_main == Some(true) {
                    " (main node)"
                } else {
                    ""
                };
                format!(
                    "node {index}{main} of multi-node job {name} ({}){nodes}",
                    node.job_id
                )
            }
            None => format!("multi-node parallel job{nodes}"),
        };
        n.facts.push(fact("node", "Node", value));
    }
}

/// What AWS Batch says when a job's container stops, whether it failed or not: the cause, if any, is
/// in the last attempt's container.
const GENERIC_REASON: &str = "Essential container in task exited";

/// The job's status reason, made to say what happened: Batch's generic reason is replaced by the
/// last attempt's container reason or non-zero exit code when there is one, and dropped from a job
/// that did not fail (it is not news there).
fn explained_reason(
    reason: Option<String>,
    outcome: Outcome,
    container: Option<&Value>,
) -> Option<String> {
    if reason.as_deref() != Some(GENERIC_REASON) {
        return reason;
    }
    if outcome != Outcome::Failed {
        return None;
    }
    let cause = container.and_then(|c| text_at(c, "reason", MAX_TEXT));
    let exit_code = container
        .and_then(|c| c.get("exitCode"))
        .and_then(Value::as_i64)
        .filter(|&code| code != 0);
    match (cause, exit_code) {
        (Some(cause), Some(code)) => Some(format!("{cause} (exit code {code})")),
        (Some(cause), None) => Some(cause),
        (None, Some(code)) => Some(format!("the container exited with code {code}")),
        (None, None) => reason,
    }
}

/// The last attempt's container, or the job's own.
fn last_container(detail: &Value) -> Option<&Value> {
    let last_attempt = detail
        .get("attempts")
        .and_then(Value::as_array)
        .and_then(|a| a.last());
    last_attempt
        .and_then(|a| a.get("container"))
        .or_else(|| detail.get("container"))
}

/// The number of attempts; the last attempt's reason; the exit code, reason and log stream of
/// `container` (the last attempt's, or the job's own).
fn add_attempt_facts(n: &mut Notification, detail: &Value, container: Option<&Value>) {
    let attempts = detail.get("attempts").and_then(Value::as_array);
    if let Some(attempts) = attempts.filter(|a| !a.is_empty()) {
        n.facts
            .push(fact("attempts", "Attempts", attempts.len().to_string()));
    }
    let last_attempt = attempts.and_then(|a| a.last());
    let Some(container) = container else {
        return;
    };
    if let Some(code) = container.get("exitCode").and_then(scalar_text) {
        n.facts.push(fact("exit_code", "Exit code", code));
    }
    if let Some(reason) = text_at(container, "reason", MAX_TEXT) {
        n.facts
            .push(fact("container_reason", "Container reason", reason));
    }
    if let Some(stream) = text_at(container, "logStreamName", MAX_NAME) {
        n.facts.push(fact("log_stream", "Log stream", stream));
    }
    let attempt_reason = last_attempt.and_then(|a| text_at(a, "statusReason", MAX_TEXT));
    if let Some(reason) = attempt_reason.filter(|r| r != GENERIC_REASON) {
        n.facts
            .push(fact("attempt_reason", "Attempt reason", reason));
    }
}
