//! The one code path from input bytes to a decision, shared by `preview` and the Lambda handler.

use crate::classify::{DetailUse, classify};
use crate::config::Settings;
use crate::decide::{Skip, SkipKind, skip_reason};
use crate::event::{EventError, Parsed, parse};
use crate::model::{Family, Severity};
use crate::render::{PublishRequest, render};

/// What to do with one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Publish(Box<PublishRequest>),
    Skip(Skip),
}

/// The facts about an event that its log line reports, never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub event_id: Option<String>,
    pub family: Family,
    pub event_name: String,
    pub status: Option<String>,
    pub severity: Severity,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub decision: Decision,
    /// `None` for an event that is not ours.
    pub summary: Option<Summary>,
}

/// Parses, classifies, decides and renders one event.
pub fn prepare(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    let detail_use = if settings.message_format.shows_detail() {
        DetailUse::Keep
    } else {
        DetailUse::Drop
    };
    let event = match parse(input, detail_use)? {
        Parsed::Ours(event) => event,
        Parsed::NotOurs(reason) => {
            return Ok(Prepared {
                decision: Decision::Skip(Skip {
                    kind: SkipKind::NotOurs,
                    reason,
                }),
                summary: None,
            });
        }
    };
    let mut notification = classify(event, detail_use)?;
    let decision = match skip_reason(&notification, settings) {
        Some(skip) => Decision::Skip(skip),
        None => Decision::Publish(Box::new(render(&notification, settings))),
    };
    // Rendered: what the summary reports is moved out rather than copied.
    let summary = Summary {
        event_id: notification.event_id.take(),
        family: notification.family,
        event_name: std::mem::take(&mut notification.event_name),
        status: notification.status.take().map(|s| s.value),
        severity: notification.severity,
    };
    Ok(Prepared {
        decision,
        summary: Some(summary),
    })
}
