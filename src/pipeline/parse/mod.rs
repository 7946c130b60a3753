//! Parsing: from the bytes EventBridge delivers to a typed event of one of our families, or a reason
//! why the event is not ours.
//!
//! Each event is read in one pass when its `detail-type`, near the start as EventBridge writes it,
//! names a family: the envelope with its detail read straight into the family's type. Anything else,
//! and anything that fails that way, is read by the general path, which reads the envelope first and
//! explains an error with the path of the bad field.

mod cloudtrail;
mod explain;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use thiserror::Error;

pub use cloudtrail::{
    CloudTrailRecord, OnBehalfOf, SessionAttributes, SessionContext, SessionIssuer, UserIdentity,
};
use explain::{PathError, deserialize_at_path, explain};

use crate::domain::model::Family;
use crate::domain::redact::Redacted;

/// The envelope fields every family keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub id: Option<String>,
    pub source: String,
    pub detail_type: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub time: Option<String>,
}

/// An event of one of the families this function handles.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A CloudTrail record: a Batch API call or an S3 Batch Operations job event.
    CloudTrail {
        family: Family,
        envelope: Envelope,
        record: Box<CloudTrailRecord>,
    },
    /// A native AWS Batch event: its detail is the job as `DescribeJobs` returns it, redacted as it
    /// was read, with the secrets that were removed from it.
    Native {
        family: Family,
        envelope: Envelope,
        detail: Redacted,
    },
}

/// What parsing made of the input.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Ours(Event),
    /// A well-formed event that this function does not handle, with the reason.
    NotOurs(String),
}

/// Why an input is not a valid event. The message says what to fix.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EventError {
    #[error("input is not valid JSON: {0}")]
    Syntax(String),
    #[error("input is not an EventBridge event: {0}")]
    Envelope(String),
    #[error("{detail_type} event has an invalid detail: {message}")]
    Detail {
        detail_type: String,
        message: String,
    },
}

const S3_JOB_EVENT_NAMES: [&str; 2] = ["JobCreated", "JobStatusChanged"];

/// Which family a `source` / `detail-type` pair belongs to, if any.
fn family_of(source: &str, detail_type: &str) -> Option<Family> {
    match (source, detail_type) {
        ("aws.batch", "AWS API Call via CloudTrail") => Some(Family::BatchApiCall),
        ("aws.s3", "AWS Service Event via CloudTrail") => Some(Family::S3BatchJob),
        ("aws.batch", "Batch Job State Change") => Some(Family::BatchJobState),
        ("aws.batch", "Batch Job Queue Blocked" | "Batch Service Job Queue Blocked") => {
            Some(Family::BatchQueueBlocked)
        }
        ("aws.batch", "Batch Service Job State Change") => Some(Family::BatchServiceJobState),
        _ => None,
    }
}

/// Whether the family's detail is a CloudTrail record (otherwise it is AWS Batch's own job).
fn is_cloudtrail(family: Family) -> bool {
    matches!(family, Family::BatchApiCall | Family::S3BatchJob)
}

/// Parses one event. Foreign events are `NotOurs`; malformed ones are errors.
pub fn parse(input: &[u8]) -> Result<Parsed, EventError> {
    match parse_in_one_pass(input) {
        Some(parsed) => parsed,
        None => parse_in_two_passes(input),
    }
}

/// The common case: `None` unless the `detail-type` near the start names a family and the whole
/// event reads as that family's.
fn parse_in_one_pass(input: &[u8]) -> Option<Result<Parsed, EventError>> {
    let head = &input[..input.len().min(256)];
    // Only where the mark's first byte is (memchr finds those fast), not at every window.
    let mentions =
        |mark: &[u8]| memchr::memchr_iter(mark[0], head).any(|at| head[at..].starts_with(mark));
    if mentions(b"via CloudTrail\"") {
        let (family, envelope, record) = read_whole::<CloudTrailRecord>(input)?;
        is_cloudtrail(family).then(|| cloudtrail_event(family, envelope, record))
    } else if mentions(b"\"Batch ") {
        let (family, envelope, detail) = read_whole::<Redacted>(input)?;
        (!is_cloudtrail(family)).then(|| native_event(family, envelope, detail))
    } else {
        None
    }
}

/// The event read at once with its detail as `D`, if it reads so and is of one of our families.
fn read_whole<D: DeserializeOwned + Serialize>(input: &[u8]) -> Option<(Family, Envelope, D)> {
    let event: EventBridgeEvent<D> = serde_json::from_slice(input).ok()?;
    let family = family_of(&event.source, &event.detail_type)?;
    let (envelope, detail) = split(event);
    Some((family, envelope, detail))
}

/// The general path: the envelope with a raw detail, then the detail as its family's type; errors
/// name the path of the bad field.
fn parse_in_two_passes(input: &[u8]) -> Result<Parsed, EventError> {
    let envelope: EventBridgeEvent<Box<RawValue>> =
        deserialize_at_path(input).map_err(|e| match e {
            PathError::Syntax(message) => EventError::Syntax(message),
            PathError::Data(message) => EventError::Envelope(message),
        })?;
    let Some(family) = family_of(&envelope.source, &envelope.detail_type) else {
        return Ok(Parsed::NotOurs(format!(
            "not an event this function handles: source `{}`, detail-type `{}`",
            envelope.source, envelope.detail_type
        )));
    };
    let (envelope, detail) = split(envelope);
    let detail_error = |message: String| EventError::Detail {
        detail_type: envelope.detail_type.clone(),
        message,
    };
    let bytes = detail.get().as_bytes();
    if is_cloudtrail(family) {
        let record: CloudTrailRecord =
            deserialize_at_path(bytes).map_err(|e| detail_error(e.into_message()))?;
        cloudtrail_event(family, envelope, record)
    } else {
        let detail: Redacted = serde_json::from_slice(bytes)
            .map_err(|_| detail_error(explain::<serde_json::Value>(bytes).into_message()))?;
        native_event(family, envelope, detail)
    }
}

fn native_event(
    family: Family,
    envelope: Envelope,
    detail: Redacted,
) -> Result<Parsed, EventError> {
    if !detail.value.is_object() {
        return Err(EventError::Detail {
            detail_type: envelope.detail_type,
            message: "`detail` is not a JSON object".into(),
        });
    }
    Ok(Parsed::Ours(Event::Native {
        family,
        envelope,
        detail,
    }))
}

fn cloudtrail_event(
    family: Family,
    envelope: Envelope,
    record: CloudTrailRecord,
) -> Result<Parsed, EventError> {
    if let Some(reason) = foreign_cloudtrail_record(family, &record) {
        return Ok(Parsed::NotOurs(reason));
    }
    if record.event_name.as_deref().is_none_or(str::is_empty) {
        return Err(EventError::Detail {
            detail_type: envelope.detail_type,
            message: "`eventName` is missing".into(),
        });
    }
    Ok(Parsed::Ours(Event::CloudTrail {
        family,
        envelope,
        record: Box::new(record),
    }))
}

/// A CloudTrail record from the right source that is still not ours (another service's API, an S3
/// event other than a Batch Operations job event).
fn foreign_cloudtrail_record(family: Family, record: &CloudTrailRecord) -> Option<String> {
    let event_source = record.event_source.as_deref().unwrap_or("");
    let event_name = record.event_name.as_deref().unwrap_or("");
    match family {
        Family::BatchApiCall
            if !event_source.is_empty() && event_source != "batch.amazonaws.com" =>
        {
            Some(format!(
                "CloudTrail event from `{event_source}`, not from batch.amazonaws.com"
            ))
        }
        Family::S3BatchJob if !S3_JOB_EVENT_NAMES.contains(&event_name) => Some(format!(
            "S3 service event `{event_name}` is not an S3 Batch Operations job event"
        )),
        _ => None,
    }
}

/// The envelope's fields that are kept, and the detail, moved out of the event. Times are shown to
/// the second, as CloudTrail writes them.
fn split<T: DeserializeOwned + Serialize>(event: EventBridgeEvent<T>) -> (Envelope, T) {
    let envelope = Envelope {
        id: event.id,
        source: event.source,
        detail_type: event.detail_type,
        account: event.account,
        region: event.region,
        time: event
            .time
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    };
    (envelope, event.detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Parsed, EventError> {
        parse(s.as_bytes())
    }

    #[test]
    fn invalid_json_is_a_syntax_error() {
        let err = parse_str("{\"source\": ").unwrap_err();
        assert!(matches!(err, EventError::Syntax(_)), "{err}");
        assert!(err.to_string().starts_with("input is not valid JSON"));
    }

    #[test]
    fn an_object_without_detail_type_is_not_an_eventbridge_event() {
        let err = parse_str(r#"{"source":"aws.batch","detail":{}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input is not an EventBridge event: missing field `detail-type` at line 1 column 34"
        );
    }

    #[test]
    fn a_wrongly_typed_field_is_named_by_its_path() {
        let err = parse_str(
            r#"{"source":"aws.batch","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"SubmitJob","userIdentity":{"type":7}}}"#,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`userIdentity.type`"), "{message}");
    }

    #[test]
    fn foreign_sources_are_not_ours() {
        let parsed = parse_str(
            r#"{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}"#,
        )
        .unwrap();
        assert!(matches!(parsed, Parsed::NotOurs(reason) if reason.contains("aws.ec2")));
    }

    #[test]
    fn s3_service_events_other_than_batch_jobs_are_not_ours() {
        let parsed = parse_str(
            r#"{"source":"aws.s3","detail-type":"AWS Service Event via CloudTrail","detail":{"eventName":"BucketReplicated"}}"#,
        )
        .unwrap();
        assert!(matches!(parsed, Parsed::NotOurs(reason) if reason.contains("BucketReplicated")));
    }

    #[test]
    fn an_api_call_without_event_name_is_an_error() {
        let err = parse_str(
            r#"{"source":"aws.batch","detail-type":"AWS API Call via CloudTrail","detail":{}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("`eventName` is missing"));
    }

    #[test]
    fn native_detail_must_be_an_object() {
        let err = parse_str(
            r#"{"source":"aws.batch","detail-type":"Batch Job State Change","detail":"FAILED"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a JSON object"));
    }

    #[test]
    fn events_read_in_one_pass_equal_those_read_in_two() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
        let mut one_pass = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = std::fs::read(path).unwrap();
            if let Some(parsed) = parse_in_one_pass(&bytes) {
                assert_eq!(parsed, parse_in_two_passes(&bytes));
                one_pass += 1;
            }
            // Keys in alphabetical order put `detail` first: the two-pass path reads it.
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let sorted = serde_json::to_vec(&value).unwrap();
            assert_eq!(parse_in_one_pass(&sorted), None);
        }
        assert!(
            one_pass >= 20,
            "only {one_pass} examples took the one-pass path"
        );
    }

    #[test]
    fn an_invalid_cloudtrail_detail_is_explained_by_the_two_pass_path() {
        let input = br#"{"source":"aws.batch","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"SubmitJob","userIdentity":{"type":7}}}"#;
        assert_eq!(parse_in_one_pass(input), None);
    }

    #[test]
    fn trailing_garbage_is_a_syntax_error() {
        let err = parse_str(r#"{"source":"aws.ec2","detail-type":"x","detail":{}} {"#).unwrap_err();
        assert!(matches!(err, EventError::Syntax(_)));
    }
}
