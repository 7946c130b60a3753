//! Settings, read from environment variables, the same for `preview` and the Lambda function.
//!
//! Reading is a pure function of a variable lookup so it can be tested without touching the process
//! environment. Every bad value is an error that names the variable and what it accepts.

use thiserror::Error;

use crate::domain::model::Severity;
pub use crate::domain::vocabulary::{
    ChildJobEvents, Delivery, EnrichSource, MessageFormat, StateFailure,
};

/// The topic `preview` shows when `TOPIC_ARN` is not set.
pub const PREVIEW_TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:batch-notifier-preview";
pub const DEFAULT_METRICS_NAMESPACE: &str = "BatchNotifier";

pub const DEFAULT_STATE_TTL_DAYS: u32 = 15;
pub const DEFAULT_ENRICH: &[EnrichSource] = &[EnrichSource::S3Jobs, EnrichSource::Jobs];
pub const DEFAULT_ENRICH_TIMEOUT_MS: u32 = 1500;
pub const DEFAULT_CHILD_FAILURES_MAX: u32 = 10;

/// Whether the settings are for a person's preview or for the deployed function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `TOPIC_ARN` may be unset: a placeholder is shown.
    Preview,
    /// `TOPIC_ARN` is required.
    Lambda,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub topic_arn: String,
    pub min_severity: Severity,
    pub include_read_only: bool,
    pub event_names_include: Vec<String>,
    pub event_names_exclude: Vec<String>,
    pub skip_transitional_statuses: bool,
    pub message_format: MessageFormat,
    pub metrics_namespace: String,
    pub child_job_events: ChildJobEvents,
    /// Readable names of accounts, by account id.
    pub account_names: Vec<(String, String)>,
    /// The DynamoDB table that remembers what was told; `None`: stateless.
    pub state_table: Option<String>,
    pub state_failure: StateFailure,
    /// How long the table remembers what was told.
    pub state_ttl_days: u32,
    /// A claim's lease, when shorter than the invocation's deadline.
    pub state_lease_seconds: Option<u32>,
    /// With a state table and `CHILD_JOB_EVENTS=failed`: how many failed children of one array or
    /// multi-node job are notified one by one.
    pub child_failures_max: u32,
    pub delivery: Delivery,
    /// With `DELIVERY=digest`: notifications at or above it are published on their own at once.
    pub digest_immediate_severity: Severity,
    /// The sources of context looked up for a notification, each once.
    pub enrich: Vec<EnrichSource>,
    /// How many of a failed job's last log lines a notification shows (with `job_logs`).
    pub log_lines: u32,
    /// The time all of one event's lookups share.
    pub enrich_timeout_ms: u32,
}

impl Settings {
    /// The topic is FIFO: messages need a group id and a deduplication id.
    pub fn fifo(&self) -> bool {
        self.topic_arn.ends_with(".fifo")
    }

    /// Whether `ENRICH` names `source`.
    pub fn enriches(&self, source: EnrichSource) -> bool {
        self.enrich.contains(&source)
    }

    /// The readable name `ACCOUNT_NAMES` gives `account`.
    pub fn account_name(&self, account: &str) -> Option<&str> {
        self.account_names
            .iter()
            .find(|(id, _)| id == account)
            .map(|(_, name)| name.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("{variable}={value:?} is not valid: {problem}; accepted: {accepted}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub problem: &'static str,
    pub accepted: &'static str,
}

/// One row per setting: its variable, what it accepts, and its default when unset.
#[rustfmt::skip]
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("TOPIC_ARN",                  "an SNS topic ARN, arn:<partition>:sns:<region>:<12-digit account>:<name>[.fifo]", "required (preview: a placeholder topic)"),
    ("MIN_SEVERITY",               "info, warning, critical",                                                     "info"),
    ("INCLUDE_READ_ONLY",          "true, false (also 1/0, yes/no)",                                              "false"),
    ("EVENT_NAMES_INCLUDE",        "comma-separated event names; empty for all",                                  "empty"),
    ("EVENT_NAMES_EXCLUDE",        "comma-separated event names; empty for none",                                 "empty"),
    ("SKIP_TRANSITIONAL_STATUSES", "true, false (also 1/0, yes/no)",                                              "false"),
    ("MESSAGE_FORMAT",             "text, json, multi, chat",                                                     "text"),
    ("METRICS_NAMESPACE",          "a CloudWatch namespace: 1-255 characters of letters, digits and . - _ / # :", "BatchNotifier"),
    ("CHILD_JOB_EVENTS",           "failed, all, none",                                                           "failed"),
    ("ACCOUNT_NAMES",              "comma-separated <12-digit account>=<name> pairs, names of printable characters", "empty"),
    ("STATE_TABLE",                "a DynamoDB table name (3-255 of letters, digits, _ - .); empty for none",     "empty: stateless"),
    ("STATE_FAILURE",              "publish, fail",                                                               "publish"),
    ("STATE_TTL_DAYS",             "whole days, 1-365",                                                           "15"),
    ("STATE_LEASE_SECONDS",        "whole seconds, 15-900 (longer than a publish may take)",                      "empty: until the invocation's deadline"),
    ("CHILD_FAILURES_MAX",         "a whole number, 0-100000",                                                    "10"),
    ("DELIVERY",                   "each, digest (for SQS batches; a single event is always published on its own)", "each"),
    ("DIGEST_IMMEDIATE_SEVERITY",  "info, warning, critical",                                                     "critical"),
    ("ENRICH",                     "comma-separated sources: s3_jobs, job_logs, jobs; empty for none",            "s3_jobs,jobs"),
    ("LOG_LINES",                  "a whole number, 0-100 (above 0 needs job_logs in ENRICH, which needs it above 0)", "0: off"),
    ("ENRICH_TIMEOUT_MS",          "whole milliseconds, 100-10000",                                               "1500"),
];

fn accepted(variable: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|(name, _, _)| *name == variable)
        .map_or("", |(_, accepts, _)| accepts)
}

fn invalid(variable: &'static str, value: &str, problem: &'static str) -> ConfigError {
    ConfigError {
        variable,
        value: value.to_owned(),
        problem,
        accepted: accepted(variable),
    }
}

/// Reads the settings through `lookup` (the process environment in production).
pub fn from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
    mode: Mode,
) -> Result<Settings, ConfigError> {
    let topic_arn = match (lookup("TOPIC_ARN"), mode) {
        (None, Mode::Preview) => PREVIEW_TOPIC_ARN.to_owned(),
        (None, Mode::Lambda) => return Err(invalid("TOPIC_ARN", "", "it is not set")),
        (Some(value), _) => parse_topic_arn(&value)?,
    };
    let min_severity = match lookup("MIN_SEVERITY") {
        None => Severity::Info,
        Some(v) => Severity::from_name(&v)
            .ok_or_else(|| invalid("MIN_SEVERITY", &v, "unknown severity"))?,
    };
    let message_format = match lookup("MESSAGE_FORMAT") {
        None => MessageFormat::Text,
        Some(v) => MessageFormat::from_name(&v)
            .ok_or_else(|| invalid("MESSAGE_FORMAT", &v, "unknown format"))?,
    };
    let child_job_events = match lookup("CHILD_JOB_EVENTS") {
        None => ChildJobEvents::Failed,
        Some(v) => ChildJobEvents::from_name(&v)
            .ok_or_else(|| invalid("CHILD_JOB_EVENTS", &v, "unknown choice"))?,
    };
    let account_names = match lookup("ACCOUNT_NAMES") {
        None => Vec::new(),
        Some(v) => parse_account_names(&v)?,
    };
    let metrics_namespace = match lookup("METRICS_NAMESPACE") {
        None => DEFAULT_METRICS_NAMESPACE.to_owned(),
        Some(v) => parse_namespace(&v)?,
    };
    let state_table = match lookup("STATE_TABLE") {
        None => None,
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(parse_table_name(&v)?),
    };
    let state_failure = match lookup("STATE_FAILURE") {
        None => StateFailure::Publish,
        Some(v) => StateFailure::from_name(&v)
            .ok_or_else(|| invalid("STATE_FAILURE", &v, "unknown choice"))?,
    };
    let delivery = match lookup("DELIVERY") {
        None => Delivery::Each,
        Some(v) => {
            Delivery::from_name(&v).ok_or_else(|| invalid("DELIVERY", &v, "unknown choice"))?
        }
    };
    let digest_immediate_severity = match lookup("DIGEST_IMMEDIATE_SEVERITY") {
        None => Severity::Critical,
        Some(v) => Severity::from_name(&v)
            .ok_or_else(|| invalid("DIGEST_IMMEDIATE_SEVERITY", &v, "unknown severity"))?,
    };
    let enrich = match lookup("ENRICH") {
        None => DEFAULT_ENRICH.to_vec(),
        Some(v) => parse_sources(&v)?,
    };
    let log_lines = number(&lookup, "LOG_LINES", 0, 0..=100)?;
    if (log_lines > 0) != enrich.contains(&EnrichSource::JobLogs) {
        let value = lookup("LOG_LINES").unwrap_or_else(|| "0".to_owned());
        let problem = if log_lines > 0 {
            "log lines are looked up only with job_logs in ENRICH"
        } else {
            "job_logs in ENRICH reads as many lines as LOG_LINES says, and it says none"
        };
        return Err(invalid("LOG_LINES", &value, problem));
    }
    Ok(Settings {
        topic_arn,
        min_severity,
        include_read_only: flag(&lookup, "INCLUDE_READ_ONLY")?,
        event_names_include: names(&lookup, "EVENT_NAMES_INCLUDE"),
        event_names_exclude: names(&lookup, "EVENT_NAMES_EXCLUDE"),
        skip_transitional_statuses: flag(&lookup, "SKIP_TRANSITIONAL_STATUSES")?,
        message_format,
        metrics_namespace,
        child_job_events,
        account_names,
        state_table,
        state_failure,
        state_ttl_days: number(&lookup, "STATE_TTL_DAYS", DEFAULT_STATE_TTL_DAYS, 1..=365)?,
        state_lease_seconds: match lookup("STATE_LEASE_SECONDS") {
            Some(v) if !v.trim().is_empty() => {
                Some(number(&lookup, "STATE_LEASE_SECONDS", 0, 15..=900)?)
            }
            _ => None,
        },
        child_failures_max: number(
            &lookup,
            "CHILD_FAILURES_MAX",
            DEFAULT_CHILD_FAILURES_MAX,
            0..=100_000,
        )?,
        delivery,
        digest_immediate_severity,
        enrich,
        log_lines,
        enrich_timeout_ms: number(
            &lookup,
            "ENRICH_TIMEOUT_MS",
            DEFAULT_ENRICH_TIMEOUT_MS,
            100..=10_000,
        )?,
    })
}

/// Reads the settings from the process environment.
pub fn from_env(mode: Mode) -> Result<Settings, ConfigError> {
    from_lookup(|name| std::env::var(name).ok(), mode)
}

fn flag(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<bool, ConfigError> {
    let Some(value) = lookup(variable) else {
        return Ok(false);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        "" => Err(invalid(variable, &value, "it is empty")),
        _ => Err(invalid(variable, &value, "not a boolean")),
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let Some(value) = lookup(variable) else {
        return Ok(default);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(_) => Err(invalid(variable, &value, "out of range")),
        Err(_) => Err(invalid(variable, &value, "not a whole number")),
    }
}

/// `ENRICH`: each source once, in the order given.
fn parse_sources(value: &str) -> Result<Vec<EnrichSource>, ConfigError> {
    let mut sources = Vec::new();
    for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let source = EnrichSource::from_name(name)
            .ok_or_else(|| invalid("ENRICH", value, "unknown source"))?;
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    Ok(sources)
}

/// DynamoDB's rule for table names.
fn parse_table_name(value: &str) -> Result<String, ConfigError> {
    let valid = (3..=255).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(invalid("STATE_TABLE", value, "not a DynamoDB table name"))
    }
}

/// A comma list; empty means no filter, which is what a template passes for an unset parameter.
fn names(lookup: &impl Fn(&str) -> Option<String>, variable: &str) -> Vec<String> {
    lookup(variable)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_topic_arn(value: &str) -> Result<String, ConfigError> {
    let bad = |problem| invalid("TOPIC_ARN", value, problem);
    if value.trim().is_empty() {
        return Err(bad("it is empty"));
    }
    let parts: Vec<&str> = value.split(':').collect();
    let [arn, partition, service, region, account, name] = parts[..] else {
        return Err(bad("not an ARN of six colon-separated parts"));
    };
    if arn != "arn" || !partition.starts_with("aws") {
        return Err(bad("not an ARN"));
    }
    if service != "sns" {
        return Err(bad("not an SNS ARN"));
    }
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(bad("the region is not valid"));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("the account is not 12 digits"));
    }
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if base.is_empty()
        || name.len() > 256
        || !base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad("the topic name is not valid"));
    }
    Ok(value.to_owned())
}

/// `111122223333=genomics-prod,444455556666=dev`; empty for none, as a template passes it.
fn parse_account_names(value: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let bad = |problem| invalid("ACCOUNT_NAMES", value, problem);
    let mut names = Vec::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((account, name)) = pair.split_once('=') else {
            return Err(bad("a pair has no ="));
        };
        let (account, name) = (account.trim(), name.trim());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("an account is not 12 digits"));
        }
        if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
            return Err(bad(
                "a name is empty, longer than 64 characters or not printable",
            ));
        }
        names.push((account.to_owned(), name.to_owned()));
    }
    Ok(names)
}

fn parse_namespace(value: &str) -> Result<String, ConfigError> {
    let valid = !value.is_empty()
        && value.len() <= 255
        && !value.starts_with(':')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_/#:".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(invalid(
            "METRICS_NAMESPACE",
            value,
            "not a CloudWatch namespace",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)], mode: Mode) -> Result<Settings, ConfigError> {
        from_lookup(
            |name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            },
            mode,
        )
    }

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:alerts";

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = settings(&[], Mode::Preview).unwrap();
        assert_eq!(s.topic_arn, PREVIEW_TOPIC_ARN);
        assert_eq!(s.min_severity, Severity::Info);
        assert!(!s.include_read_only && !s.skip_transitional_statuses);
        assert_eq!(s.message_format, MessageFormat::Text);
        assert!(s.event_names_include.is_empty() && s.event_names_exclude.is_empty());
        assert_eq!(s.metrics_namespace, DEFAULT_METRICS_NAMESPACE);
        assert_eq!(s.child_job_events, ChildJobEvents::Failed);
        assert_eq!(s.state_table, None);
        assert_eq!(s.state_failure, StateFailure::Publish);
        assert_eq!((s.state_ttl_days, s.child_failures_max), (15, 10));
        assert_eq!(s.delivery, Delivery::Each);
        assert_eq!(s.digest_immediate_severity, Severity::Critical);
        assert_eq!(s.enrich, DEFAULT_ENRICH);
        assert_eq!((s.log_lines, s.enrich_timeout_ms), (0, 1500));
    }

    #[test]
    fn enrichment_settings_are_read_and_checked() {
        let s = settings(
            &[
                ("ENRICH", " job_logs, jobs,job_logs "),
                ("LOG_LINES", "20"),
                ("ENRICH_TIMEOUT_MS", "800"),
            ],
            Mode::Preview,
        )
        .unwrap();
        assert_eq!(s.enrich, [EnrichSource::JobLogs, EnrichSource::Jobs]);
        assert!(s.enriches(EnrichSource::Jobs) && !s.enriches(EnrichSource::S3Jobs));
        assert_eq!((s.log_lines, s.enrich_timeout_ms), (20, 800));
        assert!(
            settings(&[("ENRICH", "")], Mode::Preview)
                .unwrap()
                .enrich
                .is_empty()
        );
        for (vars, variable) in [
            (&[("ENRICH", "s3_jobs,logs")][..], "ENRICH"),
            (&[("LOG_LINES", "5")], "LOG_LINES"),
            (&[("ENRICH", "job_logs")], "LOG_LINES"),
            (&[("ENRICH", "job_logs"), ("LOG_LINES", "101")], "LOG_LINES"),
            (&[("ENRICH_TIMEOUT_MS", "50")], "ENRICH_TIMEOUT_MS"),
        ] {
            let err = settings(vars, Mode::Preview).unwrap_err();
            assert_eq!(err.variable, variable, "{vars:?}");
        }
    }

    #[test]
    fn delivery_settings_are_read_and_checked() {
        let s = settings(
            &[
                ("DELIVERY", "Digest"),
                ("DIGEST_IMMEDIATE_SEVERITY", "warning"),
            ],
            Mode::Preview,
        )
        .unwrap();
        assert_eq!(s.delivery, Delivery::Digest);
        assert_eq!(s.digest_immediate_severity, Severity::Warning);
        for (variable, bad) in [
            ("DELIVERY", "batch"),
            ("DIGEST_IMMEDIATE_SEVERITY", "urgent"),
        ] {
            let err = settings(&[(variable, bad)], Mode::Preview).unwrap_err();
            assert_eq!(err.variable, variable, "{bad}");
        }
    }

    #[test]
    fn state_settings_are_read_and_checked() {
        let s = settings(
            &[
                ("STATE_TABLE", "batch-notifier-state"),
                ("STATE_FAILURE", "FAIL"),
                ("STATE_TTL_DAYS", "30"),
                ("CHILD_FAILURES_MAX", "0"),
                ("STATE_LEASE_SECONDS", "20"),
            ],
            Mode::Preview,
        )
        .unwrap();
        assert_eq!(s.state_table.as_deref(), Some("batch-notifier-state"));
        assert_eq!(s.state_failure, StateFailure::Fail);
        assert_eq!((s.state_ttl_days, s.child_failures_max), (30, 0));
        assert_eq!(s.state_lease_seconds, Some(20));
        let empty = settings(&[("STATE_TABLE", "")], Mode::Preview).unwrap();
        assert_eq!(empty.state_table, None, "the template's empty parameter");
        for (variable, bad) in [
            ("STATE_TABLE", "ab"),
            ("STATE_TABLE", "my table"),
            ("STATE_FAILURE", "retry"),
            ("STATE_TTL_DAYS", "0"),
            ("STATE_TTL_DAYS", "two"),
            ("CHILD_FAILURES_MAX", "-1"),
            ("STATE_LEASE_SECONDS", "5"),
        ] {
            let err = settings(&[(variable, bad)], Mode::Preview).unwrap_err();
            assert_eq!(err.variable, variable, "{bad}");
        }
    }

    #[test]
    fn the_lambda_requires_a_topic() {
        let err = settings(&[], Mode::Lambda).unwrap_err();
        assert_eq!(err.variable, "TOPIC_ARN");
    }

    #[test]
    fn values_are_read() {
        let s = settings(
            &[
                (
                    "TOPIC_ARN",
                    "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo",
                ),
                ("MIN_SEVERITY", "Warning"),
                ("INCLUDE_READ_ONLY", "yes"),
                ("EVENT_NAMES_INCLUDE", " SubmitJob, ,JobStatusChanged "),
                ("EVENT_NAMES_EXCLUDE", ""),
                ("SKIP_TRANSITIONAL_STATUSES", "1"),
                ("MESSAGE_FORMAT", "CHAT"),
                ("METRICS_NAMESPACE", "Team/Batch"),
                ("CHILD_JOB_EVENTS", " All "),
                (
                    "ACCOUNT_NAMES",
                    "111122223333=genomics-prod, 444455556666 = dev ,",
                ),
            ],
            Mode::Lambda,
        )
        .unwrap();
        assert!(s.fifo());
        assert_eq!(s.min_severity, Severity::Warning);
        assert!(s.include_read_only && s.skip_transitional_statuses);
        assert_eq!(s.event_names_include, ["SubmitJob", "JobStatusChanged"]);
        assert!(s.event_names_exclude.is_empty());
        assert_eq!(s.message_format, MessageFormat::Chat);
        assert_eq!(s.metrics_namespace, "Team/Batch");
        assert_eq!(s.child_job_events, ChildJobEvents::All);
        assert_eq!(s.account_name("444455556666"), Some("dev"));
        assert_eq!(s.account_name("111122223333"), Some("genomics-prod"));
        assert_eq!(s.account_name("999999999999"), None);
    }

    #[test]
    fn errors_name_the_variable_and_what_it_accepts() {
        let err = settings(
            &[("TOPIC_ARN", TOPIC), ("MIN_SEVERITY", "urgent")],
            Mode::Lambda,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "MIN_SEVERITY=\"urgent\" is not valid: unknown severity; accepted: info, warning, critical"
        );
    }

    #[test]
    fn malformed_topic_arns_are_rejected() {
        for bad in [
            "",
            "alerts",
            "arn:aws:sqs:us-east-1:123456789012:alerts",
            "arn:aws:sns:us-east-1:1234:alerts",
            "arn:aws:sns:US_EAST:123456789012:alerts",
            "arn:aws:sns:us-east-1:123456789012:",
            "arn:aws:sns:us-east-1:123456789012:al erts",
            "arn:aws:sns:us-east-1:123456789012:alerts:extra",
        ] {
            let err = settings(&[("TOPIC_ARN", bad)], Mode::Lambda).unwrap_err();
            assert_eq!(err.variable, "TOPIC_ARN", "{bad}");
        }
    }
}
