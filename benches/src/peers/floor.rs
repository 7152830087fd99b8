//! The bare handshake floor of issue 12: the least work that still turns an
//! upgrade request into a correct 101 — httparse for the request line and
//! headers, SHA-1 + base64 of the key, the response bytes. No validation
//! beyond what it needs (a complete request with a Sec-WebSocket-Key), so a
//! server built on httparse can only be slower; wsframe parses the head
//! with its own parser (src/handshake/head.rs), checking the fields as it
//! goes, so the ratio to the floor is what that parser and the checks cost
//! or save against httparse alone.

use std::hint::black_box;
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};

use crate::harness::{Case, case};

const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const HEAD: &[u8] =
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";

/// The key's value: the one header a 101 cannot be written without.
fn key<'a>(headers: &[httparse::Header<'a>]) -> &'a [u8] {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-key"))
        .map(|h| h.value)
        .expect("the request has a key")
}

/// Writes the same bytes as wsframe's `write_accept` (no protocol, no
/// extensions) into `out`; returns their length.
fn write_101(key: &[u8], out: &mut [u8]) -> usize {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(GUID);
    let digest = sha.finalize();
    let mut n = HEAD.len();
    out[..n].copy_from_slice(HEAD);
    n += STANDARD.encode_slice(digest, &mut out[n..]).expect("fits");
    out[n..n + 4].copy_from_slice(b"\r\n\r\n");
    n + 4
}

/// Untimed: the floor's 101 must be byte for byte wsframe's, or the ratio
/// would compare different work.
fn check_same_bytes(req: &[u8]) {
    use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, parse_request, write_accept};
    let r = parse_request(req, DEFAULT_MAX_HANDSHAKE).expect("valid").expect("complete");
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let na = write_accept(r.key(), None, None, &[], &mut a).expect("fits");
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut request = httparse::Request::new(&mut headers);
    request.parse(req).expect("valid");
    let nb = write_101(key(request.headers), &mut b);
    assert_eq!(a[..na], b[..nb], "the floor's 101 differs from wsframe's");
}

pub fn handshake(requests: Rc<Vec<Vec<u8>>>, count: usize) -> Box<dyn Case> {
    check_same_bytes(&requests[0]);
    let state = (requests, vec![0u8; 1024]);
    case(state, move |(reqs, out)| {
        let mut total = 0u64;
        for i in 0..count {
            let req = &reqs[i % reqs.len()];
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut request = httparse::Request::new(&mut headers);
            assert!(request.parse(req).expect("valid").is_complete());
            let n = write_101(key(request.headers), out);
            black_box(&out[..n]);
            total += n as u64;
        }
        total
    })
}
