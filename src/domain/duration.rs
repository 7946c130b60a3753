//! Durations as people write them: `45 s`, `2 min 16 s`, `1 h 05 min`, `3 d 04 h`.

/// `seconds` as people write it: the two largest units, the second one padded to two digits.
pub fn human(seconds: u64) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    match seconds {
        s if s < MINUTE => format!("{s} s"),
        s if s < HOUR => format!("{} min {:02} s", s / MINUTE, s % MINUTE),
        s if s < DAY => format!("{} h {:02} min", s / HOUR, s % HOUR / MINUTE),
        s => format!("{} d {:02} h", s / DAY, s % DAY / HOUR),
    }
}

/// The whole seconds from `from_ms` to `to_ms`, both epoch milliseconds: `None` when either is
/// missing, not after the epoch, or the end is before the start, so that no duration is invented.
pub fn between(from_ms: Option<i64>, to_ms: Option<i64>) -> Option<u64> {
    let (from, to) = (from_ms.filter(|&t| t > 0)?, to_ms.filter(|&t| t > 0)?);
    let elapsed = to.checked_sub(from)?;
    u64::try_from(elapsed).ok().map(|ms| ms / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(0), "0 s");
        assert_eq!(human(59), "59 s");
        assert_eq!(human(136), "2 min 16 s");
        assert_eq!(human(120), "2 min 00 s");
        assert_eq!(human(3_900), "1 h 05 min");
        assert_eq!(human(86_399), "23 h 59 min");
        assert_eq!(human(3 * 86_400 + 4 * 3_600 + 59), "3 d 04 h");
    }

    #[test]
    fn missing_or_reversed_times_give_no_duration() {
        assert_eq!(between(Some(1_000), Some(137_999)), Some(136));
        assert_eq!(between(Some(5_000), Some(5_000)), Some(0));
        assert_eq!(between(Some(5_000), Some(4_999)), None);
        assert_eq!(between(None, Some(1)), None);
        assert_eq!(between(Some(1), None), None);
        assert_eq!(between(Some(-5), Some(1_000)), None, "before the epoch");
        assert_eq!(between(Some(0), Some(1_000)), None);
        assert_eq!(
            between(Some(1), Some(i64::MAX)),
            Some((i64::MAX as u64 - 1) / 1000)
        );
    }
}
