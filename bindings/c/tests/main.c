/* Runs every C API test group and prints "N passed, N failed". */
#include <stdlib.h>

#include "harness.h"

int wt_passed = 0;
int wt_failed = 0;
int wt_current_failed = 0;

void wt_fail(const char *file, int line, const char *what) {
    fprintf(stderr, "    %s:%d: check failed: %s\n", file, line, what);
    wt_current_failed = 1;
}

void wt_run(const char *name, void (*test)(void)) {
    wt_current_failed = 0;
    test();
    if (wt_current_failed) {
        wt_failed++;
        printf("FAIL %s\n", name);
    } else {
        wt_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

int main(void) {
    run_result_tests();
    run_conn_tests();
    run_send_tests();
    run_handshake_tests();
    run_timer_tests();
    run_deflate_tests();
    run_session_tests();
    run_integrity_tests();
    printf("%d passed, %d failed\n", wt_passed, wt_failed);
    return wt_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
