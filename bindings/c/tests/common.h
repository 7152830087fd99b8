/* Helpers shared by the connection and session tests. */
#ifndef WSFRAME_TEST_COMMON_H
#define WSFRAME_TEST_COMMON_H

#include "harness.h"

/* The masking key of the RFC 6455 §5.7 examples, 37 fa 21 3d, repeated:
 * a client using it reproduces the RFC's masked frames byte for byte.
 * `user`, if not NULL, is an int counting the calls. */
bool rfc_key(void *user, uint8_t *buf, size_t len);
/* A random source that always fails. */
bool failing_random(void *user, uint8_t *buf, size_t len);

/* Static, aligned storage for one connection, sized at compile time. */
typedef union {
    uint64_t align;
    unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE];
} conn_storage;

/* The defaults, with client masking keys from rfc_key (counted in *calls
 * unless NULL). */
wsframe_conn_config config_with_rfc_key(int *calls);

/* A frame-level connection in malloc'd storage (NULL on failure, checked);
 * conn_delete ends it and frees the storage. */
wsframe_conn *conn_new(uint32_t role, const wsframe_conn_config *config);
void conn_delete(wsframe_conn *conn);

/* A session, checked. */
wsframe_session *session_new(uint32_t role, const wsframe_conn_config *config);

/* The session's queued output, copied into buf (at most cap bytes) and
 * consumed; returns its length. */
size_t take_outgoing(wsframe_session *s, uint8_t *buf, size_t cap);

#endif
