/* Connections: creation in both ways, options, receiving, protocol errors. */
#include <stdlib.h>

#include "common.h"

bool rfc_key(void *user, uint8_t *buf, size_t len) {
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    int *calls = (int *)user;
    if (calls != NULL) (*calls)++;
    for (size_t i = 0; i < len; i++) buf[i] = key[i % 4];
    return true;
}

bool failing_random(void *user, uint8_t *buf, size_t len) {
    (void)user;
    (void)buf;
    (void)len;
    return false;
}

uint32_t receive_one(wsframe_conn *conn, uint8_t *buf, size_t len, wsframe_event *ev,
                     size_t *consumed) {
    return wsframe_conn_receive(conn, buf, len, consumed, ev);
}

static void heap_lifecycle(void) {
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
    CHECK(c != NULL);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    /* A heap connection is not deinitialised, it is freed. */
    CHECK_R(wsframe_conn_deinit(c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
    wsframe_conn_free(NULL);
    CHECK(wsframe_conn_state(NULL) == WSFRAME_STATE_INVALID);
}

static void constructor_misuse(void) {
    wsframe_conn *c = (wsframe_conn *)0x1;
    CHECK_R(wsframe_conn_new(WSFRAME_ROLE_SERVER, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_new(0, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_new(3, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_new(0xFFFFFFFFu, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(c == (wsframe_conn *)0x1); /* outputs untouched on error */
}

static void storage_lifecycle(void) {
    static conn_storage storage; /* the firmware way: static memory, no allocator */
    size_t size = wsframe_conn_storage_size();
    size_t align = wsframe_conn_storage_align();
    CHECK(size > 0 && size <= WSFRAME_CONN_STORAGE_SIZE);
    CHECK(align > 0 && align <= WSFRAME_CONN_STORAGE_ALIGN && (align & (align - 1)) == 0);
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, &c));
    CHECK((void *)c == (void *)storage.bytes);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    CHECK_OK(wsframe_conn_deinit(c));
    /* Calls after deinit are refused, not undefined. */
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_INVALID);
    CHECK_R(wsframe_conn_deinit(c), WSFRAME_RESULT_INVALID_HANDLE);
    uint8_t out[16];
    size_t n = 0;
    CHECK_R(wsframe_conn_send_text(c, (const uint8_t *)"x", 1, out, sizeof out, &n),
            WSFRAME_RESULT_INVALID_HANDLE);
    wsframe_conn_free(c); /* a dead handle: no-op */
    /* Exactly the reported size works; wsframe_conn_free ends it too. */
    CHECK_OK(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_CLIENT, &c));
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_INVALID);
}

static void storage_misuse(void) {
    static conn_storage storage[2];
    unsigned char *bytes = storage[0].bytes;
    size_t size = wsframe_conn_storage_size();
    wsframe_conn *c = NULL;
    CHECK_R(wsframe_conn_init(NULL, size, WSFRAME_ROLE_SERVER, &c), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_init(bytes, size, WSFRAME_ROLE_SERVER, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_init(bytes, 0, WSFRAME_ROLE_SERVER, &c), WSFRAME_RESULT_STORAGE_TOO_SMALL);
    CHECK_R(wsframe_conn_init(bytes, size - 1, WSFRAME_ROLE_SERVER, &c),
            WSFRAME_RESULT_STORAGE_TOO_SMALL);
    CHECK_R(wsframe_conn_init(bytes + 1, size, WSFRAME_ROLE_SERVER, &c), WSFRAME_RESULT_UNALIGNED);
    CHECK_R(wsframe_conn_init(bytes, size, 7, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(c == NULL);
    /* Never-initialised (zeroed) memory is not a connection. */
    CHECK(wsframe_conn_state((const wsframe_conn *)bytes) == WSFRAME_STATE_INVALID);
    CHECK_R(wsframe_conn_set_max_fragments((wsframe_conn *)bytes, 4), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_conn_deinit(NULL), WSFRAME_RESULT_NULL_POINTER);
    /* A byte copy of a live connection is refused. */
    CHECK_OK(wsframe_conn_init(bytes, size, WSFRAME_ROLE_CLIENT, &c));
    memcpy(storage[1].bytes, bytes, size);
    wsframe_conn *copy = (wsframe_conn *)storage[1].bytes;
    CHECK(wsframe_conn_state(copy) == WSFRAME_STATE_INVALID);
    CHECK_R(wsframe_conn_set_random(copy, rfc_key, NULL), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    CHECK_OK(wsframe_conn_deinit(c));
}

/* RFC 6455 §5.7: a single-frame masked text message, "Hello", to a server. */
static void rfc_masked_hello_to_server(void) {
    uint8_t frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
    wsframe_event ev;
    size_t consumed = 0;
    CHECK_OK(wsframe_conn_receive(c, frame, sizeof frame, &consumed, &ev));
    CHECK(consumed == sizeof frame);
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last && ev.close_code == 0);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK(ev.data == frame + 6); /* unmasked in place: borrowed from the input */
    CHECK_OK(wsframe_conn_receive(c, NULL, 0, &consumed, &ev));
    CHECK(consumed == 0 && ev.type == WSFRAME_EVENT_NONE && ev.data == NULL && ev.len == 0);
    wsframe_conn_free(c);
}

/* RFC 6455 §5.7: the unmasked "Hello", a fragmented "Hel"+"lo", an unmasked
 * Ping, 256 bytes and 64 KiB binary in one frame, all to a client, in one buffer. */
static void rfc_frames_to_client(void) {
    static uint8_t buf[7 + 9 + 7 + 4 + 256 + 10 + 65536];
    size_t n = 0;
    const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    const uint8_t frag[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
    const uint8_t ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    const uint8_t bin256[] = {0x82, 0x7E, 0x01, 0x00};
    const uint8_t bin64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    memcpy(buf + n, hello, sizeof hello); n += sizeof hello;
    memcpy(buf + n, frag, sizeof frag); n += sizeof frag;
    memcpy(buf + n, ping, sizeof ping); n += sizeof ping;
    memcpy(buf + n, bin256, sizeof bin256); n += sizeof bin256;
    memset(buf + n, 0xAB, 256); n += 256;
    memcpy(buf + n, bin64k, sizeof bin64k); n += sizeof bin64k;
    memset(buf + n, 0xCD, 65536); n += 65536;

    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    size_t pos = 0, consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && !ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hel", 3);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last);
    CHECK_BYTES(ev.data, ev.len, "lo", 2);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_PING && ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_BINARY && ev.last && ev.len == 256 && ev.data[255] == 0xAB);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_BINARY && ev.last && ev.len == 65536 && ev.data[65535] == 0xCD);
    CHECK(pos == n);
    wsframe_conn_free(c);
}

/* Any split gives the same events: the masked "Hello" one byte at a time. */
static void byte_at_a_time(void) {
    const uint8_t frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
    char text[8] = {0};
    size_t got = 0;
    bool last = false;
    for (size_t i = 0; i < sizeof frame; i++) {
        uint8_t byte = frame[i];
        size_t consumed = 0;
        wsframe_event ev;
        CHECK_OK(wsframe_conn_receive(c, &byte, 1, &consumed, &ev));
        CHECK(consumed == 1);
        if (ev.type == WSFRAME_EVENT_TEXT) {
            CHECK(ev.len == 1 && got < 5);
            text[got++] = (char)ev.data[0];
            last = ev.last;
        } else {
            CHECK(ev.type == WSFRAME_EVENT_NONE);
        }
    }
    CHECK(got == 5 && last && strcmp(text, "Hello") == 0);
    wsframe_conn_free(c);
}

/* RFC 6455 §5.5.1 and §7: the closing handshake, from either side. */
static void closing_handshake(void) {
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    uint8_t close_frame[] = {0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'};
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(c, close_frame, sizeof close_frame, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == WSFRAME_CLOSE_NORMAL);
    CHECK_BYTES(ev.data, ev.len, "bye", 3);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSE_RECEIVED);
    uint8_t out[64];
    size_t n = 0;
    CHECK_OK(wsframe_conn_send_close(c, ev.close_code, NULL, 0, out, sizeof out, &n));
    CHECK(n == 2 + 4 + 2 && out[0] == 0x88 && out[1] == (0x80 | 2));
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
    /* After the close: sends are refused, input is discarded. */
    CHECK_R(wsframe_conn_send_text(c, (const uint8_t *)"x", 1, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_conn_send_ping(c, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_conn_send_close(c, 1000, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    uint8_t more[] = {0x81, 0x01, 'x'};
    CHECK_OK(wsframe_conn_receive(c, more, sizeof more, &consumed, &ev));
    CHECK(consumed == sizeof more && ev.type == WSFRAME_EVENT_NONE);
    wsframe_conn_free(c);

    /* Our Close first; an empty Close back. */
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
    CHECK_OK(wsframe_conn_send_close(c, 1001, (const uint8_t *)"going", 5, out, sizeof out, &n));
    CHECK(n == 2 + 2 + 5);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSE_SENT);
    CHECK_R(wsframe_conn_send_binary(c, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    uint8_t empty_close[] = {0x88, 0x80, 1, 2, 3, 4};
    CHECK_OK(wsframe_conn_receive(c, empty_close, sizeof empty_close, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == 0 && ev.data == NULL && ev.len == 0);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
    wsframe_conn_free(c);
}

/* A peer violation: the result names it and the close code to send. */
static void protocol_errors(void) {
    struct {
        uint8_t bytes[8];
        size_t len;
        uint32_t result;
        uint16_t close_code;
    } cases[] = {
        {{0x81, 0x01, 'x'}, 3, WSFRAME_RESULT_PEER_UNMASKED_FRAME, 1002},       /* §5.1 */
        {{0x83, 0x80, 1, 2, 3, 4}, 6, WSFRAME_RESULT_PEER_RESERVED_OPCODE, 1002}, /* §5.2 */
        {{0xC1, 0x80, 1, 2, 3, 4}, 6, WSFRAME_RESULT_PEER_RESERVED_BITS, 1002},   /* §5.2 */
        {{0x09, 0x80, 1, 2, 3, 4}, 6, WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME, 1002},
        {{0x80, 0x80, 1, 2, 3, 4}, 6, WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION, 1002},
        {{0x88, 0x81, 0, 0, 0, 0, 0x03}, 7, WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE, 1002},
        {{0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed}, 8, WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE, 1002},
        {{0x81, 0x81, 0, 0, 0, 0, 0xff}, 7, WSFRAME_RESULT_PEER_INVALID_UTF8, 1007}, /* §8.1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wsframe_conn *c = NULL;
        CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
        size_t consumed = 12345;
        wsframe_event ev;
        uint32_t r = wsframe_conn_receive(c, cases[i].bytes, cases[i].len, &consumed, &ev);
        CHECK_R(r, cases[i].result);
        CHECK(consumed == 12345);
        CHECK(wsframe_result_is_protocol_error(r));
        CHECK(wsframe_result_close_code(r) == cases[i].close_code);
        CHECK(wsframe_conn_state(c) == WSFRAME_STATE_FAILED);
        /* Failing the connection is one call; then nothing else goes out. */
        uint8_t out[16];
        size_t n = 0;
        CHECK_R(wsframe_conn_send_text(c, (const uint8_t *)"x", 1, out, sizeof out, &n),
                WSFRAME_RESULT_CLOSED);
        CHECK_OK(wsframe_conn_send_close(c, wsframe_result_close_code(r), NULL, 0, out, sizeof out, &n));
        CHECK(n == 4 && out[0] == 0x88 && out[2] == (cases[i].close_code >> 8) &&
              out[3] == (cases[i].close_code & 0xff));
        CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
        wsframe_conn_free(c);
    }
    /* A server sent a masked frame to a client. */
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    uint8_t masked[] = {0x81, 0x80, 1, 2, 3, 4};
    size_t consumed;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive(c, masked, sizeof masked, &consumed, &ev), WSFRAME_RESULT_PEER_MASKED_FRAME);
    wsframe_conn_free(c);
}

static void limits(void) {
    wsframe_conn *c = NULL;
    size_t consumed;
    wsframe_event ev;
    /* Frame payload limit: refused as soon as the header arrives. */
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    CHECK_OK(wsframe_conn_set_max_frame_payload(c, 4));
    uint8_t five[] = {0x82, 0x05};
    CHECK_R(wsframe_conn_receive(c, five, sizeof five, &consumed, &ev), WSFRAME_RESULT_PEER_FRAME_TOO_LARGE);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_FRAME_TOO_LARGE) == WSFRAME_CLOSE_MESSAGE_TOO_BIG);
    wsframe_conn_free(c);
    /* Message size limit over fragments. */
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    CHECK_OK(wsframe_conn_set_max_message_size(c, 4));
    uint8_t frags[] = {0x02, 0x02, 1, 2, 0x80, 0x03, 3, 4, 5};
    CHECK_OK(wsframe_conn_receive(c, frags, sizeof frags, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_BINARY && !ev.last && ev.len == 2);
    /* Limits are fixed once traffic started. */
    CHECK_R(wsframe_conn_set_max_message_size(c, 100), WSFRAME_RESULT_IN_USE);
    CHECK_R(wsframe_conn_set_max_frame_payload(c, 100), WSFRAME_RESULT_IN_USE);
    CHECK_R(wsframe_conn_set_max_fragments(c, 100), WSFRAME_RESULT_IN_USE);
    CHECK_R(wsframe_conn_receive(c, frags + consumed, sizeof frags - consumed, &consumed, &ev),
            WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE);
    wsframe_conn_free(c);
    /* Fragment count limit. */
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c));
    CHECK_OK(wsframe_conn_set_max_fragments(c, 2));
    uint8_t three[] = {0x01, 0x01, 'a', 0x00, 0x01, 'b', 0x80, 0x01, 'c'};
    size_t pos = 0;
    uint32_t r = WSFRAME_RESULT_OK;
    while (pos < sizeof three && r == WSFRAME_RESULT_OK) {
        r = wsframe_conn_receive(c, three + pos, sizeof three - pos, &consumed, &ev);
        if (r == WSFRAME_RESULT_OK) pos += consumed;
    }
    CHECK_R(r, WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS);
    wsframe_conn_free(c);
    /* Setter misuse. */
    CHECK_R(wsframe_conn_set_max_frame_payload(NULL, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_set_max_message_size(NULL, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_set_max_fragments(NULL, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_set_random(NULL, NULL, NULL), WSFRAME_RESULT_NULL_POINTER);
}

static void receive_misuse(void) {
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &c));
    uint8_t buf[4] = {0x81};
    size_t consumed = 99;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive(NULL, buf, 1, &consumed, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, NULL, 1, &consumed, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, buf, 1, NULL, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, buf, 1, &consumed, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK(consumed == 99);
    /* (NULL, 0) is empty input: nothing happens. */
    CHECK_OK(wsframe_conn_receive(c, NULL, 0, &consumed, &ev));
    CHECK(consumed == 0 && ev.type == WSFRAME_EVENT_NONE);
    /* A partial header is consumed and remembered. */
    CHECK_OK(wsframe_conn_receive(c, buf, 1, &consumed, &ev));
    CHECK(consumed == 1 && ev.type == WSFRAME_EVENT_NONE);
    wsframe_conn_free(c);
}

/* A client and a server talking through the C API, a 1 MiB message passing
 * through a 512-byte receive buffer. */
static void client_server_loop(void) {
    wsframe_conn *client = NULL, *server = NULL;
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_CLIENT, &client));
    CHECK_OK(wsframe_conn_new(WSFRAME_ROLE_SERVER, &server));
    size_t big = 1u << 20;
    uint8_t *payload = malloc(big);
    uint8_t *wire = malloc(wsframe_max_frame_len(big));
    CHECK(payload != NULL && wire != NULL);
    if (payload == NULL || wire == NULL) {
        free(payload);
        free(wire);
        return;
    }
    for (size_t i = 0; i < big; i++) payload[i] = (uint8_t)(i * 7);
    size_t n = 0;
    CHECK_OK(wsframe_conn_send_binary(client, payload, big, wire, wsframe_max_frame_len(big), &n));
    CHECK(n == big + 14);
    /* Stream it through a small buffer, as a device would. */
    uint8_t small[512];
    size_t fed = 0, kept = 0, received = 0;
    bool last = false, ok = true;
    while (fed < n || kept > 0) {
        size_t take = sizeof small - kept;
        if (take > n - fed) take = n - fed;
        memcpy(small + kept, wire + fed, take);
        fed += take;
        size_t len = kept + take, pos = 0;
        for (;;) {
            size_t consumed = 0;
            wsframe_event ev;
            uint32_t r = wsframe_conn_receive(server, small + pos, len - pos, &consumed, &ev);
            CHECK_OK(r);
            if (r != WSFRAME_RESULT_OK) { ok = false; break; }
            pos += consumed;
            if (ev.type == WSFRAME_EVENT_NONE) break;
            CHECK(ev.type == WSFRAME_EVENT_BINARY);
            if (memcmp(ev.data, payload + received, ev.len) != 0) ok = false;
            received += ev.len;
            last = ev.last;
        }
        kept = len - pos;
        memmove(small, small + pos, kept);
        if (!ok || (take == 0 && kept > 0)) break;
    }
    CHECK(ok && last && received == big);
    /* The echo back, and a ping answered with the same payload. */
    CHECK_OK(wsframe_conn_send_text(server, (const uint8_t *)"echo", 4, wire, 64, &n));
    size_t consumed;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(client, wire, n, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_TEXT);
    CHECK_BYTES(ev.data, ev.len, "echo", 4);
    CHECK_OK(wsframe_conn_send_ping(client, (const uint8_t *)"p1", 2, wire, 64, &n));
    CHECK_OK(wsframe_conn_receive(server, wire, n, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_PING);
    uint8_t reply[64];
    CHECK_OK(wsframe_conn_send_pong(server, ev.data, ev.len, reply, sizeof reply, &n));
    CHECK_OK(wsframe_conn_receive(client, reply, n, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_PONG);
    CHECK_BYTES(ev.data, ev.len, "p1", 2);
    free(payload);
    free(wire);
    wsframe_conn_free(client);
    wsframe_conn_free(server);
}

void run_conn_tests(void) {
    RUN(heap_lifecycle);
    RUN(constructor_misuse);
    RUN(storage_lifecycle);
    RUN(storage_misuse);
    RUN(rfc_masked_hello_to_server);
    RUN(rfc_frames_to_client);
    RUN(byte_at_a_time);
    RUN(closing_handshake);
    RUN(protocol_errors);
    RUN(limits);
    RUN(receive_misuse);
    RUN(client_server_loop);
}
