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
