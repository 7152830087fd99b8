// Client sends through the npm package: 16-byte binary messages on a client Connection
// (every frame masked with a key from Web Crypto, through the binding's key pool), the
// outgoing bytes taken every 256 frames. Prints ns per frame, five runs.
// Run by `make bench-client-send` (mk/bench.mk) after `make wasm-build`.
import { Connection } from "../../pkg/src/node.js";
const c = new Connection({ role: "client" });
const payload = new Uint8Array(16);
const N = 200000;
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { c.sendBinary(payload); if ((i & 255) === 255) c.takeOutgoing(); }
  c.takeOutgoing();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`client sendBinary 16 B: ${ns.toFixed(0)} ns/frame`);
}
