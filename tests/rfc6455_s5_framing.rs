//! RFC 6455 §5 (data framing): every MUST / MUST NOT on the receive and send
//! paths, and the §5.7 byte examples.

mod common;

use common::{Ev, cframe, feed, feed_all, frame, test_rng};
use wsframe::frame::{FrameHeader, HeaderDecoder, OpCode};
use wsframe::{CloseCode, Config, Connection, DataKind, Error, Event, ProtocolError, Role, State};

fn server() -> Connection<wsframe::NoRandom> {
    Connection::server(Config::default())
}

fn client() -> Connection<impl FnMut(&mut [u8])> {
    Connection::new(Role::Client, Config::default(), test_rng(7))
}

type Send<C> = dyn Fn(&mut C, &mut [u8]) -> Result<usize, Error>;

fn perr(e: ProtocolError) -> Ev {
    Ev::Err(Error::Protocol(e))
}

// §5.1 ---------------------------------------------------------------------

#[test]
fn s5_1_server_must_fail_on_unmasked_client_frame() {
    let mut s = server();
    let ev = feed_all(&mut s, &frame(true, 0, 1, None, b"hi"));
    assert_eq!(ev, vec![perr(ProtocolError::UnmaskedFrame)]);
    assert_eq!(ProtocolError::UnmaskedFrame.close_code(), CloseCode::PROTOCOL_ERROR);
    assert_eq!(s.state(), State::Failed);
}

#[test]
fn s5_1_client_must_fail_on_masked_server_frame() {
    let mut c = client();
    let ev = feed_all(&mut c, &frame(true, 0, 2, Some([1, 2, 3, 4]), b"x"));
    assert_eq!(ev, vec![perr(ProtocolError::MaskedFrame)]);
}

#[test]
fn s5_1_client_masks_every_frame_it_sends() {
    let mut c = client();
    let mut out = [0u8; 64];
    let sends: [&Send<Connection<_>>; 5] = [
        &|c, o| c.send_text("hello", o),
        &|c, o| c.send_binary(b"bin", o),
        &|c, o| c.send_ping(b"p", o),
        &|c, o| c.send_pong(b"", o),
        &|c, o| c.send_close(Some(CloseCode::NORMAL), "", o),
    ];
    for send in sends {
        let n = send(&mut c, &mut out).unwrap();
        assert_ne!(out[1] & 0x80, 0, "mask bit must be set on client frames");
        let (hn, h) = HeaderDecoder::new().decode(&out[..n]).unwrap();
        assert!(h.unwrap().mask.is_some());
        assert_eq!(n, hn + h.unwrap().payload_len as usize);
    }
}

#[test]
fn s5_1_server_must_not_mask() {
    let mut s = server();
    let mut out = [0u8; 16];
    let n = s.send_binary(b"abc", &mut out).unwrap();
    assert_eq!(&out[..n], &[0x82, 0x03, b'a', b'b', b'c']);
}

// §5.2 ---------------------------------------------------------------------

#[test]
fn s5_2_nonzero_rsv_without_extension_must_fail() {
    for rsv in 1..8u8 {
        let mut s = server();
        let ev = feed_all(&mut s, &frame(true, rsv, 1, Some([0; 4]), b"x"));
        assert_eq!(ev, vec![perr(ProtocolError::ReservedBits)], "rsv {rsv:03b}");
    }
}

#[test]
fn s5_2_reserved_opcodes_must_fail() {
    for op in (3..=7u8).chain(0xB..=0xF) {
        let mut s = server();
        let ev = feed_all(&mut s, &cframe(true, op, b""));
        assert_eq!(ev, vec![perr(ProtocolError::ReservedOpcode)], "opcode {op:#x}");
    }
}

#[test]
fn s5_2_64_bit_length_with_msb_set_must_fail() {
    let mut s = server();
    let mut bytes = vec![0x82, 0xFF];
    bytes.extend_from_slice(&u64::MAX.to_be_bytes());
    bytes.extend_from_slice(&[1, 2, 3, 4]);
    assert_eq!(feed_all(&mut s, &bytes), vec![perr(ProtocolError::LengthMsbSet)]);
}

#[test]
fn s5_2_sender_uses_minimal_length_encoding() {
    let mut s = Connection::server(Config::default().with_max_frame_payload(1 << 20));
    for (len, header) in [(125usize, 2usize), (126, 4), (65535, 4), (65536, 10)] {
        let payload = vec![0u8; len];
        let mut out = vec![0u8; len + 14];
        let n = s.send_binary(&payload, &mut out).unwrap();
        assert_eq!(n, len + header, "payload {len}");
    }
}

#[test]
fn s5_2_payload_lengths_at_every_boundary_roundtrip() {
    for len in [0usize, 1, 125, 126, 127, 65535, 65536, 70000] {
        let mut c = client();
        let mut s = server();
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut out = vec![0u8; len + 14];
        let n = c.send_binary(&payload, &mut out).unwrap();
        assert_eq!(feed_all(&mut s, &out[..n]), vec![Ev::Binary(payload)]);
    }
}

#[test]
fn s5_2_server_frames_carry_every_short_payload_length_exactly() {
    // Short payloads are copied by size class (overlapping fixed-size copies):
    // every length on both sides of each class boundary, byte for byte.
    let mut s = server();
    for len in 0..=80usize {
        let payload: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
        let mut out = vec![0xEEu8; len + 16];
        let n = s.send_binary(&payload, &mut out).unwrap();
        assert_eq!(n, len + 2, "payload {len}");
        assert_eq!(&out[..2], &[0x82, len as u8], "payload {len}");
        assert_eq!(&out[2..n], &payload[..], "payload {len}");
        assert!(out[n..].iter().all(|&b| b == 0xEE), "payload {len}: wrote past the frame");
    }
}

// §5.3 ---------------------------------------------------------------------

#[test]
fn s5_3_client_draws_a_fresh_key_per_frame_from_the_source() {
    let mut drawn = Vec::new();
    let mut n = 0u8;
    let rng = |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            n = n.wrapping_add(1);
            *b = n;
        }
    };
    let mut c = Connection::new(Role::Client, Config::default(), rng);
    let mut out = [0u8; 32];
    for _ in 0..3 {
        let len = c.send_text("x", &mut out).unwrap();
        let (_, h) = HeaderDecoder::new().decode(&out[..len]).unwrap();
        drawn.push(h.unwrap().mask.unwrap());
    }
    assert_eq!(drawn, vec![[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
}

#[test]
fn s5_3_payload_is_unmasked_in_place_in_the_callers_buffer() {
    let mut s = server();
    let mut bytes = cframe(true, 2, b"secret");
    let r = s.receive(&mut bytes).unwrap();
    assert_eq!(r.event, Some(Event::Binary { data: b"secret", last: true }));
    assert_eq!(&bytes[6..], b"secret");
}

// §5.4 ---------------------------------------------------------------------

#[test]
fn s5_4_fragments_are_delivered_in_order_as_one_message() {
    let mut s = server();
    let mut bytes = cframe(false, 1, b"Hel");
    bytes.extend(cframe(false, 0, b"lo, "));
    bytes.extend(cframe(true, 0, b"world"));
    assert_eq!(feed_all(&mut s, &bytes), vec![Ev::Text(b"Hello, world".to_vec())]);
}

#[test]
fn s5_4_control_frames_may_be_injected_between_fragments() {
    let mut s = server();
    let mut bytes = cframe(false, 2, b"ab");
    bytes.extend(cframe(true, 9, b"ping"));
    bytes.extend(cframe(true, 0xA, b"pong"));
    bytes.extend(cframe(true, 0, b"cd"));
    assert_eq!(
        feed_all(&mut s, &bytes),
        vec![Ev::Ping(b"ping".to_vec()), Ev::Pong(b"pong".to_vec()), Ev::Binary(b"abcd".to_vec())]
    );
}

#[test]
fn s5_4_continuation_without_a_message_must_fail() {
    let mut s = server();
    assert_eq!(
        feed_all(&mut s, &cframe(true, 0, b"x")),
        vec![perr(ProtocolError::UnexpectedContinuation)]
    );
}

#[test]
fn s5_4_new_data_frame_inside_fragmented_message_must_fail() {
    for op in [1u8, 2] {
        let mut s = server();
        let mut bytes = cframe(false, 1, b"a");
        bytes.extend(cframe(true, op, b"b"));
        let ev = feed_all(&mut s, &bytes);
        assert_eq!(ev.last(), Some(&perr(ProtocolError::ExpectedContinuation)));
    }
}

#[test]
fn s5_4_empty_fragments_and_empty_messages() {
    let mut s = server();
    let mut bytes = cframe(true, 1, b"");
    bytes.extend(cframe(false, 2, b""));
    bytes.extend(cframe(false, 0, b""));
    bytes.extend(cframe(true, 0, b""));
    assert_eq!(feed_all(&mut s, &bytes), vec![Ev::Text(vec![]), Ev::Binary(vec![])]);
}

#[test]
fn s5_4_sender_fragments_and_refuses_interleaving() {
    let mut s = server();
    let mut out = [0u8; 64];
    let n1 = s.send_frame(DataKind::Text, b"ab", false, &mut out).unwrap();
    assert_eq!(out[0], 0x01, "first fragment: text opcode, FIN clear");
    assert_eq!(s.send_text("x", &mut out), Err(Error::MessageInProgress));
    assert_eq!(s.send_frame(DataKind::Binary, b"x", true, &mut out), Err(Error::MessageInProgress));
    let n2 = s.send_ping(b"", &mut out[n1..]).unwrap(); // control frames in between are fine
    let n3 = s.send_frame(DataKind::Text, b"cd", true, &mut out[n1 + n2..]).unwrap();
    assert_eq!(out[n1 + n2], 0x80, "last fragment: continuation with FIN");
    assert!(s.send_text("next", &mut [0u8; 16]).is_ok());
    let mut c = client();
    let ev = feed_all(&mut c, &out[..n1 + n2 + n3]);
    assert_eq!(ev, vec![Ev::Ping(vec![]), Ev::Text(b"abcd".to_vec())]);
}

// §5.5 ---------------------------------------------------------------------

#[test]
fn s5_5_control_frame_over_125_bytes_must_fail() {
    let mut s = server();
    let ev = feed_all(&mut s, &cframe(true, 9, &[0u8; 126]));
    assert_eq!(ev, vec![perr(ProtocolError::ControlFrameTooLong)]);
    let mut s = server();
    assert_eq!(feed_all(&mut s, &cframe(true, 9, &[7u8; 125])), vec![Ev::Ping(vec![7u8; 125])]);
}

#[test]
fn s5_5_fragmented_control_frame_must_fail() {
    for op in [8u8, 9, 0xA] {
        let mut s = server();
        assert_eq!(
            feed_all(&mut s, &cframe(false, op, b"")),
            vec![perr(ProtocolError::FragmentedControlFrame)],
            "opcode {op:#x}"
        );
    }
}

#[test]
fn s5_5_sender_refuses_control_payload_over_125() {
    let mut s = server();
    let mut out = [0u8; 256];
    assert_eq!(s.send_ping(&[0; 126], &mut out), Err(Error::ControlPayloadTooLarge));
    assert_eq!(s.send_pong(&[0; 126], &mut out), Err(Error::ControlPayloadTooLarge));
    assert_eq!(
        s.send_close(Some(CloseCode::NORMAL), &"r".repeat(124), &mut out),
        Err(Error::ControlPayloadTooLarge)
    );
    assert!(s.send_close(Some(CloseCode::NORMAL), &"r".repeat(123), &mut out).is_ok());
}

#[test]
fn s5_5_1_close_with_one_byte_body_must_fail() {
    let mut s = server();
    assert_eq!(feed_all(&mut s, &cframe(true, 8, &[3])), vec![perr(ProtocolError::CloseLengthOne)]);
}

#[test]
fn s5_5_1_close_reason_must_be_utf8() {
    let mut s = server();
    let ev = feed_all(&mut s, &cframe(true, 8, &[0x03, 0xE8, 0xFF]));
    assert_eq!(ev, vec![perr(ProtocolError::InvalidUtf8)]);
    assert_eq!(ProtocolError::InvalidUtf8.close_code().0, 1007);
}

#[test]
fn s5_5_1_no_data_frames_after_sending_close() {
    let mut s = server();
    let mut out = [0u8; 32];
    s.send_close(Some(CloseCode::GOING_AWAY), "", &mut out).unwrap();
    assert_eq!(s.send_text("x", &mut out), Err(Error::Closed));
    assert_eq!(s.send_binary(b"x", &mut out), Err(Error::Closed));
    assert_eq!(s.send_ping(b"", &mut out), Err(Error::Closed));
    assert_eq!(s.send_close(None, "", &mut out), Err(Error::Closed));
}

#[test]
fn s5_5_1_data_is_still_received_after_sending_close_until_peer_close() {
    let mut s = server();
    s.send_close(None, "", &mut [0u8; 8]).unwrap();
    let mut bytes = cframe(true, 1, b"late");
    bytes.extend(cframe(true, 8, &[0x03, 0xE8]));
    assert_eq!(
        feed_all(&mut s, &bytes),
        vec![Ev::Text(b"late".to_vec()), Ev::Close(Some((1000, String::new())))]
    );
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn s5_5_2_ping_is_reported_and_pong_echoes_its_payload() {
    let mut s = server();
    let mut bytes = cframe(true, 9, b"are you there");
    let r = s.receive(&mut bytes).unwrap();
    let Some(Event::Ping(payload)) = r.event else { panic!("expected ping") };
    let payload = payload.to_vec();
    let mut out = [0u8; 64];
    let n = s.send_pong(&payload, &mut out).unwrap();
    let mut c = client();
    assert_eq!(feed_all(&mut c, &out[..n]), vec![Ev::Pong(b"are you there".to_vec())]);
}

#[test]
fn s5_5_3_unsolicited_pong_is_not_an_error() {
    let mut s = server();
    assert_eq!(feed_all(&mut s, &cframe(true, 0xA, b"hb")), vec![Ev::Pong(b"hb".to_vec())]);
}

// §5.6 ---------------------------------------------------------------------

#[test]
fn s5_6_text_must_be_utf8_and_fails_fast() {
    let mut s = server();
    // The first fragment already holds a byte that can never start UTF-8:
    // the error comes before the message ends.
    let ev = feed_all(&mut s, &cframe(false, 1, &[b'o', b'k', 0xFF]));
    assert_eq!(ev, vec![perr(ProtocolError::InvalidUtf8)]);
}

#[test]
fn s5_6_text_split_inside_a_character_across_fragments_is_valid() {
    let euro = "€".as_bytes(); // E2 82 AC
    let mut s = server();
    let mut bytes = cframe(false, 1, &euro[..1]);
    bytes.extend(cframe(false, 0, &euro[1..2]));
    bytes.extend(cframe(true, 0, &euro[2..]));
    assert_eq!(feed_all(&mut s, &bytes), vec![Ev::Text(euro.to_vec())]);
}

#[test]
fn s5_6_text_ending_inside_a_character_must_fail() {
    let mut s = server();
    let ev = feed_all(&mut s, &cframe(true, 1, &[0xE2, 0x82]));
    assert_eq!(ev, vec![perr(ProtocolError::InvalidUtf8)]);
}

#[test]
fn s5_6_binary_is_not_utf8_checked() {
    let mut s = server();
    assert_eq!(
        feed_all(&mut s, &cframe(true, 2, &[0xFF, 0xFE])),
        vec![Ev::Binary(vec![0xFF, 0xFE])]
    );
}

/// A key source that counts: key `i` (from 0) is `[4i+1, 4i+2, 4i+3, 4i+4]`
/// (mod 256).
fn counting_keys() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |buf: &mut [u8]| {
        for b in buf {
            n = n.wrapping_add(1);
            *b = n;
        }
    }
}

#[test]
fn s5_6_batch_writes_each_whole_message_as_one_frame() {
    // Every short length (the inline path), then each side of the 16- and
    // 64-bit length boundaries (the general path), back to back in one
    // buffer; expected bytes come from the tests' own §5.2 encoder.
    let mut lens: Vec<usize> = (0..=130).collect();
    lens.extend([65535, 65536, 70000]);
    let payloads: Vec<Vec<u8>> =
        lens.iter().map(|&n| (0..n).map(|i| (i * 31 + n) as u8).collect()).collect();
    let big = Config::default().with_max_frame_payload(1 << 20);
    for (client, kind, opcode) in
        [(false, DataKind::Binary, 2), (true, DataKind::Binary, 2), (true, DataKind::Text, 1)]
    {
        let role = if client { Role::Client } else { Role::Server };
        let mut conn = Connection::new(role, big, counting_keys());
        let mut out = vec![0xEEu8; payloads.iter().map(|p| p.len() + 14).sum::<usize>() + 8];
        let mut expected = Vec::new();
        let mut batch = conn.batch(kind).unwrap();
        let mut pos = 0;
        for (i, p) in payloads.iter().enumerate() {
            let key = client.then(|| [1, 2, 3, 4].map(|j| (i * 4 + j) as u8));
            expected.extend(frame(true, 0, opcode, key, p));
            pos += batch.send(p, &mut out[pos..]).unwrap();
            assert_eq!(pos, expected.len(), "client {client}, payload {}", p.len());
        }
        assert_eq!(&out[..pos], &expected[..], "client {client}, {kind:?}");
        assert!(out[pos..].iter().all(|&b| b == 0xEE), "wrote past the last frame");
        // Whole messages: the connection is free for anything afterwards.
        assert!(!conn.is_sending_message());
        conn.send_frame(DataKind::Binary, b"x", false, &mut out).unwrap();
    }
}

#[test]
fn s5_6_batch_output_too_small_writes_nothing_and_draws_no_key() {
    let mut c = Connection::new(Role::Client, Config::default(), counting_keys());
    let mut batch = c.batch(DataKind::Binary).unwrap();
    for (len, required) in [(3usize, 9usize), (200, 208)] {
        let mut out = vec![0xEEu8; required - 1];
        let payload = vec![7u8; len];
        assert_eq!(batch.send(&payload, &mut out), Err(Error::InsufficientSize { required }));
        assert!(out.iter().all(|&b| b == 0xEE), "payload {len}");
    }
    let mut out = [0u8; 16];
    assert_eq!(batch.send(b"ok", &mut out), Ok(8));
    assert_eq!(&out[..8], &frame(true, 0, 2, Some([1, 2, 3, 4]), b"ok")[..]);
}

#[test]
fn s5_6_batch_is_refused_inside_a_fragmented_message_and_after_close() {
    let mut s = server();
    let mut out = [0u8; 64];
    s.send_frame(DataKind::Binary, b"a", false, &mut out).unwrap();
    // §5.4: no other data message may start before this one ends.
    assert_eq!(s.batch(DataKind::Binary).unwrap_err(), Error::MessageInProgress);
    assert_eq!(s.batch(DataKind::Text).unwrap_err(), Error::MessageInProgress);
    s.send_frame(DataKind::Binary, b"b", true, &mut out).unwrap();
    assert!(s.batch(DataKind::Text).is_ok());
    // §5.5.1: no data frames after a Close.
    s.send_close(Some(CloseCode::NORMAL), "", &mut out).unwrap();
    assert_eq!(s.batch(DataKind::Binary).unwrap_err(), Error::Closed);
}

#[test]
fn s5_6_batch_client_frames_are_read_back_by_a_server() {
    let mut c = client();
    let mut s = server();
    let msgs: [&[u8]; 4] = [b"", b"one", &[0xFF; 125], &[0x5A; 126]];
    let mut wire = vec![0u8; 512];
    let mut batch = c.batch(DataKind::Binary).unwrap();
    let mut n = 0;
    for m in msgs {
        n += batch.send(m, &mut wire[n..]).unwrap();
    }
    let got = feed_all(&mut s, &wire[..n]);
    assert_eq!(got, msgs.iter().map(|m| Ev::Binary(m.to_vec())).collect::<Vec<_>>());
}

// §5.7 examples ---------------------------------------------------------------

#[test]
fn s5_7_single_frame_unmasked_text() {
    let mut c = client();
    let bytes = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    assert_eq!(feed_all(&mut c, &bytes), vec![Ev::Text(b"Hello".to_vec())]);
    let mut s = server();
    let mut out = [0u8; 16];
    let n = s.send_text("Hello", &mut out).unwrap();
    assert_eq!(&out[..n], &bytes);
}

#[test]
fn s5_7_single_frame_masked_text() {
    let mut s = server();
    let bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    assert_eq!(feed_all(&mut s, &bytes), vec![Ev::Text(b"Hello".to_vec())]);
    let mut c = Connection::new(Role::Client, Config::default(), |b: &mut [u8]| {
        b.copy_from_slice(&[0x37, 0xfa, 0x21, 0x3d])
    });
    let mut out = [0u8; 16];
    let n = c.send_text("Hello", &mut out).unwrap();
    assert_eq!(&out[..n], &bytes);
}

#[test]
fn s5_7_fragmented_unmasked_text() {
    let mut c = client();
    let bytes = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
    assert_eq!(feed_all(&mut c, &bytes), vec![Ev::Text(b"Hello".to_vec())]);
}

#[test]
fn s5_7_unmasked_ping_and_masked_pong() {
    let mut c = client();
    assert_eq!(
        feed_all(&mut c, &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
        vec![Ev::Ping(b"Hello".to_vec())]
    );
    let mut s = server();
    let pong = [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    assert_eq!(feed_all(&mut s, &pong), vec![Ev::Pong(b"Hello".to_vec())]);
}

#[test]
fn s5_7_256_and_65536_byte_binary_headers() {
    let h = |len| FrameHeader {
        fin: true,
        rsv: 0,
        opcode: OpCode::Binary,
        mask: None,
        payload_len: len,
    };
    let mut out = [0u8; 14];
    let n = h(256).encode(&mut out).unwrap();
    assert_eq!(&out[..n], &[0x82, 0x7E, 0x01, 0x00]);
    let n = h(65536).encode(&mut out).unwrap();
    assert_eq!(&out[..n], &[0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0]);
    let mut c = client();
    let mut bytes = out[..n].to_vec();
    bytes.extend(vec![9u8; 65536]);
    assert_eq!(feed(&mut c, &bytes, &[4096]), vec![Ev::Binary(vec![9u8; 65536])]);
}

// Streaming through small buffers (DESIGN §2) -----------------------------------

#[test]
fn s5_large_message_streams_through_a_512_byte_buffer() {
    let payload: Vec<u8> = (0..65536u32).map(|i| (i * 31) as u8).collect();
    let mut c = client();
    let mut wire = vec![0u8; payload.len() + 14];
    let n = c.send_binary(&payload, &mut wire).unwrap();
    let mut s = server();
    let mut buf = [0u8; 512];
    let (mut filled, mut pos, mut got, mut chunks) = (0usize, 0usize, Vec::new(), 0);
    let mut last_seen = false;
    while !last_seen {
        let take = (buf.len() - filled).min(n - pos);
        buf[filled..filled + take].copy_from_slice(&wire[pos..pos + take]);
        filled += take;
        pos += take;
        let r = s.receive(&mut buf[..filled]).unwrap();
        let consumed = r.consumed;
        if let Some(Event::Binary { data, last }) = r.event {
            got.extend_from_slice(data);
            chunks += 1;
            last_seen = last;
        }
        buf.copy_within(consumed..filled, 0);
        filled -= consumed;
    }
    assert_eq!(got, payload);
    assert!(chunks >= 128, "a 64 KiB payload through 512 bytes comes in many chunks: {chunks}");
}

// §5.2, §5.4, §5.6: the whole-small-message fast path ----------------------

/// A small whole message in one read takes the receive fast path; one byte
/// at a time it cannot (no header is ever complete in the input). Both must
/// judge every stream alike: each of these streams puts a small text or
/// binary frame where the fast path must step aside (a fragmented message
/// under way, a limit, the wrong mask bit, invalid UTF-8, after a Close).
#[test]
fn s5_small_whole_messages_are_judged_alike_in_one_read_and_byte_by_byte() {
    let key = Some([0x37, 0xfa, 0x21, 0x3d]);
    let small = |op: u8, p: &[u8]| frame(true, 0, op, key, p);
    let streams: Vec<(&str, Config, Vec<u8>)> = vec![
        (
            "text, binary, empty",
            Config::default(),
            [small(1, b"Hello"), small(2, &[0, 255]), small(1, b"")].concat(),
        ),
        (
            "125 bytes, then 126",
            Config::default(),
            [small(2, &[7; 125]), small(2, &[7; 126])].concat(),
        ),
        ("invalid UTF-8", Config::default(), [small(1, b"ok"), small(1, b"\xff")].concat()),
        ("surrogate", Config::default(), small(1, b"\xed\xa0\x80")),
        (
            "inside a fragmented message",
            Config::default(),
            [frame(false, 0, 1, key, b"a"), small(1, b"b")].concat(),
        ),
        (
            "continuation ends it",
            Config::default(),
            [frame(false, 0, 1, key, b"a"), frame(true, 0, 0, key, b"b"), small(2, b"c")].concat(),
        ),
        ("over max_frame_payload", Config::default().with_max_frame_payload(4), small(2, b"hello")),
        ("over max_message_size", Config::default().with_max_message_size(4), small(2, b"hello")),
        (
            "at the limits",
            Config::default().with_max_frame_payload(5).with_max_message_size(5),
            small(2, b"hello"),
        ),
        ("unmasked", Config::default(), frame(true, 0, 2, None, b"x")),
        ("RSV1 without deflate", Config::default(), frame(true, 4, 2, key, b"x")),
        (
            "after the peer's Close",
            Config::default(),
            [frame(true, 0, 8, key, &[3, 232]), small(1, b"late")].concat(),
        ),
    ];
    for (name, config, bytes) in streams {
        let whole = feed_all(&mut Connection::server(config), &bytes);
        let bytewise = feed(&mut Connection::server(config), &bytes, &[1]);
        assert_eq!(whole, bytewise, "{name}");
    }
    // And on the client side, where frames come unmasked and a masked one is refused.
    for bytes in [frame(true, 0, 1, None, b"Hello"), frame(true, 0, 1, key, b"Hello")] {
        let whole = feed_all(&mut client(), &bytes);
        assert_eq!(whole, feed(&mut client(), &bytes, &[1]));
    }
    // The fast path really delivers: a server's first small message in one read.
    let mut s = server();
    assert_eq!(feed_all(&mut s, &small(1, b"Hello")), vec![Ev::Text(b"Hello".to_vec())]);
}
