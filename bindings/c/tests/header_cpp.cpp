// The header compiled as C++17: extern "C" linkage, typed enums, structs.
#include <wsframe.h>

#include <cstdio>
#include <cstring>

static_assert(sizeof(wsframe_result) == 4, "results are uint32_t");
static_assert(WSFRAME_RESULT_OK == 0, "OK is zero");
static_assert(WSFRAME_CONN_STORAGE_ALIGN >= alignof(wsframe_backoff), "alignment");

int main() {
    alignas(WSFRAME_CONN_STORAGE_ALIGN) static unsigned char storage[WSFRAME_CONN_STORAGE_SIZE];
    wsframe_conn *conn = nullptr;
    wsframe_result r = wsframe_conn_init(storage, sizeof storage, WSFRAME_ROLE_SERVER, nullptr, &conn);
    if (r != WSFRAME_RESULT_OK) {
        std::printf("init: %s\n", wsframe_result_str(r));
        return 1;
    }
    unsigned char out[16];
    size_t n = 0;
    r = wsframe_conn_send(conn, WSFRAME_EVENT_TEXT, reinterpret_cast<const uint8_t *>("Hello"), 5, true, out, sizeof out, &n);
    wsframe_state state = wsframe_conn_state(conn);
    wsframe_conn_free(conn);
    wsframe_event ev{};
    ev.type = WSFRAME_EVENT_NONE;
    bool ok = r == WSFRAME_RESULT_OK && n == 7 && std::memcmp(out, "\x81\x05Hello", 7) == 0 &&
              state == WSFRAME_STATE_OPEN && ev.len == 0 &&
              std::strcmp(wsframe_version(), WSFRAME_VERSION_STRING) == 0;
    std::printf("%s\n", ok ? "C++: ok" : "C++: FAILED");
    return ok ? 0 : 1;
}
