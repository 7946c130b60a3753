//! Durations as people write them: `45 s`, `2 min 16 s`, `1 h 05 min`, `3 d 04 h`.

/// `seconds` as people write it: the two largest units, the second one padded to two digits.
pub fn human(seconds: u64) -> String {
    let mut out = String::with_capacity(16);
    write_human(&mut out, seconds);
    out
}

/// Writes [`human`]'s text at the end of `out`.
pub fn write_human(out: &mut String, seconds: u64) {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let (large, large_unit, small, small_unit) = match seconds {
        s if s < MINUTE => {
            push_number(out, s);
            out.push_str(" s");
            return;
        }
        s if s < HOUR => (s / MINUTE, " min ", s % MINUTE, " s"),
        s if s < DAY => (s / HOUR, " h ", s % HOUR / MINUTE, " min"),
        s => (s / DAY, " d ", s % DAY / HOUR, " h"),
    };
    push_number(out, large);
    out.push_str(large_unit);
    if small < 10 {
        out.push('0');
    }
    push_number(out, small);
    out.push_str(small_unit);
}

/// A number's digits at the end of `out`.
pub fn push_number(out: &mut String, number: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(number));
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
        assert_eq!(human(u64::MAX), "213503982334601 d 07 h");
        let mut out = "ran ".to_owned();
        write_human(&mut out, 605);
        assert_eq!(out, "ran 10 min 05 s");
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
