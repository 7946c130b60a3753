//! One notification's lookups, run together under one deadline: what has not answered by then is
//! missing, and the notification goes out without it.

use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use crate::ports::lookups::{
    Enricher, Found, JobLogSource, JobSource, LookupError, Missing, QueueSource, S3JobSource,
    Wanted,
};

/// The sources (`None`: not enabled) and the time their lookups for one event share.
pub struct Concurrent<S, L, J, Q> {
    pub s3_jobs: Option<S>,
    pub job_logs: Option<L>,
    pub jobs: Option<J>,
    pub queues: Option<Q>,
    pub timeout: Duration,
}

impl<S: S3JobSource, L: JobLogSource, J: JobSource, Q: QueueSource> Enricher
    for Concurrent<S, L, J, Q>
{
    async fn look_up(&self, wanted: &Wanted) -> Found {
        self.look_up_until(wanted, Instant::now() + self.timeout)
            .await
    }
}

impl<S: S3JobSource, L: JobLogSource, J: JobSource, Q: QueueSource> Concurrent<S, L, J, Q> {
    /// What is missing when the time ran out.
    pub fn late(&self) -> Missing {
        Missing::Late {
            timeout_ms: u32::try_from(self.timeout.as_millis()).unwrap_or(u32::MAX),
        }
    }

    /// The lookups, by `deadline` (which an assumed role's time may have shortened).
    pub async fn look_up_until(&self, wanted: &Wanted, deadline: Instant) -> Found {
        let timeout_ms = u32::try_from(self.timeout.as_millis()).unwrap_or(u32::MAX);
        let s3_job = async {
            match (&self.s3_jobs, &wanted.s3_job) {
                (Some(source), Some(job)) => {
                    Some(within(deadline, timeout_ms, source.describe_job(job)).await)
                }
                _ => None,
            }
        };
        let job_log = async {
            match (&self.job_logs, &wanted.job_log) {
                (Some(source), Some(log)) => {
                    Some(within(deadline, timeout_ms, source.last_lines(log)).await)
                }
                _ => None,
            }
        };
        let job = async {
            match (&self.jobs, &wanted.job) {
                (Some(source), Some(id)) => {
                    Some(within(deadline, timeout_ms, source.describe_job(id)).await)
                }
                _ => None,
            }
        };
        let queue = async {
            match (&self.queues, &wanted.queue) {
                (Some(source), Some(queue)) => {
                    Some(within(deadline, timeout_ms, source.head(queue)).await)
                }
                _ => None,
            }
        };
        let (s3_job, job_log, job, queue) = tokio::join!(s3_job, job_log, job, queue);
        Found {
            s3_job,
            job_log,
            job,
            queue,
        }
    }
}

async fn within<T>(
    deadline: Instant,
    timeout_ms: u32,
    lookup: impl Future<Output = Result<T, LookupError>>,
) -> Result<T, Missing> {
    match timeout_at(deadline, lookup).await {
        Ok(answer) => answer.map_err(Missing::Failed),
        Err(_) => Err(Missing::Late { timeout_ms }),
    }
}
