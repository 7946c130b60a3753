//! The state store in memory: for `preview` (what the function would publish, given a table that
//! starts empty) and for tests. Applies [`judge`] under one lock, as the table's conditional writes
//! do.

use std::collections::HashMap;
use std::sync::Mutex;

use super::item::{
    Ask, ChildMove, Claim, Counted, FailedChild, IN_LINE, Item, Progress, Stuck, SweepClaim, judge,
    may_record,
};
use super::{Claimed, Overdue, Recorded, StateError, StateStore, SweepAsk};

#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, Item>>,
}

impl MemoryStore {
    /// A copy of one item, for tests.
    pub fn item(&self, key: &str) -> Option<Item> {
        self.lock().get(key).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Item>> {
        // A panic while holding the lock cannot leave an item half-written: every change below is
        // one assignment.
        self.items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn owned<'a>(items: &'a mut HashMap<String, Item>, ask: &Ask) -> Option<&'a mut Item> {
    items.get_mut(&ask.item).filter(|item| {
        item.claim.as_ref().is_some_and(|claim| {
            claim.key == ask.key && matches!(claim.progress, Progress::InProgress { .. })
        })
    })
}

impl StateStore for MemoryStore {
    async fn claim(&self, ask: &Ask) -> Result<Claimed, StateError> {
        let mut items = self.lock();
        let existing = items.get(&ask.item);
        if let Err(lost) = judge(existing, ask) {
            return Ok(Claimed::Lost(lost));
        }
        // As the table does: a job's item is updated (its counts stay), one event's item replaced;
        // the answer is the item as it was.
        let before = match &ask.order {
            Some(_) => existing.cloned().unwrap_or_default(),
            None => Item::default(),
        };
        let mut item = before.clone();
        item.take(ask);
        item.claim = Some(Claim {
            key: ask.key.clone(),
            progress: Progress::InProgress {
                lease_until_ms: ask.lease_until_ms,
            },
            owner: ask.owner,
        });
        item.expires_at = ask.expires_at;
        items.insert(ask.item.clone(), item);
        Ok(Claimed::Won(Box::new(before)))
    }

    async fn record(&self, ask: &Ask) -> Result<Recorded, StateError> {
        let mut items = self.lock();
        let existing = items.get(&ask.item);
        if !may_record(existing, ask) {
            return Ok(Recorded { item: None });
        }
        let live = existing.filter(|item| item.expires_at * 1000 > ask.now_ms);
        let before = live.cloned().unwrap_or_default();
        let mut item = before.clone();
        item.take(ask);
        items.insert(ask.item.clone(), item);
        Ok(Recorded { item: Some(before) })
    }

    async fn move_children(&self, move_: &ChildMove) -> Result<Option<Item>, StateError> {
        let mut items = self.lock();
        let Some(item) = items
            .get_mut(&move_.parent)
            .filter(|item| item.moved_by(move_))
        else {
            return Ok(None);
        };
        let before = item.clone();
        item.take_move(move_);
        Ok(Some(before))
    }

    async fn count_failed_child(&self, child: &FailedChild) -> Result<Counted, StateError> {
        let mut items = self.lock();
        let parent = items.entry(child.parent.clone()).or_default();
        parent.failed_children += 1;
        parent.expires_at = child.expires_at;
        if !parent.tells(child) {
            return Ok(Counted::OverCap);
        }
        parent.told_children.insert(child.index);
        Ok(Counted::Told)
    }

    async fn finish(&self, ask: &Ask, progress: &Progress) -> Result<(), StateError> {
        if let Some(item) = owned(&mut self.lock(), ask)
            && let Some(claim) = &mut item.claim
        {
            claim.progress = progress.clone();
            if ask.ends_stuck && matches!(progress, Progress::Published { .. }) {
                item.stuck = None;
            }
        }
        Ok(())
    }

    async fn overdue(&self, now_ms: i64, limit: usize) -> Result<Vec<Overdue>, StateError> {
        let items = self.lock();
        let mut due: Vec<Overdue> = (items.iter())
            .filter_map(|(key, item)| {
                let watched = item.watch.clone().filter(|w| w.due_ms <= now_ms)?;
                Some(Overdue {
                    item: key.clone(),
                    watched,
                    expired: item.expires_at * 1000 <= now_ms,
                })
            })
            .collect();
        due.sort_by_key(|o| (o.watched.due_ms, o.item.clone()));
        due.truncate(limit);
        Ok(due)
    }

    async fn claim_stuck(&self, due: &Overdue, sweep: SweepAsk) -> Result<bool, StateError> {
        let mut items = self.lock();
        let Some(item) = items.get_mut(&due.item) else {
            return Ok(false);
        };
        if !item.may_tell_stuck(&due.watched, sweep.owner, sweep.now_ms) {
            return Ok(false);
        }
        item.sweep = Some(SweepClaim {
            owner: sweep.owner,
            lease_until_ms: sweep.lease_until_ms,
        });
        Ok(true)
    }

    async fn told_stuck(&self, due: &Overdue, owner: u64) -> Result<(), StateError> {
        let mut items = self.lock();
        if let Some(item) = items.get_mut(&due.item)
            && item.sweep.is_some_and(|claim| claim.owner == owner)
            && item
                .watch
                .as_ref()
                .is_some_and(|w| w.since_ms == due.watched.since_ms)
        {
            let job = item.watch.take().map(|w| w.job).unwrap_or_default();
            item.sweep = None;
            item.stuck = Some(Stuck {
                status: due.watched.status.clone(),
                since_ms: due.watched.since_ms,
                job,
            });
        }
        Ok(())
    }

    async fn release_stuck(&self, due: &Overdue, owner: u64) -> Result<(), StateError> {
        let mut items = self.lock();
        if let Some(item) = items.get_mut(&due.item)
            && item.sweep.is_some_and(|claim| claim.owner == owner)
        {
            item.sweep = None;
        }
        Ok(())
    }

    async fn note_blocked(&self, item: &str, code: &str) -> Result<(), StateError> {
        let mut items = self.lock();
        if let Some(watch) = (items.get_mut(item))
            .and_then(|item| item.watch.as_mut())
            .filter(|w| w.status == IN_LINE)
        {
            watch.job.blocked = Some(code.to_owned());
        }
        Ok(())
    }

    async fn unwatch(&self, due: &Overdue) -> Result<(), StateError> {
        let mut items = self.lock();
        if let Some(item) = items.get_mut(&due.item)
            && item
                .watch
                .as_ref()
                .is_some_and(|w| w.since_ms == due.watched.since_ms)
        {
            item.watch = None;
        }
        Ok(())
    }

    async fn release(&self, ask: &Ask, counted: Option<Counted>) -> Result<(), StateError> {
        let mut items = self.lock();
        if owned(&mut items, ask).is_none() {
            return Ok(());
        }
        if ask.order.is_none() {
            items.remove(&ask.item);
        } else if let Some(item) = items.get_mut(&ask.item) {
            item.claim = None;
            item.counted = counted.or(item.counted);
        }
        Ok(())
    }
}
