//! Reading values out of an event's JSON for a notification: bounded text, lists on one line,
//! facts, short names, and the links every family may add.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::links::{self, Console};
use crate::domain::limits::{MAX_LIST_ITEMS, MAX_NAME, MAX_TEXT, bounded, bounded_str};
use crate::domain::model::{Fact, Link};

/// The string at `key` of a JSON object, bounded; `None` when absent or empty.
pub(super) fn text_at(object: &Value, key: &str, max: usize) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(|s| bounded(s.to_owned(), max))
}

/// A string value, bounded and borrowed where it can be; `None` when absent, not a string or
/// empty.
pub(super) fn str_of(value: Option<&Value>, max: usize) -> Option<Cow<'_, str>> {
    (value.and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(|s| bounded_str(s, max))
}

/// A scalar shown as text: strings as they are, numbers and booleans printed.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(bounded(s.clone(), MAX_TEXT)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list shown as one line: strings as they are, anything else as compact JSON.
pub(super) fn list_text(items: &[Value]) -> String {
    let mut shown: Vec<String> = items
        .iter()
        .take(MAX_LIST_ITEMS)
        .map(|v| scalar_text(v).unwrap_or_else(|| bounded(v.to_string(), MAX_NAME)))
        .collect();
    if items.len() > MAX_LIST_ITEMS {
        shown.push(format!("and {} more", items.len() - MAX_LIST_ITEMS));
    }
    bounded(shown.join("; "), MAX_TEXT)
}

pub(super) fn fact(key: &'static str, label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        key,
        label,
        value: value.into(),
    }
}

/// The name in an ARN (`arn:aws:batch:…:job-definition/etl:7` gives `etl:7`), or the value itself.
pub fn short_name(value: &str) -> &str {
    if !value.starts_with("arn:") {
        return value;
    }
    // The resource follows the fifth colon (`arn:partition:service:region:account:`).
    let resource = match memchr::memchr_iter(b':', value.as_bytes()).nth(4) {
        Some(colon) => &value[colon + 1..],
        None => value,
    };
    resource.rsplit_once('/').map_or(resource, |(_, name)| name)
}

pub(super) fn cloudtrail_link(console: Option<&Console>, event_id: Option<&str>) -> Option<Link> {
    Some(links::cloudtrail_event(console?, event_id?))
}

/// Puts the non-null entries into a JSON object, for the document's `detail`.
pub(super) fn object_of(entries: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = entries
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_null()).map(|v| (k.to_owned(), v)))
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_keep_revisions() {
        let arn = "arn:aws:batch:us-east-1:1:job-definition/etl-job:7";
        assert_eq!(short_name(arn), "etl-job:7");
        assert_eq!(
            short_name("arn:aws:batch:us-east-1:1:job-queue/high"),
            "high"
        );
        assert_eq!(short_name("spot-ce"), "spot-ce");
        assert_eq!(
            short_name("arn:aws:batch:us-east-1"),
            "arn:aws:batch:us-east-1"
        );
        assert_eq!(short_name("arn:aws:iam::1:root"), "root");
        assert_eq!(short_name("arn:aws:batch:r:1:job-queue/a/b"), "b");
        assert_eq!(short_name("arn:aws:sns:us-east-1:1:topic"), "topic");
        assert_eq!(short_name("arn:short/name"), "name");
    }
}
