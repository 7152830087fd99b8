//! The workloads of DESIGN §6 and, for each, one row per implementation.

use std::rc::Rc;

use crate::harness::Case;
use crate::inputs;
use crate::peers::{cabi, embedded, fastws, floor, memcpy, tungstenite, wsframe, wslay};

pub const MEMCPY: &str = "memcpy";
pub const PEER_NAMES: [&str; 5] =
    ["wsframe", "tungstenite", "fastwebsockets", "embedded-websocket", "wslay"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Unmask { size: usize },
    DecodeSmall { text: bool, size: usize },
    DecodeBig { fragments: usize },
    Encode { client: bool, size: usize },
    Utf8 { cjk: bool },
    Handshake,
}

pub struct Workload {
    pub id: String,
    pub group: &'static str,
    pub title: String,
    pub kind: Kind,
    /// Bytes one run processes (the MB/s basis; see `bytes_basis`).
    pub bytes: u64,
    /// Operations one run performs and their name ("frames", "requests", ...).
    pub ops: u64,
    pub ops_name: &'static str,
    /// What every implementation's run must return (memcpy excepted).
    pub expected: Option<u64>,
    pub bytes_basis: &'static str,
}

pub type Make = Box<dyn FnOnce() -> Box<dyn Case>>;

pub struct Row {
    pub name: &'static str,
    /// How to build the case, or why this implementation has none.
    pub make: Result<Make, String>,
    pub note: Option<&'static str>,
}

/// Sizes, scaled down by `--quick`.
#[derive(Clone, Copy)]
pub struct Scale {
    pub small_frames: usize,
    pub big: usize,
    pub requests: usize,
    pub unmask_bytes: usize,
}

impl Scale {
    pub const FULL: Self =
        Self { small_frames: 100_000, big: 16 << 20, requests: 100_000, unmask_bytes: 32 << 20 };
    pub const QUICK: Self =
        Self { small_frames: 5_000, big: 1 << 20, requests: 2_000, unmask_bytes: 1 << 20 };
}

pub const SMALL_PAYLOAD: usize = 64;
/// Issue 12's per-frame lanes: frames this small are all header cost.
pub const TINY_PAYLOAD: usize = 16;
pub const UTF8_LEN: usize = 1 << 20;
pub const FRAGMENTS: usize = 1024;

fn human(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

fn count(n: usize) -> String {
    if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

pub fn all(scale: Scale) -> Vec<Workload> {
    let mut v = Vec::new();
    // 125 B: the largest payload with a 2-byte header (and a control frame's limit).
    for size in [16usize, 125, 1 << 10, 64 << 10, 1 << 20, 16 << 20] {
        let iters = (scale.unmask_bytes / size).max(2);
        v.push(Workload {
            id: format!("unmask-{}", human(size).replace(' ', "").to_lowercase()),
            group: "unmask",
            title: format!("Unmask {} in place (x{} per run)", human(size), iters),
            kind: Kind::Unmask { size },
            bytes: (size * iters) as u64,
            ops: iters as u64,
            ops_name: "calls",
            expected: None,
            bytes_basis: "bytes unmasked",
        });
    }
    let n = scale.small_frames;
    for size in [SMALL_PAYLOAD, TINY_PAYLOAD] {
        for text in [false, true] {
            v.push(decode_small(n, size, text));
        }
    }
    for fragments in [1usize, FRAGMENTS] {
        let per = scale.big / fragments;
        let header = if per < 126 {
            6
        } else if per <= 0xFFFF {
            8
        } else {
            14
        };
        v.push(Workload {
            id: format!("decode-big-{fragments}"),
            group: "decode",
            title: if fragments == 1 {
                format!("Decode one masked {} binary message in 1 frame", human(scale.big))
            } else {
                format!(
                    "Decode one masked {} binary message in {fragments} fragments of {}",
                    human(scale.big),
                    human(per)
                )
            },
            kind: Kind::DecodeBig { fragments },
            bytes: (scale.big + fragments * header) as u64,
            ops: fragments as u64,
            ops_name: "frames",
            expected: Some(scale.big as u64 + 1),
            bytes_basis: "wire bytes in",
        });
    }
    for size in [SMALL_PAYLOAD, TINY_PAYLOAD] {
        for client in [false, true] {
            v.push(encode_small(n, size, client));
        }
    }
    for cjk in [false, true] {
        v.push(Workload {
            id: format!("utf8-{}", if cjk { "cjk" } else { "ascii" }),
            group: "utf8",
            title: format!(
                "Validate {} of UTF-8 ({})",
                human(UTF8_LEN),
                if cjk { "CJK, 3-byte sequences" } else { "ASCII" }
            ),
            kind: Kind::Utf8 { cjk },
            bytes: UTF8_LEN as u64,
            ops: 1,
            ops_name: "validations",
            expected: Some(1),
            bytes_basis: "bytes validated",
        });
    }
    let reqs = inputs::upgrade_requests(1, 99);
    v.push(Workload {
        id: "handshake".into(),
        group: "handshake",
        title: format!(
            "Parse {} upgrade requests ({} B, 12 headers) and write the 101 with the accept key",
            count(scale.requests),
            reqs[0].len()
        ),
        kind: Kind::Handshake,
        bytes: (scale.requests * reqs[0].len()) as u64,
        ops: scale.requests as u64,
        ops_name: "requests",
        expected: None,
        bytes_basis: "request bytes",
    });
    v
}

/// The 64 B workloads keep their original ids (Node results join on them);
/// other sizes carry theirs, e.g. `decode-16b-binary`.
fn small_id(verb: &str, size: usize, what: &str) -> String {
    if size == SMALL_PAYLOAD {
        format!("{verb}-{}", if verb == "decode" { format!("small-{what}") } else { what.into() })
    } else {
        format!("{verb}-{size}b-{what}")
    }
}

fn decode_small(n: usize, size: usize, text: bool) -> Workload {
    let what = if text { "text (UTF-8 validated)" } else { "binary" };
    Workload {
        id: small_id("decode", size, if text { "text" } else { "binary" }),
        group: "decode",
        title: format!("Decode {} masked {what} frames of {size} B", count(n)),
        kind: Kind::DecodeSmall { text, size },
        bytes: (n * (size + 6)) as u64,
        ops: n as u64,
        ops_name: "frames",
        expected: Some((n * size + n) as u64),
        bytes_basis: "wire bytes in",
    }
}

fn encode_small(n: usize, size: usize, client: bool) -> Workload {
    let (who, header) = if client { ("client, masked", 6) } else { ("server, unmasked", 2) };
    Workload {
        id: small_id("encode", size, if client { "client" } else { "server" }),
        group: "encode",
        title: format!("Encode {} binary frames of {size} B ({who})", count(n)),
        kind: Kind::Encode { client, size },
        bytes: (n * size) as u64,
        ops: n as u64,
        ops_name: "frames",
        expected: Some((n * (size + header)) as u64),
        bytes_basis: "payload bytes",
    }
}

fn boxed(f: impl FnOnce() -> Box<dyn Case> + 'static) -> Result<Make, String> {
    Ok(Box::new(f))
}

fn na(why: &str) -> Result<Make, String> {
    Err(why.to_string())
}

fn row(name: &'static str, make: Result<Make, String>, note: Option<&'static str>) -> Row {
    Row { name, make, note }
}

/// The bare handshake floor's row name; the targets table looks it up.
pub const FLOOR: &str = "httparse+sha1+base64 (floor)";

/// The C ABI row's name; the targets table looks it up.
pub const C_ABI: &str = "wsframe (C ABI)";

/// The C ABI row that sends through `wsframe_conn_send_many`.
pub const C_ABI_MANY: &str = "wsframe (C ABI, send_many)";

fn c_abi_row(case: Result<Box<dyn Case>, String>, note: &'static str) -> Row {
    row(C_ABI, from_result(case), Some(note))
}

fn from_result(r: Result<Box<dyn Case>, String>) -> Result<Make, String> {
    r.map(|c| Box::new(move || c) as Make)
}

/// The rows of one workload; inputs are built here, once, and shared.
pub fn rows(w: &Workload, scale: Scale) -> Vec<Row> {
    match w.kind {
        Kind::Unmask { size } => {
            let iters = w.ops as usize;
            vec![
                row(
                    MEMCPY,
                    boxed(move || memcpy::copy(size, iters)),
                    Some("copy_from_slice of the same size"),
                ),
                row(
                    "wsframe",
                    boxed(move || wsframe::unmask(size, iters)),
                    Some("mask::apply_mask"),
                ),
                row(
                    "tungstenite",
                    na("its apply_mask is private (protocol::frame::mask is not exported)"),
                    None,
                ),
                row(
                    "fastwebsockets",
                    boxed(move || fastws::unmask(size, iters)),
                    Some("fastwebsockets::unmask"),
                ),
                row(
                    "embedded-websocket",
                    na("no public unmask; masking is inside read/write"),
                    None,
                ),
                row("wslay", na("no public unmask; masking is inside wslay_frame_recv/send"), None),
            ]
        }
        Kind::DecodeSmall { text, size } => {
            let (op, payload) = if text {
                (inputs::OP_TEXT, inputs::small_text(size))
            } else {
                (inputs::OP_BINARY, inputs::random_bytes(size, 3))
            };
            let input = Rc::new(inputs::small_frames(scale.small_frames, op, &payload, 11));
            let mut rows = decode_rows(input.clone(), scale.small_frames as u64, text, false);
            // Issue 12's C ABI lane: 16 B binary decode through libwsframe.a.
            if size == TINY_PAYLOAD && !text {
                rows.insert(3, c_abi_row(
                    cabi::decode(input),
                    "benches/c/wsframe_c_bench.c (gcc -O2) on libwsframe.a: wsframe_conn_receive in caller storage, up to 64 events per call",
                )); // after wsframe and its Session
            }
            rows
        }
        Kind::DecodeBig { fragments } => {
            let payload = inputs::random_bytes(scale.big, 5);
            let input = Rc::new(inputs::fragmented(&payload, fragments, 13));
            decode_rows(input, 1, false, fragments > 1)
        }
        Kind::Encode { client, size } => {
            let n = scale.small_frames;
            let payload = Rc::new(inputs::random_bytes(size, 17));
            let (p1, p2, p3, p4, p5, p6) = (
                payload.clone(),
                payload.clone(),
                payload.clone(),
                payload.clone(),
                payload.clone(),
                payload.clone(),
            );
            let rng_note = if client {
                Some("mask keys from rand's thread RNG inside the library (not replaceable)")
            } else {
                None
            };
            // Issue 12's C ABI lane: 16 B server sends through libwsframe.a.
            let c_rows = (size == TINY_PAYLOAD && !client).then(|| {
                [
                    c_abi_row(
                        cabi::encode_server(payload.clone(), n, false),
                        "benches/c/wsframe_c_bench.c (gcc -O2) on libwsframe.a: one wsframe_conn_send per frame, in caller storage",
                    ),
                    row(
                        C_ABI_MANY,
                        from_result(cabi::encode_server(payload.clone(), n, true)),
                        Some("the same C driver: one wsframe_conn_send_many per 64 messages (a flush of queued messages), in caller storage"),
                    ),
                ]
            });
            let mut rows = vec![
                row(
                    MEMCPY,
                    boxed(move || memcpy::pieces(Rc::new(vec![payload.to_vec()]), n)),
                    Some("the payloads copied back to back"),
                ),
                row(
                    "wsframe",
                    boxed(move || wsframe::encode(p1, n, client)),
                    Some("Connection::send_binary into one output buffer"),
                ),
                row(
                    "wsframe Session",
                    boxed(move || wsframe::encode_session(p6, n, client)),
                    Some("Session::send_binary, outgoing() taken after each send"),
                ),
                row(
                    "tungstenite",
                    boxed(move || tungstenite::encode(p2, n, client)),
                    rng_note.or(Some("WebSocket::write (Bytes payload) + one flush")),
                ),
                row(
                    "fastwebsockets",
                    boxed(move || fastws::encode(p3, n, client)),
                    if client {
                        Some(
                            "mask keys from rand's thread RNG inside the library; payload masked in place (Payload::BorrowedMut)",
                        )
                    } else {
                        Some("WebSocket::write_frame (Payload::Borrowed)")
                    },
                ),
                row(
                    "embedded-websocket",
                    boxed(move || embedded::encode(p4, n, client)),
                    Some("WebSocket::write into one output buffer"),
                ),
                row(
                    "wslay",
                    from_result(wslay::encode(p5, n, client)),
                    Some(
                        "wslay_event_queue_msg (copies the message into a malloc'd block) + wslay_event_send",
                    ),
                ),
            ];
            if let Some([one, many]) = c_rows {
                rows.insert(3, one); // after wsframe and wsframe Session
                rows.insert(4, many);
            }
            rows
        }
        Kind::Utf8 { cjk } => {
            // One buffer for every validator (leaked: 1 MiB per workload), so
            // that they all read the same memory with the same alignment.
            let text: &'static [u8] = Vec::leak(if cjk {
                inputs::cjk_text(UTF8_LEN, 23)
            } else {
                inputs::ascii_text(UTF8_LEN, 23)
            });
            vec![
                row(MEMCPY, boxed(move || memcpy::copy(UTF8_LEN, 1)), None),
                row(
                    "wsframe",
                    boxed(move || wsframe::utf8_validate(text)),
                    Some("utf8::validate (one shot)"),
                ),
                row(
                    "wsframe (streaming)",
                    boxed(move || wsframe::utf8_streaming(text)),
                    Some("utf8::Utf8Validator::feed + finish, what Connection uses"),
                ),
                row(
                    "tungstenite",
                    boxed(move || tungstenite::utf8(text)),
                    Some("Utf8Bytes::try_from(Bytes::from_static)"),
                ),
                row(
                    "fastwebsockets",
                    boxed(move || fastws::utf8(text)),
                    Some("Frame::is_utf8 (simdutf8)"),
                ),
                row("embedded-websocket", na("does not validate UTF-8"), None),
                row(
                    "wslay",
                    na("validation is internal to wslay_event_recv (see decode text)"),
                    None,
                ),
            ]
        }
        Kind::Handshake => {
            let n = scale.requests;
            let reqs = Rc::new(inputs::upgrade_requests(1024, 99));
            let (r1, r2, r3, r4) = (reqs.clone(), reqs.clone(), reqs.clone(), reqs.clone());
            vec![
                row(
                    MEMCPY,
                    boxed(move || memcpy::pieces(reqs, n)),
                    Some("the requests copied back to back"),
                ),
                row(
                    "wsframe",
                    boxed(move || wsframe::handshake(r1, n)),
                    Some(
                        "parse_request + write_accept; checks method, version, Host, Upgrade, Connection, Sec-WebSocket-Version, key format",
                    ),
                ),
                row(
                    FLOOR,
                    boxed(move || floor::handshake(r4, n)),
                    Some(
                        "httparse, find Sec-WebSocket-Key, SHA-1 + base64 of it, write the same 101 bytes; validates nothing else",
                    ),
                ),
                row(
                    "tungstenite",
                    boxed(move || tungstenite::handshake(r2, n)),
                    Some(
                        "Request::try_parse + create_response + write_response; builds http::Request/Response (allocates)",
                    ),
                ),
                row(
                    "fastwebsockets",
                    na(
                        "its server handshake is hyper's (feature `upgrade`): no byte-level request parser",
                    ),
                    None,
                ),
                row(
                    "embedded-websocket",
                    boxed(move || embedded::handshake(r3, n)),
                    Some(
                        "httparse + read_http_header + server_accept; checks only the Upgrade header",
                    ),
                ),
                row("wslay", na("no handshake support (framing only)"), None),
            ]
        }
    }
}

fn decode_rows(input: Rc<Vec<u8>>, messages: u64, text: bool, fragmented: bool) -> Vec<Row> {
    let (i0, i1, i2, i3, i4, i5) =
        (input.clone(), input.clone(), input.clone(), input.clone(), input.clone(), input.clone());
    let big = messages == 1;
    vec![
        row(MEMCPY, boxed(move || memcpy::reads(i0)), Some("the 64 KiB reads alone")),
        row(
            "wsframe",
            boxed(move || wsframe::decode(i1)),
            Some("Connection::receive, in place, chunks as they arrive"),
        ),
        row(
            "wsframe Session",
            boxed(move || wsframe::decode_session(input)),
            Some(if big {
                "Session::receive: whole messages, a large one reassembled from the reads"
            } else {
                "Session::receive: whole messages, each borrowed from the read buffer"
            }),
        ),
        row(
            "tungstenite",
            boxed(move || tungstenite::decode(i2, messages)),
            Some(if fragmented {
                "WebSocket::read; reassembles the 16 MiB message before returning it"
            } else if big {
                "WebSocket::read; buffers the whole frame before returning it"
            } else {
                "WebSocket::read; copies into its own read buffer, one Message per frame"
            }),
        ),
        row(
            "fastwebsockets",
            boxed(move || fastws::decode(i3, messages)),
            Some(if big {
                "WebSocket::read_frame (frame by frame); buffers each whole frame"
            } else if text {
                "WebSocket::read_frame; UTF-8 via simdutf8"
            } else {
                "WebSocket::read_frame"
            }),
        ),
        row(
            "embedded-websocket",
            boxed(move || embedded::decode(i4, text)),
            Some(if fragmented {
                "0.9.5 clears its continuation state only after a final frame, so a non-final fragment split across two reads leaves it stuck"
            } else if text {
                "WebSocket::read copies+unmasks into a 2nd buffer; no UTF-8 check of its own: harness adds str::from_utf8 per message"
            } else {
                "WebSocket::read copies+unmasks into a 2nd buffer"
            }),
        ),
        row(
            "wslay",
            from_result(wslay::decode(i5)),
            Some(
                "wslay_event_recv, no buffering; reads via its 4 KiB buffer, unmasks (and validates UTF-8) byte by byte",
            ),
        ),
    ]
}
