/*
 * The firmware demo on a Cortex-M4: the same application and simulated
 * network as the host test, with no stdio. The outcome is left in
 * fw_demo_result / fw_demo_stats for a debugger (or a test harness reading
 * RAM); main then sleeps.
 */
#include "fw_app.h"
#include "sim_peer.h"

volatile int fw_demo_result = -1;
volatile fw_stats fw_demo_stats;

int main(void) {
    fw_socket sock = sim_peer_socket();
    fw_stats st;
    fw_demo_result = (int)fw_app_run(&sock, &st);
    fw_demo_stats = st;
    for (;;) __asm__ volatile("wfi");
}
