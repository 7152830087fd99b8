//! The C API driven the way a C program drives it: a server request parse on
//! the raw bytes, then either a session (either role, optionally with
//! permessage-deflate) or a frame-level connection in caller storage, fed
//! the bytes through a small buffer, echoing messages (a session's straight
//! from its own buffers), answering pings, completing or failing the close,
//! plus calls with NULL pointers, short buffers, overlapping buffers and a
//! length of -1. Nothing may crash; every result must be a known code, and
//! failures must name a wire-valid close code.
#![no_main]

use std::ptr;

use libfuzzer_sys::fuzz_target;
use wsframe_c::*;

fn ok(r: wsframe_result) -> bool {
    r == WSFRAME_RESULT_OK
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, bytes)) = data.split_first() else { return };
    // SAFETY: every pointer passed below is either NULL (a misuse the API must
    // report) or points to a live local buffer of the length passed with it.
    unsafe {
        let mut req: wsframe_server_request = std::mem::zeroed();
        let r = wsframe_server_request_parse(bytes.as_ptr(), bytes.len(), 4096, &mut req);
        assert!(!wsframe_result_str(r).is_null());
        if ok(r) && req.complete {
            assert!(req.consumed <= bytes.len());
            let (mut p, mut n) = (ptr::null(), 0usize);
            assert!(ok(wsframe_server_request_protocol(&req, 0, &mut p, &mut n)));
        }

        let role = if ctl & 1 == 0 { 2 } else { 1 };
        let mut config: wsframe_conn_config = std::mem::zeroed();
        assert!(ok(wsframe_conn_config_default(&mut config)));
        config.max_message_size = 1 << 16;
        if ctl & 2 != 0 {
            config.deflate = true;
            config.deflate_params.server_no_context_takeover = ctl & 4 != 0;
        }
        let frame_level = ctl & 0x40 != 0;
        let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
        let mut conn: *mut wsframe_conn = ptr::null_mut();
        let mut session: *mut wsframe_session = ptr::null_mut();
        if frame_level {
            config.deflate = false;
            let s = storage.as_mut_ptr().cast();
            assert!(ok(wsframe_conn_init(s, WSFRAME_CONN_STORAGE_SIZE, role, &config, &mut conn)));
        } else {
            assert!(ok(wsframe_session_new(role, &config, &mut session)));
        }
        // Misuse: reported, never a crash.
        let mut used = 0usize;
        let mut ev: wsframe_event = std::mem::zeroed();
        let mut small = [0u8; 8];
        assert!(!ok(wsframe_session_receive(session, ptr::null_mut(), 5, &mut used, &mut ev)));
        assert!(!ok(wsframe_conn_receive(conn, small.as_mut_ptr(), usize::MAX, &mut used, &mut ev, 1, core::ptr::null_mut())));
        assert!(!ok(wsframe_conn_receive(ptr::null_mut(), ptr::null_mut(), 0, &mut used, &mut ev, 1, core::ptr::null_mut())));

        let step = usize::from(ctl >> 3 & 7).max(1) * 7;
        let mut buf = [0u8; 256];
        let mut out = [0u8; 160];
        let (mut filled, mut pos) = (0usize, 0usize);
        let receive = |input: *mut u8, len: usize, used: &mut usize, ev: &mut wsframe_event| {
            if frame_level {
                wsframe_conn_receive(conn, input, len, used, ev, 1, core::ptr::null_mut())
            } else {
                wsframe_session_receive(session, input, len, used, ev)
            }
        };
        'feed: loop {
            let take = step.min(buf.len() - filled).min(bytes.len() - pos);
            buf[filled..filled + take].copy_from_slice(&bytes[pos..pos + take]);
            filled += take;
            pos += take;
            let mut off = 0usize;
            loop {
                let r = receive(buf.as_mut_ptr().add(off), filled - off, &mut used, &mut ev);
                let mut written = 0usize;
                if !ok(r) {
                    let code = wsframe_result_close_code(r);
                    if wsframe_result_is_protocol_error(r) {
                        assert!(wsframe_close_code_is_valid(code));
                    }
                    let o = out.as_mut_ptr();
                    let _ = wsframe_conn_send_close(conn, code, ptr::null(), 0, o, out.len(), &mut written);
                    break 'feed;
                }
                assert!(used <= filled - off);
                off += used;
                match ev.r#type {
                    wsframe_event_type::WSFRAME_EVENT_NONE => break,
                    wsframe_event_type::WSFRAME_EVENT_PING if frame_level => {
                        assert!(ev.len <= 125);
                        let o = out.as_mut_ptr();
                        assert!(ok(wsframe_conn_send(conn, wsframe_event_type::WSFRAME_EVENT_PONG as u32, ev.data, ev.len, true, o, out.len(), &mut written)));
                    }
                    wsframe_event_type::WSFRAME_EVENT_CLOSE => {
                        let o = out.as_mut_ptr();
                        let _ = wsframe_conn_send_close(conn, ev.close_code, ptr::null(), 0, o, out.len(), &mut written);
                        break 'feed;
                    }
                    wsframe_event_type::WSFRAME_EVENT_TEXT | wsframe_event_type::WSFRAME_EVENT_BINARY => {
                        // Echo through the too-small buffer: INSUFFICIENT_SIZE reports the size.
                        let r = wsframe_conn_send(conn, wsframe_event_type::WSFRAME_EVENT_TEXT as u32, b"echo".as_ptr(), 4, true, out.as_mut_ptr(), 3, &mut written);
                        assert!(r == WSFRAME_RESULT_INSUFFICIENT_SIZE || !ok(r));
                        // A session echoes straight from the event, its own buffer or the input.
                        let _ = wsframe_session_send(session, ev.r#type as u32, ev.data, ev.len, 0);
                        // Several messages per call: the event's bytes twice (text must be
                        // UTF-8 each), then one inside the output, refused before any is read.
                        let msgs = [
                            wsframe_buf { data: ev.data, len: ev.len },
                            wsframe_buf { data: ev.data, len: ev.len },
                            wsframe_buf { data: out.as_ptr().add(3), len: 4 },
                        ];
                        let (mut sent, mut n) = (0usize, 0usize);
                        let o = out.as_mut_ptr();
                        let r = wsframe_conn_send_many(conn, ev.r#type as u32, msgs.as_ptr(), 3, o, out.len(), &mut sent, &mut n);
                        assert!(!wsframe_result_str(r).is_null());
                        if frame_level {
                            assert!(sent <= 2, "the buffer inside the output is never sent");
                            assert!(r == WSFRAME_RESULT_INSUFFICIENT_SIZE || n <= out.len());
                        }
                    }
                    _ => {}
                }
                if !frame_level {
                    // The queued bytes, written out; sending from them is refused.
                    let (mut q, mut n) = (ptr::null(), 0usize);
                    assert!(ok(wsframe_session_outgoing(session, &mut q, &mut n)));
                    if n > 0 {
                        assert_eq!(wsframe_session_send(session, 2, q, n, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
                    }
                    assert!(ok(wsframe_session_consume_outgoing(session, n)));
                }
            }
            buf.copy_within(off..filled, 0);
            filled -= off;
            if pos == bytes.len() && take == 0 {
                break;
            }
        }
        wsframe_session_free(session);
        wsframe_conn_free(conn);
        wsframe_conn_free(ptr::null_mut());
        if frame_level {
            // Batched receive gives exactly the events (and the failure) of
            // one event per call, on the same bytes.
            let batch = usize::from(ctl >> 3 & 7) + 2;
            let (one, one_r) = receive_all(role, &config, bytes, 1);
            let (many, many_r) = receive_all(role, &config, bytes, batch);
            assert_eq!(one, many, "batch of {batch}");
            assert_eq!(one_r, many_r, "batch of {batch}");
        }
    }
});

/// What one event said, copied out of the input.
type Owned = (u32, bool, u16, Vec<u8>);

/// Every event of `bytes` through a fresh frame-level connection, up to
/// `max` per call, and the call's final result (OK once the input is used up).
///
/// # Safety
///
/// Only local buffers are passed, with their lengths.
unsafe fn receive_all(role: u32, config: &wsframe_conn_config, bytes: &[u8], max: usize) -> (Vec<Owned>, wsframe_result) {
    let mut input = bytes.to_vec();
    let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let mut conn: *mut wsframe_conn = ptr::null_mut();
    let s = storage.as_mut_ptr().cast();
    // SAFETY: (all calls) live local buffers of the lengths passed.
    unsafe {
        assert!(ok(wsframe_conn_init(s, WSFRAME_CONN_STORAGE_SIZE, role, config, &mut conn)));
        let (mut got, mut off) = (Vec::new(), 0usize);
        let mut events: [wsframe_event; 10] = std::mem::zeroed();
        let r = loop {
            let (mut used, mut n) = (0usize, 0usize);
            let rest = input.len() - off;
            let p = input.as_mut_ptr().add(off);
            let r = wsframe_conn_receive(conn, p, rest, &mut used, events.as_mut_ptr(), max, &mut n);
            assert!(used <= rest && n <= max);
            for ev in &events[..n] {
                let data = if ev.len == 0 { Vec::new() } else { std::slice::from_raw_parts(ev.data, ev.len).to_vec() };
                got.push((ev.r#type as u32, ev.last, ev.close_code, data));
            }
            off += used;
            if !ok(r) || n < max {
                break r;
            }
        };
        wsframe_conn_free(conn);
        (got, r)
    }
}
