// Bun entry: the web glue, given the module's bytes read from the package.
import { readFileSync } from "node:fs";
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi } from "./api.js";

glue.initSync({ module: readFileSync(new URL("../dist/web/wsframe_wasm_bg.wasm", import.meta.url)) });

export const {
  Connection,
  ClientHandshake,
  encodeFrame,
  decodeFrame,
  parseRequest,
  acceptResponse,
  rejectResponse,
  clientRequest,
  checkResponse,
  negotiateDeflate,
  acceptKey,
  OPCODES,
  version,
} = createApi(glue);
