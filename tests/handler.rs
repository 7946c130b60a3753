//! The Lambda handler over a fake publisher: results, failures, and the one shared code path.

mod common;

use std::sync::Mutex;

use batch_notifier::config::MessageFormat;
use batch_notifier::domain::decision::{Decision, Skip, SkipKind};
use batch_notifier::entry::Failure;
use batch_notifier::ports::publisher::PublishRequest;
use batch_notifier::ports::publisher::{PublishError, Publisher};
use common::{example, example_events, handle, prepare, settings};

/// Records what it is asked to publish; fails when told to.
#[derive(Default)]
struct FakePublisher {
    sent: Mutex<Vec<PublishRequest>>,
    fail_with: Option<PublishError>,
}

impl Publisher for FakePublisher {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        if let Some(error) = &self.fail_with {
            return Err(error.clone());
        }
        let mut sent = self.sent.lock().unwrap();
        sent.push(request.clone());
        Ok(format!("message-{}", sent.len()))
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn the_handler_publishes_exactly_what_preview_shows() {
    for format in common::FORMATS {
        let settings = settings(format);
        for (name, bytes) in example_events() {
            let publisher = FakePublisher::default();
            let response = run(handle(&bytes, &settings, &publisher)).unwrap();
            match prepare(&bytes, &settings).unwrap().decision {
                Decision::Publish(expected) => {
                    assert_eq!(response, Decision::Publish("message-1".into()), "{name}");
                    assert_eq!(
                        publisher.sent.lock().unwrap().as_slice(),
                        [*expected],
                        "{name}"
                    );
                }
                Decision::Skip(skip) => {
                    assert_eq!(response, Decision::Skip(skip), "{name}");
                    assert!(publisher.sent.lock().unwrap().is_empty(), "{name}");
                }
            }
        }
    }
}

#[test]
fn results_serialize_as_documented() {
    let published: Decision<String> = Decision::Publish("m-1".into());
    assert_eq!(
        serde_json::to_string(&published).unwrap(),
        r#"{"published":"m-1"}"#
    );
    let skipped: Decision<String> = Decision::Skip(Skip {
        kind: SkipKind::ReadOnly,
        reason: "why".into(),
    });
    assert_eq!(
        serde_json::to_string(&skipped).unwrap(),
        r#"{"skipped":"why"}"#
    );
}

#[test]
fn an_invalid_event_fails_the_invocation() {
    let publisher = FakePublisher::default();
    let error = run(handle(
        b"{\"detail-type\": 3}",
        &settings(MessageFormat::Text),
        &publisher,
    ))
    .unwrap_err();
    assert!(matches!(error, Failure::InvalidEvent(_)));
    let diagnostic = lambda_runtime::Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "InvalidEvent");
    assert!(
        diagnostic
            .error_message
            .starts_with("invalid event: input is not an EventBridge event")
    );
    assert!(publisher.sent.lock().unwrap().is_empty());
}

#[test]
fn a_failed_publish_fails_the_invocation_with_snss_error_code() {
    let publisher = FakePublisher {
        fail_with: Some(PublishError {
            code: Some("NotFound".into()),
            message: "Topic does not exist".into(),
        }),
        ..FakePublisher::default()
    };
    let error = run(handle(
        &example("batch-job-state-failed.json"),
        &settings(MessageFormat::Text),
        &publisher,
    ))
    .unwrap_err();
    let diagnostic = lambda_runtime::Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "PublishFailed");
    assert_eq!(
        diagnostic.error_message,
        "SNS Publish failed: NotFound: Topic does not exist"
    );
}
