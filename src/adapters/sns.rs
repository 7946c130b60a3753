//! The SNS adapter: [`Publisher`] over the AWS SDK for Rust.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sns::Client;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};

use super::sdk_error::describe;
use crate::ports::publisher::{PUBLISH_BOUND, PublishError, PublishRequest, Publisher};

/// Bounds on one publish. With the standard retry mode's 3 attempts and its backoff, a publish
/// gives up within [`PUBLISH_BOUND`], well inside the function's timeout, so a failing SNS fails
/// the invocation (and Lambda retries it) instead of timing the function out.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
pub const OPERATION_TIMEOUT: Duration = PUBLISH_BOUND;
pub const MAX_ATTEMPTS: u32 = 3;

pub struct SnsPublisher {
    client: Client,
}

impl SnsPublisher {
    pub fn new(client: Client) -> Self {
        SnsPublisher { client }
    }
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
