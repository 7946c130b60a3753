//! The text a person reads in an email or chat: what happened, to what, by whom, where, when, how it
//! went, and where to look.

use std::borrow::Cow;

use crate::model::{Channel, Family, Notification, Outcome};

/// One sentence that says what happened.
pub fn headline(n: &Notification) -> String {
    let mut sentence = String::with_capacity(128);
    push_headline(&mut sentence, n);
    sentence
}

fn push_headline(out: &mut String, n: &Notification) {
    let kind = n.resource.kind.label();
    let name = n.resource.name.as_deref().unwrap_or("(unnamed)");
    let start = out.len();
    match n.family {
        Family::BatchApiCall => {
            let who = n.actor.as_ref().map_or("someone", |a| a.short.as_str());
            let how = match n.outcome {
                Outcome::Denied => "was denied",
                Outcome::Failed => "failed",
                _ => "succeeded",
            };
            push_pieces(out, &[who, " called ", &n.event_name]);
            if let Some(name) = &n.resource.name {
                push_pieces(out, &[" on ", kind, " ", name]);
            }
            push_pieces(out, &[": the call ", how, "."]);
        }
        Family::BatchQueueBlocked => push_pieces(out, &["Batch job queue ", name, " is blocked."]),
        Family::S3BatchJob | Family::BatchJobState | Family::BatchServiceJobState => {
            let status = n.status.as_ref().map_or("", |s| s.value.as_str());
            push_pieces(out, &[kind, " ", name, " is now ", status, "."]);
            // Kind labels are ASCII: the first byte is the first character.
            if let Some(first) = out.get_mut(start..start + 1) {
                first.make_ascii_uppercase();
            }
        }
    }
    make_single_line(out, start);
}

/// A line's label, padded so that the values line up.
fn push_label(out: &mut String, label: &str) {
    const COLUMN: &str = "           ";
    out.push_str(label);
    out.push_str(&COLUMN[label.len().min(COLUMN.len())..]);
}

fn push_pieces(out: &mut String, pieces: &[&str]) {
    for piece in pieces {
        out.push_str(piece);
    }
}

/// The whole text body.
pub fn body(n: &Notification) -> String {
    // Bodies are about a kilobyte; one allocation that fits them all.
    let mut out = String::with_capacity(2048);
    push_headline(&mut out, n);
    out.push_str("\n\n");
    let mut line = |label: &str, pieces: &[&str]| {
        push_label(&mut out, label);
        push_line(&mut out, pieces);
    };

    if let Some(action) = &n.action {
        let uncataloged = if action.cataloged {
            ""
        } else {
            ", an operation not in the catalog"
        };
        line(
            "What:",
            &[
                &n.event_name,
                " (",
                action.verb.as_str(),
                " ",
                n.resource.kind.label(),
                ")",
                uncataloged,
            ],
        );
    } else {
        line("What:", &[&n.detail_type]);
    }
    if n.resource.name.is_some() || n.resource.arn.is_some() {
        let name = n.resource.name.as_deref().unwrap_or("");
        match &n.resource.arn {
            Some(arn) => line(
                "Resource:",
                &[n.resource.kind.label(), " ", name, " (", arn, ")"],
            ),
            None => line("Resource:", &[n.resource.kind.label(), " ", name]),
        }
    }
    if let Some(status) = &n.status {
        line("Status:", &[&status.value]);
        if let Some(reason) = &status.reason {
            line("Reason:", &[reason]);
        }
    }
    let outcome = n.outcome.label();
    match &n.error {
        Some(error) => {
            let code = error.code.as_deref().unwrap_or("error");
            match &error.message {
                Some(message) => line("Outcome:", &[outcome, ": ", code, ": ", message]),
                None => line("Outcome:", &[outcome, ": ", code]),
            }
        }
        None => line("Outcome:", &[outcome]),
    }
    if let Some(actor) = &n.actor {
        let channel = match actor.channel {
            Some(Channel::Console) => ", in the console",
            Some(Channel::Api) => ", through the API",
            Some(Channel::Service) | None => "",
        };
        let mfa = match actor.mfa {
            Some(true) => ", with MFA",
            Some(false) => ", without MFA",
            None => "",
        };
        line("Who:", &[&actor.description, channel, mfa]);
        if let Some(ip) = &actor.source_ip {
            match &actor.user_agent {
                Some(agent) if agent != ip => line("From:", &[ip, " (", agent, ")"]),
                _ => line("From:", &[ip]),
            }
        }
    }
    match (&n.account, &n.region) {
        (Some(account), Some(region)) => {
            line("Where:", &["account ", account, ", region ", region]);
        }
        (Some(account), None) => line("Where:", &["account ", account]),
        (None, Some(region)) => line("Where:", &["region ", region]),
        (None, None) => line("Where:", &["unknown"]),
    }
    line("When:", &[n.time.as_deref().unwrap_or("unknown")]);
    // The severity and its reasons are the rules' own words: nothing to clean.
    push_label(&mut out, "Severity:");
    push_pieces(&mut out, &[n.severity.as_str(), " ("]);
    for (i, reason) in n.severity_reasons.iter().enumerate() {
        push_pieces(&mut out, &[if i == 0 { "" } else { "; " }, reason]);
    }
    out.push_str(")\n");

    let facts = n.facts.iter().map(|f| (f.label, f.value.as_str()));
    push_section(&mut out, "Details", facts);
    let links = n.links.iter().map(|l| (l.label, l.url.as_str()));
    push_section(&mut out, "Links", links);
    out.push('\n');
    if let Some(id) = &n.event_id {
        push_line(&mut out, &["Event id: ", id]);
    }
    if let Some(id) = &n.cloudtrail_event_id {
        push_line(&mut out, &["CloudTrail event id: ", id]);
    }
    out
}

/// A value on one line with no control characters, which SNS would reject or mail would mangle.
pub fn single_line(value: &str) -> Cow<'_, str> {
    if !has_control(value) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

/// Pushes the pieces as they are (no string is built just to be copied), makes them a single line
/// as a whole (see [`single_line`]) and ends the line.
fn push_line(out: &mut String, pieces: &[&str]) {
    let start = out.len();
    push_pieces(out, pieces);
    make_single_line(out, start);
    out.push('\n');
}

/// Makes what `out` has from `start` on a single line (see [`single_line`]).
fn make_single_line(out: &mut String, start: usize) {
    if has_control(&out[start..]) {
        let cleaned = single_line(&out[start..]).into_owned();
        out.truncate(start);
        out.push_str(&cleaned);
    }
}

/// A titled list of `label: value` lines; nothing when there are none.
fn push_section<'a>(
    out: &mut String,
    title: &str,
    entries: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut entries = entries.peekable();
    if entries.peek().is_none() {
        return;
    }
    for part in ["\n", title, ":\n"] {
        out.push_str(part);
    }
    for (label, value) in entries {
        for part in ["  ", label, ": "] {
            out.push_str(part);
        }
        push_line(out, &[value]);
    }
}

/// Whether `value` has a control character (Unicode's `Cc`: U+0000–U+001F and U+007F–U+009F).
/// Almost every value is plain ASCII, so the bytes are checked first, eight at a time: only bytes
/// below 0x20, 0x7F, and 0xC2 (the lead byte of U+0080–U+00BF) can start one.
pub fn has_control(value: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Sets a byte's high bit where that byte of `x` is below `n` (n <= 0x80), and never
    // elsewhere unless such a byte is present.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let zero = |x: u64| below(x, 1);
    let mut chunks = value.as_bytes().chunks_exact(8);
    let suspect = chunks.by_ref().any(|chunk| {
        let x = u64::from_ne_bytes(chunk.try_into().unwrap_or_default());
        below(x, 0x20) | zero(x ^ (ONES * 0x7f)) | zero(x ^ (ONES * 0xc2)) != 0
    }) || chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || b == 0xc2);
    suspect && value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_check_finds_exactly_the_control_characters() {
        let chars = (0..0x3000)
            .chain([0xfeff, 0x202e, 0x1f600])
            .filter_map(char::from_u32);
        for c in chars {
            let text = format!("ok {c} ok");
            assert_eq!(has_control(&text), c.is_control(), "{:?}", c);
        }
        for at in 0..40 {
            for c in [
                '\0', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}', 'é', '\u{a0}', '中',
            ] {
                let mut text: String = "abcdefgh".repeat(5);
                text.truncate(at);
                text.push(c);
                text.push_str("tail of the value");
                assert_eq!(has_control(&text), c.is_control(), "{c:?} at {at}");
            }
        }
        assert_eq!(single_line("a\u{85}b\nc"), "a b c");
    }
}
