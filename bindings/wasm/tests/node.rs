//! The binding in Node, through wasm-bindgen-test:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p wsframe-wasm --target wasm32-unknown-unknown`.
//!
//! Input goes in and events come out through wasm memory, as the JavaScript
//! wrapper does it: bytes written at the address `reserve` returns, events
//! read from the table whose address `pull` returns.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use wsframe_wasm::{
    Backoff, ClientHandshake, Connection, Keepalive, accept_key, build_accept_response,
    build_client_request, close_codes, decode_frame, encode_frame, negotiate_deflate,
    parse_request, should_reconnect,
};

const TEXT: u32 = 1;
const BINARY: u32 = 2;
const CLOSE: u32 = 8;
const PING: u32 = 9;
const PONG: u32 = 10;

/// RFC 6455 §5.7: a single-frame masked text message, "Hello".
const MASKED_HELLO: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// RFC 6455 §5.7: a single-frame unmasked text message, "Hello".
const UNMASKED_HELLO: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
/// The §7.2.3 defaults as the wrapper passes them: no flags, 15-bit windows, level 6.
const DEFLATE: [u8; 5] = [0, 0, 15, 15, 6];

/// An event: (kind, payload, last or close code).
type Ev = (u32, Vec<u8>, u32);

fn conn(role: &str, messages: bool, deflate: Option<&[u8]>) -> Connection {
    Connection::new(role, None, None, None, messages, deflate.map(<[u8]>::to_vec), true, true, None)
        .unwrap()
}

fn server() -> Connection {
    conn("server", false, None)
}

fn client() -> Connection {
    conn("client", false, None)
}

fn memory() -> js_sys::ArrayBuffer {
    wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into()
}

/// Adds `bytes` to the input the way the wrapper does: straight into wasm
/// memory, in the pieces `reserve` gives, pulling after each but the last.
/// (The wrapper keeps the rest when such a pull has an event; here the event
/// is copied out at once, so feeding goes on.) Returns those events.
fn feed(c: &mut Connection, bytes: &[u8]) -> Result<Vec<Ev>, JsValue> {
    feed_pieces(c, bytes).map(|(events, _)| events)
}

/// `feed`, also returning the size of each piece.
fn feed_pieces(c: &mut Connection, bytes: &[u8]) -> Result<(Vec<Ev>, Vec<u32>), JsValue> {
    let (mut events, mut pieces, mut off) = (Vec::new(), Vec::new(), 0);
    while off < bytes.len() {
        let (at, k) = queued(c.reserve(bytes.len() - off));
        let piece = &bytes[off..off + k as usize];
        js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, k).copy_from(piece);
        (off, pieces) = (off + k as usize, [pieces, vec![k]].concat());
        if off < bytes.len() {
            events.extend(pull(c)?);
        }
    }
    Ok((events, pieces))
}

/// The next event, or `None` when more input is needed.
fn pull(c: &mut Connection) -> Result<Option<Ev>, JsValue> {
    let at = c.pull()?;
    if at == 0 {
        return Ok(None);
    }
    let mem = memory();
    let t = js_sys::Uint32Array::new_with_byte_offset_and_length(&mem, at as u32, 4).to_vec();
    let data = js_sys::Uint8Array::new_with_byte_offset_and_length(&mem, t[1], t[2]).to_vec();
    Ok(Some((t[0], data, t[3])))
}

/// Every event `bytes` complete.
fn receive(c: &mut Connection, bytes: &[u8]) -> Result<Vec<Ev>, JsValue> {
    let mut events = feed(c, bytes)?;
    while let Some(ev) = pull(c)? {
        events.push(ev);
    }
    Ok(events)
}

/// Where the queued bytes are (or where input goes), `[ptr, len]`, read from
/// the table at the address `outgoing` (or `frameHeader`, or `reserve`)
/// returned.
fn queued(table: usize) -> (u32, u32) {
    let t = js_sys::Uint32Array::new_with_byte_offset_and_length(&memory(), table as u32, 2);
    (t.get_index(0), t.get_index(1))
}

/// Everything queued for the peer, copied out of wasm memory as the wrapper
/// does, then consumed.
fn out(c: &mut Connection) -> Vec<u8> {
    let (at, n) = queued(c.outgoing());
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, n).to_vec();
    c.consume_outgoing(n as usize);
    bytes
}

/// A whole message sent as the wrapper sends it: the payload written at the
/// address `stage` returns, then `sendStaged`.
fn send(c: &mut Connection, binary: bool, data: &[u8], compress: bool) -> Result<(), JsValue> {
    let at = match c.stage(data.len(), false) {
        0 => c.stage(data.len(), true), // no room yet: the queue grows
        at => at,
    };
    js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at as u32, data.len() as u32)
        .copy_from(data);
    if c.send_staged(binary, data.len(), compress) { Ok(()) } else { Err(c.take_error()) }
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
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

fn code(err: &JsValue) -> Option<String> {
    get(err, "code").as_string()
}

/// `takeQueued` hands out the whole queue and empties it when it fits in
/// `room`, and leaves it queued otherwise; `sendStagedTake` is a send and
/// that take in one call.
#[wasm_bindgen_test]
fn take_queued_takes_all_or_nothing() {
    let mut c = Connection::new("server", None, None, None, false, None, true, true, None).unwrap();
    assert_eq!(c.stage(3, false), 0, "an empty queue has no room without growing");
    send(&mut c, true, b"abc", false).unwrap();
    let table = |at: usize| {
        let t = js_sys::Uint32Array::new_with_byte_offset_and_length(&memory(), at as u32, 3);
        (t.get_index(0), t.get_index(1), t.get_index(2))
    };
    let (_, n, taken) = table(c.take_queued(4));
    assert_eq!((n, taken), (5, 0), "5 bytes do not fit in 4: still queued");
    let (at, n, taken) = table(c.take_queued(5));
    assert_eq!((n, taken), (5, 1));
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, n).to_vec();
    assert_eq!(bytes, b"\x82\x03abc");
    assert_eq!(table(c.outgoing()).1, 0, "taken: the queue is empty");
    let at = c.stage(2, false);
    assert_ne!(at, 0, "the queue's buffer has room now");
    js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at as u32, 2).copy_from(b"hi");
    let (at, n, taken) = table(c.send_staged_take(false, 2, false, 100));
    assert_eq!((n, taken), (4, 1));
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, n).to_vec();
    assert_eq!(bytes, b"\x81\x02hi");
}

#[wasm_bindgen_test]
fn rfc6455_5_7_masked_hello_to_server() {
    let mut s = server();
    assert_eq!(receive(&mut s, &MASKED_HELLO).unwrap(), vec![(TEXT, b"Hello".to_vec(), 1)]);
}

#[wasm_bindgen_test]
fn rfc6455_5_7_unmasked_hello_from_server() {
    let mut s = server();
    s.send_text("Hello", true).unwrap();
    assert_eq!(out(&mut s), UNMASKED_HELLO);
    let mut c = client();
    assert_eq!(receive(&mut c, &UNMASKED_HELLO).unwrap(), vec![(TEXT, b"Hello".to_vec(), 1)]);
}

/// The bytes `frameHeader` packed into its return value: `n * 2^32 + word`,
/// the `n` bytes those of `word`, low byte first.
fn unpack(v: f64) -> Vec<u8> {
    let (n, word) = ((v / 4_294_967_296.0) as usize, (v % 4_294_967_296.0) as u32);
    word.to_le_bytes()[..n].to_vec()
}

/// RFC 6455 §5.2: `frameHeader` queues a server's header after what is
/// queued (a 1 KiB payload needs the 16-bit length) and returns the queue in
/// the same call; a header queued alone, of at most 4 bytes, comes packed in
/// the return value and is taken. A client gets 0 (its payload must be
/// masked), and after a Close it is refused with the error to throw.
#[wasm_bindgen_test]
fn rfc6455_5_2_frame_header_queues_behind_a_ping_and_returns_the_queue() {
    let mut s = server();
    s.ping(b"p").unwrap();
    let (at, n) = queued(s.frame_header(true, 1024) as usize);
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, n).to_vec();
    assert_eq!(bytes, [0x89, 0x01, b'p', 0x82, 126, 0x04, 0x00]);
    s.consume_outgoing(n as usize);
    assert_eq!(unpack(s.frame_header(false, 5)), [0x81, 0x05], "text, 7-bit length");
    assert_eq!(unpack(s.frame_header(true, 1024)), [0x82, 126, 0x04, 0x00], "16-bit length");
    assert_eq!(unpack(s.frame_header(true, 125)), [0x82, 125]);
    assert_eq!(unpack(s.frame_header(true, 126)), [0x82, 126, 0x00, 126]);
    assert_eq!(unpack(s.frame_header(true, 65535)), [0x82, 126, 0xff, 0xff]);
    assert_eq!(queued(s.outgoing()).1, 0, "packed headers are taken");
    // A 64-bit length makes a 10-byte header: left queued, returned as the table.
    let (at, n) = queued(s.frame_header(true, 65536) as usize);
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&memory(), at, n).to_vec();
    assert_eq!(bytes, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(out(&mut s), bytes);
    assert_eq!(client().frame_header(true, 16), 0.0);
    s.close(Some(1000), "").unwrap();
    out(&mut s);
    assert_eq!(s.frame_header(true, 16), 0.0);
    assert_eq!(code(&s.take_error()).as_deref(), Some("CLOSED"));
    assert_eq!(queued(s.outgoing()).1, 0, "nothing queued when refused");
}

#[wasm_bindgen_test]
fn rfc6455_5_7_fragmented_and_control_frames() {
    let mut s = server();
    s.send_fragment(false, b"Hel", false).unwrap();
    s.send_fragment(false, b"lo", true).unwrap();
    assert_eq!(out(&mut s), [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
    // Unmasked Ping "Hello", and the 256-byte and 64 KiB binary headers.
    s.ping(b"Hello").unwrap();
    assert_eq!(out(&mut s), [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    send(&mut s, true, &[0u8; 256], true).unwrap();
    assert_eq!(&out(&mut s)[..4], &[0x82, 0x7e, 0x01, 0x00]);
    send(&mut s, true, &vec![0u8; 65536], true).unwrap();
    assert_eq!(&out(&mut s)[..10], &[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
}

#[wasm_bindgen_test]
fn every_split_gives_the_same_events() {
    let mut c = client();
    c.send_text("Hello", true).unwrap();
    c.ping(b"p").unwrap();
    let frames = out(&mut c);
    for split in 0..=frames.len() {
        let mut s = server();
        let mut got = receive(&mut s, &frames[..split]).unwrap();
        got.extend(receive(&mut s, &frames[split..]).unwrap());
        // Text may arrive in chunks; join them.
        let text: Vec<u8> = got.iter().filter(|e| e.0 == TEXT).flat_map(|e| e.1.clone()).collect();
        assert_eq!(text, b"Hello", "split at {split}");
        assert!(got.iter().any(|e| e.0 == PING && e.1 == b"p"), "split at {split}");
    }
}

#[wasm_bindgen_test]
fn one_byte_at_a_time() {
    let mut c = client();
    send(&mut c, true, &[7u8; 300], true).unwrap();
    let frame = out(&mut c);
    let mut s = server();
    let mut data = Vec::new();
    for b in &frame {
        for (kind, d, _) in receive(&mut s, &[*b]).unwrap() {
            assert_eq!(kind, BINARY);
            data.extend(d);
        }
    }
    assert_eq!(data, vec![7u8; 300]);
    assert_eq!(s.pending_input_bytes(), 0);
}

#[wasm_bindgen_test]
fn message_mode_reassembles_fragments() {
    let mut c = client();
    let mut s = conn("server", true, None);
    c.send_fragment(true, &[1, 2], false).unwrap();
    c.ping(b"mid").unwrap();
    c.send_fragment(true, &[3], false).unwrap();
    c.send_fragment(true, &[4, 5], true).unwrap();
    c.send_text("whole", true).unwrap();
    assert_eq!(
        receive(&mut s, &out(&mut c)).unwrap(),
        vec![
            (PING, b"mid".to_vec(), 0),
            (BINARY, vec![1, 2, 3, 4, 5], 1),
            (TEXT, b"whole".to_vec(), 1)
        ]
    );
}

#[wasm_bindgen_test]
fn events_are_decoded_one_pull_at_a_time() {
    let mut c = client();
    c.send_text("one", true).unwrap();
    c.send_text("two", true).unwrap();
    let wire = out(&mut c);
    let mut s = server();
    assert_eq!(feed(&mut s, &wire).unwrap(), []);
    assert_eq!(s.pending_input_bytes(), wire.len());
    assert_eq!(pull(&mut s).unwrap(), Some((TEXT, b"one".to_vec(), 1)));
    assert_eq!(s.pending_input_bytes(), wire.len() / 2);
    // More input goes behind what is not pulled yet.
    c.send_text("three", true).unwrap();
    let more = out(&mut c);
    let rest = receive(&mut s, &more).unwrap();
    assert_eq!(rest.iter().map(|e| e.1.clone()).collect::<Vec<_>>(), [&b"two"[..], b"three"]);
}

/// RFC 6455 §5.4: a read across the frames of a message reassembled from
/// 70 KB fragments is taken in pieces: the rest of the first payload
/// straight into the message, the next header in two steps (its first two
/// bytes, then the rest they announce), the next payload straight in. The
/// message arrives whole; fragments of 1 KiB take whole reads.
#[wasm_bindgen_test]
fn rfc6455_5_4_reserve_splits_reads_across_large_fragments() {
    for (size, header, pieces) in
        [(70_000usize, 14, vec![1, 2, 12, 70_000]), (1000, 8, vec![1 + 8 + 1000])]
    {
        let mut c = client();
        let a: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let b: Vec<u8> = (0..size).map(|i| (i % 241) as u8).collect();
        c.send_fragment(true, &a, false).unwrap();
        c.send_fragment(true, &b, true).unwrap();
        let wire = out(&mut c);
        let mut s = conn("server", true, None);
        let split = header + size - 1; // the first frame but its last byte
        assert_eq!(receive(&mut s, &wire[..split]).unwrap(), []);
        let (events, got) = feed_pieces(&mut s, &wire[split..]).unwrap();
        // No event before the last piece.
        assert_eq!(events, [], "{size}");
        assert_eq!(got, pieces, "{size}");
        let (kind, data, last) = pull(&mut s).unwrap().expect("the message");
        assert_eq!((kind, last), (BINARY, 1));
        assert!(data == [a, b].concat(), "{size}: bytes differ");
    }
}

/// Issue 10 and RFC 6455 §7.1.7: in one read, a valid masked text message, a
/// violation, a Ping. The text is delivered and echoed, then the violation
/// fails the connection with its Close queued after the echo; the Ping
/// behind it is never read, so no Pong.
#[wasm_bindgen_test]
fn rfc6455_7_1_7_echo_before_the_failure_and_no_pong_after_it() {
    let ping = [0x89, 0x84, 1, 2, 3, 4, b'p' ^ 1, b'i' ^ 2, b'n' ^ 3, b'g' ^ 4];
    let violations: [(&str, Vec<u8>, &str); 3] = [
        ("RSV2", vec![0xa1, 0x81, 0, 0, 0, 0, b'x'], "RESERVED_BITS"),
        ("reserved opcode", vec![0x83, 0x80, 0, 0, 0, 0], "RESERVED_OPCODE"),
        (
            "continuation after a final frame",
            vec![0x80, 0x81, 0, 0, 0, 0, b'x'],
            "UNEXPECTED_CONTINUATION",
        ),
    ];
    for (name, bad, expected) in violations {
        for messages in [true, false] {
            let mut s = conn("server", messages, None);
            assert_eq!(feed(&mut s, &[&MASKED_HELLO[..], &bad, &ping].concat()).unwrap(), []);
            let (kind, data, _) = pull(&mut s).unwrap().unwrap();
            assert_eq!((kind, data.as_slice()), (TEXT, &b"Hello"[..]), "{name}");
            s.send_text("Hello", true).unwrap();
            let err = pull(&mut s).unwrap_err();
            assert_eq!(code(&err).as_deref(), Some(expected), "{name}");
            assert_js_error(err, "ProtocolError", Some(1002));
            assert_eq!(
                out(&mut s),
                [&UNMASKED_HELLO[..], &[0x88, 0x02, 0x03, 0xea]].concat(),
                "{name}"
            );
            assert_eq!(s.state(), "closed", "{name}");
            assert_eq!(pull(&mut s).unwrap(), None, "{name}: nothing after the violation");
            assert!(out(&mut s).is_empty(), "{name}: no pong");
        }
    }
}

#[wasm_bindgen_test]
fn closing_handshake_with_the_automatic_echo() {
    let mut c = client();
    let mut s = server();
    c.close(Some(1000), "bye").unwrap();
    assert_eq!(c.state(), "closeSent");
    assert_eq!(receive(&mut s, &out(&mut c)).unwrap(), vec![(CLOSE, b"bye".to_vec(), 1000)]);
    assert_eq!(s.state(), "closed");
    assert_eq!(receive(&mut c, &out(&mut s)).unwrap(), vec![(CLOSE, b"bye".to_vec(), 1000)]);
    assert_eq!(c.state(), "closed");
    // No data after our Close (RFC 6455 §5.5.1).
    let err = c.send_text("late", true).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("CLOSED"));
    assert_js_error(err, "WsframeError", None);
}

#[wasm_bindgen_test]
fn pong_echoes_ping() {
    let mut c = client();
    let mut s = server();
    c.ping(b"abc").unwrap();
    assert_eq!(receive(&mut s, &out(&mut c)).unwrap(), vec![(PING, b"abc".to_vec(), 0)]);
    assert_eq!(receive(&mut c, &out(&mut s)).unwrap(), vec![(PONG, b"abc".to_vec(), 0)]);
    // Without autoPong nothing is queued.
    let mut quiet =
        Connection::new("server", None, None, None, false, None, false, true, None).unwrap();
    c.ping(b"abc").unwrap();
    receive(&mut quiet, &out(&mut c)).unwrap();
    assert_eq!(queued(quiet.outgoing()).1, 0);
}

#[wasm_bindgen_test]
fn protocol_errors_carry_close_codes() {
    // RFC 6455 §5.1: a client's frames must be masked.
    let mut s = server();
    assert_js_error(receive(&mut s, &UNMASKED_HELLO).unwrap_err(), "ProtocolError", Some(1002));
    assert_eq!(s.state(), "closed");
    assert_eq!(out(&mut s), [0x88, 0x02, 0x03, 0xea]);
    // §8.1: invalid UTF-8 in a text message is 1007.
    let mut c = client();
    let mut s = server();
    send(&mut c, true, &[0xff, 0xfe], true).unwrap();
    let mut bad = out(&mut c);
    bad[0] = 0x81; // same payload, as text
    assert_js_error(receive(&mut s, &bad).unwrap_err(), "ProtocolError", Some(1007));
    // Limits are 1009.
    let mut s =
        Connection::new("server", Some(4.0), None, None, false, None, true, true, None).unwrap();
    send(&mut c, true, &[0u8; 5], true).unwrap();
    assert_js_error(receive(&mut s, &out(&mut c)).unwrap_err(), "ProtocolError", Some(1009));
}

#[wasm_bindgen_test]
fn client_masks_with_web_crypto() {
    let mut c = client();
    send(&mut c, true, &[0u8; 16], true).unwrap();
    let a = out(&mut c);
    send(&mut c, true, &[0u8; 16], true).unwrap();
    let b = out(&mut c);
    assert_eq!(a[1] & 0x80, 0x80, "masked");
    // Two 32-bit keys from getRandomValues: equal with probability 2^-32.
    assert_ne!(&a[2..6], &b[2..6]);
}

#[wasm_bindgen_test]
fn bad_arguments() {
    let err = Connection::new("peer", None, None, None, false, None, true, true, None).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let mut s = server();
    let err = s.close(Some(1005), "").unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("INVALID_CLOSE_CODE"));
    let err = s.close(None, "why").unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("REASON_WITHOUT_CODE"));
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
    // Encoding refuses what decoding would (RFC 6455 §5.5).
    assert!(
        encode_frame(3, true, 0, b"", None, false)
            .unwrap_err()
            .is_instance_of::<js_sys::TypeError>()
    );
    let err = encode_frame(9, true, 0, &[0; 126], None, false).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("CONTROL_FRAME_TOO_LONG"));
    assert_js_error(err, "WsframeError", None);
    let err = encode_frame(8, false, 0, b"", None, false).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("FRAGMENTED_CONTROL_FRAME"));
    // A random key differs from frame to frame.
    let a = encode_frame(2, true, 0, b"x", None, true).unwrap().to_vec();
    let b = encode_frame(2, true, 0, b"x", None, true).unwrap().to_vec();
    assert_eq!(a[1], 0x81);
    assert_ne!(a[2..6], b[2..6]);
}

#[wasm_bindgen_test]
fn rfc7692_7_2_3_vectors_inflated() {
    // §7.2.3.1 "Hello" compressed, §7.2.3.2 the same again with context takeover.
    let mut c = conn("client", false, Some(&DEFLATE));
    let hello = vec![(TEXT, b"Hello".to_vec(), 1)];
    assert_eq!(
        receive(&mut c, &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap(),
        hello
    );
    assert_eq!(receive(&mut c, &[0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]).unwrap(), hello);
    // And compressed the same way by a server (unmasked, so byte for byte).
    let mut s = conn("server", false, Some(&DEFLATE));
    s.send_text("Hello", true).unwrap();
    assert_eq!(out(&mut s), [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    s.send_text("Hello", true).unwrap();
    assert_eq!(out(&mut s), [0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]);
    s.send_text("Hello", false).unwrap();
    assert_eq!(out(&mut s), b"\x81\x05Hello");
}

#[wasm_bindgen_test]
fn rsv1_without_deflate_is_1002() {
    let mut c = client();
    let err = receive(&mut c, &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap_err();
    assert_js_error(err, "ProtocolError", Some(1002));
}

#[wasm_bindgen_test]
fn inflate_bomb_is_1009_and_fails_the_connection() {
    let mut c = conn("client", false, Some(&DEFLATE));
    let mut s = Connection::new(
        "server",
        None,
        Some(1000.0),
        None,
        true,
        Some(DEFLATE.to_vec()),
        true,
        true,
        None,
    )
    .unwrap();
    send(&mut c, true, &[0u8; 1001], true).unwrap();
    let frame = out(&mut c);
    assert!(frame.len() < 100, "zeros compress well");
    let err = receive(&mut s, &frame).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("MESSAGE_TOO_LARGE"));
    assert_js_error(err, "ProtocolError", Some(1009));
    assert_eq!(s.state(), "closed");
    assert_eq!(out(&mut s), [0x88, 0x02, 0x03, 0xf1]);
    assert!(s.send_text("no", true).is_err());
    assert_eq!(receive(&mut s, &frame).unwrap(), vec![]);
}

#[wasm_bindgen_test]
fn negotiation_through_the_binding() {
    let none = negotiate_deflate(Some("x-other".into()), &DEFLATE).unwrap();
    assert!(none.is_null());
    let offers = "permessage-deflate; foo, permessage-deflate; server_max_window_bits=10";
    let r = negotiate_deflate(Some(offers.into()), &DEFLATE).unwrap();
    assert_eq!(
        get(&r, "response").as_string().as_deref(),
        Some("permessage-deflate; server_max_window_bits=10")
    );
    let params: js_sys::Uint8Array = get(&r, "params").dyn_into().unwrap();
    assert_eq!(params.to_vec(), [0, 0, 10, 15]);
}

#[wasm_bindgen_test]
fn client_handshake_is_checked_by_the_cores_verifier() {
    let req = build_client_request(
        "ws://127.0.0.1/chat",
        vec!["chat".into()],
        None,
        None,
        vec![],
        Some(DEFLATE.to_vec()),
    )
    .unwrap();
    let bytes: js_sys::Uint8Array = get(&req, "bytes").dyn_into().unwrap();
    let parsed = parse_request(&bytes.to_vec(), None).unwrap();
    let key = get(&parsed, "key").as_string().unwrap();
    assert_eq!(get(&req, "key").as_string(), Some(key.clone()));
    assert_eq!(get(&parsed, "accept").as_string(), Some(accept_key(&key)));
    let hs = ClientHandshake::try_from_js_value(get(&req, "handshake")).unwrap();
    let response =
        build_accept_response(&key, Some("chat".into()), Some("permessage-deflate".into()), vec![])
            .unwrap()
            .to_vec();
    assert!(hs.check_response(&response[..10], None).unwrap().is_null());
    let ok = hs.check_response(&response, None).unwrap();
    assert_eq!(get(&ok, "accepted").as_bool(), Some(true));
    assert_eq!(get(&ok, "protocol").as_string().as_deref(), Some("chat"));
    let agreed: js_sys::Uint8Array = get(&ok, "deflate").dyn_into().unwrap();
    assert_eq!(agreed.to_vec(), [0, 0, 15, 15]);
    // Another key's answer fails (RFC 6455 §4.1).
    let wrong =
        build_accept_response("dGhlIHNhbXBsZSBub25jZQ==", None, None, vec![]).unwrap().to_vec();
    let err = hs.check_response(&wrong, None).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("BAD_ACCEPT"));
    assert_js_error(err, "HandshakeError", None);
}

#[wasm_bindgen_test]
fn heartbeat_pings_after_silence_then_reports_dead() {
    let mut c = Connection::new(
        "server",
        None,
        None,
        None,
        true,
        None,
        true,
        true,
        Some(vec![1000.0, 500.0]),
    )
    .unwrap();
    assert_eq!(c.next_deadline(), None, "not polled yet");
    assert_eq!(c.poll(0.0), "idle");
    assert_eq!(c.next_deadline(), Some(1000.0));
    assert_eq!(c.poll(1000.0), "ping");
    assert_eq!(out(&mut c), vec![0x89, 0x00], "an empty Ping queued");
    assert_eq!(c.poll(1499.0), "idle");
    assert_eq!(c.poll(1500.0), "dead");
    assert_eq!(server().poll(1e12), "idle", "no heartbeat configured");
}

#[wasm_bindgen_test]
fn keepalive_and_backoff_follow_the_core() {
    let mut k = Keepalive::new(100.0, 50.0, 0.0);
    assert_eq!(k.poll(100.0), "ping");
    assert!(k.awaiting_reply());
    assert_eq!(k.poll(150.0), "dead");
    k.on_receive(160.0);
    assert_eq!(k.next_deadline(), 260.0);

    let zeros = js_sys::Function::new_with_args("b", "b.fill(0)");
    let mut b = Backoff::new(8000.0, None, None);
    let delays: Vec<f64> = (0..4).map(|_| b.next_delay(Some(zeros.clone()))).collect();
    assert_eq!(delays, vec![0.0, 2500.0, 4000.0, 4000.0]);
    assert_eq!(b.attempts(), 4);
    b.reset();
    assert!(b.next_delay(None) <= 5000.0, "Web Crypto draws within the first window");
    assert_eq!(b.max_delay(), 8000.0);
}

#[wasm_bindgen_test]
fn reconnect_policy_and_close_codes() {
    for code in [1006, 1011, 1012, 1013] {
        assert!(should_reconnect(code), "{code}");
    }
    for code in [1000, 1001, 1002, 1008, 4000] {
        assert!(!should_reconnect(code), "{code}");
    }
    let codes = close_codes();
    assert_eq!(codes.length(), 15);
    let first = js_sys::Array::from(&codes.get(0));
    assert_eq!(first.get(0).as_string().as_deref(), Some("NORMAL"));
    assert_eq!(first.get(1).as_f64(), Some(1000.0));
}
