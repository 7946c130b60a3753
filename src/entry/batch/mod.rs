//! An SQS batch: every record through the shared pipeline and the state store's gate, in order;
//! what is published on its own goes out ten to a `PublishBatch` request, what is held goes out in
//! the batch's digests. The answer names the records to retry (the partial batch response): a
//! record is reported done only once its notification is published or it is skipped for good.

use aws_lambda_events::event::sqs::SqsBatchResponse;

mod packing;

use super::clock::{Invocation, deadline_at, lease_until, now_ms};
use super::report::{LogLines, Tell, Told};
use super::{Ended, Failure, Services};
use crate::domain::decision::Decision;
use crate::pipeline::gate::{Clock, Ticket, settle};
use crate::pipeline::ingest::Record;
use crate::pipeline::render::digest::{DigestItem, digests};
use crate::pipeline::{Outgoing, Prepared, Summary, prepare};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::{MAX_BATCH_ENTRIES, PublishError, PublishRequest, Publisher};
use crate::ports::state::{StateError, StateStore};
use packing::Fill;
pub use packing::cutoff;

/// What a record's end needs once its notification's publish has ended: the claim to settle and
/// what its lines tell.
struct Pending {
    message_id: String,
    ticket: Option<Ticket>,
    summary: Option<Summary>,
    state_unavailable: Option<StateError>,
}

struct Batch<'a, P, S, E, T> {
    services: Services<'a, P, S, E>,
    tell: &'a T,
    alone: Vec<(Pending, Box<PublishRequest>)>,
    fill: Fill,
    held: Vec<(Pending, Box<DigestItem>)>,
    response: SqsBatchResponse,
}

/// Handles an SQS batch within `invocation`'s deadline. Never fails as a whole.
pub async fn handle_batch<P: Publisher, S: StateStore, E: Enricher>(
    records: Vec<Record>,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
) -> SqsBatchResponse {
    handle_batch_by(records, services, invocation, now_ms).await
}

/// [`handle_batch`] by the clock `now` (milliseconds since the epoch).
pub async fn handle_batch_by<P: Publisher, S: StateStore, E: Enricher>(
    records: Vec<Record>,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
    now: impl Fn() -> i64,
) -> SqsBatchResponse {
    let lines = LogLines(services.core.settings);
    run_batch(records, services, invocation, now, &lines).await
}

/// An SQS batch by the clock `now`, each record's end told to `tell`: the function's log and
/// metric lines, or `preview --batch`'s.
pub async fn run_batch<P: Publisher, S: StateStore, E: Enricher, T: Tell>(
    records: Vec<Record>,
    services: Services<'_, P, S, E>,
    invocation: Invocation,
    now: impl Fn() -> i64,
    tell: &T,
) -> SqsBatchResponse {
    let started = now();
    let deadline = deadline_at(invocation.deadline_ms, started);
    let stop_at = cutoff(started, deadline);
    let mut batch = Batch {
        services,
        tell,
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
        let clock = Clock {
            now_ms: now,
            lease_until_ms: lease_until(deadline, now, services.core.settings.state.lease_seconds),
            owner: invocation.owner_of(&record.message_id),
        };
        batch.take(record, clock).await;
    }
    for record in records {
        batch.response.add_failure(record.message_id);
    }
    batch.flush().await;
    batch.publish_digests().await;
    batch.response
}

impl<P: Publisher, S: StateStore, E: Enricher, T: Tell> Batch<'_, P, S, E, T> {
    async fn take(&mut self, record: Record, clock: Clock) {
        let core = self.services.core;
        let prepared = prepare(
            record.body.as_bytes(),
            core,
            clock,
            core.settings.deliver.delivery,
        )
        .await;
        let Prepared {
            decision,
            ticket,
            state_unavailable,
            summary,
        } = match prepared {
            Ok(prepared) => prepared,
            Err(error) => return self.failed(&record.message_id, None, Failure::from(error), None),
        };
        let pending = Pending {
            message_id: record.message_id,
            ticket,
            summary,
            state_unavailable,
        };
        match decision {
            Err(refusal) => self.failed(
                &pending.message_id,
                pending.summary.as_ref(),
                Failure::from(refusal),
                pending.state_unavailable.as_ref(),
            ),
            Ok(Decision::Skip(skip)) => self.tell.tell(Told {
                record: &pending.message_id,
                summary: pending.summary.as_ref(),
                ended: &Ok(Decision::Skip(skip)),
                state_unavailable: pending.state_unavailable.as_ref(),
            }),
            Ok(Decision::Publish(Outgoing::Digest(item))) => self.held.push((pending, item)),
            Ok(Decision::Publish(Outgoing::Alone(request))) => self.queue(pending, request).await,
        }
    }

    /// Adds a request to the `PublishBatch` request being filled, sending it when it is full.
    async fn queue(&mut self, pending: Pending, request: Box<PublishRequest>) {
        let size = request.size();
        if !self.fill.fits(size) {
            self.flush().await;
        }
        self.fill.add(size);
        self.alone.push((pending, request));
        if self.fill.entries == MAX_BATCH_ENTRIES {
            self.flush().await;
        }
    }

    /// Publishes what waits to go out on its own, in one `PublishBatch` request.
    async fn flush(&mut self) {
        let waiting = std::mem::take(&mut self.alone);
        self.fill = Fill::default();
        if waiting.is_empty() {
            return;
        }
        let requests: Vec<&PublishRequest> = waiting.iter().map(|(_, r)| &**r).collect();
        let results = self.services.publisher.publish_batch(&requests).await;
        for ((pending, _), result) in waiting.into_iter().zip(results) {
            self.settle_one(pending, result).await;
        }
    }

    /// Publishes the digests of what was held, ten to a request; each item is settled with its
    /// digest's fate.
    async fn publish_digests(&mut self) {
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            return;
        }
        let (pending, items): (Vec<Pending>, Vec<Box<DigestItem>>) = held.into_iter().unzip();
        let items: Vec<DigestItem> = items.into_iter().map(|item| *item).collect();
        let mut slots: Vec<Option<Pending>> = pending.into_iter().map(Some).collect();
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
                    if let Some(pending) = slots.get_mut(i).and_then(Option::take) {
                        self.settle_one(pending, result.clone()).await;
                    }
                }
            }
            start = end;
        }
    }

    /// Records a publish's outcome for one record: in the state table, in its lines, and in the
    /// answer when it failed.
    async fn settle_one(&mut self, pending: Pending, result: Result<String, PublishError>) {
        let mut state_unavailable = pending.state_unavailable;
        if let Some(ticket) = pending.ticket {
            let published = result.as_ref().ok().map(String::as_str);
            // The publish has happened or failed either way: a table that cannot record it costs
            // at most a duplicate later.
            if let Err(error) = settle(self.services.core.store, ticket, published).await {
                state_unavailable = Some(error);
            }
        }
        let ended: Ended<String> = result.map(Decision::Publish).map_err(Failure::from);
        self.tell.tell(Told {
            record: &pending.message_id,
            summary: pending.summary.as_ref(),
            ended: &ended,
            state_unavailable: state_unavailable.as_ref(),
        });
        if ended.is_err() {
            self.response.add_failure(pending.message_id);
        }
    }

    fn failed(
        &mut self,
        message_id: &str,
        summary: Option<&Summary>,
        failure: Failure,
        state_unavailable: Option<&StateError>,
    ) {
        self.tell.tell(Told {
            record: message_id,
            summary,
            ended: &Err(failure),
            state_unavailable,
        });
        self.response.add_failure(message_id.to_owned());
    }
}
