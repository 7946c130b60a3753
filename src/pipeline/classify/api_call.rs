//! AWS Batch API calls recorded by CloudTrail.

use serde_json::Value;

use super::fields::{cloudtrail_link, fact, list_text, object_of, scalar_text, short_name};
use super::links::{self, Console};
use super::{actor, base, catalog};
use crate::domain::limits::{MAX_NAME, MAX_TEXT, bounded};
use crate::domain::model::{ErrorInfo, Family, Notification, Outcome, Resource, ResourceKind};
use crate::domain::redact::{Redacted, Secrets};
use crate::pipeline::parse::{CloudTrailRecord, Envelope};

/// Where each kind's name and ARN are found in the request, then the response.
#[rustfmt::skip]
const RESOURCE_KEYS: &[(ResourceKind, &[&str], &[&str])] = &[
    //  kind                                 name keys                                                  ARN keys
    (ResourceKind::Job,                  &["jobName", "jobId"],                                     &["jobArn"]),
    (ResourceKind::ServiceJob,           &["jobName", "jobId"],                                     &["jobArn"]),
    (ResourceKind::ComputeEnvironment,   &["computeEnvironmentName", "computeEnvironment"],         &["computeEnvironmentArn"]),
    (ResourceKind::JobQueue,             &["jobQueueName", "jobQueue"],                             &["jobQueueArn"]),
    (ResourceKind::JobDefinition,        &["jobDefinitionName", "jobDefinition"],                   &["jobDefinitionArn"]),
    (ResourceKind::SchedulingPolicy,     &["name", "arn"],                                          &["arn"]),
    (ResourceKind::ConsumableResource,   &["consumableResourceName", "consumableResource"],         &["consumableResourceArn"]),
    (ResourceKind::ServiceEnvironment,   &["serviceEnvironmentName", "serviceEnvironment"],         &["serviceEnvironmentArn"]),
    (ResourceKind::QuotaShare,           &["quotaShareName", "quotaShare"],                         &["quotaShareArn"]),
    (ResourceKind::Tags,                 &["resourceArn"],                                          &["resourceArn"]),
];

/// Request fields worth showing a reader, when they are plain values.
#[rustfmt::skip]
const REQUEST_FACTS: &[(&str, &str, &str)] = &[
    //  request key              fact key             label
    ("reason",                   "reason",            "Reason"),
    ("jobQueue",                 "job_queue",         "Job queue"),
    ("jobDefinition",            "job_definition",    "Job definition"),
    ("state",                    "state",             "State"),
    ("type",                     "type",              "Type"),
    ("priority",                 "priority",          "Priority"),
    ("schedulingPriority",       "scheduling_priority", "Scheduling priority"),
    ("shareIdentifier",          "share_identifier",  "Share identifier"),
    ("serviceJobType",           "service_job_type",  "Service job type"),
];

/// Error codes that mean the caller lacked permission, matched as fragments.
const DENIED_CODE_FRAGMENTS: &[&str] = &["accessdenied", "unauthorized", "notauthorized"];

pub(super) fn classify(
    family: Family,
    envelope: Envelope,
    mut record: CloudTrailRecord,
    secrets: &mut Secrets,
) -> Notification {
    let name = record.event_name.take().unwrap_or_default();
    let (kind, action) = catalog::classify_operation(&name, record.read_only);

    let mut take = |field: Option<Redacted>| {
        field.map(|redacted| {
            secrets.absorb(redacted.secrets);
            redacted.value
        })
    };
    let request = take(record.request_parameters.take()).unwrap_or(Value::Null);
    let response = take(record.response_elements.take()).unwrap_or(Value::Null);
    let additional = take(record.additional_event_data.take());

    let resource = resource(kind, &request, &response);
    let region = envelope.region.clone().or_else(|| record.aws_region.take());
    let mut n = base(family, envelope, name, resource);
    n.region = region.map(|r| bounded(r, MAX_NAME));
    n.actor = Some(actor::describe(&record));
    n.cloudtrail_event_id = record.event_id.take().map(|s| bounded(s, MAX_NAME));

    if record.error_code.is_some() || record.error_message.is_some() {
        let code = record.error_code.take().map(|s| bounded(s, MAX_NAME));
        let denied = code.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            DENIED_CODE_FRAGMENTS.iter().any(|f| c.contains(f))
        });
        n.outcome = if denied {
            Outcome::Denied
        } else {
            Outcome::Failed
        };
        n.error = Some(ErrorInfo {
            code,
            message: record.error_message.take().map(|s| bounded(s, MAX_TEXT)),
        });
    }

    add_request_facts(&mut n, &request);
    add_bulk_facts(&mut n, &request, &response);

    let console = Console::of(n.region.as_deref());
    let link_target = match kind {
        ResourceKind::Job | ResourceKind::ServiceJob => n.resource.id.clone(),
        _ => n.resource.arn.clone().or_else(|| n.resource.name.clone()),
    };
    if let (Some(console), Some(target)) = (&console, link_target) {
        n.links
            .extend(links::batch_resource(console, kind, &target));
    }
    n.links.extend(cloudtrail_link(
        console.as_ref(),
        n.cloudtrail_event_id.as_deref(),
    ));

    n.action = Some(action);
    n.detail.value = object_of(vec![
        ("requestParameters", Some(request)),
        ("responseElements", Some(response)),
        ("additionalEventData", additional),
    ]);
    n
}

fn resource(kind: ResourceKind, request: &Value, response: &Value) -> Resource {
    let (name_keys, arn_keys) = RESOURCE_KEYS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or((&[][..], &[][..]), |(_, names, arns)| (*names, *arns));
    let find = |keys: &[&str]| {
        [request, response].into_iter().find_map(|object| {
            keys.iter()
                .find_map(|key| object.get(*key).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
        })
    };
    let name = find(name_keys);
    let arn = find(arn_keys)
        .or(name.filter(|n| n.starts_with("arn:")))
        .map(|s| bounded(s.to_owned(), MAX_NAME));
    let id = match kind {
        ResourceKind::Job | ResourceKind::ServiceJob => find(&["jobId"]),
        _ => None,
    };
    Resource {
        kind,
        name: name.map(|n| bounded(short_name(n).to_owned(), MAX_NAME)),
        id: id.map(|s| bounded(s.to_owned(), MAX_NAME)),
        arn,
    }
}

fn add_request_facts(n: &mut Notification, request: &Value) {
    for &(request_key, key, label) in REQUEST_FACTS {
        let Some(value) = request.get(request_key).and_then(scalar_text) else {
            continue;
        };
        let repeats_resource = [&n.resource.name, &n.resource.arn].iter().any(|r| {
            r.as_deref() == Some(short_name(&value)) || r.as_deref() == Some(value.as_str())
        });
        if !repeats_resource {
            n.facts.push(fact(key, label, short_name(&value)));
        }
    }
}

/// CancelJobs, TerminateJobs and TerminateServiceJobs: how many jobs, and which failed.
fn add_bulk_facts(n: &mut Notification, request: &Value, response: &Value) {
    let Some(jobs) = request.get("jobs").and_then(Value::as_array) else {
        return;
    };
    n.facts.push(fact("jobs", "Jobs", jobs.len().to_string()));
    let errors = response
        .get("errors")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    n.item_failures = errors.len();
    if !errors.is_empty() {
        n.facts.push(fact(
            "job_errors",
            "Jobs not processed",
            errors.len().to_string(),
        ));
        let described: Vec<Value> = errors
            .iter()
            .map(|e| {
                let part = |k| e.get(k).and_then(Value::as_str).unwrap_or("?");
                Value::String(format!(
                    "{} {}: {}",
                    part("job"),
                    part("code"),
                    part("message")
                ))
            })
            .collect();
        n.facts
            .push(fact("job_error_details", "Errors", list_text(&described)));
    }
}
