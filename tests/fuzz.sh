#!/usr/bin/env bash
# Build the front-end fuzzer (lexer + parser + compiler, libFuzzer with ASan and
# UBSan) and run it for CSP_FUZZ_SECONDS (default 60) over a corpus made of the
# golden tests, samples and benchmarks.  Crashers are written to build-fuzz/;
# each one found so far is kept as a test under tests/lang/compile_errors/.
# Prints "fuzz: 1 passed, 0 failed" or "fuzz: 0 passed, 1 failed".
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${CSP_FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out/corpus"
if ! command -v clang >/dev/null; then
	echo "fuzz: clang not found"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
[ -f build/csp_config.h ] || meson setup build >/dev/null
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild \
	fuzz/fuzz_compile.c lexer/*.c parser/*.c -o "$out/fuzz_compile"; then
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
find tests/lang samples bench -name '*.csp' -exec cp {} "$out/corpus/" \;
# Imports in fuzz inputs resolve against the working directory: use an empty one.
mkdir -p "$out/wd"
if (cd "$out/wd" && ../fuzz_compile -max_total_time="$secs" -timeout=5 -rss_limit_mb=4096 \
	-artifact_prefix=../ -print_final_stats=1 ../corpus 2>&1 | tail -n 25); then
	echo "fuzz: 1 passed, 0 failed"
else
	echo "fuzz: 0 passed, 1 failed (see $out/crash-*)"
	exit 1
fi
