//! A job's attempts, read alike for every way a job is defined: `containerProperties` jobs keep
//! their container's facts in `attempts[].container`, `ecsProperties` jobs (several containers) in
//! `attempts[].taskProperties[].containers[]`, EKS jobs in `eksAttempts[]`. Anything that is not
//! the shape expected (an attempt that is not an object, a time that is not a number) is passed
//! over: what can be known is told, nothing is invented.

use serde_json::Value;

use super::super::fields::text_at;
use super::super::job_detail::JobDetail;
use crate::domain::limits::{MAX_NAME, MAX_TEXT};

/// The container an attempt's exit code, reason and log stream are from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Its name, for jobs with named containers (`ecsProperties`, EKS).
    pub name: Option<String>,
    pub exit_code: Option<i64>,
    pub reason: Option<String>,
    pub log_stream: Option<String>,
}

impl Container {
    fn read(value: &Value) -> Option<Container> {
        value.is_object().then(|| Container {
            name: text_at(value, "name", MAX_NAME),
            exit_code: value.get("exitCode").and_then(Value::as_i64),
            reason: text_at(value, "reason", MAX_TEXT),
            log_stream: text_at(value, "logStreamName", MAX_NAME),
        })
    }

    /// Whether it says anything of how it ran (a definition's copy says nothing).
    fn ran(&self) -> bool {
        self.exit_code.is_some() || self.reason.is_some() || self.log_stream.is_some()
    }
}

/// One attempt, as the event gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawAttempt {
    pub started_ms: Option<i64>,
    pub stopped_ms: Option<i64>,
    pub status_reason: Option<String>,
    pub container: Option<Container>,
    /// An EKS attempt's pod and node.
    pub pod: Option<String>,
    pub node: Option<String>,
}

/// The job's attempts, oldest first: its ECS attempts, or else its EKS attempts. `essential`:
/// [`essential_names`].
pub fn read(detail: &JobDetail, essential: &[String]) -> Vec<RawAttempt> {
    let ecs = objects(detail.attempts).map(|attempt| {
        let container = match attempt.get("container") {
            Some(container) => Container::read(container),
            None => task_container(attempt, essential),
        };
        let container = container.map(|mut container| {
            container.exit_code = container
                .exit_code
                .or_else(|| attempt.get("exitCode").and_then(Value::as_i64));
            container
        });
        RawAttempt {
            container,
            ..times(attempt)
        }
    });
    let ecs: Vec<RawAttempt> = ecs.collect();
    if !ecs.is_empty() {
        return ecs;
    }
    objects(detail.eks_attempts)
        .map(|attempt| {
            let containers: Vec<Container> = objects(attempt.get("containers"))
                .filter_map(Container::read)
                .collect();
            RawAttempt {
                container: pick(containers, &[]),
                pod: text_at(attempt, "podName", MAX_NAME),
                node: text_at(attempt, "nodeName", MAX_NAME),
                ..times(attempt)
            }
        })
        .collect()
}

/// The container of a job that has no attempt to read it from: the job's own (`container`, or the
/// first of its `ecsProperties` task that says how it ran).
pub fn own_container(detail: &JobDetail, essential: &[String]) -> Option<Container> {
    if let Some(container) = detail.container.and_then(Container::read) {
        return container.ran().then_some(container);
    }
    let containers: Vec<Container> = task_containers(detail.ecs_properties)
        .filter_map(Container::read)
        .filter(Container::ran)
        .collect();
    pick(containers, essential)
}

fn times(attempt: &Value) -> RawAttempt {
    RawAttempt {
        started_ms: attempt.get("startedAt").and_then(Value::as_i64),
        stopped_ms: attempt.get("stoppedAt").and_then(Value::as_i64),
        status_reason: text_at(attempt, "statusReason", MAX_TEXT),
        ..RawAttempt::default()
    }
}

/// The container that tells an `ecsProperties` attempt's story.
fn task_container(attempt: &Value, essential: &[String]) -> Option<Container> {
    let containers = task_containers(Some(attempt))
        .filter_map(Container::read)
        .collect();
    pick(containers, essential)
}

/// Of several containers: the first that failed, else the first essential one, else the first.
fn pick(containers: Vec<Container>, essential: &[String]) -> Option<Container> {
    let failed = containers
        .iter()
        .position(|c| c.exit_code.is_some_and(|code| code != 0));
    let essential = || {
        containers
            .iter()
            .position(|c| c.name.as_ref().is_some_and(|name| essential.contains(name)))
    };
    let at = failed.or_else(essential).unwrap_or(0);
    containers.into_iter().nth(at)
}

/// The names of the containers the job's definition marks essential.
pub fn essential_names(detail: &JobDetail) -> Vec<String> {
    task_containers(detail.ecs_properties)
        .filter(|c| c.get("essential").and_then(Value::as_bool) == Some(true))
        .filter_map(|c| text_at(c, "name", MAX_NAME))
        .collect()
}

/// Every container of every task under `holder.taskProperties[]`.
fn task_containers(holder: Option<&Value>) -> impl Iterator<Item = &Value> {
    objects(holder.and_then(|h| h.get("taskProperties")))
        .flat_map(|task| objects(task.get("containers")))
}

/// The objects of a JSON array; nothing for anything else.
fn objects(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
}

#[cfg(test)]
pub(crate) fn read_all(detail: &Value) -> Vec<RawAttempt> {
    let detail = JobDetail::read(detail);
    read(&detail, &essential_names(&detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn own(detail: &Value) -> Option<Container> {
        let detail = JobDetail::read(detail);
        own_container(&detail, &essential_names(&detail))
    }

    #[test]
    fn a_classic_attempt_reads_its_container() {
        let detail = json!({"attempts": [{"startedAt": 10, "stoppedAt": 20, "statusReason": "r",
            "container": {"exitCode": 1, "reason": "OutOfMemoryError", "logStreamName": "s"}}]});
        let attempts = read_all(&detail);
        assert_eq!(attempts.len(), 1);
        assert_eq!(
            (attempts[0].started_ms, attempts[0].stopped_ms),
            (Some(10), Some(20))
        );
        let container = attempts[0].container.clone().unwrap();
        assert_eq!(
            (container.exit_code, container.log_stream.as_deref()),
            (Some(1), Some("s"))
        );
    }

    #[test]
    fn an_ecs_attempt_names_the_failed_container_else_the_essential_one() {
        let detail = json!({
            "attempts": [{"exitCode": 3, "taskProperties": [{"containers": [
                {"name": "sidecar", "exitCode": 0},
                {"name": "main", "exitCode": 2, "logStreamName": "main/1"}]}]},
                {"taskProperties": [{"containers": [{"name": "sidecar"}, {"name": "main"}]}]}],
            "ecsProperties": {"taskProperties": [{"containers": [
                {"name": "sidecar", "essential": false}, {"name": "main", "essential": true}]}]}
        });
        let attempts = read_all(&detail);
        let first = attempts[0].container.clone().unwrap();
        assert_eq!(
            (first.name.as_deref(), first.exit_code),
            (Some("main"), Some(2))
        );
        let second = attempts[1].container.clone().unwrap();
        assert_eq!(second.name.as_deref(), Some("main"));
        assert_eq!(
            second.exit_code, None,
            "the second attempt has no exit code of its own"
        );
    }

    #[test]
    fn eks_attempts_give_pod_node_and_container() {
        let detail = json!({"attempts": [], "eksAttempts": [{"podName": "p", "nodeName": "n",
            "startedAt": 1, "stoppedAt": 2, "containers": [{"exitCode": 137, "reason": "OOMKilled"}]}]});
        let attempt = &read_all(&detail)[0];
        assert_eq!(
            (attempt.pod.as_deref(), attempt.node.as_deref()),
            (Some("p"), Some("n"))
        );
        assert_eq!(attempt.container.clone().unwrap().exit_code, Some(137));
    }

    #[test]
    fn attempts_that_are_not_objects_are_passed_over() {
        let detail = json!({"attempts": [1, "x", null, {"startedAt": "soon", "container": 7}],
            "eksAttempts": {"not": "a list"}});
        let attempts = read_all(&detail);
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0], RawAttempt::default());
        assert!(read_all(&json!({"attempts": null})).is_empty());
    }

    #[test]
    fn a_job_without_attempts_has_its_own_container_only_if_it_ran() {
        let definition =
            json!({"ecsProperties": {"taskProperties": [{"containers": [{"name": "a"}]}]}});
        assert_eq!(own(&definition), None);
        let ran = json!({"ecsProperties": {"taskProperties": [{"containers": [
            {"name": "a", "exitCode": 0, "logStreamName": "a/1"}]}]}});
        assert_eq!(own(&ran).unwrap().log_stream.as_deref(), Some("a/1"));
        assert_eq!(
            own(&json!({"container": {"exitCode": 1}}))
                .unwrap()
                .exit_code,
            Some(1)
        );
    }
}
