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

/* The heartbeat of a session (RFC 6455 §5.5.2): a Ping after the interval
 * of silence, the peer dead after the timeout; any input counts as life. */
static void keepalive_cycle(void) {
    wsframe_conn_config cfg;
    CHECK_OK(wsframe_conn_config_default(&cfg));
    cfg.keepalive_interval_ms = 30000;
    cfg.keepalive_timeout_ms = 10000;
    wsframe_session *s = session_new(WSFRAME_ROLE_SERVER, &cfg);
    wsframe_keepalive_action action = WSFRAME_KEEPALIVE_PEER_DEAD;
    uint64_t deadline = 0;
    CHECK_OK(wsframe_session_next_deadline(s, &deadline));
    CHECK(deadline == UINT64_MAX); /* the clock starts at the first poll */
    CHECK_OK(wsframe_session_poll(s, 1000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
    CHECK_OK(wsframe_session_next_deadline(s, &deadline));
    CHECK(deadline == 31000);
    CHECK_OK(wsframe_session_poll(s, 30999, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
    CHECK_OK(wsframe_session_poll(s, 31000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_SEND_PING);
    uint8_t out[16];
    CHECK(take_outgoing(s, out, sizeof out) == 2 && out[0] == 0x89 && out[1] == 0x00); /* the Ping is queued */
    CHECK_OK(wsframe_session_poll(s, 35000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE); /* the ping is out */
    CHECK_OK(wsframe_session_next_deadline(s, &deadline));
    CHECK(deadline == 41000);
    /* The Pong (any input) arrives: the interval restarts at the next poll. */
    uint8_t pong[] = {0x8a, 0x80, 1, 2, 3, 4};
    size_t consumed = 0;
    wsframe_event ev;
    CHECK_OK(wsframe_session_receive(s, pong, sizeof pong, &consumed, &ev));
    CHECK(ev.type == WSFRAME_EVENT_PONG);
    CHECK_OK(wsframe_session_poll(s, 36000, &action));
    CHECK_OK(wsframe_session_poll(s, 41000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE);
    CHECK_OK(wsframe_session_poll(s, 66000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_SEND_PING);
    CHECK_OK(wsframe_session_poll(s, 76000, &action));
    CHECK(action == WSFRAME_KEEPALIVE_PEER_DEAD);
    CHECK_OK(wsframe_session_poll(s, 76001, &action));
    CHECK(action == WSFRAME_KEEPALIVE_PEER_DEAD); /* until something arrives */
    wsframe_session_free(s);
}

static void keepalive_misuse(void) {
    wsframe_keepalive_action action = WSFRAME_KEEPALIVE_SEND_PING;
    uint64_t deadline = 5;
    CHECK_R(wsframe_session_poll(NULL, 0, &action), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_next_deadline(NULL, &deadline), WSFRAME_RESULT_NULL_POINTER);
    /* Zeroed memory is not a session. */
    static uint64_t zeroed[64];
    CHECK_R(wsframe_session_poll((wsframe_session *)(void *)zeroed, 0, &action), WSFRAME_RESULT_INVALID_HANDLE);
    CHECK(action == WSFRAME_KEEPALIVE_SEND_PING && deadline == 5);
    /* Without a heartbeat: always idle, never a deadline. */
    wsframe_session *s = session_new(WSFRAME_ROLE_CLIENT, NULL);
    CHECK_R(wsframe_session_poll(s, 0, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_R(wsframe_session_next_deadline(s, NULL), WSFRAME_RESULT_NULL_POINTER);
    CHECK_OK(wsframe_session_poll(s, UINT64_MAX - 1, &action));
    CHECK_OK(wsframe_session_next_deadline(s, &deadline));
    CHECK(action == WSFRAME_KEEPALIVE_IDLE && deadline == UINT64_MAX);
    wsframe_session_free(s);
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
    /* A failing source: the core's policy takes the middle of the window
     * (still within RFC 6455 §7.2.3, only not spread out); the attempt counts. */
    CHECK_OK(wsframe_backoff_set_random(&b, failing_random, NULL));
    CHECK_OK(wsframe_backoff_next_delay(&b, &delay));
    CHECK(delay == 300); /* window 400: [200, 400] */
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 3);
    /* A copy is an independent backoff. */
    wsframe_backoff copy = b;
    CHECK_OK(wsframe_backoff_reset(&copy));
    CHECK_OK(wsframe_backoff_attempts(&b, &attempts));
    CHECK(attempts == 3);
    /* Outputs inside the backoff. */
    CHECK_R(wsframe_backoff_next_delay(&b, (uint64_t *)(void *)&b), WSFRAME_RESULT_INVALID_ARGUMENT);
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

/* The reconnect policy: conditions that can pass reconnect, clean or final closes do not. */
static void reconnect_policy(void) {
    CHECK(wsframe_should_reconnect(WSFRAME_CLOSE_ABNORMAL_CLOSURE));
    CHECK(wsframe_should_reconnect(1011));
    CHECK(wsframe_should_reconnect(1012));
    CHECK(wsframe_should_reconnect(1013));
    CHECK(!wsframe_should_reconnect(WSFRAME_CLOSE_NORMAL));
    CHECK(!wsframe_should_reconnect(1001));
    CHECK(!wsframe_should_reconnect(1002));
    CHECK(!wsframe_should_reconnect(1008));
    CHECK(!wsframe_should_reconnect(4000));
    CHECK(!wsframe_should_reconnect(0));
}

void run_timer_tests(void) {
    RUN(keepalive_cycle);
    RUN(keepalive_misuse);
    RUN(backoff_rfc_defaults);
    RUN(backoff_params_and_failures);
    RUN(reconnect_policy);
}
