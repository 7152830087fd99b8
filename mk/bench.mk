# Side-by-side benchmarks (DESIGN §6). Included by the top Makefile.
#   make bench         installs what it needs, runs benches/ in release, writes BENCHMARKS.md
#                      (about 1-2 minutes on 2 cores, plus the first build)
#   make bench-check   builds the bench harness only (quick; part of `make check`)
# benches/ is a cargo project of its own (its own [workspace] and Cargo.lock), so the
# peers it compares against never enter the main Cargo.lock.

CHECK_TARGETS += bench-check

BENCH_MANIFEST := benches/Cargo.toml
# Debian packages: wslay (the C peer), the Cortex-M size tools, valgrind (instruction counts).
BENCH_DEBS := libwslay-dev binutils-arm-none-eabi valgrind
BENCH_ARGS ?=

.PHONY: bench bench-check bench-deps

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

## bench: run the side-by-side benchmarks and write BENCHMARKS.md
bench: bench-deps
	@echo "==> bench: cargo run --release --manifest-path $(BENCH_MANIFEST)"
	$(CARGO) run --release --manifest-path $(BENCH_MANIFEST) -- --command "make bench" $(BENCH_ARGS)
	@$(MAKE) --no-print-directory bench-client-send

bench-check:
	@echo "==> check: bench harness builds"
	$(CARGO) build --release --manifest-path $(BENCH_MANIFEST)

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
