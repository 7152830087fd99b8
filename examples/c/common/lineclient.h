/*
 * The interactive part of wsframe-client and wsframe-wss-client: each stdin
 * line goes out as a text message, each message that comes back is printed
 * as "< text" on stdout. At the end of stdin the client waits (up to 5 s) for
 * as many messages as it sent, the echoes, then closes with 1000 and waits
 * for the server's Close. lineclient_serve and lineclient_wait are the pieces
 * of wsframe-client's --heartbeat / --reconnect mode: one connection with the
 * session's heartbeat, and the wait between connections that keeps reading
 * stdin.
 */
#ifndef WSFRAME_EXAMPLES_LINECLIENT_H
#define WSFRAME_EXAMPLES_LINECLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wsclient.h"

/* Runs until the closing handshake completes or the session fails.
 * Returns the process exit status: 0 after a clean closing handshake. */
int lineclient_run(wsc *c, const char *prog);

/* Stdin, kept across connections (a partial line waits for its end). */
typedef struct lineclient_input {
    char *buf;
    size_t len, cap;
    bool open; /* false once stdin ended */
} lineclient_input;

/* 0, or -1 when out of memory. */
int lineclient_input_init(lineclient_input *in);
void lineclient_input_free(lineclient_input *in);

typedef struct lineclient_options {
    const char *prog; /* for messages on stderr */
    /* Print "heartbeat: ping" / "heartbeat: peer dead after D ms" on stdout. */
    bool report;
    /* Heartbeat interval + timeout, for the "peer dead" line. */
    uint64_t heartbeat_ms;
} lineclient_options;

/* How a connection ended. */
typedef struct lineclient_end {
    /* The peer's Close code (1005 when its Close had none), or 1006 when the
     * closure was abnormal: no Close (TCP error or EOF, a dead peer, a
     * protocol violation, no answer to our Close). */
    uint16_t code;
    /* The peer's Close reason, or why the closure was abnormal. */
    char why[200];
    /* Stdin ended: the session was closed (or tried to close) with 1000. */
    bool stdin_done;
} lineclient_end;

/* One open connection: stdin lines out, messages in ("< text"), the
 * heartbeat (when the session has one), until the connection ends. Frees
 * nothing: the caller frees `c` and closes its socket. */
void lineclient_serve(wsc *c, lineclient_input *in, const lineclient_options *o, lineclient_end *end);

/* Waits `ms` while still reading stdin (lines read meanwhile are dropped,
 * with a note on stderr): 0 after the wait, 1 when stdin ended, -1 on an
 * error. */
int lineclient_wait(lineclient_input *in, const char *prog, uint64_t ms);

#endif
