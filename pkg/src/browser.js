// Browser (and default) entry: the web glue fetches the module next to it (top-level await).
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi } from "./api.js";

await glue.default({ module_or_path: new URL("../dist/web/wsframe_wasm_bg.wasm", import.meta.url) });

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
