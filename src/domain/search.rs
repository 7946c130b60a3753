//! Finding a short text in a short one: at each place of its first byte (memchr), where
//! `str::find` with a text pattern builds a searcher for every call, which costs more than the
//! reasons and names searched here take to scan.

/// Where `needle` first starts in `haystack`; `Some(0)` for an empty needle, as `str::find`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, text) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = text.first() else {
        return Some(0);
    };
    memchr::memchr_iter(first, hay).find(|&at| hay[at..].starts_with(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_what_str_find_finds() {
        for (hay, needle) in [
            ("CODE - text", " - "),
            ("a \u{2013} b", " \u{2013} "),
            ("é - é", " - "),
            ("", "x"),
            ("abc", ""),
            ("aab", "ab"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_str_find(hay in "[ab \u{2013}-]{0,12}", needle in "[ab \u{2013}-]{0,3}") {
            prop_assert_eq!(find(&hay, &needle), hay.find(&needle));
        }
    }
}
