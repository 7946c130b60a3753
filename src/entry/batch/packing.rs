//! How an SQS batch's messages are grouped into SNS `PublishBatch` requests, and when a batch stops
//! taking new records so that it ends before the function's timeout.

use crate::ports::publisher::{MAX_BATCH_ENTRIES, MAX_PUBLISH_BYTES, PUBLISH_BOUND};
use crate::ports::state::CALL_BOUND;

/// The `PublishBatch` request being filled: how many entries and how many bytes it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fill {
    pub entries: usize,
    pub bytes: usize,
}

impl Fill {
    /// Whether a message of `size` bytes still goes into this request: ten entries, and SNS's size
    /// limit for the whole request.
    pub fn fits(self, size: usize) -> bool {
        self.entries < MAX_BATCH_ENTRIES && self.bytes + size <= MAX_PUBLISH_BYTES
    }

    pub fn add(&mut self, size: usize) {
        self.entries += 1;
        self.bytes += size;
    }
}

/// Time kept back at the end of a batch for what is already taken to be published and recorded:
/// a publish's bound, and a state table call's before and after it (16 s). A short timeout keeps
/// a third of its time back instead.
pub const RESERVE_MS: i64 = (PUBLISH_BOUND.as_millis() + 2 * CALL_BOUND.as_millis()) as i64;

/// When a batch that started at `started_ms` with its deadline at `deadline_ms` stops taking new
/// records.
pub fn cutoff(started_ms: i64, deadline_ms: i64) -> i64 {
    let length = (deadline_ms - started_ms).max(0);
    deadline_ms - RESERVE_MS.min(length / 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_holds_ten_entries_within_the_size_limit() {
        let mut fill = Fill::default();
        for _ in 0..MAX_BATCH_ENTRIES {
            assert!(fill.fits(1000));
            fill.add(1000);
        }
        assert!(!fill.fits(1));
        let mut big = Fill::default();
        big.add(MAX_PUBLISH_BYTES - 10);
        assert!(big.fits(10) && !big.fits(11));
        assert!(Fill::default().fits(MAX_PUBLISH_BYTES));
    }

    #[test]
    fn a_batch_keeps_time_back_for_what_it_has_taken() {
        assert_eq!(cutoff(0, 60_000), 44_000);
        assert_eq!(cutoff(0, 900_000), 884_000);
        assert_eq!(cutoff(0, 3_000), 2_000, "a third of a short timeout");
        assert_eq!(cutoff(10, 5), 5, "a deadline already past");
    }
}
