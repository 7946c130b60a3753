//! The digest's first line: how many of what, most severe first ("12 jobs failed, 3 S3 Batch
//! Operations jobs complete, 41 routine").

use crate::domain::model::{Family, Notification, Outcome, Severity};

/// What one item counts as: a severity and a phrase, singular and plural.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Count {
    pub severity: Severity,
    pub one: String,
    pub many: String,
}

impl Count {
    /// Informational items are routine; the rest say what happened to what.
    pub fn of(n: &Notification) -> Count {
        let status = n
            .status
            .as_ref()
            .map(|s| s.value.to_ascii_lowercase())
            .unwrap_or_default();
        let (one, many) = match (n.severity, n.family) {
            (Severity::Info, _) => ("routine".to_owned(), "routine".to_owned()),
            (_, Family::BatchJobState) => (format!("job {status}"), format!("jobs {status}")),
            (_, Family::BatchServiceJobState) => (
                format!("service job {status}"),
                format!("service jobs {status}"),
            ),
            (_, Family::S3BatchJob) => (
                format!("S3 Batch Operations job {status}"),
                format!("S3 Batch Operations jobs {status}"),
            ),
            (_, Family::BatchJobStuck) => (
                format!("job stuck {status}"),
                format!("jobs stuck {status}"),
            ),
            (_, Family::BatchQueueBlocked) => (
                "job queue blocked".to_owned(),
                "job queues blocked".to_owned(),
            ),
            (_, Family::BatchApiCall) => match n.outcome {
                Outcome::Failed | Outcome::Denied => (
                    format!("API call {}", n.outcome.label()),
                    format!("API calls {}", n.outcome.label()),
                ),
                _ => (
                    format!("{} call", n.event_name),
                    format!("{} calls", n.event_name),
                ),
            },
        };
        Count {
            severity: n.severity,
            one,
            many,
        }
    }

    pub fn phrase(&self, count: usize) -> String {
        let what = if count == 1 { &self.one } else { &self.many };
        format!("{count} {what}")
    }
}

/// Each kind of item with how many there are: most severe first, then the most numerous.
pub fn counts<'a>(items: impl Iterator<Item = &'a super::DigestItem>) -> Vec<(Count, usize)> {
    let mut tally: std::collections::BTreeMap<&Count, usize> = std::collections::BTreeMap::new();
    for item in items {
        *tally.entry(&item.count).or_default() += 1;
    }
    let mut counts: Vec<(Count, usize)> = tally.into_iter().map(|(c, n)| (c.clone(), n)).collect();
    counts.sort_by(|(a, m), (b, n)| b.severity.cmp(&a.severity).then(n.cmp(m)));
    counts
}

/// The first line: every count, comma-separated.
pub fn headline(counts: &[(Count, usize)]) -> String {
    counts
        .iter()
        .map(|(count, n)| count.phrase(*n))
        .collect::<Vec<_>>()
        .join(", ")
}
