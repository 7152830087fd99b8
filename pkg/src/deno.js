// Deno entry: the web glue, given the compiled module by a source-phase import, which
// (unlike reading the file) needs no --allow-read permission.
import source wasmModule from "../dist/web/wsframe_wasm_bg.wasm";
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi, nodeOnly } from "./api.js";
import { createWebSocket } from "./websocket.js";
import { openSocket } from "./transport/deno.js";

glue.initSync({ module: wasmModule });

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

export const WebSocket = createWebSocket(api, { openSocket });
/** Node only (it runs on node:http); here it throws when constructed. */
export const WebSocketServer = nodeOnly("WebSocketServer");
