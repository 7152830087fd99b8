/* The opening handshake, both roles, RFC 6455 §1.3 and §4. */
#include "common.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static bool span_is(const char *p, size_t n, const char *expected) {
    return n == strlen(expected) && (n == 0 || memcmp(p, expected, n) == 0);
}

/* RFC 6455 §1.3. */
static void accept_key_rfc_vector(void) {
    uint8_t out[40];
    size_t n = 0;
    CHECK_OK(wsframe_accept_key((const uint8_t *)"dGhlIHNhbXBsZSBub25jZQ==", 24, out, sizeof out, &n));
    CHECK_BYTES(out, n, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WSFRAME_ACCEPT_KEY_LEN);
    CHECK_R(wsframe_accept_key((const uint8_t *)"x", 1, out, 27, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 28);
    CHECK_R(wsframe_accept_key(NULL, 24, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_accept_key((const uint8_t *)"x", 1, out, sizeof out, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_accept_key((const uint8_t *)"x", 1, NULL, 28, &n), WSFRAME_RESULT_NULL_POINTER);
}

static void url_parsing(void) {
    wsframe_url u;
    CHECK_OK(wsframe_url_parse(S("ws://example.com:9001/chat?room=1"), &u));
    CHECK(span_is(u.host, u.host_len, "example.com") && u.port == 9001 && !u.secure);
    CHECK(span_is(u.path, u.path_len, "/chat") && span_is(u.query, u.query_len, "room=1"));
    CHECK_OK(wsframe_url_parse(S("wss://127.0.0.1"), &u));
    CHECK(span_is(u.host, u.host_len, "127.0.0.1") && u.port == 443 && u.secure);
    CHECK(span_is(u.path, u.path_len, "/") && u.query == NULL && u.query_len == 0);
    CHECK_OK(wsframe_url_parse(S("ws://[::1]:8080/"), &u));
    CHECK(span_is(u.host, u.host_len, "::1") && u.port == 8080);
    CHECK_R(wsframe_url_parse(S("http://example.com/"), &u), WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME);
    CHECK_R(wsframe_url_parse(S("ws://example.com/#top"), &u), WSFRAME_RESULT_HANDSHAKE_FRAGMENT_IN_URI);
    CHECK_R(wsframe_url_parse(S("ws://example.com:0/"), &u), WSFRAME_RESULT_HANDSHAKE_INVALID_PORT);
    CHECK_R(wsframe_url_parse(S("ws://example.com:99999/"), &u), WSFRAME_RESULT_HANDSHAKE_INVALID_PORT);
    CHECK_R(wsframe_url_parse(S("not a url"), &u), WSFRAME_RESULT_HANDSHAKE_INVALID_URI);
    CHECK_R(wsframe_url_parse("ws://\xff/", 7, &u), WSFRAME_RESULT_INVALID_UTF8);
    CHECK_R(wsframe_url_parse(NULL, 5, &u), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_url_parse(S("ws://a/"), NULL), WSFRAME_RESULT_NULL_POINTER);
}

/* A whole exchange: client request, server parse and accept, client check,
 * with the nonce of RFC 6455 §4.1 ("the sample nonce"). */
static void full_exchange(void) {
    wsframe_client_handshake hs;
    uint8_t request[1024];
    size_t request_len = 0;
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://localhost:9001/echo?x=1"), S("http://example.com"),
                                            S("v2.echo, echo"), NULL, 0, S("Cookie: a=b\r\nX-Trace: 42\n"),
                                            (const uint8_t *)"the sample nonce", WSFRAME_NONCE_LEN,
                                            request, sizeof request, &request_len));
    const char *text = (const char *)request;
    CHECK(request_len > 0 && request_len < sizeof request);
    CHECK(strncmp(text, "GET /echo?x=1 HTTP/1.1\r\nHost: localhost:9001\r\n", 46) == 0);
    request[request_len] = 0;
    CHECK(strstr(text, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") != NULL);
    CHECK(strstr(text, "Sec-WebSocket-Protocol: v2.echo, echo\r\n") != NULL);
    CHECK(strstr(text, "Origin: http://example.com\r\n") != NULL);
    CHECK(strstr(text, "Cookie: a=b\r\n") != NULL && strstr(text, "X-Trace: 42\r\n") != NULL);

    /* The server, first with a partial request, then the whole, plus a frame behind it. */
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse(request, request_len - 1, 0, &req));
    CHECK(!req.complete && req.path == NULL && req.consumed == 0);
    memcpy(request + request_len, "\x81\x80\0\0\0\0", 6);
    CHECK_OK(wsframe_server_request_parse(request, request_len + 6, 0, &req));
    CHECK(req.complete && req.consumed == request_len);
    CHECK(span_is(req.path, req.path_len, "/echo?x=1"));
    CHECK(span_is(req.host, req.host_len, "localhost:9001"));
    CHECK(span_is(req.key, req.key_len, "dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK(span_is(req.origin, req.origin_len, "http://example.com"));
    CHECK(span_is(req.protocols, req.protocols_len, "v2.echo, echo"));
    CHECK(req.extensions == NULL && req.extensions_len == 0);
    const char *p = NULL;
    size_t plen = 0;
    CHECK_OK(wsframe_server_request_protocol(&req, 0, &p, &plen));
    CHECK(span_is(p, plen, "v2.echo"));
    CHECK_OK(wsframe_server_request_protocol(&req, 1, &p, &plen));
    CHECK(span_is(p, plen, "echo"));
    CHECK_OK(wsframe_server_request_protocol(&req, 2, &p, &plen));
    CHECK(p == NULL && plen == 0);
    CHECK_OK(wsframe_server_request_header(&req, S("cookie"), &p, &plen));
    CHECK(span_is(p, plen, "a=b"));
    CHECK_OK(wsframe_server_request_header(&req, S("X-Missing"), &p, &plen));
    CHECK(p == NULL && plen == 0);

    uint8_t response[512];
    size_t response_len = 0;
    CHECK_OK(wsframe_server_write_accept(req.key, req.key_len, S("echo"), NULL, 0, S("Set-Cookie: s=1"), response,
                                         sizeof response, &response_len));
    const char accept_head[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: echo\r\n"
        "Set-Cookie: s=1\r\n\r\n";
    CHECK_BYTES(response, response_len, accept_head, sizeof accept_head - 1);

    /* The client: partial, then accepted with the first frame behind the head. */
    wsframe_client_response resp;
    CHECK_OK(wsframe_client_handshake_check(&hs, response, 10, 0, &resp));
    CHECK(!resp.complete && !resp.accepted);
    memcpy(response + response_len, "\x81\x00", 2);
    CHECK_OK(wsframe_client_handshake_check(&hs, response, response_len + 2, 0, &resp));
    CHECK(resp.complete && resp.accepted && resp.status == 101 && resp.consumed == response_len);
    CHECK(span_is(resp.protocol, resp.protocol_len, "echo"));
    CHECK(resp.location == NULL && resp.extensions == NULL && resp.extensions_len == 0);
    /* A copy of the state checks the same. */
    wsframe_client_handshake copy = hs;
    CHECK_OK(wsframe_client_handshake_check(&copy, response, response_len, 0, &resp));
    CHECK(resp.accepted);
}

static void client_refusals_and_failures(void) {
    wsframe_client_handshake hs;
    uint8_t request[512];
    size_t n = 0;
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://example.com/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                            request, sizeof request, &n));
    wsframe_client_response resp;
    /* A redirect is not an error: status and Location are reported. */
    const char redirect[] = "HTTP/1.1 302 Found\r\nLocation: ws://other.example/\r\nContent-Length: 0\r\n\r\n";
    CHECK_OK(wsframe_client_handshake_check(&hs, (const uint8_t *)redirect, sizeof redirect - 1, 0, &resp));
    CHECK(resp.complete && !resp.accepted && resp.status == 302 && resp.consumed == sizeof redirect - 1);
    CHECK(span_is(resp.location, resp.location_len, "ws://other.example/"));
    /* A 101 with the wrong accept key fails the connection. */
    const char bad_accept[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    CHECK_R(wsframe_client_handshake_check(&hs, (const uint8_t *)bad_accept, sizeof bad_accept - 1, 0, &resp),
            WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT);
    /* A subprotocol that was not offered. */
    wsframe_client_handshake sample;
    CHECK_OK(wsframe_client_handshake_write(&sample, S("ws://example.com/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                            (const uint8_t *)"the sample nonce", 16, request, sizeof request, &n));
    const char unexpected[] =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
    CHECK_R(wsframe_client_handshake_check(&sample, (const uint8_t *)unexpected, sizeof unexpected - 1, 0, &resp),
            WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_PROTOCOL);
    /* The head limit. */
    CHECK_R(wsframe_client_handshake_check(&sample, (const uint8_t *)unexpected, 40, 40, &resp),
            WSFRAME_RESULT_HANDSHAKE_TOO_LARGE);
    /* A never-written state, NULLs. */
    wsframe_client_handshake zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    CHECK_R(wsframe_client_handshake_check(&zeroed, (const uint8_t *)redirect, sizeof redirect - 1, 0, &resp),
            WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_client_handshake_check(NULL, (const uint8_t *)redirect, 10, 0, &resp),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_client_handshake_check(&hs, NULL, 10, 0, &resp), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_client_handshake_check(&hs, (const uint8_t *)redirect, 10, 0, NULL),
            WSFRAME_RESULT_NULL_POINTER);
}

static void client_write_misuse(void) {
    wsframe_client_handshake hs;
    uint8_t out[512];
    size_t n = 0;
    const uint8_t *nonce = (const uint8_t *)"the sample nonce";
    /* Too small: the exact size is reported, the state is not written. */
    memset(&hs, 0, sizeof hs);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out, 10, &n),
            WSFRAME_RESULT_INSUFFICIENT_SIZE);
    size_t needed = n;
    wsframe_client_response resp;
    CHECK_R(wsframe_client_handshake_check(&hs, out, 0, 0, &resp), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out,
                                            needed, &n));
    CHECK(n == needed);
    /* Header injection and reserved headers are refused. */
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, S("X-A: 1\rInjected: 2"), nonce,
                                           16, out, sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, S("Host: evil"), nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, S("Bad Name: 1"), nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_NAME);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, S("no colon"), nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), S("http://x\r\n"), NULL, 0, NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, S("a, a"), NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, S("a b"), NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ftp://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 15, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_client_handshake_write(NULL, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_client_handshake_write(&hs, NULL, 3, NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out, sizeof out, &n),
            WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, NULL),
            WSFRAME_RESULT_NULL_POINTER);
    /* Too many protocols for the saved state. */
    char many[300];
    memset(many, 'p', sizeof many);
    CHECK_R(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, many, sizeof many, NULL, 0, NULL, 0, nonce, 16, out,
                                           sizeof out, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    /* OS randomness: two requests get different keys. */
    uint8_t out2[512];
    size_t n2 = 0;
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, out,
                                            sizeof out, &n));
    CHECK_OK(wsframe_client_handshake_write(&hs, S("ws://a/"), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, out2,
                                            sizeof out2, &n2));
    CHECK(n == n2 && memcmp(out, out2, n) != 0);
}

static void server_refusals(void) {
    wsframe_server_request req;
    const char old_version[] =
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
    uint32_t r = wsframe_server_request_parse((const uint8_t *)old_version, sizeof old_version - 1, 0, &req);
    CHECK_R(r, WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION);
    CHECK(wsframe_result_is_handshake_error(r) && wsframe_result_http_status(r) == 426);
    uint8_t out[512];
    size_t n = 0;
    CHECK_OK(wsframe_server_write_reject(wsframe_result_http_status(r), out, sizeof out, &n));
    CHECK(n > 12 && memcmp(out, "HTTP/1.1 426 ", 13) == 0);
    out[n < sizeof out ? n : sizeof out - 1] = 0;
    CHECK(strstr((const char *)out, "Sec-WebSocket-Version: 13\r\n") != NULL);
    CHECK_R(wsframe_server_write_reject(403, out, 10, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n > 10);
    CHECK_R(wsframe_server_write_reject(200, out, sizeof out, &n), WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS);
    CHECK_R(wsframe_server_write_reject(403, out, sizeof out, NULL), WSFRAME_RESULT_NULL_POINTER);
    const char post[] = "POST / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_R(wsframe_server_request_parse((const uint8_t *)post, sizeof post - 1, 0, &req),
            WSFRAME_RESULT_HANDSHAKE_NOT_GET);
    const char no_key[] = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
    CHECK_R(wsframe_server_request_parse((const uint8_t *)no_key, sizeof no_key - 1, 0, &req),
            WSFRAME_RESULT_HANDSHAKE_MISSING_KEY);
    CHECK_R(wsframe_server_request_parse((const uint8_t *)"garbage\r\n\r\n", 11, 0, &req),
            WSFRAME_RESULT_HANDSHAKE_MALFORMED_HTTP);
    /* The size limit, and a head that never ends. */
    CHECK_R(wsframe_server_request_parse((const uint8_t *)old_version, sizeof old_version - 1, 32, &req),
            WSFRAME_RESULT_HANDSHAKE_TOO_LARGE);
    CHECK_R(wsframe_server_request_parse(NULL, 1, 0, &req), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_request_parse((const uint8_t *)post, 3, 0, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_OK(wsframe_server_request_parse(NULL, 0, 0, &req));
    CHECK(!req.complete);
    /* Accessors need a complete parse. */
    const char *p;
    size_t plen;
    CHECK_R(wsframe_server_request_protocol(&req, 0, &p, &plen), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_request_header(&req, S("Host"), &p, &plen), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_request_protocol(NULL, 0, &p, &plen), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_request_header(NULL, S("Host"), &p, &plen), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_request_protocol(&req, 0, NULL, &plen), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_request_header(&req, S("Host"), &p, NULL), WSFRAME_RESULT_NULL_POINTER);
}

static void server_accept_misuse(void) {
    uint8_t out[256];
    size_t n = 0;
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    CHECK_R(wsframe_server_write_accept(key, 24, NULL, 0, NULL, 0, NULL, 0, out, 20, &n), WSFRAME_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 129);
    CHECK_OK(wsframe_server_write_accept(key, 24, NULL, 0, NULL, 0, NULL, 0, out, n, &n));
    CHECK(n == 129);
    CHECK_R(wsframe_server_write_accept(key, 24, S("not a token"), NULL, 0, NULL, 0, out, sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL);
    CHECK_R(wsframe_server_write_accept(key, 24, NULL, 0, NULL, 0, S("Upgrade: h2c"), out, sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER);
    CHECK_R(wsframe_server_write_accept(key, 24, NULL, 0, NULL, 0, S("X: a\x01"), out, sizeof out, &n),
            WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE);
    CHECK_R(wsframe_server_write_accept(NULL, 24, NULL, 0, NULL, 0, NULL, 0, out, sizeof out, &n), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_server_write_accept(key, 24, NULL, 0, NULL, 0, NULL, 0, out, sizeof out, NULL),
            WSFRAME_RESULT_NULL_POINTER);
}

/* Every writer that also reads caller memory checks the two apart: writing
 * the 101 into the buffer the request was read into (the natural C pattern)
 * is refused, not done over the key it is reading; the accept key may be
 * computed in place. */
static void outputs_never_overwrite_inputs(void) {
    uint8_t buf[1024];
    int n_req = snprintf((char *)buf, sizeof buf,
                         "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: chat, echo\r\n\r\n");
    size_t len = (size_t)n_req, n = 0;
    wsframe_server_request req;
    CHECK_OK(wsframe_server_request_parse(buf, len, 0, &req));
    CHECK(req.complete);
    /* The acceptance over the request it answers. */
    CHECK_R(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, NULL, 0, buf, sizeof buf, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, NULL, 0, buf + len, sizeof buf - len,
                                        (size_t *)(void *)(buf + len)),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    /* Beyond the request (and its key) it is the caller's free memory. */
    CHECK_OK(wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, NULL, 0, buf + len, sizeof buf - len, &n));
    CHECK(memcmp(buf + len, "HTTP/1.1 101 ", 13) == 0);
    /* Accessors: outputs into the request buffer, or into the request struct. */
    const char *p = NULL;
    size_t plen = 0;
    CHECK_R(wsframe_server_request_protocol(&req, 0, (const char **)(void *)(buf + 16), &plen),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_request_protocol(&req, 0, &p, &req.path_len), WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_request_header(&req, "Host", 4, &p, (size_t *)(void *)(buf + 8)),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_server_request_header(&req, (const char *)&plen, sizeof plen, &p, &plen),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_OK(wsframe_server_request_protocol(&req, 1, &p, &plen));
    CHECK(plen == 4 && memcmp(p, "echo", 4) == 0);
    /* A parse written over its own input. */
    wsframe_server_request *inside = (wsframe_server_request *)(void *)(buf + 64);
    CHECK_R(wsframe_server_request_parse(buf, len, 0, inside), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* The accept key, computed over the key it reads. */
    char key[32] = "dGhlIHNhbXBsZSBub25jZQ==";
    CHECK_OK(wsframe_accept_key((const uint8_t *)key, 24, (uint8_t *)key, sizeof key, &n));
    CHECK(n == 28 && memcmp(key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) == 0);
    CHECK_R(wsframe_accept_key((const uint8_t *)key, 24, (uint8_t *)key, sizeof key, (size_t *)(void *)(key + 8)),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    /* A URL's parts written over the URL. */
    char url[64] = "ws://example.com/a-long-enough-path-for-the-struct";
    CHECK_R(wsframe_url_parse(url, strlen(url), (wsframe_url *)(void *)url), WSFRAME_RESULT_INVALID_ARGUMENT);
    /* The client's request over its own URL or state. */
    wsframe_client_handshake hs;
    CHECK_R(wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                           (uint8_t *)url, sizeof url, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    CHECK_R(wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
                                           (uint8_t *)&hs, sizeof hs, &n),
            WSFRAME_RESULT_INVALID_ARGUMENT);
    /* A length above PTRDIFF_MAX. */
    CHECK_R(wsframe_server_request_parse(buf, (size_t)-1, 0, &req), WSFRAME_RESULT_INVALID_ARGUMENT);
}

void run_handshake_tests(void) {
    RUN(accept_key_rfc_vector);
    RUN(url_parsing);
    RUN(full_exchange);
    RUN(client_refusals_and_failures);
    RUN(client_write_misuse);
    RUN(server_refusals);
    RUN(server_accept_misuse);
    RUN(outputs_never_overwrite_inputs);
}
