//! CloudWatch Logs `GetLogEvents` from the end of a job's log stream.

use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs::Client;

use super::{OnFirstUse, failed};
use crate::ports::lookups::{JobLogRef, JobLogSource, LookupError};

pub struct LogEvents {
    client: OnFirstUse<Client>,
}

impl LogEvents {
    pub fn new(config: &SdkConfig) -> Self {
        LogEvents {
            client: client_on_first_use!(aws_sdk_cloudwatchlogs, config),
        }
    }
}

impl JobLogSource for LogEvents {
    async fn last_lines(&self, log: &JobLogRef) -> Result<Vec<String>, LookupError> {
        let answer = self
            .client
            .get()
            .get_log_events()
            .log_group_name(&log.group)
            .log_stream_name(&log.stream)
            .start_from_head(false)
            .limit(i32::try_from(log.lines).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| failed(&e, "CloudWatch Logs"))?;
        Ok(answer
            .events()
            .iter()
            .filter_map(|event| event.message().map(str::to_owned))
            .collect())
    }
}
