//! embedded-websocket: its sans-IO `WebSocket::read`/`write` with caller
//! buffers (the blocking `framer` wrapper adds nothing but the stream calls).
//! `read` copies (and unmasks) from the caller's input buffer into a second
//! caller buffer; it does not validate UTF-8, so the harness does it with
//! `core::str::from_utf8` once per complete text message.

use std::hint::black_box;
use std::rc::Rc;

use embedded_websocket as ews;
use ews::{WebSocketReceiveMessageType as Rx, WebSocketSendMessageType, WebSocketState};

use crate::harness::{Case, case};
use crate::inputs::Rng;
use crate::io::{READ_CAP, Source};

/// The caller-supplied mask source: the same xorshift as wsframe's.
pub struct XorShift(Rng);

impl rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

fn open_server() -> ews::WebSocketServer {
    let mut ws = ews::WebSocketServer::new_server();
    ws.state = WebSocketState::Open; // the handshake happened elsewhere
    ws
}

pub fn decode(input: Rc<Vec<u8>>, validate_text: bool) -> Box<dyn Case> {
    let state = (input, vec![0u8; READ_CAP], vec![0u8; READ_CAP], Vec::<u8>::new());
    case(state, move |(input, from, to, pending)| {
        let mut ws = open_server();
        let mut src = Source::new(input.clone());
        let (mut have, mut bytes, mut msgs) = (0usize, 0u64, 0u64);
        loop {
            let n = src.read_into(&mut from[have..]);
            if n == 0 {
                break;
            }
            have += n;
            let mut start = 0;
            while start < have {
                let r = match ws.read(&from[start..have], to) {
                    Ok(r) => r,
                    Err(ews::Error::ReadFrameIncomplete) => break,
                    Err(e) => panic!("embedded-websocket: {e:?}"),
                };
                start += r.len_from;
                let data = &to[..r.len_to];
                black_box(data);
                bytes += r.len_to as u64;
                if matches!(r.message_type, Rx::Text | Rx::Binary) {
                    if validate_text && r.message_type == Rx::Text {
                        if r.end_of_message && pending.is_empty() {
                            std::str::from_utf8(data).expect("valid UTF-8");
                        } else {
                            pending.extend_from_slice(data);
                            if r.end_of_message {
                                std::str::from_utf8(pending).expect("valid UTF-8");
                                pending.clear();
                            }
                        }
                    }
                    msgs += u64::from(r.end_of_message);
                }
                if r.len_from == 0 {
                    break;
                }
            }
            from.copy_within(start..have, 0);
            have -= start;
        }
        assert!(
            have == 0,
            "stopped consuming input with {have} bytes left (read returns len_from 0)"
        );
        bytes + msgs
    })
}

pub fn encode(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Box<dyn Case> {
    let out = vec![0u8; count * (payload.len() + 14)];
    case(out, move |out| {
        let mut pos = 0;
        let msg = WebSocketSendMessageType::Binary;
        if client {
            let mut ws =
                ews::WebSocketClient::new_client(XorShift(Rng::new(0x9E37_79B9_7F4A_7C15)));
            ws.state = WebSocketState::Open;
            for _ in 0..count {
                pos += ws.write(msg, true, &payload, &mut out[pos..]).expect("fits");
            }
        } else {
            let mut ws = open_server();
            for _ in 0..count {
                pos += ws.write(msg, true, &payload, &mut out[pos..]).expect("fits");
            }
        }
        black_box(&out[..pos]);
        pos as u64
    })
}

/// httparse (as its docs show) + `read_http_header` + `server_accept`.
pub fn handshake(requests: Rc<Vec<Vec<u8>>>, count: usize) -> Box<dyn Case> {
    let state = (requests, vec![0u8; 1024]);
    case(state, move |(reqs, out)| {
        let mut total = 0u64;
        for i in 0..count {
            let req = &reqs[i % reqs.len()];
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut request = httparse::Request::new(&mut headers);
            let status = request.parse(req).expect("valid");
            assert!(status.is_complete());
            let ctx = ews::read_http_header(request.headers.iter().map(|h| (h.name, h.value)))
                .expect("valid")
                .expect("websocket request");
            let mut ws = ews::WebSocketServer::new_server();
            let n = ws.server_accept(&ctx.sec_websocket_key, None, out).expect("fits");
            black_box(&out[..n]);
            total += n as u64;
        }
        total
    })
}

pub fn idle_state() -> (usize, ews::WebSocketServer) {
    (size_of::<ews::WebSocketServer>(), open_server())
}
