//! tungstenite: its `WebSocket` driven over the in-memory stream (its frame
//! codec and `apply_mask` are not public), and its server handshake pieces
//! (`Request::try_parse`, `create_response`, `write_response`), which work on
//! bytes directly.

use std::hint::black_box;
use std::rc::Rc;

use tungstenite::handshake::machine::TryParse;
use tungstenite::handshake::server::{Request, create_response, write_response};
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig, WebSocketContext};
use tungstenite::{Bytes, Message, Utf8Bytes};

use crate::harness::{Case, case, case_with_prep};
use crate::io::MemStream;

fn config() -> WebSocketConfig {
    // Limits above the workloads' sizes (the default frame limit is 16 MiB).
    WebSocketConfig::default().max_message_size(Some(64 << 20)).max_frame_size(Some(64 << 20))
}

pub fn decode(input: Rc<Vec<u8>>, messages: u64) -> Box<dyn Case> {
    case(input, move |input| {
        let stream = MemStream::new(input.clone(), Vec::new());
        let mut ws = WebSocket::from_raw_socket(stream, Role::Server, Some(config()));
        let (mut bytes, mut msgs) = (0u64, 0u64);
        while msgs < messages {
            match ws.read().expect("valid input") {
                Message::Binary(b) => {
                    black_box(&b);
                    bytes += b.len() as u64;
                    msgs += 1;
                }
                Message::Text(t) => {
                    black_box(&t);
                    bytes += t.len() as u64;
                    msgs += 1;
                }
                _ => {}
            }
        }
        bytes + msgs
    })
}

pub fn encode(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Box<dyn Case> {
    // The payload is handed over as a refcounted `Bytes` clone: no copy per message.
    let bytes = Bytes::from(payload.to_vec());
    let out = Vec::with_capacity(count * (payload.len() + 14));
    let role = if client { Role::Client } else { Role::Server };
    case_with_prep(
        Some(out),
        |out| out.as_mut().expect("buffer").clear(),
        move |out| {
            let stream = MemStream::new(Rc::new(Vec::new()), out.take().expect("buffer"));
            let mut ws = WebSocket::from_raw_socket(stream, role, Some(config()));
            for _ in 0..count {
                ws.write(Message::Binary(bytes.clone())).expect("write");
            }
            ws.flush().expect("flush");
            let stream = ws.into_inner();
            let n = stream.out.len() as u64;
            black_box(&stream.out);
            *out = Some(stream.out);
            n
        },
    )
}

pub fn utf8(text: &'static [u8]) -> Box<dyn Case> {
    let bytes = Bytes::from_static(text);
    case(bytes, |b| u64::from(Utf8Bytes::try_from(black_box(b.clone())).is_ok()))
}

pub fn handshake(requests: Rc<Vec<Vec<u8>>>, count: usize) -> Box<dyn Case> {
    let state = (requests, Vec::with_capacity(1024));
    case(state, move |(reqs, out)| {
        let mut total = 0u64;
        for i in 0..count {
            let req = &reqs[i % reqs.len()];
            let (_, request) = Request::try_parse(req).expect("valid").expect("complete");
            let response = create_response(&request).expect("acceptable");
            out.clear();
            write_response(&mut *out, &response).expect("write");
            black_box(&out[..]);
            total += out.len() as u64;
        }
        total
    })
}

pub fn idle_state() -> (usize, WebSocketContext) {
    (size_of::<WebSocketContext>(), WebSocketContext::new(Role::Server, None))
}
