//! The server's upgrade-request parser on arbitrary bytes: no panic, errors
//! map to an HTTP status, accepted requests produce a writable 101, and a
//! `RequestHead` scan of an accepted head finds what the parsed request has,
//! and the request's header fields are httparse's, name for name and value
//! for value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{RequestHead, parse_request, write_accept, write_reject_for};

fuzz_target!(|data: &[u8]| {
    // A head is at most 4 KiB, so one of its subprotocols is too: a 101
    // naming it fits in 8 KiB.
    let mut out = [0u8; 8192];
    match parse_request(data, 4096) {
        Ok(Some(req)) => {
            assert!(req.consumed() <= data.len());
            let head = RequestHead::new(&data[..req.consumed()]);
            assert!(head.protocols().eq(req.protocols()));
            assert!(head.extensions().eq(req.extensions()));
            for (name, _) in req.all_headers().iter() {
                assert!(head.headers(name).eq(req.headers(name)));
            }
            let mut raw = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Request::new(&mut raw);
            assert!(parsed.parse(&data[..req.consumed()]).is_ok_and(|s| s.is_complete()));
            let fields = parsed.headers.iter().map(|h| (h.name, h.value));
            assert!(req.all_headers().iter().eq(fields));
            assert_eq!(req.all_headers().len(), parsed.headers.len());
            let n = write_accept(req.key(), req.protocols().next(), None, &[], &mut out)
                .expect("a 101 for a valid key fits in 8 KiB");
            assert!(out[..n].starts_with(b"HTTP/1.1 101 "));
        }
        Ok(None) => assert!(data.len() < 4096),
        Err(e) => {
            assert!((400..=599).contains(&e.status()));
            let _ = write_reject_for(&e, &mut out);
        }
    }
});
