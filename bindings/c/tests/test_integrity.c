/* Data integrity through the C API (issue 9): real-world-like payloads,
 * permessage-deflate off and on, checked against an independent
 * implementation, the system zlib, and by length and SHA-256.
 *
 *   wsframe -> zlib: frames a session queued (wsframe_session_send) are read by the
 *   frame reader here (RFC 6455 §5.2), and their payloads inflated by zlib
 *   (raw deflate, 00 00 ff ff appended, one z_stream per connection, reset
 *   before each message when the sender has no_context_takeover:
 *   RFC 7692 §7.2.2).
 *   zlib -> wsframe: messages deflated by zlib (raw, Z_SYNC_FLUSH, the
 *   00 00 ff ff tail stripped: RFC 7692 §7.2.1) are framed here (masked
 *   towards a server, some split into fragments with RSV1 on the first
 *   only: RFC 7692 §6.1) and received by wsframe_session_receive.
 *
 * The corpus is deterministic (seeded xorshift): compressible English-like
 * text; multilingual UTF-8 with 4-byte characters, every boundary code
 * point between the 1- to 4-byte forms, U+0000, U+FFFE, U+FFFF, U+10FFFF,
 * and U+FEFF at start, middle and end (sent as text); a stream of noisy
 * 512x512 8-bit greyscale BMP pictures (header, palette, gradient plus
 * noise); random bytes. Sizes: 0, 1, 125-127, 2^k-1, 2^k, 2^k+1 for
 * k = 7..20 (up to 1 MiB), 31745, 31746 and 65535-65537 (issue 9).
 *
 * WSFRAME_TEST_SHORT=1 (run.sh sets it for the valgrind run only, where
 * both compressors run some 50 times slower) caps the size sweep at
 * 2^16 + 1 bytes, sends 64 image slices instead of 1000 (past slice 49,
 * the first that the compressor before the fix for issue 9 broke) and
 * sweeps fewer messages per connection. The plain and ASan+UBSan runs do
 * everything.
 */
#define ZLIB_CONST
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "common.h"

static bool g_short;

/* SHA-256 (FIPS 180-4) from OpenSSL's libcrypto: one more independent
 * implementation, and fast enough to digest every message in the ASan and
 * valgrind runs, where a C one compiled here is not. */
static void sha256(const uint8_t *p, size_t n, uint8_t out[32]) {
    unsigned int len = 0;
    if (EVP_Digest(n > 0 ? p : (const uint8_t *)"", n, out, &len, EVP_sha256(), NULL) != 1 || len != 32)
        memset(out, 0, 32); /* never equal to a real digest check below: fails loudly */
}

/* The first 8 bytes of a digest in hex, for messages. */
static const char *short_hex(const uint8_t d[32], char buf[17]) {
    for (int i = 0; i < 8; i++) snprintf(buf + 2 * i, 3, "%02x", d[i]);
    return buf;
}

/* ---- Deterministic corpus --------------------------------------------- */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r) { /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static rng_t rng_seed(uint64_t seed) {
    rng_t r = {seed * 0x9E3779B97F4A7C15ull ^ 0xD1B54A32D192ED03ull};
    if (r.s == 0) r.s = 1;
    rng_next(&r);
    return r;
}

static uint32_t rng_below(rng_t *r, uint32_t n) { return (uint32_t)((rng_next(r) >> 32) % n); }

/* The masking-key source of the client connections here: reproducible runs. */
static bool seeded_random(void *user, uint8_t *buf, size_t len) {
    rng_t *r = (rng_t *)user;
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(rng_next(r) >> 56);
    return true;
}

enum { C_TEXT, C_UTF8, C_IMAGE, C_RANDOM, C_COUNT };
static const char *const CORPUS_NAME[C_COUNT] = {"text", "utf8", "image", "random"};

static uint32_t corpus_kind(int corpus) {
    return corpus == C_TEXT || corpus == C_UTF8 ? WSFRAME_EVENT_TEXT : WSFRAME_EVENT_BINARY;
}

/* Highly compressible English-like ASCII text. */
static void text_fill(uint64_t seed, uint8_t *dst, size_t len) {
    static const char *const words[] = {
        "the",  "of",      "and",    "to",     "in",     "a",      "is",          "that",   "for",
        "it",   "as",      "was",    "with",   "be",     "by",     "on",          "not",    "this",
        "are",  "or",      "from",   "at",     "which",  "but",    "have",        "an",     "they",
        "you",  "were",    "their",  "one",    "all",    "we",     "can",         "there",  "been",
        "if",   "more",    "when",   "will",   "would",  "who",    "so",          "no",     "frame",
        "mask", "message", "socket", "server", "client", "window", "compression", "deflate", "payload",
    };
    rng_t r = rng_seed(seed);
    size_t pos = 0, in_sentence = 0;
    while (pos < len) {
        const char *w = words[rng_below(&r, sizeof words / sizeof words[0])];
        char piece[32];
        int n = snprintf(piece, sizeof piece, "%s%s", w, ++in_sentence % 11 == 0 ? ".\n" : " ");
        for (int i = 0; i < n && pos < len; i++) dst[pos++] = (uint8_t)piece[i];
    }
}

/* The boundary code points of the UTF-8 forms (RFC 3629 §3), the
 * surrogate gap's edges, U+FEFF, the replacement character and the
 * noncharacters U+FFFE/U+FFFF: all valid in a text message. */
static const uint32_t BOUNDARY_CODE_POINTS[] = {
    0x0000, 0x007F,                                          /* 1 byte */
    0x0080, 0x07FF,                                          /* 2 bytes */
    0x0800, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, /* 3 bytes */
    0x10000, 0x10FFFF,                                       /* 4 bytes */
};
#define BOUNDARY_COUNT (sizeof BOUNDARY_CODE_POINTS / sizeof BOUNDARY_CODE_POINTS[0])

static size_t put_utf8(uint8_t *p, uint32_t cp) {
    if (cp < 0x80) {
        p[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (uint8_t)(0xC0 | cp >> 6);
        p[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (uint8_t)(0xE0 | cp >> 12);
        p[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        p[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (uint8_t)(0xF0 | cp >> 18);
    p[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    p[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    p[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Multilingual UTF-8 of exactly `len` bytes: phrases in many scripts
 * (2-, 3- and 4-byte characters), the boundary code points in turn, and
 * U+FEFF first, in the middle and last when it fits (len >= 9). */
static void utf8_fill(uint64_t seed, uint8_t *dst, size_t len) {
    static const char *const phrases[] = {
        "Grüße aus Köln, ça va? ",
        "Ελληνικά γράμματα ",
        "Съешь же ещё этих мягких французских булок ",
        "日本語のテキストです。",
        "中文测试，",
        "한국어 문장 ",
        "مرحبا بالعالم ",
        "नमस्ते दुनिया ",
        "שלום עולם ",
        "emoji 😀👍🏽🇩🇪 ",
        "𝄞 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ",
        "𠜎𠜱𠝹𠱓 ",
        "plain ASCII words ",
        "\t",
        "\r\n",
    };
    rng_t r = rng_seed(seed);
    bool bom = len >= 9, middle = !bom;
    size_t pos = bom ? put_utf8(dst, 0xFEFF) : 0;
    size_t end = bom ? len - 3 : len, special = (size_t)seed % BOUNDARY_COUNT;
    while (pos < end) {
        uint8_t piece[128]; /* the longest phrase is 79 bytes */
        size_t n;
        if (!middle && pos >= len / 2) {
            n = put_utf8(piece, 0xFEFF);
            middle = true;
        } else if (rng_below(&r, 4) == 0) {
            n = put_utf8(piece, BOUNDARY_CODE_POINTS[special++ % BOUNDARY_COUNT]);
        } else {
            const char *s = phrases[rng_below(&r, sizeof phrases / sizeof phrases[0])];
            n = strlen(s);
            memcpy(piece, s, n);
        }
        if (n > end - pos) { /* the tail: ASCII, so every length is valid UTF-8 */
            n = end - pos;
            memset(piece, 'z', n);
        }
        memcpy(dst + pos, piece, n);
        pos += n;
    }
    if (bom) put_utf8(dst + pos, 0xFEFF);
}

/* A stream of 512x512 8-bit greyscale BMP files: header, grey palette,
 * then bottom-up rows of a diagonal gradient plus noise, new noise (and
 * a shifted gradient) in each picture. */
#define IMG_SIDE 512
#define BMP_HEADER_LEN (14 + 40 + 256 * 4)
#define BMP_LEN (BMP_HEADER_LEN + IMG_SIDE * IMG_SIDE)

static uint8_t *g_bmp;            /* the picture last made */
static uint64_t g_bmp_index = ~0ull;

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void bmp_make(uint64_t index, uint8_t *out) {
    memset(out, 0, BMP_HEADER_LEN);
    out[0] = 'B';
    out[1] = 'M';
    put_le32(out + 2, BMP_LEN);
    put_le32(out + 10, BMP_HEADER_LEN);
    put_le32(out + 14, 40); /* BITMAPINFOHEADER */
    put_le32(out + 18, IMG_SIDE);
    put_le32(out + 22, IMG_SIDE);
    out[26] = 1; /* planes */
    out[28] = 8; /* bits per pixel; compression 0 = BI_RGB */
    put_le32(out + 34, IMG_SIDE * IMG_SIDE);
    put_le32(out + 38, 2835); /* 72 dpi */
    put_le32(out + 42, 2835);
    put_le32(out + 46, 256);
    for (int i = 0; i < 256; i++) memset(out + 54 + 4 * i, i, 3);
    rng_t r = rng_seed(0xB3F0 + index);
    uint8_t *px = out + BMP_HEADER_LEN;
    int shift = (int)(index * 37 % 64);
    for (int y = 0; y < IMG_SIDE; y++) {
        for (int x = 0; x < IMG_SIDE; x++) {
            /* Uniform noise of -24..24 on the gradient. */
            int v = (x + 2 * y) / 7 + shift + (int)((rng_next(&r) >> 33) % 49) - 24;
            px[y * IMG_SIDE + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* Bytes [offset, offset + len) of the BMP stream starting at picture `first`. */
static void image_fill(uint64_t first, uint64_t offset, uint8_t *dst, size_t len) {
    while (len > 0) {
        uint64_t index = first + offset / BMP_LEN;
        size_t at = (size_t)(offset % BMP_LEN), n = BMP_LEN - at < len ? BMP_LEN - at : len;
        if (index != g_bmp_index) {
            bmp_make(index, g_bmp);
            g_bmp_index = index;
        }
        memcpy(dst, g_bmp + at, n);
        dst += n;
        len -= n;
        offset += n;
    }
}

static void random_fill(uint64_t seed, uint8_t *dst, size_t len) {
    rng_t r = rng_seed(seed);
    for (size_t i = 0; i < len; i++) dst[i] = (uint8_t)(rng_next(&r) >> 56);
}

typedef struct {
    uint32_t kind; /* WSFRAME_EVENT_* */
    const char *corpus;
    size_t len;
    uint8_t *data;
    uint8_t digest[32];
} message;

static message make_message(int corpus, uint64_t seed, size_t len) {
    message m = {corpus_kind(corpus), CORPUS_NAME[corpus], len, malloc(len > 0 ? len : 1), {0}};
    CHECK(m.data != NULL);
    if (m.data == NULL) {
        m.len = 0;
        return m;
    }
    switch (corpus) {
    case C_TEXT: text_fill(seed, m.data, len); break;
    case C_UTF8: utf8_fill(seed, m.data, len); break;
    case C_IMAGE: image_fill(seed, 0, m.data, len); break;
    default: random_fill(seed, m.data, len); break;
    }
    sha256(m.data, m.len, m.digest);
    return m;
}

/* The sizes of the sweep, ascending, up to `max`. */
static size_t message_sizes(size_t *out, size_t max) {
    size_t all[64], n = 0;
    const size_t fixed[] = {0, 1, 125, 126, 127, 31745, 31746, 65535, 65536, 65537, (size_t)1 << 20};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) all[n++] = fixed[i];
    for (int k = 7; k <= 20; k++) {
        all[n++] = ((size_t)1 << k) - 1;
        all[n++] = (size_t)1 << k;
        all[n++] = ((size_t)1 << k) + 1;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) { /* insertion sort, dropping duplicates and sizes over max */
        if (all[i] > max) continue;
        size_t j = count;
        while (j > 0 && out[j - 1] > all[i]) j--;
        if (j > 0 && out[j - 1] == all[i]) continue;
        memmove(out + j + 1, out + j, (count - j) * sizeof *out);
        out[j] = all[i];
        count++;
    }
    return count;
}

/* ---- Frames (RFC 6455 §5.2) ------------------------------------------- */

typedef struct {
    bool fin, rsv1, rsv23, masked, minimal;
    uint8_t opcode;
    uint64_t len;
    size_t header_len;
    uint8_t key[4];
} frame_head;

/* Reads a frame header; false if the `n` bytes do not hold a whole one. */
static bool read_head(const uint8_t *p, size_t n, frame_head *h) {
    if (n < 2) return false;
    h->fin = (p[0] & 0x80) != 0;
    h->rsv1 = (p[0] & 0x40) != 0;
    h->rsv23 = (p[0] & 0x30) != 0;
    h->opcode = p[0] & 0x0F;
    h->masked = (p[1] & 0x80) != 0;
    size_t i = 2;
    uint8_t len7 = p[1] & 0x7F;
    if (len7 == 126) {
        if (n < 4) return false;
        h->len = (uint64_t)p[2] << 8 | p[3];
        h->minimal = h->len >= 126;
        i = 4;
    } else if (len7 == 127) {
        if (n < 10) return false;
        h->len = 0;
        for (int b = 0; b < 8; b++) h->len = h->len << 8 | p[2 + b];
        h->minimal = h->len > 0xFFFF && (p[2] & 0x80) == 0;
        i = 10;
    } else {
        h->len = len7;
        h->minimal = true;
    }
    if (h->masked) {
        if (n < i + 4) return false;
        memcpy(h->key, p + i, 4);
        i += 4;
    }
    h->header_len = i;
    return true;
}

/* Writes a frame header with the shortest length form; returns its length. */
static size_t write_head(uint8_t *out, bool fin, bool rsv1, uint8_t opcode, uint64_t len, const uint8_t *key) {
    size_t i = 2;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (len < 126) {
        out[1] = (uint8_t)len;
    } else if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        i = 4;
    } else {
        out[1] = 127;
        for (int b = 0; b < 8; b++) out[2 + b] = (uint8_t)(len >> (56 - 8 * b));
        i = 10;
    }
    if (key != NULL) {
        out[1] |= 0x80;
        memcpy(out + i, key, 4);
        i += 4;
    }
    return i;
}

static void mask(uint8_t *p, size_t n, const uint8_t key[4]) {
    for (size_t i = 0; i < n; i++) p[i] ^= key[i % 4];
}

/* ---- A connection between wsframe and a zlib peer ---------------------- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buffer;

static bool reserve(buffer *b, size_t cap) {
    if (cap <= b->cap) return true;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) return false;
    b->p = p;
    b->cap = cap;
    return true;
}

typedef struct {
    uint32_t role;                 /* wsframe's end */
    bool deflate;                  /* permessage-deflate on */
    wsframe_deflate_params params; /* as both ends agreed */
    int level;                     /* wsframe's compression level */
    int z_level;                   /* the zlib peer's */
    /* Inflate wsframe's messages one output byte per call, so that every
     * back-reference is resolved from zlib's 2^bits window and one that
     * reaches further fails ("invalid distance too far back"). */
    bool strict_window;
} link_config;

typedef struct {
    link_config cfg;
    const char *label; /* says which case failed */
    wsframe_session *conn;
    rng_t rng;       /* masking keys (both ends), fragment points */
    z_stream in;     /* inflates what wsframe sends */
    z_stream out;    /* deflates what the peer sends */
    bool in_reset;   /* wsframe resets its context after each message */
    bool out_reset;  /* the peer does */
    bool z_ready;
    buffer wire, got, frame;
    size_t sent;   /* messages so far on this link */
    size_t serial; /* which link of the run */
} peer_link;

/* Per test: messages and bytes checked, messages that came out wrong. */
static size_t g_messages, g_wrong, g_printed;
static uint64_t g_bytes;

static void tally_reset(void) { g_messages = g_wrong = g_printed = 0, g_bytes = 0; }

static void tally_note(const char *test) {
    printf("note: %s: %zu messages, %llu bytes, %zu wrong\n", test, g_messages, (unsigned long long)g_bytes,
           g_wrong);
}

/* A failed check about the current message of link `l`: printed for the
 * first few of a test; the message is counted as wrong once. */
static void link_fail(peer_link *l, int line, const char *fmt, ...) {
    static size_t last_serial, last_message;
    if (l->serial != last_serial || l->sent != last_message || g_printed == 0) g_wrong++;
    last_serial = l->serial;
    last_message = l->sent;
    wt_current_failed = 1;
    if (++g_printed > 12) {
        if (g_printed == 13) fprintf(stderr, "    (more failures in this test: counted, not shown)\n");
        return;
    }
    char what[600];
    int n = snprintf(what, sizeof what, "%s, message %zu: ", l->label, l->sent);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what + n, sizeof what - (size_t)n, fmt, ap);
    va_end(ap);
    wt_fail(__FILE__, line, what);
}
#define LINK_FAIL(l, ...) link_fail((l), __LINE__, __VA_ARGS__)

static uint8_t own_bits(const link_config *c, uint32_t role) {
    return role == WSFRAME_ROLE_SERVER ? c->params.server_max_window_bits : c->params.client_max_window_bits;
}
static bool own_reset(const link_config *c, uint32_t role) {
    return role == WSFRAME_ROLE_SERVER ? c->params.server_no_context_takeover : c->params.client_no_context_takeover;
}
static uint32_t peer_role(uint32_t role) {
    return role == WSFRAME_ROLE_SERVER ? WSFRAME_ROLE_CLIENT : WSFRAME_ROLE_SERVER;
}

static bool link_open(peer_link *l, const link_config *cfg, const char *label, uint64_t seed) {
    static size_t serial;
    memset(l, 0, sizeof *l);
    l->serial = ++serial;
    l->cfg = *cfg;
    l->label = label;
    l->rng = rng_seed(seed);
    wsframe_conn_config config;
    CHECK_OK(wsframe_conn_config_default(&config));
    config.random = seeded_random;
    config.random_user = &l->rng;
    config.deflate = cfg->deflate;
    config.deflate_params = cfg->params;
    config.compression_level = (uint8_t)cfg->level;
    CHECK_OK(wsframe_session_new(cfg->role, &config, &l->conn));
    if (l->conn == NULL) return false;
    if (!cfg->deflate) return true;
    /* zlib inflates with wsframe's own window; its deflate has no raw 8-bit
     * window (deflateInit2 refuses -8), so for 8 it uses 9, as zlib-based
     * peers do: wsframe's inflater must take any window up to 15 bits. */
    uint8_t peer_bits = own_bits(cfg, peer_role(cfg->role));
    int in_ok = inflateInit2(&l->in, -(int)own_bits(cfg, cfg->role));
    int out_ok = deflateInit2(&l->out, cfg->z_level, Z_DEFLATED, -(peer_bits < 9 ? 9 : (int)peer_bits), 8,
                              Z_DEFAULT_STRATEGY);
    CHECK(in_ok == Z_OK && out_ok == Z_OK);
    if (in_ok != Z_OK || out_ok != Z_OK) {
        if (in_ok == Z_OK) inflateEnd(&l->in);
        if (out_ok == Z_OK) deflateEnd(&l->out);
        return false;
    }
    l->z_ready = true;
    l->in_reset = own_reset(cfg, cfg->role);
    l->out_reset = own_reset(cfg, peer_role(cfg->role));
    return true;
}

static void link_close(peer_link *l) {
    wsframe_session_free(l->conn);
    if (l->z_ready) {
        inflateEnd(&l->in);
        deflateEnd(&l->out);
    }
    free(l->wire.p);
    free(l->got.p);
    free(l->frame.p);
}

/* Length and SHA-256 of what came out against the message. */
static void expect_message(peer_link *l, const message *m, const uint8_t *got, size_t got_len) {
    uint8_t d[32];
    sha256(got, got_len, d);
    if (got_len == m->len && memcmp(d, m->digest, sizeof d) == 0) return;
    size_t at = 0;
    while (at < got_len && at < m->len && got[at] == m->data[at]) at++;
    char a[17], b[17];
    LINK_FAIL(l, "%s %zu bytes came out as %zu, first difference at %zu, SHA-256 %s... not %s...", m->corpus,
              m->len, got_len, at, short_hex(d, a), short_hex(m->digest, b));
}

/* zlib inflates the payload in l->wire[0..len] (RFC 7692 §7.2.2: the
 * tail 00 00 ff ff appended) into l->got; false if it failed. */
static bool zlib_inflate(peer_link *l, size_t len, size_t expect) {
    if (l->in_reset) inflateReset(&l->in);
    memcpy(l->wire.p + len, "\x00\x00\xff\xff", 4);
    l->in.next_in = l->wire.p;
    l->in.avail_in = (uInt)(len + 4);
    l->got.len = 0;
    if (!reserve(&l->got, expect + 1024)) return false;
    for (;;) {
        if (l->got.len == l->got.cap && (l->got.cap > ((size_t)64 << 20) || !reserve(&l->got, 2 * l->got.cap))) {
            LINK_FAIL(l, "zlib inflated more than 64 MiB");
            return false;
        }
        size_t room = l->cfg.strict_window ? 1 : l->got.cap - l->got.len;
        l->in.next_out = l->got.p + l->got.len;
        l->in.avail_out = (uInt)room;
        int r = inflate(&l->in, Z_SYNC_FLUSH);
        l->got.len += room - l->in.avail_out;
        if (r == Z_STREAM_END) { /* BFINAL: legal, the next message starts a new stream */
            inflateReset(&l->in);
            break;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            LINK_FAIL(l, "zlib inflate: %d (%s) after %zu bytes", r, l->in.msg ? l->in.msg : "?", l->got.len);
            return false;
        }
        if (l->in.avail_out != 0) break; /* all the input gave */
    }
    if (l->in.avail_in != 0) {
        LINK_FAIL(l, "zlib left %u bytes of the payload", (unsigned)l->in.avail_in);
        return false;
    }
    return true;
}

/* wsframe -> zlib: one message through wsframe_session_send. */
static void send_to_zlib(peer_link *l, const message *m) {
    const uint8_t *frame = NULL;
    size_t frame_len = 0;
    uint32_t r = wsframe_session_send(l->conn, m->kind, m->data, m->len, 0);
    if (r == WSFRAME_RESULT_OK) r = wsframe_session_outgoing(l->conn, &frame, &frame_len);
    l->sent++;
    g_messages++;
    g_bytes += m->len;
    if (r != WSFRAME_RESULT_OK) {
        LINK_FAIL(l, "wsframe_session_send: %s", wsframe_result_str(r));
        return;
    }
    /* The queued bytes are the session's until consumed: copy them out first. */
    if (!reserve(&l->frame, frame_len + 1)) return;
    if (frame_len > 0) memcpy(l->frame.p, frame, frame_len);
    CHECK_OK(wsframe_session_consume_outgoing(l->conn, frame_len));
    frame = l->frame.p;
    frame_head h;
    if (!read_head(frame, frame_len, &h) || h.header_len + h.len != frame_len) {
        LINK_FAIL(l, "not one whole frame (%zu bytes)", frame_len);
        return;
    }
    /* One final frame of the message's opcode, minimal length, masked
     * exactly when a client sends it, RSV1 exactly when compressed. */
    if (!h.fin || h.opcode != m->kind || h.rsv23 || !h.minimal || h.masked != (l->cfg.role == WSFRAME_ROLE_CLIENT) ||
        h.rsv1 != l->cfg.deflate)
        LINK_FAIL(l, "frame header %02x %02x", frame[0], frame[1]);
    size_t len = (size_t)h.len;
    if (!reserve(&l->wire, len + 4)) return;
    memcpy(l->wire.p, frame + h.header_len, len);
    if (h.masked) mask(l->wire.p, len, h.key);
    /* Compression happens: with the full window (below it the codec finds
     * runs only), English-like text shrinks to under half. */
    if (l->cfg.deflate && l->cfg.level > 0 && own_bits(&l->cfg, l->cfg.role) == 15 && strcmp(m->corpus, "text") == 0 &&
        m->len >= 4096 && 2 * len >= m->len)
        LINK_FAIL(l, "text of %zu bytes compressed to %zu bytes only", m->len, len);
    if (!l->cfg.deflate) expect_message(l, m, l->wire.p, len);
    else if (zlib_inflate(l, len, m->len)) expect_message(l, m, l->got.p, l->got.len);
}

/* zlib deflates one message into l->got (RFC 7692 §7.2.1) as zlib-based
 * peers do: all input with Z_NO_FLUSH, then a Z_SYNC_FLUSH, whose tail
 * 00 00 ff ff is removed. (A lone Z_SYNC_FLUSH call writes nothing at all
 * for an empty message right after another flush, and an empty payload is
 * not the empty message of §7.2.3.6.) False if it failed. */
static bool zlib_deflate(peer_link *l, const message *m) {
    if (l->out_reset) deflateReset(&l->out);
    l->out.next_in = m->data;
    l->out.avail_in = (uInt)m->len;
    l->got.len = 0;
    if (!reserve(&l->got, deflateBound(&l->out, (uLong)m->len) + 64)) return false;
    for (int flush = Z_NO_FLUSH;;) {
        l->out.next_out = l->got.p + l->got.len;
        size_t room = l->got.cap - l->got.len;
        l->out.avail_out = (uInt)room;
        int r = deflate(&l->out, flush);
        l->got.len += room - l->out.avail_out;
        if (r != Z_OK && !(r == Z_BUF_ERROR && flush == Z_NO_FLUSH)) {
            LINK_FAIL(l, "zlib deflate: %d", r);
            return false;
        }
        if (l->out.avail_out == 0) {
            if (!reserve(&l->got, 2 * l->got.cap)) return false;
        } else if (flush == Z_NO_FLUSH) {
            flush = Z_SYNC_FLUSH;
        } else {
            break;
        }
    }
    if (l->out.avail_in != 0 || l->got.len < 4 || memcmp(l->got.p + l->got.len - 4, "\x00\x00\xff\xff", 4) != 0) {
        LINK_FAIL(l, "zlib's output does not end in 00 00 ff ff");
        return false;
    }
    l->got.len -= 4;
    return true;
}

/* zlib -> wsframe: one message, framed here, received by wsframe. */
static void send_to_wsframe(peer_link *l, const message *m) {
    l->sent++;
    g_messages++;
    g_bytes += m->len;
    const uint8_t *payload = m->data;
    size_t len = m->len;
    if (l->cfg.deflate) {
        if (!zlib_deflate(l, m)) return;
        payload = l->got.p;
        len = l->got.len;
    }
    /* One frame, or (one message in three) two or three fragments. */
    size_t cuts[4] = {0, len, len, len}, frames = 1;
    if (len >= 64 && rng_below(&l->rng, 3) == 0) {
        frames = 2 + rng_below(&l->rng, 2);
        for (size_t f = 1; f < frames; f++) cuts[f] = (size_t)(rng_next(&l->rng) % (len + 1));
        for (size_t f = 1; f < frames; f++) /* sort the cut points */
            for (size_t g = f + 1; g < frames; g++)
                if (cuts[g] < cuts[f]) {
                    size_t t = cuts[f];
                    cuts[f] = cuts[g];
                    cuts[g] = t;
                }
        cuts[frames] = len;
    }
    if (!reserve(&l->wire, len + 14 * frames)) return;
    size_t w = 0;
    bool masked = l->cfg.role == WSFRAME_ROLE_SERVER;
    for (size_t f = 0; f < frames; f++) {
        uint8_t key[4];
        seeded_random(&l->rng, key, 4);
        size_t n = cuts[f + 1] - cuts[f];
        w += write_head(l->wire.p + w, f + 1 == frames, l->cfg.deflate && f == 0, f == 0 ? (uint8_t)m->kind : 0, n,
                        masked ? key : NULL);
        if (n > 0) memcpy(l->wire.p + w, payload + cuts[f], n);
        if (masked) mask(l->wire.p + w, n, key);
        w += n;
    }
    /* Receive it all; chunks of an uncompressed message are gathered. */
    buffer chunks = {NULL, 0, 0};
    size_t pos = 0;
    for (;;) {
        size_t consumed = 0;
        wsframe_event ev;
        uint32_t r = wsframe_session_receive(l->conn, l->wire.p + pos, w - pos, &consumed, &ev);
        if (r != WSFRAME_RESULT_OK) {
            LINK_FAIL(l, "%s %zu bytes (payload %zu bytes in %zu frames): wsframe_session_receive: %s", m->corpus,
                      m->len, len, frames, wsframe_result_str(r));
            pos = w; /* the connection has failed: nothing more to say */
            break;
        }
        pos += consumed;
        if (ev.type == WSFRAME_EVENT_NONE) {
            LINK_FAIL(l, "no message after all %zu bytes", w);
            break;
        }
        if (ev.type != m->kind) {
            LINK_FAIL(l, "event type %u", (unsigned)ev.type);
            break;
        }
        if (ev.last && chunks.len == 0) { /* the whole message in one event */
            expect_message(l, m, ev.data, ev.len);
            break;
        }
        if (!reserve(&chunks, chunks.len + ev.len + 1)) break;
        if (ev.len > 0) memcpy(chunks.p + chunks.len, ev.data, ev.len);
        chunks.len += ev.len;
        if (ev.last) {
            expect_message(l, m, chunks.p, chunks.len);
            break;
        }
    }
    if (pos != w) LINK_FAIL(l, "consumed %zu of %zu bytes", pos, w);
    free(chunks.p);
}

/* ---- The tests -------------------------------------------------------- */

static link_config config_for(uint32_t role, bool deflate, bool reset, uint8_t bits, int level) {
    link_config c = {role, deflate, {reset, reset, bits, bits}, level, level, false};
    return c;
}

static const char *role_name(uint32_t role) { return role == WSFRAME_ROLE_SERVER ? "server" : "client"; }

/* The digest is SHA-256: FIPS 180-2 appendix B and the empty string. */
static void sha256_known_answers(void) {
    struct {
        const char *in;
        const char *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        char hex[65];
        sha256((const uint8_t *)v[i].in, strlen(v[i].in), d);
        for (int j = 0; j < 32; j++) snprintf(hex + 2 * j, 3, "%02x", d[j]);
        CHECK(strcmp(hex, v[i].hex) == 0);
    }
    /* A million 'a's. */
    static uint8_t a[1000000];
    memset(a, 'a', sizeof a);
    const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                              0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                              0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    uint8_t d[32];
    sha256(a, sizeof a, d);
    CHECK(memcmp(d, want, 32) == 0);
}

/* Strict UTF-8 decoding (RFC 3629): the next code point, or -1. */
static long next_code_point(const uint8_t *p, size_t n, size_t *len) {
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t need = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (need == 0 || need > n) return -1;
    uint32_t cp = need == 1 ? p[0] : p[0] & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *len = need;
    return (long)cp;
}

/* The corpus is what the header comment says, and the same every run. */
static void corpus_is_as_described(void) {
    /* UTF-8: valid, U+FEFF first, in the middle and last, every boundary
     * code point, 4-byte characters. */
    message u = make_message(C_UTF8, 5, 4096);
    message u2 = make_message(C_UTF8, 5, 4096);
    CHECK(u.len == 4096 && memcmp(u.data, u2.data, u.len) == 0);
    bool seen[BOUNDARY_COUNT] = {false};
    size_t boms = 0, four = 0, middle_bom = 0;
    for (size_t i = 0, n = 0; i < u.len; i += n) {
        long cp = next_code_point(u.data + i, u.len - i, &n);
        CHECK(cp >= 0);
        if (cp < 0) break;
        for (size_t k = 0; k < BOUNDARY_COUNT; k++) seen[k] |= (uint32_t)cp == BOUNDARY_CODE_POINTS[k];
        four += n == 4;
        if (cp == 0xFEFF) {
            boms++;
            middle_bom += i > u.len / 4 && i < 3 * u.len / 4;
        }
    }
    for (size_t k = 0; k < BOUNDARY_COUNT; k++) CHECK(seen[k]);
    CHECK(memcmp(u.data, "\xef\xbb\xbf", 3) == 0 && memcmp(u.data + u.len - 3, "\xef\xbb\xbf", 3) == 0);
    CHECK(boms >= 3 && middle_bom >= 1 && four >= 10);
    /* Every size is valid UTF-8 of exactly that size (the text corpora go
     * out as text messages). */
    for (size_t len = 0; len < 300; len++) {
        message s = make_message(len % 2 ? C_UTF8 : C_TEXT, len, len);
        size_t i = 0, n = 0;
        while (i < s.len && next_code_point(s.data + i, s.len - i, &n) >= 0) i += n;
        CHECK(i == len);
        free(s.data);
    }
    /* The pictures: a BMP header, a grey palette, noise on a gradient. */
    message img = make_message(C_IMAGE, 0, 2 * BMP_LEN);
    const uint8_t *b = img.data;
    CHECK(b[0] == 'B' && b[1] == 'M' && b[10] == (BMP_HEADER_LEN & 0xFF) && b[11] == BMP_HEADER_LEN >> 8);
    CHECK(b[18] == 0 && b[19] == 2 && b[22] == 0 && b[23] == 2 && b[28] == 8);
    CHECK(b[54 + 4 * 200] == 200 && b[54 + 4 * 200 + 2] == 200);
    CHECK(memcmp(b + BMP_LEN, "BM", 2) == 0 && memcmp(b + BMP_HEADER_LEN, b + BMP_LEN + BMP_HEADER_LEN, 4096) != 0);
    const uint8_t *px = b + BMP_HEADER_LEN;
    long top = 0, bottom = 0, steps = 0;
    for (int x = 0; x < IMG_SIDE; x++) {
        bottom += px[x];
        top += px[(IMG_SIDE - 1) * IMG_SIDE + x];
        steps += px[x] != px[x + 1];
    }
    CHECK(top > bottom + 100 * IMG_SIDE); /* the gradient */
    CHECK(steps > IMG_SIDE / 2);           /* the noise */
    /* Random bytes: all 256 values in 64 KiB. */
    message r = make_message(C_RANDOM, 1, 65536);
    bool byte_seen[256] = {false};
    size_t distinct = 0;
    for (size_t i = 0; i < r.len; i++) {
        distinct += !byte_seen[r.data[i]];
        byte_seen[r.data[i]] = true;
    }
    CHECK(distinct == 256);
    /* The sizes. */
    size_t sizes[64];
    size_t n = message_sizes(sizes, ((size_t)1 << 20) + 1);
    CHECK(n == 48 && sizes[0] == 0 && sizes[1] == 1 && sizes[n - 1] == ((size_t)1 << 20) + 1);
    for (size_t i = 1; i < n; i++) CHECK(sizes[i] > sizes[i - 1]);
    free(u.data);
    free(u2.data);
    free(img.data);
    free(r.data);
}

typedef enum { TO_ZLIB, TO_WSFRAME } direction;

/* Every corpus at every size over one connection, so context takeover
 * carries across consecutive messages. Deflate off: each role. Deflate on:
 * context takeover in one role and no_context_takeover in the other,
 * the roles swapping between corpora. */
static void sizes_run(const char *test, direction dir, bool deflate) {
    tally_reset();
    size_t sizes[64];
    size_t count = message_sizes(sizes, g_short ? 65537 : ((size_t)1 << 20) + 1);
    for (int corpus = 0; corpus < C_COUNT; corpus++) {
        message msgs[64];
        for (size_t i = 0; i < count; i++) msgs[i] = make_message(corpus, 1000 * (uint64_t)corpus + i, sizes[i]);
        for (int setting = 0; setting < 2; setting++) {
            uint32_t role = (setting + corpus) % 2 ? WSFRAME_ROLE_SERVER : WSFRAME_ROLE_CLIENT;
            bool reset = deflate && setting == 1;
            link_config cfg = config_for(role, deflate, reset, 15, 6);
            char label[128];
            snprintf(label, sizeof label, "%s, %s, wsframe %s, deflate %s", test, CORPUS_NAME[corpus], role_name(role),
                     !deflate ? "off" : reset ? "no_context_takeover" : "context takeover");
            peer_link l;
            if (!link_open(&l, &cfg, label, 77 + (uint64_t)setting)) continue;
            for (size_t i = 0; i < count; i++) {
                if (dir == TO_ZLIB) send_to_zlib(&l, &msgs[i]);
                else send_to_wsframe(&l, &msgs[i]);
            }
            link_close(&l);
        }
        for (size_t i = 0; i < count; i++) free(msgs[i].data);
    }
    tally_note(test);
}

static void deflate_off_wsframe_to_reader(void) { sizes_run("deflate off, wsframe -> frame reader", TO_ZLIB, false); }
static void deflate_off_writer_to_wsframe(void) { sizes_run("deflate off, frame writer -> wsframe", TO_WSFRAME, false); }
static void wsframe_to_zlib_sizes(void) { sizes_run("wsframe -> zlib, sizes", TO_ZLIB, true); }
static void zlib_to_wsframe_sizes(void) { sizes_run("zlib -> wsframe, sizes", TO_WSFRAME, true); }

/* Window bits 8..15, context takeover on or off in each direction, levels
 * 0..9, both roles: a few mixed messages per connection, sizes around
 * miniz_oxide's 31 KiB block and 64 KiB. For wsframe -> zlib with a window
 * under 15 bits, zlib inflates one byte per call (strict_window) so that a
 * back-reference past the window fails (not in the valgrind run's sweep,
 * where a call per byte is too slow; there, references into the previous
 * message still meet zlib's window).
 * `only_level_1_small` picks the wsframe -> zlib cases of level 1 with a
 * window under 15 bits, which have a test of their own. */
static void sweep_run(const char *test, direction dir, bool only_level_1_small) {
    tally_reset();
    static const struct {
        int corpus;
        size_t len;
    } plan[] = {{C_IMAGE, 33000}, {C_UTF8, 3000}, {C_RANDOM, 31746}, {C_TEXT, 0},
                {C_TEXT, 20000},  {C_IMAGE, 65537}, {C_UTF8, 125}};
    size_t count = g_short ? 4 : sizeof plan / sizeof plan[0];
    message msgs[sizeof plan / sizeof plan[0]];
    for (size_t i = 0; i < count; i++) msgs[i] = make_message(plan[i].corpus, 500 + i, plan[i].len);
    for (uint8_t bits = 8; bits <= 15; bits++) {
        for (int takeover = 0; takeover < 4; takeover++) {
            for (int level = 0; level <= 9; level++) {
                if ((dir == TO_ZLIB && level == 1 && bits < 15) != only_level_1_small) continue;
                /* The role alternates, so each window, setting and level
                 * meets both. The sender's window is `bits`, the other
                 * direction's 23 - bits, so a swap shows; takeover's bit 0
                 * is server_no_context_takeover, bit 1 the client's. */
                uint32_t role = (bits + takeover + level) % 2 ? WSFRAME_ROLE_SERVER : WSFRAME_ROLE_CLIENT;
                uint32_t sender = dir == TO_ZLIB ? role : peer_role(role);
                link_config cfg = config_for(role, true, false, bits, level);
                cfg.params.server_no_context_takeover = (takeover & 1) != 0;
                cfg.params.client_no_context_takeover = (takeover & 2) != 0;
                if (sender == WSFRAME_ROLE_SERVER) cfg.params.client_max_window_bits = (uint8_t)(23 - bits);
                else cfg.params.server_max_window_bits = (uint8_t)(23 - bits);
                cfg.strict_window = dir == TO_ZLIB && bits < 15 && (!g_short || only_level_1_small);
                char label[200];
                snprintf(label, sizeof label,
                         "%s, wsframe %s, window %u, server %s, client %s, level %d", test, role_name(role), bits,
                         takeover & 1 ? "no_context_takeover" : "takeover",
                         takeover & 2 ? "no_context_takeover" : "takeover", level);
                peer_link l;
                if (!link_open(&l, &cfg, label, bits * 100u + (unsigned)(takeover * 10 + level))) continue;
                for (size_t i = 0; i < count; i++) {
                    if (dir == TO_ZLIB) send_to_zlib(&l, &msgs[i]);
                    else send_to_wsframe(&l, &msgs[i]);
                }
                link_close(&l);
            }
        }
    }
    for (size_t i = 0; i < count; i++) free(msgs[i].data);
    tally_note(test);
}

static void wsframe_to_zlib_window_takeover_level_sweep(void) {
    sweep_run("wsframe -> zlib, sweep", TO_ZLIB, false);
}
static void zlib_to_wsframe_window_takeover_level_sweep(void) {
    sweep_run("zlib -> wsframe, sweep", TO_WSFRAME, false);
}

/* RFC 7692 §7.1.2: a peer that asked for a window of 2^N bytes may keep
 * only that much, so no back-reference may reach further. Below 15 bits
 * the codec asks miniz_oxide for run-length matches (distance 1), but
 * miniz_oxide 0.9's one-probe greedy path (level 1) ignores that flag and
 * searches the whole 32 KiB window, so the codec must keep level 1 off
 * that path; zlib with the negotiated window fails otherwise ("invalid
 * distance too far back"). */
static void wsframe_level_1_keeps_a_small_window(void) {
    sweep_run("wsframe -> zlib, level 1, windows 8..14", TO_ZLIB, true);
}

/* Issue 9's second case: consecutive 64 KiB slices of a stream of noisy
 * BMP pictures over one connection with context takeover, both ways: the
 * wsframe server sends each slice (link message 2i - 1 is slice i) and
 * receives it back from the zlib client (message 2i). The compressor
 * before the fix first dropped bytes of slice 49. */
static void image_slices_one_connection(void) {
    tally_reset();
    const size_t slices = g_short ? 64 : 1000, slice = 65536;
    link_config cfg = config_for(WSFRAME_ROLE_SERVER, true, false, 15, 6);
    peer_link l;
    if (!link_open(&l, &cfg, "64 KiB image slices, context takeover", 9)) return;
    message m = {WSFRAME_EVENT_BINARY, "image slice", slice, malloc(slice), {0}};
    CHECK(m.data != NULL);
    for (size_t i = 0; m.data != NULL && i < slices; i++) {
        image_fill(1000, (uint64_t)i * slice, m.data, slice);
        sha256(m.data, slice, m.digest);
        send_to_zlib(&l, &m);
        send_to_wsframe(&l, &m);
    }
    free(m.data);
    link_close(&l);
    tally_note("image slices");
}

void run_integrity_tests(void) {
    const char *s = getenv("WSFRAME_TEST_SHORT");
    g_short = s != NULL && strcmp(s, "1") == 0;
    g_bmp = malloc(BMP_LEN);
    CHECK(g_bmp != NULL);
    if (g_bmp == NULL) return;
    g_bmp_index = ~0ull;
    RUN(sha256_known_answers);
    RUN(corpus_is_as_described);
    RUN(deflate_off_wsframe_to_reader);
    RUN(deflate_off_writer_to_wsframe);
    RUN(wsframe_to_zlib_sizes);
    RUN(zlib_to_wsframe_sizes);
    RUN(wsframe_to_zlib_window_takeover_level_sweep);
    RUN(zlib_to_wsframe_window_takeover_level_sweep);
    RUN(wsframe_level_1_keeps_a_small_window);
    RUN(image_slices_one_connection);
    free(g_bmp);
    g_bmp = NULL;
}
