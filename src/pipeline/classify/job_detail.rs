//! The members of a job or queue event's detail that classification reads, found in one walk over
//! the detail's top level. Each `get` on the detail searches its map again; a job's fields, its
//! story, its kind and its logs asked about thirty times per event.

use serde_json::Value;

/// The detail's top-level members, as they are (`None` when absent); anything else it holds is
/// not read here.
#[derive(Clone, Copy, Debug, Default)]
pub struct JobDetail<'a> {
    pub status: Option<&'a Value>,
    pub status_reason: Option<&'a Value>,
    pub job_id: Option<&'a Value>,
    pub job_name: Option<&'a Value>,
    pub job_arn: Option<&'a Value>,
    pub job_queue: Option<&'a Value>,
    pub job_definition: Option<&'a Value>,
    pub service_job_type: Option<&'a Value>,
    pub created_at: Option<&'a Value>,
    pub started_at: Option<&'a Value>,
    pub stopped_at: Option<&'a Value>,
    pub is_cancelled: Option<&'a Value>,
    pub is_terminated: Option<&'a Value>,
    pub timeout: Option<&'a Value>,
    pub retry_strategy: Option<&'a Value>,
    pub attempts: Option<&'a Value>,
    pub eks_attempts: Option<&'a Value>,
    pub container: Option<&'a Value>,
    pub ecs_properties: Option<&'a Value>,
    pub array_properties: Option<&'a Value>,
    pub node_details: Option<&'a Value>,
    pub node_properties: Option<&'a Value>,
}

impl<'a> JobDetail<'a> {
    /// The members of `detail`; nothing of a detail that is not an object.
    pub fn read(detail: &'a Value) -> JobDetail<'a> {
        let mut read = JobDetail::default();
        for (key, value) in detail.as_object().into_iter().flatten() {
            let slot = match key.as_str() {
                "status" => &mut read.status,
                "statusReason" => &mut read.status_reason,
                "jobId" => &mut read.job_id,
                "jobName" => &mut read.job_name,
                "jobArn" => &mut read.job_arn,
                "jobQueue" => &mut read.job_queue,
                "jobDefinition" => &mut read.job_definition,
                "serviceJobType" => &mut read.service_job_type,
                "createdAt" => &mut read.created_at,
                "startedAt" => &mut read.started_at,
                "stoppedAt" => &mut read.stopped_at,
                "isCancelled" => &mut read.is_cancelled,
                "isTerminated" => &mut read.is_terminated,
                "timeout" => &mut read.timeout,
                "retryStrategy" => &mut read.retry_strategy,
                "attempts" => &mut read.attempts,
                "eksAttempts" => &mut read.eks_attempts,
                "container" => &mut read.container,
                "ecsProperties" => &mut read.ecs_properties,
                "arrayProperties" => &mut read.array_properties,
                "nodeDetails" => &mut read.node_details,
                "nodeProperties" => &mut read.node_properties,
                _ => continue,
            };
            *slot = Some(value);
        }
        read
    }

    /// The job's status reason, when it is text.
    pub fn status_reason(&self) -> Option<&'a str> {
        self.status_reason.and_then(Value::as_str)
    }

    /// Whether `flag` (`isCancelled`, `isTerminated`) is `true`.
    pub fn is(flag: Option<&Value>) -> bool {
        flag.and_then(Value::as_bool) == Some(true)
    }

    /// A time member in epoch milliseconds.
    pub fn ms(time: Option<&Value>) -> Option<i64> {
        time.and_then(Value::as_i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_member_is_found_where_a_get_finds_it() {
        let detail = json!({
            "status": "FAILED", "statusReason": "r", "jobId": "j", "jobName": "n", "jobArn": "a",
            "jobQueue": "q", "jobDefinition": "d", "serviceJobType": "S", "createdAt": 1,
            "startedAt": 2, "stoppedAt": 3, "isCancelled": true, "isTerminated": false,
            "timeout": {}, "retryStrategy": {}, "attempts": [], "eksAttempts": [], "container": {},
            "ecsProperties": {}, "arrayProperties": {}, "nodeDetails": {}, "nodeProperties": {},
            "other": 1
        });
        let read = JobDetail::read(&detail);
        let found = [
            ("status", read.status),
            ("statusReason", read.status_reason),
            ("jobId", read.job_id),
            ("jobName", read.job_name),
            ("jobArn", read.job_arn),
            ("jobQueue", read.job_queue),
            ("jobDefinition", read.job_definition),
            ("serviceJobType", read.service_job_type),
            ("createdAt", read.created_at),
            ("startedAt", read.started_at),
            ("stoppedAt", read.stopped_at),
            ("isCancelled", read.is_cancelled),
            ("isTerminated", read.is_terminated),
            ("timeout", read.timeout),
            ("retryStrategy", read.retry_strategy),
            ("attempts", read.attempts),
            ("eksAttempts", read.eks_attempts),
            ("container", read.container),
            ("ecsProperties", read.ecs_properties),
            ("arrayProperties", read.array_properties),
            ("nodeDetails", read.node_details),
            ("nodeProperties", read.node_properties),
        ];
        for (key, value) in found {
            assert_eq!(value, detail.get(key), "{key}");
        }
        assert!(JobDetail::is(read.is_cancelled) && !JobDetail::is(read.is_terminated));
        assert_eq!(JobDetail::ms(read.stopped_at), Some(3));
        let list = json!(["not", "an", "object"]);
        let nothing = JobDetail::read(&list);
        assert!(nothing.status.is_none() && nothing.attempts.is_none());
    }
}
