//! The Lambda function's handler: tells the payload's shape, then handles one event or an SQS
//! batch.

use aws_lambda_events::event::sqs::SqsBatchResponse;
use serde::Serialize;

use super::batch::handle_batch;
use super::clock::Invocation;
use super::event::handle_event;
use super::sweep::{Sweep, handle_sweep};
use super::{Failure, Services};
use crate::domain::decision::Decision;
use crate::pipeline::ingest::{Payload, payload};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::Publisher;
use crate::ports::state::StateStore;

/// The function's answer: one event's decision, or an SQS batch's partial batch response.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Event(Decision<String>),
    Batch(SqsBatchResponse),
    Sweep(Sweep),
}

/// Handles one invocation's payload, whichever its shape, within its deadline.
pub async fn invoke<P: Publisher, S: StateStore, E: Enricher>(
    bytes: &[u8],
    services: Services<'_, P, S, E>,
    invocation: Invocation,
) -> Result<Answer, Failure> {
    match payload(bytes) {
        Ok(Payload::Event(event)) => handle_event(event, services, invocation)
            .await
            .map(Answer::Event),
        Ok(Payload::Batch(records)) => Ok(Answer::Batch(
            handle_batch(records, services, invocation).await,
        )),
        Ok(Payload::Schedule(schedule)) => handle_sweep(schedule, services, invocation)
            .await
            .map(Answer::Sweep),
        Err(error) => {
            tracing::error!(error = %error, "unreadable SQS batch");
            Err(Failure::from(error))
        }
    }
}
