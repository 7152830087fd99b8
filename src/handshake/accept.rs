//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).
//!
//! Base64 here is only ever 16 or 20 bytes of the standard alphabet with
//! padding (RFC 4648 §4), so it is a few lines rather than a general engine:
//! on firmware that is most of a kilobyte less code.

use super::GUID;

/// The standard base64 alphabet (RFC 4648 §4).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of `src` with padding into `dst`, which holds 4 bytes per 3 (or
/// part of 3) of `src`.
fn encode(src: &[u8], dst: &mut [u8]) {
    for (s, d) in src.chunks(3).zip(dst.chunks_mut(4)) {
        let byte = |i: usize| u32::from(s.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for (j, out) in d.iter_mut().enumerate() {
            let sextet = (n >> (18 - 6 * j as u32)) & 63;
            *out = if j <= s.len() { ALPHABET[sextet as usize] } else { b'=' };
        }
    }
}

/// Whether `b` is in [`ALPHABET`]; without branches, so a loop of it vectorises.
fn is_base64(b: u8) -> bool {
    (b.wrapping_sub(b'A') < 26)
        | (b.wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'+')
        | (b == b'/')
}

/// SHA-1 (FIPS 180-4) of `key || GUID`.
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
fn sha1_key_guid(key: &[u8]) -> [u8; 20] {
    use sha1::digest::generic_array::GenericArray;
    use sha1::{Digest as _, Sha1};
    // Hosted targets: the sha1 crate (SHA-NI on x86 when the CPU has it).
    let guid = GUID.as_bytes();
    let len = key.len() + guid.len();
    if len > 128 - 9 {
        let mut sha1 = Sha1::new();
        sha1.update(key);
        sha1.update(guid);
        return sha1.finalize().into();
    }
    // A key of up to 83 bytes (a valid one has 24) with the GUID, the 0x80
    // and the 64-bit length fits in two blocks: written here in place and
    // compressed, with no streaming buffer to fill, copy and zero.
    let mut buf = [0u8; 128];
    let mut at = 0;
    for part in [key, guid, &[0x80]] {
        if let Some(slot) = buf.get_mut(at..at + part.len()) {
            slot.copy_from_slice(part);
        }
        at += part.len();
    }
    let end = if len + 9 <= 64 { 64 } else { 128 };
    if let Some(slot) = buf.get_mut(end - 8..end) {
        slot.copy_from_slice(&(len as u64 * 8).to_be_bytes());
    }
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    // One call for both blocks: SHA-NI sets up once.
    let block = |b: &[u8]| GenericArray::from(<[u8; 64]>::try_from(b).unwrap_or([0; 64]));
    let (lo, hi) = buf.split_at(64);
    let blocks = [block(lo), block(hi)];
    sha1::compress(&mut h, blocks.get(..end / 64).unwrap_or_default());
    let mut out = [0u8; 20];
    for (o, word) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// SHA-1 (FIPS 180-4) of `key || GUID`.
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
fn sha1_key_guid(key: &[u8]) -> [u8; 20] {
    sha1_compact(key, GUID.as_bytes())
}

/// SHA-1 of `a || b` with the rounds in a loop: about a fifth of the code of
/// the sha1 crate's unrolled rounds, for firmware and wasm, where one hash per
/// connection makes size matter more than speed.
#[cfg(any(test, not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))))]
fn sha1_compact(a: &[u8], b: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let bits = (a.len() as u64).wrapping_add(b.len() as u64).wrapping_mul(8);
    let mut block = [0u8; 64];
    let mut n = 0;
    for &byte in a.iter().chain(b).chain(&[0x80]) {
        if let Some(slot) = block.get_mut(n) {
            *slot = byte;
        }
        n += 1;
        if n == 64 {
            sha1_block(&mut h, &block);
            n = 0;
        }
    }
    // The 0x80 is in; zeros up to the 8-byte length (in a block of its own
    // when fewer than 8 bytes are left).
    block.get_mut(n..).unwrap_or_default().fill(0);
    if n > 56 {
        sha1_block(&mut h, &block);
        block = [0; 64];
    }
    if let Some((_, len)) = block.split_last_chunk_mut::<8>() {
        *len = bits.to_be_bytes();
    }
    sha1_block(&mut h, &block);
    let mut out = [0u8; 20];
    for (o, word) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The SHA-1 compression function on one 64-byte block (FIPS 180-4 §6.1.2),
/// with the message schedule in a 16-word ring.
#[cfg(any(test, not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))))]
fn sha1_block(h: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
        *wi = c.try_into().map(u32::from_be_bytes).unwrap_or(0);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for i in 0..80 {
        if i >= 16 {
            let x = w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15];
            w[i & 15] = x.rotate_left(1);
        }
        let (f, k) = match i / 20 {
            0 => ((b & c) | (!b & d), 0x5A82_7999),
            1 => (b ^ c ^ d, 0x6ED9_EBA1),
            2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k);
        (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t.wrapping_add(w[i & 15]));
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
        *x = x.wrapping_add(y);
    }
}

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: the base64
/// encoding of SHA-1(key || [`GUID`]) (RFC 6455 §4.2.2 step 5.4, §1.3).
///
/// `key` is the header value as sent, without surrounding whitespace.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::accept_key;
///
/// // The example of RFC 6455 §1.3.
/// assert_eq!(&accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[must_use]
pub fn accept_key(key: &[u8]) -> [u8; 28] {
    let mut out = [0u8; 28];
    encode(&sha1_key_guid(key), &mut out);
    out
}

/// Builds a `Sec-WebSocket-Key`: the base64 encoding of a 16-byte nonce
/// (RFC 6455 §4.1 item 7).
///
/// The nonce MUST be freshly and randomly chosen for each connection; the
/// caller supplies it from a cryptographically strong source (RFC 6455 §10.3).
///
/// # Examples
///
/// ```
/// use wsframe::handshake::generate_key;
///
/// // The nonce of RFC 6455 §4.1 item 7 ("the sample nonce").
/// assert_eq!(&generate_key(*b"the sample nonce"), b"dGhlIHNhbXBsZSBub25jZQ==");
/// ```
#[must_use]
pub fn generate_key(random: [u8; 16]) -> [u8; 24] {
    let mut out = [0u8; 24];
    encode(&random, &mut out);
    out
}

/// Whether `key` is the canonical base64 encoding of exactly 16 bytes
/// (RFC 6455 §4.2.1 item 5).
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    // 16 bytes are 21 full sextets, then one whose low 4 bits are zero
    // padding (canonical: A, Q, g or w), then "==".
    match key {
        [head @ .., last, b'=', b'='] if head.len() == 21 => {
            let alphabet = head.iter().fold(true, |ok, &b| ok & is_base64(b));
            alphabet && matches!(last, b'A' | b'Q' | b'g' | b'w')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_validation() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(is_valid_key(&generate_key([0xff; 16])));
        // 17 and 18 decoded bytes, wrong padding, bad alphabet, non-canonical trailing bits.
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQE="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQEB"));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ-="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZR=="));
        assert!(!is_valid_key(b""));
    }

    /// The key check agrees with a general base64 decoder (the `base64`
    /// crate, canonical padding and trailing bits) on every one-byte change
    /// of valid keys.
    #[test]
    fn key_validation_matches_a_decoder() {
        use base64::Engine as _;
        let decoder = |k: &[u8]| {
            let mut out = [0u8; 18];
            k.len() == 24
                && base64::engine::general_purpose::STANDARD.decode_slice(k, &mut out) == Ok(16)
        };
        for seed in [[0u8; 16], [0xff; 16], *b"the sample nonce", [0x5a; 16]] {
            let key = generate_key(seed);
            for i in 0..key.len() {
                for b in 0..=255u8 {
                    let mut k = key;
                    k[i] = b;
                    assert_eq!(is_valid_key(&k), decoder(&k), "{:?}", std::str::from_utf8(&k));
                }
            }
        }
    }

    #[test]
    fn encode_matches_base64() {
        use base64::Engine as _;
        let data: std::vec::Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        for len in 0..data.len() {
            let mut out = [0u8; 88];
            let n = len.div_ceil(3) * 4;
            encode(&data[..len], &mut out[..n]);
            let mut expected = [0u8; 88];
            let m = base64::engine::general_purpose::STANDARD
                .encode_slice(&data[..len], &mut expected)
                .unwrap();
            assert_eq!(&out[..n], &expected[..m], "{len}");
        }
    }

    #[test]
    fn compact_sha1_matches_the_sha1_crate() {
        use sha1::{Digest as _, Sha1};
        // FIPS 180-4 example "abc".
        let abc = sha1_compact(b"ab", b"c");
        assert_eq!(abc[..4], [0xa9, 0x99, 0x3e, 0x36]);
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 7 + i / 5) as u8).collect();
        // Every length around the one- and two-block padding boundaries and beyond.
        for len in 0..data.len() {
            let split = len / 3;
            let expected: [u8; 20] = Sha1::digest(&data[..len]).into();
            assert_eq!(sha1_compact(&data[..split], &data[split..len]), expected, "{len}");
        }
        let key = b"dGhlIHNhbXBsZSBub25jZQ==";
        assert_eq!(sha1_compact(key, GUID.as_bytes()), sha1_key_guid(key));
        // This target's own path (two blocks in place, or streaming beyond
        // 83 bytes of key) at every key length around both boundaries.
        for len in 0..200 {
            let key = &data[..len];
            let mut hasher = Sha1::new();
            hasher.update(key);
            hasher.update(GUID.as_bytes());
            let expected: [u8; 20] = hasher.finalize().into();
            assert_eq!(sha1_key_guid(key), expected, "{len}");
        }
    }
}
