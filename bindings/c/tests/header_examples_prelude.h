/*
 * What the ```c examples in wsframe.h's doc comments may assume, for
 * header_examples.sh, which compiles each of them (c99, -Wall -Wextra
 * -Werror, syntax only) as the body of a function of its own after this
 * file. An example uses the names below without declaring them; any other
 * name it declares itself (it may also redeclare one of these: each example
 * is a block of its own, inside the function that declares the locals).
 *
 * Helpers, the application's own I/O and logic (declared, never defined):
 *   write_all(fd, p, n)      write n bytes at p to the socket
 *   read_some(fd, p, cap)    read up to cap bytes into p; the count (0: closed)
 *   close_socket(fd)         close the socket
 *   on_message(p, n)         hand a received message (or chunk) to the app
 *   now_ms()                 the caller's monotonic clock, in milliseconds
 *   sleep_ms(ms)             wait ms milliseconds
 *   trng_fill                a wsframe_random_fn: a hardware TRNG
 *
 * Locals of every example (values set, so no example reads garbage):
 *   int fd                            the socket
 *   uint8_t in[4096]; size_t have     bytes read from the peer, and how many
 *   uint8_t out[1024]; size_t n       a buffer to write into, and a length
 *   wsframe_result r                  a result
 *   wsframe_conn *conn                a live frame-level connection
 *   wsframe_session *session          a live session
 *   wsframe_conn_config config        a config (filled with the defaults)
 *   wsframe_server_request req        a request parsed from in[0..have]
 *   wsframe_client_handshake hs       a client's handshake state
 *   wsframe_event ev                  an event just received
 *   wsframe_backoff backoff           a backoff set up by wsframe_backoff_init
 *   const uint8_t *a, *b; size_t a_len, b_len   two messages to send
 */
#ifndef WSFRAME_HEADER_EXAMPLES_PRELUDE_H
#define WSFRAME_HEADER_EXAMPLES_PRELUDE_H

/* header_examples.sh passes the header under test with -include, whatever
 * its file name; used alone, this includes the one on the include path. */
#ifndef WSFRAME_H
#include <wsframe.h>
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void write_all(int fd, const uint8_t *p, size_t n);
size_t read_some(int fd, uint8_t *p, size_t cap);
void close_socket(int fd);
void on_message(const uint8_t *p, size_t n);
uint64_t now_ms(void);
void sleep_ms(uint64_t ms);
bool trng_fill(void *user, uint8_t *buf, size_t len);

#define HEADER_EXAMPLE_LOCALS                                                                      \
    int fd = 3;                                                                                    \
    uint8_t in[4096] = {0};                                                                        \
    size_t have = 0;                                                                               \
    uint8_t out[1024] = {0};                                                                       \
    size_t n = 0;                                                                                  \
    wsframe_result r = WSFRAME_RESULT_OK;                                                          \
    wsframe_conn *conn = NULL;                                                                     \
    wsframe_session *session = NULL;                                                               \
    wsframe_conn_config config;                                                                    \
    wsframe_server_request req;                                                                    \
    wsframe_client_handshake hs;                                                                   \
    wsframe_event ev;                                                                              \
    wsframe_backoff backoff;                                                                       \
    const uint8_t *a = NULL, *b = NULL;                                                            \
    size_t a_len = 0, b_len = 0;                                                                   \
    memset(&config, 0, sizeof config);                                                             \
    memset(&req, 0, sizeof req);                                                                   \
    memset(&hs, 0, sizeof hs);                                                                     \
    memset(&ev, 0, sizeof ev);                                                                     \
    wsframe_backoff_init(&backoff, 30000);                                                         \
    wsframe_conn_config_default(&config)

#endif
