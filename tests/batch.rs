//! SQS batches through the handler over a fake publisher: the partial batch response, `PublishBatch`
//! requests, digests, the deadline, and the state store's once-only decisions.

mod common;

use std::sync::Mutex;

use batch_notifier::config::{Delivery, MessageFormat, Settings};
use batch_notifier::domain::decision::Decision;
use batch_notifier::domain::model::Severity;
use batch_notifier::entry::batch::{handle_batch, handle_batch_by};
use batch_notifier::entry::clock::Invocation;
use batch_notifier::entry::lambda::{Answer, invoke};
use batch_notifier::pipeline::ingest::Record;
use batch_notifier::ports::publisher::{MAX_PUBLISH_BYTES, PublishRequest};
use batch_notifier::ports::publisher::{PublishError, Publisher};
use batch_notifier::ports::state::{MemoryStore, Stateless};
use common::{example, example_events, prepare, services, settings, settings_with};
use serde_json::json;

/// Records every `PublishBatch` request; fails the entries whose subject contains `fail_subject`,
/// or every request when `fail_all`.
#[derive(Default)]
struct Batches {
    requests: Mutex<Vec<Vec<PublishRequest>>>,
    fail_subject: Option<String>,
    fail_all: bool,
}

impl Batches {
    fn sent(&self) -> Vec<PublishRequest> {
        self.requests.lock().unwrap().concat()
    }
}

impl Publisher for Batches {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        self.publish_batch(&[request]).await.remove(0)
    }

    async fn publish_batch(
        &self,
        requests: &[&PublishRequest],
    ) -> Vec<Result<String, PublishError>> {
        assert!(requests.len() <= 10, "PublishBatch takes ten entries");
        let size: usize = requests.iter().map(|r| r.size()).sum();
        assert!(
            size <= MAX_PUBLISH_BYTES,
            "PublishBatch's size limit: {size}"
        );
        let mut all = self.requests.lock().unwrap();
        let error = PublishError {
            code: Some("InternalError".into()),
            message: "injected".into(),
        };
        if self.fail_all {
            return vec![Err(error); requests.len()];
        }
        all.push(requests.iter().map(|r| (*r).clone()).collect());
        let n = all.len();
        requests
            .iter()
            .enumerate()
            .map(|(i, r)| match &self.fail_subject {
                Some(s) if r.subject.contains(s.as_str()) => Err(error.clone()),
                _ => Ok(format!("m-{n}-{i}")),
            })
            .collect()
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn records(bodies: &[Vec<u8>]) -> Vec<Record> {
    bodies
        .iter()
        .enumerate()
        .map(|(i, body)| Record {
            message_id: format!("record-{i}"),
            body: String::from_utf8(body.clone()).unwrap(),
        })
        .collect()
}

fn bodies() -> Vec<Vec<u8>> {
    example_events()
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect()
}

/// The example events' publish requests, as a single invocation each would send them.
fn expected(bodies: &[Vec<u8>], settings: &Settings) -> Vec<Option<PublishRequest>> {
    bodies
        .iter()
        .map(|b| match prepare(b, settings).unwrap().decision {
            Decision::Publish(request) => Some(*request),
            Decision::Skip(_) => None,
        })
        .collect()
}

fn batch(records: Vec<Record>, settings: &Settings, publisher: &Batches) -> Vec<String> {
    let response = run(handle_batch(
        records,
        services(settings, publisher, &Stateless),
        Invocation::new(i64::MAX, "batch"),
    ));
    response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect()
}

#[test]
fn each_publishes_what_single_invocations_would_ten_to_a_request() {
    for format in common::FORMATS {
        let settings = settings(format);
        let bodies = bodies();
        let publisher = Batches::default();
        assert!(batch(records(&bodies), &settings, &publisher).is_empty());
        let wanted: Vec<PublishRequest> =
            expected(&bodies, &settings).into_iter().flatten().collect();
        assert_eq!(publisher.sent(), wanted, "{format}");
        assert_eq!(
            publisher.requests.lock().unwrap().len(),
            wanted.len().div_ceil(10),
            "{format}"
        );
    }
}

#[test]
fn a_bad_record_or_a_failed_entry_is_reported_and_the_rest_is_done() {
    let settings = settings(MessageFormat::Text);
    let mut bodies = bodies();
    bodies.insert(3, b"{\"detail-type\": 7}".to_vec());
    bodies.insert(5, b"not json".to_vec());
    let publisher = Batches {
        fail_subject: Some("DeleteComputeEnvironment".into()),
        ..Batches::default()
    };
    let mut failed = batch(records(&bodies), &settings, &publisher);
    failed.sort();
    let mut wanted: Vec<String> = bodies
        .iter()
        .enumerate()
        .filter(|(_, body)| match prepare(body, &settings) {
            Err(_) => true,
            Ok(p) => matches!(p.decision, Decision::Publish(r) if r.subject.contains("DeleteComputeEnvironment")),
        })
        .map(|(i, _)| format!("record-{i}"))
        .collect();
    wanted.sort();
    assert!(
        wanted.len() > 2
            && wanted.contains(&"record-3".into())
            && wanted.contains(&"record-5".into())
    );
    assert_eq!(failed, wanted);
    let publishable = bodies
        .iter()
        .filter(|body| {
            prepare(body, &settings).is_ok_and(|p| matches!(p.decision, Decision::Publish(_)))
        })
        .count();
    // Every publishable record was sent, in requests the failing entries shared with others.
    assert_eq!(publisher.sent().len(), publishable);
}

#[test]
fn a_failed_publish_batch_reports_every_record_it_carried() {
    let settings = settings(MessageFormat::Text);
    let bodies = bodies();
    let publisher = Batches {
        fail_all: true,
        ..Batches::default()
    };
    let failed = batch(records(&bodies), &settings, &publisher);
    let publishable = expected(&bodies, &settings)
        .iter()
        .filter(|r| r.is_some())
        .count();
    assert_eq!(failed.len(), publishable);
}

fn digest_settings(format: MessageFormat) -> Settings {
    let mut s = settings(format);
    s.deliver.delivery = Delivery::Digest;
    s
}

/// Each publishable event's item line, as the text digest shows it.
fn summary_of(request: &PublishRequest) -> String {
    request.message.lines().next().unwrap().to_owned()
}

#[test]
fn a_digest_holds_everything_below_the_immediate_severity_once_most_severe_first() {
    let settings = digest_settings(MessageFormat::Text);
    let bodies = bodies();
    let publisher = Batches::default();
    assert!(batch(records(&bodies), &settings, &publisher).is_empty());
    let sent = publisher.sent();
    let (digests, alone): (Vec<_>, Vec<_>) = sent.iter().partition(|r| {
        r.message_attributes
            .get("kind")
            .is_some_and(|k| k.string_value == "digest")
    });
    let wanted = expected(&bodies, &settings);
    let critical: Vec<&PublishRequest> = wanted
        .iter()
        .flatten()
        .filter(|r| r.message_attributes["severity"].string_value == "critical")
        .collect();
    assert_eq!(
        alone, critical,
        "critical notifications go out on their own"
    );
    let [digest] = digests.as_slice() else {
        panic!("one digest: {digests:?}")
    };
    let held: Vec<&PublishRequest> = wanted
        .iter()
        .flatten()
        .filter(|r| r.message_attributes["severity"].string_value != "critical")
        .collect();
    let lines: Vec<&str> = digest.message.lines().skip(2).collect();
    assert_eq!(lines.len(), held.len());
    let mut shown: Vec<String> = lines
        .iter()
        .map(|l| l.split_once(' ').unwrap().1.trim_start().to_owned())
        .collect();
    let mut wanted: Vec<String> = held.iter().map(|r| summary_of(r)).collect();
    shown
        .iter_mut()
        .for_each(|l| *l = l.split("  https://").next().unwrap().to_owned());
    shown.sort();
    wanted.sort();
    assert_eq!(shown, wanted, "each held notification once");
    let warnings = lines
        .iter()
        .take_while(|l| l.starts_with("WARNING"))
        .count();
    assert!(warnings > 0 && lines[warnings..].iter().all(|l| l.starts_with("INFO")));
    assert!(
        digest.subject.starts_with("[WARNING] Digest: "),
        "{}",
        digest.subject
    );
    let headline = digest.message.lines().next().unwrap();
    let counted: usize = headline
        .split(", ")
        .map(|count| count.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, held.len(), "{headline}");
    assert!(headline.ends_with(" routine"), "{headline}");
    assert_eq!(
        digest.message_attributes["severity"].string_value,
        "warning"
    );
    let families: Vec<String> =
        serde_json::from_str(&digest.message_attributes["family"].string_value).unwrap();
    assert!(
        families.contains(&"s3_batch_job".to_owned())
            && families.contains(&"batch_api_call".to_owned())
    );
}

#[test]
fn a_digest_too_large_for_one_message_is_split_and_drops_nothing() {
    for format in common::FORMATS {
        let settings = digest_settings(format);
        let job = example("s3-batch-job-complete.json");
        let bodies: Vec<Vec<u8>> = (0..3000)
            .map(|i| {
                let mut event: serde_json::Value = serde_json::from_slice(&job).unwrap();
                event["id"] = json!(format!("event-{i}"));
                event["detail"]["serviceEventDetails"]["jobId"] =
                    json!(format!("job-{i:05}-{}", "x".repeat(40)));
                serde_json::to_vec(&event).unwrap()
            })
            .collect();
        let publisher = Batches::default();
        assert!(batch(records(&bodies), &settings, &publisher).is_empty());
        let sent = publisher.sent();
        assert!(sent.len() > 1, "{format}: {} digests", sent.len());
        assert!(sent.iter().all(|r| r.size() <= MAX_PUBLISH_BYTES));
        let mut seen = std::collections::BTreeSet::new();
        for request in &sent {
            for (at, _) in request.message.match_indices("job-") {
                if let Ok(i) = request.message[at + 4..]
                    .chars()
                    .take(5)
                    .collect::<String>()
                    .parse::<u32>()
                {
                    seen.insert(i);
                }
            }
        }
        assert_eq!(seen.len(), 3000, "{format}: every item in a digest");
        if format == MessageFormat::Json {
            let items: usize = sent
                .iter()
                .map(|r| {
                    let doc: serde_json::Value = serde_json::from_str(&r.message).unwrap();
                    assert_eq!(
                        (doc["kind"].as_str(), doc["total_items"].as_u64()),
                        (Some("digest"), Some(3000))
                    );
                    doc["items"].as_array().unwrap().len()
                })
                .sum();
            assert_eq!(items, 3000);
        }
    }
}

#[test]
fn digest_immediate_severity_sends_those_at_or_above_it_alone() {
    let mut settings = digest_settings(MessageFormat::Text);
    settings.deliver.digest_immediate_severity = Severity::Warning;
    let bodies = bodies();
    let publisher = Batches::default();
    assert!(batch(records(&bodies), &settings, &publisher).is_empty());
    let sent = publisher.sent();
    let [digest] = sent
        .iter()
        .filter(|r| r.message_attributes.contains_key("kind"))
        .collect::<Vec<_>>()[..]
    else {
        panic!("one digest")
    };
    assert_eq!(digest.message_attributes["severity"].string_value, "info");
    let alone = sent.len() - 1;
    let wanted = expected(&bodies, &settings)
        .iter()
        .flatten()
        .filter(|r| r.message_attributes["severity"].string_value != "info")
        .count();
    assert_eq!(alone, wanted);
}

#[test]
fn a_batch_out_of_time_stops_taking_records_and_reports_the_rest() {
    let settings = settings(MessageFormat::Text);
    let bodies = bodies();
    let publisher = Batches::default();
    // Each look at the clock is 5 s later; the deadline is 60 s after the start, so the batch stops
    // taking records 16 s before it.
    let clock = std::sync::atomic::AtomicI64::new(1_000_000);
    let now = || clock.fetch_add(5_000, std::sync::atomic::Ordering::SeqCst);
    let response = run(handle_batch_by(
        records(&bodies),
        services(&settings, &publisher, &Stateless),
        Invocation::new(1_060_000, "batch"),
        now,
    ));
    let failed: Vec<String> = response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    let taken = bodies.len() - failed.len();
    assert_eq!(
        taken, 8,
        "records at 5, 10, ... 40 s: the next look is at 45 s, past 44 s"
    );
    let wanted: Vec<String> = (taken..bodies.len())
        .map(|i| format!("record-{i}"))
        .collect();
    assert_eq!(failed, wanted);
    let published = expected(&bodies[..taken], &settings)
        .into_iter()
        .flatten()
        .count();
    assert_eq!(
        publisher.sent().len(),
        published,
        "what was taken is published"
    );
}

#[test]
fn with_the_state_store_a_batch_publishes_each_event_once() {
    let mut settings = settings(MessageFormat::Text);
    settings.state.table = Some("state".into());
    let bodies = bodies();
    let store = MemoryStore::default();
    let publisher = Batches::default();
    let first = run(handle_batch(
        records(&bodies),
        services(&settings, &publisher, &store),
        Invocation::new(i64::MAX, "first"),
    ));
    let once = publisher.sent().len();
    let again = run(handle_batch(
        records(&bodies),
        services(&settings, &publisher, &store),
        Invocation::new(i64::MAX, "again"),
    ));
    assert_eq!(
        publisher.sent().len(),
        once,
        "a redelivered batch publishes nothing"
    );
    assert!(again.batch_item_failures.is_empty());
    // The examples share job ids: some are stale or in flight in the first batch, never published twice.
    let published = publisher.sent();
    let mut subjects: Vec<&str> = published
        .iter()
        .map(|r| r.message_deduplication_id.as_deref().unwrap_or(&r.message))
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), once);
    drop(first);
}

#[test]
fn the_handler_answers_a_batch_with_the_partial_batch_response() {
    let settings = settings_with(&[]);
    let sqs = json!({"Records": [
        {"messageId": "good", "body": String::from_utf8(example("batch-job-state-failed.json")).unwrap(),
         "eventSource": "aws:sqs", "attributes": {}, "messageAttributes": {}},
        {"messageId": "bad", "body": "{}", "eventSource": "aws:sqs", "attributes": {}, "messageAttributes": {}},
    ]});
    let publisher = Batches::default();
    let answer = run(invoke(
        &serde_json::to_vec(&sqs).unwrap(),
        services(&settings, &publisher, &Stateless),
        Invocation::new(0, "batch"),
    ))
    .unwrap();
    assert!(matches!(answer, Answer::Batch(_)));
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "bad"}]})
    );
    assert_eq!(publisher.sent().len(), 1);
    let single = run(invoke(
        &example("batch-job-state-failed.json"),
        services(&settings, &publisher, &Stateless),
        Invocation::new(0, "single"),
    ))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&single).unwrap(),
        json!({"published": "m-2-0"})
    );
}
