//! permessage-deflate (RFC 7692): the offer/acceptance config and the agreed
//! parameters as plain C structs, and the core's negotiation behind them.
//! Which offer to take, what to answer and what a response may say are all
//! the core's decisions; this module checks C values and converts results.
//! The codec lives in sessions (`wsframe_conn_config.deflate`).

use core::ffi::c_char;
use core::mem::offset_of;

use wsframe::extensions::ExtensionError;
use wsframe::extensions::deflate::{
    DeflateConfig, DeflateParams, MAX_WINDOW_BITS, MIN_WINDOW_BITS,
};
use wsframe::handshake::Response;

use crate::guard::guard;
use crate::handshake::{self, wsframe_client_handshake, wsframe_server_request};
use crate::raw::{self, FromC, InOut, Out, Put, Val};
use crate::result::*;

/// Longest `Sec-WebSocket-Extensions` value the offer and response writers
/// produce: a buffer this large always suffices.
pub const WSFRAME_DEFLATE_MAX_VALUE_LEN: usize = 128;
/// Smallest LZ77 window, as a power of two, that RFC 7692 §7.1.2 allows.
pub const WSFRAME_DEFLATE_MIN_WINDOW_BITS: u8 = 8;
/// Largest LZ77 window (32 KiB), the default.
pub const WSFRAME_DEFLATE_MAX_WINDOW_BITS: u8 = 15;

const _: () = {
    assert!(WSFRAME_DEFLATE_MIN_WINDOW_BITS == MIN_WINDOW_BITS);
    assert!(WSFRAME_DEFLATE_MAX_WINDOW_BITS == MAX_WINDOW_BITS);
};

/// permessage-deflate parameters: what this end asks for (a client's offer)
/// or accepts (a server), as `wsframe_deflate_config`, and what both ends
/// agreed on, written by `wsframe_deflate_config_negotiate` (server) or
/// `wsframe_deflate_config_accept_response` (client) and given to a session
/// in `wsframe_conn_config.deflate_params`. A plain caller-written struct with
/// nothing private: fill it with `wsframe_deflate_config_default` (both
/// windows 15 and no resets, what a bare `permessage-deflate` offer and
/// response agree on), then change fields. `bool` fields are read as bytes
/// (non-zero is true). (The level this end compresses at is
/// `wsframe_conn_config.compression_level`: it is not negotiated.)
///
/// # Examples
///
/// ```c
/// wsframe_deflate_config rules; // what this server accepts: the same struct
/// wsframe_deflate_config_default(&rules);
/// rules.server_no_context_takeover = true; // a server config with it set always asks for it
/// char answer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
/// if (wsframe_deflate_config_negotiate(&rules, &req, &config.deflate_params, answer, sizeof answer, &n) == WSFRAME_RESULT_OK)
///     config.deflate = true; // agreed: config.deflate_params; send `answer` in the 101
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsframe_deflate_params {
    /// The server resets its compression context after each message
    /// (RFC 7692 §7.1.1.1). A server config with this set always asks for it.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message
    /// (RFC 7692 §7.1.1.2).
    pub client_no_context_takeover: bool,
    /// Largest window the server may compress with, 8..=15 (RFC 7692 §7.1.2.1).
    pub server_max_window_bits: u8,
    /// Largest window the client may compress with, 8..=15 (RFC 7692 §7.1.2.2).
    pub client_max_window_bits: u8,
}

/// The offer or acceptance config: the same fields as the agreed parameters.
pub type wsframe_deflate_config = wsframe_deflate_params;

// SAFETY: the two flags are the bools; the window bits are plain bytes.
unsafe impl FromC for wsframe_deflate_params {
    const FLAGS: &'static [usize] = &[
        offset_of!(Self, server_no_context_takeover),
        offset_of!(Self, client_no_context_takeover),
    ];
}

impl wsframe_deflate_params {
    /// The core's config; out-of-range values are the caller's mistake.
    fn to_config(self) -> Result<DeflateConfig, wsframe_result> {
        self.to_core().map(DeflateConfig::from)
    }

    /// The core's params. Its private flags only shape the server's response
    /// text, which was written when these were negotiated.
    pub(crate) fn to_core(self) -> Result<DeflateParams, wsframe_result> {
        let Self { server_no_context_takeover: s, client_no_context_takeover: c, .. } = self;
        let (s_bits, c_bits) = (self.server_max_window_bits, self.client_max_window_bits);
        DeflateParams::agreed(s, c, s_bits, c_bits).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)
    }

    fn from_core(p: &DeflateParams) -> Self {
        Self {
            server_no_context_takeover: p.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover,
            server_max_window_bits: p.server_max_window_bits,
            client_max_window_bits: p.client_max_window_bits,
        }
    }

    /// What a bare offer and response agree on.
    pub(crate) fn agreed_by_bare_offer() -> Self {
        Self::from_core(&DeflateParams::default_params())
    }
}

/// Writes a header value with `f` (the core's offer or response writer):
/// the length on success, the required size on INSUFFICIENT_SIZE.
fn write_value(
    f: impl FnOnce(&mut [u8]) -> Result<usize, ExtensionError>,
    out: &mut [u8],
    written: Out<'_, usize>,
) -> Result<(), wsframe_result> {
    let r = f(out);
    if let Ok(n) | Err(ExtensionError::InsufficientSize { required: n }) = r {
        written.write(n);
    }
    r.map(|_| ()).map_err(from_extension)
}

/// Fills `*config_out` with the defaults: context takeover both ways, both
/// windows 15 bits.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `config_out` must be NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// wsframe_deflate_config rules;
/// if (wsframe_deflate_config_default(&rules) != WSFRAME_RESULT_OK)
///     return;
/// rules.client_max_window_bits = 12; // then change what differs: a smaller window
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_default(
    config_out: *mut wsframe_deflate_config,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let (out,) = unsafe { raw::args((Put(config_out),)) }?;
        out.done(wsframe_deflate_params::agreed_by_bare_offer())
    })
}

/// Client side: writes the permessage-deflate offer (RFC 7692 §7.1) for the
/// `Sec-WebSocket-Extensions` header, e.g. `permessage-deflate;
/// client_max_window_bits`, into `out` (not NUL-terminated). Pass it as the
/// `extensions` argument of `wsframe_client_handshake_write`, and check the
/// answer with `wsframe_deflate_config_accept_response` and the same
/// config. `WSFRAME_DEFLATE_MAX_VALUE_LEN` bytes always suffice.
///
/// Results: OK (`*written_out` = length); INSUFFICIENT_SIZE (`*written_out`
/// = bytes needed); NULL_POINTER; INVALID_ARGUMENT (a window outside 8..=15,
/// outputs overlapping each other or `config`).
///
/// # Safety
///
/// `config` NULL or valid for reads; `out` NULL or valid for writes of
/// `out_len` bytes; `written_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// const char *url = "ws://example.com/chat";
/// wsframe_deflate_config rules;
/// wsframe_deflate_config_default(&rules);
/// char offer[WSFRAME_DEFLATE_MAX_VALUE_LEN]; // always large enough
/// size_t offer_len;
/// if (wsframe_deflate_config_write_offer(&rules, offer, sizeof offer, &offer_len) == WSFRAME_RESULT_OK)
///     r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, NULL, 0, offer, offer_len,
///                                        NULL, 0, NULL, 0, out, sizeof out, &n);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_write_offer(
    config: *const wsframe_deflate_config,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let args = (Val(config), Put(written_out), InOut(out, out_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (config, written, out) = unsafe { raw::args(args) }?;
        let config = config.to_config()?;
        write_value(|out| config.write_offer(out), out, written)
    })
}

/// Server side (RFC 7692 §5, §7.1): picks the first acceptable
/// permessage-deflate offer among all the Sec-WebSocket-Extensions headers
/// of a parsed request, under `config`. Offers with unknown or repeated
/// parameters or bad values are skipped.
///
/// On OK, `*params_out` is the agreement (for `wsframe_conn_config`) and
/// `response[0..*written_out]` the header value accepting it (not
/// NUL-terminated): pass it as the `extensions` argument of
/// `wsframe_server_write_accept`. `WSFRAME_DEFLATE_MAX_VALUE_LEN` bytes
/// always suffice. DECLINED means no offer was acceptable, or none was
/// made: answer without the header and go on uncompressed.
///
/// Results: OK; DECLINED (nothing written); INSUFFICIENT_SIZE
/// (`*written_out` = bytes needed, `*params_out` not written; negotiating
/// again gives the same answer); NULL_POINTER; INVALID_ARGUMENT (`config`
/// out of range, `req` not a complete parse or its buffer changed, or an
/// output overlapping the request buffer, `req`, `config` or another output).
///
/// # Safety
///
/// `config` NULL or valid for reads; `req` NULL or valid for reads, from a
/// successful `wsframe_server_request_parse` whose buffer is still valid
/// and unchanged; `params_out` and `written_out` NULL or valid for one
/// write; `response` NULL or valid for writes of `response_len` bytes.
///
/// # Examples
///
/// ```c
/// wsframe_deflate_config rules; // the defaults accept any valid offer
/// wsframe_deflate_config_default(&rules);
/// char answer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
/// size_t answer_len = 0;
/// r = wsframe_deflate_config_negotiate(&rules, &req, &config.deflate_params, answer, sizeof answer, &answer_len);
/// config.deflate = r == WSFRAME_RESULT_OK; // WSFRAME_RESULT_DECLINED: go on uncompressed
/// r = wsframe_server_write_accept(req.key, req.key_len, NULL, 0, config.deflate ? answer : NULL,
///                                 config.deflate ? answer_len : 0, NULL, 0, out, sizeof out, &n);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_negotiate(
    config: *const wsframe_deflate_config,
    req: *const wsframe_server_request,
    params_out: *mut wsframe_deflate_params,
    response: *mut c_char,
    response_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let args = (Val(config), Put(params_out), Put(written_out), InOut(response, response_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (req, (config, params_out, written, response)) = unsafe { handshake::head(req, args) }?;
        let params =
            config.to_config()?.negotiate(req.extensions()).ok_or(WSFRAME_RESULT_DECLINED)?;
        write_value(|out| params.write_response(out), response, written)?;
        params_out.done(wsframe_deflate_params::from_core(&params))
    })
}

/// Client side: checks the server's permessage-deflate answer (RFC 7692
/// §7.1) against the offer `config` made. Call it with the same `hs`,
/// response bytes and `max_size` once `wsframe_client_handshake_check`
/// reported the response accepted; it reads every Sec-WebSocket-Extensions
/// header of the response.
///
/// On OK, `*params_out` is the agreement for `wsframe_conn_config`.
/// DECLINED: the server did not accept permessage-deflate; go on
/// uncompressed. A HANDSHAKE_* result means the server's answer breaks
/// RFC 7692 (an unknown or repeated parameter, a bad value, a window larger
/// than offered or asked for, `server_no_context_takeover` missing although
/// asked for, permessage-deflate accepted twice or another extension
/// alongside it): fail the connection (close the socket).
///
/// Results: OK; DECLINED; NULL_POINTER; INVALID_HANDLE (`*hs` not written
/// by a successful `wsframe_client_handshake_write`); INVALID_ARGUMENT
/// (`config` out of range, the response incomplete or not an acceptance,
/// `params_out` overlapping an input); the HANDSHAKE_* errors of
/// `wsframe_client_handshake_check`; HANDSHAKE_EXTENSION_MALFORMED_PARAMETER,
/// _EXTENSION_UNKNOWN_PARAMETER, _EXTENSION_DUPLICATE_PARAMETER,
/// _EXTENSION_INVALID_VALUE, _EXTENSION_UNEXPECTED_PARAMETER,
/// HANDSHAKE_UNEXPECTED_EXTENSION.
///
/// # Safety
///
/// `config` and `hs` NULL or valid for reads; `input` NULL or valid for
/// reads of `len` bytes; `params_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// // The response in in[0..have] was accepted (wsframe_client_handshake_check);
/// // rules: the config the offer was written from.
/// wsframe_deflate_config rules;
/// wsframe_deflate_config_default(&rules);
/// r = wsframe_deflate_config_accept_response(&rules, &hs, in, have, 0, &config.deflate_params);
/// config.deflate = r == WSFRAME_RESULT_OK; // DECLINED: go on uncompressed
/// if (wsframe_result_is_handshake_error(r))
///     close_socket(fd); // the answer breaks RFC 7692: fail the connection
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_accept_response(
    config: *const wsframe_deflate_config,
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    params_out: *mut wsframe_deflate_params,
) -> wsframe_result {
    guard(|| {
        let args = (Val(config), Put(params_out));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (r, (config, out)) = unsafe { handshake::response(hs, input, len, max_size, args) }?;
        let Response::Accepted(ok) = r else { return Err(WSFRAME_RESULT_INVALID_ARGUMENT) };
        let params = config.to_config()?.accept_response(ok.extensions());
        let params = params.map_err(from_extension)?.ok_or(WSFRAME_RESULT_DECLINED)?;
        out.done(wsframe_deflate_params::from_core(&params))
    })
}
