//! RFC 6455 §7 (closing the connection) and §7.4 status codes.

mod common;

use common::{Ev, cframe, feed_all};
use wsframe::{CloseCode, Config, Connection, Error, Event, ProtocolError, State};

fn server() -> Connection<wsframe::NoRandom> {
    Connection::server(Config::default())
}

fn close_body(code: u16, reason: &str) -> Vec<u8> {
    let mut v = code.to_be_bytes().to_vec();
    v.extend_from_slice(reason.as_bytes());
    v
}

#[test]
fn s7_1_2_we_start_the_close_and_the_peer_answers() {
    let mut s = server();
    let mut out = [0u8; 32];
    let n = s.send_close(Some(CloseCode::NORMAL), "done", &mut out).unwrap();
    assert_eq!(&out[..n], b"\x88\x06\x03\xe8done");
    assert_eq!(s.state(), State::CloseSent);
    let ev = feed_all(&mut s, &cframe(true, 8, &close_body(1000, "done")));
    assert_eq!(ev, vec![Ev::Close(Some((1000, "done".into())))]);
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn s7_1_3_peer_starts_the_close_and_we_echo_its_code() {
    let mut s = server();
    let mut bytes = cframe(true, 8, &close_body(4001, "bye"));
    let r = s.receive(&mut bytes).unwrap();
    let Some(Event::Close(Some(frame))) = r.event else { panic!("expected close") };
    assert_eq!((frame.code, frame.reason), (CloseCode(4001), "bye"));
    assert_eq!(s.state(), State::CloseReceived);
    let mut out = [0u8; 16];
    let n = s.send_close(Some(frame.code), "", &mut out).unwrap();
    assert_eq!(&out[..n], &[0x88, 0x02, 0x0F, 0xA1]);
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn s7_1_5_empty_close_is_reported_without_code_and_answered_empty() {
    let mut s = server();
    assert_eq!(feed_all(&mut s, &cframe(true, 8, b"")), vec![Ev::Close(None)]);
    let mut out = [0u8; 8];
    let n = s.send_close(None, "", &mut out).unwrap();
    assert_eq!(&out[..n], &[0x88, 0x00]);
}

#[test]
fn s7_1_7_failing_the_connection_moves_to_failed_and_allows_only_close() {
    let mut s = server();
    let err = feed_all(&mut s, &cframe(true, 3, b""));
    assert_eq!(err, vec![Ev::Err(Error::Protocol(ProtocolError::ReservedOpcode))]);
    assert_eq!(s.state(), State::Failed);
    let mut out = [0u8; 16];
    assert_eq!(s.send_text("x", &mut out), Err(Error::Closed));
    assert_eq!(s.send_pong(b"", &mut out), Err(Error::Closed));
    // Further input is discarded, not re-parsed.
    let mut more = cframe(true, 1, b"ignored");
    let len = more.len();
    let r = s.receive(&mut more).unwrap();
    assert_eq!((r.consumed, r.event), (len, None));
    let n = s.send_close(Some(ProtocolError::ReservedOpcode.close_code()), "", &mut out).unwrap();
    assert_eq!(&out[..n], &[0x88, 0x02, 0x03, 0xEA]);
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn s7_1_6_data_after_peer_close_is_discarded() {
    let mut s = server();
    let mut bytes = cframe(true, 8, b"");
    bytes.extend(cframe(true, 1, b"after close"));
    assert_eq!(feed_all(&mut s, &bytes), vec![Ev::Close(None)]);
}

#[test]
fn s7_4_every_received_code_is_accepted_exactly_when_valid() {
    for code in 0..=u16::MAX {
        let valid = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
        assert_eq!(CloseCode(code).is_valid(), valid, "code {code}");
        let mut s = server();
        let ev = feed_all(&mut s, &cframe(true, 8, &code.to_be_bytes()));
        let expect = if valid {
            Ev::Close(Some((code, String::new())))
        } else {
            Ev::Err(Error::Protocol(ProtocolError::InvalidCloseCode))
        };
        assert_eq!(ev, vec![expect], "code {code}");
    }
}

#[test]
fn s7_4_1_reserved_codes_are_never_sent() {
    let mut out = [0u8; 16];
    for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
        let mut s = server();
        assert_eq!(
            s.send_close(Some(CloseCode(code)), "", &mut out),
            Err(Error::InvalidCloseCode),
            "{code}"
        );
        assert_eq!(s.state(), State::Open, "a refused close changes nothing");
    }
}

#[test]
fn s7_4_close_codes_for_each_failure_kind() {
    assert_eq!(ProtocolError::ReservedBits.close_code().0, 1002);
    assert_eq!(ProtocolError::InvalidUtf8.close_code().0, 1007);
    assert_eq!(ProtocolError::FrameTooLarge.close_code().0, 1009);
    assert_eq!(ProtocolError::MessageTooLarge.close_code().0, 1009);
    assert_eq!(ProtocolError::TooManyFragments.close_code().0, 1009);
}

#[test]
fn s5_5_1_reason_requires_a_code() {
    let mut s = server();
    assert_eq!(s.send_close(None, "why", &mut [0u8; 16]), Err(Error::ReasonWithoutCode));
}

#[test]
fn s10_4_frame_over_limit_fails_with_1009_on_its_header() {
    let mut s = Connection::server(Config::default().with_max_frame_payload(1000));
    // Only the header is sent: the limit applies before any payload arrives.
    let header = &cframe(true, 2, &vec![0u8; 1001])[..8];
    let ev = feed_all(&mut s, header);
    assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::FrameTooLarge))]);
}

#[test]
fn s10_4_message_over_limit_across_fragments_fails_with_1009() {
    let mut s = Connection::server(Config::default().with_max_message_size(10));
    let mut bytes = cframe(false, 2, &[0; 6]);
    bytes.extend(cframe(true, 0, &[0; 5]));
    let ev = feed_all(&mut s, &bytes);
    assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::MessageTooLarge))]);
}

#[test]
fn s10_4_too_many_fragments_fails_with_1009() {
    let mut s = Connection::server(Config::default().with_max_fragments(3));
    let mut bytes = cframe(false, 2, b"a");
    for _ in 0..3 {
        bytes.extend(cframe(false, 0, b"b"));
    }
    let ev = feed_all(&mut s, &bytes);
    assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::TooManyFragments))]);
}

#[test]
fn default_limits_accept_4_mib_in_64_byte_fragments() {
    let mut s = server();
    let chunk = [b'x'; 64];
    let mut bytes = Vec::with_capacity(4 << 20 | 1 << 20);
    bytes.extend(cframe(false, 2, &chunk));
    for i in 1..65536 {
        bytes.extend(cframe(i == 65535, 0, &chunk));
    }
    let ev = feed_all(&mut s, &bytes);
    assert_eq!(ev.len(), 1);
    assert!(matches!(&ev[0], Ev::Binary(d) if d.len() == 4 << 20));
}

#[test]
fn s5_5_1_protocol_error_after_our_close_sends_no_second_close() {
    let mut s = server();
    s.send_close(Some(CloseCode::NORMAL), "", &mut [0u8; 8]).unwrap();
    let ev = feed_all(&mut s, &cframe(true, 3, b""));
    assert_eq!(ev, vec![Ev::Err(Error::Protocol(ProtocolError::ReservedOpcode))]);
    assert_eq!(s.state(), State::Closed);
    assert_eq!(
        s.send_close(Some(CloseCode::PROTOCOL_ERROR), "", &mut [0u8; 8]),
        Err(Error::Closed)
    );
}
