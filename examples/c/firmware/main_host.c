/*
 * The firmware demo run on the host as a test: fw_app_run against the
 * simulated network, linked with the no-std build of libwsframe (no heap, no
 * OS randomness: the same semantics as on the device). Prints "ok"/"FAIL"
 * lines and "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include <wsframe.h>

#include "fw_app.h"
#include "sim_peer.h"

static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) passed++;
    else failed++;
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

int main(void) {
    printf("firmware demo on the host: libwsframe %s, connection storage %zu bytes (static buffer %d), "
           "rx buffer %d bytes, tx buffer %d bytes\n",
           wsframe_version(), wsframe_conn_storage_size(), WSFRAME_CONN_STORAGE_SIZE, FW_RX_BUF, FW_TX_BUF);

    /* This library build has no allocator: sessions (the heap objects) are
     * unsupported; the device uses a connection in static storage. */
    wsframe_session *heap = NULL;
    check(wsframe_session_new(WSFRAME_ROLE_CLIENT, NULL, &heap) == WSFRAME_RESULT_UNSUPPORTED,
          "no-std build: wsframe_session_new is UNSUPPORTED (no allocator)");

    fw_socket sock = sim_peer_socket();
    fw_stats st;
    fw_result fr = fw_app_run(&sock, &st);
    const sim_results *peer = sim_peer_results();
    char line[160];

    snprintf(line, sizeof line, "the demo completes (fw_result %d, last wsframe result %u: %s; peer %u)", (int)fr,
             (unsigned)st.last_result, wsframe_result_str(st.last_result), (unsigned)peer->last_result);
    check(fr == FW_OK && peer->last_result == 0, line);
    check(peer->handshake_ok, "opening handshake: request valid (nonce from the key source), 101 accepted");
    snprintf(line, sizeof line, "a %u-byte message arrived in %u chunks through the %d-byte buffer (largest %u)",
             (unsigned)st.message_bytes, (unsigned)st.chunks, FW_RX_BUF, (unsigned)st.largest_chunk);
    check(st.message_bytes == SIM_MESSAGE_LEN && st.chunks >= SIM_MESSAGE_LEN / FW_RX_BUF &&
              st.largest_chunk <= FW_RX_BUF,
          line);
    snprintf(line, sizeof line, "CRC-32 of the streamed message matches (%08x)", (unsigned)st.message_crc32);
    check(st.message_crc32 == peer->message_crc32, line);
    check(st.pings_answered == 1 && peer->pong_ok, "the Ping between fragments was answered with its payload");
    char expected[64];
    size_t expected_len = fw_format_report(expected, SIM_MESSAGE_LEN, peer->message_crc32);
    snprintf(line, sizeof line, "the device's masked text report reached the peer: \"%.*s\"", (int)peer->report_len,
             peer->report);
    check(peer->report_len == expected_len && memcmp(peer->report, expected, expected_len) == 0, line);
    check(peer->close_received && peer->close_code == WSFRAME_CLOSE_NORMAL && peer->close_answered &&
              st.close_code == WSFRAME_CLOSE_NORMAL,
          "closing handshake: 1000 sent, 1000 echoed");
    snprintf(line, sizeof line, "the link delivered %u packets, some as small as %u byte(s)", (unsigned)peer->packets,
             (unsigned)peer->smallest_packet);
    check(peer->packets > 100 && peer->smallest_packet == 1, line);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
