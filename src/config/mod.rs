//! Settings, read from environment variables, the same for `preview` and the Lambda function.
//!
//! Reading is a pure function of a variable lookup so it can be tested without touching the process
//! environment. Every bad value is an error that names the variable and what it accepts.

use thiserror::Error;

use crate::domain::account::is_account_id;
use crate::domain::model::Severity;
use crate::domain::partition::is_region;
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

/// The settings, grouped by the stage that reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `decide`: which events are worth a notification.
    pub filter: Filter,
    /// `render`: how a notification reads.
    pub render: Render,
    /// `gate`: the state table.
    pub state: State,
    /// `enrich`: the lookups.
    pub enrich: Enrich,
    /// Publishing: the topic, and how an SQS batch goes out.
    pub deliver: Deliver,
    /// The metric lines' CloudWatch namespace.
    pub metrics_namespace: String,
    /// The function's own account and region: another's events are named as such, and their
    /// lookups reach into their own account.
    pub home: Home,
}

/// Where the function runs. `None`: unknown, so no event is another account's (or region's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Home {
    /// `HOME_ACCOUNT`.
    pub account: Option<String>,
    /// `AWS_REGION`, which Lambda sets.
    pub region: Option<String>,
}

impl Home {
    /// Whether an event of `account` and `region` comes from somewhere else. What the event does
    /// not say, or the function does not know, is taken as the function's own.
    pub fn is_elsewhere(&self, account: Option<&str>, region: Option<&str>) -> bool {
        let differs = |home: &Option<String>, theirs: Option<&str>| matches!((home, theirs), (Some(home), Some(theirs)) if home != theirs);
        differs(&self.account, account) || differs(&self.region, region)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub min_severity: Severity,
    pub include_read_only: bool,
    pub event_names_include: Vec<String>,
    pub event_names_exclude: Vec<String>,
    pub skip_transitional_statuses: bool,
    /// Whether a RUNNABLE event after a failed attempt is told as a retry, even when transitional
    /// statuses are skipped.
    pub retry_notices: bool,
    pub child_job_events: ChildJobEvents,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Render {
    pub message_format: MessageFormat,
    /// Readable names of accounts, by account id.
    pub account_names: Vec<(String, String)>,
    /// `ACCOUNT_NAMES=organizations`: the names come from AWS Organizations at first use.
    pub names_from_organizations: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The DynamoDB table that remembers what was told; `None`: stateless.
    pub table: Option<String>,
    pub failure: StateFailure,
    /// How long the table remembers what was told.
    pub ttl_days: u32,
    /// A claim's lease, when shorter than the invocation's deadline.
    pub lease_seconds: Option<u32>,
    /// With a state table and `CHILD_JOB_EVENTS=failed`: how many failed children of one array or
    /// multi-node job are notified one by one.
    pub child_failures_max: u32,
    /// How long a job may stay in a state before a sweep tells it stuck.
    pub watch: Watch,
}

/// The stuck-job watch: minutes a job may stay RUNNABLE, STARTING or RUNNING before it is told
/// stuck; 0 turns a state's watch off. Only with a state table (the item knows the job's state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watch {
    pub runnable_minutes: u32,
    pub starting_minutes: u32,
    pub running_minutes: u32,
}

impl Watch {
    /// The minutes a job may stay in `status`, if that state is watched.
    pub fn minutes(&self, status: &str) -> Option<u32> {
        let minutes = match status.to_ascii_uppercase().as_str() {
            "RUNNABLE" => self.runnable_minutes,
            "STARTING" => self.starting_minutes,
            "RUNNING" => self.running_minutes,
            _ => 0,
        };
        (minutes > 0).then_some(minutes)
    }

    pub fn is_on(&self) -> bool {
        self.runnable_minutes + self.starting_minutes + self.running_minutes > 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrich {
    /// The sources of context looked up for a notification, each once.
    pub sources: Vec<EnrichSource>,
    /// How many of a failed job's last log lines a notification shows (with `job_logs`).
    pub log_lines: u32,
    /// The time all of one event's lookups share.
    pub timeout_ms: u32,
    /// The role a lookup for another account's event assumes in that account.
    pub lookup_role: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deliver {
    pub topic_arn: String,
    pub delivery: Delivery,
    /// With `DELIVERY=digest`: notifications at or above it are published on their own at once.
    pub digest_immediate_severity: Severity,
}

impl Settings {
    /// What every variable's default gives.
    fn defaults() -> Settings {
        Settings {
            filter: Filter {
                min_severity: Severity::Info,
                include_read_only: false,
                event_names_include: Vec::new(),
                event_names_exclude: Vec::new(),
                skip_transitional_statuses: false,
                retry_notices: true,
                child_job_events: ChildJobEvents::Failed,
            },
            render: Render {
                message_format: MessageFormat::Text,
                account_names: Vec::new(),
                names_from_organizations: false,
            },
            state: State {
                table: None,
                failure: StateFailure::Publish,
                ttl_days: DEFAULT_STATE_TTL_DAYS,
                lease_seconds: None,
                child_failures_max: DEFAULT_CHILD_FAILURES_MAX,
                watch: Watch {
                    runnable_minutes: 60,
                    starting_minutes: 15,
                    running_minutes: 0,
                },
            },
            enrich: Enrich {
                sources: DEFAULT_ENRICH.to_vec(),
                log_lines: 0,
                timeout_ms: DEFAULT_ENRICH_TIMEOUT_MS,
                lookup_role: None,
            },
            deliver: Deliver {
                topic_arn: PREVIEW_TOPIC_ARN.to_owned(),
                delivery: Delivery::Each,
                digest_immediate_severity: Severity::Critical,
            },
            metrics_namespace: DEFAULT_METRICS_NAMESPACE.to_owned(),
            home: Home::default(),
        }
    }

    /// The topic is FIFO: messages need a group id and a deduplication id.
    pub fn fifo(&self) -> bool {
        self.deliver.topic_arn.ends_with(".fifo")
    }

    /// Whether `ENRICH` names `source`.
    pub fn enriches(&self, source: EnrichSource) -> bool {
        self.enrich.sources.contains(&source)
    }

    /// The readable name `ACCOUNT_NAMES` gives `account`.
    pub fn account_name(&self, account: &str) -> Option<&str> {
        (self.render.account_names.iter())
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

/// One environment variable: its name, what it accepts, its default when unset, and how a value
/// sets it (or what is wrong with the value).
pub struct Variable {
    pub name: &'static str,
    pub accepts: &'static str,
    pub default: &'static str,
    set: fn(&mut Settings, &str) -> Result<(), &'static str>,
}

const fn var(
    name: &'static str,
    accepts: &'static str,
    default: &'static str,
    set: fn(&mut Settings, &str) -> Result<(), &'static str>,
) -> Variable {
    Variable {
        name,
        accepts,
        default,
        set,
    }
}

/// Every setting, one row each.
#[rustfmt::skip]
pub const VARIABLES: &[Variable] = &[
    var("TOPIC_ARN",                  "an SNS topic ARN, arn:<partition>:sns:<region>:<12-digit account>:<name>[.fifo]", "required (preview: a placeholder topic)",
        |s, v| { s.deliver.topic_arn = parse_topic_arn(v)?; Ok(()) }),
    var("MIN_SEVERITY",               "info, warning, critical",                                                     "info",
        |s, v| { s.filter.min_severity = choice(Severity::from_name(v), "unknown severity")?; Ok(()) }),
    var("INCLUDE_READ_ONLY",          "true, false (also 1/0, yes/no)",                                              "false",
        |s, v| { s.filter.include_read_only = flag(v)?; Ok(()) }),
    var("EVENT_NAMES_INCLUDE",        "comma-separated event names; empty for all",                                  "empty",
        |s, v| { s.filter.event_names_include = names(v); Ok(()) }),
    var("EVENT_NAMES_EXCLUDE",        "comma-separated event names; empty for none",                                 "empty",
        |s, v| { s.filter.event_names_exclude = names(v); Ok(()) }),
    var("SKIP_TRANSITIONAL_STATUSES", "true, false (also 1/0, yes/no)",                                              "false",
        |s, v| { s.filter.skip_transitional_statuses = flag(v)?; Ok(()) }),
    var("RETRY_NOTICES",              "true, false (also 1/0, yes/no)",                                              "true",
        |s, v| { s.filter.retry_notices = flag(v)?; Ok(()) }),
    var("MESSAGE_FORMAT",             "text, json, multi, chat",                                                     "text",
        |s, v| { s.render.message_format = choice(MessageFormat::from_name(v), "unknown format")?; Ok(()) }),
    var("METRICS_NAMESPACE",          "a CloudWatch namespace: 1-255 characters of letters, digits and . - _ / # :", "BatchNotifier",
        |s, v| { s.metrics_namespace = parse_namespace(v)?; Ok(()) }),
    var("CHILD_JOB_EVENTS",           "failed, all, none",                                                           "failed",
        |s, v| { s.filter.child_job_events = choice(ChildJobEvents::from_name(v), "unknown choice")?; Ok(()) }),
    var("ACCOUNT_NAMES",              "comma-separated <12-digit account>=<name> pairs, names of printable characters; or organizations (AWS Organizations' names)", "empty",
        |s, v| { set_account_names(s, v) }),
    var("HOME_ACCOUNT",               "the function's own 12-digit account id; empty for unknown",                   "empty: every event's account is taken as the function's own",
        |s, v| { s.home.account = optional(v, parse_account)?; Ok(()) }),
    var("STATE_TABLE",                "a DynamoDB table name (3-255 of letters, digits, _ - .); empty for none",     "empty: stateless",
        |s, v| { s.state.table = optional(v, parse_table_name)?; Ok(()) }),
    var("STATE_FAILURE",              "publish, fail",                                                               "publish",
        |s, v| { s.state.failure = choice(StateFailure::from_name(v), "unknown choice")?; Ok(()) }),
    var("STATE_TTL_DAYS",             "whole days, 1-365",                                                           "15",
        |s, v| { s.state.ttl_days = number(v, 1..=365)?; Ok(()) }),
    var("STATE_LEASE_SECONDS",        "whole seconds, 15-900 (longer than a publish may take)",                      "empty: until the invocation's deadline",
        |s, v| { s.state.lease_seconds = optional(v, |v| number(v, 15..=900))?; Ok(()) }),
    var("CHILD_FAILURES_MAX",         "a whole number, 0-100000",                                                    "10",
        |s, v| { s.state.child_failures_max = number(v, 0..=100_000)?; Ok(()) }),
    var("STUCK_RUNNABLE_MINUTES",     "whole minutes, 0-10080 (0: off); needs STATE_TABLE",                          "60 (with STATE_TABLE)",
        |s, v| { s.state.watch.runnable_minutes = number(v, 0..=10_080)?; Ok(()) }),
    var("STUCK_STARTING_MINUTES",     "whole minutes, 0-10080 (0: off); needs STATE_TABLE",                          "15 (with STATE_TABLE)",
        |s, v| { s.state.watch.starting_minutes = number(v, 0..=10_080)?; Ok(()) }),
    var("STUCK_RUNNING_MINUTES",      "whole minutes, 0-10080 (0: off; for jobs without a timeout); needs STATE_TABLE", "0: off",
        |s, v| { s.state.watch.running_minutes = number(v, 0..=10_080)?; Ok(()) }),
    var("DELIVERY",                   "each, digest (for SQS batches; a single event is always published on its own)", "each",
        |s, v| { s.deliver.delivery = choice(Delivery::from_name(v), "unknown choice")?; Ok(()) }),
    var("DIGEST_IMMEDIATE_SEVERITY",  "info, warning, critical",                                                     "critical",
        |s, v| { s.deliver.digest_immediate_severity = choice(Severity::from_name(v), "unknown severity")?; Ok(()) }),
    var("ENRICH",                     "comma-separated sources: s3_jobs, job_logs, jobs, queues; empty for none",    "s3_jobs,jobs",
        |s, v| { s.enrich.sources = parse_sources(v)?; Ok(()) }),
    var("LOG_LINES",                  "a whole number, 0-100 (above 0 needs job_logs in ENRICH, which needs it above 0)", "0: off",
        |s, v| { s.enrich.log_lines = number(v, 0..=100)?; Ok(()) }),
    var("ENRICH_TIMEOUT_MS",          "whole milliseconds, 100-10000",                                               "1500",
        |s, v| { s.enrich.timeout_ms = number(v, 100..=10_000)?; Ok(()) }),
    var("LOOKUP_ROLE_NAME",           "an IAM role name (1-64 of letters, digits and +=,.@_-) in the other accounts; needs HOME_ACCOUNT", "empty: every lookup uses the function's own credentials",
        |s, v| { s.enrich.lookup_role = optional(v, parse_role_name)?; Ok(()) }),
];

fn invalid(variable: &'static str, value: &str, problem: &'static str) -> ConfigError {
    ConfigError {
        variable,
        value: value.to_owned(),
        problem,
        accepted: (VARIABLES.iter())
            .find(|v| v.name == variable)
            .map_or("", |v| v.accepts),
    }
}

/// Reads the settings through `lookup` (the process environment in production): each variable
/// that is set, by its row, then the rules between variables.
pub fn from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
    mode: Mode,
) -> Result<Settings, ConfigError> {
    let mut settings = Settings::defaults();
    for variable in VARIABLES {
        if let Some(value) = lookup(variable.name) {
            (variable.set)(&mut settings, &value)
                .map_err(|problem| invalid(variable.name, &value, problem))?;
        }
    }
    if mode == Mode::Lambda && lookup("TOPIC_ARN").is_none() {
        return Err(invalid("TOPIC_ARN", "", "it is not set"));
    }
    let log_lines = settings.enrich.log_lines;
    if (log_lines > 0) != settings.enriches(EnrichSource::JobLogs) {
        let problem = if log_lines > 0 {
            "log lines are looked up only with job_logs in ENRICH"
        } else {
            "job_logs in ENRICH reads as many lines as LOG_LINES says, and it says none"
        };
        let value = lookup("LOG_LINES").unwrap_or_else(|| "0".to_owned());
        return Err(invalid("LOG_LINES", &value, problem));
    }
    watch_needs_table(&mut settings, &lookup)?;
    if let (Some(role), None) = (&settings.enrich.lookup_role, &settings.home.account) {
        return Err(invalid(
            "LOOKUP_ROLE_NAME",
            role,
            "it is assumed only in accounts other than the function's own, and HOME_ACCOUNT is empty: set HOME_ACCOUNT to the function's account id",
        ));
    }
    // Lambda's own variable, not a setting: a value not shaped like a region is no region.
    settings.home.region = lookup("AWS_REGION").filter(|region| is_region(region));
    Ok(settings)
}

const STUCK_VARIABLES: [&str; 3] = [
    "STUCK_RUNNABLE_MINUTES",
    "STUCK_STARTING_MINUTES",
    "STUCK_RUNNING_MINUTES",
];

/// The watch reads the state table: without one, its defaults turn it off, and a watch that is
/// asked for is a mistake that names both variables.
fn watch_needs_table(
    settings: &mut Settings,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    if settings.state.table.is_some() {
        return Ok(());
    }
    let asked = STUCK_VARIABLES.iter().find_map(|name| {
        let value = lookup(name)?;
        (value.trim().parse::<u32>().ok()? > 0).then_some((*name, value))
    });
    if let Some((name, value)) = asked {
        return Err(invalid(
            name,
            &value,
            "the stuck-job watch reads the state table, and STATE_TABLE is empty: set STATE_TABLE, or set this to 0",
        ));
    }
    settings.state.watch = Watch {
        runnable_minutes: 0,
        starting_minutes: 0,
        running_minutes: 0,
    };
    Ok(())
}

/// Reads the settings from the process environment.
pub fn from_env(mode: Mode) -> Result<Settings, ConfigError> {
    from_lookup(|name| std::env::var(name).ok(), mode)
}

/// A choice's name, or what is wrong with it.
fn choice<T>(parsed: Option<T>, problem: &'static str) -> Result<T, &'static str> {
    parsed.ok_or(problem)
}

/// An empty value (what a template passes for an unset parameter) is none.
fn optional<T>(
    value: &str,
    parse: impl Fn(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, &'static str> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        parse(value).map(Some)
    }
}

fn flag(value: &str) -> Result<bool, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        "" => Err("it is empty"),
        _ => Err("not a boolean"),
    }
}

fn number(value: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, &'static str> {
    match value.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        Ok(_) => Err("out of range"),
        Err(_) => Err("not a whole number"),
    }
}

/// `ENRICH`: each source once, in the order given.
fn parse_sources(value: &str) -> Result<Vec<EnrichSource>, &'static str> {
    let mut sources = Vec::new();
    for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let source = EnrichSource::from_name(name).ok_or("unknown source")?;
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    Ok(sources)
}

/// DynamoDB's rule for table names.
fn parse_table_name(value: &str) -> Result<String, &'static str> {
    let valid = (3..=255).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("not a DynamoDB table name")
    }
}

/// A comma list; empty means no filter, which is what a template passes for an unset parameter.
fn names(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_topic_arn(value: &str) -> Result<String, &'static str> {
    let bad = |problem| problem;
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
    if !is_account_id(account) {
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

/// `organizations`, or the explicit pairs.
fn set_account_names(settings: &mut Settings, value: &str) -> Result<(), &'static str> {
    let organizations = value.trim().eq_ignore_ascii_case("organizations");
    settings.render.names_from_organizations = organizations;
    settings.render.account_names = if organizations {
        Vec::new()
    } else {
        parse_account_names(value)?
    };
    Ok(())
}

fn parse_account(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    if is_account_id(value) {
        Ok(value.to_owned())
    } else {
        Err("not a 12-digit account id")
    }
}

/// IAM's rule for role names (no path).
fn parse_role_name(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    let valid = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("not an IAM role name")
    }
}

/// `111122223333=genomics-prod,444455556666=dev`; empty for none, as a template passes it.
fn parse_account_names(value: &str) -> Result<Vec<(String, String)>, &'static str> {
    let bad = |problem| problem;
    let mut names = Vec::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((account, name)) = pair.split_once('=') else {
            return Err(bad("a pair has no ="));
        };
        let (account, name) = (account.trim(), name.trim());
        if !is_account_id(account) {
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

fn parse_namespace(value: &str) -> Result<String, &'static str> {
    let valid = !value.is_empty()
        && value.len() <= 255
        && !value.starts_with(':')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_/#:".contains(&b));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("not a CloudWatch namespace")
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
        assert_eq!(s.deliver.topic_arn, PREVIEW_TOPIC_ARN);
        assert_eq!(s.filter.min_severity, Severity::Info);
        assert!(!s.filter.include_read_only && !s.filter.skip_transitional_statuses);
        assert!(s.filter.retry_notices);
        assert_eq!(s.render.message_format, MessageFormat::Text);
        assert!(s.filter.event_names_include.is_empty() && s.filter.event_names_exclude.is_empty());
        assert_eq!(s.metrics_namespace, DEFAULT_METRICS_NAMESPACE);
        assert_eq!(s.filter.child_job_events, ChildJobEvents::Failed);
        assert_eq!(s.state.table, None);
        assert_eq!(s.state.failure, StateFailure::Publish);
        assert_eq!((s.state.ttl_days, s.state.child_failures_max), (15, 10));
        assert_eq!(s.deliver.delivery, Delivery::Each);
        assert_eq!(s.deliver.digest_immediate_severity, Severity::Critical);
        assert_eq!(s.enrich.sources, DEFAULT_ENRICH);
        assert_eq!((s.enrich.log_lines, s.enrich.timeout_ms), (0, 1500));
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
        assert_eq!(
            s.enrich.sources,
            [EnrichSource::JobLogs, EnrichSource::Jobs]
        );
        assert!(s.enriches(EnrichSource::Jobs) && !s.enriches(EnrichSource::S3Jobs));
        assert_eq!((s.enrich.log_lines, s.enrich.timeout_ms), (20, 800));
        assert!(
            settings(&[("ENRICH", "")], Mode::Preview)
                .unwrap()
                .enrich
                .sources
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
    fn the_stuck_job_watch_is_on_with_a_table_and_a_mistake_without_one() {
        let table = ("STATE_TABLE", "batch-notifier-state");
        let on = settings(&[table], Mode::Preview).unwrap().state.watch;
        assert_eq!(
            (on.minutes("RUNNABLE"), on.minutes("starting")),
            (Some(60), Some(15))
        );
        assert_eq!((on.minutes("RUNNING"), on.minutes("PENDING")), (None, None));
        let off = settings(&[], Mode::Preview).unwrap().state.watch;
        assert!(!off.is_on(), "without a table the defaults turn it off");
        let set = [
            table,
            ("STUCK_RUNNING_MINUTES", "240"),
            ("STUCK_STARTING_MINUTES", "0"),
        ];
        let w = settings(&set, Mode::Preview).unwrap().state.watch;
        assert_eq!(
            (w.minutes("RUNNING"), w.minutes("STARTING")),
            (Some(240), None)
        );
        let err = settings(&[("STUCK_STARTING_MINUTES", "20")], Mode::Preview).unwrap_err();
        assert_eq!(err.variable, "STUCK_STARTING_MINUTES");
        assert!(err.to_string().contains("STATE_TABLE"), "{err}");
        assert!(settings(&[("STUCK_RUNNABLE_MINUTES", "0")], Mode::Preview).is_ok());
        let err = settings(&[table, ("STUCK_RUNNABLE_MINUTES", "-5")], Mode::Preview).unwrap_err();
        assert_eq!(err.variable, "STUCK_RUNNABLE_MINUTES");
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
        assert_eq!(s.deliver.delivery, Delivery::Digest);
        assert_eq!(s.deliver.digest_immediate_severity, Severity::Warning);
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
        assert_eq!(s.state.table.as_deref(), Some("batch-notifier-state"));
        assert_eq!(s.state.failure, StateFailure::Fail);
        assert_eq!((s.state.ttl_days, s.state.child_failures_max), (30, 0));
        assert_eq!(s.state.lease_seconds, Some(20));
        let empty = settings(&[("STATE_TABLE", "")], Mode::Preview).unwrap();
        assert_eq!(empty.state.table, None, "the template's empty parameter");
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
    fn every_variable_is_a_row_of_the_readme_and_its_own_name_in_errors() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let readme = readme.unwrap();
        for variable in VARIABLES {
            assert!(
                readme.contains(&format!("| `{}` |", variable.name)),
                "{} is not in the README's table",
                variable.name
            );
            let err = settings(&[(variable.name, "\u{7}bad")], Mode::Preview);
            if let Err(err) = err {
                assert_eq!(err.variable, variable.name);
                assert_eq!(err.accepted, variable.accepts);
            }
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
        assert_eq!(s.filter.min_severity, Severity::Warning);
        assert!(s.filter.include_read_only && s.filter.skip_transitional_statuses);
        assert_eq!(
            s.filter.event_names_include,
            ["SubmitJob", "JobStatusChanged"]
        );
        assert!(s.filter.event_names_exclude.is_empty());
        assert_eq!(s.render.message_format, MessageFormat::Chat);
        assert_eq!(s.metrics_namespace, "Team/Batch");
        assert_eq!(s.filter.child_job_events, ChildJobEvents::All);
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
