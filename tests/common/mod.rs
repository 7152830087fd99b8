//! Shared test helpers: a hand-rolled frame builder (independent of the
//! encoder under test) and a driver that feeds bytes in arbitrary splits the
//! way a socket loop would.
#![allow(dead_code, unreachable_pub)]

pub mod corpus;

use wsframe::{Connection, DataKind, Error, Event, RandomSource};

/// Builds a frame byte by byte from RFC 6455 §5.2, not from `wsframe::frame`.
pub fn frame(fin: bool, rsv: u8, opcode: u8, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let m = if mask.is_some() { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        v.push(m | len as u8);
    } else if len <= 0xFFFF {
        v.push(m | 126);
        v.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        v.push(m | 127);
        v.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(k) => {
            v.extend_from_slice(&k);
            v.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => v.extend_from_slice(payload),
    }
    v
}

/// A masked client frame with a fixed key.
pub fn cframe(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame(fin, 0, opcode, Some([0x11, 0x22, 0x33, 0x44]), payload)
}

/// An owned, chunk-merged view of events so different splits compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    Text(Vec<u8>),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
    /// A whole compressed message, still deflated: (is text, bytes).
    Compressed(bool, Vec<u8>),
    Err(Error),
}

/// Feeds `bytes` to `conn` in pieces of the given sizes (cycled), keeping
/// unconsumed bytes like a socket loop, and returns merged events.
pub fn feed<R: RandomSource>(conn: &mut Connection<R>, bytes: &[u8], sizes: &[usize]) -> Vec<Ev> {
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut partial: Option<(bool, Vec<u8>)> = None;
    let mut pos = 0;
    let mut i = 0;
    while pos < bytes.len() {
        let n = sizes[i % sizes.len()].max(1).min(bytes.len() - pos);
        i += 1;
        buf.extend_from_slice(&bytes[pos..pos + n]);
        pos += n;
        let mut off = 0;
        loop {
            match conn.receive(&mut buf[off..]) {
                Err(e) => {
                    out.push(Ev::Err(e));
                    return out;
                }
                Ok(r) => {
                    off += r.consumed;
                    let Some(ev) = r.event else { break };
                    match ev {
                        Event::Text { data, last } | Event::Binary { data, last } => {
                            let is_text = matches!(ev, Event::Text { .. });
                            let p = partial.get_or_insert((is_text, Vec::new()));
                            assert_eq!(p.0, is_text, "chunk type changed mid-message");
                            p.1.extend_from_slice(data);
                            if last {
                                let (t, d) = partial.take().unwrap();
                                out.push(if t { Ev::Text(d) } else { Ev::Binary(d) });
                            }
                        }
                        Event::Compressed { kind, data, last } => {
                            let is_text = kind == DataKind::Text;
                            let p = partial.get_or_insert((is_text, Vec::new()));
                            p.1.extend_from_slice(data);
                            if last {
                                let (t, d) = partial.take().unwrap();
                                out.push(Ev::Compressed(t, d));
                            }
                        }
                        Event::Ping(p) => out.push(Ev::Ping(p.to_vec())),
                        Event::Pong(p) => out.push(Ev::Pong(p.to_vec())),
                        Event::Close(c) => {
                            out.push(Ev::Close(c.map(|c| (c.code.0, c.reason.to_string()))))
                        }
                    }
                }
            }
        }
        buf.drain(..off);
    }
    out
}

/// Feeds everything at once.
pub fn feed_all<R: RandomSource>(conn: &mut Connection<R>, bytes: &[u8]) -> Vec<Ev> {
    feed(conn, bytes, &[bytes.len().max(1)])
}

/// A deterministic xorshift source for tests (never for real masking keys).
pub fn test_rng(seed: u64) -> impl FnMut(&mut [u8]) {
    let mut s = seed | 1;
    move |buf: &mut [u8]| {
        for b in buf {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *b = s as u8;
        }
    }
}
