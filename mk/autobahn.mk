# The Autobahn|Testsuite cases (autobahntestsuite from PyPI, pinned in
# tests/interop/autobahn/suite.py) against the C, Rust and Node echo servers and the C and
# Node Autobahn clients of DESIGN.md §5, judged strictly. See tests/interop/autobahn/README.md.
#
#   make autobahn        # cases 1-10 whole and a subset of 12/13 (about 3 min; in `make test`)
#   make autobahn-full   # all 517 cases (about 15 min); writes AUTOBAHN.md
#
# Needs: build/bin (c-examples), the Rust examples (build-rust), pkg/dist (wasm-build), the
# venv (scripts/setup.sh python) for pip, which fetches the suite once into .cache/autobahn.

VENV_PY ?= .venv/bin/python

.PHONY: autobahn autobahn-full

autobahn: c-examples build-rust wasm-build
	@scripts/setup.sh python
	@echo "==> autobahn: the suite's cases, strict (tests/interop/autobahn/run.py)"
	$(VENV_PY) tests/interop/autobahn/run.py

autobahn-full: c-examples build-rust wasm-build
	@scripts/setup.sh python
	@echo "==> autobahn-full: all 517 cases -> AUTOBAHN.md"
	$(VENV_PY) tests/interop/autobahn/run.py --full --write AUTOBAHN.md

# Hooks into the top Makefile's lists.
INTEROP_TARGETS += autobahn
