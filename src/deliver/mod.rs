//! Delivery: the port to SNS ([`Publisher`], what the handler needs from a publisher, with no AWS
//! SDK type in sight) and its adapter over the AWS SDK for Rust ([`sns`]), which sends through an
//! HTTPS client of the function's own ([`https`]), which every client of the function shares.

mod https;
pub(crate) mod sdk_error;
pub mod sns;

use std::future::Future;

use thiserror::Error;

use crate::render::PublishRequest;

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
