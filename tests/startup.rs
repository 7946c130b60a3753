//! A bad setting stops the function at start-up with one line that names the variable and what it
//! accepts — before it asks the runtime for any event.

use std::process::Command;

/// (variable, bad value, what the message must say it accepts)
const BAD_SETTINGS: &[(&str, &str, &str)] = &[
    ("TOPIC_ARN", "", "it is empty"),
    ("TOPIC_ARN", "alerts", "arn:<partition>:sns"),
    (
        "TOPIC_ARN",
        "arn:aws:sqs:us-east-1:123456789012:alerts",
        "not an SNS ARN",
    ),
    (
        "TOPIC_ARN",
        "arn:aws:sns:us-east-1:12345:alerts",
        "the account is not 12 digits",
    ),
    ("MIN_SEVERITY", "", "info, warning, critical"),
    ("MIN_SEVERITY", "urgent", "info, warning, critical"),
    ("INCLUDE_READ_ONLY", "", "true, false"),
    ("INCLUDE_READ_ONLY", "maybe", "true, false"),
    ("SKIP_TRANSITIONAL_STATUSES", "2", "true, false"),
    ("MESSAGE_FORMAT", "", "text, json, multi, chat"),
    ("MESSAGE_FORMAT", "html", "text, json, multi, chat"),
    ("METRICS_NAMESPACE", "", "a CloudWatch namespace"),
    ("CHILD_JOB_EVENTS", "failures", "failed, all, none"),
    ("ACCOUNT_NAMES", "1111=dev", "<12-digit account>=<name>"),
    ("ACCOUNT_NAMES", "111122223333", "<12-digit account>=<name>"),
    (
        "METRICS_NAMESPACE",
        ":bad namespace",
        "a CloudWatch namespace",
    ),
];

const GOOD_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:alerts";

#[test]
fn every_bad_setting_fails_the_start_naming_the_variable() {
    for &(variable, value, accepted) in BAD_SETTINGS {
        let mut command = Command::new(env!("CARGO_BIN_EXE_batch-notifier"));
        command
            .env_clear()
            // No credentials here: the SDK must not ask the instance metadata address for them.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // Nothing listens here: a start that got past configuration would fail differently.
            .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
            .env("TOPIC_ARN", GOOD_TOPIC)
            .env(variable, value);
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{variable}={value:?}");
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line for {variable}={value:?}: {text}");
        assert!(
            lines[0].contains(&format!("{variable}={value:?} is not valid")),
            "{text}"
        );
        assert!(lines[0].contains(accepted), "{variable}={value:?}: {text}");
    }
}

#[test]
fn a_missing_topic_fails_the_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_batch-notifier"))
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("TOPIC_ARN=\"\" is not valid: it is not set")
    );
}
