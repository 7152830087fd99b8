//! RFC 6455 §8.1 (and §5.6): text messages must be valid UTF-8, checked
//! incrementally across any split, failing as early as possible.
//!
//! Cases follow the sections of Markus Kuhn's "UTF-8 decoder capability and
//! stress test"; the byte sequences are written out here. The reference for
//! validity is `core::str::from_utf8` on the whole input.

use wsframe::utf8::{Utf8Validator, validate};

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    valid: bool,
}

fn case(name: &'static str, bytes: &[u8], valid: bool) -> Case {
    Case { name, bytes: bytes.to_vec(), valid }
}

fn kuhn_cases() -> Vec<Case> {
    let mut cases = vec![
        // 1: some correct UTF-8 text ("kosme" in Greek).
        case("1 kosme", b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", true),
        case("empty", b"", true),
        // 2.1: first possible sequence of a certain length.
        case("2.1.1 U+0000", b"\x00", true),
        case("2.1.2 U+0080", b"\xC2\x80", true),
        case("2.1.3 U+0800", b"\xE0\xA0\x80", true),
        case("2.1.4 U+10000", b"\xF0\x90\x80\x80", true),
        case("2.1.5 5-byte U+200000", b"\xF8\x88\x80\x80\x80", false),
        case("2.1.6 6-byte U+4000000", b"\xFC\x84\x80\x80\x80\x80", false),
        // 2.2: last possible sequence of a certain length.
        case("2.2.1 U+007F", b"\x7F", true),
        case("2.2.2 U+07FF", b"\xDF\xBF", true),
        case("2.2.3 U+FFFF", b"\xEF\xBF\xBF", true),
        case("2.2.4 U+1FFFFF", b"\xF7\xBF\xBF\xBF", false),
        case("2.2.5 5-byte U+3FFFFFF", b"\xFB\xBF\xBF\xBF\xBF", false),
        case("2.2.6 6-byte U+7FFFFFFF", b"\xFD\xBF\xBF\xBF\xBF\xBF", false),
        // 2.3: other boundary conditions.
        case("2.3.1 U+D7FF", b"\xED\x9F\xBF", true),
        case("2.3.2 U+E000", b"\xEE\x80\x80", true),
        case("2.3.3 U+FFFD", b"\xEF\xBF\xBD", true),
        case("2.3.4 U+10FFFF", b"\xF4\x8F\xBF\xBF", true),
        case("2.3.5 U+110000", b"\xF4\x90\x80\x80", false),
        // 3.1: unexpected continuation bytes.
        case("3.1.1 first continuation", b"\x80", false),
        case("3.1.2 last continuation", b"\xBF", false),
        case("3.1.3 2 continuations", b"\x80\xBF", false),
        case("3.1.4 3 continuations", b"\x80\xBF\x80", false),
        case("3.1.5 4 continuations", b"\x80\xBF\x80\xBF", false),
        case("3.1.6 5 continuations", b"\x80\xBF\x80\xBF\x80", false),
        case("3.1.7 6 continuations", b"\x80\xBF\x80\xBF\x80\xBF", false),
        case("3.1.8 7 continuations", b"\x80\xBF\x80\xBF\x80\xBF\x80", false),
        case("3.1 continuation after text", b"abc\x80", false),
        case("3.1 continuation after char", b"\xC3\xA9\xA9", false),
        // 3.3: sequences with the last continuation byte missing.
        case("3.3.1 2-byte U+0000 missing", b"\xC0", false),
        case("3.3.2 3-byte U+0000 missing", b"\xE0\x80", false),
        case("3.3.3 4-byte U+0000 missing", b"\xF0\x80\x80", false),
        case("3.3.4 5-byte U+0000 missing", b"\xF8\x80\x80\x80", false),
        case("3.3.5 6-byte U+0000 missing", b"\xFC\x80\x80\x80\x80", false),
        case("3.3.6 2-byte U+07FF missing", b"\xDF", false),
        case("3.3.7 3-byte U+FFFF missing", b"\xEF\xBF", false),
        case("3.3.8 4-byte U+1FFFFF missing", b"\xF7\xBF\xBF", false),
        case("3.3.9 5-byte missing", b"\xFB\xBF\xBF\xBF", false),
        case("3.3.10 6-byte missing", b"\xFD\xBF\xBF\xBF\xBF", false),
        // Valid prefixes cut short: only the end of the message reveals them.
        case("3.3 valid 2-byte prefix", b"\xC3", false),
        case("3.3 valid 3-byte prefix", b"\xE2\x82", false),
        case("3.3 valid 4-byte prefix", b"\xF0\x9F\x98", false),
        case("3.3 text then valid prefix", b"hello \xF4\x8F\xBF", false),
        // 3.5: impossible bytes.
        case("3.5.1 FE", b"\xFE", false),
        case("3.5.2 FF", b"\xFF", false),
        case("3.5.3 FE FE FF FF", b"\xFE\xFE\xFF\xFF", false),
        case("3.5 F5", b"\xF5\x80\x80\x80", false),
        // 4.1: overlong ASCII slash.
        case("4.1.1 2-byte /", b"\xC0\xAF", false),
        case("4.1.2 3-byte /", b"\xE0\x80\xAF", false),
        case("4.1.3 4-byte /", b"\xF0\x80\x80\xAF", false),
        case("4.1.4 5-byte /", b"\xF8\x80\x80\x80\xAF", false),
        case("4.1.5 6-byte /", b"\xFC\x80\x80\x80\x80\xAF", false),
        // 4.2: maximum overlong sequences.
        case("4.2.1 U+007F as 2", b"\xC1\xBF", false),
        case("4.2.2 U+07FF as 3", b"\xE0\x9F\xBF", false),
        case("4.2.3 U+FFFF as 4", b"\xF0\x8F\xBF\xBF", false),
        case("4.2.4 U+1FFFFF as 5", b"\xF8\x87\xBF\xBF\xBF", false),
        case("4.2.5 U+3FFFFFF as 6", b"\xFC\x83\xBF\xBF\xBF\xBF", false),
        // 4.3: overlong NUL.
        case("4.3.1 NUL as 2", b"\xC0\x80", false),
        case("4.3.2 NUL as 3", b"\xE0\x80\x80", false),
        case("4.3.3 NUL as 4", b"\xF0\x80\x80\x80", false),
        case("4.3.4 NUL as 5", b"\xF8\x80\x80\x80\x80", false),
        case("4.3.5 NUL as 6", b"\xFC\x80\x80\x80\x80\x80", false),
        // 5.1: single UTF-16 surrogates.
        case("5.1.1 U+D800", b"\xED\xA0\x80", false),
        case("5.1.2 U+DB7F", b"\xED\xAD\xBF", false),
        case("5.1.3 U+DB80", b"\xED\xAE\x80", false),
        case("5.1.4 U+DBFF", b"\xED\xAF\xBF", false),
        case("5.1.5 U+DC00", b"\xED\xB0\x80", false),
        case("5.1.6 U+DF80", b"\xED\xBE\x80", false),
        case("5.1.7 U+DFFF", b"\xED\xBF\xBF", false),
        // 5.2: paired UTF-16 surrogates.
        case("5.2.1 D800 DC00", b"\xED\xA0\x80\xED\xB0\x80", false),
        case("5.2.2 D800 DFFF", b"\xED\xA0\x80\xED\xBF\xBF", false),
        case("5.2.3 DB7F DC00", b"\xED\xAD\xBF\xED\xB0\x80", false),
        case("5.2.4 DB7F DFFF", b"\xED\xAD\xBF\xED\xBF\xBF", false),
        case("5.2.5 DB80 DC00", b"\xED\xAE\x80\xED\xB0\x80", false),
        case("5.2.6 DB80 DFFF", b"\xED\xAE\x80\xED\xBF\xBF", false),
        case("5.2.7 DBFF DC00", b"\xED\xAF\xBF\xED\xB0\x80", false),
        case("5.2.8 DBFF DFFF", b"\xED\xAF\xBF\xED\xBF\xBF", false),
        // 5.3: noncharacters are valid UTF-8 (Unicode Corrigendum #9).
        case("5.3.1 U+FFFE", b"\xEF\xBF\xBE", true),
        case("5.3.2 U+FFFF", b"\xEF\xBF\xBF", true),
        case("5.3.3 U+FDD0", b"\xEF\xB7\x90", true),
        case("5.3.3 U+FDEF", b"\xEF\xB7\xAF", true),
        case("5.3.4 U+1FFFE", b"\xF0\x9F\xBF\xBE", true),
        case("5.3.4 U+10FFFF", b"\xF4\x8F\xBF\xBF", true),
        // Autobahn 6.x style: valid text, then an invalid sequence, then more.
        case(
            "kosme then surrogate then text",
            b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80edited",
            false,
        ),
        case(
            "kosme then valid 4-byte then overlong",
            b"\xCE\xBA\xF0\x9F\x98\x80\xC0\x80tail",
            false,
        ),
        case(
            "mixed widths",
            "a\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}z".as_bytes(),
            true,
        ),
    ];

    // 3.2: lonely start characters, each followed by a space.
    let mut lonely = |name, range: std::ops::RangeInclusive<u8>| {
        let mut bytes = Vec::new();
        for b in range {
            bytes.push(b);
            bytes.push(b' ');
        }
        cases.push(Case { name, bytes, valid: false });
    };
    lonely("3.2.1 lonely 2-byte starts", 0xC0..=0xDF);
    lonely("3.2.2 lonely 3-byte starts", 0xE0..=0xEF);
    lonely("3.2.3 lonely 4-byte starts", 0xF0..=0xF7);
    lonely("3.2.4 lonely 5-byte starts", 0xF8..=0xFB);
    lonely("3.2.5 lonely 6-byte starts", 0xFC..=0xFD);

    // 3.1.9: all 64 continuation bytes in a row.
    cases.push(Case {
        name: "3.1.9 all continuation bytes",
        bytes: (0x80..=0xBF).collect(),
        valid: false,
    });

    // 3.4: concatenation of the 3.3 sequences.
    cases.push(Case {
        name: "3.4 concatenated incomplete sequences",
        bytes: [
            &b"\xC0"[..],
            b"\xE0\x80",
            b"\xF0\x80\x80",
            b"\xF8\x80\x80\x80",
            b"\xFC\x80\x80\x80\x80",
            b"\xDF",
            b"\xEF\xBF",
            b"\xF7\xBF\xBF",
            b"\xFB\xBF\xBF\xBF",
            b"\xFD\xBF\xBF\xBF\xBF",
        ]
        .concat(),
        valid: false,
    });

    // 5.3.4: all noncharacters U+nFFFE and U+nFFFF, planes 1..16.
    let mut nonchars = String::new();
    for plane in 1..=0x10u32 {
        for low in [0xFFFE, 0xFFFF] {
            nonchars.push(char::from_u32(plane << 16 | low).unwrap());
        }
    }
    for c in 0xFDD0..=0xFDEFu32 {
        nonchars.push(char::from_u32(c).unwrap());
    }
    cases.push(Case { name: "5.3 all noncharacters", bytes: nonchars.into_bytes(), valid: true });

    // A long mostly-ASCII message with a multi-byte tail, to exercise the
    // bulk path with splits landing everywhere.
    let mut long = "ASCII run ".repeat(12).into_bytes();
    long.extend_from_slice("日本語テキスト😀".as_bytes());
    cases.push(Case { name: "long mixed", bytes: long.clone(), valid: true });
    long.extend_from_slice(b"\xED\xBF\xBF");
    cases.push(Case { name: "long mixed then surrogate", bytes: long, valid: false });

    cases
}

/// Feeds `chunks` in order, then finishes.
fn incremental(chunks: &[&[u8]]) -> Result<(), bool> {
    let mut v = Utf8Validator::new();
    for chunk in chunks {
        v.feed(chunk).map_err(|e| e.is_incomplete())?;
    }
    v.finish().map_err(|e| e.is_incomplete())
}

/// The reference: `Err(is_incomplete)` as `incremental` reports it.
fn reference(bytes: &[u8]) -> Result<(), bool> {
    std::str::from_utf8(bytes).map(|_| ()).map_err(|e| e.error_len().is_none())
}

/// The first index `i` at which `bytes[..=i]` is known to be invalid.
fn first_invalid_index(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len())
        .find(|&i| std::str::from_utf8(&bytes[..=i]).err().is_some_and(|e| e.error_len().is_some()))
}

#[test]
fn s8_1_kuhn_cases_validity() {
    for c in kuhn_cases() {
        assert_eq!(
            std::str::from_utf8(&c.bytes).is_ok(),
            c.valid,
            "{}: table disagrees with core::str::from_utf8",
            c.name
        );
        assert_eq!(validate(&c.bytes).is_ok(), c.valid, "{}: validate", c.name);
        assert_eq!(
            validate(&c.bytes).map_err(|e| e.is_incomplete()),
            reference(&c.bytes),
            "{}: validate error kind",
            c.name
        );
        assert_eq!(incremental(&[&c.bytes]), reference(&c.bytes), "{}: one feed", c.name);
    }
}

#[test]
fn s8_1_kuhn_cases_every_split_point() {
    for c in kuhn_cases() {
        let want = reference(&c.bytes);
        for i in 0..=c.bytes.len() {
            let (a, b) = c.bytes.split_at(i);
            assert_eq!(incremental(&[a, b]), want, "{} split at {i}", c.name);
        }
    }
}

#[test]
fn s8_1_kuhn_cases_every_pair_of_split_points() {
    for c in kuhn_cases() {
        let want = reference(&c.bytes);
        let n = c.bytes.len();
        for i in 0..=n {
            for j in i..=n {
                let chunks = [&c.bytes[..i], &c.bytes[i..j], &c.bytes[j..]];
                assert_eq!(incremental(&chunks), want, "{} split {i},{j}", c.name);
            }
        }
    }
}

#[test]
fn s8_1_kuhn_cases_byte_by_byte() {
    for c in kuhn_cases() {
        let chunks: Vec<&[u8]> = c.bytes.chunks(1).collect();
        assert_eq!(incremental(&chunks), reference(&c.bytes), "{}", c.name);
    }
}

#[test]
fn s8_1_fails_fast_at_first_invalid_byte() {
    for c in kuhn_cases() {
        let expected = first_invalid_index(&c.bytes);
        let mut v = Utf8Validator::new();
        let got = c.bytes.iter().position(|&b| v.feed(&[b]).is_err());
        assert_eq!(got, expected, "{}: byte-by-byte error position", c.name);
        if got.is_none() {
            assert_eq!(v.finish().is_ok(), c.valid, "{}: finish", c.name);
        }
    }
}

#[test]
fn s8_1_fails_fast_within_a_chunk() {
    // A chunk that ends right after the first invalid byte is rejected,
    // whatever came before it and however it was split.
    for c in kuhn_cases() {
        let Some(bad) = first_invalid_index(&c.bytes) else {
            continue;
        };
        for i in 0..=bad {
            let mut v = Utf8Validator::new();
            assert!(v.feed(&c.bytes[..i]).is_ok(), "{} prefix {i}", c.name);
            assert!(v.feed(&c.bytes[i..=bad]).is_err(), "{}: chunk {i}..={bad} must fail", c.name);
        }
    }
}

#[test]
fn s8_1_finish_only_fails_on_truncated_valid_prefix() {
    for c in kuhn_cases() {
        if first_invalid_index(&c.bytes).is_some() {
            continue;
        }
        let mut v = Utf8Validator::new();
        assert!(v.feed(&c.bytes).is_ok(), "{}", c.name);
        assert_eq!(v.is_char_boundary(), c.valid, "{}", c.name);
        let r = v.finish();
        assert_eq!(r.is_ok(), c.valid, "{}", c.name);
        assert!(r.err().is_none_or(|e| e.is_incomplete()), "{}", c.name);
        assert!(v.is_char_boundary(), "{}: finish resets", c.name);
    }
}

#[test]
fn s8_1_validator_reusable_after_finish_and_reset() {
    let mut v = Utf8Validator::new();
    assert!(v.feed(b"\xE2\x82").is_ok());
    assert!(v.finish().is_err());
    assert!(v.feed("€".as_bytes()).is_ok());
    assert!(v.finish().is_ok());
    assert!(v.feed(b"\xF0\x9F").is_ok());
    v.reset();
    assert!(v.feed(b"ok").is_ok());
    assert!(v.finish().is_ok());
}

/// Checks one input against the reference: whole, every split point, byte
/// by byte, and the fail-fast position.
fn check_exhaustively(bytes: &[u8]) {
    let want = reference(bytes);
    assert_eq!(incremental(&[bytes]), want, "{bytes:02X?}");
    for i in 1..bytes.len() {
        let (a, b) = bytes.split_at(i);
        assert_eq!(incremental(&[a, b]), want, "{bytes:02X?} split {i}");
    }
    let mut v = Utf8Validator::new();
    let got = bytes.iter().position(|&b| v.feed(&[b]).is_err());
    assert_eq!(got, first_invalid_index(bytes), "{bytes:02X?} fail-fast");
    if got.is_none() {
        assert_eq!(v.finish().map_err(|e| e.is_incomplete()), want);
    }
}

#[test]
fn s8_1_all_one_and_two_byte_sequences() {
    for a in 0..=255u8 {
        check_exhaustively(&[a]);
        for b in 0..=255u8 {
            check_exhaustively(&[a, b]);
        }
    }
}

#[test]
fn s8_1_all_three_byte_sequences() {
    // Every split of every 3-byte input agrees with the one-shot reference;
    // only lead bytes that can start a multi-byte sequence need the full
    // split check, the others are covered by the one-shot comparison.
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            for c in 0..=255u8 {
                let bytes = [a, b, c];
                let want = reference(&bytes);
                if (0xC2..=0xF4).contains(&a) || (0xC2..=0xF4).contains(&b) {
                    check_exhaustively(&bytes);
                } else {
                    assert_eq!(incremental(&[&bytes]), want, "{bytes:02X?}");
                }
            }
        }
    }
}

/// xorshift64: a tiny deterministic generator for the random cases.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A byte biased towards the interesting ones: leads, continuations,
    /// range boundaries.
    fn byte(&mut self) -> u8 {
        const INTERESTING: [u8; 20] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ];
        let r = self.next();
        if r & 1 == 0 {
            (r >> 8) as u8
        } else {
            INTERESTING[((r >> 8) % INTERESTING.len() as u64) as usize]
        }
    }
}

#[test]
fn s8_1_random_four_byte_sequences() {
    let mut rng = Xorshift(0x2545_F491_4F6C_DD1D);
    for _ in 0..300_000 {
        let bytes = [rng.byte(), rng.byte(), rng.byte(), rng.byte()];
        check_exhaustively(&bytes);
    }
}

#[test]
fn s8_1_random_longer_sequences_random_chunks() {
    let mut rng = Xorshift(0xDEAD_BEEF_CAFE_F00D);
    let samples: Vec<&[u8]> =
        vec!["é".as_bytes(), "€".as_bytes(), "😀".as_bytes(), "\u{10FFFF}".as_bytes(), b"abc"];
    for _ in 0..20_000 {
        // Mostly valid text with an occasional random byte.
        let mut bytes = Vec::new();
        let len = rng.next() % 12;
        for _ in 0..len {
            let r = rng.next();
            if r & 7 == 0 {
                bytes.push(rng.byte());
            } else {
                bytes.extend_from_slice(samples[(r % samples.len() as u64) as usize]);
            }
        }
        let want = reference(&bytes);
        let mut chunks = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = (rng.next() % 6) as usize;
            let (a, b) = rest.split_at(n.min(rest.len()));
            chunks.push(a);
            rest = b;
        }
        assert_eq!(incremental(&chunks), want, "{bytes:02X?} as {chunks:02X?}");
        let mut v = Utf8Validator::new();
        let got = bytes.iter().position(|&b| v.feed(&[b]).is_err());
        assert_eq!(got, first_invalid_index(&bytes), "{bytes:02X?}");
    }
}
