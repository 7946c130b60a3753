//! The entry points around the core: the Lambda handler and the `preview` command, and how both say
//! how an event ended (an answer, a log line, a metric, a preview line).

pub mod batch;
pub mod handler;
pub mod metrics;
pub mod preview;

use thiserror::Error;

use crate::decide::Decision;
use crate::deliver::PublishError;
use crate::ingest::IngestError;
use crate::parse::EventError;
use crate::state::Refusal;

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
