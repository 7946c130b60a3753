//! The gate between the decision and the publish: claims what happened before it is told, skips
//! what was told already or is stale, caps a flood of failed children, and afterwards marks the
//! claim published or gives it up. Generic over the store, so `preview` (in memory) and the
//! handler (DynamoDB) go through the same steps.

use crate::config::{Settings, StateFailure};
use crate::domain::decision::{Skip, SkipKind};
use crate::domain::model::{Fact, Notification};

use crate::pipeline::classify::story::split_wait;
use crate::pipeline::classify::stuck::moved_on;
use crate::ports::state::{
    Ask, Claimed, Counted, FailedChild, Item, Lost, Progress, StateError, StateStore, Stuck,
};

mod plan;

pub use plan::{Plan, child_move, plan};

/// The times a claim is made under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub now_ms: i64,
    /// The invocation's deadline: a claim's lease ends there.
    pub lease_until_ms: i64,
    /// Whose claim it is: a digest of the invocation's request id (and of the SQS record's
    /// message id in a batch), so that a retried write knows its own claim.
    pub owner: u64,
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
    counted: Option<Counted>,
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
/// when it is an array or multi-node job's final event, and the follow-up of a stay told stuck
/// that it ends: the one on the claim's item, or `ended`, the one [`record`] found (the claim's
/// item no longer shows a stay that a sweep was telling when the transition came).
pub async fn admit<S: StateStore>(
    store: &S,
    n: &mut Notification,
    settings: &Settings,
    clock: Clock,
    ended: Option<Stuck>,
) -> Gate {
    if !store.remembers() {
        return Gate::Go(Admitted::default());
    }
    let plan = plan(n, settings);
    let (tells_children, failed_child_of) = (plan.tells_children, plan.failed_child_of.clone());
    let mut ask = ask(plan, settings, clock);
    let item = match store.claim(&ask).await {
        Ok(Claimed::Won(item)) => item,
        Ok(Claimed::Lost(lost)) => return lost_gate(lost, ask),
        Err(error) => return unavailable(error, settings),
    };
    if let Some(order) = &ask.order
        && let Some(stuck) = item.stuck_before(order, ask.now_ms).or(ended)
    {
        moved_on(n, &stuck, order.time_ms);
        ask.ends_stuck = true;
    }
    if n.timing.is_some() {
        split_wait(n, item.entered.runnable_ms, item.entered.starting_ms);
    }
    if tells_children {
        n.facts
            .push(children_told(n, &item, settings.state.child_failures_max));
    }
    let mut ticket = Ticket { ask, counted: None };
    if let Some((parent, index)) = failed_child_of {
        let counted = match item.counted {
            Some(counted) => Ok(counted),
            None => {
                let failed = FailedChild {
                    parent,
                    index,
                    cap: settings.state.child_failures_max,
                    expires_at: ticket.ask.expires_at,
                };
                store.count_failed_child(&failed).await
            }
        };
        match counted {
            Ok(counted) => ticket.counted = Some(counted),
            Err(error) => {
                // Nothing was published: give the claim up so that a retry may take it.
                let _ = store.release(&ticket.ask, None).await;
                return unavailable(error, settings);
            }
        }
        if let Some(skip) = over_cap(n, ticket.counted, settings.state.child_failures_max) {
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

/// Records a job's transition that the settings do not tell on its item, so that the item knows
/// the job's latest status and when it entered RUNNABLE and STARTING (the final notification's
/// timing reads them): at most one write. Nothing for an event that is not a job's transition,
/// nor for an array job's children or a multi-node job's nodes (their parent tells their story,
/// and a flood of them would cost a write each). A table that cannot be reached costs only this
/// record: the error is reported, the event stays skipped. `Ok(Some(stay))`: the transition ends
/// a stay that was told stuck, so it is told after all (through [`admit`]), to say how long
/// it lasted.
pub async fn record<S: StateStore>(
    store: &S,
    n: &Notification,
    settings: &Settings,
    clock: Clock,
) -> Result<Option<Stuck>, StateError> {
    if !store.remembers() || n.child().is_some() {
        return Ok(None);
    }
    let plan = plan(n, settings);
    let Some(order) = plan.order.clone() else {
        return Ok(None);
    };
    let ask = ask(plan, settings, clock);
    let recorded = store.record(&ask).await?;
    Ok((recorded.item).and_then(|item| item.stuck_before(&order, clock.now_ms)))
}

/// Moves an array job's watch on when `n`, one of its children, starts or runs (one conditional
/// write, only while a stay it ends is watched). `Ok(Some(stay))`: the move ends a stay that was
/// told stuck, so the child's transition is told after all (through [`admit`]), to say how long
/// its array job's children waited.
pub async fn move_children<S: StateStore>(
    store: &S,
    n: &Notification,
    settings: &Settings,
    clock: Clock,
) -> Result<Option<Stuck>, StateError> {
    if !store.remembers() {
        return Ok(None);
    }
    let Some(move_) = child_move(n, settings, clock.now_ms) else {
        return Ok(None);
    };
    let before = store.move_children(&move_).await?;
    Ok(before.and_then(|item| item.stuck_before(&move_.transition(), clock.now_ms)))
}

/// Keeps a blocked queue's reason on the item of the job it blocks, for that job's stuck notice
/// (one write, only for a blocked queue's event while the watch watches RUNNABLE). A table that
/// cannot keep it costs the notice that line, never the event: the error is reported.
pub async fn note_blocked<S: StateStore>(
    store: &S,
    n: &Notification,
    settings: &Settings,
) -> Result<(), StateError> {
    if !store.remembers() {
        return Ok(());
    }
    match plan::blocked(n, settings) {
        Some((item, code)) => store.note_blocked(&item, &code).await,
        None => Ok(()),
    }
}

fn ask(plan: Plan, settings: &Settings, clock: Clock) -> Ask {
    Ask {
        item: plan.item,
        key: plan.key,
        order: plan.order,
        lease_until_ms: clock.lease_until_ms,
        expires_at: clock.now_ms / 1000 + i64::from(settings.state.ttl_days) * 86_400,
        now_ms: clock.now_ms,
        owner: clock.owner,
        watch: plan.watch.map(Box::new),
        ends_stuck: false,
    }
}

/// After the publish: marks the claim published, or gives it up when the publish failed.
pub async fn settle<S: StateStore>(
    store: &S,
    ticket: Ticket,
    published: Option<&str>,
) -> Result<(), StateError> {
    match published {
        Some(message_id) => {
            let progress = Progress::Published {
                message_id: message_id.to_owned(),
            };
            store.finish(&ticket.ask, &progress).await
        }
        None => store.release(&ticket.ask, ticket.counted).await,
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
    match settings.state.failure {
        StateFailure::Publish => Gate::Go(Admitted {
            ticket: None,
            unavailable: Some(error),
        }),
        StateFailure::Fail => Gate::Refuse(Refusal::Unavailable(error)),
    }
}

/// Why a failed child is not notified, when its count put it over the cap.
fn over_cap(n: &Notification, counted: Option<Counted>, cap: u32) -> Option<Skip> {
    if counted? == Counted::Told {
        return None;
    }
    let child = n
        .child()?
        .of(n.resource.name.as_deref().unwrap_or("(unnamed)"));
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    Some(Skip {
        kind: SkipKind::ChildFailuresCapped,
        reason: format!(
            "{child} is {status}: {cap} failed children of this job were notified already (CHILD_FAILURES_MAX={cap}); its final notification counts the rest"
        ),
    })
}

/// "4 of 20 (CHILD_FAILURES_MAX=4: the rest only counted)": how many failed children were told
/// one by one, of how many failed. An array job's own count of its failed children is exact; the
/// parent item's counter, which a retried request may have counted twice, serves where there is
/// none (a multi-node job's nodes).
fn children_told(n: &Notification, parent: &Item, cap: u32) -> Fact {
    let told = parent.told_children.len() as u64;
    let failed = n
        .array
        .as_ref()
        .and_then(|a| a.status_summary.as_ref())
        .and_then(|summary| summary.get("FAILED").copied())
        .unwrap_or(parent.failed_children)
        .max(told);
    let value = if failed > told && told >= u64::from(cap) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Mode, from_lookup};
    use crate::domain::model::{
        ArrayJob, Family, Outcome, Resource, ResourceKind, Severity, Status,
    };
    use crate::ports::state::{ChildMove, Item, MemoryStore, Overdue, Recorded, SweepAsk};

    const NOW: i64 = 1_700_000_000_000;
    const CLOCK: Clock = Clock {
        now_ms: NOW,
        lease_until_ms: NOW + 30_000,
        owner: 1,
    };

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        from_lookup(lookup, Mode::Preview).unwrap()
    }

    /// A job event as classification leaves it: `job` with `status` at `time`; `child` of `parent`.
    fn job(id: &str, status: &str, time: &str, child: Option<(&str, u64)>) -> Notification {
        let terminal = matches!(status, "SUCCEEDED" | "FAILED");
        Notification {
            event_id: Some(format!("{id}-{status}-{time}")),
            family: Family::BatchJobState,
            source: "aws.batch".into(),
            detail_type: "Batch Job State Change".into(),
            event_name: "Batch Job State Change".into(),
            time: Some(time.into()),
            account: None,
            account_name: None,
            region: None,
            severity: Severity::Info,
            severity_reasons: Vec::new(),
            outcome: if status == "FAILED" {
                Outcome::Failed
            } else {
                Outcome::InProgress
            },
            summary: String::new(),
            resource: Resource {
                kind: ResourceKind::Job,
                name: Some("align".into()),
                id: Some(id.into()),
                arn: None,
            },
            action: None,
            actor: None,
            status: Some(Status {
                value: status.into(),
                reason: None,
                terminal: Some(terminal),
            }),
            array: Some(ArrayJob {
                parent_id: child.map_or(id, |(parent, _)| parent).into(),
                index: child.map(|(_, index)| index),
                size: Some(100),
                status_summary: None,
            }),
            node: None,
            error: None,
            timing: None,
            attempts: Vec::new(),
            failure: None,
            retry: None,
            blocked: None,
            facts: Vec::new(),
            links: Vec::new(),
            log_lines: Vec::new(),
            unavailable: Vec::new(),
            cloudtrail_event_id: None,
            thread_key: String::new(),
            detail: Default::default(),
            item_failures: 0,
            tasks: None,
            log: None,
        }
    }

    /// Runs a future of the in-memory store or the unreachable one, which never wait.
    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("a store in these tests never waits"),
        }
    }

    /// Admits `n` and, when it goes, settles it as published with `message_id`.
    fn tell(
        store: &MemoryStore,
        n: &mut Notification,
        settings: &Settings,
        message_id: &str,
    ) -> Gate {
        run(async {
            let gate = admit(store, n, settings, CLOCK, None).await;
            if let Gate::Go(Admitted {
                ticket: Some(ticket),
                ..
            }) = gate
            {
                settle(store, ticket, Some(message_id)).await.unwrap();
                return Gate::Go(Admitted::default());
            }
            gate
        })
    }

    fn skip_reason(gate: Gate) -> String {
        match gate {
            Gate::Skip(skip) => skip.reason,
            other => panic!("not skipped: {other:?}"),
        }
    }

    #[test]
    fn a_duplicate_is_skipped_naming_the_message_it_was_published_as() {
        let (store, settings) = (MemoryStore::default(), settings(&[]));
        let mut n = job("j1", "RUNNING", "2024-05-01T10:01:00Z", None);
        assert!(matches!(
            tell(&store, &mut n.clone(), &settings, "m-1"),
            Gate::Go(_)
        ));
        assert_eq!(
            skip_reason(tell(&store, &mut n, &settings, "m-2")),
            "already published as m-1"
        );
    }

    #[test]
    fn a_live_claim_refuses_and_a_failed_publish_gives_the_claim_up() {
        let (store, settings) = (MemoryStore::default(), settings(&[]));
        let n = job("j1", "FAILED", "2024-05-01T10:01:00Z", None);
        run(async {
            let Gate::Go(first) = admit(&store, &mut n.clone(), &settings, CLOCK, None).await
            else {
                panic!()
            };
            let other = Clock { owner: 2, ..CLOCK };
            let second = admit(&store, &mut n.clone(), &settings, other, None).await;
            assert!(
                matches!(second, Gate::Refuse(Refusal::InProgress { .. })),
                "{second:?}"
            );
            // The first invocation's write retried after its answer was lost: its own claim.
            let lost_answer = admit(&store, &mut n.clone(), &settings, CLOCK, None).await;
            assert!(matches!(lost_answer, Gate::Go(_)), "{lost_answer:?}");
            settle(&store, first.ticket.unwrap(), None).await.unwrap();
            let retry = admit(&store, &mut n.clone(), &settings, CLOCK, None).await;
            assert!(
                matches!(
                    retry,
                    Gate::Go(Admitted {
                        ticket: Some(_),
                        ..
                    })
                ),
                "{retry:?}"
            );
        });
    }

    /// Child `index` of array job `p`, FAILED.
    fn failed_child(index: u64) -> Notification {
        let id = format!("p:{index}");
        job(&id, "FAILED", "2024-05-01T10:01:00Z", Some(("p", index)))
    }

    #[test]
    fn failed_children_over_the_cap_are_skipped_and_the_parent_counts_them() {
        let (store, settings) = (
            MemoryStore::default(),
            settings(&[("CHILD_FAILURES_MAX", "2")]),
        );
        let mut told = 0;
        for index in 0..5 {
            let mut child = failed_child(index);
            match tell(&store, &mut child.clone(), &settings, "m") {
                Gate::Go(_) => told += 1,
                Gate::Skip(skip) => {
                    assert_eq!(skip.kind, SkipKind::ChildFailuresCapped);
                    assert_eq!(
                        skip.reason,
                        format!(
                            "child {index} of array job align is FAILED: 2 failed children of this job were notified already (CHILD_FAILURES_MAX=2); its final notification counts the rest"
                        )
                    );
                    // A duplicate of a capped child is not counted again.
                    let again = skip_reason(tell(&store, &mut child, &settings, "m"));
                    assert!(again.starts_with("already decided: child"), "{again}");
                }
                Gate::Refuse(refusal) => panic!("{refusal}"),
            }
        }
        assert_eq!(told, 2);
        assert_eq!(store.item("job#p").unwrap().failed_children, 5);
        let mut parent = job("p", "FAILED", "2024-05-01T10:09:00Z", None);
        assert!(matches!(
            tell(&store, &mut parent, &settings, "m-p"),
            Gate::Go(_)
        ));
        let fact = parent.facts.last().unwrap();
        assert_eq!(
            (fact.label, fact.value.as_str()),
            (
                "Failed children notified",
                "2 of 5 (CHILD_FAILURES_MAX=2: the rest only counted)"
            )
        );
    }

    #[test]
    fn a_retried_failed_child_keeps_its_place_in_the_count() {
        let (store, settings) = (MemoryStore::default(), settings(&[]));
        let child = job("p:3", "FAILED", "2024-05-01T10:01:00Z", Some(("p", 3)));
        run(async {
            let Gate::Go(first) = admit(&store, &mut child.clone(), &settings, CLOCK, None).await
            else {
                panic!()
            };
            settle(&store, first.ticket.unwrap(), None).await.unwrap();
            let Gate::Go(retry) = admit(&store, &mut child.clone(), &settings, CLOCK, None).await
            else {
                panic!()
            };
            assert_eq!(retry.ticket.unwrap().counted, Some(Counted::Told));
        });
        assert_eq!(store.item("job#p").unwrap().failed_children, 1);
    }

    #[test]
    fn a_count_written_twice_still_tells_as_many_children_as_the_cap() {
        // A count whose answer was lost and that was sent again counts its child twice: the
        // counter says so, but the child keeps one place among those told.
        let (store, settings) = (
            MemoryStore::default(),
            settings(&[("CHILD_FAILURES_MAX", "3")]),
        );
        let twice = FailedChild {
            parent: "job#p".into(),
            index: 0,
            cap: 3,
            expires_at: NOW / 1000 + 3600,
        };
        run(async {
            assert_eq!(store.count_failed_child(&twice).await, Ok(Counted::Told));
        });
        let mut told = 0;
        for index in 0..6 {
            let mut child = failed_child(index);
            if matches!(tell(&store, &mut child, &settings, "m"), Gate::Go(_)) {
                told += 1;
            }
        }
        assert_eq!(told, 3);
        let parent = store.item("job#p").unwrap();
        assert_eq!(parent.told_children, [0, 1, 2].into());
        assert_eq!(parent.failed_children, 7);
    }

    /// A table that cannot be reached.
    struct Unreachable;

    fn down() -> StateError {
        StateError {
            operation: "UpdateItem",
            code: None,
            message: "could not reach DynamoDB".into(),
        }
    }

    impl StateStore for Unreachable {
        async fn claim(&self, _: &Ask) -> Result<Claimed, StateError> {
            Err(down())
        }
        async fn record(&self, _: &Ask) -> Result<Recorded, StateError> {
            Err(down())
        }
        async fn overdue(&self, _: i64, _: usize) -> Result<Vec<Overdue>, StateError> {
            Err(down())
        }
        async fn claim_stuck(&self, _: &Overdue, _: SweepAsk) -> Result<bool, StateError> {
            Err(down())
        }
        async fn told_stuck(&self, _: &Overdue, _: u64) -> Result<(), StateError> {
            Err(down())
        }
        async fn release_stuck(&self, _: &Overdue, _: u64) -> Result<(), StateError> {
            Err(down())
        }
        async fn unwatch(&self, _: &Overdue) -> Result<(), StateError> {
            Err(down())
        }
        async fn note_blocked(&self, _: &str, _: &str) -> Result<(), StateError> {
            Err(down())
        }
        async fn move_children(&self, _: &ChildMove) -> Result<Option<Item>, StateError> {
            Err(down())
        }
        async fn count_failed_child(&self, _: &FailedChild) -> Result<Counted, StateError> {
            Err(down())
        }
        async fn finish(&self, _: &Ask, _: &Progress) -> Result<(), StateError> {
            Err(down())
        }
        async fn release(&self, _: &Ask, _: Option<Counted>) -> Result<(), StateError> {
            Err(down())
        }
    }

    #[test]
    fn an_unreachable_table_publishes_or_fails_as_state_failure_says() {
        let n = job("j1", "FAILED", "2024-05-01T10:01:00Z", None);
        let publish = run(admit(
            &Unreachable,
            &mut n.clone(),
            &settings(&[]),
            CLOCK,
            None,
        ));
        assert!(
            matches!(
                publish,
                Gate::Go(Admitted {
                    ticket: None,
                    unavailable: Some(_)
                })
            ),
            "{publish:?}"
        );
        let fail = run(admit(
            &Unreachable,
            &mut n.clone(),
            &settings(&[("STATE_FAILURE", "fail")]),
            CLOCK,
            None,
        ));
        let Gate::Refuse(refusal) = fail else {
            panic!("{fail:?}")
        };
        assert_eq!(
            refusal.to_string(),
            "state table UpdateItem failed: could not reach DynamoDB (STATE_FAILURE=fail)"
        );
    }

    #[test]
    fn an_event_without_an_id_or_a_time_is_known_by_its_content() {
        let (store, settings) = (MemoryStore::default(), settings(&[]));
        let mut n = job("j1", "FAILED", "2024-05-01T10:01:00Z", None);
        n.time = None;
        n.event_id = None;
        n.detail.value = serde_json::json!({"jobName": "align", "status": "FAILED"});
        assert!(matches!(
            tell(&store, &mut n.clone(), &settings, "m-1"),
            Gate::Go(_)
        ));
        assert_eq!(
            skip_reason(tell(&store, &mut n.clone(), &settings, "m-2")),
            "already published as m-1"
        );
        n.detail.value["status"] = "SUCCEEDED".into();
        assert!(matches!(
            tell(&store, &mut n, &settings, "m-3"),
            Gate::Go(_)
        ));
    }
}
