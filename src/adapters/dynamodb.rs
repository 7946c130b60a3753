//! The DynamoDB store. One item per key (`pk`, a string); README.md describes the attributes. A
//! claim is one conditional write whose condition is [`judge`] in DynamoDB's expression language;
//! when it fails, one consistent read says why, by [`judge`] itself.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::adapters::sdk_error::describe;
use crate::ports::state::{
    Ask, CALL_BOUND, Claim, Claimed, Entered, Item, Progress, StateError, StateStore, Transition,
    Waiting, judge,
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
     OR (latest_ms = :t AND latest_rank = :r AND (attribute_not_exists(claim_state) \
         OR (claim_state = :in_progress AND (lease_until <= :now_ms \
             OR (claim_owner = :owner AND claim_key = :k)))))";
const SET_JOB_CLAIM: &str = "SET latest_ms = :t, latest_rank = :r, latest_status = :s, latest_time = :tt, \
     claim_key = :k, claim_state = :in_progress, claim_owner = :owner, lease_until = :lease, expires_at = :exp";
const REMOVE_OLD_PROGRESS: &str = " REMOVE message_id, skip_reason";
/// Records a transition that is not told: newer ones only, and no claim.
const RECORD_JOB: &str = "attribute_not_exists(pk) OR expires_at <= :now_s \
     OR attribute_not_exists(latest_ms) OR latest_ms < :t OR (latest_ms = :t AND latest_rank < :r)";
const SET_JOB_LATEST: &str = "SET latest_ms = :t, latest_rank = :r, latest_status = :s, latest_time = :tt, expires_at = :exp";
/// Claims one event's item.
const CLAIM_EVENT: &str = "attribute_not_exists(pk) OR expires_at <= :now_s \
     OR attribute_not_exists(claim_state) OR (claim_state = :in_progress AND (lease_until <= :now_ms \
         OR (claim_owner = :owner AND claim_key = :k)))";
/// The claim is still this invocation's.
const OURS: &str = "claim_key = :k AND claim_state = :in_progress";

pub struct DynamoStore {
    client: Client,
    table: String,
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
                .update_expression(format!(
                    "{SET_JOB_CLAIM}{}{REMOVE_OLD_PROGRESS}",
                    set_entered(order)
                ))
                .set_expression_attribute_values(Some(job_claim_values(ask, order)))
                .return_values(ReturnValue::AllNew)
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
}

impl StateStore for DynamoStore {
    async fn claim(&self, ask: &Ask) -> Result<Claimed, StateError> {
        for _ in 0..CLAIM_ROUNDS {
            if let Some(item) = self.try_claim(ask).await? {
                return Ok(Claimed::Won(item));
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

    async fn record(&self, ask: &Ask) -> Result<(), StateError> {
        let Some(order) = &ask.order else {
            return Ok(());
        };
        let values = HashMap::from([
            (":now_s".to_owned(), n(ask.now_ms / 1000)),
            (":t".to_owned(), n(order.time_ms)),
            (":r".to_owned(), n(i64::from(order.rank))),
            (":s".to_owned(), s(&order.status)),
            (":tt".to_owned(), s(&order.time)),
            (":exp".to_owned(), n(ask.expires_at)),
        ]);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&ask.item))
            .condition_expression(RECORD_JOB)
            .update_expression(format!("{SET_JOB_LATEST}{}", set_entered(order)))
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        // A failed condition is a stale transition: there is nothing to record.
        ignore_lost_claim(result.map(|_| ()).map_err(|e| conditional(e, "UpdateItem")))
    }

    async fn count_failed_child(
        &self,
        parent_item: &str,
        expires_at: i64,
    ) -> Result<u64, StateError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(parent_item))
            .update_expression("ADD failed_children :one SET expires_at = :exp")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(expires_at))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| state_error(e, "UpdateItem"))?;
        Ok(item_from(out.attributes.unwrap_or_default()).failed_children)
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
                "SET claim_state = :state, {field} = :value REMOVE lease_until"
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

    async fn release(&self, ask: &Ask, counted_as: Option<u64>) -> Result<(), StateError> {
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
            if let Some(place) = counted_as {
                update.push_str(" SET counted_as = :place");
                call = call.expression_attribute_values(":place", n(place as i64));
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
    let claim_owner = text("claim_owner").and_then(|hex| u64::from_str_radix(&hex, 16).ok());
    let number = |name: &str| match map.get(name) {
        Some(AttributeValue::N(value)) => value.parse::<i64>().ok(),
        _ => None,
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
    Item {
        latest,
        claim: claim_key.zip(progress).map(|(key, progress)| Claim {
            key,
            progress,
            owner: claim_owner.unwrap_or(0),
        }),
        failed_children: number("failed_children").map_or(0, |v| v.max(0) as u64),
        counted_as: number("counted_as").map(|v| v.max(0) as u64),
        expires_at: number("expires_at").unwrap_or(i64::MAX / 1000),
        entered: Entered {
            runnable_ms: number("runnable_ms"),
            starting_ms: number("starting_ms"),
        },
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
