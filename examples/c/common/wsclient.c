#include "wsclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Socket reads land here; a frame larger than this streams through into the session. */
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

/* Writes everything the session has queued: messages, Pongs, Closes. */
static int flush(wsc *c) {
    const uint8_t *data = NULL;
    size_t len = 0;
    wsframe_session_outgoing(c->session, &data, &len);
    if (len == 0) return 0;
    if (c->t.write(c->t.ctx, data, len) != 0) {
        snprintf(c->error, sizeof c->error, "write failed");
        c->status = WSC_FAILED;
        return -1;
    }
    wsframe_session_consume_outgoing(c->session, len);
    return 0;
}

int wsc_open(wsc *c, const wsc_transport *t, const char *url) { return wsc_open_with(c, t, url, NULL); }

int wsc_open_with(wsc *c, const wsc_transport *t, const char *url, const wsc_options *opts) {
    memset(c, 0, sizeof *c);
    c->t = *t;
    c->status = WSC_FAILED;
    c->in_cap = IN_CAP;
    c->in = malloc(c->in_cap);
    if (c->in == NULL || reserve_out(c, 1024) != 0) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return -1;
    }
    const char *protocols = opts != NULL ? opts->protocols : NULL;
    size_t protocols_len = protocols != NULL ? strlen(protocols) : 0;
    bool offer_deflate = opts != NULL && opts->deflate;

    /* RFC 7692 §7.1: the permessage-deflate offer, when asked for. */
    wsframe_result r;
    wsframe_deflate_config deflate;
    char offer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t offer_len = 0;
    if (offer_deflate) {
        r = wsframe_deflate_config_default(&deflate);
        deflate.client_no_context_takeover = opts->deflate_no_context_takeover;
        if (r == WSFRAME_RESULT_OK) r = wsframe_deflate_config_write_offer(&deflate, offer, sizeof offer, &offer_len);
        if (r != WSFRAME_RESULT_OK) return set_error(c, "permessage-deflate offer", r);
    }

    /* RFC 6455 §4.1: the request, with a key from the OS generator (nonce NULL). */
    wsframe_client_handshake hs;
    size_t n = 0;
    r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, protocols, protocols_len,
                                       offer_deflate ? offer : NULL, offer_len, NULL, 0, NULL, 0, c->out, c->out_cap,
                                       &n);
    if (r == WSFRAME_RESULT_INSUFFICIENT_SIZE) {
        if (reserve_out(c, n) != 0) return -1;
        r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, protocols, protocols_len,
                                           offer_deflate ? offer : NULL, offer_len, NULL, 0, NULL, 0, c->out,
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
            snprintf(c->error, sizeof c->error,
                     got == 0 ? "connection closed during the handshake" : "no handshake response (read failed or timed out)");
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
    /* What was agreed on: the subprotocol (one we offered, the check made
     * sure), the extensions as the server wrote them (its first header), and deflate's terms. */
    snprintf(c->protocol, sizeof c->protocol, "%.*s", (int)resp.protocol_len, resp.protocol != NULL ? resp.protocol : "");
    snprintf(c->extensions, sizeof c->extensions, "%.*s", (int)resp.extensions_len,
             resp.extensions != NULL ? resp.extensions : "");
    wsframe_deflate_params params;
    memset(&params, 0, sizeof params);
    if (offer_deflate) {
        r = wsframe_deflate_config_accept_response(&deflate, &hs, c->in, c->in_len, 0, &params);
        if (r == WSFRAME_RESULT_OK) {
            c->deflate = true;
        } else if (r != WSFRAME_RESULT_DECLINED) {
            return set_error(c, "permessage-deflate response", r);
        }
    }
    /* Frames that came with the response stay for the first wsc_read. */
    memmove(c->in, c->in + resp.consumed, c->in_len - resp.consumed);
    c->in_len -= resp.consumed;
    c->unprocessed = c->in_len > 0;

    /* Messages up to WSC_MAX_MESSAGE; masking keys from the OS; pings and
     * closes answered by the session. */
    wsframe_conn_config config;
    r = wsframe_conn_config_default(&config);
    config.max_message_size = WSC_MAX_MESSAGE;
    config.max_frame_payload = WSC_MAX_MESSAGE;
    if (opts != NULL) {
        config.keepalive_interval_ms = opts->keepalive_interval_ms;
        config.keepalive_timeout_ms = opts->keepalive_timeout_ms;
    }
    config.deflate = c->deflate;
    if (c->deflate) config.deflate_params = params;
    if (r == WSFRAME_RESULT_OK) r = wsframe_session_new(WSFRAME_ROLE_CLIENT, &config, &c->session);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "wsframe_session_new", r);
    c->status = WSC_OPEN;
    return 0;
}

wsc_status wsc_read(wsc *c, wsc_on_message on_message, void *user) {
    if (c->status != WSC_OPEN && c->status != WSC_CLOSING) return c->status;
    if (c->unprocessed) {
        /* Frames that came with the handshake response: handle them before reading. */
        c->unprocessed = false;
    } else {
        if (c->in_len == c->in_cap) { /* cannot happen: the session consumes payload as it streams */
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
        wsframe_result r = wsframe_session_receive(c->session, c->in + pos, c->in_len - pos, &used, &ev);
        if (r != WSFRAME_RESULT_OK) {
            if (wsframe_result_is_protocol_error(r)) {
                /* RFC 6455 §7.1.7: the session queued the Close the violation calls for. */
                snprintf(c->error, sizeof c->error, "peer violated the protocol (%s): sent close %u",
                         wsframe_result_str(r), (unsigned)wsframe_result_close_code(r));
                flush(c);
            } else {
                set_error(c, "receive", r);
            }
            c->status = WSC_FAILED;
            return c->status;
        }
        pos += used;
        if (ev.type == WSFRAME_EVENT_NONE) break;
        if (ev.type == WSFRAME_EVENT_TEXT || ev.type == WSFRAME_EVENT_BINARY) {
            /* A whole message; its bytes are valid until the next session call
             * (they may be echoed with wsc_send). */
            uint32_t kind = ev.type == WSFRAME_EVENT_TEXT ? WSFRAME_EVENT_TEXT : WSFRAME_EVENT_BINARY;
            if (on_message != NULL) on_message(user, kind, ev.data, ev.len);
            if (c->status != WSC_OPEN && c->status != WSC_CLOSING) return c->status;
        } else if (ev.type == WSFRAME_EVENT_CLOSE) {
            /* RFC 6455 §5.5.1: the session queued the answer, echoing the code. */
            c->peer_close_code = ev.close_code;
            /* The reason borrows from the session or the input: copy it before the next call. */
            c->peer_close_reason_len = ev.len < sizeof c->peer_close_reason ? ev.len : sizeof c->peer_close_reason - 1;
            if (c->peer_close_reason_len > 0) memcpy(c->peer_close_reason, ev.data, c->peer_close_reason_len);
            c->peer_close_reason[c->peer_close_reason_len] = '\0';
            c->status = flush(c) == 0 ? WSC_CLOSED : WSC_FAILED;
            return c->status;
        }
        if (ev.type == WSFRAME_EVENT_PONG) {
            c->pong_len = ev.len < sizeof c->pong ? ev.len : sizeof c->pong;
            if (c->pong_len > 0) memcpy(c->pong, ev.data, c->pong_len);
            c->pongs++;
        }
        /* PING: the session queued the Pong; any future event: nothing. */
    }
    memmove(c->in, c->in + pos, c->in_len - pos);
    c->in_len -= pos;
    if (flush(c) != 0) return c->status;
    return c->status;
}

int wsc_send(wsc *c, uint32_t kind, const uint8_t *data, size_t len) {
    if (c->status != WSC_OPEN) {
        snprintf(c->error, sizeof c->error, "not open");
        return -1;
    }
    wsframe_result r = wsframe_session_send(c->session, kind, data, len, 0);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "send", r);
    return flush(c);
}

int wsc_send_fragment(wsc *c, uint32_t kind, const uint8_t *data, size_t len, bool fin) {
    if (c->status != WSC_OPEN) {
        snprintf(c->error, sizeof c->error, "not open");
        return -1;
    }
    wsframe_result r = wsframe_session_send_fragment(c->session, kind, data, len, fin);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "send fragment", r);
    return flush(c);
}

int wsc_ping(wsc *c, const uint8_t *data, size_t len) {
    if (c->status != WSC_OPEN) {
        snprintf(c->error, sizeof c->error, "not open");
        return -1;
    }
    wsframe_result r = wsframe_session_send(c->session, WSFRAME_EVENT_PING, data, len, 0);
    if (r != WSFRAME_RESULT_OK) return set_error(c, "ping", r);
    return flush(c);
}

int wsc_close(wsc *c, uint16_t code) { return wsc_close_reason(c, code, NULL, 0); }

int wsc_close_reason(wsc *c, uint16_t code, const char *reason, size_t reason_len) {
    if (c->status != WSC_OPEN) return -1;
    wsframe_result r = wsframe_session_close(c->session, code, (const uint8_t *)reason, reason_len);
    if (r != WSFRAME_RESULT_OK || flush(c) != 0) {
        if (r != WSFRAME_RESULT_OK) set_error(c, "close", r);
        c->status = WSC_FAILED;
        return -1;
    }
    c->status = WSC_CLOSING;
    return 0;
}

void wsc_free(wsc *c) {
    wsframe_session_free(c->session);
    free(c->in);
    free(c->out);
    c->session = NULL;
    c->in = c->out = NULL;
}

bool wsc_readable_without_poll(const wsc *c) {
    return c->unprocessed || (c->t.pending != NULL && c->t.pending(c->t.ctx) > 0);
}

int wsc_poll(wsc *c, uint64_t now_ms, wsframe_keepalive_action *action) {
    *action = WSFRAME_KEEPALIVE_IDLE;
    wsframe_result r = wsframe_session_poll(c->session, now_ms, action);
    if (r != WSFRAME_RESULT_OK) {
        set_error(c, "wsframe_session_poll", r);
        c->status = WSC_FAILED;
        return -1;
    }
    /* SEND_PING: the session queued the Ping. */
    return *action == WSFRAME_KEEPALIVE_SEND_PING ? flush(c) : 0;
}

uint64_t wsc_next_deadline(wsc *c) {
    uint64_t deadline = UINT64_MAX;
    if (wsframe_session_next_deadline(c->session, &deadline) != WSFRAME_RESULT_OK) return UINT64_MAX;
    return deadline;
}
