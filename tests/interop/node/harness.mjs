// Shared plumbing for the interop tests: a free 127.0.0.1 port, an echo server started in
// its own process group and killed by PID, time-bounded cases, and the `N passed, N failed`
// summary.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BOM_TEXTS, KINDS, SIZES, corpus, sha256 } from "./corpus.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const NODE_ECHO_SERVER = `${JSON.stringify(process.execPath)} examples/node/echo-server.mjs --port {port} --quiet`;

/**
 * `--server-cmd "cmd ... {port}"` (default: the Node echo server), `--only substring`, and
 * `--deflate`: expect permessage-deflate (RFC 7692) to be negotiated; the default server
 * then gets `--deflate` too (an explicit `--server-cmd` is used as given). `deflate: true`
 * makes that the default.
 */
export function parseArgs(argv, { deflate = false } = {}) {
  const opts = { serverCmd: null, only: null, deflate };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--server-cmd") opts.serverCmd = argv[++i];
    else if (argv[i] === "--only") opts.only = argv[++i];
    else if (argv[i] === "--deflate") opts.deflate = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  opts.serverCmd ??= opts.deflate ? `${NODE_ECHO_SERVER} --deflate` : NODE_ECHO_SERVER;
  return opts;
}

/**
 * How the Chromium tests start Debian's /usr/bin/chromium (or $CHROMIUM) through the pinned
 * playwright-core: `chromium.launch(CHROMIUM_LAUNCH)`. Flags as TOOLCHAIN.md says; playwright
 * adds --headless and a fresh --user-data-dir of its own.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  headless: true,
  timeout: 60_000,
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `cmd` (with `{port}` replaced) through the shell in a new process group, waits
 * for `listening on 127.0.0.1:PORT` on its stdout. Returns `{ port, url, stop() }`.
 */
export async function startServer(cmd, { timeoutMs = 60_000 } = {}) {
  const port = await freePort();
  const child = spawn("bash", ["-c", `exec ${cmd.replaceAll("{port}", String(port))}`], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: stop() kills the server and any children by PID
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", stop);
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`server did not print 'listening on 127.0.0.1:${port}' within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes(`listening on 127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  child.stdout.resume();
  return { port, url: `ws://127.0.0.1:${port}`, stop, stderr: () => stderr };
}

/** Runs named async cases, each bounded; prints `ok`/`FAIL` lines and the summary. */
export async function runCases(cases, { only = null, timeoutMs = 60_000 } = {}) {
  let passed = 0;
  let failed = 0;
  for (const [name, fn] of cases) {
    if (only && !name.includes(only)) continue;
    const started = Date.now();
    let timer;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      passed++;
      process.stdout.write(`ok ${name} (${Date.now() - started} ms)\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`FAIL ${name}: ${err?.message ?? err}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  return { passed, failed };
}

export function check(cond, why) {
  if (!cond) throw new Error(why);
}

export function pattern(n, seed = 7) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

export function describe(data) {
  if (typeof data === "string") return `text len=${data.length}`;
  return `binary len=${data.length ?? data.byteLength}`;
}

/**
 * Gives a `ws` client `next()` (the next message, `{ data, isBinary, raw }`: text decoded,
 * `raw` the bytes as received) and `closed` (resolves to `{ code, reason }`). Call before
 * the connection opens.
 */
export function queueMessages(ws) {
  const queue = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    const m = { data: isBinary ? data : data.toString("utf8"), isBinary, raw: data };
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  ws.next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
  ws.closed = new Promise((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  return ws;
}

/** Sends `data` (string: text, else binary) and checks the echo's type and bytes. */
export async function echoOnce(ws, data, sendOptions = {}) {
  const binary = typeof data !== "string";
  ws.send(data, { binary, ...sendOptions });
  const reply = await ws.next();
  check(reply.isBinary === binary, `sent ${describe(data)}, got ${reply.isBinary ? "binary" : "text"}`);
  const same = binary ? Buffer.compare(reply.data, data) === 0 : reply.data === data;
  check(same, `sent ${describe(data)}, got a different ${describe(reply.data)}`);
}

/** Closes with 1000 and checks that the server echoed it. */
export async function closeNormally(ws) {
  ws.close(1000);
  const { code } = await ws.closed;
  check(code === 1000, `close code ${code}, expected 1000`);
}

/** A masked client frame; `first` is the first header byte (FIN, RSV1, opcode). */
export function maskedFrame(first, payload) {
  const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  const n = body.length;
  let head;
  if (n < 126) head = Buffer.from([first, 0x80 | n]);
  else if (n < 65536) head = Buffer.from([first, 0x80 | 126, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, key, body]);
}

/**
 * The fragmentation cases both ws suites run: text in 3 fragments, and binary in 2
 * fragments of `size` bytes with a ping between them.
 */
export function fragmentCases(open, { size, textName }) {
  return [
    [textName, async () => {
      const ws = await open();
      ws.send("Hel", { fin: false });
      ws.send("lo, ", { fin: false });
      ws.send("wörld", { fin: true });
      const m = await ws.next();
      check(!m.isBinary && m.data === "Hello, wörld", `got ${JSON.stringify(m.data)}`);
      await closeNormally(ws);
    }],
    ["fragmented binary with a ping between fragments", async () => {
      const ws = await open();
      const pong = new Promise((r) => ws.once("pong", r));
      ws.send(pattern(size, 1), { binary: true, fin: false });
      ws.ping(Buffer.from("between"));
      ws.send(pattern(size, 2), { binary: true, fin: true });
      const p = await pong;
      check(p.toString() === "between", `pong payload ${p}`);
      const m = await ws.next();
      check(m.isBinary && Buffer.compare(m.data, Buffer.concat([pattern(size, 1), pattern(size, 2)])) === 0, "reassembled message differs");
      await closeNormally(ws);
    }],
  ];
}

/**
 * Sends each of `items` (a string as text, bytes as binary) and checks every echo, in order,
 * by type, length and SHA-256. Up to `window` messages are in flight, so a long run takes
 * seconds; an echo out of order fails as a mismatch. `name(i)` names item `i` in failures.
 */
export async function echoAll(ws, items, { window = 8, name = (i) => `message ${i}` } = {}) {
  const isText = (d) => typeof d === "string";
  const want = items.map((d) => ({ sha: sha256(d), length: isText(d) ? Buffer.byteLength(d) : d.length }));
  let sent = 0;
  const sendNext = () => {
    const d = items[sent++];
    ws.send(d, { binary: !isText(d) });
  };
  // A peer that fails the connection (e.g. on data it cannot inflate) fails the case now.
  let closedEarly;
  const closed = ws.closed.then(({ code, reason }) => {
    closedEarly = `connection closed (${code} ${JSON.stringify(reason)})`;
  });
  while (sent < Math.min(window, items.length)) sendNext();
  for (let i = 0; i < items.length; i++) {
    const m = await Promise.race([ws.next(), closed]);
    check(m !== undefined, `${name(i)}: ${closedEarly} before its echo`);
    const text = isText(items[i]);
    check(m.isBinary !== text, `${name(i)}: sent ${text ? "text" : "binary"}, got ${m.isBinary ? "binary" : "text"}`);
    const got = sha256(m.raw);
    check(
      got === want[i].sha,
      `${name(i)}: echo differs: sent ${want[i].length} bytes (SHA-256 ${want[i].sha.slice(0, 16)}), ` +
        `got ${m.raw.length} bytes (SHA-256 ${got.slice(0, 16)})`,
    );
    if (sent < items.length) sendNext();
  }
}

/**
 * Data integrity (issue 9) cases both ws suites run: the corpus of corpus.mjs, one connection
 * per kind with every size from 0 to 1 MiB + 1, each echo compared by SHA-256; and texts with
 * U+FEFF (a WebSocket text message has no byte order mark to strip), whole and fragmented
 * inside U+FEFF's three bytes.
 */
export function integrityCases(open, { kinds = KINDS, sizes = SIZES, suffix = "" } = {}) {
  const cases = kinds.map((kind) => [`corpus: ${kind}, ${sizes.length} sizes from ${sizes[0]} to ${sizes.at(-1)} bytes on one connection, SHA-256 of each echo${suffix}`, async () => {
    const items = [...corpus({ kinds: [kind], sizes })];
    const ws = await open();
    await echoAll(ws, items.map((m) => m.data), { name: (i) => items[i].name });
    await closeNormally(ws);
  }]);
  cases.push([`text with U+FEFF at the start, middle, end and alone is echoed unchanged${suffix}`, async () => {
    const ws = await open();
    const texts = [...BOM_TEXTS, ...BOM_TEXTS]; // twice: a BOM after other messages too
    await echoAll(ws, texts, { name: (i) => `text ${JSON.stringify(texts[i])}` });
    for (const text of BOM_TEXTS) {
      const bytes = Buffer.from(text, "utf8");
      for (let cut = 0; cut <= bytes.length; cut++) {
        ws.send(bytes.subarray(0, cut), { binary: false, fin: false });
        ws.send(bytes.subarray(cut), { binary: false, fin: true });
        const m = await ws.next();
        check(!m.isBinary && m.data === text, `${JSON.stringify(text)} in fragments cut at byte ${cut} echoed as ${JSON.stringify(m.data)}`);
      }
    }
    await closeNormally(ws);
  }]);
  return cases;
}
