// The @example blocks of src/index.d.ts, each run as its own ES module in a child Node
// process, so the documented examples keep up with the API. "wsframe" resolves through a
// node_modules/wsframe symlink to this package: its `exports` (the `node` entry), as a user
// gets them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const dts = readFileSync(join(pkgDir, "src", "index.d.ts"), "utf8");

// Every export a user calls or constructs, and the Connection methods used most.
const DOCUMENTED = [
  "OPCODES", "version", "Connection", "Connection.receive", "Connection.takeOutgoing",
  "Connection.sendText", "Connection.sendBinary", "Connection.close", "Connection.poll",
  "Connection.free", "Keepalive", "Backoff", "shouldReconnect", "CloseCode", "WebSocket",
  "WebSocketServer", "encodeFrame", "decodeFrame", "parseRequest", "acceptResponse",
  "rejectResponse", "ClientHandshake", "clientRequest", "checkResponse", "negotiateDeflate",
  "acceptKey",
];

/**
 * Every ```js block after an `@example` in a doc comment, with the name of the declaration
 * the comment documents (`Class.method` inside a class).
 */
function extractExamples(text) {
  const lines = text.split("\n");
  const examples = [];
  let cls = null;
  for (let i = 0; i < lines.length; i++) {
    const decl = /^export declare class (\w+)/.exec(lines[i]);
    if (decl) cls = decl[1];
    else if (lines[i] === "}") cls = null;
    if (!/^\s*\*\s*@example\s*$/.test(lines[i])) continue;
    const body = /^\s*\*?\s*$/;
    let j = i + 1;
    while (body.test(lines[j])) j++;
    assert.match(lines[j], /^\s*\* ```js\s*$/, `line ${j + 1}: @example without a \`\`\`js block`);
    const code = [];
    for (j++; !/^\s*\* ```\s*$/.test(lines[j]); j++) {
      assert.ok(j < lines.length && !lines[j].includes("*/"), `line ${i + 1}: unterminated example`);
      code.push(lines[j].replace(/^\s*\* ?/, ""));
    }
    let k = j;
    while (!lines[k].includes("*/")) k++;
    const next = lines[k + 1];
    const name =
      /^export declare (?:class|function|const) (\w+)/.exec(next)?.[1] ??
      (cls && /^\s+(\w+)\(/.exec(next) ? `${cls}.${/^\s+(\w+)\(/.exec(next)[1]}` : `line ${k + 2}`);
    examples.push({ name, line: i + 1, code: code.join("\n") + "\n" });
    i = j;
  }
  return examples;
}

const examples = extractExamples(dts);

test("index.d.ts documents every public item with an example", () => {
  assert.ok(examples.length >= DOCUMENTED.length, `${examples.length} examples, want at least ${DOCUMENTED.length}`);
  const names = examples.map((e) => e.name);
  assert.deepEqual(DOCUMENTED.filter((n) => !names.includes(n)), [], "declarations without an example");
  for (const { name, code } of examples) {
    assert.match(code, /from "wsframe";/, `${name}: imports what it uses from "wsframe"`);
    const lines = code.trimEnd().split("\n").length;
    assert.ok(lines >= 3 && lines <= 20, `${name}: ${lines} lines`);
  }
});

const dir = mkdtempSync(join(tmpdir(), "wsframe-dts-examples-"));
mkdirSync(join(dir, "node_modules"));
symlinkSync(pkgDir, join(dir, "node_modules", "wsframe"), "dir");
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Runs `file` with Node: resolves with its exit code, signal and output. */
function run(file) {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: dir, timeout: 20_000, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

for (const [n, example] of examples.entries()) {
  test(`@example of ${example.name} (index.d.ts:${example.line}) runs`, async () => {
    const file = join(dir, `example-${n + 1}.mjs`);
    writeFileSync(file, example.code);
    const { code, signal, stdout, stderr } = await run(file);
    assert.ok(
      code === 0 && signal === null,
      `example-${n + 1}.mjs exited with ${signal ?? code}${signal ? " (timed out after 20 s?)" : ""}\n` +
        `--- stderr ---\n${stderr}--- stdout ---\n${stdout}--- code ---\n${example.code}`,
    );
  });
}
