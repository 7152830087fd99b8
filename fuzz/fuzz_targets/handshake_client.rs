//! The client's response checker on arbitrary bytes after a real request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{ClientRequest, Response};

fuzz_target!(|data: &[u8]| {
    let protocols = ["chat", "superchat"];
    let Ok(req) = ClientRequest::new("ws://127.0.0.1:9001/path?q=1") else { return };
    let req = req.protocols(&protocols).extensions("permessage-deflate; client_max_window_bits");
    let mut out = [0u8; 1024];
    let hs = req.write([7; 16], &mut out).expect("the request fits");
    match hs.check_response(data, 4096) {
        Ok(Response::Accepted(a)) => {
            assert!(a.consumed() <= data.len());
            if let Some(p) = a.protocol() {
                assert!(protocols.contains(&p));
            }
        }
        Ok(Response::Rejected(r)) => {
            assert!(r.consumed() <= data.len());
            assert_ne!(r.status(), 101);
        }
        Ok(Response::Partial) | Err(_) => {}
    }
});
