// One implementation of the Node codec rows, in its own process (started by bench.mjs with
// an IPC channel): `wsframe`, `ws` (started with WS_NO_BUFFER_UTIL=1) or `ws-bufferutil`.
// It builds each workload's input itself (inputs.mjs, deterministic), runs the untimed
// warm-up, checks its result, then runs one timed repetition per "run" message, timed by
// process.cpuUsage() (user + system) and performance.now(), and checks every result.
import process from "node:process";
import { WORKLOADS } from "./workloads.mjs";
import { reads } from "./inputs.mjs";

const which = process.argv[2];
let impl;
try {
  impl = await load(which);
} catch (err) {
  process.send({ ok: false, error: String(err?.message ?? err) }, () => process.exit(1));
}

async function load(kind) {
  if (kind === "wsframe") {
    const w = await import("./wsframe.mjs");
    return {
      name: w.NAME,
      mode: {},
      decode: w.wsframeDecode,
      decodeNote: w.DECODE_NOTE,
      encode: w.wsframeEncode,
      encodeNote: w.encodeNote,
    };
  }
  const ws = await import("./ws.mjs");
  const mode = ws.wsMode();
  const wantBufferutil = kind === "ws-bufferutil";
  if (mode.nodeMask) throw new Error("this Node has http.websocketMask: ws ignores bufferutil here");
  if (wantBufferutil && !(mode.viaBufferutil && mode.bufferutil?.native)) {
    throw new Error(`ws + bufferutil: ws does not mask through bufferutil's native code (${JSON.stringify(mode)})`);
  }
  if (!wantBufferutil && mode.viaBufferutil) {
    throw new Error(`ws: bufferutil is in use despite WS_NO_BUFFER_UTIL (${JSON.stringify(mode)})`);
  }
  const suffix = wantBufferutil ? `; bufferutil ${mode.bufferutil.version} (native)` : "; bufferutil disabled (WS_NO_BUFFER_UTIL=1)";
  return {
    name: wantBufferutil ? "ws + bufferutil" : "ws",
    mode,
    decode: ws.wsDecode,
    decodeNote: `ws ${mode.version}: ${ws.DECODE_NOTE}${suffix}`,
    encode: ws.wsEncode,
    encodeNote: (client) => `ws ${mode.version}: ${ws.encodeNote(client)}${suffix}`,
  };
}

let current = null; // { w, prepare, run }

function setup(id) {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`no workload ${id}`);
  const input = w.input();
  let state = null;
  const c = { w };
  if (w.kind === "decode") {
    // Fresh Buffers before each repetition (ws unmasks in place), outside the timing.
    c.prepare = () => (state = reads(input));
    c.run = () => impl.decode(state);
    c.note = impl.decodeNote;
  } else {
    c.prepare = () => {};
    c.run = () => impl.encode(input, w.count, w.client);
    c.note = impl.encodeNote(w.client);
  }
  current = c;
  c.prepare();
  const got = c.run(); // warm-up, untimed
  if (got !== w.expected) throw new Error(`${impl.name} on ${id}: warm-up returned ${got}, expected ${w.expected}`);
  return { note: c.note };
}

async function runOnce() {
  const c = current;
  c.prepare();
  if (c.w.gc) {
    // Workloads with 16 MiB of garbage per repetition: a full collection first, then a
    // pause for V8's concurrent sweeping to finish, so that every repetition starts with
    // the previous one's buffers freed (and none pays for collecting them). The others run
    // in a steady state, as a long-running server does: a forced full collection would
    // shrink the young generation and make the next repetition pay for regrowing it.
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 5));
  }
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const got = c.run();
  const cpu = process.cpuUsage(c0);
  const wall = (performance.now() - w0) / 1e3;
  if (got !== c.w.expected) throw new Error(`${impl.name} on ${c.w.id}: returned ${got}, expected ${c.w.expected}`);
  return { cpu: (cpu.user + cpu.system) / 1e6, wall };
}

if (impl) {
  process.on("message", async (msg) => {
    try {
      if (msg.op === "setup") process.send({ ok: true, ...setup(msg.id) });
      else if (msg.op === "run") process.send({ ok: true, ...(await runOnce()) });
      else if (msg.op === "exit") process.disconnect();
    } catch (err) {
      process.send({ ok: false, error: String(err?.stack ?? err) });
    }
  });
  process.send({ ok: true, ready: impl.name, mode: impl.mode });
}
