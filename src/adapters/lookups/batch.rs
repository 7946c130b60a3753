//! AWS Batch: `DescribeJobs` for the job an API call names, and `GetJobQueueSnapshot` for the head
//! of a stuck job's queue, on one client (built at the first of either).

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_batch::Client;

use super::{OnFirstUse, failed};
use crate::ports::lookups::{HeadJob, JobReport, JobSource, LookupError, QueueHead, QueueSource};

/// Clones share the client.
#[derive(Clone)]
pub struct BatchJobs {
    client: Arc<OnFirstUse<Client>>,
}

impl BatchJobs {
    pub fn new(config: &SdkConfig) -> Self {
        BatchJobs {
            client: Arc::new(client_on_first_use!(aws_sdk_batch, config)),
        }
    }
}

impl JobSource for BatchJobs {
    async fn describe_job(&self, job_id: &str) -> Result<JobReport, LookupError> {
        let answer = self
            .client
            .get()
            .describe_jobs()
            .jobs(job_id)
            .send()
            .await
            .map_err(|e| failed(&e, "AWS Batch"))?;
        let job = answer.jobs().first().ok_or_else(|| {
            LookupError::new(
                Some("JobNotFound".to_owned()),
                "AWS Batch no longer knows the job",
            )
        })?;
        let text = |value: Option<&str>| value.map(str::to_owned);
        Ok(JobReport {
            name: text(job.job_name()),
            queue: text(job.job_queue()),
            status: job.status().map(|s| s.as_str().to_owned()),
            status_reason: text(job.status_reason()),
        })
    }
}

impl QueueSource for BatchJobs {
    async fn head(&self, queue: &str) -> Result<QueueHead, LookupError> {
        let answer = self
            .client
            .get()
            .get_job_queue_snapshot()
            .job_queue(queue)
            .send()
            .await
            .map_err(|e| failed(&e, "AWS Batch"))?;
        let Some(front) = answer.front_of_queue() else {
            return Ok(QueueHead::default());
        };
        Ok(QueueHead {
            jobs: (front.jobs().iter())
                .map(|job| HeadJob {
                    job_arn: job.job_arn().map(str::to_owned),
                    since_ms: job.earliest_time_at_position(),
                })
                .collect(),
            last_updated_ms: front.last_updated_at(),
        })
    }
}
