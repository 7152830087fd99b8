// Type-checked (tsc --noEmit, see ../tsconfig.json), not run: the TypeScript view of the API.
import {
  Backoff,
  CloseCode,
  Keepalive,
  WebSocket,
  WebSocketServer,
  shouldReconnect,
  type KeepaliveAction,
  Connection,
  acceptResponse,
  clientRequest,
  decodeFrame,
  encodeFrame,
  negotiateDeflate,
  parseRequest,
  rejectResponse,
  type DeflateParams,
  type HandshakeError,
  type ProtocolError,
  type WsEvent,
} from "wsframe";

export function serve(input: Uint8Array, write: (bytes: Uint8Array) => void): void {
  let request;
  try {
    request = parseRequest(input);
  } catch (err) {
    write(rejectResponse(err as HandshakeError));
    return;
  }
  if (request === null) return; // read more
  write(acceptResponse(request, { protocol: request.protocols[0] }));

  const conn = new Connection({ role: "server", messages: true });
  try {
    // Pulled one at a time: each event is answered before the next is decoded.
    for (const event of conn.receive(input.subarray(request.consumed))) handle(conn, event);
  } catch (err) {
    const e = err as ProtocolError;
    const code: number = e.closeCode; // the Close with this code is queued (autoClose)
    void code;
  } finally {
    write(conn.takeOutgoing());
    conn.free();
  }
}

function handle(conn: Connection, event: WsEvent): void {
  switch (event.type) {
    case "text":
      // Narrowed: data is string | Uint8Array.
      if (typeof event.data === "string") conn.sendText(event.data);
      else conn.sendFrame("text", event.data);
      break;
    case "binary":
      conn.sendBinary(event.data);
      break;
    case "ping": // answered already (autoPong)
    case "pong":
      break;
    case "close": {
      // Answered already (autoClose); close TCP after writing takeOutgoing().
      const code: number | undefined = event.code;
      void code;
      break;
    }
    default: {
      const never: never = event;
      throw new Error(`unhandled ${String(never)}`);
    }
  }
}

/** Without the automatic replies the application answers itself. */
export function manual(bytes: Uint8Array): Uint8Array {
  const conn = new Connection({ role: "server", autoPong: false, autoClose: false, views: true });
  const events: IterableIterator<WsEvent> = conn.receive(bytes);
  for (const event of events) {
    if (event.type === "ping") conn.pong(event.data);
    else if (event.type === "close") conn.close(event.code, event.reason);
  }
  const pending: number = conn.pendingInputBytes + conn.bufferedAmount;
  void pending;
  return conn.takeOutgoing();
}

export function client(): Uint8Array {
  const { bytes, handshake, host, port } = clientRequest("ws://127.0.0.1:9001/", { protocols: ["chat"] });
  const answer = handshake.checkResponse(new Uint8Array(0));
  if (answer !== null && answer.accepted) {
    const p: string | null = answer.protocol;
    void p;
  } else if (answer !== null) {
    const status: number = answer.status;
    void status;
  }
  void host;
  void port;
  const frame = encodeFrame({ opcode: "ping", payload: "hi", mask: true });
  const decoded = decodeFrame(frame);
  if (decoded) {
    const op: number = decoded.opcode;
    void op;
  }
  return bytes;
}

using disposable = new Connection({ role: "client" });
void disposable.state;

/** permessage-deflate: the server negotiates, the client offers and checks. */
export function deflateServer(input: Uint8Array): Connection | null {
  const request = parseRequest(input);
  if (request === null) return null;
  const agreed = negotiateDeflate(request, { serverNoContextTakeover: true, level: 9 });
  const response = acceptResponse(request, { extensions: agreed?.response });
  void response;
  const conn = new Connection({ role: "server", deflate: agreed?.params, messages: true });
  const params: DeflateParams | null = conn.deflate;
  void params;
  conn.sendText("compressed");
  conn.sendBinary(new Uint8Array(4), { compress: false });
  const frames: Uint8Array = conn.takeOutgoing();
  void frames;
  const chunks: Uint8Array[] = conn.frameBinary(new Uint8Array(1 << 16), { compress: false });
  void chunks;
  const head = new Uint8Array(64);
  const written: number = conn.frameBinaryInto(new Uint8Array(100), head, 0, { compress: false });
  void written;
  return conn;
}

export function deflateClient(answerBytes: Uint8Array): Connection | null {
  const { handshake } = clientRequest("ws://127.0.0.1:9001/", { deflate: { clientMaxWindowBits: 12 } });
  const answer = handshake.checkResponse(answerBytes);
  handshake.free();
  if (answer === null || !answer.accepted) return null;
  return new Connection({ role: "client", deflate: answer.deflate });
}

new Connection({ deflate: true }).free();

// The WHATWG WebSocket with the package's options, and the ws-shaped server (type-checked only).
export function liveness(url: string): void {
  const ws = new WebSocket(url, ["chat"], {
    heartbeat: { interval: 30_000, timeout: 10_000 },
    reconnect: { maxDelay: 60_000, shouldReconnect: (e) => e.code !== CloseCode.POLICY_VIOLATION },
  });
  ws.binaryType = "arraybuffer";
  ws.addEventListener("reconnect", (e) => console.log(`attempt ${e.attempt} in ${e.delay} ms`));
  ws.onclose = (e) => console.log(e.code, e.reason, e.wasClean, shouldReconnect(e.code));
  ws.onopen = () => ws.send(new Uint8Array([1, 2]));
  const backoff = new Backoff(30_000);
  const delay: number = backoff.nextDelay();
  const keepalive = new Keepalive(1_000, 500, 0);
  const action: KeepaliveAction = keepalive.poll(delay);
  void action;
  const wss = new WebSocketServer({ port: 0, perMessageDeflate: true, heartbeat: { interval: 30_000 } });
  wss.on("connection", (client) => client.on("message", (data, isBinary) => client.send(data, { binary: isBinary })));
}
