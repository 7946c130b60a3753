//! Where a Batch job's logs are: the last attempt's log stream, in the log group the job's `awslogs`
//! options name, or Batch's default group.

use serde_json::Value;

use super::fields::text_at;
use crate::domain::limits::MAX_NAME;

/// The log group Batch writes to unless the job's log configuration names another.
pub const DEFAULT_LOG_GROUP: &str = "/aws/batch/job";

/// A job's log stream and the group it is in.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct JobLog {
    pub group: String,
    pub stream: String,
    /// Whether the group was named by the job rather than Batch's default.
    pub named: bool,
}

/// The log stream `container` names, and its group from the job's log configuration: none when the
/// job logs elsewhere than CloudWatch Logs (another log driver).
pub(super) fn job_log(detail: &Value, container: &Value) -> Option<JobLog> {
    let stream = text_at(container, "logStreamName", MAX_NAME)?;
    let configuration = log_configuration(detail);
    let driver = configuration
        .and_then(|c| c.get("logDriver"))
        .and_then(Value::as_str);
    if driver.is_some_and(|d| d != "awslogs") {
        return None;
    }
    let named = configuration
        .and_then(|c| c.get("options"))
        .and_then(|o| text_at(o, "awslogs-group", MAX_NAME));
    Some(JobLog {
        named: named.is_some(),
        group: named.unwrap_or_else(|| DEFAULT_LOG_GROUP.to_owned()),
        stream,
    })
}

/// The job's log configuration: its container's, or the first container's of its ECS task.
fn log_configuration(detail: &Value) -> Option<&Value> {
    let container = detail
        .get("container")
        .or_else(|| detail.pointer("/ecsProperties/taskProperties/0/containers/0"));
    container
        .and_then(|c| c.get("logConfiguration"))
        .filter(|c| c.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(detail: Value) -> Option<JobLog> {
        let container = detail["attempts"][0]["container"].clone();
        job_log(&detail, &container)
    }

    #[test]
    fn the_group_is_the_jobs_awslogs_group_or_batchs_default() {
        let attempt = json!([{"container": {"logStreamName": "etl/default/abc"}}]);
        assert_eq!(
            log(json!({"attempts": attempt})),
            Some(JobLog {
                group: DEFAULT_LOG_GROUP.into(),
                stream: "etl/default/abc".into(),
                named: false
            })
        );
        let named = json!({"attempts": attempt, "container": {"logConfiguration": {
            "logDriver": "awslogs", "options": {"awslogs-group": "/genomics/etl"}}}});
        assert_eq!(log(named).unwrap().group, "/genomics/etl");
        let ecs = json!({"attempts": attempt, "ecsProperties": {"taskProperties": [{"containers": [
            {"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/g"}}}]}]}});
        assert_eq!(log(ecs).unwrap().group, "/ecs/g");
    }

    #[test]
    fn no_log_without_a_stream_or_with_another_driver() {
        assert_eq!(log(json!({"attempts": [{"container": {}}]})), None);
        let splunk = json!({"attempts": [{"container": {"logStreamName": "s"}}],
            "container": {"logConfiguration": {"logDriver": "splunk"}}});
        assert_eq!(log(splunk), None);
    }
}
