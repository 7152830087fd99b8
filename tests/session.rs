//! The message layer (`Session`): order of events and failure (RFC 6455
//! §7.1.7), automatic replies (§5.5.1, §5.5.2), reassembly and inflation
//! within one limit (§10.4, RFC 7692 §8), released buffers, the heartbeat.
#![cfg(feature = "alloc")]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::corpus::{self, Payload, sha256};
use common::{cframe, frame};
use flate2::{Compress, Compression, FlushCompress};
use wsframe::extensions::deflate::DeflateParams;
use wsframe::keepalive::KeepaliveAction;
use wsframe::session::{Message, Session, SessionConfig};
use wsframe::{CloseCode, DataKind, Error, ProtocolError, RandomSource, State};

/// Counts live heap bytes on the measuring thread, and their peak.
struct Measuring;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only adds up sizes.
unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MEASURING.with(Cell::get) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if MEASURING.with(Cell::get) {
            LIVE.fetch_sub(layout.size().min(LIVE.load(Ordering::Relaxed)), Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Measuring = Measuring;

/// Runs `f` with allocation measuring on; returns (result, peak live bytes
/// above the start, live bytes above the start at the end).
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, isize) {
    // One measurement at a time: the counters are shared by the test threads.
    static ONE: Mutex<()> = Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    LIVE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    MEASURING.with(|m| m.set(true));
    let r = f();
    MEASURING.with(|m| m.set(false));
    (r, PEAK.load(Ordering::Relaxed), LIVE.load(Ordering::Relaxed) as isize)
}

/// Parses unmasked server frames into (opcode, payload) pairs.
fn frames(mut wire: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut v = Vec::new();
    while !wire.is_empty() {
        let op = wire[0] & 0x0f;
        assert_eq!(wire[1] & 0x80, 0, "server frames are not masked");
        let (len, head) = match wire[1] & 0x7f {
            126 => (u16::from_be_bytes([wire[2], wire[3]]) as usize, 4),
            127 => (u64::from_be_bytes(wire[2..10].try_into().unwrap()) as usize, 10),
            n => (n as usize, 2),
        };
        v.push((op, wire[head..head + len].to_vec()));
        wire = &wire[head + len..];
    }
    v
}

/// An echo server's loop over one read: every message is answered before
/// the next one is decoded.
fn echo_all(s: &mut Session<impl RandomSource>, input: &mut [u8]) -> Result<usize, Error> {
    let mut pos = 0;
    let mut messages = 0;
    loop {
        let r = s.receive(&mut input[pos..])?;
        pos += r.consumed;
        let Some(m) = r.message else { return Ok(messages) };
        messages += 1;
        match m {
            Message::Text(t) => {
                let t = t.to_owned();
                s.send_text(&t)?;
            }
            Message::Binary(b) => {
                let b = b.to_vec();
                s.send_binary(&b)?;
            }
            _ => {}
        }
    }
}

/// RFC 6455 §7.1.7, the defect from the field: a valid text message, then a
/// frame that violates the protocol, then a Ping, all in one read. The echo
/// of the text goes out, then the Close with the violation's code; the Ping
/// behind the violation is never looked at, so no Pong.
#[test]
fn rfc6455_s7_1_7_messages_before_a_violation_are_answered_then_the_failure_follows() {
    let violations: [(&str, Vec<u8>, u16); 4] = [
        ("RSV2", frame(true, 0b010, 1, Some([1, 2, 3, 4]), b"x"), 1002),
        ("reserved opcode", cframe(true, 0x3, b""), 1002),
        ("continuation after a final frame", cframe(true, 0x0, b"x"), 1002),
        ("invalid UTF-8", cframe(true, 0x1, &[0xc3, 0x28]), 1007),
    ];
    for (name, bad, code) in violations {
        let mut input = cframe(true, 0x1, b"Hello");
        input.extend_from_slice(&bad);
        input.extend_from_slice(&cframe(true, 0x9, b"ping"));
        let mut s = Session::server(SessionConfig::default());
        let err = echo_all(&mut s, &mut input).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode(code)), "{name}");
        // Failed, and with the Close queued, closed: only TCP is left to close.
        assert_eq!(s.state(), State::Closed, "{name}");
        let sent = frames(s.outgoing());
        assert_eq!(
            sent,
            vec![(0x1, b"Hello".to_vec()), (0x8, code.to_be_bytes().to_vec())],
            "{name}: the echo, then the Close, and no Pong"
        );
        assert_eq!(s.send_text("late"), Err(Error::Closed), "{name}: no data after the Close");
    }
}

/// RFC 6455 §5.5.2 and §5.5.1: a Ping is answered with its payload, a Close
/// with its code; a Close without a code is answered without one.
#[test]
fn rfc6455_s5_5_automatic_pong_and_close_echo() {
    let mut s = Session::server(SessionConfig::default());
    let mut input = cframe(true, 0x9, b"are you there");
    let mut close = vec![0x03, 0xe8];
    close.extend_from_slice(b"bye");
    input.extend_from_slice(&cframe(true, 0x8, &close));
    let mut pos = 0;
    let r = s.receive(&mut input).unwrap();
    pos += r.consumed;
    assert_eq!(r.message, Some(Message::Ping(b"are you there")));
    let r = s.receive(&mut input[pos..]).unwrap();
    match r.message {
        Some(Message::Close(Some(c))) => assert_eq!((c.code, c.reason), (CloseCode::NORMAL, "bye")),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.state(), State::Closed);
    assert_eq!(
        frames(s.outgoing()),
        vec![(0xa, b"are you there".to_vec()), (0x8, b"\x03\xe8bye".to_vec())]
    );

    let mut s = Session::server(SessionConfig::default());
    let mut input = cframe(true, 0x8, b"");
    assert_eq!(s.receive(&mut input).unwrap().message, Some(Message::Close(None)));
    assert_eq!(frames(s.outgoing()), vec![(0x8, vec![])]);

    // Both replies can be turned off.
    let config = SessionConfig::default().with_auto_pong(false).with_auto_close(false);
    let mut s = Session::server(config);
    let mut input = cframe(true, 0x9, b"p");
    input.extend_from_slice(&cframe(true, 0x8, &[0x03, 0xe8]));
    assert_eq!(echo_all(&mut s, &mut input).unwrap(), 2);
    assert!(s.outgoing().is_empty());
    assert_eq!(s.state(), State::CloseReceived);
}

/// RFC 6455 §5.4: fragments with control frames between them come out as
/// one message; the Pong for a Ping between fragments goes out at once.
#[test]
fn rfc6455_s5_4_fragmented_message_with_interleaved_ping() {
    let mut input = cframe(false, 0x1, "Grü".as_bytes());
    input.extend_from_slice(&cframe(true, 0x9, b"!"));
    input.extend_from_slice(&cframe(false, 0x0, "ße, ".as_bytes()));
    input.extend_from_slice(&cframe(true, 0x0, "世界 🦀".as_bytes()));
    for step in [1, 3, input.len()] {
        let mut s = Session::server(SessionConfig::default());
        let mut got = Vec::new();
        let mut buf = Vec::new();
        for piece in input.chunks(step) {
            buf.extend_from_slice(piece);
            let mut pos = 0;
            loop {
                let r = s.receive(&mut buf[pos..]).unwrap();
                pos += r.consumed;
                match r.message {
                    Some(Message::Text(t)) => got.push(t.to_owned()),
                    Some(Message::Ping(p)) => {
                        got.push(format!("ping {}", String::from_utf8_lossy(p)))
                    }
                    Some(other) => panic!("{other:?}"),
                    None => break,
                }
            }
            buf.drain(..pos);
        }
        assert_eq!(got, ["ping !", "Grüße, 世界 🦀"], "reads of {step}");
        assert_eq!(frames(s.outgoing()), vec![(0xa, b"!".to_vec())]);
    }
}

/// RFC 6455 §10.4: a fragmented message past the limit fails with 1009,
/// whatever its frames claim, and the Close is queued.
#[test]
fn rfc6455_s10_4_message_over_the_limit_fails_with_1009() {
    let config = SessionConfig::default().with_max_message_size(100);
    let mut s = Session::server(config);
    let mut input = Vec::new();
    for op in [0x2, 0x0, 0x0] {
        input.extend_from_slice(&cframe(false, op, &[0u8; 40]));
    }
    let err = echo_all(&mut s, &mut input).unwrap_err();
    assert_eq!(err, Error::Protocol(ProtocolError::MessageTooLarge));
    assert_eq!(frames(s.outgoing()), vec![(0x8, 1009u16.to_be_bytes().to_vec())]);
}

/// Streaming mode hands out chunks from the input, unmasked in place.
#[test]
fn streaming_delivers_chunks_from_the_input() {
    let mut s = Session::server(SessionConfig::default().with_streaming(true));
    let mut input = cframe(false, 0x2, b"abc");
    input.extend_from_slice(&cframe(true, 0x0, b"de"));
    let r = s.receive(&mut input).unwrap();
    assert_eq!(
        r.message,
        Some(Message::Chunk { kind: DataKind::Binary, data: b"abc", last: false })
    );
    let pos = r.consumed;
    let r = s.receive(&mut input[pos..]).unwrap();
    assert_eq!(r.message, Some(Message::Chunk { kind: DataKind::Binary, data: b"de", last: true }));
}

/// Deflates like Python's zlib under websockets: raw, sync flush, tail cut.
fn zlib_message(z: &mut Compress, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1024);
    z.compress_vec(data, &mut out, FlushCompress::None).unwrap();
    loop {
        out.reserve(1024);
        z.compress_vec(&[], &mut out, FlushCompress::Sync).unwrap();
        if out.len() < out.capacity() {
            break;
        }
    }
    out.truncate(out.len() - 4);
    out
}

/// RFC 7692 §7.2.2 at the message level: a zlib peer's compressed messages
/// (context takeover) arrive whole with the SHA-256 they were sent with, and
/// the session's own compressed sends arrive at a client session unchanged.
#[test]
fn rfc7692_s7_2_2_compressed_messages_arrive_unchanged_both_ways() {
    let params = DeflateParams::default_params();
    let config = SessionConfig::default().with_deflate(params);
    let mut server = Session::server(config);
    let mut client = Session::client(config, common::test_rng(9));
    let mut z = Compress::new_with_window_bits(Compression::new(6), false, 15);
    let all = corpus::sweep_corpus();
    for (name, payload) in &all {
        let op = if payload.is_text() { 0x1 } else { 0x2 };
        let mut wire =
            frame(true, 0b100, op, Some([9, 8, 7, 6]), &zlib_message(&mut z, payload.bytes()));
        let len = wire.len();
        let r = server.receive(&mut wire).unwrap();
        assert_eq!(r.consumed, len);
        let got = match r.message.unwrap() {
            Message::Text(t) => t.as_bytes().to_vec(),
            Message::Binary(b) => b.to_vec(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(sha256(&got), sha256(payload.bytes()), "{name}: zlib -> session");

        // And back, through the server's compressor.
        match payload {
            Payload::Text(t) => server.send_text(t).unwrap(),
            Payload::Binary(b) => server.send_binary(b).unwrap(),
        }
        let mut wire = server.outgoing().to_vec();
        server.consume_outgoing(wire.len());
        assert_eq!(wire[0] & 0x40, 0x40, "{name}: sent compressed (RSV1)");
        let r = client.receive(&mut wire).unwrap();
        let got = match r.message.unwrap() {
            Message::Text(t) => t.as_bytes().to_vec(),
            Message::Binary(b) => b.to_vec(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(sha256(&got), sha256(payload.bytes()), "{name}: session -> session");
    }
}

/// RFC 7692 §8: one read carrying 64 compressed messages of zeros, each at
/// the limit, is taken one message per call; peak memory stays within twice
/// the limit (the inflate buffer plus the input), never 64 messages' worth.
#[test]
fn rfc7692_s8_one_read_of_64_bomb_messages_holds_one_message_at_a_time() {
    const LIMIT: usize = 1 << 20;
    let mut z = Compress::new_with_window_bits(Compression::new(9), false, 15);
    let zeros = vec![0u8; LIMIT];
    let mut input = Vec::new();
    for _ in 0..64 {
        input.extend_from_slice(&frame(
            true,
            0b100,
            0x2,
            Some([1, 2, 3, 4]),
            &zlib_message(&mut z, &zeros),
        ));
    }
    assert!(input.len() < 128 * 1024, "the read is small: {} bytes", input.len());
    let config = SessionConfig::default()
        .with_max_message_size(LIMIT as u64)
        .with_deflate(DeflateParams::default_params())
        .with_retain_buffer(0);
    let mut s = Session::server(config);
    let ((count, hashes_ok), peak, live) = measure(|| {
        let mut pos = 0;
        let mut count = 0;
        let mut ok = true;
        loop {
            let r = s.receive(&mut input[pos..]).unwrap();
            pos += r.consumed;
            match r.message {
                Some(Message::Binary(b)) => {
                    ok &= b.len() == LIMIT && b.iter().all(|&x| x == 0);
                    count += 1;
                }
                None => break,
                Some(other) => panic!("{other:?}"),
            }
        }
        (count, ok)
    });
    assert_eq!((count, hashes_ok), (64, true));
    eprintln!("64 bomb messages of {LIMIT} bytes in one read: peak {peak} bytes");
    assert!(peak <= 2 * LIMIT, "peak {peak} bytes over 64 messages of {LIMIT}");
    // With retain_buffer 0 the last message's buffer goes at the next call.
    let mut empty = [];
    s.receive(&mut empty).unwrap();
    assert!(live < 64 * 1024, "{live} bytes still held after the messages");
}

/// After a message larger than `retain_buffer`, its buffer is given back.
#[test]
fn large_message_buffers_are_released_above_the_threshold() {
    let mut input = Vec::new();
    for i in 0..8 {
        input.extend_from_slice(&cframe(false, if i == 0 { 0x2 } else { 0x0 }, &[7u8; 100_000]));
    }
    input.extend_from_slice(&cframe(true, 0x0, b""));
    let mut s = Session::server(SessionConfig::default());
    let (_, _, live) = measure(|| {
        assert!(
            matches!(s.receive(&mut input).unwrap().message, Some(Message::Binary(b)) if b.len() == 800_000)
        );
        s.receive(&mut []).unwrap();
    });
    assert!(live <= 0, "{live} bytes kept after an 800 kB message");
}

/// `take_outgoing` hands out the whole queue in one call, in order, with the
/// queue empty after it; interleaved with `consume_outgoing` it yields the
/// same bytes; and a queue buffer grown past `retain_buffer` is given back
/// at the next take that finds the queue empty.
#[test]
fn take_outgoing_hands_out_the_queue_and_gives_back_a_grown_buffer() {
    let mut s = Session::server(SessionConfig::default());
    let mut wire = Vec::new();
    s.send_text("abc").unwrap();
    s.ping(b"p").unwrap();
    wire.extend_from_slice(s.take_outgoing());
    assert!(s.outgoing().is_empty() && s.take_outgoing().is_empty());
    s.send_binary(&[1, 2, 3]).unwrap();
    wire.extend_from_slice(&s.outgoing()[..2]);
    s.consume_outgoing(2);
    wire.extend_from_slice(s.take_outgoing());
    assert_eq!(
        frames(&wire),
        vec![(0x1, b"abc".to_vec()), (0x9, b"p".to_vec()), (0x2, vec![1, 2, 3])]
    );
    // 1 MB queued, taken: the buffer is kept until the next take finds it empty.
    let big = vec![5u8; 1_000_000];
    let (_, _, live) = measure(|| {
        s.send_binary(&big).unwrap();
        assert_eq!(s.take_outgoing().len(), 1_000_000 + 10);
        let kept = LIVE.load(Ordering::Relaxed);
        assert!(kept > 900_000, "{kept}: the taken bytes stay readable until the next call");
        assert!(s.take_outgoing().is_empty());
    });
    assert!(live < 1000, "{live}: the grown buffer is given back");
}

/// The heartbeat: a Ping after `interval` of silence, the peer dead after
/// `timeout` more; anything received counts as life.
#[test]
fn rfc6455_s5_5_2_keepalive_pings_after_silence_and_declares_the_peer_dead() {
    let mut s = Session::server(SessionConfig::default().with_keepalive(1000, 300));
    assert_eq!(s.poll(0), KeepaliveAction::Idle);
    assert_eq!(s.next_deadline(), Some(1000));
    let mut input = cframe(true, 0x2, b"x");
    s.receive(&mut input).unwrap();
    assert_eq!(s.poll(900), KeepaliveAction::Idle, "data at 900 resets the timer");
    assert_eq!(s.poll(1800), KeepaliveAction::Idle);
    assert_eq!(s.poll(1900), KeepaliveAction::SendPing);
    assert_eq!(frames(s.outgoing()), vec![(0x9, vec![])]);
    let mut pong = cframe(true, 0xa, b"");
    s.receive(&mut pong).unwrap();
    assert_eq!(s.poll(2100), KeepaliveAction::Idle, "the Pong answered");
    assert_eq!(s.poll(3099), KeepaliveAction::Idle);
    assert_eq!(s.poll(3100), KeepaliveAction::SendPing);
    assert_eq!(s.poll(3399), KeepaliveAction::Idle);
    assert_eq!(s.poll(3400), KeepaliveAction::PeerDead);
}

/// RFC 6455 §10.3 with RFC 7692 §7.2.1: when no masking key can be drawn the
/// message is not sent, and the compression context forgets it, so the
/// peer's next message still inflates (its window never saw the lost one).
#[test]
fn rfc7692_s7_2_1_a_message_that_could_not_be_sent_leaves_no_trace_in_the_context() {
    struct Flaky(u32);
    impl RandomSource for Flaky {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), wsframe::RandomError> {
            self.0 += 1;
            if self.0 == 2 {
                return Err(wsframe::RandomError);
            }
            dest.fill(self.0 as u8);
            Ok(())
        }
    }
    let config = SessionConfig::default().with_deflate(DeflateParams::default_params());
    let mut client = Session::client(config, Flaky(0));
    let mut server = Session::server(config);
    let (first, lost) = ("an opening message", "words only the lost message had, twice over");
    client.send_text(first).unwrap();
    assert_eq!(client.send_text(lost), Err(Error::RandomFailed));
    // Repeats the lost message: with its trace left in the context, this
    // would be a back-reference into bytes the peer never received.
    client.send_text(lost).unwrap();
    let mut wire = client.outgoing().to_vec();
    let mut pos = 0;
    for want in [first, lost] {
        let r = server.receive(&mut wire[pos..]).unwrap();
        pos += r.consumed;
        assert_eq!(r.message, Some(Message::Text(want)));
    }
    assert_eq!(pos, wire.len());

    // NoRandom never yields a key: a client built with it sends nothing.
    let mut keyless = Session::client(SessionConfig::default(), wsframe::NoRandom);
    assert_eq!(keyless.send_binary(b"x"), Err(Error::RandomFailed));
    assert!(keyless.outgoing().is_empty());
}

/// Sends every corpus payload through `sent.send` and `staged.stage` +
/// `send_staged`, with a Ping before each and part of the output left
/// queued, and checks both put the same bytes on the wire.
fn compare_staged<R: RandomSource>(mut sent: Session<R>, mut staged: Session<R>, compress: bool) {
    for (name, payload) in corpus::sweep_corpus() {
        let (kind, data) = (payload.kind(), payload.bytes());
        sent.ping(b"p").unwrap();
        staged.ping(b"p").unwrap();
        sent.send(kind, data, compress).unwrap();
        staged.stage(data.len()).copy_from_slice(data);
        staged.send_staged(kind, data.len(), compress).unwrap();
        assert_eq!(sha256(sent.outgoing()), sha256(staged.outgoing()), "{name}");
        // Take all but the last 3 bytes, so the next message lands after leftovers.
        let keep = sent.outgoing().len().saturating_sub(3);
        sent.consume_outgoing(keep);
        staged.consume_outgoing(keep);
    }
}

/// A staged send (the payload written straight into the outgoing buffer, as
/// the wasm binding does) puts the same bytes on the wire as `send`, for
/// both roles and with deflate, over the sweep corpus; refused sends leave
/// nothing queued.
#[test]
fn rfc6455_s5_6_staged_sends_write_what_send_writes() {
    let deflate = SessionConfig::default().with_deflate(DeflateParams::default_params());
    for (config, compress) in [(SessionConfig::default(), false), (deflate, true), (deflate, false)]
    {
        compare_staged(Session::server(config), Session::server(config), compress);
        let client = || Session::client(config, common::test_rng(3));
        compare_staged(client(), client(), compress);
    }
    // Refused: a fragmented message under way, then after our Close; nothing is queued.
    let mut s = Session::server(SessionConfig::default());
    s.send_fragment(DataKind::Text, b"a", false).unwrap();
    let before = s.outgoing().to_vec();
    s.stage(2).copy_from_slice(b"hi");
    assert_eq!(s.send_staged(DataKind::Text, 2, false), Err(Error::MessageInProgress));
    assert_eq!(s.outgoing(), &before[..]);
    s.send_fragment(DataKind::Text, b"b", true).unwrap();
    s.close(Some(CloseCode::NORMAL), "").unwrap();
    let before = s.outgoing().to_vec();
    s.stage(2).copy_from_slice(b"hi");
    assert_eq!(s.send_staged(DataKind::Binary, 2, false), Err(Error::Closed));
    assert_eq!(s.outgoing(), &before[..]);
}

/// Sends every corpus payload through `sent.send` and through
/// `by_ref.send_header` with the payload written after the queue (masked
/// first with the key returned, for a client), a Ping queued before each,
/// and checks both put the same bytes on the wire.
fn compare_by_reference<R: RandomSource>(mut sent: Session<R>, mut by_ref: Session<R>) {
    for (name, payload) in corpus::sweep_corpus() {
        let (kind, data) = (payload.kind(), payload.bytes());
        sent.ping(b"p").unwrap();
        by_ref.ping(b"p").unwrap();
        sent.send(kind, data, false).unwrap();
        let key = by_ref.send_header(kind, data.len()).unwrap();
        let mut wire = by_ref.outgoing().to_vec();
        let mut body = data.to_vec();
        if let Some(key) = key {
            wsframe::mask::apply_mask(&mut body, key, 0);
        }
        wire.extend_from_slice(&body);
        assert_eq!(sha256(sent.outgoing()), sha256(&wire), "{name}");
        let n = sent.outgoing().len();
        sent.consume_outgoing(n);
        let n = by_ref.outgoing().len();
        by_ref.consume_outgoing(n);
    }
}

/// A send by reference (only the header queued, the payload written from
/// the caller's memory after it) puts the same bytes on the wire as `send`,
/// for both roles, over the sweep corpus and across the 7-bit, 16-bit and
/// 64-bit length forms (RFC 6455 §5.2); refused sends queue nothing.
#[test]
fn rfc6455_s5_2_header_only_sends_write_what_send_writes() {
    let config = SessionConfig::default().with_limits(
        wsframe::Config::DEFAULT.with_max_frame_payload(1 << 20).with_max_message_size(1 << 20),
    );
    compare_by_reference(Session::server(config), Session::server(config));
    let client = || Session::client(config, common::test_rng(5));
    compare_by_reference(client(), client());
    for len in [0usize, 125, 126, 65_535, 65_536, 70_000] {
        let mut s = Session::server(SessionConfig::default());
        assert_eq!(s.send_header(DataKind::Binary, len), Ok(None));
        let mut wire = s.outgoing().to_vec();
        wire.resize(wire.len() + len, 0xa5);
        // The receiving end of a server's frames: a client.
        let (total, expected) = (wire.len(), vec![0xa5; len]);
        let mut peer = Session::client(SessionConfig::default(), common::test_rng(6));
        let r = peer.receive(&mut wire).unwrap();
        assert_eq!(r.consumed, total, "{len}");
        assert_eq!(r.message, Some(wsframe::session::Message::Binary(&expected)), "{len}");
    }
    // Refused: a fragmented message under way, then after our Close.
    let mut s = Session::server(SessionConfig::default());
    s.send_fragment(DataKind::Text, b"a", false).unwrap();
    let before = s.outgoing().to_vec();
    assert_eq!(s.send_header(DataKind::Text, 2), Err(Error::MessageInProgress));
    assert_eq!(s.outgoing(), &before[..]);
    s.send_fragment(DataKind::Text, b"b", true).unwrap();
    s.close(Some(CloseCode::NORMAL), "").unwrap();
    let before = s.outgoing().to_vec();
    assert_eq!(s.send_header(DataKind::Binary, 2), Err(Error::Closed));
    assert_eq!(s.outgoing(), &before[..]);
}

/// RFC 6455 §8.1 through the Session: a whole single-frame text message is
/// checked once, where the Session makes its `&str` (the connection leaves
/// it to that check); invalid UTF-8 there still fails the connection with
/// 1007 after the messages before it, in whole-message and streaming mode,
/// short (core's check) and long (simdutf8's).
#[test]
fn rfc6455_s8_1_whole_text_messages_are_checked_once_and_fail_with_1007() {
    let key = Some([1, 2, 3, 4]);
    for streaming in [false, true] {
        for bad_len in [2usize, 200] {
            let mut bad = vec![b'x'; bad_len];
            bad[bad_len / 2] = 0xff;
            let mut input = frame(true, 0, 1, key, "héllo".as_bytes());
            input.extend(frame(true, 0, 1, key, &bad));
            input.extend(frame(true, 0, 9, key, b"p"));
            let config = SessionConfig::default().with_streaming(streaming);
            let mut s = Session::server(config);
            let r = s.receive(&mut input).unwrap();
            let text = match r.message.unwrap() {
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Chunk { data, last: true, .. } => data.to_vec(),
                other => panic!("{other:?}"),
            };
            assert_eq!(text, "héllo".as_bytes());
            let consumed = r.consumed;
            let err = s.receive(&mut input[consumed..]).unwrap_err();
            assert_eq!(err, Error::Protocol(ProtocolError::InvalidUtf8), "{streaming} {bad_len}");
            // Failed, and the automatic Close 1007 went out: closed.
            assert_eq!(s.state(), State::Closed);
            assert_eq!(s.outgoing(), &[0x88, 0x02, 0x03, 0xef], "Close 1007 and no Pong");
        }
    }
}

/// A data message, owned.
type Data = (DataKind, Vec<u8>);

/// How a socket loop hands its reads to the session.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Feed {
    /// Every read to `receive`.
    Plain,
    /// A read straight into the message through `Session::input_slot`
    /// whenever the session offers a slot for all of it (and nothing older
    /// is pending).
    Slots,
    /// Each read in the pieces `Session::input_room` asks for (while nothing
    /// older is pending), with `receive` after each piece.
    Room,
}

/// What a socket loop received.
#[derive(Debug)]
struct Fed {
    messages: Vec<Data>,
    /// Reads (or pieces) written into slots.
    slotted: usize,
    /// Bytes passed to `receive` rather than written into slots.
    via_input: usize,
}

/// A socket loop over `wire` in reads of `sizes` (cycled), fed as `feed`
/// says. Returns the data messages and how the bytes went in.
fn receive_in_reads(
    s: &mut Session<impl RandomSource>,
    wire: &[u8],
    sizes: &[usize],
    feed: Feed,
) -> Result<Fed, Error> {
    use wsframe::session::InputRoom;
    let mut fed = Fed { messages: Vec::new(), slotted: 0, via_input: 0 };
    let (mut pending, mut at, mut i) = (Vec::new(), 0, 0);
    while at < wire.len() {
        let n = sizes[i % sizes.len()].min(wire.len() - at);
        let mut read = &wire[at..at + n];
        (at, i) = (at + n, i + 1);
        while !read.is_empty() {
            let (slotted, k) = match feed {
                Feed::Room if pending.is_empty() => match s.input_room(read.len()) {
                    InputRoom::Slot(slot) => {
                        let k = slot.len();
                        slot.copy_from_slice(&read[..k]);
                        (true, k)
                    }
                    InputRoom::Input(k) => (false, k),
                },
                Feed::Slots if pending.is_empty() => match s.input_slot(read.len()) {
                    Some(slot) => {
                        slot.copy_from_slice(read);
                        (true, read.len())
                    }
                    None => (false, read.len()),
                },
                _ => (false, read.len()),
            };
            assert!(k > 0 && k <= read.len(), "{feed:?}: a piece of {k} of {}", read.len());
            let (piece, rest) = read.split_at(k);
            read = rest;
            if slotted {
                fed.slotted += 1;
            } else {
                pending.extend_from_slice(piece);
                fed.via_input += k;
            }
            let mut pos = 0;
            loop {
                let r = s.receive(&mut pending[pos..])?;
                pos += r.consumed;
                match r.message {
                    None => break,
                    Some(Message::Text(t)) => {
                        fed.messages.push((DataKind::Text, t.as_bytes().to_vec()));
                    }
                    Some(Message::Binary(b)) => fed.messages.push((DataKind::Binary, b.to_vec())),
                    Some(_) => {}
                }
            }
            pending.drain(..pos);
        }
    }
    Ok(fed)
}

/// RFC 6455 §5.4 and §5.6 through input slots: every corpus message (text in
/// many scripts, an image, random bytes, every buffer boundary), whole and
/// in fragments with Pings between them, read in uneven pieces, arrives
/// with the SHA-256 it was sent with, exactly as through `receive` alone;
/// and the large ones did go through slots.
#[test]
fn rfc6455_s5_4_input_slots_deliver_what_receive_delivers() {
    let all = corpus::corpus();
    let mut slotted_total = 0;
    // One connection each for the whole corpus: later messages write over
    // the bytes earlier ones left in the buffer.
    let (mut p, mut s) =
        (Session::server(SessionConfig::default()), Session::server(SessionConfig::default()));
    for (i, (name, payload)) in all.iter().enumerate() {
        let bytes = payload.bytes();
        let op = if payload.is_text() { 1 } else { 2 };
        let fragment = [usize::MAX, 1000, 65_536, 300_001][i % 4];
        let key = Some([0x9b, (i % 251) as u8, 0x3c, 0xe1]);
        let mut wire = Vec::new();
        let pieces: Vec<&[u8]> =
            if bytes.is_empty() { vec![bytes] } else { bytes.chunks(fragment).collect() };
        for (j, piece) in pieces.iter().enumerate() {
            let first = j == 0;
            wire.extend(frame(j + 1 == pieces.len(), 0, if first { op } else { 0 }, key, piece));
            wire.extend(frame(true, 0, 9, key, b"between"));
        }
        let sizes = [1 + i % 7, 4096, 65_536, 65_537, 200_000];
        let plain = receive_in_reads(&mut p, &wire, &sizes, Feed::Plain).unwrap().messages;
        let fed = receive_in_reads(&mut s, &wire, &sizes, Feed::Slots).unwrap();
        let (got, slotted) = (fed.messages, fed.slotted);
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0].0, payload.kind(), "{name}");
        assert_eq!(sha256(&got[0].1), sha256(bytes), "{name}: bytes changed");
        assert_eq!(got, plain, "{name}");
        // One Pong per Ping, slot or not.
        assert_eq!(frames(s.outgoing()).len(), pieces.len(), "{name}");
        assert_eq!(s.outgoing(), p.outgoing(), "{name}");
        s.consume_outgoing(s.outgoing().len());
        p.consume_outgoing(p.outgoing().len());
        slotted_total += slotted;
    }
    assert!(slotted_total > 50, "only {slotted_total} reads took a slot");
}

/// RFC 6455 §5.4 and §5.6 through `Session::input_room`: every corpus
/// message, whole and in fragments from 64 B to 200 KB with Pings between
/// them, read in uneven pieces, arrives with the SHA-256 it was sent with,
/// exactly as through `receive` alone, with the same Pongs; and, where the
/// reads are split (fragments of twice `split_reads_from` and more: with
/// the default, 128 KiB; with 0, all), only the first read, headers and
/// Pings go through `receive`: every other payload byte is written once,
/// into the message.
#[test]
fn rfc6455_s5_4_input_room_copies_each_payload_byte_once() {
    let all = corpus::corpus();
    for split_from in [wsframe::session::SPLIT_FRAGMENT_MIN, 0] {
        let config = SessionConfig::default().with_split_reads_from(split_from);
        let (mut p, mut s) = (Session::server(config), Session::server(config));
        let mut checked = 0;
        for (i, (name, payload)) in all.iter().enumerate() {
            let bytes = payload.bytes();
            let op = if payload.is_text() { 1 } else { 2 };
            let fragment = [usize::MAX, 1000, 16_384, 131_072, 64, 200_000][i % 6];
            let key = Some([0x4d, (i % 251) as u8, 0x7a, 0x02]);
            let mut wire = Vec::new();
            let pieces: Vec<&[u8]> =
                if bytes.is_empty() { vec![bytes] } else { bytes.chunks(fragment).collect() };
            for (j, piece) in pieces.iter().enumerate() {
                let op = if j == 0 { op } else { 0 };
                wire.extend(frame(j + 1 == pieces.len(), 0, op, key, piece));
                if j % 3 == 1 {
                    wire.extend(frame(true, 0, 9, key, b"between"));
                }
            }
            let sizes = [4096, 1 + i % 7, 65_536, 65_537, 20_000];
            let plain = receive_in_reads(&mut p, &wire, &sizes, Feed::Plain).unwrap().messages;
            let fed = receive_in_reads(&mut s, &wire, &sizes, Feed::Room).unwrap();
            assert_eq!(fed.messages.len(), 1, "{name}");
            assert_eq!(sha256(&fed.messages[0].1), sha256(bytes), "{name}: bytes changed");
            assert_eq!(fed.messages, plain, "{name} (split from {split_from})");
            assert_eq!(s.outgoing(), p.outgoing(), "{name}: the Pongs");
            s.consume_outgoing(s.outgoing().len());
            p.consume_outgoing(p.outgoing().len());
            // Frames of twice the threshold but the last: their mean is past it.
            if fragment as u64 >= 2 * split_from && pieces.len() > 1 {
                // The first read (before the message is open), and per frame its
                // header and a Ping (13 B) or a read boundary's share of them.
                let bound = 4096 + pieces.len() * (14 + 13);
                let via = fed.via_input;
                assert!(via <= bound, "{name} (split from {split_from}): {via} bytes via input");
                checked += 1;
            }
        }
        assert!(checked >= 3, "only {checked} messages were large enough to check");
    }
}

/// Violations fed through `Session::input_room` fail as through `receive`
/// alone, with the same close code queued: invalid UTF-8 in a later fragment
/// (RFC 6455 §8.1), RSV bits or a bad opcode in a continuation's header, an
/// over-long Ping between fragments (§5.5), and a message past the limit.
#[test]
fn rfc6455_s5_4_input_room_fails_as_receive_does() {
    let key = Some([1, 2, 3, 4]);
    let text = "ünïcödé ".repeat(12_000).into_bytes();
    let mut bad_utf8 = text.clone();
    bad_utf8[100_000] = 0xff;
    let first = |op: u8, data: &[u8]| frame(false, 0, op, key, data);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "invalid UTF-8",
            [first(1, &bad_utf8[..70_000]), frame(true, 0, 0, key, &bad_utf8[70_000..])].concat(),
        ),
        (
            "RSV2 on a continuation",
            [first(2, &[7; 70_000]), frame(true, 2, 0, key, &[7; 9000])].concat(),
        ),
        (
            "opcode 3 after a fragment",
            [first(2, &[7; 70_000]), frame(true, 0, 3, key, &[7; 9000])].concat(),
        ),
        (
            "Ping of 126 B between",
            [first(2, &[7; 70_000]), frame(true, 0, 9, key, &[0; 126])].concat(),
        ),
        (
            "past the limit",
            [first(2, &[7; 70_000]), frame(true, 0, 0, key, &[7; 140_000])].concat(),
        ),
    ];
    for (split_from, (name, wire)) in [wsframe::session::SPLIT_FRAGMENT_MIN, 0]
        .into_iter()
        .flat_map(|split| cases.iter().map(move |case| (split, case)))
    {
        let config = SessionConfig::default()
            .with_max_message_size(200_000)
            .with_split_reads_from(split_from);
        for sizes in [&[4096, 3][..], &[70_011, 1], &[5000, 5007, 2]] {
            let (mut p, mut s) = (Session::server(config), Session::server(config));
            let plain = receive_in_reads(&mut p, wire, sizes, Feed::Plain).map(|f| f.messages);
            let room = receive_in_reads(&mut s, wire, sizes, Feed::Room).map(|f| f.messages);
            assert!(plain.is_err(), "{name}");
            assert_eq!(room, plain, "{name} {sizes:?}");
            assert_eq!(s.outgoing(), p.outgoing(), "{name} {sizes:?}: the Close");
        }
    }
}

/// When an input slot is offered, and that what is written into it is judged
/// as any input is: invalid UTF-8 fails with 1007 and drops the message, and
/// a slot never takes a message past the limit (1009 follows on the
/// ordinary path).
#[test]
fn rfc6455_s8_1_input_slots_are_offered_only_inside_a_payload_and_checked() {
    let key = Some([5, 6, 7, 8]);
    let text = "ünïcödé ".repeat(1000);
    let wire = frame(true, 0, 1, key, text.as_bytes());
    // Between frames, none; inside the payload, at most what is left of it.
    let mut s = Session::server(SessionConfig::default());
    assert!(s.input_slot(10).is_none());
    let mut head = wire[..100].to_vec();
    assert_eq!(s.receive(&mut head).unwrap().consumed, 100);
    let left = wire.len() - 100;
    assert!(s.input_slot(left + 1).is_none());
    assert!(s.input_slot(0).is_none());
    s.input_slot(left).unwrap().copy_from_slice(&wire[100..]);
    // One pending slot at a time.
    assert!(s.input_slot(1).is_none());
    assert_eq!(s.receive(&mut []).unwrap().message, Some(Message::Text(&text)));

    // Invalid UTF-8 written into a slot: 1007, and the message is gone.
    let mut bad = text.clone().into_bytes();
    bad[5000] = 0xff;
    let wire = frame(true, 0, 1, key, &bad);
    let mut s = Session::server(SessionConfig::default());
    s.receive(&mut wire[..100].to_vec()).unwrap();
    s.input_slot(wire.len() - 100).unwrap().copy_from_slice(&wire[100..]);
    assert_eq!(s.receive(&mut []).unwrap_err(), Error::Protocol(ProtocolError::InvalidUtf8));
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.outgoing(), &[0x88, 0x02, 0x03, 0xef]);

    // Streaming and compressed messages take no slots.
    let mut s = Session::server(SessionConfig::default().with_streaming(true));
    s.receive(&mut frame(true, 0, 2, key, &[0; 1000])[..100].to_vec()).unwrap();
    assert!(s.input_slot(10).is_none());
    let params = DeflateParams::default_params();
    let mut s = Session::server(SessionConfig::default().with_deflate(params));
    let mut z = Compress::new(Compression::default(), false);
    let deflated = zlib_message(&mut z, &corpus::Prng::new(5).bytes(1000));
    s.receive(&mut frame(true, 4, 2, key, &deflated)[..100].to_vec()).unwrap();
    assert!(s.input_slot(10).is_none());

    // Fragments within a message limit of 3000: the slots stop at the limit.
    let mut config = SessionConfig::default();
    config.limits = config.limits.with_max_message_size(3000);
    let mut s = Session::server(config);
    let mut first = frame(false, 0, 2, key, &[1; 2000]);
    let second = frame(true, 0, 0, key, &[2; 2000]);
    assert_eq!(s.receive(&mut first).unwrap().message, None);
    // The second frame's header alone: its length already breaks the limit.
    let err = s.receive(&mut second[..8].to_vec()).unwrap_err();
    assert_eq!(err, Error::Protocol(ProtocolError::MessageTooLarge));
    assert!(s.input_slot(10).is_none());
}
