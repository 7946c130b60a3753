//! Secret canaries: random markers in every field that can carry a secret, in every family. None may
//! appear in a published subject, message or attribute, in any format, nor in the function's logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use batch_notifier::domain::decision::Decision;
use batch_notifier::ports::publisher::PublishRequest;
use batch_notifier::ports::publisher::{PublishError, Publisher};
use common::{handle, prepare_gated};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Puts `value` at `pointer`, creating objects on the way.
fn put(event: &mut Value, pointer: &str, value: Value) {
    let mut node = event;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        node = match node {
            Value::Array(items) => {
                let index: usize = part.parse().unwrap();
                while items.len() <= index {
                    items.push(json!({}));
                }
                &mut items[index]
            }
            other => {
                if !other.is_object() {
                    *other = json!({});
                }
                other
                    .as_object_mut()
                    .unwrap()
                    .entry(part.to_string())
                    .or_insert(json!({}))
            }
        };
        if last {
            *node = value.clone();
        }
    }
}

fn example(name: &str) -> Value {
    serde_json::from_slice(&common::example(name)).unwrap()
}

/// Every family's events, with `canary` (and an access key id built from it) wherever Batch or
/// CloudTrail can carry a secret.
fn poisoned(canary: &str, key_id: &str) -> Vec<(String, Value)> {
    let in_env = |name: &str| json!([{"name": name, "value": canary}]);
    let in_log = json!({"logDriver": "splunk", "options": {"splunk-token": canary}, "secretOptions": [{"name": "x", "valueFrom": canary}]});
    let mut events = Vec::new();

    let mut submit = example("batch-api-submit-job.json");
    for (pointer, value) in [
        ("/detail/requestParameters/parameters/apiKey", json!(canary)),
        (
            "/detail/requestParameters/containerOverrides/environment",
            in_env("DB_PASSWORD"),
        ),
        (
            "/detail/requestParameters/containerOverrides/command",
            json!(["run", "--password", canary]),
        ),
        (
            "/detail/requestParameters/containerOverrides/logConfiguration",
            in_log.clone(),
        ),
        (
            "/detail/requestParameters/nodeOverrides/nodePropertyOverrides/0/containerOverrides/environment",
            in_env("A"),
        ),
        (
            "/detail/requestParameters/nodeOverrides/nodePropertyOverrides/0/containerOverrides/command",
            json!([canary]),
        ),
        (
            "/detail/requestParameters/ecsPropertiesOverride/taskProperties/0/containers/0/environment",
            in_env("B"),
        ),
        (
            "/detail/requestParameters/ecsPropertiesOverride/taskProperties/0/containers/0/command",
            json!([canary]),
        ),
        (
            "/detail/requestParameters/eksPropertiesOverride/podProperties/containers/0/env",
            in_env("C"),
        ),
        (
            "/detail/requestParameters/eksPropertiesOverride/podProperties/containers/0/args",
            json!([canary]),
        ),
        (
            "/detail/requestParameters/eksPropertiesOverride/podProperties/containers/0/command",
            json!([canary]),
        ),
        ("/detail/userIdentity/accessKeyId", json!(key_id)),
    ] {
        put(&mut submit, pointer, value);
    }
    events.push(("SubmitJob".to_owned(), submit.clone()));
    let mut failed = submit;
    put(&mut failed, "/detail/errorCode", json!("ClientException"));
    put(
        &mut failed,
        "/detail/errorMessage",
        json!(format!(
            "Invalid value {canary} for parameter apiKey (key {key_id})"
        )),
    );
    events.push(("SubmitJob failed".to_owned(), failed));

    let mut register = example("batch-api-register-job-definition.json");
    for (pointer, value) in [
        ("/detail/requestParameters/parameters/token", json!(canary)),
        (
            "/detail/requestParameters/containerProperties/environment",
            in_env("D"),
        ),
        (
            "/detail/requestParameters/containerProperties/command",
            json!([canary]),
        ),
        (
            "/detail/requestParameters/containerProperties/logConfiguration",
            in_log.clone(),
        ),
        (
            "/detail/requestParameters/ecsProperties/taskProperties/0/containers/0/environment",
            in_env("E"),
        ),
        (
            "/detail/requestParameters/ecsProperties/taskProperties/0/containers/0/logConfiguration",
            in_log.clone(),
        ),
        (
            "/detail/requestParameters/eksProperties/podProperties/containers/0/env",
            in_env("F"),
        ),
        (
            "/detail/requestParameters/nodeProperties/nodeRangeProperties/0/container/environment",
            in_env("G"),
        ),
        ("/detail/responseElements/echo/environment", in_env("H")),
    ] {
        put(&mut register, pointer, value);
    }
    events.push(("RegisterJobDefinition".to_owned(), register));

    let mut service = example("batch-api-submit-job.json");
    put(&mut service, "/detail/eventName", json!("SubmitServiceJob"));
    put(
        &mut service,
        "/detail/requestParameters",
        json!({
            "jobName": "train", "jobQueue": "sagemaker", "serviceJobType": "SAGEMAKER_TRAINING",
            "serviceRequestPayload": format!("{{\"HyperParameters\":{{\"token\":\"{canary}\"}}}}"),
        }),
    );
    events.push(("SubmitServiceJob".to_owned(), service));

    for name in [
        "batch-job-state-failed.json",
        "batch-job-queue-blocked.json",
        "batch-job-state-succeeded.json",
        "real-2025-aws-samples-ecs-properties-node-failed.json",
        "real-2023-eks-blueprints-job-succeeded-from-describe-jobs.json",
        "batch-job-state-runnable-retry-after-host-terminated.json",
    ] {
        let mut native = example(name);
        for (pointer, value) in [
            ("/detail/parameters/apiKey", json!(canary)),
            ("/detail/container/environment", in_env("DB_PASSWORD")),
            ("/detail/container/command", json!(["run", canary])),
            ("/detail/container/logConfiguration", in_log.clone()),
            (
                "/detail/container/secrets",
                json!([{"name": "S", "valueFrom": canary}]),
            ),
            ("/detail/attempts/0/container/environment", in_env("I")),
            (
                "/detail/nodeProperties/nodeRangeProperties/0/container/environment",
                in_env("J"),
            ),
            (
                "/detail/eksProperties/podProperties/containers/0/env",
                in_env("K"),
            ),
            (
                "/detail/eksProperties/podProperties/containers/0/args",
                json!([canary]),
            ),
            (
                "/detail/ecsProperties/taskProperties/0/containers/0/environment",
                in_env("L"),
            ),
            (
                "/detail/ecsProperties/taskProperties/0/containers/0/command",
                json!(["run", canary]),
            ),
            (
                "/detail/ecsProperties/taskProperties/0/containers/0/secrets",
                json!([{"name": "S", "valueFrom": canary}]),
            ),
            (
                "/detail/ecsProperties/taskProperties/0/containers/0/logConfiguration",
                in_log.clone(),
            ),
        ] {
            put(&mut native, pointer, value);
        }
        events.push((name.to_owned(), native));
    }

    let mut service_state = example("batch-service-job-state-failed.json");
    put(
        &mut service_state,
        "/detail/serviceRequestPayload",
        json!(format!("{{\"Environment\":{{\"X\":\"{canary}\"}}}}")),
    );
    events.push(("service job state".to_owned(), service_state));

    let mut s3 = example("s3-batch-job-failed.json");
    put(&mut s3, "/detail/userIdentity/accessKeyId", json!(key_id));
    put(
        &mut s3,
        "/detail/serviceEventDetails/secretOptions",
        json!([canary]),
    );
    events.push(("S3 job".to_owned(), s3));
    events
}

struct Recorder(Mutex<Vec<PublishRequest>>);

impl Publisher for Recorder {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        self.0.lock().unwrap().push(request.clone());
        Ok("m".into())
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_canary_leaves_through_a_notification_or_a_log(
        marker in "[A-Za-z0-9]{10,24}",
        key_tail in "[A-Z0-9]{16}",
    ) {
        let canary = format!("canary-{marker}");
        let key_id = format!("AKIA{key_tail}");
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = lambda_runtime::tracing::subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .finish();
        let dispatch = lambda_runtime::tracing::Dispatch::new(subscriber);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

        for (family, event) in poisoned(&canary, &key_id) {
            let bytes = serde_json::to_vec(&event).unwrap();
            prop_assert!(String::from_utf8_lossy(&bytes).contains(&canary));
            for format in common::FORMATS {
                let settings = common::settings(format);
                let request = match prepare_gated(&bytes, &settings).unwrap().decision {
                    Decision::Publish(request) => request,
                    Decision::Skip(skip) => panic!("{family}: skipped: {}", skip.reason),
                };
                let published = common::published_text(&request);
                prop_assert!(!published.contains(&canary), "{family} {format:?} leaks the canary");
                prop_assert!(!published.contains(&key_id), "{family} {format:?} leaks the access key id");

                let recorder = Recorder(Mutex::new(Vec::new()));
                lambda_runtime::tracing::dispatcher::with_default(&dispatch, || {
                    runtime.block_on(handle(&bytes, &settings, &recorder)).unwrap();
                });
            }
        }
        let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        prop_assert!(logged.contains("\"decision\":\"published\""), "the log lines were captured");
        prop_assert!(!logged.contains(&canary) && !logged.contains(&key_id));
    }
}

/// Keys whose value decides whether an event is ours or can be read at all; every other string is
/// poisoned.
const ROUTING_KEYS: &[&str] = &["source", "detail-type", "eventSource", "time"];

/// Appends `key_id` to every string in `value` (S3 event names kept: they decide the family).
fn poison_every_string(value: &mut Value, key_id: &str, under: &str) {
    match value {
        Value::String(s) if !ROUTING_KEYS.contains(&under) => {
            let s3_event_name = under == "eventName" && s.starts_with("Job");
            if !s3_event_name {
                *s = format!("{s} {key_id}");
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| poison_every_string(v, key_id, under)),
        Value::Object(map) => map
            .iter_mut()
            .for_each(|(k, v)| poison_every_string(v, key_id, k)),
        _ => {}
    }
}

/// Access key ids are masked in what is published, not field by field: a key in any string of any
/// event, in whatever field of the notification it lands, never leaves.
#[test]
fn an_access_key_id_in_any_string_of_any_event_is_masked_in_every_format() {
    let key_id = "AKIAQWERTYUIOP123456";
    let mut published_events = 0;
    for (name, bytes) in common::example_events() {
        let mut event: Value = serde_json::from_slice(&bytes).unwrap();
        poison_every_string(&mut event, key_id, "");
        let bytes = serde_json::to_vec(&event).unwrap();
        for format in common::FORMATS {
            let mut settings = common::settings(format);
            settings.deliver.topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo".into();
            let Decision::Publish(request) = prepare_gated(&bytes, &settings).unwrap().decision
            else {
                continue;
            };
            published_events += 1;
            let published = common::published_text(&request);
            assert!(
                !published.contains(key_id),
                "{name} {format:?}: {published}"
            );
        }
    }
    assert!(published_events >= 80, "only {published_events} published");
}
