// Node entry: the wasm-bindgen Node ESM glue reads and instantiates the module synchronously.
import * as glue from "../dist/node/wsframe_wasm.js";
import { createApi } from "./api.js";

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
