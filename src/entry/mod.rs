//! The entry points around the core: the Lambda function (`lambda`: one `event`, or an SQS
//! `batch`) and the `preview` command, and how they say how an event ended (an answer, a log line
//! and a metric line: `report`, `metrics`). Each takes an event through `pipeline::prepare`; only
//! what happens to its result differs.

pub mod batch;
pub mod clock;
pub mod event;
pub mod lambda;
pub mod metrics;
pub mod preview;
pub mod report;
pub mod sweep;

use thiserror::Error;

use crate::pipeline::Core;

use crate::domain::decision::Decision;
use crate::pipeline::gate::Refusal;
use crate::pipeline::ingest::IngestError;
use crate::pipeline::parse::EventError;
use crate::ports::publisher::PublishError;

/// What the entry points need beyond an event: the core's services and the publisher.
pub struct Services<'a, P, S, E> {
    pub core: Core<'a, S, E>,
    pub publisher: &'a P,
}

impl<P, S, E> Clone for Services<'_, P, S, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, S, E> Copy for Services<'_, P, S, E> {}

/// How one event ended: published (`P` is SNS's message id, or in `preview` the request), skipped,
/// or failed.
pub type Ended<P> = Result<Decision<P>, Failure>;

/// Why an event failed. Failing makes Lambda retry the event and then hand it to the failure
/// destination, so nothing is dropped silently.
#[derive(Debug, Error)]
pub enum Failure {
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EventError),
    /// An SQS batch that cannot be answered record by record.
    #[error(transparent)]
    InvalidBatch(#[from] IngestError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// The state table says to try later, or cannot be reached under `STATE_FAILURE=fail`.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl Failure {
    /// The metric dimension.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::InvalidEvent(_) => "invalid_event",
            Failure::InvalidBatch(_) => "invalid_batch",
            Failure::Publish(_) => "publish",
            Failure::Refused(Refusal::InProgress { .. }) => "in_progress",
            Failure::Refused(Refusal::Unavailable(_)) => "state_unavailable",
        }
    }

    /// The error type Lambda records, and shows in the failure destination's record.
    pub fn error_type(&self) -> &'static str {
        match self {
            Failure::InvalidEvent(_) => "InvalidEvent",
            Failure::InvalidBatch(_) => "InvalidBatch",
            Failure::Publish(_) => "PublishFailed",
            Failure::Refused(Refusal::InProgress { .. }) => "InProgress",
            Failure::Refused(Refusal::Unavailable(_)) => "StateUnavailable",
        }
    }
}

impl From<Failure> for lambda_runtime::Diagnostic {
    fn from(failure: Failure) -> Self {
        lambda_runtime::Diagnostic {
            error_type: failure.error_type().to_owned(),
            error_message: failure.to_string(),
        }
    }
}
