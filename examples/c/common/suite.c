#define _POSIX_C_SOURCE 200809L
#include "suite.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <wsframe.h>

#include "net.h"
#include "wsclient.h"

#define CASE_TIMEOUT_MS 30000
#define HANDSHAKE_TIMEOUT_MS 10000
/* After our Close is answered, how long the server has to close TCP first (RFC 6455 §7.1.1). */
#define TCP_CLOSE_WAIT_MS 2000
#define PROTOCOLS "matrix.v1, matrix.v2"
#define PROTOCOL "matrix.v1"
#define PIPELINED 1000
#define CLOSE_CODE 4001
#define CLOSE_REASON "matrix-bye \xc3\xbc"        /* "matrix-bye ü" */
#define PING_PAYLOAD "matrix-ping"

static const size_t sizes[] = {0, 125, 126, 65535, 65536, 4194304};
/* "matrix-fragmented wörld 😀" in the contract's three fragments. */
static const char *const fragments[] = {"matrix-", "fragmented w", "\xc3\xb6rld \xf0\x9f\x98\x80"};

/* A message a case waits for. */
typedef struct expected {
    uint32_t kind;
    const uint8_t *data;
    size_t len;
} expected;

typedef struct suite {
    wsc c;
    int fd;
    bool stale;              /* a case timed out: echoes may still be in flight */
    uint64_t deadline;       /* of the case running, in net_now_ms() */
    const expected *want;    /* the messages it waits for, in order */
    size_t want_count, got;  /* how many, and how many came */
    uint64_t pongs_before;   /* c.pongs when the ping case sent its Ping */
    char detail[240];        /* the case's first failure, "" while none */
} suite;

static long tcp_read(void *ctx, uint8_t *buf, size_t len) { return net_read(*(int *)ctx, buf, len); }
static int tcp_write(void *ctx, const uint8_t *buf, size_t len) { return net_write_all(*(int *)ctx, buf, len); }

/* Records the case's first failure. */
static void fail(suite *s, const char *fmt, ...) {
    if (s->detail[0] != '\0') return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
    if (s->detail[0] == '\0') snprintf(s->detail, sizeof s->detail, "failed");
}

/* `s[0..len]` as a JSON string (UTF-8 passes through). */
static void json_string(const char *str, size_t len) {
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)str[i];
        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            printf("\\u%04x", (unsigned)ch);
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

/* One result line: ok is 1 (true), 0 (false) or -1 (null). */
static void report(const char *name, int ok, const char *detail) {
    printf("{\"case\": ");
    json_string(name, strlen(name));
    printf(", \"ok\": %s", ok > 0 ? "true" : ok == 0 ? "false" : "null");
    if (detail != NULL && detail[0] != '\0') {
        printf(", \"detail\": ");
        json_string(detail, strlen(detail));
    }
    printf("}\n");
    fflush(stdout);
}

static const char *kind_name(uint32_t kind) { return kind == WSFRAME_EVENT_TEXT ? "text" : "binary"; }

/* Checks each message against the next one the case expects. */
static void on_message(void *user, uint32_t kind, const uint8_t *data, size_t len) {
    suite *s = user;
    size_t i = s->got++;
    char where[32] = "";
    if (s->want_count > 1) snprintf(where, sizeof where, "message %zu: ", i);
    if (i >= s->want_count) {
        fail(s, "unexpected %s message of %zu bytes", kind_name(kind), len);
        return;
    }
    const expected *w = &s->want[i];
    if (kind != w->kind) {
        fail(s, "%secho is %s, sent %s", where, kind_name(kind), kind_name(w->kind));
    } else if (len != w->len) {
        fail(s, "%secho has %zu bytes, sent %zu", where, len, w->len);
    } else if (len > 0 && memcmp(data, w->data, len) != 0) {
        size_t at = 0;
        while (data[at] == w->data[at]) at++;
        fail(s, "%secho differs at byte %zu", where, at);
    }
}

/* Why the connection cannot carry a case. */
static void fail_gone(suite *s) {
    if (s->c.status == WSC_CLOSED) {
        fail(s, "the server closed the connection: %u \"%s\"", (unsigned)s->c.peer_close_code, s->c.peer_close_reason);
    } else {
        fail(s, "connection failed: %s", s->c.error);
    }
}

/* Starts a case that waits for `count` messages: false when it cannot run. */
static bool begin(suite *s, const expected *want, size_t count) {
    s->detail[0] = '\0';
    s->want = want;
    s->want_count = count;
    s->got = 0;
    s->deadline = net_now_ms() + CASE_TIMEOUT_MS;
    if (s->stale) {
        fail(s, "not run: an earlier case timed out");
        return false;
    }
    if (s->c.status != WSC_OPEN) {
        fail_gone(s);
        return false;
    }
    return true;
}

static bool messages_done(const suite *s) { return s->got >= s->want_count; }
static bool pong_done(const suite *s) { return s->c.pongs > s->pongs_before; }
static bool close_done(const suite *s) { return s->c.status != WSC_CLOSING; }

/* Reads until done(s) or the case's deadline: false when the case failed. */
static bool wait_for(suite *s, bool (*done)(const suite *)) {
    while (!done(s)) {
        if (s->c.status != WSC_OPEN && s->c.status != WSC_CLOSING) {
            fail_gone(s);
            return false;
        }
        if (!wsc_readable_without_poll(&s->c)) {
            uint64_t now = net_now_ms();
            if (now >= s->deadline) {
                s->stale = true;
                fail(s, "timed out after %d s", CASE_TIMEOUT_MS / 1000);
                return false;
            }
            struct pollfd p = {.fd = s->fd, .events = POLLIN, .revents = 0};
            int n = poll(&p, 1, (int)(s->deadline - now));
            if (n < 0 && errno != EINTR) {
                fail(s, "poll failed");
                s->stale = true;
                return false;
            }
            if (n <= 0) continue;
        }
        wsc_read(&s->c, on_message, s);
    }
    return true;
}

static void finish(const suite *s, const char *name, const char *pass_detail) {
    report(name, s->detail[0] == '\0', s->detail[0] == '\0' ? pass_detail : s->detail);
}

/* One message out, its echo back. */
static void echo_case(suite *s, const char *name, uint32_t kind, const uint8_t *data, size_t len) {
    expected w = {kind, data, len};
    if (begin(s, &w, 1)) {
        if (wsc_send(&s->c, kind, data, len) != 0) {
            fail(s, "send: %s", s->c.error);
        } else {
            wait_for(s, messages_done);
        }
    }
    finish(s, name, NULL);
}

enum payload { ASCII, UTF8, BINARY };

/* The contract's payload of `n` bytes (malloc'd, NULL when out of memory). */
static uint8_t *make_payload(enum payload type, size_t n) {
    uint8_t *p = malloc(n > 0 ? n : 1);
    if (p == NULL) return NULL;
    if (type == UTF8) {
        static const uint8_t grin[4] = {0xf0, 0x9f, 0x98, 0x80}; /* U+1F600 */
        for (size_t q = 0; q < n / 4; q++) memcpy(p + 4 * q, grin, 4);
        memset(p + n / 4 * 4, 'a', n % 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            p[i] = type == ASCII ? (uint8_t)(0x20 + (i * 7) % 95) : (uint8_t)((i * 167 + 13) % 251);
        }
    }
    return p;
}

static void data_cases(suite *s) {
    static const char *const names[] = {"text-ascii", "text-utf8", "binary"};
    for (int type = ASCII; type <= BINARY; type++) {
        uint32_t kind = type == BINARY ? WSFRAME_EVENT_BINARY : WSFRAME_EVENT_TEXT;
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            char name[48];
            snprintf(name, sizeof name, "%s-%zu", names[type], sizes[i]);
            uint8_t *payload = make_payload((enum payload)type, sizes[i]);
            if (payload == NULL) {
                report(name, 0, "out of memory");
                continue;
            }
            echo_case(s, name, kind, payload, sizes[i]);
            free(payload);
        }
    }
}

static void fragmented_case(suite *s) {
    char whole[64] = "";
    size_t count = sizeof fragments / sizeof fragments[0];
    for (size_t i = 0; i < count; i++) strcat(whole, fragments[i]);
    expected w = {WSFRAME_EVENT_TEXT, (const uint8_t *)whole, strlen(whole)};
    if (begin(s, &w, 1)) {
        for (size_t i = 0; i < count && s->detail[0] == '\0'; i++) {
            if (wsc_send_fragment(&s->c, WSFRAME_EVENT_TEXT, (const uint8_t *)fragments[i], strlen(fragments[i]),
                                  i + 1 == count) != 0) {
                fail(s, "send fragment %zu: %s", i, s->c.error);
            }
        }
        if (s->detail[0] == '\0') wait_for(s, messages_done);
    }
    finish(s, "fragmented", "the client sent 3 fragments");
}

static void pipelined_case(suite *s) {
    const char *name = "pipelined-1000";
    char *texts = malloc((size_t)PIPELINED * 16);
    expected *want = malloc(sizeof *want * PIPELINED);
    if (texts == NULL || want == NULL) {
        report(name, 0, "out of memory");
    } else {
        for (size_t i = 0; i < PIPELINED; i++) {
            char *t = texts + i * 16;
            int n = snprintf(t, 16, "pipelined-%zu", i);
            want[i] = (expected){WSFRAME_EVENT_TEXT, (const uint8_t *)t, (size_t)n};
        }
        if (begin(s, want, PIPELINED)) {
            for (size_t i = 0; i < PIPELINED && s->detail[0] == '\0'; i++) {
                if (wsc_send(&s->c, want[i].kind, want[i].data, want[i].len) != 0) fail(s, "send %zu: %s", i, s->c.error);
            }
            if (s->detail[0] == '\0') wait_for(s, messages_done);
        }
        finish(s, name, NULL);
    }
    free(texts);
    free(want);
}

static void ping_case(suite *s) {
    const size_t len = strlen(PING_PAYLOAD);
    if (begin(s, NULL, 0)) {
        s->pongs_before = s->c.pongs;
        if (wsc_ping(&s->c, (const uint8_t *)PING_PAYLOAD, len) != 0) {
            fail(s, "ping: %s", s->c.error);
        } else if (wait_for(s, pong_done)) {
            if (s->c.pong_len != len || memcmp(s->c.pong, PING_PAYLOAD, len) != 0) {
                fail(s, "pong payload differs (%zu bytes)", s->c.pong_len);
            }
        }
    }
    finish(s, "ping", "the client sent a Ping");
}

/* After the closing handshake the server closes TCP first: wait for that briefly. */
static void await_tcp_close(int fd) {
    uint64_t until = net_now_ms() + TCP_CLOSE_WAIT_MS;
    uint8_t sink[256];
    for (uint64_t now = net_now_ms(); now < until; now = net_now_ms()) {
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, (int)(until - now)) <= 0) return;
        if (net_read(fd, sink, sizeof sink) <= 0) return;
    }
}

static void close_case(suite *s) {
    const size_t len = strlen(CLOSE_REASON);
    if (begin(s, NULL, 0)) {
        if (wsc_close_reason(&s->c, CLOSE_CODE, CLOSE_REASON, len) != 0) {
            fail(s, "close: %s", s->c.error);
        } else if (wait_for(s, close_done)) {
            if (s->c.status != WSC_CLOSED) {
                fail_gone(s);
            } else if (s->c.peer_close_code != CLOSE_CODE || s->c.peer_close_reason_len != len ||
                       memcmp(s->c.peer_close_reason, CLOSE_REASON, len) != 0) {
                fail(s, "the server's Close is %u \"%s\"", (unsigned)s->c.peer_close_code, s->c.peer_close_reason);
            } else {
                await_tcp_close(s->fd);
            }
        }
    }
    finish(s, "close-4001", NULL);
}

int suite_run(const char *prog, const char *url, bool deflate) {
    wsframe_url parts;
    wsframe_result r = wsframe_url_parse(url, strlen(url), &parts);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, "%s: bad URL %s: %s\n", prog, url, wsframe_result_str(r));
        return 1;
    }
    char err[256];
    int fd = net_connect(parts.host, parts.host_len, parts.port, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    /* Reads wait in poll() against each case's deadline; these bound a
     * silent handshake and a write the server does not take. */
    struct timeval send_timeout = {.tv_sec = CASE_TIMEOUT_MS / 1000, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    net_set_read_timeout(fd, HANDSHAKE_TIMEOUT_MS);

    static suite s; /* static: a wsc is large-ish, and this runs once */
    memset(&s, 0, sizeof s);
    s.fd = fd;
    wsc_transport t = {.ctx = &s.fd, .read = tcp_read, .write = tcp_write, .pending = NULL, .fd = fd};
    wsc_options wo = {.protocols = PROTOCOLS, .deflate = deflate};
    if (wsc_open_with(&s.c, &t, url, &wo) != 0) {
        fprintf(stderr, "%s: %s\n", prog, s.c.error);
        wsc_free(&s.c);
        close(fd);
        return 1;
    }
    net_set_read_timeout(fd, CASE_TIMEOUT_MS);

    printf("{\"open\": true, \"protocol\": ");
    if (s.c.protocol[0] != '\0') {
        json_string(s.c.protocol, strlen(s.c.protocol));
    } else {
        printf("null");
    }
    printf(", \"extensions\": ");
    if (s.c.extensions[0] != '\0') {
        json_string(s.c.extensions, strlen(s.c.extensions));
    } else {
        printf("null");
    }
    printf("}\n");
    fflush(stdout);

    if (strcmp(s.c.protocol, PROTOCOL) == 0) {
        report("subprotocol", 1, NULL);
    } else {
        char detail[300];
        snprintf(detail, sizeof detail, "the server selected %s%s%s", s.c.protocol[0] != '\0' ? "\"" : "",
                 s.c.protocol[0] != '\0' ? s.c.protocol : "none", s.c.protocol[0] != '\0' ? "\"" : "");
        report("subprotocol", 0, detail);
    }
    data_cases(&s);
    fragmented_case(&s);
    pipelined_case(&s);
    ping_case(&s);
    close_case(&s);

    wsc_free(&s.c);
    close(fd);
    return 0;
}
