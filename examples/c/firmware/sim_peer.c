#include "sim_peer.h"

#include <string.h>

#include <wsframe.h>

enum phase { WAIT_REQUEST, STREAM, WAIT_CLOSE, DONE };

/* What goes to the device after the 101, in order. */
enum segment { SEG_HEADER1, SEG_PAYLOAD1, SEG_PING, SEG_HEADER2, SEG_PAYLOAD2, SEG_END };

static struct {
    enum phase phase;
    uint8_t req[1024]; /* the device's request head, then its frames */
    size_t req_len;
    uint8_t out[160]; /* small encoded items waiting for the device (response, headers, control frames) */
    size_t out_len, out_pos;
    enum segment seg;
    uint32_t payload_pos; /* offset in the message */
    uint32_t rng;
    union {
        uint64_t align;
        unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE];
    } conn_storage;
    wsframe_conn *conn;
    sim_results res;
} peer;

uint8_t sim_pattern(uint32_t offset) { return (uint8_t)(offset * 31u + 7u); }

/* Packet sizes from 1 to 1460 bytes, with many tiny ones. */
static size_t next_packet(void) {
    peer.rng = peer.rng * 1103515245u + 12345u;
    uint32_t r = peer.rng >> 8;
    if (r % 7 == 0) return 1 + r % 3;
    return 1 + r % 1460;
}

/* A data frame header (server frames are unmasked, RFC 6455 §5.1). */
static size_t data_header(uint8_t *h, uint8_t first_byte, uint32_t len) {
    h[0] = first_byte;
    if (len < 126) {
        h[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xFFFF) {
        h[1] = 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        return 4;
    }
    h[1] = 127;
    memset(h + 2, 0, 4);
    h[6] = (uint8_t)(len >> 24);
    h[7] = (uint8_t)(len >> 16);
    h[8] = (uint8_t)(len >> 8);
    h[9] = (uint8_t)len;
    return 10;
}

/* Refills peer.out with the next small item of the stream, if any. */
static void next_item(void) {
    peer.out_pos = 0;
    peer.out_len = 0;
    switch (peer.seg) {
    case SEG_HEADER1: /* binary, FIN clear: the first fragment */
        peer.out_len = data_header(peer.out, 0x02, SIM_FRAGMENT1_LEN);
        peer.seg = SEG_PAYLOAD1;
        break;
    case SEG_PING: { /* a control frame between fragments (RFC 6455 §5.4) */
        wsframe_result r = wsframe_conn_send(peer.conn, WSFRAME_EVENT_PING, (const uint8_t *)SIM_PING, sizeof SIM_PING - 1, true, peer.out,
                                                  sizeof peer.out, &peer.out_len);
        if (r != WSFRAME_RESULT_OK) peer.res.last_result = r;
        peer.seg = SEG_HEADER2;
        break;
    }
    case SEG_HEADER2: /* continuation, FIN set */
        peer.out_len = data_header(peer.out, 0x80, SIM_MESSAGE_LEN - SIM_FRAGMENT1_LEN);
        peer.seg = SEG_PAYLOAD2;
        break;
    default:
        break;
    }
}

static size_t sim_recv(void *ctx, uint8_t *buf, size_t len) {
    (void)ctx;
    size_t want = next_packet();
    if (want > len) want = len;
    size_t n = 0;
    while (n < want) {
        if (peer.out_pos < peer.out_len) {
            size_t k = peer.out_len - peer.out_pos;
            if (k > want - n) k = want - n;
            memcpy(buf + n, peer.out + peer.out_pos, k);
            peer.out_pos += k;
            n += k;
            continue;
        }
        if (peer.phase != STREAM) break; /* nothing more to say until the device speaks */
        if (peer.seg == SEG_PAYLOAD1 || peer.seg == SEG_PAYLOAD2) {
            uint32_t end = peer.seg == SEG_PAYLOAD1 ? SIM_FRAGMENT1_LEN : SIM_MESSAGE_LEN;
            while (n < want && peer.payload_pos < end) {
                uint8_t b = sim_pattern(peer.payload_pos++);
                buf[n++] = b;
            }
            if (peer.payload_pos == end) peer.seg = peer.seg == SEG_PAYLOAD1 ? SEG_PING : SEG_END;
            continue;
        }
        if (peer.seg == SEG_END) {
            peer.phase = WAIT_CLOSE;
            break;
        }
        next_item();
    }
    if (n > 0) {
        peer.res.packets++;
        if (peer.res.smallest_packet == 0 || n < peer.res.smallest_packet) peer.res.smallest_packet = (uint32_t)n;
    }
    return n; /* 0: the simulated link has nothing and never will (the demo would hang on a real one) */
}

/* The device's frames, after the handshake: checked by our server-role connection. */
static bool take_frames(void) {
    size_t pos = 0;
    for (;;) {
        size_t used = 0;
        wsframe_event ev;
        wsframe_result r = wsframe_conn_receive(peer.conn, peer.req + pos, peer.req_len - pos, &used, &ev, 1, NULL);
        if (r != WSFRAME_RESULT_OK) {
            peer.res.last_result = r;
            return false;
        }
        pos += used;
        if (ev.type == WSFRAME_EVENT_NONE) break;
        if (ev.type == WSFRAME_EVENT_PONG) {
            peer.res.pong_ok = ev.len == sizeof SIM_PING - 1 && memcmp(ev.data, SIM_PING, ev.len) == 0;
        } else if (ev.type == WSFRAME_EVENT_TEXT) {
            size_t room = sizeof peer.res.report - peer.res.report_len;
            size_t k = ev.len < room ? ev.len : room;
            if (k > 0) memcpy(peer.res.report + peer.res.report_len, ev.data, k);
            peer.res.report_len += k;
        } else if (ev.type == WSFRAME_EVENT_CLOSE) {
            peer.res.close_received = true;
            peer.res.close_code = ev.close_code;
            /* Answer it, echoing the code (RFC 6455 §5.5.1); the device reads it next. */
            r = wsframe_conn_send_close(peer.conn, ev.close_code, NULL, 0, peer.out, sizeof peer.out, &peer.out_len);
            if (r != WSFRAME_RESULT_OK) {
                peer.res.last_result = r;
                return false;
            }
            peer.out_pos = 0;
            peer.res.close_answered = true;
            peer.phase = DONE;
        }
    }
    memmove(peer.req, peer.req + pos, peer.req_len - pos);
    peer.req_len -= pos;
    return true;
}

static bool sim_send(void *ctx, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (peer.phase == DONE) return false; /* nothing may follow the closing handshake */
    if (len > sizeof peer.req - peer.req_len) return false;
    memcpy(peer.req + peer.req_len, buf, len);
    peer.req_len += len;
    if (peer.phase != WAIT_REQUEST) return take_frames();

    wsframe_server_request req;
    wsframe_result r = wsframe_server_request_parse(peer.req, peer.req_len, 0, &req);
    if (r != WSFRAME_RESULT_OK) {
        peer.res.last_result = r;
        return false;
    }
    if (!req.complete) return true;
    r = wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, NULL, 0, peer.out, sizeof peer.out, &peer.out_len);
    if (r == WSFRAME_RESULT_INSUFFICIENT_SIZE) r = WSFRAME_RESULT_INVALID_ARGUMENT; /* peer.out too small: a bug here */
    if (r != WSFRAME_RESULT_OK) {
        peer.res.last_result = r;
        return false;
    }
    peer.res.handshake_ok = true;
    memmove(peer.req, peer.req + req.consumed, peer.req_len - req.consumed);
    peer.req_len -= req.consumed;
    peer.phase = STREAM;
    return peer.req_len == 0 || take_frames();
}

fw_socket sim_peer_socket(void) {
    memset(&peer, 0, sizeof peer);
    peer.rng = 20240611u;
    peer.seg = SEG_HEADER1;
    for (uint32_t i = 0; i < SIM_MESSAGE_LEN; i += 256) {
        uint8_t chunk[256];
        for (uint32_t k = 0; k < 256; k++) chunk[k] = sim_pattern(i + k);
        peer.res.message_crc32 = fw_crc32_update(peer.res.message_crc32, chunk, sizeof chunk);
    }
    wsframe_result r =
        wsframe_conn_init(peer.conn_storage.bytes, sizeof peer.conn_storage.bytes, WSFRAME_ROLE_SERVER, NULL, &peer.conn);
    if (r != WSFRAME_RESULT_OK) peer.res.last_result = r;
    fw_socket s = {.ctx = NULL, .recv = sim_recv, .send = sim_send};
    return s;
}

const sim_results *sim_peer_results(void) { return &peer.res; }
