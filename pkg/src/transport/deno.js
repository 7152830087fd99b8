// The WebSocket's transport over Deno.connect / Deno.connectTls (SNI and certificate checks on).
import { fromStreams } from "./streams.js";

export async function openSocket({ host, port, secure, tls }) {
  const conn = secure
    ? await Deno.connectTls({ hostname: host, port, ...tls })
    : await Deno.connect({ hostname: host, port });
  if (!secure) conn.setNoDelay?.(true);
  return fromStreams(conn.readable, conn.writable, () => conn.close());
}
