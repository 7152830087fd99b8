# The C library: libwsframe.a / libwsframe.so and include/wsframe.h.
# Included by the top Makefile; also usable alone: make -f mk/c.mk c-build c-test
#
#   c-build   release build of bindings/c, regenerating include/wsframe.h
#   c-test    the C tests (plain, ASan+UBSan, valgrind), header drift, the
#             header's examples compiled, C++17, pkg-config builds, the no-std
#             build on the host, the firmware build
#   install   PREFIX=dir: dir/include/wsframe.h, dir/lib/libwsframe.{a,so},
#             dir/lib/pkgconfig/wsframe.pc (default PREFIX=/usr/local)

C_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
CARGO ?= cargo
# Cargo's target directory, wherever the caller put it (default: target/).
C_TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),$(C_ROOT)/target))
C_LIB_DIR := $(C_TARGET_DIR)/release
C_HEADER := $(C_ROOT)/include/wsframe.h
C_VERSION := $(shell sed -n 's/^version = "\([^"]*\)"/\1/p' $(C_ROOT)/bindings/c/Cargo.toml | head -n 1)
C_MAJOR := $(word 1,$(subst ., ,$(C_VERSION)))
C_MINOR := $(word 2,$(subst ., ,$(C_VERSION)))
# As build.rs sets it: libwsframe.so.0.MINOR while 0.x, then libwsframe.so.MAJOR.
C_SONAME := libwsframe.so.$(if $(filter 0,$(C_MAJOR)),0.$(C_MINOR),$(C_MAJOR))
C_TEST_PREFIX := $(C_TARGET_DIR)/c-test-prefix
PREFIX ?= /usr/local

.PHONY: c-build c-test install

## c-build: cargo build --release -p wsframe-c; regenerates include/wsframe.h
c-build:
	@echo "==> c-build: libwsframe.a, libwsframe.so, include/wsframe.h"
	WSFRAME_C_HEADER=$(C_HEADER) $(CARGO) build --release -p wsframe-c \
		--manifest-path $(C_ROOT)/Cargo.toml --target-dir $(C_TARGET_DIR)
	@test -f $(C_HEADER)

# $(call c_install,DIR): the install layout, shared by install and c-test.
define c_install
	install -d $(1)/include $(1)/lib/pkgconfig
	install -m 644 $(C_HEADER) $(1)/include/wsframe.h
	install -m 644 $(C_LIB_DIR)/libwsframe.a $(1)/lib/libwsframe.a
	install -m 755 $(C_LIB_DIR)/libwsframe.so $(1)/lib/libwsframe.so.$(C_VERSION)
	ln -sf libwsframe.so.$(C_VERSION) $(1)/lib/$(C_SONAME)
	ln -sf $(C_SONAME) $(1)/lib/libwsframe.so
	printf '%s\n' \
		'prefix=$(1)' \
		'exec_prefix=$${prefix}' \
		'libdir=$${exec_prefix}/lib' \
		'includedir=$${prefix}/include' \
		'' \
		'Name: wsframe' \
		'Description: sans-IO WebSocket (RFC 6455) protocol core' \
		'Version: $(C_VERSION)' \
		'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lwsframe' \
		'Libs.private: -lpthread -ldl -lm -lrt -lutil -lgcc_s' \
		> $(1)/lib/pkgconfig/wsframe.pc
endef

## install: PREFIX=dir installs the header, both libraries and wsframe.pc
install: c-build
	@echo "==> install: $(abspath $(PREFIX))"
	$(call c_install,$(abspath $(PREFIX)))

## c-test: every C check; ends with "N passed, N failed"
c-test: c-build
	@echo "==> c-test: installing into $(C_TEST_PREFIX)"
	@rm -rf $(C_TEST_PREFIX)
	$(call c_install,$(C_TEST_PREFIX))
	CARGO="$(CARGO)" bash $(C_ROOT)/bindings/c/tests/run.sh $(C_TEST_PREFIX) $(C_TARGET_DIR)

## c-miri: the binding's unsafe code under Miri (needs nightly with miri)
.PHONY: c-miri
c-miri:
	$(CARGO) +nightly miri test -p wsframe-c --manifest-path $(C_ROOT)/Cargo.toml

## c-setup: the tools the C checks use (Debian packages), installed only when missing
.PHONY: c-setup
c-setup:
	@missing=""; \
	for p in pkg-config:pkg-config valgrind:valgrind g++:g++; do \
		command -v $${p%%:*} >/dev/null || missing="$$missing $${p##*:}"; \
	done; \
	for h in zlib.h:zlib1g-dev openssl/evp.h:libssl-dev; do \
		printf '#include <%s>\n' "$${h%%:*}" | $${CC:-cc} -E -x c - >/dev/null 2>&1 || \
			missing="$$missing $${h##*:}"; \
	done; \
	if [ -z "$$missing" ]; then echo "c-setup: pkg-config, valgrind, g++, zlib1g-dev, libssl-dev: ok"; else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
		echo "c-setup: installed$$missing"; fi

# Hooks into the top Makefile's lists.
SETUP_TARGETS += c-setup
BUILD_TARGETS += c-build
TEST_TARGETS += c-test
