/*
 * A minimal test harness for the wsframe C API tests: TEST functions made
 * of CHECKs, counted per test. C99, no dependencies.
 */
#ifndef WSFRAME_TEST_HARNESS_H
#define WSFRAME_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include <wsframe.h>

extern int wt_passed;
extern int wt_failed;
extern int wt_current_failed;

void wt_fail(const char *file, int line, const char *what);
void wt_run(const char *name, void (*test)(void));

#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) wt_fail(__FILE__, __LINE__, #cond);             \
    } while (0)

/* A call's result must be `expected`; prints both names if not. */
#define CHECK_R(expr, expected)                                                \
    do {                                                                       \
        uint32_t wt_r_ = (uint32_t)(expr);                                     \
        uint32_t wt_e_ = (uint32_t)(expected);                                 \
        if (wt_r_ != wt_e_) {                                                  \
            char wt_msg_[512];                                                 \
            snprintf(wt_msg_, sizeof wt_msg_, "%s -> %u (%s), expected %u (%s)", \
                     #expr, (unsigned)wt_r_, wsframe_result_str(wt_r_),        \
                     (unsigned)wt_e_, wsframe_result_str(wt_e_));              \
            wt_fail(__FILE__, __LINE__, wt_msg_);                              \
        }                                                                      \
    } while (0)

#define CHECK_OK(expr) CHECK_R(expr, WSFRAME_RESULT_OK)

/* Bytes equal to a literal or array of known size. */
#define CHECK_BYTES(ptr, len, expected, expected_len)                         \
    CHECK((len) == (expected_len) && memcmp((ptr), (expected), (expected_len)) == 0)

#define RUN(test) wt_run(#test, test)

/* The test groups, one per file. */
void run_result_tests(void);
void run_conn_tests(void);
void run_send_tests(void);
void run_handshake_tests(void);
void run_timer_tests(void);
void run_deflate_tests(void);
void run_integrity_tests(void);
void run_session_tests(void);

#endif
