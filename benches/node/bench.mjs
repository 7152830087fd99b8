#!/usr/bin/env node
// Node codec rows of `make bench`: the npm package's Connection (wasm) against ws's
// Receiver/Sender without and with bufferutil, on the workloads of workloads.mjs, side by
// side in one run. Each implementation runs in its own process (ws picks bufferutil or not
// when it loads); this process drives them round robin, one timed repetition at a time, so
// load from other work hits all of them alike. Median CPU time (process.cpuUsage, user +
// system) per repetition; wall clock alongside. See benches/README.md.
//
//   node benches/node/bench.mjs [--reps 21] [--only ID-SUBSTRING] [--json FILE]
import { fork } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { WORKLOADS } from "./workloads.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

const IMPLS = [
  { kind: "wsframe", name: "wsframe (wasm)", env: {} },
  { kind: "ws", name: "ws", env: { WS_NO_BUFFER_UTIL: "1" } },
  { kind: "ws-bufferutil", name: "ws + bufferutil", env: {} },
];

export function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] * (1 - (pos - lo)) + v[hi] * (pos - lo);
}

export function summarize(samples) {
  const median = quantile(samples, 0.5);
  return { median, spread: (quantile(samples, 0.75) - quantile(samples, 0.25)) / Math.max(median, 1e-12) };
}

class Worker {
  constructor(kind, env) {
    const childEnv = { ...process.env, ...env };
    if (!env.WS_NO_BUFFER_UTIL) delete childEnv.WS_NO_BUFFER_UTIL;
    this.child = fork(path.join(HERE, "bench-worker.mjs"), [kind], {
      env: childEnv,
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.exited = once(this.child, "exit");
    // Replies are queued: one can arrive before anybody waits for it (the "ready" message).
    this.inbox = [];
    this.waiter = null;
    this.child.on("message", (m) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(m);
      } else this.inbox.push(m);
    });
  }

  next() {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift());
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async call(msg, timeoutMs = 120_000) {
    if (msg) this.child.send(msg);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      const reply = await Promise.race([
        this.next(),
        this.exited.then(([code, sig]) => ({ ok: false, error: `worker exited (${code ?? sig})` })),
      ]);
      if (!reply.ok) throw new Error(reply.error);
      return reply;
    } finally {
      clearTimeout(timer);
    }
  }

  stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
  }
}

export async function runCodec({ reps = 21, only = undefined, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const workers = IMPLS.map(({ kind, name, env }) => Object.assign(new Worker(kind, env), { name }));
  const results = [];
  const modes = {};
  try {
    for (const w of workers) {
      try {
        const r = await w.call(null);
        if (r.ready !== w.name) throw new Error(`worker says it is ${r.ready}`);
        modes[w.name] = r.mode;
      } catch (err) {
        w.failed = String(err.message ?? err).split("\n")[0]; // every row of it fails with this
        log(`${w.name}: ${w.failed}`);
      }
    }
    for (const wl of WORKLOADS) {
      if (only && !wl.id.includes(only)) continue;
      log(`== Node: ${wl.title} (${wl.id})`);
      const rows = [];
      for (const w of workers) {
        try {
          if (w.failed) throw new Error(w.failed);
          const { note } = await w.call({ op: "setup", id: wl.id });
          rows.push({ w, note, cpu: [], wall: [], error: null });
        } catch (err) {
          rows.push({ w, note: null, cpu: [], wall: [], error: String(err.message ?? err).split("\n")[0] });
        }
      }
      const live = rows.filter((r) => !r.error);
      for (let rep = 0; rep < reps; rep++) {
        for (let k = 0; k < live.length; k++) {
          const row = live[(k + rep) % live.length]; // rotate who goes first
          if (row.error) continue;
          try {
            const { cpu, wall } = await row.w.call({ op: "run" });
            row.cpu.push(cpu);
            row.wall.push(wall);
          } catch (err) {
            row.error = String(err.message ?? err).split("\n")[0];
          }
        }
      }
      for (const row of rows) {
        // Title and sizes on every row: a workload the Rust tables lack (--only) becomes a table.
        const base = {
          workload: wl.id,
          implementation: row.w.name,
          title: wl.title,
          bytes: wl.bytes,
          ops: wl.ops,
          ops_name: wl.ops_name,
          bytes_basis: wl.bytes_basis,
        };
        if (row.error) {
          log(`  ${row.w.name.padEnd(18)} failed: ${row.error}`);
          results.push({ ...base, failed: row.error, note: row.note ?? undefined });
          continue;
        }
        const { median, spread } = summarize(row.cpu);
        const wall = quantile(row.wall, 0.5);
        log(
          `  ${row.w.name.padEnd(18)} ${(wl.bytes / median / 1e6).toFixed(1).padStart(9)} MB/s ` +
            `${(wl.ops / median).toFixed(0).padStart(11)} ${wl.ops_name}/s  (spread ${(spread * 100).toFixed(0)}%; ` +
            `wall clock ${(wl.bytes / wall / 1e6).toFixed(1)} MB/s)`,
        );
        results.push({ ...base, median_s: median, spread, wall_s: wall, note: row.note });
      }
    }
  } finally {
    for (const w of workers) w.stop();
    await Promise.all(workers.map((w) => w.exited));
  }
  return { results, modes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { reps: { type: "string", default: "21" }, only: { type: "string" }, json: { type: "string" } },
  });
  const t0 = performance.now();
  const out = await runCodec({ reps: Number(values.reps), only: values.only });
  process.stderr.write(`Node codec rows: ${((performance.now() - t0) / 1e3).toFixed(1)} s\n`);
  const text = JSON.stringify(out, null, 2);
  if (values.json) writeFileSync(values.json, text + "\n");
  else process.stdout.write(text + "\n");
}
