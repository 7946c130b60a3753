//! Parsing: from the bytes EventBridge delivers to a typed event of one of our families, or a reason
//! why the event is not ours.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use thiserror::Error;

use crate::cloudtrail::CloudTrailRecord;
use crate::model::Family;
use crate::redact::{Keep, Redacted, Secrets};

/// Whether the redacted event detail is wanted in the notification. Only the JSON document shows it;
/// for the other formats only the fields the classifier reads are kept, which spares building,
/// scrubbing and freeing the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailUse {
    Keep,
    Drop,
}

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
        detail: Value,
        secrets: Secrets,
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
        ("aws.batch", "Batch Job Queue Blocked") => Some(Family::BatchQueueBlocked),
        ("aws.batch", "Batch Service Job State Change") => Some(Family::BatchServiceJobState),
        _ => None,
    }
}

/// Parses one event. Foreign events are `NotOurs`; malformed ones are errors.
pub fn parse(input: &[u8], detail_use: DetailUse) -> Result<Parsed, EventError> {
    match parse_in_one_pass(input, detail_use) {
        Some(parsed) => parsed,
        None => parse_in_two_passes(input, detail_use),
    }
}

/// The general path: the envelope with a raw detail, then the detail as its family's type.
fn parse_in_two_passes(input: &[u8], detail_use: DetailUse) -> Result<Parsed, EventError> {
    let envelope: EventBridgeEvent<Box<RawValue>> =
        deserialize_at_path(input).map_err(|e| match e {
            PathError::Syntax(message) => EventError::Syntax(message),
            PathError::Data(message) => EventError::Envelope(message),
        })?;
    let Some(family) = family_of(&envelope.source, &envelope.detail_type) else {
        return Ok(not_ours(&envelope.source, &envelope.detail_type));
    };
    let (envelope, detail) = split(envelope);
    let detail_error = |message: String| EventError::Detail {
        detail_type: envelope.detail_type.clone(),
        message,
    };
    let bytes = detail.get().as_bytes();
    match family {
        Family::BatchApiCall | Family::S3BatchJob => {
            let record: CloudTrailRecord =
                deserialize_at_path(bytes).map_err(|e| detail_error(e.into_message()))?;
            cloudtrail_event(family, envelope, record)
        }
        _ => {
            let keep = match detail_use {
                DetailUse::Keep => Keep::All,
                DetailUse::Drop => Keep::Only(crate::classify::NATIVE_DETAIL_KEYS),
            };
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let detail = Redacted::read(&mut deserializer, keep)
                .map_err(|_| detail_error(explain::<Value>(bytes).into_message()))?;
            native_event(family, envelope, detail.value, detail.secrets)
        }
    }
}

/// The common case, read in one pass: the envelope with the detail read straight into its family's
/// type, instead of a raw detail that is then read again. Taken only when the `detail-type` near
/// the start names a family (CloudTrail or AWS Batch's own events) and everything parses;
/// otherwise `None`, and the general path reads the event and explains what is wrong with it.
fn parse_in_one_pass(input: &[u8], detail_use: DetailUse) -> Option<Result<Parsed, EventError>> {
    let head = &input[..input.len().min(256)];
    let mentions = |mark: &[u8]| head.windows(mark.len()).any(|w| w == mark);
    if mentions(b"via CloudTrail\"") {
        let event: EventBridgeEvent<CloudTrailRecord> = serde_json::from_slice(input).ok()?;
        return match family_of(&event.source, &event.detail_type) {
            None => Some(Ok(not_ours(&event.source, &event.detail_type))),
            Some(family @ (Family::BatchApiCall | Family::S3BatchJob)) => {
                let (envelope, record) = split(event);
                Some(cloudtrail_event(family, envelope, record))
            }
            Some(_) => None,
        };
    }
    if mentions(b"\"Batch ") {
        let (envelope, family, detail) = match detail_use {
            DetailUse::Keep => native_in_one_pass::<Redacted>(input)?,
            DetailUse::Drop => native_in_one_pass::<ReadFields>(input)?,
        };
        return Some(native_event(family, envelope, detail.value, detail.secrets));
    }
    None
}

fn native_in_one_pass<D>(input: &[u8]) -> Option<(Envelope, Family, Redacted)>
where
    D: DeserializeOwned + serde::Serialize + Into<Redacted>,
{
    let event: EventBridgeEvent<D> = serde_json::from_slice(input).ok()?;
    let family = family_of(&event.source, &event.detail_type).filter(|f| {
        matches!(
            f,
            Family::BatchJobState | Family::BatchQueueBlocked | Family::BatchServiceJobState
        )
    })?;
    let (envelope, detail) = split(event);
    Some((envelope, family, detail.into()))
}

/// A native detail read with only the keys the classifier reads kept, for a format that does not
/// show the detail.
struct ReadFields(Redacted);

impl<'de> serde::Deserialize<'de> for ReadFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let keep = Keep::Only(crate::classify::NATIVE_DETAIL_KEYS);
        Redacted::read(deserializer, keep).map(ReadFields)
    }
}

/// Only because the envelope type asks it of its detail.
impl serde::Serialize for ReadFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl From<ReadFields> for Redacted {
    fn from(fields: ReadFields) -> Redacted {
        fields.0
    }
}

fn native_event(
    family: Family,
    envelope: Envelope,
    detail: Value,
    secrets: Secrets,
) -> Result<Parsed, EventError> {
    if !detail.is_object() {
        return Err(EventError::Detail {
            detail_type: envelope.detail_type,
            message: "`detail` is not a JSON object".into(),
        });
    }
    Ok(Parsed::Ours(Event::Native {
        family,
        envelope,
        detail,
        secrets,
    }))
}

fn not_ours(source: &str, detail_type: &str) -> Parsed {
    Parsed::NotOurs(format!(
        "not an event this function handles: source `{source}`, detail-type `{detail_type}`"
    ))
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

/// The envelope's fields that are kept, and the detail, moved out of the event.
fn split<T: DeserializeOwned + serde::Serialize>(event: EventBridgeEvent<T>) -> (Envelope, T) {
    let envelope = Envelope {
        id: event.id,
        source: event.source,
        detail_type: event.detail_type,
        account: event.account,
        region: event.region,
        time: event
            .time
            .map(|t| t.to_rfc3339_opts(chrono_seconds(), true)),
    };
    (envelope, event.detail)
}

/// Times are shown to the second, as CloudTrail writes them.
fn chrono_seconds() -> chrono::SecondsFormat {
    chrono::SecondsFormat::AutoSi
}

enum PathError {
    Syntax(String),
    Data(String),
}

impl PathError {
    fn into_message(self) -> String {
        match self {
            PathError::Syntax(m) | PathError::Data(m) => m,
        }
    }
}

/// Deserializes, naming the path of a field that has the wrong shape (`detail.userIdentity.type`).
/// The path is tracked only when the fast parse has already failed: valid input pays nothing for it.
fn deserialize_at_path<T: DeserializeOwned>(input: &[u8]) -> Result<T, PathError> {
    match serde_json::from_slice(input) {
        Ok(value) => Ok(value),
        Err(_) => Err(explain::<T>(input)),
    }
}

fn explain<T: DeserializeOwned>(input: &[u8]) -> PathError {
    let mut deserializer = serde_json::Deserializer::from_slice(input);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => match deserializer.end() {
            Ok(()) => return PathError::Data("the event cannot be read".into()),
            Err(e) => return PathError::Syntax(e.to_string()),
        },
        Err(e) => e,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        PathError::Syntax(inner.to_string())
    } else if path == "." || path.is_empty() {
        PathError::Data(inner.to_string())
    } else {
        PathError::Data(format!("`{path}`: {inner}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Parsed, EventError> {
        parse(s.as_bytes(), DetailUse::Keep)
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
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            for detail_use in [DetailUse::Keep, DetailUse::Drop] {
                if let Some(parsed) = parse_in_one_pass(&bytes, detail_use) {
                    assert_eq!(parsed, parse_in_two_passes(&bytes, detail_use));
                    one_pass += 1;
                }
            }
            // Keys in alphabetical order put `detail` first: the two-pass path reads it.
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            let sorted = serde_json::to_vec(&value).unwrap();
            assert_eq!(parse_in_one_pass(&sorted, DetailUse::Keep), None);
        }
        assert!(
            one_pass >= 15,
            "only {one_pass} examples took the one-pass path"
        );
    }

    #[test]
    fn an_invalid_cloudtrail_detail_is_explained_by_the_two_pass_path() {
        let input = br#"{"source":"aws.batch","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"SubmitJob","userIdentity":{"type":7}}}"#;
        assert_eq!(parse_in_one_pass(input, DetailUse::Keep), None);
    }

    #[test]
    fn trailing_garbage_is_a_syntax_error() {
        let err = parse_str(r#"{"source":"aws.ec2","detail-type":"x","detail":{}} {"#).unwrap_err();
        assert!(matches!(err, EventError::Syntax(_)));
    }
}
