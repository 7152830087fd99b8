//! Incremental UTF-8 validation for text messages (RFC 6455 §8.1, §5.6).
//!
//! A text message must be valid UTF-8 as a whole, yet it reaches the core in
//! pieces: fragments (§5.4) and, within a frame, whatever chunks the caller's
//! buffer happens to hold. A code point may be split anywhere. The endpoint
//! must fail the connection with 1007 (§7.4.1) as soon as it sees invalid data
//! (§8.1 "fail the WebSocket connection"), so [`Utf8Validator`] reports an
//! error at the first byte that cannot begin or continue valid UTF-8, not only
//! at the end of the message.
//!
//! The bulk of each chunk goes through simdutf8's `compat::from_utf8` (SIMD:
//! SSE4.2/AVX2 detected at run time when a hosted build enables simdutf8's
//! `std` feature, NEON or wasm simd128 when compiled in; otherwise the same
//! scalar code as [`core::str::from_utf8`], with the same error positions);
//! only a code point split across chunks (at most 3 pending bytes) is
//! handled here.

use core::fmt;

/// A text payload is not valid UTF-8 (RFC 6455 §8.1).
///
/// The close code to send is 1007, "invalid frame payload data" (§7.4.1).
///
/// # Examples
///
/// ```
/// use wsframe::utf8::validate;
///
/// assert!(validate("Grüße".as_bytes()).is_ok());
/// assert!(validate(&[0xc3, 0x28]).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utf8Error {
    incomplete: bool,
}

impl Utf8Error {
    const INVALID: Self = Self { incomplete: false };
    const INCOMPLETE: Self = Self { incomplete: true };

    /// Returns `true` if the message ended in the middle of a code point,
    /// `false` if a byte was seen that no valid UTF-8 can contain there.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::validate;
    ///
    /// assert!(validate(b"\xE2\x82").unwrap_err().is_incomplete());
    /// assert!(!validate(b"\xFF").unwrap_err().is_incomplete());
    /// ```
    #[must_use]
    pub const fn is_incomplete(&self) -> bool {
        self.incomplete
    }
}

impl fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.incomplete {
            "text message ends inside a UTF-8 sequence"
        } else {
            "invalid UTF-8 in text message"
        })
    }
}

impl core::error::Error for Utf8Error {}

/// Validates a complete text payload in one call (RFC 6455 §8.1).
///
/// # Errors
///
/// [`Utf8Error`] if `bytes` is not valid UTF-8; [`Utf8Error::is_incomplete`]
/// tells a truncated final code point from an invalid byte.
///
/// # Examples
///
/// ```
/// use wsframe::utf8::validate;
///
/// assert!(validate("κόσμε".as_bytes()).is_ok());
/// assert!(validate(b"\xED\xA0\x80").is_err()); // a UTF-16 surrogate
/// ```
pub fn validate(bytes: &[u8]) -> Result<(), Utf8Error> {
    if bytes.len() < SHORT {
        return match dfa(bytes) {
            S0 => Ok(()),
            ERR => Err(Utf8Error::INVALID),
            _ => Err(Utf8Error::INCOMPLETE),
        };
    }
    match check(bytes) {
        Ok(()) => Ok(()),
        Err((_, None)) => Err(Utf8Error::INCOMPLETE),
        Err(_) => Err(Utf8Error::INVALID),
    }
}

/// Below this length a byte-at-a-time DFA (`validate`) or the standard
/// library's validator (`feed`) beats simdutf8's dispatch and SIMD set-up
/// (`make bench`, 16 B text frames).
const SHORT: usize = 64;

// A shift-based DFA for short inputs: each state is a bit offset, and
// TABLE[byte] holds, at each state's offset, the offset of the next state, so
// one step is a load, a shift and a mask, with no branch per byte.
const S0: u64 = 0; // between code points (accept)
const ERR: u64 = 6; // invalid (absorbing)
const C1: u64 = 12; // one continuation byte to come
const C2: u64 = 18; // two
const C3: u64 = 24; // three
const E0: u64 = 30; // after E0: A0..=BF (no overlong 3-byte forms)
const ED: u64 = 36; // after ED: 80..=9F (no UTF-16 surrogates)
const F0: u64 = 42; // after F0: 90..=BF (no overlong 4-byte forms)
const F4: u64 = 48; // after F4: 80..=8F (nothing above U+10FFFF)

/// The state after `byte` in `state` (RFC 3629 §4's syntax).
const fn next(state: u64, byte: u8) -> u64 {
    match (state, byte) {
        (S0, 0x00..=0x7F) | (C1, 0x80..=0xBF) => S0,
        (S0, 0xC2..=0xDF) | (C2, 0x80..=0xBF) | (E0, 0xA0..=0xBF) | (ED, 0x80..=0x9F) => C1,
        (S0, 0xE1..=0xEC | 0xEE..=0xEF) | (C3, 0x80..=0xBF) => C2,
        (F0, 0x90..=0xBF) | (F4, 0x80..=0x8F) => C2,
        (S0, 0xF1..=0xF3) => C3,
        (S0, 0xE0) => E0,
        (S0, 0xED) => ED,
        (S0, 0xF0) => F0,
        (S0, 0xF4) => F4,
        _ => ERR,
    }
}

static TABLE: [u64; 256] = {
    let states = [S0, ERR, C1, C2, C3, E0, ED, F0, F4];
    let mut table = [0u64; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut i = 0;
        while i < states.len() {
            table[byte] |= next(states[i], byte as u8) << states[i];
            i += 1;
        }
        byte += 1;
    }
    table
};

/// The DFA's state after `bytes`: S0 valid, ERR invalid, else cut off.
#[inline]
fn dfa(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(S0, |state, &b| (TABLE.get(usize::from(b)).copied().unwrap_or(0) >> state) & 63)
}

/// `bytes` as text, if they are UTF-8, by the same choice of validator as
/// [`check`] (the standard library's below [`SHORT`] bytes and on the
/// compact targets, simdutf8's SIMD otherwise): for a caller that needs the
/// `&str` itself (the Session's whole messages).
#[cfg(feature = "alloc")]
#[inline]
pub(crate) fn as_str(bytes: &[u8]) -> Option<&str> {
    if bytes.len() < SHORT || crate::COMPACT {
        core::str::from_utf8(bytes).ok()
    } else {
        simdutf8::basic::from_utf8(bytes).ok()
    }
}

/// Validates `bytes`: on failure, the length of the valid prefix and the
/// length of the invalid sequence (`None`: cut off at the end).
#[inline]
fn check(bytes: &[u8]) -> Result<(), (usize, Option<usize>)> {
    // simdutf8 has no SIMD code for the compact targets (its scalar path is
    // this same validator): one call site instead of two.
    if bytes.len() < SHORT || crate::COMPACT {
        core::str::from_utf8(bytes).map(|_| ()).map_err(|e| (e.valid_up_to(), e.error_len()))
    } else {
        simdutf8::compat::from_utf8(bytes).map(|_| ()).map_err(|e| (e.valid_up_to(), e.error_len()))
    }
}

/// Streaming UTF-8 validator that accepts a text message in chunks split at
/// any byte (RFC 6455 §8.1, §5.6).
///
/// Four bytes of state: up to three bytes of a code point that a chunk
/// boundary cut, and their count. Feed every chunk of a text message in order
/// with [`feed`](Self::feed), then call [`finish`](Self::finish) when the
/// final fragment ends.
///
/// # Examples
///
/// ```
/// use wsframe::utf8::Utf8Validator;
///
/// let euro = "€".as_bytes(); // E2 82 AC
/// let mut v = Utf8Validator::new();
/// v.feed(&euro[..1])?;
/// assert!(!v.is_char_boundary());
/// v.feed(&euro[1..])?;
/// v.finish()?;
///
/// // Fails as soon as the data cannot be UTF-8, before the message ends.
/// let mut v = Utf8Validator::new();
/// assert!(v.feed(b"ok \xC0").is_err());
/// # Ok::<(), wsframe::utf8::Utf8Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Utf8Validator {
    /// The leading bytes of a code point cut by a chunk boundary; always a
    /// valid prefix of some UTF-8 sequence.
    pending: [u8; 3],
    /// How many bytes of `pending` are in use (0 to 3).
    len: u8,
}

impl Utf8Validator {
    /// Creates a validator at the start of a message.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let v = Utf8Validator::new();
    /// assert!(v.is_char_boundary());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self { pending: [0; 3], len: 0 }
    }

    /// Validates the next chunk of a text message.
    ///
    /// The chunk may start or end in the middle of a code point. The result
    /// does not depend on how the message is split.
    ///
    /// # Errors
    ///
    /// [`Utf8Error`] as soon as the bytes seen so far are not a prefix of
    /// valid UTF-8: a stray continuation byte, a lead byte not followed by a
    /// continuation, an overlong form, a surrogate (U+D800..U+DFFF), a value
    /// above U+10FFFF, or a byte that never occurs (C0, C1, F5..FF). The
    /// connection should then be failed with close code 1007 (§7.4.1). The
    /// validator is reset after an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let mut v = Utf8Validator::new();
    /// assert!(v.feed(b"\xED").is_ok()); // could still be U+D000..U+D7FF
    /// assert!(v.feed(b"\xA0").is_err()); // ED A0 starts a surrogate
    /// ```
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Utf8Error> {
        let rest = if self.len == 0 { bytes } else { self.complete_pending(bytes)? };
        match check(rest) {
            Ok(()) => Ok(()),
            // A valid prefix cut at the end of the chunk: keep the tail.
            Err((valid, None)) => match rest.get(valid..) {
                Some(tail) => self.stash(tail),
                None => self.fail(Utf8Error::INVALID),
            },
            Err(_) => self.fail(Utf8Error::INVALID),
        }
    }

    /// Ends the message: checks that it did not stop inside a code point,
    /// and resets the validator for the next message.
    ///
    /// # Errors
    ///
    /// [`Utf8Error`] (with [`Utf8Error::is_incomplete`] true) if a code
    /// point was left unfinished (RFC 6455 §8.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let mut v = Utf8Validator::new();
    /// v.feed(b"caf\xC3")?; // "café" cut before its last byte
    /// assert!(v.finish().is_err());
    /// assert!(v.is_char_boundary()); // ready for the next message
    /// # Ok::<(), wsframe::utf8::Utf8Error>(())
    /// ```
    pub fn finish(&mut self) -> Result<(), Utf8Error> {
        let complete = self.len == 0;
        self.reset();
        if complete { Ok(()) } else { Err(Utf8Error::INCOMPLETE) }
    }

    /// Returns `true` if no code point is partially received, so the bytes
    /// fed so far are valid UTF-8 on their own.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let mut v = Utf8Validator::new();
    /// v.feed(b"\xC3")?;
    /// assert!(!v.is_char_boundary());
    /// v.feed(b"\xA9")?;
    /// assert!(v.is_char_boundary());
    /// # Ok::<(), wsframe::utf8::Utf8Error>(())
    /// ```
    #[must_use]
    pub const fn is_char_boundary(&self) -> bool {
        self.len == 0
    }

    /// The validator's whole state as 4 bytes, to keep it outside Rust (the
    /// C binding's `uint32_t` state); [`Utf8Validator::from_state`] takes it
    /// back. A fresh validator's state is all zeros.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let mut v = Utf8Validator::new();
    /// assert_eq!(v.state(), [0; 4]);
    /// v.feed(b"\xE2\x82")?; // the first two bytes of "€"
    /// let mut w = Utf8Validator::from_state(v.state())?;
    /// w.feed(b"\xAC")?;
    /// w.finish()?;
    /// # Ok::<(), wsframe::utf8::Utf8Error>(())
    /// ```
    #[must_use]
    pub const fn state(&self) -> [u8; 4] {
        let [a, b, c] = self.pending;
        [a, b, c, self.len]
    }

    /// A validator from [`Utf8Validator::state`]'s bytes.
    ///
    /// # Errors
    ///
    /// [`Utf8Error`] for bytes no validator has as its state (a count over
    /// 3, or bytes that are not the start of one UTF-8 sequence).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// assert!(Utf8Validator::from_state([0; 4])?.is_char_boundary());
    /// assert!(Utf8Validator::from_state([0xC3, 0, 0, 1]).is_ok());
    /// assert!(Utf8Validator::from_state([b'a', 0, 0, 1]).is_err()); // a whole character
    /// assert!(Utf8Validator::from_state([0, 0, 0, 4]).is_err());
    /// # Ok::<(), wsframe::utf8::Utf8Error>(())
    /// ```
    pub fn from_state(state: [u8; 4]) -> Result<Self, Utf8Error> {
        let [a, b, c, len] = state;
        let mut v = Self::new();
        v.feed([a, b, c].get(..usize::from(len)).ok_or(Utf8Error::INVALID)?)?;
        if v.len == len { Ok(v) } else { Err(Utf8Error::INVALID) }
    }

    /// Forgets any partial code point, as at the start of a new message.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::utf8::Utf8Validator;
    ///
    /// let mut v = Utf8Validator::new();
    /// v.feed(b"\xF0\x9F")?;
    /// v.reset();
    /// assert!(v.is_char_boundary());
    /// # Ok::<(), wsframe::utf8::Utf8Error>(())
    /// ```
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Joins the pending bytes with the start of `bytes` to finish the cut
    /// code point; returns the rest of `bytes`.
    fn complete_pending<'a>(&mut self, bytes: &'a [u8]) -> Result<&'a [u8], Utf8Error> {
        let have = usize::from(self.len);
        let pending = self.pending.get(..have).unwrap_or_default();
        let width = pending.first().map_or(1, |&lead| sequence_width(lead));
        let take = width.saturating_sub(have).min(bytes.len());
        let (head, rest) = bytes.split_at_checked(take).unwrap_or((bytes, &[]));

        let [p0, p1, p2] = self.pending;
        let mut buf = [p0, p1, p2, 0];
        for (dst, src) in buf.iter_mut().skip(have).zip(head) {
            *dst = *src;
        }
        let joined = buf.get(..have.saturating_add(take)).unwrap_or(&buf);
        match core::str::from_utf8(joined) {
            Ok(_) => {
                self.len = 0;
                Ok(rest)
            }
            // Still cut short: `bytes` was used up, `rest` is empty.
            Err(e) if e.error_len().is_none() => self.stash(joined).map(|()| rest),
            Err(_) => self.fail(Utf8Error::INVALID),
        }
    }

    /// Keeps a valid but unfinished code point (at most 3 bytes).
    fn stash(&mut self, tail: &[u8]) -> Result<(), Utf8Error> {
        match u8::try_from(tail.len()) {
            Ok(n) if usize::from(n) <= self.pending.len() => {
                for (dst, src) in self.pending.iter_mut().zip(tail) {
                    *dst = *src;
                }
                self.len = n;
                Ok(())
            }
            // Cannot happen: from_utf8 reports at most 3 trailing bytes.
            _ => self.fail(Utf8Error::INVALID),
        }
    }

    fn fail<T>(&mut self, err: Utf8Error) -> Result<T, Utf8Error> {
        self.reset();
        Err(err)
    }
}

/// Length of the sequence that `lead` starts (only called on valid leads).
const fn sequence_width(lead: u8) -> usize {
    // 110xxxxx, 1110xxxx, 11110xxx: the count of leading ones.
    match lead.leading_ones() {
        n @ 2..=4 => n as usize,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s8_1_size_is_four_bytes() {
        assert_eq!(core::mem::size_of::<Utf8Validator>(), 4);
    }

    #[test]
    fn s8_1_split_four_byte_code_point_each_way() {
        let s = "a😀b".as_bytes();
        for i in 0..=s.len() {
            for j in i..=s.len() {
                let mut v = Utf8Validator::new();
                assert!(v.feed(&s[..i]).is_ok());
                assert!(v.feed(&s[i..j]).is_ok());
                assert!(v.feed(&s[j..]).is_ok());
                assert!(v.finish().is_ok());
            }
        }
    }

    #[test]
    fn s8_1_empty_chunks_change_nothing() {
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"").is_ok());
        assert!(v.feed(b"\xE2").is_ok());
        assert!(v.feed(b"").is_ok());
        assert!(!v.is_char_boundary());
        assert!(v.feed(b"\x82\xAC").is_ok());
        assert!(v.finish().is_ok());
    }

    #[test]
    fn s8_1_error_resets_state() {
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"\xF0\x9F").is_ok());
        assert_eq!(v.feed(b"A"), Err(Utf8Error::INVALID));
        assert!(v.is_char_boundary());
    }

    #[test]
    fn s8_1_finish_reports_incomplete() {
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"\xF0\x9F\x98").is_ok());
        let err = v.finish().unwrap_err();
        assert!(err.is_incomplete());
        assert!(v.finish().is_ok());
    }

    /// What `validate` must answer, from the standard library.
    fn expected(bytes: &[u8]) -> Result<(), Utf8Error> {
        match core::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_none() => Err(Utf8Error::INCOMPLETE),
            Err(_) => Err(Utf8Error::INVALID),
        }
    }

    #[test]
    fn s8_1_short_validator_agrees_with_std_on_every_boundary_sequence() {
        for a in 0..=255u8 {
            assert_eq!(validate(&[a]), expected(&[a]), "{a:02x}");
            for b in 0..=255u8 {
                assert_eq!(validate(&[a, b]), expected(&[a, b]), "{a:02x} {b:02x}");
            }
        }
        // Every byte that starts, ends or bounds a class of RFC 3629's syntax.
        let edges = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        for a in edges {
            for b in edges {
                for c in edges {
                    for d in edges {
                        let s = [a, b, c, d, b'x'];
                        for seq in [&s[..3], &s[..4], &s[..]] {
                            assert_eq!(validate(seq), expected(seq), "{seq:02x?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn error_display_is_static_text() {
        use std::string::ToString;
        assert_eq!(Utf8Error::INVALID.to_string(), "invalid UTF-8 in text message");
        assert_eq!(Utf8Error::INCOMPLETE.to_string(), "text message ends inside a UTF-8 sequence");
    }
}
