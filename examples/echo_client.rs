//! A WebSocket client over `std::net`, on the core's `Session`.
//!
//! ```text
//! cargo run --release --example echo_client -- --url ws://127.0.0.1:9001 \
//!     [--heartbeat SECS [--heartbeat-timeout SECS]] [--reconnect [--reconnect-max SECS]]
//! cargo run --release --example echo_client -- --suite --url ws://127.0.0.1:9001/ [--deflate]
//! ```
//!
//! Without options it checks an echo server step by step: a text message, a
//! binary one, a text message in three fragments, a ping, then a Close with
//! 1000 and a reason; one line per step between `connected: URL` and
//! `closed: 1000 "REASON"`, non-zero exit on any mismatch.
//!
//! With `--heartbeat` or `--reconnect` it stays connected: every line read
//! from stdin goes out as a text message and every message received is
//! printed (`< text`). `--heartbeat SECS` pings after SECS of silence and
//! gives the peer up as dead when nothing arrives within the timeout (default
//! SECS) after that. `--reconnect` reconnects after an abnormal closure (a
//! broken or silent connection, a failed connect) and after 1011, 1012 and
//! 1013, waiting as `wsframe::backoff` says: a random 0-5 s first, then
//! truncated binary exponential (RFC 6455 §7.2.3); a clean 1000 or 1001 ends
//! the program. At the end of stdin it closes with 1000 and exits 0.
//!
//! Output lines: `connected: URL`, `reconnect: attempt N in D ms`,
//! `closed: CODE "REASON"` or `closed: abnormal (WHY)`, `heartbeat: ping`,
//! `heartbeat: peer dead after D ms`. Masking keys and handshake nonces come
//! from `rand::rng()`, a ChaCha generator seeded and reseeded from the OS
//! (RFC 6455 §10.3: keys must be unpredictable).
//!
//! With `--suite` it runs the client contract of the interop matrix
//! (`tests/interop/matrix/README.md`, `echo_client/suite.rs`): one connection
//! offering the subprotocols `matrix.v1, matrix.v2` (and permessage-deflate
//! with `--deflate`), echo cases, fragments, 1,000 pipelined messages, a
//! ping, a Close 4001; one JSON line per result; exit 0 when the suite ran.

#[path = "echo_client/suite.rs"]
mod suite;

use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::thread;
use std::time::{Duration, Instant};

use rand::rngs::ThreadRng;
use wsframe::backoff::{Backoff, should_reconnect};
use wsframe::extensions::deflate::{DeflateConfig, DeflateParams};
use wsframe::handshake::{ClientRequest, Response};
use wsframe::keepalive::KeepaliveAction;
use wsframe::session::{Message, Session, SessionConfig};
use wsframe::{CloseCode, CryptoRandom, DataKind, Error, RandomSource, State};

const MAX_MESSAGE: u64 = 16 << 20;
const MAX_HANDSHAKE: usize = 8 << 10;
const READ_BUF: usize = 64 << 10;
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the session loop looks at stdin and the heartbeat when the
/// socket is quiet.
const TICK: Duration = Duration::from_millis(20);

type Rng = CryptoRandom<ThreadRng>;

struct Options {
    url: String,
    /// Heartbeat interval and timeout, in milliseconds.
    heartbeat: Option<(u64, u64)>,
    /// Reconnect, with this largest delay in milliseconds.
    reconnect: Option<u64>,
    /// `--suite`: the interop matrix's client contract, offering permessage-deflate
    /// when `deflate`.
    suite: bool,
    deflate: bool,
}

/// What the opening handshake offers beyond a bare upgrade.
struct Offer {
    protocols: &'static [&'static str],
    deflate: bool,
}

impl Offer {
    const NONE: Self = Self { protocols: &[], deflate: false };
}

/// What the server's answer agreed on.
struct Agreed {
    /// Bytes after the response head already read (frames the server sent early).
    filled: usize,
    protocol: Option<String>,
    /// The `Sec-WebSocket-Extensions` values as sent, joined with ", ".
    extensions: Option<String>,
    deflate: Option<DeflateParams>,
}

/// Something received, owned so the read buffer can be reused.
#[derive(Debug, PartialEq)]
enum Incoming {
    Message(DataKind, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

/// How a connection ended: the close code (1006 when no Close arrived) and why.
struct Ended {
    code: CloseCode,
    why: String,
}

impl Ended {
    fn abnormal(why: impl Into<String>) -> Self {
        Self { code: CloseCode::ABNORMAL_CLOSURE, why: why.into() }
    }
}

struct Client {
    stream: TcpStream,
    ws: Session<Rng>,
    buf: Vec<u8>,
    start: usize,
    filled: usize,
    /// The subprotocol and the extensions the server selected.
    protocol: Option<String>,
    extensions: Option<String>,
}

impl Client {
    /// Queues with `queue` and writes everything the session has queued.
    fn send(
        &mut self,
        queue: impl FnOnce(&mut Session<Rng>) -> Result<(), Error>,
    ) -> Result<(), String> {
        queue(&mut self.ws).map_err(|e| format!("send: {e}"))?;
        self.flush()
    }

    fn flush(&mut self) -> Result<(), String> {
        self.stream.write_all(self.ws.outgoing()).map_err(|e| format!("write: {e}"))?;
        self.ws.consume_outgoing(usize::MAX);
        Ok(())
    }

    /// Decodes what is buffered into the next message, if any; the session
    /// answers pings and closes on the way (flushed here).
    fn next_buffered(&mut self) -> Result<Option<Incoming>, String> {
        let received = self
            .ws
            .receive(&mut self.buf[self.start..self.filled])
            .map_err(|e| format!("receive: {e}"));
        let incoming = match received {
            Ok(r) => {
                self.start += r.consumed;
                r.message.map(|m| match m {
                    Message::Text(t) => Incoming::Message(DataKind::Text, t.as_bytes().to_vec()),
                    Message::Binary(b) => Incoming::Message(DataKind::Binary, b.to_vec()),
                    Message::Chunk { kind, data, .. } => Incoming::Message(kind, data.to_vec()),
                    Message::Ping(p) => Incoming::Ping(p.to_vec()),
                    Message::Pong(p) => Incoming::Pong(p.to_vec()),
                    Message::Close(f) => {
                        Incoming::Close(f.map(|f| (f.code.0, f.reason.to_owned())))
                    }
                })
            }
            Err(e) => {
                // The Close for the violation is queued: send it, then report.
                let _ = self.flush();
                return Err(e);
            }
        };
        self.flush()?;
        Ok(incoming)
    }

    /// Reads more from the socket; `Ok(false)` when the read timed out.
    fn read_more(&mut self) -> Result<bool, String> {
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        loop {
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Err("server closed TCP".into()),
                Ok(n) => {
                    self.filled += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Ok(false);
                }
                Err(e) => return Err(format!("read: {e}")),
            }
        }
    }

    /// The next message or control frame, waiting for it (pings are answered).
    fn recv(&mut self) -> Result<Incoming, String> {
        loop {
            match self.next_buffered()? {
                Some(Incoming::Ping(_)) => {}
                Some(other) => return Ok(other),
                None => {
                    if !self.read_more()? {
                        return Err("timed out".into());
                    }
                }
            }
        }
    }

    /// After the closing handshake the server closes TCP first (RFC 6455 §7.1.1).
    fn expect_tcp_close(&mut self) -> Result<(), String> {
        let mut sink = [0u8; 256];
        match self.stream.read(&mut sink) {
            Ok(0) => Ok(()),
            Ok(n) => Err(format!("{n} unexpected bytes after the Close")),
            Err(e) => Err(format!("waiting for the server to close TCP: {e}")),
        }
    }
}

fn usage() -> String {
    "usage: echo_client --url ws://HOST:PORT[/path] [--heartbeat SECS [--heartbeat-timeout SECS]] \
     [--reconnect [--reconnect-max SECS]]\n       \
     echo_client --suite --url ws://HOST:PORT[/path] [--deflate]"
        .into()
}

fn parse_args() -> Result<Options, String> {
    let mut url = None;
    let (mut interval, mut timeout, mut reconnect, mut max) = (None, None, false, 30.0);
    let (mut suite, mut deflate, mut max_given) = (false, false, false);
    let mut args = std::env::args().skip(1);
    let secs = |v: Option<String>, name: &str| -> Result<f64, String> {
        let v = v.ok_or_else(|| format!("{name} needs a value"))?;
        v.parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .ok_or_else(|| format!("{name}: bad seconds {v:?}"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = Some(args.next().ok_or("--url needs a value")?),
            "--heartbeat" => interval = Some(secs(args.next(), "--heartbeat")?),
            "--heartbeat-timeout" => timeout = Some(secs(args.next(), "--heartbeat-timeout")?),
            "--reconnect" => reconnect = true,
            "--reconnect-max" => {
                max = secs(args.next(), "--reconnect-max")?;
                max_given = true;
            }
            "--suite" => suite = true,
            "--deflate" => deflate = true,
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    // --deflate belongs to --suite, which takes none of the stdin client's options.
    let line_options = interval.is_some() || timeout.is_some() || reconnect || max_given;
    if suite && line_options {
        return Err(format!("--suite goes with --url and --deflate only\n{}", usage()));
    }
    if deflate && !suite {
        return Err(format!("--deflate needs --suite\n{}", usage()));
    }
    let ms = |s: f64| (s * 1000.0) as u64;
    Ok(Options {
        url: url.ok_or_else(usage)?,
        heartbeat: interval.map(|i| (ms(i), ms(timeout.unwrap_or(i)))),
        reconnect: reconnect.then_some(ms(max)),
        suite,
        deflate,
    })
}

fn connect(url: &str, heartbeat: Option<(u64, u64)>, offer: &Offer) -> Result<Client, String> {
    // RFC 7692 §7.1: the permessage-deflate offer, when asked for.
    let deflate = offer.deflate.then(DeflateConfig::default);
    let mut offer_buf = [0u8; 128];
    let extensions = match &deflate {
        Some(d) => {
            let n = d.write_offer(&mut offer_buf).map_err(|e| format!("deflate offer: {e}"))?;
            Some(std::str::from_utf8(&offer_buf[..n]).map_err(|e| format!("deflate offer: {e}"))?)
        }
        None => None,
    };
    let mut request = ClientRequest::new(url)
        .map_err(|e| format!("bad URL {url:?}: {e}"))?
        .protocols(offer.protocols);
    if let Some(e) = extensions {
        request = request.extensions(e);
    }
    if request.is_secure() {
        return Err("wss:// needs TLS, which this example does not do; use ws://".into());
    }
    let mut rng = CryptoRandom(rand::rng());
    let (host, port) = (request.host(), request.port());
    let mut stream =
        TcpStream::connect((host, port)).map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let setup = |s: &TcpStream| -> io::Result<()> {
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(TIMEOUT))?;
        s.set_write_timeout(Some(TIMEOUT))
    };
    setup(&stream).map_err(|e| format!("socket options: {e}"))?;

    let mut buf = vec![0u8; READ_BUF];
    let agreed = client_handshake(&mut stream, &mut rng, &request, deflate.as_ref(), &mut buf)?;
    let mut config = SessionConfig::default().with_max_message_size(MAX_MESSAGE);
    if let Some((interval, timeout)) = heartbeat {
        config = config.with_keepalive(interval, timeout);
    }
    if let Some(params) = agreed.deflate {
        config = config.with_deflate(params);
    }
    Ok(Client {
        stream,
        ws: Session::client(config, rng),
        buf,
        start: 0,
        filled: agreed.filled,
        protocol: agreed.protocol,
        extensions: agreed.extensions,
    })
}

/// Sends the upgrade request and checks the response (RFC 6455 §4.1, and RFC 7692 §7.1
/// against `deflate`, the offer made). Returns what was agreed on, and how many bytes
/// after the response head are already in `buf` (frames the server sent early).
fn client_handshake(
    stream: &mut TcpStream,
    rng: &mut Rng,
    request: &ClientRequest<'_>,
    deflate: Option<&DeflateConfig>,
    buf: &mut [u8],
) -> Result<Agreed, String> {
    // The nonce must be random for every connection (RFC 6455 §4.1).
    let mut nonce = [0u8; 16];
    rng.fill(&mut nonce).map_err(|e| format!("handshake nonce: {e}"))?;
    let handshake = request.write(nonce, buf).map_err(|e| format!("handshake request: {e}"))?;
    stream
        .write_all(&buf[..handshake.request_len()])
        .map_err(|e| format!("writing the handshake: {e}"))?;

    let mut filled = 0;
    loop {
        let n = match stream.read(&mut buf[filled..MAX_HANDSHAKE]) {
            Ok(0) => return Err("server closed TCP during the handshake".into()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading the handshake response: {e}")),
        };
        filled += n;
        let mut agreed = match handshake.check_response(&buf[..filled], MAX_HANDSHAKE) {
            Ok(Response::Partial) => continue,
            Ok(Response::Accepted(accepted)) => {
                let values: Vec<_> = accepted.extensions().map(String::from_utf8_lossy).collect();
                Agreed {
                    filled: accepted.consumed(),
                    protocol: accepted.protocol().map(str::to_owned),
                    extensions: (!values.is_empty()).then(|| values.join(", ")),
                    deflate: match deflate {
                        Some(d) => d
                            .accept_response(accepted.extensions())
                            .map_err(|e| format!("permessage-deflate response: {e}"))?,
                        None => None,
                    },
                }
            }
            Ok(Response::Rejected(r)) => {
                return Err(format!("server refused the upgrade: {} {}", r.status(), r.reason()));
            }
            Err(e) => return Err(format!("bad handshake response: {e}")),
        };
        let head_len = agreed.filled;
        buf.copy_within(head_len..filled, 0);
        agreed.filled = filled - head_len;
        return Ok(agreed);
    }
}

/// The step-by-step check of an echo server.
fn check_echo(url: &str) -> Result<(), String> {
    let mut c = connect(url, None, &Offer::NONE)?;
    println!("connected: {url}");

    let text = "Hello";
    c.send(|ws| ws.send_text(text))?;
    expect(&mut c, "text", Incoming::Message(DataKind::Text, text.into()))?;
    println!("text: sent {} bytes, echoed ok", text.len());

    let binary: Vec<u8> = (0..1024u32).map(|i| (i % 251) as u8).collect();
    c.send(|ws| ws.send_binary(&binary))?;
    expect(&mut c, "binary", Incoming::Message(DataKind::Binary, binary.clone()))?;
    println!("binary: sent {} bytes, echoed ok", binary.len());

    let parts = ["frag", "mented ", "text"];
    for (i, part) in parts.iter().enumerate() {
        let fin = i + 1 == parts.len();
        c.send(|ws| ws.send_fragment(DataKind::Text, part.as_bytes(), fin))?;
    }
    let whole = parts.concat();
    expect(&mut c, "fragmented", Incoming::Message(DataKind::Text, whole.clone().into()))?;
    println!("fragmented: sent {} frames ({} bytes), echoed whole ok", parts.len(), whole.len());

    let ping = b"are you there?";
    c.send(|ws| ws.ping(ping))?;
    expect(&mut c, "ping", Incoming::Pong(ping.to_vec()))?;
    println!("ping: sent {} bytes, pong ok", ping.len());

    let reason = "demo done";
    c.send(|ws| ws.close(Some(CloseCode::NORMAL), reason))?;
    match c.recv()? {
        Incoming::Close(Some((1000, echoed))) => {
            c.expect_tcp_close()?;
            println!("close: sent 1000 {reason:?}, echoed 1000 {echoed:?}, TCP closed by server");
            println!("closed: 1000 {echoed:?}");
        }
        other => return Err(format!("close: expected Close 1000, got {}", show(&other))),
    }
    Ok(())
}

fn expect(c: &mut Client, step: &str, want: Incoming) -> Result<(), String> {
    let got = c.recv()?;
    if got == want {
        Ok(())
    } else {
        Err(format!("{step}: expected {}, got {}", show(&want), show(&got)))
    }
}

fn show(i: &Incoming) -> String {
    match i {
        Incoming::Message(DataKind::Text, d) => format!("text of {} bytes", d.len()),
        Incoming::Message(_, d) => format!("binary of {} bytes", d.len()),
        Incoming::Ping(p) => format!("ping of {} bytes", p.len()),
        Incoming::Pong(p) => format!("pong {:?}", String::from_utf8_lossy(p)),
        Incoming::Close(None) => "Close without a code".into(),
        Incoming::Close(Some((code, reason))) => format!("Close {code} {reason:?}"),
    }
}

/// Stdin lines, read on a thread of their own; `None` at the end of stdin.
fn stdin_lines() -> Receiver<Option<String>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(Some(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(None);
    });
    rx
}

/// What the session loop ended with: the connection's end, or the end of stdin
/// after a clean close of our own.
enum Outcome {
    Ended(Ended),
    StdinDone,
}

/// One connection: stdin lines out, messages in, the heartbeat, until it ends.
fn serve(
    c: &mut Client,
    lines: &Receiver<Option<String>>,
    epoch: Instant,
    opts: &Options,
) -> Outcome {
    let now = || epoch.elapsed().as_millis() as u64;
    let _ = c.stream.set_read_timeout(Some(TICK));
    c.ws.poll(now());
    let mut closing = false;
    loop {
        // Everything already buffered first.
        loop {
            match c.next_buffered() {
                Ok(Some(Incoming::Message(DataKind::Text, t))) => {
                    println!("< {}", String::from_utf8_lossy(&t));
                }
                Ok(Some(Incoming::Message(_, b))) => println!("< [binary, {} bytes]", b.len()),
                Ok(Some(Incoming::Close(frame))) => {
                    let (code, reason) = frame.unwrap_or((1005, String::new()));
                    let _ = c.expect_tcp_close();
                    if closing {
                        return Outcome::StdinDone;
                    }
                    return Outcome::Ended(Ended { code: CloseCode(code), why: reason });
                }
                Ok(Some(Incoming::Ping(_) | Incoming::Pong(_))) => {}
                Ok(None) => break,
                Err(e) => return Outcome::Ended(Ended::abnormal(e)),
            }
        }
        if c.ws.state() == State::Closed {
            return Outcome::StdinDone;
        }
        match c.read_more() {
            Ok(_) => {}
            Err(e) => return Outcome::Ended(Ended::abnormal(e)),
        }
        match c.ws.poll(now()) {
            KeepaliveAction::SendPing => {
                println!("heartbeat: ping");
                if let Err(e) = c.flush() {
                    return Outcome::Ended(Ended::abnormal(e));
                }
            }
            KeepaliveAction::PeerDead => {
                let (interval, timeout) = opts.heartbeat.unwrap_or((0, 0));
                println!("heartbeat: peer dead after {} ms", interval + timeout);
                return Outcome::Ended(Ended::abnormal("no answer to the heartbeat"));
            }
            _ => {}
        }
        if closing {
            continue;
        }
        match lines.try_recv() {
            Ok(Some(line)) => {
                if let Err(e) = c.send(|ws| ws.send_text(&line)) {
                    return Outcome::Ended(Ended::abnormal(e));
                }
            }
            Ok(None) | Err(TryRecvError::Disconnected) => {
                closing = true;
                if c.send(|ws| ws.close(Some(CloseCode::NORMAL), "done")).is_err() {
                    return Outcome::StdinDone;
                }
            }
            Err(TryRecvError::Empty) => {}
        }
    }
}

/// Stays connected (and reconnects) until stdin ends or the peer closes cleanly.
fn run_session(opts: &Options) -> Result<(), String> {
    let epoch = Instant::now();
    let lines = stdin_lines();
    let mut backoff = Backoff::new(opts.reconnect.unwrap_or(30_000));
    let mut rng = CryptoRandom(rand::rng());
    loop {
        let ended = match connect(&opts.url, opts.heartbeat, &Offer::NONE) {
            Ok(mut c) => {
                println!("connected: {}", opts.url);
                backoff.reset();
                match serve(&mut c, &lines, epoch, opts) {
                    Outcome::StdinDone => {
                        println!("closed: 1000 \"done\"");
                        return Ok(());
                    }
                    Outcome::Ended(e) => e,
                }
            }
            Err(e) => Ended::abnormal(e),
        };
        if ended.code == CloseCode::ABNORMAL_CLOSURE {
            println!("closed: abnormal ({})", ended.why);
        } else {
            println!("closed: {} {:?}", ended.code.0, ended.why);
        }
        if opts.reconnect.is_none() || !should_reconnect(ended.code) {
            return if should_reconnect(ended.code) { Err(ended.why) } else { Ok(()) };
        }
        let delay = backoff.next_delay(&mut rng);
        println!("reconnect: attempt {} in {delay} ms", backoff.attempts());
        // Sleep, but leave at once if stdin ends meanwhile.
        match lines.recv_timeout(Duration::from_millis(delay)) {
            Ok(None) | Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Ok(Some(line)) => eprintln!("echo_client: not connected, dropped {line:?}"),
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("echo_client: {e}");
            return ExitCode::from(2);
        }
    };
    let result = if opts.suite {
        suite::run(&opts.url, opts.deflate)
    } else if opts.heartbeat.is_some() || opts.reconnect.is_some() {
        run_session(&opts)
    } else {
        check_echo(&opts.url)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_client: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
