//! The text a person reads in an email or chat: what happened, to what, by whom, where, when, how it
//! went, and where to look.

use std::fmt::Write;

use crate::limits::single_line;
use crate::model::{Channel, Notification};
use crate::redact::mask_access_keys;

/// The whole text body.
pub fn body(n: &Notification) -> String {
    let mut out = String::with_capacity(2048);
    push_line(&mut out, &n.summary);
    out.push('\n');
    let mut line = |label: &str, value: String| {
        let _ = write!(out, "{label:<11}");
        push_line(&mut out, &value);
    };

    let what = match &n.action {
        Some(action) => {
            let uncataloged = if action.cataloged {
                ""
            } else {
                ", an operation not in the catalog"
            };
            let kind = n.resource.kind.label();
            format!("{} ({} {kind}){uncataloged}", n.event_name, action.verb)
        }
        None => n.detail_type.clone(),
    };
    line("What:", what);
    if n.resource.name.is_some() || n.resource.arn.is_some() {
        let kind = n.resource.kind.label();
        let name = n.resource.name.as_deref().unwrap_or("");
        match &n.resource.arn {
            Some(arn) => line("Resource:", format!("{kind} {name} ({arn})")),
            None => line("Resource:", format!("{kind} {name}")),
        }
    }
    if let Some(status) = &n.status {
        line("Status:", status.value.clone());
        if let Some(reason) = &status.reason {
            line("Reason:", reason.clone());
        }
    }
    let outcome = n.outcome.label();
    match &n.error {
        Some(error) => {
            let code = error.code.as_deref().unwrap_or("error");
            match &error.message {
                Some(message) => line("Outcome:", format!("{outcome}: {code}: {message}")),
                None => line("Outcome:", format!("{outcome}: {code}")),
            }
        }
        None => line("Outcome:", outcome.to_owned()),
    }
    if let Some(actor) = &n.actor {
        let channel = match actor.channel {
            Some(Channel::Console) => ", in the console",
            Some(Channel::Api) => ", through the API",
            Some(Channel::Service) | None => "",
        };
        let mfa = match actor.mfa {
            Some(true) => ", with MFA",
            Some(false) => ", without MFA",
            None => "",
        };
        line("Who:", format!("{}{channel}{mfa}", actor.description));
        if let Some(ip) = &actor.source_ip {
            match &actor.user_agent {
                Some(agent) if agent != ip => line("From:", format!("{ip} ({agent})")),
                _ => line("From:", ip.clone()),
            }
        }
    }
    let place = match (&n.account, &n.region) {
        (Some(account), Some(region)) => format!("account {account}, region {region}"),
        (Some(account), None) => format!("account {account}"),
        (None, Some(region)) => format!("region {region}"),
        (None, None) => "unknown".to_owned(),
    };
    line("Where:", place);
    line("When:", n.time.as_deref().unwrap_or("unknown").to_owned());
    let reasons = n.severity_reasons.join("; ");
    line("Severity:", format!("{} ({reasons})", n.severity));

    let facts = n.facts.iter().map(|f| (f.label, f.value.as_str()));
    push_section(&mut out, "Details", facts);
    let links = n.links.iter().map(|l| (l.label, l.url.as_str()));
    push_section(&mut out, "Links", links);
    out.push('\n');
    if let Some(id) = &n.event_id {
        push_line(&mut out, &format!("Event id: {id}"));
    }
    if let Some(id) = &n.cloudtrail_event_id {
        push_line(&mut out, &format!("CloudTrail event id: {id}"));
    }
    mask_access_keys(&mut out);
    out
}

/// `text` on a line of its own.
fn push_line(out: &mut String, text: &str) {
    out.push_str(&single_line(text));
    out.push('\n');
}

/// A titled list of `label: value` lines; nothing when there are none.
fn push_section<'a>(
    out: &mut String,
    title: &str,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut entries = entries.peekable();
    if entries.peek().is_none() {
        return;
    }
    let _ = write!(out, "\n{title}:\n");
    for (label, value) in entries {
        push_line(out, &format!("  {label}: {value}"));
    }
}
