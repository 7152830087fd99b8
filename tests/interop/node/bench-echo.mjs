#!/usr/bin/env node
// Echo round trips over loopback: the package's WebSocketServer (examples/node/echo-server.mjs)
// against a `ws` WebSocketServer, each in its own Node process, driven by the same `ws` client
// in this one. 64 B and 64 KiB binary messages, WINDOW in flight, SECONDS per run; messages
// per second and the ratio wsframe / ws, in one run.
//
//   node tests/interop/node/bench-echo.mjs [--seconds 3] [--window 16]
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..", "..");
const { values } = parseArgs({ options: { seconds: { type: "string", default: "3" }, window: { type: "string", default: "16" } } });
const SECONDS = Number(values.seconds);
const WINDOW = Number(values.window);

const WS_SERVER = `
import { WebSocketServer } from "ws";
const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, maxPayload: 16 << 20 });
wss.on("connection", (c) => c.on("message", (d, isBinary) => c.send(d, { binary: isBinary })));
wss.on("listening", () => console.log("listening on 127.0.0.1:" + wss.address().port));
`;

async function start(args, cwd) {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  while (!/listening on 127\.0\.0\.1:(\d+)/.test(out)) await once(child.stdout, "data");
  return { child, port: Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)[1]) };
}

async function run(port, size) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await once(ws, "open");
  const payload = Buffer.alloc(size, 7);
  let done = 0;
  let stop = false;
  const finished = new Promise((resolve) => {
    let inFlight = 0;
    ws.on("message", () => {
      done++;
      inFlight--;
      if (!stop) {
        ws.send(payload);
        inFlight++;
      } else if (inFlight === 0) resolve();
    });
    for (; inFlight < WINDOW; inFlight++) ws.send(payload);
  });
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop = true;
  const counted = done;
  const elapsed = (performance.now() - t0) / 1000;
  await finished;
  ws.close();
  return counted / elapsed;
}

const ours = await start([path.join(ROOT, "examples/node/echo-server.mjs"), "--port", "0", "--quiet"], ROOT);
const theirs = await start(["--input-type=module", "-e", WS_SERVER], path.dirname(fileURLToPath(import.meta.url)));
try {
  console.log(`echo round trips, ${WINDOW} in flight, ${SECONDS} s each, ws client; node ${process.version}`);
  console.log("size      wsframe WebSocketServer   ws WebSocketServer   ratio");
  for (const size of [64, 64 << 10]) {
    await run(ours.port, size); // warm-up, both
    await run(theirs.port, size);
    const a = await run(ours.port, size);
    const b = await run(theirs.port, size);
    const label = size >= 1024 ? `${size >> 10} KiB` : `${size} B`;
    console.log(`${label.padEnd(9)} ${a.toFixed(0).padStart(17)} msg/s ${b.toFixed(0).padStart(14)} msg/s   ${(a / b).toFixed(2)}x`);
  }
} finally {
  ours.child.kill();
  theirs.child.kill();
}
