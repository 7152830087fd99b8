/*
 * The firmware build's semantics, checked on the host: the library built
 * with --no-default-features --features panic-handler (no std, no heap, no
 * OS randomness) behind the same header.
 */
#include <stdlib.h>

#include "harness.h"

int wt_passed = 0;
int wt_failed = 0;
int wt_current_failed = 0;

void wt_fail(const char *file, int line, const char *what) {
    fprintf(stderr, "    %s:%d: check failed: %s\n", file, line, what);
    wt_current_failed = 1;
}

void wt_run(const char *name, void (*test)(void)) {
    wt_current_failed = 0;
    test();
    if (wt_current_failed) {
        wt_failed++;
        printf("FAIL %s\n", name);
    } else {
        wt_passed++;
        printf("ok   %s\n", name);
    }
}

/* A stand-in for a hardware TRNG. */
static bool trng(void *user, uint8_t *buf, size_t len) {
    unsigned *state = (unsigned *)user;
    for (size_t i = 0; i < len; i++) {
        *state = *state * 1103515245u + 12345u;
        buf[i] = (uint8_t)(*state >> 16);
    }
    return true;
}

static union {
    uint64_t align;
    unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE];
} storage;

/* Sessions need an allocator: every session function says so. */
static void sessions_unsupported(void) {
    wsframe_session *s = (wsframe_session *)0x1;
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, NULL, &s), WSFRAME_RESULT_UNSUPPORTED);
    CHECK(s == (wsframe_session *)0x1);
    uint8_t in[4] = {0};
    size_t n = 0;
    wsframe_event ev;
    CHECK_R(wsframe_session_receive(NULL, in, sizeof in, &n, &ev), WSFRAME_RESULT_UNSUPPORTED);
    CHECK_R(wsframe_session_send(NULL, WSFRAME_EVENT_TEXT, NULL, 0, 0), WSFRAME_RESULT_UNSUPPORTED);
    CHECK(wsframe_session_state(NULL) == WSFRAME_STATE_INVALID);
    wsframe_session_free(NULL);
}

static void client_without_source_is_refused(void) {
    wsframe_conn *c = NULL;
    CHECK_R(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_CLIENT, NULL, &c),
            WSFRAME_RESULT_NO_RANDOM);
    CHECK(c == NULL && wsframe_conn_state((wsframe_conn *)storage.bytes) == WSFRAME_STATE_INVALID);
    unsigned seed = 42;
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    cfg.random = trng;
    cfg.random_user = &seed;
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_CLIENT, &cfg, &c));
    uint8_t out[32];
    size_t n = 0;
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK(n == 11 && out[0] == 0x81 && out[1] == 0x85);
    wsframe_conn_free(c);
    /* Servers need no randomness. */
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, NULL, &c));
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK(n == 7);
    wsframe_conn_free(c);
}

static void handshake_needs_a_nonce_backoff_takes_the_middle(void) {
    wsframe_client_handshake hs;
    uint8_t out[256];
    size_t n = 0;
    CHECK_R(wsframe_client_handshake_write(&hs, "ws://a/", 7, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_NO_RANDOM);
    CHECK_OK(wsframe_client_handshake_write(&hs, "ws://a/", 7, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                            (const uint8_t *)"0123456789abcdef", 16, out, sizeof out, &n));
    /* Without a source the core's backoff takes the middle of each window. */
    wsframe_backoff b;
    uint64_t delay = 7;
    CHECK_OK(wsframe_backoff_init(&b, 60000));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 2500);
    unsigned seed = 1;
    CHECK_OK(wsframe_backoff_set_random(&b, trng, &seed));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay >= 2500 && delay <= 5000);
}

/* Negotiation needs no allocator; the codec does (a session). */
static void deflate_needs_the_heap(void) {
    wsframe_deflate_config config;
    CHECK_OK(wsframe_deflate_config_default(&config));
    char offer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t n = 0;
    CHECK_OK(wsframe_deflate_config_write_offer(&config, offer, sizeof offer, &n));
    CHECK(n == 42 && memcmp(offer, "permessage-deflate; client_max_window_bits", 42) == 0);
    static const char request[] = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                  "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse((const uint8_t *)request, sizeof request - 1, 0, &req));
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    char answer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    CHECK_OK(wsframe_deflate_config_negotiate(&config, &req, &cfg.deflate_params, answer, sizeof answer, &n));
    CHECK(n == 18 && cfg.deflate_params.server_max_window_bits == 15);
    cfg.deflate = true;
    wsframe_conn *c = NULL;
    CHECK_R(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, &cfg, &c),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    wsframe_session *s = NULL;
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, &cfg, &s), WSFRAME_RESULT_UNSUPPORTED);
    /* RSV1 stays a reserved bit. */
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, NULL, &c));
    uint8_t in[] = {0xc1, 0x87, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0};
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive(c, in, sizeof in, &consumed, &ev, 1, NULL), WSFRAME_RESULT_PEER_RESERVED_BITS);
    wsframe_conn_free(c);
}

int main(void) {
    RUN(sessions_unsupported);
    RUN(deflate_needs_the_heap);
    RUN(client_without_source_is_refused);
    RUN(handshake_needs_a_nonce_backoff_takes_the_middle);
    printf("%d passed, %d failed\n", wt_passed, wt_failed);
    return wt_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
