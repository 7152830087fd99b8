/*
 * wsframe-client: a line-oriented WebSocket client over plain TCP.
 *
 *   wsframe-client --url ws://127.0.0.1:9001/path
 *       [--heartbeat SECS [--heartbeat-timeout SECS]] [--reconnect [--reconnect-max SECS]]
 *   wsframe-client --suite --url ws://127.0.0.1:9001/ [--deflate]
 *
 * Sends each stdin line as a text message and prints what comes back as
 * "< text" ("< [binary, N bytes]" for binary messages); answers pings; at
 * the end of stdin closes with 1000, waits for the server's Close and exits
 * 0. For wss:// use wsframe-wss-client.
 *
 * It also prints one line per event on stdout (DESIGN.md §5, as the Node
 * client and the Rust echo_client with --heartbeat/--reconnect): "connected: URL",
 * "closed: CODE \"REASON\"" or "closed: abnormal (WHY)", "heartbeat: ping",
 * "heartbeat: peer dead after D ms", "reconnect: attempt N in D ms".
 * --heartbeat SECS runs the session's heartbeat: a Ping after SECS without
 * input, the peer dead when nothing arrives within the timeout (default
 * SECS) after it, which is an abnormal closure (1006). --reconnect
 * reconnects after an abnormal closure (a broken or silent connection, a
 * failed connect or handshake) and after 1011, 1012 and 1013, waiting the
 * delay of the library's backoff (wsframe_backoff_*: a random 0-5 s first,
 * then truncated binary exponential, RFC 6455 §7.2.3, never above
 * --reconnect-max, default 30 s); a clean 1000 or 1001 ends the program with
 * exit 0, and so does the end of stdin, also during a wait.
 *
 * With --suite it runs the client contract of the interop matrix
 * (tests/interop/matrix/README.md, common/suite.c) instead of reading
 * stdin: one connection offering the subprotocols "matrix.v1, matrix.v2"
 * (and permessage-deflate with --deflate), echo cases, fragments, 1,000
 * pipelined messages, a Ping, a Close 4001; one JSON line per result on
 * stdout; exit 0 when the suite ran, 1 when it could not connect.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wsframe.h>

#include "common/lineclient.h"
#include "common/net.h"
#include "common/suite.h"
#include "common/wsclient.h"

#define PROG "wsframe-client"
/* Time the server has to answer the opening handshake. */
#define HANDSHAKE_TIMEOUT_MS 10000

static long tcp_read(void *ctx, uint8_t *buf, size_t len) { return net_read(*(int *)ctx, buf, len); }
static int tcp_write(void *ctx, const uint8_t *buf, size_t len) { return net_write_all(*(int *)ctx, buf, len); }

static int usage(void) {
    fprintf(stderr, "usage: " PROG " --url ws://HOST:PORT/PATH [--heartbeat SECS [--heartbeat-timeout SECS]]"
                    " [--reconnect [--reconnect-max SECS]]\n"
                    "       " PROG " --suite --url ws://HOST:PORT/PATH [--deflate]\n");
    return 2;
}

typedef struct options {
    const char *url;
    uint64_t heartbeat_ms, heartbeat_timeout_ms; /* 0: no heartbeat */
    bool reconnect;
    uint64_t reconnect_max_ms;
    bool suite, deflate; /* --suite: the interop matrix's client contract */
} options;

/* A positive number of seconds in milliseconds, or 0 when `v` is not one. */
static uint64_t parse_secs(const char *v) {
    char *end = NULL;
    double s = strtod(v, &end);
    if (end == v || *end != '\0' || !(s > 0) || s > 1e9) return 0;
    uint64_t ms = (uint64_t)(s * 1000.0);
    return ms > 0 ? ms : 1;
}

/* One status line on stdout, flushed at once (the tests read it as it comes). */
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* The reason quoted as the Rust client prints it: "..." with \" \\ and control characters escaped. */
static void print_quoted(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                printf("\\u{%x}", (unsigned)*p);
            } else {
                putchar(*p);
            }
        }
    }
    putchar('"');
}

static void print_end(const lineclient_end *end) {
    if (end->code == WSFRAME_CLOSE_ABNORMAL_CLOSURE) {
        say("closed: abnormal (%s)", end->why);
    } else {
        printf("closed: %u ", (unsigned)end->code);
        print_quoted(end->why);
        say("%s", "");
    }
}


/* One connection, from the TCP connect to its end. */
static void connect_and_serve(const options *o, lineclient_input *in, wsframe_backoff *backoff, lineclient_end *end) {
    memset(end, 0, sizeof *end);
    end->code = WSFRAME_CLOSE_ABNORMAL_CLOSURE;
    wsframe_url parts;
    if (wsframe_url_parse(o->url, strlen(o->url), &parts) != WSFRAME_RESULT_OK) { /* checked in main */
        snprintf(end->why, sizeof end->why, "bad URL");
        return;
    }
    int fd = net_connect(parts.host, parts.host_len, parts.port, end->why, sizeof end->why);
    if (fd < 0) return;
    /* A server that accepts and never answers must not hold the client forever. */
    net_set_read_timeout(fd, HANDSHAKE_TIMEOUT_MS);
    wsc_transport t = {.ctx = &fd, .read = tcp_read, .write = tcp_write, .pending = NULL, .fd = fd};
    wsc_options wo = {.keepalive_interval_ms = o->heartbeat_ms, .keepalive_timeout_ms = o->heartbeat_timeout_ms};
    wsc c;
    if (wsc_open_with(&c, &t, o->url, &wo) != 0) {
        snprintf(end->why, sizeof end->why, "%s", c.error);
    } else {
        net_set_read_timeout(fd, 0);
        say("connected: %s", o->url);
        wsframe_backoff_reset(backoff);
        lineclient_options lo = {.prog = PROG, .report = true, .heartbeat_ms = o->heartbeat_ms + o->heartbeat_timeout_ms};
        lineclient_serve(&c, in, &lo, end);
    }
    wsc_free(&c);
    close(fd);
}

/* The line client, with or without --heartbeat / --reconnect: returns the exit status. */
static int run_session(const options *o) {
    wsframe_backoff backoff;
    wsframe_result r = wsframe_backoff_init(&backoff, o->reconnect_max_ms);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, PROG ": wsframe_backoff_init: %s\n", wsframe_result_str(r));
        return 1;
    }
    lineclient_input in;
    if (lineclient_input_init(&in) != 0) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }
    int status;
    for (;;) {
        lineclient_end end;
        connect_and_serve(o, &in, &backoff, &end);
        print_end(&end);
        if (end.stdin_done) {
            /* Our Close at the end of stdin: 0 when the closing handshake completed. */
            status = end.code == WSFRAME_CLOSE_ABNORMAL_CLOSURE ? 1 : 0;
            break;
        }
        if (!o->reconnect || !wsframe_should_reconnect(end.code)) {
            /* A clean 1000/1001 (or a code retrying cannot fix) ends the program normally. */
            status = wsframe_should_reconnect(end.code) ? 1 : 0;
            break;
        }
        uint64_t delay = 0;
        uint32_t attempt = 0;
        r = wsframe_backoff_next_delay(&backoff, &delay);
        if (r == WSFRAME_RESULT_OK) r = wsframe_backoff_attempts(&backoff, &attempt);
        if (r != WSFRAME_RESULT_OK) {
            fprintf(stderr, PROG ": backoff: %s\n", wsframe_result_str(r));
            status = 1;
            break;
        }
        say("reconnect: attempt %lu in %llu ms", (unsigned long)attempt, (unsigned long long)delay);
        int waited = lineclient_wait(&in, PROG, delay);
        if (waited != 0) {
            status = waited > 0 ? 0 : 1; /* the end of stdin during the wait: done */
            break;
        }
    }
    lineclient_input_free(&in);
    return status;
}

int main(int argc, char **argv) {
    options o = {.url = NULL, .heartbeat_ms = 0, .heartbeat_timeout_ms = 0, .reconnect = false,
                 .reconnect_max_ms = 30000, .suite = false, .deflate = false};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
            o.url = argv[++i];
        } else if (strcmp(argv[i], "--heartbeat") == 0 && i + 1 < argc) {
            if ((o.heartbeat_ms = parse_secs(argv[++i])) == 0) return usage();
        } else if (strcmp(argv[i], "--heartbeat-timeout") == 0 && i + 1 < argc) {
            if ((o.heartbeat_timeout_ms = parse_secs(argv[++i])) == 0) return usage();
        } else if (strcmp(argv[i], "--reconnect") == 0) {
            o.reconnect = true;
        } else if (strcmp(argv[i], "--reconnect-max") == 0 && i + 1 < argc) {
            if ((o.reconnect_max_ms = parse_secs(argv[++i])) == 0) return usage();
        } else if (strcmp(argv[i], "--suite") == 0) {
            o.suite = true;
        } else if (strcmp(argv[i], "--deflate") == 0) {
            o.deflate = true;
        } else {
            return usage();
        }
    }
    if (o.url == NULL) return usage();
    /* --deflate belongs to --suite, which takes no line-client options. */
    if (o.suite ? (o.heartbeat_ms != 0 || o.heartbeat_timeout_ms != 0 || o.reconnect) : o.deflate) return usage();
    if (o.heartbeat_ms != 0 && o.heartbeat_timeout_ms == 0) o.heartbeat_timeout_ms = o.heartbeat_ms;
    if (o.heartbeat_ms == 0) o.heartbeat_timeout_ms = 0;
    const char *url = o.url;

    wsframe_url parts;
    wsframe_result r = wsframe_url_parse(url, strlen(url), &parts);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, PROG ": bad URL %s: %s\n", url, wsframe_result_str(r));
        return 2;
    }
    if (parts.secure) {
        fprintf(stderr, PROG ": %s needs TLS: use wsframe-wss-client\n", url);
        return 2;
    }
    if (o.suite) return suite_run(PROG, url, o.deflate);
    /* One loop for every line-client mode, so every mode prints the same event lines. */
    return run_session(&o);
}
