/*
 * A firmware-style WebSocket client: no heap, no OS, no stdio. Everything
 * lives in static memory: the connection (wsframe_conn_init in a buffer sized
 * by WSFRAME_CONN_STORAGE_SIZE), a 512-byte receive buffer through which
 * messages of any size stream as chunks, and a 256-byte transmit buffer.
 *
 * The socket is whatever the board has (lwIP, a modem's AT channel, a UART
 * bridge): the application reaches it through fw_socket.
 */
#ifndef WSFRAME_FIRMWARE_APP_H
#define WSFRAME_FIRMWARE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_RX_BUF 512
#define FW_TX_BUF 256
/* The largest message this device accepts (a policy: it streams, it never stores one). */
#define FW_MAX_MESSAGE ((uint64_t)1 << 20)
#define FW_URL "ws://sensor-hub.local/firmware"

typedef struct fw_socket {
    void *ctx;
    /* Up to len bytes received (blocking); 0 when the peer closed or the link failed. */
    size_t (*recv)(void *ctx, uint8_t *buf, size_t len);
    /* Sends all len bytes; false on failure. */
    bool (*send)(void *ctx, const uint8_t *buf, size_t len);
} fw_socket;

typedef enum fw_result {
    FW_OK = 0,
    FW_ERR_STORAGE,   /* the static storage is smaller than this library build needs */
    FW_ERR_HANDSHAKE, /* the server refused or broke the opening handshake */
    FW_ERR_LINK,      /* the socket closed or failed */
    FW_ERR_PROTOCOL,  /* the server broke RFC 6455: we sent the close code it calls for */
    FW_ERR_API,       /* a wsframe call failed unexpectedly */
} fw_result;

typedef struct fw_stats {
    uint64_t message_bytes;  /* bytes of the (last) data message */
    uint32_t message_crc32;  /* its CRC-32, computed as it streamed */
    uint32_t chunks;         /* data events it arrived in */
    uint32_t largest_chunk;  /* bytes in the largest of them */
    uint32_t pings_answered;
    uint16_t close_code;     /* the server's Close code */
    uint32_t last_result;    /* the wsframe_result behind an error */
} fw_stats;

/* Connects (the WebSocket handshake over an open socket), receives one data
 * message in chunks while answering pings, reports its length and CRC-32 back
 * as a text message, and closes with 1000. */
fw_result fw_app_run(const fw_socket *sock, fw_stats *stats);

/* CRC-32 (IEEE 802.3), bitwise: small flash, no table. */
uint32_t fw_crc32_update(uint32_t crc, const uint8_t *data, size_t len);

/* Writes "got N bytes, crc32 XXXXXXXX" into out (no NUL); returns its length (at most 48). */
size_t fw_format_report(char *out, uint64_t bytes, uint32_t crc);

#endif
