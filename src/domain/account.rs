//! What an AWS account id looks like: the one check that settings, events and role ARNs share.

/// Twelve ASCII digits, as an account id is everywhere AWS writes one.
pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_is_twelve_digits() {
        assert!(is_account_id("123456789012"));
        for value in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "１23456789012",
        ] {
            assert!(!is_account_id(value), "{value}");
        }
    }
}
