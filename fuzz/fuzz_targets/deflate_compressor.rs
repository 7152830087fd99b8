//! The compressor against an independent inflater: arbitrary parameters
//! (role, context takeover, window bits 8..15, level 0..9) and an arbitrary
//! sequence of messages, compressed by wsframe and inflated by the reference
//! C zlib (flate2 on libz-sys) over one context, held to the agreed window.
//! Every message must come back byte for byte: a compressor that drops or
//! alters output, or reaches past its window, fails here.
//!
//! Input: one byte of parameters, then messages, each a tag byte and its
//! bytes: `0` literal bytes (2-byte length), `1` noise from a seed (3-byte
//! length, up to 96 KiB, so block ends land anywhere in large messages),
//! `2` the previous message repeated (1-byte count).
#![no_main]

use flate2::{Decompress, FlushDecompress};
use libfuzzer_sys::fuzz_target;
use wsframe::Role;
use wsframe::extensions::deflate::{Compressor, DeflateConfig, DeflateParams};

const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// Past two 31 KiB blocks and 64 KiB, the sizes where block ends matter.
const MAX_MESSAGE: usize = 96 * 1024;
/// Bytes per input, so a run stays fast enough to explore.
const MAX_TOTAL: usize = 512 * 1024;

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

fn be(bytes: &[u8]) -> usize {
    bytes.iter().fold(0, |acc, &b| (acc << 8) | usize::from(b))
}

fn noise(len: usize, seed: u8) -> Vec<u8> {
    let mut s = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s.to_le_bytes()[2]
        })
        .collect()
}

/// The next message, or None when the input is used up.
fn next_message(input: &mut &[u8], previous: &[u8]) -> Option<Vec<u8>> {
    let tag = take(input, 1)?[0];
    Some(match tag % 3 {
        0 => {
            let len = be(take(input, 2)?);
            let bytes = take(input, len.min(input.len()))?;
            bytes.to_vec()
        }
        1 => {
            let header = take(input, 4)?;
            noise(be(&header[..3]) % MAX_MESSAGE, header[3])
        }
        _ => {
            let count = usize::from(take(input, 1)?[0]);
            let mut v = Vec::new();
            while v.len() + previous.len() <= MAX_MESSAGE && v.len() < count * previous.len().max(1) {
                v.extend_from_slice(previous);
                if previous.is_empty() {
                    break;
                }
            }
            v
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let Some(&[p]) = take(&mut input, 1) else { return };
    let role = if p & 1 == 0 { Role::Server } else { Role::Client };
    let no_takeover = p & 2 != 0;
    let bits = 8 + (p >> 2) % 8;
    let level = (p >> 5) % 10;
    let mut params = DeflateParams::default_params();
    match role {
        Role::Client => {
            params.client_no_context_takeover = no_takeover;
            params.client_max_window_bits = bits;
        }
        Role::Server => {
            params.server_no_context_takeover = no_takeover;
            params.server_max_window_bits = bits;
        }
    }
    let mut ours = Compressor::new(role, &params, &DeflateConfig::default().with_level(level));
    // Held to the agreed window (zlib's smallest raw window is 9 bits), and fed
    // 64 output bytes at a time under 15 bits so every distance must fall
    // inside it (deflate never reaches past 32 KiB, so 15 needs no such care).
    let mut zlib = Decompress::new_with_window_bits(false, bits.max(9));
    let step = if bits < 15 { 64 } else { 1 << 16 };
    let mut previous = Vec::new();
    let mut messages = 0;
    let mut total = 0;
    while let Some(message) = next_message(&mut input, &previous) {
        total += message.len();
        if total > MAX_TOTAL {
            break;
        }
        if no_takeover {
            zlib.reset(false);
        }
        let mut stream = ours.compress(&message).to_vec();
        stream.extend_from_slice(&TAIL);
        let mut out = Vec::with_capacity(message.len());
        let mut chunk = vec![0u8; step];
        let mut used = 0;
        loop {
            let (ti, to) = (zlib.total_in(), zlib.total_out());
            zlib.decompress(&stream[used..], &mut chunk, FlushDecompress::Sync)
                .unwrap_or_else(|e| panic!("message {messages}: zlib rejects our stream: {e}"));
            used += usize::try_from(zlib.total_in() - ti).unwrap();
            let wrote = usize::try_from(zlib.total_out() - to).unwrap();
            out.extend_from_slice(&chunk[..wrote]);
            if used == stream.len() && wrote < chunk.len() {
                break;
            }
            assert!(out.len() <= message.len(), "message {messages}: inflates past {} bytes", message.len());
        }
        assert!(out == message, "message {messages}: {} bytes in, {} out", message.len(), out.len());
        previous = message;
        messages += 1;
    }
});
