//! Where masking keys and handshake nonces come from (RFC 6455 §10.3).
//!
//! Hosted builds draw from the OS (`getrandom`); firmware installs its TRNG
//! as a callback. A client with neither fails with
//! `WSFRAME_RESULT_NO_RANDOM`: never a fixed or weak key.

use core::cell::Cell;
use core::ffi::c_void;

use wsframe::{RandomError, RandomSource};

use crate::raw;
use crate::result::wsframe_result::{self, *};

/// The C random callback, non-NULL.
pub(crate) type RandomFn =
    unsafe extern "C" fn(user: *mut c_void, buf: *mut u8, len: usize) -> bool;

/// A source of cryptographically strong random bytes: fill `buf[0..len]` and
/// return true, or return false if the generator failed (the call that
/// needed the bytes then fails with `WSFRAME_RESULT_RANDOM_FAILED` and writes
/// nothing). Typically a hardware TRNG. It is called with the `user` pointer
/// given when it was installed, on the thread making the wsframe call, and
/// must not call back into wsframe with the same object.
pub type wsframe_random_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, buf: *mut u8, len: usize) -> bool>;

/// Where random bytes come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source {
    /// None available (a build without `std` and no callback).
    #[cfg_attr(feature = "std", allow(dead_code))]
    Missing,
    /// The operating system, via `getrandom`.
    #[cfg(feature = "std")]
    Os,
    /// The caller's callback.
    Callback { fill: RandomFn, user: *mut c_void },
}

impl Source {
    /// The build's default: the OS when hosted, nothing on firmware.
    pub(crate) const fn default_for_build() -> Self {
        #[cfg(feature = "std")]
        {
            Self::Os
        }
        #[cfg(not(feature = "std"))]
        {
            Self::Missing
        }
    }

    /// The source for a `wsframe_*_set_random(fill, user)` call: NULL `fill`
    /// restores the build's default.
    pub(crate) fn from_c(fill: wsframe_random_fn, user: *mut c_void) -> Self {
        match fill {
            Some(fill) => Self::Callback { fill, user },
            None => Self::default_for_build(),
        }
    }

    /// Fills `buf` entirely, or says why it could not.
    ///
    /// A `Callback` source must have been installed under the contract of
    /// `wsframe_conn_set_random` (whose callers promise it).
    pub(crate) fn fill(&self, buf: &mut [u8]) -> Result<(), wsframe_result> {
        match *self {
            Self::Missing => Err(WSFRAME_RESULT_NO_RANDOM),
            #[cfg(feature = "std")]
            Self::Os => getrandom::fill(buf).map_err(|_| WSFRAME_RESULT_RANDOM_FAILED),
            Self::Callback { fill, user } => {
                // SAFETY: installed through a `set_random` function, whose
                // caller promised `fill`'s contract for `user`.
                if unsafe { raw::call_random(fill, user, buf) } {
                    Ok(())
                } else {
                    Err(WSFRAME_RESULT_RANDOM_FAILED)
                }
            }
        }
    }
}

/// The connection's masking-key source.
///
/// The core's `RandomSource::fill` cannot fail, so the binding draws the
/// key *before* each client send ([`KeySource::prepare`]) and reports a
/// failure without touching the connection; the core then takes that key
/// through a [`crate::raw::KeyProxy`]. The core owns its `RandomSource` with
/// no accessor, so this state lives beside the `Connection` (in the same
/// object) and the proxy points at it; `Cell`s make the shared access sound.
#[derive(Debug)]
pub(crate) struct KeySource {
    source: Cell<Source>,
    pending: Cell<Option<[u8; 4]>>,
    failed: Cell<bool>,
}

impl KeySource {
    pub(crate) const fn new() -> Self {
        Self {
            source: Cell::new(Source::default_for_build()),
            pending: Cell::new(None),
            failed: Cell::new(false),
        }
    }

    /// Installs a new source; a key drawn from the old one is discarded.
    pub(crate) fn set(&self, source: Source) {
        self.source.set(source);
        self.pending.set(None);
    }

    /// Draws the next masking key now, so that a send cannot fail halfway.
    /// An unused key (say the output buffer was too small) is kept for the
    /// next send: it was never revealed.
    pub(crate) fn prepare(&self) -> Result<(), wsframe_result> {
        if self.pending.get().is_none() {
            let mut key = [0u8; 4];
            self.source.get().fill(&mut key)?;
            self.pending.set(Some(key));
        }
        Ok(())
    }

    /// Whether a draw the core made without a prepared key failed; clears it.
    pub(crate) fn take_failure(&self) -> bool {
        self.failed.replace(false)
    }

    /// What the core's draw gets: the prepared key.
    pub(crate) fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        if let (Some(key), 4) = (self.pending.get(), dest.len()) {
            dest.copy_from_slice(&key);
            self.pending.set(None);
            return Ok(());
        }
        // Not reached while the core draws one 4-byte key per frame after
        // `prepare`; if it ever is, the core refuses the send and the
        // failure is reported after the call.
        self.source.get().fill(dest).map_err(|_| {
            self.failed.set(true);
            RandomError
        })
    }
}

/// Wraps a [`Source`] for core functions that draw bytes (backoff jitter),
/// remembering a failure so the caller can discard the result.
pub(crate) struct Recording {
    pub(crate) source: Source,
    pub(crate) error: Option<wsframe_result>,
}

impl RandomSource for Recording {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        self.source.fill(dest).map_err(|e| {
            self.error.get_or_insert(e);
            RandomError
        })
    }
}
