//! JSON as it is published: every string in it, member names included, with access key ids masked.
//! All JSON messages (document, chat, `multi`) are written here, so no field can escape the mask.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

use crate::domain::redact::mask_access_keys;

/// `value` as compact JSON with access key ids masked. Cannot fail for the messages' types, which
/// hold only strings, numbers, booleans and maps with string keys.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let mut out = Vec::with_capacity(2048);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Masking::default());
    if value.serialize(&mut serializer).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Compact JSON whose strings are held back until they end, masked whole, then written.
#[derive(Default)]
struct Masking {
    string: String,
}

impl Formatter for Masking {
    fn begin_string<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.string.clear();
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.string.push_str(fragment);
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        self.string.push(match escape {
            CharEscape::Quote => '"',
            CharEscape::ReverseSolidus => '\\',
            CharEscape::Solidus => '/',
            CharEscape::Backspace => '\u{8}',
            CharEscape::FormFeed => '\u{c}',
            CharEscape::LineFeed => '\n',
            CharEscape::CarriageReturn => '\r',
            CharEscape::Tab => '\t',
            CharEscape::AsciiControl(byte) => char::from(byte),
        });
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        mask_access_keys(&mut self.string);
        serde_json::to_writer(writer, &self.string).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_written_as_serde_json_writes_them_with_keys_masked() {
        let value = json!({
            "plain": "a \"quoted\" \\ / é \u{1} \n\t line",
            "AKIAIOSFODNN7EXAMPLE": ["x\nAKIAIOSFODNN7EXAMPLE", 1, true, null],
        });
        let masked = to_string(&value);
        let expected = serde_json::to_string(&value)
            .unwrap()
            .replace("AKIAIOSFODNN7EXAMPLE", "[redacted]");
        assert_eq!(masked, expected);
    }
}
