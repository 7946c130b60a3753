//! Focused tests of each rule of the core: subjects, size, redaction, unknown operations and
//! statuses, bad input, FIFO ids, filters, severities, formats.

mod common;

use batch_notifier::config::MessageFormat;
use batch_notifier::domain::decision::Decision;
use batch_notifier::domain::model::Severity;
use batch_notifier::ports::publisher::{MAX_PUBLISH_BYTES, PublishRequest};
use common::*;
use serde_json::{Value, json};

fn event_json(name: &str) -> Value {
    serde_json::from_slice(&example(name)).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn assert_valid_subject(subject: &str) {
    assert!(!subject.is_empty() && subject.len() < 100, "{subject:?}");
    assert!(
        subject.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{subject:?}"
    );
}

fn all_requests(format: MessageFormat) -> Vec<(String, PublishRequest)> {
    let settings = settings(format);
    example_events()
        .into_iter()
        .filter_map(
            |(name, bytes)| match prepare(&bytes, &settings).unwrap().decision {
                Decision::Publish(r) => Some((name, *r)),
                Decision::Skip(_) => None,
            },
        )
        .collect()
}

#[test]
fn every_example_publishes_a_valid_subject_and_at_most_ten_attributes() {
    for format in FORMATS {
        for (name, request) in all_requests(format) {
            assert_valid_subject(&request.subject);
            assert!(request.message_attributes.len() <= 10, "{name}");
            assert!(
                request
                    .message_attributes
                    .values()
                    .all(|v| !v.string_value.is_empty() && v.data_type == "String"),
                "{name}"
            );
            assert!(request.size() <= MAX_PUBLISH_BYTES, "{name}");
        }
    }
}

#[test]
fn hostile_names_still_make_a_valid_subject() {
    let mut ev = event_json("batch-api-submit-job.json");
    let hostile = "nightly\n\r\t\u{7}\u{0}é中文\u{202e}".repeat(300);
    ev["detail"]["requestParameters"]["jobName"] = json!(hostile);
    ev["detail"]["responseElements"] = Value::Null;
    ev["region"] = json!("us-east-1\nBcc: victim@example.com");
    for format in FORMATS {
        let request = publish(&bytes(&ev), &settings(format));
        assert_valid_subject(&request.subject);
        assert!(!request.subject.contains('\n'));
        for value in request.message_attributes.values() {
            assert!(!value.string_value.chars().any(char::is_control));
        }
        if format == MessageFormat::Text {
            // Text bodies keep their own line structure; values cannot add lines.
            assert!(!request.message.contains("\nBcc:"));
            assert!(!request.message.contains('\u{0}'));
        }
    }
}

#[test]
fn the_largest_events_shrink_to_fit_every_format() {
    let mut ev = event_json("batch-api-register-job-definition.json");
    // A 250 KB request (EventBridge's limit is 256 KB) and long free text everywhere.
    let big: Vec<String> = (0..2500).map(|i| format!("{i:0>96}")).collect();
    ev["detail"]["requestParameters"]["tags"] = json!({"big": big});
    ev["detail"]["errorCode"] = json!("ClientException");
    ev["detail"]["errorMessage"] = json!("\u{1}\"\\".repeat(100_000));
    ev["detail"]["userAgent"] = json!("\u{2}".repeat(100_000));
    for format in FORMATS {
        let request = publish(&bytes(&ev), &settings(format));
        assert!(
            request.size() <= MAX_PUBLISH_BYTES,
            "{format:?}: {} bytes",
            request.size()
        );
        if format == MessageFormat::Json {
            let doc: Value = serde_json::from_str(&request.message).unwrap();
            assert!(doc["detail"].is_null());
            assert!(
                doc["detail_omitted"]
                    .as_str()
                    .unwrap()
                    .contains("size limit")
            );
            assert_eq!(doc["event_name"], "RegisterJobDefinition");
        }
    }
}

#[test]
fn a_detail_that_fits_is_kept() {
    let request = publish(
        &example("batch-api-create-compute-environment.json"),
        &settings(MessageFormat::Json),
    );
    let doc: Value = serde_json::from_str(&request.message).unwrap();
    assert_eq!(
        doc["detail"]["requestParameters"]["computeResources"]["maxvCpus"],
        128
    );
    assert!(doc.get("detail_omitted").is_none());
}

const EXAMPLE_SECRETS: [&str; 9] = [
    "EXAMPLE-PARAM-SECRET-1",
    "EXAMPLE-COMMAND-SECRET-2",
    "EXAMPLE-ENV-SECRET-3",
    "EXAMPLE-ENV-SECRET-4",
    "EXAMPLE-PARAM-SECRET-5",
    "EXAMPLE-COMMAND-SECRET-6",
    "EXAMPLE-ENV-SECRET-7",
    "EXAMPLE-PAYLOAD-SECRET-8",
    "EXAMPLE-LOG-OPTION-SECRET-9",
];

#[test]
fn no_secret_of_the_examples_is_published_in_any_format() {
    // The examples carry their secrets where Batch puts them: make sure they are there to leak.
    let all_examples: String = example_events()
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    for secret in EXAMPLE_SECRETS
        .iter()
        .chain(["AKIAI44QH8DHBEXAMPLE", "splunk-token", "parameter/splunk"].iter())
    {
        assert!(all_examples.contains(secret), "{secret} is in no example");
    }
    for format in FORMATS {
        for (name, request) in all_requests(format) {
            let text = published_text(&request);
            for secret in EXAMPLE_SECRETS {
                assert!(!text.contains(secret), "{name} {format:?} leaks {secret}");
            }
            for key_prefix in ["AKIA", "ASIA"] {
                assert!(
                    !text.contains(key_prefix),
                    "{name} {format:?} leaks an access key id"
                );
            }
            // The log group is shown (the log link needs it); the other log options and the
            // secret options are not.
            assert!(
                !text.contains("splunk-token") && !text.contains("parameter/splunk"),
                "{name}"
            );
        }
    }
}

#[test]
fn a_secret_echoed_in_an_error_message_is_removed() {
    let mut ev = event_json("batch-api-submit-job.json");
    ev["detail"]["errorCode"] = json!("ClientException");
    ev["detail"]["errorMessage"] =
        json!("Invalid value EXAMPLE-ENV-SECRET-3 for environment variable DB_PASSWORD");
    for format in FORMATS {
        let request = publish(&bytes(&ev), &settings(format));
        assert!(
            !published_text(&request).contains("EXAMPLE-ENV-SECRET-3"),
            "{format:?}"
        );
        assert!(published_text(&request).contains("Invalid value [redacted] for environment"));
    }
}

#[test]
fn an_operation_missing_from_the_catalog_is_classified_from_its_name() {
    let request = publish(
        &example("batch-api-unknown-operation.json"),
        &settings(MessageFormat::Json),
    );
    let doc: Value = serde_json::from_str(&request.message).unwrap();
    assert_eq!(doc["event_name"], "PauseComputeEnvironment");
    assert_eq!(doc["resource"]["kind"], "compute_environment");
    assert_eq!(doc["resource"]["name"], "gpu-ce");
    assert_eq!(doc["action"]["cataloged"], false);

    let mut ev = event_json("batch-api-unknown-operation.json");
    ev["detail"]["eventName"] = json!("DeleteQuotaSharePolicy");
    ev["detail"]["requestParameters"] = json!({"quotaShareName": "team-a"});
    let request = publish(&bytes(&ev), &settings(MessageFormat::Text));
    assert!(
        request
            .subject
            .starts_with("[WARNING] Batch DeleteQuotaSharePolicy team-a"),
        "{}",
        request.subject
    );
}

#[test]
fn an_unknown_s3_status_is_shown_as_it_is() {
    let mut ev = event_json("s3-batch-job-complete.json");
    ev["detail"]["serviceEventDetails"]["status"] = json!("Rehydrating");
    let request = publish(&bytes(&ev), &settings(MessageFormat::Json));
    let doc: Value = serde_json::from_str(&request.message).unwrap();
    assert_eq!(doc["status"]["value"], "Rehydrating");
    assert!(doc["status"]["terminal"].is_null());
    assert_eq!(
        request
            .message_attributes
            .get("status")
            .map(|a| a.string_value.as_ref()),
        Some("Rehydrating")
    );
    assert!(request.subject.contains("Rehydrating"));
}

#[test]
fn an_unknown_batch_job_state_is_shown_as_it_is() {
    let mut ev = event_json("batch-job-state-failed.json");
    ev["detail"]["status"] = json!("HIBERNATING");
    let request = publish(&bytes(&ev), &settings(MessageFormat::Text));
    assert_eq!(
        request.subject,
        "[INFO] Batch job nightly-etl HIBERNATING in us-east-1"
    );
}

#[test]
fn s3_failure_codes_and_reasons_of_any_shape_are_shown() {
    let mut ev = event_json("s3-batch-job-failed.json");
    ev["detail"]["serviceEventDetails"]["failureCodes"] = json!(["AccessDenied", {"code": 42}]);
    ev["detail"]["serviceEventDetails"]["statusChangeReason"] = json!("Manifest not found");
    let request = publish(&bytes(&ev), &settings(MessageFormat::Text));
    assert!(
        request
            .message
            .contains("Failure codes: AccessDenied; {\"code\":42}"),
        "{}",
        request.message
    );
    assert!(request.message.contains("Reason:    Manifest not found"));
}

#[test]
fn invalid_input_is_an_error_that_says_what_is_wrong() {
    let cases: [(&[u8], &str); 7] = [
        (b"not json", "input is not valid JSON"),
        (b"", "input is not valid JSON"),
        (b"[1,2]", "input is not an EventBridge event"),
        (br#"{"source":"aws.batch","detail":{}}"#, "missing field `detail-type`"),
        (
            br#"{"source":"aws.s3","detail-type":"AWS Service Event via CloudTrail","detail":{"eventName":"JobStatusChanged"}}"#,
            "`serviceEventDetails.jobId` is missing",
        ),
        (
            br#"{"source":"aws.batch","detail-type":"Batch Job State Change","detail":{"jobId":"j"}}"#,
            "`status` is missing",
        ),
        (
            br#"{"source":"aws.batch","detail-type":"AWS API Call via CloudTrail","time":"yesterday","detail":{}}"#,
            "`time`",
        ),
    ];
    for (input, expected) in cases {
        let error = prepare(input, &settings(MessageFormat::Text))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(expected),
            "{error:?} should contain {expected:?}"
        );
    }
}

#[test]
fn foreign_events_are_skipped_with_a_reason() {
    let prepared = prepare(
        &example("other-ec2-instance-state-change.json"),
        &settings(MessageFormat::Text),
    )
    .unwrap();
    assert_eq!(
        prepared.decision,
        Decision::Skip(batch_notifier::domain::decision::Skip {
            kind: batch_notifier::domain::decision::SkipKind::NotOurs,
            reason: "not an event this function handles: source `aws.ec2`, detail-type `EC2 Instance State-change Notification`".into()
        })
    );
    let mut ev = event_json("batch-api-submit-job.json");
    ev["detail"]["eventSource"] = json!("ecs.amazonaws.com");
    let prepared = prepare(&bytes(&ev), &settings(MessageFormat::Text)).unwrap();
    assert!(
        matches!(prepared.decision, Decision::Skip(s) if s.reason.contains("ecs.amazonaws.com"))
    );
}

#[test]
fn fifo_ids_are_valid_and_the_same_for_a_redelivered_event() {
    let mut settings = settings(MessageFormat::Text);
    settings.deliver.topic_arn = "arn:aws:sns:us-east-1:123456789012:batch.fifo".into();
    let first = publish(&example("batch-job-state-failed.json"), &settings);
    let again = publish(&example("batch-job-state-failed.json"), &settings);
    assert_eq!(
        first.message_deduplication_id,
        again.message_deduplication_id
    );
    assert_eq!(
        first.message_group_id.as_deref(),
        Some("4c7599ae-0a82-49aa-ba5a-4727fcce14a8")
    );
    // The API call and the state change of one job share a group, so its updates stay in order.
    let submitted = publish(&example("batch-api-terminate-job.json"), &settings);
    assert_eq!(
        submitted.message_group_id.as_deref(),
        Some("8f2d7a6e-3b1c-4e5d-9a8b-7c6d5e4f3a21")
    );

    let mut ev = event_json("batch-job-state-failed.json");
    ev["id"] = json!(format!("id with spaces é {}", "x".repeat(300)));
    ev["detail"]["jobId"] = json!(format!("job\u{1}é{}", "y".repeat(300)));
    let request = publish(&bytes(&ev), &settings);
    for id in [
        request.message_group_id.unwrap(),
        request.message_deduplication_id.unwrap(),
    ] {
        assert!(!id.is_empty() && id.len() <= 128, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_graphic()), "{id}");
    }

    let plain = publish(
        &example("batch-job-state-failed.json"),
        &common::settings(MessageFormat::Text),
    );
    assert!(plain.message_group_id.is_none() && plain.message_deduplication_id.is_none());
}

#[test]
fn settings_filter_what_is_published() {
    let decide =
        |vars: &[(&str, &str)], file: &str| match prepare(&example(file), &settings_with(vars))
            .unwrap()
            .decision
        {
            Decision::Publish(_) => "publish".to_owned(),
            Decision::Skip(skip) => skip.reason,
        };
    let read_only = "batch-api-describe-jobs-read-only.json";
    assert!(decide(&[], read_only).contains("INCLUDE_READ_ONLY"));
    assert_eq!(
        decide(&[("INCLUDE_READ_ONLY", "true")], read_only),
        "publish"
    );

    assert!(
        decide(&[("MIN_SEVERITY", "critical")], "batch-api-submit-job.json")
            .contains("below MIN_SEVERITY critical")
    );
    assert_eq!(
        decide(
            &[("MIN_SEVERITY", "critical")],
            "batch-job-state-failed.json"
        ),
        "publish"
    );
    assert_eq!(
        decide(
            &[("MIN_SEVERITY", "warning")],
            "batch-job-queue-blocked.json"
        ),
        "publish"
    );

    let only_submits = [("EVENT_NAMES_INCLUDE", "SubmitJob,TerminateJob")];
    assert_eq!(
        decide(&only_submits, "batch-api-submit-job.json"),
        "publish"
    );
    assert!(
        decide(&only_submits, "s3-batch-job-failed.json").contains("not in EVENT_NAMES_INCLUDE")
    );
    let no_state = [("EVENT_NAMES_EXCLUDE", "Batch Job State Change")];
    assert!(decide(&no_state, "batch-job-state-failed.json").contains("is in EVENT_NAMES_EXCLUDE"));
    assert_eq!(decide(&no_state, "batch-job-queue-blocked.json"), "publish");

    let quiet = [("SKIP_TRANSITIONAL_STATUSES", "true")];
    for transitional in [
        "s3-batch-job-active.json",
        "s3-batch-job-created.json",
        "batch-job-state-runnable.json",
    ] {
        assert!(
            decide(&quiet, transitional).contains("transitional status"),
            "{transitional}"
        );
    }
    for kept in [
        "s3-batch-job-suspended.json",
        "s3-batch-job-failed.json",
        "s3-batch-job-complete.json",
        "batch-job-state-succeeded.json",
        "batch-job-queue-blocked.json",
        "batch-api-submit-job.json",
    ] {
        assert_eq!(decide(&quiet, kept), "publish", "{kept}");
    }
}

#[test]
fn severities_follow_the_table() {
    use Severity::*;
    let expected = [
        ("batch-api-create-compute-environment.json", Info),
        ("batch-api-create-scheduling-policy-console.json", Info),
        (
            "batch-api-delete-compute-environment-by-root.json",
            Critical,
        ),
        ("batch-api-delete-job-queue-denied.json", Critical),
        ("batch-api-describe-jobs-read-only.json", Info),
        ("batch-api-register-job-definition.json", Info),
        ("batch-api-submit-job.json", Info),
        ("batch-api-terminate-job.json", Warning),
        ("batch-api-terminate-jobs-bulk-partial.json", Warning),
        ("batch-api-unknown-operation.json", Info),
        ("batch-api-update-job-queue-failed.json", Warning),
        ("batch-job-queue-blocked.json", Warning),
        ("batch-job-state-failed.json", Critical),
        ("batch-job-state-runnable.json", Info),
        ("batch-job-state-succeeded.json", Info),
        ("batch-service-job-state-failed.json", Critical),
        ("s3-batch-job-active.json", Info),
        ("s3-batch-job-cancelled.json", Warning),
        ("s3-batch-job-complete-us-west-2.json", Info),
        ("s3-batch-job-complete.json", Info),
        ("s3-batch-job-created.json", Info),
        ("s3-batch-job-failed.json", Critical),
        ("s3-batch-job-suspended.json", Warning),
    ];
    for (file, severity) in expected {
        let summary = prepare(&example(file), &settings(MessageFormat::Text))
            .unwrap()
            .summary
            .unwrap();
        assert_eq!(summary.severity, severity, "{file}");
    }
    // A delete that failed did not delete anything: a warning, not critical.
    let mut ev = event_json("batch-api-delete-compute-environment-by-root.json");
    ev["detail"]["userIdentity"] = json!({"type": "IAMUser", "userName": "bob"});
    let summary = prepare(&bytes(&ev), &settings(MessageFormat::Text))
        .unwrap()
        .summary
        .unwrap();
    assert_eq!(summary.severity, Critical);
    ev["detail"]["errorCode"] = json!("ClientException");
    let summary = prepare(&bytes(&ev), &settings(MessageFormat::Text))
        .unwrap()
        .summary
        .unwrap();
    assert_eq!(summary.severity, Warning);
}

#[test]
fn multi_sends_text_to_people_and_the_document_to_programs() {
    let request = publish(
        &example("batch-job-state-failed.json"),
        &settings(MessageFormat::Multi),
    );
    assert_eq!(request.message_structure, Some("json"));
    let message: Value = serde_json::from_str(&request.message).unwrap();
    let text = message["default"].as_str().unwrap();
    assert!(text.starts_with("Job nightly-etl is now FAILED: OutOfMemoryError"));
    for protocol in ["email", "sms"] {
        assert_eq!(message[protocol], message["default"], "{protocol}");
    }
    for protocol in ["sqs", "lambda", "http", "https", "firehose", "email-json"] {
        let doc: Value = serde_json::from_str(message[protocol].as_str().unwrap()).unwrap();
        assert_eq!(doc["schema_version"], 1, "{protocol}");
        assert_eq!(doc["severity"], "critical");
    }
}

#[test]
fn chat_follows_the_custom_notification_schema() {
    let request = publish(
        &example("s3-batch-job-failed.json"),
        &settings(MessageFormat::Chat),
    );
    let chat: Value = serde_json::from_str(&request.message).unwrap();
    assert_eq!(chat["version"], "1.0");
    assert_eq!(chat["source"], "custom");
    assert_eq!(chat["content"]["textType"], "client-markdown");
    assert!(
        chat["content"]["description"]
            .as_str()
            .unwrap()
            .contains("is now Failed")
    );
    assert_eq!(
        chat["metadata"]["threadId"],
        "0f5ad7b2-6c1e-4d8a-9b3f-2a7c9e1d4b60"
    );
    let other_update = publish(
        &example("s3-batch-job-active.json"),
        &settings(MessageFormat::Chat),
    );
    let other: Value = serde_json::from_str(&other_update.message).unwrap();
    assert_eq!(other["metadata"]["threadId"], chat["metadata"]["threadId"]);
}

#[test]
fn an_account_name_stands_beside_the_account_id_in_every_format() {
    let event = example("batch-job-state-failed.json");
    for format in FORMATS {
        let mut settings = settings_with(&[("ACCOUNT_NAMES", "123456789012=genomics-prod")]);
        settings.render.message_format = format;
        let request = publish(&event, &settings);
        assert!(
            request.subject.contains(" in genomics-prod us-east-1"),
            "{}",
            request.subject
        );
        let shown = match format {
            MessageFormat::Text => "account 123456789012 (genomics-prod), region us-east-1",
            MessageFormat::Chat => "123456789012 (genomics-prod) / us-east-1",
            MessageFormat::Json | MessageFormat::Multi => "genomics-prod",
        };
        assert!(
            request.message.contains(shown),
            "{format:?}: {}",
            request.message
        );
    }
    let mut settings = settings_with(&[("ACCOUNT_NAMES", "123456789012=genomics-prod")]);
    settings.render.message_format = MessageFormat::Json;
    let document: Value = serde_json::from_str(&publish(&event, &settings).message).unwrap();
    assert_eq!(document["account_name"], "genomics-prod");
    assert_eq!(document["account"], "123456789012");
    let unnamed = publish(&event, &settings_with(&[]));
    assert!(
        unnamed.subject.ends_with(" in us-east-1"),
        "{}",
        unnamed.subject
    );
}

#[test]
fn a_failed_jobs_generic_reason_gives_way_to_its_cause() {
    let request = publish(&example("batch-job-state-failed.json"), &settings_with(&[]));
    let first_line = request.message.lines().next().unwrap();
    assert_eq!(
        first_line,
        "Job nightly-etl is now FAILED: OutOfMemoryError: Container killed due to memory usage (exit code 137)."
    );
    assert!(
        !request
            .message
            .contains("Reason:    Essential container in task exited")
    );
    let succeeded = publish(
        &example("batch-job-state-succeeded.json"),
        &settings_with(&[]),
    );
    assert!(
        !succeeded.message.contains("Reason:"),
        "{}",
        succeeded.message
    );
}
