//! Ingest: the shapes of payload an invocation can carry, told apart before anything is parsed. An
//! EventBridge event (the rules invoke the function), or an SQS batch whose records' bodies are
//! EventBridge events (the rules send to a queue that the function reads).

use aws_lambda_events::event::sqs::SqsEvent;
use thiserror::Error;

/// One SQS record: its message id (what a partial batch response names) and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub message_id: String,
    pub body: String,
}

/// What an invocation carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// One EventBridge event.
    Event(&'a [u8]),
    /// An SQS batch, in the order of its records.
    Batch(Vec<Record>),
    /// An EventBridge schedule's event: the stuck-job watch's sweep.
    Schedule(Schedule),
}

/// What a schedule's event says: where the function runs, which the jobs it watches share.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Schedule {
    pub account: Option<String>,
    pub region: Option<String>,
    /// When the schedule fired (RFC 3339): `preview` sweeps as of then.
    pub time: Option<String>,
}

/// An SQS batch that cannot be answered record by record: the whole invocation fails, and every
/// record comes back.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IngestError {
    #[error("an SQS batch that cannot be read: {0}")]
    Unreadable(String),
    #[error("SQS record {0} has no messageId: a partial batch response cannot name it")]
    NoMessageId(usize),
}

/// The payload's shape. Only a payload with a top-level `Records` array whose records come from
/// SQS is a batch; anything else is an event, which the parser judges.
pub fn payload(bytes: &[u8]) -> Result<Payload<'_>, IngestError> {
    if let Some(schedule) = schedule(bytes) {
        return Ok(Payload::Schedule(schedule));
    }
    // An EventBridge event has no top-level `Records`; the search keeps a second parse off the
    // path of every single event.
    if !contains(bytes, b"\"Records\"") {
        return Ok(Payload::Event(bytes));
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "Records")]
        records: Option<Vec<SourceOnly>>,
    }
    #[derive(serde::Deserialize)]
    struct SourceOnly {
        #[serde(rename = "eventSource")]
        event_source: Option<String>,
    }
    let is_batch = serde_json::from_slice::<Probe>(bytes).is_ok_and(|probe| {
        probe.records.is_some_and(|records| {
            !records.is_empty()
                && records
                    .iter()
                    .all(|r| r.event_source.as_deref() == Some("aws:sqs"))
        })
    });
    if !is_batch {
        return Ok(Payload::Event(bytes));
    }
    let event: SqsEvent =
        serde_json::from_slice(bytes).map_err(|e| IngestError::Unreadable(e.to_string()))?;
    event
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| {
            Ok(Record {
                message_id: record
                    .message_id
                    .filter(|id| !id.is_empty())
                    .ok_or(IngestError::NoMessageId(i))?,
                body: record.body.unwrap_or_default(),
            })
        })
        .collect::<Result<_, _>>()
        .map(Payload::Batch)
}

/// A schedule's event by its shape: `source` `aws.events` and `detail-type` `Scheduled Event`.
fn schedule(bytes: &[u8]) -> Option<Schedule> {
    if !contains(bytes, b"Scheduled Event") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        source: Option<String>,
        #[serde(rename = "detail-type")]
        detail_type: Option<String>,
        #[serde(flatten)]
        schedule: Schedule,
    }
    let probe: Probe = serde_json::from_slice(bytes).ok()?;
    let is_schedule = probe.source.as_deref() == Some("aws.events")
        && probe.detail_type.as_deref() == Some("Scheduled Event");
    is_schedule.then_some(probe.schedule)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, body: &str) -> serde_json::Value {
        serde_json::json!({
            "messageId": id, "receiptHandle": "handle", "body": body,
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
            "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"
        })
    }

    #[test]
    fn an_sqs_batch_is_told_from_an_event_by_its_shape() {
        let batch = serde_json::json!({"Records": [record("m1", "{\"a\":1}"), record("m2", "")]});
        let bytes = serde_json::to_vec(&batch).unwrap();
        assert_eq!(
            payload(&bytes).unwrap(),
            Payload::Batch(vec![
                Record {
                    message_id: "m1".into(),
                    body: "{\"a\":1}".into()
                },
                Record {
                    message_id: "m2".into(),
                    body: String::new()
                },
            ])
        );
        for event in [
            &br#"{"source":"aws.batch","detail":{"Records":[1]}}"#[..],
            br#"{"Records":[{"eventSource":"aws:s3"}]}"#,
            br#"{"Records":[]}"#,
            b"not json \"Records\"",
            b"",
        ] {
            assert_eq!(payload(event).unwrap(), Payload::Event(event));
        }
    }

    #[test]
    fn a_schedule_is_told_by_its_source_and_detail_type() {
        let scheduled = br#"{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-03T03:05:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/w"],"detail":{}}"#;
        assert_eq!(
            payload(scheduled).unwrap(),
            Payload::Schedule(Schedule {
                account: Some("123456789012".into()),
                region: Some("us-east-1".into()),
                time: Some("2026-11-03T03:05:00Z".into()),
            })
        );
        let custom = br#"{"detail-type":"Scheduled Event","source":"my.app","detail":{}}"#;
        assert_eq!(payload(custom).unwrap(), Payload::Event(custom));
    }

    #[test]
    fn a_batch_whose_record_cannot_be_named_fails_whole() {
        let mut unnamed = record("", "{}");
        unnamed["messageId"] = serde_json::Value::Null;
        let bytes = serde_json::to_vec(&serde_json::json!({"Records": [unnamed]})).unwrap();
        assert_eq!(payload(&bytes), Err(IngestError::NoMessageId(0)));
    }
}
