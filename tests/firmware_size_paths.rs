//! The compact code paths that firmware targets take (`COMPACT` in src/lib.rs:
//! every target but x86, x86_64, aarch64 and wasm32), checked on the host
//! against the paths hosted targets take and against RFC 6455 itself:
//!
//! - masking a word at a time (`mask::apply_mask_compact`, §5.3);
//! - the header writer of the sends (`frame::write_header`, §5.2);
//! - receiving without the fast paths: the general path is what a compact
//!   target runs for every frame, and on the host it runs whenever a frame
//!   arrives in pieces, so whole and split inputs must give the same events,
//!   the same errors and the same state (§5, §5.5.1, §8.1);
//! - the byte-wise header decoder (a compact target's only one) against the
//!   whole-header fast path, for every first byte (§5.2, §5.5).

mod common;

use common::{Ev, cframe, feed, frame};
use wsframe::frame::{FrameHeader, HeaderDecoder, MAX_HEADER_LEN, OpCode, header_len};
use wsframe::mask::{apply_mask, apply_mask_compact};
use wsframe::{Config, Connection, State};

fn reference_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b ^= key[(offset + i) % 4];
    }
}

#[test]
fn s5_3_compact_masking_matches_the_definition_and_the_wide_path() {
    let key = [0x12, 0x34, 0x56, 0x78];
    for len in (0..80).chain([125, 255, 256, 257, 1000, 1027]) {
        for offset in 0..9 {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut compact = data.clone();
            let mut wide = data.clone();
            let mut expect = data.clone();
            apply_mask_compact(&mut compact, key, offset);
            apply_mask(&mut wide, key, offset);
            reference_mask(&mut expect, key, offset);
            assert_eq!(compact, expect, "len {len} offset {offset}");
            assert_eq!(wide, expect, "len {len} offset {offset}");
        }
    }
}

#[test]
fn s5_3_compact_masking_piece_by_piece_equals_one_pass() {
    let key = [0xde, 0xad, 0xbe, 0xef];
    let data: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    let mut whole = data.clone();
    apply_mask_compact(&mut whole, key, 0);
    for split in [0, 1, 2, 3, 5, 31, 150, 299, 300] {
        let mut buf = data.clone();
        let (a, b) = buf.split_at_mut(split);
        apply_mask_compact(a, key, 0);
        apply_mask_compact(b, key, split);
        assert_eq!(buf, whole, "split {split}");
    }
}

#[test]
fn s5_2_compact_header_writer_matches_encode() {
    let mut lens = vec![0usize, 1, 2, 125, 126, 127, 200, 0xFFFF, 0x1_0000, 0x12_3456];
    if usize::BITS > 32 {
        lens.extend([1usize << 32, (1usize << 40) + 0x0001_0203_0405]);
    }
    let firsts = [
        (true, 0, OpCode::Continuation),
        (false, 0b100, OpCode::Text),
        (true, 0b111, OpCode::Binary),
        (true, 0, OpCode::Close),
        (true, 0, OpCode::Pong),
    ];
    for len in lens {
        for mask in [None, Some([0xa1, 0xb2, 0xc3, 0xd4])] {
            for (fin, rsv, opcode) in firsts {
                let h = FrameHeader { fin, rsv, opcode, mask, payload_len: len as u64 };
                let mut expect = [0u8; MAX_HEADER_LEN];
                let n = h.encode(&mut expect).unwrap();
                assert_eq!(n, header_len(len as u64, mask.is_some()));
                let b0 = (u8::from(fin) << 7) | (rsv << 4) | opcode as u8;
                let mut got = [0x55u8; MAX_HEADER_LEN];
                wsframe::frame::write_header(&mut got[..n], b0, mask, len);
                assert_eq!(got[..n], expect[..n], "len {len} mask {mask:?}");
                assert!(got[n..].iter().all(|&b| b == 0x55), "wrote past the header");
                // And the decoder reads it back (where §5.5 allows the frame).
                if !opcode.is_control() || len <= 125 {
                    let (m, back) = HeaderDecoder::new().decode(&got[..n]).unwrap();
                    assert_eq!((m, back), (n, Some(h)));
                }
            }
        }
    }
}

#[test]
fn s5_2_byte_wise_header_decoder_agrees_with_the_whole_header_path() {
    // Every first byte, with second bytes covering each length form, both
    // mask bits and control lengths around 125; then an extended length
    // whose top bit is set or not. Whole (fast path on the host) against one
    // byte per call (the compact targets' only path).
    let seconds = [0x00, 0x05, 0x7d, 0x7e, 0x7f, 0x80, 0x85, 0xfd, 0xfe, 0xff];
    for b0 in 0..=255u8 {
        for b1 in seconds {
            for b2 in [0x00, 0x80] {
                let bytes = [b0, b1, b2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
                let whole = HeaderDecoder::new().decode(&bytes);
                let mut dec = HeaderDecoder::new();
                let mut bytewise = Ok((0, None));
                let mut used = 0;
                for b in bytes {
                    match dec.decode(&[b]) {
                        Err(e) => {
                            bytewise = Err(e);
                            break;
                        }
                        Ok((n, Some(h))) => {
                            bytewise = Ok((used + n, Some(h)));
                            break;
                        }
                        Ok((n, None)) => used += n,
                    }
                }
                assert_eq!(whole, bytewise, "{b0:#04x} {b1:#04x} {b2:#04x}");
            }
        }
    }
}

/// Frames a client sends, each to be received whole and in every kind of piece.
fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let big: Vec<u8> = (0..300u32).map(|i| (i * 31) as u8).collect();
    let euro = "€ and 𝄞 ünïcödé".as_bytes();
    let mut fragmented = cframe(false, 0x1, &euro[..2]);
    fragmented.extend(cframe(false, 0x0, &euro[2..7]));
    fragmented.extend(cframe(true, 0x9, b"between"));
    fragmented.extend(cframe(true, 0x0, &euro[7..]));
    let mut chat = cframe(true, 0x2, b"0123456789abcdef");
    chat.extend(cframe(true, 0x1, b"hello"));
    chat.extend(cframe(true, 0xA, b""));
    chat.extend(cframe(true, 0x2, &big));
    chat.extend(cframe(true, 0x8, b"\x03\xe8bye"));
    let mut empty_fragments = cframe(false, 0x2, b"");
    empty_fragments.extend(cframe(false, 0x0, b""));
    empty_fragments.extend(cframe(true, 0x0, b"x"));
    vec![
        ("binary 16 B", cframe(true, 0x2, b"0123456789abcdef")),
        ("text 5 B", cframe(true, 0x1, b"Hello")),
        ("binary 300 B (16-bit length)", cframe(true, 0x2, &big)),
        ("empty text", cframe(true, 0x1, b"")),
        ("fragmented text around a ping", fragmented),
        ("a conversation ending in Close", chat),
        ("empty fragments", empty_fragments),
        ("close, no body", cframe(true, 0x8, b"")),
        ("close with reason", cframe(true, 0x8, b"\x03\xe9g\xc3\xb4ne")),
        // Violations: each must fail the same way whatever the split.
        ("invalid UTF-8", cframe(true, 0x1, b"ok \xc0\xaf")),
        ("truncated UTF-8 at the end", cframe(true, 0x1, b"caf\xc3")),
        ("surrogate", cframe(true, 0x1, b"\xed\xa0\x80")),
        ("unmasked", frame(true, 0, 0x2, None, b"hi")),
        ("RSV1 without compression", frame(true, 0b100, 0x2, Some([1, 2, 3, 4]), b"hi")),
        ("reserved opcode", cframe(true, 0x3, b"hi")),
        ("fragmented ping", cframe(false, 0x9, b"")),
        ("ping of 126 B", cframe(true, 0x9, &[0; 126])),
        ("continuation first", cframe(true, 0x0, b"x")),
        ("text inside a message", [cframe(false, 0x1, b"a"), cframe(true, 0x1, b"b")].concat()),
        ("close of 1 B", cframe(true, 0x8, b"\x03")),
        ("close code 1005", cframe(true, 0x8, b"\x03\xed")),
        ("close reason not UTF-8", cframe(true, 0x8, b"\x03\xe8\xff")),
        ("frame over the limit", cframe(true, 0x2, &[7; 2000])),
    ]
}

#[test]
fn s5_general_receive_path_agrees_with_the_fast_paths_for_any_split() {
    let config = Config::default().with_max_frame_payload(1024);
    let splits: [&[usize]; 6] = [&[1], &[2], &[3], &[7], &[2, 5, 1], &[6, 100]];
    for (what, bytes) in corpus() {
        let mut whole_conn = Connection::server(config);
        let whole = feed(&mut whole_conn, &bytes, &[bytes.len()]);
        assert!(!whole.is_empty(), "{what}: no event");
        for sizes in splits {
            let mut conn = Connection::server(config);
            let got = feed(&mut conn, &bytes, sizes);
            assert_eq!(got, whole, "{what}, pieces of {sizes:?}");
            assert_eq!(conn.state(), whole_conn.state(), "{what}, pieces of {sizes:?}");
        }
        let failed = matches!(whole.last(), Some(Ev::Err(_)));
        assert_eq!(failed, whole_conn.state() == State::Failed, "{what}");
    }
}

#[test]
fn s5_compact_sends_are_the_frames_of_rfc_6455() {
    // What the sends write on any target, checked against the independent
    // frame builder; on the host this also covers `encode`, on firmware the
    // compact header writer and the copy-then-mask client path.
    let payload: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
    for len in [0usize, 5, 125, 126, 300] {
        let data = &payload[..len];
        let mut server = Connection::server(Config::default());
        let mut out = vec![0u8; len + MAX_HEADER_LEN];
        let n = server.send_binary(data, &mut out).unwrap();
        assert_eq!(out[..n], frame(true, 0, 0x2, None, data)[..], "server, {len} B");

        let key = [9, 8, 7, 6];
        let rng = move |buf: &mut [u8]| buf.copy_from_slice(&key);
        let mut client = Connection::client(Config::default(), rng);
        let n = client.send_binary(data, &mut out).unwrap();
        assert_eq!(out[..n], frame(true, 0, 0x2, Some(key), data)[..], "client, {len} B");
        let n = client.send_close(Some(wsframe::CloseCode::NORMAL), "bye", &mut out).unwrap();
        assert_eq!(out[..n], frame(true, 0, 0x8, Some(key), b"\x03\xe8bye")[..], "client close");
    }
}
