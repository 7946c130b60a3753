//! The classified event: plain data that every renderer reads and nothing mutates after classification.

use serde::Serialize;
use std::fmt;

/// Which of the event families this function understands an event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `AWS API Call via CloudTrail` from `aws.batch`.
    BatchApiCall,
    /// `AWS Service Event via CloudTrail` from `aws.s3` (`JobCreated` / `JobStatusChanged`).
    S3BatchJob,
    /// `Batch Job State Change`.
    BatchJobState,
    /// `Batch Job Queue Blocked`.
    BatchQueueBlocked,
    /// `Batch Service Job State Change`.
    BatchServiceJobState,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::BatchApiCall => "batch_api_call",
            Family::S3BatchJob => "s3_batch_job",
            Family::BatchJobState => "batch_job_state",
            Family::BatchQueueBlocked => "batch_queue_blocked",
            Family::BatchServiceJobState => "batch_service_job_state",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(value: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of AWS resource an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Job,
    ServiceJob,
    ComputeEnvironment,
    JobQueue,
    JobDefinition,
    SchedulingPolicy,
    ConsumableResource,
    ServiceEnvironment,
    QuotaShare,
    Tags,
    S3BatchJob,
    Unknown,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Job => "job",
            ResourceKind::ServiceJob => "service_job",
            ResourceKind::ComputeEnvironment => "compute_environment",
            ResourceKind::JobQueue => "job_queue",
            ResourceKind::JobDefinition => "job_definition",
            ResourceKind::SchedulingPolicy => "scheduling_policy",
            ResourceKind::ConsumableResource => "consumable_resource",
            ResourceKind::ServiceEnvironment => "service_environment",
            ResourceKind::QuotaShare => "quota_share",
            ResourceKind::Tags => "tags",
            ResourceKind::S3BatchJob => "s3_batch_job",
            ResourceKind::Unknown => "unknown",
        }
    }

    /// How a person names the kind in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Job => "job",
            ResourceKind::ServiceJob => "service job",
            ResourceKind::ComputeEnvironment => "compute environment",
            ResourceKind::JobQueue => "job queue",
            ResourceKind::JobDefinition => "job definition",
            ResourceKind::SchedulingPolicy => "scheduling policy",
            ResourceKind::ConsumableResource => "consumable resource",
            ResourceKind::ServiceEnvironment => "service environment",
            ResourceKind::QuotaShare => "quota share",
            ResourceKind::Tags => "resource tags",
            ResourceKind::S3BatchJob => "S3 Batch Operations job",
            ResourceKind::Unknown => "resource",
        }
    }
}

/// What the event is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub kind: ResourceKind,
    /// Short display name (a name, or the last part of an ARN).
    pub name: Option<String>,
    /// A job id where the resource is a job.
    pub id: Option<String>,
    pub arn: Option<String>,
}

/// Whether what happened went well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    Denied,
    Cancelled,
    InProgress,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
            Outcome::Cancelled => "cancelled",
            Outcome::InProgress => "in_progress",
        }
    }

    /// How a person says it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::InProgress => "in progress",
            other => other.as_str(),
        }
    }
}

/// The access a Batch operation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadOnly,
    Mutating,
}

/// The verb of an action, as a person says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    Create,
    Update,
    Delete,
    Describe,
    List,
    Get,
    Submit,
    Cancel,
    Terminate,
    Tag,
    Untag,
    Register,
    Deregister,
    Other,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Delete => "delete",
            Verb::Describe => "describe",
            Verb::List => "list",
            Verb::Get => "get",
            Verb::Submit => "submit",
            Verb::Cancel => "cancel",
            Verb::Terminate => "terminate",
            Verb::Tag => "tag",
            Verb::Untag => "untag",
            Verb::Register => "register",
            Verb::Deregister => "deregister",
            Verb::Other => "other",
        }
    }
}

/// The action an API call performed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    pub verb: Verb,
    pub access: Access,
    pub destructive: bool,
    /// False when the operation was not in the catalog and was classified from its name.
    pub cataloged: bool,
}

/// How the caller reached AWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Console,
    Api,
    Service,
}

/// Who did it, as a person reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// The CloudTrail identity type (`Root`, `IAMUser`, `AssumedRole`, ...), or `None` when absent.
    #[serde(rename = "type")]
    pub identity_type: Option<String>,
    /// Short form for subjects: `root`, `alice`, `Admin/admin`, `s3.amazonaws.com`.
    pub short: String,
    /// Long form for bodies: `assumed role Admin, session admin (account 012345678910)`.
    pub description: String,
    pub arn: Option<String>,
    pub account: Option<String>,
    pub mfa: Option<bool>,
    pub channel: Option<Channel>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub is_root: bool,
}

/// A status reported by the event (S3 Batch Operations job status, Batch job state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub value: String,
    pub reason: Option<String>,
    /// `None` for a status the tables do not know yet.
    pub terminal: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// One labelled detail shown in the text and keyed in the JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: &'static str,
    pub url: String,
}

/// Everything known about one event after classification.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub family: Family,
    pub event_id: Option<String>,
    pub source: String,
    pub detail_type: String,
    /// The API operation, the S3 event name, or the detail type of a native Batch event.
    pub event_name: String,
    pub time: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource: Resource,
    pub action: Option<Action>,
    pub actor: Option<Actor>,
    pub status: Option<Status>,
    pub outcome: Outcome,
    pub error: Option<ErrorInfo>,
    pub severity: Severity,
    /// Why the severity is what it is, one phrase per rule that applied.
    pub severity_reasons: Vec<&'static str>,
    pub facts: Vec<Fact>,
    /// How many items of a bulk call failed while the call itself succeeded.
    pub item_failures: usize,
    pub links: Vec<Link>,
    pub cloudtrail_event_id: Option<String>,
    /// The identity one job's or resource's updates share (FIFO group, chat thread).
    pub thread_key: String,
    /// The event detail with every secret-bearing value removed.
    pub detail: serde_json::Value,
}

impl Notification {
    /// Visits every free-text string that a renderer may publish (not the `detail`).
    pub fn for_each_text_mut(&mut self, mut f: impl FnMut(&mut String)) {
        f(&mut self.event_name);
        f(&mut self.thread_key);
        let resource = &mut self.resource;
        for text in [&mut resource.name, &mut resource.id, &mut resource.arn] {
            text.as_mut().map(&mut f);
        }
        self.event_id.as_mut().map(&mut f);
        self.cloudtrail_event_id.as_mut().map(&mut f);
        self.account.as_mut().map(&mut f);
        self.region.as_mut().map(&mut f);
        if let Some(actor) = &mut self.actor {
            f(&mut actor.short);
            f(&mut actor.description);
            for text in [
                &mut actor.arn,
                &mut actor.account,
                &mut actor.source_ip,
                &mut actor.user_agent,
            ] {
                text.as_mut().map(&mut f);
            }
        }
        if let Some(status) = &mut self.status {
            f(&mut status.value);
            status.reason.as_mut().map(&mut f);
        }
        if let Some(error) = &mut self.error {
            error.code.as_mut().map(&mut f);
            error.message.as_mut().map(&mut f);
        }
        self.facts.iter_mut().for_each(|fact| f(&mut fact.value));
        self.links.iter_mut().for_each(|link| f(&mut link.url));
    }

    /// Whether the event is a read-only API call.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self.action,
            Some(Action {
                access: Access::ReadOnly,
                ..
            })
        )
    }
}
