/* fuzz/fuzz_parse.c — libFuzzer harness for the lexer and parser.
 *
 * Any byte string must parse to a tree or to at most 10 diagnostics without
 * crashing, hanging, leaking or overflowing the C stack.  The arena holds every
 * allocation of a parse, so freeing it must leave nothing behind.
 *
 * Build and run (not part of the meson build):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. base/[a-z]*.c lexer/lex.c parser/arena.c \
 *       parser/diag.c parser/parse.c parser/parse_expr.c parser/parse_stmt.c \
 *       fuzz/fuzz_parse.c -o /tmp/fuzz_parse
 *   mkdir -p /tmp/corpus && find tests bench -name '*.csp' -exec cp {} /tmp/corpus/ \;
 *   /tmp/fuzz_parse /tmp/corpus -max_total_time=300 -timeout=5
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parser/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Diagnostics go to /dev/null: printing is part of what is exercised.
     * The stream is opened once and stays reachable, so it is no leak. */
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    Diag d = {devnull, "fuzz.csp", (const char *)data, size, 0};
    Arena *a = arena_new();
    Node *file = parse_file(a, &d, (const char *)data, size);
    /* the contract: always a file node */
    if (!file || file->kind != N_FILE)
        __builtin_trap();
    arena_free(a);
    return 0;
}
