//! The lookups at the edge: enrichment's ports ([`crate::ports::lookups`]) over the AWS SDK clients, each
//! built once (at its first lookup), and only for the sources `ENRICH` names, on the function's
//! shared HTTP client and configuration; and [`Concurrent`], which runs one notification's lookups
//! together under one deadline.

mod batch;
mod concurrent;
mod logs;
mod s3_control;

use std::sync::OnceLock;
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

use crate::adapters::sdk_error::describe;
use crate::config::{EnrichSource, Settings};
use crate::ports::lookups::LookupError;

/// The lookups over AWS: the sources `settings` enables. Jobs and queues share AWS Batch's client.
pub type AwsLookups = Concurrent<S3ControlJobs, LogEvents, BatchJobs, BatchJobs>;

/// Builds the clients of the sources `settings` enables, once.
pub fn aws_lookups(config: &SdkConfig, settings: &Settings) -> AwsLookups {
    let timeout = Duration::from_millis(u64::from(settings.enrich.timeout_ms));
    let enabled = |source| settings.enriches(source);
    let batch = BatchJobs::new(config);
    Concurrent {
        s3_jobs: enabled(EnrichSource::S3Jobs).then(|| S3ControlJobs::new(config)),
        job_logs: enabled(EnrichSource::JobLogs).then(|| LogEvents::new(config)),
        jobs: enabled(EnrichSource::Jobs).then(|| batch.clone()),
        queues: enabled(EnrichSource::Queues).then_some(batch),
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

/// A client built at its source's first lookup, not at start-up. Each SDK crate parses its own copy
/// of AWS's partition table (JSON, and a regular expression per partition) when its first client is
/// built: about 0.55 M instructions a crate, which for the three sources was more than the rest of
/// the cold start together (BENCHMARKS.md, "Lookups"). A container that never sees an S3 Batch
/// Operations job never pays for S3 Control's. What is read from the environment is read at
/// start-up, by `build`'s maker.
struct OnFirstUse<C> {
    build: Box<dyn Fn() -> C + Send + Sync>,
    client: OnceLock<C>,
}

impl<C> OnFirstUse<C> {
    fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        OnFirstUse {
            build: Box::new(build),
            client: OnceLock::new(),
        }
    }

    fn get(&self) -> &C {
        self.client.get_or_init(&self.build)
    }
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
