// The WebSocket's transport over Bun.connect (TLS: SNI and certificate checks on).
export function openSocket({ host, port, secure, tls }) {
  return new Promise((resolve, reject) => {
    let s = null;
    let queue = []; // what Bun's socket did not take yet
    let pending = 0;
    let socket = null;
    let error = null;
    const flush = () => {
      while (queue.length > 0) {
        const head = queue[0];
        const n = socket.write(head);
        pending -= Math.max(n, 0);
        if (n < head.length) {
          queue[0] = head.subarray(Math.max(n, 0));
          return;
        }
        queue.shift();
      }
      s.ondrain?.();
    };
    Bun.connect({
      hostname: host,
      port,
      tls: secure ? { serverName: host, ...tls } : undefined,
      socket: {
        open(sock) {
          socket = sock;
          sock.setNoDelay?.(true);
          s = {
            ondata: null,
            onclose: null,
            ondrain: null,
            get pending() {
              return pending;
            },
            write(bytes) {
              if (queue === null) return;
              queue.push(bytes);
              pending += bytes.length;
              flush();
            },
            end() {
              sock.end();
            },
            destroy() {
              sock.terminate?.() ?? sock.end();
            },
          };
          resolve(s);
        },
        data(_sock, data) {
          s?.ondata?.(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        },
        drain() {
          if (queue) flush();
        },
        error(_sock, err) {
          error = err;
        },
        close() {
          queue = null;
          s?.onclose?.(error);
        },
        connectError(_sock, err) {
          reject(err);
        },
      },
    }).catch(reject);
  });
}
