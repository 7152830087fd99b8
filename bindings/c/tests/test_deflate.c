/* permessage-deflate (RFC 7692) through the C API: negotiation both ways,
 * the §7.2.3 vectors, sending without losing compression state, a
 * decompression bomb, failures, misuse, and memory per connection. */
#include <malloc.h>
#include <stdlib.h>

#include "common.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static bool span_is(const char *p, size_t n, const char *expected) {
    return n == strlen(expected) && (n == 0 || memcmp(p, expected, n) == 0);
}

static const uint8_t HELLO_DEFLATED_FRAME[] = {0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
static const uint8_t HELLO_AGAIN_FRAME[] = {0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00};

static wsframe_deflate_config default_config(void) {
    wsframe_deflate_config c;
    memset(&c, 0xAA, sizeof c);
    CHECK_OK(wsframe_deflate_config_default(&c));
    return c;
}

/* What a bare offer and response agree on: full windows, context takeover. */
static wsframe_deflate_params default_params(void) {
    wsframe_deflate_params p = {false, false, 15, 15};
    return p;
}

/* A session with deflate on (clients mask with the RFC key). */
static wsframe_session *deflate_session(uint32_t role, wsframe_deflate_params params) {
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.deflate = true;
    cfg.deflate_params = params;
    return session_new(role, &cfg);
}

/* The one frame the session queued, copied into `frame` (cap bytes). */
static size_t sent(wsframe_session *s, uint8_t *frame, size_t cap) {
    return take_outgoing(s, frame, cap);
}

/* Sends the whole of `frame` to `conn` and expects exactly one message event. */
static void expect_message(wsframe_session *conn, const uint8_t *frame, size_t len, uint32_t type,
                           const char *text, size_t text_len) {
    uint8_t buf[256];
    CHECK(len <= sizeof buf);
    memcpy(buf, frame, len);
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(conn, buf, len, &consumed, &ev));
    CHECK(consumed == len);
    CHECK(ev.type == type && ev.last && ev.close_code == 0);
    CHECK(ev.len == text_len && (text_len == 0 || memcmp(ev.data, text, text_len) == 0));
    /* Inflated data lives in the session; a plain single frame's in the input. */
    uintptr_t at = (uintptr_t)ev.data, lo = (uintptr_t)buf, hi = lo + sizeof buf;
    bool compressed = (frame[0] & 0x40) != 0;
    CHECK(ev.len == 0 ? ev.data == NULL : compressed == (at < lo || at >= hi));
}

static void config_defaults_and_offers(void) {
    wsframe_deflate_config c = default_config();
    CHECK(!c.server_no_context_takeover && !c.client_no_context_takeover);
    CHECK(c.server_max_window_bits == 15 && c.client_max_window_bits == 15);
    CHECK(WSFRAME_DEFLATE_MIN_WINDOW_BITS == 8 && WSFRAME_DEFLATE_MAX_WINDOW_BITS == 15);
    CHECK_R(wsframe_deflate_config_default(NULL), WSFRAME_RESULT_NULL_POINTER);

    char out[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t n = 0;
    CHECK_OK(wsframe_deflate_config_write_offer(&c, out, sizeof out, &n));
    CHECK(span_is(out, n, "permessage-deflate; client_max_window_bits"));
    c.client_no_context_takeover = true;
    c.server_max_window_bits = 10;
    c.client_max_window_bits = 12;
    CHECK_OK(wsframe_deflate_config_write_offer(&c, out, sizeof out, &n));
    CHECK(span_is(out, n,
                  "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; "
                  "client_max_window_bits=12"));
    /* The longest offer fits WSFRAME_DEFLATE_MAX_VALUE_LEN exactly. */
    c.server_no_context_takeover = true;
    c.client_max_window_bits = 10;
    CHECK_OK(wsframe_deflate_config_write_offer(&c, out, sizeof out, &n));
    CHECK(n == WSFRAME_DEFLATE_MAX_VALUE_LEN);
    /* Too small: the size needed, nothing else. */
    size_t need = 0;
    CHECK_R(wsframe_deflate_config_write_offer(&c, NULL, 0, &need), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(need == n);
    CHECK_R(wsframe_deflate_config_write_offer(&c, out, 10, &need), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(need == n);
    /* Out-of-range values are the caller's mistake, not clamped. */
    wsframe_deflate_config bad = default_config();
    bad.server_max_window_bits = 7;
    CHECK_R(wsframe_deflate_config_write_offer(&bad, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    bad = default_config();
    bad.client_max_window_bits = 16;
    CHECK_R(wsframe_deflate_config_write_offer(&bad, out, sizeof out, &n), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* bool fields are read as bytes: any non-zero byte is true. */
    bad = default_config();
    memset(&bad.server_no_context_takeover, 2, 1);
    CHECK_OK(wsframe_deflate_config_write_offer(&bad, out, sizeof out, &n));
    CHECK(span_is(out, n, "permessage-deflate; server_no_context_takeover; client_max_window_bits"));
    CHECK_R(wsframe_deflate_config_write_offer(NULL, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_write_offer(&c, out, sizeof out, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_write_offer(&c, NULL, 5, &n), WSFRAME_RESULT_NULL_POINTER);
}

/* The request of RFC 6455 §1.3 with extra header lines. */
static size_t request_with(char *buf, size_t size, const char *extension_lines) {
    int n = snprintf(buf, size,
                     "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n%s\r\n",
                     extension_lines);
    CHECK(n > 0 && (size_t)n < size);
    return (size_t)n;
}

/* Negotiates on a request carrying `lines`; returns the result. */
static uint32_t negotiate(const wsframe_deflate_config *config, const char *lines, wsframe_deflate_params *params,
                          char *response, size_t response_size, size_t *n) {
    char request[1024];
    size_t len = request_with(request, sizeof request, lines);
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse((const uint8_t *)request, len, 0, &req));
    CHECK(req.complete);
    return wsframe_deflate_config_negotiate(config, &req, params, response, response_size, n);
}

static void server_negotiation(void) {
    wsframe_deflate_config config = default_config();
    wsframe_deflate_params p;
    char resp[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t n = 0;

    /* A browser's offer: accepted with full windows. */
    CHECK_OK(negotiate(&config, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", &p,
                       resp, sizeof resp, &n));
    CHECK(span_is(resp, n, "permessage-deflate"));
    CHECK(!p.server_no_context_takeover && !p.client_no_context_takeover);
    CHECK(p.server_max_window_bits == 15 && p.client_max_window_bits == 15);

    /* Window bits asked for are echoed (RFC 7692 §7.1.2.1); an offer with an
     * unknown parameter is skipped for the next one, across header lines. */
    CHECK_OK(negotiate(&config,
                       "Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate; foo=1\r\n"
                       "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; "
                       "client_max_window_bits\r\n",
                       &p, resp, sizeof resp, &n));
    CHECK(span_is(resp, n, "permessage-deflate; server_max_window_bits=10"));
    CHECK(p.server_max_window_bits == 10 && p.client_max_window_bits == 15);

    /* The server's own limits: its reset and a smaller client window. */
    wsframe_deflate_config strict = default_config();
    strict.server_no_context_takeover = true;
    strict.client_max_window_bits = 12;
    CHECK_OK(negotiate(&strict, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", &p, resp,
                       sizeof resp, &n));
    CHECK(span_is(resp, n, "permessage-deflate; server_no_context_takeover; client_max_window_bits=12"));
    CHECK(p.server_no_context_takeover && !p.client_no_context_takeover && p.client_max_window_bits == 12);
    CHECK_OK(negotiate(&config, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n", &p,
                       resp, sizeof resp, &n));
    CHECK(span_is(resp, n, "permessage-deflate; client_no_context_takeover") && p.client_no_context_takeover);

    /* Declined: nothing acceptable, nothing written, not an error. */
    wsframe_deflate_params untouched = {true, true, 9, 9};
    p = untouched;
    n = 777;
    const char *declined[] = {
        "",
        "Sec-WebSocket-Extensions: permessage-deflate; foo=1\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits\r\n",
        "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_no_context_takeover\r\n",
        "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n",
    };
    for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++) {
        uint32_t r = negotiate(&config, declined[i], &p, resp, sizeof resp, &n);
        CHECK_R(r, WSFRAME_RESULT_DECLINED);
    }
    CHECK(memcmp(&p, &untouched, sizeof p) == 0 && n == 777);
    CHECK(!wsframe_result_is_local_error(WSFRAME_RESULT_DECLINED));
    CHECK(!wsframe_result_is_protocol_error(WSFRAME_RESULT_DECLINED));
    CHECK(!wsframe_result_is_handshake_error(WSFRAME_RESULT_DECLINED));
    CHECK(wsframe_result_close_code(WSFRAME_RESULT_DECLINED) == 0);
    CHECK(wsframe_result_http_status(WSFRAME_RESULT_DECLINED) == 0);
    CHECK(strcmp(wsframe_result_str(WSFRAME_RESULT_DECLINED), "unknown result code") != 0);

    /* Response buffer too small: the size needed; negotiating again works. */
    CHECK_R(negotiate(&config, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n", &p,
                      resp, 5, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == strlen("permessage-deflate; server_max_window_bits=10"));
    CHECK(p.server_max_window_bits == 9); /* params not written */

    /* Misuse. */
    char request[512];
    size_t len = request_with(request, sizeof request, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse((const uint8_t *)request, len, 0, &req));
    CHECK_R(wsframe_deflate_config_negotiate(NULL, &req, &p, resp, sizeof resp, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_negotiate(&config, NULL, &p, resp, sizeof resp, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_negotiate(&config, &req, NULL, resp, sizeof resp, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_negotiate(&config, &req, &p, resp, sizeof resp, NULL),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_negotiate(&config, &req, &p, NULL, 10, &n), WSFRAME_RESULT_NULL_POINTER);
    /* The response must not be written over the request it reads. */
    CHECK_R(wsframe_deflate_config_negotiate(&config, &req, &p, request, sizeof request, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    wsframe_deflate_config bad = config;
    bad.server_max_window_bits = 200;
    CHECK_R(wsframe_deflate_config_negotiate(&bad, &req, &p, resp, sizeof resp, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    wsframe_server_request partial;
    CHECK_OK(wsframe_server_request_parse((const uint8_t *)request, 20, 0, &partial));
    CHECK_R(wsframe_deflate_config_negotiate(&config, &partial, &p, resp, sizeof resp, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_OK(wsframe_deflate_config_negotiate(&config, &req, &p, resp, sizeof resp, &n));

    /* The answer goes out with wsframe_server_write_accept. */
    uint8_t out[512];
    size_t out_len = 0;
    CHECK_OK(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, resp, n, S("X-A: 1"), out, sizeof out,
                                             &out_len));
    const char head[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                        "Sec-WebSocket-Extensions: permessage-deflate\r\nX-A: 1\r\n\r\n";
    CHECK_BYTES(out, out_len, head, sizeof head - 1);
    /* Without extensions there is no Sec-WebSocket-Extensions line. */
    CHECK_OK(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, NULL, 0, out, sizeof out - 1,
                                         &out_len));
    out[out_len] = 0;
    CHECK(strstr((const char *)out, "Sec-WebSocket-Extensions") == NULL);
    CHECK_R(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, S("permessage-deflate\r\nX: 1"), NULL, 0,
                                            out, sizeof out, &out_len),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE);
    CHECK_R(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 3, NULL, 0, out, sizeof out,
                                            &out_len),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, resp, n, NULL, 0, out, 10, &out_len),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(out_len == sizeof head - 1 - strlen("X-A: 1\r\n"));
}

/* A 101 answer to the RFC 6455 §1.3 request, with extension lines. */
static size_t response_with(uint8_t *buf, size_t size, const char *extension_lines) {
    int n = snprintf((char *)buf, size,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n%s\r\n",
                     extension_lines);
    CHECK(n > 0 && (size_t)n < size);
    return (size_t)n;
}

/* Checks a response as a client that offered `config`: the handshake, then deflate. */
static uint32_t client_accept(const wsframe_deflate_config *config, const wsframe_client_handshake *hs,
                              const char *lines, wsframe_deflate_params *p) {
    uint8_t buf[1024];
    size_t len = response_with(buf, sizeof buf, lines);
    return wsframe_deflate_config_accept_response(config, hs, buf, len, 0, p);
}

static void client_negotiation(void) {
    wsframe_deflate_config config = default_config();
    char offer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t offer_len = 0;
    CHECK_OK(wsframe_deflate_config_write_offer(&config, offer, sizeof offer, &offer_len));
    wsframe_client_handshake hs;
    uint8_t request[1024];
    size_t request_len = 0;
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://server.example.com/chat"), NULL, 0, NULL, 0, offer,
                                                offer_len, NULL, 0, (const uint8_t *)"the sample nonce", 16, request,
                                                sizeof request - 1, &request_len));
    request[request_len] = 0;
    CHECK(strstr((const char *)request,
                 "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n") != NULL);

    /* The handshake check accepts the extension that was offered ... */
    uint8_t resp[1024];
    size_t resp_len = response_with(resp, sizeof resp,
                                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12\r\n");
    wsframe_client_response r;
    CHECK_OK(wsframe_client_handshake_check(&hs, resp, resp_len, 0, &r));
    CHECK(r.complete && r.accepted);
    CHECK(span_is(r.extensions, r.extensions_len, "permessage-deflate; client_max_window_bits=12"));
    /* ... and the deflate check reads its parameters. */
    wsframe_deflate_params p;
    CHECK_OK(wsframe_deflate_config_accept_response(&config, &hs, resp, resp_len, 0, &p));
    CHECK(p.client_max_window_bits == 12 && p.server_max_window_bits == 15);
    CHECK(!p.server_no_context_takeover && !p.client_no_context_takeover);
    CHECK_OK(client_accept(&config, &hs,
                           "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                           "server_max_window_bits=9\r\n",
                           &p));
    CHECK(p.server_no_context_takeover && p.server_max_window_bits == 9 && p.client_max_window_bits == 15);
    /* Split over two header lines and quoted (RFC 7692 §7.1: quoted values allowed). */
    CHECK_OK(client_accept(&config, &hs,
                           "Sec-WebSocket-Extensions: \r\n"
                           "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\"\r\n",
                           &p));
    CHECK(p.client_max_window_bits == 10);

    /* No permessage-deflate in the answer: declined, go on uncompressed. */
    wsframe_deflate_params untouched = {true, true, 9, 9};
    p = untouched;
    CHECK_R(client_accept(&config, &hs, "", &p), WSFRAME_RESULT_DECLINED);
    CHECK(memcmp(&p, &untouched, sizeof p) == 0);

    /* Answers that break RFC 7692 fail the handshake. */
    struct {
        const char *lines;
        uint32_t result;
    } bad[] = {
        {"Sec-WebSocket-Extensions: permessage-deflate; mystery\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNKNOWN_PARAMETER},
        {"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; server_max_window_bits=10\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_DUPLICATE_PARAMETER},
        {"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE},
        {"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover=1\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE},
        {"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER},
        {"Sec-WebSocket-Extensions: permessage-deflate; a=\"b\r\n",
         WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER},
        {"Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n",
         WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION},
        {"Sec-WebSocket-Extensions: x-other\r\n", WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_R(client_accept(&config, &hs, bad[i].lines, &p), bad[i].result);
        CHECK(wsframe_result_is_handshake_error(bad[i].result));
        CHECK(wsframe_result_http_status(bad[i].result) == 400);
        CHECK(strcmp(wsframe_result_str(bad[i].result), "unknown result code") != 0);
    }
    CHECK(memcmp(&p, &untouched, sizeof p) == 0);
    /* What the offer asked for must be granted: a smaller server window,
     * the server's reset; and the client window may not grow. */
    wsframe_deflate_config asked = default_config();
    asked.server_max_window_bits = 10;
    CHECK_R(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate\r\n", &p),
            WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER);
    CHECK_R(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=11\r\n",
                          &p),
            WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER);
    CHECK_OK(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n",
                           &p));
    asked = default_config();
    asked.server_no_context_takeover = true;
    CHECK_R(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate\r\n", &p),
            WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER);
    asked = default_config();
    asked.client_max_window_bits = 10;
    CHECK_R(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12\r\n",
                          &p),
            WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER);
    /* The client's own reset holds even if the answer leaves it out. */
    asked = default_config();
    asked.client_no_context_takeover = true;
    CHECK_OK(client_accept(&asked, &hs, "Sec-WebSocket-Extensions: permessage-deflate\r\n", &p));
    CHECK(p.client_no_context_takeover && p.client_max_window_bits == 15);

    /* Only after an acceptance, with the state of a written request. */
    uint8_t refused[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, refused, sizeof refused - 1, 0, &p),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, resp, 20, 0, &p), WSFRAME_RESULT_INVALID_ARGUMENT);
    uint8_t bad_accept[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, bad_accept, sizeof bad_accept - 1, 0, &p),
            WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT);
    wsframe_client_handshake zero;
    memset(&zero, 0, sizeof zero);
    CHECK_R(wsframe_deflate_config_accept_response(&config, &zero, resp, resp_len, 0, &p),
            WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_deflate_config_accept_response(NULL, &hs, resp, resp_len, 0, &p), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_accept_response(&config, NULL, resp, resp_len, 0, &p),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, NULL, resp_len, 0, &p),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, resp, resp_len, 0, NULL),
            WSFRAME_RESULT_NULL_POINTER);
    wsframe_deflate_config bad_config = config;
    bad_config.client_max_window_bits = 0;
    CHECK_R(wsframe_deflate_config_accept_response(&bad_config, &hs, resp, resp_len, 0, &p),
            WSFRAME_RESULT_INVALID_ARGUMENT);

    /* A client that offered nothing fails a response naming permessage-deflate. */
    wsframe_client_handshake plain;
    CHECK_OK(wsframe_client_handshake_write(&plain, S("ws://server.example.com/chat"), NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                            (const uint8_t *)"the sample nonce", 16, request, sizeof request,
                                            &request_len));
    CHECK_R(wsframe_client_handshake_check(&plain, resp, resp_len, 0, &r), WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION);
    CHECK_R(wsframe_deflate_config_accept_response(&config, &plain, resp, resp_len, 0, &p),
            WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION);
    CHECK_R(client_accept(&config, &plain, "", &p), WSFRAME_RESULT_DECLINED);
}

static void client_offer_limits(void) {
    wsframe_client_handshake hs;
    uint8_t request[1024];
    size_t n = 0;
    /* The offer is kept: the handshake check accepts any extension it
     * names in the answer, but nothing else. */
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0,
                                                S("permessage-deflate; server_no_context_takeover, "
                                                  "permessage-deflate, x-ext"),
                                                NULL, 0, (const uint8_t *)"the sample nonce", 16, request,
                                                sizeof request, &n));
    uint8_t resp[512];
    size_t len = response_with(resp, sizeof resp, "Sec-WebSocket-Extensions: X-Ext; a=1\r\n");
    wsframe_client_response r;
    CHECK_OK(wsframe_client_handshake_check(&hs, resp, len, 0, &r));
    CHECK(r.accepted);
    len = response_with(resp, sizeof resp, "Sec-WebSocket-Extensions: x-other\r\n");
    CHECK_R(wsframe_client_handshake_check(&hs, resp, len, 0, &r), WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION);
    /* permessage-deflate's check wants nothing but permessage-deflate. */
    wsframe_deflate_config config = default_config();
    wsframe_deflate_params p;
    len = response_with(resp, sizeof resp, "Sec-WebSocket-Extensions: permessage-deflate, x-ext\r\n");
    CHECK_OK(wsframe_client_handshake_check(&hs, resp, len, 0, &r));
    CHECK_R(wsframe_deflate_config_accept_response(&config, &hs, resp, len, 0, &p),
            WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION);
    /* Offers over WSFRAME_CLIENT_MAX_EXTENSIONS_LEN bytes are refused. */
    CHECK(WSFRAME_CLIENT_MAX_EXTENSIONS_LEN == 256);
    char long_offer[WSFRAME_CLIENT_MAX_EXTENSIONS_LEN + 1];
    memset(long_offer, 'x', sizeof long_offer);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, long_offer, sizeof long_offer, NULL,
                                           0, NULL, 0, request, sizeof request, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, S("permessage-deflate\r\nX: y"),
                                               NULL, 0, NULL, 0, request, sizeof request, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 4, NULL, 0, NULL, 0,
                                               request, sizeof request, &n),
            WSFRAME_RESULT_NULL_POINTER);
    /* (NULL, 0) offers nothing: no Sec-WebSocket-Extensions line. */
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                            (const uint8_t *)"0123456789abcdef", 16, request, sizeof request - 1, &n));
    request[n] = 0;
    CHECK(strstr((const char *)request, "Sec-WebSocket-Extensions") == NULL);
}

/* RFC 7692 §7.2.3.1-6, received by a client (server frames are unmasked). */
static void rfc7692_receive_vectors(void) {
    wsframe_session *c = deflate_session(WSFRAME_ROLE_CLIENT, default_params());
    /* §7.2.3.1: "Hello" in one compressed frame. */
    expect_message(c, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.2: the same again, referring back into the shared window. */
    expect_message(c, HELLO_AGAIN_FRAME, sizeof HELLO_AGAIN_FRAME, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.3: a stored (uncompressed) block. */
    const uint8_t stored[] = {0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00};
    expect_message(c, stored, sizeof stored, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.4: BFINAL set. */
    const uint8_t bfinal[] = {0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00};
    expect_message(c, bfinal, sizeof bfinal, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.5: two deflate blocks in one message. */
    const uint8_t two[] = {0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00};
    expect_message(c, two, sizeof two, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.6: an empty message. */
    const uint8_t empty[] = {0xc1, 0x01, 0x00};
    expect_message(c, empty, sizeof empty, WSFRAME_EVENT_TEXT, "", 0);
    /* Binary compressed, and an uncompressed message on the same connection. */
    const uint8_t binary[] = {0xc2, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
    expect_message(c, binary, sizeof binary, WSFRAME_EVENT_BINARY, S("Hello"));
    const uint8_t plain[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    uint8_t buf[16];
    memcpy(buf, plain, sizeof plain);
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(c, buf, sizeof plain, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last && ev.data == buf + 2); /* still borrowed from the input */
    wsframe_session_free(c);
}

/* §7.2.3.1 fragmented: 41 03 f2 48 cd | 80 04 c9 c9 07 00, one event for the
 * whole message, even with a Ping between the fragments and byte-by-byte input. */
static void rfc7692_fragmented(void) {
    const uint8_t frags[] = {0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00};
    wsframe_session *c = deflate_session(WSFRAME_ROLE_CLIENT, default_params());
    expect_message(c, frags, sizeof frags, WSFRAME_EVENT_TEXT, S("Hello"));

    /* A Ping between the fragments comes out first (its Pong queued); the message after. */
    uint8_t buf[32];
    size_t n = 0;
    memcpy(buf + n, frags, 5); n += 5;
    memcpy(buf + n, "\x89\x01P", 3); n += 3;
    memcpy(buf + n, frags + 5, 6); n += 6;
    size_t pos = 0, consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(c, buf, n, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_PING && pos == 8);
    CHECK_OK(wsframe_session_receive(c, buf + pos, n - pos, &consumed, &ev));
    pos += consumed;
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.last && pos == n);
    CHECK_BYTES(ev.data, ev.len, "Hello", 5);
    uint8_t out[32];
    CHECK(sent(c, out, sizeof out) == 2 + 4 + 1 && out[0] == 0x8a); /* the masked Pong */

    /* One byte at a time: NONE until the last byte completes the message. */
    int messages = 0;
    for (size_t i = 0; i < sizeof frags; i++) {
        uint8_t byte = frags[i];
        CHECK_OK(wsframe_session_receive(c, &byte, 1, &consumed, &ev));
        CHECK(consumed == 1);
        if (ev.type == WSFRAME_EVENT_TEXT) {
            messages++;
            CHECK(i == sizeof frags - 1);
            CHECK_BYTES(ev.data, ev.len, "Hello", 5);
        } else {
            CHECK(ev.type == WSFRAME_EVENT_NONE);
        }
    }
    CHECK(messages == 1);
    wsframe_session_free(c);
}

/* Our own sends reproduce RFC 7692 §7.2.3.1 and §7.2.3.2 byte for byte. */
static void rfc7692_send_vectors(void) {
    wsframe_session *s = deflate_session(WSFRAME_ROLE_SERVER, default_params());
    wsframe_session *peer = deflate_session(WSFRAME_ROLE_CLIENT, default_params());
    uint8_t frame[64];
    size_t len = 0;
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    len = sent(s, frame, sizeof frame);
    CHECK_BYTES(frame, len, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME);
    expect_message(peer, frame, len, WSFRAME_EVENT_TEXT, S("Hello"));
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    len = sent(s, frame, sizeof frame);
    CHECK_BYTES(frame, len, HELLO_AGAIN_FRAME, sizeof HELLO_AGAIN_FRAME);
    expect_message(peer, frame, len, WSFRAME_EVENT_TEXT, S("Hello"));
    /* §7.2.3.6: an empty message compresses to one 0x00 byte. */
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_BINARY, NULL, 0, 0));
    len = sent(s, frame, sizeof frame);
    CHECK_BYTES(frame, len, "\xc2\x01\x00", 3);
    expect_message(peer, frame, len, WSFRAME_EVENT_BINARY, "", 0);
    /* Per message, uncompressed: the flag, or fragments (never compressed). */
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, WSFRAME_SEND_NO_COMPRESS));
    len = sent(s, frame, sizeof frame);
    CHECK_BYTES(frame, len, "\x81\x05Hello", 7);
    expect_message(peer, frame, len, WSFRAME_EVENT_TEXT, S("Hello"));
    CHECK_OK(wsframe_session_send_fragment(s, WSFRAME_EVENT_BINARY, (const uint8_t *)"ab", 2, true));
    len = sent(s, frame, sizeof frame);
    CHECK_BYTES(frame, len, "\x82\x02" "ab", 4);
    expect_message(peer, frame, len, WSFRAME_EVENT_BINARY, S("ab"));
    /* Uncompressed messages leave the compression context alone: the peer,
     * which saw them too, still inflates what follows. */
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello, Hello", 12, 0));
    len = sent(s, frame, sizeof frame);
    CHECK(frame[0] == 0xc1 && len < 2 + 12);
    expect_message(peer, frame, len, WSFRAME_EVENT_TEXT, S("Hello, Hello"));
    wsframe_session_free(peer);
    wsframe_session_free(s);

    /* server_no_context_takeover: every "Hello" compresses alone. */
    wsframe_deflate_params reset = default_params();
    reset.server_no_context_takeover = true;
    s = deflate_session(WSFRAME_ROLE_SERVER, reset);
    for (int i = 0; i < 3; i++) {
        CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
        len = sent(s, frame, sizeof frame);
        CHECK_BYTES(frame, len, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME);
    }
    wsframe_session_free(s);
    /* The client's own reset applies to a client; the server's does not. */
    wsframe_session *c = deflate_session(WSFRAME_ROLE_CLIENT, reset);
    CHECK_OK(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    len = sent(c, frame, sizeof frame);
    CHECK(len == 13 && frame[0] == 0xc1 && frame[1] == 0x87);
    CHECK_OK(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    len = sent(c, frame, sizeof frame);
    CHECK(len == 11 && frame[0] == 0xc1 && frame[1] == 0x85);
    /* Masked with the RFC key 37 fa 21 3d: unmasked, it is §7.2.3.2's payload. */
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t payload[5];
    for (size_t i = 0; i < 5; i++) payload[i] = (uint8_t)(frame[6 + i] ^ key[i % 4]);
    CHECK_BYTES(payload, 5, HELLO_AGAIN_FRAME + 2, 5);
    wsframe_session_free(c);
}

/* Both directions, both roles, through the whole handshake. */
static void handshake_to_messages(void) {
    wsframe_deflate_config config = default_config();
    char offer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t offer_len = 0;
    CHECK_OK(wsframe_deflate_config_write_offer(&config, offer, sizeof offer, &offer_len));
    wsframe_client_handshake hs;
    uint8_t request[1024];
    size_t request_len = 0;
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://localhost/"), NULL, 0, S("chat"), offer, offer_len, NULL, 0,
                                            NULL, 0, request, sizeof request, &request_len));
    /* Server. */
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse(request, request_len, 0, &req));
    CHECK(span_is(req.extensions, req.extensions_len, "permessage-deflate; client_max_window_bits"));
    wsframe_conn_config sc;
    CHECK_OK(wsframe_conn_config_default(&sc));
    char answer[WSFRAME_DEFLATE_MAX_VALUE_LEN];
    size_t answer_len = 0;
    CHECK_OK(wsframe_deflate_config_negotiate(&config, &req, &sc.deflate_params, answer, sizeof answer, &answer_len));
    sc.deflate = true;
    uint8_t response[512];
    size_t response_len = 0;
    CHECK_OK(wsframe_server_write_accept(req.key, req.key_len, S("chat"), answer, answer_len, NULL, 0, response,
                                         sizeof response, &response_len));
    wsframe_session *server = session_new(WSFRAME_ROLE_SERVER, &sc);
    /* Client. */
    wsframe_client_response r;
    CHECK_OK(wsframe_client_handshake_check(&hs, response, response_len, 0, &r));
    CHECK(r.accepted && span_is(r.protocol, r.protocol_len, "chat"));
    wsframe_conn_config cc;
    CHECK_OK(wsframe_conn_config_default(&cc));
    CHECK_OK(wsframe_deflate_config_accept_response(&config, &hs, response, response_len, 0, &cc.deflate_params));
    CHECK(memcmp(&cc.deflate_params, &sc.deflate_params, sizeof cc.deflate_params) == 0);
    cc.deflate = true;
    wsframe_session *client = session_new(WSFRAME_ROLE_CLIENT, &cc);

    /* Messages both ways; the server echoes what it inflated straight from
     * the event (the inflate buffer may be passed to a send). */
    static uint8_t text[20000];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (uint8_t)('a' + (i * 7 % 26));
    static uint8_t wire[40000];
    for (int round = 0; round < 4; round++) {
        size_t msg_len = round == 0 ? 5 : sizeof text / (size_t)round;
        CHECK_OK(wsframe_session_send(client, WSFRAME_EVENT_TEXT, text, msg_len, 0));
        size_t len = sent(client, wire, sizeof wire);
        CHECK(len < msg_len + 14 && (wire[0] & 0x40) != 0);
        size_t consumed = 0;
        wsframe_event ev;
        CHECK_OK(wsframe_session_receive(server, wire, len, &consumed, &ev));
        CHECK(consumed == len && ev.type == WSFRAME_EVENT_TEXT && ev.last);
        CHECK_BYTES(ev.data, ev.len, text, msg_len);
        CHECK_OK(wsframe_session_send(server, WSFRAME_EVENT_TEXT, ev.data, ev.len, 0));
        len = sent(server, wire, sizeof wire);
        CHECK_OK(wsframe_session_receive(client, wire, len, &consumed, &ev));
        CHECK(consumed == len && ev.type == WSFRAME_EVENT_TEXT && ev.last);
        CHECK_BYTES(ev.data, ev.len, text, msg_len);
    }
    wsframe_session_free(client);
    wsframe_session_free(server);
}

/* A session the codec failed behaves as one the core failed: the Close
 * the violation calls for is queued, and nothing else goes out. */
static void check_failure(const uint8_t *frame, size_t len, uint32_t expected, uint16_t close_code) {
    wsframe_session *c = deflate_session(WSFRAME_ROLE_CLIENT, default_params());
    uint8_t buf[64];
    memcpy(buf, frame, len);
    size_t consumed = 12345;
    wsframe_event ev;
    CHECK_R(wsframe_session_receive(c, buf, len, &consumed, &ev), expected);
    CHECK(consumed == 12345);
    CHECK(wsframe_result_is_protocol_error(expected));
    CHECK(wsframe_result_close_code(expected) == close_code);
    /* The Close (masked: a client's) is queued; with it out, only TCP is left. */
    uint8_t out[64];
    size_t n = sent(c, out, sizeof out);
    CHECK(n == 8 && out[0] == 0x88 && out[1] == 0x82 && (out[6] ^ 0x37) == (close_code >> 8) &&
          (out[7] ^ 0xfa) == (close_code & 0xff));
    CHECK(wsframe_session_state(c) == WSFRAME_STATE_CLOSED);
    /* Input is discarded; data and control sends refused. */
    memcpy(buf, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME);
    CHECK_OK(wsframe_session_receive(c, buf, sizeof HELLO_DEFLATED_FRAME, &consumed, &ev));
    CHECK(consumed == sizeof HELLO_DEFLATED_FRAME && ev.type == WSFRAME_EVENT_NONE);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"x", 1, 0), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_session_send_fragment(c, WSFRAME_EVENT_BINARY, (const uint8_t *)"x", 1, true),
            WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_PING, NULL, 0, 0), WSFRAME_RESULT_CLOSED);
    CHECK_R(wsframe_session_close(c, close_code, NULL, 0), WSFRAME_RESULT_CLOSED);
    CHECK(sent(c, out, sizeof out) == 0);
    wsframe_session_free(c);
}

static void failures(void) {
    /* A reserved block type: corrupt data, 1002. */
    check_failure((const uint8_t *)"\xc1\x01\xff", 3, WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA, 1002);
    /* A stored block holding 0xff: compressed text that is not UTF-8, 1007. */
    check_failure((const uint8_t *)"\xc1\x06\x00\x01\x00\xfe\xff\xff", 8, WSFRAME_RESULT_PEER_INVALID_UTF8, 1007);
    /* RSV1 on a continuation (RFC 7692 §6.1), and on a control frame: the core's checks. */
    check_failure((const uint8_t *)"\x41\x03\xf2\x48\xcd\xc0\x04\xc9\xc9\x07\x00", 11,
                  WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME, 1002);
    check_failure((const uint8_t *)"\xc9\x00", 2, WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME, 1002);
    /* Without deflate agreed RSV1 is a reserved bit. */
    wsframe_session *c = session_new(WSFRAME_ROLE_CLIENT, NULL);
    uint8_t buf[16];
    memcpy(buf, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME);
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_R(wsframe_session_receive(c, buf, sizeof HELLO_DEFLATED_FRAME, &consumed, &ev),
            WSFRAME_RESULT_PEER_RESERVED_BITS);
    wsframe_session_free(c);
    /* The inflated size counts against the message limit: ten 'a's
     * compress to 6 bytes, which the frame limit lets through at 6. */
    const uint8_t ten_a[] = {0xc1, 0x06, 0x4a, 0x4c, 0x84, 0x01, 0x00, 0x00};
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.deflate = true;
    cfg.max_message_size = 6;
    c = session_new(WSFRAME_ROLE_CLIENT, &cfg);
    memcpy(buf, ten_a, sizeof ten_a);
    CHECK_R(wsframe_session_receive(c, buf, sizeof ten_a, &consumed, &ev), WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE);
    wsframe_session_free(c);
    cfg.max_message_size = 10;
    c = session_new(WSFRAME_ROLE_CLIENT, &cfg);
    expect_message(c, ten_a, sizeof ten_a, WSFRAME_EVENT_TEXT, S("aaaaaaaaaa"));
    wsframe_session_free(c);
}

/* Bytes malloc has handed out and not taken back, or 0 where that cannot
 * be known (sanitizers and valgrind replace malloc). */
static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* 64 MiB of zeros compressed into about 64 KiB, sent to a server whose
 * limit is 1 MiB: 1009, after inflating at most about the limit. */
static void decompression_bomb(void) {
    const size_t bomb = (size_t)64 << 20;
    uint8_t *zeros = calloc(bomb, 1);
    CHECK(zeros != NULL);
    if (zeros == NULL) return;
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.deflate = true;
    cfg.max_message_size = bomb;
    wsframe_session *client = session_new(WSFRAME_ROLE_CLIENT, &cfg);
    CHECK_OK(wsframe_session_send(client, WSFRAME_EVENT_BINARY, zeros, bomb, 0));
    free(zeros);
    const uint8_t *frame = NULL;
    size_t len = 0;
    CHECK_OK(wsframe_session_outgoing(client, &frame, &len));
    CHECK(len > 0 && len < bomb / 512);
    uint8_t *wire = malloc(len);
    CHECK(wire != NULL);
    if (wire == NULL) return;
    memcpy(wire, frame, len);
    wsframe_session_free(client);

    size_t before = heap_in_use();
    cfg.max_message_size = 1 << 20;
    wsframe_session *server = session_new(WSFRAME_ROLE_SERVER, &cfg);
    size_t consumed = 0;
    wsframe_event ev;
    uint32_t r = wsframe_session_receive(server, wire, len, &consumed, &ev);
    CHECK_R(r, WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE);
    CHECK(wsframe_result_close_code(r) == 1009);
    CHECK(wsframe_session_state(server) == WSFRAME_STATE_CLOSED);
    size_t after = heap_in_use();
    if (before != 0 && after > before) {
        /* The codec (about 355 KiB) plus the core's inflate buffer, which
         * stops one 32 KiB step past the limit but grows by doubling (so
         * up to twice the limit): far below the 64 MiB inflated size. */
        printf("note: bomb of %zu compressed bytes: session holds %zu KiB after the 1009\n", len,
               (after - before) >> 10);
        CHECK(after - before < (size_t)3 << 20);
    }
    wsframe_session_free(server);
    free(wire);
}

/* A key source that fails once, then gives the RFC key. */
static bool fails_once(void *user, uint8_t *buf, size_t len) {
    int *failed = (int *)user;
    if (!*failed) {
        *failed = 1;
        return false;
    }
    return rfc_key(NULL, buf, len);
}

static void misuse(void) {
    /* Parameters out of range are refused at creation. */
    wsframe_conn_config cfg = config_with_rfc_key(NULL);
    cfg.deflate = true;
    wsframe_session *c = (wsframe_session *)0x1;
    cfg.deflate_params.client_max_window_bits = 7;
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, &cfg, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    cfg.deflate_params = default_params();
    cfg.deflate_params.server_max_window_bits = 16;
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, &cfg, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    cfg.deflate_params = default_params();
    cfg.compression_level = 10;
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, &cfg, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_new(0, &cfg, &c), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_new(WSFRAME_ROLE_SERVER, NULL, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK(c == (wsframe_session *)0x1);
    /* Without deflate agreed: plain frames. */
    c = session_new(WSFRAME_ROLE_SERVER, NULL);
    uint8_t frame[64];
    CHECK_OK(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    size_t len = sent(c, frame, sizeof frame);
    CHECK_BYTES(frame, len, "\x81\x05Hello", 7);
    wsframe_session_free(c);

    c = deflate_session(WSFRAME_ROLE_SERVER, default_params());
    /* A dead or zeroed handle. */
    static conn_storage zeroed;
    CHECK_R(wsframe_session_send((wsframe_session *)(void *)zeroed.bytes, WSFRAME_EVENT_TEXT, NULL, 0, 0),
            WSFRAME_RESULT_INVALID_HANDLE);
    /* Arguments. */
    CHECK_R(wsframe_session_send(NULL, WSFRAME_EVENT_TEXT, NULL, 0, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, NULL, 3, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_send(c, 0, NULL, 0, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_CLOSE, NULL, 0, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, NULL, 0, 2), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"\xff", 1, 0), WSFRAME_RESULT_INVALID_UTF8);
    CHECK(sent(c, frame, sizeof frame) == 0);

    /* A message in progress: refused before compressing, so the context is
     * unchanged and the next message is §7.2.3.1 exactly. */
    CHECK_OK(wsframe_session_send_fragment(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"a", 1, false));
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0),
            WSFRAME_RESULT_MESSAGE_IN_PROGRESS);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_BINARY, (const uint8_t *)"Hello", 5, 0),
            WSFRAME_RESULT_MESSAGE_IN_PROGRESS);
    CHECK_OK(wsframe_session_send_fragment(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"b", 1, true));
    (void)sent(c, frame, sizeof frame);
    CHECK_OK(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    const uint8_t *queued = NULL;
    CHECK_OK(wsframe_session_outgoing(c, &queued, &len));
    CHECK_BYTES(queued, len, HELLO_DEFLATED_FRAME, sizeof HELLO_DEFLATED_FRAME);
    /* The outgoing buffer itself may not be sent from: the send would grow it. */
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_BINARY, queued, len, 0), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_OK(wsframe_session_consume_outgoing(c, len));
    /* After our Close: refused, context untouched. */
    CHECK_OK(wsframe_session_close(c, 1000, NULL, 0));
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0), WSFRAME_RESULT_CLOSED);
    wsframe_session_free(c);

    /* A client whose key source fails: nothing compressed, nothing lost. */
    int failed = 0;
    cfg = config_with_rfc_key(NULL);
    cfg.deflate = true;
    cfg.random = fails_once;
    cfg.random_user = &failed;
    c = session_new(WSFRAME_ROLE_CLIENT, &cfg);
    CHECK_R(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0),
            WSFRAME_RESULT_RANDOM_FAILED);
    CHECK(sent(c, frame, sizeof frame) == 0);
    CHECK_OK(wsframe_session_send(c, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hello", 5, 0));
    len = sent(c, frame, sizeof frame);
    const uint8_t masked_hello[] = {0xc1, 0x87, 0x37, 0xfa, 0x21, 0x3d, 0xf2 ^ 0x37, 0x48 ^ 0xfa, 0xcd ^ 0x21,
                                    0xc9 ^ 0x3d, 0xc9 ^ 0x37, 0x07 ^ 0xfa, 0x00 ^ 0x21};
    CHECK_BYTES(frame, len, masked_hello, sizeof masked_hello);
    wsframe_session_free(c);
}

/* What one session costs, idle and after a 16 KiB message each way. */
static void measure(const char *label, wsframe_deflate_params params) {
    static uint8_t text[16384];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (uint8_t)('a' + (i * i % 26));
    /* A compressed frame from a client, made before measuring. */
    wsframe_session *client = deflate_session(WSFRAME_ROLE_CLIENT, params);
    CHECK_OK(wsframe_session_send(client, WSFRAME_EVENT_TEXT, text, sizeof text, 0));
    static uint8_t wire[sizeof text + 64];
    size_t len = sent(client, wire, sizeof wire);
    wsframe_session_free(client);

    size_t m0 = heap_in_use(), m2 = m0;
    wsframe_session *s = deflate_session(WSFRAME_ROLE_SERVER, params);
    size_t m3 = heap_in_use();
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, wire, len, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_TEXT && ev.len == sizeof text);
    CHECK_OK(wsframe_session_send(s, WSFRAME_EVENT_TEXT, text, sizeof text, 0));
    size_t m4 = heap_in_use();
    wsframe_session_free(s);
    size_t m5 = heap_in_use();
    if (m0 == 0 || m3 <= m2) return; /* malloc is not glibc's here: nothing to measure */
    /* Freeing the session frees the codec (about 355 KiB) and its buffers.
     * glibc's tcache keeps a few small freed chunks, which mallinfo2 counts
     * as in use: tens of bytes may show. */
    CHECK(m5 <= m0 + 4096);
    printf("note: memory per session, %s: %zu B with deflate agreed, "
           "+%zu B after a 16 KiB message each way (before it is written out)\n",
           label, m3 - m2, m4 - m3);
}

static void memory_per_session(void) {
    measure("context takeover", default_params());
    wsframe_deflate_params reset = {true, true, 15, 15};
    measure("no context takeover", reset);
}

void run_deflate_tests(void) {
    RUN(config_defaults_and_offers);
    RUN(server_negotiation);
    RUN(client_negotiation);
    RUN(client_offer_limits);
    RUN(rfc7692_receive_vectors);
    RUN(rfc7692_fragmented);
    RUN(rfc7692_send_vectors);
    RUN(handshake_to_messages);
    RUN(failures);
    RUN(decompression_bomb);
    RUN(misuse);
    RUN(memory_per_session);
}
