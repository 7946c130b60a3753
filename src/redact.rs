//! Redaction: nothing that can carry a secret leaves through a notification.
//!
//! Two layers. Values under secret-bearing keys (environment lists, parameter maps, commands, log
//! options, secret options, service request payloads, credentials) are replaced wholesale. Then every
//! string that is published is scrubbed of those values wherever else they appear (an error message
//! that echoes a parameter, say) and of anything shaped like an AWS access key id.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

pub const REDACTED: &str = "[redacted]";

/// Keys whose whole value is replaced, compared without regard to case.
const SECRET_KEYS: &[&str] = &[
    "environment",
    "env",
    "parameters",
    "command",
    "args",
    "options",
    "secretOptions",
    "secrets",
    "serviceRequestPayload",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
];

/// Key fragments that mark a secret wherever they appear in a key name, in lower case.
const SECRET_KEY_FRAGMENTS: &[&str] = &["password", "secret", "credential", "token"];

/// Values shorter than this are not scrubbed elsewhere: `true` or `1` would blank unrelated text.
const MIN_SCRUBBED_LEN: usize = 6;

fn is_secret_key(key: &str) -> bool {
    let named = SECRET_KEY_LENGTHS & (1u64 << key.len().min(63)) != 0
        && SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
    named || has_secret_fragment(key.as_bytes())
}

/// The lengths of the secret keys, as bits: most keys have no secret key's length and are not
/// compared with any.
const SECRET_KEY_LENGTHS: u64 = {
    let mut lengths = 0;
    let mut i = 0;
    while i < SECRET_KEYS.len() {
        assert!(
            SECRET_KEYS[i].len() < 63,
            "secret key too long for the length bits"
        );
        lengths |= 1 << SECRET_KEYS[i].len();
        i += 1;
    }
    lengths
};

/// The letters in `bytes` as bits (`a` is bit 0), in either case. Other bytes may set stray bits,
/// which only makes a test on the letters pass more often.
const fn letters(bytes: &[u8]) -> u32 {
    let mut bits = 0;
    let mut i = 0;
    while i < bytes.len() {
        bits |= 1 << ((bytes[i] | 0x20).wrapping_sub(b'a') & 31);
        i += 1;
    }
    bits
}

/// The letters each fragment needs: a key that lacks some letter of every fragment (most keys) is
/// not searched.
const FRAGMENT_LETTERS: [u32; SECRET_KEY_FRAGMENTS.len()] = {
    let mut needed = [0; SECRET_KEY_FRAGMENTS.len()];
    let mut i = 0;
    while i < needed.len() {
        needed[i] = letters(SECRET_KEY_FRAGMENTS[i].as_bytes());
        i += 1;
    }
    needed
};

/// One pass over the key, and a search only if it has every letter of some fragment (every key of
/// every event goes through here; few have).
fn has_secret_fragment(key: &[u8]) -> bool {
    let present = letters(key);
    if !FRAGMENT_LETTERS
        .iter()
        .any(|&needed| needed & !present == 0)
    {
        return false;
    }
    SECRET_KEY_FRAGMENTS.iter().any(|fragment| {
        key.windows(fragment.len())
            .any(|window| window.eq_ignore_ascii_case(fragment.as_bytes()))
    })
}

/// The secret values found while redacting, to scrub from everything else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    values: Vec<String>,
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

    /// Keeps the longest first, so that a secret containing another is removed whole (and equal
    /// lengths in text order, so the same secrets give the same list whatever order they came in).
    fn remember(&mut self, s: &str) {
        if s.len() < MIN_SCRUBBED_LEN || s == REDACTED {
            return;
        }
        let order = |v: &String| (Reverse(v.len()), v.as_str()).cmp(&(Reverse(s.len()), s));
        if let Err(at) = self.values.binary_search_by(order) {
            self.values.insert(at, s.to_owned());
        }
    }

    /// Removes every known secret and every access key id from `text`.
    pub fn scrub(&self, text: &mut String) {
        for secret in &self.values {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), REDACTED);
            }
        }
        mask_access_keys(text);
    }

    pub fn scrub_option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.scrub(text);
        }
    }

    /// Scrubs `text` if it is free text (has a space); always masks access key ids.
    pub fn scrub_free_text(&self, text: &mut String) {
        if !self.values.is_empty() && text.contains(char::is_whitespace) {
            self.scrub(text);
        } else {
            mask_access_keys(text);
        }
    }

    /// Scrubs the free text inside a JSON value and masks access key ids everywhere in it.
    pub fn scrub_value(&self, value: &mut Value) {
        match value {
            Value::String(s) => self.scrub_free_text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.scrub_value(v)),
            _ => {}
        }
    }
}

/// Which members of JSON objects [`Redacting`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every member: the value is shown.
    All,
    /// Only members under these keys, at any depth: the classifier reads no others. The rest are
    /// read for their secrets and dropped, which spares building and freeing them.
    Only(&'static [&'static str]),
}

impl Keep {
    fn keeps(self, key: &str) -> bool {
        match self {
            Keep::All => true,
            Keep::Only(keys) => keys.contains(&key),
        }
    }
}

/// Objects and arrays deeper than this in a value read by [`Redacting`] are replaced by
/// [`TOO_DEEP`]: the JSON document wraps the value in a few levels of its own, and readers such as
/// serde_json refuse documents nested beyond 128 levels. Real events nest fewer than ten.
pub const MAX_DEPTH: usize = 32;
pub const TOO_DEEP: &str = "[nested too deeply]";

/// Reads a JSON value with its secrets redacted on the way in, in the same pass as the parse: the
/// value under a secret-bearing key is remembered in `secrets` and kept as `[redacted]` (`null`
/// stays `null`).
pub struct Redacting<'s> {
    secrets: &'s mut Secrets,
    keep: Keep,
    depth: usize,
}

impl<'s> Redacting<'s> {
    pub fn new(secrets: &'s mut Secrets, keep: Keep) -> Self {
        Redacting {
            secrets,
            keep,
            depth: 0,
        }
    }

    fn inner(&mut self) -> Redacting<'_> {
        Redacting {
            secrets: &mut *self.secrets,
            keep: self.keep,
            depth: self.depth + 1,
        }
    }
}

/// A JSON value read with [`Redacting`], keeping everything, with the secrets it held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Redacted {
    pub value: Value,
    pub secrets: Secrets,
}

impl serde::Serialize for Redacted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl Redacted {
    /// Reads a value with [`Redacting`], keeping what `keep` says.
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D, keep: Keep) -> Result<Self, D::Error> {
        let mut secrets = Secrets::default();
        let value = Redacting::new(&mut secrets, keep).deserialize(deserializer)?;
        Ok(Redacted { value, secrets })
    }
}

impl<'de> serde::Deserialize<'de> for Redacted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Redacted::read(deserializer, Keep::All)
    }
}

impl<'de> DeserializeSeed<'de> for Redacting<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Redacting<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
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
        if self.depth >= MAX_DEPTH {
            Reading::scan(self.secrets).visit_seq(seq)?;
            return Ok(Value::String(TOO_DEEP.into()));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self.inner())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            Reading::scan(self.secrets).visit_map(map)?;
            return Ok(Value::String(TOO_DEEP.into()));
        }
        let mut members = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            if is_secret_key(&key) {
                let was_null = map.next_value_seed(Reading::collect(&mut *self.secrets))?;
                if self.keep.keeps(&key) {
                    let shown = if was_null {
                        Value::Null
                    } else {
                        Value::String(REDACTED.into())
                    };
                    members.insert(key.into_owned(), shown);
                }
            } else if self.keep.keeps(&key) {
                let value = map.next_value_seed(self.inner())?;
                members.insert(key.into_owned(), value);
            } else {
                map.next_value_seed(Reading::scan(&mut *self.secrets))?;
            }
        }
        Ok(Value::Object(members))
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

/// Reads a value that is not kept, only for its secrets: every string under a secret-bearing key
/// (all of them once `secret` is set) is remembered. Says whether the value was `null`.
struct Reading<'s> {
    secrets: &'s mut Secrets,
    secret: bool,
}

impl<'s> Reading<'s> {
    fn scan(secrets: &'s mut Secrets) -> Self {
        Reading {
            secrets,
            secret: false,
        }
    }

    fn collect(secrets: &'s mut Secrets) -> Self {
        Reading {
            secrets,
            secret: true,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Reading<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Reading<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        if self.secret {
            self.secrets.remember(v);
        }
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq
            .next_element_seed(Reading {
                secrets: &mut *self.secrets,
                secret: self.secret,
            })?
            .is_some()
        {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            map.next_value_seed(Reading {
                secrets: &mut *self.secrets,
                secret: self.secret || is_secret_key(&key),
            })?;
        }
        Ok(false)
    }
}

/// Whether `text` has `AKIA` or `ASIA` somewhere: found from each `A` (rare in most text), which
/// is cheaper on short strings than two substring searches.
fn has_key_prefix(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find('A') {
        let at = from + found;
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"KIA") || rest.starts_with(b"SIA") {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Masks access key ids (`AKIA…`, `ASIA…`: four letters and sixteen upper-case letters or digits).
pub fn mask_access_keys(text: &mut String) {
    const PREFIXES: [&str; 2] = ["AKIA", "ASIA"];
    if text.len() < 20 || !has_key_prefix(text) {
        return;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 20 <= bytes.len() {
        let candidate = &bytes[i..i + 20];
        let is_key = PREFIXES.iter().any(|p| candidate.starts_with(p.as_bytes()))
            && candidate[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && !bytes.get(i + 20).is_some_and(|b| b.is_ascii_alphanumeric())
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if is_key {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            i += 20;
            copied = i;
        } else {
            i += 1;
        }
    }
    if copied > 0 {
        out.push_str(&text[copied..]);
        *text = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_bearing_keys_are_replaced_at_any_depth() {
        let mut v = json!({
            "jobName": "nightly",
            "containerOverrides": {
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2-secret"}],
                "command": ["--token", "abcdef123"],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}},
            },
            "parameters": {"key": "value-123456"},
            "nodeOverrides": {"nodePropertyOverrides": [{"containerOverrides": {"environment": []}}]},
            "eksPropertiesOverride": {"podProperties": {"containers": [{"env": [{"name": "A", "value": "b"}], "args": ["x"]}]}},
            "serviceRequestPayload": "{\"HyperParameters\":{}}",
            "userIdentity": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
            "repositoryCredentials": {"credentialsParameter": "arn:x"},
        });
        let mut secrets = Secrets::default();
        redact_and_scrub(&mut v, &mut secrets);
        let text = v.to_string();
        for leaked in [
            "hunter2-secret",
            "abcdef123",
            "awslogs-group",
            "value-123456",
            "HyperParameters",
            "AKIAIOSFODNN7EXAMPLE",
            "arn:x",
            "DB_PASSWORD",
        ] {
            assert!(!text.contains(leaked), "{leaked} leaked: {text}");
        }
        assert_eq!(v["jobName"], "nightly");
        assert_eq!(
            v["containerOverrides"]["logConfiguration"]["logDriver"],
            "awslogs"
        );
    }

    #[test]
    fn secrets_are_scrubbed_wherever_else_they_appear() {
        let mut v = json!({"parameters": {"p": "s3cr3t-value"}, "errorMessage": "bad value s3cr3t-value given", "id": "s3cr3t-value"});
        let mut secrets = Secrets::default();
        redact_and_scrub(&mut v, &mut secrets);
        assert_eq!(v["errorMessage"], "bad value [redacted] given");
        // Identifiers are not free text: a parameter that equals a region must not blank it.
        assert_eq!(v["id"], "s3cr3t-value");
        let mut message = String::from("again: s3cr3t-value");
        secrets.scrub(&mut message);
        assert_eq!(message, "again: [redacted]");
    }

    #[test]
    fn short_values_are_not_scrubbed_elsewhere() {
        let mut v = json!({"parameters": {"flag": "true"}, "state": "true"});
        let mut secrets = Secrets::default();
        redact_and_scrub(&mut v, &mut secrets);
        assert_eq!(v["state"], "true");
        assert!(secrets.is_empty());
    }

    #[test]
    fn access_key_ids_are_masked_in_any_text() {
        let mut s =
            String::from("key AKIAIOSFODNN7EXAMPLE and ASIAXXXXXXXXXXXXXXXX. AKIASHORT ok é");
        mask_access_keys(&mut s);
        assert_eq!(s, "key [redacted] and [redacted]. AKIASHORT ok é");
        let mut s = String::from("XAKIAIOSFODNN7EXAMPLE");
        mask_access_keys(&mut s);
        assert_eq!(s, "XAKIAIOSFODNN7EXAMPLE");
    }

    /// The definition [`Redacting`] implements while reading: redaction of a parsed value.
    fn reference_redact(value: &mut Value, secrets: &mut Secrets) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| reference_redact(v, secrets)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if is_secret_key(key) {
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

    fn redact_and_scrub(v: &mut Value, secrets: &mut Secrets) {
        let (redacted, found) = read(v.to_string().as_bytes(), Keep::All);
        *v = redacted;
        *secrets = found;
        secrets.scrub_value(v);
    }

    fn read(bytes: &[u8], keep: Keep) -> (Value, Secrets) {
        let mut secrets = Secrets::default();
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let value = Redacting::new(&mut secrets, keep)
            .deserialize(&mut deserializer)
            .unwrap();
        (value, secrets)
    }

    #[test]
    fn redacting_while_reading_matches_redacting_afterwards_on_every_example() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let mut expected: Value = serde_json::from_slice(&bytes).unwrap();
            let mut expected_secrets = Secrets::default();
            reference_redact(&mut expected, &mut expected_secrets);

            let (value, secrets) = read(&bytes, Keep::All);
            assert_eq!(value, expected, "{path:?}");
            assert_eq!(secrets, expected_secrets, "{path:?}");

            let (pruned, pruned_secrets) = read(&bytes, Keep::Only(&["detail", "jobName"]));
            assert_eq!(
                pruned_secrets, expected_secrets,
                "{path:?}: pruning lost secrets"
            );
            assert!(pruned.get("source").is_none(), "{path:?}");
        }
    }

    #[test]
    fn pruning_keeps_only_the_listed_keys_and_still_collects_every_secret() {
        let bytes = br#"{"jobName":"nightly","container":{"environment":[{"name":"K","value":"hunter2-pass"}],
            "exitCode":1,"image":"app"},"parameters":{"p":"s3cr3t-param"},"jobQueue":null,"secretOptions":null}"#;
        let (value, secrets) = read(bytes, Keep::Only(&["jobName", "container", "exitCode"]));
        assert_eq!(
            value,
            json!({"jobName": "nightly", "container": {"exitCode": 1}})
        );
        let mut text = "failed with hunter2-pass and s3cr3t-param".to_owned();
        secrets.scrub(&mut text);
        assert_eq!(text, "failed with [redacted] and [redacted]");
    }

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
    fn values_nested_too_deeply_are_cut_but_their_secrets_still_collected() {
        let mut json = String::new();
        for _ in 0..MAX_DEPTH + 5 {
            json.push_str(r#"{"a":"#);
        }
        json.push_str(r#"{"password":"deep-secret-value"}"#);
        json.push_str(&"}".repeat(MAX_DEPTH + 5));
        let (value, secrets) = read(json.as_bytes(), Keep::All);
        let mut at = &value;
        for _ in 0..MAX_DEPTH {
            at = &at["a"];
        }
        assert_eq!(at, &json!(TOO_DEEP));
        let mut text = "x deep-secret-value".to_owned();
        secrets.scrub(&mut text);
        assert_eq!(text, "x [redacted]");
    }

    proptest::proptest! {
        #[test]
        fn the_secret_key_check_follows_its_definition(
            key in "[a-zA-Z_]{0,6}(tOken|SECRET|passWord|credential|env|args|Parameters|ecre)?[a-zA-Z_é]{0,6}"
        ) {
            let lower = key.to_ascii_lowercase();
            let defined = SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key))
                || SECRET_KEY_FRAGMENTS.iter().any(|f| lower.contains(f));
            proptest::prop_assert_eq!(is_secret_key(&key), defined);
        }
    }

    #[test]
    fn secret_keys_are_found_by_name_and_by_fragment_in_any_case() {
        for key in [
            "environment",
            "ENV",
            "dbPassword",
            "x-Secret-y",
            "Credentials",
            "TOKEN",
            "a_token",
            // A fragment right after a false start with its own first letter.
            "ttoken",
            "sSECRET",
            "ppassword_",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "jobName",
            "tokn",
            "passwor",
            "secre",
            "",
            "t",
            "environments",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
