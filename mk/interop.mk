# The interop matrix (issue 13, tests/interop/matrix/README.md): every wsframe face (the C,
# Rust and Node echo servers; wsframe-client, echo_client and the package's WebSocket in
# Node, Deno and Bun) against independent implementations (Python websockets and aiohttp,
# ws, Node's/Deno's/Bun's WebSocket, Chromium, Deno.serve, Bun.serve), each cell plain and
# with permessage-deflate. Prints the matrix, writes INTEROP.md, ends with "N passed, N failed"
# and fails if any cell FAILs. Included by the top Makefile (so `make test` runs it):
#
#   make interop
#   .venv/bin/python tests/interop/matrix/run.py --only 'C server'   # a subset, by name
#
# Needs: build/bin/wsframe-{echo-server,client} (c-examples), the Rust examples (build-rust),
# pkg/dist (wasm-build), the npm packages in tests/interop/node and Debian's chromium
# (wasm-setup), the venv with websockets and aiohttp (scripts/setup.sh python).

VENV_PY ?= .venv/bin/python

.PHONY: interop

interop: c-examples build-rust wasm-setup wasm-build
	@scripts/setup.sh python
	@echo "==> interop: the matrix (tests/interop/matrix/run.py -> INTEROP.md)"
	$(VENV_PY) tests/interop/matrix/run.py

# Hooks into the top Makefile's lists.
INTEROP_TARGETS += interop
