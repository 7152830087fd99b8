//! A WebSocket echo server over `std::net`, one thread per connection.
//!
//! ```text
//! cargo run --release --example echo_server -- --port 9001 [--deflate] [--quiet]
//! ```
//!
//! Prints `listening on 127.0.0.1:PORT` on stdout when ready (`--port 0` picks a free
//! port). Echoes every text and binary message whole, with the same type; answers pings;
//! echoes the close code; on a protocol violation sends the close code the core reports.
//! Selects the first subprotocol a client offers. The protocol work is the core's
//! `Session`; this file is the socket loop and the handshake.
//! Messages up to 16 MiB in any number of fragments; handshakes up to 8 KiB.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use wsframe::extensions::deflate::{DeflateConfig, DeflateParams};
use wsframe::handshake;
use wsframe::session::{Message, Session, SessionConfig};

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

    let mut config = SessionConfig::default().with_max_message_size(MAX_MESSAGE as u64);
    if let Some(p) = params {
        config = config.with_deflate(p);
    }
    // The Session answers pings and closes and queues the Close a violation calls for.
    let mut ws = Session::server(config);

    loop {
        let mut off = 0;
        let ended = loop {
            let received = match ws.receive(&mut buf[off..filled]) {
                Ok(r) => r,
                Err(e) => break Some(format!("failed: {e}")),
            };
            off += received.consumed;
            match received.message {
                None => break None,
                Some(Message::Text(text)) => {
                    // The message borrows the session or the buffer: copy before replying.
                    let text = text.to_owned();
                    ws.send_text(&text).map_err(io::Error::other)?;
                }
                Some(Message::Binary(data)) => {
                    let data = data.to_vec();
                    ws.send_binary(&data).map_err(io::Error::other)?;
                }
                Some(Message::Close(frame)) => {
                    break Some(match frame {
                        Some(f) => format!("closed by peer with {}", f.code.0),
                        None => "closed by peer without a code".into(),
                    });
                }
                Some(Message::Ping(_) | Message::Pong(_) | Message::Chunk { .. }) => {}
            }
        };
        stream.write_all(ws.outgoing())?;
        ws.consume_outgoing(usize::MAX);
        if let Some(how) = ended {
            linger(stream);
            return Ok(how);
        }
        // Keep the unconsumed tail (a partial frame header) for the next read.
        buf.copy_within(off..filled, 0);
        filled -= off;
        if filled == buf.len() {
            // Payload is consumed as it streams, so only a header can be pending.
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
                    // The first subprotocol offered is selected (browsers fail a handshake
                    // whose offer gets no answer); permessage-deflate if allowed.
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
                    let protocol = request.protocols().next();
                    let n =
                        handshake::write_accept(request.key(), protocol, ext, &[], &mut response)
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
