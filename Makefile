# wsframe: build, check, test and demo. `make test` is what CI runs (.ci/run).
#
# Components (the C library, the wasm package, ...) plug in through mk/*.mk fragments that
# append to the lists below, e.g. `BUILD_TARGETS += build-c` and `SETUP_COMPONENTS += npm`.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

CARGO ?= cargo
VENV_PY := .venv/bin/python
# Where cargo puts binaries (target/ unless CARGO_TARGET_DIR says otherwise).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
NOSTD_TARGETS := thumbv7em-none-eabihf wasm32-unknown-unknown
RUST_ECHO_SERVER := $(CARGO) run --quiet --release --example echo_server -- --port {port}

# Extension points, in the order `make test` runs them.
SETUP_COMPONENTS := rust python miri
SETUP_TARGETS :=
BUILD_TARGETS := build-rust
CHECK_TARGETS := check-rust
TEST_TARGETS := test-rust test-nostd miri-c
INTEROP_TARGETS := test-interop-rust test-interop-rust-deflate test-adversarial-rust \
	test-interop-rust-ws-deflate test-liveness-rust
DEMO_TARGETS := demo-rust

-include $(sort $(wildcard mk/*.mk))

.PHONY: all setup build check test demo clean \
	build-rust check-rust test-rust test-nostd test-interop test-interop-rust \
	test-interop-rust-deflate demo-rust setup-base miri miri-c test-adversarial-rust test-interop-rust-ws-deflate soak \
	test-liveness-rust

all: build

## setup: install pinned tools (rust targets, clippy/rustfmt, Python venv); fast when done
setup: setup-base $(SETUP_TARGETS)

setup-base:
	@scripts/setup.sh $(SETUP_COMPONENTS)

## build: release builds of everything (the Rust examples; later the C library and wasm)
build: $(BUILD_TARGETS)

build-rust:
	@echo "==> build: cargo build --release --examples"
	$(CARGO) build --release --examples

## check: formatting, clippy with and without features (docs: `make doc`, mk/publish.mk)
check: $(CHECK_TARGETS)

check-rust:
	@echo "==> check: fmt, clippy, doc"
	$(CARGO) fmt --all --check
	@# --lib alone builds the core with no features (no dev-dependencies): the no_std, no-alloc path.
	$(CARGO) clippy --lib -- -D warnings
	$(CARGO) clippy --all-targets --features alloc -- -D warnings

## test: everything CI runs; stops at the first failure
test: setup check $(TEST_TARGETS) build test-interop

# The examples' dev-dependency on wsframe with `alloc` turns that feature on for every test
# build, so one run covers it; the featureless core is built and linted by check-rust and
# test-nostd.
test-rust:
	@echo "==> test: cargo test"
	$(CARGO) test --features alloc

test-nostd:
	@echo "==> test: no_std library builds ($(NOSTD_TARGETS))"
	@for t in $(NOSTD_TARGETS); do \
		echo "$(CARGO) build --lib --target $$t"; \
		$(CARGO) build --lib --target $$t; \
	done

test-interop: $(INTEROP_TARGETS)

test-interop-rust: build-rust
	@echo "==> test: interop, Python websockets client -> Rust echo server"
	$(VENV_PY) tests/interop/py_ws_client.py --server-cmd "$(RUST_ECHO_SERVER)"

test-interop-rust-deflate: build-rust
	@echo "==> test: interop, Python websockets (permessage-deflate) -> Rust echo server --deflate"
	$(VENV_PY) tests/interop/py_ws_client.py --deflate --server-cmd "$(RUST_ECHO_SERVER) --deflate"

## miri: Miri over the core's unit tests (about 4 min; the core has no unsafe code, so this
## checks its dependencies' unsafe paths it reaches) and over the C binding (about 30 s)
miri: miri-c
	@echo "==> miri: core unit tests"
	$(CARGO) +nightly miri test -p wsframe --lib --features alloc

# The C binding is where the unsafe code is: its Miri run is part of make test.
miri-c:
	@if ! rustup run nightly rustc --version >/dev/null 2>&1; then \
		echo "miri: SKIPPED: no nightly toolchain on this machine"; exit 0; fi; \
	echo "==> miri: C binding (bindings/c, the only unsafe code)"; \
	$(CARGO) +nightly miri test -p wsframe-c

# Heartbeat and reconnect of the Rust client against servers that drop, go silent, close.
test-liveness-rust: build-rust
	@echo "==> test: liveness, Rust echo_client (--heartbeat, --reconnect)"
	$(VENV_PY) tests/interop/liveness.py --client-cmd "$(TARGET_DIR)/release/examples/echo_client --url {url}"

test-interop-rust-ws-deflate: build-rust
	@echo "==> test: interop, ws client (permessage-deflate) -> Rust echo server --deflate"
	node tests/interop/node/ws-deflate.mjs --server-cmd "$(TARGET_DIR)/release/examples/echo_server --port {port} --deflate --quiet"

## soak: SOAK_CONNECTIONS (1000) concurrent connections echoing for SOAK_SECONDS (120) against
## the C and Rust echo servers; every echo checked, RSS sampled before, during and after
SOAK_CONNECTIONS ?= 1000
SOAK_SECONDS ?= 120
soak: setup build
	@ulimit -n 8192; for cmd in "build/bin/wsframe-echo-server --port {port} --quiet" \
		"$(TARGET_DIR)/release/examples/echo_server --port {port} --quiet"; do \
		echo "==> soak: $$cmd"; \
		$(VENV_PY) tests/soak/soak.py --server-cmd "$$cmd" \
			--connections $(SOAK_CONNECTIONS) --seconds $(SOAK_SECONDS) || exit 1; \
	done

# Raw-socket attacks on the echo server (slowloris, oversized heads, 2^63-byte frames,
# a million fragments, invalid UTF-8 everywhere, all 65,536 close codes, a deflate bomb).
test-adversarial-rust: build-rust
	@echo "==> test: adversarial raw-socket suite -> Rust echo server --deflate"
	$(VENV_PY) tests/interop/adversarial.py --deflate --server-cmd "$(RUST_ECHO_SERVER) --deflate --quiet"

## demo: each echo server on a free 127.0.0.1 port, talked to by a client of the same binding
demo: setup $(DEMO_TARGETS)

demo-rust: build-rust
	@echo "==> demo: echo_client -> echo_server on 127.0.0.1"
	@log=$$(mktemp); errlog=$$(mktemp); \
	$(TARGET_DIR)/release/examples/echo_server --port 0 >"$$log" 2>"$$errlog" & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true; rm -f "$$log" "$$errlog"' EXIT; \
	for _ in $$(seq 100); do grep -q '^listening on ' "$$log" && break; sleep 0.1; done; \
	line=$$(grep -m1 '^listening on ' "$$log") || { echo "demo: server did not start" >&2; cat "$$errlog" >&2; exit 1; }; \
	echo "server: $$line"; \
	status=0; $(TARGET_DIR)/release/examples/echo_client --url "ws://$${line#listening on }" || status=$$?; \
	sed 's/^/server: /' "$$errlog"; \
	exit $$status

clean:
	$(CARGO) clean
	rm -rf build
