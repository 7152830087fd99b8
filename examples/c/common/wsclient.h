/*
 * A WebSocket client over any byte transport (plain TCP, TLS, ...): the
 * opening handshake, then a wsframe_session, which reassembles messages
 * (bounded, optionally permessage-deflate), answers pings and completes the
 * closing handshake. Shared by wsframe-client (and its --suite),
 * wsframe-wss-client and wsframe-autobahn-client. The transport is the
 * caller's: wsframe itself never touches a socket.
 */
#ifndef WSFRAME_EXAMPLES_WSCLIENT_H
#define WSFRAME_EXAMPLES_WSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wsframe.h>

/* Largest message reassembled (DESIGN.md §5). */
#define WSC_MAX_MESSAGE ((size_t)16 << 20)

#define WSC_AGAIN (-2)

typedef struct wsc_transport {
    void *ctx;
    /* One read, blocking if nothing is buffered: >0 bytes, 0 end of stream, -1 error,
     * WSC_AGAIN: nothing for the caller yet (TLS processed a non-data record). */
    long (*read)(void *ctx, uint8_t *buf, size_t len);
    /* Writes everything: 0, or -1 on error. */
    int (*write)(void *ctx, const uint8_t *buf, size_t len);
    /* Bytes already decrypted and buffered (TLS), readable without the socket; may be NULL. */
    size_t (*pending)(void *ctx);
    /* The socket, for poll(). */
    int fd;
} wsc_transport;

typedef enum wsc_status {
    WSC_OPEN = 0,    /* data flows */
    WSC_CLOSING = 1, /* we sent a Close and wait for the peer's */
    WSC_CLOSED = 2,  /* the closing handshake completed */
    WSC_FAILED = 3,  /* a protocol violation (we sent the Close it calls for), an I/O error, or EOF */
} wsc_status;

/* Called with each whole message; `data` is valid during the call only. */
typedef void (*wsc_on_message)(void *user, uint32_t kind, const uint8_t *data, size_t len);

typedef struct wsc {
    wsc_transport t;
    wsframe_session *session;
    wsc_status status;
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *out; /* the handshake request */
    size_t out_cap;
    bool unprocessed;         /* c->in holds bytes not yet given to the session */
    uint16_t peer_close_code; /* the peer's Close code (0: none or not yet) */
    char peer_close_reason[124];  /* the peer's Close reason (UTF-8, at most 123 bytes) */
    size_t peer_close_reason_len; /* bytes in peer_close_reason */
    char error[160];          /* why the session failed */
    /* What the handshake agreed on (wsc_open_with). */
    char protocol[WSFRAME_CLIENT_MAX_PROTOCOLS_LEN + 1]; /* the selected subprotocol, "" for none */
    char extensions[WSFRAME_CLIENT_MAX_EXTENSIONS_LEN + 1]; /* the first Sec-WebSocket-Extensions value ("": none) */
    bool deflate;             /* permessage-deflate is on */
    /* The last Pong received (wsc_read), and how many came so far. */
    uint8_t pong[125];
    size_t pong_len;
    uint64_t pongs;
} wsc;

/* Sends the opening handshake for `url` over `t`, checks the answer and
 * creates the client session. 0 on success; -1 with c->error set (the
 * caller still calls wsc_free). */
int wsc_open(wsc *c, const wsc_transport *t, const char *url);

/* What wsc_open_with adds to the defaults. */
typedef struct wsc_options {
    /* The session's heartbeat (wsframe_conn_config.keepalive_interval_ms /
     * keepalive_timeout_ms): a Ping after this many ms without input, the
     * peer dead when nothing arrives within the timeout after it. 0: off. */
    uint64_t keepalive_interval_ms;
    uint64_t keepalive_timeout_ms;
    /* Subprotocols to offer, comma-separated in order of preference
     * ("chat.v2, chat"), or NULL: the selected one lands in wsc.protocol. */
    const char *protocols;
    /* Offer permessage-deflate (wsframe_deflate_config_default) and use it
     * when the server accepts. */
    bool deflate;
    /* With `deflate`: also offer client_no_context_takeover (RFC 7692
     * §7.1.1.2), a promise to reset our compressor after each message that
     * lets a server which asks for it accept the offer. */
    bool deflate_no_context_takeover;
} wsc_options;

/* wsc_open with options (NULL: the defaults, as wsc_open). */
int wsc_open_with(wsc *c, const wsc_transport *t, const char *url, const wsc_options *opts);

/* Runs the session's heartbeat with `now_ms` of a monotonic clock (call it
 * once after wsc_open to start the clock, after socket activity and when
 * wsc_next_deadline passes) and writes a Ping it queued. 0 with *action
 * set (WSFRAME_KEEPALIVE_*), or -1 (c->error set, status WSC_FAILED). */
int wsc_poll(wsc *c, uint64_t now_ms, wsframe_keepalive_action *action);

/* When wsc_poll next needs to run, in the same clock: UINT64_MAX for never. */
uint64_t wsc_next_deadline(wsc *c);

/* Reads once from the transport (blocks unless the caller polled) and handles
 * every event: messages go to `on_message`, pings are answered, a peer's
 * Close is answered. Returns the status afterwards. */
wsc_status wsc_read(wsc *c, wsc_on_message on_message, void *user);

/* Whether wsc_read has input without waiting on the socket (bytes that
 * came with the handshake, or TLS records already decrypted): poll() on
 * t.fd would not see them. */
bool wsc_readable_without_poll(const wsc *c);

/* Sends a whole message as one frame: 0, or -1 (c->error set; for invalid
 * UTF-8 in a text message the session stays usable). */
int wsc_send(wsc *c, uint32_t kind, const uint8_t *data, size_t len);

/* Sends one frame of a message sent in pieces (never compressed); `fin`
 * ends the message: 0, or -1 (c->error set). */
int wsc_send_fragment(wsc *c, uint32_t kind, const uint8_t *data, size_t len, bool fin);

/* Sends a Ping with up to 125 bytes of payload: 0 or -1. The Pong shows in
 * c->pongs and c->pong after a wsc_read. */
int wsc_ping(wsc *c, const uint8_t *data, size_t len);

/* Starts the closing handshake with `code`: 0 or -1. Then call wsc_read
 * until the status is no longer WSC_CLOSING. */
int wsc_close(wsc *c, uint16_t code);

/* wsc_close with a reason (UTF-8, at most 123 bytes). */
int wsc_close_reason(wsc *c, uint16_t code, const char *reason, size_t reason_len);

/* Frees the buffers and the session (not the transport). */
void wsc_free(wsc *c);

#endif
