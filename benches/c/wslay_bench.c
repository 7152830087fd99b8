/*
 * In-memory driver for wslay (Debian's libwslay-dev), called from the Rust
 * harness (benches/src/peers/wslay.rs), which does all the timing.
 *
 * wslay is driven through its connection API (wslay_event_*), the peer of
 * wsframe's Connection: the "socket" is a pair of callbacks that copy from a
 * prebuilt input buffer and into a preallocated output buffer.
 */
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <wslay/wslay.h>

struct bench_io {
  const uint8_t *in;
  size_t in_len;
  size_t in_pos;
  size_t read_cap; /* most bytes one simulated read() returns */
  uint8_t *out;
  size_t out_cap;
  size_t out_pos;
  uint64_t payload_bytes;
  uint64_t messages;
  uint64_t sink;
  uint64_t rng;
};

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                       int flags, void *user_data) {
  struct bench_io *io = user_data;
  size_t n = io->in_len - io->in_pos;
  (void)flags;
  if (n == 0) {
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  if (n > len) n = len;
  if (n > io->read_cap) n = io->read_cap;
  memcpy(buf, io->in + io->in_pos, n);
  io->in_pos += n;
  return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data,
                       size_t len, int flags, void *user_data) {
  struct bench_io *io = user_data;
  (void)flags;
  if (io->out_cap - io->out_pos < len) {
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  memcpy(io->out + io->out_pos, data, len);
  io->out_pos += len;
  return (ssize_t)len;
}

/* The same xorshift64* as the Rust side's caller-supplied mask source. */
static int genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                      void *user_data) {
  struct bench_io *io = user_data;
  size_t i;
  (void)ctx;
  for (i = 0; i < len; i += 8) {
    uint64_t x = io->rng;
    uint64_t v;
    size_t k = len - i < 8 ? len - i : 8;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    io->rng = x;
    v = x * 0x2545F4914F6CDD1DULL;
    memcpy(buf + i, &v, k);
  }
  return 0;
}

static void on_chunk(wslay_event_context_ptr ctx,
                     const struct wslay_event_on_frame_recv_chunk_arg *arg,
                     void *user_data) {
  struct bench_io *io = user_data;
  (void)ctx;
  io->payload_bytes += arg->data_length;
  if (arg->data_length > 0) {
    io->sink += arg->data[0] ^ arg->data[arg->data_length - 1];
  }
}

static void on_msg(wslay_event_context_ptr ctx,
                   const struct wslay_event_on_msg_recv_arg *arg,
                   void *user_data) {
  struct bench_io *io = user_data;
  (void)ctx;
  if (arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME) {
    io->messages += 1;
  }
}

/*
 * Server side: decode a client's (masked) byte stream. No buffering: payload
 * is handed over chunk by chunk as it is unmasked, like wsframe's events;
 * wslay still validates UTF-8 of text messages itself.
 * Returns payload bytes + messages delivered, or UINT64_MAX on error.
 */
uint64_t wslay_bench_decode(const uint8_t *in, size_t in_len, size_t read_cap,
                            uint64_t *sink) {
  struct wslay_event_callbacks cbs = {recv_cb, send_cb, genmask_cb, NULL,
                                      on_chunk, NULL, on_msg};
  struct bench_io io;
  wslay_event_context_ptr ctx;
  int rv;
  memset(&io, 0, sizeof(io));
  io.in = in;
  io.in_len = in_len;
  io.read_cap = read_cap;
  io.rng = 1;
  if (wslay_event_context_server_init(&ctx, &cbs, &io) != 0) return UINT64_MAX;
  wslay_event_config_set_no_buffering(ctx, 1);
  wslay_event_config_set_max_recv_msg_length(ctx, (uint64_t)1 << 30);
  rv = wslay_event_recv(ctx);
  /* A protocol error makes wslay queue a Close: it would show as output. */
  if (rv != 0 || wslay_event_want_write(ctx) || io.in_pos != in_len) {
    wslay_event_context_free(ctx);
    return UINT64_MAX;
  }
  wslay_event_context_free(ctx);
  *sink += io.sink;
  return io.payload_bytes + io.messages;
}

/*
 * Encode `count` binary messages of `payload` one at a time (queue + send),
 * server (unmasked) or client (masked); returns bytes written to `out`, or
 * SIZE_MAX on error.
 */
size_t wslay_bench_encode(const uint8_t *payload, size_t len, size_t count,
                          int client, uint8_t *out, size_t out_cap) {
  struct wslay_event_callbacks cbs = {recv_cb, send_cb, genmask_cb, NULL,
                                      NULL, NULL, NULL};
  struct bench_io io;
  wslay_event_context_ptr ctx;
  struct wslay_event_msg msg;
  size_t i;
  memset(&io, 0, sizeof(io));
  io.out = out;
  io.out_cap = out_cap;
  io.rng = 0x9E3779B97F4A7C15ULL;
  if ((client ? wslay_event_context_client_init(&ctx, &cbs, &io)
              : wslay_event_context_server_init(&ctx, &cbs, &io)) != 0) {
    return SIZE_MAX;
  }
  msg.opcode = WSLAY_BINARY_FRAME;
  msg.msg = payload;
  msg.msg_length = len;
  for (i = 0; i < count; ++i) {
    if (wslay_event_queue_msg(ctx, &msg) != 0 || wslay_event_send(ctx) != 0) {
      wslay_event_context_free(ctx);
      return SIZE_MAX;
    }
  }
  wslay_event_context_free(ctx);
  return io.out_pos;
}

/* Heap bytes (glibc mallinfo2, chunk sizes) held by one idle server context. */
size_t wslay_bench_idle_heap(void) {
  struct wslay_event_callbacks cbs = {recv_cb, send_cb, genmask_cb, NULL,
                                      NULL, NULL, NULL};
  struct bench_io io;
  wslay_event_context_ptr ctx;
  size_t before, after;
  memset(&io, 0, sizeof(io));
  before = mallinfo2().uordblks;
  if (wslay_event_context_server_init(&ctx, &cbs, &io) != 0) return 0;
  after = mallinfo2().uordblks;
  wslay_event_context_free(ctx);
  return after - before;
}
