/*
 * A simulated network for the firmware demo: the other end of fw_socket is an
 * in-memory WebSocket server. It answers the opening handshake, streams a
 * 64 KiB binary message in two fragments with a Ping between them, checks
 * the device's (masked) frames with a server-role connection of its own, and
 * answers the device's Close. Bytes reach the device in packets of varying
 * size, 1 to 1460 bytes, so the library sees every kind of split.
 * No heap: the peer is one static struct.
 */
#ifndef WSFRAME_FIRMWARE_SIM_PEER_H
#define WSFRAME_FIRMWARE_SIM_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_app.h"

#define SIM_MESSAGE_LEN 65536u
#define SIM_FRAGMENT1_LEN 40000u
#define SIM_PING "fw-ping"

typedef struct sim_results {
    bool handshake_ok;       /* a valid request came, and was accepted */
    bool pong_ok;            /* a Pong with the Ping's payload came back */
    char report[64];         /* the device's text message */
    size_t report_len;
    bool close_received;     /* the device's Close */
    uint16_t close_code;
    bool close_answered;     /* our answer went out */
    uint32_t message_crc32;  /* CRC-32 of what we streamed */
    uint32_t packets;        /* recv calls served */
    uint32_t smallest_packet;
    uint32_t last_result;    /* a wsframe_result if something failed */
} sim_results;

/* Resets the peer; returns the socket for fw_app_run. */
fw_socket sim_peer_socket(void);

/* What the peer saw. */
const sim_results *sim_peer_results(void);

/* The byte at `offset` of the streamed message. */
uint8_t sim_pattern(uint32_t offset);

#endif
