//! A digest in each message format: subject, text, the versioned JSON document (`"kind":
//! "digest"`), the chat schema and `multi`; its attributes, so that filter policies route it.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;
use serde_json::Map;

use super::DigestItem;
use super::tally::{Count, headline};
use crate::config::{MessageFormat, Settings};
use crate::domain::fingerprint::content_id;
use crate::domain::model::Severity;
use crate::domain::redact::mask_access_keys;
use crate::pipeline::render::attributes::clean;
use crate::pipeline::render::chat::{ChatNotification, Content, Metadata, icon};
use crate::pipeline::render::document::SCHEMA_VERSION;
use crate::pipeline::render::subject::{MAX_SUBJECT, plain_line};
use crate::pipeline::render::{Message, fifo_id, json, request};
use crate::ports::publisher::{AttributeValue, Attributes, PublishRequest};

/// Which part of how many, and how many items in all.
struct Part<'a> {
    items: Vec<&'a DigestItem>,
    number: usize,
    of: usize,
    total: usize,
    severity: Severity,
    counts: &'a [(Count, usize)],
    headline: String,
}

pub fn render(
    items: &[DigestItem],
    part: &[usize],
    counts: &[(Count, usize)],
    (number, of): (usize, usize),
    settings: &Settings,
) -> PublishRequest {
    let part_items: Vec<&DigestItem> = part.iter().map(|&i| &items[i]).collect();
    let part = Part {
        severity: (part_items.iter().map(|i| i.severity).max()).unwrap_or(Severity::Info),
        items: part_items,
        number,
        of,
        total: items.len(),
        counts,
        headline: headline(counts),
    };
    request(&part, settings)
}

impl Message for Part<'_> {
    fn subject(&self) -> String {
        subject(self)
    }

    fn text(&self) -> String {
        text(self)
    }

    fn document(&self) -> String {
        json::to_string(&document(self))
    }

    fn chat(&self, subject: &str) -> String {
        json::to_string(&chat(self, subject))
    }

    fn attributes(&self) -> Attributes {
        attributes(self)
    }

    /// Digests share one group; the ids of the items it carries deduplicate it.
    fn fifo_ids(&self, _: &str, _: &str) -> (String, String) {
        let ids: Vec<&str> = (self.items.iter())
            .map(|i| i.event_id.as_deref().unwrap_or(&i.summary))
            .collect();
        (
            "batch-notifier-digest".to_owned(),
            fifo_id(&content_id(&ids), "batch-notifier-digest"),
        )
    }
}

/// Roughly how many bytes an item adds to a digest in `format`.
pub fn estimate(item: &DigestItem, format: MessageFormat) -> usize {
    let line = item.summary.len() + item.link.as_ref().map_or(0, String::len) + 16;
    let document = line + item.event_name.len() + 64 * 4;
    match format {
        MessageFormat::Text => line,
        MessageFormat::Chat => line * 2,
        MessageFormat::Json => document,
        // The text for three protocols, the document as a string for six.
        MessageFormat::Multi => line * 3 + document * 8,
    }
}

fn subject(part: &Part<'_>) -> String {
    let mut line = format!("[{}] Digest", part.severity.label());
    if part.of > 1 {
        let _ = write!(line, " {}/{}", part.number, part.of);
    }
    let _ = write!(line, ": {}", part.headline);
    mask_access_keys(&mut line);
    plain_line(&line, MAX_SUBJECT)
}

fn text(part: &Part<'_>) -> String {
    let mut out = String::with_capacity(part.items.len() * 160 + 256);
    let _ = writeln!(out, "{}", part.headline);
    if part.of > 1 {
        let _ = writeln!(
            out,
            "Part {} of {}: {} of {} notifications.",
            part.number,
            part.of,
            part.items.len(),
            part.total
        );
    }
    out.push('\n');
    for item in &part.items {
        let _ = write!(out, "{:<9} {}", item.severity.label(), item.summary);
        if let Some(link) = &item.link {
            let _ = write!(out, "  {link}");
        }
        out.push('\n');
    }
    mask_access_keys(&mut out);
    out
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    severity: Severity,
    part: usize,
    parts: usize,
    total_items: usize,
    counts: Vec<CountEntry<'a>>,
    items: &'a [&'a DigestItem],
}

#[derive(Serialize)]
struct CountEntry<'a> {
    severity: Severity,
    what: &'a str,
    count: usize,
}

fn document<'a>(part: &'a Part<'a>) -> Document<'a> {
    Document {
        schema_version: SCHEMA_VERSION,
        kind: "digest",
        severity: part.severity,
        part: part.number,
        parts: part.of,
        total_items: part.total,
        counts: (part.counts.iter())
            .map(|(count, n)| CountEntry {
                severity: count.severity,
                what: if *n == 1 { &count.one } else { &count.many },
                count: *n,
            })
            .collect(),
        items: &part.items,
    }
}

/// The chat schema: the counts as the title, one bullet per item with its link.
fn chat<'a>(part: &'a Part<'a>, subject: &str) -> ChatNotification<'a> {
    let mut description = String::new();
    for item in &part.items {
        let _ = write!(description, "• *{}* {}", item.severity, item.summary);
        if let Some(link) = &item.link {
            let _ = write!(description, " <{link}|console>");
        }
        description.push('\n');
    }
    let keywords: BTreeSet<&str> = (part.items.iter())
        .flat_map(|i| [i.severity.as_str(), i.family.as_str()])
        .collect();
    let mut context = Map::new();
    context.insert("kind".into(), "digest".into());
    context.insert("severity".into(), part.severity.as_str().into());
    context.insert("items".into(), part.items.len().into());
    ChatNotification {
        version: "1.0",
        source: "custom",
        id: None,
        content: Content {
            text_type: "client-markdown",
            title: format!("{} {}", icon(part.severity), part.headline),
            description,
            next_steps: None,
            keywords: keywords.into_iter().map(str::to_owned).collect(),
        },
        metadata: Metadata {
            thread_id: "batch-notifier-digest",
            summary: subject.to_owned(),
            event_type: "Digest",
            related_resources: None,
            additional_context: context,
        },
    }
}

/// The digest's severity is its most severe item's; every other attribute lists its items' values
/// (`String.Array`), so that a filter policy that would take one of the items takes the digest.
fn attributes(part: &Part<'_>) -> Attributes {
    let mut attributes = Attributes::new();
    let mut put = |name: &'static str, data_type: &'static str, value: String| {
        if !value.is_empty() {
            attributes.insert(
                name,
                AttributeValue {
                    data_type,
                    string_value: value,
                },
            );
        }
    };
    put("severity", "String", part.severity.as_str().to_owned());
    put("kind", "String", "digest".to_owned());
    let values = |field: fn(&DigestItem) -> Option<&str>| {
        let set: BTreeSet<String> = part
            .items
            .iter()
            .filter_map(|i| field(i))
            .map(clean)
            .filter(|v| !v.is_empty())
            .collect();
        if set.is_empty() {
            String::new()
        } else {
            json::to_string(&set)
        }
    };
    put(
        "family",
        "String.Array",
        values(|i| Some(i.family.as_str())),
    );
    put("source", "String.Array", values(|i| Some(&i.source)));
    put(
        "resource_kind",
        "String.Array",
        values(|i| Some(i.resource_kind)),
    );
    put(
        "event_name",
        "String.Array",
        values(|i| Some(&i.event_name)),
    );
    put("status", "String.Array", values(|i| i.status.as_deref()));
    put("outcome", "String.Array", values(|i| Some(i.outcome)));
    put("account", "String.Array", values(|i| i.account.as_deref()));
    put("region", "String.Array", values(|i| i.region.as_deref()));
    attributes
}
