//! Deterministic inputs, built once and shared by every implementation.
//!
//! The wire bytes are produced here by a small independent encoder (not by
//! any of the implementations under test), so every decoder sees exactly the
//! same bytes.

/// xorshift64*: deterministic and cheap; used for payloads, keys and masks.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

pub const OP_CONT: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;

/// Appends one frame (RFC 6455 §5.2) to `out`, masked with `key` if given.
pub fn push_frame(out: &mut Vec<u8>, fin: bool, opcode: u8, key: Option<[u8; 4]>, payload: &[u8]) {
    out.push((u8::from(fin) << 7) | opcode);
    let mask_bit = if key.is_some() { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if len <= 0xFFFF {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match key {
        Some(k) => {
            out.extend_from_slice(&k);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
}

fn key(rng: &mut Rng) -> [u8; 4] {
    (rng.next_u64() as u32).to_le_bytes()
}

/// A client-to-server stream: `count` masked single-frame messages of `payload`.
pub fn small_frames(count: usize, opcode: u8, payload: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count * (payload.len() + 14));
    for _ in 0..count {
        push_frame(&mut out, true, opcode, Some(key(&mut rng)), payload);
    }
    out
}

/// One masked binary message of `payload`, split into `fragments` frames.
pub fn fragmented(payload: &[u8], fragments: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(payload.len() + fragments * 14);
    let per = payload.len().div_ceil(fragments);
    for (i, chunk) in payload.chunks(per).enumerate() {
        let opcode = if i == 0 { OP_BINARY } else { OP_CONT };
        let fin = (i + 1) * per >= payload.len();
        push_frame(&mut out, fin, opcode, Some(key(&mut rng)), chunk);
    }
    out
}

pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0u8; len];
    Rng::new(seed).fill(&mut v);
    v
}

/// `len` bytes (at most 64) of mixed text: ASCII with 2-, 3- and 4-byte
/// sequences, cut at a character boundary and padded with ASCII.
pub fn small_text(len: usize) -> Vec<u8> {
    let s = "Grüße, κόσμε! 你好世界 — emoji 🚀 ok; plain ASCII tail..";
    let mut v = s.as_bytes().to_vec();
    v.truncate(len);
    while std::str::from_utf8(&v).is_err() {
        v.pop();
    }
    while v.len() < len {
        v.push(b'.');
    }
    v
}

/// `len` bytes of printable ASCII.
pub fn ascii_text(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| b' ' + rng.below(95) as u8).collect()
}

/// `len` bytes of CJK ideographs (3-byte sequences, U+4E00..U+9FFF), padded
/// with ASCII to the exact length.
pub fn cjk_text(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(len);
    while s.len() + 3 <= len {
        let c = char::from_u32(0x4E00 + rng.below(0x9FFF - 0x4E00 + 1) as u32).unwrap_or('中');
        s.push(c);
    }
    while s.len() < len {
        s.push('.');
    }
    s.into_bytes()
}

/// `count` distinct, browser-like upgrade requests (RFC 6455 §4.1), each with
/// its own Sec-WebSocket-Key.
pub fn upgrade_requests(count: usize, seed: u64) -> Vec<Vec<u8>> {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            // 16 random bytes -> 22 base64 chars + "==".
            let mut raw = [0u8; 16];
            rng.fill(&mut raw);
            let mut key = String::with_capacity(24);
            let mut bits = 0u32;
            let mut nbits = 0;
            for b in raw {
                bits = (bits << 8) | u32::from(b);
                nbits += 8;
                while nbits >= 6 {
                    nbits -= 6;
                    key.push(B64[((bits >> nbits) & 63) as usize] as char);
                }
            }
            key.push(B64[((bits << (6 - nbits)) & 63) as usize] as char);
            key.push_str("==");
            format!(
                "GET /chat?room=42 HTTP/1.1\r\n\
                 Host: server.example.com:8080\r\n\
                 User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
                 Accept: */*\r\n\
                 Accept-Language: en-US,en;q=0.5\r\n\
                 Accept-Encoding: gzip, deflate, br\r\n\
                 Sec-WebSocket-Version: 13\r\n\
                 Origin: http://server.example.com\r\n\
                 Sec-WebSocket-Key: {key}\r\n\
                 Connection: keep-alive, Upgrade\r\n\
                 Pragma: no-cache\r\n\
                 Upgrade: websocket\r\n\
                 \r\n"
            )
            .into_bytes()
        })
        .collect()
}
