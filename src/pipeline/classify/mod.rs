//! Classification: from a parsed event to a [`Notification`] — what, to what, by whom, how it went,
//! how severe — with the secrets found while parsing scrubbed from its free text.
//!
//! One module per family (`api_call`, `s3_job`, `native`), the tables they read (`catalog`,
//! `statuses`, `severity`), who made a call (`actor`), console links (`links`) and the sentence that
//! sums an event up (`summary`).

mod actor;
mod api_call;
pub mod catalog;
mod fields;
mod job_detail;
mod job_kind;
mod job_logs;
pub mod links;
mod native;
mod s3_job;
pub mod severity;
pub mod statuses;
pub mod story;
pub mod stuck;
pub mod summary;

use crate::domain::limits::{MAX_NAME, bounded};
use crate::domain::model::{
    Detail, Family, Notification, Outcome, Resource, ResourceKind, Severity,
};
use crate::domain::redact::Secrets;
use crate::pipeline::parse::{Envelope, Event, EventError};

pub use fields::short_name;

/// Classifies a parsed event. Fails only when a field the family cannot do without is missing.
pub fn classify(event: Event) -> Result<Notification, EventError> {
    let mut secrets = Secrets::default();
    let mut notification = match event {
        Event::CloudTrail {
            family: Family::S3BatchJob,
            envelope,
            record,
        } => s3_job::classify(envelope, *record, &mut secrets)?,
        Event::CloudTrail {
            family,
            envelope,
            record,
        } => api_call::classify(family, envelope, *record, &mut secrets),
        Event::Native {
            family,
            envelope,
            detail,
        } => {
            secrets = detail.secrets;
            native::classify(family, envelope, detail.value)?
        }
    };
    notification.thread_key = thread_key(&notification);
    scrub(&mut notification, &secrets);
    notification.detail.secrets = secrets;
    notification.summary = summary::summary(&notification);
    let (severity, reasons) = severity::assess(&notification);
    notification.severity = severity;
    notification.severity_reasons = reasons;
    Ok(notification)
}

/// A notification with the envelope's fields filled in and everything else empty, for the family
/// classifiers to complete.
fn base(
    family: Family,
    envelope: Envelope,
    event_name: String,
    resource: Resource,
) -> Notification {
    Notification {
        event_id: envelope.id.map(|s| bounded(s, MAX_NAME)),
        family,
        source: envelope.source,
        detail_type: envelope.detail_type,
        event_name: bounded(event_name, MAX_NAME),
        time: envelope.time,
        account: envelope.account.map(|s| bounded(s, MAX_NAME)),
        account_name: None,
        region: envelope.region.map(|s| bounded(s, MAX_NAME)),
        severity: Severity::Info,
        severity_reasons: Vec::new(),
        outcome: Outcome::Succeeded,
        summary: String::new(),
        resource,
        action: None,
        actor: None,
        status: None,
        array: None,
        node: None,
        error: None,
        timing: None,
        attempts: Vec::new(),
        failure: None,
        retry: None,
        blocked: None,
        facts: Vec::new(),
        links: Vec::new(),
        log_lines: Vec::new(),
        unavailable: Vec::new(),
        cloudtrail_event_id: None,
        thread_key: String::new(),
        detail: Detail::default(),
        item_failures: 0,
        tasks: None,
        log: None,
    }
}

/// Removes the redacted secrets from the free text that may echo them: error messages, reasons,
/// and any other text with spaces. (The detail's free text is scrubbed as it is written; access key
/// ids are masked later, in everything published.)
fn scrub(n: &mut Notification, secrets: &Secrets) {
    if let Some(error) = &mut n.error {
        secrets.scrub_option(&mut error.message);
    }
    if let Some(status) = &mut n.status {
        secrets.scrub_option(&mut status.reason);
    }
    for fact in &mut n.facts {
        secrets.scrub_free_text(&mut fact.value);
    }
}

/// The identity one resource's updates share: the array or multi-node job of a child or node, so
/// that one job's messages stay together; a job's id (every family reports it); otherwise the kind
/// and name (an ARN in one event and a name in the next still match).
fn thread_key(n: &Notification) -> String {
    if let Some(child) = n.child() {
        return child.parent_id.to_owned();
    }
    let (resource, event_name) = (&n.resource, &n.event_name);
    let job_like = matches!(
        resource.kind,
        ResourceKind::Job | ResourceKind::ServiceJob | ResourceKind::S3BatchJob
    );
    match (&resource.id, &resource.name) {
        (Some(id), _) if job_like => id.clone(),
        (_, Some(name)) => format!("{}/{name}", resource.kind),
        _ => format!("batch/{event_name}"),
    }
}
