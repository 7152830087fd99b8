//! The core's liveness timers for JavaScript: the heartbeat ([`Keepalive`]),
//! reconnect delays ([`Backoff`], [`should_reconnect`]) and the close codes.
//!
//! Times are milliseconds of the caller's clock as JavaScript numbers; the
//! core owns every rule, this module only converts.

use wasm_bindgen::prelude::*;
use wsframe::CloseCode;
use wsframe::backoff;
use wsframe::keepalive::{self, KeepaliveAction};
use wsframe::{RandomError, RandomSource};

use crate::random::WebCrypto;

// JavaScript numbers of milliseconds become the core's `u64` with `as`, Rust's
// float-to-int cast: negative and NaN are 0, beyond `u64::MAX` saturates.

/// A core time as a JavaScript number (`u64::MAX`, "never", is `Infinity`).
fn js_ms(v: u64) -> f64 {
    if v == u64::MAX { f64::INFINITY } else { v as f64 }
}

/// What to do now, as the string the JavaScript API documents.
pub(crate) fn action_name(action: KeepaliveAction) -> String {
    match action {
        KeepaliveAction::SendPing => "ping",
        KeepaliveAction::PeerDead => "dead",
        _ => "idle",
    }
    .into()
}

/// The core's heartbeat timer (RFC 6455 §5.5.2): ping after silence, the
/// peer is dead when nothing arrives within the timeout after the Ping.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Keepalive(keepalive::Keepalive);

#[wasm_bindgen]
impl Keepalive {
    /// A timer whose last arrival is `now`.
    #[wasm_bindgen(constructor)]
    pub fn new(interval: f64, timeout: f64, now: f64) -> Keepalive {
        Keepalive(keepalive::Keepalive::new(interval as u64, timeout as u64, now as u64))
    }

    /// Records an arrival from the peer at `now`.
    #[wasm_bindgen(js_name = onReceive)]
    pub fn on_receive(&mut self, now: f64) {
        self.0.on_receive(now as u64);
    }

    /// `"idle"`, `"ping"` (send one now; reported once per silence) or `"dead"`.
    pub fn poll(&mut self, now: f64) -> String {
        action_name(self.0.poll(now as u64))
    }

    /// When `poll` next has something to do.
    #[wasm_bindgen(getter, js_name = nextDeadline)]
    pub fn next_deadline(&self) -> f64 {
        js_ms(self.0.next_deadline())
    }

    /// Whether a Ping is out and nothing has arrived since.
    #[wasm_bindgen(getter, js_name = awaitingReply)]
    pub fn awaiting_reply(&self) -> bool {
        self.0.is_awaiting_reply()
    }
}

/// A JavaScript function `(bytes: Uint8Array) => void` that fills `bytes`,
/// as the core's random source (tests inject one; the default is Web Crypto).
struct JsRandom(js_sys::Function);

impl RandomSource for JsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        let len = u32::try_from(dest.len()).map_err(|_| RandomError)?;
        let bytes = js_sys::Uint8Array::new_with_length(len);
        self.0.call1(&JsValue::NULL, &bytes).map_err(|_| RandomError)?;
        bytes.copy_to(dest);
        Ok(())
    }
}

/// The core's reconnect delays (RFC 6455 §7.2.3): the first uniform in
/// `[0, firstWindow]`, then truncated binary exponential back-off with jitter.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Backoff(backoff::Backoff);

#[wasm_bindgen]
impl Backoff {
    /// A back-off capped at `max_delay` ms; the other two are the first
    /// window and the base of the doubling windows (default both 5000 ms).
    #[wasm_bindgen(constructor)]
    pub fn new(max_delay: f64, first_window: Option<f64>, base: Option<f64>) -> Backoff {
        let first = first_window.map_or(backoff::FIRST_WINDOW_MS, |v| v as u64);
        let base = base.map_or(backoff::FIRST_WINDOW_MS, |v| v as u64);
        Backoff(backoff::Backoff::with_params(first, base, max_delay as u64))
    }

    /// The delay before the next attempt, counting it; randomness from
    /// `random` (fills a Uint8Array) or Web Crypto.
    #[wasm_bindgen(js_name = nextDelay)]
    pub fn next_delay(&mut self, random: Option<js_sys::Function>) -> f64 {
        js_ms(match random {
            Some(f) => self.0.next_delay(&mut JsRandom(f)),
            None => self.0.next_delay(&mut WebCrypto),
        })
    }

    /// Starts over after a successful connection.
    pub fn reset(&mut self) {
        self.0.reset();
    }

    /// The delays handed out since creation or the last `reset`.
    #[wasm_bindgen(getter)]
    pub fn attempts(&self) -> u32 {
        self.0.attempts()
    }

    /// The cap on any delay.
    #[wasm_bindgen(getter, js_name = maxDelay)]
    pub fn max_delay(&self) -> f64 {
        js_ms(self.0.max_ms())
    }
}

/// Whether a client should reconnect after a close with `code`: yes for
/// 1006, 1011, 1012, 1013 (the core's policy), no otherwise.
#[wasm_bindgen(js_name = shouldReconnect)]
pub fn should_reconnect(code: u16) -> bool {
    backoff::should_reconnect(CloseCode(code))
}

/// The core's close codes (RFC 6455 §7.4.1) as `[name, code]` pairs.
#[wasm_bindgen(js_name = closeCodes)]
pub fn close_codes() -> js_sys::Array {
    CloseCode::NAMED
        .iter()
        .map(|(name, code)| js_sys::Array::of2(&(*name).into(), &code.0.into()))
        .collect()
}
