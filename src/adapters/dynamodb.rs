//! The DynamoDB store. One item per key (`pk`, a string); README.md describes the attributes. A
//! claim is one conditional write whose condition is [`judge`] in DynamoDB's expression language;
//! when it fails, one consistent read says why, by [`judge`] itself.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::adapters::sdk_error::describe;
use crate::ports::state::{
    ARRAY_WAITING, ArrayFacts, Ask, CALL_BOUND, ChildMove, Claim, Claimed, Counted, Entered,
    FailedChild, IN_LINE, Item, JobFacts, Overdue, Progress, Recorded, StateError, StateStore,
    Stuck, SweepAsk, SweepClaim, Transition, Waiting, Watched, judge,
};

/// Bounds on one table call: a table that does not answer within about 2 s is unavailable, and
/// `STATE_FAILURE` says what happens then.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(700);
pub const OPERATION_TIMEOUT: Duration = CALL_BOUND;
pub const MAX_ATTEMPTS: u32 = 3;
/// A claim whose condition fails while the item keeps changing is tried this often.
const CLAIM_ROUNDS: usize = 3;

const IN_PROGRESS: &str = "in_progress";
const PUBLISHED: &str = "published";
const SKIPPED: &str = "skipped";

/// Claims a job's item: newer transitions win; the same transition only if unclaimed or its lease
/// ended; an expired item counts as absent.
const CLAIM_JOB: &str = "attribute_not_exists(pk) OR expires_at <= :now_s \
     OR attribute_not_exists(latest_ms) OR latest_ms < :t OR (latest_ms = :t AND latest_rank < :r) \
     OR (latest_ms = :t AND latest_rank = :r AND (attribute_not_exists(claim_state) OR claim_key <> :k \
         OR (claim_state = :in_progress AND (lease_until <= :now_ms \
             OR (claim_owner = :owner AND claim_key = :k)))))";
const SET_JOB_CLAIM: &str = "SET latest_ms = :t, latest_rank = :r, latest_status = :s, latest_time = :tt, \
     claim_key = :k, claim_state = :in_progress, claim_owner = :owner, lease_until = :lease, expires_at = :exp";
const REMOVE_OLD_PROGRESS: &str = "message_id, skip_reason, ";
/// Records a transition that is not told: newer ones only, and no claim.
const RECORD_JOB: &str = "attribute_not_exists(pk) OR expires_at <= :now_s \
     OR attribute_not_exists(latest_ms) OR latest_ms < :t OR (latest_ms = :t AND latest_rank < :r)";
const SET_JOB_LATEST: &str = "SET latest_ms = :t, latest_rank = :r, latest_status = :s, latest_time = :tt, expires_at = :exp";
/// Claims one event's item.
const CLAIM_EVENT: &str = "attribute_not_exists(pk) OR expires_at <= :now_s \
     OR attribute_not_exists(claim_state) OR (claim_state = :in_progress AND (lease_until <= :now_ms \
         OR (claim_owner = :owner AND claim_key = :k)))";
/// A sweep may tell a job stuck while it is still in the stay it found, the item is live and no
/// other sweep's claim holds.
const CLAIM_STUCK: &str = "watch_status = :s AND watch_since = :since AND due_ms <= :now_ms \
     AND expires_at > :now_s AND (attribute_not_exists(sweep_owner) OR sweep_lease <= :now_ms \
         OR sweep_owner = :owner)";
/// An array job's watch moves on with its children: while it is PENDING, in a state of its
/// children's before the child's (`:runnable`, or either for a child RUNNING), entered no later
/// than the child moved, watched or told stuck, on a live item ([`Item::moved_by`]).
const MOVE_CHILDREN: &str = "latest_status = :pending AND watch_since <= :t AND expires_at > :now_s \
     AND (watch_status = :runnable OR watch_status = :ended) \
     AND (attribute_exists(watch_pk) OR attribute_exists(stuck_status))";
/// A failed child takes a place among those told one by one ([`Item::tells`]): it has one
/// already, or fewer than the cap were told.
const TELLS_CHILD: &str = "attribute_not_exists(told_children) OR contains(told_children, :i) \
     OR size(told_children) < :cap";
/// The watch's sparse index: only items of jobs in a watched state and not told carry its keys.
pub const WATCH_INDEX: &str = "watch-due";
const WATCH_PARTITION: &str = "due";
/// The claim is still this invocation's.
const OURS: &str = "claim_key = :k AND claim_state = :in_progress";

pub struct DynamoStore {
    client: Client,
    table: String,
    moves: RecentMoves,
}

/// How long an environment remembers that it moved an array job's watch on for a child's status
/// (or found nothing to move): a big array job's children then cost a write per environment,
/// status and minute, not one each, on one hot item. Short, so that an array job's PENDING that
/// arrives after its first children's moves is moved on by a later child.
const MOVE_MEMORY: Duration = Duration::from_secs(60);
/// At most this many array jobs remembered; the memory starts again when it is full.
const MOVE_MEMORY_ITEMS: usize = 1024;

#[derive(Default)]
struct RecentMoves(std::sync::Mutex<HashMap<(String, String), std::time::Instant>>);

impl RecentMoves {
    /// Whether `move_`'s write was made lately: it would find nothing more to move.
    fn made(&self, move_: &ChildMove) -> bool {
        let key = (move_.parent.clone(), move_.status.clone());
        (self.lock().get(&key)).is_some_and(|at| at.elapsed() < MOVE_MEMORY)
    }

    fn note(&self, move_: &ChildMove) {
        let mut seen = self.lock();
        if seen.len() >= MOVE_MEMORY_ITEMS {
            seen.clear();
        }
        let key = (move_.parent.clone(), move_.status.clone());
        seen.insert(key, std::time::Instant::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), std::time::Instant>> {
        // Every change is one call on the map: a panic elsewhere cannot leave it half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl DynamoStore {
    /// A client on the function's shared configuration (HTTP client, region, credentials,
    /// `AWS_ENDPOINT_URL_DYNAMODB`) with the table's own bounds.
    pub fn new(config: &SdkConfig, table: String) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            )
            .build();
        DynamoStore {
            client: Client::from_conf(config),
            table,
            moves: RecentMoves::default(),
        }
    }

    async fn try_claim(&self, ask: &Ask) -> Result<Option<Item>, StateError> {
        let key = s(&ask.item);
        let result = match &ask.order {
            Some(order) => self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", key)
                .condition_expression(CLAIM_JOB)
                .update_expression(job_update(SET_JOB_CLAIM, ask, order, REMOVE_OLD_PROGRESS))
                .set_expression_attribute_values(Some(with_watch(
                    job_claim_values(ask, order),
                    ask,
                )))
                .return_values(ReturnValue::AllOld)
                .send()
                .await
                .map(|out| Some(item_from(out.attributes.unwrap_or_default())))
                .map_err(|e| conditional(e, "UpdateItem")),
            None => self
                .client
                .put_item()
                .table_name(&self.table)
                .item("pk", key)
                .item("claim_key", s(&ask.key))
                .item("claim_state", s(IN_PROGRESS))
                .item("lease_until", n(ask.lease_until_ms))
                .item("claim_owner", owner(ask.owner))
                .item("expires_at", n(ask.expires_at))
                .condition_expression(CLAIM_EVENT)
                .expression_attribute_values(":owner", owner(ask.owner))
                .expression_attribute_values(":k", s(&ask.key))
                .expression_attribute_values(":now_s", n(ask.now_ms / 1000))
                .expression_attribute_values(":now_ms", n(ask.now_ms))
                .expression_attribute_values(":in_progress", s(IN_PROGRESS))
                .send()
                .await
                .map(|_| Some(Item::default()))
                .map_err(|e| conditional(e, "PutItem")),
        };
        match result {
            Ok(item) => Ok(item),
            Err(None) => Ok(None),
            Err(Some(error)) => Err(error),
        }
    }

    async fn read(&self, item: &str) -> Result<Option<Item>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(item))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| state_error(e, "GetItem"))?;
        Ok(out.item.map(item_from))
    }

    /// Updates `item` if `condition` holds, answering with the item as it was before; `None` when
    /// the condition failed (nothing was written).
    async fn update_answering_old(
        &self,
        item: &str,
        condition: &str,
        update: String,
        values: HashMap<String, AttributeValue>,
    ) -> Result<Option<Item>, StateError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(item))
            .condition_expression(condition)
            .update_expression(update)
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(item_from(out.attributes.unwrap_or_default()))),
            Err(error) => match conditional(error, "UpdateItem") {
                None => Ok(None),
                Some(error) => Err(error),
            },
        }
    }

    /// Updates `item` if `condition` holds; an item the condition no longer fits (the job moved
    /// on, another sweep took it) is left as it is.
    async fn update_if<const N: usize>(
        &self,
        item: &str,
        condition: &str,
        update: &str,
        values: [(&str, AttributeValue); N],
    ) -> Result<(), StateError> {
        let values = values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        (self
            .update_answering_old(item, condition, update.to_owned(), values)
            .await)
            .map(|_| ())
    }
}

impl StateStore for DynamoStore {
    async fn claim(&self, ask: &Ask) -> Result<Claimed, StateError> {
        for _ in 0..CLAIM_ROUNDS {
            if let Some(item) = self.try_claim(ask).await? {
                return Ok(Claimed::Won(Box::new(item)));
            }
            // The condition failed: read why. An item that changed in between (a lease that ended,
            // an item that expired) may be claimable now: try again.
            if let Err(lost) = judge(self.read(&ask.item).await?.as_ref(), ask) {
                return Ok(Claimed::Lost(lost));
            }
        }
        Err(StateError {
            operation: "claim",
            code: None,
            message: format!("the item {} kept changing while it was claimed", ask.item),
        })
    }

    async fn record(&self, ask: &Ask) -> Result<Recorded, StateError> {
        let Some(order) = &ask.order else {
            return Ok(Recorded::default());
        };
        let values = HashMap::from([
            (":now_s".to_owned(), n(ask.now_ms / 1000)),
            (":t".to_owned(), n(order.time_ms)),
            (":r".to_owned(), n(i64::from(order.rank))),
            (":s".to_owned(), s(&order.status)),
            (":tt".to_owned(), s(&order.time)),
            (":exp".to_owned(), n(ask.expires_at)),
        ]);
        let update = job_update(SET_JOB_LATEST, ask, order, "");
        // A failed condition is a stale transition: there is nothing to record.
        let item = self
            .update_answering_old(&ask.item, RECORD_JOB, update, with_watch(values, ask))
            .await?;
        Ok(Recorded { item })
    }

    async fn overdue(&self, now_ms: i64, limit: usize) -> Result<Vec<Overdue>, StateError> {
        let mut found = Vec::new();
        let mut start = None;
        while found.len() < limit {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(WATCH_INDEX)
                .key_condition_expression("watch_pk = :due AND due_ms <= :now")
                .expression_attribute_values(":due", s(WATCH_PARTITION))
                .expression_attribute_values(":now", n(now_ms))
                .limit(i32::try_from(limit - found.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| state_error(e, "Query"))?;
            for mut map in out.items.unwrap_or_default() {
                let Some(AttributeValue::S(key)) = map.remove("pk") else {
                    continue;
                };
                let item = item_from(map);
                if let Some(watched) = item.watch {
                    found.push(Overdue {
                        item: key,
                        expired: item.expires_at * 1000 <= now_ms,
                        watched,
                    });
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(found)
    }

    async fn claim_stuck(&self, due: &Overdue, sweep: SweepAsk) -> Result<bool, StateError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&due.item))
            .condition_expression(CLAIM_STUCK)
            .update_expression("SET sweep_owner = :owner, sweep_lease = :lease")
            .expression_attribute_values(":s", s(&due.watched.status))
            .expression_attribute_values(":since", n(due.watched.since_ms))
            .expression_attribute_values(":now_ms", n(sweep.now_ms))
            .expression_attribute_values(":now_s", n(sweep.now_ms / 1000))
            .expression_attribute_values(":owner", owner(sweep.owner))
            .expression_attribute_values(":lease", n(sweep.lease_until_ms))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match conditional(error, "UpdateItem") {
                None => Ok(false),
                Some(error) => Err(error),
            },
        }
    }

    async fn told_stuck(&self, due: &Overdue, token: u64) -> Result<(), StateError> {
        let values = [
            (":s", s(&due.watched.status)),
            (":since", n(due.watched.since_ms)),
            (":owner", owner(token)),
        ];
        self.update_if(
            &due.item,
            "sweep_owner = :owner AND watch_since = :since",
            "SET stuck_status = :s, stuck_since = :since \
             REMOVE watch_pk, due_ms, sweep_owner, sweep_lease",
            values,
        )
        .await
    }

    async fn release_stuck(&self, due: &Overdue, token: u64) -> Result<(), StateError> {
        let values = [(":owner", owner(token))];
        self.update_if(
            &due.item,
            "sweep_owner = :owner",
            "REMOVE sweep_owner, sweep_lease",
            values,
        )
        .await
    }

    async fn unwatch(&self, due: &Overdue) -> Result<(), StateError> {
        let values = [(":since", n(due.watched.since_ms))];
        self.update_if(
            &due.item,
            "watch_since = :since",
            "REMOVE watch_pk, due_ms",
            values,
        )
        .await
    }

    async fn note_blocked(&self, item: &str, code: &str) -> Result<(), StateError> {
        let values = [(":s", s(IN_LINE)), (":code", s(code))];
        self.update_if(
            item,
            "watch_status = :s",
            "SET blocked_code = :code",
            values,
        )
        .await
    }

    async fn move_children(&self, move_: &ChildMove) -> Result<Option<Item>, StateError> {
        if self.moves.made(move_) {
            return Ok(None);
        }
        // A child RUNNING ends a STARTING stay too; a child STARTING only the RUNNABLE one.
        let ended = if move_.ends("STARTING") {
            "STARTING"
        } else {
            "RUNNABLE"
        };
        let mut values = HashMap::from([
            (":pending".to_owned(), s(ARRAY_WAITING)),
            (":runnable".to_owned(), s("RUNNABLE")),
            (":ended".to_owned(), s(ended)),
            (":t".to_owned(), n(move_.time_ms)),
            (":now_s".to_owned(), n(move_.now_ms / 1000)),
        ]);
        let ends = "sweep_owner, sweep_lease, stuck_status, stuck_since, blocked_code";
        let update = match move_.next_due_ms {
            Some(due_ms) => {
                values.insert(":wpk".to_owned(), s(WATCH_PARTITION));
                values.insert(":due".to_owned(), n(due_ms));
                values.insert(":ws".to_owned(), s(&move_.status));
                let mut set = String::from(
                    "SET watch_pk = :wpk, due_ms = :due, watch_status = :ws, watch_since = :t",
                );
                // The facts a told stay's item still has are kept; the child's fill the gaps.
                for (field, value) in job_fields(&move_.job) {
                    if let (Some(value), false) = (value, field == "blocked_code") {
                        set.push_str(&format!(", {field} = if_not_exists({field}, :{field})"));
                        values.insert(format!(":{field}"), s(value));
                    }
                }
                if let Some(array) = move_.job.array {
                    set.push_str(", array_size = if_not_exists(array_size, :array_size)");
                    values.insert(":array_size".to_owned(), array_size(array));
                }
                format!("{set} REMOVE {ends}")
            }
            None => format!("REMOVE watch_pk, due_ms, watch_status, watch_since, {ends}"),
        };
        let before = self
            .update_answering_old(&move_.parent, MOVE_CHILDREN, update, values)
            .await?;
        // Moved, or nothing to move: either way the next child's move would find nothing.
        self.moves.note(move_);
        Ok(before)
    }

    async fn count_failed_child(&self, child: &FailedChild) -> Result<Counted, StateError> {
        // The counter is for the parent's final notification; the set of told indexes decides.
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&child.parent))
            .update_expression("ADD failed_children :one SET expires_at = :exp")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(child.expires_at))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| state_error(e, "UpdateItem"))?;
        let parent = item_from(out.attributes.unwrap_or_default());
        if parent.told_children.contains(&child.index) {
            return Ok(Counted::Told);
        }
        if !parent.tells(child) {
            return Ok(Counted::OverCap);
        }
        // Another child may take the last place meanwhile: the condition settles it. Adding to a
        // set twice leaves one element, so a retried request keeps its place.
        let index = AttributeValue::Ns(vec![child.index.to_string()]);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&child.parent))
            .condition_expression(TELLS_CHILD)
            .update_expression("ADD told_children :index")
            .expression_attribute_values(":index", index)
            .expression_attribute_values(":i", n(child.index as i64))
            .expression_attribute_values(":cap", n(i64::from(child.cap)))
            .send()
            .await;
        match result.map_err(|e| conditional(e, "UpdateItem")) {
            Ok(_) => Ok(Counted::Told),
            Err(None) => Ok(Counted::OverCap),
            Err(Some(error)) => Err(error),
        }
    }

    async fn finish(&self, ask: &Ask, progress: &Progress) -> Result<(), StateError> {
        let (state, field, value) = match progress {
            Progress::Published { message_id } => (PUBLISHED, "message_id", message_id),
            Progress::Skipped { reason } => (SKIPPED, "skip_reason", reason),
            // Nothing calls it so; a lease is only ever set by a claim.
            Progress::InProgress { .. } => return Ok(()),
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&ask.item))
            .update_expression(format!(
                "SET claim_state = :state, {field} = :value REMOVE lease_until{}",
                if ask.ends_stuck && state == PUBLISHED {
                    ", stuck_status, stuck_since"
                } else {
                    ""
                }
            ))
            .condition_expression(OURS)
            .expression_attribute_values(":state", s(state))
            .expression_attribute_values(":value", s(value))
            .expression_attribute_values(":k", s(&ask.key))
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await;
        ignore_lost_claim(result.map(|_| ()).map_err(|e| conditional(e, "UpdateItem")))
    }

    async fn release(&self, ask: &Ask, counted: Option<Counted>) -> Result<(), StateError> {
        let result = if ask.order.is_none() {
            self.client
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(&ask.item))
                .condition_expression(OURS)
                .expression_attribute_values(":k", s(&ask.key))
                .expression_attribute_values(":in_progress", s(IN_PROGRESS))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| conditional(e, "DeleteItem"))
        } else {
            let mut update = "REMOVE claim_state, lease_until".to_owned();
            let mut call = self
                .client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(&ask.item))
                .condition_expression(OURS)
                .expression_attribute_values(":k", s(&ask.key))
                .expression_attribute_values(":in_progress", s(IN_PROGRESS));
            if let Some(counted) = counted {
                update.push_str(" SET child_counted = :counted");
                call = call.expression_attribute_values(":counted", s(counted.as_str()));
            }
            call.update_expression(update)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| conditional(e, "UpdateItem"))
        };
        ignore_lost_claim(result)
    }
}

/// A claim that is no longer ours has nothing left to mark.
fn ignore_lost_claim(result: Result<(), Option<StateError>>) -> Result<(), StateError> {
    match result {
        Err(Some(error)) => Err(error),
        _ => Ok(()),
    }
}

/// The update of a job's item for `order`: `set` and the first entry into a waiting state; the
/// watch's attributes set when the job is now in a watched state, removed otherwise; a sweep's
/// claim of an earlier stay removed; and `remove`'s own (each followed by `, `).
fn job_update(set: &str, ask: &Ask, order: &Transition, remove: &str) -> String {
    let (watch_set, watch_remove) = match &ask.watch {
        Some(watch) => {
            let mut sets = String::from(
                ", watch_pk = :wpk, due_ms = :due, watch_status = :ws, watch_since = :t",
            );
            let mut removes = String::new();
            for (field, value) in job_fields(&watch.job) {
                match value {
                    Some(_) => sets.push_str(&format!(", {field} = :{field}")),
                    None => removes.push_str(&format!("{field}, ")),
                }
            }
            match watch.job.array {
                Some(_) => sets.push_str(", array_size = :array_size"),
                None => removes.push_str("array_size, "),
            }
            (sets, removes)
        }
        None => (
            String::new(),
            "watch_pk, due_ms, watch_status, watch_since, ".to_owned(),
        ),
    };
    format!(
        "{set}{}{watch_set} REMOVE {remove}{watch_remove}sweep_owner, sweep_lease",
        set_entered(order)
    )
}

fn job_fields(job: &JobFacts) -> [(&'static str, Option<&String>); 4] {
    [
        ("job_name", job.name.as_ref()),
        ("job_queue", job.queue.as_ref()),
        ("job_definition", job.definition.as_ref()),
        ("blocked_code", job.blocked.as_ref()),
    ]
}

/// The watch's values beside `values`.
fn with_watch(
    mut values: HashMap<String, AttributeValue>,
    ask: &Ask,
) -> HashMap<String, AttributeValue> {
    if let Some(watch) = &ask.watch {
        values.insert(":wpk".to_owned(), s(WATCH_PARTITION));
        values.insert(":due".to_owned(), n(watch.due_ms));
        values.insert(":ws".to_owned(), s(&watch.status));
        for (field, value) in job_fields(&watch.job) {
            if let Some(value) = value {
                values.insert(format!(":{field}"), s(value));
            }
        }
        if let Some(array) = watch.job.array {
            values.insert(":array_size".to_owned(), array_size(array));
        }
    }
    values
}

/// Keeps the first time the job entered the waiting state `order` is in, if it is one.
fn set_entered(order: &Transition) -> &'static str {
    match order.entered() {
        Some(Waiting::Runnable) => ", runnable_ms = if_not_exists(runnable_ms, :t)",
        Some(Waiting::Starting) => ", starting_ms = if_not_exists(starting_ms, :t)",
        None => "",
    }
}

fn job_claim_values(ask: &Ask, order: &Transition) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":now_s".to_owned(), n(ask.now_ms / 1000)),
        (":now_ms".to_owned(), n(ask.now_ms)),
        (":t".to_owned(), n(order.time_ms)),
        (":r".to_owned(), n(i64::from(order.rank))),
        (":s".to_owned(), s(&order.status)),
        (":tt".to_owned(), s(&order.time)),
        (":k".to_owned(), s(&ask.key)),
        (":in_progress".to_owned(), s(IN_PROGRESS)),
        (":lease".to_owned(), n(ask.lease_until_ms)),
        (":owner".to_owned(), owner(ask.owner)),
        (":exp".to_owned(), n(ask.expires_at)),
    ])
}

/// An array job's size as its item keeps it: 0 when its event did not say.
fn array_size(array: ArrayFacts) -> AttributeValue {
    n(array
        .size
        .map_or(0, |size| i64::try_from(size).unwrap_or(i64::MAX)))
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// An invocation's token, as 16 hex digits (a number attribute would round it past 2^53 in tools
/// that read numbers as doubles).
fn owner(token: u64) -> AttributeValue {
    AttributeValue::S(format!("{token:016x}"))
}

/// The item as the table holds it; an attribute of the wrong type counts as absent.
fn item_from(mut map: HashMap<String, AttributeValue>) -> Item {
    let mut text = |name: &str| match map.remove(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    };
    let (claim_key, claim_state) = (text("claim_key"), text("claim_state"));
    let (message_id, skip_reason) = (text("message_id"), text("skip_reason"));
    let (latest_status, latest_time) = (text("latest_status"), text("latest_time"));
    let hex = |value: Option<String>| value.and_then(|hex| u64::from_str_radix(&hex, 16).ok());
    let claim_owner = hex(text("claim_owner"));
    let sweep_owner = hex(text("sweep_owner"));
    let (watch_status, stuck_status) = (text("watch_status"), text("stuck_status"));
    let (name, queue) = (text("job_name"), text("job_queue"));
    let (definition, blocked) = (text("job_definition"), text("blocked_code"));
    let child_counted = text("child_counted");
    let told_children: BTreeSet<u64> = match map.remove("told_children") {
        Some(AttributeValue::Ns(indexes)) => {
            indexes.iter().filter_map(|i| i.parse().ok()).collect()
        }
        _ => BTreeSet::new(),
    };
    let number = |name: &str| match map.get(name) {
        Some(AttributeValue::N(value)) => value.parse::<i64>().ok(),
        _ => None,
    };
    let job = JobFacts {
        name,
        queue,
        definition,
        blocked,
        array: number("array_size").map(|size| ArrayFacts {
            size: u64::try_from(size).ok().filter(|&size| size > 0),
        }),
    };
    let progress = match claim_state.as_deref() {
        Some(IN_PROGRESS) => Some(Progress::InProgress {
            lease_until_ms: number("lease_until").unwrap_or(0),
        }),
        Some(PUBLISHED) => Some(Progress::Published {
            message_id: message_id.unwrap_or_default(),
        }),
        Some(SKIPPED) => Some(Progress::Skipped {
            reason: skip_reason.unwrap_or_default(),
        }),
        _ => None,
    };
    let latest = match (
        latest_status,
        latest_time,
        number("latest_ms"),
        number("latest_rank"),
    ) {
        (Some(status), Some(time), Some(time_ms), Some(rank)) => Some(Transition {
            status,
            time,
            time_ms,
            rank: u32::try_from(rank).unwrap_or(0),
        }),
        _ => None,
    };
    // Only a stay told stuck keeps a copy of the facts.
    let stuck = (stuck_status.zip(number("stuck_since"))).map(|(status, since_ms)| Stuck {
        status,
        since_ms,
        job: job.clone(),
    });
    Item {
        latest,
        claim: claim_key.zip(progress).map(|(key, progress)| Claim {
            key,
            progress,
            owner: claim_owner.unwrap_or(0),
        }),
        failed_children: number("failed_children").map_or(0, |v| v.max(0) as u64),
        counted: child_counted.as_deref().and_then(Counted::named),
        told_children,
        expires_at: number("expires_at").unwrap_or(i64::MAX / 1000),
        entered: Entered {
            runnable_ms: number("runnable_ms"),
            starting_ms: number("starting_ms"),
        },
        // Only an item in the index (with `watch_pk`) is watched; a told one keeps its status.
        watch: match (watch_status, number("watch_since"), number("due_ms")) {
            (Some(status), Some(since_ms), Some(due_ms)) if map.contains_key("watch_pk") => {
                Some(Watched {
                    status,
                    since_ms,
                    due_ms,
                    job,
                })
            }
            _ => None,
        },
        sweep: sweep_owner.map(|owner| SweepClaim {
            owner,
            lease_until_ms: number("sweep_lease").unwrap_or(0),
        }),
        stuck,
    }
}

/// `None` for a failed condition (an answer, not an error), the error otherwise.
fn conditional<E, R>(error: SdkError<E, R>, operation: &'static str) -> Option<StateError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if error.code() == Some("ConditionalCheckFailedException") {
        return None;
    }
    Some(state_error(error, operation))
}

fn state_error<E, R>(error: SdkError<E, R>, operation: &'static str) -> StateError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = describe(&error, "DynamoDB");
    StateError {
        operation,
        code,
        message,
    }
}
