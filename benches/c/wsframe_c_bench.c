/*
 * The C side of issue 12's C ABI lanes: the same work as the Rust "wsframe"
 * rows of decode-16b-binary and encode-16b-server, through include/wsframe.h
 * (wsframe_conn_* in caller storage, the C counterpart of Connection).
 *
 * The harness (src/peers/cabi.rs) builds this with gcc -O2 into a shared
 * object with libwsframe.a linked in statically and its symbols hidden, and
 * loads it with dlopen: calls from here into the library are the direct
 * calls a C program linking libwsframe.a makes; only the one call per run
 * from the harness into this file crosses the PLT.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <wsframe.h>

/* The simulated socket's read size (src/io.rs READ_CAP). */
#define READ_CAP (64 * 1024)

/* Caller storage, as firmware or a C server would embed it. Static, so it
 * starts zeroed, and ended by wsframe_conn_free before each reuse. */
static _Alignas(WSFRAME_CONN_STORAGE_ALIGN) uint8_t storage[WSFRAME_CONN_STORAGE_SIZE];

static struct wsframe_conn *open_server(void) {
    struct wsframe_conn *conn = NULL;
    if (wsframe_conn_init(storage, sizeof storage, WSFRAME_ROLE_SERVER, NULL, &conn) !=
        WSFRAME_RESULT_OK)
        return NULL;
    return conn;
}

static size_t min3(size_t a, size_t b, size_t c) {
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* A server reading the client's stream in reads of up to 64 KiB into one
 * reused buffer, receiving until it wants more and keeping the unconsumed
 * tail, as the Rust row's read_loop does. Returns payload bytes + messages
 * delivered, or UINT64_MAX on an error. */
uint64_t wsframe_cbench_decode(const uint8_t *input, size_t len, uint8_t *buf, size_t cap) {
    struct wsframe_conn *conn = open_server();
    if (!conn) return UINT64_MAX;
    size_t pos = 0, have = 0;
    uint64_t bytes = 0, msgs = 0;
    for (;;) {
        size_t n = min3(cap - have, READ_CAP, len - pos);
        if (n == 0) break;
        memcpy(buf + have, input + pos, n);
        pos += n;
        have += n;
        size_t start = 0;
        for (;;) {
            /* Up to 64 events per call (their data all point into buf). */
            size_t consumed = 0, got = 0;
            struct wsframe_event evs[64];
            if (wsframe_conn_receive(conn, buf + start, have - start, &consumed, evs, 64, &got) !=
                WSFRAME_RESULT_OK) {
                wsframe_conn_free(conn);
                return UINT64_MAX;
            }
            start += consumed;
            for (size_t i = 0; i < got; i++) {
                if (evs[i].type == WSFRAME_EVENT_BINARY || evs[i].type == WSFRAME_EVENT_TEXT) {
                    bytes += evs[i].len;
                    msgs += evs[i].last;
                }
            }
            if (got < 64) break;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    wsframe_conn_free(conn);
    return bytes + msgs;
}

/* `count` server (unmasked) binary frames of `payload` written back to back
 * into `out`. Returns the bytes written, or UINT64_MAX on an error. */
uint64_t wsframe_cbench_encode_server(const uint8_t *payload, size_t len, size_t count,
                                      uint8_t *out, size_t cap) {
    struct wsframe_conn *conn = open_server();
    if (!conn) return UINT64_MAX;
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        size_t written = 0;
        if (wsframe_conn_send(conn, WSFRAME_EVENT_BINARY, payload, len, true, out + pos, cap - pos, &written) !=
            WSFRAME_RESULT_OK) {
            wsframe_conn_free(conn);
            return UINT64_MAX;
        }
        pos += written;
    }
    wsframe_conn_free(conn);
    return pos;
}

/* The same frames through wsframe_conn_send_many, BATCH messages per call:
 * a sender flushing the messages it has queued. Returns the bytes written,
 * or UINT64_MAX on an error. */
#define BATCH 64
uint64_t wsframe_cbench_encode_server_many(const uint8_t *payload, size_t len, size_t count,
                                           uint8_t *out, size_t cap) {
    struct wsframe_conn *conn = open_server();
    if (!conn) return UINT64_MAX;
    wsframe_buf msgs[BATCH];
    for (size_t i = 0; i < BATCH; i++) msgs[i] = (wsframe_buf){payload, len};
    size_t pos = 0;
    for (size_t done = 0; done < count;) {
        size_t n = count - done < BATCH ? count - done : BATCH, sent = 0, written = 0;
        if (wsframe_conn_send_many(conn, WSFRAME_EVENT_BINARY, msgs, n, out + pos, cap - pos, &sent,
                                   &written) != WSFRAME_RESULT_OK ||
            sent != n) {
            wsframe_conn_free(conn);
            return UINT64_MAX;
        }
        pos += written;
        done += n;
    }
    wsframe_conn_free(conn);
    return pos;
}
