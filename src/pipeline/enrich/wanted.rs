//! What to look up for a notification, by the settings: only what the people reading it ask for
//! first, and only from the sources `ENRICH` names.

use crate::config::{EnrichSource, Settings};
use crate::domain::model::{Family, Notification, Outcome, ResourceKind, Verb};
use crate::ports::lookups::{JobLogRef, S3JobRef, Wanted};
use crate::ports::state::IN_LINE;

/// The S3 Batch Operations statuses whose notification carries the job's task counts.
const S3_STATUSES_WITH_COUNTS: &[&str] = &["Complete", "Failed", "Cancelled", "Suspended"];

/// The verbs of the API calls on one job whose notification names the job, its queue and status.
const JOB_VERBS: &[Verb] = &[Verb::Cancel, Verb::Terminate, Verb::Update];

/// What `n` asks to be looked up under `settings`.
pub fn wanted(n: &Notification, settings: &Settings) -> Wanted {
    let status = n.status.as_ref().map(|s| s.value.as_str());
    let s3_job = (n.family == Family::S3BatchJob
        && settings.enriches(EnrichSource::S3Jobs)
        && status.is_some_and(|s| S3_STATUSES_WITH_COUNTS.contains(&s)))
    .then(|| {
        Some(S3JobRef {
            account: n.account.clone()?,
            job_id: n.resource.id.clone()?,
        })
    })
    .flatten();
    let job_log = (n.family == Family::BatchJobState
        && n.outcome == Outcome::Failed
        && settings.enriches(EnrichSource::JobLogs)
        && settings.enrich.log_lines > 0)
        .then_some(n.log.as_ref())
        .flatten()
        .map(|log| JobLogRef {
            group: log.group.clone(),
            stream: log.stream.clone(),
            lines: settings.enrich.log_lines,
        });
    let job = (n.family == Family::BatchApiCall
        && n.resource.kind == ResourceKind::Job
        && settings.enriches(EnrichSource::Jobs)
        && n.action
            .as_ref()
            .is_some_and(|a| JOB_VERBS.contains(&a.verb)))
    .then(|| n.resource.id.clone())
    .flatten();
    // Only a RUNNABLE job is in line: whether it is at the head says if the queue or the jobs
    // ahead of it hold it.
    let queue = (n.family == Family::BatchJobStuck
        && status == Some(IN_LINE)
        && settings.enriches(EnrichSource::Queues))
    .then(|| n.fact("job_queue").map(str::to_owned))
    .flatten();
    let mut wanted = Wanted {
        reach: Default::default(),
        s3_job,
        job_log,
        job,
        queue,
    };
    // Only a notification with something to look up pays for where to look.
    if !wanted.is_empty() {
        wanted.reach = super::reach(n, settings);
    }
    wanted
}
