/* Frame-level connections: creation in caller storage, the config, receiving,
 * protocol errors, limits. */
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

wsframe_conn_config config_with_rfc_key(int *calls) {
    wsframe_conn_config c;
    memset(&c, 0xAA, sizeof c);
    CHECK_OK(wsframe_conn_config_default(&c));
    c.random = rfc_key;
    c.random_user = calls;
    return c;
}

wsframe_conn *conn_new(uint32_t role, const wsframe_conn_config *config) {
    size_t size = wsframe_conn_storage_size();
    /* calloc: aligned for any type, and zeroed, as storage must be the first
     * time (its first bytes are read to tell whether it holds a live connection). */
    void *storage = calloc(1, size);
    wsframe_conn *c = NULL;
    CHECK(storage != NULL);
    if (storage == NULL) return NULL;
    CHECK_OK(wsframe_conn_init(storage, size, role, config, &c));
    if (c == NULL) free(storage);
    return c;
}

void conn_delete(wsframe_conn *conn) {
    wsframe_conn_free(conn);
    free(conn); /* the handle is the storage's address */
}

wsframe_session *session_new(uint32_t role, const wsframe_conn_config *config) {
    wsframe_session *s = NULL;
    CHECK_OK(wsframe_session_new(role, config, &s));
    CHECK(s != NULL);
    return s;
}

size_t take_outgoing(wsframe_session *s, uint8_t *buf, size_t cap) {
    const uint8_t *out = NULL;
    size_t len = 0;
    CHECK_OK(wsframe_session_outgoing(s, &out, &len));
    CHECK(len <= cap);
    if (len > cap) len = cap;
    if (len > 0) memcpy(buf, out, len);
    CHECK_OK(wsframe_session_consume_outgoing(s, len));
    return len;
}

static void config_defaults(void) {
    wsframe_conn_config c;
    memset(&c, 0xAA, sizeof c);
    CHECK_OK(wsframe_conn_config_default(&c));
    CHECK(c.max_frame_payload == 16u << 20 && c.max_message_size == 16u << 20 && c.max_fragments == 1u << 20);
    CHECK(c.auto_pong && c.auto_close && !c.streaming && !c.deflate && c.compression_level == 6);
    CHECK(c.deflate_params.server_max_window_bits == 15 && c.deflate_params.client_max_window_bits == 15);
    CHECK(c.retain_buffer == 64 * 1024 && c.keepalive_interval_ms == 0);
    CHECK(c.random == NULL && c.random_user == NULL);
    CHECK_R(wsframe_conn_config_default(NULL), WSFRAME_RESULT_NULL_POINTER);
}

static void constructor_misuse(void) {
    static conn_storage storage;
    wsframe_conn *c = (wsframe_conn *)0x1;
    size_t size = sizeof storage.bytes;
    CHECK_R(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_SERVER, NULL, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_init(storage.bytes, size, 0, NULL, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_init(storage.bytes, size, 3, NULL, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_init(storage.bytes, size, 0xFFFFFFFFu, NULL, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Config values out of range; deflate belongs to sessions. */
    wsframe_conn_config bad = config_with_rfc_key(NULL);
    bad.compression_level = 10;
    CHECK_R(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_SERVER, &bad, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    bad = config_with_rfc_key(NULL);
    bad.deflate_params.client_max_window_bits = 7;
    CHECK_R(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_SERVER, &bad, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    bad = config_with_rfc_key(NULL);
    bad.deflate = true;
    CHECK_R(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_SERVER, &bad, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(c == (wsframe_conn *)0x1); /* outputs untouched on error */
    /* The config must not live inside the storage it configures. */
    wsframe_conn_config *inside = (wsframe_conn_config *)(void *)storage.bytes;
    CHECK_OK(wsframe_conn_config_default(inside));
    CHECK_R(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_SERVER, inside, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
}

static void storage_lifecycle(void) {
    static conn_storage storage; /* the firmware way: static memory, no allocator */
    size_t size = wsframe_conn_storage_size();
    size_t align = wsframe_conn_storage_align();
    CHECK(size > 0 && size <= WSFRAME_CONN_STORAGE_SIZE);
    CHECK(align > 0 && align <= WSFRAME_CONN_STORAGE_ALIGN && (align & (align - 1)) == 0);
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, NULL, &c));
    CHECK((void *)c == (void *)storage.bytes);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    /* Storage that holds a live connection is not started over (the live
     * one would leak): IN_USE, and the live connection is untouched. */
    wsframe_conn *again = NULL;
    CHECK_R(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_CLIENT, NULL, &again),
            WSFRAME_RESULT_IN_USE);
    CHECK(again == NULL && wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
    /* Calls after the end are refused, not undefined (the storage is still ours). */
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_INVALID);
    uint8_t out[16];
    size_t n = 0;
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"x", 1, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_HANDLE);
    wsframe_conn_free(c); /* ended storage: no-op */
    wsframe_conn_free(NULL);
    CHECK(wsframe_conn_state(NULL) == WSFRAME_STATE_INVALID);
    /* Exactly the reported size works; ended storage may be used again. */
    CHECK_OK(wsframe_conn_init(storage.bytes, size, WSFRAME_ROLE_CLIENT, NULL, &c));
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
}

static void storage_misuse(void) {
    static conn_storage storage[2];
    unsigned char *bytes = storage[0].bytes;
    size_t size = wsframe_conn_storage_size();
    wsframe_conn *c = NULL;
    CHECK_R(wsframe_conn_init(NULL, size, WSFRAME_ROLE_SERVER, NULL, &c), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_init(bytes, 0, WSFRAME_ROLE_SERVER, NULL, &c), WSFRAME_RESULT_STORAGE_TOO_SMALL);
    CHECK_R(wsframe_conn_init(bytes, size - 1, WSFRAME_ROLE_SERVER, NULL, &c), WSFRAME_RESULT_STORAGE_TOO_SMALL);
    CHECK_R(wsframe_conn_init(bytes + 1, size, WSFRAME_ROLE_SERVER, NULL, &c), WSFRAME_RESULT_UNALIGNED);
    CHECK(c == NULL);
    /* Never-initialised (zeroed) memory is not a connection. */
    CHECK(wsframe_conn_state((const wsframe_conn *)bytes) == WSFRAME_STATE_INVALID);
    uint8_t buf[4] = {0x81};
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive((wsframe_conn *)bytes, buf, 1, &consumed, &ev, 1, NULL), WSFRAME_RESULT_INVALID_HANDLE);
    /* A byte copy of a live connection is refused. */
    CHECK_OK(wsframe_conn_init(bytes, size, WSFRAME_ROLE_SERVER, NULL, &c));
    memcpy(storage[1].bytes, bytes, size);
    wsframe_conn *copy = (wsframe_conn *)storage[1].bytes;
    CHECK(wsframe_conn_state(copy) == WSFRAME_STATE_INVALID);
    CHECK_R(wsframe_conn_receive(copy, buf, 1, &consumed, &ev, 1, NULL), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    wsframe_conn_free(c);
}

/* RFC 6455 §5.7: a single-frame masked text message, "Hello", to a server. */
static void rfc_masked_hello_to_server(void) {
    uint8_t frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    wsframe_event ev;
    size_t consumed = 0;
    CHECK_OK(wsframe_conn_receive(c, frame, sizeof frame, &consumed, &ev, 1, NULL));
    CHECK(consumed == sizeof frame);
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last && ev.close_code == 0);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK(ev.data == frame + 6); /* unmasked in place: borrowed from the input */
    CHECK_OK(wsframe_conn_receive(c, NULL, 0, &consumed, &ev, 1, NULL));
    CHECK(consumed == 0 && ev.type == WSFRAME_EVENT_NONE && ev.data == NULL && ev.len == 0);
    conn_delete(c);
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

    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, NULL);
    size_t pos = 0, consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && !ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hel", 3);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last);
    CHECK_BYTES(ev.data, ev.len, "lo", 2);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_PING && ev.last);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_BINARY && ev.last && ev.len == 256 && ev.data[255] == 0xAB);
    CHECK_OK(wsframe_conn_receive(c, buf + pos, n - pos, &consumed, &ev, 1, NULL));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_BINARY && ev.last && ev.len == 65536 && ev.data[65535] == 0xCD);
    CHECK(pos == n);
    conn_delete(c);
}

/* Any split gives the same events: the masked "Hello" one byte at a time. */
static void byte_at_a_time(void) {
    const uint8_t frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    char text[8] = {0};
    size_t got = 0;
    bool last = false;
    for (size_t i = 0; i < sizeof frame; i++) {
        uint8_t byte = frame[i];
        size_t consumed = 0;
        wsframe_event ev;
        CHECK_OK(wsframe_conn_receive(c, &byte, 1, &consumed, &ev, 1, NULL));
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
    conn_delete(c);
}

/* RFC 6455 §5.5.1 and §7: the closing handshake, from either side. */
static void closing_handshake(void) {
    int calls = 0;
    wsframe_conn_config cfg = config_with_rfc_key(&calls);
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t close_frame[] = {0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'};
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(c, close_frame, sizeof close_frame, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == WSFRAME_CLOSE_NORMAL);
    CHECK_BYTES(ev.data, ev.len, "bye", 3);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSE_RECEIVED);
    uint8_t out[64];
    size_t n = 0;
    CHECK_OK(wsframe_conn_send_close(c, ev.close_code, NULL, 0, out, sizeof out, &n));
    CHECK(n == 2 + 4 + 2 && out[0] == 0x88 && out[1] == (0x80 | 2));
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
    /* After the close: sends are refused, input is discarded. */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"x", 1, true, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PING, NULL, 0, true, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_conn_send_close(c, 1000, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    uint8_t more[] = {0x81, 0x01, 'x'};
    CHECK_OK(wsframe_conn_receive(c, more, sizeof more, &consumed, &ev, 1, NULL));
    CHECK(consumed == sizeof more && ev.type == WSFRAME_EVENT_NONE);
    conn_delete(c);

    /* Our Close first; an empty Close back. */
    c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    CHECK_OK(wsframe_conn_send_close(c, 1001, (const uint8_t *)"going", 5, out, sizeof out, &n));
    CHECK(n == 2 + 2 + 5);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSE_SENT);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, NULL, 0, true, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    uint8_t empty_close[] = {0x88, 0x80, 1, 2, 3, 4};
    CHECK_OK(wsframe_conn_receive(c, empty_close, sizeof empty_close, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == 0 && ev.data == NULL && ev.len == 0);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
    conn_delete(c);
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
        wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
        size_t consumed = 12345;
        wsframe_event ev;
        uint32_t r = wsframe_conn_receive(c, cases[i].bytes, cases[i].len, &consumed, &ev, 1, NULL);
        CHECK_R(r, cases[i].result);
        CHECK(consumed == 0); /* no event came before the violation */
        CHECK(wsframe_result_is_protocol_error(r));
        CHECK(wsframe_result_close_code(r) == cases[i].close_code);
        CHECK(wsframe_conn_state(c) == WSFRAME_STATE_FAILED);
        /* Failing the connection is one call; then nothing else goes out. */
        uint8_t out[16];
        size_t n = 0;
        CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"x", 1, true, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
        CHECK_OK(wsframe_conn_send_close(c, wsframe_result_close_code(r), NULL, 0, out, sizeof out, &n));
        CHECK(n == 4 && out[0] == 0x88 && out[2] == (cases[i].close_code >> 8) &&
              out[3] == (cases[i].close_code & 0xff));
        CHECK(wsframe_conn_state(c) == WSFRAME_STATE_CLOSED);
        conn_delete(c);
    }
    /* A server sent a masked frame to a client. */
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, NULL);
    uint8_t masked[] = {0x81, 0x80, 1, 2, 3, 4};
    size_t consumed;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive(c, masked, sizeof masked, &consumed, &ev, 1, NULL), WSFRAME_RESULT_PEER_MASKED_FRAME);
    conn_delete(c);
}

/* Limits come with the config, fixed at creation. */
static void limits(void) {
    size_t consumed;
    wsframe_event ev;
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    /* Frame payload limit: refused as soon as the header arrives. */
    cfg.max_frame_payload = 4;
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t five[] = {0x82, 0x05};
    CHECK_R(wsframe_conn_receive(c, five, sizeof five, &consumed, &ev, 1, NULL), WSFRAME_RESULT_PEER_FRAME_TOO_LARGE);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_FRAME_TOO_LARGE) == WSFRAME_CLOSE_MESSAGE_TOO_BIG);
    conn_delete(c);
    /* Message size limit over fragments. */
    cfg = config_with_rfc_key(NULL);
    cfg.max_message_size = 4;
    c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t frags[] = {0x02, 0x02, 1, 2, 0x80, 0x03, 3, 4, 5};
    CHECK_OK(wsframe_conn_receive(c, frags, sizeof frags, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_BINARY && !ev.last && ev.len == 2);
    CHECK_R(wsframe_conn_receive(c, frags + consumed, sizeof frags - consumed, &consumed, &ev, 1, NULL),
            WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE);
    conn_delete(c);
    /* Fragment count limit. */
    cfg = config_with_rfc_key(NULL);
    cfg.max_fragments = 2;
    c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t three[] = {0x01, 0x01, 'a', 0x00, 0x01, 'b', 0x80, 0x01, 'c'};
    size_t pos = 0;
    uint32_t r = WSFRAME_RESULT_OK;
    while (pos < sizeof three && r == WSFRAME_RESULT_OK) {
        r = wsframe_conn_receive(c, three + pos, sizeof three - pos, &consumed, &ev, 1, NULL);
        if (r == WSFRAME_RESULT_OK) pos += consumed;
    }
    CHECK_R(r, WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS);
    conn_delete(c);
}

static void receive_misuse(void) {
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    uint8_t buf[4] = {0x81};
    size_t consumed = 99;
    wsframe_event ev;
    CHECK_R(wsframe_conn_receive(NULL, buf, 1, &consumed, &ev, 1, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, NULL, 1, &consumed, &ev, 1, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, buf, 1, NULL, &ev, 1, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_receive(c, buf, 1, &consumed, NULL, 1, NULL), WSFRAME_RESULT_NULL_POINTER);
    /* A length above PTRDIFF_MAX: a read() that returned -1, passed on. */
    long failed_read = -1;
    CHECK_R(wsframe_conn_receive(c, buf, (size_t)failed_read, &consumed, &ev, 1, NULL), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_receive(c, NULL, (size_t)PTRDIFF_MAX + 1, &consumed, &ev, 1, NULL), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Outputs inside the input or the connection. */
    CHECK_R(wsframe_conn_receive(c, buf, sizeof buf, (size_t *)(void *)buf, &ev, 1, NULL), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_receive(c, buf, 1, &consumed, (wsframe_event *)(void *)c, 1, NULL), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(consumed == 99);
    /* (NULL, 0) is empty input: nothing happens. */
    CHECK_OK(wsframe_conn_receive(c, NULL, 0, &consumed, &ev, 1, NULL));
    CHECK(consumed == 0 && ev.type == WSFRAME_EVENT_NONE);
    /* A partial header is consumed and remembered. */
    CHECK_OK(wsframe_conn_receive(c, buf, 1, &consumed, &ev, 1, NULL));
    CHECK(consumed == 1 && ev.type == WSFRAME_EVENT_NONE);
    conn_delete(c);
}

/* Many events per call (RFC 6455 §5.6, §7.1.7): the events of one call point into
 * the input together; NONE follows the last; a violation comes after the events
 * before it; bad event arrays are refused. */
static void receive_many(void) {
    const uint8_t key[4] = {1, 2, 3, 4};
    uint8_t wire[64];
    size_t len = 0;
    const char *words[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        wire[len++] = 0x81;
        wire[len++] = (uint8_t)(0x80 | n);
        memcpy(wire + len, key, 4);
        len += 4;
        for (size_t j = 0; j < n; j++) wire[len + j] = (uint8_t)words[i][j] ^ key[j % 4];
        len += n;
    }
    uint8_t copy[64];
    memcpy(copy, wire, len);
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    wsframe_event evs[8];
    size_t consumed = 0, n = 99;
    CHECK_OK(wsframe_conn_receive(c, copy, len, &consumed, evs, 8, &n));
    CHECK(n == 3 && consumed == len && evs[3].type == WSFRAME_EVENT_NONE);
    for (int i = 0; i < 3; i++) {
        CHECK(evs[i].type == WSFRAME_EVENT_TEXT && evs[i].last);
        CHECK_BYTES(evs[i].data, evs[i].len, words[i], strlen(words[i]));
    }
    conn_delete(c);
    /* At most max_events: the rest waits in the input. */
    memcpy(copy, wire, len);
    c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    CHECK_OK(wsframe_conn_receive(c, copy, len, &consumed, evs, 2, &n));
    CHECK(n == 2 && consumed == 2 * 6 + 3 + 3);
    CHECK_BYTES(evs[1].data, evs[1].len, "two", 3);
    CHECK_OK(wsframe_conn_receive(c, copy + consumed, len - consumed, &consumed, evs, 2, &n));
    CHECK(n == 1 && evs[1].type == WSFRAME_EVENT_NONE);
    CHECK_BYTES(evs[0].data, evs[0].len, "three", 5);
    conn_delete(c);
    /* Two messages, then a frame with RSV2 set: both messages, then the 1002 error. */
    memcpy(copy, wire, len);
    copy[2 * 6 + 3 + 3] |= 0x20;
    c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    CHECK_R(wsframe_conn_receive(c, copy, len, &consumed, evs, 8, &n), WSFRAME_RESULT_PEER_RESERVED_BITS);
    CHECK(n == 2 && consumed == 2 * 6 + 3 + 3);
    CHECK_BYTES(evs[0].data, evs[0].len, "one", 3);
    CHECK_BYTES(evs[1].data, evs[1].len, "two", 3);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_FAILED);
    conn_delete(c);
    /* Misuse: no slots, a misaligned array, an array over the input or the count. */
    c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    memcpy(copy, wire, len);
    CHECK_R(wsframe_conn_receive(c, copy, len, &consumed, evs, 0, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_receive(c, copy, len, &consumed, (wsframe_event *)(void *)((char *)evs + 1), 2, &n),
            WSFRAME_RESULT_UNALIGNED);
    static wsframe_event in_input[4];
    CHECK_R(wsframe_conn_receive(c, (uint8_t *)in_input, sizeof in_input, &consumed, in_input + 1, 1, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_receive(c, copy, len, &consumed, evs, 8, (size_t *)(void *)&evs[7]),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_receive(c, copy, len, &consumed, evs, SIZE_MAX / 8, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    conn_delete(c);
}

/* A client and a server talking through the C API, a 1 MiB message passing
 * through a 512-byte receive buffer. */
static void client_server_loop(void) {
    wsframe_conn *client = conn_new(WSFRAME_ROLE_CLIENT, NULL);
    wsframe_conn *server = conn_new(WSFRAME_ROLE_SERVER, NULL);
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
    CHECK_OK(wsframe_conn_send(client, WSFRAME_EVENT_BINARY, payload, big, true, wire, wsframe_max_frame_len(big), &n));
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
            uint32_t r = wsframe_conn_receive(server, small + pos, len - pos, &consumed, &ev, 1, NULL);
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
    CHECK_OK(wsframe_conn_send(server, WSFRAME_EVENT_TEXT, (const uint8_t *)"echo", 4, true, wire, 64, &n));
    size_t consumed;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(client, wire, n, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_TEXT);
    CHECK_BYTES(ev.data, ev.len, "echo", 4);
    CHECK_OK(wsframe_conn_send(client, WSFRAME_EVENT_PING, (const uint8_t *)"p1", 2, true, wire, 64, &n));
    CHECK_OK(wsframe_conn_receive(server, wire, n, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_PING);
    uint8_t reply[64];
    CHECK_OK(wsframe_conn_send(server, WSFRAME_EVENT_PONG, ev.data, ev.len, true, reply, sizeof reply, &n));
    CHECK_OK(wsframe_conn_receive(client, reply, n, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_PONG);
    CHECK_BYTES(ev.data, ev.len, "p1", 2);
    free(payload);
    free(wire);
    conn_delete(client);
    conn_delete(server);
}

void run_conn_tests(void) {
    RUN(config_defaults);
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
    RUN(receive_many);
    RUN(client_server_loop);
}
