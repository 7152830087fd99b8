//! A WebSocket echo client over `std::net`: checks an echo server step by step.
//!
//! ```text
//! cargo run --release --example echo_client -- --url ws://127.0.0.1:9001
//! ```
//!
//! Sends a text message, a binary message, a text message in three fragments, a ping,
//! then a Close with 1000 and a reason, and prints one line per step. Exits non-zero on
//! any mismatch. Randomness (the handshake nonce and the masking keys, RFC 6455 §10.3)
//! comes from `/dev/urandom`.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use wsframe::handshake::{ClientRequest, Response};
use wsframe::session::{Message, Session, SessionConfig};
use wsframe::{CloseCode, DataKind, Error, RandomError, RandomSource};

const MAX_MESSAGE: usize = 16 << 20;
const MAX_HANDSHAKE: usize = 8 << 10;
const READ_BUF: usize = 64 << 10;
const TIMEOUT: Duration = Duration::from_secs(10);

/// The OS's randomness; a client must never use predictable masking keys.
struct UrandomSource(File);

impl RandomSource for UrandomSource {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        // A failed read sends nothing: better than a predictable key (RFC 6455 §10.3).
        self.0.read_exact(dest).map_err(|_| RandomError)
    }
}

/// Something received, owned so the read buffer can be reused.
#[derive(Debug, PartialEq)]
enum Incoming {
    Message(DataKind, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

struct Client {
    stream: TcpStream,
    ws: Session<UrandomSource>,
    buf: Vec<u8>,
    start: usize,
    filled: usize,
}

impl Client {
    /// Queues with `queue` and writes everything the session has queued.
    fn send(
        &mut self,
        queue: impl FnOnce(&mut Session<UrandomSource>) -> Result<(), Error>,
    ) -> Result<(), String> {
        queue(&mut self.ws).map_err(|e| format!("send: {e}"))?;
        self.flush()
    }

    fn flush(&mut self) -> Result<(), String> {
        self.stream.write_all(self.ws.outgoing()).map_err(|e| format!("write: {e}"))?;
        self.ws.consume_outgoing(usize::MAX);
        Ok(())
    }

    /// The next message or control frame; the session answers pings on the way.
    fn recv(&mut self) -> Result<Incoming, String> {
        loop {
            let received = self
                .ws
                .receive(&mut self.buf[self.start..self.filled])
                .map_err(|e| format!("receive: {e}"))?;
            self.start += received.consumed;
            let incoming = received.message.map(|m| match m {
                Message::Text(t) => Incoming::Message(DataKind::Text, t.as_bytes().to_vec()),
                Message::Binary(b) => Incoming::Message(DataKind::Binary, b.to_vec()),
                Message::Chunk { kind, data, .. } => Incoming::Message(kind, data.to_vec()),
                Message::Ping(p) => Incoming::Ping(p.to_vec()),
                Message::Pong(p) => Incoming::Pong(p.to_vec()),
                Message::Close(f) => Incoming::Close(f.map(|f| (f.code.0, f.reason.to_owned()))),
            });
            self.flush()?;
            match incoming {
                Some(Incoming::Ping(_)) => {}
                Some(other) => return Ok(other),
                None => self.read_more()?,
            }
        }
    }

    fn read_more(&mut self) -> Result<(), String> {
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        loop {
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) => return Err("server closed TCP".into()),
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("read: {e}")),
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

fn parse_args() -> Result<String, String> {
    let mut url = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = Some(args.next().ok_or("--url needs a value")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    url.ok_or_else(|| "usage: echo_client --url ws://HOST:PORT[/path]".into())
}

fn connect(url: &str) -> Result<Client, String> {
    let request = ClientRequest::new(url).map_err(|e| format!("bad URL {url:?}: {e}"))?;
    if request.is_secure() {
        return Err("wss:// needs TLS, which this example does not do; use ws://".into());
    }
    let mut rng =
        UrandomSource(File::open("/dev/urandom").map_err(|e| format!("/dev/urandom: {e}"))?);
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
    let filled = client_handshake(&mut stream, &mut rng, &request, &mut buf)?;
    let config = SessionConfig::default().with_max_message_size(MAX_MESSAGE as u64);
    Ok(Client { stream, ws: Session::client(config, rng), buf, start: 0, filled })
}

/// Sends the upgrade request and checks the response (RFC 6455 §4.1). Returns how many
/// bytes after the response head are already in `buf` (frames the server sent early).
fn client_handshake(
    stream: &mut TcpStream,
    rng: &mut UrandomSource,
    request: &ClientRequest<'_>,
    buf: &mut [u8],
) -> Result<usize, String> {
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
        let head_len = match handshake.check_response(&buf[..filled], MAX_HANDSHAKE) {
            Ok(Response::Partial) => continue,
            Ok(Response::Accepted(accepted)) => accepted.consumed(),
            Ok(Response::Rejected(r)) => {
                return Err(format!("server refused the upgrade: {} {}", r.status(), r.reason()));
            }
            Err(e) => return Err(format!("bad handshake response: {e}")),
        };
        buf.copy_within(head_len..filled, 0);
        return Ok(filled - head_len);
    }
}

fn run(url: &str) -> Result<(), String> {
    let mut c = connect(url)?;
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

fn main() -> ExitCode {
    let url = match parse_args() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("echo_client: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_client: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
