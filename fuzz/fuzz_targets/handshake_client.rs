//! The client's response checker on arbitrary bytes after a real request.
//!
//! Differential against httparse, the independent reference for the head
//! parser in `src/handshake/head.rs`: the same input (capped at the limit)
//! is complete, partial or invalid for both, with the same error kind, the
//! same length, status and fields, name for name and value for value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{ClientRequest, HandshakeError, Headers, Response};

const MAX: usize = 4096;

/// A complete head of `consumed` bytes with status `status` and `headers`,
/// as httparse found it.
fn same_as_httparse(
    reference: &httparse::Response<'_, '_>,
    expected: Result<httparse::Status<usize>, httparse::Error>,
    (consumed, status, headers): (usize, u16, &Headers<'_>),
) {
    assert_eq!(expected, Ok(httparse::Status::Complete(consumed)));
    assert_eq!(reference.code, Some(status));
    assert!(headers.iter().eq(reference.headers.iter().map(|h| (h.name, h.value))));
    assert_eq!(headers.len(), reference.headers.len());
}

fuzz_target!(|data: &[u8]| {
    let protocols = ["chat", "superchat"];
    let Ok(req) = ClientRequest::new("ws://127.0.0.1:9001/path?q=1") else { return };
    let req = req.protocols(&protocols).extensions("permessage-deflate; client_max_window_bits");
    let mut out = [0u8; 1024];
    let hs = req.write([7; 16], &mut out).expect("the request fits");
    let mut raw = [httparse::EMPTY_HEADER; 64];
    let mut reference = httparse::Response::new(&mut raw);
    let expected = reference.parse(&data[..data.len().min(MAX)]);
    match hs.check_response(data, MAX) {
        Ok(Response::Accepted(a)) => {
            assert!(a.consumed() <= data.len());
            same_as_httparse(&reference, expected, (a.consumed(), 101, a.all_headers()));
            if let Some(p) = a.protocol() {
                assert!(protocols.contains(&p));
            }
        }
        Ok(Response::Rejected(r)) => {
            assert!(r.consumed() <= data.len());
            same_as_httparse(&reference, expected, (r.consumed(), r.status(), r.all_headers()));
            assert_ne!(r.status(), 101);
        }
        Ok(Response::Partial) => {
            assert_eq!(expected, Ok(httparse::Status::Partial));
            assert!(data.len() < MAX);
        }
        Err(HandshakeError::TooLarge) => {
            assert_eq!(expected, Ok(httparse::Status::Partial));
            assert!(data.len() >= MAX);
        }
        Err(e) => match expected {
            Err(httparse::Error::TooManyHeaders) => assert_eq!(e, HandshakeError::TooManyHeaders),
            Err(httparse::Error::Version) => assert_eq!(e, HandshakeError::HttpVersion),
            Err(_) => assert_eq!(e, HandshakeError::MalformedHttp),
            // A well-formed 101 that RFC 6455 §4.1 refuses.
            Ok(httparse::Status::Complete(_)) => {
                assert_eq!(reference.code, Some(101));
                assert!(!matches!(e, HandshakeError::MalformedHttp | HandshakeError::TooManyHeaders));
            }
            Ok(httparse::Status::Partial) => panic!("{e:?} where httparse awaits more"),
        },
    }
});
