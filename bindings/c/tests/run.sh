#!/usr/bin/env bash
# The C API checks, run by `make c-test` (mk/c.mk) after installing into a
# scratch prefix:
#
#   bindings/c/tests/run.sh PREFIX TARGET_DIR
#
# PREFIX is where `make install` put include/, lib/ and lib/pkgconfig/;
# TARGET_DIR is cargo's target directory. Steps: header drift, the header's
# examples compiled (header_examples.sh), API coverage by the tests, the C
# tests (plain, ASan+UBSan, valgrind), the header as C++17, pkg-config
# builds (shared and static), exported symbols and soname,
# the no-std build's semantics on the host, its panic handler, the firmware
# build. Ends with "N passed, N failed" (C test functions plus these steps).
set -uo pipefail

prefix=${1:?usage: run.sh PREFIX TARGET_DIR}
target_dir=${2:?usage: run.sh PREFIX TARGET_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
cargo=${CARGO:-cargo}
cc=${CC:-cc}
cxx=${CXX:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -g -I"$prefix/include")
static_libs=(-lpthread -ldl -lm)
# test_integrity.c checks wsframe against the system zlib and digests with
# libcrypto's SHA-256 (Debian zlib1g-dev, libssl-dev: `make c-setup`).
test_libs=(-lz -lcrypto)
tests=("$here"/main.c "$here"/test_*.c)
host=$(rustc -vV | sed -n 's/^host: //p')

passed=0
failed=0

header_functions() { # the functions include/wsframe.h declares, one per line
    grep -oE '^[a-z_0-9 ]+[ *]wsframe_[a-z_0-9]+\(' "$1" | grep -oE 'wsframe_[a-z_0-9]+\($' |
        tr -d '(' | sort -u
}

step() { # step NAME COMMAND...: runs a check, counts it, shows its output on failure
    local name=$1
    shift
    if "$@" >"$work/step.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/    /' "$work/step.log"
    fi
}

c_suite() { # c_suite NAME COMMAND...: runs a C test binary, adds its counts
    local name=$1
    shift
    echo "==> $name"
    "$@" >"$work/suite.log" 2>&1
    local status=$?
    grep -v '^ok ' "$work/suite.log" | sed 's/^/    /'
    local summary
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/suite.log" | tail -1)
    if [[ -z $summary ]]; then
        echo "FAIL $name: no summary (exit $status)"
        failed=$((failed + 1))
        return
    fi
    local p f
    read -r p _ f _ <<<"$summary"
    passed=$((passed + p))
    failed=$((failed + f))
    if ((status != 0 && f == 0)); then
        echo "FAIL $name: exit status $status"
        failed=$((failed + 1))
    fi
}

# --- The header: regenerated from the sources, it must equal the committed one.
drift() {
    WSFRAME_C_HEADER="$work/wsframe.h" "$cargo" build --quiet --release -p wsframe-c \
        --manifest-path "$root/Cargo.toml" --target-dir "$target_dir" || return 1
    cmp "$work/wsframe.h" "$root/include/wsframe.h" || {
        diff -u "$root/include/wsframe.h" "$work/wsframe.h" | head -40
        echo "include/wsframe.h is stale: run 'make c-build' and commit it"
        return 1
    }
    # The route the pre-commit check uses, when that cbindgen is installed.
    if command -v cbindgen >/dev/null && [[ $(cbindgen --version) == "cbindgen 0.29.4" ]]; then
        (cd "$root" && cbindgen --quiet --config bindings/c/cbindgen.toml --crate wsframe-c \
            --output "$work/cli.h" bindings/c) && cmp "$work/cli.h" "$root/include/wsframe.h" || return 1
    fi
    # In CI (a fresh clone), the build must not have changed the committed header.
    if [[ ${CI:-} == true ]] && git -C "$root" ls-files --error-unmatch include/wsframe.h >/dev/null 2>&1; then
        git -C "$root" diff --exit-code -- include/wsframe.h || return 1
    fi
    cmp "$root/include/wsframe.h" "$prefix/include/wsframe.h"
}
step "header: regenerated == include/wsframe.h == installed" drift

# --- Every ```c example in the header's doc comments compiles (c99, -Werror),
# so the examples cannot drift from the API either.
step "header examples compile (c99, -Wall -Wextra -Werror)" \
    env CC="$cc" bash "$here/header_examples.sh" "$prefix/include/wsframe.h"
sed -n 's/^header examples: .*/    &/p' "$work/step.log"

# --- Every function the header declares is called by a test.
coverage() {
    local fns missing=0
    fns=$(header_functions "$prefix/include/wsframe.h")
    [[ -n $fns ]] || return 1
    for fn in $fns; do
        grep -q "\\b$fn(" "${tests[@]}" "$here/nostd.c" || { echo "not tested: $fn"; missing=1; }
    done
    echo "$(wc -w <<<"$fns") functions"
    return $missing
}
step "every exported function is called by a test" coverage

# --- The binding's own Rust unit tests (result tables, parsing helpers, the
# unsafe paths; `make c-miri` runs these under Miri).
step "Rust unit tests of bindings/c" \
    "$cargo" test --quiet -p wsframe-c --manifest-path "$root/Cargo.toml" --target-dir "$target_dir"

# --- The C tests: plain, then ASan+UBSan, then valgrind.
step "C tests compile (c99, -Wall -Wextra -Werror -pedantic)" \
    "$cc" "${cflags[@]}" -o "$work/tests" "${tests[@]}" "$prefix/lib/libwsframe.a" "${static_libs[@]}" "${test_libs[@]}"
c_suite "C tests" "$work/tests"

step "C tests compile with -fsanitize=address,undefined" \
    "$cc" "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -o "$work/tests-asan" "${tests[@]}" "$prefix/lib/libwsframe.a" "${static_libs[@]}" "${test_libs[@]}"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    c_suite "C tests under ASan+UBSan" "$work/tests-asan"

# Under valgrind the compressors run some 50 times slower: WSFRAME_TEST_SHORT=1
# makes test_integrity.c send smaller and fewer messages (see its header).
if command -v valgrind >/dev/null; then
    WSFRAME_TEST_SHORT=1 c_suite "C tests under valgrind" \
        valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible \
        "$work/tests"
else
    echo "FAIL valgrind not installed"
    failed=$((failed + 1))
fi

# --- The header as C++17, linked and run.
cpp() {
    "$cxx" -std=c++17 -Wall -Wextra -Werror -pedantic -I"$prefix/include" -o "$work/cpp" \
        "$here/header_cpp.cpp" "$prefix/lib/libwsframe.a" "${static_libs[@]}" && "$work/cpp"
}
step "header compiles as C++17 (-Wall -Wextra -Werror) and links" cpp

# --- pkg-config, as users build: shared, then static with Libs.private.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pc_shared() {
    # shellcheck disable=SC2046
    "$cc" "$here/app.c" -o "$work/app" $(pkg-config --cflags --libs wsframe) &&
        LD_LIBRARY_PATH="$prefix/lib" "$work/app" &&
        readelf -d "$work/app" | grep -q 'NEEDED.*libwsframe\.so\.'
}
step "pkg-config: cc app.c \$(pkg-config --cflags --libs wsframe), shared" pc_shared
pc_static() {
    local libs
    libs=$(pkg-config --static --libs-only-l wsframe | sed 's/-lwsframe\b//')
    # shellcheck disable=SC2046,SC2086
    "$cc" "$here/app.c" -o "$work/app-static" $(pkg-config --cflags wsframe) \
        "$(pkg-config --variable=libdir wsframe)/libwsframe.a" $libs &&
        "$work/app-static" && ! readelf -d "$work/app-static" | grep -q 'NEEDED.*libwsframe'
}
step "pkg-config: static link with Libs.private" pc_static
exports() {
    local so soname others
    so=$(readlink -f "$prefix/lib/libwsframe.so")
    soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
    echo "soname: $soname"
    [[ -n $soname && -e $prefix/lib/$soname ]] || return 1
    others=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^wsframe_' || true)
    [[ -z $others ]] || { echo "unexpected exports: $others"; return 1; }
}
step "shared library: soname, only wsframe_* exported" exports

# --- The no-std build (firmware semantics) on the host, same header, built
# with the `firmware` profile of Cargo.toml (panic = "abort").
nostd_build() {
    "$cargo" build --quiet --profile firmware -p wsframe-c \
        --manifest-path "$root/Cargo.toml" --target-dir "$target_dir" --target "$host" \
        --no-default-features --features panic-handler &&
        "$cc" "${cflags[@]}" -I"$here" -o "$work/nostd" "$here/nostd.c" \
            "$target_dir/$host/firmware/libwsframe.a" -Wl,--gc-sections
}
step "no-std build for the host (profile firmware) and its C test compile" nostd_build
c_suite "no-std C tests" "$work/nostd"

# A panic on firmware must stop the device where it is (a trap its fault
# handler or watchdog acts on), not spin looking alive: the handler's first
# instructions are the undefined-instruction trap (ud2 here, udf on Arm).
panic_traps() {
    local asm
    asm=$(objdump -d "$target_dir/$host/firmware/libwsframe.a" | grep -A4 'rust_begin_unwind>:')
    echo "$asm"
    grep -q 'ud2' <<<"$asm" && ! grep -qE '\bjmp\b|pause' <<<"$asm"
}
step "no-std panic handler traps (ud2) instead of spinning" panic_traps

# --- The firmware build.
firmware() {
    "$cargo" build --quiet --profile firmware -p wsframe-c \
        --manifest-path "$root/Cargo.toml" --target-dir "$target_dir" --target thumbv7em-none-eabihf \
        --no-default-features --features panic-handler || return 1
    local lib="$target_dir/thumbv7em-none-eabihf/firmware/libwsframe.a"
    if command -v arm-none-eabi-objdump >/dev/null; then
        arm-none-eabi-objdump -d "$lib" | grep -A3 'rust_begin_unwind>:' | grep -q 'udf' ||
            { echo "the Cortex-M panic handler does not trap (udf)"; return 1; }
    fi
    echo "staticlib: $lib, $(stat -c %s "$lib") bytes"
    # What the whole API costs in flash: link every exported function, gc the rest.
    local lld fns
    lld="$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld"
    if [[ -x $lld ]]; then
        fns=$(header_functions "$root/include/wsframe.h" | sed 's/^/--undefined=/')
        # shellcheck disable=SC2086
        "$lld" -flavor gnu --gc-sections --entry=0 $fns -o "$work/fw.elf" "$lib" &&
            size "$work/fw.elf" | awk 'NR == 2 { print "all of the C API linked for thumbv7em: " $1 " bytes text, " $2 " data, " $3 " bss" }'
    fi
}
echo "==> firmware: thumbv7em-none-eabihf, --no-default-features --features panic-handler, profile firmware"
step "firmware staticlib builds" firmware
sed -n 's/^\(staticlib\|all of the C API\)/    &/p' "$work/step.log"

echo "$passed passed, $failed failed"
((failed == 0))
