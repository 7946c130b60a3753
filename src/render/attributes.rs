//! Message attributes that SNS subscription filter policies route on.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::limits::{bounded, has_control};
use crate::model::Notification;
use crate::redact::mask_access_keys;

/// Longest attribute value kept; filter policies compare short tokens.
const MAX_VALUE: usize = 256;

/// An SNS message attribute in the API's own shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    pub data_type: &'static str,
    pub string_value: String,
}

/// By name.
pub type Attributes = BTreeMap<&'static str, AttributeValue>;

/// At most 10 String attributes (an SQS subscription with raw delivery takes no more); empty values
/// are left out because SNS rejects them.
pub fn attributes(n: &Notification) -> Attributes {
    let status = n.status.as_ref().map(|s| s.value.as_str());
    let candidates = [
        ("severity", Some(n.severity.as_str())),
        ("source", Some(n.source.as_str())),
        ("family", Some(n.family.as_str())),
        ("resource_kind", Some(n.resource.kind.as_str())),
        ("event_name", Some(n.event_name.as_str())),
        ("status", status),
        ("outcome", Some(n.outcome.as_str())),
        ("account", n.account.as_deref()),
        ("region", n.region.as_deref()),
    ];
    candidates
        .into_iter()
        .filter_map(|(name, value)| {
            let value = clean(value?);
            let attribute = AttributeValue {
                data_type: "String",
                string_value: value,
            };
            (!attribute.string_value.is_empty()).then_some((name, attribute))
        })
        .collect()
}

/// Attribute values must be valid XML characters: controls become spaces; access key ids are masked
/// before the value is cut.
pub(crate) fn clean(value: &str) -> String {
    let mut value = value.trim().to_owned();
    mask_access_keys(&mut value);
    if has_control(&value) {
        let spaced: String = value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        value = spaced.trim().to_owned();
    }
    bounded(value, MAX_VALUE)
}

/// Bytes the attributes add to the message size: every name, type and value.
pub fn size(attributes: &Attributes) -> usize {
    attributes
        .iter()
        .map(|(name, v)| name.len() + v.data_type.len() + v.string_value.len())
        .sum()
}
