//! Entry points that exercise wsframe as firmware would; linked one at a
//! time with `--gc-sections`, each shows the code it pulls in.
#![no_std]

use core::slice;

use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, parse_request, write_accept};
use wsframe::{Config, Connection, DataKind, Event, RandomSource};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Receives whatever is in `input` and answers it: echo data (fragment by
/// fragment), pong pings, answer a Close, fail with the right close code.
fn echo<R: RandomSource>(conn: &mut Connection<R>, input: &mut [u8], out: &mut [u8]) -> usize {
    let mut pos = 0;
    let mut w = 0;
    loop {
        let rest = input.get_mut(pos..).unwrap_or_default();
        let dst = out.get_mut(w..).unwrap_or_default();
        let r = match conn.receive(rest) {
            Ok(r) => r,
            Err(e) => {
                let code = e.close_code();
                return w + conn.send_close(code, "", dst).unwrap_or(0);
            }
        };
        pos += r.consumed;
        let sent = match r.event {
            Some(Event::Text { data, last }) => conn.send_frame(DataKind::Text, data, last, dst),
            Some(Event::Binary { data, last }) => {
                conn.send_frame(DataKind::Binary, data, last, dst)
            }
            Some(Event::Ping(p)) => conn.send_pong(p, dst),
            Some(Event::Close(c)) => conn.send_close(c.map(|c| c.code), "", dst),
            Some(_) => Ok(0), // pongs (and anything newer) need no answer
            None => return w,
        };
        w += sent.unwrap_or(0);
    }
}

/// Server side of a connection: frame decoding, unmasking, UTF-8
/// validation, close handling, frame encoding.
///
/// # Safety
/// The pointers must describe valid, non-overlapping buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsf_server_echo(
    input: *mut u8,
    len: usize,
    out: *mut u8,
    cap: usize,
) -> usize {
    // SAFETY: the caller's contract.
    let (input, out) =
        unsafe { (slice::from_raw_parts_mut(input, len), slice::from_raw_parts_mut(out, cap)) };
    let mut conn = Connection::server(Config::default());
    echo(&mut conn, input, out)
}

/// Client side: the same plus masking what it sends with keys from the
/// caller's random source.
///
/// # Safety
/// The pointers must describe valid, non-overlapping buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsf_client_echo(
    input: *mut u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    random: extern "C" fn(*mut u8, usize),
) -> usize {
    // SAFETY: the caller's contract.
    let (input, out) =
        unsafe { (slice::from_raw_parts_mut(input, len), slice::from_raw_parts_mut(out, cap)) };
    let rng = move |buf: &mut [u8]| random(buf.as_mut_ptr(), buf.len());
    let mut conn = Connection::new(wsframe::Role::Client, Config::default(), rng);
    echo(&mut conn, input, out)
}

/// Server's opening handshake: parse and validate the request, pick the
/// first offered subprotocol, write the 101 with the accept key (SHA-1 + base64).
///
/// # Safety
/// The pointers must describe valid, non-overlapping buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsf_server_handshake(
    req: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
) -> usize {
    // SAFETY: the caller's contract.
    let (req, out) =
        unsafe { (slice::from_raw_parts(req, len), slice::from_raw_parts_mut(out, cap)) };
    match parse_request(req, DEFAULT_MAX_HANDSHAKE) {
        Ok(Some(r)) => {
            let protocol = r.protocols().next();
            write_accept(r.key(), protocol, None, &[], out).unwrap_or(0)
        }
        _ => 0,
    }
}

/// The minimal firmware server endpoint of DESIGN §6 (issue 12's code-size
/// lane): parse and accept an upgrade request, read one masked binary frame,
/// echo it and send Close 1000 "bye". `input` holds the request followed by
/// the frame; the 101, the echo and the Close go to `out`.
///
/// # Safety
/// The pointers must describe valid, non-overlapping buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsf_endpoint(
    input: *mut u8,
    len: usize,
    out: *mut u8,
    cap: usize,
) -> usize {
    // SAFETY: the caller's contract.
    let (input, out) =
        unsafe { (slice::from_raw_parts_mut(input, len), slice::from_raw_parts_mut(out, cap)) };
    let (head, mut w) = match parse_request(input, DEFAULT_MAX_HANDSHAKE) {
        Ok(Some(r)) => (r.consumed(), write_accept(r.key(), None, None, &[], out).unwrap_or(0)),
        _ => return 0,
    };
    let mut conn = Connection::server(Config::default());
    let frame = input.get_mut(head..).unwrap_or_default();
    if let Ok(r) = conn.receive(frame)
        && let Some(Event::Binary { data, last: true }) = r.event
    {
        w += conn.send_binary(data, out.get_mut(w..).unwrap_or_default()).unwrap_or(0);
    }
    w + conn
        .send_close(Some(wsframe::CloseCode::NORMAL), "bye", out.get_mut(w..).unwrap_or_default())
        .unwrap_or(0)
}

/// The same endpoint with embedded-websocket + httparse, the peer's figure.
/// Its `read` unmasks into a second buffer: 125 B on the stack, enough for
/// the one small frame.
///
/// # Safety
/// The pointers must describe valid, non-overlapping buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ews_endpoint(
    input: *mut u8,
    len: usize,
    out: *mut u8,
    cap: usize,
) -> usize {
    use embedded_websocket as ews;
    // SAFETY: the caller's contract.
    let (input, out) =
        unsafe { (slice::from_raw_parts(input, len), slice::from_raw_parts_mut(out, cap)) };
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut req = httparse::Request::new(&mut headers);
    let Ok(httparse::Status::Complete(head)) = req.parse(input) else { return 0 };
    let Ok(Some(ctx)) = ews::read_http_header(req.headers.iter().map(|h| (h.name, h.value))) else {
        return 0;
    };
    let mut ws = ews::WebSocketServer::new_server();
    let mut w = ws.server_accept(&ctx.sec_websocket_key, None, out).unwrap_or(0);
    let mut payload = [0u8; 125];
    let frame = input.get(head..).unwrap_or_default();
    if let Ok(r) = ws.read(frame, &mut payload)
        && r.message_type == ews::WebSocketReceiveMessageType::Binary
        && r.end_of_message
    {
        let msg = ews::WebSocketSendMessageType::Binary;
        let dst = out.get_mut(w..).unwrap_or_default();
        w += ws.write(msg, true, &payload[..r.len_to], dst).unwrap_or(0);
    }
    let code = ews::WebSocketCloseStatusCode::NormalClosure;
    w + ws.close(code, Some("bye"), out.get_mut(w..).unwrap_or_default()).unwrap_or(0)
}
