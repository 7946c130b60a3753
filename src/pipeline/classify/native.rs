//! AWS Batch's own events: job state changes, blocked job queues, service job state changes.

use std::borrow::Cow;

use serde_json::Value;

use super::fields::{fact, short_name, str_of};
use super::job_detail::JobDetail;
use super::links::{Console, JobPage};
use super::statuses::{self, Phase};
use super::story::attempts::Container;
use super::story::{self, GENERIC_REASON, Story};
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
    let read = JobDetail::read(&detail);
    let fields = JobFields::read(&read, &envelope.detail_type)?;
    let known = statuses::lookup(statuses::BATCH_JOB_STATES, &fields.status);
    let event_name = envelope.detail_type.clone();
    let mut n = base(family, envelope, event_name, fields.resource(family));
    n.outcome = match (family, known) {
        (Family::BatchQueueBlocked, _) | (_, None) => Outcome::InProgress,
        (_, Some(s)) => s.outcome,
    };
    let story = Story::read(&read);
    let container = story.container.as_ref();
    n.status = Some(Status {
        value: fields.status.to_string(),
        reason: explained_reason(
            fields.status_reason.as_deref().map(str::to_owned),
            n.outcome,
            container,
        ),
        terminal: known.map(|s| s.phase == Phase::Terminal),
    });
    add_facts(&mut n, &fields, known.map(|s| s.meaning));
    if family == Family::BatchJobState {
        add_job_kind(&mut n, &read, fields.job_id.as_deref());
    }
    add_attempt_facts(&mut n, &story);
    story::tell(&mut n, &read, &story);
    let log = container.and_then(|c| job_logs::job_log(&read, c));
    if let Some(log) = log.as_ref().filter(|log| log.named) {
        n.facts
            .push(fact("log_group", "Log group", log.group.clone()));
    }
    add_links(&mut n, &fields, log.as_ref());
    n.log = log.map(|log| LogStream {
        group: log.group,
        stream: log.stream,
    });
    n.detail.value = detail;
    Ok(n)
}

/// What a job or queue event's detail says at its top level, bounded, and borrowed from the
/// detail: each is copied only where the notification keeps it.
struct JobFields<'a> {
    status: Cow<'a, str>,
    job_id: Option<Cow<'a, str>>,
    job_name: Option<Cow<'a, str>>,
    job_arn: Option<Cow<'a, str>>,
    job_queue: Option<Cow<'a, str>>,
    status_reason: Option<Cow<'a, str>>,
    job_definition: Option<Cow<'a, str>>,
    service_job_type: Option<Cow<'a, str>>,
}

impl<'a> JobFields<'a> {
    /// The fields, or what is missing: a status, and the job's id, name or ARN.
    fn read(detail: &JobDetail<'a>, detail_type: &str) -> Result<JobFields<'a>, EventError> {
        let missing = |what: &str| EventError::Detail {
            detail_type: detail_type.to_owned(),
            message: format!("`{what}` is missing"),
        };
        let fields = JobFields {
            status: str_of(detail.status, MAX_NAME).ok_or_else(|| missing("status"))?,
            job_id: str_of(detail.job_id, MAX_NAME),
            job_name: str_of(detail.job_name, MAX_NAME),
            job_arn: str_of(detail.job_arn, MAX_NAME),
            job_queue: str_of(detail.job_queue, MAX_NAME),
            status_reason: str_of(detail.status_reason, MAX_TEXT),
            job_definition: str_of(detail.job_definition, MAX_NAME),
            service_job_type: str_of(detail.service_job_type, MAX_NAME),
        };
        if fields.job_id.is_none() && fields.job_name.is_none() && fields.job_arn.is_none() {
            return Err(missing("jobId"));
        }
        Ok(fields)
    }

    /// How people know the job: its name, else its id, else its ARN's last part.
    fn label(&self) -> Option<String> {
        (self.job_name.as_deref())
            .or(self.job_id.as_deref())
            .or_else(|| self.job_arn.as_deref().map(short_name))
            .map(str::to_owned)
    }

    /// The job, or for a blocked queue the queue.
    fn resource(&self, family: Family) -> Resource {
        let queue = self.job_queue.as_deref();
        match family {
            Family::BatchQueueBlocked => Resource {
                kind: ResourceKind::JobQueue,
                name: queue.map(|q| short_name(q).to_owned()),
                id: None,
                arn: queue.filter(|q| q.starts_with("arn:")).map(str::to_owned),
            },
            Family::BatchServiceJobState => self.job(ResourceKind::ServiceJob),
            _ => self.job(ResourceKind::Job),
        }
    }

    fn job(&self, kind: ResourceKind) -> Resource {
        Resource {
            kind,
            name: self.label(),
            id: self.job_id.as_deref().map(str::to_owned),
            arn: self.job_arn.as_deref().map(str::to_owned),
        }
    }
}

/// The blocked job of a blocked queue, or a job's status meaning and queue; then its definition
/// and service job type.
fn add_facts(n: &mut Notification, fields: &JobFields, meaning: Option<&'static str>) {
    if n.family == Family::BatchQueueBlocked {
        if let Some(job) = fields.label() {
            n.facts.push(fact("blocked_job", "Blocked job", job));
        }
    } else {
        if let Some(meaning) = meaning {
            n.facts.push(fact("status_meaning", "Meaning", meaning));
        }
        if let Some(queue) = &fields.job_queue {
            n.facts
                .push(fact("job_queue", "Job queue", short_name(queue)));
        }
    }
    if let Some(definition) = &fields.job_definition {
        n.facts.push(fact(
            "job_definition",
            "Job definition",
            short_name(definition),
        ));
    }
    if let Some(kind) = &fields.service_job_type {
        n.facts
            .push(fact("service_job_type", "Service job type", kind.as_ref()));
    }
}

/// The job's pages, its log stream and its queue in the console of the event's partition.
fn add_links(n: &mut Notification, fields: &JobFields, log: Option<&job_logs::JobLog>) {
    let Some(console) = Console::of(n.region.as_deref()) else {
        return;
    };
    if let Some(id) = &fields.job_id {
        add_job_links(n, &console, id);
    }
    if let Some(log) = log {
        n.links
            .push(links::log_stream(&console, &log.group, &log.stream));
    }
    if let Some(queue) = &fields.job_queue {
        n.links.extend(links::batch_resource(
            &console,
            ResourceKind::JobQueue,
            queue,
        ));
    }
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
fn add_job_kind(n: &mut Notification, detail: &JobDetail, job_id: Option<&str>) {
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

/// The job's status reason, made to say what happened: Batch's generic reason is replaced by the
/// last attempt's container reason or non-zero exit code when there is one, and dropped from a job
/// that did not fail (it is not news there).
fn explained_reason(
    reason: Option<String>,
    outcome: Outcome,
    container: Option<&Container>,
) -> Option<String> {
    if reason.as_deref() != Some(GENERIC_REASON) {
        return reason;
    }
    if outcome != Outcome::Failed {
        return None;
    }
    let cause = container.and_then(|c| c.reason.clone());
    let exit_code = container
        .and_then(|c| c.exit_code)
        .filter(|&code| code != 0);
    match (cause, exit_code) {
        (Some(cause), Some(code)) => Some(format!("{cause} (exit code {code})")),
        (Some(cause), None) => Some(cause),
        (None, Some(code)) => Some(format!("the container exited with code {code}")),
        (None, None) => reason,
    }
}

/// The number of attempts; the exit code, reason, name and log stream of the last attempt's
/// container (or the job's own); the only attempt's reason, when the attempts are not listed.
fn add_attempt_facts(n: &mut Notification, story: &Story) {
    if !story.attempts.is_empty() {
        let count = story.attempts.len().to_string();
        n.facts.push(fact("attempts", "Attempts", count));
    }
    if let Some(container) = &story.container {
        if let Some(name) = &container.name {
            n.facts.push(fact("container", "Container", name.as_str()));
        }
        if let Some(code) = container.exit_code {
            n.facts
                .push(fact("exit_code", "Exit code", code.to_string()));
        }
        if let Some(reason) = &container.reason {
            n.facts.push(fact(
                "container_reason",
                "Container reason",
                reason.as_str(),
            ));
        }
        if let Some(stream) = &container.log_stream {
            n.facts
                .push(fact("log_stream", "Log stream", stream.as_str()));
        }
    }
    let last = story.attempts.last();
    if let Some(pod) = last.and_then(|a| a.pod.as_deref()) {
        n.facts.push(fact("pod", "Pod", pod));
    }
    if let Some(node) = last.and_then(|a| a.node.as_deref()) {
        n.facts
            .push(fact("kubernetes_node", "Kubernetes node", node));
    }
    // A failed job lists its attempts, and a retry says why it is retried.
    let retried = n
        .status
        .as_ref()
        .is_some_and(|s| s.value.eq_ignore_ascii_case("RUNNABLE"));
    let only = match story.attempts.as_slice() {
        [only] if n.outcome != Outcome::Failed && !retried => only.status_reason.as_deref(),
        _ => None,
    };
    if let Some(reason) = only.filter(|r| *r != GENERIC_REASON) {
        n.facts
            .push(fact("attempt_reason", "Attempt reason", reason));
    }
}
