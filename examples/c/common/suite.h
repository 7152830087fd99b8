/*
 * wsframe-client --suite: the client side of the interop matrix
 * (tests/interop/matrix/README.md). Over one connection that offers the
 * subprotocols "matrix.v1, matrix.v2" (and permessage-deflate when asked)
 * it runs the cases in the contract's order: subprotocol; text (ASCII and
 * 4-byte UTF-8) and binary echoes of 0, 125, 126, 65535, 65536 and 4 MiB;
 * a text sent in three fragments; 1,000 pipelined texts; a Ping answered
 * by a Pong; a Close 4001 with a reason echoed by the server. It prints
 * one JSON object per line on stdout: {"open": true, "protocol": ...,
 * "extensions": ...} (null when the server selected none), then
 * {"case": NAME, "ok": true|false[, "detail": WHY]} per case. Each case
 * has 30 s; after a timeout the connection is not used again (late echoes
 * would be taken for the next case's), and the remaining cases fail.
 */
#ifndef WSFRAME_EXAMPLES_SUITE_H
#define WSFRAME_EXAMPLES_SUITE_H

#include <stdbool.h>

/* Runs the suite against the ws:// `url`. Returns the exit status: 0 when
 * the suite ran (failed cases are in the output), 1 when the connection
 * or the handshake failed (message on stderr, prefixed with `prog`). */
int suite_run(const char *prog, const char *url, bool deflate);

#endif
