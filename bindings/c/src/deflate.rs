//! permessage-deflate (RFC 7692): the config and agreed parameters as plain
//! C structs, and the core's negotiation behind them. Which offer to take,
//! what to answer and what a response may say are all the core's decisions;
//! this module checks C values and converts results. The codec itself lives
//! with the connection (`wsframe_conn_enable_deflate`).

use core::ffi::{CStr, c_char};

use wsframe::extensions::ExtensionError;
use wsframe::extensions::deflate::{
    DeflateConfig, DeflateParams, MAX_WINDOW_BITS, MIN_WINDOW_BITS,
};

use crate::guard::guard;
use crate::handshake::{self, wsframe_client_handshake, wsframe_server_request};
use crate::raw::{self, Out};
use crate::result::wsframe_result::{self, *};

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

/// What this end asks for (a client's offer) or accepts (a server), and the
/// level it compresses at. A plain caller-allocated struct: fill it with
/// `wsframe_deflate_config_default`, then change fields.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsframe_deflate_config {
    /// The server resets its compression context after each message
    /// (RFC 7692 §7.1.1.1). A server with this set always asks for it.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message
    /// (RFC 7692 §7.1.1.2).
    pub client_no_context_takeover: bool,
    /// Largest window the server may compress with, 8..=15 (RFC 7692 §7.1.2.1).
    pub server_max_window_bits: u8,
    /// Largest window the client may compress with, 8..=15 (RFC 7692 §7.1.2.2).
    pub client_max_window_bits: u8,
    /// This end's compression level, 0 (store only) to 9 (smallest output);
    /// default 6. Not negotiated.
    pub level: u8,
}

/// The parameters both ends agreed on, written by
/// `wsframe_deflate_config_negotiate` (server) or
/// `wsframe_deflate_config_accept_response` (client) and passed to
/// `wsframe_conn_enable_deflate`. A plain struct with nothing private: read
/// it, copy it, or fill it yourself for a connection negotiated elsewhere
/// (both windows 15 and no resets is what a bare `permessage-deflate` offer
/// and response agree on).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct wsframe_deflate_params {
    /// The server resets its context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its context after each message.
    pub client_no_context_takeover: bool,
    /// The server's window, 8..=15.
    pub server_max_window_bits: u8,
    /// The client's window, 8..=15.
    pub client_max_window_bits: u8,
}

fn window_bits(bits: u8) -> Result<u8, wsframe_result> {
    if (MIN_WINDOW_BITS..=MAX_WINDOW_BITS).contains(&bits) {
        Ok(bits)
    } else {
        Err(WSFRAME_RESULT_INVALID_ARGUMENT)
    }
}

impl wsframe_deflate_config {
    /// The core's config; out-of-range values are the caller's mistake.
    pub(crate) fn to_core(self) -> Result<DeflateConfig, wsframe_result> {
        if self.level > 9 {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        Ok(DeflateConfig::default()
            .with_server_no_context_takeover(self.server_no_context_takeover)
            .with_client_no_context_takeover(self.client_no_context_takeover)
            .with_max_window_bits(
                window_bits(self.server_max_window_bits)?,
                window_bits(self.client_max_window_bits)?,
            )
            .with_level(self.level))
    }
}

impl wsframe_deflate_params {
    /// The core's params. Its private flags only shape the server's response
    /// text, which was written when these were negotiated.
    pub(crate) fn to_core(self) -> Result<DeflateParams, wsframe_result> {
        let mut p = DeflateParams::default_params();
        p.server_no_context_takeover = self.server_no_context_takeover;
        p.client_no_context_takeover = self.client_no_context_takeover;
        p.server_max_window_bits = window_bits(self.server_max_window_bits)?;
        p.client_max_window_bits = window_bits(self.client_max_window_bits)?;
        Ok(p)
    }

    fn from_core(p: &DeflateParams) -> Self {
        Self {
            server_no_context_takeover: p.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover,
            server_max_window_bits: p.server_max_window_bits,
            client_max_window_bits: p.client_max_window_bits,
        }
    }
}

/// Every extension-negotiation code, with the core error it stands for.
/// `ExtensionError::UnexpectedExtension` shares the handshake's code.
const TABLE: &[(wsframe_result, ExtensionError, &CStr)] = &[
    (
        WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER,
        ExtensionError::MalformedParameter,
        c"malformed extension parameter",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNKNOWN_PARAMETER,
        ExtensionError::UnknownParameter,
        c"unknown extension parameter",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_EXTENSION_DUPLICATE_PARAMETER,
        ExtensionError::DuplicateParameter,
        c"duplicate extension parameter",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE,
        ExtensionError::InvalidValue,
        c"invalid extension parameter value",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER,
        ExtensionError::UnexpectedParameter,
        c"extension response parameter not allowed by the offer",
    ),
];

fn from_error(e: ExtensionError) -> wsframe_result {
    match e {
        ExtensionError::InsufficientSize { .. } => WSFRAME_RESULT_INSUFFICIENT_SIZE,
        ExtensionError::UnexpectedExtension => WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION,
        e => TABLE
            .iter()
            .find(|(_, err, _)| *err == e)
            .map_or(WSFRAME_RESULT_HANDSHAKE_ERROR, |t| t.0),
    }
}

/// The description of an extension code, if it is one.
pub(crate) fn describe(code: u32) -> Option<&'static CStr> {
    TABLE.iter().find(|(c, _, _)| *c as u32 == code).map(|t| t.2)
}

/// Writes a header value with `f` (the core's offer or response writer):
/// the length on success, the required size on INSUFFICIENT_SIZE.
fn write_value(
    f: impl FnOnce(&mut [u8]) -> Result<usize, ExtensionError>,
    out: &mut [u8],
    written: Out<'_, usize>,
) -> Result<(), wsframe_result> {
    match f(out) {
        Ok(n) => {
            written.write(n);
            Ok(())
        }
        Err(ExtensionError::InsufficientSize { required }) => {
            written.write(required);
            Err(WSFRAME_RESULT_INSUFFICIENT_SIZE)
        }
        Err(e) => Err(from_error(e)),
    }
}

/// Fills `*config_out` with the defaults: context takeover both ways, both
/// windows 15 bits, level 6.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `config_out` must be NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_default(
    config_out: *mut wsframe_deflate_config,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(config_out) }?;
        let d = DeflateConfig::default();
        out.write(wsframe_deflate_config {
            server_no_context_takeover: d.server_no_context_takeover,
            client_no_context_takeover: d.client_no_context_takeover,
            server_max_window_bits: d.server_max_window_bits,
            client_max_window_bits: d.client_max_window_bits,
            level: d.level,
        });
        Ok(())
    })
}

/// Client side: writes the permessage-deflate offer (RFC 7692 §7.1) for the
/// `Sec-WebSocket-Extensions` header, e.g. `permessage-deflate;
/// client_max_window_bits`, into `out` (not NUL-terminated). Pass it as the
/// `extensions` argument of `wsframe_client_handshake_write_ext`, and check
/// the answer with `wsframe_deflate_config_accept_response` and the same
/// config. `WSFRAME_DEFLATE_MAX_VALUE_LEN` bytes always suffice.
///
/// Results: OK (`*written_out` = length); INSUFFICIENT_SIZE (`*written_out`
/// = bytes needed); NULL_POINTER; INVALID_ARGUMENT (a window outside 8..=15,
/// a level over 9).
///
/// # Safety
///
/// `config` NULL or valid for reads; `out` NULL or valid for writes of
/// `out_len` bytes; `written_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_deflate_config_write_offer(
    config: *const wsframe_deflate_config,
    out: *mut c_char,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let config = unsafe { raw::read(config) }?.to_core()?;
        // SAFETY: as above.
        let written = unsafe { raw::out(written_out) }?;
        // SAFETY: as above.
        let out = unsafe { raw::slice_mut(out.cast(), out_len) }?;
        write_value(|out| config.write_offer(out), out, written)
    })
}

/// Server side (RFC 7692 §5, §7.1): picks the first acceptable
/// permessage-deflate offer among all the Sec-WebSocket-Extensions headers
/// of a parsed request, under `config`. Offers with unknown or repeated
/// parameters or bad values are skipped.
///
/// On OK, `*params_out` is the agreement (for `wsframe_conn_enable_deflate`)
/// and `response[0..*written_out]` the header value accepting it (not
/// NUL-terminated): pass it as the `extensions` argument of
/// `wsframe_server_write_accept_ext`. `WSFRAME_DEFLATE_MAX_VALUE_LEN` bytes
/// always suffice. DECLINED means no offer was acceptable, or none was
/// made: answer without the header and go on uncompressed.
///
/// Results: OK; DECLINED (nothing written); INSUFFICIENT_SIZE
/// (`*written_out` = bytes needed, `*params_out` not written; negotiating
/// again gives the same answer); NULL_POINTER; INVALID_ARGUMENT (`config`
/// out of range, or `req` is not a complete parse or its buffer changed).
///
/// # Safety
///
/// `config` NULL or valid for reads; `req` NULL or valid for reads, from a
/// successful `wsframe_server_request_parse` whose buffer is still valid
/// and unchanged; `params_out` and `written_out` NULL or valid for one
/// write; `response` NULL or valid for writes of `response_len` bytes, not
/// overlapping the request buffer.
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
        // SAFETY: caller contract, for each pointer.
        let config = unsafe { raw::read(config) }?.to_core()?;
        // SAFETY: as above.
        let params_out = unsafe { raw::out(params_out) }?;
        // SAFETY: as above.
        let written = unsafe { raw::out(written_out) }?;
        // SAFETY: as above.
        let (req, input) = unsafe { handshake::reparse_with_buffer(req) }?;
        if raw::overlap(input.as_ptr(), input.len(), response.cast(), response_len) {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        // SAFETY: as above; checked not to overlap the request.
        let response = unsafe { raw::slice_mut(response.cast(), response_len) }?;
        let Some(params) = config.negotiate(req.extensions()) else {
            return Err(WSFRAME_RESULT_DECLINED);
        };
        write_value(|out| params.write_response(out), response, written)?;
        params_out.write(wsframe_deflate_params::from_core(&params));
        Ok(())
    })
}

/// Client side: checks the server's permessage-deflate answer (RFC 7692
/// §7.1) against the offer `config` made. Call it with the same `hs`,
/// response bytes and `max_size` once `wsframe_client_handshake_check`
/// reported the response accepted; it reads every Sec-WebSocket-Extensions
/// header of the response.
///
/// On OK, `*params_out` is the agreement for `wsframe_conn_enable_deflate`.
/// DECLINED: the server did not accept permessage-deflate; go on
/// uncompressed. A HANDSHAKE_* result means the server's answer breaks
/// RFC 7692 (an unknown or repeated parameter, a bad value, a window larger
/// than offered or asked for, `server_no_context_takeover` missing although
/// asked for, permessage-deflate accepted twice or another extension
/// alongside it): fail the connection (close the socket).
///
/// Results: OK; DECLINED; NULL_POINTER; INVALID_HANDLE (`*hs` not written
/// by a successful `wsframe_client_handshake_write`/`_write_ext`);
/// INVALID_ARGUMENT (`config` out of range, or the response is incomplete
/// or not an acceptance); the HANDSHAKE_* errors of
/// `wsframe_client_handshake_check`; HANDSHAKE_EXTENSION_MALFORMED_PARAMETER,
/// _EXTENSION_UNKNOWN_PARAMETER, _EXTENSION_DUPLICATE_PARAMETER,
/// _EXTENSION_INVALID_VALUE, _EXTENSION_UNEXPECTED_PARAMETER,
/// HANDSHAKE_UNEXPECTED_EXTENSION.
///
/// # Safety
///
/// `config` and `hs` NULL or valid for reads; `input` NULL or valid for
/// reads of `len` bytes; `params_out` NULL or valid for one write.
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
        // SAFETY: caller contract, for each pointer.
        let config = unsafe { raw::read(config) }?.to_core()?;
        // SAFETY: as above.
        let out = unsafe { raw::out(params_out) }?;
        // SAFETY: as above.
        let params = unsafe {
            handshake::with_accepted(hs, input, len, max_size, |accepted| {
                config.accept_response(accepted.extensions()).map_err(from_error)
            })
        }?;
        let params = params.ok_or(WSFRAME_RESULT_DECLINED)?;
        out.write(wsframe_deflate_params::from_core(&params));
        Ok(())
    })
}

/// A connection's permessage-deflate codec: the core's compressor and
/// decompressor, and the parameters they were made from.
#[cfg(feature = "std")]
#[derive(Debug)]
pub(crate) struct Codec {
    pub(crate) params: DeflateParams,
    pub(crate) compressor: wsframe::extensions::deflate::Compressor,
    pub(crate) decompressor: wsframe::extensions::deflate::Decompressor,
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;

    #[test]
    fn table_matches_the_core() {
        for (code, err, text) in TABLE {
            assert_eq!(from_error(*err), *code);
            assert_eq!(describe(*code as u32), Some(*text));
            assert_eq!(text.to_str().ok(), Some(err.to_string().as_str()));
            assert!((7200..7300).contains(&(*code as u32)));
        }
        assert_eq!(
            from_error(ExtensionError::UnexpectedExtension),
            WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION
        );
    }

    #[test]
    fn max_value_len_bounds_offers_and_responses() {
        let worst = DeflateConfig::default()
            .with_server_no_context_takeover(true)
            .with_client_no_context_takeover(true)
            .with_max_window_bits(10, 10);
        let mut out = [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN];
        assert_eq!(worst.write_offer(&mut out), Ok(WSFRAME_DEFLATE_MAX_VALUE_LEN));
        let params = worst.negotiate([&out[..]]).unwrap_or_else(DeflateParams::default_params);
        let mut resp = [0u8; WSFRAME_DEFLATE_MAX_VALUE_LEN];
        assert!(params.write_response(&mut resp).is_ok_and(|n| n <= resp.len()));
    }
}
