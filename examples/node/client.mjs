#!/usr/bin/env node
// A small demo client on the `wsframe` npm package: text, binary, ping, close.
//
//   node examples/node/client.mjs --url ws://127.0.0.1:P
import process from "node:process";
import { connect, parseFlags } from "./ws-client.mjs";

let flags;
try {
  flags = parseFlags(process.argv.slice(2), ["url"]);
  if (!flags.url) throw new Error("--url is required");
} catch (err) {
  process.stderr.write(`client: ${err.message}\nusage: node examples/node/client.mjs --url ws://127.0.0.1:P\n`);
  process.exit(2);
}

function show(ev) {
  if (ev === null) return "connection ended";
  if (ev.type === "text") return `text ${JSON.stringify(ev.data)}`;
  if (ev.type === "binary") return `binary [${[...ev.data].join(", ")}]`;
  if (ev.type === "close") return `close ${ev.code ?? "(no code)"} ${JSON.stringify(ev.reason ?? "")}`;
  return `${ev.type} ${JSON.stringify(new TextDecoder("utf-8", { ignoreBOM: true }).decode(ev.data))}`;
}

async function expect(ws, type) {
  const ev = await ws.next();
  process.stdout.write(`client: received ${show(ev)}\n`);
  if (ev?.type !== type) throw new Error(`expected ${type}, got ${ev?.type ?? "the end"}`);
  return ev;
}

try {
  const ws = await connect(flags.url);
  process.stdout.write(`client: connected to ${flags.url}\n`);

  ws.sendText("Hello, wsframe!");
  process.stdout.write('client: sent text "Hello, wsframe!"\n');
  const text = await expect(ws, "text");

  ws.sendBinary(new Uint8Array([1, 2, 3, 4]));
  process.stdout.write("client: sent binary [1, 2, 3, 4]\n");
  const binary = await expect(ws, "binary");

  ws.ping("still there?");
  process.stdout.write('client: sent ping "still there?"\n');
  await expect(ws, "pong");

  const info = await ws.close(1000, "bye");
  process.stdout.write(`client: closed with ${info.code} ${JSON.stringify(info.reason)}\n`);
  const ok = text.data === "Hello, wsframe!" && binary.data.join() === "1,2,3,4" && info.code === 1000;
  process.stdout.write(ok ? "client: demo OK\n" : "client: demo FAILED\n");
  process.exit(ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`client: ${err.message}\n`);
  process.exit(1);
}
