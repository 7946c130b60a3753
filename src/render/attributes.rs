//! Message attributes that SNS subscription filter policies route on.

use std::borrow::Cow;

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
    /// Borrowed when it is one of the function's own words (a family, an outcome, a severity).
    pub string_value: Cow<'static, str>,
}

/// In name order: a sorted vector rather than a tree, as there are never more than ten.
pub type Attributes = LiteMap<&'static str, AttributeValue>;

/// At most 10 String attributes (an SQS subscription with raw delivery takes no more); empty values
/// are left out because SNS rejects them.
pub fn attributes(n: &Notification) -> Attributes {
    // The function's own words need no cleaning and no copy.
    let word = |word: &'static str| Some(Cow::Borrowed(word));
    let text = |text: Option<&str>| text.map(|t| Cow::Owned(clean(t)));
    // In name order, which is the map's (a test checks it): it is built as it is, with no sorting.
    let candidates: [(&'static str, Option<Cow<'static, str>>); 9] = [
        ("account", text(n.account.as_deref())),
        ("event_name", text(Some(&n.event_name))),
        ("family", word(n.family.as_str())),
        ("outcome", word(n.outcome.as_str())),
        ("region", text(n.region.as_deref())),
        ("resource_kind", word(n.resource.kind.as_str())),
        ("severity", word(n.severity.as_str())),
        ("source", text(Some(&n.source))),
        ("status", text(n.status.as_ref().map(|s| s.value.as_str()))),
    ];
    let mut sorted = Vec::with_capacity(candidates.len());
    for (name, value) in candidates {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
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
