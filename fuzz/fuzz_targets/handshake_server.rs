//! The server's upgrade-request parser on arbitrary bytes: no panic, errors
//! map to an HTTP status, accepted requests produce a writable 101, and a
//! `RequestHead` scan of an accepted head finds what the parsed request has.
//!
//! Differential against httparse, the independent reference for the head
//! parser in `src/handshake/head.rs`: the same input (capped at the limit)
//! is complete, partial or invalid for both, with the same error kind, the
//! same length and the same fields, name for name and value for value;
//! only request-targets that are neither a path nor an absolute URI, which
//! httparse takes, are malformed here alone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{
    HandshakeError, RequestHead, parse_request, write_accept, write_reject_for,
};

const MAX: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let mut raw = [httparse::EMPTY_HEADER; 64];
    let mut reference = httparse::Request::new(&mut raw);
    let expected = reference.parse(&data[..data.len().min(MAX)]);
    // A head is at most 4 KiB, so one of its subprotocols is too: a 101
    // naming it fits in 8 KiB.
    let mut out = [0u8; 8192];
    match (parse_request(data, MAX), expected) {
        (Ok(Some(req)), Ok(httparse::Status::Complete(n))) => {
            assert_eq!(req.consumed(), n);
            assert_eq!(Some(req.path()), reference.path);
            let head = RequestHead::new(&data[..n]);
            assert!(head.protocols().eq(req.protocols()));
            assert!(head.extensions().eq(req.extensions()));
            for (name, _) in req.all_headers().iter() {
                assert!(head.headers(name).eq(req.headers(name)));
            }
            let fields = reference.headers.iter().map(|h| (h.name, h.value));
            assert!(req.all_headers().iter().eq(fields));
            assert_eq!(req.all_headers().len(), reference.headers.len());
            let n = write_accept(req.key(), req.protocols().next(), None, &[], &mut out)
                .expect("a 101 for a valid key fits in 8 KiB");
            assert!(out[..n].starts_with(b"HTTP/1.1 101 "));
        }
        (Ok(None), Ok(httparse::Status::Partial)) => assert!(data.len() < MAX),
        (Err(HandshakeError::TooLarge), Ok(httparse::Status::Partial)) => {
            assert!(data.len() >= MAX);
        }
        (Err(e), reference_said) => {
            assert!((400..=599).contains(&e.status()));
            let _ = write_reject_for(&e, &mut out);
            match reference_said {
                Err(httparse::Error::TooManyHeaders) => {
                    assert_eq!(e, HandshakeError::TooManyHeaders);
                }
                Err(httparse::Error::Version) => assert_eq!(e, HandshakeError::HttpVersion),
                Err(_) => assert_eq!(e, HandshakeError::MalformedHttp),
                // A well-formed head that RFC 6455 §4.2.1 refuses. Of those,
                // only a GET whose request-target httparse takes but a GET may
                // not carry (RFC 9112 §3.2: no leading `/`) is malformed.
                Ok(httparse::Status::Complete(_)) => {
                    if e == HandshakeError::MalformedHttp {
                        assert_eq!(reference.method, Some("GET"));
                        assert!(!reference.path.unwrap_or("/").starts_with('/'));
                    }
                    assert!(!matches!(
                        e,
                        HandshakeError::TooManyHeaders | HandshakeError::TooLarge
                    ));
                    if e == HandshakeError::HttpVersion {
                        assert_eq!(reference.version, Some(0));
                    }
                }
                Ok(httparse::Status::Partial) => panic!("{e:?} where httparse awaits more"),
            }
        }
        (ours, reference_said) => panic!("{ours:?} against httparse's {reference_said:?}"),
    }
});
