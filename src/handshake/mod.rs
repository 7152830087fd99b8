//! The opening handshake (RFC 6455 §4), sans-IO and without allocation.
//!
//! - Client (§4.1): [`ClientRequest`] parses a `ws://` / `wss://` URI and
//!   [`ClientRequest::write`]s the upgrade request; the returned
//!   [`ClientHandshake`] validates the server's answer with
//!   [`ClientHandshake::check_response`].
//! - Server (§4.2): [`parse_request`] validates a client's request;
//!   [`write_accept`] answers 101 Switching Protocols, [`write_reject`] and
//!   [`write_reject_for`] refuse (§4.2.1, §4.4).
//! - Keys (§4.1, §4.2.2): [`generate_key`] and [`accept_key`].
//!
//! Parsers take everything read so far and report an incomplete head as
//! `Ok(None)` / [`Response::Partial`], never as an error; they stop with
//! [`HandshakeError::TooLarge`] once the input reaches the caller's limit
//! ([`DEFAULT_MAX_HANDSHAKE`] is a sensible one). A head may have at most
//! [`MAX_HEADERS`] fields; the result keeps no copy of them, only a view of
//! the head's lines in the input, which the accessors read. Bytes after the
//! head (`consumed`) are WebSocket frames that arrived with it; hand them to
//! the connection.
//!
//! Writers fill the caller's buffer and return the length, or
//! [`HandshakeError::InsufficientSize`] with the exact size needed.
//! Caller-supplied header names must be tokens and values must not contain
//! control characters, so nothing can inject header lines.
//!
//! # Examples
//!
//! A complete exchange:
//!
//! ```
//! use wsframe::handshake::{
//!     ClientRequest, DEFAULT_MAX_HANDSHAKE, Response, parse_request, write_accept,
//! };
//!
//! // Client: write the request with a fresh random nonce (§4.1).
//! let mut to_server = [0u8; 512];
//! let client = ClientRequest::new("ws://localhost:9001/echo")?.protocols(&["v2.echo", "echo"]);
//! let hs = client.write([0x5a; 16], &mut to_server)?;
//!
//! // Server: validate it and pick a subprotocol (§4.2.1, §4.2.2).
//! let req = parse_request(&to_server[..hs.request_len()], DEFAULT_MAX_HANDSHAKE)?
//!     .expect("complete request");
//! assert_eq!(req.host(), b"localhost:9001");
//! let chosen = req.protocols().find(|p| *p == "echo");
//! let mut to_client = [0u8; 512];
//! let n = write_accept(req.key(), chosen, None, &[], &mut to_client)?;
//!
//! // Client: validate the answer (§4.1).
//! match hs.check_response(&to_client[..n], DEFAULT_MAX_HANDSHAKE)? {
//!     Response::Accepted(ok) => assert_eq!(ok.protocol(), Some("echo")),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), wsframe::handshake::HandshakeError>(())
//! ```

mod accept;
mod client;
mod error;
mod head;
pub(crate) mod headers;
mod server;
mod swar;
mod uri;
pub(crate) mod writer;

pub use accept::{accept_key, generate_key};
#[cfg(feature = "alloc")]
pub use client::ClientVerifier;
pub use client::{Accepted, ClientHandshake, ClientOffer, ClientRequest, Rejected, Response};
pub use error::HandshakeError;
pub use headers::{HeaderValues, Headers, MAX_HEADERS, Tokens, split_header_lines, split_list};
pub use server::{
    Protocols, Request, RequestHead, parse_request, write_accept, write_reject, write_reject_for,
    write_reject_with,
};
pub use uri::ResourceName;

/// The GUID appended to `Sec-WebSocket-Key` before hashing (RFC 6455 §1.3, §4.2.2).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A default limit for the size of a handshake head: 8 KiB.
pub const DEFAULT_MAX_HANDSHAKE: usize = 8192;
