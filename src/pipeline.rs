//! The core's one path from an event's bytes to a decision and its Publish request, shared by
//! `preview` and the Lambda handler: parse, classify, decide, render.

use crate::classify::classify;
use crate::config::Settings;
use crate::decide::{Decision, Skip, SkipKind, decide};
use crate::model::{Family, Notification, Severity};
use crate::parse::{EventError, Parsed, parse};
use crate::redact::mask_access_keys;
use crate::render::{PublishRequest, render};

/// The facts about an event that its log line reports, never a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub event_id: Option<String>,
    pub family: Family,
    pub event_name: String,
    pub status: Option<String>,
    pub severity: Severity,
}

impl Summary {
    fn of(n: &Notification) -> Summary {
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
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub decision: Decision<Box<PublishRequest>>,
    /// `None` for an event that is not ours.
    pub summary: Option<Summary>,
}

/// Parses, classifies, decides and renders one event.
pub fn prepare(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    let event = match parse(input)? {
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
    let notification = classify(event)?;
    let summary = Summary::of(&notification);
    let decision = decide(notification, settings).map(|n| Box::new(render(n, settings)));
    Ok(Prepared {
        decision,
        summary: Some(summary),
    })
}
