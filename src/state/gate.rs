//! The gate between the decision and the publish: claims what happened before it is told, skips
//! what was told already or is stale, caps a flood of failed children, and afterwards marks the
//! claim published or gives it up. Generic over the store, so `preview` (in memory) and the
//! handler (DynamoDB) go through the same steps.

use crate::config::{Settings, StateFailure};
use crate::decide::{Skip, SkipKind};
use crate::model::{Fact, Notification};

use super::item::{Ask, Lost, Progress};
use super::plan::{Plan, plan};
use super::port::{Claimed, StateError, StateStore};

/// The times a claim is made under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub now_ms: i64,
    /// The invocation's deadline: a claim's lease ends there.
    pub lease_until_ms: i64,
}

/// What the gate says of an event that the settings would publish.
#[derive(Debug)]
pub enum Gate {
    /// Publish it; afterwards settle the ticket, if there is one.
    Go(Admitted),
    Skip(Skip),
    /// Fail the invocation so that it is retried later.
    Refuse(Refusal),
}

#[derive(Debug, Default)]
pub struct Admitted {
    pub ticket: Option<Ticket>,
    /// The table could not be reached and `STATE_FAILURE=publish`: published without it.
    pub unavailable: Option<StateError>,
}

/// A claim to settle once the publish has ended.
#[derive(Debug)]
pub struct Ticket {
    ask: Ask,
    counted_as: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(
        "another invocation is publishing this event (its claim on {item} lasts until {lease_until_ms} ms after the epoch); it is retried later"
    )]
    InProgress { item: String, lease_until_ms: i64 },
    #[error("{0} (STATE_FAILURE=fail)")]
    Unavailable(StateError),
}

/// Asks the store about `n` before it is published. `n` gains the count of its failed children
/// when it is an array or multi-node job's final event.
pub async fn admit<S: StateStore>(
    store: Option<&S>,
    n: &mut Notification,
    settings: &Settings,
    clock: Clock,
) -> Gate {
    let (Some(store), Some(plan)) = (store, plan(n, settings)) else {
        return Gate::Go(Admitted::default());
    };
    let ask = Ask {
        item: plan.item.clone(),
        key: plan.key.clone(),
        order: plan.order.clone(),
        lease_until_ms: clock.lease_until_ms,
        expires_at: clock.now_ms / 1000 + i64::from(settings.state_ttl_days) * 86_400,
        now_ms: clock.now_ms,
    };
    let item = match store.claim(&ask).await {
        Ok(Claimed::Won(item)) => item,
        Ok(Claimed::Lost(lost)) => return lost_gate(lost, ask),
        Err(error) => return unavailable(error, settings),
    };
    if plan.tells_children {
        n.facts.push(children_told(
            n,
            item.failed_children,
            settings.child_failures_max,
        ));
    }
    let mut ticket = Ticket {
        ask,
        counted_as: None,
    };
    if let Some(parent) = &plan.failed_child_of {
        let place = match item.counted_as {
            Some(place) => Ok(place),
            None => {
                store
                    .count_failed_child(parent, ticket.ask.expires_at)
                    .await
            }
        };
        match place {
            Ok(place) => ticket.counted_as = Some(place),
            Err(error) => {
                // Nothing was published: give the claim up so that a retry may take it.
                let _ = store.release(&ticket.ask, None).await;
                return unavailable(error, settings);
            }
        }
        if let Some(skip) = over_cap(n, &plan, ticket.counted_as, settings.child_failures_max) {
            let decided = Progress::Skipped {
                reason: skip.reason.clone(),
            };
            return match store.finish(&ticket.ask, &decided).await {
                Ok(()) => Gate::Skip(skip),
                Err(error) => unavailable(error, settings),
            };
        }
    }
    Gate::Go(Admitted {
        ticket: Some(ticket),
        unavailable: None,
    })
}

/// After the publish: marks the claim published, or gives it up when the publish failed.
pub async fn settle<S: StateStore>(
    store: Option<&S>,
    ticket: Ticket,
    published: Option<&str>,
) -> Result<(), StateError> {
    let Some(store) = store else {
        return Ok(());
    };
    match published {
        Some(message_id) => {
            let progress = Progress::Published {
                message_id: message_id.to_owned(),
            };
            store.finish(&ticket.ask, &progress).await
        }
        None => store.release(&ticket.ask, ticket.counted_as).await,
    }
}

fn lost_gate(lost: Lost, ask: Ask) -> Gate {
    let (kind, reason) = match lost {
        Lost::Published { message_id } => (
            SkipKind::Duplicate,
            format!("already published as {message_id}"),
        ),
        Lost::Skipped { reason } => (SkipKind::Duplicate, format!("already decided: {reason}")),
        Lost::Stale { reason } => (SkipKind::Stale, reason),
        Lost::InProgress { lease_until_ms } => {
            return Gate::Refuse(Refusal::InProgress {
                item: ask.item,
                lease_until_ms,
            });
        }
    };
    Gate::Skip(Skip { kind, reason })
}

fn unavailable(error: StateError, settings: &Settings) -> Gate {
    match settings.state_failure {
        StateFailure::Publish => Gate::Go(Admitted {
            ticket: None,
            unavailable: Some(error),
        }),
        StateFailure::Fail => Gate::Refuse(Refusal::Unavailable(error)),
    }
}

fn over_cap(n: &Notification, plan: &Plan, place: Option<u64>, cap: u32) -> Option<Skip> {
    let place = place?;
    if place <= u64::from(cap) || plan.failed_child_of.is_none() {
        return None;
    }
    let (what, index, _) = n.child()?;
    let job = n.resource.name.as_deref().unwrap_or("(unnamed)");
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    Some(Skip {
        kind: SkipKind::ChildFailuresCapped,
        reason: format!(
            "{what} {index} of {job} is {status}: {cap} failed children of this job were notified already (CHILD_FAILURES_MAX={cap}); its final notification counts the rest"
        ),
    })
}

/// "4 of 20 (CHILD_FAILURES_MAX=4: the rest only counted)": how many failed children were told
/// one by one, of how many failed.
fn children_told(n: &Notification, counted: u64, cap: u32) -> Fact {
    let failed = n
        .array
        .as_ref()
        .and_then(|a| a.status_summary.as_ref())
        .and_then(|summary| summary.get("FAILED").copied())
        .unwrap_or(counted)
        .max(counted);
    let told = counted.min(u64::from(cap));
    let value = if counted > u64::from(cap) {
        format!("{told} of {failed} (CHILD_FAILURES_MAX={cap}: the rest only counted)")
    } else {
        format!("{told} of {failed}")
    };
    Fact {
        key: "failed_children_notified",
        label: "Failed children notified",
        value,
    }
}
