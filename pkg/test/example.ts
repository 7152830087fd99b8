// Type-checked (tsc --noEmit, see ../tsconfig.json), not run: the TypeScript view of the API.
import {
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
    for (const event of conn.receive(input.subarray(request.consumed))) handle(conn, event, write);
  } catch (err) {
    const e = err as ProtocolError;
    write(conn.close(e.closeCode));
  } finally {
    conn.free();
  }
}

function handle(conn: Connection, event: WsEvent, write: (bytes: Uint8Array) => void): void {
  switch (event.type) {
    case "text":
      // Narrowed: data is string | Uint8Array.
      write(typeof event.data === "string" ? conn.sendText(event.data) : conn.sendFrame("text", event.data));
      break;
    case "binary":
      write(conn.sendBinary(event.data));
      break;
    case "ping":
      write(conn.pong(event.data));
      break;
    case "pong":
      break;
    case "close": {
      const code: number | undefined = event.code;
      write(conn.close(code, event.reason));
      break;
    }
    default: {
      const never: never = event;
      throw new Error(`unhandled ${String(never)}`);
    }
  }
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
  return conn;
}

export function deflateClient(answerBytes: Uint8Array): Connection | null {
  const { handshake } = clientRequest("ws://127.0.0.1:9001/", { deflate: { clientMaxWindowBits: 12 } });
  const answer = handshake.checkResponse(answerBytes);
  if (answer === null || !answer.accepted) return null;
  return new Connection({ role: "client", deflate: answer.deflate });
}

new Connection({ deflate: true }).free();
