#define _GNU_SOURCE
#include "lineclient.h"

#include <errno.h>
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
    if (kind == WSFRAME_DATA_KIND_TEXT) {
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
        if (wsc_send(c, WSFRAME_DATA_KIND_TEXT, (const uint8_t *)buf + start, line_len) != 0) {
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

int lineclient_run(wsc *c, const char *prog) {
    size_t cap = 64 << 10, len = 0;
    char *line = malloc(cap);
    if (line == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    bool stdin_open = true;
    uint64_t reply_deadline = 0; /* set at the end of stdin, until our Close goes out */
    uint64_t close_deadline = 0; /* set once our Close went out */
    counts n = {0, 0};

    while (c->status == WSC_OPEN || c->status == WSC_CLOSING) {
        uint64_t now = net_now_ms();
        if (reply_deadline != 0 && c->status == WSC_OPEN && (n.received >= n.sent || now >= reply_deadline)) {
            if (n.received < n.sent) {
                fprintf(stderr, "%s: %llu of %llu replies after %d ms; closing\n", prog,
                        (unsigned long long)n.received, (unsigned long long)n.sent, REPLY_WAIT_MS);
            }
            if (wsc_close(c, WSFRAME_CLOSE_NORMAL) != 0) {
                fprintf(stderr, "%s: %s\n", prog, c->error);
                break;
            }
            reply_deadline = 0;
            close_deadline = now + CLOSE_TIMEOUT_MS;
        }
        if (close_deadline != 0 && now >= close_deadline) {
            fprintf(stderr, "%s: no Close from the server within %d ms\n", prog, CLOSE_TIMEOUT_MS);
            break;
        }
        struct pollfd fds[2] = {{.fd = c->t.fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
        nfds_t nfds = stdin_open ? 2 : 1;
        int timeout = -1;
        uint64_t deadline = reply_deadline ? reply_deadline : close_deadline;
        if (deadline != 0) timeout = (int)(deadline - now);
        if (wsc_readable_without_poll(c)) timeout = 0;
        int ready = poll(fds, nfds, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("poll");
            break;
        }
        if (wsc_readable_without_poll(c) || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (wsc_read(c, print_message, &n) == WSC_FAILED) {
                fprintf(stderr, "%s: %s\n", prog, c->error);
                break;
            }
        }
        if (stdin_open && c->status == WSC_OPEN && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (len == cap) {
                if (cap >= WSC_MAX_MESSAGE) {
                    fprintf(stderr, "%s: line longer than %zu bytes\n", prog, WSC_MAX_MESSAGE);
                    break;
                }
                char *p = realloc(line, cap * 2);
                if (p == NULL) break;
                line = p;
                cap *= 2;
            }
            ssize_t got = read(0, line + len, cap - len);
            if (got < 0 && errno == EINTR) continue;
            if (got > 0) len += (size_t)got;
            bool eof = got <= 0;
            if (send_lines(c, prog, line, &len, eof, &n) != 0) break;
            if (eof) {
                stdin_open = false;
                reply_deadline = net_now_ms() + REPLY_WAIT_MS;
            }
        }
    }
    free(line);
    if (c->status == WSC_CLOSED) {
        fprintf(stderr, "%s: closed (code %u)\n", prog, (unsigned)c->peer_close_code);
        return 0;
    }
    return 1;
}
