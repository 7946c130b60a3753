//! The SNS adapter: [`Publisher`] over the AWS SDK for Rust.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sns::Client;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};

use super::sdk_error::describe;
use super::{PublishError, Publisher};
use crate::render::PublishRequest;

/// Bounds on one publish. With the standard retry mode's 3 attempts and its backoff, a publish
/// gives up within about 12 s, well inside the function's timeout, so a failing SNS fails the
/// invocation (and Lambda retries it) instead of timing the function out.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(12);
pub const MAX_ATTEMPTS: u32 = 3;

pub struct SnsPublisher {
    client: Client,
}

impl SnsPublisher {
    pub fn new(client: Client) -> Self {
        SnsPublisher { client }
    }

    /// A client configured from the environment (region, credentials, `AWS_ENDPOINT_URL_SNS`).
    pub async fn from_env() -> Self {
        SnsPublisher::new(Client::new(&load_config().await))
    }
}

/// The function's AWS configuration, which every client shares: the HTTP client, region and
/// credentials from the environment, and the publisher's retry and timeout bounds (other clients
/// set their own).
///
/// Lambda gives the function its credentials in environment variables. When they are there,
/// only they are read: the default chain would also build the providers a function never uses
/// (profiles, web identity with its own STS client, container and instance metadata), a
/// quarter of the cold start (BENCHMARKS.md). Without them (a person's shell with a profile),
/// the default chain applies.
pub async fn load_config() -> aws_config::SdkConfig {
    let mut loader = configure(aws_config::defaults(BehaviorVersion::latest()));
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// The HTTP client and the retry and timeout bounds every publisher uses.
pub fn configure(loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
    loader
        .http_client(super::https::client(CONNECT_TIMEOUT))
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
}

impl Publisher for SnsPublisher {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        let output = self
            .client
            .publish()
            .topic_arn(&request.topic_arn)
            .subject(&request.subject)
            .message(&request.message)
            .set_message_structure(request.message_structure.map(str::to_owned))
            .set_message_group_id(request.message_group_id.clone())
            .set_message_deduplication_id(request.message_deduplication_id.clone())
            .set_message_attributes(Some(attributes(request)?))
            .send()
            .await
            .map_err(publish_error)?;
        Ok(output.message_id().unwrap_or_default().to_owned())
    }

    async fn publish_batch(
        &self,
        requests: &[&PublishRequest],
    ) -> Vec<Result<String, PublishError>> {
        let Some(first) = requests.first() else {
            return Vec::new();
        };
        let entries: Result<Vec<PublishBatchRequestEntry>, PublishError> = requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                PublishBatchRequestEntry::builder()
                    .id(i.to_string())
                    .subject(&request.subject)
                    .message(&request.message)
                    .set_message_structure(request.message_structure.map(str::to_owned))
                    .set_message_group_id(request.message_group_id.clone())
                    .set_message_deduplication_id(request.message_deduplication_id.clone())
                    .set_message_attributes(Some(attributes(request)?))
                    .build()
                    .map_err(|e| PublishError {
                        code: None,
                        message: format!("batch entry {i}: {e}"),
                    })
            })
            .collect();
        let sent = match entries {
            Ok(entries) => self
                .client
                .publish_batch()
                .topic_arn(&first.topic_arn)
                .set_publish_batch_request_entries(Some(entries))
                .send()
                .await
                .map_err(publish_error),
            Err(error) => Err(error),
        };
        let output = match sent {
            Ok(output) => output,
            Err(error) => return vec![Err(error); requests.len()],
        };
        let mut results: Vec<Result<String, PublishError>> = vec![
            Err(PublishError {
                code: None,
                message: "SNS did not answer for this entry".to_owned(),
            });
            requests.len()
        ];
        for ok in output.successful() {
            if let Some(result) = ok
                .id()
                .and_then(|id| id.parse::<usize>().ok())
                .and_then(|i| results.get_mut(i))
            {
                *result = Ok(ok.message_id().unwrap_or_default().to_owned());
            }
        }
        for failed in output.failed() {
            if let Some(result) = failed
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| results.get_mut(i))
            {
                *result = Err(PublishError {
                    code: Some(failed.code().to_owned()),
                    message: failed.message().unwrap_or_default().to_owned(),
                });
            }
        }
        results
    }
}

/// The request's attributes in the SDK's type.
fn attributes(
    request: &PublishRequest,
) -> Result<HashMap<String, MessageAttributeValue>, PublishError> {
    request
        .message_attributes
        .iter()
        .map(|(name, value)| {
            MessageAttributeValue::builder()
                .data_type(value.data_type)
                .string_value(value.string_value.as_str())
                .build()
                .map(|attribute| ((*name).to_owned(), attribute))
                .map_err(|e| PublishError {
                    code: None,
                    message: format!("attribute {name}: {e}"),
                })
        })
        .collect()
}

fn publish_error<E, R>(error: SdkError<E, R>) -> PublishError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = describe(&error, "SNS");
    PublishError { code, message }
}
