//! The lookups' ports: what enrichment needs from each source, with no AWS SDK type in sight.

use std::future::Future;

use super::found::{Found, JobReport, LookupError, S3JobReport};
use super::wanted::{JobLogRef, S3JobRef, Wanted};

/// S3 Control `DescribeJob`.
pub trait S3JobSource: Sync {
    fn describe_job(
        &self,
        job: &S3JobRef,
    ) -> impl Future<Output = Result<S3JobReport, LookupError>> + Send;
}

/// CloudWatch Logs `GetLogEvents`, from the end of the stream.
pub trait JobLogSource: Sync {
    fn last_lines(
        &self,
        log: &JobLogRef,
    ) -> impl Future<Output = Result<Vec<String>, LookupError>> + Send;
}

/// AWS Batch `DescribeJobs` for one job id (a job Batch no longer knows is an error).
pub trait JobSource: Sync {
    fn describe_job(
        &self,
        job_id: &str,
    ) -> impl Future<Output = Result<JobReport, LookupError>> + Send;
}

/// Runs a notification's lookups: all of them, concurrently, under one deadline.
pub trait Enricher: Sync {
    fn look_up(&self, wanted: &Wanted) -> impl Future<Output = Found> + Send;
}

/// Looks nothing up: `preview`, and a function whose `ENRICH` is empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl Enricher for Offline {
    async fn look_up(&self, _: &Wanted) -> Found {
        Found::default()
    }
}
