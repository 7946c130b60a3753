//! Which JSON members hold secrets, by their key.

/// Keys whose whole value is a secret, compared without regard to case.
const SECRET_KEYS: &[&str] = &[
    "environment",
    "env",
    "parameters",
    "command",
    "args",
    "options",
    "secretOptions",
    "secrets",
    "serviceRequestPayload",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
];

/// Fragments that mark a secret wherever they appear in a key, in any case; each begins with a
/// letter of its own, by which `has_secret_fragment` tells them apart.
const SECRET_KEY_FRAGMENTS: [&str; 4] = ["password", "secret", "credential", "token"];

/// For each byte, the fragment that begins with it (in either case), counted from 1; 0 for none.
const FRAGMENT_BY_FIRST_BYTE: [u8; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < SECRET_KEY_FRAGMENTS.len() {
        let first = SECRET_KEY_FRAGMENTS[i].as_bytes()[0];
        assert!(
            table[first as usize] == 0,
            "two fragments begin with one letter"
        );
        table[first.to_ascii_lowercase() as usize] = i as u8 + 1;
        table[first.to_ascii_uppercase() as usize] = i as u8 + 1;
        i += 1;
    }
    table
};

/// The members of a secret `options` object that are shown all the same. The log group is where a
/// job's logs are, which the log link needs, and not a secret; other log options (a Splunk token,
/// say) stay redacted.
const SHOWN_OPTIONS: &[&str] = &["awslogs-group"];

/// Whether the value under `key` is a secret object of options of which some are shown.
pub fn is_options_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("options")
}

/// Whether the option `key` is shown though the options are a secret.
pub fn is_shown_option(key: &str) -> bool {
    SHOWN_OPTIONS.contains(&key)
}

/// Whether the value under `key` is a secret.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|name| name.eq_ignore_ascii_case(key))
        || has_secret_fragment(key.as_bytes())
}

/// Whether a fragment of [`SECRET_KEY_FRAGMENTS`] is in `key`. Every key of every event is asked:
/// one look at each byte says which fragment could start there (its first letter), and only that
/// one is compared.
fn has_secret_fragment(key: &[u8]) -> bool {
    key.iter().enumerate().any(|(at, &byte)| {
        let Some(index) = FRAGMENT_BY_FIRST_BYTE[usize::from(byte)].checked_sub(1) else {
            return false;
        };
        let fragment = SECRET_KEY_FRAGMENTS[usize::from(index)].as_bytes();
        (key.get(at..at + fragment.len()))
            .is_some_and(|window| window.eq_ignore_ascii_case(fragment))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_found_by_name_and_by_fragment_in_any_case() {
        for key in [
            "environment",
            "ENV",
            "dbPassword",
            "x-Secret-y",
            "Credentials",
            "TOKEN",
            "a_token",
            "ttoken",
            "sSECRET",
            "ppassword_",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "jobName",
            "tokn",
            "passwor",
            "secre",
            "",
            "t",
            "environments",
            "é",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
