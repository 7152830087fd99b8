//! The unsafe paths driven from Rust, for Miri (`cargo +nightly miri test
//! -p wsframe-c`): the C tests cover behaviour, these check that the
//! pointer work is sound under the aliasing model.

use core::ffi::c_void;
use core::ptr;

use crate::*;

const HELLO_MASKED: [u8; 11] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

unsafe extern "C" fn rfc_key(user: *mut c_void, buf: *mut u8, len: usize) -> bool {
    // SAFETY: the library passes a buffer of `len` bytes and our counter.
    unsafe {
        *user.cast::<u32>() += 1;
        for i in 0..len {
            *buf.add(i) = [0x37, 0xfa, 0x21, 0x3d][i % 4];
        }
    }
    true
}

fn ok(r: wsframe_result) {
    assert_eq!(r, wsframe_result::WSFRAME_RESULT_OK);
}

/// Sends "Hello" on a client with the RFC key, then echoes it through a server.
///
/// # Safety
///
/// `client` is a live client connection.
unsafe fn exchange(client: *mut wsframe_conn) {
    let mut calls = 0u32;
    let mut out = [0u8; 32];
    let mut n = 0usize;
    // SAFETY: valid pointers for each call.
    unsafe {
        ok(wsframe_conn_set_random(client, Some(rfc_key), ptr::addr_of_mut!(calls).cast()));
        ok(wsframe_conn_set_max_message_size(client, 1 << 10));
        ok(wsframe_conn_send_text(
            client,
            b"Hello".as_ptr(),
            5,
            out.as_mut_ptr(),
            out.len(),
            &mut n,
        ));
        assert_eq!(&out[..n], &HELLO_MASKED);
        assert_eq!(
            wsframe_conn_set_max_fragments(client, 1),
            wsframe_result::WSFRAME_RESULT_IN_USE
        );
        let mut header = [0u8; 14];
        let mut payload = *b"Hello";
        ok(wsframe_conn_send_frame_in_place(
            client,
            1,
            payload.as_mut_ptr(),
            payload.len(),
            true,
            header.as_mut_ptr(),
            header.len(),
            &mut n,
        ));
        assert_eq!((&header[..n], &payload[..]), (&HELLO_MASKED[..6], &HELLO_MASKED[6..]));
        assert_eq!(calls, 2);

        let mut server = ptr::null_mut();
        ok(wsframe_conn_new(2, &mut server));
        let mut input = HELLO_MASKED;
        let mut consumed = 0;
        let mut ev = core::mem::zeroed::<wsframe_event>();
        ok(wsframe_conn_receive(server, input.as_mut_ptr(), input.len(), &mut consumed, &mut ev));
        assert_eq!(ev.r#type, wsframe_event_type::WSFRAME_EVENT_TEXT);
        assert_eq!(core::slice::from_raw_parts(ev.data, ev.len), b"Hello");
        ok(wsframe_conn_send_pong(server, ev.data, ev.len, out.as_mut_ptr(), out.len(), &mut n));
        ok(wsframe_conn_send_close(server, 1000, b"bye".as_ptr(), 3, out.as_mut_ptr(), 32, &mut n));
        assert_eq!(wsframe_conn_state(server), wsframe_state::WSFRAME_STATE_CLOSE_SENT);
        wsframe_conn_free(server);
    }
}

#[test]
fn storage_connection() {
    let mut storage = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let mut copy = [0u64; WSFRAME_CONN_STORAGE_SIZE / 8];
    let mut conn = ptr::null_mut();
    // SAFETY: storage outlives the connection and does not move.
    unsafe {
        let base = storage.as_mut_ptr().cast::<c_void>();
        assert_eq!(
            wsframe_conn_init(base.byte_add(1), 200, 1, &mut conn),
            wsframe_result::WSFRAME_RESULT_UNALIGNED
        );
        ok(wsframe_conn_init(base, WSFRAME_CONN_STORAGE_SIZE, 1, &mut conn));
        exchange(conn);
        // A byte copy is refused.
        ptr::copy_nonoverlapping(base.cast::<u64>(), copy.as_mut_ptr(), copy.len());
        let copied = copy.as_mut_ptr().cast::<wsframe_conn>();
        assert_eq!(wsframe_conn_state(copied), wsframe_state::WSFRAME_STATE_INVALID);
        ok(wsframe_conn_deinit(conn));
        assert_eq!(wsframe_conn_state(conn), wsframe_state::WSFRAME_STATE_INVALID);
        assert_eq!(wsframe_conn_deinit(conn), wsframe_result::WSFRAME_RESULT_INVALID_HANDLE);
    }
}

#[test]
fn heap_connection() {
    let mut conn = ptr::null_mut();
    // SAFETY: a connection from wsframe_conn_new, freed once.
    unsafe {
        ok(wsframe_conn_new(1, &mut conn));
        exchange(conn);
        assert_eq!(wsframe_conn_deinit(conn), wsframe_result::WSFRAME_RESULT_INVALID_ARGUMENT);
        wsframe_conn_free(conn);
        wsframe_conn_free(ptr::null_mut());
    }
}

#[test]
fn caller_structs() {
    // SAFETY: locals passed by pointer for the duration of each call.
    unsafe {
        let mut ka = core::mem::zeroed::<wsframe_keepalive>();
        let mut action = wsframe_keepalive_action::WSFRAME_KEEPALIVE_IDLE;
        assert_eq!(
            wsframe_keepalive_poll(&mut ka, 0, &mut action),
            wsframe_result::WSFRAME_RESULT_INVALID_HANDLE
        );
        ok(wsframe_keepalive_init(&mut ka, 10, 5, 0));
        ok(wsframe_keepalive_poll(&mut ka, 10, &mut action));
        assert_eq!(action, wsframe_keepalive_action::WSFRAME_KEEPALIVE_SEND_PING);
        let mut b = core::mem::zeroed::<wsframe_backoff>();
        let mut calls = 0u32;
        let mut delay = 0;
        ok(wsframe_backoff_init(&mut b, 1000));
        ok(wsframe_backoff_set_random(&mut b, Some(rfc_key), ptr::addr_of_mut!(calls).cast()));
        ok(wsframe_backoff_next_delay(&mut b, &mut delay));
        assert!(delay <= 1000 && calls == 1);
    }
}

#[test]
fn handshake_round_trip() {
    // SAFETY: locals and literals passed with their lengths.
    unsafe {
        let mut hs = core::mem::zeroed::<wsframe_client_handshake>();
        let mut request = [0u8; 512];
        let mut n = 0;
        let url = "ws://localhost:9001/echo";
        ok(wsframe_client_handshake_write(
            &mut hs,
            url.as_ptr().cast(),
            url.len(),
            ptr::null(),
            0,
            c"chat, echo".as_ptr(),
            10,
            ptr::null(),
            0,
            b"the sample nonce".as_ptr(),
            16,
            request.as_mut_ptr(),
            request.len(),
            &mut n,
        ));
        let mut req = core::mem::zeroed::<wsframe_server_request>();
        ok(wsframe_server_request_parse(request.as_ptr(), n, 0, &mut req));
        assert!(req.complete);
        let (mut p, mut plen) = (ptr::null(), 0);
        ok(wsframe_server_request_protocol(&req, 1, &mut p, &mut plen));
        assert_eq!(core::slice::from_raw_parts(p.cast::<u8>(), plen), b"echo");
        let mut response = [0u8; 256];
        ok(wsframe_server_write_accept(
            req.key,
            req.key_len,
            p,
            plen,
            ptr::null(),
            0,
            response.as_mut_ptr(),
            response.len(),
            &mut n,
        ));
        let mut resp = core::mem::zeroed::<wsframe_client_response>();
        ok(wsframe_client_handshake_check(&hs, response.as_ptr(), n, 0, &mut resp));
        assert!(resp.complete && resp.accepted);
        assert_eq!(
            core::slice::from_raw_parts(resp.protocol.cast::<u8>(), resp.protocol_len),
            b"echo"
        );
    }
}

/// permessage-deflate end to end: negotiation through the handshake
/// buffers, then a compressed message each way, the server echoing straight
/// from its inflate buffer (a pointer into the connection passed back in).
#[test]
fn deflate_round_trip() {
    use wsframe_result::*;
    // SAFETY: locals and literals passed with their lengths; connections
    // from wsframe_conn_new, freed once.
    unsafe {
        let mut config = core::mem::zeroed::<wsframe_deflate_config>();
        ok(wsframe_deflate_config_default(&mut config));
        let mut offer = [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN];
        let mut offer_len = 0;
        ok(wsframe_deflate_config_write_offer(
            &config,
            offer.as_mut_ptr().cast(),
            offer.len(),
            &mut offer_len,
        ));
        let mut hs = core::mem::zeroed::<wsframe_client_handshake>();
        let mut request = [0u8; 512];
        let mut n = 0;
        let url = "ws://localhost/";
        ok(wsframe_client_handshake_write_ext(
            &mut hs,
            url.as_ptr().cast(),
            url.len(),
            ptr::null(),
            0,
            ptr::null(),
            0,
            offer.as_ptr().cast(),
            offer_len,
            ptr::null(),
            0,
            b"the sample nonce".as_ptr(),
            16,
            request.as_mut_ptr(),
            request.len(),
            &mut n,
        ));
        let mut req = core::mem::zeroed::<wsframe_server_request>();
        ok(wsframe_server_request_parse(request.as_ptr(), n, 0, &mut req));
        let mut params = core::mem::zeroed::<wsframe_deflate_params>();
        let mut answer = [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN];
        let mut answer_len = 0;
        ok(wsframe_deflate_config_negotiate(
            &config,
            &req,
            &mut params,
            answer.as_mut_ptr().cast(),
            answer.len(),
            &mut answer_len,
        ));
        let mut response = [0u8; 256];
        ok(wsframe_server_write_accept_ext(
            req.key,
            req.key_len,
            ptr::null(),
            0,
            answer.as_ptr().cast(),
            answer_len,
            ptr::null(),
            0,
            response.as_mut_ptr(),
            response.len(),
            &mut n,
        ));
        let mut client_params = core::mem::zeroed::<wsframe_deflate_params>();
        ok(wsframe_deflate_config_accept_response(
            &config,
            &hs,
            response.as_ptr(),
            n,
            0,
            &mut client_params,
        ));
        assert_eq!(client_params, params);

        let (mut client, mut server) = (ptr::null_mut(), ptr::null_mut());
        ok(wsframe_conn_new(1, &mut client));
        ok(wsframe_conn_new(2, &mut server));
        let mut calls = 0u32;
        ok(wsframe_conn_set_random(client, Some(rfc_key), ptr::addr_of_mut!(calls).cast()));
        ok(wsframe_conn_enable_deflate(client, &params, &config));
        ok(wsframe_conn_enable_deflate(server, &params, &config));
        assert_eq!(wsframe_conn_enable_deflate(server, &params, &config), WSFRAME_RESULT_IN_USE);

        let (mut frame, mut len) = (ptr::null(), 0);
        ok(wsframe_conn_send_message(client, 1, b"Hello".as_ptr(), 5, 0, &mut frame, &mut len));
        let mut wire = [0u8; 32];
        wire[..len].copy_from_slice(core::slice::from_raw_parts(frame, len));
        let mut consumed = 0;
        let mut ev = core::mem::zeroed::<wsframe_event>();
        ok(wsframe_conn_receive(server, wire.as_mut_ptr(), len, &mut consumed, &mut ev));
        assert_eq!(core::slice::from_raw_parts(ev.data, ev.len), b"Hello");
        ok(wsframe_conn_send_message(server, 1, ev.data, ev.len, 0, &mut frame, &mut len));
        assert_eq!(
            core::slice::from_raw_parts(frame, len),
            &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]
        );
        // The frame buffer is the connection's: sending from it is refused.
        assert_eq!(
            wsframe_conn_send_message(server, 2, frame, len, 0, &mut frame, &mut len),
            WSFRAME_RESULT_INVALID_ARGUMENT
        );
        wire[..len].copy_from_slice(core::slice::from_raw_parts(frame, len));
        ok(wsframe_conn_receive(client, wire.as_mut_ptr(), len, &mut consumed, &mut ev));
        assert_eq!(core::slice::from_raw_parts(ev.data, ev.len), b"Hello");
        wsframe_conn_free(client);
        wsframe_conn_free(server);
    }
}
