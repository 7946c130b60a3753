//! AWS Batch `DescribeJobs` for the job an API call names.

use aws_config::SdkConfig;
use aws_sdk_batch::Client;

use super::{OnFirstUse, bounds, failed};
use crate::ports::lookups::{JobReport, JobSource, LookupError};

pub struct BatchJobs {
    client: OnFirstUse<Client>,
}

impl BatchJobs {
    pub fn new(config: &SdkConfig) -> Self {
        let config = config.clone();
        BatchJobs {
            client: OnFirstUse::new(move || {
                let (retry, timeouts) = bounds();
                let config = aws_sdk_batch::config::Builder::from(&config)
                    .retry_config(retry)
                    .timeout_config(timeouts)
                    .build();
                Client::from_conf(config)
            }),
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
