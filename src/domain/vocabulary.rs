//! The settings' vocabulary: the choices a setting names, each with its one wire name. They are
//! the domain's words (a notification's format, where its context comes from), so the stages and
//! the notification use them without depending on how settings are read.

use super::wire::wire_enum;

wire_enum! {
    /// How the notification is laid out in the SNS message.
    pub enum MessageFormat {
        /// Plain text for people, with message attributes.
        Text = "text",
        /// The versioned JSON document, with message attributes.
        Json = "json",
        /// `MessageStructure=json`: text for people's protocols, the document for programs'.
        Multi = "multi",
        /// The Amazon Q Developer in chat applications custom notification schema.
        Chat = "chat",
    }
}

wire_enum! {
    /// Which events of array job children and multi-node job nodes are notified.
    pub enum ChildJobEvents {
        /// Only a child or node that failed.
        Failed = "failed",
        /// Every one, as for a single job.
        All = "all",
        /// None: only the array or multi-node job itself.
        None = "none",
    }
}

wire_enum! {
    /// What to do when the state table cannot be reached.
    pub enum StateFailure {
        /// Publish without it: a duplicate is better than a lost notification.
        Publish = "publish",
        /// Fail the invocation, so that Lambda retries it.
        Fail = "fail",
    }
}

wire_enum! {
    /// How the notifications of an SQS batch are published.
    pub enum Delivery {
        /// One message per notification (in a batch, ten to a `PublishBatch` request).
        Each = "each",
        /// One digest per batch for what is below `DIGEST_IMMEDIATE_SEVERITY`; the rest each on
        /// its own.
        Digest = "digest",
    }
}

wire_enum! {
    /// Where a notification's context is looked up (`ENRICH`).
    pub enum EnrichSource {
        /// S3 Control `DescribeJob`: an S3 Batch Operations job's task counts and report.
        S3Jobs = "s3_jobs",
        /// CloudWatch Logs `GetLogEvents`: a failed Batch job's last log lines (`LOG_LINES`).
        JobLogs = "job_logs",
        /// AWS Batch `DescribeJobs`: the name, queue and status of the job an API call names.
        Jobs = "jobs",
        /// AWS Batch `GetJobQueueSnapshot`: whether a job told stuck in RUNNABLE is at the head
        /// of its queue, and since when.
        Queues = "queues",
    }
}
