//! Redaction: nothing that can carry a secret leaves through a notification.
//!
//! Two layers. Values under secret-bearing keys (environment lists, parameter maps, commands, log
//! options, secret options, service request payloads, credentials) are replaced wholesale. Then every
//! string that is published is scrubbed of those values wherever else they appear (an error message
//! that echoes a parameter, say) and of anything shaped like an AWS access key id.

use serde_json::Value;

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

/// Key fragments that mark a secret wherever they appear in a key name.
const SECRET_KEY_FRAGMENTS: &[&str] = &["password", "secret", "credential", "token"];

/// Values shorter than this are not scrubbed elsewhere: `true` or `1` would blank unrelated text.
const MIN_SCRUBBED_LEN: usize = 6;

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
        || SECRET_KEY_FRAGMENTS
            .iter()
            .any(|fragment| contains_ignore_ascii_case(key.as_bytes(), fragment.as_bytes()))
}

fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
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

    fn collect(&mut self, value: &Value) {
        match value {
            Value::String(s)
                if s.len() >= MIN_SCRUBBED_LEN && s != REDACTED && !self.values.contains(s) =>
            {
                self.values.push(s.clone());
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => map.values().for_each(|v| self.collect(v)),
            _ => {}
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

/// Replaces the values of secret-bearing keys anywhere in `value`, remembering what was removed.
pub fn redact(value: &mut Value, secrets: &mut Secrets) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| redact(v, secrets)),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) {
                    if !v.is_null() {
                        secrets.collect(v);
                        *v = Value::String(REDACTED.into());
                    }
                } else {
                    redact(v, secrets);
                }
            }
        }
        _ => {}
    }
}

/// Redacts `value` and then scrubs what is left of it.
pub fn redact_and_scrub(value: &mut Value, secrets: &mut Secrets) {
    redact(value, secrets);
    secrets.scrub_value(value);
}

/// Masks access key ids (`AKIA…`, `ASIA…`: four letters and sixteen upper-case letters or digits).
pub fn mask_access_keys(text: &mut String) {
    const PREFIXES: [&str; 2] = ["AKIA", "ASIA"];
    if text.len() < 20 || !PREFIXES.iter().any(|p| text.contains(p)) {
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
}
