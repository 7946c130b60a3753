//! S3 Control `DescribeJob`: an S3 Batch Operations job's operation, task counts, failure reasons
//! and completion report.

use aws_config::SdkConfig;
use aws_sdk_s3control::Client;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use aws_sdk_s3control::types::{JobDescriptor, JobOperation};

use super::{OnFirstUse, bounds, failed};
use crate::ports::lookups::{
    LookupError, ReportLocation, S3JobRef, S3JobReport, S3JobSource, TaskFailure,
};

/// The variable that points S3 Control at another endpoint, which is then used as it is.
pub const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_S3_CONTROL";

/// Whether a `JobOperation` is one operation.
type Is = fn(&JobOperation) -> bool;

/// S3 Batch Operations' operations, by the member of `JobOperation` that is set.
#[rustfmt::skip]
const OPERATIONS: &[(Is, &str)] = &[
    (|o| o.lambda_invoke().is_some(),               "Invoke AWS Lambda function"),
    (|o| o.s3_put_object_copy().is_some(),          "Copy"),
    (|o| o.s3_put_object_acl().is_some(),           "Replace access control list"),
    (|o| o.s3_put_object_tagging().is_some(),       "Replace all object tags"),
    (|o| o.s3_delete_object_tagging().is_some(),    "Delete all object tags"),
    (|o| o.s3_initiate_restore_object().is_some(),  "Restore"),
    (|o| o.s3_put_object_legal_hold().is_some(),    "Object Lock legal hold"),
    (|o| o.s3_put_object_retention().is_some(),     "Object Lock retention"),
    (|o| o.s3_replicate_object().is_some(),         "Replicate"),
    (|o| o.s3_compute_object_checksum().is_some(),  "Compute checksums"),
    (|o| o.s3_update_object_encryption().is_some(), "Update object encryption"),
];

pub struct S3ControlJobs {
    client: OnFirstUse<Client>,
}

/// An endpoint taken as it is. The SDK's own rules put the account id in front of the host name,
/// custom endpoints included, which a local server's address does not survive.
#[derive(Debug)]
struct AsIs(String);

impl ResolveEndpoint for AsIs {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

impl S3ControlJobs {
    pub fn new(config: &SdkConfig) -> Self {
        let config = config.clone();
        let endpoint = std::env::var(ENDPOINT_VARIABLE)
            .ok()
            .filter(|u| !u.is_empty());
        S3ControlJobs {
            client: OnFirstUse::new(move || {
                let (retry, timeouts) = bounds();
                let mut builder = aws_sdk_s3control::config::Builder::from(&config)
                    .retry_config(retry)
                    .timeout_config(timeouts);
                if let Some(url) = &endpoint {
                    builder = builder.endpoint_resolver(AsIs(url.clone()));
                }
                Client::from_conf(builder.build())
            }),
        }
    }
}

impl S3JobSource for S3ControlJobs {
    async fn describe_job(&self, job: &S3JobRef) -> Result<S3JobReport, LookupError> {
        let answer = self
            .client
            .get()
            .describe_job()
            .account_id(&job.account)
            .job_id(&job.job_id)
            .send()
            .await
            .map_err(|e| failed(&e, "S3 Control"))?;
        let job = answer
            .job()
            .ok_or_else(|| LookupError::new(None, "S3 Control answered without the job"))?;
        Ok(report(job))
    }
}

fn report(job: &JobDescriptor) -> S3JobReport {
    let text = |value: Option<&str>| value.map(str::to_owned);
    let progress = job.progress_summary();
    S3JobReport {
        operation: job.operation().and_then(|operation| {
            OPERATIONS
                .iter()
                .find(|(is, _)| is(operation))
                .map(|(_, name)| (*name).to_owned())
        }),
        total_tasks: progress.and_then(|p| p.total_number_of_tasks()),
        succeeded_tasks: progress.and_then(|p| p.number_of_tasks_succeeded()),
        failed_tasks: progress.and_then(|p| p.number_of_tasks_failed()),
        active_seconds: progress
            .and_then(|p| p.timers())
            .and_then(|t| t.elapsed_time_in_active_seconds()),
        failure_reasons: job
            .failure_reasons()
            .iter()
            .map(|f| TaskFailure {
                code: text(f.failure_code()),
                reason: text(f.failure_reason()),
            })
            .collect(),
        report: job.report().map(|r| ReportLocation {
            bucket: text(r.bucket()),
            prefix: text(r.prefix()),
            format: r.format().map(|f| f.as_str().to_owned()),
            enabled: r.enabled(),
            scope: r.report_scope().map(|s| s.as_str().to_owned()),
        }),
        description: text(job.description()),
        priority: Some(job.priority()),
        confirmation_required: job.confirmation_required(),
        status_update_reason: text(job.status_update_reason()),
        suspended_cause: text(job.suspended_cause()),
    }
}
