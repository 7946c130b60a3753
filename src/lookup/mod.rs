//! The lookups at the edge: enrichment's ports ([`crate::enrich`]) over the AWS SDK clients, each
//! built once at start-up, and only for the sources `ENRICH` names, on the function's shared HTTP
//! client and configuration; and [`Concurrent`], which runs one notification's lookups together
//! under one deadline.

mod batch;
mod concurrent;
mod logs;
mod s3_control;

use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

pub use batch::BatchJobs;
pub use concurrent::Concurrent;
pub use logs::LogEvents;
pub use s3_control::{ENDPOINT_VARIABLE, S3ControlJobs};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::config::{EnrichSource, Settings};
use crate::deliver::sdk_error::describe;
use crate::enrich::LookupError;

/// The lookups over AWS: the sources `settings` enables.
pub type AwsLookups = Concurrent<S3ControlJobs, LogEvents, BatchJobs>;

/// Builds the clients of the sources `settings` enables, once.
pub fn aws_lookups(config: &SdkConfig, settings: &Settings) -> AwsLookups {
    let timeout = Duration::from_millis(u64::from(settings.enrich_timeout_ms));
    let enabled = |source| settings.enriches(source);
    Concurrent {
        s3_jobs: enabled(EnrichSource::S3Jobs).then(|| S3ControlJobs::new(config)),
        job_logs: enabled(EnrichSource::JobLogs).then(|| LogEvents::new(config)),
        jobs: enabled(EnrichSource::Jobs).then(|| BatchJobs::new(config)),
        timeout,
    }
}

/// A lookup is worth one retry at most: the deadline is short, and a notification without its
/// context is better than a late one. The SDK's own timeouts are off: [`Concurrent`]'s deadline
/// ends every lookup of an event, and an SDK timeout at the same moment would race it and tell the
/// same lateness in other words.
fn bounds() -> (RetryConfig, TimeoutConfig) {
    (
        RetryConfig::standard().with_max_attempts(2),
        TimeoutConfig::disabled(),
    )
}

/// A lookup's failure, as the SDK tells it.
fn failed<E, R>(error: &SdkError<E, R>, service: &str) -> LookupError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = describe(error, service);
    LookupError::new(code, message)
}
