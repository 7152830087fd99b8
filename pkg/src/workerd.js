// workerd (Cloudflare Workers) entry: the bundler imports the .wasm as a WebAssembly.Module.
import wasmModule from "../dist/web/wsframe_wasm_bg.wasm";
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi, nodeOnly } from "./api.js";
import { createWebSocket } from "./websocket.js";
import { openSocket } from "./transport/workerd.js";

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
