//! The client's response checker on arbitrary bytes after a real request;
//! the header fields of a response it parsed are httparse's, name for name
//! and value for value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{ClientRequest, Headers, Response};

/// The fields of the response head `head` (complete) as httparse finds them.
fn same_as_httparse(head: &[u8], headers: &Headers<'_>) {
    let mut raw = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut raw);
    assert!(parsed.parse(head).is_ok_and(|s| s.is_complete()));
    assert!(headers.iter().eq(parsed.headers.iter().map(|h| (h.name, h.value))));
    assert_eq!(headers.len(), parsed.headers.len());
}

fuzz_target!(|data: &[u8]| {
    let protocols = ["chat", "superchat"];
    let Ok(req) = ClientRequest::new("ws://127.0.0.1:9001/path?q=1") else { return };
    let req = req.protocols(&protocols).extensions("permessage-deflate; client_max_window_bits");
    let mut out = [0u8; 1024];
    let hs = req.write([7; 16], &mut out).expect("the request fits");
    match hs.check_response(data, 4096) {
        Ok(Response::Accepted(a)) => {
            assert!(a.consumed() <= data.len());
            same_as_httparse(&data[..a.consumed()], a.all_headers());
            if let Some(p) = a.protocol() {
                assert!(protocols.contains(&p));
            }
        }
        Ok(Response::Rejected(r)) => {
            assert!(r.consumed() <= data.len());
            same_as_httparse(&data[..r.consumed()], r.all_headers());
            assert_ne!(r.status(), 101);
        }
        Ok(Response::Partial) | Err(_) => {}
    }
});
