/* Sessions: whole messages, automatic replies, the order of events and
 * failure (RFC 6455 §7.1.7), the memory bound of a read full of compressed
 * messages, buffers given back, and the misuses the library refuses. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "common.h"

/* A client frame (masked with 11 22 33 44), built here byte by byte
 * (RFC 6455 §5.2) so that it shares no code with the library. */
static size_t client_frame(uint8_t *out, uint8_t first_byte, const uint8_t *payload, size_t len) {
    static const uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    size_t n = 0;
    out[n++] = first_byte;
    if (len < 126) {
        out[n++] = (uint8_t)(0x80 | len);
    } else if (len <= 0xffff) {
        out[n++] = 0x80 | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) out[n++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    memcpy(out + n, key, 4);
    n += 4;
    for (size_t i = 0; i < len; i++) out[n + i] = payload[i] ^ key[i % 4];
    return n + len;
}

/* The frames in `wire`: counts opcodes into `ops` (at most cap), returns how many. */
static size_t opcodes(const uint8_t *wire, size_t len, uint8_t *ops, size_t cap, uint16_t *close_code) {
    size_t pos = 0, count = 0;
    while (pos + 2 <= len && count < cap) {
        uint8_t op = wire[pos] & 0x0f;
        size_t plen = wire[pos + 1] & 0x7f, head = 2;
        if (plen == 126) plen = (size_t)wire[pos + 2] << 8 | wire[pos + 3], head = 4;
        if (op == 0x8 && plen >= 2) *close_code = (uint16_t)(wire[pos + head] << 8 | wire[pos + head + 1]);
        ops[count++] = op;
        pos += head + plen;
    }
    return count;
}

/* RFC 6455 §7.1.7, the defect from the field, in C: a valid masked text
 * message, then a violation, then a Ping, all in one read. The echo of the
 * text goes out, then the Close with the violation's code; the Ping behind
 * the violation is never looked at, so no Pong. */
static void ordering_violation_after_a_message(void) {
    struct {
        const char *name;
        uint8_t first_byte;
        const char *payload;
        uint32_t result;
    } violations[] = {
        {"RSV2", 0x81 | 0x20, "x", WSFRAME_RESULT_PEER_RESERVED_BITS},
        {"reserved opcode", 0x83, "", WSFRAME_RESULT_PEER_RESERVED_OPCODE},
        {"continuation after a final frame", 0x80, "x", WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION},
    };
    for (size_t v = 0; v < sizeof violations / sizeof violations[0]; v++) {
        uint8_t input[64];
        size_t n = client_frame(input, 0x81, (const uint8_t *)"Hello", 5);
        n += client_frame(input + n, violations[v].first_byte, (const uint8_t *)violations[v].payload,
                          strlen(violations[v].payload));
        n += client_frame(input + n, 0x89, (const uint8_t *)"ping", 4);
        wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, NULL);
        /* An echo server's loop: every message is answered before the next call. */
        size_t pos = 0, messages = 0;
        uint32_t r;
        for (;;) {
            size_t consumed = 0;
            wsframe_event ev;
            r = wsframe_session_receive(s, input + pos, n - pos, &consumed, &ev);
            if (r != WSFRAME_RESULT_OK) break;
            pos += consumed;
            if (ev.type == WSFRAME_EVENT_NONE) break;
            if (ev.type == WSFRAME_EVENT_TEXT) {
                messages++;
                CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, ev.data, ev.len, 0));
            }
        }
        CHECK_R(r, violations[v].result);
        CHECK(messages == 1 && wsframe_result_close_code(r) == 1002);
        uint8_t out[64], ops[8];
        uint16_t code = 0;
        size_t len = take_outgoing(s, out, sizeof out);
        size_t count = opcodes(out, len, ops, sizeof ops, &code);
        /* The echo, then the Close 1002, and no Pong. */
        CHECK(count == 2 && ops[0] == 0x1 && ops[1] == 0x8 && code == 1002);
        CHECK(len >= 7 && memcmp(out, "\x81\x05Hello", 7) == 0);
        if (wt_current_failed) fprintf(stderr, "    (case: %s)\n", violations[v].name);
        CHECK(wsframe_session_state(s) == WSFRAME_STATE_CLOSED);
        CHECK_R(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"late", 4, 0), WSFRAME_RESULT_CLOSED);
        wsframe_session_free(s);
    }
}

/* RFC 6455 §5.5.2, §5.5.1: Pings answered with their payload, the peer's
 * Close echoed with its code, automatically; both off on request. */
static void automatic_replies(void) {
    uint8_t input[64], out[64];
    size_t n = client_frame(input, 0x89, (const uint8_t *)"are you there", 13);
    n += client_frame(input + n, 0x88, (const uint8_t *)"\x03\xe8" "bye", 5);
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, NULL);
    size_t consumed = 0, pos = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, input, n, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_PING && ev.len == 13);
    CHECK_OK(wsframe_session_receive(s, input + pos, n - pos, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == 1000);
    CHECK_BYTES(ev.data, ev.len, "bye", 3);
    size_t len = take_outgoing(s, out, sizeof out);
    CHECK_BYTES(out, len, "\x8a\x0d" "are you there" "\x88\x05\x03\xe8" "bye", 2 + 13 + 2 + 5);
    CHECK(wsframe_session_state(s) == WSFRAME_STATE_CLOSED);
    wsframe_session_free(s);
    /* Off: the application answers (or not). */
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    cfg.auto_pong = false;
    cfg.auto_close = false;
    s = session_new(WSFRAME_ROLE_SERVER, &cfg);
    n = client_frame(input, 0x89, (const uint8_t *)"p", 1);
    n += client_frame(input + n, 0x88, (const uint8_t *)"\x03\xe9", 2);
    CHECK_OK(wsframe_session_receive(s, input, n, &consumed, &ev));
    CHECK_OK(wsframe_session_receive(s, input + consumed, n - consumed, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_CLOSE && ev.close_code == 1001);
    CHECK(take_outgoing(s, out, sizeof out) == 0 && wsframe_session_state(s) == WSFRAME_STATE_CLOSE_RECEIVED);
    CHECK_OK(wsframe_session_close(s, ev.close_code, NULL, 0));
    CHECK(take_outgoing(s, out, sizeof out) == 4 && wsframe_session_state(s) == WSFRAME_STATE_CLOSED);
    wsframe_session_free(s);
}

/* A message in 64-byte fragments comes whole; with `streaming` the same
 * bytes come as chunks straight from the input. */
static void whole_messages_and_streaming(void) {
    static uint8_t input[70 * 64], payload[4096];
    for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 13);
    for (int streaming = 0; streaming < 2; streaming++) {
        size_t n = 0;
        for (size_t off = 0; off < sizeof payload; off += 64) {
            uint8_t first = (uint8_t)((off == 0 ? 0x02 : 0x00) | (off + 64 == sizeof payload ? 0x80 : 0));
            n += client_frame(input + n, first, payload + off, 64);
        }
        wsframe_conn_config cfg;
        CHECK_OK(wsframe_conn_config_default(&cfg));
        cfg.streaming = streaming;
        wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, &cfg);
        size_t pos = 0, got = 0, events = 0;
        bool last = false, same = true;
        while (pos < n) {
            size_t consumed = 0;
            wsframe_event ev;
            CHECK_OK(wsframe_session_receive(s, input + pos, n - pos, &consumed, &ev));
            pos += consumed;
            if (ev.type == WSFRAME_EVENT_NONE) break;
            CHECK(ev.type == WSFRAME_EVENT_BINARY);
            same = same && got + ev.len <= sizeof payload && memcmp(ev.data, payload + got, ev.len) == 0;
            got += ev.len;
            events++;
            last = ev.last;
        }
        CHECK(same && last && got == sizeof payload && pos == n);
        CHECK(streaming ? events == sizeof payload / 64 : events == 1);
        wsframe_session_free(s);
    }
}

static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* The peak resident set since the last reset, in bytes (0 if unknown). */
static size_t peak_rss(bool reset) {
    if (reset) {
        FILE *f = fopen("/proc/self/clear_refs", "w");
        if (f == NULL) return 0;
        fputs("5", f); /* resets VmHWM to the current RSS */
        fclose(f);
    }
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return 0;
    char line[128];
    size_t kib = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %zu kB", &kib) == 1) break;
    fclose(f);
    return kib << 10;
}

/* zlib deflates `len` bytes as one permessage-deflate message (RFC 7692
 * §7.2.1: sync flush, the 00 00 ff ff tail removed). */
static size_t zlib_message(z_stream *z, const uint8_t *data, size_t len, uint8_t *out, size_t cap) {
    z->next_in = (Bytef *)(uintptr_t)data;
    z->avail_in = (uInt)len;
    z->next_out = out;
    z->avail_out = (uInt)cap;
    CHECK(deflate(z, Z_SYNC_FLUSH) == Z_OK && z->avail_in == 0);
    size_t n = cap - z->avail_out;
    CHECK(n >= 4 && memcmp(out + n - 4, "\x00\x00\xff\xff", 4) == 0);
    return n - 4;
}

/* RFC 7692 §8, the memory bound: one read carrying 64 compressed messages
 * of zeros, each at max_message_size (1 MiB), is taken one message per call;
 * the growth stays within twice the limit, never 64 messages' worth. */
static void read_of_64_compressed_messages(void) {
    const size_t limit = (size_t)1 << 20;
    uint8_t *zeros = calloc(limit, 1), *packed = malloc(64 * 1024);
    uint8_t *input = malloc(64 * 2048);
    CHECK(zeros != NULL && packed != NULL && input != NULL);
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t n = 0;
    for (int i = 0; i < 64 && zeros && packed && input; i++) {
        size_t len = zlib_message(&z, zeros, limit, packed, 64 * 1024);
        CHECK(len < 2000);
        n += client_frame(input + n, 0xc2, packed, len); /* FIN, RSV1, binary */
    }
    deflateEnd(&z);
    free(zeros);
    free(packed);
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    cfg.deflate = true;
    cfg.max_message_size = limit;
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, &cfg);
    size_t heap0 = heap_in_use(), heap_peak = heap0, rss0 = peak_rss(true);
    size_t pos = 0, messages = 0;
    bool zero = true;
    while (input != NULL && pos < n) {
        size_t consumed = 0;
        wsframe_event ev;
        uint32_t r = wsframe_session_receive(s, input + pos, n - pos, &consumed, &ev);
        CHECK_OK(r);
        if (r != WSFRAME_RESULT_OK || ev.type == WSFRAME_EVENT_NONE) break;
        pos += consumed;
        messages++;
        zero = zero && ev.type == WSFRAME_EVENT_BINARY && ev.len == limit && ev.data[0] == 0 && ev.data[limit - 1] == 0;
        if (heap_in_use() > heap_peak) heap_peak = heap_in_use();
    }
    size_t rss_peak = peak_rss(false);
    CHECK(messages == 64 && zero);
    if (heap0 != 0) { /* glibc malloc: not under a sanitizer or valgrind */
        printf("note: 64 compressed messages of %zu bytes in one %zu-byte read: heap growth %zu bytes held at most "
               "after a call, peak RSS growth %zu bytes (limit 2 x %zu)\n",
               limit, n, heap_peak - heap0, rss_peak > rss0 ? rss_peak - rss0 : 0, limit);
        CHECK(heap_peak - heap0 <= 2 * limit);
        CHECK(rss0 == 0 || rss_peak <= rss0 + 2 * limit);
    }
    /* After the last message its buffer is given back (retain_buffer, 64 KiB). */
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, NULL, 0, &consumed, &ev));
    if (heap0 != 0) CHECK(heap_in_use() <= heap0 + 64 * 1024);
    wsframe_session_free(s);
    free(input);
}

/* After a large message its buffers (reassembly, and the outgoing bytes
 * once written) are given back, so idle sessions do not each keep them. */
static void large_message_buffers_are_given_back(void) {
    const size_t big = (size_t)1 << 20, frag = 100000;
    uint8_t *input = malloc(big + 32 * 14), *payload = malloc(frag);
    CHECK(input != NULL && payload != NULL);
    if (input == NULL || payload == NULL) {
        free(input);
        free(payload);
        return;
    }
    memset(payload, 7, frag);
    size_t n = 0, total = 0;
    while (total < big) {
        size_t len = big - total < frag ? big - total : frag;
        uint8_t first = (uint8_t)((total == 0 ? 0x02 : 0x00) | (total + len == big ? 0x80 : 0));
        n += client_frame(input + n, first, payload, len);
        total += len;
    }
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, NULL);
    size_t before = heap_in_use(), consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, input, n, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_BINARY && ev.len == big && consumed == n);
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_BINARY, ev.data, ev.len, 0));
    size_t held = heap_in_use();
    uint8_t sink[16];
    const uint8_t *out = NULL;
    size_t out_len = 0;
    CHECK_OK(wsframe_session_outgoing(s, &out, &out_len));
    CHECK(out_len == big + 10);
    CHECK_OK(wsframe_session_consume_outgoing(s, out_len));
    CHECK_OK(wsframe_session_receive(s, sink, 0, &consumed, &ev));
    size_t after = heap_in_use();
    if (before != 0) {
        printf("note: a 1 MiB message and its echo held %zu KiB; %zu KiB kept once written\n",
               (held - before) >> 10, after > before ? (after - before) >> 10 : 0);
        CHECK(held - before >= 2 * big && after <= before + 64 * 1024);
    }
    wsframe_session_free(s);
    free(input);
    free(payload);
}

static void session_misuse(void) {
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, NULL);
    uint8_t buf[16] = {0x81};
    size_t consumed = 99;
    wsframe_event ev;
    CHECK_R(wsframe_session_receive(NULL, buf, 1, &consumed, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_receive(s, NULL, 1, &consumed, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_receive(s, buf, 1, NULL, &ev), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_receive(s, buf, 1, &consumed, NULL), WSFRAME_RESULT_NULL_POINTER);
    /* A read() that returned -1, passed on as a length. */
    long got = -1;
    CHECK_R(wsframe_session_receive(s, buf, (size_t)got, &consumed, &ev), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_send(s, WSFRAME_EVENT_BINARY, buf, (size_t)got, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Outputs inside the input. */
    CHECK_R(wsframe_session_receive(s, buf, sizeof buf, (size_t *)(void *)(buf + 8), &ev),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK(consumed == 99);
    /* Input inside the session's own outgoing bytes. */
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_PING, (const uint8_t *)"0123456789", 10, 0));
    const uint8_t *out = NULL;
    size_t len = 0;
    CHECK_OK(wsframe_session_outgoing(s, &out, &len));
    CHECK_R(wsframe_session_receive(s, (uint8_t *)(uintptr_t)out, len, &consumed, &ev),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_send(s, WSFRAME_EVENT_PONG, out, 4, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Control payload rules and close codes are the core's. */
    static const uint8_t long_payload[126];
    CHECK_R(wsframe_session_send(s, WSFRAME_EVENT_PING, long_payload, 126, 0), WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE);
    CHECK_R(wsframe_session_close(s, 1005, NULL, 0), WSFRAME_RESULT_INVALID_CLOSE_CODE);
    CHECK_R(wsframe_session_close(s, 1000, (const uint8_t *)"\xff", 1), WSFRAME_RESULT_INVALID_UTF8);
    CHECK_R(wsframe_session_close(s, 0, (const uint8_t *)"x", 1), WSFRAME_RESULT_REASON_WITHOUT_CODE);
    CHECK_R(wsframe_session_outgoing(s, NULL, &len), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_consume_outgoing(NULL, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK(wsframe_session_state(NULL) == WSFRAME_STATE_INVALID);
    CHECK_OK(wsframe_session_consume_outgoing(s, SIZE_MAX)); /* all of it, at most */
    CHECK_OK(wsframe_session_outgoing(s, &out, &len));
    CHECK(out == NULL && len == 0);
    wsframe_session_free(s);
    wsframe_session_free(NULL);
    /* A frame-level connection is not a session. */
    static conn_storage storage;
    wsframe_conn *c = NULL;
    CHECK_OK(wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, NULL, &c));
    CHECK_R(wsframe_session_send((wsframe_session *)(void *)c, WSFRAME_EVENT_PING, NULL, 0, 0), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK(wsframe_session_state((wsframe_session *)(void *)c) == WSFRAME_STATE_INVALID);
    wsframe_conn_free(c);
}

/* C may store any byte in a bool-sized field (memset, a uint8_t pointer):
 * the library reads those fields as bytes, non-zero meaning true. */
static void bool_fields_are_bytes(void) {
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    memset(&cfg.auto_pong, 0x02, 1);
    memset(&cfg.auto_close, 0xff, 1);
    memset(&cfg.streaming, 0x00, 1);
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, &cfg);
    uint8_t input[16], out[16];
    size_t n = client_frame(input, 0x89, (const uint8_t *)"p", 1), consumed;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, input, n, &consumed, &ev));
    CHECK(take_outgoing(s, out, sizeof out) == 3 && out[0] == 0x8a); /* auto_pong read as true */
    wsframe_session_free(s);
}

void run_session_tests(void) {
    RUN(ordering_violation_after_a_message);
    RUN(automatic_replies);
    RUN(whole_messages_and_streaming);
    RUN(read_of_64_compressed_messages);
    RUN(large_message_buffers_are_given_back);
    RUN(session_misuse);
    RUN(bool_fields_are_bytes);
}
