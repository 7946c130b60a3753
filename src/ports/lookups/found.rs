//! What the lookups answer, as plain data: the adapters fill it from the SDKs' types.

use thiserror::Error;

use super::Wanted;

/// A lookup that failed: the service's error code when it answered, or what went wrong on the way.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{}", code.as_deref().unwrap_or(message))]
pub struct LookupError {
    /// `AccessDenied`, `ResourceNotFoundException`, ...
    pub code: Option<String>,
    pub message: String,
}

impl LookupError {
    pub fn new(code: Option<String>, message: impl Into<String>) -> LookupError {
        LookupError {
            code,
            message: message.into(),
        }
    }
}

/// Why a lookup's part is missing from a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    Failed(LookupError),
    /// It had not answered when the time for lookups (`ENRICH_TIMEOUT_MS`) ran out.
    Late {
        timeout_ms: u32,
    },
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Failed(error) => write!(f, "{error}"),
            Missing::Late { timeout_ms } => write!(f, "no answer within {timeout_ms} ms"),
        }
    }
}

/// One failure reason S3 Batch Operations gives for a job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskFailure {
    pub code: Option<String>,
    pub reason: Option<String>,
}

/// Where an S3 Batch Operations job writes its completion report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportLocation {
    /// The bucket's ARN, as S3 Control gives it.
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub format: Option<String>,
    pub enabled: bool,
    /// `AllTasks` or `FailedTasksOnly`.
    pub scope: Option<String>,
}

/// S3 Control `DescribeJob`'s answer, the parts a notification shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3JobReport {
    pub operation: Option<String>,
    pub total_tasks: Option<i64>,
    pub succeeded_tasks: Option<i64>,
    pub failed_tasks: Option<i64>,
    pub active_seconds: Option<i64>,
    pub failure_reasons: Vec<TaskFailure>,
    pub report: Option<ReportLocation>,
    pub description: Option<String>,
    pub priority: Option<i32>,
    pub confirmation_required: Option<bool>,
    pub status_update_reason: Option<String>,
    pub suspended_cause: Option<String>,
}

/// AWS Batch `DescribeJobs`' answer for one job, the parts a notification shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobReport {
    pub name: Option<String>,
    /// The queue's ARN or name.
    pub queue: Option<String>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
}

/// One job at the head of a queue, as AWS Batch `GetJobQueueSnapshot` lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadJob {
    pub job_arn: Option<String>,
    /// Since when it holds its place (epoch ms).
    pub since_ms: Option<i64>,
}

/// AWS Batch `GetJobQueueSnapshot`'s answer: the RUNNABLE jobs at the head of the queue, first
/// first (at most 100), as of when AWS Batch last looked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueHead {
    pub jobs: Vec<HeadJob>,
    pub last_updated_ms: Option<i64>,
}

/// The answers to one notification's lookups: `None` for what was not looked up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub s3_job: Option<Result<S3JobReport, Missing>>,
    /// The stream's last lines, oldest first, as read.
    pub job_log: Option<Result<Vec<String>, Missing>>,
    pub job: Option<Result<JobReport, Missing>>,
    pub queue: Option<Result<QueueHead, Missing>>,
}

impl Found {
    /// Every part `wanted` asks for missing, for one reason (a role that could not be assumed).
    pub fn all_missing(wanted: &Wanted, why: &Missing) -> Found {
        fn missing<T>(asked: bool, why: &Missing) -> Option<Result<T, Missing>> {
            asked.then(|| Err(why.clone()))
        }
        Found {
            s3_job: missing(wanted.s3_job.is_some(), why),
            job_log: missing(wanted.job_log.is_some(), why),
            job: missing(wanted.job.is_some(), why),
            queue: missing(wanted.queue.is_some(), why),
        }
    }
}
