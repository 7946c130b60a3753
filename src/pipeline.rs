//! The core's one path from an event's bytes to a decision and its Publish request, shared by
//! `preview` and the Lambda handler: parse, classify, decide, the state store's gate, render (or,
//! in an SQS batch with `DELIVERY=digest`, hold for the digest).

use crate::classify::classify;
use crate::config::{Delivery, EnrichSource, Settings};
use crate::decide::{Decision, Skip, SkipKind, decide};
use crate::digest::DigestItem;
use crate::enrich::{Enricher, apply, wanted};
use crate::model::{Family, Notification, Severity};
use crate::parse::{EventError, Parsed, parse};
use crate::redact::mask_access_keys;
use crate::render::{PublishRequest, render};
use crate::state::{Clock, Gate, Refusal, StateError, StateStore, Ticket, admit};

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub decision: Decision<Box<PublishRequest>>,
    /// `None` for an event that is not ours.
    pub summary: Option<Summary>,
}

/// Parses, classifies, decides and renders one event, without a state store.
pub fn prepare(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    let (decision, notification) = match assess(input, settings)? {
        Err(skip) => (Decision::Skip(skip), None),
        Ok(n) => match decide(&n, settings) {
            Decision::Skip(skip) => (Decision::Skip(skip), Some(n)),
            Decision::Publish(()) => (Decision::Publish(Box::new(render(&n, settings))), Some(n)),
        },
    };
    Ok(Prepared {
        decision,
        summary: notification.as_ref().map(Summary::of),
    })
}

/// What the gated path hands the handler or `preview`: the decision (or why the event cannot be
/// decided now), the claim to settle after the publish, and whether the table was out of reach.
/// What a publish carries is the Publish request, or in an SQS batch an [`Outgoing`].
#[derive(Debug)]
pub struct Ready<P = Box<PublishRequest>> {
    pub decision: Result<Decision<P>, Refusal>,
    pub ticket: Option<Ticket>,
    pub state_unavailable: Option<StateError>,
    pub summary: Option<Summary>,
}

impl<P> Ready<P> {
    fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Ready<Q> {
        Ready {
            decision: self.decision.map(|d| d.map(f)),
            ticket: self.ticket,
            state_unavailable: self.state_unavailable,
            summary: self.summary,
        }
    }
}

/// What an SQS batch does with a notification: publish it on its own, or hold it for the batch's
/// digest (`DELIVERY=digest`, below `DIGEST_IMMEDIATE_SEVERITY`).
#[derive(Debug)]
pub enum Outgoing {
    Alone(Box<PublishRequest>),
    Digest(Box<DigestItem>),
}

/// The path the handler and `preview` share: [`prepare`], with the state store's gate between the
/// decision and the rendering when there is a store, then the lookups that add context.
pub async fn prepare_gated<S: StateStore, E: Enricher>(
    input: &[u8],
    settings: &Settings,
    store: Option<&S>,
    enricher: &E,
    clock: Clock,
) -> Result<Ready, EventError> {
    let ready = gate(input, settings, store, clock).await?;
    let ready = enriched(ready, settings, enricher).await;
    Ok(ready.map(|n| Box::new(render(&n, settings))))
}

/// [`prepare_gated`] for one record of an SQS batch.
pub async fn prepare_record<S: StateStore, E: Enricher>(
    input: &[u8],
    settings: &Settings,
    store: Option<&S>,
    enricher: &E,
    clock: Clock,
) -> Result<Ready<Outgoing>, EventError> {
    let ready = gate(input, settings, store, clock).await?;
    let ready = enriched(ready, settings, enricher).await;
    Ok(ready.map(|n| {
        if settings.delivery == Delivery::Digest && n.severity < settings.digest_immediate_severity
        {
            Outgoing::Digest(Box::new(DigestItem::new(&n)))
        } else {
            Outgoing::Alone(Box::new(render(&n, settings)))
        }
    }))
}

/// Parses, classifies and decides one event, through the state store's gate.
async fn gate<S: StateStore>(
    input: &[u8],
    settings: &Settings,
    store: Option<&S>,
    clock: Clock,
) -> Result<Ready<Notification>, EventError> {
    let mut n = match assess(input, settings)? {
        Ok(n) => n,
        Err(skip) => {
            return Ok(Ready {
                decision: Ok(Decision::Skip(skip)),
                ticket: None,
                state_unavailable: None,
                summary: None,
            });
        }
    };
    let (mut ticket, mut state_unavailable) = (None, None);
    let decision = match decide(&n, settings) {
        Decision::Skip(skip) => Ok(Decision::Skip(skip)),
        Decision::Publish(()) => match admit(store, &mut n, settings, clock).await {
            Gate::Go(admitted) => {
                (ticket, state_unavailable) = (admitted.ticket, admitted.unavailable);
                Ok(Decision::Publish(()))
            }
            Gate::Skip(skip) => Ok(Decision::Skip(skip)),
            Gate::Refuse(refusal) => Err(refusal),
        },
    };
    let summary = Some(Summary::of(&n));
    Ok(Ready {
        decision: decision.map(|d| d.map(|()| n)),
        ticket,
        state_unavailable,
        summary,
    })
}

/// A notification to publish, with what its lookups found. Only what will be published is looked
/// up: a repeat, a stale event or a skipped child costs no request.
async fn enriched<E: Enricher>(
    mut ready: Ready<Notification>,
    settings: &Settings,
    enricher: &E,
) -> Ready<Notification> {
    if let Ok(Decision::Publish(n)) = &mut ready.decision {
        let wanted = wanted(n, settings);
        if !wanted.is_empty() {
            apply(n, enricher.look_up(&wanted).await);
            ready.summary = Some(Summary::of(n));
        }
    }
    ready
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
