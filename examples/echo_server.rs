//! A WebSocket echo server over `std::net`, one thread per connection.
//!
//! ```text
//! cargo run --release --example echo_server -- --port 9001 [--deflate] [--quiet]
//! ```
//!
//! Prints `listening on 127.0.0.1:PORT` on stdout when ready (`--port 0` picks a free
//! port). Echoes every text and binary message whole, with the same type; answers pings;
//! echoes the close code; on a protocol violation sends the close code the core reports.
//! Messages up to 16 MiB in any number of fragments; handshakes up to 8 KiB.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams};
use wsframe::handshake;
use wsframe::message::MessageAssembler;
use wsframe::{
    CloseCode, Config, Connection, DataKind, Error, Event, NoRandom, ProtocolError, Role, frame,
};

/// Largest message echoed (DESIGN.md §5).
const MAX_MESSAGE: usize = 16 << 20;
/// Largest opening handshake accepted.
const MAX_HANDSHAKE: usize = handshake::DEFAULT_MAX_HANDSHAKE;
/// Time a client has to complete its handshake (a slowloris gets no thread for long).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A peer that stops reading our output is dropped after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Time we wait for the peer to close TCP after the closing handshake.
const LINGER: Duration = Duration::from_secs(2);
/// Socket read buffer; frames larger than this stream through it as chunks.
const READ_BUF: usize = 64 << 10;

struct Options {
    port: u16,
    quiet: bool,
    deflate: bool,
}

fn usage() -> &'static str {
    "usage: echo_server --port PORT [--deflate] [--quiet]"
}

fn parse_args() -> Result<Options, String> {
    let mut port = None;
    let mut quiet = false;
    let mut deflate = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let v = args.next().ok_or("--port needs a value")?;
                port = Some(v.parse::<u16>().map_err(|_| format!("bad port {v:?}"))?);
            }
            "--deflate" => deflate = true,
            "--quiet" | "-q" => quiet = true,
            "--help" | "-h" => return Err(usage().into()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    let port = port.ok_or_else(|| format!("--port is required\n{}", usage()))?;
    Ok(Options { port, quiet, deflate })
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("echo_server: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", opts.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("echo_server: cannot listen on 127.0.0.1:{}: {e}", opts.port);
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    let mut stdout = io::stdout();
    // Test drivers wait for exactly this line.
    if writeln!(stdout, "listening on 127.0.0.1:{port}").and_then(|()| stdout.flush()).is_err() {
        return ExitCode::FAILURE;
    }

    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let (quiet, deflate) = (opts.quiet, opts.deflate);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
                let spawned = thread::Builder::new()
                    .name(format!("conn-{id}"))
                    .spawn(move || serve(stream, id, quiet, deflate));
                if let Err(e) = spawned {
                    eprintln!("echo_server: cannot spawn a thread: {e}");
                }
            }
            Err(e) => {
                // EMFILE and friends: back off briefly instead of spinning.
                eprintln!("echo_server: accept: {e}");
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
    ExitCode::SUCCESS
}

/// Runs one connection to completion, logging how it ended.
fn serve(mut stream: TcpStream, id: u64, quiet: bool, deflate: bool) {
    let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| "?".into());
    let outcome = session(&mut stream, deflate);
    if !quiet {
        match outcome {
            Ok(how) => eprintln!("conn {id} ({peer}): {how}"),
            Err(e) => eprintln!("conn {id} ({peer}): i/o error: {e}"),
        }
    }
}

/// The handshake, then the echo loop. Returns how the connection ended.
fn session(stream: &mut TcpStream, deflate: bool) -> io::Result<String> {
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut buf = vec![0u8; READ_BUF];
    let (mut filled, params) = match handshake(stream, &mut buf, deflate)? {
        Ok(upgraded) => upgraded,
        Err(why) => return Ok(why),
    };
    stream.set_read_timeout(None)?;

    let config = Config::default().with_compression(params.is_some());
    let mut conn = Connection::new(Role::Server, config, NoRandom);
    let mut assembler = MessageAssembler::new(MAX_MESSAGE);
    // With permessage-deflate: inflate what arrives compressed, compress every echo.
    let mut codec = params.map(|p| {
        (
            Compressor::new(Role::Server, &p, &DeflateConfig::default()),
            Decompressor::new(Role::Server, &p, MAX_MESSAGE),
        )
    });
    let mut out: Vec<u8> = Vec::new();

    loop {
        let mut off = 0;
        loop {
            let received = match conn.receive(&mut buf[off..filled]) {
                Ok(r) => r,
                Err(e) => return fail(stream, &mut conn, &mut out, e),
            };
            off += received.consumed;
            let Some(event) = received.event else { break };
            match event {
                Event::Text { .. } | Event::Binary { .. } => match assembler.push_event(&event) {
                    Ok(Some((kind, message))) => {
                        echo(stream, &mut conn, &mut codec, &mut out, kind, message)?
                    }
                    Ok(None) => {}
                    Err(e) => return fail(stream, &mut conn, &mut out, e),
                },
                Event::Compressed { kind, data, last } => {
                    let Some((compressor, decompressor)) = codec.as_mut() else {
                        // The core reports these only when compression was negotiated.
                        let e = Error::Protocol(ProtocolError::ReservedBits);
                        return fail(stream, &mut conn, &mut out, e);
                    };
                    match decompressor.decompress(kind, data, last) {
                        Ok(Some((kind, message))) => {
                            let compressed = compressor.compress(message);
                            send_message(stream, &mut out, compressed.len(), |out| {
                                conn.send_compressed_frame(kind, compressed, true, out)
                            })?
                        }
                        Ok(None) => {}
                        Err(e) => return fail(stream, &mut conn, &mut out, e),
                    }
                }
                Event::Ping(payload) => {
                    send_message(stream, &mut out, payload.len(), |out| {
                        conn.send_pong(payload, out)
                    })?;
                }
                Event::Pong(_) => {}
                Event::Close(frame) => {
                    // RFC 6455 §5.5.1: echo the status code (and here the reason too).
                    let (code, reason) = frame.map_or((None, ""), |f| (Some(f.code), f.reason));
                    send_message(stream, &mut out, 2 + reason.len(), |out| {
                        conn.send_close(code, reason, out)
                    })?;
                    linger(stream);
                    return Ok(match code {
                        Some(c) => format!("closed by peer with {}", c.0),
                        None => "closed by peer without a code".into(),
                    });
                }
            }
        }
        // Keep the unconsumed tail (a partial frame header) for the next read.
        buf.copy_within(off..filled, 0);
        filled -= off;
        if filled == buf.len() {
            // The core consumes payload as it streams, so only a header can be pending.
            return Err(io::Error::other("receive made no progress on a full buffer"));
        }
        let n = match stream.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok("peer closed TCP without a Close frame".into());
        }
        filled += n;
    }
}

/// Echoes a whole message with its type, compressed when permessage-deflate is on.
fn echo(
    stream: &mut TcpStream,
    conn: &mut Connection<NoRandom>,
    codec: &mut Option<(Compressor, Decompressor)>,
    out: &mut Vec<u8>,
    kind: DataKind,
    message: &[u8],
) -> io::Result<()> {
    match codec {
        Some((compressor, _)) => {
            let compressed = compressor.compress(message);
            send_message(stream, out, compressed.len(), |out| {
                conn.send_compressed_frame(kind, compressed, true, out)
            })
        }
        None => send_message(stream, out, message.len(), |out| {
            conn.send_frame(kind, message, true, out)
        }),
    }
}

/// Encodes with `encode` into `out` (grown to fit, never shrunk) and writes it.
fn send_message(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    payload_len: usize,
    encode: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
) -> io::Result<()> {
    let need = frame::max_frame_len(payload_len);
    if out.len() < need {
        out.resize(need, 0);
    }
    let n = encode(out).map_err(io::Error::other)?;
    stream.write_all(&out[..n])
}

/// Fails the connection (RFC 6455 §7.1.7): the close code the core reports, then TCP close.
fn fail(
    stream: &mut TcpStream,
    conn: &mut Connection<NoRandom>,
    out: &mut Vec<u8>,
    err: Error,
) -> io::Result<String> {
    // Violations found by the assembler or the decompressor fail the connection
    // the same way the core's own do (it is already Failed after a receive error).
    if let Error::Protocol(violation) = err {
        conn.fail(violation);
    }
    let code: Option<CloseCode> = err.close_code();
    if code.is_some() {
        send_message(stream, out, 0, |out| conn.send_close(code, "", out))?;
    }
    linger(stream);
    Ok(format!("failed: {err}"))
}

/// Closes our side and waits briefly for the peer's FIN, so that the Close frame we
/// just wrote is not destroyed by a reset (closing with unread input sends RST).
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER));
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// Bytes of frame data that came with the handshake, and the deflate agreement.
type Upgraded = (usize, Option<DeflateParams>);

/// Reads and answers the opening handshake (RFC 6455 §4.2).
///
/// `Ok(Ok((n, params)))`: upgraded; `buf[..n]` holds bytes that followed the request (frame
/// data); `params` is the permessage-deflate agreement when `deflate` allowed one.
/// `Ok(Err(why))`: rejected or abandoned; the connection is done.
fn handshake(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deflate: bool,
) -> io::Result<Result<Upgraded, String>> {
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    let mut filled = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Err("handshake timed out".into()));
        }
        stream.set_read_timeout(Some(left))?;
        let n = match stream.read(&mut buf[filled..MAX_HANDSHAKE]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(Err("handshake timed out".into()));
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(Err("peer closed TCP during the handshake".into()));
        }
        filled += n;
        let mut response = [0u8; 1024];
        let mut extensions = [0u8; 128];
        let (response_len, head_len, params) =
            match handshake::parse_request(&buf[..filled], MAX_HANDSHAKE) {
                Ok(None) => continue,
                Ok(Some(request)) => {
                    // No subprotocol is selected (RFC 6455 §4.2.2); permessage-deflate if allowed.
                    let params = if deflate {
                        DeflateConfig::default().negotiate(request.extensions())
                    } else {
                        None
                    };
                    let ext_len = match &params {
                        Some(p) => p.write_response(&mut extensions).map_err(io::Error::other)?,
                        None => 0,
                    };
                    let ext =
                        std::str::from_utf8(&extensions[..ext_len]).ok().filter(|e| !e.is_empty());
                    let n = handshake::write_accept(request.key(), None, ext, &[], &mut response)
                        .map_err(io::Error::other)?;
                    (n, request.consumed(), params)
                }
                Err(e) => {
                    if let Ok(n) = handshake::write_reject_for(&e, &mut response) {
                        stream.write_all(&response[..n])?;
                    }
                    linger(stream);
                    return Ok(Err(format!("handshake refused: {e}")));
                }
            };
        stream.write_all(&response[..response_len])?;
        buf.copy_within(head_len..filled, 0);
        return Ok(Ok((filled - head_len, params)));
    }
}
