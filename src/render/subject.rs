//! The SNS subject: one plain-ASCII line under 100 characters, whatever the input.

use crate::model::{Family, Notification, Outcome, Severity};

/// SNS rejects subjects of 100 characters or more.
pub const MAX_SUBJECT: usize = 99;

pub fn subject(n: &Notification) -> String {
    let severity = match n.severity {
        Severity::Info => "INFO",
        Severity::Warning => "WARNING",
        Severity::Critical => "CRITICAL",
    };
    let name = n.resource.name.as_deref().unwrap_or("");
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    // Pieces pushed onto one string: subjects are made for every event.
    let mut line = String::with_capacity(160);
    let mut add = |pieces: &[&str]| pieces.iter().for_each(|p| line.push_str(p));
    add(&["[", severity, "] "]);
    match n.family {
        Family::BatchApiCall => {
            add(&["Batch ", &n.event_name, " ", name]);
            match (n.outcome, n.error.as_ref().and_then(|e| e.code.as_deref())) {
                (Outcome::Denied, code) => add(&[" denied (", code.unwrap_or("no code"), ")"]),
                (Outcome::Failed, Some(code)) => add(&[" failed (", code, ")"]),
                (Outcome::Failed, None) => add(&[" failed"]),
                _ => {}
            }
            if let Some(actor) = &n.actor {
                add(&[" by ", &actor.short]);
            }
        }
        Family::S3BatchJob => add(&["S3 Batch Operations job ", name, " ", status]),
        Family::BatchJobState => add(&["Batch job ", name, " ", status]),
        Family::BatchServiceJobState => add(&["Batch service job ", name, " ", status]),
        Family::BatchQueueBlocked => add(&["Batch job queue ", name, " blocked"]),
    }
    if let Some(region) = &n.region {
        add(&[" in ", region]);
    }
    if is_plain(&line, MAX_SUBJECT) {
        return line;
    }
    plain_line(&line, MAX_SUBJECT)
}

/// Whether `text` is already what [`plain_line`] would make of it.
fn is_plain(text: &str, max: usize) -> bool {
    let bytes = text.as_bytes();
    (1..=max).contains(&bytes.len())
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
        && !text.contains("  ")
}

/// Printable ASCII only, single spaces, at most `max` characters (cut with `...`).
pub fn plain_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    let mut last_space = true;
    for c in text.chars() {
        let c = if c.is_ascii_graphic() {
            c
        } else if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            '?'
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    if out.len() > max {
        out.truncate(max - 3);
        out = format!("{}...", out.trim_end());
    }
    if out.is_empty() {
        out.push_str("AWS Batch notification");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_left_as_they_are() {
        for text in [
            "[INFO] Batch job x",
            "a b",
            "x",
            "[INFO] x y ... z",
            &"y".repeat(99),
        ] {
            assert!(is_plain(text, 99), "{text:?}");
            assert_eq!(plain_line(text, 99), text);
        }
        for text in ["", " a", "a ", "a  b", "a\tb", "é", &"y".repeat(100)] {
            assert!(!is_plain(text, 99), "{text:?}");
            assert_ne!(plain_line(text, 99), text);
        }
    }

    #[test]
    fn plain_line_keeps_printable_ascii_only() {
        assert_eq!(plain_line("a\nb\t\u{7}c  é", 99), "a b c ?");
        assert_eq!(plain_line("  ", 99), "AWS Batch notification");
        let long = plain_line(&"x".repeat(500), 99);
        assert_eq!(long.len(), 99);
        assert!(long.ends_with("..."));
    }
}
