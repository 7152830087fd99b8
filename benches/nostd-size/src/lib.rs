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
