//! An SQS batch: every record through the shared pipeline and the state store's gate, in order;
//! what is published on its own goes out ten to a `PublishBatch` request, what is held goes out in
//! the batch's digests. The answer names the records to retry (the partial batch response): a
//! record is reported done only once its notification is published or it is skipped for good.

use aws_lambda_events::event::sqs::SqsBatchResponse;

mod packing;

use super::clock::{deadline_at, lease_until, now_ms};
use super::report::report;
use super::{Ended, Failure, Services};
use crate::domain::decision::Decision;
use crate::pipeline::gate::{Clock, Ticket, settle};
use crate::pipeline::ingest::Record;
use crate::pipeline::render::digest::{DigestItem, digests};
use crate::pipeline::{Outgoing, Summary, prepare};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::{MAX_BATCH_ENTRIES, PublishError, PublishRequest, Publisher};
use crate::ports::state::{StateError, StateStore};
use packing::{Fill, cutoff};

/// A record whose notification is waiting to be published: on its own or in a digest.
struct Waiting<T> {
    message_id: String,
    what: T,
    ticket: Option<Ticket>,
    summary: Option<Summary>,
    state_unavailable: Option<StateError>,
}

impl Waiting<()> {
    fn with<T>(self, what: T) -> Waiting<T> {
        Waiting {
            message_id: self.message_id,
            what,
            ticket: self.ticket,
            summary: self.summary,
            state_unavailable: self.state_unavailable,
        }
    }
}

struct Batch<'a, P, S, E> {
    services: Services<'a, P, S, E>,
    alone: Vec<Waiting<Box<PublishRequest>>>,
    fill: Fill,
    held: Vec<Waiting<Box<DigestItem>>>,
    response: SqsBatchResponse,
}

/// Handles an SQS batch; `deadline_ms` is the invocation's deadline. Never fails as a whole.
pub async fn handle_batch<P: Publisher, S: StateStore, E: Enricher>(
    records: Vec<Record>,
    services: Services<'_, P, S, E>,
    deadline_ms: i64,
) -> SqsBatchResponse {
    handle_batch_by(records, services, deadline_ms, now_ms).await
}

/// [`handle_batch`] by the clock `now` (milliseconds since the epoch).
pub async fn handle_batch_by<P: Publisher, S: StateStore, E: Enricher>(
    records: Vec<Record>,
    services: Services<'_, P, S, E>,
    deadline_ms: i64,
    now: impl Fn() -> i64,
) -> SqsBatchResponse {
    let started = now();
    let deadline = deadline_at(deadline_ms, started);
    let stop_at = cutoff(started, deadline);
    let mut batch = Batch {
        services,
        alone: Vec::new(),
        fill: Fill::default(),
        held: Vec::new(),
        response: SqsBatchResponse::default(),
    };
    let mut records = records.into_iter();
    for record in records.by_ref() {
        let now = now();
        if now >= stop_at {
            // Out of time: this record and the rest come back to the queue untouched.
            tracing::warn!(
                deadline_ms = deadline,
                "the batch stops taking records before the function's timeout"
            );
            batch.response.add_failure(record.message_id);
            break;
        }
        batch.take(record, now, deadline).await;
    }
    for record in records {
        batch.response.add_failure(record.message_id);
    }
    batch.flush().await;
    batch.publish_digests().await;
    batch.response
}

impl<P: Publisher, S: StateStore, E: Enricher> Batch<'_, P, S, E> {
    async fn take(&mut self, record: Record, now: i64, deadline: i64) {
        let core = self.services.core;
        let clock = Clock {
            now_ms: now,
            lease_until_ms: lease_until(deadline, now, core.settings.state_lease_seconds),
        };
        let body = record.body.as_bytes();
        let ready = match prepare(body, core, clock, core.settings.delivery).await {
            Ok(ready) => ready,
            Err(error) => {
                return self.failed(record.message_id, None, Failure::from(error), None);
            }
        };
        let waiting = Waiting {
            message_id: record.message_id.clone(),
            what: (),
            ticket: ready.ticket,
            summary: ready.summary.clone(),
            state_unavailable: ready.state_unavailable.clone(),
        };
        match ready.decision {
            Err(refusal) => self.failed(
                record.message_id,
                ready.summary.as_ref(),
                Failure::from(refusal),
                ready.state_unavailable.as_ref(),
            ),
            Ok(Decision::Skip(skip)) => report(
                self.services.core.settings,
                ready.summary.as_ref(),
                &Ok(Decision::Skip(skip)),
                ready.state_unavailable.as_ref(),
            ),
            Ok(Decision::Publish(Outgoing::Digest(item))) => self.held.push(waiting.with(item)),
            Ok(Decision::Publish(Outgoing::Alone(request))) => {
                let size = request.size();
                if !self.fill.fits(size) {
                    self.flush().await;
                }
                self.fill.add(size);
                self.alone.push(waiting.with(request));
                if self.fill.entries == MAX_BATCH_ENTRIES {
                    self.flush().await;
                }
            }
        }
    }

    /// Publishes what waits to go out on its own, in one `PublishBatch` request.
    async fn flush(&mut self) {
        let waiting = std::mem::take(&mut self.alone);
        self.fill = Fill::default();
        if waiting.is_empty() {
            return;
        }
        let requests: Vec<&PublishRequest> = waiting.iter().map(|w| &*w.what).collect();
        let results = self.services.publisher.publish_batch(&requests).await;
        for (waiting, result) in waiting.into_iter().zip(results) {
            self.settle_one(
                waiting.message_id,
                waiting.ticket,
                waiting.summary,
                waiting.state_unavailable,
                result,
            )
            .await;
        }
    }

    /// Publishes the digests of what was held, ten to a request; each item is settled with its
    /// digest's fate.
    async fn publish_digests(&mut self) {
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            return;
        }
        let items: Vec<DigestItem> = held.iter().map(|w| (*w.what).clone()).collect();
        let mut slots: Vec<Option<Waiting<Box<DigestItem>>>> = held.into_iter().map(Some).collect();
        let digests = digests(&items, self.services.core.settings);
        let mut start = 0;
        while start < digests.len() {
            let mut fill = Fill::default();
            let mut end = start;
            while end < digests.len() && fill.fits(digests[end].request.size()) {
                fill.add(digests[end].request.size());
                end += 1;
            }
            // A digest is within the size limit, so a request always takes at least one.
            let end = end.max(start + 1);
            let requests: Vec<&PublishRequest> =
                digests[start..end].iter().map(|d| &d.request).collect();
            let results = self.services.publisher.publish_batch(&requests).await;
            for (digest, result) in digests[start..end].iter().zip(results) {
                for &i in &digest.items {
                    if let Some(w) = slots[i].take() {
                        self.settle_one(
                            w.message_id,
                            w.ticket,
                            w.summary,
                            w.state_unavailable,
                            result.clone(),
                        )
                        .await;
                    }
                }
            }
            start = end;
        }
    }

    /// Records a publish's outcome for one record: in the state table, in the log and metrics, and
    /// in the answer when it failed.
    async fn settle_one(
        &mut self,
        message_id: String,
        ticket: Option<Ticket>,
        summary: Option<Summary>,
        mut state_unavailable: Option<StateError>,
        result: Result<String, PublishError>,
    ) {
        if let Some(ticket) = ticket {
            let published = result.as_ref().ok().map(String::as_str);
            // The publish has happened or failed either way: a table that cannot record it costs
            // at most a duplicate later.
            if let Err(error) = settle(self.services.core.store, ticket, published).await {
                state_unavailable = Some(error);
            }
        }
        let ended: Ended<String> = result.map(Decision::Publish).map_err(Failure::from);
        if ended.is_err() {
            self.response.add_failure(message_id);
        }
        report(
            self.services.core.settings,
            summary.as_ref(),
            &ended,
            state_unavailable.as_ref(),
        );
    }

    fn failed(
        &mut self,
        message_id: String,
        summary: Option<&Summary>,
        failure: Failure,
        state_unavailable: Option<&StateError>,
    ) {
        report(
            self.services.core.settings,
            summary,
            &Err(failure),
            state_unavailable,
        );
        self.response.add_failure(message_id);
    }
}
