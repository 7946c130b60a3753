//! The state store port: what the gate needs from a table, with no AWS SDK type in sight.

use std::future::Future;

use thiserror::Error;

use super::item::{Ask, Item, Lost, Progress};

/// A table call that failed for good (after the client's own bounded retries).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("state table {operation} failed: {}{message}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct StateError {
    pub operation: &'static str,
    /// The service's error code (`ProvisionedThroughputExceededException`, ...), when it answered.
    pub code: Option<String>,
    pub message: String,
}

/// The answer to a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claimed {
    /// The claim is this invocation's; the item as it now is.
    Won(Item),
    Lost(Lost),
}

pub trait StateStore: Sync {
    /// Claims `ask.item` for `ask.key` under a lease, if [`super::judge`] allows it, in one
    /// conditional write; a job's item also takes the transition as its latest.
    fn claim(&self, ask: &Ask) -> impl Future<Output = Result<Claimed, StateError>> + Send;

    /// Counts one more failed child on its parent's item; returns the child's place in the count.
    fn count_failed_child(
        &self,
        parent_item: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<u64, StateError>> + Send;

    /// Marks the claim published or skipped, if it is still `ask`'s (a later transition may have
    /// taken the job's item meanwhile; then there is nothing to mark).
    fn finish(
        &self,
        ask: &Ask,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Gives the claim up after a failed publish, so that the retry can claim it; a failed child
    /// keeps its place in the count.
    fn release(
        &self,
        ask: &Ask,
        counted_as: Option<u64>,
    ) -> impl Future<Output = Result<(), StateError>> + Send;
}
