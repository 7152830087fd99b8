//! fastwebsockets: async-only, so its `WebSocket` runs over the in-memory
//! stream on a current-thread tokio runtime (one `block_on` per repetition;
//! the stream is always ready, so no task ever parks).

use std::hint::black_box;
use std::rc::Rc;

use fastwebsockets::{Frame, OpCode, Payload, Role, WebSocket};
use tokio::runtime::Runtime;

use crate::harness::{Case, case, case_with_prep};
use crate::io::{AsyncMemStream, NullStream};

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime")
}

pub fn unmask(size: usize, iters: usize) -> Box<dyn Case> {
    let buf = crate::inputs::random_bytes(size, 7);
    case(buf, move |buf| {
        for _ in 0..iters {
            fastwebsockets::unmask(black_box(&mut buf[..]), [0x37, 0xfa, 0x21, 0x3d]);
        }
        u64::from(buf[0])
    })
}

/// Frame by frame (`WebSocket::read_frame`, no `FragmentCollector`): each
/// fragment is delivered as it completes, as wsframe does.
pub fn decode(input: Rc<Vec<u8>>, messages: u64) -> Box<dyn Case> {
    let state = (input, runtime());
    case(state, move |(input, rt)| {
        rt.block_on(async {
            let stream = AsyncMemStream::new(input.clone(), Vec::new());
            let mut ws = WebSocket::after_handshake(stream, Role::Server);
            let (mut bytes, mut msgs) = (0u64, 0u64);
            while msgs < messages {
                let frame = ws.read_frame().await.expect("valid input");
                match frame.opcode {
                    OpCode::Binary | OpCode::Text | OpCode::Continuation => {
                        black_box(&frame.payload[..]);
                        bytes += frame.payload.len() as u64;
                        msgs += u64::from(frame.fin);
                    }
                    _ => {}
                }
            }
            bytes + msgs
        })
    })
}

pub fn encode(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Box<dyn Case> {
    let out = Vec::with_capacity(count * (payload.len() + 14));
    // Clients mask in place: hand over a mutable scratch copy (masking it
    // again each time) rather than a shared slice, which would be copied
    // into a fresh Vec per frame.
    let scratch = payload.to_vec();
    let role = if client { Role::Client } else { Role::Server };
    case_with_prep(
        (Some(out), scratch, payload, runtime()),
        |(out, ..)| out.as_mut().expect("buffer").clear(),
        move |(out, scratch, payload, rt)| {
            let buf = out.take().expect("buffer");
            let buf = rt.block_on(async {
                let stream = AsyncMemStream::new(Rc::new(Vec::new()), buf);
                let mut ws = WebSocket::after_handshake(stream, role);
                for _ in 0..count {
                    let p = if client {
                        Payload::BorrowedMut(&mut scratch[..])
                    } else {
                        Payload::Borrowed(&payload[..])
                    };
                    ws.write_frame(Frame::binary(p)).await.expect("write");
                }
                ws.into_inner().out
            });
            let n = buf.len() as u64;
            black_box(&buf);
            *out = Some(buf);
            n
        },
    )
}

pub fn utf8(text: &'static [u8]) -> Box<dyn Case> {
    case(text, |t| u64::from(Frame::text(Payload::Borrowed(black_box(*t))).is_utf8()))
}

pub fn idle_state() -> (usize, WebSocket<NullStream>) {
    (size_of::<WebSocket<NullStream>>(), WebSocket::after_handshake(NullStream, Role::Server))
}
