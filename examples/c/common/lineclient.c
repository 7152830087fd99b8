#define _GNU_SOURCE
#include "lineclient.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/* Time the server has to answer our Close. */
#define CLOSE_TIMEOUT_MS 10000
/* At the end of stdin, time to wait for as many messages as were sent (the
 * echoes) before closing: a server answers a Close at once, and echoes it
 * had not sent by then would be lost. */
#define REPLY_WAIT_MS 5000

typedef struct counts {
    uint64_t sent, received;
} counts;

static void print_message(void *user, uint32_t kind, const uint8_t *data, size_t len) {
    ((counts *)user)->received++;
    if (kind == WSFRAME_EVENT_TEXT) {
        printf("< %.*s\n", (int)len, (const char *)data);
    } else {
        printf("< [binary, %zu bytes]\n", len);
    }
    fflush(stdout);
}

/* Sends every complete line in buf[0..*len] (all of it at end of input); keeps the rest. */
static int send_lines(wsc *c, const char *prog, char *buf, size_t *len, bool at_eof, counts *n) {
    size_t start = 0;
    for (;;) {
        char *nl = memchr(buf + start, '\n', *len - start);
        size_t end;
        if (nl != NULL) {
            end = (size_t)(nl - buf);
        } else if (at_eof && start < *len) {
            end = *len;
        } else {
            break;
        }
        size_t line_len = end - start;
        if (line_len > 0 && buf[start + line_len - 1] == '\r') line_len--;
        if (wsc_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)buf + start, line_len) != 0) {
            fprintf(stderr, "%s: %s\n", prog, c->error);
            if (c->status != WSC_OPEN) return -1;
            c->error[0] = '\0'; /* e.g. a line that is not UTF-8: skipped */
        } else {
            n->sent++;
        }
        start = nl != NULL ? end + 1 : end;
    }
    memmove(buf, buf + start, *len - start);
    *len -= start;
    return 0;
}

int lineclient_input_init(lineclient_input *in) {
    in->cap = (size_t)64 << 10;
    in->len = 0;
    in->open = true;
    in->buf = malloc(in->cap);
    return in->buf != NULL ? 0 : -1;
}

void lineclient_input_free(lineclient_input *in) {
    free(in->buf);
    in->buf = NULL;
    in->len = in->cap = 0;
}

/* One read from stdin into in->buf: >0 bytes, 0 at the end of stdin (in->open
 * becomes false), -1 on an error (a line too long, no memory, a read error),
 * WSC_AGAIN when interrupted. */
static long read_stdin(lineclient_input *in, const char *prog) {
    if (in->len == in->cap) {
        if (in->cap >= WSC_MAX_MESSAGE) {
            fprintf(stderr, "%s: line longer than %zu bytes\n", prog, WSC_MAX_MESSAGE);
            return -1;
        }
        char *p = realloc(in->buf, in->cap * 2);
        if (p == NULL) {
            fprintf(stderr, "%s: out of memory\n", prog);
            return -1;
        }
        in->buf = p;
        in->cap *= 2;
    }
    ssize_t got = read(0, in->buf + in->len, in->cap - in->len);
    if (got < 0 && errno == EINTR) return WSC_AGAIN;
    if (got <= 0) {
        /* A read error on stdin ends the input like its end. */
        in->open = false;
        return 0;
    }
    in->len += (size_t)got;
    return (long)got;
}

/* Milliseconds from now to deadline for poll(), 0 when passed, capped. */
static int poll_timeout(uint64_t now, uint64_t deadline) {
    if (deadline <= now) return 0;
    uint64_t left = deadline - now;
    return left > (uint64_t)INT_MAX ? INT_MAX : (int)left;
}

static void set_why(lineclient_end *end, const char *why) { snprintf(end->why, sizeof end->why, "%s", why); }

void lineclient_serve(wsc *c, lineclient_input *in, const lineclient_options *o, lineclient_end *end) {
    const char *prog = o->prog;
    uint64_t reply_deadline = 0; /* set at the end of stdin, until our Close goes out */
    uint64_t close_deadline = 0; /* set once our Close went out */
    counts n = {0, 0};
    const char *why = NULL;      /* why the closure is abnormal, when not c->error */
    char why_buf[64];
    wsframe_keepalive_action action;

    memset(end, 0, sizeof *end);
    /* Starts the heartbeat's clock (always IDLE without a heartbeat). */
    wsc_poll(c, net_now_ms(), &action);
    if (!in->open && c->status == WSC_OPEN) reply_deadline = net_now_ms();

    while (c->status == WSC_OPEN || c->status == WSC_CLOSING) {
        uint64_t now = net_now_ms();
        if (reply_deadline != 0 && c->status == WSC_OPEN && (n.received >= n.sent || now >= reply_deadline)) {
            if (n.received < n.sent) {
                fprintf(stderr, "%s: %llu of %llu replies after %d ms; closing\n", prog,
                        (unsigned long long)n.received, (unsigned long long)n.sent, REPLY_WAIT_MS);
            }
            if (wsc_close(c, WSFRAME_CLOSE_NORMAL) != 0) {
                if (c->error[0] == '\0') snprintf(c->error, sizeof c->error, "cannot send the Close");
                c->status = WSC_FAILED;
                break;
            }
            reply_deadline = 0;
            close_deadline = now + CLOSE_TIMEOUT_MS;
        }
        if (close_deadline != 0 && now >= close_deadline) {
            snprintf(why_buf, sizeof why_buf, "no Close from the server within %d ms", CLOSE_TIMEOUT_MS);
            why = why_buf;
            break;
        }
        struct pollfd fds[2] = {{.fd = c->t.fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
        nfds_t nfds = in->open ? 2 : 1;
        uint64_t deadline = reply_deadline ? reply_deadline : close_deadline;
        if (deadline == 0) deadline = UINT64_MAX;
        uint64_t beat = wsc_next_deadline(c);
        if (beat < deadline) deadline = beat;
        int timeout = deadline == UINT64_MAX ? -1 : poll_timeout(now, deadline);
        if (wsc_readable_without_poll(c)) timeout = 0;
        int ready = poll(fds, nfds, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            why = "poll failed";
            break;
        }
        if (wsc_readable_without_poll(c) || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (wsc_read(c, print_message, &n) == WSC_FAILED) break;
        }
        if (c->status != WSC_OPEN && c->status != WSC_CLOSING) break;
        /* The heartbeat: after activity and when its deadline passed. */
        if (wsc_poll(c, net_now_ms(), &action) != 0) break;
        if (action == WSFRAME_KEEPALIVE_SEND_PING) {
            if (o->report) {
                printf("heartbeat: ping\n");
                fflush(stdout);
            }
        } else if (action == WSFRAME_KEEPALIVE_PEER_DEAD) {
            if (o->report) {
                printf("heartbeat: peer dead after %llu ms\n", (unsigned long long)o->heartbeat_ms);
                fflush(stdout);
            }
            why = "no answer to the heartbeat";
            break;
        }
        if (in->open && c->status == WSC_OPEN && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            long got = read_stdin(in, prog);
            if (got == WSC_AGAIN) continue;
            if (got < 0) {
                why = "cannot read stdin";
                in->open = false;
                break;
            }
            if (send_lines(c, prog, in->buf, &in->len, !in->open, &n) != 0) break;
            if (!in->open) reply_deadline = net_now_ms() + REPLY_WAIT_MS;
        }
    }
    end->stdin_done = !in->open;
    if (c->status == WSC_CLOSED) {
        end->code = c->peer_close_code != 0 ? c->peer_close_code : WSFRAME_CLOSE_NO_STATUS_RECEIVED;
        set_why(end, c->peer_close_reason);
    } else {
        end->code = WSFRAME_CLOSE_ABNORMAL_CLOSURE;
        set_why(end, why != NULL ? why : c->error[0] != '\0' ? c->error : "connection failed");
    }
}

int lineclient_wait(lineclient_input *in, const char *prog, uint64_t ms) {
    uint64_t deadline = net_now_ms() + ms;
    for (;;) {
        uint64_t now = net_now_ms();
        if (now >= deadline) return 0;
        struct pollfd fd = {.fd = 0, .events = POLLIN};
        int ready = poll(&fd, 1, poll_timeout(now, deadline));
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("poll");
            return -1;
        }
        if (ready == 0) continue;
        long got = read_stdin(in, prog);
        if (got == WSC_AGAIN) continue;
        if (got < 0) return -1;
        if (got == 0) return 1;
        /* Not connected: complete lines are dropped; a partial one waits for its end. */
        char *last = NULL;
        for (char *p = in->buf; p < in->buf + in->len; p++) {
            if (*p == '\n') last = p;
        }
        if (last != NULL) {
            size_t cut = (size_t)(last - in->buf) + 1;
            fprintf(stderr, "%s: not connected, dropped %zu bytes of input\n", prog, cut);
            memmove(in->buf, in->buf + cut, in->len - cut);
            in->len -= cut;
        }
    }
}

int lineclient_run(wsc *c, const char *prog) {
    lineclient_input in;
    if (lineclient_input_init(&in) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    lineclient_options o = {.prog = prog, .report = false, .heartbeat_ms = 0};
    lineclient_end end;
    lineclient_serve(c, &in, &o, &end);
    lineclient_input_free(&in);
    if (c->status == WSC_CLOSED) {
        fprintf(stderr, "%s: closed (code %u)\n", prog, (unsigned)end.code);
        return 0;
    }
    fprintf(stderr, "%s: %s\n", prog, end.why);
    return 1;
}
