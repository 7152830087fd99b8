#include "wsclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Socket reads land here; a frame larger than this streams through as chunks. */
#define IN_CAP ((size_t)64 << 10)

static int set_error(wsc *c, const char *what, wsframe_result r) {
    snprintf(c->error, sizeof c->error, "%s: %s", what, wsframe_result_str(r));
    return -1;
}

/* Makes c->out hold at least `need` bytes. */
static int reserve_out(wsc *c, size_t need) {
    if (c->out_cap >= need) return 0;
    uint8_t *p = realloc(c->out, need);
    if (p == NULL) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return -1;
    }
    c->out = p;
    c->out_cap = need;
    return 0;
}

static int write_out(wsc *c, size_t n) {
    if (c->t.write(c->t.ctx, c->out, n) != 0) {
        snprintf(c->error, sizeof c->error, "write failed");
        c->status = WSC_FAILED;
        return -1;
    }
    return 0;
}

int wsc_open(wsc *c, const wsc_transport *t, const char *url) {
    memset(c, 0, sizeof *c);
    c->t = *t;
    c->status = WSC_FAILED;
    c->in_cap = IN_CAP;
    c->in = malloc(c->in_cap);
    if (c->in == NULL || reserve_out(c, 1024) != 0) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return -1;
    }

    /* RFC 6455 §4.1: the request, with a key from the OS generator (nonce NULL). */
    wsframe_client_handshake hs;
    size_t n = 0;
    wsframe_result r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                                      c->out, c->out_cap, &n);
    if (r == WSFRAME_RESULT_INSUFFICIENT_SIZE) {
        if (reserve_out(c, n) != 0) return -1;
        r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, NULL, 0, NULL, 0, NULL, 0, c->out,
                                           c->out_cap, &n);
    }
    if (r != WSFRAME_RESULT_OK) return set_error(c, "handshake request", r);
    if (c->t.write(c->t.ctx, c->out, n) != 0) {
        snprintf(c->error, sizeof c->error, "cannot send the handshake request");
        return -1;
    }

    wsframe_client_response resp;
    for (;;) {
        if (c->in_len == WSFRAME_DEFAULT_MAX_HANDSHAKE + 1) break; /* the check below reports it */
        size_t room = WSFRAME_DEFAULT_MAX_HANDSHAKE + 1 - c->in_len;
        long got = c->t.read(c->t.ctx, c->in + c->in_len, room);
        if (got == WSC_AGAIN) continue;
        if (got <= 0) {
            snprintf(c->error, sizeof c->error, "connection closed during the handshake");
            return -1;
        }
        c->in_len += (size_t)got;
        r = wsframe_client_handshake_check(&hs, c->in, c->in_len, 0, &resp);
        if (r != WSFRAME_RESULT_OK) return set_error(c, "handshake response", r);
        if (resp.complete) break;
    }
    if (!resp.accepted) {
        snprintf(c->error, sizeof c->error, "the server refused the upgrade with HTTP %u", (unsigned)resp.status);
        return -1;
    }
    /* Frames that came with the response stay for the first wsc_read. */
    memmove(c->in, c->in + resp.consumed, c->in_len - resp.consumed);
    c->in_len -= resp.consumed;
    c->unprocessed = c->in_len > 0;

    r = wsframe_conn_new(WSFRAME_ROLE_CLIENT, &c->conn);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "wsframe_conn_new", r);
    r = wsframe_conn_set_max_message_size(c->conn, WSC_MAX_MESSAGE);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "set_max_message_size", r);
    c->status = WSC_OPEN;
    return 0;
}

/* Encodes with one of the control-frame senders into c->out and writes it. */
static int send_control(wsc *c, uint32_t type, uint16_t code, const uint8_t *data, size_t len) {
    size_t n = 0;
    wsframe_result r;
    if (reserve_out(c, wsframe_max_frame_len(len)) != 0) return -1;
    switch (type) {
    case WSFRAME_EVENT_PONG:
        r = wsframe_conn_send_pong(c->conn, data, len, c->out, c->out_cap, &n);
        break;
    default:
        r = wsframe_conn_send_close(c->conn, code, data, len, c->out, c->out_cap, &n);
        break;
    }
    if (r != WSFRAME_RESULT_OK) return set_error(c, "encoding a control frame", r);
    return write_out(c, n);
}

/* Fails the connection after the peer's violation (RFC 6455 §7.1.7). */
static void fail(wsc *c, wsframe_result r) {
    if (wsframe_result_is_protocol_error(r)) {
        uint16_t code = wsframe_result_close_code(r);
        if (c->status == WSC_OPEN) send_control(c, WSFRAME_EVENT_CLOSE, code, NULL, 0);
        snprintf(c->error, sizeof c->error, "peer violated the protocol (%s): sent close %u", wsframe_result_str(r),
                 (unsigned)code);
    } else {
        set_error(c, "receive", r);
    }
    c->status = WSC_FAILED;
}

static int append_chunk(wsc *c, const uint8_t *data, size_t len) {
    if (len > WSC_MAX_MESSAGE - c->msg_len) return -1;
    if (c->msg_len + len > c->msg_cap) {
        size_t cap = c->msg_cap ? c->msg_cap : 4096;
        while (cap < c->msg_len + len) cap *= 2;
        if (cap > WSC_MAX_MESSAGE) cap = WSC_MAX_MESSAGE;
        uint8_t *p = realloc(c->msg, cap);
        if (p == NULL) return -1;
        c->msg = p;
        c->msg_cap = cap;
    }
    if (len > 0) memcpy(c->msg + c->msg_len, data, len);
    c->msg_len += len;
    return 0;
}

wsc_status wsc_read(wsc *c, wsc_on_message on_message, void *user) {
    if (c->status != WSC_OPEN && c->status != WSC_CLOSING) return c->status;
    if (c->unprocessed) {
        /* Frames that came with the handshake response: handle them before reading. */
        c->unprocessed = false;
    } else {
        if (c->in_len == c->in_cap) { /* cannot happen: the library consumes payload as it streams */
            snprintf(c->error, sizeof c->error, "receive made no progress on a full buffer");
            c->status = WSC_FAILED;
            return c->status;
        }
        long got = c->t.read(c->t.ctx, c->in + c->in_len, c->in_cap - c->in_len);
        if (got == WSC_AGAIN) return c->status;
        if (got <= 0) {
            snprintf(c->error, sizeof c->error, got == 0 ? "the peer closed TCP without a Close frame" : "read failed");
            c->status = WSC_FAILED;
            return c->status;
        }
        c->in_len += (size_t)got;
    }

    size_t pos = 0;
    for (;;) {
        size_t used = 0;
        wsframe_event ev;
        wsframe_result r = wsframe_conn_receive(c->conn, c->in + pos, c->in_len - pos, &used, &ev);
        if (r != WSFRAME_RESULT_OK) {
            fail(c, r);
            return c->status;
        }
        pos += used;
        if (ev.type == WSFRAME_EVENT_NONE) break;
        switch (ev.type) {
        case WSFRAME_EVENT_TEXT:
        case WSFRAME_EVENT_BINARY:
            if (!c->in_message) {
                c->in_message = true;
                c->msg_len = 0;
                c->msg_kind = ev.type == WSFRAME_EVENT_TEXT ? WSFRAME_DATA_KIND_TEXT : WSFRAME_DATA_KIND_BINARY;
            }
            if (append_chunk(c, ev.data, ev.len) != 0) {
                /* The library's limit (set to the same size) normally fires first. */
                send_control(c, WSFRAME_EVENT_CLOSE, WSFRAME_CLOSE_MESSAGE_TOO_BIG, NULL, 0);
                snprintf(c->error, sizeof c->error, "message too big");
                c->status = WSC_FAILED;
                return c->status;
            }
            if (ev.last) {
                c->in_message = false;
                if (on_message != NULL) on_message(user, c->msg_kind, c->msg, c->msg_len);
                if (c->status != WSC_OPEN && c->status != WSC_CLOSING) return c->status;
                if (c->msg_cap > ((size_t)1 << 20)) { /* do not keep a big buffer around */
                    free(c->msg);
                    c->msg = NULL;
                    c->msg_cap = 0;
                }
                c->msg_len = 0;
            }
            break;
        case WSFRAME_EVENT_PING: /* RFC 6455 §5.5.2: a Pong with the same payload */
            if (wsframe_conn_state(c->conn) == WSFRAME_STATE_OPEN &&
                send_control(c, WSFRAME_EVENT_PONG, 0, ev.data, ev.len) != 0) {
                c->status = WSC_FAILED;
                return c->status;
            }
            break;
        case WSFRAME_EVENT_CLOSE:
            c->peer_close_code = ev.close_code;
            if (c->status == WSC_OPEN) {
                /* RFC 6455 §5.5.1: answer, echoing the code. */
                if (send_control(c, WSFRAME_EVENT_CLOSE, ev.close_code, NULL, 0) != 0) {
                    c->status = WSC_FAILED;
                    return c->status;
                }
            }
            c->status = WSC_CLOSED;
            return c->status;
        default: /* PONG, and any future event */
            break;
        }
    }
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    return c->status;
}

int wsc_send(wsc *c, uint32_t kind, const uint8_t *data, size_t len) {
    if (c->status != WSC_OPEN) {
        snprintf(c->error, sizeof c->error, "not open");
        return -1;
    }
    if (reserve_out(c, wsframe_max_frame_len(len)) != 0) return -1;
    size_t n = 0;
    wsframe_result r = kind == WSFRAME_DATA_KIND_TEXT
                           ? wsframe_conn_send_text(c->conn, data, len, c->out, c->out_cap, &n)
                           : wsframe_conn_send_binary(c->conn, data, len, c->out, c->out_cap, &n);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "send", r);
    return write_out(c, n);
}

int wsc_close(wsc *c, uint16_t code) {
    if (c->status != WSC_OPEN) return -1;
    if (send_control(c, WSFRAME_EVENT_CLOSE, code, NULL, 0) != 0) {
        c->status = WSC_FAILED;
        return -1;
    }
    c->status = WSC_CLOSING;
    return 0;
}

void wsc_free(wsc *c) {
    wsframe_conn_free(c->conn);
    free(c->in);
    free(c->out);
    free(c->msg);
    c->conn = NULL;
    c->in = c->out = c->msg = NULL;
}

bool wsc_readable_without_poll(const wsc *c) {
    return c->unprocessed || (c->t.pending != NULL && c->t.pending(c->t.ctx) > 0);
}
