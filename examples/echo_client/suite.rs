//! `echo_client --suite`: the client side of the interop matrix
//! (`tests/interop/matrix/README.md`).
//!
//! Over one connection offering the subprotocols `matrix.v1, matrix.v2` (and
//! permessage-deflate with `--deflate`) it runs the contract's cases in order:
//! the subprotocol; text (ASCII and 4-byte UTF-8) and binary echoes of 0 to
//! 4 MiB; a text sent in three fragments; 1,000 pipelined texts; a Ping
//! answered by a Pong; a Close 4001 with a reason the server echoes. One JSON
//! object per line on stdout: `{"open": true, "protocol": ..., "extensions": ...}`
//! (`null` when the server selected none), then `{"case": NAME, "ok": BOOL}`
//! with a `detail`. Each case has 30 s; after a timeout the connection is not
//! used again (late echoes would be taken for the next case's), and the
//! remaining cases fail.

use std::time::{Duration, Instant};

use wsframe::{CloseCode, DataKind};

use super::{Client, Incoming, Offer, connect, show};

const CASE_TIMEOUT: Duration = Duration::from_secs(30);
const SIZES: [usize; 6] = [0, 125, 126, 65_535, 65_536, 4 << 20];
const FRAGMENTS: [&str; 3] = ["matrix-", "fragmented w", "örld 😀"];
const PIPELINED: usize = 1000;
const PING: &[u8] = b"matrix-ping";
const CLOSE_CODE: u16 = 4001;
const CLOSE_REASON: &str = "matrix-bye ü";
/// After the closing handshake, how long the server has to close TCP first.
const TCP_CLOSE_WAIT: Duration = Duration::from_secs(2);

/// A case's outcome: `Ok` with an optional note, or `Err` with why it failed.
type Outcome = Result<Option<&'static str>, String>;

struct Suite {
    c: Client,
    /// Why the connection can carry no more cases (a timeout, a failure, a Close).
    dead: Option<String>,
}

/// Runs the suite against `url`; `Err` only when it could not connect.
pub(crate) fn run(url: &str, deflate: bool) -> Result<(), String> {
    let offer = Offer { protocols: &["matrix.v1", "matrix.v2"], deflate };
    let c = connect(url, None, &offer)?;
    println!(
        "{{\"open\": true, \"protocol\": {}, \"extensions\": {}}}",
        json_or_null(c.protocol.as_deref()),
        json_or_null(c.extensions.as_deref())
    );
    let subprotocol = match c.protocol.as_deref() {
        Some("matrix.v1") => Ok(None),
        Some(p) => Err(format!("the server selected {p:?}")),
        None => Err("the server selected none".into()),
    };
    report("subprotocol", subprotocol);

    let mut s = Suite { c, dead: None };
    let kinds = [
        ("text-ascii", DataKind::Text),
        ("text-utf8", DataKind::Text),
        ("binary", DataKind::Binary),
    ];
    for (name, kind) in kinds {
        for n in SIZES {
            let data = payload(name, n);
            let outcome = s.case(|s, deadline| {
                s.send(|ws| ws.send(kind, &data, true))?;
                s.expect_message(kind, &data, deadline)?;
                Ok(None)
            });
            report(&format!("{name}-{n}"), outcome);
        }
    }
    let outcome = s.case(|s, deadline| {
        for (i, part) in FRAGMENTS.iter().enumerate() {
            let fin = i + 1 == FRAGMENTS.len();
            s.send(|ws| ws.send_fragment(DataKind::Text, part.as_bytes(), fin))?;
        }
        s.expect_message(DataKind::Text, FRAGMENTS.concat().as_bytes(), deadline)?;
        Ok(Some("the client sent 3 fragments"))
    });
    report("fragmented", outcome);
    let outcome = s.case(|s, deadline| {
        let texts: Vec<String> = (0..PIPELINED).map(|i| format!("pipelined-{i}")).collect();
        for t in &texts {
            s.send(|ws| ws.send_text(t))?;
        }
        // Every echo is read, even after a mismatch, to report the first one.
        let mut first_error = None;
        for (i, t) in texts.iter().enumerate() {
            if let Err(e) = s.expect_message(DataKind::Text, t.as_bytes(), deadline) {
                if s.dead.is_some() {
                    return Err(format!("message {i}: {e}"));
                }
                first_error.get_or_insert(format!("message {i}: {e}"));
            }
        }
        first_error.map_or(Ok(None), Err)
    });
    report("pipelined-1000", outcome);
    let outcome = s.case(|s, deadline| {
        s.send(|ws| ws.ping(PING))?;
        match s.recv(deadline)? {
            Incoming::Pong(p) if p == PING => Ok(Some("the client sent a Ping")),
            other => Err(format!("expected the Pong, got {}", show(&other))),
        }
    });
    report("ping", outcome);
    let outcome = s.case(|s, deadline| {
        s.send(|ws| ws.close(Some(CloseCode(CLOSE_CODE)), CLOSE_REASON))?;
        match s.recv(deadline)? {
            Incoming::Close(Some((CLOSE_CODE, reason))) if reason == CLOSE_REASON => {
                let _ = s.c.stream.set_read_timeout(Some(TCP_CLOSE_WAIT));
                let _ = s.c.expect_tcp_close();
                Ok(None)
            }
            other => Err(format!("the server's Close: {}", show(&other))),
        }
    });
    report("close-4001", outcome);
    Ok(())
}

impl Suite {
    /// Runs one case with its deadline, unless the connection is gone.
    fn case(&mut self, body: impl FnOnce(&mut Self, Instant) -> Outcome) -> Outcome {
        if let Some(why) = &self.dead {
            return Err(why.clone());
        }
        body(self, Instant::now() + CASE_TIMEOUT)
    }

    fn send(
        &mut self,
        queue: impl FnOnce(&mut wsframe::session::Session<super::Rng>) -> Result<(), wsframe::Error>,
    ) -> Result<(), String> {
        self.c.send(queue).inspect_err(|e| self.dead = Some(format!("connection failed: {e}")))
    }

    /// The next message or control frame before `deadline` (pings are answered).
    fn recv(&mut self, deadline: Instant) -> Result<Incoming, String> {
        let got = self.recv_inner(deadline);
        match &got {
            Err(e) if e.starts_with("timed out") => {
                self.dead = Some("not run: an earlier case timed out".into());
            }
            Err(e) => self.dead = Some(format!("connection failed: {e}")),
            Ok(close @ Incoming::Close(_)) => {
                self.dead = Some(format!("the server closed: {}", show(close)));
            }
            Ok(_) => {}
        }
        got
    }

    fn recv_inner(&mut self, deadline: Instant) -> Result<Incoming, String> {
        loop {
            match self.c.next_buffered()? {
                Some(Incoming::Ping(_)) => {}
                Some(other) => return Ok(other),
                None => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(format!("timed out after {} s", CASE_TIMEOUT.as_secs()));
                    }
                    let timeout = self.c.stream.set_read_timeout(Some(left));
                    timeout.map_err(|e| format!("socket options: {e}"))?;
                    // A read that times out is Ok(false): the loop checks the deadline.
                    self.c.read_more()?;
                }
            }
        }
    }

    /// Reads the next message and compares it with what was sent.
    fn expect_message(
        &mut self,
        kind: DataKind,
        sent: &[u8],
        deadline: Instant,
    ) -> Result<(), String> {
        let name = |k: DataKind| if k == DataKind::Text { "text" } else { "binary" };
        match self.recv(deadline)? {
            Incoming::Message(k, _) if k != kind => {
                Err(format!("echo is {}, sent {}", name(k), name(kind)))
            }
            Incoming::Message(_, got) if got.len() != sent.len() => {
                Err(format!("echo has {} bytes, sent {}", got.len(), sent.len()))
            }
            Incoming::Message(_, got) => match got.iter().zip(sent).position(|(a, b)| a != b) {
                Some(at) => Err(format!("echo differs at byte {at}")),
                None => Ok(()),
            },
            other => Err(format!("expected an echo, got {}", show(&other))),
        }
    }
}

/// The contract's payload of `n` bytes for the data cases named `case`: ASCII text
/// (byte i is `0x20 + (i * 7) % 95`), UTF-8 text (`n / 4` copies of U+1F600, then
/// `n % 4` of `a`), binary (byte i is `(i * 167 + 13) % 251`).
fn payload(case: &str, n: usize) -> Vec<u8> {
    match case {
        "text-ascii" => (0..n).map(|i| (0x20 + (i * 7) % 95) as u8).collect(),
        "text-utf8" => ("😀".repeat(n / 4) + &"a".repeat(n % 4)).into_bytes(),
        _ => (0..n).map(|i| ((i * 167 + 13) % 251) as u8).collect(),
    }
}

fn report(case: &str, outcome: Outcome) {
    let (ok, detail) = match outcome {
        Ok(note) => (true, note.map(str::to_owned)),
        Err(why) => (false, Some(why)),
    };
    let detail = detail.map(|d| format!(", \"detail\": {}", json(&d))).unwrap_or_default();
    println!("{{\"case\": {}, \"ok\": {ok}{detail}}}", json(case));
}

fn json_or_null(s: Option<&str>) -> String {
    s.map_or_else(|| "null".into(), json)
}

/// A JSON string literal.
fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
