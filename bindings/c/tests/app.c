/* A small program built the way users build: `cc app.c $(pkg-config --cflags
 * --libs wsframe)`. A server session answers the masked "Hello" of
 * RFC 6455 §5.7 with the same text. */
#include <stdio.h>
#include <string.h>

#include <wsframe.h>

int main(void) {
    if (strcmp(wsframe_version(), WSFRAME_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", WSFRAME_VERSION_STRING, wsframe_version());
        return 1;
    }
    wsframe_session *session = NULL;
    wsframe_result r = wsframe_session_new(WSFRAME_ROLE_SERVER, NULL, &session);
    if (r != WSFRAME_RESULT_OK) {
        fprintf(stderr, "wsframe_session_new: %s\n", wsframe_result_str(r));
        return 1;
    }
    uint8_t input[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    size_t consumed = 0, n = 0;
    wsframe_event ev;
    const uint8_t *out = NULL;
    r = wsframe_session_receive(session, input, sizeof input, &consumed, &ev);
    if (r == WSFRAME_RESULT_OK && ev.type == WSFRAME_EVENT_TEXT)
        r = wsframe_session_send(session, WSFRAME_EVENT_TEXT, ev.data, ev.len, 0);
    if (r == WSFRAME_RESULT_OK) r = wsframe_session_outgoing(session, &out, &n);
    int ok = r == WSFRAME_RESULT_OK && n == 7 && memcmp(out, "\x81\x05Hello", 7) == 0;
    wsframe_session_free(session);
    if (!ok) {
        fprintf(stderr, "echo failed: %s\n", wsframe_result_str(r));
        return 1;
    }
    printf("app: echoed \"Hello\" with libwsframe %s\n", wsframe_version());
    return 0;
}
