//! wsframe, the implementation under test, through its public API only.

use std::hint::black_box;
use std::rc::Rc;

use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, parse_request, write_accept};
use wsframe::session::{Message, Session, SessionConfig};
use wsframe::utf8::{Utf8Validator, validate};
use wsframe::{Config, Connection, Event, Role};

use crate::harness::{Case, case, case_with_prep};
use crate::inputs::Rng;
use crate::io::{READ_CAP, Source};

pub fn unmask(size: usize, iters: usize) -> Box<dyn Case> {
    let buf = crate::inputs::random_bytes(size, 7);
    case(buf, move |buf| {
        for _ in 0..iters {
            wsframe::mask::apply_mask(black_box(&mut buf[..]), [0x37, 0xfa, 0x21, 0x3d], 0);
        }
        u64::from(buf[0])
    })
}

/// A socket loop: reads of up to 64 KiB into one reused buffer; `decode`
/// takes what it can of the buffered bytes and says how many it used; the
/// unconsumed tail is kept for the next read.
fn read_loop(input: &Rc<Vec<u8>>, buf: &mut [u8], mut decode: impl FnMut(&mut [u8]) -> usize) {
    let mut src = Source::new(input.clone());
    let mut have = 0usize;
    loop {
        let n = src.read_into(&mut buf[have..]);
        if n == 0 {
            break;
        }
        have += n;
        let used = decode(&mut buf[..have]);
        buf.copy_within(used..have, 0);
        have -= used;
    }
}

/// A server receiving a client's stream: `receive` until it wants more.
pub fn decode(input: Rc<Vec<u8>>) -> Box<dyn Case> {
    let state = (input, vec![0u8; READ_CAP]);
    case(state, |(input, buf)| {
        let mut conn = Connection::server(Config::default());
        let (mut bytes, mut msgs) = (0u64, 0u64);
        read_loop(input, buf, |buf| {
            let mut start = 0;
            loop {
                let r = conn.receive(&mut buf[start..]).expect("valid input");
                start += r.consumed;
                match r.event {
                    Some(Event::Binary { data, last } | Event::Text { data, last }) => {
                        black_box(data);
                        bytes += data.len() as u64;
                        msgs += u64::from(last);
                    }
                    Some(_) => {}
                    None => return start,
                }
            }
        });
        bytes + msgs
    })
}

/// The same stream through the message layer: `Session::receive`, whole
/// messages (a single-frame message straight from the read buffer, larger
/// ones reassembled), with the automatic replies it would queue.
pub fn decode_session(input: Rc<Vec<u8>>) -> Box<dyn Case> {
    let state = (input, vec![0u8; READ_CAP]);
    case(state, |(input, buf)| {
        let mut ws = Session::server(SessionConfig::default());
        let (mut bytes, mut msgs) = (0u64, 0u64);
        read_loop(input, buf, |buf| {
            let mut start = 0;
            loop {
                let r = ws.receive(&mut buf[start..]).expect("valid input");
                start += r.consumed;
                let len = match r.message {
                    Some(Message::Binary(data)) => black_box(data).len(),
                    Some(Message::Text(text)) => black_box(text).len(),
                    Some(_) => continue,
                    None => return start,
                };
                bytes += len as u64;
                msgs += 1;
            }
        });
        bytes + msgs
    })
}

/// Frames queued by `Session::send_binary` and taken from its outgoing
/// buffer after each send, as a socket loop would.
pub fn encode_session(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Box<dyn Case> {
    case(payload, move |payload| {
        let mut total = 0usize;
        let mut drain = |out: &[u8]| {
            black_box(out);
            total += out.len();
            out.len()
        };
        if client {
            let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
            let keys = move |k: &mut [u8]| rng.fill(k);
            let mut ws = Session::client(SessionConfig::default(), keys);
            for _ in 0..count {
                ws.send_binary(payload).expect("open");
                let n = drain(ws.outgoing());
                ws.consume_outgoing(n);
            }
        } else {
            let mut ws = Session::server(SessionConfig::default());
            for _ in 0..count {
                ws.send_binary(payload).expect("open");
                let n = drain(ws.outgoing());
                ws.consume_outgoing(n);
            }
        }
        total as u64
    })
}

pub fn encode(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Box<dyn Case> {
    let out = vec![0u8; count * (payload.len() + 14)];
    case(out, move |out| {
        let mut pos = 0;
        if client {
            let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
            let keys = move |k: &mut [u8]| rng.fill(k);
            let mut conn = Connection::new(Role::Client, Config::default(), keys);
            for _ in 0..count {
                pos += conn.send_binary(&payload, &mut out[pos..]).expect("fits");
            }
        } else {
            let mut conn = Connection::server(Config::default());
            for _ in 0..count {
                pos += conn.send_binary(&payload, &mut out[pos..]).expect("fits");
            }
        }
        black_box(&out[..pos]);
        pos as u64
    })
}

pub fn utf8_validate(text: &'static [u8]) -> Box<dyn Case> {
    case(text, |t| u64::from(validate(black_box(*t)).is_ok()))
}

pub fn utf8_streaming(text: &'static [u8]) -> Box<dyn Case> {
    case(text, |t| {
        let mut v = Utf8Validator::new();
        let ok = v.feed(black_box(*t)).is_ok() && v.finish().is_ok();
        u64::from(ok)
    })
}

pub fn handshake(requests: Rc<Vec<Vec<u8>>>, count: usize) -> Box<dyn Case> {
    let state = (requests, vec![0u8; 1024]);
    case_with_prep(
        state,
        |_| {},
        move |(reqs, out)| {
            let mut total = 0u64;
            for i in 0..count {
                let req = &reqs[i % reqs.len()];
                let r =
                    parse_request(req, DEFAULT_MAX_HANDSHAKE).expect("valid").expect("complete");
                let n = write_accept(r.key(), None, None, &[], out).expect("fits");
                black_box(&out[..n]);
                total += n as u64;
            }
            total
        },
    )
}

/// Inline state of one idle server connection (it allocates nothing).
pub fn idle_state() -> (usize, Connection<wsframe::NoRandom>) {
    (size_of::<Connection<wsframe::NoRandom>>(), Connection::server(Config::default()))
}
