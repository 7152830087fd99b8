# The C example programs (examples/c/) and their tests (tests/interop/c/). Included by the
# top Makefile; also usable alone from the repository root:
#
#   make -f mk/c-examples.mk c-examples-setup c-examples c-examples-test c-interop c-demo
#
# c-examples-setup  Debian packages when missing: libssl-dev, gcc-arm-none-eabi,
#                   libnewlib-arm-none-eabi, valgrind, openssl; rust target thumbv7em
# c-examples        build/bin/wsframe-{echo-server,client,autobahn-client,wss-client},
#                   against include/ and the static libwsframe.a (after c-build)
# c-examples-test   the firmware demo (no-std build on the host as a test, Cortex-M4F cross
#                   build and its .text size), the Autobahn client against a mock
#                   fuzzingserver, the wss:// client against a Python TLS server
# c-interop         the C echo server against Python websockets (plain and permessage-deflate),
#                   Node ws and headless Chromium; wsframe-client against a Python websockets
#                   server; wsframe-client's heartbeat and reconnect (c-liveness); slowloris
#                   checks; valgrind runs
# c-demo            the C echo server on a free port, a few lines through wsframe-client
#
# Every suite ends with "N passed, N failed"; servers run on free 127.0.0.1 ports and are
# stopped by PID.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c

CEX_MK := $(abspath $(lastword $(MAKEFILE_LIST)))
CEX_ROOT := $(abspath $(dir $(CEX_MK))/..)
# Alone (make -f mk/c-examples.mk) this fragment brings in the C library's rules itself;
# under the top Makefile, mk/c.mk is included with the other fragments.
CEX_STANDALONE := $(if $(filter $(CEX_MK),$(abspath $(firstword $(MAKEFILE_LIST)))),yes,)
ifeq ($(CEX_STANDALONE),yes)
include $(CEX_ROOT)/mk/c.mk
endif

CARGO ?= cargo
VENV_PY ?= .venv/bin/python
CEX_PY := $(if $(filter /%,$(VENV_PY)),$(VENV_PY),$(CEX_ROOT)/$(VENV_PY))
CEX_CC ?= gcc
CEX_CFLAGS ?= -std=c99 -Wall -Wextra -Werror -pedantic -O2 -g
CEX_TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),$(CEX_ROOT)/target))
CEX_LIB := $(CEX_TARGET_DIR)/release/libwsframe.a
CEX_LIBS := -lpthread -ldl -lm
CEX_BIN := $(CEX_ROOT)/build/bin
CEX_SRC := $(CEX_ROOT)/examples/c
CEX_TESTS := $(CEX_ROOT)/tests/interop/c
CEX_NODE := $(CEX_ROOT)/tests/interop/node
CEX_ECHO := $(CEX_BIN)/wsframe-echo-server
CEX_COMMON_H := $(wildcard $(CEX_SRC)/common/*.h) $(CEX_ROOT)/include/wsframe.h
CEX_PROGRAMS := $(addprefix $(CEX_BIN)/wsframe-,echo-server client autobahn-client wss-client)

.PHONY: c-examples c-examples-programs c-examples-setup c-examples-test c-firmware \
	c-autobahn-client-test c-wss-client-test c-interop c-interop-py c-interop-py-deflate \
	c-interop-node c-interop-chromium c-interop-client c-liveness c-interop-slowloris \
	c-interop-valgrind c-demo c-examples-clean

## c-examples: the C programs in build/bin/ (after c-build)
c-examples: c-build
	@$(MAKE) --no-print-directory -f $(CEX_MK) c-examples-programs

# The link step sees the library's mtime only after c-build ran, hence the second make.
c-examples-programs: $(CEX_PROGRAMS)

$(CEX_BIN)/wsframe-echo-server: $(CEX_SRC)/echo_server.c $(CEX_SRC)/common/net.c $(CEX_COMMON_H) $(CEX_LIB)
	@mkdir -p $(@D)
	$(CEX_CC) $(CEX_CFLAGS) -I$(CEX_ROOT)/include -I$(CEX_SRC) -o $@ $(filter %.c,$^) $(CEX_LIB) $(CEX_LIBS)

$(CEX_BIN)/wsframe-client: $(CEX_SRC)/client.c $(addprefix $(CEX_SRC)/common/,net.c wsclient.c lineclient.c suite.c) \
		$(CEX_COMMON_H) $(CEX_LIB)
	@mkdir -p $(@D)
	$(CEX_CC) $(CEX_CFLAGS) -I$(CEX_ROOT)/include -I$(CEX_SRC) -o $@ $(filter %.c,$^) $(CEX_LIB) $(CEX_LIBS)

$(CEX_BIN)/wsframe-autobahn-client: $(CEX_SRC)/autobahn_client.c $(addprefix $(CEX_SRC)/common/,net.c wsclient.c) \
		$(CEX_COMMON_H) $(CEX_LIB)
	@mkdir -p $(@D)
	$(CEX_CC) $(CEX_CFLAGS) -I$(CEX_ROOT)/include -I$(CEX_SRC) -o $@ $(filter %.c,$^) $(CEX_LIB) $(CEX_LIBS)

$(CEX_BIN)/wsframe-wss-client: $(CEX_SRC)/wss_client.c $(addprefix $(CEX_SRC)/common/,net.c wsclient.c lineclient.c) \
		$(CEX_COMMON_H) $(CEX_LIB)
	@mkdir -p $(@D)
	$(CEX_CC) $(CEX_CFLAGS) -I$(CEX_ROOT)/include -I$(CEX_SRC) -o $@ $(filter %.c,$^) $(CEX_LIB) -lssl -lcrypto $(CEX_LIBS)

## c-examples-setup: Debian packages and the rust target the C examples need, when missing
c-examples-setup:
	@missing=""; \
	[ -f /usr/include/openssl/ssl.h ] || missing="$$missing libssl-dev"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v valgrind >/dev/null || missing="$$missing valgrind"; \
	command -v arm-none-eabi-gcc >/dev/null || missing="$$missing gcc-arm-none-eabi"; \
	[ -f /usr/lib/arm-none-eabi/include/string.h ] || missing="$$missing libnewlib-arm-none-eabi"; \
	if [ -z "$$missing" ]; then echo "c-examples-setup: libssl-dev, openssl, valgrind, gcc-arm-none-eabi, newlib: ok"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
		echo "c-examples-setup: installed$$missing"; fi
	@if rustup target list --installed | grep -qx thumbv7em-none-eabihf; then \
		echo "c-examples-setup: rust target thumbv7em-none-eabihf: ok"; \
	else rustup target add thumbv7em-none-eabihf; fi

## c-examples-test: firmware demo (host run + Cortex-M4F build), Autobahn client, wss client
c-examples-test: c-firmware c-autobahn-client-test c-wss-client-test

c-firmware:
	@echo "==> c-firmware: examples/c/firmware on the host (no-std libwsframe) and for a Cortex-M4F"
	CARGO="$(CARGO)" bash $(CEX_TESTS)/firmware_test.sh $(CEX_ROOT) $(CEX_TARGET_DIR) $(CEX_ROOT)/build/firmware

c-autobahn-client-test: c-examples
	@echo "==> c-examples: wsframe-autobahn-client against a mock fuzzingserver (Python websockets)"
	$(CEX_PY) $(CEX_TESTS)/mock_fuzzingserver.py --agent wsframe-c \
		--client-cmd "$(CEX_BIN)/wsframe-autobahn-client --url ws://127.0.0.1:{port} --agent wsframe-c"

c-wss-client-test: c-examples
	@echo "==> c-examples: wsframe-wss-client (OpenSSL) against a Python websockets TLS echo server"
	$(CEX_PY) $(CEX_TESTS)/client_test.py --tls --client $(CEX_BIN)/wsframe-wss-client

## c-interop: the C echo server and client against Python websockets, Node ws and Chromium
c-interop: c-interop-py c-interop-py-deflate c-interop-node c-interop-chromium \
	c-interop-ws-deflate c-interop-chromium-deflate c-interop-adversarial \
	c-interop-client c-liveness c-interop-slowloris c-interop-valgrind

c-interop-py: c-examples
	@echo "==> c-interop: Python websockets client -> C echo server"
	$(CEX_PY) $(CEX_ROOT)/tests/interop/py_ws_client.py --server-cmd "$(CEX_ECHO) --port {port}"

c-interop-py-deflate: c-examples
	@echo "==> c-interop: Python websockets client (permessage-deflate) -> C echo server --deflate"
	$(CEX_PY) $(CEX_ROOT)/tests/interop/py_ws_client.py --deflate --server-cmd "$(CEX_ECHO) --port {port} --deflate"

c-interop-node: c-examples
	@echo "==> c-interop: Node ws client -> C echo server"
	node $(CEX_NODE)/ws.mjs --server-cmd "$(CEX_ECHO) --port {port} --quiet"

c-interop-ws-deflate: c-examples
	@echo "==> c-interop: ws client (permessage-deflate) -> C echo server --deflate"
	node $(CEX_NODE)/ws-deflate.mjs --server-cmd "$(CEX_ECHO) --port {port} --deflate --quiet"

c-interop-chromium-deflate: c-examples $(if $(CEX_STANDALONE),,wasm-build)
	@echo "==> c-interop: headless Chromium (permessage-deflate) -> C echo server --deflate"
	node $(CEX_NODE)/chromium.mjs --deflate --server-cmd "$(CEX_ECHO) --port {port} --deflate --quiet"

c-interop-adversarial: c-examples
	@echo "==> c-interop: adversarial raw-socket suite -> C echo server --deflate"
	$(CEX_PY) tests/interop/adversarial.py --deflate --server-cmd "$(CEX_ECHO) --port {port} --deflate --quiet"

# chromium.mjs loads the npm package's browser entry from pkg/dist (wasm-build).
c-interop-chromium: c-examples $(if $(CEX_STANDALONE),,wasm-build)
	@echo "==> c-interop: headless Chromium -> C echo server"
	node $(CEX_NODE)/chromium.mjs --server-cmd "$(CEX_ECHO) --port {port} --quiet"

c-interop-client: c-examples
	@echo "==> c-interop: wsframe-client -> Python websockets echo server"
	$(CEX_PY) $(CEX_TESTS)/client_test.py --client $(CEX_BIN)/wsframe-client

## c-liveness: wsframe-client --heartbeat / --reconnect (DESIGN.md §5), tests/interop/liveness.py
c-liveness: c-examples
	@echo "==> c-interop: wsframe-client heartbeat and reconnect (tests/interop/liveness.py)"
	$(CEX_PY) $(CEX_ROOT)/tests/interop/liveness.py --client-cmd "$(CEX_BIN)/wsframe-client --url {url}"

c-interop-slowloris: c-examples
	@echo "==> c-interop: slow and stalled handshakes beside normal clients (C echo server)"
	$(CEX_PY) $(CEX_TESTS)/slowloris.py --server-cmd "$(CEX_ECHO) --port {port} --quiet"

c-interop-valgrind: c-examples
	@echo "==> c-interop: C echo server under valgrind (interop subsets, deflate, SIGINT/SIGTERM)"
	$(CEX_PY) $(CEX_TESTS)/valgrind_echo.py --server $(CEX_ECHO)

## c-demo: the C echo server on a free 127.0.0.1 port, a few lines through wsframe-client
c-demo: c-examples
	@echo "==> c-demo: wsframe-client -> wsframe-echo-server on 127.0.0.1"
	@log=$$(mktemp); errlog=$$(mktemp); \
	$(CEX_ECHO) --port 0 >"$$log" 2>"$$errlog" & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true; wait $$pid 2>/dev/null || true; rm -f "$$log" "$$errlog"' EXIT; \
	for _ in $$(seq 100); do grep -q '^listening on ' "$$log" && break; sleep 0.1; done; \
	line=$$(grep -m1 '^listening on ' "$$log") || { echo "c-demo: server did not start" >&2; cat "$$errlog" >&2; exit 1; }; \
	echo "server (pid $$pid): $$line"; \
	lines=("Hello from C" "héllo wörld ✓" "a third line, then the closing handshake"); \
	for l in "$${lines[@]}"; do echo "> $$l"; done; \
	status=0; printf '%s\n' "$${lines[@]}" | timeout 30 $(CEX_BIN)/wsframe-client --url "ws://$${line#listening on }/demo" || status=$$?; \
	sleep 0.2; sed 's/^/server: /' "$$errlog"; \
	exit $$status

c-examples-clean:
	rm -rf $(CEX_ROOT)/build/bin $(CEX_ROOT)/build/firmware

# Hooks into the top Makefile's lists (no effect when this file is used alone).
SETUP_TARGETS += c-examples-setup
BUILD_TARGETS += c-examples
TEST_TARGETS += c-examples-test
INTEROP_TARGETS += c-interop
DEMO_TARGETS += c-demo
