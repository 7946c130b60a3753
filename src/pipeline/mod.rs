//! The core's one path from an event's bytes to what is published, and the only one: the Lambda
//! handler, an SQS batch, `preview`, the tests, benches and fuzz target all call [`prepare`]. The
//! stages are declared in the order data flows through them:
//!
//! ```text
//! bytes ─ ingest ─ parse ─ classify ─ decide ─ gate ─ enrich ─ render (or hold for the digest)
//! ```
//!
//! `ingest` tells a payload's shape before this path; everything here is plain functions over
//! plain data and the ports' traits, with no AWS SDK.

pub mod ingest;
pub mod parse;
pub mod classify;
pub mod decide;
pub mod gate;
pub mod enrich;
pub mod render;

use crate::config::Settings;
use crate::domain::decision::{Decision, Skip, SkipKind};
use crate::domain::model::{Family, Notification, Severity};
use crate::domain::redact::mask_access_keys;
use crate::domain::vocabulary::{Delivery, EnrichSource};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::PublishRequest;
use crate::ports::state::{Overdue, StateError, StateStore, Stuck, SweepAsk};
use classify::classify;
use classify::stuck::{self, Place};
use decide::decide;
use enrich::{apply, wanted};
use gate::{Clock, Gate, Refusal, Ticket, admit};
use parse::{EventError, Parsed, parse};
use render::digest::DigestItem;
use render::render;

/// What the core needs to take an event through: the settings, the state store (the in-memory
/// one in `preview` and tests, `Stateless` without a table) and the lookups (`Offline` when
/// nothing is looked up).
pub struct Core<'a, S, E> {
    pub settings: &'a Settings,
    pub store: &'a S,
    pub enricher: &'a E,
}

impl<S, E> Clone for Core<'_, S, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, E> Copy for Core<'_, S, E> {}

/// The facts about an event that its log line reports, never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub event_id: Option<String>,
    pub family: Family,
    pub event_name: String,
    pub status: Option<String>,
    pub severity: Severity,
    /// The lookups that failed or ran late, and why.
    pub unavailable: Vec<(EnrichSource, String)>,
}

impl Summary {
    /// What the log line reports of a notification.
    pub fn of(n: &Notification) -> Summary {
        let masked = |text: &str| {
            let mut text = text.to_owned();
            mask_access_keys(&mut text);
            text
        };
        Summary {
            event_id: n.event_id.as_deref().map(masked),
            family: n.family,
            event_name: masked(&n.event_name),
            status: n.status.as_ref().map(|s| masked(&s.value)),
            severity: n.severity,
            unavailable: (n.unavailable.iter())
                .map(|u| (u.source, u.reason.clone()))
                .collect(),
        }
    }
}

/// What the path hands its caller: the decision (or why the event cannot be decided now), the
/// claim to settle after the publish, whether the table was out of reach, and what the log line
/// reports (`None` for an event that is not ours).
#[derive(Debug)]
pub struct Prepared {
    pub decision: Result<Decision<Outgoing>, Refusal>,
    pub ticket: Option<Ticket>,
    pub state_unavailable: Option<StateError>,
    pub summary: Option<Summary>,
}

/// What goes out for a notification: a Publish request of its own, or under `DELIVERY=digest` in
/// an SQS batch (below `DIGEST_IMMEDIATE_SEVERITY`) an item of the batch's digest.
#[derive(Debug)]
pub enum Outgoing {
    Alone(Box<PublishRequest>),
    Digest(Box<DigestItem>),
}

impl Outgoing {
    /// The request of a notification that goes out alone.
    pub fn alone(&self) -> Option<&PublishRequest> {
        match self {
            Outgoing::Alone(request) => Some(request),
            Outgoing::Digest(_) => None,
        }
    }
}

/// Takes one event through every stage: parse, classify, decide, the state store's gate, the
/// lookups, then render it or hold it for the digest. `delivery` is how its batch is delivered: a
/// single event passes `Delivery::Each`, since it is always published on its own.
pub async fn prepare<S: StateStore, E: Enricher>(
    input: &[u8],
    core: Core<'_, S, E>,
    clock: Clock,
    delivery: Delivery,
) -> Result<Prepared, EventError> {
    let n = match assess(input, core.settings)? {
        Ok(n) => n,
        Err(skip) => return Ok(Prepared::skipped(skip, None)),
    };
    // A blocked queue's reason is kept for its job's stuck notice, and an array job's child moves
    // its parent's watch on, whatever becomes of the event.
    let unkept = gate::note_blocked(core.store, &n, core.settings)
        .await
        .err();
    let (ended, unmoved) = match gate::move_children(core.store, &n, core.settings, clock).await {
        Ok(ended) => (ended, None),
        Err(error) => (None, Some(error)),
    };
    let mut prepared = prepare_notification(n, core, clock, delivery, ended).await;
    prepared.state_unavailable = prepared.state_unavailable.or(unkept).or(unmoved);
    Ok(prepared)
}

/// Everything after parsing and classifying: decide, the gate, the lookups, render. `ended`: the
/// stay told stuck that an array job's child ended, which tells the child's transition after all.
async fn prepare_notification<S: StateStore, E: Enricher>(
    mut n: Notification,
    core: Core<'_, S, E>,
    clock: Clock,
    delivery: Delivery,
    mut ended: Option<Stuck>,
) -> Prepared {
    let settings = core.settings;
    if let Decision::Skip(skip) = decide(&n, settings)
        && ended.is_none()
    {
        // The job's item still learns of the transition: the next notification's timing and the
        // stuck-job watch need it. One that ends a stay told stuck is told after all.
        match gate::record(core.store, &n, settings, clock).await {
            Ok(Some(stay)) => ended = Some(stay),
            recorded => {
                return Prepared {
                    state_unavailable: recorded.err(),
                    ..Prepared::skipped(skip, Some(Summary::of(&n)))
                };
            }
        }
    }
    let admitted = match admit(core.store, &mut n, settings, clock, ended).await {
        Gate::Go(admitted) => admitted,
        Gate::Skip(skip) => return Prepared::skipped(skip, Some(Summary::of(&n))),
        Gate::Refuse(refusal) => {
            return Prepared {
                decision: Err(refusal),
                ticket: None,
                state_unavailable: None,
                summary: Some(Summary::of(&n)),
            };
        }
    };
    // Only what will be published is looked up: a repeat, a stale event or a skipped child costs
    // no request.
    look_up(&mut n, core).await;
    let summary = Some(Summary::of(&n));
    let outgoing = if delivery == Delivery::Digest
        && n.severity < settings.deliver.digest_immediate_severity
    {
        Outgoing::Digest(Box::new(DigestItem::new(&n, settings)))
    } else {
        Outgoing::Alone(Box::new(render(&n, settings)))
    };
    Prepared {
        decision: Ok(Decision::Publish(outgoing)),
        ticket: admitted.ticket,
        state_unavailable: admitted.unavailable,
        summary,
    }
}

/// What the sweep's path made of one overdue job.
#[derive(Debug)]
pub enum Swept {
    /// Claimed: publish it, then mark the stay told (or give the claim up).
    Told(Box<PublishRequest>, Summary),
    /// The job moved on, its item expired, or another sweep is telling it: nothing to tell.
    Passed,
    /// The settings skip the notice (`MIN_SEVERITY`, `EVENT_NAMES_*`): the job leaves the watch.
    Skipped(Skip),
}

/// The sweep's path for one overdue job, through the same stages as an event's after parsing:
/// classify (the notice, from the item), decide, the claim on the job's item, the lookups, render.
pub async fn prepare_stuck<S: StateStore, E: Enricher>(
    due: &Overdue,
    core: Core<'_, S, E>,
    sweep: SweepAsk,
    place: &Place,
) -> Result<Swept, StateError> {
    let settings = core.settings;
    if due.expired {
        core.store.unwatch(due).await?;
        return Ok(Swept::Passed);
    }
    let mut n = stuck::notice(&due.item, &due.watched, sweep.now_ms, place);
    n.account_name = (n.account.as_deref())
        .and_then(|account| settings.account_name(account))
        .map(str::to_owned);
    if let Decision::Skip(skip) = decide(&n, settings) {
        core.store.unwatch(due).await?;
        return Ok(Swept::Skipped(skip));
    }
    if !core.store.claim_stuck(due, sweep).await? {
        return Ok(Swept::Passed);
    }
    look_up(&mut n, core).await;
    Ok(Swept::Told(Box::new(render(&n, settings)), Summary::of(&n)))
}

/// The lookups `n` asks for, and under `ACCOUNT_NAMES=organizations` its account's name.
async fn look_up<S, E: Enricher>(n: &mut Notification, core: Core<'_, S, E>) {
    let wanted = wanted(n, core.settings);
    if !wanted.is_empty() {
        apply(n, core.enricher.look_up(&wanted).await);
    }
    if core.settings.render.names_from_organizations
        && n.account_name.is_none()
        && let Some(account) = n.account.as_deref()
    {
        n.account_name = core.enricher.account_name(account).await;
    }
}

impl Prepared {
    fn skipped(skip: Skip, summary: Option<Summary>) -> Prepared {
        Prepared {
            decision: Ok(Decision::Skip(skip)),
            ticket: None,
            state_unavailable: None,
            summary,
        }
    }
}

/// Parses and classifies one event, naming its account: the notification, or why the event is not
/// ours.
fn assess(input: &[u8], settings: &Settings) -> Result<Result<Notification, Skip>, EventError> {
    let event = match parse(input)? {
        Parsed::Ours(event) => event,
        Parsed::NotOurs(reason) => {
            return Ok(Err(Skip {
                kind: SkipKind::NotOurs,
                reason,
            }));
        }
    };
    let mut notification = classify(event)?;
    // A name for the account, from the settings, to read beside its id.
    notification.account_name = notification
        .account
        .as_deref()
        .and_then(|account| settings.account_name(account))
        .map(str::to_owned);
    Ok(Ok(notification))
}
