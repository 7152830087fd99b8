//! Payload masking (RFC 6455 §5.3), in place, in safe code.
//!
//! Long buffers run over 32-byte blocks against a pre-rotated key block, a
//! shape LLVM turns into its widest vector XORs (SSE2/AVX2 on x86-64, NEON,
//! simd128) without any `unsafe`; the in-place loop sits out of line so the short
//! path stays small enough to inline. Short buffers, and what the blocks
//! leave, go 16 bytes at a time through a `u128` holding four copies of the
//! key, then 8, 4 and single bytes: small frames (the common case) pay no
//! setup for the wide loop.

const BLOCK: usize = 32;

/// From these lengths the block loop (which LLVM unrolls over its widest
/// vectors) beats 16-byte words; measured with `make bench` (unmask 125 B,
/// 1 KiB; client encode 16 B, 64 B).
const LONG_IN_PLACE: usize = 256;
const LONG_COPY: usize = 64;

/// XORs `buf` with the masking `key`, where `buf[0]` is byte `offset` of the
/// frame payload.
///
/// Masking and unmasking are the same operation (RFC 6455 §5.3: octet i of
/// the payload is XORed with octet i MOD 4 of the key). Passing `offset`
/// lets a payload that arrives in pieces be unmasked piece by piece.
///
/// # Examples
///
/// ```
/// use wsframe::mask::apply_mask;
///
/// // RFC 6455 §5.7: a masked "Hello".
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// apply_mask(&mut payload[..2], key, 0);
/// apply_mask(&mut payload[2..], key, 2);
/// assert_eq!(&payload, b"Hello");
/// ```
#[inline(always)]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    if crate::COMPACT {
        return apply_mask_compact(buf, key, offset);
    }
    let mut key = key;
    key.rotate_left(offset % 4);
    let lane = lane(key);
    let rest = if buf.len() >= LONG_IN_PLACE { mask_blocks(buf, key) } else { buf };
    if rest.is_empty() {
        return;
    }
    let mut words = rest.chunks_exact_mut(16);
    for word in &mut words {
        xor_word(word, lane);
    }
    mask_tail(words.into_remainder(), key);
}

/// [`apply_mask`] in little code, for the compact targets (no vector unit
/// for the wide loops to use; crate::COMPACT): 4-byte words, which
/// Cortex-M3 and up load unaligned, then single bytes. Public only so that
/// tests can compare it with [`apply_mask`] on any host.
#[doc(hidden)]
#[inline(never)]
pub fn apply_mask_compact(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let k = u32::from_le_bytes(key).rotate_right(8 * (offset % 4) as u32);
    let mut words = buf.chunks_exact_mut(4);
    for word in &mut words {
        if let Ok(bytes) = <[u8; 4]>::try_from(&*word) {
            word.copy_from_slice(&(u32::from_le_bytes(bytes) ^ k).to_le_bytes());
        }
    }
    let mut k = k;
    for b in words.into_remainder() {
        *b ^= k as u8;
        k >>= 8;
    }
}

/// The key repeated over one block.
#[inline]
fn key_block(key: [u8; 4]) -> [u8; BLOCK] {
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    wide
}

/// The long-buffer loop, out of line so the short path stays small enough to
/// inline: 32-byte blocks against a key block, which LLVM unrolls over its
/// widest vectors. Returns the remainder (under 32 bytes, phase 0).
#[inline(never)]
fn mask_blocks(buf: &mut [u8], key: [u8; 4]) -> &mut [u8] {
    let wide = key_block(key);
    let mut blocks = buf.chunks_exact_mut(BLOCK);
    for block in &mut blocks {
        for (b, k) in block.iter_mut().zip(wide.iter()) {
            *b ^= k;
        }
    }
    blocks.into_remainder()
}

/// The key repeated over 16 bytes, by shifts: a multiply would be a call
/// into a 128-bit multiply routine on targets without one (wasm32).
#[inline(always)]
fn lane(key: [u8; 4]) -> u128 {
    let k = u128::from(u32::from_ne_bytes(key));
    let k = k | k << 32;
    k | k << 64
}

/// XORs 16 bytes with the repeated key.
#[inline(always)]
fn xor_word(word: &mut [u8], lane: u128) {
    if let Ok(bytes) = <[u8; 16]>::try_from(&*word) {
        word.copy_from_slice(&(u128::from_ne_bytes(bytes) ^ lane).to_ne_bytes());
    }
}

/// Under 16 bytes whose first byte takes `key[0]`: 8, then 4, then single bytes.
#[inline(always)]
fn mask_tail(mut rest: &mut [u8], key: [u8; 4]) {
    let k = u32::from_ne_bytes(key);
    if rest.len() >= 8 {
        let (word, tail) = rest.split_at_mut(8);
        if let Ok(bytes) = <[u8; 8]>::try_from(&*word) {
            let v = u64::from_ne_bytes(bytes) ^ (u64::from(k) * (1 | 1 << 32));
            word.copy_from_slice(&v.to_ne_bytes());
        }
        rest = tail;
    }
    if rest.len() >= 4 {
        let (word, tail) = rest.split_at_mut(4);
        if let Ok(bytes) = <[u8; 4]>::try_from(&*word) {
            word.copy_from_slice(&(u32::from_ne_bytes(bytes) ^ k).to_ne_bytes());
        }
        rest = tail;
    }
    for (b, k) in rest.iter_mut().zip(key) {
        *b ^= k;
    }
}

/// Copies `src` into `dst` masking it on the way (one pass instead of copy
/// then mask). `dst` and `src` must have the same length; extra bytes of the
/// longer one are left alone.
///
/// # Examples
///
/// ```
/// use wsframe::mask::copy_masked;
///
/// let mut out = [0u8; 5];
/// copy_masked(&mut out, b"Hello", [0x37, 0xfa, 0x21, 0x3d]);
/// assert_eq!(out, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// ```
#[inline]
pub fn copy_masked(dst: &mut [u8], src: &[u8], key: [u8; 4]) {
    let n = dst.len().min(src.len());
    let (dst, src) = (&mut dst[..n], &src[..n]);
    let (dst, src) = if n >= LONG_COPY { copy_blocks(dst, src, key) } else { (dst, src) };
    if dst.is_empty() {
        return;
    }
    let lane = lane(key);
    let mut d_words = dst.chunks_exact_mut(16);
    let mut s_words = src.chunks_exact(16);
    for (d, s) in (&mut d_words).zip(&mut s_words) {
        if let Ok(bytes) = <[u8; 16]>::try_from(s) {
            d.copy_from_slice(&(u128::from_ne_bytes(bytes) ^ lane).to_ne_bytes());
        }
    }
    let tail = d_words.into_remainder();
    tail.copy_from_slice(s_words.remainder());
    mask_tail(tail, key);
}

/// [`copy_masked`]'s long-buffer loop (inlined: out of line it cost a 64 B
/// client send about 30 instructions): returns the remainders (under 32
/// bytes, phase 0).
#[inline]
fn copy_blocks<'d, 's>(dst: &'d mut [u8], src: &'s [u8], key: [u8; 4]) -> (&'d mut [u8], &'s [u8]) {
    let wide = key_block(key);
    let mut d_blocks = dst.chunks_exact_mut(BLOCK);
    let mut s_blocks = src.chunks_exact(BLOCK);
    for (d, s) in (&mut d_blocks).zip(&mut s_blocks) {
        for ((d, s), k) in d.iter_mut().zip(s.iter()).zip(wide.iter()) {
            *d = s ^ k;
        }
    }
    (d_blocks.into_remainder(), s_blocks.remainder())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn reference(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn s5_3_matches_bytewise_definition_for_all_lengths_and_offsets() {
        let key = [0x12, 0x34, 0x56, 0x78];
        // Every short length, and lengths around the block-loop thresholds.
        for len in (0..200).chain([255, 256, 257, 287, 288, 300, 511, 512, 1000, 1027]) {
            for offset in 0..8 {
                let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let mut a = data.clone();
                let mut b = data.clone();
                apply_mask(&mut a, key, offset);
                reference(&mut b, key, offset);
                assert_eq!(a, b, "len {len} offset {offset}");
                let mut c = std::vec![0u8; len];
                copy_masked(&mut c, &data, key);
                let mut expect = data.clone();
                reference(&mut expect, key, 0);
                assert_eq!(c, expect, "copy_masked len {len}");
            }
        }
    }

    #[test]
    fn s5_3_masking_twice_restores_payload_across_any_split() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        for split in [0, 1, 3, 31, 32, 33, 500, 999, 1000] {
            let mut buf = data.clone();
            let (a, b) = buf.split_at_mut(split);
            apply_mask(a, key, 0);
            apply_mask(b, key, split);
            apply_mask(&mut buf, key, 0);
            assert_eq!(buf, data);
        }
    }
}
