# Fuzzing (cargo-fuzz, libFuzzer, nightly). Included by the top Makefile.
#   make fuzz                   each target for FUZZ_SECONDS (default 300)
#   make fuzz-smoke             each target for FUZZ_SMOKE_SECONDS (default 20), part of `make test`
# New inputs go to a scratch corpus in fuzz/target/; the committed seeds in
# fuzz/corpus/ are read, never written. A crash fails the run; its input is
# left in fuzz/artifacts/<target>/ for a regression test.

SETUP_COMPONENTS += fuzz
TEST_TARGETS += fuzz-smoke

FUZZ_TARGETS ?= frame_decoder connection handshake_server handshake_client utf8 deflate deflate_compressor c_api session_slots
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20

.PHONY: fuzz fuzz-smoke fuzz-build

fuzz-build:
	@echo "==> fuzz: build targets (nightly)"
	@if rustup run nightly rustc --version >/dev/null 2>&1; then cd fuzz && cargo +nightly fuzz build; fi

define run_fuzz
	@if ! rustup run nightly rustc --version >/dev/null 2>&1; then \
		echo "fuzz: SKIPPED: no nightly toolchain on this machine (cargo-fuzz needs it)"; exit 0; fi; \
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		mkdir -p target/corpus/$$t; \
		out=$$(cargo +nightly fuzz run $$t target/corpus/$$t corpus/$$t -- \
			-max_total_time=$(1) -print_final_stats=1 2>&1) || { echo "$$out" | tail -40; echo "fuzz: $$t FAILED"; exit 1; }; \
		runs=$$(echo "$$out" | sed -n 's/^stat::number_of_executed_units: *//p'); \
		printf 'fuzz: %-18s %10s executions in %ss, no crash\n' "$$t" "$$runs" "$(1)"; \
	done
endef

fuzz: fuzz-build
	$(call run_fuzz,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-build
	$(call run_fuzz,$(FUZZ_SMOKE_SECONDS))
