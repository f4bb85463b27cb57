#!/usr/bin/env bash
# Four fuzzers, each for CSP_FUZZ_SECONDS (default 60; the trace one a quarter):
#  1. the front end (lexer + parser + compiler, libFuzzer with ASan and UBSan)
#     over a corpus made of the golden tests, samples and benchmarks.
#     Crashers are written to build-fuzz/; each one found so far is kept as a
#     test under tests/lang/compile_errors/.
#  2. the concurrency runtime: fuzz/gen_conc.py writes random concurrent
#     programs and runs them under the ThreadSanitizer build (build-tsan/csp,
#     which the tsan part of tests/run_all.sh builds; else build/csp).
#     Failing programs are kept in build-fuzz/conc/.
#  3. the whole interpreter: fuzz/afl.sh runs AFL++ over mutated programs
#     through the full interpreter under ASan and UBSan, with an instruction
#     budget and a heap cap (build-afl/).
#  4. `csp trace`: the JSON reader, the trace loader, the summary and the page
#     writer (libFuzzer, fuzz/fuzz_trace.c) over tests/trace's fixtures.
# Prints "fuzz: N passed, M failed" (N + M = 4).
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
	fuzz/fuzz_compile.c base/*.c lexer/*.c parser/*.c -o "$out/fuzz_compile"; then
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
find tests/lang samples bench -name '*.csp' -exec cp {} "$out/corpus/" \;
# Imports in fuzz inputs resolve against the working directory: use an empty one.
mkdir -p "$out/wd"
passed=0
failed=0
if (cd "$out/wd" && ../fuzz_compile -max_total_time="$secs" -timeout=5 -rss_limit_mb=4096 \
	-artifact_prefix=../ -print_final_stats=1 ../corpus 2>&1 | tail -n 25); then
	passed=$((passed + 1))
else
	echo "front-end fuzzer failed (see $out/crash-*)"
	failed=$((failed + 1))
fi
# `csp trace`'s reader (base/json.c, repl/trace_load.c) and printers, on the
# trace fixtures, for a quarter of the time.
if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. -Ibuild \
	base/[a-z]*.c repl/trace.c repl/trace_load.c repl/trace_summary.c fuzz/fuzz_trace.c -lm \
	-o "$out/fuzz_trace" && mkdir -p "$out/trace_corpus" && cp tests/trace/[a-z]*.json "$out/trace_corpus/" &&
	(cd "$out" && ./fuzz_trace -max_total_time=$((secs / 4 + 5)) -timeout=5 -rss_limit_mb=2048 \
		-dict=../fuzz/json.dict -artifact_prefix=./trace- trace_corpus >trace.log 2>&1
	rc=$?
	tail -n 3 trace.log
	exit $rc); then
	passed=$((passed + 1))
else
	echo "trace fuzzer failed (see $out/trace-crash-*)"
	failed=$((failed + 1))
fi
csp=build-tsan/csp
[ -x "$csp" ] || csp=build/csp
python3 fuzz/gen_conc.py --csp "$csp" --seconds "$secs" --keep "$out/conc" >"$out/conc.log" 2>&1
conc_rc=$?
tail -n 12 "$out/conc.log" | sed 's/^fuzz-conc: \([0-9]* passed\)/fuzz-conc programs: \1/'
if [ $conc_rc = 0 ]; then
	passed=$((passed + 1))
else
	echo "concurrency fuzzer failed (see $out/conc/)"
	failed=$((failed + 1))
fi
mkdir -p build-afl
fuzz/afl.sh "$secs" build-afl/out >build-afl/afl-run.log 2>&1
afl_rc=$?
tail -n 8 build-afl/afl-run.log
if [ $afl_rc = 0 ]; then
	passed=$((passed + 1))
else
	echo "whole-interpreter fuzzer failed (see build-afl/out/default/crashes)"
	failed=$((failed + 1))
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
