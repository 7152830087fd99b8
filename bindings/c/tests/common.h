/* Helpers shared by the connection tests. */
#ifndef WSFRAME_TEST_COMMON_H
#define WSFRAME_TEST_COMMON_H

#include "harness.h"

/* The masking key of the RFC 6455 §5.7 examples, 37 fa 21 3d, repeated:
 * a client using it reproduces the RFC's masked frames byte for byte. */
bool rfc_key(void *user, uint8_t *buf, size_t len);
/* A random source that always fails. */
bool failing_random(void *user, uint8_t *buf, size_t len);

/* Static, aligned storage for one connection, sized at compile time. */
typedef union {
    uint64_t align;
    unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE];
} conn_storage;

/* Feeds `len` bytes to `conn` and returns the first event (or NONE). */
uint32_t receive_one(wsframe_conn *conn, uint8_t *buf, size_t len, wsframe_event *ev,
                     size_t *consumed);

#endif
