//! The stuck-job watch's sweep, started by the watch's schedule: the jobs overdue now, each told
//! stuck once through `pipeline::prepare_stuck`, published, and its stay marked told. It stops
//! taking jobs before the invocation's deadline (as a batch does) and leaves the rest to the next
//! sweep; a failed publish gives its claim up, so the next sweep tells it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::batch::cutoff;
use super::clock::{Invocation, SweepClock, deadline_at, lease_until, now_ms};
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

/// What a sweep did, for its metric lines: the answer, the jobs told stuck by state, and how long
/// it took.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// A watch is on and the table remembers: the sweep ran.
    pub watching: bool,
    pub sweep: Sweep,
    pub stuck: BTreeMap<String, usize>,
    pub took_ms: i64,
}

/// Sweeps the watch for the schedule's invocation and writes its metric lines. Fails only when the
/// table cannot be read (the schedule's next run tries again); a function without a watch answers
/// that there is nothing to sweep.
pub async fn handle_sweep<P: Publisher, S: StateStore, E: Enricher>(
    schedule: Schedule,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
) -> Result<Sweep, Failure> {
    let namespace = &services.core.settings.metrics_namespace;
    let report = sweep(schedule, services, invocation, SweepClock::Real).await?;
    let now = now_ms();
    for (state, count) in &report.stuck {
        println!("{}", stuck_line(namespace, state, *count, now));
    }
    println!(
        "{}",
        sweep_line(namespace, &report.sweep, report.took_ms, now)
    );
    Ok(report.sweep)
}

/// The sweep itself, on `clock`: the handler's, and `preview`'s as of the schedule's time.
pub async fn sweep<P: Publisher, S: StateStore, E: Enricher>(
    schedule: Schedule,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
    clock: SweepClock,
) -> Result<SweepReport, Failure> {
    let Services { core, publisher } = services;
    let settings = core.settings;
    let mut report = SweepReport::default();
    if !settings.state.watch.is_on() || !core.store.remembers() {
        tracing::info!("a scheduled event, and no stuck-job watch is on: nothing to sweep");
        return Ok(report);
    }
    report.watching = true;
    // The deadline and the time left are real; what is overdue, and since when, is on `clock`.
    let started = now_ms();
    let deadline = deadline_at(invocation.deadline_ms, started);
    let stop_at = cutoff(started, deadline);
    let refused = |error| Failure::Refused(Refusal::Unavailable(error));
    let overdue = core
        .store
        .overdue(clock.now_ms(), SWEEP_LIMIT)
        .await
        .map_err(refused)?;
    let sweep = &mut report.sweep;
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
        // The lease lasts as long on the sweep's clock as on the real one.
        let lease = lease_until(deadline, now, settings.state.lease_seconds).saturating_sub(now);
        let at = clock.now_ms();
        let ask = SweepAsk {
            now_ms: at,
            lease_until_ms: at.saturating_add(lease),
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
                *report.stuck.entry(due.watched.status.clone()).or_default() += 1;
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
    report.took_ms = now_ms() - started;
    Ok(report)
}

/// One EMF line counting the jobs told stuck in one state.
fn stuck_line(namespace: &str, state: &str, count: usize, timestamp_ms: i64) -> String {
    json!({
        "State": state,
        "StuckJobs": count,
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
