//! A digest of content, for an event that carries no id of its own (EventBridge always gives one;
//! a hand-made or trimmed event may not): the same content gives the same digest, so a repeat of
//! the event is known as one. FNV-1a, because it is fixed across builds (std's hasher is not) and
//! telling repeats apart needs no cryptographic strength.

/// `content-<16 hex digits>` of the parts, as if joined by newlines.
pub fn content_id(parts: &[&str]) -> String {
    format!("content-{:016x}", digest(parts))
}

/// FNV-1a of the parts, as if joined by newlines.
pub fn digest(parts: &[&str]) -> u64 {
    parts
        .iter()
        .enumerate()
        .flat_map(|(i, part)| (if i > 0 { "\n" } else { "" }).bytes().chain(part.bytes()))
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::content_id;

    #[test]
    fn the_digest_is_fnv_1a_of_the_parts_joined_by_newlines() {
        // FNV-1a of the empty input is its offset basis.
        assert_eq!(content_id(&[""]), "content-cbf29ce484222325");
        assert_eq!(content_id(&["a", "b"]), content_id(&["a\nb"]));
        assert_ne!(content_id(&["a", "b"]), content_id(&["b", "a"]));
    }
}
