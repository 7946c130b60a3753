//! The text a person reads in an email or chat: what happened, to what, by whom, where, when, how it
//! went, and where to look.

use std::borrow::Cow;
use std::fmt::Write;

use crate::domain::limits::single_line;
use crate::domain::model::{Actor, Channel, Notification};
use crate::domain::redact::mask_access_keys;

use super::origin;

/// The width of the label column.
const LABEL_WIDTH: usize = 11;

/// Writes one line of text from its parts, pushed as they are (most of a notification's lines;
/// `write!` costs its formatting machinery on each).
fn line(out: &mut String, parts: &[&str]) {
    let start = out.len();
    for part in parts {
        out.push_str(part);
    }
    end_line(out, start);
}

/// Writes one labelled line: the label padded so that the values line up, then the value's parts.
fn labelled(out: &mut String, label: &str, parts: &[&str]) {
    out.push_str(label);
    out.extend(std::iter::repeat_n(
        ' ',
        LABEL_WIDTH.saturating_sub(label.len()),
    ));
    line(out, parts);
}

/// The whole text body: the summary, then what happened, its outcome, who, where and when, then
/// the details, links, log lines and ids.
/// `elsewhere`: the event is from an account or region other than the function's, and the first
/// line opens with where.
pub fn body(n: &Notification, elsewhere: bool) -> String {
    let mut body = String::with_capacity(2048);
    let out = &mut body;
    if elsewhere {
        out.push_str(&origin::opening(n));
    }
    out.push_str(&n.summary);
    out.push_str("\n\n");
    what(out, n);
    outcome(out, n);
    if let Some(actor) = &n.actor {
        who(out, actor);
    }
    where_and_when(out, n);
    details(out, n);
    mask_access_keys(out);
    body
}

/// `What:` and `Resource:`.
fn what(out: &mut String, n: &Notification) {
    match &n.action {
        Some(action) => {
            let uncataloged = if action.cataloged {
                ""
            } else {
                ", an operation not in the catalog"
            };
            let kind = n.resource.kind.label();
            let (name, verb) = (&n.event_name, action.verb);
            labelled(
                out,
                "What:",
                &[name, " (", verb.as_str(), " ", kind, ")", uncataloged],
            );
        }
        None => labelled(out, "What:", &[&n.detail_type]),
    }
    if n.resource.name.is_some() || n.resource.arn.is_some() {
        let kind = n.resource.kind.label();
        let name = n.resource.name.as_deref().unwrap_or("");
        match &n.resource.arn {
            Some(arn) => labelled(out, "Resource:", &[kind, " ", name, " (", arn, ")"]),
            None => labelled(out, "Resource:", &[kind, " ", name]),
        }
    }
}

/// `Status:`, `Reason:` and `Outcome:`.
fn outcome(out: &mut String, n: &Notification) {
    if let Some(status) = &n.status {
        labelled(out, "Status:", &[&status.value]);
        if let Some(reason) = &status.reason {
            labelled(out, "Reason:", &[reason]);
        }
    }
    let outcome = n.outcome.label();
    match &n.error {
        Some(error) => {
            let code = error.code.as_deref().unwrap_or("error");
            match &error.message {
                Some(message) => labelled(out, "Outcome:", &[outcome, ": ", code, ": ", message]),
                None => labelled(out, "Outcome:", &[outcome, ": ", code]),
            }
        }
        None => labelled(out, "Outcome:", &[outcome]),
    }
}

/// `Who:` and `From:`.
fn who(out: &mut String, actor: &Actor) {
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
    labelled(out, "Who:", &[&actor.description, channel, mfa]);
    if let Some(ip) = &actor.source_ip {
        match &actor.user_agent {
            Some(agent) if agent != ip => labelled(out, "From:", &[ip, " (", agent, ")"]),
            _ => labelled(out, "From:", &[ip]),
        }
    }
}

/// `Where:`, `When:` and `Severity:`.
fn where_and_when(out: &mut String, n: &Notification) {
    let (open, name, close) = match &n.account_name {
        Some(name) => (" (", name.as_str(), ")"),
        None => ("", "", ""),
    };
    match (&n.account, &n.region) {
        (Some(account), Some(region)) => labelled(
            out,
            "Where:",
            &["account ", account, open, name, close, ", region ", region],
        ),
        (Some(account), None) => labelled(out, "Where:", &["account ", account, open, name, close]),
        (None, Some(region)) => labelled(out, "Where:", &["region ", region]),
        (None, None) => labelled(out, "Where:", &["unknown"]),
    }
    labelled(out, "When:", &[n.time.as_deref().unwrap_or("unknown")]);
    let reasons = n.severity_reasons.join("; ");
    labelled(
        out,
        "Severity:",
        &[n.severity.as_str(), " (", &reasons, ")"],
    );
}

/// The details, what could not be looked up, the links, the log lines and the ids.
fn details(out: &mut String, n: &Notification) {
    let facts = n.facts.iter().map(|f| (f.label, f.value.as_str()));
    push_section(out, "Details", facts);
    if !n.unavailable.is_empty() {
        out.push('\n');
    }
    for missing in &n.unavailable {
        line(out, &[missing.what, " unavailable: ", &missing.reason]);
    }
    let links = n.links.iter().map(|l| (l.label, l.url.as_str()));
    push_section(out, "Links", links);
    if !n.log_lines.is_empty() {
        let _ = write!(out, "\nLast {} log lines:\n", n.log_lines.len());
        for log_line in &n.log_lines {
            line(out, &["  | ", log_line]);
        }
    }
    out.push('\n');
    if let Some(id) = &n.event_id {
        line(out, &["Event id: ", id]);
    }
    if let Some(id) = &n.cloudtrail_event_id {
        line(out, &["CloudTrail event id: ", id]);
    }
}

/// Ends the line begun at `start`, with any control character in it made a space (SNS would reject
/// some, mail would mangle the rest).
fn end_line(out: &mut String, start: usize) {
    if let Cow::Owned(clean) = single_line(&out[start..]) {
        out.truncate(start);
        out.push_str(&clean);
    }
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
        line(out, &["  ", label, ": ", value]);
    }
}
