//! RFC 6455 §4.2.1: `parse_request` reads the header fields once and keeps
//! what the handshake needs (Host, Upgrade, Connection, Key, Version,
//! Origin, subprotocols, extensions). These check that what it kept agrees
//! with a plain lookup by name over all the fields, whatever the order,
//! case, repetition and list syntax of the fields.

use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, HandshakeError, parse_request, write_accept};

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fn request(lines: &[&str]) -> Vec<u8> {
    let mut s = String::from("GET /chat HTTP/1.1\r\n");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

fn base() -> Vec<String> {
    vec![
        "Host: example.com".into(),
        "Upgrade: websocket".into(),
        "Connection: Upgrade".into(),
        format!("Sec-WebSocket-Key: {KEY}"),
        "Sec-WebSocket-Version: 13".into(),
    ]
}

/// The accessors agree with `headers()` / `all_headers()` lookups by name.
fn check_accessors(input: &[u8]) {
    let req = parse_request(input, DEFAULT_MAX_HANDSHAKE).unwrap().unwrap();
    assert_eq!(req.origin(), req.header("origin"));
    let by_name: Vec<&[u8]> = req.all_headers().tokens("sec-websocket-protocol").collect();
    let protocols: Vec<&str> = req.protocols().collect();
    assert_eq!(protocols.iter().map(|p| p.as_bytes()).collect::<Vec<_>>(), by_name);
    let ext: Vec<&[u8]> = req.extensions().collect();
    assert_eq!(ext, req.headers("SEC-WEBSOCKET-EXTENSIONS").collect::<Vec<_>>());
    assert_eq!(req.host(), req.header("Host").unwrap());
    assert_eq!(req.key(), KEY.as_bytes());
}

#[test]
fn accessors_match_lookups_by_name() {
    let extra: [&[&str]; 6] = [
        &[],
        &["Origin: http://a.example", "origin: http://b.example"],
        &["Sec-WebSocket-Protocol: chat, superchat", "X: 1", "sec-websocket-protocol: v2"],
        &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits", "Y: 2"],
        &[
            "sec-websocket-extensions: a",
            "Sec-WebSocket-Protocol: p1",
            "SEC-WEBSOCKET-EXTENSIONS: b; x=\"1,2\"",
            "Origin: null",
            "Sec-WebSocket-Protocol: ,p2 ,, p3",
        ],
        &["Sec-WebSocket-Protocol:", "X-Sec-WebSocket-Protocol: nope"],
    ];
    for lines in extra {
        // Before, between and after the required fields.
        for at in [0, 2, 5] {
            let mut all = base();
            for (i, l) in lines.iter().enumerate() {
                all.insert(at + i, (*l).into());
            }
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            check_accessors(&request(&refs));
        }
    }
}

/// `Upgrade` and `Connection` are lists (RFC 7230 §7), their tokens
/// case-insensitive (RFC 6455 §4.2.1 items 3 and 4), and a comma inside a
/// quoted string does not split them.
#[test]
fn upgrade_and_connection_lists() {
    let ok = [
        ("Upgrade: WebSocket", "Connection: keep-alive, Upgrade"),
        ("Upgrade: h2c, websocket", "Connection: UPGRADE,keep-alive"),
        ("Upgrade: x=\"a,b\", websocket", "Connection: x=\"y,z\" , upgrade"),
        ("Upgrade: websocket", "Connection: \tupgrade\t"),
    ];
    for (upgrade, connection) in ok {
        let mut all = base();
        all[1] = upgrade.into();
        all[2] = connection.into();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        assert!(
            parse_request(&request(&refs), 8192).unwrap().is_some(),
            "{upgrade} / {connection}"
        );
    }
    let bad = [
        ("Upgrade: websockets", "Connection: Upgrade", HandshakeError::MissingUpgrade),
        ("Upgrade: x=\"websocket, y\"", "Connection: Upgrade", HandshakeError::MissingUpgrade),
        (
            "Upgrade: websocket",
            "Connection: x=\"a, upgrade\"",
            HandshakeError::MissingConnectionUpgrade,
        ),
        (
            "Upgrade: websocket",
            "Connection: upgrade-please",
            HandshakeError::MissingConnectionUpgrade,
        ),
        ("Upgrade: websocket", "Connection: x=\"upgrade", HandshakeError::MissingConnectionUpgrade),
    ];
    for (upgrade, connection, err) in bad {
        let mut all = base();
        all[1] = upgrade.into();
        all[2] = connection.into();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(
            parse_request(&request(&refs), 8192).unwrap_err(),
            err,
            "{upgrade} / {connection}"
        );
    }
}

/// RFC 6455 §4.2.1 item 5: the key is the base64 of 16 bytes, canonical.
#[test]
fn key_format() {
    for (key, valid) in [
        (KEY, true),
        ("AAAAAAAAAAAAAAAAAAAAAA==", true),
        ("/+/+/+/+/+/+/+/+/+/+/w==", true),
        ("AAAAAAAAAAAAAAAAAAAAAB==", false),
        ("AAAAAAAAAAAAAAAAAAAAAA=", false),
        ("AAAAAAAAAAAAAAAAAAAAAAA=", false),
        ("AAAAAAAAAAAAAAAAAAAA-A==", false),
        ("AAAAAAAAAAAAAAAAAAAA\u{e9}==", false),
    ] {
        let mut all = base();
        all[3] = format!("Sec-WebSocket-Key: {key}");
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let input = request(&refs);
        let got = parse_request(&input, 8192);
        assert_eq!(got.is_ok(), valid, "{key}: {got:?}");
    }
}

/// RFC 6455 §4.2.2: the 101 for the §1.3 example key, byte for byte.
#[test]
fn accept_bytes() {
    let mut out = [0u8; 256];
    let n = write_accept(KEY.as_bytes(), None, None, &[], &mut out).unwrap();
    assert_eq!(
        &out[..n],
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    );
    // Too small by one: the exact size is reported and nothing is claimed written.
    let err = write_accept(KEY.as_bytes(), None, None, &[], &mut out[..n - 1]).unwrap_err();
    assert_eq!(err, HandshakeError::InsufficientSize { required: n });
}

#[test]
fn debug_shows_names_and_values() {
    let all = base();
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let input = request(&refs);
    let req = parse_request(&input, 8192).unwrap().unwrap();
    let text = format!("{:?}", req.all_headers());
    assert!(text.contains("Header { name: \"Host\", value: \"example.com\" }"), "{text}");
}
