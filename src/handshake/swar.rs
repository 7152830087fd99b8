//! Eight bytes at a time in a `u64` (SWAR, "SIMD within a register") for
//! the handshake's scans of header text: plain integer arithmetic, no
//! `unsafe`, the same on every target.

/// 0x01 in every byte: `ONES * b` is `b` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set in the bytes of `w` below `n` (`n` ≤ 0x80). Exact for
/// the lowest such byte (no borrow reaches it from below), which is all a
/// search uses; bytes above it may be flagged falsely.
pub(crate) fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH
}

/// The high bit set in the bytes of `w` equal to `b`, exact for the lowest
/// (see [`bytes_below`]).
pub(crate) fn bytes_equal(w: u64, b: u8) -> u64 {
    bytes_below(w ^ (ONES * u64::from(b)), 1)
}

/// The eight bytes of `chunk` (eight long) as one little-endian word.
pub(crate) fn word(chunk: &[u8]) -> u64 {
    chunk.try_into().map(u64::from_le_bytes).unwrap_or(0)
}

/// The index of the lowest byte flagged in `hits` (not zero).
pub(crate) fn first(hits: u64) -> usize {
    (hits.trailing_zeros() / 8) as usize
}

/// The index of the first byte of `s` that `hits` flags, a word at a time;
/// `is` says the same of one byte, for the last bytes that fill no word.
/// The two must agree (each caller's tests try every position).
pub(crate) fn position(
    s: &[u8],
    hits: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut words = s.chunks_exact(8);
    for (k, word) in (&mut words).enumerate() {
        let hit = hits(self::word(word));
        if hit != 0 {
            return Some(8 * k + first(hit));
        }
    }
    let tail = words.remainder();
    tail.iter().position(|&b| is(b)).map(|at| s.len() - tail.len() + at)
}
