//! Access key ids (`AKIA…`, `ASIA…`) masked in text.

use super::REDACTED;

/// An access key id: one of these prefixes and sixteen upper-case letters or digits.
const PREFIXES: [&str; 2] = ["AKIA", "ASIA"];
const KEY_LEN: usize = 20;

/// Replaces every access key id in `text` that stands on its own (not inside a longer word) by
/// `[redacted]`.
pub fn mask_access_keys(text: &mut String) {
    if text.len() < KEY_LEN || !has_prefix(text.as_bytes()) {
        return;
    }
    let bytes = text.as_bytes();
    let is_word = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphanumeric);
    let mut masked = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + KEY_LEN <= bytes.len() {
        let candidate = &bytes[i..i + KEY_LEN];
        let is_key = PREFIXES.iter().any(|p| candidate.starts_with(p.as_bytes()))
            && candidate[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && !is_word(bytes.get(i + KEY_LEN))
            && (i == 0 || !is_word(bytes.get(i - 1)));
        if is_key {
            masked.push_str(&text[copied..i]);
            masked.push_str(REDACTED);
            i += KEY_LEN;
            copied = i;
        } else {
            i += 1;
        }
    }
    if copied > 0 {
        masked.push_str(&text[copied..]);
        *text = masked;
    }
}

/// Whether a prefix appears at all: most text has no `A` followed by `KIA` or `SIA`, which one
/// search for the `A`s tells.
fn has_prefix(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'A', bytes).any(|at| {
        let rest = &bytes[at..];
        PREFIXES
            .iter()
            .any(|prefix| rest.starts_with(prefix.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_are_masked_in_any_text() {
        let mut s =
            String::from("key AKIAIOSFODNN7EXAMPLE and ASIAXXXXXXXXXXXXXXXX. AKIASHORT ok é");
        mask_access_keys(&mut s);
        assert_eq!(s, "key [redacted] and [redacted]. AKIASHORT ok é");
        let mut s = String::from("XAKIAIOSFODNN7EXAMPLE");
        mask_access_keys(&mut s);
        assert_eq!(s, "XAKIAIOSFODNN7EXAMPLE");
        let mut s = String::from("AKIAIOSFODNN7EXAMPLE");
        mask_access_keys(&mut s);
        assert_eq!(s, "[redacted]");
    }
}
