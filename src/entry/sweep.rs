//! The stuck-job watch's sweep, started by the watch's schedule: the jobs overdue now, each told
//! stuck once through `pipeline::prepare_stuck`, published, and its stay marked told. It stops
//! taking jobs before the invocation's deadline (as a batch does) and leaves the rest to the next
//! sweep; a failed publish gives its claim up, so the next sweep tells it.

use serde::Serialize;
use serde_json::json;

use super::batch::cutoff;
use super::clock::{Invocation, deadline_at, lease_until, now_ms};
use super::{Failure, Services};
use crate::pipeline::classify::stuck::Place;
use crate::pipeline::gate::Refusal;
use crate::pipeline::ingest::Schedule;
use crate::pipeline::{Swept, prepare_stuck};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::Publisher;
use crate::ports::state::{StateStore, SweepAsk};

/// The most overdue jobs one sweep reads; the rest wait for the next one.
pub const SWEEP_LIMIT: usize = 100;

/// What a sweep did: the invocation's answer.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    /// Jobs found overdue.
    pub overdue: usize,
    /// Told stuck now.
    pub told: usize,
    /// Left for the next sweep: out of time, or their publish failed.
    pub left: usize,
}

/// Sweeps the watch. Fails only when the table cannot be read (the schedule's next run tries
/// again); a function without a watch answers that there is nothing to sweep.
pub async fn handle_sweep<P: Publisher, S: StateStore, E: Enricher>(
    schedule: Schedule,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
) -> Result<Sweep, Failure> {
    let Services { core, publisher } = services;
    let settings = core.settings;
    let mut sweep = Sweep::default();
    if !settings.state.watch.is_on() || !core.store.remembers() {
        tracing::info!("a scheduled event, and no stuck-job watch is on: nothing to sweep");
        return Ok(sweep);
    }
    let started = now_ms();
    let deadline = deadline_at(invocation.deadline_ms, started);
    let stop_at = cutoff(started, deadline);
    let refused = |error| Failure::Refused(Refusal::Unavailable(error));
    let overdue = core
        .store
        .overdue(started, SWEEP_LIMIT)
        .await
        .map_err(refused)?;
    sweep.overdue = overdue.len();
    let place = Place {
        account: schedule.account,
        region: schedule.region,
    };
    for due in &overdue {
        let now = now_ms();
        if now >= stop_at {
            sweep.left += 1;
            continue;
        }
        let ask = SweepAsk {
            now_ms: now,
            lease_until_ms: lease_until(deadline, now, settings.state.lease_seconds),
            owner: invocation.owner,
        };
        let (request, summary) = match prepare_stuck(due, core, ask, &place).await {
            Ok(Swept::Told(request, summary)) => (request, summary),
            Ok(Swept::Passed | Swept::Skipped(_)) => continue,
            Err(error) => {
                tracing::warn!(error = %error, item = %due.item, "a stuck job is left for the next sweep");
                sweep.left += 1;
                continue;
            }
        };
        let marked = match publisher.publish(&request).await {
            Ok(message_id) => {
                sweep.told += 1;
                tracing::info!(message_id = %message_id, job = ?summary.event_id, status = ?summary.status, "published a stuck job");
                println!(
                    "{}",
                    stuck_line(&settings.metrics_namespace, &due.watched.status, now)
                );
                core.store.told_stuck(due, invocation.owner).await
            }
            Err(error) => {
                sweep.left += 1;
                tracing::error!(error = %error, item = %due.item, "a stuck notice could not be published; the next sweep tells it");
                core.store.release_stuck(due, invocation.owner).await
            }
        };
        if let Err(error) = marked {
            tracing::warn!(error = %error, item = %due.item, "the state table could not record the stuck notice");
        }
    }
    println!(
        "{}",
        sweep_line(
            &settings.metrics_namespace,
            &sweep,
            now_ms() - started,
            started
        )
    );
    Ok(sweep)
}

/// One EMF line counting a job told stuck, by its state.
fn stuck_line(namespace: &str, state: &str, timestamp_ms: i64) -> String {
    json!({
        "State": state,
        "StuckJobs": 1,
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["State"]],
                "Metrics": [{"Name": "StuckJobs", "Unit": "Count"}],
            }],
        },
    })
    .to_string()
}

/// One EMF line per sweep: the jobs it found overdue and how long it took.
fn sweep_line(namespace: &str, sweep: &Sweep, took_ms: i64, timestamp_ms: i64) -> String {
    json!({
        "SweepOverdue": sweep.overdue,
        "SweepDuration": took_ms,
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [[]],
                "Metrics": [
                    {"Name": "SweepOverdue", "Unit": "Count"},
                    {"Name": "SweepDuration", "Unit": "Milliseconds"},
                ],
            }],
        },
    })
    .to_string()
}
