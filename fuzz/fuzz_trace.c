/* fuzz/fuzz_trace.c — libFuzzer harness for `csp trace`: the JSON reader
 * (base/json.c), the trace loader, the summary and the page writer.
 *
 * Any byte string must be read as a trace or refused with a message, and a
 * trace that is read must print and embed, without crashing, hanging,
 * leaking or overflowing the C stack.
 *
 * Build and run (not part of the meson build):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild base/[a-z]*.c repl/trace.c \
 *       repl/trace_load.c repl/trace_summary.c fuzz/fuzz_trace.c -lm -o /tmp/fuzz_trace
 *   mkdir -p /tmp/tcorpus && cp tests/trace/[a-z]*.json /tmp/tcorpus/
 *   /tmp/fuzz_trace /tmp/tcorpus -max_total_time=120 -timeout=5 -dict=fuzz/json.dict
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "repl/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What repl/tour.c and the generated trace_page.c give the real binary. */
const char trace_page_html[] = "<title>__TRACE_TITLE__</title><script>__TRACE_JSON__</script>";
int tour_term_width(void) {
    return 80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    Trace t;
    char err[512];
    if (trace_parse(&t, mem_dup(data, size), size, "fuzz.json", err, sizeof err) < 0) {
        if (!err[0])
            __builtin_trap(); /* a refusal must say why */
        return 0;
    }
    trace_summary(&t, devnull, size % 2 ? 72 : 200);
    trace_html(&t, "fuzz.json", devnull);
    trace_free(&t);
    return 0;
}
