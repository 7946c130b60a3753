//! AWS console URL formats, kept in one place because AWS changes them.

use crate::domain::model::{Link, ResourceKind};
use crate::domain::partition;

/// Where a console link may point: a region shaped like an AWS region, and the console of its
/// partition. Only `Console::of` makes one, so no link can be built from an unchecked string: an
/// event's region such as `attacker.example.net#` would otherwise choose the link's host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Console {
    region: String,
    host: &'static str,
}

impl Console {
    /// The console for `region`, when it is shaped like an AWS region of a partition with one.
    pub fn of(region: Option<&str>) -> Option<Self> {
        let region = region?;
        let host = partition::of_region(region)?.console?;
        Some(Self {
            region: region.to_owned(),
            host,
        })
    }

    /// `https://<region>.<host>/` and then `path`'s pieces, written into one string.
    fn url(&self, path: &[Piece]) -> String {
        // Sized for the pieces as they are: a value that needs escaping is rare enough to grow.
        let pieces: usize = (path.iter())
            .map(|piece| match *piece {
                Piece::Text(text) => text.len(),
                Piece::Region => self.region.len(),
                Piece::Escaped(value, _) => value.len(),
            })
            .sum();
        let mut url = String::with_capacity(10 + self.region.len() + self.host.len() + pieces);
        for part in ["https://", &self.region, ".", self.host, "/"] {
            url.push_str(part);
        }
        for piece in path {
            match *piece {
                Piece::Text(text) => url.push_str(text),
                Piece::Region => url.push_str(&self.region),
                Piece::Escaped(value, escaping) => escaping.write(&mut url, value),
            }
        }
        url
    }
}

/// A piece of a console URL's path: text of the format's own, the console's region, or a value
/// from the event, escaped so that it cannot change the URL's structure.
enum Piece<'a> {
    Text(&'static str),
    Region,
    Escaped(&'a str, Escaping),
}

use Piece::{Escaped, Region, Text};

/// How a value is escaped in a URL: which bytes other than ASCII letters, digits and `-_.~` are
/// kept, and what an escaped byte's two hex digits follow.
#[derive(Clone, Copy)]
struct Escaping {
    also_safe: &'static [u8],
    prefix: &'static str,
}

impl Escaping {
    /// Keeps `also_safe` as well, and writes an escaped byte as `prefix` and two hex digits.
    const fn keeping(also_safe: &'static [u8], prefix: &'static str) -> Escaping {
        Escaping { also_safe, prefix }
    }

    /// Everything but the characters ARNs, ids and names are made of is percent-encoded.
    const IDENTIFIER: Escaping = Escaping::keeping(b":/", "%");
    /// One segment of a path (an S3 bucket): `/` too is percent-encoded.
    const SEGMENT: Escaping = Escaping::keeping(b"", "%");
    /// An S3 key prefix, which keeps its `/`.
    const KEY_PREFIX: Escaping = Escaping::keeping(b"/", "%");
    /// The CloudWatch console's encoding inside its URL fragment: a value percent-encoded, then its
    /// `%` written `$25` (`/` becomes `$252F`).
    const CONSOLE_FRAGMENT: Escaping = Escaping::keeping(b"", "$25");

    /// Writes `value` onto `out`, every byte but the safe ones as the prefix and two hex digits.
    fn write(self, out: &mut String, value: &str) {
        let safe = |b: u8| {
            b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || self.also_safe.contains(&b)
        };
        // Runs of safe bytes are copied whole; they are ASCII, so each run starts and ends on a
        // character's boundary.
        let mut run = 0;
        for (at, b) in value.bytes().enumerate() {
            if !safe(b) {
                out.push_str(value.get(run..at).unwrap_or_default());
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push_str(self.prefix);
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
                run = at + 1;
            }
        }
        out.push_str(value.get(run..).unwrap_or_default());
    }

    #[cfg(test)]
    fn apply(self, value: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, value);
        out
    }
}

pub fn cloudtrail_event(console: &Console, event_id: &str) -> Link {
    Link {
        label: "CloudTrail event",
        url: console.url(&[
            Text("cloudtrail/home?region="),
            Region,
            Text("#/events/"),
            Escaped(event_id, Escaping::IDENTIFIER),
        ]),
    }
}

pub fn s3_batch_job(console: &Console, job_id: &str) -> Link {
    Link {
        label: "S3 Batch Operations job",
        url: console.url(&[
            Text("s3/jobs/"),
            Escaped(job_id, Escaping::IDENTIFIER),
            Text("?region="),
            Region,
        ]),
    }
}

/// The S3 console's folder of one S3 Batch Operations job's completion report: the report's prefix,
/// then `job-<id>/`.
pub fn s3_job_report(console: &Console, bucket: &str, prefix: &str, job_id: &str) -> Link {
    let folder = match prefix.trim_matches('/') {
        "" => format!("job-{job_id}/"),
        prefix => format!("{prefix}/job-{job_id}/"),
    };
    Link {
        label: "Completion report",
        url: console.url(&[
            Text("s3/buckets/"),
            Escaped(bucket, Escaping::SEGMENT),
            Text("?region="),
            Region,
            Text("&prefix="),
            Escaped(&folder, Escaping::KEY_PREFIX),
        ]),
    }
}

/// The Batch console page of a job, compute environment or job queue. `id` is a job id for jobs and
/// an ARN or name for the others.
pub fn batch_resource(console: &Console, kind: ResourceKind, id: &str) -> Option<Link> {
    let (label, page) = match kind {
        ResourceKind::Job | ResourceKind::ServiceJob => {
            return Some(batch_job(console, JobPage::Job, id));
        }
        ResourceKind::ComputeEnvironment => {
            ("Batch compute environment", "compute-environments/detail/")
        }
        ResourceKind::JobQueue => ("Batch job queue", "queues/detail/"),
        _ => return None,
    };
    Some(Link {
        label,
        url: batch_page(console, page, id),
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
pub fn batch_job(console: &Console, page: JobPage, job_id: &str) -> Link {
    let (label, route) = match page {
        JobPage::Job => ("Batch job", "jobs/detail/"),
        JobPage::Array => ("Batch array job", "jobs/array-job/"),
        JobPage::MultiNode => ("Batch multi-node job", "jobs/mnp-job/"),
    };
    Link {
        label,
        url: batch_page(console, route, job_id),
    }
}

/// `batch/home?region=<region>#<route><id>`.
fn batch_page(console: &Console, route: &'static str, id: &str) -> String {
    console.url(&[
        Text("batch/home?region="),
        Region,
        Text("#"),
        Text(route),
        Escaped(id, Escaping::IDENTIFIER),
    ])
}

/// The CloudWatch console page of a log stream.
pub fn log_stream(console: &Console, group: &str, stream: &str) -> Link {
    Link {
        label: "Log stream",
        url: console.url(&[
            Text("cloudwatch/home?region="),
            Region,
            Text("#logsV2:log-groups/log-group/"),
            Escaped(group, Escaping::CONSOLE_FRAGMENT),
            Text("/log-events/"),
            Escaped(stream, Escaping::CONSOLE_FRAGMENT),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(region: &str) -> Console {
        Console::of(Some(region)).unwrap()
    }

    #[test]
    fn only_region_shaped_values_of_a_partition_with_a_console_make_links() {
        assert_eq!(at("us-east-1").host, "console.aws.amazon.com");
        assert_eq!(at("cn-north-1").host, "console.amazonaws.cn");
        assert_eq!(at("us-gov-west-1").host, "console.amazonaws-us-gov.com");
        for hostile in [
            "attacker.example.net#",
            "evil.example/#",
            "",
            "US-EAST-1",
            "us-east-1?x",
        ] {
            assert_eq!(Console::of(Some(hostile)), None, "{hostile}");
        }
        assert_eq!(Console::of(Some("us-iso-east-1")), None);
        assert_eq!(Console::of(None), None);
        assert_eq!(
            s3_batch_job(&at("cn-northwest-1"), "j").url,
            "https://cn-northwest-1.console.amazonaws.cn/s3/jobs/j?region=cn-northwest-1"
        );
        assert_eq!(
            batch_job(&at("us-gov-east-1"), JobPage::Job, "j").url,
            "https://us-gov-east-1.console.amazonaws-us-gov.com/batch/home?region=us-gov-east-1#jobs/detail/j"
        );
    }

    #[test]
    fn links_follow_the_console_formats() {
        assert_eq!(
            batch_resource(&at("us-east-1"), ResourceKind::Job, "abc-1")
                .unwrap()
                .url,
            "https://us-east-1.console.aws.amazon.com/batch/home?region=us-east-1#jobs/detail/abc-1"
        );
        assert_eq!(
            batch_job(&at("eu-west-1"), JobPage::Array, "p-1").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/array-job/p-1"
        );
        assert_eq!(
            batch_job(&at("eu-west-1"), JobPage::MultiNode, "m-1").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/mnp-job/m-1"
        );
        assert_eq!(
            batch_job(&at("eu-west-1"), JobPage::Job, "m-1#2").url,
            "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/m-1%232"
        );
        assert_eq!(
            s3_batch_job(&at("us-west-2"), "d6e5").url,
            "https://us-west-2.console.aws.amazon.com/s3/jobs/d6e5?region=us-west-2"
        );
        assert_eq!(
            cloudtrail_event(&at("eu-west-1"), "ev 1").url,
            "https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/ev%201"
        );
        assert_eq!(
            log_stream(&at("us-east-1"), "/aws/batch/job", "etl/default/4e1f").url,
            "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/etl$252Fdefault$252F4e1f"
        );
        assert_eq!(
            Escaping::CONSOLE_FRAGMENT.apply("a b#?$é"),
            "a$2520b$2523$253F$2524$25C3$25A9"
        );
        assert_eq!(Escaping::IDENTIFIER.apply("a-Z_0.~:/"), "a-Z_0.~:/");
        assert_eq!(
            Escaping::IDENTIFIER.apply("a b#?&é\n"),
            "a%20b%23%3F%26%C3%A9%0A"
        );
        assert!(batch_resource(&at("us-east-1"), ResourceKind::Tags, "x").is_none());
    }
}
