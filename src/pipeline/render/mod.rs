//! Rendering: from a [`Notification`] to the exact SNS Publish request, within SNS's size limit.
//!
//! Access key ids are masked here, in everything the request carries (subject, message, attributes,
//! FIFO ids), rather than field by field earlier: a field added to the notification later cannot
//! escape the mask.

pub mod attributes;
pub mod digest;
pub mod chat;
pub mod document;
pub mod json;
pub mod origin;
pub mod subject;
pub mod text;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::config::{MessageFormat, Settings};
use crate::domain::fingerprint::content_id;
use crate::domain::limits::bounded;
use crate::domain::model::Notification;
use crate::domain::redact::mask_access_keys;
use crate::ports::publisher::{Attributes, MAX_PUBLISH_BYTES, PublishRequest};

/// SNS's limit for FIFO group and deduplication ids.
const MAX_FIFO_ID: usize = 128;
const DETAIL_OMITTED: &str = "the event detail did not fit the SNS size limit";

/// Renders `n` as the Publish request the settings ask for, within SNS's size limit whatever the
/// input: first without the event detail, then with ever shorter texts.
pub fn render(n: &Notification, settings: &Settings) -> PublishRequest {
    let request = render_once(n, settings, None);
    if request.size() <= MAX_PUBLISH_BYTES {
        return request;
    }
    let mut n = n.clone();
    n.detail.value = Value::Null;
    let mut request = render_once(&n, settings, Some(DETAIL_OMITTED));
    for max in [1024, 256, 64] {
        if request.size() <= MAX_PUBLISH_BYTES {
            break;
        }
        n.for_each_text_mut(|text| {
            if text.len() > max {
                // Masked before it is cut, so that no part of a key is left.
                mask_access_keys(text);
                *text = bounded(std::mem::take(text), max);
            }
        });
        n.facts.truncate(max / 16);
        request = render_once(&n, settings, Some(DETAIL_OMITTED));
    }
    request
}

fn render_once(
    n: &Notification,
    settings: &Settings,
    detail_omitted: Option<&str>,
) -> PublishRequest {
    let elsewhere = origin::is_elsewhere(n, settings);
    request(
        &Single {
            n,
            detail_omitted,
            elsewhere,
        },
        settings,
    )
}

/// One notification as a message.
struct Single<'a> {
    n: &'a Notification,
    detail_omitted: Option<&'a str>,
    /// From an account or region other than the function's own: the subject and first line say
    /// where.
    elsewhere: bool,
}

impl Message for Single<'_> {
    fn subject(&self) -> String {
        subject::subject(self.n, self.elsewhere)
    }

    fn text(&self) -> String {
        text::body(self.n, self.elsewhere)
    }

    fn document(&self) -> String {
        json::to_string(&document::document(self.n, self.detail_omitted))
    }

    fn chat(&self, subject: &str) -> String {
        json::to_string(&chat::chat(self.n, subject, self.elsewhere))
    }

    fn attributes(&self) -> Attributes {
        attributes::attributes(self.n)
    }

    /// One job's messages share a group, so that they keep their order; the event's id
    /// deduplicates it (or, without one, its content).
    fn fifo_ids(&self, subject: &str, message: &str) -> (String, String) {
        let dedup = (self.n.event_id.as_deref())
            .map(|id| fifo_id(id, ""))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| content_id(&[subject, message]));
        (fifo_id(&self.n.thread_key, "batch-notifier"), dedup)
    }
}

/// A message in every format: what the one request builder ([`request`]) asks of a notification
/// or a digest.
pub(crate) trait Message {
    fn subject(&self) -> String;
    /// The text people read.
    fn text(&self) -> String;
    /// The versioned JSON document, as written.
    fn document(&self) -> String;
    /// The chat notification, as written.
    fn chat(&self, subject: &str) -> String;
    fn attributes(&self) -> Attributes;
    /// The FIFO group and deduplication ids, given the subject and message.
    fn fifo_ids(&self, subject: &str, message: &str) -> (String, String);
}

/// The Publish request of `message` in the format the settings ask for, with FIFO ids on a FIFO
/// topic.
pub(crate) fn request(message: &impl Message, settings: &Settings) -> PublishRequest {
    let subject = message.subject();
    let (body, structure) = match settings.render.message_format {
        MessageFormat::Text => (message.text(), None),
        MessageFormat::Json => (message.document(), None),
        MessageFormat::Chat => (message.chat(&subject), None),
        MessageFormat::Multi => (
            multi_message(&message.text(), &message.document()),
            Some("json"),
        ),
    };
    let (group, dedup) = if settings.fifo() {
        let (group, dedup) = message.fifo_ids(&subject, &body);
        (Some(group), Some(dedup))
    } else {
        (None, None)
    };
    PublishRequest {
        topic_arn: settings.deliver.topic_arn.clone(),
        subject,
        message: body,
        message_structure: structure,
        message_attributes: message.attributes(),
        message_group_id: group,
        message_deduplication_id: dedup,
    }
}

/// FIFO ids take at most 128 characters of ASCII letters, digits and punctuation. A longer value
/// keeps its end, where ids and names differ; nothing usable falls back to `fallback`.
pub(crate) fn fifo_id(value: &str, fallback: &str) -> String {
    let mut masked = value.to_owned();
    mask_access_keys(&mut masked);
    let cleaned: String = masked.chars().filter(char::is_ascii_graphic).collect();
    let start = cleaned.len().saturating_sub(MAX_FIFO_ID);
    let id = &cleaned[start..];
    if id.is_empty() {
        fallback.to_owned()
    } else {
        id.to_owned()
    }
}

/// The `MessageStructure=json` message: the text for people's protocols, the document (as a string)
/// for programs'. Each part is written as a JSON string once, then repeated.
#[derive(Serialize)]
struct Multi<'a> {
    default: &'a RawValue,
    email: &'a RawValue,
    sms: &'a RawValue,
    sqs: &'a RawValue,
    lambda: &'a RawValue,
    http: &'a RawValue,
    https: &'a RawValue,
    firehose: &'a RawValue,
    #[serde(rename = "email-json")]
    email_json: &'a RawValue,
}

/// The `multi` message of a text and a JSON document (a notification's or a digest's).
pub(crate) fn multi_message(text: &str, document: &str) -> String {
    let text = json::to_string(&text);
    let document = json::to_string(&document);
    let (Ok(text), Ok(document)) = (RawValue::from_string(text), RawValue::from_string(document))
    else {
        return String::new();
    };
    let (text, document) = (&*text, &*document);
    json::to_string(&Multi {
        default: text,
        email: text,
        sms: text,
        sqs: document,
        lambda: document,
        http: document,
        https: document,
        firehose: document,
        email_json: document,
    })
}
