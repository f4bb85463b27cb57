/* fuzz/fuzz_compile.c — libFuzzer harness for the whole front end: lexer,
 * parser and compiler (source bytes -> BcProgram).  Any input must produce
 * either a program or compile errors; never a crash, hang or leak.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild \
 *       fuzz/fuzz_compile.c base/[a-z]*.c lexer/lex.c parser/[a-z]*.c -o /tmp/fuzz_compile
 *   /tmp/fuzz_compile -max_total_time=600 fuzz/corpus tests/lang/...
 */
#include <stdint.h>
#include <stdio.h>

#include "parser/compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    BcProgram *p = compile_source("fuzz.csp", (const char *)data, size, NULL, sink);
    if (p)
        bc_program_free(p);
    return 0;
}
