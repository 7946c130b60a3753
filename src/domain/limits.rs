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
    value.bytes().any(|b| !(0x20..0x7f).contains(&b)) && value.chars().any(char::is_control)
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
    fn single_line_replaces_every_control_character() {
        assert_eq!(single_line("a\u{85}b\nc\u{7f}d"), "a b c d");
        assert!(matches!(single_line("plain é"), Cow::Borrowed("plain é")));
        for c in (0..0x3000).filter_map(char::from_u32) {
            assert_eq!(has_control(&format!("ok {c} ok")), c.is_control(), "{c:?}");
        }
    }
}
