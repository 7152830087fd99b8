// Node entry: the wasm-bindgen Node ESM glue reads and instantiates the module synchronously.
import "./node18.js"; // Web Crypto as `crypto` where Node (18) does not expose it globally
import * as glue from "../dist/node/wsframe_wasm.js";
import { createApi } from "./api.js";
import { createWebSocket } from "./websocket.js";
import { openSocket } from "./transport/node.js";
import { createWebSocketServer } from "./server.js";

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
export const WebSocketServer = createWebSocketServer(api, WebSocket);
