//! The binding in Node, through wasm-bindgen-test:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p wsframe-wasm --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use wsframe_wasm::{Connection, decode_frame, encode_frame, negotiate_deflate};

const TEXT: u32 = 1;
const BINARY: u32 = 2;
const CLOSE: u32 = 8;
const PING: u32 = 9;
const PONG: u32 = 10;

/// RFC 6455 §5.7: a single-frame masked text message, "Hello".
const MASKED_HELLO: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// RFC 6455 §5.7: a single-frame unmasked text message, "Hello".
const UNMASKED_HELLO: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];

fn server() -> Connection {
    Connection::new("server", None, None, None, false, JsValue::UNDEFINED).unwrap()
}

fn client() -> Connection {
    Connection::new("client", None, None, None, false, JsValue::UNDEFINED).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn events(conn: &Connection, n: usize) -> Vec<(u32, bool, Vec<u8>, u32)> {
    (0..n)
        .map(|i| {
            let (kind, last, data, code) = conn.event(i).unwrap();
            (kind, last, data.to_vec(), code)
        })
        .collect()
}

/// Asserts that `err` is a JS `Error` with this name and close code.
fn assert_js_error(err: JsValue, name: &str, close_code: Option<u32>) {
    let e: js_sys::Error = err.dyn_into().expect("a real Error object");
    assert_eq!(String::from(e.name()), name);
    match close_code {
        Some(c) => assert_eq!(get(&e, "closeCode").as_f64(), Some(f64::from(c))),
        None => assert!(get(&e, "closeCode").is_undefined()),
    }
}

#[wasm_bindgen_test]
fn rfc6455_5_7_masked_hello_to_server() {
    let mut s = server();
    assert_eq!(s.receive(&MASKED_HELLO).unwrap(), 1);
    assert_eq!(events(&s, 1), vec![(TEXT, true, b"Hello".to_vec(), 0)]);
}

#[wasm_bindgen_test]
fn rfc6455_5_7_unmasked_hello_from_server() {
    let mut s = server();
    assert_eq!(s.send_text("Hello", None).unwrap().to_vec(), UNMASKED_HELLO);
    let mut c = client();
    assert_eq!(c.receive(&UNMASKED_HELLO).unwrap(), 1);
    assert_eq!(events(&c, 1), vec![(TEXT, true, b"Hello".to_vec(), 0)]);
}

#[wasm_bindgen_test]
fn rfc6455_5_7_fragmented_and_control_frames() {
    let mut s = server();
    let a = s.send_frame("text", b"Hel", false).unwrap().to_vec();
    let b = s.send_frame("text", b"lo", true).unwrap().to_vec();
    assert_eq!([a, b].concat(), [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
    // Unmasked Ping "Hello", and the 256-byte binary header.
    assert_eq!(s.ping(b"Hello").unwrap().to_vec(), [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    let big = s.send_binary(&[0u8; 256], None).unwrap().to_vec();
    assert_eq!(&big[..4], &[0x82, 0x7e, 0x01, 0x00]);
    let huge = s.send_binary(&vec![0u8; 65536], None).unwrap().to_vec();
    assert_eq!(&huge[..10], &[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
}

#[wasm_bindgen_test]
fn every_split_gives_the_same_events() {
    let mut c = client();
    let frames =
        [c.send_text("Hello", None).unwrap().to_vec(), c.ping(b"p").unwrap().to_vec()].concat();
    for split in 0..=frames.len() {
        let mut s = server();
        let n = s.receive(&frames[..split]).unwrap();
        let mut got = events(&s, n);
        let n = s.receive(&frames[split..]).unwrap();
        got.extend(events(&s, n));
        // Text may arrive in chunks; join them.
        let text: Vec<u8> = got.iter().filter(|e| e.0 == TEXT).flat_map(|e| e.2.clone()).collect();
        assert_eq!(text, b"Hello", "split at {split}");
        assert!(got.iter().any(|e| e.0 == PING && e.2 == b"p"), "split at {split}");
    }
}

#[wasm_bindgen_test]
fn one_byte_at_a_time() {
    let mut c = client();
    let frame = c.send_binary(&[7u8; 300], None).unwrap().to_vec();
    let mut s = server();
    let mut data = Vec::new();
    for b in &frame {
        let n = s.receive(&[*b]).unwrap();
        for (kind, _, d, _) in events(&s, n) {
            assert_eq!(kind, BINARY);
            data.extend(d);
        }
    }
    assert_eq!(data, vec![7u8; 300]);
    assert_eq!(s.buffered_amount(), 0);
}

#[wasm_bindgen_test]
fn message_mode_reassembles_fragments() {
    let mut c = client();
    let mut s = Connection::new("server", None, None, None, true, JsValue::UNDEFINED).unwrap();
    let wire = [
        c.send_frame("binary", &[1, 2], false).unwrap().to_vec(),
        c.ping(b"mid").unwrap().to_vec(),
        c.send_frame("binary", &[3], false).unwrap().to_vec(),
        c.send_frame("binary", &[4, 5], true).unwrap().to_vec(),
        c.send_text("whole", None).unwrap().to_vec(),
    ]
    .concat();
    let n = s.receive(&wire).unwrap();
    assert_eq!(
        events(&s, n),
        vec![
            (PING, true, b"mid".to_vec(), 0),
            (BINARY, true, vec![1, 2, 3, 4, 5], 0),
            (TEXT, true, b"whole".to_vec(), 0),
        ]
    );
}

#[wasm_bindgen_test]
fn closing_handshake() {
    let mut c = client();
    let mut s = server();
    let close = c.close(Some(1000), "bye").unwrap().to_vec();
    assert_eq!(c.state(), "closeSent");
    assert_eq!(s.receive(&close).unwrap(), 1);
    assert_eq!(events(&s, 1), vec![(CLOSE, true, b"bye".to_vec(), 1000)]);
    assert_eq!(s.state(), "closeReceived");
    let reply = s.close(Some(1000), "").unwrap().to_vec();
    assert_eq!(s.state(), "closed");
    assert_eq!(c.receive(&reply).unwrap(), 1);
    assert_eq!(c.state(), "closed");
    // No data after our Close (RFC 6455 §5.5.1).
    let err = c.send_text("late", None).unwrap_err();
    assert_js_error(err.clone(), "WsframeError", None);
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("CLOSED"));
}

#[wasm_bindgen_test]
fn pong_echoes_ping() {
    let mut c = client();
    let mut s = server();
    s.receive(&c.ping(b"abc").unwrap().to_vec()).unwrap();
    let (kind, _, data, _) = s.event(0).unwrap();
    assert_eq!(kind, PING);
    let data = data.to_vec();
    let pong = s.pong(&data).unwrap().to_vec();
    c.receive(&pong).unwrap();
    assert_eq!(events(&c, 1), vec![(PONG, true, b"abc".to_vec(), 0)]);
}

#[wasm_bindgen_test]
fn protocol_errors_carry_close_codes() {
    // RFC 6455 §5.1: a client's frames must be masked.
    let mut s = server();
    assert_js_error(s.receive(&UNMASKED_HELLO).unwrap_err(), "ProtocolError", Some(1002));
    assert_eq!(s.state(), "failed");
    // §8.1: invalid UTF-8 in a text message is 1007.
    let mut c = client();
    let mut s = server();
    let mut bad = c.send_frame("binary", &[0xff, 0xfe], true).unwrap().to_vec();
    bad[0] = 0x81; // same payload, as text
    assert_js_error(s.receive(&bad).unwrap_err(), "ProtocolError", Some(1007));
    // Limits are 1009.
    let mut s =
        Connection::new("server", Some(4.0), None, None, false, JsValue::UNDEFINED).unwrap();
    let big = c.send_binary(&[0u8; 5], None).unwrap().to_vec();
    assert_js_error(s.receive(&big).unwrap_err(), "ProtocolError", Some(1009));
    // Events before the violation stay readable.
    let mut s = server();
    let wire = [c.ping(b"first").unwrap().to_vec(), vec![0x83, 0x80, 0, 0, 0, 0]].concat();
    let err = s.receive(&wire).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("RESERVED_OPCODE"));
    assert_eq!(s.event_count(), 1);
    assert_eq!(events(&s, 1), vec![(PING, true, b"first".to_vec(), 0)]);
}

#[wasm_bindgen_test]
fn client_masks_with_web_crypto() {
    let mut c = client();
    let a = c.send_binary(&[0u8; 16], None).unwrap().to_vec();
    let b = c.send_binary(&[0u8; 16], None).unwrap().to_vec();
    assert_eq!(a[1] & 0x80, 0x80, "masked");
    // Two 32-bit keys from getRandomValues: equal with probability 2^-32.
    assert_ne!(&a[2..6], &b[2..6]);
}

#[wasm_bindgen_test]
fn bad_arguments_are_type_errors() {
    let err = Connection::new("peer", None, None, None, false, JsValue::UNDEFINED).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let err =
        Connection::new("server", Some(-1.0), None, None, false, JsValue::UNDEFINED).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let mut s = server();
    assert!(s.send_frame("ping", b"", true).unwrap_err().is_instance_of::<js_sys::TypeError>());
    let err = s.close(Some(1005), "").unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("INVALID_CLOSE_CODE"));
    let err = s.close(Some(70000), "").unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("INVALID_CLOSE_CODE"));
}

#[wasm_bindgen_test]
fn stateless_frames_round_trip() {
    // RFC 6455 §5.7 masked "Hello" with the RFC's key.
    let key = vec![0x37, 0xfa, 0x21, 0x3d];
    let bytes = encode_frame(1, true, 0, b"Hello", Some(key.clone()), false).unwrap().to_vec();
    assert_eq!(bytes, MASKED_HELLO);
    let decoded = decode_frame(&bytes).unwrap();
    assert_eq!(get(&decoded, "opcode").as_f64(), Some(1.0));
    assert_eq!(get(&decoded, "fin").as_bool(), Some(true));
    assert_eq!(get(&decoded, "consumed").as_f64(), Some(11.0));
    let payload: js_sys::Uint8Array = get(&decoded, "payload").dyn_into().unwrap();
    assert_eq!(payload.to_vec(), b"Hello");
    let mask: js_sys::Uint8Array = get(&decoded, "mask").dyn_into().unwrap();
    assert_eq!(mask.to_vec(), key);
    // Incomplete input is null, not an error.
    assert!(decode_frame(&bytes[..5]).unwrap().is_null());
    assert!(decode_frame(&[]).unwrap().is_null());
    // Header-level violations are protocol errors.
    assert_js_error(decode_frame(&[0x83, 0x00]).unwrap_err(), "ProtocolError", Some(1002));
    assert_js_error(decode_frame(&[0x09, 0x00]).unwrap_err(), "ProtocolError", Some(1002));
    // Encoding refuses what no peer may send.
    assert!(
        encode_frame(3, true, 0, b"", None, false)
            .unwrap_err()
            .is_instance_of::<js_sys::TypeError>()
    );
    assert_js_error(
        encode_frame(9, true, 0, &[0; 126], None, false).unwrap_err(),
        "WsframeError",
        None,
    );
    // A random key differs from frame to frame.
    let a = encode_frame(2, true, 0, b"x", None, true).unwrap().to_vec();
    let b = encode_frame(2, true, 0, b"x", None, true).unwrap().to_vec();
    assert_eq!(a[1], 0x81);
    assert_ne!(a[2..6], b[2..6]);
}

fn deflate_server(deflate: JsValue) -> Connection {
    Connection::new("server", None, None, None, false, deflate).unwrap()
}

fn deflate_client(deflate: JsValue) -> Connection {
    Connection::new("client", None, None, None, false, deflate).unwrap()
}

#[wasm_bindgen_test]
fn rfc7692_7_2_3_vectors_inflated() {
    // §7.2.3.1 "Hello" compressed, §7.2.3.2 the same again with context takeover.
    let mut c = deflate_client(JsValue::TRUE);
    let n = c.receive(&[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap();
    assert_eq!(events(&c, n), vec![(TEXT, true, b"Hello".to_vec(), 0)]);
    let n = c.receive(&[0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]).unwrap();
    assert_eq!(events(&c, n), vec![(TEXT, true, b"Hello".to_vec(), 0)]);
    // And compressed the same way by a server (unmasked, so byte for byte).
    let mut s = deflate_server(JsValue::TRUE);
    assert_eq!(
        s.send_text("Hello", None).unwrap().to_vec(),
        [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]
    );
    assert_eq!(
        s.send_text("Hello", None).unwrap().to_vec(),
        [0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]
    );
    assert_eq!(s.send_text("Hello", Some(false)).unwrap().to_vec(), b"\x81\x05Hello");
}

#[wasm_bindgen_test]
fn rsv1_without_deflate_is_1002() {
    let mut c = client();
    let err = c.receive(&[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap_err();
    assert_js_error(err, "ProtocolError", Some(1002));
}

#[wasm_bindgen_test]
fn inflate_bomb_is_1009_and_fails_the_connection() {
    let mut c = deflate_client(JsValue::TRUE);
    let mut s = Connection::new("server", None, Some(1000.0), None, true, JsValue::TRUE).unwrap();
    let frame = c.send_binary(&[0u8; 1001], None).unwrap().to_vec();
    assert!(frame.len() < 100, "zeros compress well");
    let err = s.receive(&frame).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("MESSAGE_TOO_LARGE"));
    assert_js_error(err, "ProtocolError", Some(1009));
    assert_eq!(s.state(), "failed");
    assert!(s.send_text("no", None).is_err());
    assert_eq!(s.receive(&frame).unwrap(), 0);
    s.close(Some(1009), "").unwrap();
    assert_eq!(s.state(), "closed");
}

#[wasm_bindgen_test]
fn negotiation_through_the_binding() {
    let none = negotiate_deflate(Some("x-other".into()), JsValue::UNDEFINED).unwrap();
    assert!(none.is_null());
    let r = negotiate_deflate(
        Some("permessage-deflate; foo, permessage-deflate; server_max_window_bits=10".into()),
        JsValue::UNDEFINED,
    )
    .unwrap();
    assert_eq!(
        get(&r, "response").as_string().as_deref(),
        Some("permessage-deflate; server_max_window_bits=10")
    );
    let params = get(&r, "params");
    assert_eq!(get(&params, "serverMaxWindowBits").as_f64(), Some(10.0));
    let s = deflate_server(params);
    assert_eq!(get(&s.deflate(), "serverMaxWindowBits").as_f64(), Some(10.0));
    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"level".into(), &JsValue::from_f64(10.0)).unwrap();
    let err = negotiate_deflate(Some("permessage-deflate".into()), bad.into()).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
}
