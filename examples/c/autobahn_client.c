/*
 * wsframe-autobahn-client: the Autobahn|Testsuite fuzzingserver client protocol.
 *
 *   wsframe-autobahn-client --url ws://127.0.0.1:9001 --agent NAME
 *
 * Offers permessage-deflate (with client_no_context_takeover) on every
 * connection.
 * GET /getCaseCount (the count arrives as a text message), then for each case
 * N GET /runCase?case=N&agent=NAME, echoing every text and binary message
 * back with its type until the closing handshake (pings answered, violations
 * failed with the close code the library names), then
 * GET /updateReports?agent=NAME. Exits 0 once the reports were updated; the
 * verdicts are the fuzzingserver's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <wsframe.h>

#include "common/net.h"
#include "common/wsclient.h"

static long tcp_read(void *ctx, uint8_t *buf, size_t len) { return net_read(*(int *)ctx, buf, len); }
static int tcp_write(void *ctx, const uint8_t *buf, size_t len) { return net_write_all(*(int *)ctx, buf, len); }

typedef struct session {
    wsc c;
    int fd;
    long count;       /* getCaseCount's answer */
    bool echo;        /* runCase: echo messages */
    bool want_count;  /* getCaseCount: parse the first message */
    size_t messages;  /* messages seen */
} session;

static void on_message(void *user, uint32_t kind, const uint8_t *data, size_t len) {
    session *s = user;
    s->messages++;
    if (s->want_count && kind == WSFRAME_EVENT_TEXT && len > 0 && len < 20) {
        char digits[20];
        memcpy(digits, data, len);
        digits[len] = '\0';
        char *end;
        long n = strtol(digits, &end, 10);
        if (*end == '\0' && n >= 0) s->count = n;
    }
    if (s->echo) wsc_send(&s->c, kind, data, len); /* a failure shows in the session status */
}

/* Runs one connection to `url` until it closes. Returns 0 if the connection
 * opened (whatever the case's outcome), -1 if it could not. */
static int run(const char *url, session *s) {
    wsframe_url parts;
    wsframe_result r = wsframe_url_parse(url, strlen(url), &parts);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, "wsframe-autobahn-client: bad URL %s: %s\n", url, wsframe_result_str(r));
        return -1;
    }
    char err[256];
    s->fd = net_connect(parts.host, parts.host_len, parts.port, err, sizeof err);
    if (s->fd < 0) {
        fprintf(stderr, "wsframe-autobahn-client: %s\n", err);
        return -1;
    }
    wsc_transport t = {.ctx = &s->fd, .read = tcp_read, .write = tcp_write, .pending = NULL, .fd = s->fd};
    int status = 0;
    /* Offers permessage-deflate, as browsers do: the 12.x and 13.x cases
     * run only when the client offers it. client_no_context_takeover too:
     * the suite's servers for 13.2, 13.5 and 13.6 accept only an offer
     * that allows them to ask for it. */
    wsc_options opts = {.deflate = true, .deflate_no_context_takeover = true};
    if (wsc_open_with(&s->c, &t, url, &opts) != 0) {
        fprintf(stderr, "wsframe-autobahn-client: %s: %s\n", url, s->c.error);
        status = -1;
    } else {
        wsc_status st;
        do {
            st = wsc_read(&s->c, on_message, s);
        } while (st == WSC_OPEN || st == WSC_CLOSING);
        if (st == WSC_FAILED) fprintf(stderr, "  %s\n", s->c.error);
        /* The server closes TCP first (RFC 6455 §7.1.1); wait for its FIN briefly. */
        uint8_t sink[4096];
        struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
        setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        while (net_read(s->fd, sink, sizeof sink) > 0) {
        }
    }
    wsc_free(&s->c);
    close(s->fd);
    return status;
}

/* Appends `text` to `buf`, percent-encoding all but RFC 3986's unreserved characters. */
static void append_encoded(char *buf, size_t cap, const char *text) {
    size_t len = strlen(buf);
    for (const unsigned char *p = (const unsigned char *)text; *p && len + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            buf[len++] = (char)*p;
        } else {
            len += (size_t)snprintf(buf + len, cap - len, "%%%02X", *p);
        }
    }
    buf[len] = '\0';
}

static int usage(void) {
    fprintf(stderr, "usage: wsframe-autobahn-client --url ws://127.0.0.1:PORT --agent NAME\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *base = NULL, *agent = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) base = argv[++i];
        else if (strcmp(argv[i], "--agent") == 0 && i + 1 < argc) agent = argv[++i];
        else return usage();
    }
    if (base == NULL || agent == NULL || strlen(base) > 200 || strlen(agent) > 100) return usage();
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/') base_len--;

    char url[1024];
    session s;
    memset(&s, 0, sizeof s);
    s.count = -1;
    s.want_count = true;
    snprintf(url, sizeof url, "%.*s/getCaseCount", (int)base_len, base);
    if (run(url, &s) != 0 || s.count < 0) {
        fprintf(stderr, "wsframe-autobahn-client: no case count from %s\n", url);
        return 1;
    }
    long count = s.count;
    printf("%ld cases\n", count);
    fflush(stdout);

    for (long n = 1; n <= count; n++) {
        memset(&s, 0, sizeof s);
        s.echo = true;
        snprintf(url, sizeof url, "%.*s/runCase?case=%ld&agent=", (int)base_len, base, n);
        append_encoded(url, sizeof url, agent);
        printf("case %ld/%ld\n", n, count);
        fflush(stdout);
        if (run(url, &s) != 0) return 1;
    }

    memset(&s, 0, sizeof s);
    snprintf(url, sizeof url, "%.*s/updateReports?agent=", (int)base_len, base);
    append_encoded(url, sizeof url, agent);
    if (run(url, &s) != 0) return 1;
    printf("reports updated for agent %s\n", agent);
    return 0;
}
