//! Real-world-like payloads for the integrity tests: the kinds of data a
//! WebSocket carries (prose, JSON, multilingual text, images, already
//! compressed bytes) at every size where a buffer inside a codec could turn
//! over. Deterministic, so a failure names a payload that can be rebuilt.
#![allow(dead_code, unreachable_pub)]

use sha2::{Digest, Sha256};

/// One message of the corpus.
#[derive(Debug, Clone)]
pub enum Payload {
    Text(String),
    Binary(Vec<u8>),
}

impl Payload {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Payload::Text(s) => s.as_bytes(),
            Payload::Binary(b) => b,
        }
    }

    pub fn is_text(&self) -> bool {
        matches!(self, Payload::Text(_))
    }

    pub fn kind(&self) -> wsframe::DataKind {
        if self.is_text() { wsframe::DataKind::Text } else { wsframe::DataKind::Binary }
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// xorshift64: deterministic bytes for "noise" and "random" payloads.
pub struct Prng(u64);

impl Prng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64().to_le_bytes()[3]).collect()
    }
}

/// Highly compressible text: English prose and JSON records, about `n` bytes.
pub fn compressible_text(n: usize) -> String {
    let mut s = String::with_capacity(n + 200);
    let prose = "The quick brown fox jumps over the lazy dog while the WebSocket \
                 carries its frames, one after another, to the other end. ";
    let mut i = 0u32;
    while s.len() < n {
        if i % 3 == 0 {
            s.push_str(prose);
        } else {
            s.push_str(&format!(
                "{{\"id\":{i},\"symbol\":\"EURUSD\",\"bid\":1.{:04},\"ask\":1.{:04},\"ok\":true}}\n",
                (i * 37) % 10_000,
                (i * 41) % 10_000
            ));
        }
        i += 1;
    }
    s
}

/// Code points where UTF-8 changes length, characters that decoders like to
/// drop or rewrite (U+FEFF, U+0000, noncharacters), and running text in
/// several scripts with 1- to 4-byte sequences.
pub fn multilingual_text() -> String {
    let boundaries = [
        '\u{0}',
        '\u{7F}',
        '\u{80}',
        '\u{7FF}',
        '\u{800}',
        '\u{D7FF}',
        '\u{E000}',
        '\u{FFFD}',
        '\u{FFFE}',
        '\u{FFFF}',
        '\u{10000}',
        '\u{10FFFF}',
    ];
    let mut s = String::from("\u{FEFF}");
    s.push_str("Grüße, Привет, Γειά σου, こんにちは世界, 你好, 안녕하세요, مرحبا, שלום, ");
    s.push_str("🦀🚀👩‍💻🏳️‍🌈 𝄞 𠜎𠜱𠝹 ");
    s.extend(boundaries);
    s.push_str(" middle\u{FEFF}middle ");
    s.extend(boundaries.iter().rev());
    s.push('\u{FEFF}');
    s
}

/// Text of exactly `n` bytes mixing 1- to 4-byte characters (ASCII padding
/// makes the length exact).
pub fn text_of_len(n: usize) -> String {
    let chars = ['a', 'é', '€', '🦀', '\u{FEFF}', 'z', 'Ж', '語'];
    let mut s = String::with_capacity(n);
    let mut i = 0;
    loop {
        let c = chars[i % chars.len()];
        if s.len() + c.len_utf8() > n {
            break;
        }
        s.push(c);
        i += 1;
    }
    while s.len() < n {
        s.push('.');
    }
    s
}

/// An uncompressed 8-bit greyscale BMP (BITMAPINFOHEADER, 256-entry grey
/// palette): a smooth gradient with sensor-like noise whose strength changes
/// across the picture, as a photograph's texture does. Uniform noise would
/// make every slice compress alike; the mix moves a compressor's block ends
/// around inside messages, which is what exposed the old compressor's bug.
pub fn bmp_image(width: usize, height: usize, seed: u64) -> Vec<u8> {
    let row = width.div_ceil(4) * 4;
    let pixels = row * height;
    let offset = 14 + 40 + 256 * 4;
    let mut v = Vec::with_capacity(offset + pixels);
    let u32le = |v: &mut Vec<u8>, x: usize| v.extend_from_slice(&(x as u32).to_le_bytes());
    v.extend_from_slice(b"BM");
    u32le(&mut v, offset + pixels);
    u32le(&mut v, 0);
    u32le(&mut v, offset);
    u32le(&mut v, 40);
    u32le(&mut v, width);
    u32le(&mut v, height);
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&8u16.to_le_bytes());
    for x in [0, pixels, 2835, 2835, 256, 256] {
        u32le(&mut v, x);
    }
    for g in 0..=255u8 {
        v.extend_from_slice(&[g, g, g, 0]);
    }
    let mut rng = Prng::new(seed);
    for y in 0..height {
        for x in 0..row {
            let base = (x * 160 / width.max(1) + y * 80 / height.max(1)) as i32;
            let ripple = ((x as f64 / 23.0).sin() * (y as f64 / 31.0).cos() * 24.0) as i32;
            let amp = 1 + ((x / 128 + y / 16) % 6) as u64 * 12;
            let noise = (rng.next_u64() % amp) as i32 - (amp / 2) as i32;
            v.push((base + ripple + noise).clamp(0, 255) as u8);
        }
    }
    v
}

/// `n` bytes of a long noisy greyscale image, for slicing into consecutive
/// messages.
pub fn image_stream(n: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(n);
    let mut seed = 1;
    while v.len() < n {
        v.extend_from_slice(&bmp_image(1024, 1024, seed));
        seed += 1;
    }
    v.truncate(n);
    v
}

/// Sizes at every buffer boundary up to 1 MiB: the frame-length encodings
/// (125/126/127, 65535/65536), powers of two ±1, and 31,745/31,746 (where a
/// 32 KiB-window compressor ends a block of incompressible data).
pub fn boundary_sizes() -> Vec<usize> {
    let mut v = vec![0, 1, 125, 126, 127, 31_745, 31_746, 65_535, 65_536, 65_537];
    for k in 7..=20 {
        v.extend([(1 << k) - 1, 1 << k, (1 << k) + 1]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// The whole corpus: named payloads, text and binary, about 12 MiB.
pub fn corpus() -> Vec<(String, Payload)> {
    let image = bmp_image(512, 512, 7);
    let random = Prng::new(11).bytes(1 << 20);
    let mut v = vec![
        ("compressible_text".into(), Payload::Text(compressible_text(200_000))),
        ("multilingual_text".into(), Payload::Text(multilingual_text())),
        ("bom_only".into(), Payload::Text("\u{FEFF}".into())),
        ("bom_abc".into(), Payload::Text("\u{FEFF}abc".into())),
        ("bmp_512x512".into(), Payload::Binary(image.clone())),
        ("random_1MiB".into(), Payload::Binary(random.clone())),
    ];
    for n in boundary_sizes() {
        v.push((format!("text_{n}"), Payload::Text(text_of_len(n))));
        let src = if n % 2 == 0 { &image } else { &random };
        let bytes = src.iter().copied().cycle().take(n).collect();
        v.push((format!("binary_{n}"), Payload::Binary(bytes)));
    }
    v
}

/// A smaller corpus for parameter sweeps (every kind of data, sizes to 64 KiB).
pub fn sweep_corpus() -> Vec<(String, Payload)> {
    corpus().into_iter().filter(|(_, p)| p.bytes().len() <= 70_000).collect()
}
