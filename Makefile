# Thin wrapper: Debian packages, meson build, tests, benchmarks.
#   make         build, then run samples/hello.csp
#   make test    the whole suite (normal, ASan+UBSan, GC stress); ends "N passed, M failed"
#   make bench   bench/run

PKGS := meson ninja-build gcc clang libclang-rt-14-dev libc6-dev pkg-config python3 libuv1-dev libffi-dev libedit-dev zlib1g tmux

.PHONY: all run build test bench deps clean

all: run

# Install what is missing (only when root on a Debian-like system).
deps:
	@if command -v dpkg >/dev/null 2>&1; then \
		missing=""; \
		for p in $(PKGS); do \
			dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			if [ "$$(id -u)" = 0 ]; then \
				echo "installing:$$missing"; \
				apt-get update -qq && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
			else \
				echo "missing packages:$$missing (install them, or run make as root)"; exit 1; \
			fi; \
		fi; \
	fi

build/build.ninja: | deps
	meson setup build

build: deps build/build.ninja
	meson compile -C build

run: build
	build/csp samples/hello.csp

test: deps
	@bash tests/run_all.sh

bench: build
	bench/run

clean:
	rm -rf build build-asan
