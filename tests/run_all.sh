#!/usr/bin/env bash
# The whole test suite, as `make test` runs it:
#   1. normal build (build/): `meson test` — every registered test (C unit
#      tests, the golden language tests, and whatever else is registered);
#   2. ASan+UBSan build (build-asan/, with assertions on): the golden language tests
#      and the REPL's transcripts;
#   3. ThreadSanitizer build (build-tsan/): the concurrency tests, the REPL and samples;
#   4. GC stress: the golden language tests and the REPL's transcripts against build/
#      with CSP_GCSTRESS=1;
#   5. fuzz: a short libFuzzer run of the front end, a short run of the
#      concurrency fuzzer under ThreadSanitizer and a short AFL++ run of the
#      whole interpreter under ASan and UBSan (tests/fuzz.sh).
# Each part prints its own count; the last line is the sum, "N passed, M failed".
# Exit status is 1 if anything failed (a build that fails counts as a failure).
#
# Environment: CSP_TEST_PARTS (default "normal asan tsan gcstress fuzz") picks parts;
# MESON_SETUP_ARGS adds arguments to both `meson setup` calls.
set -u
cd "$(dirname "$0")/.." || exit 1

parts=${CSP_TEST_PARTS:-normal asan tsan gcstress fuzz}
# The golden-test folders about concurrency, which the tsan part runs.
TSAN_TOPICS="goroutines chan select sync time runtime leaks stress io net ffi race stdlib_log stdlib_strings stdlib_context seed"
total_pass=0
total_fail=0

count() { # count PART PASSED FAILED
	echo "$1: $2 passed, $3 failed"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

# build DIR [meson setup options...]: configure if needed, then compile.
build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		# shellcheck disable=SC2086
		meson setup "$dir" "$@" ${MESON_SETUP_ARGS:-} || return 1
	fi
	meson compile -C "$dir"
}

# The last "N passed, M failed" line of a file, as "N M" (or nothing).
counts_in() {
	sed -n 's/^\([A-Za-z0-9_-]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*$/\2 \3/p' "$1" | tail -n 1
}

# Sum meson's test log: a test whose output ends with its own count adds that
# count (the lang runner, counting test runners); any other adds 1.
meson_counts() {
	python3 - "$1" <<'EOF'
import json, re, sys
passed = failed = 0
line_re = re.compile(r"^(?:[\w-]+: )?(\d+) passed, (\d+) failed", re.M)
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        result = t.get("result", "")
        if result == "SKIP":
            continue
        ok = result in ("OK", "EXPECTEDFAIL")
        found = line_re.findall(t.get("stdout", "") or "")
        if found:
            p, fl = map(int, found[-1])
            if not ok and fl == 0:
                fl = 1  # it failed after (or without) counting: still a failure
            passed += p
            failed += fl
        elif ok:
            passed += 1
        else:
            failed += 1
print(passed, failed)
EOF
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

for part in $parts; do
	echo "=== $part"
	case $part in
	normal)
		if ! build build; then
			echo "normal: build failed"
			count normal 0 1
			continue
		fi
		rm -f build/meson-logs/testlog.json
		meson test -C build --no-rebuild --print-errorlogs
		if [ -f build/meson-logs/testlog.json ]; then
			# shellcheck disable=SC2046
			count normal $(meson_counts build/meson-logs/testlog.json)
		else
			count normal 0 1
		fi
		;;
	asan)
		if ! build build-asan -Db_sanitize=address,undefined -Db_lundef=false \
			--buildtype=debugoptimized; then
			echo "asan: build failed"
			count asan 0 1
			continue
		fi
		# Leak reports at exit are noise for a garbage-collected heap, and
		# LeakSanitizer cannot run under ptrace; the caller may override.
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
			UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
			python3 tests/run_lang.py --csp build-asan/csp --timeout 120 |
			tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count asan "${p:-0}" "${f:-1}"
		# the REPL's transcripts (entries, panics, deadlocks, :commands)
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
			python3 tests/run_repl.py --csp build-asan/csp --timeout 120 | tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count asan-repl "${p:-0}" "${f:-1}"
		# the C unit tests under the sanitizers too
		rm -f build-asan/meson-logs/testlog.json
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} meson test -C build-asan --no-rebuild \
			--suite unit --print-errorlogs
		if [ -f build-asan/meson-logs/testlog.json ]; then
			# shellcheck disable=SC2046
			count asan-unit $(meson_counts build-asan/meson-logs/testlog.json)
		else
			count asan-unit 0 1
		fi
		;;
	tsan)
		# ThreadSanitizer on the runtime: the concurrency tests and the
		# samples must run without a single report.  Racing scripts are
		# included on purpose: the VM's shared-memory accesses are atomic
		# (SHARED_LOAD/SHARED_STORE), so only the runtime's own races show.
		if ! build build-tsan -Db_sanitize=thread -Db_lundef=false --buildtype=debugoptimized; then
			echo "tsan: build failed"
			count tsan 0 1
			continue
		fi
		tsan_dirs=""
		for d in $TSAN_TOPICS; do
			[ -d "tests/lang/$d" ] && tsan_dirs="$tsan_dirs tests/lang/$d"
		done
		# CSP_TSAN=1 lets the heaviest test (race/ok_many_goroutines) run
		# fewer goroutines: TSan checks the runtime's accesses, not the count.
		# shellcheck disable=SC2086
		TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66 atexit_sleep_ms=0} \
			python3 tests/run_lang.py --csp build-tsan/csp --timeout 300 --env CSP_TSAN=1 $tsan_dirs samples |
			tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count tsan "${p:-0}" "${f:-1}"
		# the I/O hand-off storm (C), then the I/O tests driven from outside
		if TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66 atexit_sleep_ms=0} build-tsan/tests/unit/test_io_handoff; then
			count "tsan io_handoff" 1 0
		else
			count "tsan io_handoff" 0 1
		fi
		# the REPL: entries on the scheduler, through pipes and on a terminal
		TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66 atexit_sleep_ms=0} \
			python3 tests/run_repl.py --csp build-tsan/csp --timeout 300 | tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count "tsan repl" "${p:-0}" "${f:-1}"
		for drv in echo_external chat_external signal_external idle_cpu stdin_tty repl_tty trace_external seed_determinism explore; do
			TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66 atexit_sleep_ms=0} \
				python3 tests/io/$drv.py build-tsan/csp build-tsan/tests/loadclient | tee "$log"
			read -r p f <<<"$(counts_in "$log")"
			count "tsan $drv" "${p:-0}" "${f:-1}"
		done
		;;
	gcstress)
		if [ ! -x build/csp ] && ! build build; then
			echo "gcstress: build failed"
			count gcstress 0 1
			continue
		fi
		python3 tests/run_lang.py --csp build/csp --env CSP_GCSTRESS=1 --timeout 120 \
			| tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count gcstress "${p:-0}" "${f:-1}"
		CSP_GCSTRESS=1 python3 tests/run_repl.py --csp build/csp --timeout 120 | tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count gcstress-repl "${p:-0}" "${f:-1}"
		;;
	fuzz)
		bash tests/fuzz.sh | tee "$log"
		read -r p f <<<"$(counts_in "$log")"
		count fuzz "${p:-0}" "${f:-1}"
		;;
	*)
		echo "unknown part: $part"
		count "$part" 0 1
		;;
	esac
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
