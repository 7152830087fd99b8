//! The compressor against an independent inflater: arbitrary parameters
//! (role, context takeover, window bits 8..15, level 0..9) and an arbitrary
//! sequence of messages, compressed by wsframe and inflated by the reference
//! C zlib (flate2 on libz-sys) over one context. Every message must come back
//! byte for byte: a compressor that drops or alters output fails here.
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
    let mut zlib = Decompress::new_with_window_bits(false, 15);
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
        let mut out = Vec::with_capacity(message.len() + 1);
        let before = zlib.total_in();
        loop {
            let used = usize::try_from(zlib.total_in() - before).unwrap();
            zlib.decompress_vec(&stream[used..], &mut out, FlushDecompress::Sync)
                .unwrap_or_else(|e| panic!("message {messages}: zlib rejects our stream: {e}"));
            let used = usize::try_from(zlib.total_in() - before).unwrap();
            if used == stream.len() && out.len() < out.capacity() {
                break;
            }
            assert!(out.len() <= message.len(), "message {messages}: inflates past {} bytes", message.len());
            out.reserve(4096);
        }
        assert!(out == message, "message {messages}: {} bytes in, {} out", message.len(), out.len());
        previous = message;
        messages += 1;
    }
});
