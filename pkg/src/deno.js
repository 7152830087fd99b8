// Deno entry: the web glue, given the compiled module by a source-phase import, which
// (unlike reading the file) needs no --allow-read permission.
import source wasmModule from "../dist/web/wsframe_wasm_bg.wasm";
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi } from "./api.js";

glue.initSync({ module: wasmModule });

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
