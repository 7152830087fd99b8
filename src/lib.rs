#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod backoff;
pub mod close;
pub mod conn;
pub mod error;
pub mod extensions;
pub mod frame;
pub mod handshake;
pub mod keepalive;
pub mod mask;
#[cfg(feature = "alloc")]
pub mod message;
mod random;
#[cfg(feature = "alloc")]
pub mod session;
pub mod utf8;

pub use close::CloseCode;
pub use conn::{CloseFrame, Config, Connection, DataKind, Event, Received, Role, State};
pub use error::{Error, ProtocolError};
#[cfg(feature = "rand")]
pub use random::CryptoRandom;
pub use random::{NoRandom, RandomError, RandomSource};
