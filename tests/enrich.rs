//! Enrichment through the handler's own path, with sources of our own in place of the AWS clients:
//! what each lookup adds in every format, a lookup that fails or runs late, and secrets planted in
//! log lines. (The SDK adapters meet local servers in `tests/e2e/test_enrich.py`.)

mod common;

use std::sync::Mutex;
use std::time::Duration;

use batch_notifier::adapters::lookups::Concurrent;
use batch_notifier::config::Delivery;
use batch_notifier::config::Settings;
use batch_notifier::domain::decision::Decision;
use batch_notifier::pipeline::classify::stuck::Place;
use batch_notifier::pipeline::gate::Clock;
use batch_notifier::pipeline::{Core, Outgoing, Prepared, Swept, prepare, prepare_stuck};
use batch_notifier::ports::lookups::{
    Enricher, HeadJob, JobLogRef, JobLogSource, JobReport, JobSource, LookupError, Missing,
    QueueHead, QueueSource, ReportLocation, S3JobRef, S3JobReport, S3JobSource, TaskFailure,
    Wanted,
};
use batch_notifier::ports::state::{MemoryStore, StateStore, Stateless, SweepAsk};
use common::{FORMATS, example, readable, settings_with};

/// What a fake source answers: a value, an error code, or nothing for longer than any deadline.
#[derive(Clone)]
enum Answer<T> {
    Value(T),
    Error(&'static str),
    Hang,
}

struct Fake<T> {
    answer: Answer<T>,
    asked: Mutex<Vec<String>>,
}

impl<T: Clone + Send + Sync> Fake<T> {
    fn new(answer: Answer<T>) -> Self {
        Fake {
            answer,
            asked: Mutex::new(Vec::new()),
        }
    }

    async fn answer(&self, asked: String) -> Result<T, LookupError> {
        self.asked.lock().unwrap().push(asked);
        match &self.answer {
            Answer::Value(value) => Ok(value.clone()),
            Answer::Error(code) => Err(LookupError::new(Some((*code).into()), "refused")),
            Answer::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Err(LookupError::new(None, "never"))
            }
        }
    }
}

impl S3JobSource for Fake<S3JobReport> {
    async fn describe_job(&self, job: &S3JobRef) -> Result<S3JobReport, LookupError> {
        self.answer(format!("{}/{}", job.account, job.job_id)).await
    }
}

impl JobLogSource for Fake<Vec<String>> {
    async fn last_lines(&self, log: &JobLogRef) -> Result<Vec<String>, LookupError> {
        self.answer(format!("{} {} {}", log.group, log.stream, log.lines))
            .await
    }
}

impl JobSource for Fake<JobReport> {
    async fn describe_job(&self, job_id: &str) -> Result<JobReport, LookupError> {
        self.answer(job_id.to_owned()).await
    }
}

impl QueueSource for Fake<QueueHead> {
    async fn head(&self, queue: &str) -> Result<QueueHead, LookupError> {
        self.answer(queue.to_owned()).await
    }
}

/// What a source was asked.
fn asked<T>(source: &Option<Fake<T>>) -> Vec<String> {
    source.as_ref().unwrap().asked.lock().unwrap().clone()
}

type Sources = Concurrent<Fake<S3JobReport>, Fake<Vec<String>>, Fake<JobReport>, Fake<QueueHead>>;

fn s3_job(failed: i64) -> S3JobReport {
    S3JobReport {
        operation: Some("Copy".into()),
        total_tasks: Some(12_000),
        succeeded_tasks: Some(12_000 - failed),
        failed_tasks: Some(failed),
        active_seconds: Some(7_500),
        failure_reasons: vec![TaskFailure {
            code: Some("AccessDenied".into()),
            reason: Some("Access Denied on 3 keys".into()),
        }],
        report: Some(ReportLocation {
            bucket: Some("arn:aws:s3:::reports-bucket".into()),
            prefix: Some("batch/reports".into()),
            format: Some("Report_CSV_20180820".into()),
            enabled: true,
            scope: Some("FailedTasksOnly".into()),
        }),
        description: Some("nightly copy".into()),
        priority: Some(10),
        confirmation_required: Some(true),
        status_update_reason: None,
        suspended_cause: None,
    }
}

fn job() -> JobReport {
    JobReport {
        name: Some("nightly-etl".into()),
        queue: Some("arn:aws:batch:us-east-1:123456789012:job-queue/high-priority".into()),
        status: Some("RUNNING".into()),
        status_reason: None,
    }
}

fn log_lines() -> Vec<String> {
    vec![
        "loading input s3://in/part-0001".into(),
        "Traceback (most recent call last):".into(),
        "MemoryError: cannot allocate 4 GiB".into(),
    ]
}

fn sources(s3: Answer<S3JobReport>, logs: Answer<Vec<String>>, jobs: Answer<JobReport>) -> Sources {
    Concurrent {
        s3_jobs: Some(Fake::new(s3)),
        job_logs: Some(Fake::new(logs)),
        jobs: Some(Fake::new(jobs)),
        queues: Some(Fake::new(Answer::Value(QueueHead::default()))),
        timeout: Duration::from_millis(1500),
    }
}

fn all_sources() -> Settings {
    settings_with(&[("ENRICH", "s3_jobs,job_logs,jobs"), ("LOG_LINES", "3")])
}

async fn run(event: &str, settings: &Settings, sources: &Sources) -> Prepared {
    run_bytes(&example(event), settings, sources).await
}

async fn run_bytes(event: &[u8], settings: &Settings, sources: &Sources) -> Prepared {
    let clock = Clock {
        now_ms: 1_700_000_000_000,
        lease_until_ms: 1_700_000_060_000,
        owner: 1,
    };
    let core = Core {
        settings,
        store: &Stateless,
        enricher: sources,
    };
    prepare(event, core, clock, Delivery::Each).await.unwrap()
}

fn published(ready: Prepared) -> String {
    match ready.decision {
        Ok(Decision::Publish(Outgoing::Alone(request))) => readable(&request),
        other => panic!("not published: {other:?}"),
    }
}

const EVENTS: [&str; 4] = [
    "s3-batch-job-complete.json",
    "s3-batch-job-suspended.json",
    "batch-job-state-failed.json",
    "batch-api-terminate-job.json",
];

#[tokio::test]
async fn every_enriched_example_in_every_format() {
    let sources = sources(
        Answer::Value(s3_job(25)),
        Answer::Value(log_lines()),
        Answer::Value(job()),
    );
    for format in FORMATS {
        let mut settings = all_sources();
        settings.render.message_format = format;
        for event in EVENTS {
            let shown = published(run(event, &settings, &sources).await);
            let name = format!("enriched-{}__{format}", event.trim_end_matches(".json"));
            insta::assert_snapshot!(name, shown);
        }
    }
    let asked = sources.job_logs.as_ref().unwrap().asked.lock().unwrap();
    assert!(
        asked
            .iter()
            .all(|a| a == "/batch/etl etl-job/default/1a2b3c4d5e6f 3")
    );
}

#[tokio::test]
async fn a_completed_job_with_failed_tasks_is_a_warning_and_without_them_stays_info() {
    let settings = all_sources();
    let failed = sources(Answer::Value(s3_job(25)), Answer::Hang, Answer::Hang);
    let ready = run("s3-batch-job-complete.json", &settings, &failed).await;
    assert_eq!(ready.summary.unwrap().severity.as_str(), "warning");
    let clean = sources(Answer::Value(s3_job(0)), Answer::Hang, Answer::Hang);
    let ready = run("s3-batch-job-complete.json", &settings, &clean).await;
    assert_eq!(ready.summary.unwrap().severity.as_str(), "info");
}

#[tokio::test(start_paused = true)]
async fn a_failed_or_late_lookup_leaves_the_notification_whole_with_the_missing_part_named() {
    let settings = all_sources();
    let plain = published(
        run(
            "s3-batch-job-complete.json",
            &settings_with(&[("ENRICH", "")]),
            &sources(Answer::Hang, Answer::Hang, Answer::Hang),
        )
        .await,
    );
    for (answer, reason) in [
        (
            Answer::Error("AccessDenied"),
            "task counts unavailable: AccessDenied",
        ),
        (
            Answer::Hang,
            "task counts unavailable: no answer within 1500 ms",
        ),
    ] {
        let sources = sources(answer, Answer::Hang, Answer::Hang);
        let started = tokio::time::Instant::now();
        let ready = run("s3-batch-job-complete.json", &settings, &sources).await;
        assert!(
            started.elapsed() <= Duration::from_millis(1500),
            "within the deadline"
        );
        let summary = ready.summary.clone().unwrap();
        assert_eq!(summary.unavailable.len(), 1);
        let shown = published(ready);
        assert!(shown.contains(reason), "{shown}");
        let without_reason = shown
            .replace(&format!("\n{reason}\n"), "\n")
            .replace("\n\n\n", "\n\n");
        assert_eq!(
            without_reason.lines().count(),
            plain.lines().count(),
            "{shown}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_lookups_of_one_event_run_together_under_one_deadline() {
    let sources = sources(Answer::Hang, Answer::Value(log_lines()), Answer::Hang);
    let wanted = Wanted {
        s3_job: Some(S3JobRef {
            account: "123456789012".into(),
            job_id: "j".into(),
        }),
        job_log: Some(JobLogRef {
            group: "g".into(),
            stream: "s".into(),
            lines: 3,
        }),
        job: Some("id".into()),
        queue: None,
        reach: Default::default(),
    };
    let started = tokio::time::Instant::now();
    let found = sources.look_up(&wanted).await;
    // Two that never answer cost one deadline, not one each; the third's answer is kept.
    assert_eq!(started.elapsed(), Duration::from_millis(1500));
    let late = Missing::Late { timeout_ms: 1500 };
    assert_eq!(found.s3_job, Some(Err(late.clone())));
    assert_eq!(found.job, Some(Err(late)));
    assert_eq!(found.job_log, Some(Ok(log_lines())));
}

#[tokio::test]
async fn secrets_planted_in_log_lines_do_not_leave_in_any_format() {
    let planted = [
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7CANARY1",
        "db password=canary-pass-1234 connected",
        r#"{"api_token": "canary-token-5678"}"#,
        "key AKIAIOSFODNN7CANARY2 in the middle",
    ];
    let lines = planted.iter().map(|l| (*l).to_owned()).collect();
    let sources = sources(Answer::Hang, Answer::Value(lines), Answer::Hang);
    for format in FORMATS {
        let mut settings = all_sources();
        settings.render.message_format = format;
        let shown = published(run("batch-job-state-failed.json", &settings, &sources).await);
        for canary in ["CANARY1", "CANARY2", "canary-pass", "canary-token"] {
            assert!(!shown.contains(canary), "{format}: {canary} left:\n{shown}");
        }
        assert!(
            shown.contains("db password=[redacted] connected"),
            "{format}"
        );
    }
}

#[tokio::test]
async fn only_what_is_published_and_enabled_is_looked_up() {
    let settings = settings_with(&[("ENRICH", "jobs"), ("MIN_SEVERITY", "critical")]);
    let sources = sources(
        Answer::Value(s3_job(1)),
        Answer::Value(log_lines()),
        Answer::Value(job()),
    );
    for event in EVENTS {
        run(event, &settings, &sources).await;
    }
    // The terminate call is a warning, skipped under MIN_SEVERITY=critical; S3 jobs and logs are
    // not enabled.
    assert!(asked(&sources.jobs).is_empty());
    assert!(asked(&sources.s3_jobs).is_empty());
    assert!(asked(&sources.job_logs).is_empty());
}

/// The S3 Batch Operations example with `region` as the event's region, wherever it says one.
fn s3_job_in(region: &str) -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&example("s3-batch-job-complete.json")).unwrap();
    event["region"] = region.into();
    event["detail"]["awsRegion"] = region.into();
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn the_report_link_follows_the_partition_and_no_event_chooses_its_host() {
    let sources = sources(Answer::Value(s3_job(1)), Answer::Hang, Answer::Hang);
    for format in FORMATS {
        let mut settings = all_sources();
        settings.render.message_format = format;
        let hostile =
            published(run_bytes(&s3_job_in("attacker.example.net#"), &settings, &sources).await);
        assert!(
            !hostile.contains("attacker.example.net/"),
            "{format}:\n{hostile}"
        );
        assert!(
            !hostile.contains("https://attacker"),
            "{format}:\n{hostile}"
        );
        let china = published(run_bytes(&s3_job_in("cn-north-1"), &settings, &sources).await);
        assert!(
            china.contains("https://cn-north-1.console.amazonaws.cn/s3/buckets/reports-bucket?region=cn-north-1"),
            "{format}:\n{china}"
        );
        assert!(
            !china.contains("console.aws.amazon.com"),
            "{format}:\n{china}"
        );
    }
}

/// The stuck notice of the example RUNNABLE job (`nightly-etl` in `high-priority`), swept with
/// `queues` answering `head`.
async fn stuck_notice(head: Answer<QueueHead>) -> (String, Vec<String>) {
    let settings = settings_with(&[("STATE_TABLE", "state"), ("ENRICH", "queues")]);
    let mut sources = sources(Answer::Hang, Answer::Hang, Answer::Hang);
    sources.queues = Some(Fake::new(head));
    let store = MemoryStore::default();
    let core = Core {
        settings: &settings,
        store: &store,
        enricher: &sources,
    };
    let clock = Clock {
        now_ms: 1_793_671_300_000,
        lease_until_ms: 1_793_671_360_000,
        owner: 1,
    };
    let runnable = example("batch-job-state-runnable.json");
    prepare(&runnable, core, clock, Delivery::Each)
        .await
        .unwrap();
    let now_ms = 1_793_676_000_000;
    let [due] = &store.overdue(now_ms, 10).await.unwrap()[..] else {
        panic!("one job overdue");
    };
    let ask = SweepAsk {
        now_ms,
        lease_until_ms: now_ms + 60_000,
        owner: 2,
    };
    let Swept::Told(request, _) = prepare_stuck(due, core, ask, &Place::default())
        .await
        .unwrap()
    else {
        panic!("not told");
    };
    (readable(&request), asked(&sources.queues))
}

#[tokio::test(start_paused = true)]
async fn a_stuck_job_says_its_place_in_its_queue_or_why_it_cannot() {
    let head = QueueHead {
        jobs: vec![HeadJob {
            job_arn: Some(
                "arn:aws:batch:us-east-1:123456789012:job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8"
                    .into(),
            ),
            since_ms: Some(1_793_671_805_000),
        }],
        last_updated_ms: Some(1_793_675_900_000),
    };
    let (shown, asked) = stuck_notice(Answer::Value(head)).await;
    assert_eq!(asked, ["high-priority"]);
    assert!(
        shown.contains(
            "Place in queue: first in line since 2026-11-03T02:10:05Z (as of 2026-11-03T03:18:20Z)"
        ),
        "{shown}"
    );
    let (denied, _) = stuck_notice(Answer::Error("AccessDeniedException")).await;
    assert!(denied.contains("stuck in RUNNABLE"), "{denied}");
    assert!(
        denied.contains("place in the queue unavailable: AccessDeniedException"),
        "{denied}"
    );
    let (late, _) = stuck_notice(Answer::Hang).await;
    assert!(
        late.contains("place in the queue unavailable: no answer within 1500 ms"),
        "{late}"
    );
}
