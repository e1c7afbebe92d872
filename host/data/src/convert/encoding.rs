//! The character sets `StringConverter` accepts for `converter.encoding`, with Java's
//! behaviour: decoding replaces malformed input with U+FFFD, encoding replaces unmappable
//! characters with `?`, and `UTF-16` writes a big-endian byte order mark.

/// A supported charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// UTF-8 (the default).
    Utf8,
    /// US-ASCII.
    Ascii,
    /// ISO-8859-1 (Latin-1).
    Latin1,
    /// UTF-16: reads a BOM (big-endian without one), writes a big-endian BOM.
    Utf16,
    /// UTF-16BE, no BOM.
    Utf16Be,
    /// UTF-16LE, no BOM.
    Utf16Le,
}

/// The names accepted (case-insensitive), Java canonical names first.
pub(crate) const NAMES: &[&str] = &[
    "UTF-8",
    "US-ASCII",
    "ISO-8859-1",
    "UTF-16",
    "UTF-16BE",
    "UTF-16LE",
];

impl Encoding {
    /// The charset called `name` (Java names and common aliases, any case).
    pub(crate) fn from_name(name: &str) -> Option<Encoding> {
        let n = name.trim().to_ascii_uppercase().replace('_', "-");
        Some(match n.as_str() {
            "UTF-8" | "UTF8" => Encoding::Utf8,
            "US-ASCII" | "ASCII" => Encoding::Ascii,
            "ISO-8859-1" | "ISO8859-1" | "LATIN1" | "8859-1" => Encoding::Latin1,
            "UTF-16" | "UTF16" => Encoding::Utf16,
            "UTF-16BE" | "UNICODEBIGUNMARKED" => Encoding::Utf16Be,
            "UTF-16LE" | "UNICODELITTLEUNMARKED" => Encoding::Utf16Le,
            _ => return None,
        })
    }

    /// Decode `bytes` and append the UTF-8 text to `out`.
    pub(crate) fn decode_into(self, bytes: &[u8], out: &mut Vec<u8>) {
        match self {
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(_) => out.extend_from_slice(bytes),
                Err(_) => out.extend_from_slice(String::from_utf8_lossy(bytes).as_bytes()),
            },
            Encoding::Ascii => {
                for &b in bytes {
                    push_char(
                        out,
                        if b.is_ascii() {
                            char::from(b)
                        } else {
                            '\u{fffd}'
                        },
                    );
                }
            }
            Encoding::Latin1 => {
                for &b in bytes {
                    push_char(out, char::from(b));
                }
            }
            Encoding::Utf16 | Encoding::Utf16Be | Encoding::Utf16Le => {
                let (big_endian, body) = match (self, bytes) {
                    (Encoding::Utf16, [0xfe, 0xff, rest @ ..]) => (true, rest),
                    (Encoding::Utf16, [0xff, 0xfe, rest @ ..]) => (false, rest),
                    (Encoding::Utf16Le, _) => (false, bytes),
                    _ => (true, bytes),
                };
                let units: Vec<u16> = body
                    .chunks(2)
                    .map(|c| match c {
                        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
                        [a, b] => u16::from_le_bytes([*a, *b]),
                        _ => 0xfffd,
                    })
                    .collect();
                out.extend_from_slice(String::from_utf16_lossy(&units).as_bytes());
            }
        }
    }

    /// Encode `text` and append the bytes to `out`.
    pub(crate) fn encode_into(self, text: &str, out: &mut Vec<u8>) {
        match self {
            Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
            Encoding::Ascii => out.extend(
                text.chars()
                    .map(|c| if c.is_ascii() { c as u8 } else { b'?' }),
            ),
            Encoding::Latin1 => out.extend(
                text.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            ),
            Encoding::Utf16 | Encoding::Utf16Be => {
                if self == Encoding::Utf16 {
                    out.extend_from_slice(&[0xfe, 0xff]);
                }
                out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            }
            Encoding::Utf16Le => out.extend(text.encode_utf16().flat_map(u16::to_le_bytes)),
        }
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(e: Encoding, bytes: &[u8]) -> String {
        let mut out = Vec::new();
        e.decode_into(bytes, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn encode(e: Encoding, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        e.encode_into(text, &mut out);
        out
    }

    #[test]
    fn names() {
        assert_eq!(Encoding::from_name("utf-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_name("UTF8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_name("iso_8859_1"), Some(Encoding::Latin1));
        assert_eq!(Encoding::from_name("EBCDIC"), None);
        assert!(NAMES.iter().all(|n| Encoding::from_name(n).is_some()));
    }

    #[test]
    fn java_like_replacement() {
        assert_eq!(decode(Encoding::Utf8, b"ok\xff"), "ok\u{fffd}");
        assert_eq!(decode(Encoding::Ascii, b"a\xe9"), "a\u{fffd}");
        assert_eq!(decode(Encoding::Latin1, b"caf\xe9"), "café");
        assert_eq!(encode(Encoding::Ascii, "café"), b"caf?");
        assert_eq!(encode(Encoding::Latin1, "café€"), b"caf\xe9?");
    }

    #[test]
    fn utf16_byte_orders() {
        assert_eq!(encode(Encoding::Utf16, "A"), [0xfe, 0xff, 0x00, 0x41]);
        assert_eq!(encode(Encoding::Utf16Le, "A"), [0x41, 0x00]);
        assert_eq!(decode(Encoding::Utf16, &[0xff, 0xfe, 0x41, 0x00]), "A");
        assert_eq!(decode(Encoding::Utf16, &[0x00, 0x41]), "A");
        assert_eq!(
            decode(Encoding::Utf16Be, &encode(Encoding::Utf16Be, "한글")),
            "한글"
        );
    }
}
