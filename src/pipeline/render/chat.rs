//! The Amazon Q Developer in chat applications custom notification schema, so that a chat channel
//! subscribed to the topic shows a formatted message and threads one job's updates together.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::limits::single_line;
use crate::domain::model::{Notification, Severity};

/// The schema's notification: a single notification's, or a digest's (which has no next steps
/// or related resources of its own: its items' links are in its description).
#[derive(Serialize)]
pub struct ChatNotification<'a> {
    pub(crate) version: &'static str,
    pub(crate) source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<&'a str>,
    pub(crate) content: Content,
    pub(crate) metadata: Metadata<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Content {
    pub(crate) text_type: &'static str,
    pub(crate) title: String,
    pub(crate) description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_steps: Option<Vec<String>>,
    pub(crate) keywords: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metadata<'a> {
    pub(crate) thread_id: &'a str,
    pub(crate) summary: String,
    pub(crate) event_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) related_resources: Option<Vec<&'a str>>,
    pub(crate) additional_context: Map<String, Value>,
}

pub(crate) fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => ":information_source:",
        Severity::Warning => ":warning:",
        Severity::Critical => ":rotating_light:",
    }
}

pub fn chat<'a>(n: &'a Notification, subject: &str, elsewhere: bool) -> ChatNotification<'a> {
    let description = description(n, elsewhere);
    let context = context(n);
    ChatNotification {
        version: "1.0",
        source: "custom",
        id: n.event_id.as_deref(),
        content: Content {
            text_type: "client-markdown",
            title: format!("{} {}", icon(n.severity), subject),
            description,
            next_steps: Some(
                (n.links.iter())
                    .map(|l| format!("<{}|{}>", l.url, l.label))
                    .collect(),
            ),
            keywords: [n.severity.as_str(), n.family.as_str()]
                .into_iter()
                .map(str::to_owned)
                .chain(n.region.clone())
                .collect(),
        },
        metadata: Metadata {
            thread_id: &n.thread_key,
            summary: subject.to_owned(),
            event_type: &n.event_name,
            related_resources: Some(n.resource.arn.as_deref().into_iter().collect()),
            additional_context: context,
        },
    }
}

/// The summary, then one bullet per thing people read: status, error, who, where, severity, the
/// facts, what could not be looked up; then the last log lines as a code block.
fn description(n: &Notification, elsewhere: bool) -> String {
    let opening = if elsewhere {
        super::origin::opening(n)
    } else {
        String::new()
    };
    let mut description = format!("{opening}{}\n", n.summary);
    let mut bullet = |label: &str, value: &str| {
        description.push_str(&format!("• *{label}:* {}\n", single_line(value)));
    };
    if let Some(status) = &n.status {
        bullet("Status", &status.value);
        if let Some(reason) = &status.reason {
            bullet("Reason", reason);
        }
    }
    if let Some(error) = &n.error {
        let code = error.code.as_deref().unwrap_or("error");
        bullet(
            "Error",
            &format!("{code}: {}", error.message.as_deref().unwrap_or("")),
        );
    }
    if let Some(actor) = &n.actor {
        bullet("Who", &actor.description);
    }
    let account = match (&n.account, &n.account_name) {
        (Some(account), Some(name)) => Some(format!("{account} ({name})")),
        (account, _) => account.clone(),
    };
    let place = [account.as_deref(), n.region.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    if !place.is_empty() {
        bullet("Where", &place);
    }
    bullet(
        "Severity",
        &format!("{} ({})", n.severity, n.severity_reasons.join("; ")),
    );
    for fact in &n.facts {
        bullet(fact.label, &fact.value);
    }
    for missing in &n.unavailable {
        bullet(
            "Unavailable",
            &format!("{}: {}", missing.what, missing.reason),
        );
    }
    if !n.log_lines.is_empty() {
        // A backtick in a line would end the code block early.
        description.push_str(&format!("*Last {} log lines:*\n```\n", n.log_lines.len()));
        for log_line in &n.log_lines {
            description.push_str(&log_line.replace('`', "'"));
            description.push('\n');
        }
        description.push_str("```\n");
    }
    description
}

/// What a chat client may filter or show beside the message.
fn context(n: &Notification) -> Map<String, Value> {
    let mut context = Map::new();
    for (key, value) in [
        ("severity", Some(n.severity.as_str())),
        ("outcome", Some(n.outcome.as_str())),
        ("account", n.account.as_deref()),
        ("region", n.region.as_deref()),
        ("eventId", n.event_id.as_deref()),
    ] {
        if let Some(value) = value {
            context.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }
    context
}
