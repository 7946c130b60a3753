//! The SNS adapter: [`Publisher`] over the AWS SDK for Rust.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sns::Client;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;

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
        let mut call = self
            .client
            .publish()
            .topic_arn(&request.topic_arn)
            .subject(&request.subject)
            .message(&request.message)
            .set_message_structure(request.message_structure.map(str::to_owned))
            .set_message_group_id(request.message_group_id.clone())
            .set_message_deduplication_id(request.message_deduplication_id.clone());
        for (name, value) in &request.message_attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type(value.data_type)
                .string_value(value.string_value.as_str())
                .build()
                .map_err(|e| PublishError {
                    code: None,
                    message: format!("attribute {name}: {e}"),
                })?;
            call = call.message_attributes(*name, attribute);
        }
        let output = call.send().await.map_err(publish_error)?;
        Ok(output.message_id().unwrap_or_default().to_owned())
    }
}

fn publish_error<E, R>(error: SdkError<E, R>) -> PublishError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = describe(&error, "SNS");
    PublishError { code, message }
}
