//! Every job's story, through the one path: the container of every way a job is defined, timing
//! (with the wait split by the state table's record), attempts, failure kinds, retries, blocked
//! reasons and a pending cancel; and bad times and shapes told with what can be known.

mod common;

use batch_notifier::domain::decision::Decision;
use batch_notifier::ports::lookups::Offline;
use batch_notifier::ports::publisher::PublishRequest;
use batch_notifier::ports::state::MemoryStore;
use common::{example, prepare, prepare_with, settings, settings_with};
use serde_json::{Value, json};

fn document(input: &[u8]) -> Value {
    let request = published(input, &[("MESSAGE_FORMAT", "json")]);
    serde_json::from_str(&request.message).unwrap()
}

fn published(input: &[u8], vars: &[(&str, &str)]) -> PublishRequest {
    match prepare(input, &settings_with(vars)).unwrap().decision {
        Decision::Publish(request) => *request,
        Decision::Skip(skip) => panic!("skipped: {}", skip.reason),
    }
}

fn text(input: &[u8]) -> String {
    published(input, &[]).message
}

fn event(name: &str) -> Value {
    serde_json::from_slice(&example(name)).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn a_failed_ecs_properties_node_names_its_container_exit_code_and_log() {
    let failed = example("real-2025-aws-samples-ecs-properties-node-failed.json");
    let text = text(&failed);
    assert!(
        text.starts_with(
            "Node 1 of multi-node job RMNP-2 is now FAILED: the job's code exited with code 1."
        ),
        "{text}"
    );
    for line in [
        "Container: worker",
        "Exit code: 1",
        "Log stream: RayClusterJobDefinition-GUn4UK5Y9AGHo0pI/worker/1af8dc61d93145919542b3e0f6982ac5",
        "Why it failed: application: the job's code exited with code 1",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(text.contains(
        "#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/RayClusterJobDefinition"
    ));
    let doc = document(&failed);
    assert_eq!(doc["failure"]["kind"], "application");
    assert_eq!(doc["attempts"][0]["container"], "worker");
    assert_eq!(doc["attempts"][0]["duration_seconds"], 300);
}

#[test]
fn an_eks_job_names_its_pod_and_node_and_has_no_log_link() {
    let eks = example("real-2023-eks-blueprints-job-succeeded-from-describe-jobs.json");
    let text = text(&eks);
    assert!(
        text.contains("Pod: aws-batch.fa024ec9-4232-3e82-b09b-4ba6ba396ec2"),
        "{text}"
    );
    assert!(text.contains("Kubernetes node: ip-10-0-81-102.us-west-2.compute.internal"));
    assert!(
        !text.contains("logsV2"),
        "AWS Batch does not log EKS jobs to CloudWatch"
    );
    let doc = document(&eks);
    assert_eq!(doc["timing"]["ran_seconds"], 60);
    assert_eq!(
        doc["attempts"][0]["pod"],
        "aws-batch.fa024ec9-4232-3e82-b09b-4ba6ba396ec2"
    );
}

#[test]
fn a_final_event_says_how_long_the_job_waited_ran_and_took() {
    let succeeded = example("real-2025-aws-samples-ecs-properties-job-succeeded.json");
    let text = text(&succeeded);
    for line in ["Waited: 2 min 16 s", "Ran: 5 min 00 s", "Took: 7 min 16 s"] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert_eq!(
        document(&succeeded)["timing"],
        json!({"waited_seconds": 136, "ran_seconds": 300, "total_seconds": 436})
    );
    assert_eq!(document(&succeeded)["schema_version"], 1);
}

#[test]
fn the_state_tables_record_splits_the_wait_though_the_settings_skip_those_events() {
    let store = MemoryStore::default();
    let settings = settings_with(&[
        ("SKIP_TRANSITIONAL_STATUSES", "true"),
        ("MESSAGE_FORMAT", "json"),
    ]);
    let mut job = event("real-2025-aws-samples-ecs-properties-job-succeeded.json");
    let at = |status: &str, time: &str, job: &Value| {
        let mut e = job.clone();
        e["detail"]["status"] = json!(status);
        e["time"] = json!(time);
        e["id"] = json!(format!("id-{status}"));
        e["detail"]["attempts"] = json!([]);
        bytes(&e)
    };
    // createdAt 13:21:34.698; the first attempt started 13:23:50.919.
    for (status, time) in [
        ("RUNNABLE", "2025-10-17T13:21:40Z"),
        ("STARTING", "2025-10-17T13:23:10Z"),
    ] {
        let prepared = prepare_with(&at(status, time, &job), &settings, &store, &Offline).unwrap();
        assert!(
            matches!(prepared.decision, Decision::Skip(_)),
            "{status} is transitional"
        );
    }
    let item = store
        .item("job#7419bcec-23b4-4a65-981b-857c5a9040a5")
        .unwrap();
    assert_eq!(
        item.latest.unwrap().status,
        "STARTING",
        "recorded though skipped"
    );
    assert!(item.claim.is_none(), "a record claims nothing");
    job["id"] = json!("id-SUCCEEDED");
    let Decision::Publish(request) = prepare_with(&bytes(&job), &settings, &store, &Offline)
        .unwrap()
        .decision
    else {
        panic!("SUCCEEDED is told");
    };
    let doc: Value = serde_json::from_str(&request.message).unwrap();
    assert_eq!(doc["timing"]["runnable_seconds"], 90);
    assert_eq!(doc["timing"]["starting_seconds"], 40);
    assert_eq!(
        doc["facts"]["waited"],
        "2 min 16 s (RUNNABLE 1 min 30 s, STARTING 40 s)"
    );
    // A stale RUNNABLE after the end records nothing.
    let late = prepare_with(
        &at("RUNNABLE", "2025-10-17T13:22:00Z", &job),
        &settings,
        &store,
        &Offline,
    )
    .unwrap();
    assert!(matches!(late.decision, Decision::Skip(_)));
    let item = store
        .item("job#7419bcec-23b4-4a65-981b-857c5a9040a5")
        .unwrap();
    assert_eq!(item.latest.unwrap().status, "SUCCEEDED");
}

#[test]
fn a_retry_is_told_as_one_even_when_transitional_statuses_are_skipped() {
    let retry = example("batch-job-state-runnable-retry-after-host-terminated.json");
    let request = published(&retry, &[("SKIP_TRANSITIONAL_STATUSES", "true")]);
    assert!(
        request.message.starts_with("Job align-sample-17 is now RUNNABLE: attempt 2 of 3 after Host EC2 (instance i-0aaa1111bbbb2222c) terminated."),
        "{}",
        request.message
    );
    let muted = settings_with(&[
        ("SKIP_TRANSITIONAL_STATUSES", "true"),
        ("RETRY_NOTICES", "false"),
    ]);
    let Decision::Skip(skip) = prepare(&retry, &muted).unwrap().decision else {
        panic!("RETRY_NOTICES=false mutes it");
    };
    assert!(skip.reason.contains("transitional"), "{}", skip.reason);
    let doc = document(&retry);
    assert_eq!(
        doc["retry"],
        json!({"attempt": 2, "of": 3, "after": "Host EC2 (instance i-0aaa1111bbbb2222c) terminated"})
    );
}

#[test]
fn each_failure_kind_is_told_and_an_infrastructure_only_history_is_still_critical() {
    let spot = example("batch-job-state-failed-spot-interrupted.json");
    let request = published(&spot, &[]);
    assert_eq!(
        request.message_attributes["failure_kind"].string_value,
        "infrastructure"
    );
    assert!(request.subject.starts_with("[CRITICAL]"));
    assert!(
        request
            .message
            .contains("every attempt was lost to the infrastructure, not the job's code")
    );
    assert!(request.message.contains("Attempt 2: started 2026-11-05T03:32:00Z, ran 13 min 45 s, exit code 137: Your Spot Task was interrupted. [infrastructure]"));
    let timeout = document(&example("batch-job-state-failed-timeout.json"));
    assert_eq!(
        timeout["failure"],
        json!({"kind": "timeout", "explanation": "the attempt ran past its timeout of 2 h 00 min"})
    );
    let oom = document(&example("batch-job-state-failed.json"));
    assert_eq!(oom["failure"]["kind"], "out_of_memory");
    let limit = document(&example("batch-job-state-failed-time-limit-cancelled.json"));
    assert_eq!(
        limit["failure"]["explanation"],
        "the queue's time limit cancelled it after it waited for capacity"
    );
    assert_eq!(
        limit["blocked"]["code"],
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    );
    assert_eq!(
        limit["timing"]["waited_seconds"], 7202,
        "it waited until it was cancelled"
    );
    let mut cancelled = event("batch-job-state-failed.json");
    cancelled["detail"]["isCancelled"] = json!(true);
    assert_eq!(
        document(&bytes(&cancelled))["failure"]["explanation"],
        "cancelled by a person or a call"
    );
}

#[test]
fn a_blocked_queue_reason_code_says_what_it_means_and_what_fixes_it() {
    let blocked = example("batch-job-queue-blocked.json");
    let mut event: Value = serde_json::from_slice(&blocked).unwrap();
    event["detail"]["statusReason"] = json!(
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT \u{2013} The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue."
    );
    let doc = document(&bytes(&event));
    assert_eq!(
        doc["blocked"]["code"],
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
    );
    assert_eq!(doc["blocked"]["time_limit_can_cancel"], true);
    assert_eq!(
        doc["facts"]["reason_meaning"],
        "no instance type in the queue's compute environments fits the job's vCPU, memory or GPU"
    );
}

#[test]
fn a_job_asked_to_stop_that_has_not_says_a_cancel_is_pending() {
    let mut running = event("batch-job-state-runnable.json");
    running["detail"]["isTerminated"] = json!(true);
    let text = text(&bytes(&running));
    assert!(
        text.contains(
            "Cancel pending: the job was asked to terminate; AWS Batch has not stopped it yet"
        ),
        "{text}"
    );
    let mut done = event("batch-job-state-failed.json");
    done["detail"]["isTerminated"] = json!(true);
    assert!(!self::text(&bytes(&done)).contains("Cancel pending"));
}

#[test]
fn bad_times_and_shapes_are_told_with_what_can_be_known_and_no_duration_is_invented() {
    let base = event("real-2025-aws-samples-ecs-properties-job-succeeded.json");
    let cases = [
        ("/detail/attempts/0/stoppedAt", json!(1)),
        ("/detail/attempts/0/startedAt", json!(null)),
        ("/detail/attempts/0/startedAt", json!(-5)),
        ("/detail/createdAt", json!("yesterday")),
        ("/detail/stoppedAt", json!(0)),
        (
            "/detail/attempts",
            json!([7, "x", null, [], {"taskProperties": [{"containers": [{}, 3]}]}]),
        ),
        (
            "/detail/attempts/0/taskProperties/0/containers",
            json!([{"exitCode": 2}, {"exitCode": "1"}]),
        ),
        (
            "/detail/eksAttempts",
            json!([{"containers": null, "startedAt": 9e99}]),
        ),
    ];
    for (pointer, value) in cases {
        let mut e = base.clone();
        *e.pointer_mut(pointer).unwrap() = value.clone();
        for format in common::FORMATS {
            let prepared = prepare(&bytes(&e), &settings(format)).unwrap();
            assert!(
                matches!(prepared.decision, Decision::Publish(_)),
                "{pointer} = {value}"
            );
        }
        let doc = document(&bytes(&e));
        for field in ["waited_seconds", "ran_seconds", "total_seconds"] {
            let seconds = &doc["timing"][field];
            assert!(
                seconds.is_null() || seconds.as_u64().is_some_and(|s| s < 10_000),
                "{pointer} = {value}: {field} {seconds}"
            );
        }
    }
    let mut reversed = base.clone();
    reversed["detail"]["attempts"][0]["stoppedAt"] = json!(1_760_707_430_000_i64);
    let doc = document(&bytes(&reversed));
    assert_eq!(
        doc["timing"]["ran_seconds"],
        Value::Null,
        "stoppedAt before startedAt"
    );
    assert!(!doc["facts"].as_object().unwrap().contains_key("ran"));
}
