// workerd (Cloudflare Workers) entry: the bundler imports the .wasm as a WebAssembly.Module.
import wasmModule from "../dist/web/wsframe_wasm_bg.wasm";
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
