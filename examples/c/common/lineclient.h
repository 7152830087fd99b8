/*
 * The interactive part of wsframe-client and wsframe-wss-client: each stdin
 * line goes out as a text message, each message that comes back is printed
 * as "< text" on stdout. At the end of stdin the client waits (up to 5 s) for
 * as many messages as it sent, the echoes, then closes with 1000 and waits
 * for the server's Close.
 */
#ifndef WSFRAME_EXAMPLES_LINECLIENT_H
#define WSFRAME_EXAMPLES_LINECLIENT_H

#include "wsclient.h"

/* Runs until the closing handshake completes or the session fails.
 * Returns the process exit status: 0 after a clean closing handshake. */
int lineclient_run(wsc *c, const char *prog);

#endif
