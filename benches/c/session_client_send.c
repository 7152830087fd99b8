/*
 * Client sends through the C API: 16-byte binary messages on a wsframe_session (client
 * role, so every frame is masked with a fresh key from the library's default source),
 * the outgoing bytes taken after each send as a socket loop would. Prints ns per frame,
 * three runs. Built and run by `make bench-client-send` (mk/bench.mk).
 */
#include <stdio.h>
#include <time.h>
#include <wsframe.h>
int main(void) {
    struct wsframe_session *s;
    if (wsframe_session_new(WSFRAME_ROLE_CLIENT, NULL, &s) != 0) return 1;
    uint8_t payload[16] = {0};
    const int N = 2000000;
    for (int r = 0; r < 3; r++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < N; i++) {
            if (wsframe_session_send(s, WSFRAME_EVENT_BINARY, payload, 16, 0) != 0) return 2;
            const uint8_t *d; size_t n;
            wsframe_session_outgoing(s, &d, &n);
            wsframe_session_consume_outgoing(s, n);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / N;
        printf("C client session send, 16 B: %.1f ns/frame\n", ns);
    }
    wsframe_session_free(s);
    return 0;
}
