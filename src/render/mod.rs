//! Rendering: from a [`Notification`] to the exact SNS Publish request.

pub mod attributes;
pub mod chat;
pub mod document;
pub mod subject;
pub mod text;

use serde::Serialize;

use crate::config::{MessageFormat, Settings};
use crate::model::Notification;
pub use attributes::{AttributeValue, Attributes};

/// SNS's limit for a message and its attributes together.
pub const MAX_PUBLISH_BYTES: usize = 256 * 1024;
/// SNS's limit for FIFO group and deduplication ids.
const MAX_FIFO_ID: usize = 128;

/// An SNS Publish request in the API's own names and shapes, as `aws sns publish --cli-input-json`
/// takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublishRequest {
    pub topic_arn: String,
    pub subject: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_structure: Option<&'static str>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub message_attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<String>,
}

impl PublishRequest {
    /// The size SNS counts against its limit: the message and every attribute name, type and value.
    pub fn size(&self) -> usize {
        self.message.len() + attributes::size(&self.message_attributes)
    }
}

/// The protocols of `MessageStructure=json` that get the text, and those that get the document.
const TEXT_PROTOCOLS: [&str; 3] = ["default", "email", "sms"];
const DOCUMENT_PROTOCOLS: [&str; 6] = ["sqs", "lambda", "http", "https", "firehose", "email-json"];

/// Renders `n` as the Publish request the settings ask for, within SNS's size limit whatever the
/// input: first without the event detail, then with ever shorter texts.
pub fn render(n: &Notification, settings: &Settings) -> PublishRequest {
    let request = render_once(n, settings, None);
    if request.size() <= MAX_PUBLISH_BYTES {
        return request;
    }
    let omitted = "the event detail did not fit the SNS size limit";
    let request = render_once(n, settings, Some(omitted));
    if request.size() <= MAX_PUBLISH_BYTES {
        return request;
    }
    let mut shrunk = n.clone();
    for max in [1024, 256, 64] {
        shrunk.for_each_text_mut(|text| {
            if text.len() > max {
                *text = crate::classify::bounded(std::mem::take(text), max);
            }
        });
        shrunk.facts.truncate(max / 16);
        let request = render_once(&shrunk, settings, Some(omitted));
        if request.size() <= MAX_PUBLISH_BYTES {
            return request;
        }
    }
    render_once(&shrunk, settings, Some(omitted))
}

fn render_once(n: &Notification, settings: &Settings, omit_detail: Option<&str>) -> PublishRequest {
    let subject = subject::subject(n);
    let (message, structure) = match settings.message_format {
        MessageFormat::Text => (text::body(n), None),
        MessageFormat::Json => (to_json(&document::document(n, omit_detail)), None),
        MessageFormat::Chat => (to_json(&chat::chat(n, &subject)), None),
        MessageFormat::Multi => (multi(n, omit_detail), Some("json")),
    };
    let (group, dedup) = if settings.fifo() {
        (
            Some(fifo_id(&n.thread_key, "batch-notifier")),
            n.event_id
                .as_deref()
                .map(|id| fifo_id(id, ""))
                .filter(|id| !id.is_empty()),
        )
    } else {
        (None, None)
    };
    PublishRequest {
        topic_arn: settings.topic_arn.clone(),
        subject,
        message,
        message_structure: structure,
        message_attributes: attributes::attributes(n),
        message_group_id: group,
        message_deduplication_id: dedup,
    }
}

/// FIFO ids take at most 128 characters of ASCII letters, digits and punctuation. A longer value
/// keeps its end, where ids and names differ; nothing usable falls back to `fallback`.
fn fifo_id(value: &str, fallback: &str) -> String {
    let cleaned: String = value.chars().filter(char::is_ascii_graphic).collect();
    let start = cleaned.len().saturating_sub(MAX_FIFO_ID);
    let id = &cleaned[start..];
    if id.is_empty() {
        fallback.to_owned()
    } else {
        id.to_owned()
    }
}

/// The `MessageStructure=json` message: each part is escaped once and then repeated per protocol.
fn multi(n: &Notification, omit_detail: Option<&str>) -> String {
    let text = to_json(&text::body(n));
    let doc = to_json(&to_json(&document::document(n, omit_detail)));
    let mut message = String::with_capacity(
        TEXT_PROTOCOLS.len() * (text.len() + 16) + DOCUMENT_PROTOCOLS.len() * (doc.len() + 16),
    );
    let parts = TEXT_PROTOCOLS
        .iter()
        .map(|p| (p, &text))
        .chain(DOCUMENT_PROTOCOLS.iter().map(|p| (p, &doc)));
    for (i, (protocol, part)) in parts.enumerate() {
        message.push(if i == 0 { '{' } else { ',' });
        message.push('"');
        message.push_str(protocol);
        message.push_str("\":");
        message.push_str(part);
    }
    message.push('}');
    message
}

/// Serializes a message document. This cannot fail: the documents hold only strings, numbers,
/// booleans and maps with string keys.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
