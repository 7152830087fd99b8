//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest as _, Sha1};

use super::GUID;

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
    let mut sha1 = Sha1::new();
    sha1.update(key);
    sha1.update(GUID.as_bytes());
    let digest: [u8; 20] = sha1.finalize().into();
    let mut out = [0u8; 28];
    // 20 bytes always encode to exactly 28 base64 characters, so this cannot fail.
    let _ = STANDARD.encode_slice(digest, &mut out);
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
    // 16 bytes always encode to exactly 24 base64 characters, so this cannot fail.
    let _ = STANDARD.encode_slice(random, &mut out);
    out
}

/// Whether `key` is the canonical base64 encoding of exactly 16 bytes
/// (RFC 6455 §4.2.1 item 5).
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    let mut decoded = [0u8; 18];
    key.len() == 24 && STANDARD.decode_slice(key, &mut decoded) == Ok(16)
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
}
