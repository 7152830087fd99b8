// The WebSocket's transport over node:net / node:tls (TLS: SNI and certificate checks on,
// unless `options.tls` says otherwise, e.g. `{ ca }` or `{ rejectUnauthorized: false }`).
import net from "node:net";
import tls from "node:tls";

export function openSocket({ host, port, secure, tls: tlsOptions }) {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...tlsOptions })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const ready = secure ? "secureConnect" : "connect";
    const onError = (err) => reject(err);
    socket.once("error", onError);
    socket.once(ready, () => {
      socket.off("error", onError);
      const s = {
        ondata: null,
        onclose: null,
        ondrain: null,
        get pending() {
          return socket.writableLength;
        },
        write(bytes) {
          if (!socket.destroyed && !socket.writableEnded) socket.write(bytes);
        },
        end() {
          if (!socket.writableEnded) socket.end();
        },
        destroy() {
          socket.destroy();
        },
      };
      let error = null;
      socket.on("data", (chunk) => s.ondata?.(chunk));
      socket.on("drain", () => s.ondrain?.());
      socket.on("error", (err) => {
        error = err;
      });
      socket.on("close", () => s.onclose?.(error));
      resolve(s);
    });
  });
}
