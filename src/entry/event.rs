//! One event: the pipeline, then the publisher, then the state store's settling, then the event's
//! log and metric lines.

use super::clock::{Invocation, lease_until, now_ms};
use super::report::report;
use super::{Ended, Failure, Services};
use crate::config::Settings;
use crate::domain::decision::Decision;
use crate::domain::vocabulary::Delivery;
use crate::pipeline::gate::{Clock, settle};
use crate::pipeline::render::digest::digests;
use crate::pipeline::{Outgoing, prepare};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::{PublishError, PublishRequest, Publisher};
use crate::ports::state::StateStore;

/// Handles one event: claimed before the publish, marked published after it, given up when it
/// fails. `Ok` is the answer (`{"published": "<message id>"}` or `{"skipped": "<reason>"}`); `Err`
/// fails the invocation. A claim's lease lasts until `invocation`'s deadline.
pub async fn handle_event<P: Publisher, S: StateStore, E: Enricher>(
    event: &[u8],
    services: Services<'_, P, S, E>,
    invocation: Invocation,
) -> Ended<String> {
    let Services { core, publisher } = services;
    let now_ms = now_ms();
    let clock = Clock {
        now_ms,
        lease_until_ms: lease_until(
            invocation.deadline_ms,
            now_ms,
            core.settings.state.lease_seconds,
        ),
        owner: invocation.owner,
    };
    // A single event is always published on its own.
    let prepared = match prepare(event, core, clock, Delivery::Each).await {
        Ok(prepared) => prepared,
        Err(error) => {
            let ended = Err(Failure::from(error));
            report(core.settings, None, &ended, None);
            return ended;
        }
    };
    let mut state_unavailable = prepared.state_unavailable;
    let ended = match prepared.decision {
        Err(refusal) => Err(Failure::from(refusal)),
        Ok(Decision::Skip(skip)) => Ok(Decision::Skip(skip)),
        Ok(Decision::Publish(outgoing)) => {
            let published = publish_alone(publisher, outgoing, core.settings).await;
            if let Some(ticket) = prepared.ticket {
                let message_id = published.as_ref().ok().map(String::as_str);
                // The publish has happened or failed either way: a table that cannot record it
                // costs at most a duplicate later, never this invocation.
                if let Err(error) = settle(core.store, ticket, message_id).await {
                    state_unavailable = Some(error);
                }
            }
            published.map(Decision::Publish).map_err(Failure::from)
        }
    };
    report(
        core.settings,
        prepared.summary.as_ref(),
        &ended,
        state_unavailable.as_ref(),
    );
    ended
}

/// Publishes a single event's notification. `Delivery::Each` holds nothing back for a digest;
/// were an item held, its digest of one would go out in its place.
async fn publish_alone<P: Publisher>(
    publisher: &P,
    outgoing: Outgoing,
    settings: &Settings,
) -> Result<String, PublishError> {
    let item = match outgoing {
        Outgoing::Alone(request) => return publisher.publish(&request).await,
        Outgoing::Digest(item) => item,
    };
    let digests = digests(&[*item], settings);
    let requests: Vec<&PublishRequest> = digests.iter().map(|d| &d.request).collect();
    let results = publisher.publish_batch(&requests).await;
    results.into_iter().next().unwrap_or_else(|| {
        Err(PublishError {
            code: None,
            message: "a digest of one notification came out empty".to_owned(),
        })
    })
}
