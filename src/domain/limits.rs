//! Bounds on the text a notification carries, shared by every stage: its length and its lines.

use std::borrow::Cow;

/// Longest name or identifier kept (resource names, ids, ARNs).
pub const MAX_NAME: usize = 256;
/// Longest free text kept (error messages, status reasons).
pub const MAX_TEXT: usize = 2048;
/// Most list items shown in one fact.
pub const MAX_LIST_ITEMS: usize = 20;

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn bounded(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max.saturating_sub('…'.len_utf8());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// `s` cut as [`bounded`] cuts it, and borrowed when it is short enough, as most values are.
pub fn bounded_str(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(bounded(s.to_owned(), max))
    }
}

/// A value on one line with no control characters, which SNS would reject or mail would mangle.
pub fn single_line(value: &str) -> Cow<'_, str> {
    if has_control(value) {
        value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        Cow::Borrowed(value)
    }
}

/// Whether `value` has a control character (Unicode's `Cc`: below 0x20, 0x7F, U+0080–U+009F).
/// Text whose bytes are all printable ASCII has none, and is not decoded.
pub fn has_control(value: &str) -> bool {
    !is_printable_ascii(value.as_bytes()) && value.chars().any(char::is_control)
}

/// Whether every byte is printable ASCII (0x20 to 0x7E). Every line of every notification is
/// checked, so eight bytes are checked at once: the release build does not vectorise loops.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let (words, rest) = bytes.as_chunks::<8>();
    let words_printable = words.iter().all(|word| {
        let word = u64::from_ne_bytes(*word);
        // A byte's high bit is set in `word` when it is 0x80 or above; in `word - 0x20…` for the
        // lowest byte below 0x20 (no borrow reaches it from a byte at or above 0x20); in
        // `word + 0x01…` for 0x7F (no byte below 0x80 carries). Printable bytes set none.
        (word | word.wrapping_sub(ONES * 0x20) | word.wrapping_add(ONES)) & HIGH_BITS == 0
    });
    words_printable && rest.iter().all(|b| (0x20..0x7f).contains(b))
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: impl Into<i128>) -> String {
    let n = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0u64), "0");
        assert_eq!(thousands(999u64), "999");
        assert_eq!(thousands(1000i64), "1,000");
        assert_eq!(thousands(10_000u64), "10,000");
        assert_eq!(thousands(-1_234_567i64), "-1,234,567");
    }

    #[test]
    fn bounded_cuts_on_a_character_boundary() {
        assert_eq!(bounded("abc".into(), 10), "abc");
        let cut = bounded("ééééé".into(), 6);
        assert!(cut.len() <= 6 && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn bounded_str_cuts_as_bounded_and_borrows_what_fits() {
        assert!(matches!(bounded_str("short", 5), Cow::Borrowed("short")));
        for text in ["a longer value", "ééééé", "abc…def"] {
            for max in 0..text.len() {
                let cut = bounded_str(text, max);
                assert!(matches!(cut, Cow::Owned(_)), "{text} {max}");
                assert_eq!(cut, bounded(text.to_owned(), max), "{text} {max}");
            }
        }
    }

    #[test]
    fn printable_ascii_is_told_at_every_place_of_a_word() {
        for len in 0..20 {
            let plain = "x".repeat(len);
            assert!(is_printable_ascii(plain.as_bytes()), "{len}");
            for at in 0..len {
                for b in (0..=0xffu8).filter(|b| !(0x20..0x7f).contains(b)) {
                    let mut bytes = plain.clone().into_bytes();
                    bytes[at] = b;
                    assert!(!is_printable_ascii(&bytes), "{b:#x} at {at} of {len}");
                }
                let mut edges = plain.clone().into_bytes();
                edges[at] = if at % 2 == 0 { 0x20 } else { 0x7e };
                assert!(is_printable_ascii(&edges), "{at} of {len}");
            }
        }
    }

    #[test]
    fn single_line_replaces_every_control_character() {
        assert_eq!(single_line("a\u{85}b\nc\u{7f}d"), "a b c d");
        assert!(matches!(single_line("plain é"), Cow::Borrowed("plain é")));
        for c in (0..0x3000).filter_map(char::from_u32) {
            assert_eq!(has_control(&format!("ok {c} ok")), c.is_control(), "{c:?}");
        }
    }
}
