// Masking keys come from Web Crypto's `crypto.getRandomValues` (RFC 6455 §10.3). Node 19 and
// later, Deno, Bun, workerd and browsers have it as a global; Node 18 has the same object as
// node:crypto's `webcrypto` only. Imported before the wasm glue, which looks it up globally.
import { webcrypto } from "node:crypto";

if (typeof globalThis.crypto?.getRandomValues !== "function") {
  Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true, writable: true });
}
