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

impl From<Notification> for Summary {
    /// Takes what the log line reports from a notification that has been rendered.
    fn from(n: Notification) -> Summary {
        let masked = |mut text: String| {
            mask_access_keys(&mut text);
            text
        };
        Summary {
            event_id: n.event_id.map(masked),
            family: n.family,
            event_name: masked(n.event_name),
            status: n.status.map(|s| masked(s.value)),
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
    let mut notification = classify(event)?;
    // A name for the account, from the settings, to read beside its id.
    notification.account_name = notification
        .account
        .as_deref()
        .and_then(|account| settings.account_name(account))
        .map(str::to_owned);
    let decision =
        decide(&notification, settings).map(|()| Box::new(render(&notification, settings)));
    Ok(Prepared {
        decision,
        summary: Some(Summary::from(notification)),
    })
}
