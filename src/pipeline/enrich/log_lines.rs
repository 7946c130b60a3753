//! A log's last lines made fit to publish: each on one line and bounded, secrets masked, and all of
//! them within a fixed share of the message, so that SNS's size limit holds whatever the log holds.

use crate::domain::limits::{bounded, single_line};
use crate::domain::redact::{Secrets, mask_access_keys, mask_secret_assignments};

/// The longest log line shown, in bytes.
pub const MAX_LINE: usize = 512;
/// The most text all the lines shown take, in bytes: a sixteenth of SNS's 256 KiB.
pub const MAX_LOG_TEXT: usize = 16 * 1024;

/// The last of `lines` (oldest first, as read) that fit [`MAX_LOG_TEXT`], each on one line, bounded,
/// with access key ids, secret assignments and the event's own secret values masked.
pub fn log_lines(lines: Vec<String>, secrets: &Secrets) -> Vec<String> {
    let mut kept = Vec::new();
    let mut size = 0;
    for line in lines.into_iter().rev() {
        let mut line = bounded(single_line(line.trim_end()).into_owned(), MAX_LINE);
        mask_access_keys(&mut line);
        mask_secret_assignments(&mut line);
        secrets.scrub(&mut line);
        size += line.len() + 1;
        if size > MAX_LOG_TEXT {
            break;
        }
        kept.push(line);
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded_masked_and_the_latest_kept() {
        let lines = vec![
            "x".repeat(4 * MAX_LINE),
            "key AKIAIOSFODNN7EXAMPLE\tpassword=hunter2\r".to_owned(),
        ];
        let shown = log_lines(lines, &Secrets::default());
        assert_eq!(shown[0].len(), MAX_LINE);
        assert_eq!(shown[1], "key [redacted] password=[redacted]");
        let many = vec!["y".repeat(1000); 100];
        let shown = log_lines(many, &Secrets::default());
        let total: usize = shown.iter().map(|l| l.len() + 1).sum();
        assert!(total <= MAX_LOG_TEXT && shown.len() == MAX_LOG_TEXT / (MAX_LINE + 1));
    }

    #[test]
    fn the_events_own_secrets_are_scrubbed() {
        let mut secrets = Secrets::default();
        secrets.remember("s3cr3t-value");
        let shown = log_lines(vec!["using s3cr3t-value now".into()], &secrets);
        assert_eq!(shown, ["using [redacted] now"]);
    }
}
