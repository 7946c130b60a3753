//! Message attributes that SNS subscription filter policies route on.

use litemap::LiteMap;
use serde::Serialize;

use crate::model::Notification;
use crate::render::text::has_control;

/// Longest attribute value kept; filter policies compare short tokens.
const MAX_VALUE: usize = 256;

/// An SNS message attribute in the API's own shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    pub data_type: &'static str,
    pub string_value: String,
}

/// In name order: a sorted vector rather than a tree, as there are never more than ten.
pub type Attributes = LiteMap<&'static str, AttributeValue>;

/// At most 10 String attributes (an SQS subscription with raw delivery takes no more); empty values
/// are left out because SNS rejects them.
pub fn attributes(n: &Notification) -> Attributes {
    let status = n.status.as_ref().map(|s| s.value.as_str());
    // In name order, which is the map's (a test checks it): it is built as it is, with no sorting.
    let candidates: [(&'static str, Option<&str>); 9] = [
        ("account", n.account.as_deref()),
        ("event_name", Some(n.event_name.as_str())),
        ("family", Some(n.family.as_str())),
        ("outcome", Some(n.outcome.as_str())),
        ("region", n.region.as_deref()),
        ("resource_kind", Some(n.resource.kind.as_str())),
        ("severity", Some(n.severity.as_str())),
        ("source", Some(n.source.as_str())),
        ("status", status),
    ];
    let mut sorted = Vec::with_capacity(candidates.len());
    for (name, value) in candidates {
        let Some(value) = value.map(clean).filter(|v| !v.is_empty()) else {
            continue;
        };
        let value = AttributeValue {
            data_type: "String",
            string_value: value,
        };
        sorted.push((name, value));
    }
    LiteMap::from_sorted_store_unchecked(sorted)
}

/// Attribute values must be valid XML characters: controls become spaces.
fn clean(value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.len() <= MAX_VALUE && !has_control(trimmed) {
        return trimmed.to_owned();
    }
    let cleaned: String = trimmed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::classify::bounded(cleaned.trim().to_owned(), MAX_VALUE)
}

/// Bytes the attributes add to the message size: every name, type and value.
pub fn size(attributes: &Attributes) -> usize {
    attributes
        .iter()
        .map(|(name, v)| name.len() + v.data_type.len() + v.string_value.len())
        .sum()
}
