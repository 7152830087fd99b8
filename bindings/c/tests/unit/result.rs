//! Unit tests of the result codes (src/result.rs): their C names and texts are the core's.
use std::string::{String, ToString};

use super::*;

/// `#define NAME VALUE` lines of the committed header.
fn header_codes() -> std::vec::Vec<(String, u32)> {
    include_str!("../../../../include/wsframe.h")
        .lines()
        .filter_map(|l| l.strip_prefix("#define WSFRAME_RESULT_"))
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(n, v)| Some((n.to_string(), v.trim().parse().ok()?)))
        .collect()
}

/// Every code's C name derives from the core's stable name.
#[test]
fn header_names_are_the_cores() {
    let codes = header_codes();
    let named = |code: u32| codes.iter().find(|(_, v)| *v == code).map(|(n, _)| n.clone());
    for p in ProtocolError::ALL {
        assert_eq!(named(peer(p)), Some(std::format!("PEER_{}", p.name())));
    }
    for (i, e) in HandshakeError::ALL.iter().enumerate() {
        let code = HANDSHAKE + i as u32;
        assert_eq!(named(code), Some(std::format!("HANDSHAKE_{}", e.name())));
        assert_eq!(from_handshake(*e), code);
        assert_eq!(describe(code).and_then(|s| s.to_str().ok()), Some(e.to_string().as_str()));
    }
    for (code, e) in CORE_LOCAL {
        assert_eq!(named(code).as_deref(), Some(e.name()));
        assert_eq!(from_core(e), code);
    }
    for (i, e) in ExtensionError::ALL.iter().enumerate() {
        let code = EXTENSION + i as u32;
        assert_eq!(from_extension(*e), code);
        assert_eq!(describe(code).and_then(|s| s.to_str().ok()), Some(e.to_string().as_str()));
    }
}

#[test]
fn texts_and_close_codes_come_from_the_core() {
    for p in ProtocolError::ALL {
        assert_eq!(describe(peer(p)).and_then(|s| s.to_str().ok()), Some(p.as_str()));
        // SAFETY: no pointers involved.
        assert_eq!(unsafe { wsframe_result_close_code(peer(p)) }, p.close_code().0);
    }
    for (code, e) in CORE_LOCAL {
        assert_eq!(describe(code).and_then(|s| s.to_str().ok()), Some(e.as_str()));
    }
    for (_, code) in header_codes() {
        assert!(describe(code).is_some(), "{code} has no text");
    }
}
