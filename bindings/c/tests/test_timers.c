/* Keepalive and reconnection backoff. */
#include "common.h"

static bool zeros(void *user, uint8_t *buf, size_t len) {
    (void)user;
    memset(buf, 0, len);
    return true;
}

static bool all_ones(void *user, uint8_t *buf, size_t len) {
    (void)user;
    memset(buf, 0xff, len);
    return true;
}

static void keepalive_cycle(void) {
    wsframe_keepalive ka;
    wsframe_keepalive_action action = WSFRAME_KEEPALIVE_PEER_DEAD;
    uint64_t deadline = 0;
    bool awaiting = true;
    CHECK_OK(wsframe_keepalive_init(&ka, 30000, 10000, 1000));
    CHECK_OK(wsframe_keepalive_next_deadline(&ka, &deadline));
    CHECK(deadline == 31000);
    CHECK_OK(wsframe_keepalive_poll(&ka, 30999, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
    CHECK_OK(wsframe_keepalive_is_awaiting_reply(&ka, &awaiting));
    CHECK(!awaiting);
    CHECK_OK(wsframe_keepalive_poll(&ka, 31000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_SEND_PING);
    CHECK_OK(wsframe_keepalive_is_awaiting_reply(&ka, &awaiting));
    CHECK(awaiting);
    CHECK_OK(wsframe_keepalive_poll(&ka, 35000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE); /* the ping is out */
    CHECK_OK(wsframe_keepalive_next_deadline(&ka, &deadline));
    CHECK(deadline == 41000);
    /* A copy is an independent timer. */
    wsframe_keepalive copy = ka;
    CHECK_OK(wsframe_keepalive_poll(&copy, 41000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_PEER_DEAD);
    CHECK_OK(wsframe_keepalive_on_receive(&ka, 36000)); /* the pong */
    CHECK_OK(wsframe_keepalive_poll(&ka, 41000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
    CHECK_OK(wsframe_keepalive_is_awaiting_reply(&ka, &awaiting));
    CHECK(!awaiting);
}

static void keepalive_misuse(void) {
    wsframe_keepalive zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    wsframe_keepalive_action action = WSFRAME_KEEPALIVE_SEND_PING;
    uint64_t deadline = 5;
    bool awaiting = true;
    CHECK_R(wsframe_keepalive_poll(&zeroed, 0, &action), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_keepalive_on_receive(&zeroed, 0), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_keepalive_next_deadline(&zeroed, &deadline), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_keepalive_is_awaiting_reply(&zeroed, &awaiting), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK(action == WSFRAME_KEEPALIVE_SEND_PING && deadline == 5 && awaiting);
    CHECK_R(wsframe_keepalive_init(NULL, 1, 1, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_poll(NULL, 0, &action), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_on_receive(NULL, 0), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_next_deadline(NULL, &deadline), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_is_awaiting_reply(NULL, &awaiting), WSFRAME_RESULT_NULL_POINTER);
    wsframe_keepalive ka;
    CHECK_OK(wsframe_keepalive_init(&ka, UINT64_MAX, 1, 0)); /* disabled */
    CHECK_R(wsframe_keepalive_poll(&ka, 0, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_next_deadline(&ka, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_keepalive_is_awaiting_reply(&ka, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_OK(wsframe_keepalive_poll(&ka, UINT64_MAX - 1, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
}

/* RFC 6455 §7.2.3: first delay within 5 s, then truncated exponential. */
static void backoff_rfc_defaults(void) {
    wsframe_backoff b;
    uint64_t delay = 0;
    uint32_t attempts = 99;
    CHECK_OK(wsframe_backoff_init(&b, 60000));
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 0);
    for (int i = 0; i < 20; i++) { /* the OS generator */
        wsframe_backoff fresh = b;
        CHECK_OK(wsframe_backoff_next_delay(&fresh, &delay));
        CHECK(delay <= 5000);
    }
    CHECK_OK(wsframe_backoff_set_random(&b, all_ones, NULL));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == UINT64_MAX % 5001); /* uniform in [0, 5000] */
    CHECK_OK(wsframe_backoff_set_random(&b, zeros, NULL));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 2500); /* window 5 s: [2.5 s, 5 s] */
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 5000); /* window 10 s */
    for (int i = 0; i < 40; i++) CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 30000); /* capped at 60 s: [30 s, 60 s] */
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 43);
    CHECK_OK(wsframe_backoff_reset(&b));
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 0);
    CHECK_OK(wsframe_backoff_set_random(&b, NULL, NULL)); /* back to the OS */
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay <= 5000);
}

static void backoff_params_and_failures(void) {
    wsframe_backoff b;
    uint64_t delay = 123;
    uint32_t attempts = 0;
    CHECK_OK(wsframe_backoff_init_with_params(&b, 1000, 200, 1000));
    CHECK_OK(wsframe_backoff_set_random(&b, zeros, NULL));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 0);
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 100);
    /* A failing source: nothing changes, nothing is written. */
    CHECK_OK(wsframe_backoff_set_random(&b, failing_random, NULL));
    delay = 123;
    CHECK_R(wsframe_backoff_next_delay(&b, &delay), WSFRAME_RESULT_RANDOM_FAILED);
    CHECK(delay == 123);
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 2);
    /* Misuse. */
    wsframe_backoff zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    CHECK_R(wsframe_backoff_next_delay(&zeroed, &delay), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_backoff_reset(&zeroed), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_backoff_attempts(&zeroed, &attempts), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_backoff_set_random(&zeroed, zeros, NULL), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK_R(wsframe_backoff_init(NULL, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_backoff_init_with_params(NULL, 1, 1, 1), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_backoff_next_delay(&b, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_backoff_attempts(&b, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_backoff_reset(NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_backoff_set_random(NULL, NULL, NULL), WSFRAME_RESULT_NULL_POINTER);
}

void run_timer_tests(void) {
    RUN(keepalive_cycle);
    RUN(keepalive_misuse);
    RUN(backoff_rfc_defaults);
    RUN(backoff_params_and_failures);
}
