// The WebSocket's transport over workerd's connect() (cloudflare:sockets).
import { connect } from "cloudflare:sockets";
import { fromStreams } from "./streams.js";

export async function openSocket({ host, port, secure }) {
  const socket = connect({ hostname: host, port }, { secureTransport: secure ? "on" : "off", allowHalfOpen: false });
  await socket.opened;
  return fromStreams(socket.readable, socket.writable, () => socket.close());
}
