//! Message attributes that SNS subscription filter policies route on.

use crate::domain::limits::{bounded, has_control};
use crate::domain::model::Notification;
use crate::domain::redact::mask_access_keys;
use crate::ports::publisher::{AttributeValue, Attributes};

/// Longest attribute value kept; filter policies compare short tokens.
const MAX_VALUE: usize = 256;

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
        ("failure_kind", n.failure.as_ref().map(|f| f.kind.as_str())),
    ];
    // Inserted one by one: a map of ten takes one node, where collecting sorts a vector first.
    let mut attributes = Attributes::new();
    for (name, value) in candidates {
        let Some(value) = value.map(clean).filter(|v| !v.is_empty()) else {
            continue;
        };
        let attribute = AttributeValue {
            data_type: "String",
            string_value: value,
        };
        attributes.insert(name, attribute);
    }
    attributes
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
