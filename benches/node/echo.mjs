#!/usr/bin/env node
// Echo round trips over loopback for `make bench`: each wsframe echo server (C, Rust, Node)
// and two independent ones (a ws WebSocketServer, a Python websockets server), each started
// here on 127.0.0.1 with a free port, all driven by the same ws client in this process.
// Binary messages of 64 B and 64 KiB with WINDOW in flight: a run is COUNT round trips
// (each echo checked byte for byte), timed by wall clock; runs go round robin across the
// servers after a warm-up run each; the median is reported. Servers are stopped by process
// group; every wait has a time bound.
//
//   node benches/node/echo.mjs [--reps 7] [--window 16] [--json FILE]
//     [--c-server build/bin/wsframe-echo-server] [--rust-server target/release/examples/echo_server]
//     [--python .venv/bin/python] [--only SERVER-SUBSTRING]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { randomBytes } from "./inputs.mjs";
import { quantile, summarize } from "./bench.mjs";
import { wsMode } from "./ws.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

/** Sizes and round trips per run: each run takes roughly 0.1-1 s on these servers. */
const SIZES = [
  { id: "echo-64b", size: 64, label: "64 B", count: 20_000 },
  { id: "echo-64kib", size: 64 << 10, label: "64 KiB", count: 2_000 },
];
const START_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 60_000;

export function servers({ cServer, rustServer, python }) {
  const node = process.execPath;
  return [
    {
      name: "wsframe C echo server",
      cmd: [cServer, "--port", "0", "--quiet"],
      note: "build/bin/wsframe-echo-server (examples/c/echo_server.c: one epoll loop, libwsframe.a)",
    },
    {
      name: "wsframe Rust echo server",
      cmd: [rustServer, "--port", "0", "--quiet"],
      note: "examples/echo_server.rs (a thread per connection, std TcpStream, Session)",
    },
    {
      name: "wsframe Node echo server (wasm)",
      cmd: [node, path.join(ROOT, "examples/node/echo-server.mjs"), "--port", "0", "--quiet"],
      note: "examples/node/echo-server.mjs (the npm package's WebSocketServer)",
    },
    {
      name: "ws WebSocketServer",
      cmd: [node, path.join(HERE, "ws-echo-server.mjs"), "--port", "0"],
      note: "benches/node/ws-echo-server.mjs (ws with bufferutil)",
    },
    {
      name: "Python websockets server",
      cmd: [python, path.join(HERE, "websockets_echo_server.py"), "--port", "0"],
      note: "benches/node/websockets_echo_server.py (asyncio API, C speedups)",
    },
  ];
}

const running = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Last resort: nothing started here outlives this process. */
process.on("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

async function start(server) {
  if (!existsSync(server.cmd[0])) throw new Error(`${server.cmd[0]} not found`);
  const child = spawn(server.cmd[0], server.cmd.slice(1), {
    cwd: ROOT,
    detached: true, // its own process group, stopped as a whole
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.exited = once(child, "exit");
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err = (err + d).slice(-2000)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  const re = /listening on 127\.0\.0\.1:(\d+)/;
  while (!re.test(out)) {
    let why = null;
    if (child.exitCode !== null || child.signalCode !== null) why = `exited (${child.exitCode ?? child.signalCode})`;
    else if (Date.now() > deadline) why = `did not start in ${START_TIMEOUT_MS / 1e3} s`;
    if (why) {
      await stop(child);
      throw new Error(`${why}: ${err.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdout.removeAllListeners("data");
  child.stdout.resume();
  return { child, port: Number(re.exec(out)[1]), stderr: () => err.trim(), banner: out.split("\n")[0] };
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await child.exited;
    clearTimeout(timer);
  }
  running.delete(child);
}

async function connect(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 16 << 20 });
  const timer = setTimeout(() => ws.terminate(), START_TIMEOUT_MS);
  try {
    await Promise.race([once(ws, "open"), once(ws, "close").then(() => Promise.reject(new Error("closed before open")))]);
  } finally {
    clearTimeout(timer);
  }
  return ws;
}

/** `count` round trips of `payload` with `window` in flight; wall seconds. Each echo must equal the payload. */
function roundTrips(ws, payload, count, window) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let got = 0;
    const done = (err, value) => {
      clearTimeout(timer);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      if (err) reject(err);
      else resolve(value);
    };
    const onMessage = (data, isBinary) => {
      if (!isBinary || !payload.equals(data)) {
        done(new Error(`echo ${got} differs from what was sent (${data.length} B, binary ${isBinary})`));
        return;
      }
      got++;
      if (sent < count) {
        ws.send(payload);
        sent++;
      } else if (got === count) done(null, (performance.now() - t0) / 1e3);
    };
    const onClose = (code) => done(new Error(`connection closed (${code}) after ${got} echoes`));
    const timer = setTimeout(() => done(new Error(`${got} of ${count} echoes in ${RUN_TIMEOUT_MS / 1e3} s`)), RUN_TIMEOUT_MS);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    const t0 = performance.now();
    for (; sent < Math.min(window, count); sent++) ws.send(payload);
  });
}

export async function runEcho({
  reps = 7,
  window = 16,
  only = undefined,
  cServer = path.join(ROOT, "build/bin/wsframe-echo-server"),
  rustServer = path.join(ROOT, "target/release/examples/echo_server"),
  python = path.join(ROOT, ".venv/bin/python"),
  log = (s) => process.stderr.write(`${s}\n`),
} = {}) {
  const list = servers({ cServer, rustServer, python }).filter((s) => !only || s.name.includes(only));
  const rows = list.map((s) => ({ s, proc: null, ws: null, error: null }));
  const results = [];
  try {
    for (const row of rows) {
      try {
        row.proc = await start(row.s);
        row.ws = await connect(row.proc.port);
        if (row.proc.banner && !row.proc.banner.startsWith("listening")) row.s.note += `; ${row.proc.banner}`;
      } catch (err) {
        row.error = err.message;
      }
    }
    for (const { id, size, label, count } of SIZES) {
      const title = `Echo round trips over loopback: ${label} binary messages, ${window} in flight (ws client; wall clock)`;
      log(`== Node: ${title} (${id})`);
      const payload = randomBytes(size, 29);
      for (const row of rows) {
        row.times = [];
        if (row.error) continue;
        try {
          await roundTrips(row.ws, payload, Math.max(window, count / 4), window); // warm-up
        } catch (err) {
          row.error = err.message;
        }
      }
      for (let rep = 0; rep < reps; rep++) {
        const live = rows.filter((r) => !r.error);
        for (let k = 0; k < live.length; k++) {
          const row = live[(k + rep) % live.length];
          try {
            row.times.push(await roundTrips(row.ws, payload, count, window));
          } catch (err) {
            row.error = err.message;
          }
        }
      }
      for (const row of rows) {
        const base = {
          workload: id,
          implementation: row.s.name,
          verbatim: true,
          title,
          bytes: count * size,
          ops: count,
          ops_name: "round trips",
          bytes_basis: "payload bytes echoed",
        };
        if (row.error) {
          log(`  ${row.s.name.padEnd(32)} failed: ${row.error}${row.proc?.stderr() ? ` (${row.proc.stderr()})` : ""}`);
          results.push({ ...base, failed: row.error, note: row.s.note });
          continue;
        }
        const { median, spread } = summarize(row.times);
        log(
          `  ${row.s.name.padEnd(32)} ${(count / median).toFixed(0).padStart(8)} round trips/s ` +
            `${((count * size) / median / 1e6).toFixed(1).padStart(8)} MB/s  (spread ${(spread * 100).toFixed(0)}%)`,
        );
        results.push({ ...base, median_s: median, spread, wall_s: quantile(row.times, 0.5), note: row.s.note });
      }
    }
  } finally {
    for (const row of rows) row.ws?.terminate();
    await Promise.all(rows.filter((r) => r.proc).map((r) => stop(r.proc.child)));
  }
  return { results, client: wsMode() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      reps: { type: "string", default: "7" },
      window: { type: "string", default: "16" },
      only: { type: "string" },
      json: { type: "string" },
      "c-server": { type: "string" },
      "rust-server": { type: "string" },
      python: { type: "string" },
    },
  });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
  const t0 = performance.now();
  const out = await runEcho({
    reps: Number(values.reps),
    window: Number(values.window),
    only: values.only,
    ...(values["c-server"] && { cServer: path.resolve(values["c-server"]) }),
    ...(values["rust-server"] && { rustServer: path.resolve(values["rust-server"]) }),
    ...(values.python && { python: path.resolve(values.python) }),
  });
  process.stderr.write(`Node echo rows: ${((performance.now() - t0) / 1e3).toFixed(1)} s\n`);
  const text = JSON.stringify(out, null, 2);
  if (values.json) writeFileSync(values.json, text + "\n");
  else process.stdout.write(text + "\n");
}
