/*
 * wsframe-client: a line-oriented WebSocket client over plain TCP.
 *
 *   wsframe-client --url ws://127.0.0.1:9001/path
 *
 * Sends each stdin line as a text message and prints what comes back as
 * "< text" ("< [binary, N bytes]" for binary messages); answers pings; at
 * the end of stdin closes with 1000, waits for the server's Close and exits
 * 0. For wss:// use wsframe-wss-client.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <wsframe.h>

#include "common/lineclient.h"
#include "common/net.h"
#include "common/wsclient.h"

static long tcp_read(void *ctx, uint8_t *buf, size_t len) { return net_read(*(int *)ctx, buf, len); }
static int tcp_write(void *ctx, const uint8_t *buf, size_t len) { return net_write_all(*(int *)ctx, buf, len); }

static int usage(void) {
    fprintf(stderr, "usage: wsframe-client --url ws://HOST:PORT/PATH\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
            url = argv[++i];
        } else {
            return usage();
        }
    }
    if (url == NULL) return usage();

    wsframe_url parts;
    wsframe_result r = wsframe_url_parse(url, strlen(url), &parts);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, "wsframe-client: bad URL %s: %s\n", url, wsframe_result_str(r));
        return 2;
    }
    if (parts.secure) {
        fprintf(stderr, "wsframe-client: %s needs TLS: use wsframe-wss-client\n", url);
        return 2;
    }
    char err[256];
    int fd = net_connect(parts.host, parts.host_len, parts.port, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "wsframe-client: %s\n", err);
        return 1;
    }
    wsc_transport t = {.ctx = &fd, .read = tcp_read, .write = tcp_write, .pending = NULL, .fd = fd};
    wsc c;
    int status = 1;
    if (wsc_open(&c, &t, url) != 0) {
        fprintf(stderr, "wsframe-client: %s\n", c.error);
    } else {
        fprintf(stderr, "wsframe-client: connected to %s\n", url);
        status = lineclient_run(&c, "wsframe-client");
    }
    wsc_free(&c);
    close(fd);
    return status;
}
