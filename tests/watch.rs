//! The stuck-job watch through the handler's own entry points, on a state table in memory: job
//! events with times in the past, then the schedule's events.

mod common;

use std::sync::Mutex;

use batch_notifier::entry::clock::Invocation;
use batch_notifier::entry::lambda::{Answer, invoke};
use batch_notifier::entry::sweep::Sweep;
use batch_notifier::ports::publisher::{PublishError, PublishRequest, Publisher};
use batch_notifier::ports::state::MemoryStore;
use common::{example, published_text, services, settings_with};
use serde_json::{Value, json};

#[derive(Default)]
struct Sent(Mutex<Vec<PublishRequest>>);

impl Publisher for Sent {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        let mut sent = self.0.lock().unwrap();
        sent.push(request.clone());
        Ok(format!("m-{}", sent.len()))
    }
}

impl Sent {
    fn subjects(&self) -> Vec<String> {
        let sent = self.0.lock().unwrap();
        sent.iter().map(|r| r.subject.clone()).collect()
    }

    fn last_text(&self) -> String {
        published_text(self.0.lock().unwrap().last().unwrap())
    }
}

const SCHEDULE: &str = r#"{"version":"0","id":"s-1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-12-01T00:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/watch"],"detail":{}}"#;

/// The example RUNNABLE job as `status` at `time`, with its own job id.
fn job_event(id: &str, status: &str, time: &str) -> Vec<u8> {
    let mut event: Value =
        serde_json::from_slice(&example("batch-job-state-runnable.json")).unwrap();
    event["id"] = json!(format!("{id}-{status}"));
    event["time"] = json!(time);
    event["detail"]["jobId"] = json!(id);
    event["detail"]["jobArn"] = json!(format!("arn:aws:batch:us-east-1:123456789012:job/{id}"));
    event["detail"]["status"] = json!(status);
    serde_json::to_vec(&event).unwrap()
}

fn run(
    bytes: &[u8],
    settings: &batch_notifier::config::Settings,
    store: &MemoryStore,
    sent: &Sent,
    request: &str,
) -> Answer {
    let invocation = Invocation::new(i64::MAX, request);
    common::now(invoke(bytes, services(settings, sent, store), invocation)).unwrap()
}

fn sweep(
    settings: &batch_notifier::config::Settings,
    store: &MemoryStore,
    sent: &Sent,
    request: &str,
) -> Sweep {
    match run(SCHEDULE.as_bytes(), settings, store, sent, request) {
        Answer::Sweep(sweep) => sweep,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_overdue_job_is_told_once_and_told_again_when_it_moves_on() {
    let settings = settings_with(&[
        ("STATE_TABLE", "state"),
        ("SKIP_TRANSITIONAL_STATUSES", "true"),
    ]);
    let (store, sent) = (MemoryStore::default(), Sent::default());
    run(
        &job_event("stuck-1", "RUNNABLE", "2026-11-03T02:00:05Z"),
        &settings,
        &store,
        &sent,
        "e1",
    );
    run(
        &job_event("done-1", "RUNNABLE", "2026-11-03T02:00:05Z"),
        &settings,
        &store,
        &sent,
        "e2",
    );
    run(
        &job_event("done-1", "SUCCEEDED", "2026-11-03T02:30:00Z"),
        &settings,
        &store,
        &sent,
        "e3",
    );
    // A stale RUNNABLE never puts a finished job back in the watch.
    run(
        &job_event("done-1", "RUNNABLE", "2026-11-03T02:10:00Z"),
        &settings,
        &store,
        &sent,
        "e4",
    );
    let before = sent.subjects().len();
    assert_eq!(
        sweep(&settings, &store, &sent, "s1"),
        Sweep {
            overdue: 1,
            told: 1,
            left: 0
        }
    );
    let subjects = sent.subjects();
    assert_eq!(subjects.len(), before + 1);
    let subject = subjects.last().unwrap();
    assert!(
        subject.starts_with("[WARNING] Batch job nightly-etl stuck in RUNNABLE for ")
            && subject.contains(" in high-priority"),
        "{subject}"
    );
    let text = sent.last_text();
    assert!(text.contains("Job definition: etl-job:7"), "{text}");
    assert!(
        text.contains("In this state since: 2026-11-03T02:00:05Z"),
        "{text}"
    );
    // Repeated sweeps, and another invocation's, tell it no more.
    assert_eq!(sweep(&settings, &store, &sent, "s1"), Sweep::default());
    assert_eq!(sweep(&settings, &store, &sent, "s2"), Sweep::default());
    // It moves on: told even though STARTING is skipped, with how long it was stuck.
    run(
        &job_event("stuck-1", "STARTING", "2026-11-03T04:04:05Z"),
        &settings,
        &store,
        &sent,
        "e5",
    );
    let text = sent.last_text();
    assert!(
        text.contains("Job nightly-etl is now STARTING, after 2 h 04 min in RUNNABLE."),
        "{text}"
    );
    assert_eq!(sent.subjects().len(), before + 2);
    // Told once: the next skipped transition is skipped again.
    run(
        &job_event("stuck-1", "RUNNING", "2026-11-03T04:06:05Z"),
        &settings,
        &store,
        &sent,
        "e6",
    );
    assert_eq!(sent.subjects().len(), before + 2);
}

#[test]
fn children_are_not_watched_and_a_function_without_a_watch_sweeps_nothing() {
    let settings = settings_with(&[("STATE_TABLE", "state")]);
    let (store, sent) = (MemoryStore::default(), Sent::default());
    let mut child: Value =
        serde_json::from_slice(&job_event("arr-1:3", "RUNNABLE", "2026-11-03T02:00:05Z")).unwrap();
    child["detail"]["arrayProperties"] = json!({"index": 3, "statusSummary": {}});
    run(
        &serde_json::to_vec(&child).unwrap(),
        &settings,
        &store,
        &sent,
        "e1",
    );
    assert_eq!(sweep(&settings, &store, &sent, "s1"), Sweep::default());
    let off = settings_with(&[("STATE_TABLE", "state"), ("STUCK_RUNNABLE_MINUTES", "0")]);
    run(
        &job_event("j-2", "RUNNABLE", "2026-11-03T02:00:05Z"),
        &off,
        &store,
        &sent,
        "e2",
    );
    assert_eq!(sweep(&off, &store, &sent, "s2"), Sweep::default());
    let stateless = settings_with(&[]);
    assert_eq!(sweep(&stateless, &store, &sent, "s3"), Sweep::default());
}

/// The example array job (40 children) as `status` at `time`; with `child`, its child of that
/// index.
fn array_event(status: &str, time: &str, child: Option<u64>) -> Vec<u8> {
    let mut event: Value =
        serde_json::from_slice(&example("batch-job-state-array-job-counts.json")).unwrap();
    let parent = "arr-40";
    let id = child.map_or(parent.to_owned(), |index| format!("{parent}:{index}"));
    event["id"] = json!(format!("{id}-{status}-{time}"));
    event["time"] = json!(time);
    event["detail"]["jobId"] = json!(id);
    event["detail"]["jobArn"] = json!(format!("arn:aws:batch:us-east-1:123456789012:job/{id}"));
    event["detail"]["status"] = json!(status);
    event["detail"]["arrayProperties"] = match child {
        Some(index) => json!({"index": index, "statusSummary": {}}),
        None => json!({"size": 40}),
    };
    serde_json::to_vec(&event).unwrap()
}

#[test]
fn an_array_job_is_watched_as_one_through_its_children() {
    let settings = settings_with(&[("STATE_TABLE", "state")]);
    let (store, sent) = (MemoryStore::default(), Sent::default());
    let mut request = 0;
    let mut send = |bytes: Vec<u8>| {
        request += 1;
        run(&bytes, &settings, &store, &sent, &format!("e{request}"));
    };
    send(array_event("PENDING", "2026-11-03T02:00:00Z", None));
    for index in 0..40 {
        send(array_event("RUNNABLE", "2026-11-03T02:00:05Z", Some(index)));
    }
    // Forty stuck children: one notice, the array job's.
    let before = sent.subjects().len();
    let swept = sweep(&settings, &store, &sent, "s1");
    assert_eq!((swept.overdue, swept.told), (1, 1), "{swept:?}");
    let subject = sent.subjects().pop().unwrap();
    assert!(
        subject.starts_with("[WARNING] Batch array job align-reads stuck in RUNNABLE for "),
        "{subject}"
    );
    let text = sent.last_text();
    assert!(
        text.contains("none of its 40 children has started"),
        "{text}"
    );
    assert!(text.contains("#jobs/array-job/arr-40"), "{text}");
    assert_eq!(sweep(&settings, &store, &sent, "s2"), Sweep::default());
    // The first child to start ends the wait: told, though children's STARTING is not, with how
    // long the children waited; the next child moves nothing.
    send(array_event("STARTING", "2026-11-03T03:12:00Z", Some(7)));
    let text = sent.last_text();
    assert!(
        text.contains(
            "Child 7 of array job align-reads is now STARTING, after 1 h 12 min in RUNNABLE."
        ),
        "{text}"
    );
    send(array_event("STARTING", "2026-11-03T03:13:00Z", Some(8)));
    assert_eq!(sent.subjects().len(), before + 2);
    // Starting for longer than STUCK_STARTING_MINUTES with none running: told once more.
    let swept = sweep(&settings, &store, &sent, "s3");
    assert_eq!((swept.overdue, swept.told), (1, 1), "{swept:?}");
    let text = sent.last_text();
    assert!(
        text.contains("its 40 children are starting; none has run yet"),
        "{text}"
    );
    send(array_event("RUNNING", "2026-11-03T03:40:00Z", Some(8)));
    assert!(
        sent.last_text().contains("after 28 min 00 s in STARTING"),
        "{}",
        sent.last_text()
    );
    // Running, and STUCK_RUNNING_MINUTES off: out of the watch.
    assert_eq!(sweep(&settings, &store, &sent, "s4"), Sweep::default());
    assert_eq!(sent.subjects().len(), before + 4);
}

#[test]
fn an_array_job_that_ended_or_waits_for_another_job_is_not_told_stuck() {
    let settings = settings_with(&[("STATE_TABLE", "state")]);
    let (store, sent) = (MemoryStore::default(), Sent::default());
    run(
        &array_event("PENDING", "2026-11-03T02:00:00Z", None),
        &settings,
        &store,
        &sent,
        "e1",
    );
    run(
        &array_event("FAILED", "2026-11-03T02:30:00Z", None),
        &settings,
        &store,
        &sent,
        "e2",
    );
    // A child's late STARTING does not put a finished array job back.
    run(
        &array_event("STARTING", "2026-11-03T02:10:00Z", Some(1)),
        &settings,
        &store,
        &sent,
        "e3",
    );
    let mut waits: Value =
        serde_json::from_slice(&array_event("PENDING", "2026-11-03T02:00:00Z", None)).unwrap();
    waits["detail"]["jobId"] = json!("arr-after");
    waits["id"] = json!("arr-after-PENDING");
    waits["detail"]["dependsOn"] = json!([{"jobId": "upstream-1", "type": "SEQUENTIAL"}]);
    run(
        &serde_json::to_vec(&waits).unwrap(),
        &settings,
        &store,
        &sent,
        "e4",
    );
    assert_eq!(sweep(&settings, &store, &sent, "s1"), Sweep::default());
}
