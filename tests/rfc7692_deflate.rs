//! RFC 7692 (permessage-deflate): negotiation (§5, §7.1), the frame rules
//! (§6), the codec and the §7.2.3 examples, and the size limit on inflation.
#![cfg(feature = "alloc")]

mod common;

use common::{Ev, feed_all, frame};
use wsframe::extensions::ExtensionError;
use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams};
use wsframe::{Config, Connection, DataKind, Error, Event, ProtocolError, Role};

fn client_conn() -> Connection<impl FnMut(&mut [u8])> {
    Connection::new(Role::Client, Config::default().with_compression(true), common::test_rng(5))
}

fn decompressor(role: Role, params: &DeflateParams, max: usize) -> Decompressor {
    Decompressor::new(role, params, max)
}

fn compressor(role: Role, params: &DeflateParams) -> Compressor {
    Compressor::new(role, params, &DeflateConfig::default())
}

/// Receives server frames on a client connection and inflates compressed messages.
fn receive_messages(bytes: &[u8], d: &mut Decompressor) -> Vec<Vec<u8>> {
    let mut c = client_conn();
    let mut out = Vec::new();
    let mut buf = bytes.to_vec();
    let mut off = 0;
    while off < buf.len() {
        let r = c.receive(&mut buf[off..]).unwrap();
        off += r.consumed;
        match r.event {
            Some(Event::Compressed { kind, data, last }) => {
                if let Some((_, msg)) = d.decompress(kind, data, last).unwrap() {
                    out.push(msg.to_vec());
                }
            }
            Some(Event::Text { data, last: true }) => out.push(data.to_vec()),
            Some(other) => panic!("unexpected {other:?}"),
            None => break,
        }
    }
    out
}

#[test]
fn rfc7692_s7_2_3_1_hello_single_frame_and_fragmented() {
    let p = DeflateParams::default_params();
    let mut d = decompressor(Role::Client, &p, 1024);
    let single = [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    assert_eq!(receive_messages(&single, &mut d), vec![b"Hello".to_vec()]);
    let mut d = decompressor(Role::Client, &p, 1024);
    let fragmented = [0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00];
    assert_eq!(receive_messages(&fragmented, &mut d), vec![b"Hello".to_vec()]);
    // And we produce exactly those bytes.
    let mut s = Connection::server(Config::default().with_compression(true));
    let mut enc = compressor(Role::Server, &p);
    let mut out = [0u8; 32];
    let payload = enc.compress(b"Hello").to_vec();
    let n = s.send_compressed_frame(DataKind::Text, &payload, true, &mut out).unwrap();
    assert_eq!(&out[..n], &single);
    let a = s.send_compressed_frame(DataKind::Text, &payload[..3], false, &mut out).unwrap();
    let b = s.send_compressed_frame(DataKind::Text, &payload[3..], true, &mut out[a..]).unwrap();
    assert_eq!(&out[..a + b], &fragmented, "RSV1 only on the first fragment (§6.1)");
}

#[test]
fn rfc7692_s7_2_3_2_sharing_the_window_across_messages() {
    let p = DeflateParams::default_params();
    let mut d = decompressor(Role::Client, &p, 1024);
    let mut bytes = vec![0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    bytes.extend([0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]);
    assert_eq!(receive_messages(&bytes, &mut d), vec![b"Hello".to_vec(), b"Hello".to_vec()]);
    let mut enc = compressor(Role::Server, &p);
    enc.compress(b"Hello");
    assert_eq!(enc.compress(b"Hello"), &[0xf2, 0x00, 0x11, 0x00, 0x00]);
}

#[test]
fn rfc7692_s7_2_3_2_no_context_takeover_compresses_each_message_alone() {
    let params = DeflateConfig::default()
        .with_server_no_context_takeover(true)
        .negotiate([&b"permessage-deflate"[..]])
        .unwrap();
    let mut enc = compressor(Role::Server, &params);
    let first = enc.compress(b"Hello").to_vec();
    assert_eq!(enc.compress(b"Hello"), &first[..], "the repeat does not refer back");
}

#[test]
fn rfc7692_s7_2_3_3_stored_block() {
    let mut d = decompressor(Role::Client, &DeflateParams::default_params(), 1024);
    let bytes = [0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00];
    assert_eq!(receive_messages(&bytes, &mut d), vec![b"Hello".to_vec()]);
}

#[test]
fn rfc7692_s7_2_3_4_block_with_bfinal_set() {
    let mut d = decompressor(Role::Client, &DeflateParams::default_params(), 1024);
    let mut bytes = vec![0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
    // A following message still inflates.
    bytes.extend([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    assert_eq!(receive_messages(&bytes, &mut d), vec![b"Hello".to_vec(), b"Hello".to_vec()]);
}

#[test]
fn rfc7692_s7_2_3_5_two_deflate_blocks_in_one_message() {
    let mut d = decompressor(Role::Client, &DeflateParams::default_params(), 1024);
    let bytes =
        [0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00];
    assert_eq!(receive_messages(&bytes, &mut d), vec![b"Hello".to_vec()]);
}

#[test]
fn rfc7692_s7_2_3_6_empty_payload() {
    let mut d = decompressor(Role::Client, &DeflateParams::default_params(), 1024);
    assert_eq!(receive_messages(&[0xc1, 0x01, 0x00], &mut d), vec![Vec::<u8>::new()]);
    let mut enc = compressor(Role::Server, &DeflateParams::default_params());
    assert_eq!(enc.compress(b""), &[0x00]);
}

/// A compressed message with no payload bytes at all is not deflate data:
/// the bare 00 00 ff ff would leave the inflater inside a stored block and
/// the next message would be misread. It fails at once, with 1002.
#[test]
fn rfc7692_s7_2_3_6_a_compressed_message_with_no_bytes_fails_with_1002() {
    let p = DeflateParams::default_params();
    for fragments in [vec![(true, &[][..])], vec![(false, &[][..]), (true, &[][..])]] {
        let mut d = decompressor(Role::Client, &p, 1024);
        d.decompress(DataKind::Text, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], true).unwrap();
        let mut result = Ok(None);
        for (last, data) in fragments.iter().copied() {
            result = d.decompress(DataKind::Binary, data, last).map(|m| m.map(|_| ()));
        }
        assert_eq!(result, Err(Error::Protocol(ProtocolError::InvalidCompressedData)));
        assert_eq!(ProtocolError::InvalidCompressedData.close_code().0, 1002);
    }
}

#[test]
fn rfc7692_s6_1_rsv1_on_continuation_or_control_frames_fails() {
    let mask = Some([1, 2, 3, 4]);
    let mut s = Connection::server(Config::default().with_compression(true));
    let mut bytes = frame(false, 4, 1, mask, b"\xf2");
    bytes.extend(frame(true, 4, 0, mask, b"\x00"));
    let ev = feed_all(&mut s, &bytes);
    assert_eq!(ev.last(), Some(&Ev::Err(Error::Protocol(ProtocolError::InvalidCompressedFrame))));
    for op in [8u8, 9, 10] {
        let mut s = Connection::server(Config::default().with_compression(true));
        let ev = feed_all(&mut s, &frame(true, 4, op, mask, b""));
        assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::InvalidCompressedFrame))]);
    }
}

#[test]
fn rfc7692_s6_rsv1_without_negotiation_and_rsv2_rsv3_fail_with_1002() {
    let mask = Some([1, 2, 3, 4]);
    let mut s = Connection::server(Config::default());
    let ev = feed_all(&mut s, &frame(true, 4, 1, mask, b"\x00"));
    assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::ReservedBits))]);
    for rsv in [2u8, 1, 6] {
        let mut s = Connection::server(Config::default().with_compression(true));
        let ev = feed_all(&mut s, &frame(true, rsv, 1, mask, b"\x00"));
        assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::ReservedBits))], "rsv {rsv}");
    }
}

#[test]
fn rfc7692_s6_uncompressed_messages_still_flow_when_negotiated() {
    let mut s = Connection::server(Config::default().with_compression(true));
    let ev = feed_all(&mut s, &frame(true, 0, 1, Some([9, 9, 9, 9]), b"plain"));
    assert_eq!(ev, vec![Ev::Text(b"plain".to_vec())]);
    let mut out = [0u8; 16];
    let mut plain = Connection::server(Config::default());
    assert_eq!(
        plain.send_compressed_frame(DataKind::Text, b"x", true, &mut out),
        Err(Error::CompressionNotNegotiated)
    );
}

#[test]
fn rfc7692_s7_2_2_roundtrip_every_window_and_takeover_mode() {
    let text: Vec<u8> =
        (0..20_000).map(|i| b"the quick brown fox jumps over the lazy dog "[i % 44]).collect();
    for bits in 8..=15u8 {
        for no_takeover in [false, true] {
            let config = DeflateConfig::default()
                .with_max_window_bits(bits, bits)
                .with_server_no_context_takeover(no_takeover);
            let offer = format!(
                "permessage-deflate; server_max_window_bits={bits}; client_max_window_bits"
            );
            let params = config.negotiate([offer.as_bytes()]).unwrap();
            assert_eq!(params.server_max_window_bits, bits);
            let mut enc = Compressor::new(Role::Server, &params, &config);
            let mut dec = Decompressor::new(Role::Client, &params, 1 << 20);
            for round in 0..3 {
                let msg = &text[round * 100..];
                let z = enc.compress(msg).to_vec();
                // A 32 KiB window finds the repeats; smaller windows get run-length
                // matches and Huffman coding only (see the codec's docs).
                let bound = if bits == 15 { msg.len() / 4 } else { msg.len() * 3 / 4 };
                assert!(z.len() < bound, "bits {bits}: {} -> {}", msg.len(), z.len());
                // Deliver in uneven pieces.
                let (a, b) = z.split_at(z.len() / 3);
                assert_eq!(dec.decompress(DataKind::Binary, a, false).unwrap(), None);
                let (_, out) = dec.decompress(DataKind::Binary, b, true).unwrap().unwrap();
                assert_eq!(out, msg, "bits {bits} no_takeover {no_takeover} round {round}");
            }
        }
    }
}

#[test]
fn rfc7692_s8_decompression_bomb_fails_with_1009_after_bounded_work() {
    // 64 MiB of zeros deflates to about 64 KiB.
    let mut enc = compressor(Role::Client, &DeflateParams::default_params());
    let bomb = enc.compress(&vec![0u8; 64 << 20]).to_vec();
    assert!(bomb.len() < 128 << 10, "bomb is {} bytes", bomb.len());
    let mut dec = decompressor(Role::Server, &DeflateParams::default_params(), 1 << 20);
    let t = std::time::Instant::now();
    let mut result = Ok(None);
    for chunk in bomb.chunks(4096) {
        result = dec.decompress(DataKind::Binary, chunk, false);
        if result.is_err() {
            break;
        }
    }
    let err = result.unwrap_err();
    assert_eq!(err, Error::Protocol(ProtocolError::MessageTooLarge));
    assert_eq!(err.close_code().unwrap().0, 1009);
    assert!(t.elapsed().as_secs() < 5, "inflation stopped near the limit");
}

#[test]
fn rfc7692_invalid_utf8_after_inflation_fails_with_1007() {
    let mut enc = compressor(Role::Client, &DeflateParams::default_params());
    let z = enc.compress(b"ok \xff\xfe").to_vec();
    let mut dec = decompressor(Role::Server, &DeflateParams::default_params(), 1024);
    let err = dec.decompress(DataKind::Text, &z, true).unwrap_err();
    assert_eq!(err.close_code().unwrap().0, 1007);
    // Binary is not checked.
    let mut dec = decompressor(Role::Server, &DeflateParams::default_params(), 1024);
    assert!(dec.decompress(DataKind::Binary, &z, true).is_ok());
}

#[test]
fn rfc7692_corrupt_data_fails_with_1002() {
    let mut dec = decompressor(Role::Server, &DeflateParams::default_params(), 1024);
    // BTYPE 11 is reserved (RFC 1951 §3.2.3).
    let err = dec.decompress(DataKind::Binary, &[0xff, 0xff, 0xff], true).unwrap_err();
    assert_eq!(err, Error::Protocol(ProtocolError::InvalidCompressedData));
}

// Negotiation (§5, §7.1) -----------------------------------------------------

#[test]
fn rfc7692_s5_1_first_acceptable_offer_wins_unacceptable_ones_are_skipped() {
    let config = DeflateConfig::default();
    let cases: [(&[u8], bool); 9] = [
        (b"permessage-deflate", true),
        (b"permessage-deflate; unknown", false),
        (b"permessage-deflate; server_no_context_takeover; server_no_context_takeover", false),
        (b"permessage-deflate; server_max_window_bits", false),
        (b"permessage-deflate; server_max_window_bits=7", false),
        (b"permessage-deflate; server_max_window_bits=16", false),
        (b"permessage-deflate; client_max_window_bits=010", false),
        (b"permessage-deflate; client_no_context_takeover=1", false),
        (b"permessage-deflate; client_max_window_bits=\"10\"", true),
    ];
    for (offer, ok) in cases {
        assert_eq!(config.negotiate([offer]).is_some(), ok, "{}", String::from_utf8_lossy(offer));
    }
    let two = b"permessage-deflate; x=1, permessage-deflate; server_max_window_bits=9";
    assert_eq!(config.negotiate([&two[..]]).unwrap().server_max_window_bits, 9);
    // Across repeated header lines, in order.
    let p = config
        .negotiate([&b"x-foo"[..], &b"permessage-deflate; client_no_context_takeover"[..]])
        .unwrap();
    assert!(p.client_no_context_takeover);
}

#[test]
fn rfc7692_s7_1_2_1_server_answers_requested_window_with_same_or_smaller() {
    let config = DeflateConfig::default().with_max_window_bits(12, 15);
    let params = config.negotiate([&b"permessage-deflate; server_max_window_bits=14"[..]]).unwrap();
    let mut out = [0u8; 128];
    let n = params.write_response(&mut out).unwrap();
    assert_eq!(&out[..n], b"permessage-deflate; server_max_window_bits=12");
}

#[test]
fn rfc7692_s7_1_2_2_client_window_only_named_when_offered() {
    let config = DeflateConfig::default().with_max_window_bits(15, 10);
    let mut out = [0u8; 128];
    let offered = config.negotiate([&b"permessage-deflate; client_max_window_bits"[..]]).unwrap();
    let n = offered.write_response(&mut out).unwrap();
    assert_eq!(&out[..n], b"permessage-deflate; client_max_window_bits=10");
    let not_offered = config.negotiate([&b"permessage-deflate"[..]]).unwrap();
    let n = not_offered.write_response(&mut out).unwrap();
    assert_eq!(&out[..n], b"permessage-deflate");
}

#[test]
fn rfc7692_s7_1_client_checks_the_response() {
    let config = DeflateConfig::default().with_max_window_bits(10, 12);
    let check = |v: &[u8]| config.accept_response([v]);
    assert!(check(b"permessage-deflate; server_max_window_bits=10").unwrap().is_some());
    assert!(
        check(b"permessage-deflate; server_max_window_bits=9; client_max_window_bits=8").is_ok()
    );
    assert_eq!(check(b"permessage-deflate"), Err(ExtensionError::UnexpectedParameter));
    assert_eq!(
        check(b"permessage-deflate; server_max_window_bits=11"),
        Err(ExtensionError::UnexpectedParameter)
    );
    assert_eq!(
        check(b"permessage-deflate; server_max_window_bits=10; client_max_window_bits=13"),
        Err(ExtensionError::UnexpectedParameter)
    );
    assert_eq!(
        check(b"permessage-deflate; server_max_window_bits=10, permessage-deflate"),
        Err(ExtensionError::UnexpectedExtension)
    );
    assert_eq!(check(b"x-other"), Err(ExtensionError::UnexpectedExtension));
    assert_eq!(config.accept_response([]), Ok(None), "declined: no compression");
    let nct = DeflateConfig::default().with_server_no_context_takeover(true);
    assert_eq!(
        nct.accept_response([&b"permessage-deflate"[..]]),
        Err(ExtensionError::UnexpectedParameter)
    );
}

#[test]
fn rfc7692_offer_and_response_roundtrip_between_client_and_server() {
    let client =
        DeflateConfig::default().with_client_no_context_takeover(true).with_max_window_bits(11, 15);
    let server = DeflateConfig::default();
    let mut offer = [0u8; 128];
    let n = client.write_offer(&mut offer).unwrap();
    let params = server.negotiate([&offer[..n]]).unwrap();
    let mut response = [0u8; 128];
    let m = params.write_response(&mut response).unwrap();
    let agreed = client.accept_response([&response[..m]]).unwrap().unwrap();
    assert_eq!(agreed.server_max_window_bits, 11);
    assert!(agreed.client_no_context_takeover);
    assert_eq!(
        (params.server_max_window_bits, params.client_no_context_takeover),
        (agreed.server_max_window_bits, agreed.client_no_context_takeover)
    );
}
