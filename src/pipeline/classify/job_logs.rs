//! Where a Batch job's logs are: the last attempt's log stream, in the log group the job's `awslogs`
//! options name, or Batch's default group.

use serde_json::Value;

use super::fields::text_at;
use super::job_detail::JobDetail;
use super::story::attempts::Container;
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
/// job logs elsewhere than CloudWatch Logs (another log driver) or not at all (EKS).
pub(super) fn job_log(detail: &JobDetail, container: &Container) -> Option<JobLog> {
    let stream = container.log_stream.clone()?;
    let configuration = log_configuration(detail, container.name.as_deref());
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

/// The job's log configuration: its container's, or that of the named container of its ECS task
/// (the first one when it is not named).
fn log_configuration<'a>(detail: &JobDetail<'a>, name: Option<&str>) -> Option<&'a Value> {
    let task_containers = || {
        (detail.ecs_properties)
            .and_then(|e| e.get("taskProperties"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|task| task.get("containers")?.as_array())
            .flatten()
    };
    let named = || {
        let name = name?;
        task_containers().find(|c| c.get("name").and_then(Value::as_str) == Some(name))
    };
    let container = (detail.container)
        .or_else(named)
        .or_else(|| task_containers().next());
    container
        .and_then(|c| c.get("logConfiguration"))
        .filter(|c| c.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::classify::story::attempts;
    use serde_json::json;

    fn log(detail: Value) -> Option<JobLog> {
        let container = attempts::read_all(&detail)[0].container.clone()?;
        job_log(&JobDetail::read(&detail), &container)
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
        let named = json!({"attempts": [{"taskProperties": [{"containers": [{"name": "b", "exitCode": 1, "logStreamName": "b/1"}]}]}],
            "ecsProperties": {"taskProperties": [{"containers": [
                {"name": "a", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/a"}}},
                {"name": "b", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/b"}}}]}]}});
        let log = log(named).unwrap();
        assert_eq!(
            (log.group.as_str(), log.stream.as_str()),
            ("/b", "b/1"),
            "the failed container's own group"
        );
    }

    #[test]
    fn no_log_without_a_stream_or_with_another_driver() {
        assert_eq!(log(json!({"attempts": [{"container": {}}]})), None);
        let splunk = json!({"attempts": [{"container": {"logStreamName": "s"}}],
            "container": {"logConfiguration": {"logDriver": "splunk"}}});
        assert_eq!(log(splunk), None);
    }
}
