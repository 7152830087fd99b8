#!/usr/bin/env node
// Interop matrix client driver: headless Chromium (Debian's /usr/bin/chromium through the
// pinned playwright-core) runs the WHATWG case code of cases.mjs with the browser's WebSocket
// (tests/interop/matrix/README.md):
//
//   node chromium-client.mjs --url ws://127.0.0.1:P/ [--deflate]
//
// Chromium always offers permessage-deflate (--deflate changes nothing). The page is a tiny
// http page served on 127.0.0.1 by this script; the case functions' source is injected into
// it, and each result line is passed back through an exposed function and printed at once.
// One JSON object per line on stdout; exit 0 when the suite ran, 1 when it could not.
import http from "node:http";
import { createRequire } from "node:module";
import process from "node:process";
import { CHROMIUM_LAUNCH } from "../../node/harness.mjs";
import { echoDifference, matrixInbox, matrixPayload, whatwgSuite } from "./cases.mjs";

const require = createRequire(new URL("../../node/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const args = process.argv.slice(2);
const usage = "usage: node chromium-client.mjs --url ws://127.0.0.1:P/ [--deflate]";
const opts = { url: null, deflate: false };
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--url") opts.url = args[++i];
  else if (args[i] === "--deflate") opts.deflate = true;
  else {
    console.error(`unknown argument ${args[i]}\n${usage}`);
    process.exit(2);
  }
}
if (!opts.url) {
  console.error(usage);
  process.exit(2);
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>wsframe interop matrix</title>
<script>
${matrixPayload.toString()}
${echoDifference.toString()}
${matrixInbox.toString()}
${whatwgSuite.toString()}
</script>`;

let browser = null;
let pageServer = null;
let status = 1;
const watchdog = setTimeout(async () => {
  console.error("chromium-client: gave up after 12 minutes");
  await browser?.close().catch(() => {});
  process.exit(1);
}, 12 * 60_000);

try {
  pageServer = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  await new Promise((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  browser = await chromium.launch(CHROMIUM_LAUNCH);
  console.error(`chromium ${browser.version()} -> ${opts.url}`);
  const page = await browser.newPage();
  await page.exposeFunction("matrixEmit", (line) => console.log(line));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  const err = await page.evaluate(async (url) => {
    // Binding calls are asynchronous: chain them so that every line is out, in order, first.
    let chain = Promise.resolve();
    const emit = (o) => {
      chain = chain.then(() => window.matrixEmit(JSON.stringify(o)));
    };
    try {
      await whatwgSuite(WebSocket, url, { emit, caseMs: 30000 });
      await chain;
      return null;
    } catch (e) {
      return String(e && e.stack ? e.stack : e);
    }
  }, opts.url);
  if (err === null) status = 0;
  else console.error(`chromium-client: ${err}`);
} catch (err) {
  console.error(`chromium-client: ${err && err.stack ? err.stack : err}`);
} finally {
  await browser?.close().catch(() => {});
  pageServer?.close();
  clearTimeout(watchdog);
}
process.exit(status);
