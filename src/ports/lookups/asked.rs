//! What a notification asks its lookups for: plain addresses, no SDK type.

/// An S3 Batch Operations job, addressed as S3 Control addresses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3JobRef {
    pub account: String,
    pub job_id: String,
}

/// The end of a job's log stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobLogRef {
    pub group: String,
    pub stream: String,
    pub lines: u32,
}

/// Where a notification's lookups are made: the region of its event (`None`: the function's own),
/// and for another account's event, the role assumed in that account (`None`: the function's own
/// credentials).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reach {
    pub region: Option<String>,
    pub role: Option<RoleRef>,
}

/// A role in another account, for its lookups.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleRef {
    /// `arn:<partition>:iam::<account>:role/<name>`.
    pub arn: String,
    pub name: String,
    pub account: String,
}

/// The lookups one notification asks for; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    pub reach: Reach,
    pub s3_job: Option<S3JobRef>,
    pub job_log: Option<JobLogRef>,
    /// A Batch job id.
    pub job: Option<String>,
    /// A Batch job queue (its name or ARN), whose head is looked at.
    pub queue: Option<String>,
}

impl Wanted {
    pub fn is_empty(&self) -> bool {
        self.s3_job.is_none()
            && self.job_log.is_none()
            && self.job.is_none()
            && self.queue.is_none()
    }
}
