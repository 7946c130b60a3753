//! The secret values found while reading an event, and their removal from free text that echoes
//! them.

use std::cmp::Reverse;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::REDACTED;

/// Values shorter than this are not scrubbed elsewhere: `true` or `1` would blank unrelated text.
const MIN_SCRUBBED_LEN: usize = 6;

/// The secret values found while redacting, longest first, so that a secret containing another is
/// removed whole.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    values: Vec<String>,
}

/// Never the values themselves, not even in a debug print.
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

impl Secrets {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds the secrets found elsewhere.
    pub fn absorb(&mut self, other: Secrets) {
        for secret in other.values {
            self.remember(&secret);
        }
    }

    /// Keeps `secret` in its place: longest first, equal lengths in text order, so the same secrets
    /// give the same list whatever order they came in.
    pub fn remember(&mut self, secret: &str) {
        if secret.len() < MIN_SCRUBBED_LEN || secret == REDACTED {
            return;
        }
        let order =
            |v: &String| (Reverse(v.len()), v.as_str()).cmp(&(Reverse(secret.len()), secret));
        if let Err(at) = self.values.binary_search_by(order) {
            self.values.insert(at, secret.to_owned());
        }
    }

    /// Removes every known secret from `text`.
    pub fn scrub(&self, text: &mut String) {
        for secret in &self.values {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
    }

    pub fn scrub_option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.scrub(text);
        }
    }

    /// Scrubs `text` if it is free text (has a space). Names and ids are left alone: a parameter
    /// whose value happens to be `us-east-1` must not blank the region.
    pub fn scrub_free_text(&self, text: &mut String) {
        if !self.values.is_empty() && text.contains(char::is_whitespace) {
            self.scrub(text);
        }
    }
}

/// A JSON value as it is written, with the free text in it scrubbed of `secrets`: the scrubbing is
/// done while it is serialized, so a value that is never shown costs nothing.
pub struct Scrubbed<'a> {
    pub value: &'a Value,
    pub secrets: &'a Secrets,
}

impl Serialize for Scrubbed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let inner = |value| Scrubbed {
            value,
            secrets: self.secrets,
        };
        match self.value {
            Value::String(text)
                if !self.secrets.is_empty() && text.contains(char::is_whitespace) =>
            {
                let mut text = text.clone();
                self.secrets.scrub(&mut text);
                serializer.serialize_str(&text)
            }
            Value::Array(items) => serializer.collect_seq(items.iter().map(inner)),
            Value::Object(members) => {
                serializer.collect_map(members.iter().map(|(key, value)| (key, inner(value))))
            }
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_containing_another_is_removed_whole() {
        let mut secrets = Secrets::default();
        secrets.remember("abcdef");
        secrets.remember("abcdefgh");
        let mut text = "x abcdefgh y".to_owned();
        secrets.scrub(&mut text);
        assert_eq!(text, "x [redacted] y");
    }

    #[test]
    fn a_value_is_written_with_its_free_text_scrubbed() {
        let mut secrets = Secrets::default();
        secrets.remember("hunter2-pass");
        let value = serde_json::json!({"reason": "bad hunter2-pass given", "id": "hunter2-pass",
            "list": ["x hunter2-pass"], "n": 3});
        let written = serde_json::to_value(Scrubbed {
            value: &value,
            secrets: &secrets,
        })
        .unwrap();
        assert_eq!(
            written,
            serde_json::json!({"reason": "bad [redacted] given", "id": "hunter2-pass",
                "list": ["x [redacted]"], "n": 3})
        );
        assert_eq!(format!("{secrets:?}"), "Secrets(1 values)");
    }

    #[test]
    fn short_values_and_identifiers_are_not_scrubbed() {
        let mut secrets = Secrets::default();
        secrets.remember("true");
        assert!(secrets.is_empty());
        secrets.remember("us-east-1");
        let mut id = "us-east-1".to_owned();
        secrets.scrub_free_text(&mut id);
        assert_eq!(id, "us-east-1");
        let mut sentence = "no capacity in us-east-1".to_owned();
        secrets.scrub_free_text(&mut sentence);
        assert_eq!(sentence, "no capacity in [redacted]");
    }
}
