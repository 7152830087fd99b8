# wasm binding and npm package (bindings/wasm -> pkg/). Included by the top Makefile;
# also usable alone from the repository root:
#
#   make -f mk/wasm.mk wasm-setup wasm-build wasm-test
#
# wasm-setup  pinned installs (idempotent): rust target, wasm-bindgen CLI = crate version,
#             npm ci in pkg/ and tests/interop/node/, Debian chromium if missing
# wasm-build  release wasm (+simd128), wasm-bindgen glue for web and Node into pkg/dist/,
#             npm binaryen wasm-opt -Oz when smaller; sizes in pkg/dist/SIZES.txt
# wasm-test   wasm-bindgen-test in Node, node --test over the package, tsc, npm pack smoke
#             in Node/Deno/Bun/workerd, interop with ws and headless Chromium, each also
#             with permessage-deflate (the echo server's --deflate)
# wasm-demo   Node echo server + examples/node/client.mjs against it (two lines on stdin)
# test-liveness-node         examples/node/client.mjs --heartbeat/--reconnect (tests/interop/liveness.py)
# test-autobahn-client-node  examples/node/autobahn-client.mjs against the mock fuzzingserver
# wasm-bench-node            echo round trips, WebSocketServer vs ws (not part of make test)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c

CARGO ?= cargo
# Must equal the `wasm-bindgen` crate pin in bindings/wasm/Cargo.toml (TOOLCHAIN.md).
WASM_BINDGEN_VERSION := 0.2.130
WASM_TARGET := wasm32-unknown-unknown
# The release wasm gets its own target dir: its RUSTFLAGS/profile would otherwise
# invalidate the other builds in target/.
WASM_TARGET_DIR := target/wasm-pkg
WASM_RAW := $(WASM_TARGET_DIR)/$(WASM_TARGET)/release/wsframe_wasm.wasm
WASM_OPT := pkg/node_modules/.bin/wasm-opt
WASM_OPT_FEATURES := --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
	--enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue
INTEROP_NODE := tests/interop/node
PKG_DIST := pkg/dist

.PHONY: wasm-setup wasm-build wasm-test wasm-test-rust wasm-test-js wasm-test-pack \
	wasm-test-interop wasm-demo wasm-clean

wasm-setup:
	@echo "==> wasm-setup"
	@if rustup target list --installed | grep -qx $(WASM_TARGET); then \
		echo "wasm-setup: rust target $(WASM_TARGET): ok"; \
	else rustup target add $(WASM_TARGET); fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "wasm-setup: wasm-bindgen $(WASM_BINDGEN_VERSION): ok"; \
	else \
		echo "wasm-setup: installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 6 min)"; \
		$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@# tests/interop/node: `npm install`, not `npm ci`: deno, bun and workerd have optional
	@# per-platform packages, and the registry here serves only linux-x64's, so the lock file
	@# records only those and `npm ci` refuses it as out of sync. `npm install` follows the
	@# lock file (it stays unchanged).
	@for d in pkg $(INTEROP_NODE); do \
		if [ -f $$d/node_modules/.lock-stamp ] && cmp -s $$d/package-lock.json $$d/node_modules/.lock-stamp; then \
			echo "wasm-setup: npm packages in $$d: ok"; \
		else \
			if [ $$d = pkg ]; then cmd=ci; else cmd=install; fi; \
			(cd $$d && npm $$cmd --no-audit --no-fund --loglevel=error) >/dev/null; \
			cp $$d/package-lock.json $$d/node_modules/.lock-stamp; \
			echo "wasm-setup: npm packages in $$d: installed (npm $$cmd)"; \
		fi; \
	done
	@if command -v chromium >/dev/null; then echo "wasm-setup: chromium: ok"; else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		echo "wasm-setup: chromium: installed"; fi

# The package is rebuilt only when a source it is made from changed.
WASM_SOURCES := $(shell find src bindings/wasm/src -name '*.rs' 2>/dev/null) \
	Cargo.toml Cargo.lock bindings/wasm/Cargo.toml mk/wasm.mk

wasm-build: $(PKG_DIST)/SIZES.txt
	@echo "wasm-build: pkg/dist is up to date:"
	@sed 's/^/  /' $<
	@# The npm tarball carries the licences; they live once, at the repository root.
	@cp LICENSE-MIT LICENSE-APACHE pkg/

$(PKG_DIST)/SIZES.txt: $(WASM_SOURCES)
	@echo "==> wasm-build: release wasm (+simd128), wasm-bindgen $(WASM_BINDGEN_VERSION), wasm-opt"
	CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
	CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
	RUSTFLAGS="-C target-feature=+simd128" \
		$(CARGO) build --release -p wsframe-wasm --target $(WASM_TARGET) --target-dir $(WASM_TARGET_DIR)
	rm -rf $(PKG_DIST)
	wasm-bindgen --target web --out-dir $(PKG_DIST)/web $(WASM_RAW)
	wasm-bindgen --target experimental-nodejs-module --out-dir $(PKG_DIST)/node $(WASM_RAW)
	@{ echo "raw (cargo, before wasm-bindgen): $$(stat -c %s $(WASM_RAW)) bytes"; \
	for t in web node; do \
		f=$(PKG_DIST)/$$t/wsframe_wasm_bg.wasm; \
		before=$$(stat -c %s $$f); \
		$(WASM_OPT) -Oz $(WASM_OPT_FEATURES) $$f -o $$f.opt; \
		after=$$(stat -c %s $$f.opt); \
		if [ $$after -lt $$before ]; then mv $$f.opt $$f; kept="kept"; else rm $$f.opt; kept="not smaller, wasm-bindgen output kept"; fi; \
		echo "$$t: wasm-bindgen $$before bytes, wasm-opt -Oz $$after bytes ($$kept), gzip -9 $$(gzip -9c $$f | wc -c) bytes"; \
	done; } > $@.tmp
	@mv $@.tmp $@

wasm-test: wasm-build wasm-test-rust wasm-test-js wasm-test-pack wasm-test-interop

wasm-test-rust:
	@echo "==> wasm-test: wasm-bindgen-test in Node (bindings/wasm/tests)"
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		$(CARGO) test -p wsframe-wasm --target $(WASM_TARGET)

wasm-test-js: wasm-build
	@echo "==> wasm-test: node --test pkg/test, tsc --noEmit"
	@# Bounded: a test that leaves a socket open would otherwise keep its file's process,
	@# and the run, alive until CI's limit (the suite takes about 20 s).
	cd pkg && timeout --kill-after=10 600 node --test test/
	cd pkg && node_modules/.bin/tsc -p tsconfig.json
	@echo "tsc --noEmit: pkg/test/example.ts type-checks"

wasm-test-pack: wasm-build
	@echo "==> wasm-test: npm pack -> empty project -> Node 20 and 18, Deno, Bun, workerd"
	node tests/interop/pack-smoke.mjs

# npm publish --dry-run (no login needed): the tarball's file list must hold the licences,
# the README, the types and both wasm builds, and no tests, sources of the build, or
# node_modules.
NPM_REQUIRED := LICENSE-MIT LICENSE-APACHE README.md package.json src/index.d.ts src/websocket.js \
	dist/web/wsframe_wasm_bg.wasm dist/node/wsframe_wasm_bg.wasm
.PHONY: npm-publish-check
npm-publish-check: wasm-build
	@echo "==> npm-publish-check: npm publish --dry-run (pkg/)"
	@cd pkg && out=$$(npm publish --dry-run --json 2>/dev/null) && \
	files=$$(node -e 'const d=JSON.parse(process.argv[1]); const p=d.wsframe||d; \
		for (const f of p.files) console.log(f.path); \
		console.error(`npm-publish-check: $${p.id}: $${p.files.length} files, $${p.size} bytes packed, $${p.unpackedSize} unpacked`)' "$$out") && \
	for f in $(NPM_REQUIRED); do grep -qx "$$f" <<<"$$files" || { echo "npm-publish-check: $$f missing"; exit 1; }; done; \
	if bad=$$(grep -E '^(test|node_modules|dist/.*\.d\.ts$$)|tsconfig|\.tgz$$' <<<"$$files"); then \
		echo "npm-publish-check: the tarball would ship:"; echo "$$bad"; exit 1; fi; \
	echo "npm-publish-check: licences, README, types and both wasm builds present; no tests"

wasm-test-interop: wasm-build
	@echo "==> wasm-test: interop, ws client -> Node echo server"
	node $(INTEROP_NODE)/ws.mjs
	@echo "==> wasm-test: interop, ws client (permessage-deflate) -> Node echo server --deflate"
	node $(INTEROP_NODE)/ws-deflate.mjs
	@echo "==> wasm-test: interop, headless Chromium -> Node echo server"
	node $(INTEROP_NODE)/chromium.mjs
	@echo "==> wasm-test: interop, headless Chromium (permessage-deflate) -> Node echo server --deflate"
	node $(INTEROP_NODE)/chromium.mjs --deflate
	@echo "==> wasm-test: interop, the package's WebSocket side by side with headless Chromium's (WHATWG API)"
	node $(INTEROP_NODE)/whatwg-parity.mjs

wasm-demo: wasm-build
	@echo "==> wasm-demo: Node echo server + examples/node/client.mjs"
	@log=$$(mktemp); \
	node examples/node/echo-server.mjs --port 0 >"$$log" 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f "$$log"' EXIT; \
	for _ in $$(seq 100); do grep -q '^listening on ' "$$log" && break; sleep 0.1; done; \
	port=$$(sed -n 's/^listening on 127\.0\.0\.1://p' "$$log"); \
	[ -n "$$port" ] || { echo "wasm-demo: echo server did not start:"; cat "$$log"; exit 1; }; \
	echo "wasm-demo: echo server (pid $$pid) $$(head -1 "$$log")"; \
	printf 'Hello, wsframe!\nline two\n' | timeout 30 node examples/node/client.mjs --url "ws://127.0.0.1:$$port/"

wasm-clean:
	rm -rf $(PKG_DIST) $(WASM_TARGET_DIR)

# Hooks into the top Makefile's lists (no effect when this file is used alone).
SETUP_TARGETS += wasm-setup
BUILD_TARGETS += wasm-build
TEST_TARGETS += wasm-test-rust wasm-test-js wasm-test-pack npm-publish-check
INTEROP_TARGETS += wasm-test-interop test-interop-node-py test-adversarial-node test-interop-node-py-deflate \
	test-liveness-node test-autobahn-client-node
DEMO_TARGETS += wasm-demo

.PHONY: test-interop-node-py test-interop-node-py-deflate
test-interop-node-py: wasm-build
	@echo "==> test: interop, Python websockets client -> Node echo server"
	$(VENV_PY) tests/interop/py_ws_client.py --server-cmd "node examples/node/echo-server.mjs --port {port}"

test-interop-node-py-deflate: wasm-build
	@echo "==> test: interop, Python websockets client (permessage-deflate) -> Node echo server --deflate"
	$(VENV_PY) tests/interop/py_ws_client.py --deflate --server-cmd "node examples/node/echo-server.mjs --port {port} --deflate"

.PHONY: test-adversarial-node
test-adversarial-node: wasm-build
	@echo "==> test: adversarial raw-socket suite -> Node echo server --deflate"
	$(VENV_PY) tests/interop/adversarial.py --deflate --server-cmd "node examples/node/echo-server.mjs --port {port} --deflate"

# The Node client's heartbeat and reconnect (DESIGN.md §5), next to test-liveness-rust.
.PHONY: test-liveness-node test-autobahn-client-node
test-liveness-node: wasm-build
	@echo "==> test: liveness, examples/node/client.mjs (--heartbeat, --reconnect)"
	$(VENV_PY) tests/interop/liveness.py --client-cmd "node examples/node/client.mjs --url {url}"

test-autobahn-client-node: wasm-build
	@echo "==> test: examples/node/autobahn-client.mjs against a mock fuzzingserver (Python websockets)"
	$(VENV_PY) tests/interop/c/mock_fuzzingserver.py --agent wsframe-node \
		--client-cmd "node examples/node/autobahn-client.mjs --url ws://127.0.0.1:{port} --agent wsframe-node"

# Not part of `make test`: echo round trips, WebSocketServer against a ws server (64 B, 64 KiB).
.PHONY: wasm-bench-node
wasm-bench-node: wasm-build
	@echo "==> bench: Node echo round trips, wsframe WebSocketServer vs ws"
	node $(INTEROP_NODE)/bench-echo.mjs
