#!/usr/bin/env bash
# The whole-interpreter fuzzer: AFL++ mutates csp programs (seeded with the
# golden tests, samples and benchmarks that touch nothing outside the process,
# fuzz/afl_seeds.py; dictionary fuzz/csp.dict) and runs each one through the
# full interpreter — lexer, compiler, VM, scheduler, GC, standard library —
# built with AFL's coverage instrumentation, ASan and UBSan (build-afl).
#
# Each run is bounded: CSP_STEP_BUDGET ends it after 2M instructions (exit
# status 3, an ordinary outcome: the build has -Dstep_budget=true), and
# ASan's soft RSS limit makes allocation fail past 512 MB, which must give
# Go's "fatal error: runtime: out of memory", not a crash.  A program that
# sleeps past AFL's timeout counts as a hang, not a failure.
#
# usage: fuzz/afl.sh SECONDS [OUT_DIR]   (default out: build-afl/out)
# Exits 0 if AFL found no crash, 1 otherwise; the crashing inputs are in
# OUT_DIR/default/crashes/.  Each one found becomes a golden test.
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${1:-60}
out=${2:-build-afl/out}
if ! command -v afl-fuzz >/dev/null || ! command -v afl-clang-fast >/dev/null; then
	echo "afl: afl++ is not installed (apt-get install afl++)"
	exit 1
fi
if [ ! -f build-afl/build.ninja ]; then
	# clang warns about the dispatch loop's deliberate bitwise & on booleans.
	CC=afl-clang-fast meson setup build-afl -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debugoptimized -Dstep_budget=true \
		-Dc_args=-Wno-bitwise-instead-of-logical >/dev/null || exit 1
fi
meson compile -C build-afl csp >/dev/null || { echo "afl: build failed"; exit 1; }
seeds=build-afl/seeds
rm -rf "$seeds" && python3 fuzz/afl_seeds.py "$seeds" || exit 1
# A fresh output folder each run (AFL refuses to reuse one without -i-).
rm -rf "$out" && mkdir -p "$out" build-afl/wd
out=$(realpath "$out") seeds=$(realpath "$seeds")
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 \
	AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1 AFL_IGNORE_PROBLEMS=1 \
	AFL_MAP_SIZE=262144
export CSP_STEP_BUDGET=2000000 GOMAXPROCS=2
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1:soft_rss_limit_mb=512
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
csp=$(realpath build-afl/csp)
# Mutants run in an empty folder: an import of a local file finds nothing.
(cd build-afl/wd && afl-fuzz -i "$seeds" -o "$out" -x ../../fuzz/csp.dict \
	-t 3000 -m none -V "$secs" -- "$csp" @@) >"$out/afl.log" 2>&1
rc=$?
stats="$out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
	tail -n 20 "$out/afl.log"
	echo "afl: afl-fuzz did not start (exit $rc)"
	exit 1
fi
grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time) ' "$stats" | tr -s ' '
crashes=$(find "$out/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
if [ "$crashes" -gt 0 ]; then
	echo "afl: $crashes crashing inputs in $out/default/crashes"
	exit 1
fi
echo "afl: no crash"
