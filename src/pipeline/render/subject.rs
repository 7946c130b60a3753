//! The SNS subject: one plain-ASCII line under 100 characters, whatever the input.

use std::fmt::Write;

use crate::domain::model::{Family, Notification, Outcome};
use crate::domain::redact::mask_access_keys;

/// SNS rejects subjects of 100 characters or more.
pub const MAX_SUBJECT: usize = 99;

/// `elsewhere`: the event is from an account or region other than the function's, so the account
/// is named even without a name for it.
pub fn subject(n: &Notification, elsewhere: bool) -> String {
    let severity = n.severity.label();
    let name = n.resource.name.as_deref().unwrap_or("");
    let status = n.status.as_ref().map_or("", |s| s.value.as_str());
    let mut line = String::with_capacity(128);
    let _ = write!(line, "[{severity}] ");
    let _ = match n.family {
        Family::BatchApiCall => {
            let _ = write!(line, "Batch {} {name}", n.event_name);
            let code = n.error.as_ref().and_then(|e| e.code.as_deref());
            let _ = match (n.outcome, code) {
                (Outcome::Denied, code) => write!(line, " denied ({})", code.unwrap_or("no code")),
                (Outcome::Failed, Some(code)) => write!(line, " failed ({code})"),
                (Outcome::Failed, None) => write!(line, " failed"),
                _ => Ok(()),
            };
            match &n.actor {
                Some(actor) => write!(line, " by {}", actor.short),
                None => Ok(()),
            }
        }
        Family::S3BatchJob => write!(line, "S3 Batch Operations job {name} {status}"),
        Family::BatchJobState => match n.child() {
            Some(child) => write!(
                line,
                "Batch job {name} {} {} {status}",
                child.kind.noun(),
                child.index
            ),
            None => write!(line, "Batch job {name} {status}"),
        },
        Family::BatchServiceJobState => write!(line, "Batch service job {name} {status}"),
        Family::BatchQueueBlocked => write!(line, "Batch job queue {name} blocked"),
        Family::BatchJobStuck => {
            let stay = n.fact("stuck_for").unwrap_or("too long");
            let job = if n.array.is_some() {
                "array job"
            } else {
                "job"
            };
            let _ = write!(line, "Batch {job} {name} stuck in {status} for {stay}");
            match n.fact("job_queue") {
                Some(queue) => write!(line, " in {queue}"),
                None => Ok(()),
            }
        }
    };
    let account = n
        .account_name
        .as_ref()
        .or(n.account.as_ref().filter(|_| elsewhere));
    match (account, &n.region) {
        (Some(account), Some(region)) => {
            let _ = write!(line, " in {account} {region}");
        }
        (Some(account), None) => {
            let _ = write!(line, " in {account}");
        }
        (None, Some(region)) => {
            let _ = write!(line, " in {region}");
        }
        (None, None) => {}
    }
    // Masked before the line is cut, so that no part of a key is left.
    mask_access_keys(&mut line);
    plain_line(&line, MAX_SUBJECT)
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
    fn plain_line_keeps_printable_ascii_only() {
        assert_eq!(plain_line("a\nb\t\u{7}c  é", 99), "a b c ?");
        assert_eq!(plain_line("  ", 99), "AWS Batch notification");
        assert_eq!(plain_line("[INFO] x y ... z", 99), "[INFO] x y ... z");
        let long = plain_line(&"x".repeat(500), 99);
        assert_eq!(long.len(), 99);
        assert!(long.ends_with("..."));
    }
}
