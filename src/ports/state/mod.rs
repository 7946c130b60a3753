//! The state store port: what the gate needs from a table, with no AWS SDK type in sight. `item` is
//! what the table holds and the one rule that decides a claim; `memory` a store in memory
//! (`preview`, tests); [`Stateless`] the store of a function without a table. The DynamoDB store
//! is `adapters::dynamodb`.

pub mod item;
pub mod memory;

use std::future::Future;
use std::time::Duration;

use thiserror::Error;

/// The longest one table call may take, its retries included, before the table counts as
/// unavailable: the DynamoDB adapter's operation timeout.
pub const CALL_BOUND: Duration = Duration::from_secs(2);

pub use item::{
    ARRAY_WAITING, ArrayFacts, Ask, CHILD_STAYS, ChildMove, Claim, Counted, Entered, FailedChild,
    IN_LINE, Item, JobFacts, Lost, Progress, Stuck, SweepClaim, Transition, Waiting, WatchAsk,
    Watched, judge, may_record,
};
pub use memory::MemoryStore;

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
    /// The claim is this invocation's; the item as it was before the claim was written (its
    /// counts, the entries into waiting states, the stay the transition ends).
    Won(Box<Item>),
    Lost(Lost),
}

/// What recording a transition found: the item as it was before the transition was written (the
/// stay it ends), or `None` when the transition was stale and nothing was recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub item: Option<Item>,
}

/// A watched job whose due time has passed, as the watch's index lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overdue {
    /// The job's item.
    pub item: String,
    pub watched: Watched,
    /// The item has expired (the table deletes it lazily): it only leaves the watch.
    pub expired: bool,
}

/// The times and owner a sweep claims a stuck notice under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepAsk {
    pub now_ms: i64,
    pub lease_until_ms: i64,
    pub owner: u64,
}

pub trait StateStore: Sync {
    /// Whether the store remembers what was told. A store that does not ([`Stateless`]) is never
    /// asked anything: every event is published, and nothing is settled.
    fn remembers(&self) -> bool {
        true
    }

    /// Claims `ask.item` for `ask.key` under a lease, if [`super::judge`] allows it, in one
    /// conditional write; a job's item also takes the transition as its latest.
    fn claim(&self, ask: &Ask) -> impl Future<Output = Result<Claimed, StateError>> + Send;

    /// Records a job's transition that is not told (the settings skip it) as its item's latest,
    /// with when it entered a waiting state, if [`may_record`] allows it: one conditional write
    /// that claims nothing; a stale transition records nothing.
    fn record(&self, ask: &Ask) -> impl Future<Output = Result<Recorded, StateError>> + Send;

    /// The watched jobs due by `now_ms`, earliest first, at most `limit`: read from the watch's
    /// index, so the reads are proportional to the overdue jobs.
    fn overdue(
        &self,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Overdue>, StateError>> + Send;

    /// Claims telling `due` stuck, if [`Item::may_tell_stuck`] allows it: `false` when the job
    /// moved on, the item expired, or another sweep is telling it.
    fn claim_stuck(
        &self,
        due: &Overdue,
        sweep: SweepAsk,
    ) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// Marks the stay told (the job leaves the watch until its next transition), if the claim is
    /// still `owner`'s and the job still in that stay.
    fn told_stuck(
        &self,
        due: &Overdue,
        owner: u64,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Gives the sweep's claim up after a failed publish: the next sweep tells it.
    fn release_stuck(
        &self,
        due: &Overdue,
        owner: u64,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Takes an expired item out of the watch, so no later sweep reads it again.
    fn unwatch(&self, due: &Overdue) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Keeps a blocked queue's reason `code` on the item of the job it blocks, if the job is
    /// watched in RUNNABLE: its stuck notice says it. A job in another state keeps nothing.
    fn note_blocked(
        &self,
        item: &str,
        code: &str,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Moves an array job's watch on when one of its children starts or runs, if
    /// [`Item::moved_by`] allows it: one conditional write. The item as it was before the move
    /// (the stay told stuck that it ends), or `None` when nothing moved.
    fn move_children(
        &self,
        move_: &ChildMove,
    ) -> impl Future<Output = Result<Option<Item>, StateError>> + Send;

    /// Counts one more failed child on its parent's item, and tells it one by one if
    /// [`Item::tells`] allows it. Counting a child again (a retried request) never takes a second
    /// place among the told.
    fn count_failed_child(
        &self,
        child: &FailedChild,
    ) -> impl Future<Output = Result<Counted, StateError>> + Send;

    /// Marks the claim published or skipped, if it is still `ask`'s (a later transition may have
    /// taken the job's item meanwhile; then there is nothing to mark).
    fn finish(
        &self,
        ask: &Ask,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Gives the claim up after a failed publish, so that the retry can claim it; a failed child
    /// keeps where the count put it.
    fn release(
        &self,
        ask: &Ask,
        counted: Option<Counted>,
    ) -> impl Future<Output = Result<(), StateError>> + Send;
}

/// The store of a function without a state table (`STATE_TABLE` empty): it remembers nothing, so
/// the gate lets every event through and asks it nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stateless;

/// What `Stateless` answers if asked anyway: that there is no table.
fn no_table(operation: &'static str) -> StateError {
    StateError {
        operation,
        code: None,
        message: "there is no state table (STATE_TABLE is empty)".to_owned(),
    }
}

impl StateStore for Stateless {
    fn remembers(&self) -> bool {
        false
    }

    async fn claim(&self, _: &Ask) -> Result<Claimed, StateError> {
        Err(no_table("claim"))
    }

    async fn record(&self, _: &Ask) -> Result<Recorded, StateError> {
        Err(no_table("record"))
    }

    async fn overdue(&self, _: i64, _: usize) -> Result<Vec<Overdue>, StateError> {
        Err(no_table("sweep"))
    }

    async fn claim_stuck(&self, _: &Overdue, _: SweepAsk) -> Result<bool, StateError> {
        Err(no_table("claim_stuck"))
    }

    async fn told_stuck(&self, _: &Overdue, _: u64) -> Result<(), StateError> {
        Err(no_table("told_stuck"))
    }

    async fn release_stuck(&self, _: &Overdue, _: u64) -> Result<(), StateError> {
        Err(no_table("release_stuck"))
    }

    async fn unwatch(&self, _: &Overdue) -> Result<(), StateError> {
        Err(no_table("unwatch"))
    }

    async fn note_blocked(&self, _: &str, _: &str) -> Result<(), StateError> {
        Err(no_table("note_blocked"))
    }

    async fn move_children(&self, _: &ChildMove) -> Result<Option<Item>, StateError> {
        Ok(None)
    }

    async fn count_failed_child(&self, _: &FailedChild) -> Result<Counted, StateError> {
        Err(no_table("count"))
    }

    async fn finish(&self, _: &Ask, _: &Progress) -> Result<(), StateError> {
        Err(no_table("finish"))
    }

    async fn release(&self, _: &Ask, _: Option<Counted>) -> Result<(), StateError> {
        Err(no_table("release"))
    }
}

/// A table that may not be there: the deployed function's store is `Some(DynamoDB)` with
/// `STATE_TABLE` set and `None` (stateless) without.
impl<S: StateStore> StateStore for Option<S> {
    fn remembers(&self) -> bool {
        self.as_ref().is_some_and(S::remembers)
    }

    async fn claim(&self, ask: &Ask) -> Result<Claimed, StateError> {
        match self {
            Some(store) => store.claim(ask).await,
            None => Stateless.claim(ask).await,
        }
    }

    async fn record(&self, ask: &Ask) -> Result<Recorded, StateError> {
        match self {
            Some(store) => store.record(ask).await,
            None => Stateless.record(ask).await,
        }
    }

    async fn overdue(&self, now_ms: i64, limit: usize) -> Result<Vec<Overdue>, StateError> {
        match self {
            Some(store) => store.overdue(now_ms, limit).await,
            None => Stateless.overdue(now_ms, limit).await,
        }
    }

    async fn claim_stuck(&self, due: &Overdue, sweep: SweepAsk) -> Result<bool, StateError> {
        match self {
            Some(store) => store.claim_stuck(due, sweep).await,
            None => Stateless.claim_stuck(due, sweep).await,
        }
    }

    async fn told_stuck(&self, due: &Overdue, owner: u64) -> Result<(), StateError> {
        match self {
            Some(store) => store.told_stuck(due, owner).await,
            None => Stateless.told_stuck(due, owner).await,
        }
    }

    async fn release_stuck(&self, due: &Overdue, owner: u64) -> Result<(), StateError> {
        match self {
            Some(store) => store.release_stuck(due, owner).await,
            None => Stateless.release_stuck(due, owner).await,
        }
    }

    async fn unwatch(&self, due: &Overdue) -> Result<(), StateError> {
        match self {
            Some(store) => store.unwatch(due).await,
            None => Stateless.unwatch(due).await,
        }
    }

    async fn note_blocked(&self, item: &str, code: &str) -> Result<(), StateError> {
        match self {
            Some(store) => store.note_blocked(item, code).await,
            None => Stateless.note_blocked(item, code).await,
        }
    }

    async fn move_children(&self, move_: &ChildMove) -> Result<Option<Item>, StateError> {
        match self {
            Some(store) => store.move_children(move_).await,
            None => Stateless.move_children(move_).await,
        }
    }

    async fn count_failed_child(&self, child: &FailedChild) -> Result<Counted, StateError> {
        match self {
            Some(store) => store.count_failed_child(child).await,
            None => Stateless.count_failed_child(child).await,
        }
    }

    async fn finish(&self, ask: &Ask, progress: &Progress) -> Result<(), StateError> {
        match self {
            Some(store) => store.finish(ask, progress).await,
            None => Stateless.finish(ask, progress).await,
        }
    }

    async fn release(&self, ask: &Ask, counted: Option<Counted>) -> Result<(), StateError> {
        match self {
            Some(store) => store.release(ask, counted).await,
            None => Stateless.release(ask, counted).await,
        }
    }
}
