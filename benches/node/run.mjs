#!/usr/bin/env node
// The Node rows of `make bench`: the codec workloads (bench.mjs) and the echo round trips
// (echo.mjs), written to target/bench-node.json, which the Rust harness merges into
// BENCHMARKS.md (benches/src/report.rs, merge_node). Needs `make wasm-build`, the C and
// Rust echo servers, the venv's websockets and `npm ci` in benches/node (mk/bench.mk).
//
//   node benches/node/run.mjs [--out target/bench-node.json] [--reps 21] [--echo-reps 7]
//     [--c-server PATH] [--rust-server PATH] [--python PATH] [--no-echo] [--no-codec]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runCodec } from "./bench.mjs";
import { runEcho } from "./echo.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

const { values } = parseArgs({
  options: {
    out: { type: "string", default: path.join(ROOT, "target/bench-node.json") },
    reps: { type: "string", default: "21" },
    "echo-reps": { type: "string", default: "7" },
    "c-server": { type: "string" },
    "rust-server": { type: "string" },
    python: { type: "string" },
    "no-echo": { type: "boolean", default: false },
    "no-codec": { type: "boolean", default: false },
  },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

const t0 = performance.now();
const results = [];
let modes = {};
if (!values["no-codec"]) {
  const codec = await runCodec({ reps: Number(values.reps) });
  results.push(...codec.results);
  modes = codec.modes;
}
const python = path.resolve(values.python ?? path.join(ROOT, ".venv/bin/python"));
if (!values["no-echo"]) {
  const echo = await runEcho({
    reps: Number(values["echo-reps"]),
    python,
    ...(values["c-server"] && { cServer: path.resolve(values["c-server"]) }),
    ...(values["rust-server"] && { rustServer: path.resolve(values["rust-server"]) }),
  });
  results.push(...echo.results);
}
const seconds = (performance.now() - t0) / 1e3;

function pythonWebsockets() {
  try {
    return execFileSync(python, ["-c", "import websockets; print(websockets.__version__)"], { encoding: "utf8" }).trim();
  } catch {
    return "not found";
  }
}

const pkgVersion = JSON.parse(readFileSync(path.join(ROOT, "pkg/package.json"), "utf8")).version;
const bu = modes["ws + bufferutil"]?.bufferutil;
const wsVersion = JSON.parse(readFileSync(path.join(HERE, "node_modules/ws/package.json"), "utf8")).version;
const environment =
  `Node ${process.version}; wsframe npm package ${pkgVersion} (pkg/, built by make wasm-build); ` +
  `ws ${wsVersion}; bufferutil ${bu ? `${bu.version} (${bu.native ? "native" : "JS fallback"})` : "4.1.0"}; ` +
  `Python websockets ${pythonWebsockets()}`;
const method =
  `Codec rows (*(Node)*): each implementation in its own Node process (ws reads WS_NO_BUFFER_UTIL when it loads; ` +
  `each process checks that ws really does or does not mask through bufferutil's native code), driven round robin ` +
  `one repetition at a time: one untimed warm-up, then ${values.reps} timed repetitions, each on a fresh connection ` +
  `and checked (payload bytes + messages, or frame bytes). Same input bytes as the Rust rows (benches/node/inputs.mjs ` +
  `ports inputs.rs), fed as fresh Buffers of at most 64 KiB made before each repetition (untimed: the Rust rows' ` +
  `read copy, their memcpy row, is not in the Node rows). Timed with process.cpuUsage() (user + system of the whole ` +
  `process, V8's GC and compiler threads included, so it can exceed the wall clock); the median is reported. The ` +
  `100k-frame workloads run in a steady state; the 16 MiB ones get a full gc() and 5 ms of settling before each ` +
  `repetition. Echo rows: wall clock of a fixed number of round trips with a window in flight, every echo compared, ` +
  `${values["echo-reps"]} runs per server round robin after a warm-up, median; client and server share the machine's ` +
  `${os.cpus().length} cores, so these vary most with other load. See benches/README.md ("The Node rows"). ` +
  `The Node part took ${seconds.toFixed(0)} s.`;

const doc = {
  environment,
  command: "node benches/node/run.mjs",
  method,
  seconds,
  results,
};
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify(doc, null, 2) + "\n");
process.stderr.write(`wrote ${path.relative(process.cwd(), values.out) || values.out} (${results.length} rows) in ${seconds.toFixed(0)} s\n`);
if (results.some((r) => r.failed)) process.stderr.write("warning: some Node rows failed (see above); they are reported as failed\n");
