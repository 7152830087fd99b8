//! RFC 6455 §4 (opening handshake), with the URI rules of §3 and the key
//! example of §1.3. Each test names the section whose MUST it checks.

use wsframe::handshake::{
    ClientHandshake, ClientRequest, DEFAULT_MAX_HANDSHAKE, GUID, HandshakeError, MAX_HEADERS,
    Request, Response, accept_key, generate_key, parse_request, write_accept, write_reject,
    write_reject_for, write_reject_with,
};

use HandshakeError as E;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const NONCE: [u8; 16] = *b"the sample nonce";

// ---------------------------------------------------------------- helpers

/// The valid request header lines of RFC 6455 §1.2 (without Origin and protocols).
fn base_lines() -> Vec<String> {
    [
        "Host: server.example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        &format!("Sec-WebSocket-Key: {KEY}"),
        "Sec-WebSocket-Version: 13",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn request_bytes(request_line: &str, lines: &[String]) -> Vec<u8> {
    let mut s = format!("{request_line}\r\n");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// The base request with every line whose name is `name` removed, then `extra` appended.
fn request_replacing(name: &str, extra: &[&str]) -> Vec<u8> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut lines: Vec<String> =
        base_lines().into_iter().filter(|l| !l.to_ascii_lowercase().starts_with(&prefix)).collect();
    lines.extend(extra.iter().map(|s| s.to_string()));
    request_bytes("GET /chat HTTP/1.1", &lines)
}

fn request_with(extra: &[&str]) -> Vec<u8> {
    request_replacing("X-None", extra)
}

fn parse_ok(input: &[u8]) -> Request<'_> {
    match parse_request(input, DEFAULT_MAX_HANDSHAKE) {
        Ok(Some(r)) => r,
        other => panic!("expected a request, got {other:?}\n{}", String::from_utf8_lossy(input)),
    }
}

fn parse_err(input: &[u8]) -> HandshakeError {
    match parse_request(input, DEFAULT_MAX_HANDSHAKE) {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {r:?}\n{}", String::from_utf8_lossy(input)),
    }
}

fn write_client(req: &ClientRequest<'static>) -> (String, ClientHandshake<'static>) {
    let mut buf = [0u8; 2048];
    let hs = req.write(NONCE, &mut buf).expect("write");
    (String::from_utf8(buf[..hs.request_len()].to_vec()).unwrap(), hs)
}

fn client(uri: &'static str) -> ClientRequest<'static> {
    ClientRequest::new(uri).expect("valid uri")
}

fn response_bytes(status_line: &str, lines: &[&str]) -> Vec<u8> {
    let mut s = format!("{status_line}\r\n");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

fn ok_response(extra: &[&str]) -> Vec<u8> {
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let mut lines = vec!["Upgrade: websocket", "Connection: Upgrade", accept.as_str()];
    lines.extend_from_slice(extra);
    response_bytes("HTTP/1.1 101 Switching Protocols", &lines)
}

fn handshake(req: ClientRequest<'static>) -> ClientHandshake<'static> {
    write_client(&req).1
}

fn check(hs: &ClientHandshake<'_>, input: &[u8]) -> Result<Option<String>, HandshakeError> {
    match hs.check_response(input, DEFAULT_MAX_HANDSHAKE)? {
        Response::Accepted(ok) => Ok(ok.protocol().map(str::to_string)),
        other => panic!("expected Accepted or an error, got {other:?}"),
    }
}

// ------------------------------------------------------------- §1.3, keys

#[test]
fn s1_3_accept_key_example() {
    assert_eq!(&accept_key(KEY.as_bytes()), ACCEPT.as_bytes());
    assert_eq!(GUID, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
}

#[test]
fn s4_2_2_accept_key_depends_on_whole_key() {
    assert_ne!(accept_key(b"dGhlIHNhbXBsZSBub25jZR=="), accept_key(KEY.as_bytes()));
    assert_ne!(accept_key(b""), accept_key(KEY.as_bytes()));
}

#[test]
fn s4_1_generate_key_is_base64_of_the_16_byte_nonce() {
    assert_eq!(&generate_key(NONCE), KEY.as_bytes());
    assert_eq!(&generate_key([0; 16]), b"AAAAAAAAAAAAAAAAAAAAAA==");
    assert_eq!(&generate_key([0xff; 16]), b"/////////////////////w==");
    assert_ne!(generate_key([1; 16]), generate_key([2; 16]));
}

// ------------------------------------------------- §3, URIs of the client

#[test]
fn s3_default_ports_and_scheme_case() {
    let r = client("ws://example.com/");
    assert_eq!((r.host(), r.port(), r.is_secure()), ("example.com", 80, false));
    let r = client("wss://example.com/");
    assert_eq!((r.port(), r.is_secure()), (443, true));
    let r = client("WsS://example.com");
    assert_eq!((r.port(), r.is_secure()), (443, true));
    let r = client("WS://example.com:1");
    assert_eq!((r.port(), r.is_secure()), (1, false));
    assert_eq!(client("ws://h:65535").port(), 65535);
}

#[test]
fn s3_resource_name_is_path_and_query() {
    assert_eq!(client("ws://h").resource(), "/");
    assert_eq!(client("ws://h/").resource(), "/");
    assert_eq!(client("ws://h?a=1").resource(), "/?a=1");
    assert_eq!(client("ws://h:81/a/b?c=d&e=%23").resource(), "/a/b?c=d&e=%23");
    assert_eq!(client("ws://h/a/b").resource().query(), None);
    let (text, _) = write_client(&client("ws://h?a=1"));
    assert!(text.starts_with("GET /?a=1 HTTP/1.1\r\n"), "{text}");
    let (text, _) = write_client(&client("ws://h/x/y?z"));
    assert!(text.starts_with("GET /x/y?z HTTP/1.1\r\n"), "{text}");
}

#[test]
fn s3_fragment_is_rejected() {
    for uri in ["ws://h/#a", "ws://h#", "wss://h/p?q#f", "ws://h:80#x"] {
        assert_eq!(ClientRequest::new(uri).err(), Some(E::FragmentInUri), "{uri}");
    }
}

#[test]
fn s3_invalid_port_is_rejected() {
    for uri in
        ["ws://h:0/", "ws://h:65536/", "ws://h:/", "ws://h:8o/", "ws://h:-1/", "ws://[::1]:x/"]
    {
        assert_eq!(ClientRequest::new(uri).err(), Some(E::InvalidPort), "{uri}");
    }
}

#[test]
fn s3_scheme_must_be_ws_or_wss() {
    for uri in ["http://h/", "https://h/", "wss2://h/", "ftp://h"] {
        assert_eq!(ClientRequest::new(uri).err(), Some(E::UnsupportedScheme), "{uri}");
    }
}

#[test]
fn s3_malformed_uris_are_rejected() {
    for uri in [
        "",
        "example.com",
        "ws:/h",
        "ws://",
        "ws:///p",
        "ws://user@h/",
        "ws://h/a b",
        "ws://h/\r\nX-Injected: 1",
        "ws://h\r\n/",
        "ws://h/ü",
        "ws://[::1/",
        "ws://[]/",
        "ws://[g::1]/",
        "ws://[::1]junk/",
    ] {
        assert_eq!(ClientRequest::new(uri).err(), Some(E::InvalidUri), "{uri:?}");
    }
}

// ------------------------------------------------ §4.1, the client request

#[test]
fn s4_1_client_request_exact_bytes() {
    let (text, hs) = write_client(&client("ws://server.example.com/chat"));
    assert_eq!(
        text,
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    assert_eq!(hs.key(), KEY.as_bytes());
    assert_eq!(hs.expected_accept(), ACCEPT.as_bytes());
}

#[test]
fn s4_1_client_request_has_host_with_nondefault_port() {
    for (uri, host) in [
        ("ws://h:8080/", "Host: h:8080\r\n"),
        ("wss://h:80/", "Host: h:80\r\n"),
        ("ws://h:443/", "Host: h:443\r\n"),
    ] {
        let (text, _) = write_client(&client(uri));
        assert!(text.contains(host), "{uri}: {text}");
    }
}

#[test]
fn s4_1_client_request_host_omits_default_port() {
    for uri in ["ws://h/", "ws://h:80/", "wss://h/", "wss://h:443/"] {
        let (text, _) = write_client(&client(uri));
        assert!(text.contains("\r\nHost: h\r\n"), "{uri}: {text}");
    }
}

#[test]
fn s4_1_ipv6_host_is_bracketed() {
    let r = client("ws://[::1]:9001/x");
    assert_eq!((r.host(), r.port()), ("::1", 9001));
    let (text, _) = write_client(&r);
    assert!(text.contains("\r\nHost: [::1]:9001\r\n"), "{text}");
    let (text, _) = write_client(&client("wss://[2001:db8::7]/"));
    assert!(text.contains("\r\nHost: [2001:db8::7]\r\n"), "{text}");
    let (text, _) = write_client(&client("ws://[::ffff:192.0.2.1]:80"));
    assert!(text.contains("\r\nHost: [::ffff:192.0.2.1]\r\n"), "{text}");
}

#[test]
fn s4_1_request_is_a_valid_server_request() {
    // Items 1-9 of §4.1: GET, HTTP/1.1, Host, Upgrade, Connection, key, version.
    let (text, hs) = write_client(&client("ws://example.com:8000/a?b"));
    let req = parse_ok(text.as_bytes());
    assert_eq!(req.path(), "/a?b");
    assert_eq!(req.host(), b"example.com:8000");
    assert_eq!(req.key(), hs.key());
    assert_eq!(req.header("upgrade"), Some(&b"websocket"[..]));
    assert_eq!(req.header("connection"), Some(&b"Upgrade"[..]));
    assert_eq!(req.header("sec-websocket-version"), Some(&b"13"[..]));
    assert_eq!(req.origin(), None);
    assert_eq!(req.protocols().count(), 0);
    assert_eq!(req.extensions().count(), 0);
    assert_eq!(req.consumed(), text.len());
}

#[test]
fn s4_1_origin_protocols_extensions_and_extra_headers_are_written() {
    let r = client("ws://h/")
        .origin("http://example.com")
        .protocols(&["chat", "superchat"])
        .extensions("permessage-deflate; client_max_window_bits")
        .headers(&[("Cookie", "a=b"), ("Authorization", "Bearer x\ty")]);
    let (text, _) = write_client(&r);
    let tail = "Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
        Sec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
        Cookie: a=b\r\nAuthorization: Bearer x\ty\r\n\r\n";
    assert!(text.ends_with(tail), "{text}");
    let req = parse_ok(text.as_bytes());
    assert_eq!(req.origin(), Some(&b"http://example.com"[..]));
    assert!(req.protocols().eq(["chat", "superchat"]));
}

#[test]
fn s4_1_protocols_must_be_unique_tokens() {
    for bad in
        [&["chat", "chat"][..], &[""], &["a b"], &["a,b"], &["a\r\nX: y"], &["ch\u{e4}t"], &["(x)"]]
    {
        let r = client("ws://h/").protocols(bad);
        assert_eq!(r.write(NONCE, &mut [0; 1024]).err(), Some(E::InvalidProtocol), "{bad:?}");
    }
    let r = client("ws://h/").protocols(&["a", "A", "v1.json+x"]);
    assert!(r.write(NONCE, &mut [0; 1024]).is_ok());
}

#[test]
fn s4_1_header_injection_is_rejected() {
    let mut buf = [0u8; 1024];
    let base = client("ws://h/");
    let cases: [(ClientRequest<'static>, HandshakeError); 9] = [
        (base.origin("http://a\r\nX: 1"), E::InvalidHeaderValue),
        (base.origin("http://a\n"), E::InvalidHeaderValue),
        (base.origin(""), E::InvalidHeaderValue),
        (base.extensions("foo\r\n\r\nGET /"), E::InvalidHeaderValue),
        (base.extensions("foo\0"), E::InvalidHeaderValue),
        (base.headers(&[("X-A", "1\r\nX-B: 2")]), E::InvalidHeaderValue),
        (base.headers(&[("X-A", "\x7f")]), E::InvalidHeaderValue),
        (base.headers(&[("X-A: 1\r\nX-B", "2")]), E::InvalidHeaderName),
        (base.headers(&[("", "2")]), E::InvalidHeaderName),
    ];
    for (req, err) in cases {
        assert_eq!(req.write(NONCE, &mut buf).err(), Some(err), "{req:?}");
    }
}

#[test]
fn s4_1_headers_written_by_the_request_cannot_be_repeated() {
    let mut buf = [0u8; 1024];
    for name in [
        "Host",
        "upgrade",
        "CONNECTION",
        "Sec-WebSocket-Key",
        "sec-websocket-version",
        "Origin",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions",
    ] {
        let headers: &'static [(&'static str, &'static str)] = Box::leak(Box::new([(name, "x")]));
        let r = client("ws://h/").headers(headers);
        assert_eq!(r.write(NONCE, &mut buf).err(), Some(E::ReservedHeader), "{name}");
    }
}

#[test]
fn s4_1_insufficient_size_reports_the_exact_requirement() {
    let r = client("wss://[::1]:8443/a?b")
        .origin("o")
        .protocols(&["p", "q"])
        .extensions("e")
        .headers(&[("X", "y")]);
    let (text, _) = write_client(&r);
    let required = text.len();
    for len in 0..required {
        let mut buf = vec![0u8; len];
        assert_eq!(
            r.write(NONCE, &mut buf).err(),
            Some(E::InsufficientSize { required }),
            "buffer of {len}"
        );
    }
    let mut buf = vec![0u8; required];
    assert_eq!(r.write(NONCE, &mut buf).map(|h| h.request_len()), Ok(required));
    assert_eq!(buf, text.as_bytes());
}

// ------------------------------------------- §4.1, checking the response

#[test]
fn s4_1_response_accepted() {
    let hs = handshake(client("ws://h/"));
    let input = ok_response(&[]);
    match hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() {
        Response::Accepted(ok) => {
            assert_eq!(ok.consumed(), input.len());
            assert_eq!(ok.protocol(), None);
            assert_eq!(ok.extensions().count(), 0);
            assert_eq!(ok.header("sec-websocket-accept"), Some(ACCEPT.as_bytes()));
            assert_eq!(ok.headers("Upgrade").count(), 1);
            assert_eq!(ok.all_headers().len(), 3);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn s4_1_response_partial_at_every_split_point() {
    let hs = handshake(client("ws://h/").protocols(&["chat"]));
    let input = ok_response(&["Sec-WebSocket-Protocol: chat"]);
    for n in 0..input.len() {
        assert!(
            matches!(hs.check_response(&input[..n], DEFAULT_MAX_HANDSHAKE), Ok(Response::Partial)),
            "prefix of {n}"
        );
    }
    match hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() {
        Response::Accepted(ok) => {
            assert_eq!((ok.consumed(), ok.protocol()), (input.len(), Some("chat")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn s4_1_response_bytes_after_head_are_handed_back() {
    let hs = handshake(client("ws://h/"));
    let mut input = ok_response(&[]);
    let head = input.len();
    // An unmasked text frame "Hello" (§5.7) right behind the head.
    input.extend_from_slice(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    let Response::Accepted(ok) = hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() else {
        panic!()
    };
    assert_eq!(ok.consumed(), head);
    assert_eq!(&input[ok.consumed()..], b"\x81\x05Hello");
}

#[test]
fn s4_1_response_non_101_is_rejected_with_details() {
    let hs = handshake(client("ws://h/"));
    let input = response_bytes(
        "HTTP/1.1 401 Unauthorized",
        &["WWW-Authenticate: Basic realm=\"x\"", "Content-Length: 0"],
    );
    let Response::Rejected(r) = hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() else {
        panic!()
    };
    assert_eq!((r.status(), r.reason(), r.consumed()), (401, "Unauthorized", input.len()));
    assert_eq!(r.header("www-authenticate"), Some(&b"Basic realm=\"x\""[..]));
    assert_eq!(r.location(), None);

    let mut input = response_bytes("HTTP/1.1 302 Found", &["Location: wss://other.example/x"]);
    let head = input.len();
    input.extend_from_slice(b"body");
    let Response::Rejected(r) = hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() else {
        panic!()
    };
    assert_eq!(r.status(), 302);
    assert_eq!(r.location(), Some(&b"wss://other.example/x"[..]));
    assert_eq!(r.consumed(), head);
    assert_eq!(r.all_headers().len(), 1);

    // A 200 with all the right headers is still not an upgrade.
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let input =
        response_bytes("HTTP/1.1 200 OK", &["Upgrade: websocket", "Connection: Upgrade", &accept]);
    let Response::Rejected(r) = hs.check_response(&input, DEFAULT_MAX_HANDSHAKE).unwrap() else {
        panic!()
    };
    assert_eq!(r.status(), 200);
}

#[test]
fn s4_1_response_needs_upgrade_websocket() {
    let hs = handshake(client("ws://h/"));
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let without = response_bytes("HTTP/1.1 101 x", &["Connection: Upgrade", &accept]);
    assert_eq!(check(&hs, &without), Err(E::MissingUpgrade));
    let wrong = response_bytes("HTTP/1.1 101 x", &["Upgrade: h2c", "Connection: Upgrade", &accept]);
    assert_eq!(check(&hs, &wrong), Err(E::MissingUpgrade));
    let wrong =
        response_bytes("HTTP/1.1 101 x", &["Upgrade: websockets", "Connection: Upgrade", &accept]);
    assert_eq!(check(&hs, &wrong), Err(E::MissingUpgrade));
    let cased =
        response_bytes("HTTP/1.1 101 x", &["Upgrade: WebSocket", "Connection: Upgrade", &accept]);
    assert_eq!(check(&hs, &cased), Ok(None));
}

#[test]
fn s4_1_response_needs_connection_upgrade() {
    let hs = handshake(client("ws://h/"));
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let without = response_bytes("HTTP/1.1 101 x", &["Upgrade: websocket", &accept]);
    assert_eq!(check(&hs, &without), Err(E::MissingConnectionUpgrade));
    let wrong =
        response_bytes("HTTP/1.1 101 x", &["Upgrade: websocket", "Connection: upgraded", &accept]);
    assert_eq!(check(&hs, &wrong), Err(E::MissingConnectionUpgrade));
    for ok in ["Connection: UPGRADE", "Connection: keep-alive, upgrade", "Connection: x,,Upgrade ,"]
    {
        let input = response_bytes("HTTP/1.1 101 x", &["Upgrade: websocket", ok, &accept]);
        assert_eq!(check(&hs, &input), Ok(None), "{ok}");
    }
}

#[test]
fn s4_1_response_accept_must_match_exactly() {
    let hs = handshake(client("ws://h/"));
    let base = ["Upgrade: websocket", "Connection: Upgrade"];
    let missing = response_bytes("HTTP/1.1 101 x", &base);
    assert_eq!(check(&hs, &missing), Err(E::BadAccept));
    let other_key = format!("Sec-WebSocket-Accept: {}", String::from_utf8_lossy(&accept_key(b"x")));
    for bad in [
        other_key.as_str(),
        "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo",
        "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==",
    ] {
        let input = response_bytes("HTTP/1.1 101 x", &[base[0], base[1], bad]);
        assert_eq!(check(&hs, &input), Err(E::BadAccept), "{bad}");
    }
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let twice = response_bytes("HTTP/1.1 101 x", &[base[0], base[1], &accept, &accept]);
    assert_eq!(check(&hs, &twice), Err(E::DuplicateHeader));
}

#[test]
fn s4_1_response_protocol_must_be_one_offered() {
    let none_offered = handshake(client("ws://h/"));
    let input = ok_response(&["Sec-WebSocket-Protocol: chat"]);
    assert_eq!(check(&none_offered, &input), Err(E::UnexpectedProtocol));

    let hs = handshake(client("ws://h/").protocols(&["chat", "superchat"]));
    assert_eq!(check(&hs, &ok_response(&[])), Ok(None));
    assert_eq!(
        check(&hs, &ok_response(&["Sec-WebSocket-Protocol: superchat"])),
        Ok(Some("superchat".into()))
    );
    for bad in [
        &["Sec-WebSocket-Protocol: other"][..],
        &["Sec-WebSocket-Protocol: Chat"],
        &["Sec-WebSocket-Protocol: chat, superchat"],
        &["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"],
        &["Sec-WebSocket-Protocol: "],
    ] {
        assert_eq!(check(&hs, &ok_response(bad)), Err(E::UnexpectedProtocol), "{bad:?}");
    }
}

#[test]
fn s4_1_response_extensions_must_be_offered() {
    let none_offered = handshake(client("ws://h/"));
    let input = ok_response(&["Sec-WebSocket-Extensions: permessage-deflate"]);
    assert_eq!(check(&none_offered, &input), Err(E::UnexpectedExtension));
    // An empty list names no extension.
    assert_eq!(check(&none_offered, &ok_response(&["Sec-WebSocket-Extensions: ,"])), Ok(None));

    let hs = handshake(
        client("ws://h/").extensions("permessage-deflate; client_max_window_bits, x-webkit-foo"),
    );
    for good in [
        &["Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"][..],
        &["Sec-WebSocket-Extensions: x-webkit-foo, permessage-deflate"],
        &["Sec-WebSocket-Extensions: x-webkit-foo", "Sec-WebSocket-Extensions: permessage-deflate"],
    ] {
        let input = ok_response(good);
        let Response::Accepted(ok) = hs.check_response(&input, 8192).unwrap() else { panic!() };
        assert_eq!(ok.extensions().count(), good.len(), "{good:?}");
    }
    for bad in [
        &["Sec-WebSocket-Extensions: client_max_window_bits"][..],
        &["Sec-WebSocket-Extensions: permessage-deflate, x-other"],
        &["Sec-WebSocket-Extensions: permessage-deflate", "Sec-WebSocket-Extensions: x-other; a=1"],
        &["Sec-WebSocket-Extensions: ; permessage-deflate"],
    ] {
        assert_eq!(check(&hs, &ok_response(bad)), Err(E::UnexpectedExtension), "{bad:?}");
    }
}

#[test]
fn s4_1_response_head_size_is_limited() {
    let hs = handshake(client("ws://h/"));
    let input = ok_response(&[]);
    let n = input.len();
    assert!(matches!(hs.check_response(&input, n), Ok(Response::Accepted(_))));
    assert_eq!(hs.check_response(&input, n - 1).err(), Some(E::TooLarge));
    assert_eq!(hs.check_response(&input[..n - 1], n - 1).err(), Some(E::TooLarge));
    assert!(matches!(hs.check_response(&input[..n - 1], n), Ok(Response::Partial)));
    // Frame bytes past the limit do not count against the head.
    let mut long = input.clone();
    long.extend_from_slice(&[0u8; 100]);
    assert!(matches!(hs.check_response(&long, n), Ok(Response::Accepted(_))));
}

#[test]
fn s4_1_response_malformed_or_http_1_0() {
    let hs = handshake(client("ws://h/"));
    assert_eq!(check(&hs, b"HTTP/1.1 1O1 x\r\n\r\n"), Err(E::MalformedHttp));
    assert_eq!(check(&hs, b"HTTP/1.1 101 x\r\nBad Name: v\r\n\r\n"), Err(E::MalformedHttp));
    assert_eq!(check(&hs, b"ICY 200 OK\r\n\r\n"), Err(E::HttpVersion));
    let mut v10 = ok_response(&[]);
    v10[7] = b'0';
    assert_eq!(check(&hs, &v10), Err(E::HttpVersion));
}

// ---------------------------------------------- §4.2.1, the server reading

#[test]
fn s4_2_1_rfc_example_request_parses() {
    let input = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";
    let req = parse_ok(input);
    assert_eq!(req.path(), "/chat");
    assert_eq!(req.resource(), "/chat");
    assert_eq!(req.host(), b"server.example.com");
    assert_eq!(req.key(), KEY.as_bytes());
    assert_eq!(&req.accept_key(), ACCEPT.as_bytes());
    assert_eq!(req.origin(), Some(&b"http://example.com"[..]));
    assert!(req.protocols().eq(["chat", "superchat"]));
    assert_eq!(req.consumed(), input.len());
    assert_eq!(req.all_headers().len(), 7);
}

#[test]
fn s4_2_1_partial_at_every_split_point() {
    let input = request_with(&["Origin: http://o", "Sec-WebSocket-Protocol: a, b"]);
    for n in 0..input.len() {
        assert!(
            matches!(parse_request(&input[..n], DEFAULT_MAX_HANDSHAKE), Ok(None)),
            "prefix of {n}"
        );
    }
    let whole = parse_ok(&input);
    let mut longer = input.clone();
    longer.extend_from_slice(b"\x81\x85");
    let again = parse_ok(&longer);
    for req in [&whole, &again] {
        assert_eq!(req.consumed(), input.len());
        assert_eq!(req.key(), KEY.as_bytes());
        assert!(req.protocols().eq(["a", "b"]));
    }
}

#[test]
fn s4_2_1_invalid_request_fails_once_complete() {
    // Errors are reported as soon as the head is complete, not on a prefix.
    let input = request_replacing("Sec-WebSocket-Key", &[]);
    for n in 0..input.len() {
        assert!(matches!(parse_request(&input[..n], 8192), Ok(None)), "prefix of {n}");
    }
    assert_eq!(parse_err(&input), E::MissingKey);
}

#[test]
fn s4_2_1_bytes_after_head_are_handed_back() {
    let mut input = request_with(&[]);
    let head = input.len();
    // A masked "Hello" (§5.7).
    input.extend_from_slice(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    let req = parse_ok(&input);
    assert_eq!(req.consumed(), head);
    assert_eq!(input[req.consumed()..].len(), 11);
}

#[test]
fn s4_2_1_method_must_be_get() {
    for line in ["POST /chat HTTP/1.1", "get /chat HTTP/1.1", "HEAD /chat HTTP/1.1"] {
        let input = request_bytes(line, &base_lines());
        assert_eq!(parse_err(&input), E::NotGet, "{line}");
    }
    assert_eq!(E::NotGet.status(), 400);
}

#[test]
fn s4_2_1_http_1_1_or_higher() {
    let input = request_bytes("GET /chat HTTP/1.0", &base_lines());
    assert_eq!(parse_err(&input), E::HttpVersion);
    let input = request_bytes("GET /chat HTTP/2.0", &base_lines());
    assert_eq!(parse_err(&input), E::HttpVersion);
    assert_eq!(E::HttpVersion.status(), 400);
}

#[test]
fn s4_2_1_exactly_one_host() {
    assert_eq!(parse_err(&request_replacing("Host", &[])), E::MissingHost);
    assert_eq!(parse_err(&request_replacing("Host", &["Host:"])), E::MissingHost);
    assert_eq!(parse_err(&request_with(&["Host: other"])), E::DuplicateHeader);
    assert_eq!(E::MissingHost.status(), 400);
    assert_eq!(E::DuplicateHeader.status(), 400);
    let input = request_replacing("Host", &["host: [::1]:8080"]);
    let req = parse_ok(&input);
    assert_eq!(req.host(), b"[::1]:8080");
}

#[test]
fn s4_2_1_upgrade_websocket_case_insensitive_in_a_list() {
    for up in [
        &["Upgrade: WebSocket"][..],
        &["upgrade: WEBSOCKET"],
        &["Upgrade: h2c, websocket"],
        &["Upgrade: h2c", "Upgrade: websocket"],
    ] {
        parse_ok(&request_replacing("Upgrade", up));
    }
    for up in [
        &[][..],
        &["Upgrade: websockets"],
        &["Upgrade: h2c"],
        &["Upgrade: web socket"],
        &["Upgrade:"],
    ] {
        assert_eq!(parse_err(&request_replacing("Upgrade", up)), E::MissingUpgrade, "{up:?}");
    }
}

#[test]
fn s4_2_1_connection_upgrade_token_in_a_list() {
    for c in [
        &["Connection: keep-alive, Upgrade"][..],
        &["Connection: UPGRADE"],
        &["connection: keep-alive", "Connection: upgrade"],
        &["Connection: ,\tupgrade\t,"],
    ] {
        parse_ok(&request_replacing("Connection", c));
    }
    for c in [
        &[][..],
        &["Connection: keep-alive"],
        &["Connection: upgrade-insecure"],
        &["Connection: keep-alive upgrade"],
        &["Connection: \"upgrade\""],
    ] {
        assert_eq!(
            parse_err(&request_replacing("Connection", c)),
            E::MissingConnectionUpgrade,
            "{c:?}"
        );
    }
}

#[test]
fn s4_2_1_key_must_be_16_bytes_base64() {
    assert_eq!(parse_err(&request_replacing("Sec-WebSocket-Key", &[])), E::MissingKey);
    for key in [
        "Sec-WebSocket-Key:",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZWU=",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZWVl",
        "Sec-WebSocket-Key: AAAA",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhl",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!",
        "Sec-WebSocket-Key: dGhl IHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Key: the sample nonce",
    ] {
        assert_eq!(
            parse_err(&request_replacing("Sec-WebSocket-Key", &[key])),
            E::InvalidKey,
            "{key}"
        );
    }
    let twice = request_with(&["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]);
    assert_eq!(parse_err(&twice), E::DuplicateHeader);
    // Surrounding whitespace is not part of the value (RFC 7230 §3.2.4).
    let spaced = request_replacing(
        "Sec-WebSocket-Key",
        &["Sec-WebSocket-Key:  \tdGhlIHNhbXBsZSBub25jZQ== \t"],
    );
    assert_eq!(parse_ok(&spaced).key(), KEY.as_bytes());
    assert_eq!(E::InvalidKey.status(), 400);
}

#[test]
fn s4_2_1_missing_version_is_426() {
    let e = parse_err(&request_replacing("Sec-WebSocket-Version", &[]));
    assert_eq!((e, e.status()), (E::UnsupportedVersion, 426));
}

#[test]
fn s4_2_1_wrong_version_is_426() {
    for v in ["8", "7", "14", "13, 8", "013", "", "thirteen"] {
        let line = format!("Sec-WebSocket-Version: {v}");
        let e = parse_err(&request_replacing("Sec-WebSocket-Version", &[&line]));
        assert_eq!((e, e.status()), (E::UnsupportedVersion, 426), "{v:?}");
    }
    let twice = request_with(&["Sec-WebSocket-Version: 13"]);
    assert_eq!(parse_err(&twice), E::DuplicateHeader);
}

#[test]
fn s4_4_old_draft_client_without_key_gets_426() {
    // A draft-76 style request: no Sec-WebSocket-Key or -Version.
    let input = b"GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nUpgrade: WebSocket\r\n\
        Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n\r\n";
    assert_eq!(parse_err(input), E::UnsupportedVersion);
}

#[test]
fn s4_2_1_header_names_are_case_insensitive() {
    let input = format!(
        "GET / HTTP/1.1\r\nhOST: h\r\nUPGRADE: websocket\r\nconnection: upgrade\r\n\
         SEC-WEBSOCKET-KEY: {KEY}\r\nsec-websocket-version: 13\r\nORIGIN: o\r\n\r\n"
    );
    let req = parse_ok(input.as_bytes());
    assert_eq!(req.origin(), Some(&b"o"[..]));
    assert_eq!(req.header("Sec-WebSocket-Key"), Some(KEY.as_bytes()));
    assert_eq!(req.headers("sec-websocket-key").count(), 1);
}

#[test]
fn s4_2_1_protocols_across_repeated_headers_must_be_tokens() {
    let input = request_with(&[
        "Sec-WebSocket-Protocol: chat, , superchat",
        "sec-websocket-protocol: v2.json",
    ]);
    let req = parse_ok(&input);
    assert!(req.protocols().eq(["chat", "superchat", "v2.json"]));
    assert_eq!(req.headers("Sec-WebSocket-Protocol").count(), 2);
    for bad in [
        "Sec-WebSocket-Protocol: a b",
        "Sec-WebSocket-Protocol: chat, \"x\"",
        "Sec-WebSocket-Protocol: a;b",
    ] {
        assert_eq!(parse_err(&request_with(&[bad])), E::InvalidProtocol, "{bad}");
    }
}

#[test]
fn s4_2_1_extensions_and_origin_are_left_to_the_application() {
    let input = request_with(&[
        "Origin: https://evil.example",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "Sec-WebSocket-Extensions: x-foo, x-bar; p=\"1,2\"",
    ]);
    let req = parse_ok(&input);
    assert_eq!(req.origin(), Some(&b"https://evil.example"[..]));
    let ext: Vec<&[u8]> = req.extensions().collect();
    assert_eq!(
        ext,
        [&b"permessage-deflate; client_max_window_bits"[..], b"x-foo, x-bar; p=\"1,2\""]
    );
    let elements: Vec<&[u8]> = req.all_headers().tokens("sec-websocket-extensions").collect();
    assert_eq!(
        elements,
        [&b"permessage-deflate; client_max_window_bits"[..], b"x-foo", b"x-bar; p=\"1,2\""]
    );
}

#[test]
fn s4_2_1_absolute_uri_request_target() {
    let input = request_bytes("GET ws://server.example.com/chat?x HTTP/1.1", &base_lines());
    let req = parse_ok(&input);
    assert_eq!(req.path(), "ws://server.example.com/chat?x");
    assert_eq!(req.resource(), "/chat?x");
}

#[test]
fn s4_2_1_request_target_is_a_path_or_an_absolute_uri() {
    // Origin-form and absolute-form (RFC 9112 §3.2.1, §3.2.2), any scheme case.
    for ok in ["/", "/chat?x", "/a://b", "ws://h", "WSS://h:443/x", "http://h?q", "https://h/"] {
        let input = request_bytes(&format!("GET {ok} HTTP/1.1"), &base_lines());
        assert_eq!(
            parse_request(&input, DEFAULT_MAX_HANDSHAKE).map(|r| r.is_some()),
            Ok(true),
            "{ok}"
        );
    }
    // Neither a /resource name/ nor an absolute HTTP/HTTPS URI containing one
    // (RFC 6455 §4.2.1 item 1); an empty host is invalid (RFC 9110 §4.2.1).
    for bad in ["chat", "*", "h:80", "ftp://h/x", "ws:/h", "ws:///x", "ws://?q", "://h/x", "ws//h/"]
    {
        let input = request_bytes(&format!("GET {bad} HTTP/1.1"), &base_lines());
        let e = parse_err(&input);
        assert_eq!((e, e.status()), (HandshakeError::MalformedHttp, 400), "{bad}");
    }
}

#[test]
fn s4_2_1_head_size_is_limited() {
    let input = request_with(&[]);
    let n = input.len();
    assert!(parse_request(&input, n).unwrap().is_some());
    assert_eq!(parse_request(&input, n - 1).err(), Some(E::TooLarge));
    assert_eq!(parse_request(&input[..n - 1], n - 1).err(), Some(E::TooLarge));
    assert!(parse_request(&input[..n - 1], n).unwrap().is_none());
    let mut with_frames = input.clone();
    with_frames.extend_from_slice(&[0u8; 64]);
    assert_eq!(parse_request(&with_frames, n).unwrap().unwrap().consumed(), n);

    // The default limit: 8 KiB.
    let cookie = format!("Cookie: {}", "a".repeat(DEFAULT_MAX_HANDSHAKE));
    let big = request_with(&[&cookie]);
    let e = parse_err(&big);
    assert_eq!((e, e.status()), (E::TooLarge, 431));
    // An endless head is refused once it reaches the limit, before it ends.
    let endless = vec![b'a'; DEFAULT_MAX_HANDSHAKE];
    let mut endless_req = b"GET / HTTP/1.1\r\nX: ".to_vec();
    endless_req.extend_from_slice(&endless);
    assert_eq!(parse_err(&endless_req), E::TooLarge);
    assert!(
        parse_request(&endless_req[..DEFAULT_MAX_HANDSHAKE - 1], DEFAULT_MAX_HANDSHAKE)
            .unwrap()
            .is_none()
    );
}

#[test]
fn s4_2_1_too_many_headers_is_431() {
    let fillers: Vec<String> = (0..MAX_HEADERS).map(|i| format!("X-{i}: v")).collect();
    let refs: Vec<&str> = fillers.iter().map(String::as_str).collect();
    let e = parse_err(&request_with(&refs));
    assert_eq!((e, e.status()), (E::TooManyHeaders, 431));
    // Exactly MAX_HEADERS fields is fine.
    let fit: Vec<&str> = refs[..MAX_HEADERS - base_lines().len()].to_vec();
    assert_eq!(parse_ok(&request_with(&fit)).all_headers().len(), MAX_HEADERS);
}

#[test]
fn s4_2_1_malformed_http_is_400() {
    for input in [
        &b"GET /chat HTTP/1.1\r\nHost : h\r\n\r\n"[..],
        b"GET /chat HTTP/1.1\r\nNo colon\r\n\r\n",
        b"GET  /chat HTTP/1.1\r\n\r\n",
        b"GET /chat\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    ] {
        let e = parse_err(input);
        assert!(matches!(e, E::MalformedHttp | E::HttpVersion), "{input:?}: {e:?}");
        assert_eq!(e.status(), 400);
    }
}

// ------------------------------------------- §4.2.2, the server accepting

#[test]
fn s4_2_2_accept_response_exact_bytes() {
    let mut buf = [0u8; 512];
    let n = write_accept(KEY.as_bytes(), None, None, &[], &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    );
}

#[test]
fn s4_2_2_accept_with_protocol_extensions_and_extra_headers() {
    let mut buf = [0u8; 512];
    let n = write_accept(
        KEY.as_bytes(),
        Some("chat"),
        Some("permessage-deflate; server_no_context_takeover"),
        &[("Set-Cookie", "id=1; HttpOnly")],
        &mut buf,
    )
    .unwrap();
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    assert!(
        text.ends_with(
            "Sec-WebSocket-Protocol: chat\r\n\
             Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\
             Set-Cookie: id=1; HttpOnly\r\n\r\n"
        ),
        "{text}"
    );
}

#[test]
fn s4_2_2_accept_rejects_injection_and_reserved_headers() {
    let mut buf = [0u8; 512];
    let k = KEY.as_bytes();
    assert_eq!(write_accept(k, Some("a b"), None, &[], &mut buf), Err(E::InvalidProtocol));
    assert_eq!(write_accept(k, Some(""), None, &[], &mut buf), Err(E::InvalidProtocol));
    assert_eq!(write_accept(k, Some("a\r\nX: 1"), None, &[], &mut buf), Err(E::InvalidProtocol));
    assert_eq!(write_accept(k, None, Some("x\r\n"), &[], &mut buf), Err(E::InvalidHeaderValue));
    assert_eq!(write_accept(k, None, Some(""), &[], &mut buf), Err(E::InvalidHeaderValue));
    assert_eq!(write_accept(k, None, None, &[("A", "\n")], &mut buf), Err(E::InvalidHeaderValue));
    assert_eq!(write_accept(k, None, None, &[("A B", "1")], &mut buf), Err(E::InvalidHeaderName));
    for name in [
        "upgrade",
        "Connection",
        "Sec-WebSocket-Accept",
        "sec-websocket-protocol",
        "Sec-WebSocket-Extensions",
        "Content-Length",
        "Transfer-Encoding",
    ] {
        assert_eq!(
            write_accept(k, None, None, &[(name, "1")], &mut buf),
            Err(E::ReservedHeader),
            "{name}"
        );
    }
}

#[test]
fn s4_2_2_accept_insufficient_size_is_exact() {
    let args = (Some("chat"), Some("permessage-deflate"), [("X-A", "b")]);
    let mut big = [0u8; 512];
    let required = write_accept(KEY.as_bytes(), args.0, args.1, &args.2, &mut big).unwrap();
    for len in 0..required {
        let mut buf = vec![0u8; len];
        assert_eq!(
            write_accept(KEY.as_bytes(), args.0, args.1, &args.2, &mut buf),
            Err(E::InsufficientSize { required }),
            "buffer of {len}"
        );
    }
    let mut exact = vec![0u8; required];
    assert_eq!(write_accept(KEY.as_bytes(), args.0, args.1, &args.2, &mut exact), Ok(required));
    assert_eq!(exact, &big[..required]);
}

// ------------------------------------------------ §4.2.1 / §4.4, rejecting

fn split_response(bytes: &[u8]) -> (String, String) {
    let text = std::str::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

#[test]
fn s4_4_reject_426_advertises_version_13() {
    let mut buf = [0u8; 512];
    let n = write_reject(426, &mut buf).unwrap();
    let (head, body) = split_response(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{head}");
    assert!(head.contains("\r\nSec-WebSocket-Version: 13"), "{head}");
    assert!(head.contains("\r\nUpgrade: websocket"), "{head}");
    assert!(head.contains(&format!("\r\nContent-Length: {}", body.len())), "{head}");
}

#[test]
fn s4_2_1_reject_is_a_complete_http_response() {
    for (status, phrase) in [
        (400, "Bad Request"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
        (418, "Client Error"),
    ] {
        let mut buf = [0u8; 512];
        let n = write_reject(status, &mut buf).unwrap();
        let (head, body) = split_response(&buf[..n]);
        assert!(head.starts_with(&format!("HTTP/1.1 {status} {phrase}\r\n")), "{head}");
        assert!(head.contains("\r\nConnection: close"), "{head}");
        assert!(head.contains("\r\nContent-Type: text/plain"), "{head}");
        assert!(head.contains(&format!("\r\nContent-Length: {}", body.len())), "{head}");
        assert!(!body.is_empty());
        assert_eq!(head.contains("Sec-WebSocket-Version"), status == 426);
        assert_eq!(head.contains("\r\nAllow: GET"), status == 405);
    }
    for bad in [0, 101, 200, 299, 600, 999] {
        assert_eq!(write_reject(bad, &mut [0; 512]), Err(E::InvalidStatus), "{bad}");
    }
}

#[test]
fn s4_2_1_reject_with_extra_headers() {
    let mut buf = [0u8; 512];
    let n = write_reject_with(301, &[("Location", "wss://b.example/")], &mut buf).unwrap();
    let (head, _) = split_response(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 301 Moved Permanently\r\n"));
    assert!(head.contains("\r\nLocation: wss://b.example/"));
    assert_eq!(
        write_reject_with(400, &[("Content-Length", "0")], &mut buf),
        Err(E::ReservedHeader)
    );
    assert_eq!(write_reject_with(400, &[("X", "a\rb")], &mut buf), Err(E::InvalidHeaderValue));
}

#[test]
fn s4_2_1_reject_for_uses_the_error_status() {
    for (err, status) in [
        (E::UnsupportedVersion, 426),
        (E::TooLarge, 431),
        (E::TooManyHeaders, 431),
        (E::MissingKey, 400),
        (E::NotGet, 400),
        (E::InsufficientSize { required: 1 }, 500),
    ] {
        let mut buf = [0u8; 512];
        let n = write_reject_for(&err, &mut buf).unwrap();
        assert!(buf[..n].starts_with(format!("HTTP/1.1 {status} ").as_bytes()), "{err:?}");
        let mut len = 0;
        while len < n {
            assert_eq!(
                write_reject_for(&err, &mut buf[..len]),
                Err(E::InsufficientSize { required: n })
            );
            len += 7;
        }
    }
}

#[test]
fn errors_have_static_messages_and_are_errors() {
    let all = [
        E::InsufficientSize { required: 3 },
        E::TooLarge,
        E::TooManyHeaders,
        E::MalformedHttp,
        E::HttpVersion,
        E::NotGet,
        E::MissingHost,
        E::DuplicateHeader,
        E::MissingUpgrade,
        E::MissingConnectionUpgrade,
        E::MissingKey,
        E::InvalidKey,
        E::UnsupportedVersion,
        E::InvalidProtocol,
        E::BadAccept,
        E::UnexpectedProtocol,
        E::UnexpectedExtension,
        E::InvalidUri,
        E::UnsupportedScheme,
        E::FragmentInUri,
        E::InvalidPort,
        E::InvalidHeaderName,
        E::InvalidHeaderValue,
        E::ReservedHeader,
        E::InvalidStatus,
    ];
    let mut seen = std::collections::HashSet::new();
    for e in all {
        let msg = e.to_string();
        assert!(!msg.is_empty());
        assert!(seen.insert(msg), "duplicate message for {e:?}");
        let _: &dyn core::error::Error = &e;
        assert!(matches!(e.status(), 400 | 426 | 431 | 500));
        assert_eq!(e.status() == 500, e.is_local(), "{e:?}");
    }
}

// ------------------------------------------------------------ round trip

#[test]
fn s4_client_server_round_trip() {
    let offered = ["v2.chat", "chat"];
    let client_req = ClientRequest::new("wss://[2001:db8::1]:8443/rooms/1?token=abc")
        .unwrap()
        .origin("https://app.example")
        .protocols(&offered)
        .extensions("permessage-deflate; client_max_window_bits")
        .headers(&[("Cookie", "s=1")]);
    for seed in 0..=255u8 {
        let nonce = [seed; 16];
        let mut to_server = [0u8; 1024];
        let hs = client_req.write(nonce, &mut to_server).unwrap();
        let mut wire = to_server[..hs.request_len()].to_vec();
        wire.extend_from_slice(b"\x89\x80\x00\x00\x00\x00"); // an early masked ping

        let req = parse_ok(&wire);
        assert_eq!(req.resource(), "/rooms/1?token=abc");
        assert_eq!(req.host(), b"[2001:db8::1]:8443");
        assert_eq!(req.origin(), Some(&b"https://app.example"[..]));
        assert_eq!(req.header("cookie"), Some(&b"s=1"[..]));
        assert_eq!(req.key(), &generate_key(nonce));
        assert_eq!(&wire[req.consumed()..], b"\x89\x80\x00\x00\x00\x00");
        let chosen = req.protocols().find(|p| *p == "chat");
        let mut ext = req.extensions();
        assert_eq!(ext.next(), Some(&b"permessage-deflate; client_max_window_bits"[..]));

        let mut to_client = [0u8; 512];
        let n = write_accept(req.key(), chosen, Some("permessage-deflate"), &[], &mut to_client)
            .unwrap();
        let mut wire = to_client[..n].to_vec();
        wire.extend_from_slice(b"\x8a\x00");
        match hs.check_response(&wire, DEFAULT_MAX_HANDSHAKE).unwrap() {
            Response::Accepted(ok) => {
                assert_eq!(ok.protocol(), Some("chat"));
                assert_eq!(ok.extensions().next(), Some(&b"permessage-deflate"[..]));
                assert_eq!(&wire[ok.consumed()..], b"\x8a\x00");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn s4_1_response_for_another_key_is_refused() {
    // A server answering a different request (a cache, a confused proxy).
    let a = handshake(client("ws://h/"));
    let mut buf = [0u8; 256];
    let n = write_accept(b"AAAAAAAAAAAAAAAAAAAAAA==", None, None, &[], &mut buf).unwrap();
    assert_eq!(check(&a, &buf[..n]), Err(E::BadAccept));
}

// ------------------------------- §4.1, checking with a stored offer (no alloc)

/// A `ClientOffer` in fixed storage judges a response exactly as the
/// handshake it was written with: the accept key from the nonce, only an
/// offered subprotocol (a whole name, not a prefix of one) and only an
/// offered extension.
#[test]
fn s4_1_stored_offer_checks_the_response_like_the_handshake() {
    let protocols = ["chat.v2", "chat"];
    let offer = wsframe::handshake::ClientOffer::new(NONCE, &protocols, Some("x-ext")).unwrap();
    let mut buf = [0u8; 512];
    let hs = client("ws://h/").protocols(&protocols).extensions("x-ext").write(NONCE, &mut buf);
    let hs = hs.unwrap();
    let cases: [&[&str]; 6] = [
        &[],
        &["Sec-WebSocket-Protocol: chat"],
        &["Sec-WebSocket-Protocol: cha"],
        &["Sec-WebSocket-Protocol: chat.v2x"],
        &["Sec-WebSocket-Extensions: x-ext"],
        &["Sec-WebSocket-Extensions: y-ext"],
    ];
    for lines in cases {
        let input = ok_response(lines);
        let stored = offer.check_response(&input, DEFAULT_MAX_HANDSHAKE);
        let direct = hs.check_response(&input, DEFAULT_MAX_HANDSHAKE);
        assert_eq!(format!("{stored:?}"), format!("{direct:?}"), "{lines:?}");
    }
    assert!(offer.check_response(&ok_response(&[]), 8192).is_ok());
    let other = wsframe::handshake::ClientOffer::new(*b"another nonce 16", &protocols, None);
    assert_eq!(other.unwrap().check_response(&ok_response(&[]), 8192).unwrap_err(), E::BadAccept);
    // Over capacity: 256 bytes hold the names plus one byte each.
    let long = "p".repeat(255);
    assert!(wsframe::handshake::ClientOffer::new(NONCE, &[&long], None).is_some());
    assert!(wsframe::handshake::ClientOffer::new(NONCE, &[&long, "q"], None).is_none());
}

// ------------------------- §4.2.1, fields looked up again without a re-parse

/// `RequestHead` (a scan of the accepted head's lines, for callers that
/// keep the bytes rather than the parsed `Request`) finds what `Request`
/// found: every header by name, the subprotocols across repeated fields,
/// the extension values; LF-only line ends and odd casing included.
#[test]
fn s4_2_1_request_head_lookups_match_the_parsed_request() {
    let variants: [&[&str]; 4] = [
        &[],
        &["Sec-WebSocket-Protocol: chat, superchat", "sec-websocket-protocol:v2 ,  v3"],
        &[
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "X-Empty:",
            "X-Id:  7 ",
        ],
        &["SEC-WEBSOCKET-EXTENSIONS: a, b; q=\"x,y\"", "Origin: http://o", "Cookie: a=b:c"],
    ];
    for (i, extra) in variants.iter().enumerate() {
        let mut lines = base_lines();
        lines.extend(extra.iter().map(|l| l.to_string()));
        for crlf in [true, false] {
            let mut input = request_bytes("GET /p?q HTTP/1.1", &lines);
            // Empty lines before the request line, which a parser may skip.
            input.splice(0..0, b"\r\n\r\n".iter().copied());
            if !crlf {
                input = String::from_utf8(input).unwrap().replace("\r\n", "\n").into_bytes();
            }
            input.extend_from_slice(b"trailing frame bytes");
            let req = parse_request(&input, DEFAULT_MAX_HANDSHAKE).unwrap().unwrap();
            let head = wsframe::handshake::RequestHead::new(&input[..req.consumed()]);
            assert!(head.protocols().eq(req.protocols()), "{i} {crlf}");
            assert!(head.extensions().eq(req.extensions()), "{i} {crlf}");
            for (name, _) in req.all_headers().iter() {
                assert!(head.headers(name).eq(req.headers(name)), "{i} {crlf} {name}");
                let upper = name.to_ascii_uppercase();
                assert_eq!(head.header(&upper), req.header(&upper), "{i} {crlf} {name}");
            }
            assert_eq!(head.header("absent"), None);
        }
    }
}
