// The package's shape: exports map conditions, version, every entry exporting the same API.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import * as api from "wsframe";

const manifest = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const cargo = fs.readFileSync(new URL("../../bindings/wasm/Cargo.toml", import.meta.url), "utf8");

test("version matches Cargo and the wasm module", () => {
  const cargoVersion = /^version = "([^"]+)"/m.exec(cargo)[1];
  assert.equal(manifest.version, cargoVersion);
  assert.equal(api.version, cargoVersion);
});

test("exports: one entry per runtime condition, types first, default last", () => {
  const conditions = Object.keys(manifest.exports["."]);
  assert.equal(conditions[0], "types");
  assert.equal(conditions.at(-1), "default");
  for (const c of ["workerd", "deno", "bun", "node", "browser"]) assert.ok(conditions.includes(c), c);
  for (const target of Object.values(manifest.exports["."])) {
    assert.ok(fs.existsSync(new URL(`../${target}`, import.meta.url)), target);
  }
  assert.equal(manifest.type, "module");
});

test("every entry exports the same names as the Node entry and the type declarations", () => {
  const names = Object.keys(api).sort();
  const declared = [...fs.readFileSync(new URL("../src/index.d.ts", import.meta.url), "utf8").matchAll(/^export declare (?:const|function|class) (\w+)/gm)]
    .map((m) => m[1])
    .sort();
  assert.deepEqual(names, declared);
  for (const entry of ["bun", "deno", "workerd", "browser"]) {
    const src = fs.readFileSync(new URL(`../src/${entry}.js`, import.meta.url), "utf8");
    const block = /export const \{([^}]*)\}/.exec(src)[1];
    const single = [...src.matchAll(/^export const (\w+) =/gm)].map((m) => m[1]);
    assert.deepEqual([...block.split(",").map((s) => s.trim()).filter(Boolean), ...single].sort(), names, entry);
  }
});
