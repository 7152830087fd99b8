/*
 * The firmware application: see fw_app.h. Uses only the wsframe C API and
 * memcpy/memmove; builds for the host and for a Cortex-M4 alike.
 */
#include "fw_app.h"

#include <string.h>

#include <wsframe.h>

/*
 * DEMO ONLY: a stand-in for the hardware TRNG (an STM32's RNG->DR, an nRF's
 * RNG peripheral, ...). It is a deterministic xorshift so that the demo is
 * reproducible. Never ship it: client masking keys and the handshake nonce
 * must be unpredictable (RFC 6455 §5.3, §10.3). The library has no fallback
 * on firmware: a client connection without a source is refused (WSFRAME_RESULT_NO_RANDOM).
 */
static bool demo_trng_fill(void *user, uint8_t *buf, size_t len) {
    uint32_t *state = user;
    for (size_t i = 0; i < len; i++) {
        uint32_t x = *state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *state = x;
        buf[i] = (uint8_t)(x >> 24);
    }
    return true;
}

static uint32_t demo_trng_state = 0x2545F491u;

/* The connection lives here: no allocator anywhere. */
static union {
    uint64_t align; /* WSFRAME_CONN_STORAGE_ALIGN is 8 */
    unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE];
} conn_storage;
static uint8_t rx[FW_RX_BUF];
static uint8_t tx[FW_TX_BUF];
static wsframe_client_handshake hs;

uint32_t fw_crc32_update(uint32_t crc, const uint8_t *data, size_t len) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

size_t fw_format_report(char *out, uint64_t bytes, uint32_t crc) {
    static const char hex[] = "0123456789abcdef";
    char digits[20];
    size_t n = 0, d = 0;
    memcpy(out, "got ", 4);
    n = 4;
    do {
        digits[d++] = (char)('0' + bytes % 10);
        bytes /= 10;
    } while (bytes != 0);
    while (d > 0) out[n++] = digits[--d];
    memcpy(out + n, " bytes, crc32 ", 14);
    n += 14;
    for (int shift = 28; shift >= 0; shift -= 4) out[n++] = hex[(crc >> shift) & 0xF];
    return n;
}

static fw_result fail_api(fw_stats *stats, wsframe_result r) {
    stats->last_result = r;
    return FW_ERR_API;
}

/* The opening handshake (RFC 6455 §4.1); leaves frames that came along in rx[0..*have]. */
static fw_result handshake(const fw_socket *sock, fw_stats *stats, size_t *have) {
    uint8_t nonce[WSFRAME_NONCE_LEN];
    size_t n = 0;
    if (!demo_trng_fill(&demo_trng_state, nonce, sizeof nonce)) return FW_ERR_HANDSHAKE;
    wsframe_result r = wsframe_client_handshake_write(&hs, FW_URL, sizeof FW_URL - 1, NULL, 0, NULL, 0, NULL, 0,
                                                      NULL, 0, nonce, sizeof nonce, tx, sizeof tx, &n);
    if (r != WSFRAME_RESULT_OK) return fail_api(stats, r);
    if (!sock->send(sock->ctx, tx, n)) return FW_ERR_LINK;

    wsframe_client_response resp;
    *have = 0;
    for (;;) {
        if (*have == sizeof rx) return FW_ERR_HANDSHAKE; /* a head larger than this device takes */
        size_t got = sock->recv(sock->ctx, rx + *have, sizeof rx - *have);
        if (got == 0) return FW_ERR_LINK;
        *have += got;
        r = wsframe_client_handshake_check(&hs, rx, *have, sizeof rx, &resp);
        if (r != WSFRAME_RESULT_OK) {
            stats->last_result = r;
            return FW_ERR_HANDSHAKE;
        }
        if (resp.complete) break;
    }
    if (!resp.accepted) return FW_ERR_HANDSHAKE;
    memmove(rx, rx + resp.consumed, *have - resp.consumed);
    *have -= resp.consumed;
    return FW_OK;
}

fw_result fw_app_run(const fw_socket *sock, fw_stats *stats) {
    memset(stats, 0, sizeof *stats);
    /* The header's bound covers every target; this build's exact need is at most that. */
    if (wsframe_conn_storage_size() > sizeof conn_storage.bytes ||
        wsframe_conn_storage_align() > WSFRAME_CONN_STORAGE_ALIGN)
        return FW_ERR_STORAGE;

    size_t have = 0;
    fw_result fr = handshake(sock, stats, &have);
    if (fr != FW_OK) return fr;

    /* Everything the connection needs, fixed at creation: the TRNG for masking
     * keys (RFC 6455 §5.3: firmware has no OS generator) and the size policy. */
    wsframe_conn_config config;
    wsframe_result r = wsframe_conn_config_default(&config);
    if (r != WSFRAME_RESULT_OK) return fail_api(stats, r);
    config.random = demo_trng_fill;
    config.random_user = &demo_trng_state;
    config.max_message_size = FW_MAX_MESSAGE;
    wsframe_conn *conn = NULL;
    r = wsframe_conn_init(conn_storage.bytes, sizeof conn_storage.bytes, WSFRAME_ROLE_CLIENT, &config, &conn);
    if (r != WSFRAME_RESULT_OK) return fail_api(stats, r);

    uint32_t crc = 0;
    uint64_t bytes = 0;
    bool close_sent = false;
    fr = FW_OK;
    for (;;) {
        size_t pos = 0, used = 0, n = 0;
        wsframe_event ev;
        for (;;) {
            r = wsframe_conn_receive(conn, rx + pos, have - pos, &used, &ev, 1, NULL);
            if (r != WSFRAME_RESULT_OK) {
                /* The server broke the protocol: send the code the library names (§7.1.7). */
                stats->last_result = r;
                if (wsframe_result_is_protocol_error(r) && !close_sent &&
                    wsframe_conn_send_close(conn, wsframe_result_close_code(r), NULL, 0, tx, sizeof tx, &n) ==
                        WSFRAME_RESULT_OK)
                    sock->send(sock->ctx, tx, n);
                fr = FW_ERR_PROTOCOL;
                goto done;
            }
            pos += used;
            if (ev.type == WSFRAME_EVENT_NONE) break;
            switch (ev.type) {
            case WSFRAME_EVENT_TEXT:
            case WSFRAME_EVENT_BINARY:
                /* A chunk of at most FW_RX_BUF bytes: consume it now, it lives in rx. */
                crc = fw_crc32_update(crc, ev.data, ev.len);
                bytes += ev.len;
                stats->chunks++;
                if (ev.len > stats->largest_chunk) stats->largest_chunk = (uint32_t)ev.len;
                if (ev.last) {
                    stats->message_bytes = bytes;
                    stats->message_crc32 = crc;
                    char report[48];
                    size_t len = fw_format_report(report, bytes, crc);
                    r = wsframe_conn_send(conn, WSFRAME_EVENT_TEXT, (const uint8_t *)report, len, true, tx, sizeof tx, &n);
                    if (r != WSFRAME_RESULT_OK || !sock->send(sock->ctx, tx, n)) goto api_or_link;
                    r = wsframe_conn_send_close(conn, WSFRAME_CLOSE_NORMAL, NULL, 0, tx, sizeof tx, &n);
                    if (r != WSFRAME_RESULT_OK || !sock->send(sock->ctx, tx, n)) goto api_or_link;
                    close_sent = true;
                    crc = 0;
                    bytes = 0;
                }
                break;
            case WSFRAME_EVENT_PING: /* RFC 6455 §5.5.2 */
                if (close_sent) break;
                r = wsframe_conn_send(conn, WSFRAME_EVENT_PONG, ev.data, ev.len, true, tx, sizeof tx, &n);
                if (r != WSFRAME_RESULT_OK || !sock->send(sock->ctx, tx, n)) goto api_or_link;
                stats->pings_answered++;
                break;
            case WSFRAME_EVENT_CLOSE:
                stats->close_code = ev.close_code;
                if (!close_sent) { /* RFC 6455 §5.5.1: answer, echoing the code */
                    r = wsframe_conn_send_close(conn, ev.close_code, NULL, 0, tx, sizeof tx, &n);
                    if (r != WSFRAME_RESULT_OK || !sock->send(sock->ctx, tx, n)) goto api_or_link;
                }
                goto done; /* the closing handshake is complete */
            default:
                break;
            }
        }
        memmove(rx, rx + pos, have - pos);
        have -= pos;
        size_t got = sock->recv(sock->ctx, rx + have, sizeof rx - have);
        if (got == 0) {
            fr = FW_ERR_LINK;
            goto done;
        }
        have += got;
    }

api_or_link:
    fr = r != WSFRAME_RESULT_OK ? fail_api(stats, r) : FW_ERR_LINK;
done:
    wsframe_conn_free(conn);
    return fr;
}
