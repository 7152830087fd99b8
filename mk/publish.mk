# Docs and publishing checks. Included by the top Makefile.
#   make doc            the Rust docs, warnings denied; every public item has an example
#                       (rustdoc's missing_doc_code_examples, nightly); the docs.rs build
#   make publish-check  `cargo package` of the core crate, its file list checked
#                       (the npm package's `npm publish --dry-run` is in mk/wasm.mk)

CHECK_TARGETS += doc
TEST_TARGETS += publish-check

DOC_FEATURES := alloc,rand
# Files the crate must ship, and paths it must not (tests data, bindings, build leftovers).
CRATE_REQUIRED := Cargo.toml README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md src/lib.rs src/session.rs
CRATE_FORBIDDEN := '^(tests|fuzz|benches|bindings|pkg|examples|include|target|build|scripts|mk)/|^\.venv|\.(o|a|so|wasm|tgz)$$'

.PHONY: doc publish-check

doc:
	@echo "==> doc: cargo doc (warnings denied), examples on every public item, docs.rs build"
	RUSTDOCFLAGS=-Dwarnings $(CARGO) doc --no-deps --features $(DOC_FEATURES)
	@if rustup run nightly rustc --version >/dev/null 2>&1; then \
		RUSTDOCFLAGS='-Dwarnings -Z unstable-options -Zcrate-attr=feature(rustdoc_missing_doc_code_examples) -D rustdoc::missing_doc_code_examples' \
			$(CARGO) +nightly doc --no-deps --features $(DOC_FEATURES) --target-dir target/doc-examples && \
		echo "doc: every public item has an example" && \
		RUSTDOCFLAGS='-Dwarnings --cfg docsrs' \
			$(CARGO) +nightly doc --no-deps --features $(DOC_FEATURES) --target-dir target/doc-docsrs && \
		echo "doc: the docs.rs build (--cfg docsrs) passes"; \
	else echo "doc: SKIPPED the nightly checks: no nightly toolchain"; fi

publish-check:
	@echo "==> publish-check: cargo package (the core crate)"
	@list=$$($(CARGO) package --allow-dirty --list 2>/dev/null); \
	for f in $(CRATE_REQUIRED); do \
		grep -qx "$$f" <<<"$$list" || { echo "publish-check: $$f missing from the crate"; exit 1; }; done; \
	if bad=$$(grep -E $(CRATE_FORBIDDEN) <<<"$$list"); then \
		echo "publish-check: the crate would ship:"; echo "$$bad"; exit 1; fi; \
	echo "publish-check: crate contents: $$(wc -l <<<"$$list") files, licences and README present, no test data"
	@# The packaged crate builds on its own (cargo's verify step). Its warnings that the
	@# repository's tests and examples are not shipped are what `include` is for.
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	if ! $(CARGO) package --allow-dirty >"$$log" 2>&1; then cat "$$log"; exit 1; fi; \
	crate=target/package/wsframe-$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1).crate; \
	echo "publish-check: $$(grep -m1 'Packaged' "$$log" | sed 's/^ *//'); $$crate builds on its own"
