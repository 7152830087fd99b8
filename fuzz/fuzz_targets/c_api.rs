//! The C API driven the way a C program drives it: a server request parse on
//! the raw bytes, then a connection (either role, optionally with
//! permessage-deflate) fed the bytes through a small buffer, answering pings,
//! echoing messages, completing or failing the close, plus calls with NULL
//! pointers and short buffers. Nothing may crash; every result must be a
//! known code, and failures must name a wire-valid close code.
#![no_main]

use std::ptr;

use libfuzzer_sys::fuzz_target;
use wsframe_c::*;

fn ok(r: wsframe_result) -> bool {
    r == wsframe_result::WSFRAME_RESULT_OK
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, bytes)) = data.split_first() else { return };
    // SAFETY: every pointer passed below is either NULL (a misuse the API must
    // report) or points to a live local buffer of the length passed with it.
    unsafe {
        let mut req: wsframe_server_request = std::mem::zeroed();
        let r = wsframe_server_request_parse(bytes.as_ptr(), bytes.len(), 4096, &mut req);
        assert!(!wsframe_result_str(r as u32).is_null());
        if ok(r) && req.complete {
            assert!(req.consumed <= bytes.len());
        }

        let role = if ctl & 1 == 0 { 2 } else { 1 };
        let mut conn: *mut wsframe_conn = ptr::null_mut();
        assert!(ok(wsframe_conn_new(role, &mut conn)));
        if ctl & 2 != 0 {
            let mut config: wsframe_deflate_config = std::mem::zeroed();
            assert!(ok(wsframe_deflate_config_default(&mut config)));
            let params = wsframe_deflate_params {
                server_no_context_takeover: ctl & 4 != 0,
                client_no_context_takeover: false,
                server_max_window_bits: 15,
                client_max_window_bits: 15,
            };
            assert!(ok(wsframe_conn_enable_deflate(conn, &params, &config)));
        }
        // Misuse: reported, never a crash.
        let mut used = 0usize;
        let mut ev: wsframe_event = std::mem::zeroed();
        assert!(!ok(wsframe_conn_receive(conn, ptr::null_mut(), 5, &mut used, &mut ev)));
        assert!(!ok(wsframe_conn_receive(ptr::null_mut(), ptr::null_mut(), 0, &mut used, &mut ev)));

        let step = usize::from(ctl >> 3).max(1);
        let mut buf = [0u8; 256];
        let mut out = [0u8; 160];
        let (mut filled, mut pos) = (0usize, 0usize);
        'feed: loop {
            let take = step.min(buf.len() - filled).min(bytes.len() - pos);
            buf[filled..filled + take].copy_from_slice(&bytes[pos..pos + take]);
            filled += take;
            pos += take;
            let mut off = 0usize;
            loop {
                let r = wsframe_conn_receive(conn, buf.as_mut_ptr().add(off), filled - off, &mut used, &mut ev);
                let mut written = 0usize;
                if !ok(r) {
                    let code = wsframe_result_close_code(r as u32);
                    if wsframe_result_is_protocol_error(r as u32) {
                        assert!(wsframe_close_code_is_valid(code));
                    }
                    let _ = wsframe_conn_send_close(conn, code, ptr::null(), 0, out.as_mut_ptr(), out.len(), &mut written);
                    break 'feed;
                }
                assert!(used <= filled - off);
                off += used;
                match ev.r#type {
                    wsframe_event_type::WSFRAME_EVENT_NONE => break,
                    wsframe_event_type::WSFRAME_EVENT_PING => {
                        assert!(ev.len <= 125);
                        assert!(ok(wsframe_conn_send_pong(conn, ev.data, ev.len, out.as_mut_ptr(), out.len(), &mut written)));
                    }
                    wsframe_event_type::WSFRAME_EVENT_CLOSE => {
                        let _ = wsframe_conn_send_close(conn, ev.close_code, ptr::null(), 0, out.as_mut_ptr(), out.len(), &mut written);
                        break 'feed;
                    }
                    wsframe_event_type::WSFRAME_EVENT_TEXT | wsframe_event_type::WSFRAME_EVENT_BINARY => {
                        // Echo through the too-small buffer: INSUFFICIENT_SIZE reports the size.
                        let r = wsframe_conn_send_text(conn, b"echo".as_ptr(), 4, out.as_mut_ptr(), 3, &mut written);
                        assert!(r == wsframe_result::WSFRAME_RESULT_INSUFFICIENT_SIZE || !ok(r));
                        if ev.last && ctl & 2 != 0 {
                            let (mut frame, mut len) = (ptr::null(), 0usize);
                            let _ = wsframe_conn_send_message(conn, 2, ev.data, ev.len, 0, &mut frame, &mut len);
                        }
                    }
                    _ => {}
                }
            }
            buf.copy_within(off..filled, 0);
            filled -= off;
            if pos == bytes.len() && take == 0 {
                break;
            }
        }
        wsframe_conn_free(conn);
        wsframe_conn_free(ptr::null_mut());
    }
});
