/*
 * wsframe-wss-client: wsframe-client over TLS (OpenSSL), to show that TLS is
 * simply the caller's transport: the library sees the same plaintext bytes
 * either way.
 *
 *   wsframe-wss-client --url wss://127.0.0.1:PORT/ [--insecure | --cafile F]
 *
 * Verifies the server's certificate against the system store (or --cafile F)
 * and the URL's host name or IP address; --insecure skips verification (for
 * testing only). Then, like wsframe-client: each stdin line goes out as a
 * text message, replies are printed as "< text", and at the end of stdin the
 * client closes with 1000 and exits 0 after the server's Close.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <wsframe.h>

#include "common/lineclient.h"
#include "common/net.h"
#include "common/wsclient.h"

static void print_tls_errors(const char *what) {
    unsigned long e;
    fprintf(stderr, "wsframe-wss-client: %s\n", what);
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        fprintf(stderr, "  %s\n", buf);
    }
}

/* The transport: SSL_read / SSL_write over a blocking socket. */
static long tls_read(void *ctx, uint8_t *buf, size_t len) {
    SSL *ssl = ctx;
    size_t got = 0;
    if (SSL_read_ex(ssl, buf, len, &got) == 1) return (long)got;
    int err = SSL_get_error(ssl, 0);
    if (err == SSL_ERROR_WANT_READ) return WSC_AGAIN; /* a record without data (a session ticket) */
    if (err == SSL_ERROR_ZERO_RETURN) return 0;      /* close_notify */
    if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0; /* EOF without close_notify */
    print_tls_errors("TLS read failed");
    return -1;
}

static int tls_write(void *ctx, const uint8_t *buf, size_t len) {
    SSL *ssl = ctx;
    while (len > 0) {
        size_t n = 0;
        if (SSL_write_ex(ssl, buf, len, &n) != 1) {
            print_tls_errors("TLS write failed");
            return -1;
        }
        buf += n;
        len -= n;
    }
    return 0;
}

/* Decrypted bytes waiting inside OpenSSL: poll() on the socket cannot see them. */
static size_t tls_pending(void *ctx) { return (size_t)SSL_pending((SSL *)ctx); }

static int usage(void) {
    fprintf(stderr, "usage: wsframe-wss-client --url wss://HOST:PORT/PATH [--insecure | --cafile FILE]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *url = NULL, *cafile = NULL;
    bool insecure = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) url = argv[++i];
        else if (strcmp(argv[i], "--cafile") == 0 && i + 1 < argc) cafile = argv[++i];
        else if (strcmp(argv[i], "--insecure") == 0) insecure = true;
        else return usage();
    }
    if (url == NULL || (insecure && cafile != NULL)) return usage();

    wsframe_url parts;
    wsframe_result r = wsframe_url_parse(url, strlen(url), &parts);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, "wsframe-wss-client: bad URL %s: %s\n", url, wsframe_result_str(r));
        return 2;
    }
    if (!parts.secure) {
        fprintf(stderr, "wsframe-wss-client: %s is not wss://: use wsframe-client\n", url);
        return 2;
    }
    char host[256];
    if (parts.host_len >= sizeof host) return usage();
    memcpy(host, parts.host, parts.host_len);
    host[parts.host_len] = '\0';

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        print_tls_errors("SSL_CTX_new failed");
        return 1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* SSL_read returns after records without application data instead of blocking for
     * more, so a poll() that said "readable" never leaves stdin waiting. */
    SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    if (!insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int loaded = cafile != NULL ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
                                    : SSL_CTX_set_default_verify_paths(ctx);
        if (loaded != 1) {
            print_tls_errors(cafile != NULL ? "cannot load --cafile" : "cannot load the system CA store");
            SSL_CTX_free(ctx);
            return 1;
        }
    }

    char err[256];
    int fd = net_connect(parts.host, parts.host_len, parts.port, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "wsframe-wss-client: %s\n", err);
        SSL_CTX_free(ctx);
        return 1;
    }
    SSL *ssl = SSL_new(ctx);
    int status = 1;
    unsigned char ip[16];
    bool is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
        print_tls_errors("SSL_new failed");
        goto out;
    }
    if (!is_ip) SSL_set_tlsext_host_name(ssl, host); /* SNI is for names only */
    if (!insecure) {
        /* RFC 6125: the certificate must name the host (or IP address) of the URL. */
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host) : X509_VERIFY_PARAM_set1_host(param, host, 0);
        if (ok != 1) {
            print_tls_errors("cannot set the name to verify");
            goto out;
        }
    }
    if (SSL_connect(ssl) != 1) {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK) fprintf(stderr, "wsframe-wss-client: certificate: %s\n", X509_verify_cert_error_string(v));
        print_tls_errors("TLS handshake failed");
        goto out;
    }
    fprintf(stderr, "wsframe-wss-client: %s with %s\n", SSL_get_version(ssl), SSL_get_cipher_name(ssl));

    wsc_transport t = {.ctx = ssl, .read = tls_read, .write = tls_write, .pending = tls_pending, .fd = fd};
    wsc c;
    if (wsc_open(&c, &t, url) != 0) {
        fprintf(stderr, "wsframe-wss-client: %s\n", c.error);
    } else {
        fprintf(stderr, "wsframe-wss-client: connected to %s\n", url);
        status = lineclient_run(&c, "wsframe-wss-client");
        if (status == 0) SSL_shutdown(ssl); /* our close_notify */
    }
    wsc_free(&c);

out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return status;
}
