# Side-by-side benchmarks (DESIGN §6). Included by the top Makefile.
#   make bench         installs what it needs, runs the Node rows (bench-node), then benches/
#                      in release, which merges them and writes BENCHMARKS.md (about 2-3
#                      minutes on 2 cores, plus the first builds)
#   make bench-node    the Node rows alone: the npm package (wasm) against ws with and without
#                      bufferutil, and echo round trips of every echo server against ws and
#                      Python websockets servers -> target/bench-node.json (about 40 s)
#   make bench-check   builds the bench harness only (quick; part of `make check`)
# benches/ is a cargo project of its own (its own [workspace] and Cargo.lock), so the
# peers it compares against never enter the main Cargo.lock.

CHECK_TARGETS += bench-check

BENCH_MANIFEST := benches/Cargo.toml
# Debian packages: wslay (the C peer), the Cortex-M size tools, valgrind (instruction counts).
BENCH_DEBS := libwslay-dev binutils-arm-none-eabi valgrind
BENCH_ARGS ?=
# The installed libwslay-dev, told to the harness's build script: installing the package
# after a build must rebuild the wslay driver (its header keeps the package's old mtime,
# which cargo's rerun-if-changed does not see as a change).
WSLAY_VERSION := dpkg-query -W -f='$${Version}' libwslay-dev 2>/dev/null || true
# The Node rows (benches/node): npm packages pinned by its package-lock.json; their results
# file, which the harness merges (benches/src/report.rs, merge_node).
BENCH_NODE_DIR := benches/node
BENCH_NODE_JSON := target/bench-node.json
BENCH_NODE_ARGS ?=

.PHONY: bench bench-check bench-deps bench-node bench-node-deps

bench-deps:
	@missing=""; for p in $(BENCH_DEBS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "==> bench: apt-get install$$missing"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@rustup target list --installed | grep -qx thumbv7em-none-eabihf || \
		rustup target add thumbv7em-none-eabihf >/dev/null 2>&1

# npm ci when node_modules is missing or was installed from another lock file; the Python
# venv (websockets, for the echo peer) through scripts/setup.sh.
bench-node-deps:
	@d=$(BENCH_NODE_DIR); \
	if [ -f $$d/node_modules/.lock-stamp ] && cmp -s $$d/package-lock.json $$d/node_modules/.lock-stamp; then \
		echo "bench: npm packages in $$d: ok"; \
	else \
		(cd $$d && npm ci --no-audit --no-fund --loglevel=error) >/dev/null; \
		cp $$d/package-lock.json $$d/node_modules/.lock-stamp; \
		echo "bench: npm packages in $$d: installed (npm ci)"; \
	fi
	@scripts/setup.sh python

## bench-node: the Node rows of BENCHMARKS.md -> target/bench-node.json
bench-node: bench-node-deps wasm-setup wasm-build c-build
	@# Only the C echo server (the other C programs need OpenSSL); a second make, as
	@# c-examples does, so that the link sees the libwsframe.a c-build just wrote.
	@$(MAKE) --no-print-directory $(CEX_ECHO)
	$(CARGO) build --release --example echo_server
	@rm -f $(BENCH_NODE_JSON)
	@echo "==> bench: node $(BENCH_NODE_DIR)/run.mjs (wasm vs ws codec rows, echo round trips)"
	node $(BENCH_NODE_DIR)/run.mjs --out $(BENCH_NODE_JSON) --c-server $(CEX_ECHO) \
		--rust-server $(TARGET_DIR)/release/examples/echo_server --python $(VENV_PY) $(BENCH_NODE_ARGS)

## bench: run the side-by-side benchmarks and write BENCHMARKS.md
bench: bench-deps bench-node
	@echo "==> bench: cargo run --release --manifest-path $(BENCH_MANIFEST)"
	WSFRAME_BENCH_WSLAY="$$($(WSLAY_VERSION))" \
		$(CARGO) run --release --manifest-path $(BENCH_MANIFEST) -- --command "make bench" $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-client-send

bench-check:
	@echo "==> check: bench harness builds"
	WSFRAME_BENCH_WSLAY="$$($(WSLAY_VERSION))" $(CARGO) build --release --manifest-path $(BENCH_MANIFEST)

## bench-client-send: the cost of a masked client send through the C API and the npm
## package (16-byte messages; masking keys from the library's default source)
.PHONY: bench-client-send
bench-client-send: c-build wasm-build
	@echo "==> bench: client sends, C API (wsframe_session, keys from rand's thread CSPRNG)"
	@mkdir -p build/bench
	$(CC) -O2 -Iinclude benches/c/session_client_send.c $(TARGET_DIR)/release/libwsframe.a \
		-lpthread -ldl -lm -o build/bench/session_client_send
	build/bench/session_client_send
	@echo "==> bench: client sends, npm package (Connection, keys from Web Crypto via the key pool)"
	node benches/node/client-send.mjs
