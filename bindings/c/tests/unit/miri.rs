//! The unsafe paths driven from Rust, for Miri (`make miri-c`): the C tests
//! cover behaviour; these check that the pointer work is sound under the
//! aliasing model, misuses included. Pointers are made as C makes them: one
//! raw pointer per buffer, used for reads and writes alike.

use core::cell::Cell;
use core::ffi::c_void;
use core::ptr::{self, null, null_mut};
use core::slice::from_raw_parts as bytes;

use crate::*;

const HELLO_MASKED: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

unsafe extern "C" fn rfc_key(user: *mut c_void, buf: *mut u8, len: usize) -> bool {
    // SAFETY: the library passes a buffer of `len` bytes and our counter.
    unsafe {
        let calls = &*user.cast::<Cell<u32>>();
        calls.set(calls.get() + 1);
        for i in 0..len {
            *buf.add(i) = [0x37, 0xfa, 0x21, 0x3d][i % 4];
        }
    }
    true
}

#[track_caller]
fn ok(r: wsframe_result) {
    assert_eq!(r, WSFRAME_RESULT_OK, "{r}");
}

/// The defaults, masking keys from `rfc_key` counted in `calls`.
fn config(calls: &Cell<u32>) -> wsframe_conn_config {
    // SAFETY: an out-parameter of the right type, all integers and pointers.
    let mut c = unsafe { core::mem::zeroed::<wsframe_conn_config>() };
    // SAFETY: as above.
    ok(unsafe { wsframe_conn_config_default(&mut c) });
    c.random = Some(rfc_key);
    c.random_user = ptr::from_ref(calls).cast_mut().cast();
    c
}

/// A connection in storage: the RFC's masked "Hello" both ways, then the
/// misuses of its storage the library must refuse.
#[test]
fn storage_connection() {
    let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let mut copy = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let (base, copied) =
        (storage.as_mut_ptr().cast::<c_void>(), copy.as_mut_ptr().cast::<c_void>());
    let (mut conn, mut other) = (null_mut(), null_mut());
    let calls = Cell::new(0);
    let c = config(&calls);
    let (mut out, mut header, mut payload, mut input) =
        ([0u8; 32], [0u8; 14], *b"Hello", HELLO_MASKED);
    let (o, h, p, i) =
        (out.as_mut_ptr(), header.as_mut_ptr(), payload.as_mut_ptr(), input.as_mut_ptr());
    let (mut n, mut ev) = (0usize, core::mem::MaybeUninit::<wsframe_event>::uninit());
    // SAFETY: storage outlives the connections and does not move.
    unsafe {
        let size = WSFRAME_CONN_STORAGE_SIZE;
        assert_eq!(
            wsframe_conn_init(base.byte_add(1), 200, 1, &c, &mut conn),
            WSFRAME_RESULT_UNALIGNED
        );
        ok(wsframe_conn_init(base, size, 1, &c, &mut conn));
        // Live storage is not started over: what it owns would leak.
        assert_eq!(wsframe_conn_init(base, size, 2, null(), &mut other), WSFRAME_RESULT_IN_USE);
        ok(wsframe_conn_send(
            conn,
            wsframe_event_type::WSFRAME_EVENT_TEXT as u32,
            b"Hello".as_ptr(),
            5,
            true,
            o,
            32,
            &mut n,
        ));
        assert_eq!(bytes(o, n), &HELLO_MASKED);
        ok(wsframe_conn_send_frame_in_place(conn, 1, p, 5, true, h, 14, &mut n));
        assert_eq!((bytes(h, n), bytes(p, 5)), (&HELLO_MASKED[..6], &HELLO_MASKED[6..]));
        assert_eq!(calls.get(), 2);
        // Outputs inside the connection are refused.
        assert_eq!(
            wsframe_conn_send(
                conn,
                wsframe_event_type::WSFRAME_EVENT_TEXT as u32,
                p,
                1,
                true,
                base.cast(),
                16,
                &mut n
            ),
            WSFRAME_RESULT_INVALID_ARGUMENT
        );
        // A byte copy is not a connection, and its storage is free to use.
        ptr::copy_nonoverlapping(base.cast::<u8>(), copied.cast::<u8>(), size);
        assert_eq!(wsframe_conn_state(copied.cast()), wsframe_state::WSFRAME_STATE_INVALID);
        ok(wsframe_conn_init(copied, size, 2, null(), &mut other));
        ok(wsframe_conn_receive(other, i, 11, &mut n, ev.as_mut_ptr(), 1, core::ptr::null_mut()));
        let ev = ev.assume_init();
        assert_eq!(bytes(ev.data, ev.len), b"Hello");
        ok(wsframe_conn_send(
            other,
            wsframe_event_type::WSFRAME_EVENT_PONG as u32,
            ev.data,
            ev.len,
            true,
            o,
            32,
            &mut n,
        ));
        // A read() that returned -1, passed on as a length.
        let r = wsframe_conn_receive(
            other,
            i,
            usize::MAX,
            &mut n,
            ptr::addr_of_mut!(header).cast(),
            1,
            core::ptr::null_mut(),
        );
        assert_eq!(r, WSFRAME_RESULT_INVALID_ARGUMENT);
        wsframe_conn_free(other);
        wsframe_conn_free(conn);
        assert_eq!(wsframe_conn_state(conn), wsframe_state::WSFRAME_STATE_INVALID);
        wsframe_conn_free(conn);
        ok(wsframe_conn_init(base, size, 2, null(), &mut conn));
        wsframe_conn_free(conn);
    }
}

/// C may store any byte in a `bool`-sized field: it is read as a byte
/// (under Miri, reading it as a Rust `bool` is undefined behaviour).
#[test]
fn bool_fields_are_read_as_bytes() {
    let calls = Cell::new(0);
    let mut c = config(&calls);
    let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let (mut conn, mut s) = (null_mut(), null_mut());
    let (mut flags, mut offer, mut n) = ([2u8, 3, 15, 15], [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN], 0);
    // SAFETY: bytes written into plain C structs, as C would.
    unsafe {
        ptr::addr_of_mut!(c.deflate).cast::<u8>().write(2);
        ptr::addr_of_mut!(c.auto_pong).cast::<u8>().write(0xff);
        ptr::addr_of_mut!(c.deflate_params.server_no_context_takeover).cast::<u8>().write(7);
        // `deflate` reads as true: a frame-level connection refuses it.
        let r = wsframe_conn_init(
            storage.as_mut_ptr().cast(),
            WSFRAME_CONN_STORAGE_SIZE,
            2,
            &c,
            &mut conn,
        );
        assert_eq!(r, WSFRAME_RESULT_INVALID_ARGUMENT);
        ok(wsframe_session_new(2, &c, &mut s));
        wsframe_session_free(s);
        let dc = flags.as_mut_ptr().cast::<wsframe_deflate_config>();
        ok(wsframe_deflate_config_write_offer(dc, offer.as_mut_ptr().cast(), offer.len(), &mut n));
        let offer = core::str::from_utf8(&offer[..n]).unwrap_or_default();
        assert!(offer.contains("server_no_context_takeover; client_no_context_takeover"));
    }
}

#[test]
fn caller_structs() {
    let calls = Cell::new(0);
    let (mut delay, mut attempts) = (0, 0);
    // SAFETY: locals passed by pointer for the duration of each call.
    unsafe {
        let mut b = core::mem::zeroed::<wsframe_backoff>();
        assert_eq!(wsframe_backoff_next_delay(&mut b, &mut delay), WSFRAME_RESULT_INVALID_HANDLE);
        ok(wsframe_backoff_init(&mut b, 1000));
        ok(wsframe_backoff_set_random(
            &mut b,
            Some(rfc_key),
            ptr::from_ref(&calls).cast_mut().cast(),
        ));
        ok(wsframe_backoff_next_delay(&mut b, &mut delay));
        assert!(delay <= 1000 && calls.get() == 1);
        // A copy (as C's memcpy: the struct's padding is uninitialised) is valid.
        let mut copy = core::mem::MaybeUninit::<wsframe_backoff>::uninit();
        ptr::copy_nonoverlapping(&b, copy.as_mut_ptr(), 1);
        ok(wsframe_backoff_attempts(copy.as_ptr(), &mut attempts));
        let inside = ptr::addr_of_mut!(b).cast::<u32>().add(4);
        assert_eq!(wsframe_backoff_attempts(&b, inside), WSFRAME_RESULT_INVALID_ARGUMENT);
    }
}

/// The whole opening handshake through C-shaped buffers, with a
/// permessage-deflate offer; then misuse of the request buffer.
#[test]
fn handshake_round_trip() {
    let (mut request, mut response, mut key) =
        ([0u8; 512], [0u8; 256], *b"dGhlIHNhbXBsZSBub25jZQ==\0\0\0\0");
    let (rq, rs, k) = (request.as_mut_ptr(), response.as_mut_ptr(), key.as_mut_ptr());
    let (mut offer, mut answer) =
        ([0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN], [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN]);
    let (of, an) = (offer.as_mut_ptr().cast(), answer.as_mut_ptr().cast());
    let (mut n, mut offer_len, mut answer_len, mut plen, mut p) = (0, 0, 0, 0, null());
    let url = "ws://localhost:9001/echo";
    // SAFETY: locals and literals passed with their lengths.
    unsafe {
        let (mut hs, mut dc) = (core::mem::zeroed(), core::mem::zeroed());
        let (mut req, mut resp) =
            (core::mem::zeroed(), core::mem::zeroed::<wsframe_client_response>());
        let (mut sp, mut cp) = (core::mem::zeroed(), core::mem::zeroed());
        ok(wsframe_deflate_config_default(&mut dc));
        ok(wsframe_deflate_config_write_offer(
            &dc,
            of,
            WSFRAME_DEFLATE_MAX_VALUE_LEN,
            &mut offer_len,
        ));
        let (protocols, nonce) = (c"chat, echo".as_ptr(), b"the sample nonce".as_ptr());
        let (u, ul) = (url.as_ptr().cast(), url.len());
        let (none, of, ol) = (null(), of.cast_const(), offer_len);
        ok(wsframe_client_handshake_write(
            &mut hs, u, ul, none, 0, protocols, 10, of, ol, none, 0, nonce, 16, rq, 512, &mut n,
        ));
        ok(wsframe_server_request_parse(rq, n, 0, &mut req));
        ok(wsframe_server_request_protocol(&req, 1, &mut p, &mut plen));
        assert_eq!(bytes(p.cast::<u8>(), plen), b"echo");
        // An accessor writing its outputs into the request buffer is refused.
        let r = wsframe_server_request_protocol(&req, 0, rq.add(8).cast(), &mut plen);
        assert_eq!(r, WSFRAME_RESULT_INVALID_ARGUMENT);
        ok(wsframe_deflate_config_negotiate(&dc, &req, &mut sp, an, 128, &mut answer_len));
        let (an, al) = (an.cast_const(), answer_len);
        // The 101 written into the buffer the request was read into.
        let r = wsframe_server_write_accept(
            req.key,
            req.key_len,
            p,
            plen,
            an,
            al,
            none,
            0,
            rq,
            512,
            &mut n,
        );
        assert_eq!(r, WSFRAME_RESULT_INVALID_ARGUMENT);
        ok(wsframe_server_write_accept(
            req.key,
            req.key_len,
            p,
            plen,
            an,
            al,
            none,
            0,
            rs,
            256,
            &mut n,
        ));
        ok(wsframe_client_handshake_check(&hs, rs, n, 0, &mut resp));
        assert!(
            resp.complete
                && resp.accepted
                && bytes(resp.protocol.cast::<u8>(), resp.protocol_len) == b"echo"
        );
        ok(wsframe_deflate_config_accept_response(&dc, &hs, rs, n, 0, &mut cp));
        assert_eq!(cp, sp);
        // The accept key computed in place, over the key it reads.
        ok(wsframe_accept_key(k, 24, k, 28, &mut n));
        assert_eq!(bytes(k, n), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
}

/// A compressed message each way through sessions; the server echoes
/// straight from its inflate buffer (a pointer into the session passed back
/// in), and a send from the outgoing buffer is refused.
#[test]
fn session_deflate_echo() {
    let calls = Cell::new(0);
    let mut c = config(&calls);
    c.deflate = true;
    let (mut wire, mut n, mut out, mut out_len) = ([0u8; 64], 0, null(), 0);
    let w = wire.as_mut_ptr();
    // SAFETY: locals passed with their lengths; sessions freed once.
    unsafe {
        let (mut client, mut server, mut ev) =
            (null_mut(), null_mut(), core::mem::zeroed::<wsframe_event>());
        ok(wsframe_session_new(1, &c, &mut client));
        ok(wsframe_session_new(2, &c, &mut server));
        ok(wsframe_session_send(client, 1, b"Hello".as_ptr(), 5, 0));
        ok(wsframe_session_outgoing(client, &mut out, &mut out_len));
        ptr::copy_nonoverlapping(out, w, out_len);
        ok(wsframe_session_consume_outgoing(client, out_len));
        ok(wsframe_session_receive(server, w, out_len, &mut n, &mut ev));
        assert_eq!(bytes(ev.data, ev.len), b"Hello");
        ok(wsframe_session_send(server, 1, ev.data, ev.len, 0));
        ok(wsframe_session_outgoing(server, &mut out, &mut out_len));
        assert_eq!(bytes(out, out_len), &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        // The outgoing buffer is the session's: sending from it is refused.
        assert_eq!(
            wsframe_session_send(server, 2, out, out_len, 0),
            WSFRAME_RESULT_INVALID_ARGUMENT
        );
        ptr::copy_nonoverlapping(out, w, out_len);
        ok(wsframe_session_receive(client, w, out_len, &mut n, &mut ev));
        assert_eq!(bytes(ev.data, ev.len), b"Hello");
        wsframe_session_free(client);
        wsframe_session_free(server);
        wsframe_session_free(null_mut());
    }
}

/// `wsframe_conn_send_many`: an array of buffers read in place, each buffer
/// checked apart from what the call writes, the out-parameters written last.
#[test]
fn send_many_reads_buffers_in_place() {
    let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let mut conn = null_mut();
    let calls = Cell::new(0);
    let c = config(&calls);
    let mut out = [0u8; 64];
    let o = out.as_mut_ptr();
    let (mut sent, mut n) = (0usize, 0usize);
    // SAFETY: storage outlives the connection and does not move; every
    // pointer below is valid for what it is passed as.
    unsafe {
        ok(wsframe_conn_init(
            storage.as_mut_ptr().cast(),
            WSFRAME_CONN_STORAGE_SIZE,
            1,
            &c,
            &mut conn,
        ));
        let msgs =
            [wsframe_buf { data: b"Hello".as_ptr(), len: 5 }, wsframe_buf { data: null(), len: 0 }];
        ok(wsframe_conn_send_many(conn, 1, msgs.as_ptr(), 2, o, 64, &mut sent, &mut n));
        assert_eq!((sent, n, calls.get()), (2, 17, 2));
        assert_eq!(bytes(o, 11), HELLO_MASKED);
        // A buffer inside the output, or inside the connection, is refused
        // before anything is read through it.
        let inside = [wsframe_buf { data: o.add(40), len: 4 }];
        assert_eq!(
            wsframe_conn_send_many(conn, 2, inside.as_ptr(), 1, o, 64, &mut sent, &mut n),
            WSFRAME_RESULT_INVALID_ARGUMENT
        );
        let conn_bytes = [wsframe_buf { data: conn.cast::<u8>().cast_const(), len: 8 }];
        assert_eq!(
            wsframe_conn_send_many(conn, 2, conn_bytes.as_ptr(), 1, o, 64, &mut sent, &mut n),
            WSFRAME_RESULT_INVALID_ARGUMENT
        );
        assert_eq!((sent, n), (0, 0));
        wsframe_conn_free(conn);
    }
}
