// Browser (and default) entry: the web glue fetches the module next to it (top-level await).
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi, nodeOnly } from "./api.js";
// Browsers have no raw sockets: their own WebSocket is the one to use, re-exported.

await glue.default({ module_or_path: new URL("../dist/web/wsframe_wasm_bg.wasm", import.meta.url) });

const api = createApi(glue);

export const {
  Connection,
  ClientHandshake,
  Keepalive,
  Backoff,
  shouldReconnect,
  CloseCode,
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
} = api;

export const WebSocket = globalThis.WebSocket;
/** Node only (it runs on node:http); here it throws when constructed. */
export const WebSocketServer = nodeOnly("WebSocketServer");
