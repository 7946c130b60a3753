//! The classified event: plain data that every later stage reads. Its serialized form is the JSON
//! document's body (`render::document`), so a field added here is in the document too.

use serde::{Serialize, Serializer};

use super::redact::{Scrubbed, Secrets};
use super::vocabulary::EnrichSource;
use super::wire::wire_enum;

wire_enum! {
    /// Which of the event families this function understands an event belongs to.
    pub enum Family {
        /// `AWS API Call via CloudTrail` from `aws.batch`.
        BatchApiCall = "batch_api_call",
        /// `AWS Service Event via CloudTrail` from `aws.s3` (`JobCreated` / `JobStatusChanged`).
        S3BatchJob = "s3_batch_job",
        /// `Batch Job State Change`.
        BatchJobState = "batch_job_state",
        /// `Batch Job Queue Blocked`.
        BatchQueueBlocked = "batch_queue_blocked",
        /// `Batch Service Job State Change`.
        BatchServiceJobState = "batch_service_job_state",
        /// A job that stayed in a watched state past its limit, told by the watch's sweep.
        BatchJobStuck = "batch_job_stuck",
    }
}

wire_enum! {
    #[derive(PartialOrd, Ord)]
    pub enum Severity {
        Info = "info",
        Warning = "warning",
        Critical = "critical",
    }
}

impl Severity {
    /// The label a subject or a digest line opens with: `CRITICAL`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Critical => "CRITICAL",
        }
    }
}

wire_enum! {
    /// The kind of AWS resource an event is about.
    pub enum ResourceKind {
        Job = "job",
        ServiceJob = "service_job",
        ComputeEnvironment = "compute_environment",
        JobQueue = "job_queue",
        JobDefinition = "job_definition",
        SchedulingPolicy = "scheduling_policy",
        ConsumableResource = "consumable_resource",
        ServiceEnvironment = "service_environment",
        QuotaShare = "quota_share",
        Tags = "tags",
        S3BatchJob = "s3_batch_job",
        Unknown = "unknown",
    }
}

impl ResourceKind {
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

wire_enum! {
    /// Whether what happened went well.
    pub enum Outcome {
        Succeeded = "succeeded",
        Failed = "failed",
        Denied = "denied",
        Cancelled = "cancelled",
        InProgress = "in_progress",
    }
}

impl Outcome {
    /// How a person says it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::InProgress => "in progress",
            other => other.as_str(),
        }
    }
}

wire_enum! {
    /// The access a Batch operation needs.
    pub enum Access {
        ReadOnly = "read_only",
        Mutating = "mutating",
    }
}

wire_enum! {
    /// The verb of an action, as a person says it.
    pub enum Verb {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Describe = "describe",
        List = "list",
        Get = "get",
        Submit = "submit",
        Cancel = "cancel",
        Terminate = "terminate",
        Tag = "tag",
        Untag = "untag",
        Register = "register",
        Deregister = "deregister",
        Other = "other",
    }
}

wire_enum! {
    /// How the caller reached AWS.
    pub enum Channel {
        Console = "console",
        Api = "api",
        Service = "service",
    }
}

wire_enum! {
    /// Why a job's attempt, or the job, failed: a row of the failure table
    /// (`pipeline::classify::story::failure`).
    pub enum FailureKind {
        /// The host, the capacity or the image: not the job's code.
        Infrastructure = "infrastructure",
        /// The attempt ran past the job's `timeout.attemptDurationSeconds`.
        Timeout = "timeout",
        OutOfMemory = "out_of_memory",
        /// The job's code exited with a non-zero code.
        Application = "application",
        /// By a person, a call, or the queue's time limit.
        Cancelled = "cancelled",
    }
}

impl FailureKind {
    /// How a person says it: `out of memory`.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::OutOfMemory => "out of memory",
            other => other.as_str(),
        }
    }
}

/// Why a job failed, in a failure kind and plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// What the kind means here: `the host EC2 instance went away (Spot reclaim, scale-in or by
    /// hand)`, `the attempt ran past its timeout of 1 h 00 min`.
    pub explanation: String,
}

/// How long a job waited, ran and took, in whole seconds; each is `None` where the event does not
/// say (no duration is invented).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timing {
    /// From `createdAt` to the first attempt's start.
    pub waited_seconds: Option<u64>,
    /// The part of the wait in RUNNABLE, from the state table's record of the job's events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runnable_seconds: Option<u64>,
    /// The part of the wait in STARTING, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_seconds: Option<u64>,
    /// The last attempt, from its start to its stop.
    pub ran_seconds: Option<u64>,
    /// From `createdAt` to the job's stop.
    pub total_seconds: Option<u64>,
    /// When the first attempt started (epoch ms): the end of the wait, which the state table's
    /// record splits.
    #[serde(skip)]
    pub first_start_ms: Option<i64>,
}

/// One attempt of a job: when it started, how long it ran, how it ended and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// RFC 3339, from `startedAt`.
    pub started_at: Option<String>,
    pub duration_seconds: Option<u64>,
    pub exit_code: Option<i64>,
    /// The attempt's status reason, or its container's reason when the status reason is AWS
    /// Batch's generic one (which is never shown: it says nothing).
    pub reason: Option<String>,
    /// The container the exit code and reason are from, when the job has several (`ecsProperties`,
    /// EKS).
    pub container: Option<String>,
    /// An EKS attempt's pod and node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub failure: Option<FailureKind>,
}

/// A RUNNABLE event after a failed attempt: the job is tried again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Retry {
    /// The attempt about to run: one more than the attempts so far.
    pub attempt: u32,
    /// `retryStrategy.attempts`, when the event says.
    pub of: Option<u32>,
    /// Why the previous attempt failed.
    pub after: Option<String>,
}

impl Retry {
    /// `attempt 2 of 3 after Host EC2 (instance i-0aaa…) terminated`.
    pub fn phrase(&self) -> String {
        let of = self.of.map(|of| format!(" of {of}")).unwrap_or_default();
        let after = (self.after.as_deref())
            .map(|after| format!(" after {after}"))
            .unwrap_or_default();
        format!("attempt {}{of}{after}", self.attempt)
    }
}

/// A blocked queue's reason, parsed out of `statusReason` (`CODE - text`), with what the
/// blocked-reason table says of its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockedReason {
    pub code: String,
    /// What the code means, in plain words; `None` for a code the table does not know yet.
    pub meaning: Option<&'static str>,
    /// What usually fixes it.
    pub fix: Option<&'static str>,
    /// Whether a queue's `jobStateTimeLimitActions` can cancel jobs blocked for this reason.
    pub time_limit_can_cancel: Option<bool>,
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

/// The action an API call performed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    pub verb: Verb,
    pub access: Access,
    pub destructive: bool,
    /// False when the operation was not in the catalog and was classified from its name.
    pub cataloged: bool,
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

/// Context that was looked for and is missing from the notification, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    pub source: EnrichSource,
    /// What is missing, as a person says it: `task counts`, `log lines`, `job details`.
    pub what: &'static str,
    /// Why: the service's error code, or what went wrong on the way.
    pub reason: String,
}

/// An array job or one of its children (`<array job id>:<index>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArrayJob {
    /// The array job's id: the job's own for the array job, the part before `:` for a child.
    pub parent_id: String,
    /// The child's index; `None` for the array job itself.
    pub index: Option<u64>,
    /// How many children the array job has, when the event says.
    pub size: Option<u64>,
    /// The children's counts by status, from the array job's `arrayProperties.statusSummary`.
    pub status_summary: Option<std::collections::BTreeMap<String, u64>>,
}

/// A multi-node parallel job or one of its nodes (`<job id>#<node index>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeJob {
    /// The multi-node job's id: the job's own, or the part before `#` for a node.
    pub job_id: String,
    /// The node's index; `None` for the multi-node job itself.
    pub index: Option<u64>,
    /// Whether the node is the main node, when the event says.
    pub is_main: Option<bool>,
    /// How many nodes the job has, when the event says.
    pub num_nodes: Option<u64>,
}

/// Everything known about one event after classification, in the order of the JSON document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    pub event_id: Option<String>,
    pub family: Family,
    pub source: String,
    pub detail_type: String,
    /// The API operation, the S3 event name, or the detail type of a native Batch event.
    pub event_name: String,
    pub time: Option<String>,
    pub account: Option<String>,
    /// The account's readable name, from `ACCOUNT_NAMES`.
    pub account_name: Option<String>,
    pub region: Option<String>,
    pub severity: Severity,
    /// Why the severity is what it is, one phrase per rule that applied.
    pub severity_reasons: Vec<&'static str>,
    pub outcome: Outcome,
    /// One sentence that says what happened.
    pub summary: String,
    pub resource: Resource,
    pub action: Option<Action>,
    pub actor: Option<Actor>,
    pub status: Option<Status>,
    /// AWS Batch job events of an array job or one of its children.
    pub array: Option<ArrayJob>,
    /// AWS Batch job events of a multi-node parallel job or one of its nodes.
    pub node: Option<NodeJob>,
    pub error: Option<ErrorInfo>,
    /// A Batch job's final event: how long it waited, ran and took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    /// A Batch job's attempts, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// Why a failed Batch job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// A RUNNABLE event after a failed attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// A blocked queue's (or a waiting job's) reason code and what it means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<BlockedReason>,
    #[serde(serialize_with = "facts_as_map")]
    pub facts: Vec<Fact>,
    pub links: Vec<Link>,
    /// A failed job's last log lines (`LOG_LINES`), oldest first, each bounded and masked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log_lines: Vec<String>,
    /// Context that was looked for and could not be had.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
    pub cloudtrail_event_id: Option<String>,
    /// The identity one job's or resource's updates share (FIFO group, chat thread).
    pub thread_key: String,
    /// The event detail with every secret-bearing value removed.
    pub detail: Detail,
    /// How many items of a bulk call failed while the call itself succeeded.
    #[serde(skip)]
    pub item_failures: usize,
    /// A Batch job's log stream in CloudWatch Logs, where its last lines can be read.
    #[serde(skip)]
    pub log: Option<LogStream>,
    /// An S3 Batch Operations job's task counts, when a lookup found them: the severity rules and
    /// the headline read them.
    #[serde(skip)]
    pub tasks: Option<TaskCounts>,
}

/// How many of an S3 Batch Operations job's tasks there are and how many failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub total: Option<i64>,
    pub failed: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogStream {
    pub group: String,
    pub stream: String,
}

/// The event detail, redacted, with the secrets found in the event: written with its free text
/// scrubbed of them, so that only a format that shows the detail pays for the scrubbing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    pub value: serde_json::Value,
    pub secrets: Secrets,
}

impl Serialize for Detail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scrubbed = Scrubbed {
            value: &self.value,
            secrets: &self.secrets,
        };
        scrubbed.serialize(serializer)
    }
}

fn facts_as_map<S: Serializer>(facts: &[Fact], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(facts.iter().map(|f| (f.key, &f.value)))
}

impl Notification {
    /// The value of the fact `key`, if it has one.
    pub fn fact(&self, key: &str) -> Option<&str> {
        (self.facts.iter())
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }

    /// Visits every string a renderer may publish, but the `detail`. The destructuring names every
    /// field, so a field added to the notification does not compile until it is placed here.
    pub fn for_each_text_mut(&mut self, mut f: impl FnMut(&mut String)) {
        let Notification {
            event_id,
            family: _,
            source,
            detail_type,
            event_name,
            time,
            account,
            account_name,
            region,
            severity: _,
            severity_reasons: _,
            outcome: _,
            summary,
            resource,
            action: _,
            actor,
            status,
            array: _,
            node: _,
            error,
            timing: _,
            attempts,
            failure,
            retry,
            blocked: _,
            facts,
            links,
            log_lines,
            unavailable,
            cloudtrail_event_id,
            thread_key,
            detail: _,
            item_failures: _,
            log: _,
            tasks: _,
        } = self;
        for text in [source, detail_type, event_name, summary, thread_key] {
            f(text);
        }
        let optional = [
            event_id,
            time,
            account,
            account_name,
            region,
            cloudtrail_event_id,
        ];
        let resource = [&mut resource.name, &mut resource.id, &mut resource.arn];
        for text in optional.into_iter().chain(resource).flatten() {
            f(text);
        }
        if let Some(actor) = actor {
            f(&mut actor.short);
            f(&mut actor.description);
            let texts = [
                &mut actor.identity_type,
                &mut actor.arn,
                &mut actor.account,
                &mut actor.source_ip,
                &mut actor.user_agent,
            ];
            texts.into_iter().flatten().for_each(&mut f);
        }
        if let Some(status) = status {
            f(&mut status.value);
            status.reason.as_mut().map(&mut f);
        }
        if let Some(error) = error {
            [&mut error.code, &mut error.message]
                .into_iter()
                .flatten()
                .for_each(&mut f);
        }
        for attempt in attempts {
            let texts = [
                &mut attempt.started_at,
                &mut attempt.reason,
                &mut attempt.container,
                &mut attempt.pod,
                &mut attempt.node,
            ];
            texts.into_iter().flatten().for_each(&mut f);
        }
        if let Some(failure) = failure {
            f(&mut failure.explanation);
        }
        if let Some(after) = retry.as_mut().and_then(|r| r.after.as_mut()) {
            f(after);
        }
        facts.iter_mut().for_each(|fact| f(&mut fact.value));
        links.iter_mut().for_each(|link| f(&mut link.url));
        log_lines.iter_mut().for_each(&mut f);
        unavailable.iter_mut().for_each(|u| f(&mut u.reason));
    }

    /// The array child or the node this event is about, with the job it belongs to.
    pub fn child(&self) -> Option<Child<'_>> {
        let array = (self.array.as_ref()).and_then(|a| {
            Some(Child {
                kind: ChildKind::ArrayChild,
                index: a.index?,
                parent_id: &a.parent_id,
            })
        });
        let node = (self.node.as_ref()).and_then(|n| {
            Some(Child {
                kind: ChildKind::Node,
                index: n.index?,
                parent_id: &n.job_id,
            })
        });
        array.or(node)
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

/// Which part of a larger job an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildKind {
    /// A child of an array job.
    ArrayChild,
    /// A node of a multi-node parallel job.
    Node,
}

impl ChildKind {
    /// What the part is called: `child`, `node`.
    pub fn noun(self) -> &'static str {
        match self {
            ChildKind::ArrayChild => "child",
            ChildKind::Node => "node",
        }
    }

    /// What the job it belongs to is called.
    pub fn parent_noun(self) -> &'static str {
        match self {
            ChildKind::ArrayChild => "array job",
            ChildKind::Node => "multi-node job",
        }
    }
}

/// An array job's child or a multi-node job's node: its index and its parent's job id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Child<'a> {
    pub kind: ChildKind,
    pub index: u64,
    pub parent_id: &'a str,
}

impl Child<'_> {
    /// The one phrasing every sentence about a child uses: `child 12 of array job align-reads`.
    pub fn of(&self, parent_name: &str) -> String {
        format!(
            "{} {} of {} {parent_name}",
            self.kind.noun(),
            self.index,
            self.kind.parent_noun()
        )
    }
}
