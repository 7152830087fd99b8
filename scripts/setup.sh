#!/usr/bin/env bash
# Installs what `make test` and `make demo` need, pinned, on a fresh Debian 12 machine.
# Idempotent: every step checks first and is skipped when already satisfied.
#
#   scripts/setup.sh              # all components
#   scripts/setup.sh rust python  # only these
#
# To add a component (npm, cbindgen, wasm-bindgen, ...): write `setup_<name>` and add
# <name> to ALL_COMPONENTS. Each step prints exactly one line.
set -euo pipefail

cd "$(dirname "$0")/.."

ALL_COMPONENTS=(rust python fuzz miri)

# Pins.
RUST_TARGETS=(thumbv7em-none-eabihf wasm32-unknown-unknown)
RUST_COMPONENTS=(clippy rustfmt)
PY_REQUIREMENTS=("websockets==17.4" "aiohttp==3.14.5")
CARGO_FUZZ_VERSION=0.13.2
VENV=.venv

step() { printf 'setup: %-28s %s\n' "$1" "$2"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_rust() {
    command -v rustup >/dev/null || die "rustup not found (install Rust stable via rustup first)"
    local installed missing=()
    installed=$(rustup target list --installed)
    for t in "${RUST_TARGETS[@]}"; do
        grep -qx "$t" <<<"$installed" || missing+=("$t")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "rust targets" "ok (${RUST_TARGETS[*]})"
    else
        rustup target add "${missing[@]}" >/dev/null 2>&1 || die "rustup target add ${missing[*]} failed"
        step "rust targets" "installed ${missing[*]}"
    fi

    installed=$(rustup component list --installed)
    missing=()
    for c in "${RUST_COMPONENTS[@]}"; do
        grep -q "^$c" <<<"$installed" || missing+=("$c")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "rust components" "ok (${RUST_COMPONENTS[*]})"
    else
        rustup component add "${missing[@]}" >/dev/null 2>&1 || die "rustup component add ${missing[*]} failed"
        step "rust components" "installed ${missing[*]}"
    fi
}

setup_python() {
    command -v python3 >/dev/null || { apt_install python3; }
    local stamp="$VENV/.setup-stamp" want
    want="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') ${PY_REQUIREMENTS[*]}"
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        step "python venv" "ok ($VENV: ${PY_REQUIREMENTS[*]})"
        return
    fi
    # Debian's python3 has no ensurepip (so no venv) without python3-venv.
    python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" || die "python3 -m venv $VENV failed"
    fi
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_REQUIREMENTS[@]}" \
        || die "pip install ${PY_REQUIREMENTS[*]} failed"
    echo "$want" >"$stamp"
    step "python venv" "installed ($VENV: ${PY_REQUIREMENTS[*]})"
}

setup_fuzz() {
    # cargo-fuzz drives libFuzzer and needs the nightly toolchain, which this machine kind
    # ships; no toolchain can be downloaded here, so a missing nightly is reported, not fixed.
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        step "cargo-fuzz" "skipped (no nightly toolchain)"
        return
    fi
    if cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
        step "cargo-fuzz" "ok ($CARGO_FUZZ_VERSION)"
        return
    fi
    cargo install -q --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" >/dev/null 2>&1 \
        || die "cargo install cargo-fuzz $CARGO_FUZZ_VERSION failed"
    step "cargo-fuzz" "installed ($CARGO_FUZZ_VERSION)"
}

setup_miri() {
    # Miri checks the C binding's unsafe code (make test) and the core (make miri).
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        step "miri" "skipped (no nightly toolchain)"
        return
    fi
    local installed
    installed=$(rustup +nightly component list --installed 2>/dev/null)
    if grep -q '^miri' <<<"$installed" && grep -q '^rust-src' <<<"$installed"; then
        step "miri" "ok (nightly)"
        return
    fi
    rustup +nightly component add miri rust-src >/dev/null 2>&1 || die "rustup +nightly component add miri rust-src failed"
    step "miri" "installed (nightly miri, rust-src)"
}

components=("$@")
[ ${#components[@]} -eq 0 ] && components=("${ALL_COMPONENTS[@]}")
for c in "${components[@]}"; do
    declare -F "setup_$c" >/dev/null || die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})"
    "setup_$c"
done
