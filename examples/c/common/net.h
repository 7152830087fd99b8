/*
 * Small POSIX socket helpers shared by the C examples. The wsframe library
 * does no I/O: everything here is the caller's side of the bargain.
 */
#ifndef WSFRAME_EXAMPLES_NET_H
#define WSFRAME_EXAMPLES_NET_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t net_now_ms(void);

/* A TCP socket connected to host:port (blocking, TCP_NODELAY), or -1 with a
 * message in err. `host` need not be NUL-terminated. */
int net_connect(const char *host, size_t host_len, uint16_t port, char *err, size_t err_len);

/* Makes blocking reads on fd give up after ms (0: wait forever): 0 or -1. */
int net_set_read_timeout(int fd, uint64_t ms);

/* Writes all of buf to a blocking socket (retries on EINTR, no SIGPIPE): 0 or -1. */
int net_write_all(int fd, const uint8_t *buf, size_t len);

/* One read from a blocking socket, retried on EINTR: >0 bytes, 0 end of stream, -1 error. */
long net_read(int fd, uint8_t *buf, size_t len);

#endif
