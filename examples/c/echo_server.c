/*
 * wsframe-echo-server: a WebSocket echo server in C on epoll, one thread,
 * non-blocking sockets, many connections.
 *
 *   wsframe-echo-server --port P [--deflate] [--quiet]
 *
 * Prints "listening on 127.0.0.1:P" on stdout when ready (--port 0 picks a
 * free port). Echoes every text and binary message whole with the same type
 * (up to 16 MiB in any number of fragments); answers pings with the same
 * payload; echoes the peer's close code; on a protocol violation sends the
 * close code the library reports, then closes TCP after a short linger.
 * Selects the first subprotocol a client offers. Handshakes up to 8 KiB,
 * within 10 s; a bad one gets the HTTP error the library names. With
 * --deflate, permessage-deflate (RFC 7692) offers are accepted and every
 * echo goes out compressed. Stops on SIGINT/SIGTERM, exit 0.
 *
 * The library does no I/O: this file owns the sockets, the buffers and the
 * timers. After the handshake each connection is a wsframe_session, which
 * reassembles and inflates messages, answers pings and closes, and queues
 * the Close a violation calls for after the echoes of what came before it
 * (RFC 6455 §7.1.7); this file hands it bytes and writes what it queued.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <wsframe.h>

#include "common/net.h"

/* Largest message echoed (DESIGN.md §5). */
#define MAX_MESSAGE ((size_t)16 << 20)
/* Socket reads land here; larger frames stream through as chunks. */
#define IN_CAP ((size_t)64 << 10)
/* Stop reading a connection while more than this is queued for it. */
#define OUT_HIGH ((size_t)1 << 20)
/* The HTTP output buffer is released above this size once it is empty. */
#define KEEP_CAP ((size_t)256 << 10)
/* A client has this long to complete its handshake (a slowloris holds nothing for long). */
#define HANDSHAKE_TIMEOUT_MS 10000
/* A peer that stops reading our output is dropped after this long without progress. */
#define WRITE_TIMEOUT_MS 30000
/* After our last frame: time to flush it, then time to wait for the peer's FIN. */
#define CLOSING_TIMEOUT_MS 10000
#define LINGER_MS 2000
#define MAX_EVENTS 64

enum phase {
    PH_HANDSHAKE, /* reading the HTTP upgrade request */
    PH_OPEN,      /* echoing */
    PH_CLOSING,   /* our last frame (Close or HTTP error) is queued: flushing, input discarded */
    PH_LINGER,    /* flushed and FIN sent: draining input until the peer's FIN (no RST) */
};

typedef struct client {
    struct client *prev, *next;
    int fd;
    uint64_t id;
    char peer[48];
    enum phase phase;
    uint32_t events;    /* the epoll interest currently registered */
    uint64_t deadline;  /* handshake, closing or linger deadline; 0 if none */
    uint64_t progress;  /* last time output made progress */
    bool peer_eof;      /* the peer's FIN arrived */
    uint8_t *in;        /* IN_CAP bytes: read from the socket, not yet consumed */
    size_t in_len;
    wsframe_session *session; /* from the handshake on; it queues the frames to send */
    uint8_t *out; /* queued HTTP output (the 101 or an error): out[out_head..out_tail] */
    size_t out_head, out_tail, out_cap;
    char why[160]; /* how the connection ended, for the log */
} client;

static struct {
    int epfd;
    int listen_fd;
    bool quiet;
    bool deflate;
    uint64_t next_id;
    client *clients;
    uint64_t accept_resume_at; /* accepting paused after EMFILE until then; 0 if not */
} srv;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* Bytes the session has queued (0 before the handshake). */
static size_t session_pending(const client *c) {
    const uint8_t *data = NULL;
    size_t len = 0;
    if (c->session != NULL) wsframe_session_outgoing(c->session, &data, &len);
    return len;
}

static size_t pending(const client *c) { return c->out_tail - c->out_head + session_pending(c); }

/* Records how the connection ended (the first reason wins). */
static void set_why(client *c, const char *fmt, ...) {
    if (c->why[0] != '\0') return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
}

/* Ends a connection now: frees everything, closes the socket, logs how it ended. */
static void drop(client *c) {
    if (!srv.quiet) fprintf(stderr, "conn %llu (%s): %s\n", (unsigned long long)c->id, c->peer, c->why[0] ? c->why : "done");
    if (c->prev) c->prev->next = c->next;
    else srv.clients = c->next;
    if (c->next) c->next->prev = c->prev;
    close(c->fd); /* also leaves the epoll set */
    wsframe_session_free(c->session);
    free(c->in);
    free(c->out);
    free(c);
#ifdef __GLIBC__
    /* glibc keeps freed heap memory mapped unless it sits at the top of the heap; once
     * the last connection is gone, hand it back so an idle server's RSS returns to its
     * baseline (a long-running server would otherwise keep its high-water mark). */
    if (srv.clients == NULL) malloc_trim(0);
#endif
}

/* Registers the interest the connection's state calls for. */
static void update_interest(client *c) {
    uint32_t want = 0;
    if (c->phase == PH_CLOSING || c->phase == PH_LINGER) {
        if (!c->peer_eof) want |= EPOLLIN; /* discard what still arrives */
    } else if (pending(c) <= OUT_HIGH) {
        want |= EPOLLIN; /* backpressure: no reading while the peer is not reading */
    }
    if (pending(c) > 0) want |= EPOLLOUT;
    if (want == c->events) return;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(srv.epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->events = want;
}

/* Makes room for `need` more bytes at the end of the output queue. */
static uint8_t *out_reserve(client *c, size_t need, size_t *room) {
    if (c->out_cap - c->out_tail < need && c->out_head > 0) {
        memmove(c->out, c->out + c->out_head, pending(c));
        c->out_tail -= c->out_head;
        c->out_head = 0;
    }
    if (c->out_cap - c->out_tail < need) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap - c->out_tail < need) cap *= 2;
        uint8_t *p = realloc(c->out, cap);
        if (p == NULL) return NULL;
        c->out = p;
        c->out_cap = cap;
    }
    *room = c->out_cap - c->out_tail;
    return c->out + c->out_tail;
}

/* Writes `len` bytes at `data`; returns how many went out (a short count:
 * the socket is full), or -1 with c->why set. */
static long write_some(client *c, const uint8_t *data, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(c->fd, data + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            c->progress = net_now_ms();
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            set_why(c, "write failed: %s", strerror(errno));
            return -1;
        }
    }
    return (long)done;
}

/* Writes queued output, the HTTP response first, then what the session
 * queued, until done or the socket is full. -1: the socket failed. */
static int flush(client *c) {
    long n = write_some(c, c->out + c->out_head, c->out_tail - c->out_head);
    if (n < 0) return -1;
    c->out_head += (size_t)n;
    if (c->out_head < c->out_tail) return 0;
    c->out_head = c->out_tail = 0;
    if (c->out_cap > KEEP_CAP) {
        free(c->out);
        c->out = NULL;
        c->out_cap = 0;
    }
    while (c->session != NULL) {
        const uint8_t *data = NULL;
        size_t len = 0;
        wsframe_session_outgoing(c->session, &data, &len);
        if (len == 0) break;
        n = write_some(c, data, len);
        if (n < 0) return -1;
        /* The session gives its buffer back once it is empty and large. */
        wsframe_session_consume_outgoing(c->session, (size_t)n);
        if ((size_t)n < len) break;
    }
    return 0;
}

/* Sends our FIN once the last frame is out; the connection then waits for the peer's. */
static void start_linger(client *c) {
    shutdown(c->fd, SHUT_WR);
    c->phase = PH_LINGER;
    c->deadline = net_now_ms() + LINGER_MS;
}

/* After flushing: what the phase does next. Returns false if `c` was dropped. */
static bool after_output(client *c) {
    if (flush(c) != 0) {
        drop(c);
        return false;
    }
    if (c->phase == PH_CLOSING && pending(c) == 0) {
        if (c->peer_eof) {
            drop(c);
            return false;
        }
        start_linger(c);
    }
    update_interest(c);
    return true;
}

/* Nothing more will be sent but what is queued: no more input is interpreted. */
static void enter_closing(client *c) {
    c->phase = PH_CLOSING;
    c->deadline = net_now_ms() + CLOSING_TIMEOUT_MS;
    c->in_len = 0;
}

/* An HTTP response writer (the 101 or a refusal), as one signature. */
typedef wsframe_result (*encode_fn)(const void *arg, uint8_t *out, size_t out_len, size_t *written);

/* Appends one HTTP response to the output queue, growing it to the size the
 * library asks for. */
static bool queue_http(client *c, size_t guess, encode_fn encode, const void *arg) {
    if (pending(c) == 0) c->progress = net_now_ms(); /* the write-timeout clock starts now */
    size_t need = guess;
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = 0, n = 0;
        uint8_t *dst = out_reserve(c, need, &room);
        if (dst == NULL) {
            set_why(c, "out of memory");
            return false;
        }
        wsframe_result r = encode(arg, dst, room, &n);
        if (r == WSFRAME_RESULT_OK) {
            c->out_tail += n;
            return true;
        }
        if (r != WSFRAME_RESULT_INSUFFICIENT_SIZE) {
            set_why(c, "cannot encode: %s", wsframe_result_str(r));
            return false;
        }
        need = n; /* the size the library asked for */
    }
    set_why(c, "cannot encode: output size");
    return false;
}

typedef struct {
    const wsframe_server_request *req;
    const char *protocol; /* the subprotocol selected, or NULL */
    size_t protocol_len;
    const char *extensions; /* the Sec-WebSocket-Extensions answer, or NULL */
    size_t extensions_len;
} accept_args;

static wsframe_result enc_accept(const void *arg, uint8_t *out, size_t out_len, size_t *written) {
    const accept_args *a = arg;
    return wsframe_server_write_accept(a->req->key, a->req->key_len, a->protocol, a->protocol_len, a->extensions,
                                       a->extensions_len, NULL, 0, out, out_len, written);
}

static wsframe_result enc_reject(const void *arg, uint8_t *out, size_t out_len, size_t *written) {
    return wsframe_server_write_reject(*(const uint16_t *)arg, out, out_len, written);
}

/* Hands everything in c->in to the session, echoing each message as it
 * comes (before the next one is decoded: RFC 6455 §7.1.7). Returns false if
 * the connection must be dropped now. */
static bool process_frames(client *c) {
    size_t pos = 0;
    for (;;) {
        size_t used = 0;
        wsframe_event ev;
        wsframe_result r = wsframe_session_receive(c->session, c->in + pos, c->in_len - pos, &used, &ev);
        if (r != WSFRAME_RESULT_OK) {
            if (!wsframe_result_is_protocol_error(r)) {
                set_why(c, "receive: %s", wsframe_result_str(r));
                return false;
            }
            /* The session queued the Close the violation calls for, after the echoes so far. */
            set_why(c, "failed: %s (close %u)", wsframe_result_str(r), (unsigned)wsframe_result_close_code(r));
            enter_closing(c);
            return true;
        }
        pos += used;
        if (ev.type == WSFRAME_EVENT_NONE) break;
        if (ev.type == WSFRAME_EVENT_TEXT || ev.type == WSFRAME_EVENT_BINARY) {
            /* A whole message: echoed with its type, compressed if deflate was agreed. */
            uint32_t kind = ev.type == WSFRAME_EVENT_TEXT ? WSFRAME_EVENT_TEXT : WSFRAME_EVENT_BINARY;
            if (pending(c) == 0) c->progress = net_now_ms();
            r = wsframe_session_send(c->session, kind, ev.data, ev.len, 0);
            if (r != WSFRAME_RESULT_OK) {
                set_why(c, "cannot echo: %s", wsframe_result_str(r));
                return false;
            }
        } else if (ev.type == WSFRAME_EVENT_CLOSE) {
            /* RFC 6455 §5.5.1: the session queued the answer, echoing the code. */
            if (ev.close_code) set_why(c, "closed by peer with %u", (unsigned)ev.close_code);
            else set_why(c, "closed by peer without a code");
            enter_closing(c);
            return true;
        }
        /* PING: the session queued the Pong; PONG and events unknown here: nothing. */
    }
    /* Keep the unconsumed tail (a partial frame header) for the next read. */
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    return true;
}

/* Parses the upgrade request so far; answers it once complete (RFC 6455 §4.2).
 * Returns false if the connection must be dropped now. */
static bool process_handshake(client *c) {
    wsframe_server_request req;
    wsframe_result r = wsframe_server_request_parse(c->in, c->in_len, WSFRAME_DEFAULT_MAX_HANDSHAKE, &req);
    if (r != WSFRAME_RESULT_OK) {
        uint16_t status = wsframe_result_http_status(r);
        if (status == 0) status = 400;
        set_why(c, "handshake refused: %s (HTTP %u)", wsframe_result_str(r), (unsigned)status);
        if (!queue_http(c, 512, enc_reject, &status)) return false;
        enter_closing(c);
        return true;
    }
    if (!req.complete) return true;

    /* The session's config: the limits of DESIGN.md §5, deflate if agreed. */
    wsframe_conn_config config;
    r = wsframe_conn_config_default(&config);
    config.max_message_size = MAX_MESSAGE;
    config.max_frame_payload = MAX_MESSAGE;
    accept_args a = {.req = &req};
    /* The first subprotocol offered is selected (browsers fail a handshake
     * whose offered protocols get no answer). */
    if (r == WSFRAME_RESULT_OK) r = wsframe_server_request_protocol(&req, 0, &a.protocol, &a.protocol_len);
    /* RFC 7692 §5: accept the first acceptable permessage-deflate offer, if allowed. */
    char ext[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    if (r == WSFRAME_RESULT_OK && srv.deflate) {
        wsframe_deflate_config offer_rules;
        r = wsframe_deflate_config_default(&offer_rules);
        if (r == WSFRAME_RESULT_OK)
            r = wsframe_deflate_config_negotiate(&offer_rules, &req, &config.deflate_params, ext, sizeof ext,
                                                 &a.extensions_len);
        if (r == WSFRAME_RESULT_OK) {
            config.deflate = true;
            a.extensions = ext;
        } else if (r == WSFRAME_RESULT_DECLINED) {
            a.extensions_len = 0;
            r = WSFRAME_RESULT_OK;
        }
    }
    if (r != WSFRAME_RESULT_OK) {
        set_why(c, "handshake: %s", wsframe_result_str(r));
        return false;
    }
    if (!queue_http(c, 256, enc_accept, &a)) return false;
    /* Inflation stops at the max message size (a deflate bomb fails with 1009). */
    r = wsframe_session_new(WSFRAME_ROLE_SERVER, &config, &c->session);
    if (r != WSFRAME_RESULT_OK) {
        set_why(c, "cannot create the session: %s", wsframe_result_str(r));
        return false;
    }
    /* Bytes after the head are already frames. */
    memmove(c->in, c->in + req.consumed, c->in_len - req.consumed);
    c->in_len -= req.consumed;
    c->phase = PH_OPEN;
    c->deadline = 0;
    return c->in_len == 0 || process_frames(c);
}

/* Reads what the socket has and acts on it. */
static void on_readable(client *c) {
    if (c->phase == PH_CLOSING || c->phase == PH_LINGER) {
        uint8_t sink[16384];
        for (int reads = 0; reads < 16; reads++) { /* bounded: a flood must not starve the others */
            ssize_t n = recv(c->fd, sink, sizeof sink, 0);
            if (n > 0) continue;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            /* FIN (or an error): nothing more will come. */
            c->peer_eof = true;
            if (c->phase == PH_LINGER || n < 0) {
                drop(c);
                return;
            }
            break;
        }
        update_interest(c);
        return;
    }

    ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
        if (n == 0)
            set_why(c, c->phase == PH_HANDSHAKE ? "peer closed TCP during the handshake"
                                                : "peer closed TCP without a Close frame");
        else set_why(c, "read failed: %s", strerror(errno));
        drop(c);
        return;
    }
    c->in_len += (size_t)n;
    bool keep = c->phase == PH_HANDSHAKE ? process_handshake(c) : process_frames(c);
    if (!keep) {
        drop(c);
        return;
    }
    if (c->phase == PH_OPEN && c->in_len == IN_CAP) {
        /* Cannot happen: the library consumes payload as it streams. */
        set_why(c, "receive made no progress on a full buffer");
        drop(c);
        return;
    }
    after_output(c);
}

static void accept_clients(void) {
    for (int i = 0; i < MAX_EVENTS; i++) {
        struct sockaddr_in addr;
        socklen_t addr_len = sizeof addr;
        int fd = accept4(srv.listen_fd, (struct sockaddr *)&addr, &addr_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: stop accepting for a moment instead of spinning. */
                perror("wsframe-echo-server: accept");
                struct epoll_event ev = {.events = 0, .data.ptr = NULL};
                epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.listen_fd, &ev);
                srv.accept_resume_at = net_now_ms() + 100;
            }
            return; /* EAGAIN: all accepted */
        }
        client *c = calloc(1, sizeof *c);
        uint8_t *in = malloc(IN_CAP);
        if (c == NULL || in == NULL) {
            free(c);
            free(in);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        c->in = in;
        c->id = ++srv.next_id;
        c->phase = PH_HANDSHAKE;
        c->deadline = net_now_ms() + HANDSHAKE_TIMEOUT_MS;
        c->progress = net_now_ms();
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "%s:%u", ip, (unsigned)ntohs(addr.sin_port));
        c->events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            free(c->in);
            free(c);
            close(fd);
            continue;
        }
        c->next = srv.clients;
        if (srv.clients) srv.clients->prev = c;
        srv.clients = c;
    }
}

/* The time a connection must next be looked at, 0 if none. */
static uint64_t due(const client *c) {
    if (c->deadline != 0) return c->deadline;
    if (pending(c) > 0) return c->progress + WRITE_TIMEOUT_MS;
    return 0;
}

/* Drops the connections whose time ran out; returns the next deadline (0: none). */
static uint64_t expire(uint64_t now) {
    uint64_t next = srv.accept_resume_at;
    for (client *c = srv.clients, *after; c != NULL; c = after) {
        after = c->next;
        uint64_t d = due(c);
        if (d == 0) continue;
        if (now >= d) {
            switch (c->phase) {
            case PH_HANDSHAKE: set_why(c, "handshake timed out"); break;
            case PH_OPEN: set_why(c, "write timed out: the peer stopped reading"); break;
            case PH_CLOSING: set_why(c, "could not flush the last frame in time"); break;
            case PH_LINGER: break; /* the normal end when the peer keeps TCP open */
            }
            drop(c);
            continue;
        }
        if (next == 0 || d < next) next = d;
    }
    return next;
}

static int usage(void) {
    fprintf(stderr, "usage: wsframe-echo-server --port PORT [--deflate] [--quiet]\n");
    return 2;
}

int main(int argc, char **argv) {
    long port = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end != '\0' || port < 0 || port > 65535) return usage();
        } else if (strcmp(argv[i], "--deflate") == 0) {
            srv.deflate = true;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            srv.quiet = true;
        } else {
            return usage();
        }
    }
    if (port < 0) return usage();

    /* SIGINT/SIGTERM are blocked except inside epoll_pwait: no lost wake-up. */
    sigset_t block, during_wait;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &during_wait);
    sigdelset(&during_wait, SIGINT);
    sigdelset(&during_wait, SIGTERM);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(srv.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    socklen_t addr_len = sizeof addr;
    if (srv.listen_fd < 0 || bind(srv.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(srv.listen_fd, 512) != 0 || getsockname(srv.listen_fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        fprintf(stderr, "wsframe-echo-server: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    srv.epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (srv.epfd < 0 || epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.listen_fd, &lev) != 0) {
        perror("wsframe-echo-server: epoll");
        return 1;
    }
    /* Test drivers wait for exactly this line. */
    printf("listening on 127.0.0.1:%u\n", (unsigned)ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    uint64_t next_due = 0;
    while (!stop_requested) {
        int timeout = -1;
        if (next_due != 0) {
            uint64_t now = net_now_ms();
            timeout = next_due > now ? (int)(next_due - now) : 0;
        }
        int n = epoll_pwait(srv.epfd, events, MAX_EVENTS, timeout, &during_wait);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("wsframe-echo-server: epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++) {
            client *c = events[i].data.ptr;
            uint32_t ev = events[i].events;
            if (c == NULL) {
                accept_clients();
                continue;
            }
            if (ev & EPOLLERR) {
                set_why(c, "socket error");
                drop(c);
                continue;
            }
            if (ev & EPOLLOUT) {
                if (!after_output(c)) continue;
            }
            if (ev & (EPOLLIN | EPOLLHUP)) on_readable(c);
        }
        uint64_t now = net_now_ms();
        if (srv.accept_resume_at != 0 && now >= srv.accept_resume_at) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
            epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.listen_fd, &ev);
            srv.accept_resume_at = 0;
        }
        next_due = expire(now);
    }

    if (!srv.quiet) fprintf(stderr, "wsframe-echo-server: shutting down\n");
    while (srv.clients != NULL) {
        set_why(srv.clients, "server shutting down");
        drop(srv.clients);
    }
    close(srv.listen_fd);
    close(srv.epfd);
    return 0;
}
