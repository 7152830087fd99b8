// Bun entry: the web glue, given the module's bytes read from the package.
import { readFileSync } from "node:fs";
import * as glue from "../dist/web/wsframe_wasm.js";
import { createApi, nodeOnly } from "./api.js";
import { createWebSocket } from "./websocket.js";
import { openSocket } from "./transport/bun.js";

glue.initSync({ module: readFileSync(new URL("../dist/web/wsframe_wasm_bg.wasm", import.meta.url)) });

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
