//! The lookups' ports: what enrichment needs from each source, with no AWS SDK type in sight. What
//! a notification asks for (`asked`) and what the sources answer (`found`) are plain data.

mod asked;
mod found;

use std::future::Future;

pub use asked::{JobLogRef, Reach, RoleRef, S3JobRef, Wanted};
pub use found::{
    Found, HeadJob, JobReport, LookupError, Missing, QueueHead, ReportLocation, S3JobReport,
    TaskFailure,
};

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

/// AWS Batch `GetJobQueueSnapshot` for one job queue (its name or ARN).
pub trait QueueSource: Sync {
    fn head(&self, queue: &str) -> impl Future<Output = Result<QueueHead, LookupError>> + Send;
}

/// Runs a notification's lookups: all of them, concurrently, under one deadline.
pub trait Enricher: Sync {
    fn look_up(&self, wanted: &Wanted) -> impl Future<Output = Found> + Send;

    /// The account's name in the organization's directory (`ACCOUNT_NAMES=organizations`):
    /// `None` when it is not read or does not list the account.
    fn account_name(&self, _account: &str) -> impl Future<Output = Option<String>> + Send {
        std::future::ready(None)
    }
}

/// Looks nothing up: `preview`, and a function whose `ENRICH` is empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl Enricher for Offline {
    async fn look_up(&self, _: &Wanted) -> Found {
        Found::default()
    }
}
