//! The server's upgrade-request parser on arbitrary bytes: no panic, errors
//! map to an HTTP status, accepted requests produce a writable 101.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{parse_request, write_accept, write_reject_for};

fuzz_target!(|data: &[u8]| {
    let mut out = [0u8; 1024];
    match parse_request(data, 4096) {
        Ok(Some(req)) => {
            assert!(req.consumed() <= data.len());
            let _ = req.protocols().count();
            let _ = req.extensions().count();
            let n = write_accept(req.key(), req.protocols().next(), None, &[], &mut out)
                .expect("a 101 for a valid key fits in 1 KiB");
            assert!(out[..n].starts_with(b"HTTP/1.1 101 "));
        }
        Ok(None) => assert!(data.len() < 4096),
        Err(e) => {
            assert!((400..=599).contains(&e.status()));
            let _ = write_reject_for(&e, &mut out);
        }
    }
});
