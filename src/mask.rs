//! Payload masking (RFC 6455 §5.3), in place, in safe code.
//!
//! The XOR runs over 32-byte blocks against a pre-rotated key block, a shape
//! LLVM turns into vector XORs (SSE2/AVX2 on x86-64, NEON, simd128) without
//! any `unsafe`; what is left (and a buffer under 32 bytes) goes 8 bytes at a
//! time through a `u64`, then byte by byte.

const BLOCK: usize = 32;

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
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let mut key = key;
    key.rotate_left(offset % 4);
    if buf.len() < BLOCK {
        mask_words(buf, key);
        return;
    }
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    let mut blocks = buf.chunks_exact_mut(BLOCK);
    for block in &mut blocks {
        for (b, k) in block.iter_mut().zip(wide.iter()) {
            *b ^= k;
        }
    }
    // BLOCK is a multiple of 4, so the tail starts at key phase 0.
    mask_words(blocks.into_remainder(), key);
}

/// Short buffers: 8 bytes at a time as a `u64` (the key twice over), then
/// the last 0 to 7 bytes one by one. Byte order does not matter: both halves
/// of the word are the same key bytes.
#[inline]
fn mask_words(buf: &mut [u8], key: [u8; 4]) {
    let k = u64::from(u32::from_ne_bytes(key));
    let wide = k | (k << 32);
    let mut words = buf.chunks_exact_mut(8);
    for word in &mut words {
        let v = u64::from_ne_bytes(<[u8; 8]>::try_from(&*word).unwrap_or_default()) ^ wide;
        word.copy_from_slice(&v.to_ne_bytes());
    }
    // 8 is a multiple of 4: the rest starts at key phase 0.
    for (b, k) in words.into_remainder().iter_mut().zip(key.iter().cycle()) {
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
    let mut wide = [0u8; BLOCK];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    let mut d_blocks = dst.chunks_exact_mut(BLOCK);
    let mut s_blocks = src.chunks_exact(BLOCK);
    for (d, s) in (&mut d_blocks).zip(&mut s_blocks) {
        for ((d, s), k) in d.iter_mut().zip(s.iter()).zip(wide.iter()) {
            *d = s ^ k;
        }
    }
    for ((d, s), k) in d_blocks
        .into_remainder()
        .iter_mut()
        .zip(s_blocks.remainder().iter())
        .zip(key.iter().cycle())
    {
        *d = s ^ k;
    }
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
        for len in 0..200 {
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
