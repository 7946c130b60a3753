//! Classification: from a parsed event to a [`Notification`] — what, to what, by whom, how it went,
//! how severe — with every secret removed.

mod api_call;
mod native;
mod s3_job;

use serde_json::{Map, Value};

use crate::event::{Envelope, Event, EventError};
use crate::links;
use crate::model::{Fact, Link, Notification, Resource, ResourceKind};
use crate::redact::{Secrets, mask_access_keys};
use crate::severity;

/// Longest name or identifier kept (resource names, ids, ARNs).
pub const MAX_NAME: usize = 256;
/// Longest free text kept (error messages, status reasons).
pub const MAX_TEXT: usize = 2048;
/// Most list items shown in one fact.
pub const MAX_LIST_ITEMS: usize = 20;

pub use crate::event::DetailUse;
pub(crate) use native::READ_KEYS as NATIVE_DETAIL_KEYS;

/// Classifies a parsed event. Fails only when a field the family cannot do without is missing.
pub fn classify(event: Event, detail_use: DetailUse) -> Result<Notification, EventError> {
    let mut secrets = Secrets::default();
    let mut notification = match event {
        Event::CloudTrail {
            family,
            envelope,
            record,
        } => match family {
            crate::model::Family::S3BatchJob => {
                s3_job::classify(envelope, *record, &mut secrets, detail_use)?
            }
            _ => api_call::classify(family, envelope, *record, &mut secrets),
        },
        Event::Native {
            family,
            envelope,
            detail,
            secrets: found,
        } => {
            secrets = found;
            native::classify(family, envelope, detail, detail_use)?
        }
    };
    notification.thread_key = thread_key(&notification.resource, &notification.event_name);
    if detail_use == DetailUse::Drop {
        notification.detail = Value::Null;
    }
    scrub(&mut notification, &secrets);
    let (severity, reasons) = severity::assess(&notification);
    notification.severity = severity;
    notification.severity_reasons = reasons;
    Ok(notification)
}

/// A notification with the envelope's fields filled in and everything else empty, for the family
/// classifiers to complete.
fn base(
    family: crate::model::Family,
    envelope: Envelope,
    event_name: String,
    resource: crate::model::Resource,
) -> Notification {
    Notification {
        family,
        event_id: envelope.id.map(|s| bounded(s, MAX_NAME)),
        source: envelope.source,
        detail_type: envelope.detail_type,
        event_name: bounded(event_name, MAX_NAME),
        time: envelope.time,
        account: envelope.account.map(|s| bounded(s, MAX_NAME)),
        region: envelope.region.map(|s| bounded(s, MAX_NAME)),
        thread_key: String::new(),
        resource,
        action: None,
        actor: None,
        status: None,
        outcome: crate::model::Outcome::Succeeded,
        error: None,
        severity: crate::model::Severity::Info,
        severity_reasons: Vec::new(),
        // Sized for what the classifiers add, so they do not regrow them.
        facts: Vec::with_capacity(8),
        item_failures: 0,
        links: Vec::with_capacity(4),
        cloudtrail_event_id: None,
        detail: Value::Null,
    }
}

/// Masks access key ids in every string that can be published, and removes the redacted secrets
/// from the free text that may echo them: error messages, reasons, and any other text with spaces.
/// Names, ids and regions are left alone: a parameter whose value happens to be `us-east-1` must not
/// blank the region.
fn scrub(n: &mut Notification, secrets: &Secrets) {
    n.for_each_text_mut(mask_access_keys);
    if let Some(error) = &mut n.error {
        secrets.scrub_option(&mut error.message);
    }
    if let Some(status) = &mut n.status {
        secrets.scrub_option(&mut status.reason);
    }
    for fact in &mut n.facts {
        secrets.scrub_free_text(&mut fact.value);
    }
    secrets.scrub_value(&mut n.detail);
}

/// The identity one resource's updates share: a job's id (every family reports it), otherwise the
/// kind and name (an ARN in one event and a name in the next still match).
fn thread_key(resource: &Resource, event_name: &str) -> String {
    let job_like = matches!(
        resource.kind,
        ResourceKind::Job | ResourceKind::ServiceJob | ResourceKind::S3BatchJob
    );
    match (&resource.id, &resource.name) {
        (Some(id), _) if job_like => id.clone(),
        (_, Some(name)) => format!("{}/{name}", resource.kind.as_str()),
        _ => format!("batch/{event_name}"),
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn bounded(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max.saturating_sub('…'.len_utf8());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// The string at `key` of a JSON object, bounded.
fn text_at(object: &Value, key: &str, max: usize) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| bounded(s.to_owned(), max))
}

/// The string at `key` of a JSON object, bounded: moved out of it when the detail is not shown
/// (it is dropped after classification), copied when it is.
fn field_text(object: &mut Value, key: &str, max: usize, detail_use: DetailUse) -> Option<String> {
    match object.get_mut(key)? {
        Value::String(s) if !s.is_empty() => Some(bounded(
            match detail_use {
                DetailUse::Keep => s.clone(),
                DetailUse::Drop => std::mem::take(s),
            },
            max,
        )),
        _ => None,
    }
}

/// A scalar shown as text: strings as they are, numbers and booleans printed.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(bounded(s.clone(), MAX_TEXT)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list shown as one line: strings as they are, anything else as compact JSON.
fn list_text(items: &[Value]) -> String {
    let mut shown: Vec<String> = items
        .iter()
        .take(MAX_LIST_ITEMS)
        .map(|v| scalar_text(v).unwrap_or_else(|| bounded(v.to_string(), MAX_NAME)))
        .collect();
    if items.len() > MAX_LIST_ITEMS {
        shown.push(format!("and {} more", items.len() - MAX_LIST_ITEMS));
    }
    bounded(shown.join("; "), MAX_TEXT)
}

fn fact(key: &'static str, label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        key,
        label,
        value: value.into(),
    }
}

/// The name in an ARN (`arn:aws:batch:…:job-definition/etl:7` gives `etl:7`), or the value itself.
pub fn short_name(value: &str) -> &str {
    if !value.starts_with("arn:") {
        return value;
    }
    // The resource follows the fifth colon; found bytewise, as names are looked up for every event.
    let fifth_colon = value.bytes().enumerate().filter(|&(_, b)| b == b':').nth(4);
    let resource = fifth_colon.map_or(value, |(at, _)| &value[at + 1..]);
    resource.rsplit_once('/').map_or(resource, |(_, name)| name)
}

/// Whether `region` is shaped like an AWS region; links are only built for those, so that no event
/// can point a reader at another host.
fn link_region(region: Option<&str>) -> Option<&str> {
    region.filter(|r| {
        !r.is_empty()
            && r.len() <= 32
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

fn cloudtrail_link(region: Option<&str>, event_id: Option<&str>) -> Option<Link> {
    Some(links::cloudtrail_event(link_region(region)?, event_id?))
}

/// Puts the non-null entries into a JSON object, for the document's `detail`.
fn object_of(entries: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = entries
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_null()).map(|v| (k.to_owned(), v)))
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_on_a_character_boundary() {
        assert_eq!(bounded("abc".into(), 10), "abc");
        let cut = bounded("ééééé".into(), 6);
        assert!(cut.len() <= 6 && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn short_names_keep_revisions() {
        let arn = "arn:aws:batch:us-east-1:1:job-definition/etl-job:7";
        assert_eq!(short_name(arn), "etl-job:7");
        assert_eq!(
            short_name("arn:aws:batch:us-east-1:1:job-queue/high"),
            "high"
        );
        assert_eq!(short_name("spot-ce"), "spot-ce");
        assert_eq!(
            short_name("arn:aws:batch:us-east-1"),
            "arn:aws:batch:us-east-1"
        );
        assert_eq!(short_name("arn:aws:iam::1:root"), "root");
        assert_eq!(short_name("arn:aws:batch:r:1:job-queue/a/b"), "b");
        assert_eq!(short_name("arn:aws:sns:us-east-1:1:topic"), "topic");
    }

    #[test]
    fn only_region_shaped_values_make_links() {
        assert_eq!(link_region(Some("us-east-1")), Some("us-east-1"));
        assert_eq!(link_region(Some("evil.example/#")), None);
        assert_eq!(link_region(None), None);
    }
}
