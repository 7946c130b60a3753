//! The publisher port: the Publish request in SNS's own names and shapes, its limits, and what the
//! entry points need from a publisher, with no AWS SDK type in sight. The adapter over the SDK is
//! `adapters::sns`.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

/// SNS's limit for a message and its attributes together.
pub const MAX_PUBLISH_BYTES: usize = 256 * 1024;

/// The longest a publish may take, its retries included, before it fails: the SNS adapter's
/// operation timeout, and what an SQS batch keeps back for it at its end.
pub const PUBLISH_BOUND: Duration = Duration::from_secs(12);

/// SNS takes at most ten entries in one `PublishBatch` request.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// An SNS Publish request in the API's own names and shapes, as `aws sns publish --cli-input-json`
/// takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishRequest {
    pub topic_arn: String,
    pub subject: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_structure: Option<&'static str>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub message_attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<String>,
}

impl PublishRequest {
    /// The size SNS counts against its limit: the message and every attribute name, type and value.
    pub fn size(&self) -> usize {
        self.message.len() + attributes_size(&self.message_attributes)
    }
}

/// An SNS message attribute in the API's own shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    pub data_type: &'static str,
    pub string_value: String,
}

/// By name.
pub type Attributes = BTreeMap<&'static str, AttributeValue>;

/// Bytes the attributes add to the message size: every name, type and value.
pub fn attributes_size(attributes: &Attributes) -> usize {
    attributes
        .iter()
        .map(|(name, v)| name.len() + v.data_type.len() + v.string_value.len())
        .sum()
}

/// A publish that failed for good (after the client's own retries).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("SNS Publish failed: {}{message}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct PublishError {
    /// SNS's error code (`NotFound`, `InvalidParameter`, `Throttled` ...), when SNS answered.
    pub code: Option<String>,
    pub message: String,
}

pub trait Publisher: Sync {
    /// Publishes the request and returns SNS's message id.
    fn publish(
        &self,
        request: &PublishRequest,
    ) -> impl Future<Output = Result<String, PublishError>> + Send;

    /// Publishes up to ten requests to one topic (SNS `PublishBatch`) and returns each one's
    /// message id or error, in their order: one request can partly fail. A request that fails as a
    /// whole fails every entry. By default, one publish after another.
    fn publish_batch(
        &self,
        requests: &[&PublishRequest],
    ) -> impl Future<Output = Vec<Result<String, PublishError>>> + Send {
        async move {
            let mut results = Vec::with_capacity(requests.len());
            for request in requests {
                results.push(self.publish(request).await);
            }
            results
        }
    }
}
