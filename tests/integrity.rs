//! Integrity: the bytes a peer receives are the bytes the application sent,
//! for real-world-like payloads at every buffer boundary, with
//! permessage-deflate off and on, checked by SHA-256 against an independent
//! implementation: the reference C zlib (flate2 on libz-sys), never only
//! wsframe's own decoder.
#![cfg(feature = "alloc")]

mod common;

use common::corpus::{self, Payload, sha256};
use common::{Ev, feed};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams};
use wsframe::frame::max_frame_len;
use wsframe::{Config, Connection, DataKind, Role};

const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
const MIB: usize = 1 << 20;

fn hex(h: [u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asserts equal SHA-256, naming the payload and both lengths on failure.
fn assert_same(name: &str, sent: &[u8], got: &[u8]) {
    let (a, b) = (sha256(sent), sha256(got));
    assert!(
        a == b,
        "{name}: sent {} bytes sha256 {}, got {} bytes sha256 {}",
        sent.len(),
        hex(a),
        got.len(),
        hex(b)
    );
}

/// The reference zlib inflating one peer's messages with the window the
/// peer agreed to, keeping it across messages unless the peer resets its
/// context. Output is taken 64 bytes at a time, so every back-reference has
/// to be found in zlib's window of `bits`: a compressor that reaches further
/// back than it promised (RFC 7692 §7.1.2) fails with "invalid distance too
/// far back" instead of passing by luck.
struct ZlibInflater {
    z: Decompress,
    reset: bool,
}

impl ZlibInflater {
    fn new(reset: bool) -> Self {
        Self::with_window(reset, 15)
    }

    /// zlib takes no raw window under 9 bits: a window of 8 is held to 9.
    fn with_window(reset: bool, bits: u8) -> Self {
        Self { z: Decompress::new_with_window_bits(false, bits.max(9)), reset }
    }

    fn inflate(&mut self, message: &[u8], expect: usize) -> Vec<u8> {
        if self.reset {
            self.z.reset(false);
        }
        let mut input = message.to_vec();
        input.extend_from_slice(&TAIL);
        let mut out = Vec::with_capacity(expect + 64);
        let mut chunk = [0u8; 64];
        let mut pos = 0;
        loop {
            let (ti, to) = (self.z.total_in(), self.z.total_out());
            self.z
                .decompress(&input[pos..], &mut chunk, FlushDecompress::Sync)
                .unwrap_or_else(|e| panic!("zlib rejected the stream: {e}"));
            pos += (self.z.total_in() - ti) as usize;
            let wrote = (self.z.total_out() - to) as usize;
            out.extend_from_slice(&chunk[..wrote]);
            if pos == input.len() && wrote < chunk.len() {
                return out;
            }
            assert!(wrote > 0 || pos < input.len(), "zlib made no progress");
            assert!(out.len() <= expect, "inflates past the {expect} bytes sent");
        }
    }
}

/// The reference zlib compressing like an RFC 7692 peer: raw deflate, sync
/// (or full) flush, tail removed.
struct ZlibDeflater {
    z: Compress,
    reset: bool,
}

impl ZlibDeflater {
    fn new(level: u32, window_bits: u8, reset: bool) -> Self {
        Self {
            z: Compress::new_with_window_bits(Compression::new(level), false, window_bits),
            reset,
        }
    }

    /// As Python's zlib does for websockets: the input with no flush, then
    /// the flush alone (zlib skips a flush that repeats the previous one).
    fn deflate(&mut self, message: &[u8]) -> Vec<u8> {
        let flush = if self.reset { FlushCompress::Full } else { FlushCompress::Sync };
        let mut out = Vec::with_capacity(message.len() + 64);
        let start = self.z.total_in();
        // At least one call even for an empty message, as Python's zlib makes.
        loop {
            let consumed = (self.z.total_in() - start) as usize;
            if out.len() == out.capacity() {
                out.reserve(4096);
            }
            self.z
                .compress_vec(&message[consumed..], &mut out, FlushCompress::None)
                .expect("deflate");
            if (self.z.total_in() - start) as usize == message.len() {
                break;
            }
        }
        loop {
            out.reserve(64);
            self.z.compress_vec(&[], &mut out, flush).expect("deflate flush");
            // Done when zlib left output space unused.
            if out.len() < out.capacity() {
                break;
            }
        }
        assert!(out.ends_with(&TAIL), "zlib's flush ends with 00 00 ff ff");
        out.truncate(out.len() - TAIL.len());
        out
    }
}

fn params(role: Role, no_takeover: bool, bits: u8) -> DeflateParams {
    let mut p = DeflateParams::default_params();
    match role {
        Role::Client => {
            p.client_no_context_takeover = no_takeover;
            p.client_max_window_bits = bits;
        }
        Role::Server => {
            p.server_no_context_takeover = no_takeover;
            p.server_max_window_bits = bits;
        }
    }
    p
}

/// RFC 7692 §7.2.1 and §7.1.2, every parameter a compressor obeys: its
/// role's context takeover and window, and every level. Each message of the
/// corpus, in order over one context, inflates with zlib held to the agreed
/// window to the same SHA-256.
#[test]
fn rfc7692_s7_2_1_wsframe_compressor_output_inflates_with_zlib_every_parameter() {
    let sweep: Vec<_> = corpus::sweep_corpus()
        .into_iter()
        .filter(|(_, p)| p.bytes().len() <= 4097 || (31_745..=31_746).contains(&p.bytes().len()))
        .collect();
    let mut cases = 0;
    for role in [Role::Client, Role::Server] {
        for no_takeover in [false, true] {
            for bits in 8..=15 {
                for level in 0..=9 {
                    let p = params(role, no_takeover, bits);
                    let config = DeflateConfig::default().with_level(level);
                    let mut ours = Compressor::new(role, &p, &config);
                    let mut zlib = ZlibInflater::with_window(no_takeover, bits);
                    for (name, payload) in &sweep {
                        let sent = payload.bytes();
                        let z = ours.compress(sent).to_vec();
                        let got = zlib.inflate(&z, sent.len());
                        let label = format!(
                            "{name} ({role:?}, no_takeover {no_takeover}, bits {bits}, level {level})"
                        );
                        assert_same(&label, sent, &got);
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 320 * sweep.len());
}

/// The whole corpus, up to 1 MiB per message, in both roles with the default
/// parameters and without context takeover.
#[test]
fn rfc7692_s7_2_1_whole_corpus_inflates_with_zlib() {
    let all = corpus::corpus();
    for role in [Role::Client, Role::Server] {
        for no_takeover in [false, true] {
            let p = params(role, no_takeover, 15);
            let mut ours = Compressor::new(role, &p, &DeflateConfig::default());
            let mut zlib = ZlibInflater::new(no_takeover);
            for (name, payload) in &all {
                let sent = payload.bytes();
                let got = zlib.inflate(ours.compress(sent), sent.len());
                assert_same(&format!("{name} ({role:?}, no_takeover {no_takeover})"), sent, &got);
            }
        }
    }
}

/// The reproduction from the field: 1,000 consecutive 64 KiB slices of an
/// uncompressed greyscale image, one context (client role, default
/// parameters). The old compressor lost the end of a message here and the
/// stream was corrupt from then on.
#[test]
fn rfc7692_s7_2_1_thousand_consecutive_64k_image_messages_with_context_takeover() {
    let image = corpus::image_stream(1000 * 65_536);
    for role in [Role::Client, Role::Server] {
        let p = DeflateParams::default_params();
        let mut ours = Compressor::new(role, &p, &DeflateConfig::default());
        let mut zlib = ZlibInflater::new(false);
        for (i, sent) in image.chunks(65_536).enumerate() {
            let got = zlib.inflate(ours.compress(sent), sent.len());
            assert_same(&format!("message {i} ({role:?})"), sent, &got);
        }
    }
}

/// RFC 7692 §7.2.2, the other way: messages deflated by zlib (levels 1, 6
/// and 9, windows 9..15, with and without context takeover) inflate in
/// wsframe's Decompressor to the same SHA-256. zlib cannot make raw deflate
/// with an 8-bit window, so 8 is not in the sweep.
#[test]
fn rfc7692_s7_2_2_zlib_output_inflates_in_wsframe_every_parameter() {
    let sweep = corpus::sweep_corpus();
    for no_takeover in [false, true] {
        for bits in 9..=15 {
            for level in [1, 6, 9] {
                let p = params(Role::Client, no_takeover, bits);
                let mut zlib = ZlibDeflater::new(level, bits, no_takeover);
                let mut ours = Decompressor::new(Role::Server, &p, 16 * MIB);
                for (name, payload) in &sweep {
                    let sent = payload.bytes();
                    let z = zlib.deflate(sent);
                    // In two pieces, as fragments would bring it.
                    let (a, b) = z.split_at(z.len() / 2);
                    assert_eq!(ours.decompress(payload.kind(), a, false).unwrap(), None);
                    let (k, got) = ours.decompress(payload.kind(), b, true).unwrap().unwrap();
                    assert_eq!(k, payload.kind());
                    let label =
                        format!("{name} (no_takeover {no_takeover}, bits {bits}, level {level})");
                    assert_same(&label, sent, got);
                }
            }
        }
    }
}

/// Sends `payload` from `tx` (whole, or in `fragment`-byte frames) and returns
/// the wire bytes, compressing first when `compressor` is given.
fn send(
    tx: &mut Connection<impl FnMut(&mut [u8])>,
    compressor: Option<&mut Compressor>,
    payload: &Payload,
    fragment: usize,
) -> Vec<u8> {
    let k = payload.kind();
    let data = match compressor {
        Some(c) => c.compress(payload.bytes()).to_vec(),
        None => payload.bytes().to_vec(),
    };
    let compressed = tx.config().compression;
    let mut wire = Vec::new();
    let pieces: Vec<&[u8]> =
        if data.is_empty() { vec![&data[..]] } else { data.chunks(fragment).collect() };
    for (i, piece) in pieces.iter().enumerate() {
        let fin = i + 1 == pieces.len();
        let mut out = vec![0u8; max_frame_len(piece.len())];
        let n = if compressed {
            tx.send_compressed_frame(k, piece, fin, &mut out).unwrap()
        } else {
            tx.send_frame(k, piece, fin, &mut out).unwrap()
        };
        wire.extend_from_slice(&out[..n]);
    }
    wire
}

/// RFC 6455 §5.6 and RFC 7692 §6 end to end, client to server and server to
/// client: frames (whole and fragmented, delivered in uneven reads), unmasked
/// and reassembled, inflated when compressed; every message of the corpus
/// arrives with the type and SHA-256 it was sent with.
#[test]
fn rfc6455_s5_6_every_corpus_message_arrives_unchanged_deflate_off_and_on() {
    let all = corpus::corpus();
    for deflate in [false, true] {
        for (role, peer) in [(Role::Client, Role::Server), (Role::Server, Role::Client)] {
            let config = Config::default().with_compression(deflate);
            let mut tx = Connection::new(role, config, common::test_rng(3));
            let mut rx = Connection::new(peer, config, common::test_rng(4));
            let p = DeflateParams::default_params();
            let mut compressor = Compressor::new(role, &p, &DeflateConfig::default());
            let mut decompressor = Decompressor::new(peer, &p, 16 * MIB);
            for (i, (name, payload)) in all.iter().enumerate() {
                let fragment = [usize::MAX, 1000, 65_536][i % 3];
                let wire = send(&mut tx, deflate.then_some(&mut compressor), payload, fragment);
                let reads = [1 + i % 7, 4096, 65_537];
                let events = feed(&mut rx, &wire, &reads);
                assert_eq!(events.len(), 1, "{name}: {} events", events.len());
                let (is_text, got) = match events.into_iter().next().unwrap() {
                    Ev::Text(d) => (true, d),
                    Ev::Binary(d) => (false, d),
                    Ev::Compressed(t, z) => {
                        let k = if t { DataKind::Text } else { DataKind::Binary };
                        (t, decompressor.decompress(k, &z, true).unwrap().unwrap().1.to_vec())
                    }
                    other => panic!("{name}: unexpected {other:?}"),
                };
                assert_eq!(is_text, payload.is_text(), "{name}: type changed");
                let label = format!("{name} (deflate {deflate}, {role:?} -> {peer:?})");
                assert_same(&label, payload.bytes(), &got);
            }
        }
    }
}

/// RFC 6455 §8.1: U+FEFF is an ordinary character in a text message. At the
/// start, in the middle and at the end, and alone, it arrives as sent, with
/// the other characters decoders like to rewrite.
#[test]
fn rfc6455_s8_1_byte_order_mark_and_noncharacters_are_data() {
    let texts = [
        "\u{FEFF}",
        "\u{FEFF}abc",
        "a\u{FEFF}b",
        "abc\u{FEFF}",
        "\u{FEFF}\u{FEFF}",
        "\u{0}",
        "\u{FFFE}\u{FFFF}\u{10FFFF}",
        &corpus::multilingual_text(),
    ];
    for deflate in [false, true] {
        let config = Config::default().with_compression(deflate);
        let mut tx = Connection::new(Role::Client, config, common::test_rng(8));
        let mut rx = Connection::server(config);
        let p = DeflateParams::default_params();
        let mut compressor = Compressor::new(Role::Client, &p, &DeflateConfig::default());
        let mut decompressor = Decompressor::new(Role::Server, &p, MIB);
        for t in texts {
            let payload = Payload::Text(t.to_string());
            let wire = send(&mut tx, deflate.then_some(&mut compressor), &payload, 2);
            let got = match feed(&mut rx, &wire, &[1]).pop() {
                Some(Ev::Text(d)) => d,
                Some(Ev::Compressed(true, z)) => {
                    decompressor.decompress(DataKind::Text, &z, true).unwrap().unwrap().1.to_vec()
                }
                other => panic!("{t:?}: unexpected {other:?}"),
            };
            assert_eq!(String::from_utf8(got).unwrap(), t, "deflate {deflate}");
        }
    }
}
