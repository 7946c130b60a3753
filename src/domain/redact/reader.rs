//! Reads JSON with its secrets redacted on the way in, in the same pass as the parse: the value
//! under a secret-bearing key is remembered and kept as `[redacted]` (`null` stays `null`). An
//! `options` object is the one exception: it keeps its keys, and the options that are not secrets
//! (the log group) their values.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::secret_keys::{is_options_key, is_secret_key, is_shown_option};
use super::{REDACTED, Secrets};

/// Objects and arrays nested deeper than this are replaced by [`TOO_DEEP`]: the JSON document wraps
/// the value in a few levels of its own, and readers such as serde_json refuse documents nested
/// beyond 128 levels. Real events nest fewer than ten.
pub const MAX_DEPTH: usize = 32;
pub const TOO_DEEP: &str = "[nested too deeply]";

/// A JSON value read with its secrets redacted, and the secrets it held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Redacted {
    pub value: Value,
    pub secrets: Secrets,
}

impl<'de> serde::Deserialize<'de> for Redacted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut secrets = Secrets::default();
        let reader = Reader {
            secrets: &mut secrets,
            place: Place::Shown,
            depth: 0,
        };
        let value = reader.deserialize(deserializer)?;
        Ok(Redacted { value, secrets })
    }
}

/// Only because `aws_lambda_events`' envelope type asks it of its detail.
impl serde::Serialize for Redacted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// Where in the document a value is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Shown: built as it is, with the secrets inside redacted.
    Shown,
    /// Under a secret-bearing key: every string is remembered; the value reads as `[redacted]`.
    Secret,
    /// Under `options`: like `Secret`, except that an object is built, its shown options as they
    /// are and the others as `[redacted]`.
    Options,
    /// Nested too deeply to be shown: only read for the secrets inside.
    Hidden,
}

/// The one visitor: builds what is shown, remembers what is secret.
struct Reader<'s> {
    secrets: &'s mut Secrets,
    place: Place,
    depth: usize,
}

impl Reader<'_> {
    /// The reader of a member or element of the value this one reads.
    fn inner(&mut self, place: Place) -> Reader<'_> {
        Reader {
            secrets: &mut *self.secrets,
            place,
            depth: self.depth + 1,
        }
    }

    /// What a scalar reads as.
    fn scalar(&self, shown: impl FnOnce() -> Value) -> Value {
        match self.place {
            Place::Shown => shown(),
            Place::Secret | Place::Options => Value::String(REDACTED.into()),
            Place::Hidden => Value::Null,
        }
    }

    /// Where the members or elements of an array (`object` false) or object are read, and what it
    /// reads as if it is not built.
    fn container(&self, object: bool) -> (Place, Option<Value>) {
        let redacted = || Some(Value::String(REDACTED.into()));
        match self.place {
            Place::Shown if self.depth >= MAX_DEPTH => {
                (Place::Hidden, Some(Value::String(TOO_DEEP.into())))
            }
            Place::Shown => (Place::Shown, None),
            Place::Options if object && self.depth < MAX_DEPTH => (Place::Options, None),
            Place::Secret | Place::Options => (Place::Secret, redacted()),
            Place::Hidden => (Place::Hidden, Some(Value::Null)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(self.scalar(|| Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(self.scalar(|| Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(self.scalar(|| Value::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(self.scalar(|| Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        if matches!(self.place, Place::Secret | Place::Options) {
            self.secrets.remember(v);
        }
        Ok(self.scalar(|| Value::String(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let (place, unbuilt) = self.container(false);
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.inner(place))? {
            if unbuilt.is_none() {
                items.push(item);
            }
        }
        Ok(unbuilt.unwrap_or(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let (place, unbuilt) = self.container(true);
        let mut members = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            let member_place = match place {
                Place::Shown if is_options_key(&key) => Place::Options,
                Place::Shown | Place::Hidden if is_secret_key(&key) => Place::Secret,
                Place::Options if is_shown_option(&key) => Place::Shown,
                Place::Options => Place::Secret,
                other => other,
            };
            let value = map.next_value_seed(self.inner(member_place))?;
            if unbuilt.is_none() {
                members.insert(key.into_owned(), value);
            }
        }
        Ok(unbuilt.unwrap_or(Value::Object(members)))
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(bytes: &[u8]) -> Redacted {
        serde_json::from_slice(bytes).unwrap()
    }

    /// The definition the reader implements while reading: redaction of a parsed value.
    fn reference_redact(value: &mut Value, secrets: &mut Secrets) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| reference_redact(v, secrets)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if is_options_key(key) && v.is_object() {
                        let options = v.as_object_mut().unwrap();
                        for (option, v) in options.iter_mut() {
                            if is_shown_option(option) {
                                reference_redact(v, secrets);
                            } else if !v.is_null() {
                                collect(v, secrets);
                                *v = Value::String(REDACTED.into());
                            }
                        }
                    } else if is_secret_key(key) {
                        if !v.is_null() {
                            collect(v, secrets);
                            *v = Value::String(REDACTED.into());
                        }
                    } else {
                        reference_redact(v, secrets);
                    }
                }
            }
            _ => {}
        }
    }

    fn collect(value: &Value, secrets: &mut Secrets) {
        match value {
            Value::String(s) => secrets.remember(s),
            Value::Array(items) => items.iter().for_each(|v| collect(v, secrets)),
            Value::Object(map) => map.values().for_each(|v| collect(v, secrets)),
            _ => {}
        }
    }

    #[test]
    fn redacting_while_reading_matches_redacting_afterwards_on_every_example() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let mut expected: Value = serde_json::from_slice(&bytes).unwrap();
            let mut expected_secrets = Secrets::default();
            reference_redact(&mut expected, &mut expected_secrets);
            let read = read(&bytes);
            assert_eq!(read.value, expected, "{path:?}");
            assert_eq!(read.secrets, expected_secrets, "{path:?}");
        }
    }

    #[test]
    fn secret_bearing_keys_are_replaced_at_any_depth() {
        let event = json!({
            "jobName": "nightly",
            "containerOverrides": {
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2-secret"}],
                "command": ["--token", "abcdef123"],
                "logConfiguration": {
                    "logDriver": "splunk",
                    "options": {"awslogs-group": "/batch/nightly", "splunk-token": "splunk-tok-42", "splunk-url": "https://u:pw@splunk.example"},
                    "secretOptions": [{"name": "x", "valueFrom": "arn:aws:ssm:p"}],
                },
            },
            "parameters": {"key": "value-123456"},
            "nodeOverrides": {"nodePropertyOverrides": [{"containerOverrides": {"environment": []}}]},
            "eksPropertiesOverride": {"podProperties": {"containers": [{"env": [{"name": "A", "value": "b"}], "args": ["x"]}]}},
            "serviceRequestPayload": "{\"HyperParameters\":{}}",
            "userIdentity": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
            "repositoryCredentials": {"credentialsParameter": "arn:x"},
            "secretOptions": null,
        });
        let read = read(event.to_string().as_bytes());
        let text = read.value.to_string();
        for leaked in [
            "hunter2-secret",
            "abcdef123",
            "splunk-tok-42",
            "u:pw@",
            "arn:aws:ssm:p",
            "value-123456",
            "HyperParameters",
            "AKIAIOSFODNN7EXAMPLE",
            "arn:x",
            "DB_PASSWORD",
        ] {
            assert!(!text.contains(leaked), "{leaked} leaked: {text}");
        }
        assert_eq!(read.value["jobName"], "nightly");
        assert_eq!(read.value["secretOptions"], Value::Null);
        assert_eq!(read.value["parameters"], REDACTED);
        let log = &read.value["containerOverrides"]["logConfiguration"];
        assert_eq!(log["logDriver"], "splunk");
        assert_eq!(
            log["options"],
            json!({"awslogs-group": "/batch/nightly", "splunk-token": REDACTED, "splunk-url": REDACTED})
        );
        let mut named = "group /batch/nightly token splunk-tok-42".to_owned();
        read.secrets.scrub(&mut named);
        assert_eq!(named, "group /batch/nightly token [redacted]");
        let mut message = "bad value value-123456 and hunter2-secret".to_owned();
        read.secrets.scrub(&mut message);
        assert_eq!(message, "bad value [redacted] and [redacted]");
    }

    #[test]
    fn options_that_are_not_objects_or_are_too_deep_stay_redacted_wholesale() {
        let read = read(br#"{"options": ["awslogs-group", "a-1"], "o": {"options": "s-2"}}"#);
        assert_eq!(
            read.value,
            json!({"options": REDACTED, "o": {"options": REDACTED}})
        );
        let mut json = String::new();
        // The object holding `options` is the deepest one still shown.
        for _ in 0..MAX_DEPTH - 1 {
            json.push_str(r#"{"a":"#);
        }
        json.push_str(r#"{"options":{"awslogs-group":"deep-group","token":"deep-tok"}}"#);
        json.push_str(&"}".repeat(MAX_DEPTH - 1));
        let read = self::read(json.as_bytes());
        assert!(!read.value.to_string().contains("deep-"));
        let mut text = "x deep-tok".to_owned();
        read.secrets.scrub(&mut text);
        assert_eq!(text, "x [redacted]");
    }

    #[test]
    fn values_nested_too_deeply_are_cut_but_their_secrets_still_collected() {
        let mut json = String::new();
        for _ in 0..MAX_DEPTH + 5 {
            json.push_str(r#"{"a":"#);
        }
        json.push_str(r#"{"password":"deep-secret-value"}"#);
        json.push_str(&"}".repeat(MAX_DEPTH + 5));
        let read = read(json.as_bytes());
        let mut at = &read.value;
        for _ in 0..MAX_DEPTH {
            at = &at["a"];
        }
        assert_eq!(at, &json!(TOO_DEEP));
        let mut text = "x deep-secret-value".to_owned();
        read.secrets.scrub(&mut text);
        assert_eq!(text, "x [redacted]");
    }
}
