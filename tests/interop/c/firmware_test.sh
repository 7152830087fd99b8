#!/usr/bin/env bash
# The firmware example (examples/c/firmware), run by `make c-firmware`:
#
#   tests/interop/c/firmware_test.sh ROOT TARGET_DIR OUT_DIR
#
# 1. The library's no-std build for the host (--no-default-features --features
#    panic-handler, profile firmware: panic=abort, no heap, no OS randomness), as
#    c-test builds it;
#    the demo linked against it and run as a test (its own ok/FAIL lines).
# 2. The same library for thumbv7em-none-eabihf; the demo cross-compiled for a
#    Cortex-M4F with arm-none-eabi-gcc and linked with its start-up code and linker
#    script, with no heap and no syscall stubs (a malloc would not link); .text size.
# Ends with "N passed, N failed".
set -uo pipefail

root=${1:?usage: firmware_test.sh ROOT TARGET_DIR OUT_DIR}
target_dir=${2:?usage: firmware_test.sh ROOT TARGET_DIR OUT_DIR}
out=${3:?usage: firmware_test.sh ROOT TARGET_DIR OUT_DIR}
cargo=${CARGO:-cargo}
cc=${CC:-gcc}
host=$(rustc -vV | sed -n 's/^host: //p')
fw=$root/examples/c/firmware
srcs=("$fw/fw_app.c" "$fw/sim_peer.c")
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -I"$root/include")
arm_flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0
failed=0
step() { # step NAME COMMAND...: runs a build step, counts it, shows its output on failure
    local name=$1
    shift
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/    /' "$log"
    fi
}

libwsframe() { # libwsframe TARGET: the no-std staticlib, built as bindings/c/tests/run.sh does
    "$cargo" build --quiet --profile firmware -p wsframe-c \
        --manifest-path "$root/Cargo.toml" --target-dir "$target_dir" --target "$1" \
        --no-default-features --features panic-handler
}

host_build() {
    libwsframe "$host" &&
        "$cc" "${cflags[@]}" -O2 -o "$out/firmware-host" "$fw/main_host.c" "${srcs[@]}" \
            "$target_dir/$host/firmware/libwsframe.a" -Wl,--gc-sections
}
step "no-std libwsframe for $host; the demo links against it" host_build
if [[ -x $out/firmware-host ]]; then
    echo "==> the firmware demo on the host"
    "$out/firmware-host" >"$log" 2>&1
    status=$?
    sed 's/^/    /' "$log"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [[ -n $summary ]]; then
        read -r p _ f _ <<<"$summary"
        passed=$((passed + p))
        failed=$((failed + f))
        if ((status != 0 && f == 0)); then failed=$((failed + 1)); fi
    else
        echo "FAIL the demo printed no summary (exit $status)"
        failed=$((failed + 1))
    fi
fi

arm_build() {
    command -v arm-none-eabi-gcc >/dev/null || {
        echo "arm-none-eabi-gcc not installed (make c-examples-setup)"
        return 1
    }
    libwsframe thumbv7em-none-eabihf &&
        arm-none-eabi-gcc "${cflags[@]}" "${arm_flags[@]}" -Os -ffunction-sections -fdata-sections \
            -nostartfiles -T "$fw/cortex_m4.ld" -Wl,--gc-sections -Wl,-z,noexecstack \
            -Wl,--no-warn-rwx-segments -Wl,-Map="$out/wsframe-firmware.map" -o "$out/wsframe-firmware.elf" \
            "$fw/startup_cortex_m4.c" "$fw/main_arm.c" "${srcs[@]}" \
            "$target_dir/thumbv7em-none-eabihf/firmware/libwsframe.a" -lc -lgcc &&
        ! arm-none-eabi-nm "$out/wsframe-firmware.elf" | grep -qwE 'malloc|_sbrk|free'
}
step "Cortex-M4F cross build (arm-none-eabi-gcc ${arm_flags[*]}), no heap" arm_build
if [[ -f $out/wsframe-firmware.elf ]] && command -v arm-none-eabi-size >/dev/null; then
    arm-none-eabi-size "$out/wsframe-firmware.elf" | sed 's/^/    /'
    arm-none-eabi-size "$out/wsframe-firmware.elf" | awk 'NR == 2 {
        print "    firmware image (demo + simulated peer + libwsframe): .text " $1 " bytes, .data " $2 ", .bss " $3 }'
fi

echo "$passed passed, $failed failed"
((failed == 0))
