//! S3 Batch Operations job events (`JobCreated`, `JobStatusChanged`) recorded by CloudTrail.

use serde_json::Value;

use super::fields::{cloudtrail_link, fact, list_text, object_of, text_at};
use super::links::{self, Console};
use super::statuses::{self, Phase};
use super::{actor, base};
use crate::domain::limits::{MAX_NAME, MAX_TEXT, bounded};
use crate::domain::model::{Family, Notification, Outcome, Resource, ResourceKind, Status};
use crate::domain::redact::Secrets;
use crate::pipeline::parse::{CloudTrailRecord, Envelope, EventError};

pub(super) fn classify(
    envelope: Envelope,
    mut record: CloudTrailRecord,
    secrets: &mut Secrets,
) -> Result<Notification, EventError> {
    let missing = |what: &str| EventError::Detail {
        detail_type: envelope.detail_type.clone(),
        message: format!("`serviceEventDetails.{what}` is missing"),
    };
    let details = match record.service_event_details.take() {
        Some(redacted) => {
            secrets.absorb(redacted.secrets);
            redacted.value
        }
        None => Value::Null,
    };
    let text = |key: &str| text_at(&details, key, MAX_NAME);
    let job_id = text("jobId").ok_or_else(|| missing("jobId"))?;
    let status_value = text("status").ok_or_else(|| missing("status"))?;
    let job_arn = text("jobArn");
    let job_event_id = text("jobEventId");
    let known = statuses::lookup(statuses::S3_BATCH_STATUSES, &status_value);

    let reasons = list_at(&details, "statusChangeReason");
    let failure_codes = list_at(&details, "failureCodes");
    let region = envelope.region.clone().or_else(|| record.aws_region.take());
    let name = record.event_name.take().unwrap_or_default();
    let mut n = base(
        Family::S3BatchJob,
        envelope,
        name,
        Resource {
            kind: ResourceKind::S3BatchJob,
            name: Some(job_id.clone()),
            id: Some(job_id.clone()),
            arn: job_arn.clone(),
        },
    );
    n.region = region.map(|r| bounded(r, MAX_NAME));
    n.actor = Some(actor::describe(&record));
    n.cloudtrail_event_id = record.event_id.take().map(|s| bounded(s, MAX_NAME));
    n.outcome = known.map_or(Outcome::InProgress, |s| s.outcome);
    n.status = Some(Status {
        value: status_value,
        reason: reasons.clone(),
        terminal: known.map(|s| s.phase == Phase::Terminal),
    });
    if let Some(meaning) = known.map(|s| s.meaning) {
        n.facts.push(fact("status_meaning", "Meaning", meaning));
    }
    if let Some(codes) = failure_codes {
        n.facts.push(fact("failure_codes", "Failure codes", codes));
    }
    if let Some(event_id) = job_event_id {
        n.facts.push(fact("job_event_id", "Job event id", event_id));
    }
    let console = Console::of(n.region.as_deref());
    if let Some(console) = &console {
        n.links.push(links::s3_batch_job(console, &job_id));
    }
    n.links.extend(cloudtrail_link(
        console.as_ref(),
        n.cloudtrail_event_id.as_deref(),
    ));
    n.detail.value = object_of(vec![("serviceEventDetails", Some(details))]);
    Ok(n)
}

/// A list field as one line, or `None` when absent or empty. Elements are documented as strings;
/// other shapes are shown as compact JSON rather than rejected.
fn list_at(details: &Value, key: &str) -> Option<String> {
    match details.get(key)? {
        Value::Array(items) if !items.is_empty() => Some(list_text(items)),
        Value::String(s) if !s.is_empty() => Some(bounded(s.clone(), MAX_TEXT)),
        Value::Array(_) | Value::Null | Value::String(_) => None,
        other => Some(bounded(other.to_string(), MAX_TEXT)),
    }
}
