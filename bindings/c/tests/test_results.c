/* Version, result codes and their helpers, close codes, sizes. */
#include "harness.h"

static void version_matches_header(void) {
    CHECK(strcmp(wsframe_version(), WSFRAME_VERSION_STRING) == 0);
    char built[32];
    snprintf(built, sizeof built, "%d.%d.%d", WSFRAME_VERSION_MAJOR, WSFRAME_VERSION_MINOR,
             WSFRAME_VERSION_PATCH);
    CHECK(strcmp(built, WSFRAME_VERSION_STRING) == 0);
}

static void result_strings_are_static_and_specific(void) {
    CHECK(strcmp(wsframe_result_str(WSFRAME_RESULT_OK), "ok") == 0);
    CHECK(strcmp(wsframe_result_str(WSFRAME_RESULT_INSUFFICIENT_SIZE), "output buffer too small") == 0);
    CHECK(strcmp(wsframe_result_str(WSFRAME_RESULT_PEER_MASKED_FRAME), "server sent a masked frame") == 0);
    CHECK(strcmp(wsframe_result_str(WSFRAME_RESULT_HANDSHAKE_MISSING_KEY),
                 "missing Sec-WebSocket-Key header") == 0);
    CHECK(strcmp(wsframe_result_str(1), "unknown result code") == 0);
    CHECK(strcmp(wsframe_result_str(7098), "unknown result code") == 0);
    CHECK(strcmp(wsframe_result_str(0xFFFFFFFFu), "unknown result code") == 0);
    /* Every code in the blocks has its own text (or is unknown). */
    for (uint32_t r = 7000; r < 7300; r++) {
        const char *s = wsframe_result_str(r);
        CHECK(s != NULL && s[0] != '\0');
    }
}

static void result_blocks_are_range_checks(void) {
    CHECK(!wsframe_result_is_local_error(WSFRAME_RESULT_OK));
    CHECK(!wsframe_result_is_protocol_error(WSFRAME_RESULT_OK));
    CHECK(!wsframe_result_is_handshake_error(WSFRAME_RESULT_OK));
    CHECK(wsframe_result_is_local_error(WSFRAME_RESULT_NULL_POINTER));
    CHECK(wsframe_result_is_local_error(WSFRAME_RESULT_PANIC));
    CHECK(!wsframe_result_is_protocol_error(WSFRAME_RESULT_PANIC));
    CHECK(wsframe_result_is_protocol_error(WSFRAME_RESULT_PEER_RESERVED_OPCODE));
    CHECK(wsframe_result_is_protocol_error(WSFRAME_RESULT_PEER_PROTOCOL_ERROR));
    CHECK(!wsframe_result_is_local_error(WSFRAME_RESULT_PEER_INVALID_UTF8));
    CHECK(wsframe_result_is_handshake_error(WSFRAME_RESULT_HANDSHAKE_TOO_LARGE));
    CHECK(wsframe_result_is_handshake_error(WSFRAME_RESULT_HANDSHAKE_ERROR));
    CHECK(!wsframe_result_is_handshake_error(WSFRAME_RESULT_PEER_PROTOCOL_ERROR));
    /* Never overlapping close codes or errno values. */
    for (uint32_t v = 1; v < 5000; v++) {
        CHECK(!wsframe_result_is_local_error(v) && !wsframe_result_is_protocol_error(v) &&
              !wsframe_result_is_handshake_error(v));
    }
}

static void close_code_for_each_protocol_error(void) {
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_OK) == 0);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_CLOSED) == 0);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT) == 0);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_RESERVED_BITS) == WSFRAME_CLOSE_PROTOCOL_ERROR);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_INVALID_UTF8) == WSFRAME_CLOSE_INVALID_PAYLOAD);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_FRAME_TOO_LARGE) == WSFRAME_CLOSE_MESSAGE_TOO_BIG);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE) == WSFRAME_CLOSE_MESSAGE_TOO_BIG);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS) == WSFRAME_CLOSE_MESSAGE_TOO_BIG);
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_PEER_PROTOCOL_ERROR) == WSFRAME_CLOSE_PROTOCOL_ERROR);
    for (uint32_t r = 7100; r < 7200; r++) {
        uint16_t code = wsframe_result_close_code(r);
        CHECK(code == 1002 || code == 1007 || code == 1008 || code == 1009);
        CHECK(wsframe_close_code_is_valid(code));
    }
}

static void http_status_for_handshake_errors(void) {
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_OK) == 0);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_PEER_MASKED_FRAME) == 0);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION) == 426);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_TOO_LARGE) == 431);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_TOO_MANY_HEADERS) == 431);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_MISSING_KEY) == 400);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_INVALID_URI) == 500);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_HANDSHAKE_ERROR) == 400);
}

/* RFC 6455 §7.4. */
static void close_code_validity(void) {
    CHECK(wsframe_close_code_is_valid(WSFRAME_CLOSE_NORMAL));
    CHECK(wsframe_close_code_is_valid(1003));
    CHECK(!wsframe_close_code_is_valid(1004));
    CHECK(!wsframe_close_code_is_valid(WSFRAME_CLOSE_NO_STATUS_RECEIVED));
    CHECK(!wsframe_close_code_is_valid(WSFRAME_CLOSE_ABNORMAL_CLOSURE));
    CHECK(wsframe_close_code_is_valid(WSFRAME_CLOSE_INVALID_PAYLOAD));
    CHECK(wsframe_close_code_is_valid(1014));
    CHECK(!wsframe_close_code_is_valid(WSFRAME_CLOSE_TLS_HANDSHAKE));
    CHECK(!wsframe_close_code_is_valid(0));
    CHECK(!wsframe_close_code_is_valid(999));
    CHECK(!wsframe_close_code_is_valid(2999));
    CHECK(wsframe_close_code_is_valid(3000));
    CHECK(wsframe_close_code_is_valid(4999));
    CHECK(!wsframe_close_code_is_valid(5000));
    CHECK(!wsframe_close_code_is_valid(65535));
}

static void frame_len_bound(void) {
    CHECK(wsframe_max_frame_len(0) == WSFRAME_MAX_HEADER_LEN);
    CHECK(wsframe_max_frame_len(5) == 5 + 14);
    CHECK(wsframe_max_frame_len((size_t)-1) == (size_t)-1);
    CHECK(WSFRAME_MAX_CONTROL_PAYLOAD == 125 && WSFRAME_MAX_CLOSE_REASON == 123);
}

void run_result_tests(void) {
    RUN(version_matches_header);
    RUN(result_strings_are_static_and_specific);
    RUN(result_blocks_are_range_checks);
    RUN(close_code_for_each_protocol_error);
    RUN(http_status_for_handshake_errors);
    RUN(close_code_validity);
    RUN(frame_len_bound);
}
