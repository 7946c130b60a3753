//! AWS console URL formats, kept in one place because AWS changes them.

use std::fmt::Write as _;

use crate::model::{Link, ResourceKind};

/// The console's host, after the region.
const CONSOLE: &str = "console.aws.amazon.com";

pub fn cloudtrail_event(region: &str, event_id: &str) -> Link {
    let id = encode(event_id);
    Link {
        label: "CloudTrail event",
        url: format!("https://{region}.{CONSOLE}/cloudtrail/home?region={region}#/events/{id}"),
    }
}

pub fn s3_batch_job(region: &str, job_id: &str) -> Link {
    let id = encode(job_id);
    Link {
        label: "S3 Batch Operations job",
        url: format!("https://{region}.{CONSOLE}/s3/jobs/{id}?region={region}"),
    }
}

/// The S3 console's folder of one S3 Batch Operations job's completion report: the report's prefix,
/// then `job-<id>/`.
pub fn s3_job_report(region: &str, bucket: &str, prefix: &str, job_id: &str) -> Link {
    let folder = match prefix.trim_matches('/') {
        "" => format!("job-{job_id}/"),
        prefix => format!("{prefix}/job-{job_id}/"),
    };
    Link {
        label: "Completion report",
        url: format!(
            "https://{region}.{CONSOLE}/s3/buckets/{}?region={region}&prefix={}",
            escape(bucket, b"", "%"),
            escape(&folder, b"/", "%")
        ),
    }
}

/// The Batch console page of a job, compute environment or job queue. `id` is a job id for jobs and
/// an ARN or name for the others.
pub fn batch_resource(region: &str, kind: ResourceKind, id: &str) -> Option<Link> {
    let (label, page) = match kind {
        ResourceKind::Job | ResourceKind::ServiceJob => {
            return Some(batch_job(region, JobPage::Job, id));
        }
        ResourceKind::ComputeEnvironment => {
            ("Batch compute environment", "compute-environments/detail")
        }
        ResourceKind::JobQueue => ("Batch job queue", "queues/detail"),
        _ => return None,
    };
    let id = encode(id);
    Some(Link {
        label,
        url: format!("https://{region}.{CONSOLE}/batch/home?region={region}#{page}/{id}"),
    })
}

/// The Batch console's page for a kind of job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobPage {
    /// A single job, or one child or node of an array or multi-node job.
    Job,
    /// An array job, with its children.
    Array,
    /// A multi-node parallel job, with its nodes.
    MultiNode,
}

/// The Batch console page of a job.
pub fn batch_job(region: &str, page: JobPage, job_id: &str) -> Link {
    let (label, route) = match page {
        JobPage::Job => ("Batch job", "jobs/detail"),
        JobPage::Array => ("Batch array job", "jobs/array-job"),
        JobPage::MultiNode => ("Batch multi-node job", "jobs/mnp-job"),
    };
    let id = encode(job_id);
    Link {
        label,
        url: format!("https://{region}.{CONSOLE}/batch/home?region={region}#{route}/{id}"),
    }
}

/// The CloudWatch console page of a log stream.
pub fn log_stream(region: &str, group: &str, stream: &str) -> Link {
    let (group, stream) = (console_fragment(group), console_fragment(stream));
    Link {
        label: "Log stream",
        url: format!(
            "https://{region}.{CONSOLE}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{group}/log-events/{stream}"
        ),
    }
}

/// The CloudWatch console's encoding inside its URL fragment: a value percent-encoded, then its `%`
/// written `$25` (`/` becomes `$252F`).
fn console_fragment(value: &str) -> String {
    escape(value, b"", "$25")
}

/// Percent-encodes everything but the characters ARNs, ids and names are made of, so a hostile value
/// cannot change the URL's structure.
fn encode(value: &str) -> String {
    escape(value, b":/", "%")
}

/// `value` with every byte but ASCII letters, digits, `-_.~` and `also_safe` written as `prefix`
/// and two hex digits.
fn escape(value: &str, also_safe: &[u8], prefix: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || also_safe.contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "{prefix}{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_console_formats() {
        assert_eq!(
            batch_resource("us-east-1", ResourceKind::Job, "abc-1")
                .unwrap()
                .url,
            "https://us-east-1.console.aws.amazon.com/batch/home?region=us-east-1#jobs/detail/abc-1"
        );
        assert_eq!(
            batch_job("eu-west-1", JobPage::Array, "p-1").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/array-job/p-1"
        );
        assert_eq!(
            batch_job("eu-west-1", JobPage::MultiNode, "m-1").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/mnp-job/m-1"
        );
        assert_eq!(
            batch_job("eu-west-1", JobPage::Job, "m-1#2").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/m-1%232"
        );
        assert_eq!(
            s3_batch_job("us-west-2", "d6e5").url,
            "https://us-west-2.console.aws.amazon.com/s3/jobs/d6e5?region=us-west-2"
        );
        assert_eq!(
            cloudtrail_event("eu-west-1", "ev 1").url,
            "https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/ev%201"
        );
        assert_eq!(
            log_stream("us-east-1", "/aws/batch/job", "etl/default/4e1f").url,
            "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/etl$252Fdefault$252F4e1f"
        );
        assert_eq!(
            console_fragment("a b#?$é"),
            "a$2520b$2523$253F$2524$25C3$25A9"
        );
        assert_eq!(encode("a-Z_0.~:/"), "a-Z_0.~:/");
        assert_eq!(encode("a b#?&é\n"), "a%20b%23%3F%26%C3%A9%0A");
        assert!(batch_resource("us-east-1", ResourceKind::Tags, "x").is_none());
    }
}
