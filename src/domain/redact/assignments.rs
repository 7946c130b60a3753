//! Secrets written as assignments in free text (`password=…`, `"api_token": "…"`), masked: log lines
//! are free text that a program wrote, and programs print their settings.

use super::REDACTED;
use super::secret_keys::is_secret_key;

/// Replaces the value of every `key=value` or `key: value` in `text` whose key holds a secret (by
/// the same rule as JSON keys) with `[redacted]`.
pub fn mask_secret_assignments(text: &mut String) {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' && bytes[i] != b':' {
            i += 1;
            continue;
        }
        let key_end = if i > 0 && matches!(bytes[i - 1], b'"' | b'\'') {
            i - 1
        } else {
            i
        };
        let key_start = bytes[..key_end]
            .iter()
            .rposition(|b| !is_key_byte(*b))
            .map_or(0, |at| at + 1);
        let key = &text[key_start..key_end];
        let mut start = i + 1;
        while start < bytes.len() && bytes[start] == b' ' {
            start += 1;
        }
        let quote = bytes
            .get(start)
            .copied()
            .filter(|b| matches!(b, b'"' | b'\''));
        if quote.is_some() {
            start += 1;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| match quote {
                Some(q) => *b == q,
                None => b.is_ascii_whitespace() || b",;&\"'".contains(b),
            })
            .map_or(bytes.len(), |at| start + at);
        if !key.is_empty() && end > start && is_secret_key(key) {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = end;
        }
        i = end.max(i + 1);
    }
    if copied > 0 {
        out.push_str(&text[copied..]);
        *text = out;
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-.".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut text = text.to_owned();
        mask_secret_assignments(&mut text);
        text
    }

    #[test]
    fn values_of_secret_keys_are_masked_in_any_common_shape() {
        assert_eq!(
            masked("connecting with DB_PASSWORD=hunter2 to db"),
            "connecting with DB_PASSWORD=[redacted] to db"
        );
        assert_eq!(
            masked(r#"{"api_token": "abc def", "user": "bob"}"#),
            r#"{"api_token": "[redacted]", "user": "bob"}"#
        );
        assert_eq!(
            masked("aws_secret_access_key: wJalrXUtnFEMI/K7MDENG, next"),
            "aws_secret_access_key: [redacted], next"
        );
        assert_eq!(
            masked("token='x1'&secret=y2"),
            "token='[redacted]'&secret=[redacted]"
        );
    }

    #[test]
    fn other_assignments_and_urls_stay() {
        for text in [
            "see https://example.com:443/a?b=c",
            "exit code: 137",
            "tokens=",
            "password",
            "=:=:",
            "é:ü=",
        ] {
            assert_eq!(masked(text), text);
        }
    }
}
