/* Sending: every send function, the RFC vectors, buffer sizes, misuse. */
#include "common.h"

static const uint8_t HELLO_MASKED[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};

/* RFC 6455 §5.7, send side: unmasked server frames. */
static void rfc_server_frames(void) {
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    uint8_t out[32];
    size_t n = 0;
    const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, hello, sizeof hello);
    /* A fragmented unmasked text message. */
    const uint8_t frag[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
    size_t a = 0, b = 0;
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hel", 3, false, out,
                                     sizeof out, &a));
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"lo", 2, true, out + a,
                                     sizeof out - a, &b));
    CHECK_BYTES(out, a + b, frag, sizeof frag);
    /* Unmasked Ping and Pong with "Hello". */
    const uint8_t ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_PING, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, ping, sizeof ping);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_PONG, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK(n == 7 && out[0] == 0x8a && out[1] == 0x05);
    /* 256 bytes of binary: the 16-bit length form. */
    static uint8_t big[256 + 14];
    static const uint8_t data[256];
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, data, sizeof data, true, big, sizeof big, &n));
    CHECK(n == 4 + 256 && big[0] == 0x82 && big[1] == 0x7E && big[2] == 0x01 && big[3] == 0x00);
    conn_delete(c);
}

/* RFC 6455 §5.7, masked: a client whose key source yields 37 fa 21 3d
 * produces the RFC's masked "Hello" and masked Pong exactly. */
static void rfc_client_frames_with_configured_key_source(void) {
    int calls = 0;
    wsframe_conn_config cfg = config_with_rfc_key(&calls);
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t out[32];
    size_t n = 0;
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, HELLO_MASKED, sizeof HELLO_MASKED);
    const uint8_t pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_PONG, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, pong, sizeof pong);
    CHECK(calls == 2); /* one key per frame */
    conn_delete(c);
    /* No source in the config: the OS generator; the frame decodes the same, with another key. */
    c = conn_new(WSFRAME_ROLE_CLIENT, NULL);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK(n == 11 && out[0] == 0x81 && out[1] == 0x85 && calls == 2);
    wsframe_conn *server = conn_new(WSFRAME_ROLE_SERVER, NULL);
    size_t consumed;
    wsframe_event ev;
    CHECK_OK(wsframe_conn_receive(server, out, n, &consumed, &ev, 1, NULL));
    CHECK(ev.type == WSFRAME_EVENT_TEXT);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    conn_delete(server);
    conn_delete(c);
}

/* A key source that fails while *user > 0, counting down. */
static bool flaky_random(void *user, uint8_t *buf, size_t len) {
    int *failures = (int *)user;
    if (*failures > 0) {
        (*failures)--;
        return false;
    }
    return rfc_key(NULL, buf, len);
}

/* A failing key source: the send fails, nothing is written, state unchanged;
 * the next draw that succeeds sends normally. */
static void random_failure_writes_nothing(void) {
    int failures = 2;
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.random = flaky_random;
    cfg.random_user = &failures;
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t out[32];
    memset(out, 0xEE, sizeof out);
    size_t n = 777;
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n),
            WSFRAME_RESULT_RANDOM_FAILED);
    CHECK_R(wsframe_conn_send_close(c, 1000, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_RANDOM_FAILED);
    CHECK(n == 777 && out[0] == 0xEE);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, HELLO_MASKED, sizeof HELLO_MASKED);
    conn_delete(c);
    /* Servers never draw: a failing source does not matter. */
    cfg.random = failing_random;
    c = conn_new(WSFRAME_ROLE_SERVER, &cfg);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    conn_delete(c);
}

static void insufficient_size_reports_required(void) {
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t out[32];
    memset(out, 0xEE, sizeof out);
    size_t n = 0;
    /* Query the size with (NULL, 0), then with a buffer one byte short. */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, NULL, 0, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 11);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, 10, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 11 && out[0] == 0xEE);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, (const uint8_t *)"ab", 2, true, out, 1, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 8);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PING, NULL, 0, true, out, 5, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 6);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PONG, NULL, 0, true, out, 0, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 6);
    CHECK_R(wsframe_conn_send_close(c, 1000, (const uint8_t *)"x", 1, out, 8, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 9);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, (const uint8_t *)"ab", 2, true, out, 7, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 8);
    /* Refused for size: no key was drawn, nothing changed. */
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, HELLO_MASKED, sizeof HELLO_MASKED);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    conn_delete(c);
}

static void send_misuse(void) {
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    uint8_t out[300];
    size_t n = 0;
    const uint8_t *hi = (const uint8_t *)"hi";
    CHECK_R(wsframe_conn_send(NULL, WSFRAME_EVENT_TEXT, hi, 2, true, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, NULL, 2, true, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, hi, 2, true, NULL, 8, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, hi, 2, true, out, sizeof out, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(NULL, WSFRAME_EVENT_BINARY, hi, 2, true, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PING, NULL, 1, true, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PONG, hi, 2, true, out, sizeof out, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_close(c, 1000, NULL, 3, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, hi, 2, true, out, sizeof out, NULL),
            WSFRAME_RESULT_NULL_POINTER);
    /* (NULL, 0) is an empty message. */
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, NULL, 0, true, out, sizeof out, &n));
    CHECK(n == 2 && out[0] == 0x81 && out[1] == 0x00);
    /* A whole text message must be UTF-8; a fragment may split a character. */
    const uint8_t bad[] = {'a', 0xff};
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, bad, 2, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_UTF8);
    const uint8_t euro[] = {0xe2, 0x82, 0xac};
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, euro, 1, false, out, sizeof out, &n));
    /* Data of another type while a message is under way is refused, whole or fragment. */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, 2, true, out, sizeof out, &n), WSFRAME_RESULT_MESSAGE_IN_PROGRESS);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, 2, false, out, sizeof out, &n),
            WSFRAME_RESULT_MESSAGE_IN_PROGRESS);
    /* Control frames may go between fragments, never fragmented themselves (RFC 6455 §5.5). */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PING, NULL, 0, false, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PONG, NULL, 0, false, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_PING, NULL, 0, true, out, sizeof out, &n));
    /* The rest of the character ends the message: a final continuation, not checked alone. */
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, euro + 1, 2, true, out, sizeof out, &n));
    CHECK(out[0] == 0x80);
    /* Close is not sent through wsframe_conn_send. */
    /* Bad enum values. */
    CHECK_R(wsframe_conn_send(c, 0, hi, 2, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, 8, hi, 2, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, 0xFFFFFFFFu, hi, 2, true, out, sizeof out, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Overlapping input and output. */
    memcpy(out, "hello", 5);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, out, 5, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, out + 4, 5, true, out, 5, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, out, 5, true, out + 5, sizeof out - 5, &n));
    /* ... and written_out inside the output, or an output inside the connection. */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, 2, true, out, sizeof out, (size_t *)(void *)(out + 8)),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, 2, true, (uint8_t *)c, 16, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Lengths above PTRDIFF_MAX (a read() of -1 passed on). */
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, (size_t)-1, true, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, hi, 2, true, out, (size_t)-1, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Control payload limits (RFC 6455 §5.5). */
    static const uint8_t long_payload[126];
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PING, long_payload, 126, true, out, sizeof out, &n),
            WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_PING, long_payload, 125, true, out, sizeof out, &n));
    CHECK_R(wsframe_conn_send(c, WSFRAME_EVENT_PONG, long_payload, 126, true, out, sizeof out, &n),
            WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE);
    /* Close codes and reasons (RFC 6455 §5.5.1, §7.4). */
    CHECK_R(wsframe_conn_send_close(c, 1005, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_INVALID_CLOSE_CODE);
    CHECK_R(wsframe_conn_send_close(c, 999, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_INVALID_CLOSE_CODE);
    CHECK_R(wsframe_conn_send_close(c, 0, hi, 2, out, sizeof out, &n), WSFRAME_RESULT_REASON_WITHOUT_CODE);
    CHECK_R(wsframe_conn_send_close(c, 1000, long_payload, 124, out, sizeof out, &n),
            WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE);
    CHECK_R(wsframe_conn_send_close(c, 1000, bad, 2, out, sizeof out, &n), WSFRAME_RESULT_INVALID_UTF8);
    CHECK(wsframe_conn_state(c) == WSFRAME_STATE_OPEN);
    CHECK_OK(wsframe_conn_send_close(c, 1000, long_payload, 123, out, sizeof out, &n));
    CHECK(n == 2 + 125);
    CHECK_R(wsframe_conn_send_close(c, 1000, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_CLOSED);
    conn_delete(c);
}

/* Zero-copy send: header out, payload masked in place. */
static void send_in_place(void) {
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    wsframe_conn *c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    uint8_t payload[] = {'H', 'e', 'l', 'l', 'o'};
    uint8_t header[WSFRAME_MAX_HEADER_LEN];
    size_t n = 0;
    CHECK_R(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_TEXT, payload, 5, true, header, 5, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 6 && payload[0] == 'H');
    CHECK_OK(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_TEXT, payload, 5, true, header,
                                              sizeof header, &n));
    CHECK_BYTES(header, n, HELLO_MASKED, 6);
    CHECK_BYTES(payload, sizeof payload, HELLO_MASKED + 6, 5);
    /* Misuse: NULLs, bad kind, payload overlapping the header buffer. */
    uint8_t both[32];
    CHECK_R(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_TEXT, both, 8, true, both + 4, 14, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send_frame_in_place(c, 5, payload, 5, true, header, sizeof header, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_conn_send_frame_in_place(NULL, WSFRAME_EVENT_TEXT, payload, 5, true, header,
                                             sizeof header, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_TEXT, NULL, 5, true, header, sizeof header, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_TEXT, payload, 5, true, header,
                                             sizeof header, NULL),
            WSFRAME_RESULT_NULL_POINTER);
    conn_delete(c);
    /* A server writes the bare header and leaves the payload alone. */
    c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    CHECK_OK(wsframe_conn_send_frame_in_place(c, WSFRAME_EVENT_BINARY, payload, 5, false, header,
                                              sizeof header, &n));
    CHECK(n == 2 && header[0] == 0x02 && header[1] == 0x05);
    CHECK_BYTES(payload, sizeof payload, HELLO_MASKED + 6, 5);
    conn_delete(c);
}

/* wsframe_conn_send_many: the RFC 6455 §5.7 frames written by hand, back to back;
 * short counts, the first message not fitting, an error partway, misuse. */
static void send_many_writes_whole_messages(void) {
    /* Server: "Hello" as text (§5.7), then binary of 0, 256 (16-bit length) and 65536
     * bytes (64-bit length), in one call. */
    wsframe_conn *c = conn_new(WSFRAME_ROLE_SERVER, NULL);
    static uint8_t big[65536], out[70000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 31 + 7);
    wsframe_buf text[1] = {{(const uint8_t *)"Hello", 5}};
    size_t sent = 9, n = 9;
    CHECK_OK(wsframe_conn_send_many(c, WSFRAME_EVENT_TEXT, text, 1, out, sizeof out, &sent, &n));
    const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    CHECK(sent == 1);
    CHECK_BYTES(out, n, hello, sizeof hello);
    wsframe_buf bin[3] = {{NULL, 0}, {big, 256}, {big, sizeof big}};
    CHECK_OK(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, bin, 3, out, sizeof out, &sent, &n));
    CHECK(sent == 3 && n == 2 + (4 + 256) + (10 + 65536));
    const uint8_t empty[] = {0x82, 0x00}, h16[] = {0x82, 0x7e, 0x01, 0x00};
    const uint8_t h64[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0};
    CHECK_BYTES(out, 2, empty, 2);
    CHECK_BYTES(out + 2, 4, h16, 4);
    CHECK(memcmp(out + 6, big, 256) == 0);
    CHECK_BYTES(out + 262, 10, h64, 10);
    CHECK(memcmp(out + 272, big, sizeof big) == 0);
    /* Room for two of three: OK, a short count, the two frames written. */
    wsframe_buf three[3] = {{big, 100}, {big, 100}, {big, 100}};
    CHECK_OK(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, three, 3, out, 250, &sent, &n));
    CHECK(sent == 2 && n == 204 && out[102] == 0x82 && out[103] == 100);
    /* Not even the first fits: nothing sent, the bytes it needs. */
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, three, 3, out, 101, &sent, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(sent == 0 && n == 102);
    /* Text must be UTF-8 message by message: the valid one before is sent. */
    wsframe_buf bad[3] = {{(const uint8_t *)"ok", 2}, {(const uint8_t *)"\xc3\x28", 2}, {(const uint8_t *)"x", 1}};
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_TEXT, bad, 3, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_INVALID_UTF8);
    CHECK(sent == 1 && n == 4 && out[0] == 0x81 && out[1] == 2);
    /* Nothing to send. */
    CHECK_OK(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, NULL, 0, out, sizeof out, &sent, &n));
    CHECK(sent == 0 && n == 0);
    /* Misuse: pointers, type, overlaps, alignment. */
    wsframe_buf null_data[1] = {{NULL, 3}};
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, null_data, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK(sent == 0 && n == 0);
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, NULL, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_many(NULL, WSFRAME_EVENT_BINARY, bin, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, bin, 1, out, sizeof out, NULL, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_PING, bin, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    wsframe_buf inside[1] = {{out + 10, 20}};
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, inside, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(sent == 0);
    wsframe_buf *in_out = (wsframe_buf *)(void *)out;
    in_out[0] = (wsframe_buf){big, 4};
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, in_out, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    wsframe_buf aligned[2];
    uint8_t *raw = (uint8_t *)aligned;
    memcpy(raw + 1, &bin[1], sizeof bin[1]);
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, (const wsframe_buf *)(void *)(raw + 1), 1, out,
                                   sizeof out, &sent, &n),
            WSFRAME_RESULT_UNALIGNED);
    /* Not while a fragmented message is being sent; not after our Close. */
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, big, 1, false, out, sizeof out, &n));
    sent = n = 99;
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, bin, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_MESSAGE_IN_PROGRESS);
    CHECK(sent == 0 && n == 0);
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_BINARY, big, 1, true, out, sizeof out, &n));
    CHECK_OK(wsframe_conn_send_close(c, 1000, NULL, 0, out, sizeof out, &n));
    CHECK_R(wsframe_conn_send_many(c, WSFRAME_EVENT_BINARY, bin, 1, out, sizeof out, &sent, &n),
            WSFRAME_RESULT_CLOSED);
    conn_delete(c);
    /* Client: each message masked with its own key (§5.3), as the RFC's "Hello". */
    int calls = 0;
    wsframe_conn_config cfg = config_with_rfc_key(&calls);
    c = conn_new(WSFRAME_ROLE_CLIENT, &cfg);
    wsframe_buf twice[2] = {{(const uint8_t *)"Hello", 5}, {(const uint8_t *)"Hello", 5}};
    CHECK_OK(wsframe_conn_send_many(c, WSFRAME_EVENT_TEXT, twice, 2, out, sizeof out, &sent, &n));
    CHECK(sent == 2 && n == 22 && calls == 2);
    CHECK_BYTES(out, 11, HELLO_MASKED, sizeof HELLO_MASKED);
    CHECK_BYTES(out + 11, 11, HELLO_MASKED, sizeof HELLO_MASKED);
    conn_delete(c);
}

/* A connection in static storage, configured at creation. */
/* wsframe_mask against the definition of RFC 6455 §5.3, written out here: every length
 * up to 300 and every key phase, then the round trip. */
static void mask_matches_the_definition(void) {
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    static uint8_t data[300], want[300];
    for (size_t len = 0; len <= sizeof data; len++) {
        for (size_t offset = 0; offset < 8; offset++) {
            for (size_t i = 0; i < len; i++) data[i] = want[i] = (uint8_t)(i * 7 + len);
            for (size_t i = 0; i < len; i++) want[i] ^= key[(offset + i) % 4];
            CHECK_OK(wsframe_mask(len ? data : NULL, len, key, offset));
            CHECK(memcmp(data, want, len) == 0);
            CHECK_OK(wsframe_mask(len ? data : NULL, len, key, offset));
            for (size_t i = 0; i < len; i++) CHECK(data[i] == (uint8_t)(i * 7 + len));
        }
    }
    CHECK_R(wsframe_mask(data, 4, NULL, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_mask(NULL, 4, key, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_mask(data, 8, data + 2, 0), WSFRAME_RESULT_INVALID_ARGUMENT); /* key inside data */
    CHECK_R(wsframe_mask(data, (size_t)-1, key, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
}

/* wsframe_utf8_validate (RFC 6455 §8.1): valid multilingual text split at every byte
 * boundary; invalid sequences fail as soon as they show, at any split; an incomplete
 * character fails only at `last`; the state resets after each text and each error. */
static void utf8_validator(void) {
    const char *text = "Hello, \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80!";
    size_t n = strlen(text);
    for (size_t a = 0; a <= n; a++) {
        uint32_t state = 0;
        CHECK_OK(wsframe_utf8_validate(&state, (const uint8_t *)text, a, false));
        CHECK_OK(wsframe_utf8_validate(&state, (const uint8_t *)text + a, n - a, true));
        CHECK(state == 0);
    }
    const char *bad[] = {"\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5", "a\xff" "b", "\xe2\x82\x28"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        size_t len = strlen(bad[b]);
        int failed_at_split = 0;
        for (size_t a = 0; a <= len; a++) {
            uint32_t state = 0;
            wsframe_result r = wsframe_utf8_validate(&state, (const uint8_t *)bad[b], a, false);
            if (r == WSFRAME_RESULT_OK) r = wsframe_utf8_validate(&state, (const uint8_t *)bad[b] + a, len - a, true);
            CHECK_R(r, WSFRAME_RESULT_INVALID_UTF8);
            CHECK(state == 0);
            failed_at_split += r == WSFRAME_RESULT_INVALID_UTF8;
        }
        CHECK(failed_at_split == (int)len + 1);
    }
    /* Fail-fast: the first byte that cannot continue fails without waiting for `last`. */
    uint32_t state = 0;
    CHECK_R(wsframe_utf8_validate(&state, (const uint8_t *)"ok \xc0", 4, false), WSFRAME_RESULT_INVALID_UTF8);
    /* Incomplete at the end: fine until `last`. */
    CHECK_OK(wsframe_utf8_validate(&state, (const uint8_t *)"\xe2\x82", 2, false));
    CHECK(state != 0);
    CHECK_R(wsframe_utf8_validate(&state, NULL, 0, true), WSFRAME_RESULT_INVALID_UTF8);
    CHECK(state == 0);
    /* A state this function never made; pointers. */
    state = 0xffffffffu;
    CHECK_R(wsframe_utf8_validate(&state, NULL, 0, false), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_utf8_validate(NULL, (const uint8_t *)"a", 1, false), WSFRAME_RESULT_NULL_POINTER);
    state = 0;
    CHECK_R(wsframe_utf8_validate(&state, NULL, 1, false), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_utf8_validate(&state, (const uint8_t *)&state, 4, false), WSFRAME_RESULT_INVALID_ARGUMENT);
}

static void storage_connection_sends(void) {
    static conn_storage storage;
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.max_message_size = 1024;
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_CLIENT, &cfg, &c));
    uint8_t out[32];
    size_t n = 0;
    CHECK_OK(wsframe_conn_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, true, out, sizeof out, &n));
    CHECK_BYTES(out, n, HELLO_MASKED, sizeof HELLO_MASKED);
    wsframe_conn_free(c);
}

void run_send_tests(void) {
    RUN(rfc_server_frames);
    RUN(rfc_client_frames_with_configured_key_source);
    RUN(random_failure_writes_nothing);
    RUN(insufficient_size_reports_required);
    RUN(send_misuse);
    RUN(send_in_place);
    RUN(send_many_writes_whole_messages);
    RUN(storage_connection_sends);
    RUN(mask_matches_the_definition);
    RUN(utf8_validator);
}
